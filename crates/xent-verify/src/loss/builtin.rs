//! The PyTorch-semantics losses of [`xent_objectives::losses`] as
//! [`PerSampleLoss`]es, each with its options: the loss of a batch of one
//! sample, computed by the library function itself, so the check is of the
//! code users call.

use nalgebra::{DMatrix, DVector};
use xent_distributions::Support;
use xent_distributions::special::ln_factorial;
use xent_objectives::losses::{
    ClassOptions, Loss, Reduction, Target, binary_cross_entropy_with_logits, cross_entropy, gaussian_nll, kl_div,
    poisson_nll,
};

use super::{Base, OutputSpace, PerSampleLoss};

/// A built-in loss with its options.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum BuiltinLoss {
    /// `F.gaussian_nll_loss(input, target, var, full, eps)`: output `(μ, var)`.
    GaussianNll {
        /// Add `½ ln 2π`.
        full: bool,
        /// The variance floor.
        eps: f64,
        /// The reduction.
        reduction: Reduction,
    },
    /// `F.poisson_nll_loss(input, target, log_input, full, eps)`: output the
    /// log-rate (or the rate), target a count.
    PoissonNll {
        /// The output is the log-rate.
        log_input: bool,
        /// Add Stirling's approximation of `ln y!` (for `y > 1`).
        full: bool,
        /// The offset of `ln(rate + eps)` when not `log_input`.
        eps: f64,
        /// The reduction.
        reduction: Reduction,
    },
    /// `F.binary_cross_entropy_with_logits(input, target, pos_weight)`:
    /// output a logit, target 0 or 1.
    BceWithLogits {
        /// The weight of positive targets (`None`: 1).
        pos_weight: Option<f64>,
        /// The reduction.
        reduction: Reduction,
    },
    /// `F.cross_entropy(logits, class, label_smoothing)`: output `C` logits,
    /// target a class index.
    CrossEntropy {
        /// `C`.
        classes: usize,
        /// `ε`.
        label_smoothing: f64,
        /// The reduction.
        reduction: Reduction,
    },
    /// `F.kl_div(log_probs, one_hot(y))`: output a log-probability vector,
    /// target a class index (its one-hot distribution).
    KlDiv {
        /// `C`.
        classes: usize,
        /// The reduction.
        reduction: Reduction,
    },
}

impl BuiltinLoss {
    /// `gaussian_nll` with PyTorch's `eps = 1e-6` and mean reduction.
    pub fn gaussian_nll(full: bool) -> Self {
        BuiltinLoss::GaussianNll { full, eps: 1e-6, reduction: Reduction::Mean }
    }
    /// `poisson_nll` with PyTorch's `eps = 1e-8` and mean reduction.
    pub fn poisson_nll(log_input: bool, full: bool) -> Self {
        BuiltinLoss::PoissonNll { log_input, full, eps: 1e-8, reduction: Reduction::Mean }
    }
    /// `binary_cross_entropy_with_logits` with mean reduction.
    pub fn bce_with_logits(pos_weight: Option<f64>) -> Self {
        BuiltinLoss::BceWithLogits { pos_weight, reduction: Reduction::Mean }
    }
    /// `cross_entropy` over `classes` classes with mean reduction.
    pub fn cross_entropy(classes: usize, label_smoothing: f64) -> Self {
        BuiltinLoss::CrossEntropy { classes, label_smoothing, reduction: Reduction::Mean }
    }
    /// `kl_div` over `classes` classes.
    pub fn kl_div(classes: usize, reduction: Reduction) -> Self {
        BuiltinLoss::KlDiv { classes, reduction }
    }

    /// Every built-in loss with each of its options, as the derivation
    /// document tabulates them.
    pub fn catalogue() -> Vec<BuiltinLoss> {
        let mut v = vec![
            Self::gaussian_nll(false),
            Self::gaussian_nll(true),
            Self::poisson_nll(true, false),
            Self::poisson_nll(false, false),
            Self::poisson_nll(true, true),
            Self::bce_with_logits(None),
            Self::bce_with_logits(Some(2.0)),
            Self::cross_entropy(4, 0.0),
            Self::cross_entropy(4, 0.1),
        ];
        v.extend(
            [Reduction::None, Reduction::Sum, Reduction::Mean, Reduction::BatchMean]
                .into_iter()
                .map(|r| Self::kl_div(4, r)),
        );
        v
    }

    /// What the loss drops relative to the exact NLL, as PyTorch documents
    /// it (the checker's numbers are the evidence).
    pub fn documented_drop(&self) -> &'static str {
        match self {
            BuiltinLoss::GaussianNll { full: false, .. } => "½ ln 2π per element",
            BuiltinLoss::GaussianNll { full: true, .. } => "nothing",
            BuiltinLoss::PoissonNll { full: false, .. } => "ln y! per element",
            BuiltinLoss::PoissonNll { full: true, .. } => "ln y! − Stirling(y) (0 for y ≤ 1)",
            BuiltinLoss::BceWithLogits { pos_weight: None, .. } => "nothing",
            BuiltinLoss::BceWithLogits { pos_weight: Some(p), .. } if *p == 1.0 => "nothing",
            BuiltinLoss::BceWithLogits { .. } => "not an NLL: positives weighted",
            BuiltinLoss::CrossEntropy { label_smoothing, .. } if *label_smoothing == 0.0 => "nothing",
            BuiltinLoss::CrossEntropy { .. } => "not the NLL of the data: smoothed targets",
            BuiltinLoss::KlDiv { reduction: Reduction::Mean, .. } => "the target's entropy; divided by C",
            BuiltinLoss::KlDiv { .. } => "the target's entropy (0 for one-hot targets)",
        }
    }
}

