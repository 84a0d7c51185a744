//! When a run stops: the tolerances and limits, and the reason it stopped.

use std::fmt;

/// Termination tests and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Stop when `‖∇f‖∞ ≤ gradient_tol` (projected gradient under bounds).
    pub gradient_tol: f64,
    /// Stop when `‖Δx‖∞ ≤ step_tol · max(1, ‖x‖∞)`.
    pub step_tol: f64,
    /// Stop when `|Δf| ≤ value_tol · max(1, |f|)` (0 disables the test).
    pub value_tol: f64,
    /// At most this many iterations.
    pub max_iterations: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { gradient_tol: 1e-8, step_tol: 1e-15, value_tol: 0.0, max_iterations: 1000 }
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Termination {
    /// `‖∇f‖∞` fell below the tolerance.
    ConvergedGradient,
    /// The step fell below the tolerance.
    ConvergedStep,
    /// The decrease of `f` fell below the tolerance.
    ConvergedValue,
    /// The steps (or value changes) fell below their tolerance, but the
    /// gradient did not come near zero: not a minimum (a wrong gradient, a
    /// line search cornered near a non-finite region, a kink).
    Stalled {
        /// `‖∇f‖∞` where it stopped.
        gradient_norm: f64,
    },
    /// The iteration limit was reached.
    MaxIterations,
    /// The line search found no acceptable step.
    LineSearchFailed,
    /// `f` or `∇f` was NaN or infinite at this iteration.
    NonFinite {
        /// The iteration that produced it.
        iteration: usize,
    },
    /// The problem failed to evaluate at this iteration.
    EvaluationFailed {
        /// The iteration.
        iteration: usize,
        /// The problem's error message.
        message: String,
    },
}

impl Termination {
    /// Whether the run converged (on gradient, step or value).
    pub fn converged(&self) -> bool {
        matches!(self, Termination::ConvergedGradient | Termination::ConvergedStep | Termination::ConvergedValue)
    }
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Termination::ConvergedGradient => write!(f, "converged: gradient norm below tolerance"),
            Termination::ConvergedStep => write!(f, "converged: step below tolerance"),
            Termination::ConvergedValue => write!(f, "converged: value change below tolerance"),
            Termination::Stalled { gradient_norm } => write!(
                f,
                "stopped: the steps fell below tolerance but the gradient norm {gradient_norm:.1e} did not (no minimum there)"
            ),
            Termination::MaxIterations => write!(f, "stopped: maximum number of iterations reached"),
            Termination::LineSearchFailed => write!(f, "stopped: line search found no acceptable step"),
            Termination::NonFinite { iteration } => write!(f, "stopped: non-finite value at iteration {iteration}"),
            Termination::EvaluationFailed { iteration, message } => {
                write!(f, "stopped: evaluation failed at iteration {iteration}: {message}")
            }
        }
    }
}

impl Options {
    /// The test before an iteration: is the start (or the last iterate)
    /// already stationary?
    pub(crate) fn stationary(&self, gradient_norm: f64) -> bool {
        gradient_norm <= self.gradient_tol
    }

    /// The tests after an accepted step from `prev` (value `f_prev`) to `x`
    /// (value `f`, projected gradient norm `gradient_norm`), in order:
    /// gradient, step, then value (when the method allows it).
    ///
    /// A step or value test that passes is convergence only when the
    /// gradient is also at the floating-point floor of a minimum,
    /// `‖∇f‖∞ ≤ √ε · max(1, |f|)`: near a minimum `f` is flat to rounding
    /// over relative moves of `√ε`, so a minimiser cannot be located more
    /// closely than that, and its gradient cannot be driven lower. Above
    /// the floor the run has stalled ([`Termination::Stalled`]).
    pub(crate) fn after_step(
        &self,
        prev: &[f64],
        f_prev: f64,
        x: &[f64],
        f: f64,
        gradient_norm: f64,
        value_test: bool,
    ) -> Option<Termination> {
        let dx = prev.iter().zip(x).fold(0.0, |m: f64, (a, b)| m.max((b - a).abs()));
        let xnorm = x.iter().fold(0.0, |m: f64, a| m.max(a.abs()));
        let floor = gradient_norm <= f64::EPSILON.sqrt() * f.abs().max(1.0);
        let stop = |converged| if floor { converged } else { Termination::Stalled { gradient_norm } };
        if self.stationary(gradient_norm) {
            Some(Termination::ConvergedGradient)
        } else if dx <= self.step_tol * xnorm.max(1.0) {
            Some(stop(Termination::ConvergedStep))
        } else if self.value_tol > 0.0 && value_test && (f_prev - f).abs() <= self.value_tol * f.abs().max(1.0) {
            Some(stop(Termination::ConvergedValue))
        } else {
            None
        }
    }
}
