//! A logistic regression on simulated data, with its statsmodels-style
//! summary: coefficients, standard errors from the observed information,
//! z, p and 95 % Wald intervals; robust (sandwich) errors beside them.
//!
//! `cargo run -p xent-fit --example logistic_regression`

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal, Uniform};
use xent_fit::{Covariance, FitOptions, fit_conditional};
use xent_objectives::conditional::{Design, Logistic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (n, beta) = (2_000, [0.3, 1.2, -0.8]);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let x = DMatrix::from_fn(n, 2, |_, _| StandardNormal.sample(&mut rng));
    let unit = Uniform::new(0.0, 1.0)?;
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let eta: f64 = beta[0] + beta[1] * x[(i, 0)] + beta[2] * x[(i, 1)];
            f64::from(u8::from(unit.sample(&mut rng) < 1.0 / (1.0 + (-eta).exp())))
        })
        .collect();
    let design = Design::new(&x, true)?;
    let report = fit_conditional(Logistic, &design, &y, &FitOptions::default())?;
    println!("{report}");
    println!("true coefficients {beta:?}");
    let robust = fit_conditional(Logistic, &design, &y, &FitOptions::default().with_covariance(Covariance::Sandwich))?;
    println!("sandwich standard errors {:.4?}", robust.std_errors);
    Ok(())
}
