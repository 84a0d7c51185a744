//! Covariances from the information matrix — the one place standard errors
//! are made. The inverse always comes from a Cholesky factorisation: an
//! information matrix that is not positive definite gives no standard
//! errors (NaN), never a number from a singular or indefinite matrix.

use nalgebra::DMatrix;

use crate::error::FitFailure;
use crate::options::Covariance;

/// `I⁻¹` by Cholesky, or `None` when `info` is not positive definite.
fn invert(info: DMatrix<f64>) -> Option<DMatrix<f64>> {
    info.cholesky().map(|c| c.inverse())
}

/// `√diag(c)`, NaN for fixed parameters.
pub(crate) fn std_errors(c: &DMatrix<f64>, fixed: &[bool]) -> Vec<f64> {
    (0..c.nrows()).map(|i| if fixed[i] { f64::NAN } else { c[(i, i)].max(0.0).sqrt() }).collect()
}

/// Where the information comes from, in the optimiser's unconstrained
/// coordinates `u`, for the whole sample (not averaged). Each source is
/// computed only when the requested covariance needs it.
pub(crate) struct Sources<O, E, S> {
    /// The observed information `n ∇²NLL(u)`.
    pub observed: O,
    /// The expected information `Jᵀ n I(θ) J`, where the model knows it.
    pub expected: E,
    /// The per-observation scores in `u` (one row each), where available.
    pub scores: S,
}

/// A covariance of the natural parameters and which information it came from.
pub(crate) struct Computed {
    /// `J C Jᵀ` (NaN when there is none).
    pub covariance: DMatrix<f64>,
    /// Standard errors (NaN for fixed parameters and when there is none).
    pub std_errors: Vec<f64>,
    /// The information actually used.
    pub used: Covariance,
}

/// The covariance of kind `kind` of the natural parameters, `j = ∂θ/∂u`
/// (`k_all × k_free`), `fixed` marking the parameters held fixed.
///
/// `Observed` falls back to the expected information when the observed one
/// is not positive definite and the model has it; `Sandwich` takes its
/// bread the same way. A kind the model cannot provide is
/// [`FitFailure::CovarianceUnavailable`].
pub(crate) fn covariance<O, E, S>(
    kind: Covariance,
    model: &str,
    j: &DMatrix<f64>,
    fixed: &[bool],
    sources: Sources<O, E, S>,
) -> Result<Computed, FitFailure>
where
    O: FnOnce() -> Result<DMatrix<f64>, FitFailure>,
    E: FnOnce() -> Option<DMatrix<f64>>,
    S: FnOnce() -> Result<Option<DMatrix<f64>>, FitFailure>,
{
    let k = j.nrows();
    let none =
        |used| Computed { covariance: DMatrix::from_element(k, k, f64::NAN), std_errors: vec![f64::NAN; k], used };
    let unavailable =
        |reason: &'static str| FitFailure::CovarianceUnavailable { model: model.to_string(), covariance: kind, reason };
    let Sources { observed, expected, scores } = sources;
    // The inverse information in u and which one it was.
    let bread = |observed: O, expected: E| -> Result<Option<(DMatrix<f64>, Covariance)>, FitFailure> {
        if let Some(inv) = invert(observed()?) {
            return Ok(Some((inv, Covariance::Observed)));
        }
        Ok(expected().and_then(invert).map(|inv| (inv, Covariance::Expected)))
    };
    let (inv_u, used) = match kind {
        Covariance::None => return Ok(none(Covariance::None)),
        Covariance::Observed => match bread(observed, expected)? {
            Some(b) => b,
            None => return Ok(none(Covariance::Observed)),
        },
        Covariance::Expected => {
            let info = expected().ok_or_else(|| unavailable("the model has no closed-form Fisher information"))?;
            match invert(info) {
                Some(inv) => (inv, Covariance::Expected),
                None => return Ok(none(Covariance::Expected)),
            }
        }
        Covariance::Sandwich => {
            let s = scores()?.ok_or_else(|| unavailable("per-observation scores are not available"))?;
            match bread(observed, expected)? {
                Some((inv, _)) => (&inv * (s.transpose() * &s) * &inv, Covariance::Sandwich),
                None => return Ok(none(Covariance::Sandwich)),
            }
        }
    };
    let c = j * inv_u * j.transpose();
    Ok(Computed { std_errors: std_errors(&c, fixed), covariance: c, used })
}
