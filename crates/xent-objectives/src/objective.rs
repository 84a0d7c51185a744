//! The [`Objective`] trait: what an estimator or a checker needs of an
//! objective, implemented by every NLL of this crate.

use nalgebra::DMatrix;

use crate::conditional::{ConditionalNll, EtaModel};
use crate::error::ObjectiveError;
use crate::model::Model;
use crate::nll::Nll;
use crate::sufficient::SufficientNll;

/// A smooth objective of `dim()` unconstrained parameters — for the NLLs
/// of this crate the *average* negative log-likelihood, so that values and
/// derivatives have the same scale for any sample size — with its exact
/// derivatives.
///
/// Implemented by [`Nll`], [`SufficientNll`] and [`ConditionalNll`]; an
/// adapter in `xent-fit` turns any objective into an optimiser's problem.
///
/// ```
/// use xent_objectives::{Family, Nll, Objective, SufficientNll};
/// let data = [0.5, 1.5, 2.0, 4.0];
/// let per_sample = Nll::new(&Family::Gamma, &data)?;
/// let statistics = SufficientNll::new(&Family::Gamma, &data)?;
/// fn at_zero(o: &dyn Objective) -> f64 { o.value(&vec![0.0; o.dim()]).unwrap() }
/// assert!((at_zero(&per_sample) - at_zero(&statistics)).abs() < 1e-12);
/// # Ok::<(), xent_objectives::ObjectiveError>(())
/// ```
pub trait Objective {
    /// The number of unconstrained parameters.
    fn dim(&self) -> usize;
    /// The number of observations the average is over.
    fn n(&self) -> f64;
    /// The value at `u`.
    fn value(&self, u: &[f64]) -> Result<f64, ObjectiveError>;
    /// The value and gradient at `u`, together.
    fn value_and_gradient(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError>;
    /// The gradient at `u`.
    fn gradient(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        Ok(self.value_and_gradient(u)?.1)
    }
    /// The Hessian at `u`.
    fn hessian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError>;
    /// Value, gradient and Hessian together (override where one fused
    /// evaluation is cheaper).
    fn value_gradient_hessian(&self, u: &[f64]) -> Result<(f64, Vec<f64>, DMatrix<f64>), ObjectiveError> {
        let (v, g) = self.value_and_gradient(u)?;
        Ok((v, g, self.hessian(u)?))
    }
    /// Per-observation scores `∇ᵤ(−ln q(xᵢ))`, one row per observation (for
    /// sandwich covariances); [`ObjectiveError::Unavailable`] for objectives
    /// that no longer hold the observations.
    fn scores(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError>;
}

impl<M: Model> Objective for Nll<'_, M> {
    fn dim(&self) -> usize {
        Nll::dim(self)
    }
    fn n(&self) -> f64 {
        Nll::n(self) as f64
    }
    fn value(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        Nll::value(self, u)
    }
    fn value_and_gradient(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        Nll::value_and_gradient(self, u)
    }
    fn gradient(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        Nll::gradient(self, u)
    }
    fn hessian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        Nll::hessian(self, u)
    }
    fn scores(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        Nll::scores(self, u)
    }
}

impl Objective for SufficientNll {
    fn dim(&self) -> usize {
        SufficientNll::dim(self)
    }
    fn n(&self) -> f64 {
        self.summary().n()
    }
    fn value(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        SufficientNll::value(self, u)
    }
    fn value_and_gradient(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        Ok((SufficientNll::value(self, u)?, SufficientNll::gradient(self, u)?))
    }
    fn gradient(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        SufficientNll::gradient(self, u)
    }
    fn hessian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        SufficientNll::hessian(self, u)
    }
    fn scores(&self, _u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        Err(ObjectiveError::Unavailable { what: "per-observation scores", objective: "sufficient statistics" })
    }
}

impl<M: EtaModel> Objective for ConditionalNll<'_, M> {
    fn dim(&self) -> usize {
        ConditionalNll::dim(self)
    }
    fn n(&self) -> f64 {
        self.design_rows() as f64
    }
    fn value(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        ConditionalNll::value(self, u)
    }
    fn value_and_gradient(&self, u: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        ConditionalNll::value_and_gradient(self, u)
    }
    fn gradient(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        ConditionalNll::gradient(self, u)
    }
    fn hessian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        ConditionalNll::hessian(self, u)
    }
    fn value_gradient_hessian(&self, u: &[f64]) -> Result<(f64, Vec<f64>, DMatrix<f64>), ObjectiveError> {
        ConditionalNll::value_gradient_hessian(self, u)
    }
    fn scores(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        ConditionalNll::scores(self, u)
    }
}
