//! Controls: deliberately wrong steps the harness must reject, and valid
//! variants that look wrong and must be accepted (catalogue, "Negative
//! controls"). Each runs the very check of the step it targets with one side
//! replaced.

use xent_objectives::Model;

use crate::chain::{Instance, step_1_2a, step_2_2b};
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
    pub step: &'static str,
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

    fn new(name: &'static str, kind: Kind, report: StepReport) -> Self {
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

/// The controls of Part A's exact steps on one instance. `gaussian_sigma`
/// names the index of σ (unconstrained `ln σ`) when the model is a normal
/// with σ a parameter, to run "dropping log σ".
pub fn part_a_controls<M: Model>(inst: &Instance<'_, M>, gaussian_sigma: Option<usize>) -> Vec<ControlOutcome> {
    use Kind::{Negative, Positive};
    let n = inst.n() as f64;
    let c = inst.log_of_product(&inst.u_hat);
    let mut out = vec![
        ControlOutcome::new("sin in place of log", Negative, step_1_2a(inst, &|l| l.ln().sin())),
        ControlOutcome::new("(x - c)^2 in place of log", Negative, step_1_2a(inst, &|l| (l.ln() - c).powi(2))),
        ControlOutcome::new("log2 in place of ln", Positive, step_1_2a(inst, &|l| l.ln() / std::f64::consts::LN_2)),
        ControlOutcome::new(
            "negation dropped, argmin still taken",
            Negative,
            step_2_2b(inst, &|u| inst.sum_of_logs(u) / n),
        ),
        ControlOutcome::new(
            "negative scale -3 in place of 1/n",
            Negative,
            step_2_2b(inst, &|u| -3.0 * inst.average_nll(u)),
        ),
        ControlOutcome::new(
            "theta-dependent scale (1 + u0^2)/n",
            Negative,
            step_2_2b(inst, &|u| inst.average_nll(u) * (1.0 + u[0] * u[0])),
        ),
        ControlOutcome::new(
            "penalty lambda*|theta|^2 as a constant",
            Negative,
            step_2_2b(inst, &|u| inst.average_nll(u) + 0.5 * u.iter().map(|v| v * v).sum::<f64>()),
        ),
        ControlOutcome::new("flat objective", Negative, step_2_2b(inst, &|_| 1.0)),
        ControlOutcome::new(
            "1/(n-1) in place of 1/n",
            Positive,
            step_2_2b(inst, &|u| -inst.sum_of_logs(u) / (n - 1.0)),
        ),
        ControlOutcome::new("constant 42 added", Positive, step_2_2b(inst, &|u| inst.average_nll(u) + 42.0)),
    ];
    if let Some(s) = gaussian_sigma {
        // The normal's average NLL is ½ ln 2π + ln σ + (…)/(2σ²): drop ln σ.
        out.push(ControlOutcome::new(
            "log sigma dropped from the Gaussian NLL",
            Negative,
            step_2_2b(inst, &|u| inst.average_nll(u) - u[s]),
        ));
    }
    out
}
