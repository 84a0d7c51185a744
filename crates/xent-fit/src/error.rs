//! Why a fit failed.

use thiserror::Error;
use xent_objectives::ObjectiveError;
use xent_optim::OptimError;

use crate::report::FitReport;

/// Why a fit failed. A fit that ran but did not converge carries its partial
/// report; every other failure names the value, observation or setting at
/// fault.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FitFailure {
    /// The data determine no finite maximum-likelihood estimate.
    #[error("no finite maximum-likelihood estimate: {reason}")]
    NoFiniteMle {
        /// Why (separation, zero variance, …).
        reason: String,
    },
    /// A value of a per-row input of a fit (an exposure, a number of
    /// trials or successes) is outside its range.
    #[error("{what} {index} = {value} is invalid: {reason}")]
    InvalidValue {
        /// Which input.
        what: &'static str,
        /// Its row.
        index: usize,
        /// Its value.
        value: f64,
        /// Why, in words.
        reason: &'static str,
    },
    /// A reference level that is not among a categorical predictor's labels.
    #[error("`{level}` is not a level of `{predictor}`; its levels are {}", .levels.join(", "))]
    UnknownLevel {
        /// The predictor.
        predictor: String,
        /// The level asked for.
        level: String,
        /// Its levels.
        levels: Vec<String>,
    },
    /// The optimiser did not converge; the partial report is attached.
    #[error("the fit did not converge ({}); the partial estimate is in the report", .report.termination_text())]
    NotConverged {
        /// The best point reached.
        report: Box<FitReport>,
    },
    /// Observations outside the family's support.
    #[error("{count} observations are outside the support of {family}; the first is x[{first_index}] = {first_value}")]
    OutOfSupport {
        /// The family.
        family: String,
        /// How many.
        count: usize,
        /// The first offender's position.
        first_index: usize,
        /// Its value.
        first_value: f64,
    },
    /// An observation inside the support whose log-density is not finite at
    /// the optimiser's start (for example 0 under a Weibull, whose
    /// likelihood is unbounded there when the shape is below 1).
    #[error("x[{index}] = {value} has a non-finite log-density under {family} at the starting point")]
    NonFiniteStart {
        /// The family.
        family: String,
        /// The observation's position.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// The design matrix does not determine the coefficients: a column is
    /// zero, constant beside the intercept, or a linear combination of the
    /// columns before it.
    #[error("the design matrix is rank deficient: {reason}")]
    DegenerateDesign {
        /// The first column at fault.
        column: String,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// The requested covariance needs something the model does not have.
    #[error("{covariance} standard errors are not available for {model}: {reason}")]
    CovarianceUnavailable {
        /// The model.
        model: String,
        /// The covariance asked for.
        covariance: crate::options::Covariance,
        /// What is missing.
        reason: &'static str,
    },
    /// Fewer observations than parameters.
    #[error("{n} observations cannot determine {parameters} parameters")]
    TooFewObservations {
        /// Observations (their total weight, for a weighted fit).
        n: f64,
        /// Parameters to estimate.
        parameters: usize,
    },
    /// An objective error (bad parameters, shapes, data values).
    #[error(transparent)]
    Objective(#[from] ObjectiveError),
    /// The optimiser could not start (its typed error).
    #[error("the optimiser could not start: {0}")]
    Optimiser(#[from] OptimError<ObjectiveError>),
    /// A closed-form estimation error of the distributions crate.
    #[error(transparent)]
    Distribution(#[from] xent_distributions::FitError),
}

impl From<xent_distributions::ParamError> for FitFailure {
    fn from(e: xent_distributions::ParamError) -> Self {
        FitFailure::Objective(ObjectiveError::Param(e))
    }
}
