//! Covariances from the information matrix — the one place standard errors
//! are made. The inverse always comes from a Cholesky factorisation: an
//! information matrix that is not positive definite gives no standard
//! errors (NaN), never a number from a singular or indefinite matrix.

use nalgebra::DMatrix;

/// `I⁻¹` by Cholesky, or `None` when `info` is not positive definite.
pub(crate) fn invert(info: DMatrix<f64>) -> Option<DMatrix<f64>> {
    info.cholesky().map(|c| c.inverse())
}

/// The delta method: `J C Jᵀ` for `J = ∂θ/∂u`.
pub(crate) fn delta(j: &DMatrix<f64>, c: &DMatrix<f64>) -> DMatrix<f64> {
    j * c * j.transpose()
}

/// The sandwich `I⁻¹ (SᵀS) I⁻¹` from per-observation scores `S` (one row
/// each).
pub(crate) fn sandwich(inv: &DMatrix<f64>, scores: &DMatrix<f64>) -> DMatrix<f64> {
    inv * (scores.transpose() * scores) * inv
}

/// `√diag(c)`, NaN for fixed parameters.
pub(crate) fn std_errors(c: &DMatrix<f64>, fixed: &[bool]) -> Vec<f64> {
    (0..c.nrows()).map(|i| if fixed[i] { f64::NAN } else { c[(i, i)].max(0.0).sqrt() }).collect()
}
