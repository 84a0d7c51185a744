//! Fit a gamma distribution to a sample (Newton on the unconstrained
//! parameters; the MLE solves a digamma equation), print the summary table,
//! then the same fit from streamed sufficient statistics.
//!
//! `cargo run -p xent-fit --example fit_distribution`

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Gamma};
use xent_fit::{FitOptions, fit_family, fit_summary};
use xent_objectives::{Family, Summary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
    // shape 2.5, scale 1/0.7
    let truth = Gamma::new(2.5, 1.0 / 0.7)?;
    let data: Vec<f64> = (0..5_000).map(|_| truth.sample(&mut rng)).collect();
    let report = fit_family(&Family::Gamma, &data, &FitOptions::default())?;
    println!("{report}");
    let mut summary = Summary::empty(&Family::Gamma)?;
    summary.extend_from_slice(&data);
    let streamed = fit_summary(&summary, &FitOptions::default())?;
    println!(
        "streamed: shape {:.10}, rate {:.10} (in memory: {:.10}, {:.10})",
        streamed.estimates[0], streamed.estimates[1], report.estimates[0], report.estimates[1]
    );
    Ok(())
}
