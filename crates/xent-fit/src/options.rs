//! Options of a fit.

use std::fmt;

use xent_optim::Options;

/// Which information matrix the standard errors come from.
///
/// - `Observed` (the default): the Hessian of the negative log-likelihood
///   at the estimate, as R's `fitdistr` and statsmodels report. Where it is
///   not positive definite (the Laplace location, whose log-density is
///   piecewise linear, has observed information 0 almost surely) and the
///   model knows its expected information, that is used instead and the
///   report says so in [`FitReport::information`](crate::FitReport::information).
/// - `Expected`: `n I(θ̂)` from the model's closed-form Fisher information
///   ([`Model::expected_information`](xent_objectives::Model::expected_information)),
///   or for a GLM with canonical link the observed information, which equals
///   it; a model without one is [`FitFailure::CovarianceUnavailable`](crate::FitFailure::CovarianceUnavailable).
/// - `Sandwich`: the robust `H⁻¹ (SᵀS) H⁻¹` from per-observation scores,
///   valid when the model is misspecified (statsmodels' `cov_type="HC0"`).
/// - `None`: no standard errors (NaN), and no Hessian at the estimate — for
///   large models the Hessian costs more than the optimisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Covariance {
    /// No covariance.
    None,
    /// The observed information.
    #[default]
    Observed,
    /// The expected (Fisher) information.
    Expected,
    /// The sandwich (robust) covariance.
    Sandwich,
}

impl fmt::Display for Covariance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Covariance::None => "none",
            Covariance::Observed => "observed information",
            Covariance::Expected => "expected information",
            Covariance::Sandwich => "sandwich",
        })
    }
}

/// Options of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Known parameters `(name, value)`, held fixed.
    pub fixed: Vec<(String, f64)>,
    /// Which covariance the standard errors come from.
    pub covariance: Covariance,
    /// Optimiser limits (gradient tolerance on the average NLL).
    pub optim: Options,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            fixed: Vec::new(),
            covariance: Covariance::Observed,
            optim: Options { gradient_tol: 1e-10, max_iterations: 500, ..Options::default() },
        }
    }
}

impl FitOptions {
    /// These options with covariance `c`.
    pub fn with_covariance(mut self, c: Covariance) -> Self {
        self.covariance = c;
        self
    }
    /// These options with parameter `name` held at `value`.
    pub fn with_fixed(mut self, name: &str, value: f64) -> Self {
        self.fixed.push((name.to_string(), value));
        self
    }
}
