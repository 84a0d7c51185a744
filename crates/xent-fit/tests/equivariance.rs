//! Scale equivariance of every fit of a family closed under rescaling:
//! fitting `y = m + c·x` gives the estimates of `x` moved as each
//! parameter's [`Equivariance`] says, standard errors scaled by its
//! derivative, and the log-likelihood less `n ln c` — for `c` from 2⁻¹⁰⁰⁰
//! (data near 1e-301) to 2⁹⁶⁰ (near 1e289) and offsets up to 10¹⁵ spreads,
//! where absolute tolerances and floors used to give "zero variance", a
//! Student t "converged" after one iteration or a Cauchy scale of 5e-13.
//!
//! `y` is rounded, so the data it represents exactly are
//! `x′ = (y − m)/c` (powers of two for `c`, so the division is exact), and
//! `y`'s fit is compared with `x′`'s. Tolerances:
//! - closed forms `1e-10` relative, numerical fits `1e-6` (both stop at a
//!   gradient of `1e-10` of the average NLL in standardised coordinates,
//!   where the curvature is at least ~1e-3);
//! - a location may differ by one ulp of the largest `|y|` (the MLE is not
//!   representable more finely): rounded by `δ ≤ ½ ulp`, it lowers the
//!   log-likelihood by at most `n (δ/MAD)²` (the location information of
//!   these families is below `1/MAD²`), added to its `1e-9` per
//!   observation, and moves standard errors by `O((δ/MAD)²)`.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use xent_distributions::{AnyUnivariate, Equivariance};
use xent_fit::{FitMethod, FitOptions, FitReport, fit_family};
use xent_objectives::Family;

const N: usize = 200;

fn sample(name: &str, params: &[(&str, f64)], seed: u64) -> Vec<f64> {
    let d = AnyUnivariate::from_params(name, params).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..N).map(|_| d.sample(&mut rng)).collect()
}

/// The families closed under rescaling, each at a member of moderate shape.
fn cases() -> Vec<(&'static str, Vec<(&'static str, f64)>)> {
    vec![
        ("normal", vec![("mean", 0.3), ("std_dev", 1.0)]),
        ("laplace", vec![("location", 0.3), ("scale", 1.0)]),
        ("cauchy", vec![("location", 0.3), ("scale", 1.0)]),
        ("student_t", vec![("location", 0.3), ("scale", 1.0), ("dof", 4.0)]),
        ("uniform", vec![("low", 0.3), ("high", 2.0)]),
        ("log_normal", vec![("mu", 0.3), ("sigma", 0.7)]),
        ("exponential", vec![("rate", 1.5)]),
        ("gamma", vec![("shape", 2.5), ("rate", 1.5)]),
        ("weibull", vec![("shape", 1.7), ("scale", 2.0)]),
        ("pareto", vec![("scale", 1.0), ("shape", 3.0)]),
        ("rayleigh", vec![("sigma", 1.3)]),
        ("inverse_gaussian", vec![("mean", 1.3), ("shape", 2.0)]),
    ]
}

fn ulp(x: f64) -> f64 {
    let a = x.abs();
    f64::from_bits(a.to_bits() + 1) - a
}

