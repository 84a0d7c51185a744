//! Profile-likelihood intervals and likelihood-ratio tests: closed forms
//! (a normal's mean and σ, an exponential's rate), statsmodels + brentq
//! profiles of three GLMs (`profile_95` in
//! `tests/reference/data/glm_statsmodels.json`, computed independently by
//! `tests/reference/scripts/glm_statsmodels.py`), and Wilks' χ² p-values.

use nalgebra::DMatrix;
use serde_json::Value;
use xent_fit::{
    FitOptions, GlmData, fit_conditional, fit_family, fit_glm, log_exposure, lr_test, profile_intervals_family,
    profile_intervals_glm,
};
use xent_objectives::Family;
use xent_objectives::conditional::{BinomialLogit, Design, Logistic, PoissonLog};
use xent_reference::generated_path;

const Q95: f64 = 3.841_458_820_694_124;

/// The root of a decreasing `f` on `(a, b)` by bisection (independent of
/// the library's Illinois search).
fn bisect(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if (f(m) > 0.0) == (f(a) > 0.0) { a = m } else { b = m }
    }
    0.5 * (a + b)
}

/// Normal: the mean's profile is `n ln(1 + (x̄ − μ)²/s²) = q`, so
/// `μ = x̄ ± s √(e^{q/n} − 1)`; σ's is `n(r − 1 − ln r) = q` with `r = s²/σ²`.
/// Exponential: `2n(r − 1 − ln r) = q` with `r = λ/λ̂`.
#[test]
fn closed_form_profiles() {
    let x: Vec<f64> = (0..25).map(|i| 3.0 + ((i * 37 % 23) as f64 - 11.0) / 4.0).collect();
    let n = x.len() as f64;
    let opts = FitOptions::default();
    let r = fit_family(&Family::Normal, &x, &opts).unwrap();
    let ci = profile_intervals_family(&Family::Normal, &x, None, &r, 0.95, &opts).unwrap();
    let (m, s) = (r.estimates[0], r.estimates[1]);
    let half = s * ((Q95 / n).exp() - 1.0).sqrt();
    assert!((ci[0].0 - (m - half)).abs() < 1e-8 && (ci[0].1 - (m + half)).abs() < 1e-8, "{ci:?}");
    let g = |sigma: f64| {
        let r = (s / sigma).powi(2);
        n * (r - 1.0 - r.ln()) - Q95
    };
    let (lo, hi) = (bisect(g, s / 10.0, s), bisect(g, s, 10.0 * s));
    assert!((ci[1].0 - lo).abs() < 1e-8 * s && (ci[1].1 - hi).abs() < 1e-8 * s, "{:?} vs {lo} {hi}", ci[1]);
    // Exponential: asymmetric, unlike its Wald interval.
    let e = fit_family(&Family::Exponential, &x, &opts).unwrap();
    let ci = profile_intervals_family(&Family::Exponential, &x, None, &e, 0.95, &opts).unwrap();
    let l = e.estimates[0];
    let g = |lambda: f64| {
        let r = lambda / l;
        2.0 * n * (r - 1.0 - r.ln()) - Q95
    };
    let (lo, hi) = (bisect(g, l / 10.0, l), bisect(g, l, 10.0 * l));
    assert!((ci[0].0 - lo).abs() < 1e-8 * l && (ci[0].1 - hi).abs() < 1e-8 * l, "{:?} vs {lo} {hi}", ci[0]);
    // Weighted: the interval of the expanded data.
    let w: Vec<f64> = (0..x.len()).map(|i| (1 + i % 3) as f64).collect();
    let xe: Vec<f64> = x.iter().zip(&w).flat_map(|(v, w)| std::iter::repeat_n(*v, *w as usize)).collect();
    let a = xent_fit::fit_family_weighted(&Family::Gamma, &x, &w, &opts).unwrap();
    let b = fit_family(&Family::Gamma, &xe, &opts).unwrap();
    let ca = profile_intervals_family(&Family::Gamma, &x, Some(&w), &a, 0.9, &opts).unwrap();
    let cb = profile_intervals_family(&Family::Gamma, &xe, None, &b, 0.9, &opts).unwrap();
    for (p, q) in ca.iter().zip(&cb) {
        assert!((p.0 - q.0).abs() < 1e-7 * q.0.abs() && (p.1 - q.1).abs() < 1e-7 * q.1.abs(), "{p:?} {q:?}");
    }
}

