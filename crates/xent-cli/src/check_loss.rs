//! `xent check-loss NAME [OPTIONS]`: is a built-in loss, with these
//! options, the negative log-likelihood of a proper model up to a scale, a
//! base term and a constant? The verdict and its evidence.

use clap::ValueEnum;
use xent_objectives::losses::Reduction;
use xent_verify::loss::builtin::BuiltinLoss;
use xent_verify::loss::{LossCheck, check, render};

use crate::error::CliError;

/// The built-in losses (PyTorch's `torch.nn.functional` semantics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LossName {
    /// `gaussian_nll_loss`: output (mean, variance), real target.
    #[value(name = "gaussian_nll")]
    GaussianNll,
    /// `poisson_nll_loss`: output the log-rate (or rate), count target.
    #[value(name = "poisson_nll")]
    PoissonNll,
    /// `binary_cross_entropy_with_logits`: output a logit, target 0 or 1.
    #[value(name = "binary_cross_entropy_with_logits", alias = "bce_with_logits")]
    BceWithLogits,
    /// `cross_entropy`: output C logits, target a class index.
    #[value(name = "cross_entropy")]
    CrossEntropy,
    /// `kl_div`: output C log-probabilities, target a class (one-hot).
    #[value(name = "kl_div")]
    KlDiv,
}

/// PyTorch's reductions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReductionArg {
    /// One loss per element (the per-sample loss is their sum).
    None,
    /// The sum.
    Sum,
    /// The mean.
    Mean,
    /// The sum over the batch size (`kl_div` only).
    Batchmean,
}

/// The options of `xent check-loss`.
#[derive(Debug, Clone)]
pub(crate) struct CheckLossArgs {
    pub name: LossName,
    pub full: bool,
    pub log_input: Option<bool>,
    pub eps: Option<f64>,
    pub pos_weight: Option<f64>,
    pub label_smoothing: Option<f64>,
    pub classes: Option<usize>,
    pub reduction: Option<ReductionArg>,
    pub scale: Option<f64>,
    pub outputs: usize,
    pub seed: Option<u64>,
    pub json: bool,
}

fn reduction(r: ReductionArg) -> Reduction {
    match r {
        ReductionArg::None => Reduction::None,
        ReductionArg::Sum => Reduction::Sum,
        ReductionArg::Mean => Reduction::Mean,
        ReductionArg::Batchmean => Reduction::BatchMean,
    }
}

fn usage(msg: String) -> CliError {
    CliError::Usage(msg)
}

/// The loss the arguments name, or which option does not apply to it.
fn build(a: &CheckLossArgs) -> Result<BuiltinLoss, CliError> {
    let name = LossName::to_possible_value(&a.name).map_or_else(String::new, |v| v.get_name().to_string());
    let reject = |given: bool, option: &str| -> Result<(), CliError> {
        if given { Err(usage(format!("{option} does not apply to {name}"))) } else { Ok(()) }
    };
    let red = a.reduction.map_or(Reduction::Mean, reduction);
    if a.reduction == Some(ReductionArg::Batchmean) && a.name != LossName::KlDiv {
        return Err(usage(format!("--reduction batchmean is for kl_div only, not {name}")));
    }
    if let Some(e) = a.eps
        && !(e > 0.0 && e.is_finite())
    {
        return Err(usage(format!("--eps must be positive and finite, got {e}")));
    }
    let classes = |default: usize| -> Result<usize, CliError> {
        match a.classes.unwrap_or(default) {
            c @ 2..=256 => Ok(c),
            c => Err(usage(format!("--classes must be between 2 and 256, got {c}"))),
        }
    };
    match a.name {
        LossName::GaussianNll => {
            reject(a.log_input.is_some(), "--log-input")?;
            reject(a.pos_weight.is_some(), "--pos-weight")?;
            reject(a.label_smoothing.is_some(), "--label-smoothing")?;
            reject(a.classes.is_some(), "--classes")?;
            Ok(BuiltinLoss::GaussianNll { full: a.full, eps: a.eps.unwrap_or(1e-6), reduction: red })
        }
        LossName::PoissonNll => {
            reject(a.pos_weight.is_some(), "--pos-weight")?;
            reject(a.label_smoothing.is_some(), "--label-smoothing")?;
            reject(a.classes.is_some(), "--classes")?;
            Ok(BuiltinLoss::PoissonNll {
                log_input: a.log_input.unwrap_or(true),
                full: a.full,
                eps: a.eps.unwrap_or(1e-8),
                reduction: red,
            })
        }
        LossName::BceWithLogits => {
            reject(a.full, "--full")?;
            reject(a.log_input.is_some(), "--log-input")?;
            reject(a.eps.is_some(), "--eps")?;
            reject(a.label_smoothing.is_some(), "--label-smoothing")?;
            reject(a.classes.is_some(), "--classes")?;
            if let Some(p) = a.pos_weight
                && !p.is_finite()
            {
                return Err(usage(format!("--pos-weight must be finite, got {p}")));
            }
            Ok(BuiltinLoss::BceWithLogits { pos_weight: a.pos_weight, reduction: red })
        }
        LossName::CrossEntropy => {
            reject(a.full, "--full")?;
            reject(a.log_input.is_some(), "--log-input")?;
            reject(a.eps.is_some(), "--eps")?;
            reject(a.pos_weight.is_some(), "--pos-weight")?;
            let eps = a.label_smoothing.unwrap_or(0.0);
            if !(0.0..=1.0).contains(&eps) {
                return Err(usage(format!("--label-smoothing must be in [0, 1], got {eps}")));
            }
            Ok(BuiltinLoss::CrossEntropy { classes: classes(4)?, label_smoothing: eps, reduction: red })
        }
        LossName::KlDiv => {
            reject(a.full, "--full")?;
            reject(a.log_input.is_some(), "--log-input")?;
            reject(a.eps.is_some(), "--eps")?;
            reject(a.pos_weight.is_some(), "--pos-weight")?;
            reject(a.label_smoothing.is_some(), "--label-smoothing")?;
            Ok(BuiltinLoss::KlDiv {
                classes: classes(4)?,
                reduction: a.reduction.map_or(Reduction::BatchMean, reduction),
            })
        }
    }
}

/// Runs the check and renders its report (text or JSON).
pub(crate) fn run(a: &CheckLossArgs) -> Result<String, CliError> {
    let loss = build(a)?;
    let mut cfg = LossCheck { outputs: a.outputs, scale: a.scale, ..LossCheck::default() };
    if let Some(s) = a.seed {
        cfg.seed = s;
    }
    let report = check(&loss, &cfg).map_err(|e| usage(e.to_string()))?;
    Ok(if a.json {
        let mut s = serde_json::to_string_pretty(&render::to_json(&report)).unwrap_or_default();
        s.push('\n');
        s
    } else {
        render::text(&report)
    })
}
