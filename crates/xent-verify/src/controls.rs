//! Controls: deliberately wrong steps the harness must reject, and valid
//! variants that look wrong and must be accepted (catalogue, "Negative
//! controls"). Each runs the very check of the step it targets with one side
//! replaced.

//!
//! The controls live beside the steps they attack —
//! [`part_a_controls`] in `chain.rs`, [`asymptotic_controls`] in
//! `asymptotic.rs`, [`part_b_controls`] in `conditional_chain.rs`; this
//! module holds what they share.

pub use crate::asymptotic::asymptotic_controls;
use crate::catalogue::StepId;
pub use crate::chain::part_a_controls;
pub use crate::conditional_chain::part_b_controls;
use crate::step::{Status, StepReport};

/// Whether a control is a wrong step or a valid variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A wrong step: must be rejected.
    Negative,
    /// A valid variant: must be accepted.
    Positive,
}

/// A control's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlOutcome {
    /// What was changed.
    pub name: &'static str,
    /// Negative or positive.
    pub kind: Kind,
    /// The step it targets.
    pub step: StepId,
    /// The model it ran on.
    pub model: String,
    /// Whether the step's checks accepted the variant.
    pub accepted: bool,
    /// The step report with the variant in place.
    pub report: StepReport,
}

impl ControlOutcome {
    /// A control's outcome from the step report with the variant in place.
    pub fn from_report(name: &'static str, kind: Kind, report: StepReport) -> Self {
        Self::new(name, kind, report)
    }

    pub(crate) fn new(name: &'static str, kind: Kind, report: StepReport) -> Self {
        ControlOutcome {
            name,
            kind,
            step: report.id,
            model: report.model.clone(),
            accepted: report.status == Status::Pass,
            report,
        }
    }
    /// Negative controls must be rejected, positive ones accepted.
    pub fn behaved(&self) -> bool {
        match self.kind {
            Kind::Negative => !self.accepted,
            Kind::Positive => self.accepted,
        }
    }
    /// `"rejected"` or `"accepted"`.
    pub fn outcome(&self) -> &'static str {
        if self.accepted { "accepted" } else { "rejected" }
    }
}
