//! The covariance options: observed, expected, sandwich and none, on every
//! kind of data, with the typed failure where a model cannot provide one;
//! and fits of models other than the by-name families.

use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use xent_distributions::{AnyUnivariate, LogDensity, MultivariateNormal, Named, Univariate};
use xent_fit::{Covariance, FitFailure, FitOptions, fit_conditional, fit_family, fit_model, fit_summary};
use xent_objectives::conditional::{Design, HeteroscedasticGaussian, Logistic};
use xent_objectives::{Family, Model, MultivariateNormalModel, Summary};

fn sample(family: &str, params: &[(&str, f64)], n: usize, seed: u64) -> Vec<f64> {
    let d = AnyUnivariate::from_params(family, params).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).map(|_| d.sample(&mut rng)).collect()
}

fn opts(c: Covariance) -> FitOptions {
    FitOptions::default().with_covariance(c)
}

/// `√diag((n I(θ̂))⁻¹)` from the family's Fisher information.
fn expected_se(family: &Family, theta: &[f64], n: usize) -> Vec<f64> {
    let info = family.expected_information(theta).unwrap() * n as f64;
    let inv = info.cholesky().unwrap().inverse();
    (0..theta.len()).map(|i| inv[(i, i)].sqrt()).collect()
}

#[test]
fn expected_standard_errors_come_from_the_fisher_information() {
    // Weibull, Cauchy and Student t: observed and expected differ at the MLE.
    for (family, name, params) in [
        (Family::Weibull, "weibull", vec![("shape", 1.7), ("scale", 2.0)]),
        (Family::Cauchy, "cauchy", vec![("location", 1.0), ("scale", 0.5)]),
        (Family::StudentT, "student_t", vec![("location", 0.0), ("scale", 1.0), ("dof", 5.0)]),
    ] {
        let data = sample(name, &params, 3_000, 21);
        let observed = fit_family(&family, &data, &FitOptions::default()).unwrap();
        let expected = fit_family(&family, &data, &opts(Covariance::Expected)).unwrap();
        assert_eq!(expected.information, Covariance::Expected);
        assert_eq!(observed.estimates, expected.estimates);
        let want = expected_se(&family, &expected.estimates, data.len());
        for i in 0..want.len() {
            let (o, e) = (observed.std_errors[i], expected.std_errors[i]);
            assert!((e - want[i]).abs() <= 1e-12 * want[i], "{name}[{i}]: {e} vs {}", want[i]);
            // Both estimate the same asymptotic variance, within sampling error.
            assert!(o != e && (o - e).abs() < 0.15 * e, "{name}[{i}]: observed {o} vs expected {e}");
        }
    }
}

#[test]
fn for_exponential_families_expected_and_observed_agree_at_the_mle() {
    let data = sample("gamma", &[("shape", 2.5), ("rate", 0.7)], 500, 4);
    let o = fit_family(&Family::Gamma, &data, &FitOptions::default()).unwrap();
    let e = fit_family(&Family::Gamma, &data, &opts(Covariance::Expected)).unwrap();
    for (a, b) in o.std_errors.iter().zip(&e.std_errors) {
        assert!((a - b).abs() <= 1e-6 * a, "{a} vs {b}");
    }
    // The streaming path gives the same expected errors.
    let s = Summary::of(&Family::Gamma, &data).unwrap();
    let streamed = fit_summary(&s, &opts(Covariance::Expected)).unwrap();
    for (a, b) in streamed.std_errors.iter().zip(&e.std_errors) {
        assert!((a - b).abs() <= 1e-6 * a, "{a} vs {b}");
    }
}

#[test]
fn unavailable_covariances_are_typed_errors() {
    // No closed-form Fisher information for the negative binomial.
    let counts = sample("negative_binomial", &[("successes", 3.0), ("p", 0.4)], 400, 8);
    match fit_family(&Family::NegativeBinomial, &counts, &opts(Covariance::Expected)) {
        Err(FitFailure::CovarianceUnavailable { covariance: Covariance::Expected, model, .. }) => {
            assert_eq!(model, "negative_binomial")
        }
        other => panic!("expected CovarianceUnavailable, got {other:?}"),
    }
    // A summary keeps no per-observation scores.
    let s = Summary::of(&Family::Normal, &[1.0, 2.0, 4.0]).unwrap();
    let err = fit_summary(&s, &opts(Covariance::Sandwich)).unwrap_err();
    assert!(matches!(err, FitFailure::CovarianceUnavailable { covariance: Covariance::Sandwich, .. }), "{err}");
    assert!(err.to_string().contains("sandwich standard errors are not available for normal"), "{err}");
    // A model that does not claim expected = observed.
    let x = DMatrix::from_fn(60, 1, |i, _| i as f64 / 30.0);
    let design = Design::new(&x, true).unwrap();
    let y: Vec<f64> = (0..60).map(|i| (i as f64 * 0.7).sin() * (1.0 + i as f64 / 30.0)).collect();
    let err = fit_conditional(HeteroscedasticGaussian, &design, &y, &opts(Covariance::Expected)).unwrap_err();
    assert!(matches!(err, FitFailure::CovarianceUnavailable { .. }), "{err}");
}

