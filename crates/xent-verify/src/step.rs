//! Steps as values: id, relation, justification, status and evidence.

use std::fmt;

use serde_json::{Map, Value};

use crate::catalogue::StepId;

/// How the right side of a step relates to the left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Relation {
    /// The left side is defined.
    Definition,
    /// Equal as functions of θ.
    Equal,
    /// Same maximiser.
    SameArgmax,
    /// The argmax of the left is the argmin of the right.
    ArgmaxToArgmin,
    /// Same argmin; the objectives differ by a θ-independent term.
    SameArgminUpToConstant,
    /// The right side is the limit of the left as `n → ∞`.
    Limit,
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Relation::Definition => "definition",
            Relation::Equal => "equal",
            Relation::SameArgmax => "same argmax",
            Relation::ArgmaxToArgmin => "argmax -> argmin",
            Relation::SameArgminUpToConstant => "same argmin up to a constant",
            Relation::Limit => "limit as n -> inf",
        })
    }
}

/// The outcome of a step's checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every check passed.
    Pass,
    /// A check failed.
    Fail,
    /// The step's preconditions do not hold (e.g. infinite cross-entropy).
    NotApplicable,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
        })
    }
}

/// One check's verdict with its key figures.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// The check's name (`pointwise_identity`, `order_preservation`, …).
    pub check: &'static str,
    /// Whether it held.
    pub passed: bool,
    /// The key figure against its bound, in words (what the reports print).
    pub key: String,
    /// Figures: deviation, bound, pairs, …
    pub figures: Map<String, Value>,
}

impl CheckOutcome {
    pub(crate) fn new(check: &'static str, passed: bool, key: String, figures: &[(&str, Value)]) -> Self {
        CheckOutcome {
            check,
            passed,
            key,
            figures: figures.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect(),
        }
    }
}

/// A step of the chain, checked on one model.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// The step (its id, relation and justification come from the catalogue).
    pub id: StepId,
    /// The model it ran on.
    pub model: String,
    /// The checks that ran.
    pub checks: Vec<CheckOutcome>,
    /// Pass when every check passed.
    pub status: Status,
}

impl StepReport {
    pub(crate) fn from_checks(id: StepId, model: &str, checks: Vec<CheckOutcome>) -> Self {
        let status = if checks.iter().all(|c| c.passed) { Status::Pass } else { Status::Fail };
        StepReport { id, model: model.to_string(), checks, status }
    }

    /// A step whose precondition does not hold: `check` names it.
    pub(crate) fn not_applicable(id: StepId, model: &str, check: CheckOutcome) -> Self {
        StepReport { id, model: model.to_string(), checks: vec![check], status: Status::NotApplicable }
    }

    /// The claimed relation.
    pub fn relation(&self) -> Relation {
        self.id.relation()
    }

    /// Why it holds.
    pub fn justification(&self) -> &'static str {
        self.id.justification()
    }

    /// The key figures of the checks, `check: figure` joined by `; `.
    pub fn key_figure(&self) -> String {
        self.checks
            .iter()
            .map(|c| format!("{}: {}{}", c.check, c.key, if c.passed { "" } else { " FAILED" }))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The step as JSON: `{"id", "model", "relation", "justification",
    /// "status", "evidence": {check: {figures…, "passed"}}}`.
    pub fn to_json(&self) -> Value {
        let evidence: Map<String, Value> = self
            .checks
            .iter()
            .map(|c| {
                let mut m = c.figures.clone();
                m.insert("passed".into(), Value::Bool(c.passed));
                (c.check.to_string(), Value::Object(m))
            })
            .collect();
        serde_json::json!({
            "id": self.id.id(),
            "model": self.model,
            "relation": self.relation().to_string(),
            "justification": self.justification(),
            "status": self.status.to_string(),
            "evidence": evidence,
        })
    }
}
