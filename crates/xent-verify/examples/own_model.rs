//! Your own model through the verification chain: an exponential
//! distribution parametrised by its mean, a family the crates do not ship,
//! gets Part A's exact steps (1) … (2)->(2b) and their controls. Declaring
//! its sample space lets the harness check that it is a density.
//!
//! `cargo run -p xent-verify --example own_model`

use xent_distributions::{LogDensity, ParamError, Scalar, Support};
use xent_objectives::{Model, Transform};
use xent_verify::controls::part_a_controls;
use xent_verify::premises::DensityModel;
use xent_verify::{Instance, part_a_exact};

/// The exponential with mean `μ`: `q(x) = e^{−x/μ} / μ`.
struct ExpMean;

struct ExpMeanDist<T>(T);

impl<T: Scalar> LogDensity<T> for ExpMeanDist<T> {
    type Obs = f64;
    fn ln_density(&self, &x: &f64) -> T {
        if x < 0.0 { T::neg_infinity() } else { -self.0.ln() - T::cst(x) / self.0 }
    }
}

impl Model for ExpMean {
    type Obs = f64;
    type Dist<T: Scalar> = ExpMeanDist<T>;
    fn name(&self) -> String {
        "exponential(mean)".into()
    }
    fn param_names(&self) -> Vec<String> {
        vec!["mean".into()]
    }
    fn transforms(&self) -> Vec<Transform> {
        vec![Transform::Exp]
    }
    fn build<T: Scalar>(&self, t: &[T]) -> Result<ExpMeanDist<T>, ParamError> {
        Ok(ExpMeanDist(t[0]))
    }
}

impl DensityModel for ExpMean {
    fn sample_space(&self, _theta: &[f64]) -> Option<Support> {
        Some(Support::Continuous { low: 0.0, high: f64::INFINITY })
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Quantiles of an exponential with mean 2: a deterministic sample.
    let data: Vec<f64> = (1..=400).map(|i| -(1.0 - f64::from(i) / 401.0).ln() * 2.0).collect();
    let inst = Instance::new(&ExpMean, &data, 30, 7)?;
    for step in part_a_exact(&inst) {
        println!("{} {:<10} {}", step.status, step.id, step.key_figure());
    }
    for c in part_a_controls(&inst, None) {
        println!(
            "control {:<40} at {:<10} {} ({})",
            c.name,
            c.step,
            c.outcome(),
            if c.behaved() { "as it must" } else { "WRONG" }
        );
    }
    Ok(())
}
