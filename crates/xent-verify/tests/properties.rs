//! The exact steps hold on many random instances (proptest with a fixed
//! seed, as the catalogue asks): random families, parameters, sample sizes
//! and seeds for Part A; random logistic designs and coefficients for
//! Part B. A failure prints the shrunk instance.

use nalgebra::DMatrix;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::Distribution;
use xent_distributions::AnyUnivariate;
use xent_objectives::Family;
use xent_objectives::conditional::{Design, Logistic};
use xent_verify::conditional_chain::{ConditionalInstance, step_4, step_4_5, step_5_6, step_6_7, step_7_8};
use xent_verify::premises::InputDensity;
use xent_verify::{Instance, Status, part_a_exact};

fn config(cases: u32, seed: u64) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(seed), failure_persistence: None, ..Config::default() }
}

/// A family, its parameters in the reference naming, and its model.
fn family() -> impl Strategy<Value = (&'static str, Vec<(&'static str, f64)>, Family)> {
    prop_oneof![
        (-5.0..5.0f64, 0.2..4.0f64).prop_map(|(m, s)| ("normal", vec![("mean", m), ("std_dev", s)], Family::Normal)),
        (0.1..5.0f64).prop_map(|r| ("exponential", vec![("rate", r)], Family::Exponential)),
        (0.5..20.0f64).prop_map(|r| ("poisson", vec![("rate", r)], Family::Poisson)),
        (0.1..0.9f64).prop_map(|p| ("bernoulli", vec![("p", p)], Family::Bernoulli)),
        (0.5..6.0f64, 0.2..3.0f64).prop_map(|(a, b)| ("gamma", vec![("shape", a), ("rate", b)], Family::Gamma)),
    ]
}

proptest! {
    #![proptest_config(config(24, 0x0005_eeda))]

    #[test]
    fn part_a_exact_steps_hold_on_random_instances(f in family(), n in 20usize..400, seed in any::<u64>()) {
        let (name, params, model) = f;
        let d = AnyUnivariate::from_params(name, &params).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let data: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        // Degenerate samples (all equal) have no finite MLE: not an instance.
        prop_assume!(data.iter().any(|x| *x != data[0]));
        let inst = Instance::new(&model, &data, 12, seed).unwrap();
        for step in part_a_exact(&inst) {
            prop_assert_eq!(step.status, Status::Pass, "{} on {} ({:?}, n = {}): {:?}", step.id, name, params, n, step.checks);
        }
    }
}

proptest! {
    #![proptest_config(config(12, 0x0005_eedb))]

    #[test]
    fn part_b_exact_steps_hold_on_random_logistic_instances(
        n in 150usize..500,
        d in 1usize..4,
        scale in 0.2..1.5f64,
        seed in any::<u64>(),
    ) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let normal = rand_distr::StandardNormal;
        let x: DMatrix<f64> = DMatrix::from_fn(n, d, |_, _| normal.sample(&mut rng));
        let beta: Vec<f64> = (0..=d).map(|_| scale * Distribution::<f64>::sample(&normal, &mut rng)).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let eta = beta[0] + (0..d).map(|j| beta[j + 1] * x[(i, j)]).sum::<f64>();
                if rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()) { 1.0 } else { 0.0 }
            })
            .collect();
        // Separated or one-class samples have no finite MLE: not an instance.
        prop_assume!(y.contains(&0.0) && y.contains(&1.0));
        let input = InputDensity::standard_normal(d);
        let design = Design::new(&x, true).unwrap();
        let Ok(c) = ConditionalInstance::new(Logistic, &design, &y, &input, 20, seed) else {
            return Ok(()); // separation: the instance's own fit says so
        };
        let input = c.input_term();
        for r in [
            step_4(&c),
            step_4_5(&c, &|t| c.sum_of_logs(t)),
            step_5_6(&c, &|t| c.loss(t)),
            step_6_7(&c, &|_t| input),
            step_7_8(&c, &|_, x| c.input_ln_density(x)),
        ] {
            prop_assert_eq!(r.status, Status::Pass, "{} (n = {}, d = {}, β = {:?}): {:?}", r.id, n, d, beta, r.checks);
        }
    }
}
