//! Error types: one enum for invalid parameters, one for fitting.

use thiserror::Error;

/// A parameter was rejected by a family's constructor.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ParamError {
    /// The value is NaN or infinite.
    #[error("parameter `{name}` must be finite, got {value}")]
    NotFinite {
        /// Parameter name, as in the reference conventions.
        name: &'static str,
        /// The offending value.
        value: f64,
    },
    /// The value is finite but outside the allowed range.
    #[error("parameter `{name}` must be {expected}, got {value}")]
    OutOfRange {
        /// Parameter name.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// The allowed range, in words (e.g. "> 0").
        expected: &'static str,
    },
    /// A vector or matrix parameter has the wrong dimension.
    #[error("parameter `{name}` must have dimension {expected}, got {found}")]
    Dimension {
        /// Parameter name.
        name: &'static str,
        /// The dimension required.
        expected: usize,
        /// The dimension given.
        found: usize,
    },
    /// Parameters are individually valid but inconsistent together.
    #[error("parameter `{name}` is invalid: {reason}")]
    Invalid {
        /// Parameter name.
        name: &'static str,
        /// What is wrong, in words.
        reason: String,
    },
    /// A parameter the family does not have, or a required one missing.
    #[error("family `{family}` has no parameter `{name}`")]
    UnknownParameter {
        /// The family.
        family: &'static str,
        /// The name that did not match.
        name: String,
    },
    /// A required parameter was not given.
    #[error("family `{family}` needs parameter `{name}`")]
    MissingParameter {
        /// The family.
        family: &'static str,
        /// The missing parameter.
        name: &'static str,
    },
    /// The family name is not one this crate knows.
    #[error("unknown family `{0}`")]
    UnknownFamily(String),
}

/// Fitting (maximum-likelihood estimation or accumulating statistics) failed.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FitError {
    /// No observations (or total weight zero).
    #[error("cannot fit {family} to empty data")]
    Empty {
        /// The family being fitted.
        family: &'static str,
    },
    /// An observation is NaN or infinite.
    #[error("observation {index} is not finite: {value}")]
    NonFinite {
        /// Position of the observation in the data pass.
        index: usize,
        /// The value.
        value: f64,
    },
    /// An observation lies outside the family's support.
    #[error("observation {index} = {value} is outside the support of {family} ({support})")]
    OutOfSupport {
        /// The family being fitted.
        family: &'static str,
        /// Position of the observation in the data pass.
        index: usize,
        /// The value.
        value: f64,
        /// The support, in words.
        support: &'static str,
    },
    /// A weight is negative, NaN or infinite.
    #[error("weight {index} is invalid: {value} (weights must be finite and >= 0)")]
    InvalidWeight {
        /// Position of the weight.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The data determine no finite MLE (e.g. zero variance).
    #[error("degenerate data for {family}: {reason}")]
    Degenerate {
        /// The family being fitted.
        family: &'static str,
        /// Why, in words.
        reason: String,
    },
    /// Observations of different dimensions were mixed.
    #[error("observation {index} has dimension {found}, expected {expected}")]
    Dimension {
        /// Position of the observation.
        index: usize,
        /// Dimension expected.
        expected: usize,
        /// Dimension found.
        found: usize,
    },
    /// An observation exceeds a bound fixed by a structural setting (binomial
    /// trials, number of categorical classes).
    #[error("observation {value} exceeds {bound}, the largest value {family} allows here")]
    ExceedsBound {
        /// The family.
        family: &'static str,
        /// The largest observation.
        value: f64,
        /// The bound.
        bound: f64,
    },
    /// The number of weights differs from the number of observations.
    #[error("got {weights} weights for {observations} or more observations")]
    WeightCount {
        /// Observations seen (at least).
        observations: usize,
        /// Weights given.
        weights: usize,
    },
    /// The family has no closed-form MLE; use a numerical fit.
    #[error("{family} has no closed-form maximum-likelihood estimate")]
    NoClosedForm {
        /// The family.
        family: &'static str,
    },
    /// The estimate produced invalid parameters.
    #[error("fitted parameters are invalid: {0}")]
    Param(#[from] ParamError),
}

/// A divergence between two distributions could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DivergenceError {
    /// The two distributions belong to different families.
    #[error("cannot compare {p} with {q}: different families")]
    FamilyMismatch {
        /// Family of `p`.
        p: &'static str,
        /// Family of `q`.
        q: &'static str,
    },
    /// A structural parameter that must agree does not (e.g. binomial trials).
    #[error("{family}: `{name}` must be equal, got {p} and {q}")]
    Incompatible {
        /// The family.
        family: &'static str,
        /// The parameter that must agree.
        name: &'static str,
        /// Its value in `p`.
        p: f64,
        /// Its value in `q`.
        q: f64,
    },
    /// No closed form is implemented for this family.
    #[error("{family} has no closed-form cross-entropy")]
    NoClosedForm {
        /// The family.
        family: &'static str,
    },
}

/// Checks that `value` is finite and satisfies `ok`, naming the parameter otherwise.
pub(crate) fn check(
    name: &'static str,
    value: f64,
    expected: &'static str,
    ok: impl Fn(f64) -> bool,
) -> Result<(), ParamError> {
    if !value.is_finite() {
        Err(ParamError::NotFinite { name, value })
    } else if !ok(value) {
        Err(ParamError::OutOfRange { name, value, expected })
    } else {
        Ok(())
    }
}

/// `value > 0` and finite.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<(), ParamError> {
    check(name, value, "> 0", |v| v > 0.0)
}

/// Finite.
pub(crate) fn finite(name: &'static str, value: f64) -> Result<(), ParamError> {
    check(name, value, "finite", |_| true)
}