#[test]
fn no_covariance_means_no_standard_errors_and_the_same_estimate() {
    let data = sample("weibull", &[("shape", 1.7), ("scale", 2.0)], 300, 5);
    let a = fit_family(&Family::Weibull, &data, &FitOptions::default()).unwrap();
    let b = fit_family(&Family::Weibull, &data, &opts(Covariance::None)).unwrap();
    assert_eq!(a.estimates, b.estimates);
    assert!(b.std_errors.iter().all(|s| s.is_nan()) && b.information == Covariance::None);
    assert!(a.std_errors.iter().all(|s| s.is_finite() && *s > 0.0));
}

#[test]
fn canonical_glms_have_expected_equal_to_observed() {
    let n = 400;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let x = DMatrix::from_fn(n, 2, |_, _| rand_distr::StandardNormal.sample(&mut rng));
    let unit = rand_distr::Uniform::new(0.0, 1.0).unwrap();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let eta: f64 = 0.2 + x[(i, 0)] - 0.5 * x[(i, 1)];
            f64::from(u8::from(unit.sample(&mut rng) < 1.0 / (1.0 + (-eta).exp())))
        })
        .collect();
    let design = Design::new(&x, true).unwrap();
    let o = fit_conditional(Logistic, &design, &y, &FitOptions::default()).unwrap();
    let e = fit_conditional(Logistic, &design, &y, &opts(Covariance::Expected)).unwrap();
    let s = fit_conditional(Logistic, &design, &y, &opts(Covariance::Sandwich)).unwrap();
    assert_eq!(o.std_errors, e.std_errors);
    assert_eq!(e.information, Covariance::Expected);
    for (a, b) in o.std_errors.iter().zip(&s.std_errors) {
        assert!(a != b && (a - b).abs() < 0.15 * a, "{a} vs sandwich {b}");
    }
}

#[test]
fn the_report_carries_the_fitted_distribution() {
    let data = sample("gamma", &[("shape", 2.5), ("rate", 0.7)], 200, 6);
    let r = fit_family(&Family::Gamma, &data, &FitOptions::default()).unwrap();
    assert_eq!(r.distribution.family(), "gamma");
    let params: Vec<f64> = r.distribution.named_params().into_iter().map(|p| p.1).collect();
    assert_eq!(params, r.estimates);
    let ll: f64 = data.iter().map(|x| r.distribution.ln_density(x)).sum();
    assert_eq!(ll, r.log_likelihood);
    // A closed form too.
    let r = fit_family(&Family::Normal, &data, &FitOptions::default()).unwrap();
    let mean = data.iter().sum::<f64>() / data.len() as f64;
    assert!((r.distribution.mean().unwrap() - mean).abs() <= 1e-12 * mean);
}

#[test]
fn a_multivariate_normal_fit_has_the_closed_form_and_its_standard_errors() {
    let truth = MultivariateNormal::new(
        DVector::from_vec(vec![1.0, -2.0]),
        DMatrix::from_row_slice(2, 2, &[2.0, 0.6, 0.6, 1.0]),
    )
    .unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
    let n = 500;
    let data: Vec<DVector<f64>> = (0..n).map(|_| truth.sample(&mut rng)).collect();
    let model = MultivariateNormalModel { dim: 2 };
    // Start at the identity covariance, away from the answer.
    let r = fit_model(&model, &data, &[0.0, 0.0, 1.0, 0.0, 1.0], &FitOptions::default()).unwrap();
    let mean: DVector<f64> = data.iter().fold(DVector::zeros(2), |a, x| a + x) / n as f64;
    let cov: DMatrix<f64> =
        data.iter().fold(DMatrix::zeros(2, 2), |a, x| a + (x - &mean) * (x - &mean).transpose()) / n as f64;
    for i in 0..2 {
        assert!((r.estimates[i] - mean[i]).abs() <= 1e-8, "mean[{i}] {} vs {}", r.estimates[i], mean[i]);
        // The mean's standard error is √(Σᵢᵢ/n) at the MLE.
        let want = (cov[(i, i)] / n as f64).sqrt();
        assert!((r.std_errors[i] - want).abs() <= 1e-6 * want, "se[{i}] {} vs {want}", r.std_errors[i]);
    }
    assert!(r.std_errors.iter().all(|s| s.is_finite() && *s > 0.0));
    let fitted = r.distribution.ln_density(&data[0]);
    assert!(fitted.is_finite());
    assert_eq!(r.names.len(), 5);
    // Fixing a parameter by name needs scalar blocks: a typed error here.
    let fixed = FitOptions { fixed: vec![("mean[0]".into(), 1.0)], ..FitOptions::default() };
    assert!(fit_model(&model, &data, &[0.0, 0.0, 1.0, 0.0, 1.0], &fixed).is_err());
    // A start of the wrong length.
    assert!(fit_model(&model, &data, &[0.0, 0.0], &FitOptions::default()).is_err());
}
