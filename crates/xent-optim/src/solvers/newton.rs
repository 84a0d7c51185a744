//! Newton's method with a safeguarded Hessian (modified Cholesky) and a
//! backtracking line search whose unit trial step is evaluated with its
//! Hessian.

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

use crate::linesearch::{Search, backtracking};
use crate::problem::Problem;
use crate::solver::{Evaluator, Solver, State, Step, dot, neg};

/// Newton's method; it keeps nothing between iterations but the Hessian the
/// last accepted unit step left in the state.
pub(crate) struct Newton;

impl<P: Problem> Solver<P> for Newton {
    fn needs_start_hessian(&self) -> bool {
        true
    }

    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, _it: usize) -> Step {
        let h = match ev.hessian_at(s) {
            Ok(h) => h,
            Err(step) => return step,
        };
        let d = newton_direction(modified_cholesky(&h).as_ref(), &s.g);
        fused_line_step(ev, s, &d)
    }
}

/// Backtracking from the unit step along a Newton direction; the unit trial
/// point is evaluated with its Hessian, so an accepted unit step leaves the
/// next iteration's Hessian in the state.
fn fused_line_step<P: Problem>(ev: &mut Evaluator<'_, P>, s: &State, d: &[f64]) -> Step {
    let dphi0 = dot(&s.g, d);
    if !(dphi0 < 0.0) {
        return Step::LineSearchFailed;
    }
    let p = ev.problem;
    let (mut evals, mut hevals) = (0, 0);
    let point = |t: f64| -> Vec<f64> { s.x.iter().zip(d).map(|(x, di)| x + t * di).collect() };
    let mut last: Option<State> = None;
    let found = backtracking(s.f, dphi0, 1.0, |t| {
        evals += 1;
        let x = point(t);
        let (f, g, h) = if t == 1.0 {
            hevals += 1;
            match p.value_gradient_hessian(&x) {
                Err(e) => return Err(e.to_string()),
                Ok(None) => return Err("no hessian".to_string()),
                Ok(Some((f, g, h))) => (f, g, Some(h)),
            }
        } else {
            match p.value_and_gradient(&x) {
                Err(e) => return Err(e.to_string()),
                Ok((f, g)) => (f, g, None),
            }
        };
        let finite = f.is_finite() && g.iter().all(|v| v.is_finite());
        let value = if finite { f } else { f64::NAN };
        let slope = dot(&g, d);
        last = finite.then_some(State { x, f, g, h });
        Ok((value, slope))
    });
    ev.evaluations += evals;
    ev.hessian_evaluations += hevals;
    match (found, last) {
        (Search::Found(_), Some(state)) => Step::Moved(state),
        (Search::Found(_), None) | (Search::NonFinite, _) => Step::NonFinite,
        (Search::Failed, _) => Step::LineSearchFailed,
        (Search::Error(e), _) => Step::Failed(e),
    }
}

/// The Cholesky factor of `H + τI` with the smallest `τ ∈ {0, 10⁻³·scale,
/// ×10, …}` that makes it positive definite (`scale` = the largest
/// diagonal magnitude); `None` if none does.
pub(crate) fn modified_cholesky(h: &DMatrix<f64>) -> Option<Cholesky<f64, Dyn>> {
    let n = h.nrows();
    let scale = (0..n).map(|i| h[(i, i)].abs()).fold(0.0, f64::max).max(1e-12);
    let mut tau = 0.0;
    for _ in 0..40 {
        if let Some(c) = (h + DMatrix::identity(n, n) * tau).cholesky() {
            return Some(c);
        }
        tau = if tau == 0.0 { 1e-3 * scale } else { tau * 10.0 };
    }
    None
}

/// `−H⁻¹g` through the factor, or steepest descent `−g` without one.
pub(crate) fn newton_direction(factor: Option<&Cholesky<f64, Dyn>>, g: &[f64]) -> Vec<f64> {
    match factor {
        Some(c) => neg(c.solve(&DVector::from_column_slice(g)).as_slice()),
        None => neg(g),
    }
}
