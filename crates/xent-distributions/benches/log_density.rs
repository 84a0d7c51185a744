//! Throughput of log-density sums and sufficient-statistics passes over 10⁷
//! `f64` samples, each beside a plain sum of the same array (the
//! memory-bandwidth yardstick).
//!
//! Run: `cargo bench -p xent-distributions --bench log_density`.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use xent_distributions::{Accumulator, Gamma, GammaStats, LogDensity, Normal, NormalStats};

const N: usize = 10_000_000;

fn plain_sum(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

fn bench(c: &mut Criterion) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
    let normal = Normal::new(1.5, 2.0).expect("valid");
    let normal_data: Vec<f64> = (0..N).map(|_| normal.sample(&mut rng)).collect();
    let gamma = Gamma::new(2.5, 0.7).expect("valid");
    let gamma_data: Vec<f64> = (0..N).map(|_| gamma.sample(&mut rng)).collect();

    let mut g = c.benchmark_group("normal_1e7");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(20);
    g.bench_function("plain_sum", |b| b.iter(|| plain_sum(black_box(&normal_data))));
    g.bench_function("ln_density_sum_slice", |b| b.iter(|| normal.sum_ln_density_slice(black_box(&normal_data))));
    g.bench_function("ln_density_sum_generic", |b| {
        b.iter(|| LogDensity::<f64>::sum_ln_density(&normal, black_box(&normal_data)))
    });
    g.bench_function("sufficient_stats_pass", |b| {
        b.iter(|| {
            let mut s = NormalStats::default();
            s.extend_from_slice(black_box(&normal_data));
            (s.mean(), s.sum_sq_dev(), s.weight())
        })
    });
    g.finish();

    let mut g = c.benchmark_group("gamma_1e7");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("plain_sum", |b| b.iter(|| plain_sum(black_box(&gamma_data))));
    g.bench_function("ln_density_sum_generic", |b| {
        b.iter(|| LogDensity::<f64>::sum_ln_density(&gamma, black_box(&gamma_data)))
    });
    g.bench_function("sufficient_stats_pass", |b| {
        b.iter(|| {
            let mut s = GammaStats::default();
            s.extend_from_slice(black_box(&gamma_data));
            (s.sum(0), s.sum(1), s.weight())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
