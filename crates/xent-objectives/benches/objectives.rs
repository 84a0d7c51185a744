//! Objective throughput.
//!
//! - every GLM objective: value+gradient beside value alone (target ratio ≤ 3);
//! - logistic value+gradient at n = 10⁶, d = 20 beside the two dense
//!   matrix–vector products `X w` and `Xᵀ r` (target ≤ 2×);
//! - Student-t NLL + gradient on 10⁵ samples, three directions per sweep.
//!
//! Run: `cargo bench -p xent-objectives --bench objectives`.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nalgebra::{DMatrix, DVector};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::Distribution;
use xent_distributions::StudentT;
use xent_objectives::conditional::{
    ConditionalNll, Design, EtaModel, HeteroscedasticGaussian, LinearGaussian, Logistic, PoissonLog, Softmax,
};
use xent_objectives::{Family, Nll};

fn glm<M: EtaModel + Clone>(c: &mut Criterion, name: &str, model: M, design: &Design, y: &[f64]) {
    let obj = ConditionalNll::new(model, design, y).expect("valid");
    let theta: Vec<f64> = (0..obj.dim()).map(|i| 0.05 * (i as f64 - 2.0)).collect();
    let mut g = c.benchmark_group(format!("glm_{name}"));
    g.sample_size(10);
    g.bench_function("value", |b| b.iter(|| obj.value(black_box(&theta))));
    g.bench_function("value_and_gradient", |b| b.iter(|| obj.value_and_gradient(black_box(&theta))));
    g.finish();
}

fn bench(c: &mut Criterion) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
    let (n, d) = (1_000_000, 20);
    let x = DMatrix::from_fn(n, d, |_, _| rng.random::<f64>() * 2.0 - 1.0);
    let design = Design::new(&x, true).expect("finite");
    let bin: Vec<f64> = (0..n).map(|_| if rng.random::<f64>() < 0.4 { 1.0 } else { 0.0 }).collect();

    // The yardstick: X w and Xᵀ r on the same matrix.
    let w = DVector::from_fn(d + 1, |i, _| 0.01 * i as f64);
    let r = DVector::from_fn(n, |i, _| (i % 7) as f64 * 0.1);
    let mut g = c.benchmark_group("logistic_1e6x20");
    g.sample_size(10);
    g.bench_function("matvec_Xw_plus_XTr", |b| {
        b.iter(|| {
            let eta = design.matrix() * black_box(&w);
            let grad = design.matrix().tr_mul(black_box(&r));
            (eta[0], grad[0])
        })
    });
    g.finish();
    glm(c, "logistic_1e6x20", Logistic, &design, &bin);

    let n2 = 200_000;
    let x2 = DMatrix::from_fn(n2, 5, |_, _| rng.random::<f64>() * 2.0 - 1.0);
    let d2 = Design::new(&x2, true).expect("finite");
    let real: Vec<f64> = (0..n2).map(|_| rng.random::<f64>() * 4.0 - 2.0).collect();
    let counts: Vec<f64> = (0..n2).map(|_| f64::from(rng.random_range(0..8u32))).collect();
    let classes: Vec<f64> = (0..n2).map(|_| f64::from(rng.random_range(0..4u32))).collect();
    let bin2: Vec<f64> = (0..n2).map(|_| if rng.random::<f64>() < 0.5 { 1.0 } else { 0.0 }).collect();
    glm(c, "linear_2e5x5", LinearGaussian, &d2, &real);
    glm(c, "logistic_2e5x5", Logistic, &d2, &bin2);
    glm(c, "poisson_2e5x5", PoissonLog, &d2, &counts);
    glm(c, "softmax4_2e5x5", Softmax::new(4).expect("K ≥ 2"), &d2, &classes);
    glm(c, "hetero_2e5x5", HeteroscedasticGaussian, &d2, &real);
    let classes10: Vec<f64> = (0..n2).map(|_| f64::from(rng.random_range(0..10u32))).collect();
    glm(c, "softmax10_2e5x5", Softmax::new(10).expect("K ≥ 2"), &d2, &classes10);

    let t = StudentT::new(0.5, 1.9, 4.1).expect("valid");
    let data: Vec<f64> = (0..100_000).map(|_| t.sample(&mut rng)).collect();
    let nll = Nll::new(&Family::StudentT, &data).expect("non-empty");
    let u = [0.4, 0.6, 1.5];
    let mut g = c.benchmark_group("student_t_1e5");
    g.sample_size(20);
    g.bench_function("value", |b| b.iter(|| nll.value(black_box(&u))));
    g.bench_function("value_and_gradient", |b| b.iter(|| nll.value_and_gradient(black_box(&u))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