/// Compares the fit of `y = m + c·x′` with the fit of `x′`, as above.
fn compare(
    name: &str,
    roles: &[Equivariance],
    base: &FitReport<AnyUnivariate>,
    got: &FitReport<AnyUnivariate>,
    (m, c): (f64, f64),
    y: &[f64],
) -> Result<(), String> {
    let what = format!("{name} m={m:e} c={c:e}");
    let tol = if base.method == FitMethod::ClosedForm && got.method == FitMethod::ClosedForm { 1e-10 } else { 1e-6 };
    let top = y.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    // The spread of x′ (its median absolute deviation: the location
    // information of every family here is at most 1/MAD²).
    let mut xs: Vec<f64> = y.iter().map(|v| (v - m) / c).collect();
    xs.sort_by(f64::total_cmp);
    let med = xs[N / 2];
    let mut dev: Vec<f64> = xs.iter().map(|v| (v - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let mad = dev[N / 2];
    // A location estimate of y is rounded to y's grid: it is off its exact
    // value by up to half an ulp of the largest |y| (in units of x′).
    let has_location = roles.contains(&Equivariance::Location);
    let grid = if has_location { 0.5 * ulp(top) / c / mad } else { 0.0 };
    for (i, role) in roles.iter().enumerate() {
        let want = role.forward(base.estimates[i], m, c);
        let g = got.estimates[i];
        let ok = match role {
            Equivariance::Location => (g - want).abs() <= tol * c * mad + 2.0 * ulp(top),
            Equivariance::LogLocation => (g - want).abs() <= tol * (1.0 + want.abs()),
            _ => (g - want).abs() <= tol * want.abs(),
        };
        if !ok {
            return Err(format!("{what}: {} = {g:e}, want {want:e}", got.names[i]));
        }
        // Standard errors from the information at the rounded location move
        // by O(grid²) (the cross terms no longer vanish).
        let (se, se_want) = (got.std_errors[i], base.std_errors[i] * role.derivative(c));
        let both_nan = se.is_nan() && se_want.is_nan();
        if !both_nan && !((se - se_want).abs() <= (10.0 * tol + 4.0 * grid * grid) * se_want) {
            return Err(format!("{what}: se({}) = {se:e}, want {se_want:e}", got.names[i]));
        }
    }
    let want_ll = base.log_likelihood - N as f64 * c.ln();
    let slack = 1e-9 * N as f64 * (1.0 + (base.log_likelihood / N as f64).abs()) + N as f64 * grid * grid;
    if !((got.log_likelihood - want_ll).abs() <= slack) {
        return Err(format!("{what}: log L = {:e}, want {want_ll:e} (± {slack:e})", got.log_likelihood));
    }
    Ok(())
}

#[test]
fn every_fit_moves_with_the_data_over_six_hundred_decades() {
    let mut failures = Vec::new();
    let mut fits = 0;
    for (seed, (name, params)) in cases().into_iter().enumerate() {
        let family = Family::from_name(name).unwrap();
        let roles = AnyUnivariate::equivariance(name).expect("declared");
        let shifts = roles.contains(&Equivariance::Location);
        let x = sample(name, &params, 11 + seed as u64);
        for k in [-1000i32, -996, -500, -43, -1, 0, 1, 43, 500, 960] {
            let c = 2f64.powi(k);
            let offsets: &[f64] = if shifts { &[0.0, 1e15, -3e6, 1e12] } else { &[0.0] };
            for &d in offsets {
                let m = d * c;
                let y: Vec<f64> = x.iter().map(|v| m + c * v).collect();
                if !y.iter().all(|v| v.is_finite()) || !m.is_finite() {
                    continue;
                }
                let xb: Vec<f64> = y.iter().map(|v| (v - m) / c).collect();
                let base = match fit_family(&family, &xb, &FitOptions::default()) {
                    Ok(r) => r,
                    Err(e) => {
                        failures.push(format!("{name} base of m={m:e} c=2^{k}: {e}"));
                        continue;
                    }
                };
                fits += 1;
                match fit_family(&family, &y, &FitOptions::default()) {
                    Ok(r) => {
                        if let Err(e) = compare(name, roles, &base, &r, (m, c), &y) {
                            failures.push(e);
                        }
                    }
                    Err(e) => failures.push(format!("{name} m={m:e} c=2^{k}: {e}")),
                }
            }
        }
    }
    assert!(fits > 150, "only {fits} fits ran");
    assert!(failures.is_empty(), "{} of {fits} rescaled fits disagree:\n{}", failures.len(), failures.join("\n"));
}

/// The same through known parameters: a fixed value is moved with the data.
#[test]
fn fixed_parameters_move_with_the_data() {
    let x = sample("student_t", &[("location", 0.3), ("scale", 1.0), ("dof", 4.0)], 5);
    let fixed = |v: f64| FitOptions { fixed: vec![("dof".into(), v)], ..FitOptions::default() };
    let base = fit_family(&Family::StudentT, &x, &fixed(4.0)).unwrap();
    let c = 2f64.powi(-900);
    let y: Vec<f64> = x.iter().map(|v| 7.0 * c + c * v).collect();
    let r = fit_family(&Family::StudentT, &y, &fixed(4.0)).unwrap();
    assert_eq!(r.estimates[2], 4.0);
    assert!((r.estimates[1] / c - base.estimates[1]).abs() <= 1e-6 * base.estimates[1]);
    // A fixed location is a location: it moves too.
    let loc = |v: f64| FitOptions { fixed: vec![("location".into(), v)], ..FitOptions::default() };
    let base = fit_family(&Family::Cauchy, &x, &loc(0.25)).unwrap();
    let r = fit_family(&Family::Cauchy, &y, &loc(7.0 * c + 0.25 * c)).unwrap();
    assert!((r.estimates[1] / c - base.estimates[1]).abs() <= 1e-6 * base.estimates[1]);
    assert!(r.std_errors[0].is_nan() && r.std_errors[1] > 0.0);
}

/// A partial report of a fit that did not converge is reported in the
/// data's units too.
#[test]
fn errors_name_the_data_not_the_standardised_values() {
    let mut y: Vec<f64> = (1..50).map(|i| 1e200 * f64::from(i)).collect();
    y.push(-1e200);
    match fit_family(&Family::Gamma, &y, &FitOptions::default()) {
        Err(xent_fit::FitFailure::OutOfSupport { first_index, first_value, .. }) => {
            assert_eq!((first_index, first_value), (49, -1e200));
        }
        other => panic!("{other:?}"),
    }
}

/// Regressions: features `c·(x + d)` give slopes divided by `c` and an
/// intercept less `Σ βⱼ d` (against the fit of the features those numbers
/// represent exactly, `x′ = c·(x + d)/c − d`), the same log-likelihood and
/// standard errors moved alike — for every conditional model, `c` from
/// 2⁻¹⁰⁰⁰ to 2⁹⁰⁰ and `d` up to 10¹⁵ (a column that, as it stands, is
/// within ε of the intercept). Linear regression also with targets
/// `a·y + b`. Tolerances: 1e-8 relative for coefficients (Newton stops at a
/// gradient of 1e-10 on a standardised design; least squares is exact to
/// rounding), the intercept relative to the size of what it absorbs.
#[test]
fn every_regression_moves_with_its_features() {
    use nalgebra::DMatrix;
    use xent_fit::{fit_conditional, fit_linear};
    use xent_objectives::conditional::{Design, Logistic, PoissonLog, Softmax};

    let n = 300;
    let x = DMatrix::from_fn(n, 2, |i, j| {
        ((i * (2 * j + 3)) % 17) as f64 / 8.0 - 1.0 + j as f64 * 0.1 + ((i * 7 + j) % 5) as f64 * 0.03
    });
    let yl: Vec<f64> =
        (0..n).map(|i| 0.5 + 0.8 * x[(i, 0)] - 0.3 * x[(i, 1)] + ((i * 37) % 11) as f64 / 10.0).collect();
    let yb: Vec<f64> =
        (0..n).map(|i| f64::from(u8::from((i * 7919) % 10 < 3 + usize::from(x[(i, 0)] > 0.0) * 3))).collect();
    let yc: Vec<f64> = (0..n).map(|i| ((i * 31) % 5) as f64 + f64::from(u8::from(x[(i, 1)] > 0.0))).collect();
    let ys: Vec<f64> = (0..n).map(|i| ((i * 13 + usize::from(x[(i, 0)] > 0.3)) % 3) as f64).collect();
    let opts = FitOptions::default();
    type Fit = Result<xent_fit::FitReport, xent_fit::FitFailure>;
    let all = |x: &DMatrix<f64>, yl: &[f64]| -> Vec<(&'static str, Fit)> {
        let d = Design::new(x, true).unwrap();
        vec![
            ("linear", fit_linear(&d, yl, &opts)),
            ("logistic", fit_conditional(Logistic, &d, &yb, &opts)),
            ("poisson", fit_conditional(PoissonLog, &d, &yc, &opts)),
            ("softmax", fit_conditional(Softmax::new(3).unwrap(), &d, &ys, &opts)),
        ]
    };
    let p = 3;
    let mut failures = Vec::new();
    let mut checked = 0;
    for k in [-1000i32, -500, -40, 0, 40, 500, 900] {
        for d in [0.0, 1e6, 1e15] {
            let c = 2f64.powi(k);
            let xs = x.map(|v| c * (v + d));
            let xb = xs.map(|v| v / c - d);
            for ((model, got), (_, base)) in all(&xs, &yl).into_iter().zip(all(&xb, &yl)) {
                let what = format!("{model} c=2^{k} d={d:e}");
                let (got, base) = match (got, base) {
                    (Ok(g), Ok(b)) => (g, b),
                    (g, b) => {
                        failures.push(format!("{what}: {:?} / base {:?}", g.err(), b.err()));
                        continue;
                    }
                };
                checked += 1;
                let blocks = base.estimates.len() / p;
                for b in 0..blocks {
                    let o = b * p;
                    let slopes: Vec<f64> = (1..p).map(|j| base.estimates[o + j]).collect();
                    for j in 1..p {
                        let want = slopes[j - 1] / c;
                        if !((got.estimates[o + j] - want).abs() <= 1e-8 * want.abs()) {
                            failures.push(format!(
                                "{what}: {} = {:e}, want {want:e}",
                                got.names[o + j],
                                got.estimates[o + j]
                            ));
                        }
                        let se_want = base.std_errors[o + j] / c;
                        if !((got.std_errors[o + j] - se_want).abs() <= 1e-6 * se_want) {
                            failures.push(format!(
                                "{what}: se {} = {:e}, want {se_want:e}",
                                got.names[o + j],
                                got.std_errors[o + j]
                            ));
                        }
                    }
                    let absorbed: f64 = slopes.iter().map(|b| b * d).sum();
                    let want = base.estimates[o] - absorbed;
                    let size = base.estimates[o].abs() + slopes.iter().map(|b| (b * d).abs()).sum::<f64>();
                    if !((got.estimates[o] - want).abs() <= 1e-8 * size.max(1e-300)) {
                        failures.push(format!("{what}: intercept {:e}, want {want:e}", got.estimates[o]));
                    }
                }
                if !((got.log_likelihood - base.log_likelihood).abs() <= 1e-9 * n as f64) {
                    failures.push(format!("{what}: log L {} vs {}", got.log_likelihood, base.log_likelihood));
                }
            }
        }
    }
    // Targets a·y + b for the linear model: β → aβ (+ b in the intercept), σ → aσ.
    let design = Design::new(&x, true).unwrap();
    let base = fit_linear(&design, &yl, &opts).unwrap();
    for k in [-1000i32, -40, 40, 900] {
        let a = 2f64.powi(k);
        let b = 3.0 * a;
        let y2: Vec<f64> = yl.iter().map(|v| a * v + b).collect();
        let r = fit_linear(&design, &y2, &opts).unwrap();
        for (i, (g, w)) in r.estimates.iter().zip(&base.estimates).enumerate() {
            let want = a * w + if i == 0 { b } else { 0.0 };
            if !((g - want).abs() <= 1e-10 * want.abs().max(a)) {
                failures.push(format!("linear y·2^{k}: {} = {g:e}, want {want:e}", r.names[i]));
            }
        }
        let ll = base.log_likelihood - n as f64 * a.ln();
        if !((r.log_likelihood - ll).abs() <= 1e-9 * n as f64 * (1.0 + ll.abs() / n as f64)) {
            failures.push(format!("linear y·2^{k}: log L {} vs {ll}", r.log_likelihood));
        }
    }
    assert!(checked >= 80, "only {checked} regressions compared");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
