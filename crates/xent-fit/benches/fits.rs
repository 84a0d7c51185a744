//! Fit throughput beside the peers' figures on this machine class
//! (issue 4): scikit-learn `LogisticRegression(lbfgs)` 1.75 s and
//! statsmodels Newton 4.2 s for n = 10⁶, d = 20; scikit-learn softmax 5.7 s
//! for n = 2·10⁵, d = 20, K = 10; SciPy `t.fit` 3.1 s for 10⁵ samples.
//!
//! Run: `cargo bench -p xent-objectives --bench fits`.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nalgebra::DMatrix;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::Distribution;
use xent_distributions::StudentT;
use xent_fit::{FitOptions, fit_conditional, fit_family};
use xent_objectives::Family;
use xent_objectives::conditional::{Design, Logistic, Softmax};

fn bench(c: &mut Criterion) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let (n, d) = (1_000_000, 20);
    let x = DMatrix::from_fn(n, d, |_, _| rng.random::<f64>() * 2.0 - 1.0);
    let w: Vec<f64> = (0..d).map(|j| 0.3 * ((j % 5) as f64 - 2.0)).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let eta: f64 = -0.2 + (0..d).map(|j| w[j] * x[(i, j)]).sum::<f64>();
            if rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()) { 1.0 } else { 0.0 }
        })
        .collect();
    let design = Design::new(&x, true).expect("finite");
    let opts = FitOptions::default();
    let mut g = c.benchmark_group("fit");
    g.sample_size(10);
    g.bench_function("logistic_1e6x20", |b| b.iter(|| fit_conditional(Logistic, black_box(&design), &y, &opts)));

    let (n2, k) = (200_000, 10);
    let x2 = DMatrix::from_fn(n2, d, |_, _| rng.random::<f64>() * 2.0 - 1.0);
    let y2: Vec<f64> = (0..n2)
        .map(|i| {
            let logits: Vec<f64> =
                (0..k).map(|c| if c == 0 { 0.0 } else { 0.2 * x2[(i, c % d)] * c as f64 / 5.0 }).collect();
            let m = logits.iter().cloned().fold(f64::MIN, f64::max);
            let z: f64 = logits.iter().map(|l| (l - m).exp()).sum();
            let u = rng.random::<f64>() * z;
            let mut acc = 0.0;
            logits
                .iter()
                .position(|l| {
                    acc += (l - m).exp();
                    u < acc
                })
                .unwrap_or(k - 1) as f64
        })
        .collect();
    let design2 = Design::new(&x2, true).expect("finite");
    g.bench_function("softmax_2e5x20_k10", |b| {
        b.iter(|| fit_conditional(Softmax::new(k).expect("K"), black_box(&design2), &y2, &opts))
    });

    let t = StudentT::new(0.5, 1.9, 4.1).expect("valid");
    let data: Vec<f64> = (0..100_000).map(|_| t.sample(&mut rng)).collect();
    g.bench_function("student_t_1e5", |b| b.iter(|| fit_family(&Family::StudentT, black_box(&data), &opts)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
