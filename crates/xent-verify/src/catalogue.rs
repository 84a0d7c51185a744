//! The step catalogue: every step of the derivation (1)–(9) as a value,
//! with its id, name, relation, justification and expression (Unicode for
//! the terminal, LaTeX for the document). The checks, the reports, the
//! docs and the tests all take their words from here
//! (`shared/design/derivation-steps.md` is the source).

use std::fmt;

use crate::step::Relation;

/// A step of the derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum StepId {
    /// `(1)`: the likelihood.
    Likelihood,
    /// `(1)->(2a)`: take the logarithm.
    TakeLog,
    /// `(2a)->(2)`: the log of a product.
    LogOfProduct,
    /// `(2)->(2b)`: negate and average.
    NegateAndAverage,
    /// `(2b)->(3)`: the law of large numbers.
    LawOfLargeNumbers,
    /// `(3)'`: cross-entropy is entropy plus KL divergence.
    EntropyPlusKl,
    /// `(4)`: the conditional likelihood.
    ConditionalLikelihood,
    /// `(4)->(5)`: take the logarithm.
    ConditionalLog,
    /// `(5)->(6)`: negate and average: the cross-entropy loss.
    CrossEntropyLoss,
    /// `(6)->(7)`: add the θ-free term −log p(x).
    AddInputTerm,
    /// `(7)->(8)`: the joint model.
    JointModel,
    /// `(8)->(9)`: the law of large numbers.
    ConditionalLimit,
    /// `(6)''`: the conditional cross-entropy.
    ConditionalCrossEntropy,
}

impl StepId {
    /// Every step, in the derivation's order.
    pub const ALL: [StepId; 13] = [
        StepId::Likelihood,
        StepId::TakeLog,
        StepId::LogOfProduct,
        StepId::NegateAndAverage,
        StepId::LawOfLargeNumbers,
        StepId::EntropyPlusKl,
        StepId::ConditionalLikelihood,
        StepId::ConditionalLog,
        StepId::CrossEntropyLoss,
        StepId::AddInputTerm,
        StepId::JointModel,
        StepId::ConditionalLimit,
        StepId::ConditionalCrossEntropy,
    ];

