//! The one adapter from an objective to the optimiser's problem, and the
//! optimisation every fit runs.

use nalgebra::DMatrix;
use xent_objectives::{Objective, ObjectiveError};
use xent_optim::{Method, Outcome, Problem, minimise};

use crate::error::FitFailure;
use crate::options::FitOptions;

/// Any [`Objective`] as an [`xent_optim::Problem`]: value, gradient, the
/// Hessian and the fused evaluation forwarded as they are.
///
/// ```
/// use xent_fit::ObjectiveProblem;
/// use xent_objectives::{Family, Nll};
/// use xent_optim::{Method, Options, minimise};
/// let data = [0.5, 1.5, 2.0, 4.0];
/// let nll = Nll::new(&Family::Normal, &data)?;
/// let opts = Options { gradient_tol: 1e-12, ..Options::default() };
/// let out = minimise(&ObjectiveProblem::new(&nll), &[0.0, 0.0], &Method::Newton, &opts, &mut ())?;
/// // |Δμ| ≤ ‖∇‖ / curvature ≈ 1e-12 / 0.6: the sample mean to 1e-11.
/// assert!((out.x[0] - 2.0).abs() < 1e-11);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ObjectiveProblem<'o, O: ?Sized>(&'o O);

impl<'o, O: Objective + ?Sized> ObjectiveProblem<'o, O> {
    /// The problem of minimising `objective`.
    pub fn new(objective: &'o O) -> Self {
        ObjectiveProblem(objective)
    }
}

impl<O: Objective + ?Sized> Problem for ObjectiveProblem<'_, O> {
    type Error = ObjectiveError;
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn value(&self, x: &[f64]) -> Result<f64, ObjectiveError> {
        self.0.value(x)
    }
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        self.0.value_and_gradient(x)
    }
    fn hessian(&self, x: &[f64]) -> Result<Option<DMatrix<f64>>, ObjectiveError> {
        self.0.hessian(x).map(Some)
    }
    fn value_gradient_hessian(&self, x: &[f64]) -> Result<Option<(f64, Vec<f64>, DMatrix<f64>)>, ObjectiveError> {
        self.0.value_gradient_hessian(x).map(Some)
    }
}

/// `first` (Newton or the chord method) from `start`; if it does not
/// converge, L-BFGS from `fallback`. Returns the better of the runs (lower
/// value) and its method.
pub(crate) fn second_order_then_lbfgs<O: Objective + ?Sized>(
    objective: &O,
    first: Method,
    start: &[f64],
    fallback: &[f64],
    opts: &FitOptions,
) -> Result<(Outcome, Method), FitFailure> {
    let problem = ObjectiveProblem::new(objective);
    let out = minimise(&problem, start, &first, &opts.optim, &mut ())?;
    if out.termination.converged() {
        return Ok((out, first));
    }
    let method = Method::lbfgs();
    let other = minimise(&problem, fallback, &method, &opts.optim, &mut ())?;
    Ok(if other.value < out.value { (other, method) } else { (out, first) })
}

/// How a fit report names a method: its `Debug` form, without the chord
/// method's starting matrix.
pub(crate) fn method_name(method: &Method) -> String {
    match method {
        Method::ChordNewton { .. } => "ChordNewton".to_string(),
        Method::Lbfgs { memory } => format!("L-BFGS, memory {memory}"),
        Method::LbfgsB { memory, .. } => format!("L-BFGS-B, memory {memory}"),
        other => format!("{other:?}"),
    }
}

/// Newton's steps from a converged point `u` of `objective` must vanish:
/// a small gradient alone is also what an objective shows far out along a
/// direction where it flattens towards an infimum at infinity (a model
/// whose likelihood grows without bound in a parameter: the gradient and
/// the curvature decay together, and the Newton step `H⁻¹g` stays of the
/// same size — ½ in `ln σ` for a Rayleigh density missing its `−2 ln σ`,
/// at every data set).
///
/// Returns `Ok(None)` when the step is below `1e-8·max(1, ‖u‖∞)` at once
/// (every healthy fit: the estimate is not touched), or when the Hessian is
/// not positive definite (left to the covariance's own checks);
/// `Ok(Some(u'))` when up to [`POLISH_STEPS`] Newton steps, each lowering
/// the objective by more than rounding, shrink it below that (a minimum the
/// gradient test stopped short of: the polished point); and
/// [`FitFailure::NoFiniteMle`] naming the parameter when every one of them
/// lowers the objective and the last is at least half the first (linear
/// progress towards infinity, not Newton's quadratic convergence). A step
/// that does not lower the objective by more than rounding ends the polish:
/// the point is a minimum to the resolution of the arithmetic.
pub(crate) fn newton_confirmed<O: Objective + ?Sized>(
    objective: &O,
    names: &[String],
    u: &[f64],
) -> Result<Option<Vec<f64>>, FitFailure> {
    let mut u = u.to_vec();
    let mut first = None;
    let mut last = (0, 0.0);
    for k in 0..POLISH_STEPS {
        let (f, g, h) = objective.value_gradient_hessian(&u)?;
        let Some(chol) = h.cholesky() else {
            return Ok((k > 0).then_some(u));
        };
        let d = chol.solve(&nalgebra::DVector::from_column_slice(&g));
        let scale = u.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        last = d.iter().enumerate().fold((0, 0.0f64), |b, (i, v)| if v.abs() > b.1 { (i, v.abs()) } else { b });
        if !last.1.is_finite() || last.1 <= NEWTON_STEP_TOL * scale {
            return Ok((k > 0).then_some(u));
        }
        let next: Vec<f64> = u.iter().zip(d.iter()).map(|(a, b)| a - b).collect();
        let lower = objective.value(&next).is_ok_and(|v| v < f - 4.0 * f64::EPSILON * f.abs().max(1.0));
        if !lower {
            return Ok((k > 0).then_some(u));
        }
        first.get_or_insert(last.1);
        u = next;
    }
    if first.is_some_and(|f0| last.1 >= 0.5 * f0) {
        let name = names.get(last.0).map_or("a parameter", String::as_str);
        return Err(FitFailure::NoFiniteMle {
            reason: format!(
                "the likelihood keeps increasing as `{name}` moves without bound: {POLISH_STEPS} Newton steps from \
                 the point where the gradient vanished did not shrink (the last moved its unconstrained coordinate \
                 by {:.3}), so the gradient vanished only because the likelihood flattens towards its supremum at \
                 infinity",
                last.1
            ),
        });
    }
    Ok(Some(u))
}

/// How many Newton steps [`newton_confirmed`] takes at most.
const POLISH_STEPS: usize = 8;
/// A Newton step below this, relative to `max(1, ‖u‖∞)`, is a minimum.
const NEWTON_STEP_TOL: f64 = 1e-8;
