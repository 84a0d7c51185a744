//! Censored and truncated fits: every case of
//! `tests/reference/data/censored_fits.json` (SciPy's `fit` on
//! `CensoredData`, polished; from `tests/reference/scripts/censored_scipy.py`),
//! read at run time, and their own properties: weights as repeated rows,
//! an all-exact sample as the plain fit, typed errors.

use serde_json::Value;
use xent_fit::{FitFailure, FitOptions, fit_censored, fit_family, fit_truncated};
use xent_objectives::{Family, Observation};
use xent_reference::generated_path;

fn observation(o: &Value) -> Observation {
    let a = o[1].as_f64().expect("a");
    match o[0].as_str().expect("kind") {
        "exact" => Observation::Exact(a),
        "left" => Observation::Left(a),
        "right" => Observation::Right(a),
        "interval" => Observation::Interval(a, o[2].as_f64().expect("b")),
        k => panic!("kind {k}"),
    }
}

fn bound(v: &Value) -> f64 {
    match v.as_str() {
        Some("inf") => f64::INFINITY,
        Some("-inf") => f64::NEG_INFINITY,
        _ => v.as_f64().expect("bound"),
    }
}

/// Every case: the log-likelihood no lower than SciPy's minus 1e-9
/// relative (xent's optimum is at least as good), every parameter within
/// 1e-6 relative (the polished reference's own accuracy: Nelder–Mead to
/// 1e-13 in the unconstrained parameters after BFGS), finite positive
/// standard errors.
#[test]
fn every_case_matches_scipy() {
    let path = generated_path("censored_fits.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("reference")).expect("JSON");
    let cases = doc["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    for c in cases {
        let family = Family::from_name(c["family"].as_str().unwrap()).expect("family");
        let kind = c["kind"].as_str().unwrap();
        let fit = if kind == "censored" {
            let obs: Vec<Observation> = c["observations"].as_array().unwrap().iter().map(observation).collect();
            fit_censored(&family, &obs, None, &FitOptions::default())
        } else {
            let x: Vec<f64> = c["data"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            fit_truncated(&family, &x, bound(&c["low"]), bound(&c["high"]), None, &FitOptions::default())
        };
        let label = format!("{} {kind}", c["family"]);
        let r = match fit {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        let ll = c["log_likelihood"].as_f64().unwrap();
        if r.log_likelihood < ll - 1e-9 * ll.abs() {
            failures.push(format!("{label}: log-likelihood {} < SciPy's {ll}", r.log_likelihood));
        }
        for (name, want) in c["params"].as_object().unwrap() {
            let want = want.as_f64().unwrap();
            let got = r.estimate(name).unwrap_or(f64::NAN);
            if !((got - want).abs() <= 1e-6 * want.abs().max(1e-3)) {
                failures.push(format!("{label}: {name} = {got}, SciPy {want}"));
            }
        }
        if !r.std_errors.iter().all(|s| s.is_finite() && *s > 0.0) {
            failures.push(format!("{label}: standard errors {:?}", r.std_errors));
        }
    }
    assert!(cases.len() >= 15, "{} cases", cases.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Only exact observations: the censored fit is the plain one.
#[test]
fn exact_observations_are_the_plain_fit() {
    let x: Vec<f64> = (1..=40).map(|i| 0.5 + f64::from(i % 9) * 0.7 + f64::from(i) / 40.0).collect();
    for family in [Family::Gamma, Family::Weibull, Family::Normal, Family::LogNormal, Family::InverseGaussian] {
        let obs: Vec<Observation> = x.iter().map(|&v| Observation::Exact(v)).collect();
        let a = fit_censored(&family, &obs, None, &FitOptions::default()).unwrap();
        let b = fit_family(&family, &x, &FitOptions::default()).unwrap();
        for i in 0..a.estimates.len() {
            assert!((a.estimates[i] - b.estimates[i]).abs() < 1e-7 * b.estimates[i].abs().max(1.0), "{family:?}");
            assert!((a.std_errors[i] - b.std_errors[i]).abs() < 1e-5 * b.std_errors[i], "{family:?}");
        }
        assert!((a.log_likelihood - b.log_likelihood).abs() < 1e-9 * b.log_likelihood.abs());
    }
}

/// Weights are repeated observations, censored ones included.
#[test]
fn weights_are_repeated_observations() {
    let obs = [
        Observation::Exact(2.0),
        Observation::Exact(3.5),
        Observation::Left(1.0),
        Observation::Right(6.0),
        Observation::Interval(2.5, 4.0),
        Observation::Exact(5.0),
    ];
    let w = [2.0, 1.0, 3.0, 2.0, 1.0, 0.0];
    let expanded: Vec<Observation> = obs.iter().zip(w).flat_map(|(o, w)| std::iter::repeat_n(*o, w as usize)).collect();
    let a = fit_censored(&Family::Weibull, &obs, Some(&w), &FitOptions::default()).unwrap();
    let b = fit_censored(&Family::Weibull, &expanded, None, &FitOptions::default()).unwrap();
    assert_eq!(a.n, b.n);
    for i in 0..2 {
        assert!((a.estimates[i] - b.estimates[i]).abs() < 1e-8 * b.estimates[i]);
        assert!((a.std_errors[i] - b.std_errors[i]).abs() < 1e-6 * b.std_errors[i]);
    }
}

/// Typed errors: a discrete family, an empty interval, a NaN limit, an
/// exact value outside the support, a value outside the truncation, a
/// limit of probability 0 — each naming what is wrong.
#[test]
fn bad_censored_data_are_typed_errors() {
    let o = FitOptions::default();
    let ok = [Observation::Exact(1.0), Observation::Exact(2.0), Observation::Right(3.0)];
    assert!(fit_censored(&Family::Poisson, &ok, None, &o).is_err());
    let e = fit_censored(&Family::Gamma, &[Observation::Exact(1.0), Observation::Interval(3.0, 2.0)], None, &o);
    assert!(e.unwrap_err().to_string().contains("empty"));
    let e = fit_censored(&Family::Gamma, &[Observation::Exact(1.0), Observation::Left(f64::NAN)], None, &o);
    assert!(e.unwrap_err().to_string().contains("not finite"));
    let e = fit_censored(&Family::Gamma, &[Observation::Exact(-1.0), Observation::Exact(2.0)], None, &o);
    assert!(matches!(e, Err(FitFailure::OutOfSupport { first_index: 0, .. })));
    let e = fit_censored(
        &Family::Gamma,
        &[Observation::Exact(1.0), Observation::Exact(2.0), Observation::Left(0.0)],
        None,
        &o,
    );
    assert!(e.unwrap_err().to_string().contains("probability 0"), "a limit at the support's end");
    let e = fit_truncated(&Family::Normal, &[1.0, 2.0, 7.0], 0.0, 5.0, None, &o);
    assert!(matches!(e, Err(FitFailure::OutOfSupport { first_index: 2, .. })));
    assert!(fit_truncated(&Family::Normal, &[1.0, 2.0], 5.0, 0.0, None, &o).is_err());
}

/// Every observation right-censored: the likelihood increases without
/// bound as the scale grows — never a "converged" estimate.
#[test]
fn all_censored_data_have_no_finite_mle() {
    let obs: Vec<Observation> = (1..=20).map(|i| Observation::Right(f64::from(i))).collect();
    let r = fit_censored(&Family::Exponential, &obs, None, &FitOptions::default());
    assert!(r.is_err(), "{r:?}");
}