/// The coefficients' profiles of three GLMs against statsmodels + brentq,
/// to 1e-7 (both sides solve the profile equation to ~1e-10; the refits'
/// optimisers stop at gradients of 1e-10 and 1e-14).
#[test]
fn glm_profiles_match_statsmodels() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(generated_path("glm_statsmodels.json")).unwrap()).unwrap();
    let mut seen = 0;
    for c in doc["cases"].as_array().unwrap().iter().filter(|c| c.get("profile_95").is_some()) {
        seen += 1;
        let col = |k: &str| -> Option<Vec<f64>> {
            c["columns"].get(k).map(|v| v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect())
        };
        let (x1, x2, y) = (col("x1").unwrap(), col("x2").unwrap(), col("y").unwrap());
        let x = DMatrix::from_fn(y.len(), 2, |i, j| if j == 0 { x1[i] } else { x2[i] });
        let design = Design::new(&x, true).unwrap();
        let offset = match (col("offset"), col("exposure")) {
            (Some(o), _) => Some(o),
            (None, Some(e)) => Some(log_exposure(&e).unwrap()),
            _ => None,
        };
        let opts = FitOptions::default();
        let ci = match c["model"].as_str().unwrap() {
            "poisson" => {
                let data = GlmData::new(&design, &y).with_offset(offset.as_deref().unwrap());
                let r = fit_glm(PoissonLog, &data, &opts).unwrap();
                profile_intervals_glm(PoissonLog, &data, &r, 0.95, &opts).unwrap()
            }
            "logistic" => {
                let data = GlmData::new(&design, &y).with_offset(offset.as_deref().unwrap());
                let r = fit_glm(Logistic, &data, &opts).unwrap();
                profile_intervals_glm(Logistic, &data, &r, 0.95, &opts).unwrap()
            }
            _ => {
                // Binomial counts: proportions weighted by their trials (the
                // constant Σ ln C(n, s) cancels in the profile).
                let trials = col("trials").unwrap();
                let p: Vec<f64> = y.iter().zip(&trials).map(|(s, n)| s / n).collect();
                let data = GlmData::new(&design, &p).with_weights(&trials);
                let r = fit_glm(BinomialLogit, &data, &opts).unwrap();
                profile_intervals_glm(BinomialLogit, &data, &r, 0.95, &opts).unwrap()
            }
        };
        let want = c["profile_95"].as_array().unwrap();
        for (j, (got, w)) in ci.iter().zip(want).enumerate() {
            let (lo, hi) = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
            assert!(
                (got.0 - lo).abs() < 1e-7 * lo.abs().max(1.0) && (got.1 - hi).abs() < 1e-7 * hi.abs().max(1.0),
                "{} β{j}: {got:?} vs statsmodels [{lo}, {hi}]",
                c["name"]
            );
        }
    }
    assert_eq!(seen, 3);
}

/// Dispersion parameters are profiled too (the model's extra held fixed):
/// for the linear model, σ's interval is the closed form of
/// `closed_form_profiles` with the residual variance.
#[test]
fn extra_parameters_are_profiled() {
    let n = 40;
    let x = DMatrix::from_fn(n, 1, |i, _| i as f64 / 10.0);
    let y: Vec<f64> = (0..n).map(|i| 1.0 + 0.5 * i as f64 / 10.0 + ((i * 17 % 11) as f64 - 5.0) / 6.0).collect();
    let design = Design::new(&x, true).unwrap();
    let opts = FitOptions::default();
    let data = GlmData::new(&design, &y);
    let lg = xent_objectives::conditional::LinearGaussian;
    let r = fit_glm(lg, &data, &opts).unwrap();
    let ci = profile_intervals_glm(lg, &data, &r, 0.95, &opts).unwrap();
    let ln_s = r.estimates[2];
    let g = |t: f64| {
        let ratio = (2.0 * (ln_s - t)).exp();
        n as f64 * (ratio - 1.0 - ratio.ln()) - Q95
    };
    let (lo, hi) = (bisect(g, ln_s - 3.0, ln_s), bisect(g, ln_s, ln_s + 3.0));
    assert!((ci[2].0 - lo).abs() < 1e-7 && (ci[2].1 - hi).abs() < 1e-7, "{:?} vs {lo} {hi}", ci[2]);
    // The slope's profile is inside a slightly wider interval than Wald's
    // t-free one only through σ: close to Wald for this near-normal fit.
    let (w0, w1) = r.wald_interval(1, 0.95);
    assert!((ci[1].0 - w0).abs() < 0.05 * (w1 - w0) && (ci[1].1 - w1).abs() < 0.05 * (w1 - w0));
}

/// Wilks: dropping a feature of a logistic regression; the p-value of
/// two degrees of freedom is `e^{−T/2}` exactly.
#[test]
fn likelihood_ratio_tests() {
    let n = 200;
    let x = DMatrix::from_fn(n, 2, |i, j| (((i * (7 + 5 * j)) % 13) as f64 - 6.0) / 3.0);
    let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from((x[(i, 0)] + 0.3 * ((i % 5) as f64 - 2.0)) > 0.0))).collect();
    let full = fit_conditional(Logistic, &Design::new(&x, true).unwrap(), &y, &FitOptions::default()).unwrap();
    let small = fit_conditional(
        Logistic,
        &Design::new(&x.columns(0, 1).into_owned(), true).unwrap(),
        &y,
        &FitOptions::default(),
    )
    .unwrap();
    let none =
        fit_conditional(Logistic, &Design::new(&DMatrix::zeros(n, 0), true).unwrap(), &y, &FitOptions::default())
            .unwrap();
    let t = lr_test(&small, &full).unwrap();
    assert_eq!(t.df, 1);
    assert!((t.statistic - 2.0 * (full.log_likelihood - small.log_likelihood)).abs() < 1e-12);
    let t2 = lr_test(&none, &full).unwrap();
    assert_eq!(t2.df, 2);
    assert!((t2.p_value - (-t2.statistic / 2.0).exp()).abs() <= 1e-12 * t2.p_value.max(1e-300), "{t2:?}");
}