fn reduction_name(r: Reduction) -> &'static str {
    match r {
        Reduction::None => "none",
        Reduction::Sum => "sum",
        Reduction::Mean => "mean",
        Reduction::BatchMean => "batchmean",
        _ => "other",
    }
}

/// The per-sample value: the scalar, or the sum of the elements for
/// `Reduction::None`; an error is NaN (which the checker rejects).
fn value(r: Result<Loss, xent_objectives::ObjectiveError>) -> f64 {
    match r {
        Ok(Loss::Scalar(v)) => v,
        Ok(Loss::Elementwise(v)) => v.sum(),
        Err(_) => f64::NAN,
    }
}

const REAL: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);
const POSITIVE: (f64, f64) = (0.0, f64::INFINITY);

impl PerSampleLoss for BuiltinLoss {
    fn name(&self) -> String {
        match self {
            BuiltinLoss::GaussianNll { full, reduction, .. } => {
                format!("gaussian_nll(full={full}, reduction={})", reduction_name(*reduction))
            }
            BuiltinLoss::PoissonNll { log_input, full, reduction, .. } => {
                format!("poisson_nll(log_input={log_input}, full={full}, reduction={})", reduction_name(*reduction))
            }
            BuiltinLoss::BceWithLogits { pos_weight, reduction } => format!(
                "binary_cross_entropy_with_logits(pos_weight={}, reduction={})",
                pos_weight.map_or("none".to_string(), |p| p.to_string()),
                reduction_name(*reduction)
            ),
            BuiltinLoss::CrossEntropy { classes, label_smoothing, reduction } => format!(
                "cross_entropy(classes={classes}, label_smoothing={label_smoothing}, reduction={})",
                reduction_name(*reduction)
            ),
            BuiltinLoss::KlDiv { classes, reduction } => {
                format!("kl_div(classes={classes}, reduction={})", reduction_name(*reduction))
            }
        }
    }

    fn output_space(&self) -> OutputSpace {
        match self {
            BuiltinLoss::GaussianNll { .. } => OutputSpace::Box(vec![REAL, POSITIVE]),
            BuiltinLoss::PoissonNll { log_input: true, .. } | BuiltinLoss::BceWithLogits { .. } => {
                OutputSpace::Box(vec![REAL])
            }
            BuiltinLoss::PoissonNll { log_input: false, .. } => OutputSpace::Box(vec![POSITIVE]),
            BuiltinLoss::CrossEntropy { classes, .. } => OutputSpace::Box(vec![REAL; *classes]),
            BuiltinLoss::KlDiv { classes, .. } => OutputSpace::LogSimplex(*classes),
        }
    }

    fn target_space(&self) -> Support {
        match self {
            BuiltinLoss::GaussianNll { .. } => Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY },
            BuiltinLoss::PoissonNll { .. } => Support::Discrete { low: 0.0, high: f64::INFINITY },
            BuiltinLoss::BceWithLogits { .. } => Support::Discrete { low: 0.0, high: 1.0 },
            BuiltinLoss::CrossEntropy { classes, .. } | BuiltinLoss::KlDiv { classes, .. } => {
                Support::Discrete { low: 0.0, high: *classes as f64 - 1.0 }
            }
        }
    }

    fn loss(&self, o: &[f64], y: f64) -> f64 {
        let one = |v: f64| DVector::from_element(1, v);
        match *self {
            BuiltinLoss::GaussianNll { full, eps, reduction } => {
                value(gaussian_nll(&one(o[0]), &one(y), &one(o[1]), full, eps, reduction))
            }
            BuiltinLoss::PoissonNll { log_input, full, eps, reduction } => {
                value(poisson_nll(&one(o[0]), &one(y), log_input, full, eps, reduction))
            }
            BuiltinLoss::BceWithLogits { pos_weight, reduction } => {
                value(binary_cross_entropy_with_logits(&one(o[0]), &one(y), None, pos_weight, reduction))
            }
            BuiltinLoss::CrossEntropy { classes, label_smoothing, reduction } => {
                let logits = DMatrix::from_row_slice(1, classes, o);
                let opts = ClassOptions { label_smoothing, reduction, ..ClassOptions::default() };
                value(cross_entropy(&logits, Target::Indices(&[y as i64]), &opts))
            }
            BuiltinLoss::KlDiv { classes, reduction } => {
                let input = DMatrix::from_row_slice(1, classes, o);
                let target = DMatrix::from_fn(1, classes, |_, j| if j as f64 == y { 1.0 } else { 0.0 });
                value(kl_div(&input, &target, false, reduction))
            }
        }
    }

    fn base(&self) -> Base {
        match self {
            BuiltinLoss::GaussianNll { .. } => Base::Zero,
            // `full` claims to drop nothing; without it, −ln y! is dropped.
            BuiltinLoss::PoissonNll { full: true, .. } => Base::Zero,
            BuiltinLoss::PoissonNll { full: false, .. } => Base::Declared("−ln y!".into()),
            _ => Base::Solve,
        }
    }

    fn base_term(&self, y: f64) -> f64 {
        match self {
            BuiltinLoss::PoissonNll { full: false, .. } => -ln_factorial(y),
            _ => 0.0,
        }
    }

    fn target_hints(&self, o: &[f64]) -> Vec<f64> {
        match self {
            BuiltinLoss::GaussianNll { .. } => vec![o[0]],
            BuiltinLoss::PoissonNll { log_input: true, .. } => vec![o[0].exp().floor()],
            BuiltinLoss::PoissonNll { log_input: false, .. } => vec![o[0].floor()],
            _ => Vec::new(),
        }
    }
}
