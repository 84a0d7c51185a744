//! Fits: every row of `mle_fits.csv` and every model of `glm_fits.json`
//! (read at run time), and every failure path of the fitting API.

use serde_json::Value;
use xent_fit::{
    Covariance, FitFailure, FitMethod, FitOptions, fit_conditional, fit_family, fit_linear, ols_std_errors,
};
use xent_objectives::conditional::{Design, Logistic, PoissonLog, Softmax};
use xent_objectives::{Family, Model};
use xent_reference::{parse_params, read_rows};
use xent_reference::{read_dataset as read_x, read_xy, reference_dir};

#[test]
fn every_mle_fit_matches_the_reference() {
    let mut failures = Vec::new();
    let mut rows = 0;
    for row in read_rows("mle_fits.csv") {
        rows += 1;
        let Some(family) = Family::from_name(row.get("family")) else {
            failures.push(format!("unknown family {}", row.get("family")));
            continue;
        };
        let data = read_x(row.get("dataset"));
        assert_eq!(data.len(), row.get("n").parse::<usize>().unwrap(), "{}: n", row.get("dataset"));
        let want_ll: f64 = row.get("log_likelihood").parse().unwrap();
        let want = parse_params(row.get("mle_params"));
        match fit_family(&family, &data, &FitOptions::default()) {
            Ok(r) => {
                let tol = if r.method == FitMethod::ClosedForm { 1e-6 } else { 1e-5 };
                if r.log_likelihood < want_ll - 1e-9 * want_ll.abs() {
                    failures.push(format!(
                        "{}: log-likelihood {} < reference {want_ll}",
                        row.get("family"),
                        r.log_likelihood
                    ));
                }
                for (name, w) in &want {
                    match r.estimate(name) {
                        Some(g) if (g - w).abs() <= tol * w.abs() => {}
                        got => failures.push(format!("{}: {name} = {got:?}, want {w} (±{tol} rel)", row.get("family"))),
                    }
                }
                if r.std_errors.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
                    failures.push(format!("{}: standard errors {:?}", row.get("family"), r.std_errors));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", row.get("family"))),
        }
    }
    assert!(rows > 0);
    assert!(failures.is_empty(), "{} failures:\n  {}", failures.len(), failures.join("\n  "));
}

#[test]
fn every_glm_fit_matches_statsmodels() {
    let text = std::fs::read_to_string(reference_dir().join("glm_fits.json")).expect("glm_fits.json");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let nums =
        |v: &Value| -> Vec<f64> { v.as_array().expect("array").iter().map(|x| x.as_f64().expect("f64")).collect() };
    let close = |a: f64, b: f64, rel: f64| (a - b).abs() <= rel * b.abs().max(1e-300);
    let mut checked = 0;
    for (name, fit) in doc.as_object().expect("object") {
        let dataset = fit["dataset"].as_str().expect("dataset");
        let Some((x, y)) = read_xy(dataset) else {
            // pub_poisson.csv holds the univariate Poisson sample, not GLM data:
            // reported upstream.
            eprintln!("{name}: {dataset} has no column y; skipped");
            continue;
        };
        let design = Design::new(&x, fit["intercept_first"].as_bool().unwrap_or(true)).unwrap();
        let opts = FitOptions::default();
        let report = match name.as_str() {
            "linear" => {
                let r = fit_linear(&design, &y, &FitOptions::default()).unwrap();
                for (a, b) in ols_std_errors(&design, &y).unwrap().iter().zip(nums(&fit["std_err_ols"])) {
                    assert!(close(*a, b, 1e-8), "linear OLS se {a} vs {b}");
                }
                assert!(close(r.estimate("sigma").unwrap(), fit["sigma_mle"].as_f64().unwrap(), 1e-10));
                r
            }
            "logistic" => fit_conditional(Logistic, &design, &y, &opts).unwrap(),
            "poisson" => fit_conditional(PoissonLog, &design, &y, &opts).unwrap(),
            "softmax" => {
                let k = fit["classes"].as_u64().unwrap() as usize;
                fit_conditional(Softmax::new(k).unwrap(), &design, &y, &opts).unwrap()
            }
            "separable" => {
                let err = fit_conditional(Logistic, &design, &y, &opts).expect_err("separable data has no MLE");
                assert!(matches!(&err, FitFailure::NoFiniteMle { reason } if reason.contains("separation")), "{err}");
                checked += 1;
                continue;
            }
            other => panic!("unknown model {other}"),
        };
        let coef: Vec<f64> = match name.as_str() {
            "softmax" => fit["coef_vs_reference"].as_array().unwrap().iter().flat_map(nums).collect(),
            _ => nums(&fit["coef"]),
        };
        for (i, c) in coef.iter().enumerate() {
            assert!(
                (report.estimates[i] - c).abs() <= 1e-7 * c.abs().max(1.0),
                "{name}: coef[{i}] {} vs {c}",
                report.estimates[i]
            );
        }
        let se_key = if name == "softmax" { "std_err_vs_reference" } else { "std_err" };
        if let Some(se) = fit.get(se_key) {
            let se: Vec<f64> =
                if name == "softmax" { se.as_array().unwrap().iter().flat_map(nums).collect() } else { nums(se) };
            for (i, s) in se.iter().enumerate() {
                assert!(close(report.std_errors[i], *s, 1e-6), "{name}: se[{i}] {} vs {s}", report.std_errors[i]);
            }
        }
        let ll = fit["log_likelihood"].as_f64().unwrap();
        assert!(
            report.log_likelihood >= ll - 1e-9 * ll.abs(),
            "{name}: log-likelihood {} vs {ll}",
            report.log_likelihood
        );
        for (key, got) in [("aic", report.aic()), ("bic", report.bic())] {
            if let Some(w) = fit.get(key).and_then(Value::as_f64) {
                assert!(close(got, w, 1e-10), "{name}: {key} {got} vs {w}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 4, "checked {checked} models");
}

#[test]
fn failure_paths_are_typed_and_actionable() {
    let same = [2.0; 10];
    assert!(matches!(fit_family(&Family::Gamma, &same, &FitOptions::default()), Err(FitFailure::NoFiniteMle { .. })));
    assert!(matches!(fit_family(&Family::Normal, &same, &FitOptions::default()), Err(FitFailure::NoFiniteMle { .. })));
    let neg = [1.0, -2.0, 3.0, -4.0];
    match fit_family(&Family::Gamma, &neg, &FitOptions::default()) {
        Err(FitFailure::OutOfSupport { count: 2, first_index: 1, first_value, .. }) => assert_eq!(first_value, -2.0),
        other => panic!("{other:?}"),
    }
    match fit_family(&Family::Exponential, &neg, &FitOptions::default()) {
        Err(e @ FitFailure::OutOfSupport { count: 2, first_index: 1, .. }) => {
            assert!(e.to_string().contains("2 observations are outside the support"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        fit_family(&Family::StudentT, &[1.0, 2.0], &FitOptions::default()),
        Err(FitFailure::TooFewObservations { n: 2.0, parameters: 3 })
    ));
    let data: Vec<f64> = (1..50).map(|i| f64::from(i) * 0.37 % 5.0 + 0.1).collect();
    let opts = FitOptions {
        optim: xent_optim::Options { max_iterations: 1, ..FitOptions::default().optim },
        ..FitOptions::default()
    };
    match fit_family(&Family::Weibull, &data, &opts) {
        Err(FitFailure::NotConverged { report }) => assert!(report.log_likelihood.is_finite()),
        other => panic!("{other:?}"),
    }
    // Fixed parameters: a known dof is held and gets no standard error.
    let opts = FitOptions { fixed: vec![("dof".into(), 5.0)], ..FitOptions::default() };
    let r = fit_family(&Family::StudentT, &data, &opts).unwrap();
    assert_eq!(r.estimate("dof"), Some(5.0));
    assert!(r.std_errors[2].is_nan() && r.std_errors[0] > 0.0);
    assert_eq!(r.k, 2);
    let bad = FitOptions { fixed: vec![("nu".into(), 5.0)], ..FitOptions::default() };
    assert!(fit_family(&Family::StudentT, &data, &bad).is_err());
    assert!(fit_family(&Family::Normal, &[], &FitOptions::default()).is_err());
    assert!(fit_family(&Family::Normal, &[1.0, f64::NAN], &FitOptions::default()).is_err());
}

#[test]
fn laplace_standard_errors_use_the_expected_information() {
    let data = read_x("pub_laplace.csv");
    let r = fit_family(&Family::Laplace, &data, &FitOptions::default()).unwrap();
    let want = r.estimates[1] / (data.len() as f64).sqrt();
    for s in &r.std_errors {
        assert!((s - want).abs() < 1e-12 * want, "{s} vs b/√n = {want}");
    }
    // The observed information is singular there, and the report says which
    // information it used instead.
    assert_eq!(r.information, Covariance::Expected);
}

#[test]
fn robust_errors_agree_with_model_errors_when_the_model_is_right() {
    let data = read_x("pub_gamma.csv");
    let r = fit_family(&Family::Gamma, &data, &FitOptions::default()).unwrap();
    let sandwich = FitOptions::default().with_covariance(Covariance::Sandwich);
    let robust = fit_family(&Family::Gamma, &data, &sandwich).unwrap();
    assert_eq!((r.information, robust.information), (Covariance::Observed, Covariance::Sandwich));
    assert_eq!(robust.estimates, r.estimates);
    for (a, b) in r.std_errors.iter().zip(&robust.std_errors) {
        assert!((a - b).abs() < 0.15 * a && a != b, "model se {a} vs sandwich {b}");
    }
    let (lo, hi) = r.wald_interval(0, 0.95);
    assert!(lo < r.estimates[0] && r.estimates[0] < hi);
    assert!(((hi - lo) / (2.0 * r.std_errors[0]) - 1.959_963_984_540_054).abs() < 1e-9);
    let c = r.correlation();
    assert!((c[(0, 0)] - 1.0).abs() < 1e-12 && c[(0, 1)].abs() < 1.0);
    assert_eq!(r.names, Family::Gamma.param_names());
}

/// The streaming path (statistics pushed one value at a time, merged from
/// parts) reaches the in-memory fit for every exponential-family row of
/// `mle_fits.csv`: the same optimum to optimiser precision and the same
/// observed-information standard errors.
#[test]
fn streamed_fits_equal_in_memory_fits() {
    use xent_fit::fit_summary;
    use xent_objectives::Summary;
    let mut streamed = 0;
    for row in read_rows("mle_fits.csv") {
        let family = Family::from_name(row.get("family")).expect("known family");
        let Ok(mut s) = Summary::empty(&family) else { continue };
        let data = read_x(row.get("dataset"));
        let (head, tail) = data.split_at(data.len() / 3);
        head.iter().for_each(|x| s.push(*x));
        let mut rest = Summary::empty(&family).unwrap();
        rest.extend_from_slice(tail);
        s.merge(&rest).unwrap();
        let a = fit_summary(&s, &FitOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", row.get("family")));
        let b = fit_family(&family, &data, &FitOptions::default()).unwrap();
        // Optimiser precision: gradient tolerance 1e-10 on the average NLL
        // bounds the parameter error by ~1e-10 / curvature; 1e-7 relative
        // leaves room for the conditioning of the reference samples.
        for (x, y) in a.estimates.iter().zip(&b.estimates) {
            assert!((x - y).abs() <= 1e-7 * y.abs(), "{}: {x} vs {y}", row.get("family"));
        }
        for (x, y) in a.std_errors.iter().zip(&b.std_errors) {
            assert!((x - y).abs() <= 1e-6 * y.abs(), "{}: se {x} vs {y}", row.get("family"));
        }
        let ll = b.log_likelihood;
        assert!(
            (a.log_likelihood - ll).abs() <= 1e-9 * ll.abs(),
            "{}: {} vs {ll}",
            row.get("family"),
            a.log_likelihood
        );
        streamed += 1;
    }
    assert!(streamed >= 8, "streamed {streamed} families");
}

#[test]
fn streamed_fits_reject_bad_statistics() {
    use xent_fit::fit_summary;
    use xent_objectives::Summary;
    let opts = FitOptions::default();
    for family in [Family::Gamma, Family::Normal, Family::Beta, Family::LogNormal] {
        let mut s = Summary::empty(&family).unwrap();
        (0..10).for_each(|_| s.push(0.25));
        let err = fit_summary(&s, &opts).expect_err("zero variance");
        assert!(matches!(err, FitFailure::NoFiniteMle { .. }), "{}: {err}", family.name());
    }
    let mut s = Summary::empty(&Family::Gamma).unwrap();
    s.push(1.0);
    s.push(-2.0);
    let err = fit_summary(&s, &opts).expect_err("out of support");
    assert!(err.to_string().contains("-2"), "{err}");
    let empty = Summary::empty(&Family::Exponential).unwrap();
    assert!(fit_summary(&empty, &opts).is_err());
    assert!(Summary::empty(&Family::StudentT).is_err());
    let mut a = Summary::empty(&Family::Normal).unwrap();
    assert!(a.merge(&Summary::empty(&Family::Gamma).unwrap()).is_err());
}

/// Above 100 000 rows the fit starts from a subsample's estimate and
/// Hessian; it must reach the same optimum as Newton from zero on the full
/// data, with standard errors from the Hessian at that optimum.
#[test]
fn warm_started_large_fits_reach_the_cold_optimum() {
    use xent_objectives::conditional::ConditionalNll;
    use xent_optim::{Method, Options, minimise};
    let n = 120_000;
    let x = nalgebra::DMatrix::from_fn(n, 3, |i, j| (((i * 7919 + j * 104_729) % 1000) as f64 / 500.0 - 1.0) * 1.5);
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let eta = 0.3 + x[(i, 0)] - 0.7 * x[(i, 1)] + 0.2 * x[(i, 2)];
            let u = ((i * 2_654_435_761) % 1_000_003) as f64 / 1_000_003.0;
            if u < 1.0 / (1.0 + (-eta).exp()) { 1.0 } else { 0.0 }
        })
        .collect();
    let design = Design::new(&x, true).unwrap();
    let warm = fit_conditional(Logistic, &design, &y, &FitOptions::default()).unwrap();
    let nll = ConditionalNll::new(Logistic, &design, &y).unwrap();
    let p = xent_fit::ObjectiveProblem::new(&nll);
    let opts = Options { gradient_tol: 1e-10, max_iterations: 500, ..Options::default() };
    let cold = minimise(&p, &[0.0; 4], &Method::Newton, &opts, &mut ()).unwrap();
    // Both stop at gradient 1e-10 on the average NLL; with curvature ~0.1
    // the optima agree to ~1e-9.
    for (a, b) in warm.estimates.iter().zip(&cold.x) {
        assert!((a - b).abs() <= 1e-7, "{a} vs {b}");
    }
    assert!(warm.gradient_norm <= 1e-10);
    // The full-data fit reused the subsample's Hessian (chord method); the
    // report's standard errors still come from the Hessian at the answer.
    // Without standard errors: the same optimisation, bit for bit.
    let none = FitOptions::default().with_covariance(Covariance::None);
    let e = fit_conditional(Logistic, &design, &y, &none).unwrap();
    assert_eq!(e.estimates, warm.estimates);
    assert_eq!(e.log_likelihood, warm.log_likelihood);
    assert_eq!(e.method, warm.method);
    assert!(e.std_errors.iter().all(|s| s.is_nan()) && e.information == Covariance::None);
    let short = FitOptions { optim: Options { max_iterations: 1, ..opts.clone() }, ..none };
    match fit_conditional(Logistic, &design, &y, &short) {
        Err(FitFailure::NotConverged { report }) => {
            assert!(report.estimates.iter().all(|s| s.is_finite()) && report.std_errors.iter().all(|s| s.is_nan()))
        }
        other => panic!("expected a partial report, got {other:?}"),
    }
    let xent_fit::FitMethod::Numerical { method, .. } = &warm.method else { panic!("{:?}", warm.method) };
    assert_eq!(method, "ChordNewton");
    let h = nll.hessian(&warm.estimates).unwrap() * n as f64;
    let inv = h.try_inverse().unwrap();
    for (j, se) in warm.std_errors.iter().enumerate() {
        assert!((se - inv[(j, j)].sqrt()).abs() <= 1e-12 * se, "{se} vs {}", inv[(j, j)].sqrt());
    }
}
