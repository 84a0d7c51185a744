//! Your own conditional model through the whole of Part B, `(4)` … `(6)''`:
//! a heteroscedastic regression written here, not taken from the crates —
//! `y | x ~ N(μ(x), σ(x)²)` with `μ = (1, x)ᵀβ` and `ln σ = (1, x)ᵀγ`.
//!
//! You write two things:
//! - the model (an [`EtaModel`] with two linear predictors, and its target
//!   space, [`ConditionalDensityModel`]);
//! - the process `p(x, y)` (a [`ConditionalProcess`]): two standard-normal
//!   features with their density and a Gauss–Hermite rule for expectations
//!   over them, the conditional density of `y` and samplers, written from
//!   the definition rather than from the model's code.
//!
//! The harness checks that the rule matches the input density, that
//! `q_θ(· | x)` and `p(x)` are densities, the derivatives, every exact step
//! with its controls, the limit `(8)->(9)` (with the estimate's consistency
//! and the sampler controls at the stated power) and `(6)''` — by the rule
//! and its own quadrature over `y`, no closed form claimed. It prints the
//! report and writes the derivation document.
//!
//! `cargo run --release -p xent-verify --example heteroscedastic_regression -- [--quick] [--out DIR]`
//! (default `target/heteroscedastic-regression`); exits 1 if the chain does not verify.

use std::process::ExitCode;
use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use xent_distributions::{Scalar, Support};
use xent_objectives::conditional::EtaModel;
use xent_verify::Config;
use xent_verify::conditional_scenario::ConditionalScenario;
use xent_verify::docs::{DocOptions, render};
use xent_verify::premises::{ConditionalDensityModel, InputDensity};
use xent_verify::process::{ConditionalProcess, InputRule};
use xent_verify::user::run_conditional_model;

const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The model: mean and log standard deviation both linear in `x`.
#[derive(Debug, Clone, Copy)]
struct Heteroscedastic;

impl EtaModel for Heteroscedastic {
    fn name(&self) -> String {
        "heteroscedastic regression".into()
    }
    fn predictors(&self) -> usize {
        2
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y.is_finite() { Ok(()) } else { Err("must be finite") }
    }
    /// `−ln q(y | μ, ln σ) = ln σ + ½ ln 2π + ½((y − μ)/σ)²`.
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        let z = (T::cst(y) - eta[0]) * (-eta[1]).exp();
        eta[1] + T::cst(HALF_LN_2PI) + z * z * T::cst(0.5)
    }
}

impl ConditionalDensityModel for Heteroscedastic {
    fn target_space(&self, _eta: &[f64], _extra: &[f64]) -> Option<Support> {
        Some(Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY })
    }
}

/// The process: `x ~ N(0, I₂)`, `y | x ~ N((1, x)ᵀβ, exp((1, x)ᵀγ)²)`.
struct Process {
    beta: [f64; 3],
    gamma: [f64; 3],
}

impl Process {
    fn mean_and_sd(&self, x: &[f64]) -> (f64, f64) {
        let lin = |c: &[f64; 3]| c[0] + c[1] * x[0] + c[2] * x[1];
        (lin(&self.beta), lin(&self.gamma).exp())
    }
}

impl ConditionalProcess for Process {
    fn input_density(&self) -> InputDensity {
        InputDensity::standard_normal(2)
    }
    fn input_rule(&self) -> InputRule {
        InputRule::gaussian(&[0.0, 0.0], &[1.0, 1.0], 12)
    }
    fn target_support(&self, _x: &[f64]) -> Support {
        Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY }
    }
    fn ln_conditional(&self, x: &[f64], y: f64) -> f64 {
        let (m, s) = self.mean_and_sd(x);
        let z = (y - m) / s;
        -0.5 * z * z - s.ln() - HALF_LN_2PI
    }
    fn sample_x(&self, rng: &mut dyn Rng) -> Vec<f64> {
        vec![StandardNormal.sample(rng), StandardNormal.sample(rng)]
    }
    fn sample_y(&self, x: &[f64], rng: &mut dyn Rng) -> f64 {
        let (m, s) = self.mean_and_sd(x);
        let e: f64 = StandardNormal.sample(rng);
        m + s * e
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| std::path::PathBuf::from("target/heteroscedastic-regression"), std::path::PathBuf::from);
    let (beta, gamma) = ([0.5, 1.0, -0.7], [-0.5, 0.3, 0.2]);
    // θ = (β, γ): the coefficients of the first predictor, then the second's.
    let theta_star: Vec<f64> = beta.iter().chain(&gamma).copied().collect();
    let scenario = ConditionalScenario {
        name: "heteroscedastic regression".into(),
        model: Heteroscedastic,
        process: Arc::new(Process { beta, gamma }),
        theta_star,
    };
    let cfg = Config { quick, ..Config::default() };
    let run = match run_conditional_model(&scenario, &cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", run.to_text());
    let command = "cargo run --release -p xent-verify --example heteroscedastic_regression";
    let opts =
        DocOptions::new("A heteroscedastic regression: maximum likelihood is minimal cross-entropy, checked", command);
    let doc = match render(&run, Vec::new(), &opts) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match doc.write(&out, &opts.figure_dir) {
        Ok(paths) => paths.iter().for_each(|p| eprintln!("wrote {}", p.display())),
        Err(e) => {
            eprintln!("error: cannot write under {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    }
    if run.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
