//! `xent`: maximum-likelihood fits of distributions and regressions on CSV
//! data, and the derivation check, from the command line.
//!
//! ```text
//! xent fit data.csv --family gamma            # estimates, standard errors, AIC/BIC
//! xent fit data.csv --family auto --plot f.svg # every applicable family, ranked by AIC
//! xent regress data.csv --model logistic --target y
//! xent verify --quick                         # the same as `cargo xtask verify`
//! xent check-loss poisson_nll --full           # is this loss a cross-entropy?
//! ```
//!
//! Errors print one line on stderr starting with `error:` and exit 1
//! (2 for bad arguments); they never panic.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod censoring;
mod check_loss;
mod data;
mod error;
mod fit;
mod plot;
mod regress;
mod verify;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;
use crate::fit::FitArgs;
use crate::regress::RegressArgs;

/// Maximum-likelihood fits on CSV data, and the check that maximum
/// likelihood is minimal cross-entropy.
#[derive(Debug, Parser)]
#[command(name = "xent", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fit a distribution to one column: estimates, standard errors (observed
    /// information), 95% Wald intervals, log-likelihood, AIC, BIC.
    ///
    /// Exponential families (normal, log_normal, exponential, gamma, beta,
    /// poisson, bernoulli, geometric, rayleigh, inverse_gaussian) are read in
    /// one streaming pass with memory independent of the file's size.
    /// Censored (--censored-left, --censored-right, --interval) and
    /// truncated (--truncate) data are fitted in memory.
    Fit(FitArgs),
    /// Fit a regression: coefficients with standard errors, z, p-values and
    /// 95% intervals; log-likelihood, AIC, BIC.
    Regress(RegressArgs),
    /// Check every step of the derivation (1)–(9) numerically, exactly as
    /// `cargo xtask verify` does.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// The seed of every random choice.
        #[arg(long)]
        seed: Option<u64>,
        /// The quick profile (smaller n and fewer replications).
        #[arg(long)]
        quick: bool,
        /// Only the steps whose id or model matches.
        #[arg(long, value_name = "STEP|MODEL")]
        filter: Option<String>,
    },
    /// Is a loss a cross-entropy? Decides whether
    /// ℓ(o, y) = a·(−ln q(y | o)) + b(y) + c for a proper model q, and prints a, b, c and ln Z, or the
    /// outputs where ln Z(o) = ln ∫ exp(−(ℓ − b)/a) dy differs. Exits 0
    /// whatever the verdict (see `verdict` in --json).
    CheckLoss {
        /// The built-in loss.
        #[arg(value_enum)]
        name: check_loss::LossName,
        /// gaussian_nll: add ½ ln 2π; poisson_nll: add Stirling's ln y!.
        #[arg(long)]
        full: bool,
        /// poisson_nll: the output is the log-rate (default true).
        #[arg(long, value_name = "BOOL")]
        log_input: Option<bool>,
        /// gaussian_nll: the variance floor (1e-6); poisson_nll: the offset
        /// of ln(rate + eps) (1e-8).
        #[arg(long)]
        eps: Option<f64>,
        /// binary_cross_entropy_with_logits: the weight of positive targets.
        #[arg(long, value_name = "P")]
        pos_weight: Option<f64>,
        /// cross_entropy: the label smoothing ε ∈ [0, 1].
        #[arg(long, value_name = "EPS")]
        label_smoothing: Option<f64>,
        /// cross_entropy, kl_div: the number of classes (default 4).
        #[arg(long, value_name = "C")]
        classes: Option<usize>,
        /// The reduction (default mean; batchmean for kl_div).
        #[arg(long, value_enum)]
        reduction: Option<check_loss::ReductionArg>,
        /// Hold the scale a at this value instead of searching it.
        #[arg(long, value_name = "A")]
        scale: Option<f64>,
        /// How many seeded outputs to compare ln Z at.
        #[arg(long, default_value_t = 48, value_name = "N")]
        outputs: usize,
        /// The seed of the outputs.
        #[arg(long)]
        seed: Option<u64>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fit(args) => fit::run(&args),
        Command::Regress(args) => regress::run(&args),
        Command::CheckLoss {
            name,
            full,
            log_input,
            eps,
            pos_weight,
            label_smoothing,
            classes,
            reduction,
            scale,
            outputs,
            seed,
            json,
        } => check_loss::run(&check_loss::CheckLossArgs {
            name,
            full,
            log_input,
            eps,
            pos_weight,
            label_smoothing,
            classes,
            reduction,
            scale,
            outputs,
            seed,
            json,
        }),
        Command::Verify { json, seed, quick, filter } => {
            let mut cfg = xent_verify::Config { quick, filter, ..xent_verify::Config::default() };
            if let Some(s) = seed {
                cfg.seed = s;
            }
            return verify::execute(&cfg, json);
        }
    };
    match result {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot write the output: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::from(match e {
                CliError::Usage(_) => 2,
                _ => 1,
            })
        }
    }
}

/// The error's message on one line; a fit that did not converge also
/// names the best point it reached and what to try.
fn one_line(e: &CliError) -> String {
    let text = match e {
        CliError::Fit(xent_fit::FitFailure::NotConverged { report }) => {
            // At most four parameters: a softmax over 1 000 classes has
            // thousands, and the line must stay one readable line.
            const SHOWN: usize = 4;
            let mut best: Vec<String> = report
                .names
                .iter()
                .zip(&report.estimates)
                .take(SHOWN)
                .map(|(n, v)| format!("{n}={}", fit::fmt(*v)))
                .collect();
            if report.estimates.len() > SHOWN {
                best.push(format!("… and {} more", report.estimates.len() - SHOWN));
            }
            format!(
                "the fit did not converge: {}; best point {} (gradient norm {:.2e}); raise --max-iterations or \
                 check the data",
                fit::termination(report).0,
                best.join(", "),
                report.gradient_norm
            )
        }
        _ => e.to_string(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
