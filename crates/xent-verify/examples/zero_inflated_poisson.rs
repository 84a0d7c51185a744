//! Your own unconditional model through the whole of Part A, `(1)` …
//! `(3)'`: a zero-inflated Poisson, a family the crates do not ship.
//!
//! You write two things:
//! - the model `q_θ` (a [`Model`] with its sample space, [`DensityModel`]):
//!   `q(0) = π + (1 − π)e^{−λ}`, `q(k) = (1 − π)e^{−λ}λᵏ/k!` for `k ≥ 1`;
//! - the process `p` that generates data (a [`DataProcess`]: its density and
//!   a sampler). Here `p` is the model at `(π, λ) = (0.3, 2.5)`, written
//!   independently of the model's code, so the model is well specified and
//!   `θ* = (0.3, 2.5)`.
//!
//! No closed form is claimed: the harness computes `H(p, q_θ)`, `H(p)` and
//! the KL by exact sums over the counts, checks that `q_θ` is a density and
//! that its derivatives match finite differences, and runs every step with
//! the controls that apply. It prints the report and writes the derivation
//! document (Markdown, HTML and the convergence figure).
//!
//! `cargo run --release -p xent-verify --example zero_inflated_poisson -- [--quick] [--out DIR]`
//! (default `target/zero-inflated-poisson`); exits 1 if the chain does not verify.

use std::process::ExitCode;

use rand::Rng;
use rand_distr::Distribution;
use xent_distributions::special::ln_factorial;
use xent_distributions::{LogDensity, ParamError, Scalar, Support};
use xent_objectives::{Model, Transform};
use xent_verify::Config;
use xent_verify::asymptotic::{DataProcess, Scenario};
use xent_verify::docs::{DocOptions, render, scenario_figure};
use xent_verify::premises::DensityModel;
use xent_verify::user::run_model;

/// The model: zero-inflated Poisson with parameters `(π, λ)`.
#[derive(Debug, Clone, Copy)]
struct ZeroInflatedPoisson;

/// `q_θ` at one θ, in any scalar (duals give the derivatives).
struct Zip<T> {
    pi: T,
    lambda: T,
}

impl<T: Scalar> LogDensity<T> for Zip<T> {
    type Obs = f64;
    fn ln_density(&self, &k: &f64) -> T {
        if k < 0.0 || k.fract() != 0.0 {
            return T::neg_infinity();
        }
        let (pi, lambda) = (self.pi, self.lambda);
        let poisson = T::cst(k) * lambda.ln() - lambda - T::cst(ln_factorial(k));
        if k == 0.0 {
            // ln(π + (1 − π)e^{−λ}), kept finite for large λ.
            (pi + (T::one() - pi) * (-lambda).exp()).ln()
        } else {
            (T::one() - pi).ln() + poisson
        }
    }
}

impl Model for ZeroInflatedPoisson {
    type Obs = f64;
    type Dist<T: Scalar> = Zip<T>;
    fn name(&self) -> String {
        "zero-inflated poisson".into()
    }
    fn param_names(&self) -> Vec<String> {
        vec!["pi".into(), "lambda".into()]
    }
    fn transforms(&self) -> Vec<Transform> {
        vec![Transform::Logit, Transform::Exp]
    }
    fn build<T: Scalar>(&self, t: &[T]) -> Result<Zip<T>, ParamError> {
        let (pi, lambda) = (t[0].value(), t[1].value());
        for (name, v) in [("pi", pi), ("lambda", lambda)] {
            if !v.is_finite() {
                return Err(ParamError::NotFinite { name, value: v });
            }
        }
        if !(pi > 0.0 && pi < 1.0) {
            return Err(ParamError::OutOfRange { name: "pi", value: pi, expected: "in (0, 1)" });
        }
        if lambda <= 0.0 {
            return Err(ParamError::OutOfRange { name: "lambda", value: lambda, expected: "> 0" });
        }
        Ok(Zip { pi: t[0], lambda: t[1] })
    }
}

impl DensityModel for ZeroInflatedPoisson {
    fn sample_space(&self, _theta: &[f64]) -> Option<Support> {
        Some(Support::Discrete { low: 0.0, high: f64::INFINITY })
    }
}

/// The process: a structural zero with probability `π`, else a Poisson(λ)
/// count — density and sampler written from the definition, not from the
/// model's code.
struct ZipProcess {
    pi: f64,
    lambda: f64,
}

impl DataProcess for ZipProcess {
    fn support(&self) -> Support {
        Support::Discrete { low: 0.0, high: f64::INFINITY }
    }
    fn ln_density(&self, k: f64) -> f64 {
        if k < 0.0 || k.fract() != 0.0 {
            return f64::NEG_INFINITY;
        }
        let poisson = (-self.lambda + k * self.lambda.ln() - ln_factorial(k)).exp();
        let zero = if k == 0.0 { self.pi } else { 0.0 };
        (zero + (1.0 - self.pi) * poisson).ln()
    }
    fn sample(&self, rng: &mut dyn Rng) -> f64 {
        if rand::RngExt::random::<f64>(rng) < self.pi {
            return 0.0;
        }
        match rand_distr::Poisson::new(self.lambda) {
            Ok(p) => p.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| std::path::PathBuf::from("target/zero-inflated-poisson"), std::path::PathBuf::from);
    let (pi, lambda) = (0.3, 2.5);
    let scenario =
        Scenario::new("zero-inflated poisson", ZeroInflatedPoisson, ZipProcess { pi, lambda }, vec![pi, lambda]);
    let cfg = Config { quick, ..Config::default() };
    let run = match run_model(&scenario, true, &cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", run.to_text());
    let command = "cargo run --release -p xent-verify --example zero_inflated_poisson";
    let figure = match scenario_figure(&scenario, cfg.seed, 8) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let opts =
        DocOptions::new("A zero-inflated Poisson: maximum likelihood is minimal cross-entropy, checked", command);
    let doc = match render(&run, vec![figure], &opts) {
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
