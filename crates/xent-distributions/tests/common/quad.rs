//! Adaptive Gauss–Kronrod (7–15) quadrature over a distribution's support,
//! with the infinite ends mapped to finite ones around the distribution's own
//! location and scale (median and interquartile range, found from its CDF).

use xent_distributions::{Support, Univariate};

const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_728,
];
const WG: [f64; 4] =
    [0.129_484_966_168_869_7, 0.279_705_391_489_276_7, 0.381_830_050_505_118_9, 0.417_959_183_673_469_4];

fn gk15(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let fc = f(c);
    let mut k = fc * WGK[7];
    let mut g = fc * WG[3];
    for j in 0..7 {
        let dx = h * XGK[j];
        let s = f(c - dx) + f(c + dx);
        k += WGK[j] * s;
        if j % 2 == 1 {
            g += WG[j / 2] * s;
        }
    }
    (k * h, ((k - g) * h).abs())
}

/// `∫ₐᵇ f` to absolute tolerance `tol` (finite `a < b`): global adaptive
/// bisection of the interval with the largest error estimate, at most 4000
/// intervals.
pub fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    let (v, e) = gk15(f, a, b);
    let mut parts = vec![(a, b, v, e)];
    for _ in 0..4000 {
        let total_err: f64 = parts.iter().map(|p| p.3).sum();
        if total_err <= tol {
            break;
        }
        let (worst, _) =
            parts.iter().enumerate().fold((0, -1.0), |acc, (i, p)| if p.3 > acc.1 { (i, p.3) } else { acc });
        let (lo, hi, _, _) = parts.swap_remove(worst);
        let m = 0.5 * (lo + hi);
        if !(m > lo && m < hi) {
            break;
        }
        let (l, le) = gk15(f, lo, m);
        let (r, re) = gk15(f, m, hi);
        parts.push((lo, m, l, le));
        parts.push((m, hi, r, re));
    }
    parts.iter().map(|p| p.2).sum()
}

/// The `p`-quantile: a bracket grown geometrically inside `[low, high]`,
/// then bisection.
fn quantile(d: &dyn Univariate, p: f64, low: f64, high: f64) -> f64 {
    let (mut lo, mut hi) = if low.is_finite() { (low, low + 1.0) } else { (-1.0, 1.0) };
    let mut step = 1.0;
    while d.cdf(hi) < p && hi < high {
        step *= 2.0;
        hi = (hi + step).min(high);
    }
    step = 1.0;
    while !low.is_finite() && d.cdf(lo) >= p {
        step *= 2.0;
        lo -= step;
    }
    for _ in 0..200 {
        let m = 0.5 * (lo + hi);
        if d.cdf(m) < p {
            lo = m;
        } else {
            hi = m;
        }
    }
    0.5 * (lo + hi)
}

/// `∫ g(x) q(x) dx` over the support of a continuous `d` (0 where q = 0).
pub fn expect(d: &dyn Univariate, g: &dyn Fn(f64) -> f64, tol: f64) -> f64 {
    let Support::Continuous { low, high } = d.support() else { panic!("expect() is for continuous families") };
    let weighted = |x: f64| {
        let lq = d.ln_density(&x);
        if lq == f64::NEG_INFINITY || !x.is_finite() { 0.0 } else { g(x) * lq.exp() }
    };
    let med = quantile(d, 0.5, low, high);
    let iqr = (quantile(d, 0.75, low, high) - quantile(d, 0.25, low, high)).max(1e-300);
    match (low.is_finite(), high.is_finite()) {
        (true, true) => integrate(&weighted, low, high, tol),
        (true, false) => {
            // x = low + s·t/(1 − t), t ∈ [0, 1)
            let s = (med - low).max(iqr);
            let f = |t: f64| {
                let u = 1.0 - t;
                if u <= 0.0 { 0.0 } else { weighted(low + s * t / u) * s / (u * u) }
            };
            integrate(&f, 0.0, 1.0, tol)
        }
        (false, true) => unreachable!("no family has support (−∞, b]"),
        (false, false) => {
            // x = med + s·t/(1 − t²), t ∈ (−1, 1)
            let s = iqr;
            let f = |t: f64| {
                let u = 1.0 - t * t;
                if u <= 0.0 { 0.0 } else { weighted(med + s * t / u) * s * (1.0 + t * t) / (u * u) }
            };
            integrate(&f, -1.0, 1.0, tol)
        }
    }
}

/// `Σₖ g(k) q(k)` over the support of a discrete `d`, from 0 until the
/// remaining mass `1 − F(k)` is below `1e-17` (or the upper end).
pub fn expect_discrete(d: &dyn Univariate, g: &dyn Fn(f64) -> f64) -> f64 {
    let Support::Discrete { low, high } = d.support() else { panic!("expect_discrete() is for discrete families") };
    let mut k = low;
    let mut sum = 0.0;
    let mut past_mode = false;
    let mut prev = f64::NEG_INFINITY;
    while k <= high && k < 1e8 {
        let lq = d.ln_density(&k);
        if lq > f64::NEG_INFINITY {
            sum += g(k) * lq.exp();
        }
        if lq < prev {
            past_mode = true;
        }
        if past_mode && lq < -60.0 {
            break;
        }
        prev = lq;
        k += 1.0;
    }
    sum
}
