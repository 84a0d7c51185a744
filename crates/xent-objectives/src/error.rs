//! Errors of objectives and losses.

use thiserror::Error;
use xent_distributions::ParamError;

/// An objective or loss could not be evaluated.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ObjectiveError {
    /// The data set is empty.
    #[error("no observations")]
    EmptyData,
    /// A mean over nothing: an empty batch, every target ignored, or a
    /// total weight of 0 (PyTorch returns NaN).
    #[error("the mean of the loss is undefined: {reason}")]
    EmptyMean {
        /// Which of the three.
        reason: &'static str,
    },
    /// A vector or matrix has the wrong length or shape.
    #[error("{what} has dimension {found}, expected {expected}")]
    Dimension {
        /// What was mis-sized.
        what: &'static str,
        /// The size required.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// Computing this would allocate more than the memory budget.
    #[error("the {what} would need {} MiB, above the budget of {} MiB", .bytes / (1 << 20), .budget / (1 << 20))]
    TooLarge {
        /// What was asked for.
        what: &'static str,
        /// The estimated allocation in bytes.
        bytes: usize,
        /// The budget in bytes.
        budget: usize,
    },
    /// The objective cannot compute this.
    #[error("{what} are not available from {objective}")]
    Unavailable {
        /// What was asked for.
        what: &'static str,
        /// The objective that cannot give it.
        objective: &'static str,
    },
    /// The data failed the family's checks (empty, non-finite, outside the support).
    #[error("invalid data: {0}")]
    Data(String),
    /// The model has no finite sufficient statistics (no fast path).
    #[error("{model} has no finite sufficient statistics")]
    NoSufficientStatistics {
        /// The model.
        model: String,
    },
    /// A coordinate of the unconstrained vector is NaN or infinite.
    #[error("unconstrained parameter {index} is not finite: {value}")]
    NonFiniteParameter {
        /// Its position.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A natural parameter lies outside the domain of its transform.
    #[error("parameter {index} = {value} is outside the domain of its transform ({domain})")]
    OutsideDomain {
        /// Its position in the natural parameter vector.
        index: usize,
        /// Its value.
        value: f64,
        /// The domain, in words.
        domain: &'static str,
    },
    /// The model rejected the parameters.
    #[error("invalid parameters: {0}")]
    Param(#[from] ParamError),
    /// An input value is NaN or infinite.
    #[error("{what} {index} is not finite: {value}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Its position (row-major for matrices).
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A class label is outside `0..classes` (and is not the ignore index).
    #[error("label {index} = {label} is outside 0..{classes}")]
    LabelOutOfRange {
        /// Its position.
        index: usize,
        /// The label.
        label: i64,
        /// The number of classes.
        classes: usize,
    },
    /// An option value is invalid (e.g. label smoothing outside `[0, 1]`).
    #[error("option `{name}` = {value} is invalid: {reason}")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// Its value.
        value: f64,
        /// Why, in words.
        reason: &'static str,
    },
    /// A frequency weight is negative or not finite, or the weights add up
    /// to zero.
    #[error("weight {index} = {value} is invalid: {reason}")]
    InvalidWeight {
        /// Its position (the number of weights when their sum is the problem).
        index: usize,
        /// Its value (their sum when that is the problem).
        value: f64,
        /// Why, in words.
        reason: &'static str,
    },
    /// A target value is outside what the loss accepts.
    #[error("target {index} = {value} is invalid: {reason}")]
    InvalidTarget {
        /// Its position.
        index: usize,
        /// Its value.
        value: f64,
        /// Why, in words.
        reason: &'static str,
    },
}

impl ObjectiveError {
    /// Shifts the index of an [`ObjectiveError::OutsideDomain`] by `offset`.
    pub(crate) fn shifted(self, offset: usize) -> Self {
        match self {
            ObjectiveError::OutsideDomain { index, value, domain } => {
                ObjectiveError::OutsideDomain { index: index + offset, value, domain }
            }
            other => other,
        }
    }
}
