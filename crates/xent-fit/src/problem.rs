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
