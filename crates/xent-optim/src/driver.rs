//! The driver loop: start, iterate the solver, test for termination, tell
//! the observer, count evaluations.

use nalgebra::DMatrix;

use crate::checked::{Checked, CheckedError};
use crate::method::Method;
use crate::observer::Observer;
use crate::problem::Problem;
use crate::solver::{Evaluator, State, Step, inf_norm};
use crate::solvers::lbfgsb::{project, projected_gradient};
use crate::termination::{Options, Termination};

/// The result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The best point found.
    pub x: Vec<f64>,
    /// `f(x)`.
    pub value: f64,
    /// `∇f(x)`.
    pub gradient: Vec<f64>,
    /// `‖∇f(x)‖∞` (projected under bounds).
    pub gradient_norm: f64,
    /// Iterations performed.
    pub iterations: usize,
    /// Function (and gradient) evaluations.
    pub evaluations: usize,
    /// Hessian evaluations.
    pub hessian_evaluations: usize,
    /// Why it stopped.
    pub termination: Termination,
    /// `∇²f(x)` at the returned `x`, when the method evaluated it there
    /// (Newton always does; the chord method when it refreshed there).
    pub hessian: Option<DMatrix<f64>>,
}

/// A run could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimError<E: std::error::Error> {
    /// The starting point has the wrong length.
    #[error("starting point has {found} coordinates, the problem has {expected}")]
    Dimension {
        /// The problem's dimension.
        expected: usize,
        /// The starting point's.
        found: usize,
    },
    /// The problem failed at the starting point.
    #[error("evaluation failed at the starting point: {0}")]
    Start(E),
    /// `f` or `∇f` is not finite at the starting point.
    #[error("the value or gradient is not finite at the starting point")]
    NonFiniteStart,
    /// Newton was asked of a problem without a Hessian.
    #[error("newton's method needs a hessian, and the problem provides none")]
    NoHessian,
    /// Invalid method settings (bounds, rates).
    #[error("invalid method setting: {0}")]
    Setting(&'static str),
    /// The problem returned a gradient or Hessian of the wrong shape at the
    /// starting point.
    #[error("at the starting point the problem's {what} has shape {found}, but its dimension is {dim}")]
    Shape {
        /// `gradient` or `hessian`.
        what: &'static str,
        /// The problem's dimension.
        dim: usize,
        /// The shape it returned.
        found: String,
    },
}

/// The start's error: the problem's own, or a shape.
fn start_error<E: std::error::Error>(e: CheckedError<E>) -> OptimError<E> {
    match e {
        CheckedError::Problem(e) => OptimError::Start(e),
        CheckedError::Shape { what, dim, found } => OptimError::Shape { what, dim, found },
    }
}

/// Minimises `problem` from `x0` with `method`.
pub fn minimise<P: Problem>(
    problem: &P,
    x0: &[f64],
    method: &Method,
    options: &Options,
    observer: &mut dyn Observer,
) -> Result<Outcome, OptimError<P::Error>> {
    let n = problem.dim();
    if x0.len() != n {
        return Err(OptimError::Dimension { expected: n, found: x0.len() });
    }
    let problem = &Checked(problem);
    let mut solver = method.solver::<Checked<'_, P>>(n).map_err(OptimError::Setting)?;
    let mut x = x0.to_vec();
    if let Some((l, u)) = solver.bounds() {
        project(&mut x, l, u);
    }
    let mut ev = Evaluator { problem, evaluations: 1, hessian_evaluations: 0 };
    let (f, g, h) = if solver.needs_start_hessian() {
        ev.hessian_evaluations += 1;
        let (f, g, h) = problem.value_gradient_hessian(&x).map_err(start_error)?.ok_or(OptimError::NoHessian)?;
        (f, g, Some(h))
    } else {
        let (f, g) = problem.value_and_gradient(&x).map_err(start_error)?;
        (f, g, None)
    };
    if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err(OptimError::NonFiniteStart);
    }
    let mut state = State { x, f, g, h };
    let gnorm = |solver: &dyn crate::solver::Solver<Checked<'_, P>>, s: &State| match solver.bounds() {
        Some((l, u)) => inf_norm(&projected_gradient(&s.x, &s.g, l, u)),
        None => inf_norm(&s.g),
    };
    let mut termination = Termination::MaxIterations;
    let mut iterations = 0;
    for it in 1..=options.max_iterations {
        if options.stationary(gnorm(&*solver, &state)) {
            termination = Termination::ConvergedGradient;
            break;
        }
        iterations = it;
        let next = match solver.step(&mut ev, &state, it) {
            Step::Moved(s) => s,
            Step::LineSearchFailed => {
                termination = Termination::LineSearchFailed;
                break;
            }
            Step::NonFinite => {
                termination = Termination::NonFinite { iteration: it };
                break;
            }
            Step::Failed(message) => {
                termination = Termination::EvaluationFailed { iteration: it, message };
                break;
            }
        };
        // A solver's arithmetic can produce a non-finite iterate where the
        // problem still evaluates (f64::max ignores NaN, so the step test
        // would read it as a zero step): that is never convergence.
        if next.x.iter().any(|v| !v.is_finite()) {
            termination = Termination::NonFinite { iteration: it };
            break;
        }
        solver.accepted(&state, &next);
        let prev = std::mem::replace(&mut state, next);
        let norm = gnorm(&*solver, &state);
        observer.observe(it, &state.x, state.f, norm);
        if let Some(t) = options.after_step(&prev.x, prev.f, &state.x, state.f, norm, solver.value_test()) {
            termination = t;
            break;
        }
    }
    Ok(Outcome {
        gradient_norm: gnorm(&*solver, &state),
        hessian: state.h,
        x: state.x,
        value: state.f,
        gradient: state.g,
        iterations,
        evaluations: ev.evaluations,
        hessian_evaluations: ev.hessian_evaluations,
        termination,
    })
}
