//! Part B's exact steps on linear-Gaussian, logistic and softmax models,
//! and the conditional controls.

use nalgebra::DMatrix;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use xent_objectives::conditional::{Design, LinearGaussian, Logistic, Softmax};
use xent_verify::conditional_chain::{
    ConditionalInstance, gaussian_inputs, step_4, step_4_5, step_5_6, step_6_7, step_7_8,
};
use xent_verify::premises::{ConditionalDensityModel, InputDensity};
use xent_verify::{Status, StepReport};

fn all_pass(reports: &[StepReport]) {
    for r in reports {
        assert_eq!(r.status, Status::Pass, "{} on {}: {:?}", r.id, r.model, r.checks);
    }
}

/// Runs the real steps and the controls on one instance (the harness
/// integrates or sums the model's conditional over y itself).
fn run<M: ConditionalDensityModel>(c: &ConditionalInstance<'_, M>, y: &[f64], permuted: &dyn Fn(&[f64]) -> f64) {
    let input = c.input_term();
    all_pass(&[
        step_4(c),
        step_4_5(c, &|t| c.sum_of_logs(t)),
        step_5_6(c, &|t| c.loss(t)),
        step_6_7(c, &|_t| input),
        step_7_8(c, &|_, x| c.input_ln_density(x)),
    ]);
    // Positive controls.
    assert_eq!(step_6_7(c, &|_t| 42.0).status, Status::Pass, "adding 42");
    assert_eq!(step_6_7(c, &|_t| input).status, Status::Pass, "adding the true -log p(x)");
    let diff = step_6_7(c, &|t| c.joint_nll(t) - c.loss(t));
    assert_eq!(diff.status, Status::Pass, "-log p(x) as joint minus loss rejected: {:?}", diff.checks);
    // Negative controls.
    let sloped = step_6_7(c, &|t| c.joint_nll(t) - c.loss(t) + 1e-6 * t[0]);
    let grad = sloped.checks.iter().find(|k| k.check == "gradient_agreement").expect("checked");
    assert!(!grad.passed, "a slope of 1e-6 in the added term passed gradient_agreement: {grad:?}");
    let shared = step_6_7(c, &|t| 0.5 * (t[0] - 0.3).powi(2) + input);
    assert_eq!(shared.status, Status::Fail, "theta-dependent 'constant' accepted");
    let penalty = step_6_7(c, &|t| 0.1 * t.iter().map(|v| v * v).sum::<f64>());
    assert_eq!(penalty.status, Status::Fail, "penalty accepted");
    let perm = step_5_6(c, permuted);
    assert_eq!(perm.status, Status::Fail, "permuted labels accepted: {:?}", perm.checks);
    let _ = y;
}

#[test]
fn linear_gaussian_with_gaussian_inputs() {
    let (x, _) = gaussian_inputs(500, 2, 1);
    let input = InputDensity::standard_normal(2);
    let design = Design::new(&x, true).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
    let y: Vec<f64> = (0..500).map(|i| 0.5 + x[(i, 0)] - 0.7 * x[(i, 1)] + 0.6 * (rng.random::<f64>() - 0.5)).collect();
    let mut yp = y.clone();
    yp.rotate_left(137);
    let dp = Design::new(&x, true).unwrap();
    let permuted = xent_objectives::conditional::ConditionalNll::new(LinearGaussian, &dp, &yp).unwrap();
    let c = ConditionalInstance::new(LinearGaussian, &design, &y, &input, 30, 3).unwrap();
    run(&c, &y, &|t| permuted.value(t).unwrap());
}

#[test]
fn logistic_with_gaussian_inputs() {
    let (x, _) = gaussian_inputs(600, 2, 4);
    let input = InputDensity::standard_normal(2);
    let design = Design::new(&x, true).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let y: Vec<f64> = (0..600)
        .map(|i| {
            let eta = 0.3 + 1.2 * x[(i, 0)] - 0.8 * x[(i, 1)];
            if rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()) { 1.0 } else { 0.0 }
        })
        .collect();
    let mut yp = y.clone();
    yp.rotate_left(211);
    let permuted = xent_objectives::conditional::ConditionalNll::new(Logistic, &design, &yp).unwrap();
    let c = ConditionalInstance::new(Logistic, &design, &y, &input, 30, 6).unwrap();
    run(&c, &y, &|t| permuted.value(t).unwrap());
}

#[test]
fn softmax_with_categorical_inputs() {
    // One-hot inputs over 3 categories with probabilities π, 4 classes.
    let pi = [0.2, 0.5, 0.3];
    let n = 600;
    let cat: Vec<usize> = (0..n)
        .map(|i| {
            if i % 10 < 2 {
                0
            } else if i % 10 < 7 {
                1
            } else {
                2
            }
        })
        .collect();
    let x = DMatrix::from_fn(n, 2, |i, j| if cat[i] == j + 1 { 1.0 } else { 0.0 });
    let input = xent_verify::conditional_asymptotic::CondScenario::SoftmaxCategorical { pi }.input_density();
    // Labels depend on the category: class c+1 is favoured in category c.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
    let y: Vec<f64> = (0..n)
        .map(|i| if rng.random::<f64>() < 0.6 { (cat[i] + 1) as f64 } else { f64::from(rng.random_range(0..4u32)) })
        .collect();
    let design = Design::new(&x, true).unwrap();
    let model = Softmax::new(4).unwrap();
    let mut yp = y.clone();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i as u64) as usize;
        yp.swap(i, j);
    }
    let permuted = xent_objectives::conditional::ConditionalNll::new(model, &design, &yp).unwrap();
    let c = ConditionalInstance::new(model, &design, &y, &input, 30, 7).unwrap();
    run(&c, &y, &|t| permuted.value(t).unwrap());
}
