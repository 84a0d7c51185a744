//! Part A's exact steps pass on every unconditional model of the catalogue,
//! and every control behaves: wrong steps rejected, valid variants accepted.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use xent_distributions::{AnyUnivariate, Categorical};
use xent_objectives::{CategoricalModel, Family};
use xent_verify::controls::{Kind, part_a_controls};
use xent_verify::premises::DensityModel;
use xent_verify::{Instance, Status, derive_seed, part_a_exact};

fn sample(family: &str, p: &[(&str, f64)], n: usize) -> Vec<f64> {
    let d = AnyUnivariate::from_params(family, p).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(derive_seed(11, family));
    (0..n).map(|_| d.sample(&mut rng)).collect()
}

fn check<M: DensityModel>(model: &M, data: &[M::Obs], sigma: Option<usize>) {
    let inst = Instance::new(model, data, 40, 5).unwrap();
    for step in part_a_exact(&inst) {
        assert_eq!(step.status, Status::Pass, "{} on {}: {:?}", step.id, step.model, step.checks);
    }
    let controls = part_a_controls(&inst, sigma);
    assert!(controls.iter().filter(|c| c.kind == Kind::Negative).count() >= 7);
    assert!(controls.iter().filter(|c| c.kind == Kind::Positive).count() >= 3);
    for c in &controls {
        assert!(
            c.behaved(),
            "{} control '{}' at {} on {}: {} ({:?})",
            if c.kind == Kind::Negative { "negative" } else { "positive" },
            c.name,
            c.step,
            c.model,
            c.outcome(),
            c.report.checks
        );
    }
}

#[test]
fn unconditional_models_pass_and_controls_behave() {
    check(&Family::Normal, &sample("normal", &[("mean", 1.5), ("std_dev", 2.0)], 1000), Some(1));
    check(&Family::Exponential, &sample("exponential", &[("rate", 0.8)], 1000), None);
    check(&Family::Bernoulli, &sample("bernoulli", &[("p", 0.3)], 1000), None);
    check(&Family::Poisson, &sample("poisson", &[("rate", 3.5)], 1000), None);
    check(&Family::Gamma, &sample("gamma", &[("shape", 2.5), ("rate", 0.7)], 1000), None);
    let cat = Categorical::new(vec![0.2, 0.5, 0.3]).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let ks: Vec<usize> = (0..1000).map(|_| cat.sample(&mut rng)).collect();
    check(&CategoricalModel { k: 3 }, &ks, None);
}

#[test]
fn the_naive_product_underflows_where_the_scaled_one_does_not() {
    let data = sample("normal", &[("mean", 0.0), ("std_dev", 1.0)], 2000);
    let inst = Instance::new(&Family::Normal, &data, 5, 1).unwrap();
    let step = &part_a_exact(&inst)[0];
    assert_eq!(step.id, "(1)");
    let fig = &step.checks[0].figures;
    assert_eq!(fig["naive_product_underflows"], serde_json::Value::Bool(true));
    let json = step.to_json();
    assert_eq!(json["status"], "pass");
    assert_eq!(json["relation"], "definition");
}
