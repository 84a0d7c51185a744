//! The methods: what a user chooses, and the solver each one becomes.

use nalgebra::DMatrix;

use crate::problem::Problem;
use crate::solver::Solver;
use crate::solvers::{
    adam::Adam, chord::Chord, gradient_descent::GradientDescent, lbfgs::Lbfgs, lbfgsb::LbfgsB, momentum::Momentum,
    newton::Newton,
};

/// A minimisation method.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Method {
    /// Steepest descent with backtracking (Armijo) line search.
    GradientDescent,
    /// Gradient steps of fixed `learning_rate` with heavy-ball momentum
    /// `beta`, or Nesterov's look-ahead variant.
    Momentum {
        /// Step size.
        learning_rate: f64,
        /// Momentum coefficient in `[0, 1)`.
        beta: f64,
        /// Evaluate the gradient at the look-ahead point.
        nesterov: bool,
    },
    /// Adam (Kingma & Ba 2015).
    Adam {
        /// Step size.
        learning_rate: f64,
        /// First-moment decay.
        beta1: f64,
        /// Second-moment decay.
        beta2: f64,
        /// Denominator guard.
        epsilon: f64,
    },
    /// Limited-memory BFGS with `memory` pairs and a Moré–Thuente
    /// strong-Wolfe line search.
    Lbfgs {
        /// Number of correction pairs.
        memory: usize,
    },
    /// L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995): each step minimises the
    /// compact limited-memory model over the box — the generalized Cauchy
    /// point along the projected steepest-descent path, then the model's
    /// minimum over the variables left free, truncated to the box — followed
    /// by a backtracking line search towards that point; convergence on the
    /// projected gradient.
    LbfgsB {
        /// Number of correction pairs.
        memory: usize,
        /// Lower bounds (`−∞` allowed).
        lower: Vec<f64>,
        /// Upper bounds (`+∞` allowed).
        upper: Vec<f64>,
    },
    /// Newton's method with a safeguarded Hessian: a multiple of the identity
    /// is added until the Cholesky factorisation succeeds (modified
    /// Cholesky), then a backtracking line search. Trial points are
    /// evaluated with their Hessian ([`Problem::value_gradient_hessian`]),
    /// so an accepted unit step costs one fused evaluation.
    Newton,
    /// Newton's method reusing one factorised Hessian over several steps (the
    /// chord method, with Shamanskii-style refreshes): steps `−H⁻¹∇f` with the
    /// same `H` while each reduces `‖∇f‖∞` by at least the factor
    /// `contraction`; otherwise the Hessian is evaluated afresh at the current
    /// point. Starts from `hessian` when given (e.g. from a related, cheaper
    /// problem), else from the Hessian at the start. Each reused step costs
    /// one value-and-gradient evaluation. The steps carry L-BFGS corrections
    /// (the pairs since the last refresh, with `H` as the initial estimate),
    /// so the chord method's linear rate — set by how far `H` is from the
    /// Hessian at the optimum — improves as the pairs accumulate.
    ChordNewton {
        /// A symmetric starting Hessian (`None`: evaluate it at the start).
        hessian: Option<DMatrix<f64>>,
        /// Required reduction of `‖∇f‖∞` per step, in `(0, 1)`.
        contraction: f64,
    },
}

impl Method {
    /// L-BFGS with 10 pairs.
    pub fn lbfgs() -> Self {
        Method::Lbfgs { memory: 10 }
    }
    /// Adam with the usual constants and step `learning_rate`.
    pub fn adam(learning_rate: f64) -> Self {
        Method::Adam { learning_rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    }
}

impl Method {
    /// The solver of this method for `n` variables, its settings checked.
    /// A new method is a variant above, a file in `solvers/` and an arm here.
    pub(crate) fn solver<P: Problem>(&self, n: usize) -> Result<Box<dyn Solver<P>>, &'static str> {
        Ok(match self {
            Method::GradientDescent => Box::new(GradientDescent::new()),
            Method::Momentum { learning_rate, beta, nesterov } => {
                Box::new(Momentum::new(*learning_rate, *beta, *nesterov)?)
            }
            Method::Adam { learning_rate, beta1, beta2, epsilon } => {
                Box::new(Adam::new(*learning_rate, *beta1, *beta2, *epsilon)?)
            }
            Method::Lbfgs { memory } => Box::new(Lbfgs::new(*memory)),
            Method::LbfgsB { memory, lower, upper } => Box::new(LbfgsB::new(*memory, lower, upper, n)?),
            Method::Newton => Box::new(Newton),
            Method::ChordNewton { hessian, contraction } => Box::new(Chord::new(hessian.as_ref(), *contraction, n)?),
        })
    }
}
