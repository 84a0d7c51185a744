//! The chord method: Newton steps reusing one factorised Hessian while the
//! gradient contracts (Shamanskii-style refreshes otherwise), with L-BFGS
//! corrections from the pairs gathered since the last refresh.

use nalgebra::{Cholesky, DMatrix, Dyn};

use super::lbfgs::Pairs;
use super::newton::{modified_cholesky, newton_direction};
use crate::problem::Problem;
use crate::solver::{Evaluator, Solver, State, Step, dot, inf_norm, line_step, neg};

/// Correction pairs the chord method keeps between refreshes.
const MEMORY: usize = 10;

/// The chord method's state.
pub(crate) struct Chord {
    contraction: f64,
    /// The factorised Hessian in use.
    factor: Option<Cholesky<f64, Dyn>>,
    /// Whether the start has no Hessian and must be evaluated with one.
    start_hessian: bool,
    /// `‖∇f‖∞` where the last step started.
    last_gnorm: f64,
    pairs: Pairs,
}

impl Chord {
    pub(crate) fn new(hessian: Option<&DMatrix<f64>>, contraction: f64, n: usize) -> Result<Self, &'static str> {
        if !(contraction > 0.0 && contraction < 1.0) {
            return Err("the chord method needs a contraction in (0, 1)");
        }
        let factor = match hessian {
            Some(h) if h.shape() != (n, n) || h.iter().any(|v| !v.is_finite()) => {
                return Err("the starting hessian must be a finite n x n matrix");
            }
            Some(h) => modified_cholesky(h),
            None => None,
        };
        Ok(Chord {
            contraction,
            factor,
            start_hessian: hessian.is_none(),
            last_gnorm: f64::INFINITY,
            pairs: Pairs::new(MEMORY),
        })
    }

    /// The L-BFGS two-loop recursion over the pairs since the last refresh,
    /// with the factorised Hessian as the initial estimate — quasi-Newton
    /// corrections that make the reused Hessian's linear convergence
    /// superlinear.
    fn direction(&self, g: &[f64]) -> Vec<f64> {
        let initial = |q: Vec<f64>| neg(&newton_direction(self.factor.as_ref(), &q));
        self.pairs.two_loop(g.to_vec(), initial)
    }
}

impl<P: Problem> Solver<P> for Chord {
    fn needs_start_hessian(&self) -> bool {
        self.start_hessian
    }

    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, _it: usize) -> Step {
        let gnorm = inf_norm(&s.g);
        let reused = self.factor.is_some() && gnorm <= self.contraction * self.last_gnorm;
        if !reused {
            match ev.hessian_at(s) {
                Ok(h) => self.factor = modified_cholesky(&h),
                Err(step) => return step,
            }
            self.pairs.clear();
        }
        self.last_gnorm = gnorm;
        let mut d = self.direction(&s.g);
        if dot(&d, &s.g) >= 0.0 {
            self.pairs.clear();
            d = newton_direction(self.factor.as_ref(), &s.g);
        }
        match line_step(ev, s, &d, 1.0, false) {
            // A stale Hessian may point nowhere useful: refresh once.
            Step::LineSearchFailed if reused => {
                self.factor = None;
                self.last_gnorm = f64::INFINITY;
                Solver::<P>::step(self, ev, s, _it)
            }
            other => other,
        }
    }

    fn accepted(&mut self, prev: &State, next: &State) {
        self.pairs.remember(prev, next);
    }
}