    /// The id of the catalogue and the reports (`(1)->(2a)`, …).
    pub fn id(self) -> &'static str {
        match self {
            StepId::Likelihood => "(1)",
            StepId::TakeLog => "(1)->(2a)",
            StepId::LogOfProduct => "(2a)->(2)",
            StepId::NegateAndAverage => "(2)->(2b)",
            StepId::LawOfLargeNumbers => "(2b)->(3)",
            StepId::EntropyPlusKl => "(3)'",
            StepId::ConditionalLikelihood => "(4)",
            StepId::ConditionalLog => "(4)->(5)",
            StepId::CrossEntropyLoss => "(5)->(6)",
            StepId::AddInputTerm => "(6)->(7)",
            StepId::JointModel => "(7)->(8)",
            StepId::ConditionalLimit => "(8)->(9)",
            StepId::ConditionalCrossEntropy => "(6)''",
        }
    }

    /// The step with this id.
    pub fn from_id(id: &str) -> Option<StepId> {
        StepId::ALL.into_iter().find(|s| s.id() == id)
    }

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            StepId::Likelihood => "the likelihood",
            StepId::TakeLog => "take the logarithm",
            StepId::LogOfProduct => "the log of a product",
            StepId::NegateAndAverage => "negate and average",
            StepId::LawOfLargeNumbers => "the law of large numbers",
            StepId::EntropyPlusKl => "cross-entropy is entropy plus KL divergence",
            StepId::ConditionalLikelihood => "the conditional likelihood",
            StepId::ConditionalLog => "take the logarithm",
            StepId::CrossEntropyLoss => "negate and average: the cross-entropy loss",
            StepId::AddInputTerm => "add the θ-free term −log p(x)",
            StepId::JointModel => "the joint model",
            StepId::ConditionalLimit => "the law of large numbers",
            StepId::ConditionalCrossEntropy => "the conditional cross-entropy",
        }
    }

    /// How the step's right side relates to its left.
    pub fn relation(self) -> Relation {
        match self {
            StepId::Likelihood => Relation::Definition,
            StepId::TakeLog => Relation::SameArgmax,
            StepId::LogOfProduct => Relation::Equal,
            StepId::NegateAndAverage => Relation::ArgmaxToArgmin,
            StepId::LawOfLargeNumbers => Relation::Limit,
            StepId::EntropyPlusKl => Relation::Equal,
            StepId::ConditionalLikelihood => Relation::Definition,
            StepId::ConditionalLog => Relation::SameArgmax,
            StepId::CrossEntropyLoss => Relation::ArgmaxToArgmin,
            StepId::AddInputTerm => Relation::SameArgminUpToConstant,
            StepId::JointModel => Relation::Equal,
            StepId::ConditionalLimit => Relation::Limit,
            StepId::ConditionalCrossEntropy => Relation::Equal,
        }
    }

    /// Why the step holds.
    pub fn justification(self) -> &'static str {
        match self {
            StepId::Likelihood => "definition of the likelihood L(θ)",
            StepId::TakeLog => "log is strictly increasing on (0, inf)",
            StepId::LogOfProduct => "the log of a product is the sum of the logs",
            StepId::NegateAndAverage => "negation turns argmax into argmin; scaling by 1/n > 0 keeps it",
            StepId::LawOfLargeNumbers => {
                "law of large numbers (H(p, q) finite); consistency of the minimiser (identifiability)"
            }
            StepId::EntropyPlusKl => "Gibbs' inequality",
            StepId::ConditionalLikelihood => "definition of the conditional likelihood",
            StepId::ConditionalLog => "log strictly increasing; log of a product is the sum of logs",
            StepId::CrossEntropyLoss => "negate and scale by 1/n > 0; (6) is the usual cross-entropy loss",
            StepId::AddInputTerm => "the added term -log p(x_i) does not depend on theta",
            StepId::JointModel => "a definition that leaves the conditional model untouched: q(y, x) = q(y | x) p(x)",
            StepId::ConditionalLimit => "law of large numbers",
            StepId::ConditionalCrossEntropy => "tower rule",
        }
    }

    /// The expression the step arrives at, in Unicode.
    pub fn expression(self) -> &'static str {
        match self {
            StepId::Likelihood => "θ̂ = argmax_θ L(θ) = argmax_θ ∏ᵢ q_θ(xᵢ)",
            StepId::TakeLog => "θ̂ = argmax_θ log ∏ᵢ q_θ(xᵢ)",
            StepId::LogOfProduct => "log ∏ᵢ q_θ(xᵢ) = Σᵢ log q_θ(xᵢ)",
            StepId::NegateAndAverage => "θ̂ = argmin_θ −(1/n) Σᵢ log q_θ(xᵢ)",
            StepId::LawOfLargeNumbers => {
                "−(1/n) Σᵢ log q_θ(xᵢ) → E_p[−log q_θ(x)] = H(p, q_θ);  θ̂ₙ → θ* = argmin_θ H(p, q_θ)"
            }
            StepId::EntropyPlusKl => "H(p, q_θ) = H(p) + KL(p ‖ q_θ)",
            StepId::ConditionalLikelihood => "θ̂ = argmax_θ ∏ᵢ q_θ(yᵢ | xᵢ)",
            StepId::ConditionalLog => "θ̂ = argmax_θ Σᵢ log q_θ(yᵢ | xᵢ)",
            StepId::CrossEntropyLoss => "θ̂ = argmin_θ −(1/n) Σᵢ log q_θ(yᵢ | xᵢ)",
            StepId::AddInputTerm => "θ̂ = argmin_θ −(1/n) Σᵢ [log q_θ(yᵢ | xᵢ) + log p(xᵢ)]",
            StepId::JointModel => "θ̂ = argmin_θ −(1/n) Σᵢ log q_θ(yᵢ, xᵢ),  q_θ(y, x) := q_θ(y | x) p(x)",
            StepId::ConditionalLimit => "−(1/n) Σᵢ log q_θ(yᵢ, xᵢ) → E_p(x,y)[−log q_θ(y, x)]",
            StepId::ConditionalCrossEntropy => "E_p(x,y)[−log q_θ(y | x)] = E_p(x)[H(p(·|x), q_θ(·|x))]",
        }
    }

    /// The expression the step arrives at, in LaTeX (for the document).
    pub fn latex(self) -> &'static str {
        match self {
            StepId::Likelihood => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmax}} L(\theta) = \underset{\theta}{\operatorname{argmax}} \prod_{i=1}^{n} q_{\theta}(x_i)"
            }
            StepId::TakeLog => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmax}} \log \prod_{i=1}^{n} q_{\theta}(x_i)"
            }
            StepId::LogOfProduct => r"\log \prod_{i=1}^{n} q_{\theta}(x_i) = \sum_{i=1}^{n} \log q_{\theta}(x_i)",
            StepId::NegateAndAverage => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmin}} - \frac{1}{n} \sum_{i=1}^{n} \log q_{\theta}(x_i)"
            }
            StepId::LawOfLargeNumbers => {
                r"- \frac{1}{n} \sum_{i=1}^{n} \log q_{\theta}(x_i) \to \mathbb{E}_{x \sim p} \left[ - \log q_{\theta}(x) \right] = H(p, q_{\theta}), \quad \hat{\theta}_n \to \theta^{*} = \underset{\theta}{\operatorname{argmin}} H(p, q_{\theta})"
            }
            StepId::EntropyPlusKl => r"H(p, q_{\theta}) = H(p) + \mathrm{KL}(p \| q_{\theta})",
            StepId::ConditionalLikelihood => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmax}} \prod_{i=1}^{n} q_{\theta}(y_i \mid x_i)"
            }
            StepId::ConditionalLog => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmax}} \sum_{i=1}^{n} \log q_{\theta}(y_i \mid x_i)"
            }
            StepId::CrossEntropyLoss => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmin}} - \frac{1}{n} \sum_{i=1}^{n} \log q_{\theta}(y_i \mid x_i)"
            }
            StepId::AddInputTerm => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmin}} - \frac{1}{n} \sum_{i=1}^{n} \left[ \log q_{\theta}(y_i \mid x_i) + \log p(x_i) \right]"
            }
            StepId::JointModel => {
                r"\hat{\theta} = \underset{\theta}{\operatorname{argmin}} - \frac{1}{n} \sum_{i=1}^{n} \log q_{\theta}(y_i, x_i), \quad q_{\theta}(y, x) := q_{\theta}(y \mid x) p(x)"
            }
            StepId::ConditionalLimit => {
                r"- \frac{1}{n} \sum_{i=1}^{n} \log q_{\theta}(y_i, x_i) \to \mathbb{E}_{p(x, y)} \left[ - \log q_{\theta}(y, x) \right]"
            }
            StepId::ConditionalCrossEntropy => {
                r"\mathbb{E}_{p(x, y)} \left[ - \log q_{\theta}(y \mid x) \right] = \mathbb{E}_{p(x)} \left[ H(p(\cdot \mid x), q_{\theta}(\cdot \mid x)) \right]"
            }
        }
    }

    /// Whether the step belongs to Part B (conditional models).
    pub fn part_b(self) -> bool {
        matches!(
            self,
            StepId::ConditionalLikelihood
                | StepId::ConditionalLog
                | StepId::CrossEntropyLoss
                | StepId::AddInputTerm
                | StepId::JointModel
                | StepId::ConditionalLimit
                | StepId::ConditionalCrossEntropy
        )
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.id())
    }
}

impl PartialEq<&str> for StepId {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for s in StepId::ALL {
            assert_eq!(StepId::from_id(s.id()), Some(s));
        }
        let mut ids: Vec<&str> = StepId::ALL.iter().map(|s| s.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), StepId::ALL.len());
        assert_eq!(StepId::from_id("(2)->(3)"), None);
    }

    /// The catalogue as users read it (text report, JSON, document):
    /// every step's id, name, relation, part, justification and both
    /// forms of its expression, pinned.
    #[test]
    fn the_catalogue_reads_as_written() {
        let mut t = String::new();
        for s in StepId::ALL {
            t += &format!(
                "{s} | {} | {:?} | part {} | {}\n  {}\n  {}\n",
                s.name(),
                s.relation(),
                if s.part_b() { "B" } else { "A" },
                s.justification(),
                s.expression(),
                s.latex()
            );
        }
        insta::assert_snapshot!(t);
    }
}
