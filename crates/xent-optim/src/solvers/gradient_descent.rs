//! Steepest descent with a backtracking (Armijo) line search.

use crate::problem::Problem;
use crate::solver::{Evaluator, Solver, State, Step, inf_norm, line_step, neg, sub};

/// Steepest descent; the first trial step is twice the last accepted one.
pub(crate) struct GradientDescent {
    /// The last accepted step length along `−∇f`.
    step: f64,
}

impl GradientDescent {
    pub(crate) fn new() -> Self {
        GradientDescent { step: 1.0 }
    }
}

impl<P: Problem> Solver<P> for GradientDescent {
    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, _it: usize) -> Step {
        let d = neg(&s.g);
        let t0 = (2.0 * self.step).min(1e10);
        let out = line_step(ev, s, &d, t0, false);
        if let Step::Moved(n) = &out {
            let moved = inf_norm(&sub(&n.x, &s.x));
            self.step = (moved / inf_norm(&d).max(f64::MIN_POSITIVE)).max(1e-20);
        }
        out
    }
}
