//! Degenerate data are typed errors naming what is wrong, for every
//! conditional model: constant, zero and collinear columns, exact fits,
//! targets that are all equal — never a "converged" report with standard
//! errors of 0, NaN or 10⁸.

use nalgebra::DMatrix;
use xent_fit::{FitFailure, FitOptions, fit_conditional, fit_family, fit_linear};
use xent_objectives::Family;
use xent_objectives::conditional::{Design, Logistic, PoissonLog, Softmax};

/// Two informative features, deterministic, and a binary, a count and a
/// three-class target that depend on them without separating.
fn data(n: usize) -> (DMatrix<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let x = DMatrix::from_fn(n, 2, |i, j| (((i * (2 * j + 3)) % 17) as f64 / 8.0 - 1.0) + j as f64 * 0.1);
    let binary = (0..n).map(|i| f64::from(u8::from((i * 7919) % 10 < 4 + usize::from(x[(i, 0)] > 0.0) * 2))).collect();
    let counts = (0..n).map(|i| ((i * 31) % 5) as f64 + f64::from(u8::from(x[(i, 1)] > 0.0))).collect();
    let classes = (0..n).map(|i| ((i * 13 + usize::from(x[(i, 0)] > 0.3)) % 3) as f64).collect();
    (x, binary, counts, classes)
}

/// Every conditional fit of `x` (with an intercept), as errors or Ok.
fn fit_all(x: &DMatrix<f64>, names: &[&str]) -> Vec<(&'static str, Result<(), FitFailure>)> {
    let n = x.nrows();
    let (_, binary, counts, classes) = data(n);
    let design = Design::new(x, true).unwrap().with_names(names.iter().map(|s| s.to_string()).collect()).unwrap();
    let y: Vec<f64> = (0..n).map(|i| x[(i, 0)] * 0.5 + ((i * 37) % 11) as f64 / 10.0).collect();
    let opts = FitOptions::default();
    vec![
        ("linear", fit_linear(&design, &y, &opts).map(|_| ())),
        ("logistic", fit_conditional(Logistic, &design, &binary, &opts).map(|_| ())),
        ("poisson", fit_conditional(PoissonLog, &design, &counts, &opts).map(|_| ())),
        ("softmax", fit_conditional(Softmax::new(3).unwrap(), &design, &classes, &opts).map(|_| ())),
    ]
}

fn expect_degenerate(results: Vec<(&str, Result<(), FitFailure>)>, column: &str, words: &str) {
    for (model, r) in results {
        match r {
            Err(FitFailure::DegenerateDesign { column: c, reason }) => {
                assert_eq!(c, column, "{model}: {reason}");
                assert!(reason.contains(words), "{model}: {reason}");
            }
            other => panic!("{model}: expected a degenerate design naming `{column}`, got {other:?}"),
        }
    }
}

#[test]
fn a_healthy_design_fits_every_model() {
    let (x, ..) = data(300);
    for (model, r) in fit_all(&x, &["a", "b"]) {
        assert!(r.is_ok(), "{model}: {r:?}");
    }
}

#[test]
fn a_constant_column_beside_the_intercept_is_named() {
    let (x, ..) = data(300);
    let x = x.insert_column(1, 5.0);
    expect_degenerate(fit_all(&x, &["a", "dose", "b"]), "dose", "constant (5 in every row)");
}

#[test]
fn a_zero_column_is_named() {
    let (x, ..) = data(300);
    let x = x.insert_column(2, 0.0);
    expect_degenerate(fit_all(&x, &["a", "b", "z"]), "z", "zero in every row");
}

#[test]
fn a_collinear_column_is_named_with_what_it_combines() {
    let (x, ..) = data(300);
    let mut x = x.insert_column(2, 0.0);
    let c = x.column(0) * 3.0 - x.column(1) * 0.25 + DMatrix::from_element(300, 1, 2.0);
    x.set_column(2, &c.column(0));
    expect_degenerate(fit_all(&x, &["a", "b", "ab"]), "ab", "linear combination of `intercept`, `a`, `b`");
}

#[test]
fn dependence_is_found_on_large_designs_whatever_the_subset_shows() {
    // A column that is zero except in one row: an evenly spaced subset of
    // rows may miss that row, so the full design decides. It is independent.
    let n = 200_000;
    let mut x = DMatrix::from_fn(n, 2, |i, j| (((i * (2 * j + 3)) % 17) as f64 / 8.0 - 1.0) + j as f64 * 0.1);
    x = x.insert_column(2, 0.0);
    x[(12_345, 2)] = 1.0;
    let design = Design::new(&x, true).unwrap();
    let y: Vec<f64> = (0..n).map(|i| x[(i, 0)] + ((i * 37) % 11) as f64 / 10.0).collect();
    assert!(fit_linear(&design, &y, &FitOptions::default()).is_ok());
    // The same column duplicated is dependent, found by the subset.
    let mut x2 = x.clone().insert_column(3, 0.0);
    let c = x.column(1).into_owned();
    x2.set_column(3, &c);
    let design = Design::new(&x2, true).unwrap();
    match fit_linear(&design, &y, &FitOptions::default()) {
        Err(FitFailure::DegenerateDesign { column, .. }) => assert_eq!(column, "x4"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_exact_linear_fit_is_an_error_at_any_scale() {
    for scale in [1e-300, 1e-8, 1.0, 1e8, 1e300] {
        let x = DMatrix::from_fn(20, 1, |i, _| i as f64);
        let design = Design::new(&x, true).unwrap();
        // A constant target, and an exactly linear one.
        for y in [vec![5.0 * scale; 20], (0..20).map(|i| (2.0 + 0.5 * i as f64) * scale).collect::<Vec<_>>()] {
            match fit_linear(&design, &y, &FitOptions::default()) {
                Err(FitFailure::NoFiniteMle { reason }) => assert!(reason.contains("exact"), "{reason}"),
                other => panic!("scale {scale:e}: expected an exact-fit error, got {other:?}"),
            }
        }
        // A tiny but real residual is fitted.
        let y: Vec<f64> = (0..20).map(|i| (2.0 + 0.5 * i as f64 + 1e-9 * ((i * 7) % 3) as f64) * scale).collect();
        let r = fit_linear(&design, &y, &FitOptions::default());
        assert!(r.is_ok(), "scale {scale:e}: {r:?}");
    }
}

#[test]
fn targets_that_are_all_equal_are_named_not_called_separation() {
    let (x, ..) = data(100);
    let design = Design::new(&x, true).unwrap();
    for (model, r) in [
        ("poisson", fit_conditional(PoissonLog, &design, &[0.0; 100], &FitOptions::default()).map(|_| ())),
        ("logistic", fit_conditional(Logistic, &design, &[1.0; 100], &FitOptions::default()).map(|_| ())),
    ] {
        match r {
            Err(FitFailure::NoFiniteMle { reason }) => {
                assert!(reason.contains("every target equals") && !reason.contains("hyperplane"), "{model}: {reason}")
            }
            other => panic!("{model}: {other:?}"),
        }
    }
}

#[test]
fn binomial_with_known_trials_fits() {
    let data = [3.0, 5.0, 2.0, 4.0, 5.0, 1.0];
    let r = fit_family(&Family::Binomial { trials: 5 }, &data, &FitOptions::default()).unwrap();
    assert!((r.estimates[0] - 20.0 / 30.0).abs() < 1e-15, "{:?}", r.estimates);
    // se = √(p(1 − p)/(n·trials)).
    let want = (r.estimates[0] * (1.0 - r.estimates[0]) / 30.0).sqrt();
    assert!((r.std_errors[0] - want).abs() < 1e-12 * want, "{} vs {want}", r.std_errors[0]);
    assert!(fit_family(&Family::Binomial { trials: 4 }, &data, &FitOptions::default()).is_err());
}

/// A Hessian above the memory budget is a typed error, never an abort:
/// a softmax over 1000 classes on 3000 rows would need ~24 GB of
/// per-sample local Hessians.
#[test]
fn hessians_above_the_memory_budget_are_refused() {
    use xent_fit::Covariance;
    use xent_objectives::ObjectiveError;
    use xent_objectives::conditional::{ConditionalNll, HESSIAN_BUDGET_BYTES};
    let n = 3000;
    let x = DMatrix::from_fn(n, 1, |i, _| (i % 17) as f64 / 17.0);
    let y: Vec<f64> = (0..n).map(|i| (i % 1000) as f64).collect();
    let design = Design::new(&x, true).unwrap();
    let model = Softmax::new(1000).unwrap();
    let obj = ConditionalNll::new(model, &design, &y).unwrap();
    assert!(obj.hessian_bytes() > HESSIAN_BUDGET_BYTES);
    let theta = vec![0.0; obj.dim()];
    assert!(matches!(obj.hessian(&theta), Err(ObjectiveError::TooLarge { what: "hessian", .. })));
    match fit_conditional(model, &design, &y, &FitOptions::default()) {
        Err(FitFailure::CovarianceUnavailable { covariance: Covariance::Observed, reason, .. }) => {
            assert!(reason.contains("memory budget"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Small models are far inside it.
    let zeros = vec![0.0; n];
    let small = ConditionalNll::new(Softmax::new(3).unwrap(), &design, &zeros).unwrap();
    assert!(small.hessian_bytes() < 1 << 20);
}

/// Quasi-complete separation — some observations perfectly predicted, the
/// rest not — is no finite MLE for every model and every class, named by
/// the coefficient that diverges; data that are merely strongly
/// predictive still fit (see `a_healthy_design_fits_every_model`).
#[test]
fn quasi_complete_separation_is_named_per_model_and_class() {
    let n = 200;
    // x0 on a grid with many exact zeros (the ties of the separating plane).
    let x =
        DMatrix::from_fn(n, 2, |i, j| if j == 0 { (i % 9) as f64 - 4.0 } else { ((i * 7) % 11) as f64 / 5.0 - 1.0 });
    let expect = |r: Result<xent_fit::FitReport, FitFailure>, model: &str, coef: &str| match r {
        Err(FitFailure::NoFiniteMle { reason }) => {
            assert!(reason.contains("quasi-complete separation") && reason.contains(coef), "{model}: {reason}");
        }
        other => panic!("{model}: expected quasi-complete separation, got {other:?}"),
    };
    let design = Design::new(&x, true).unwrap();
    let opts = FitOptions::default();
    // Logistic: y = 1 for x0 > 0, 0 for x0 < 0, mixed at x0 = 0.
    let y: Vec<f64> = (0..n)
        .map(|i| match x[(i, 0)] {
            v if v > 0.0 => 1.0,
            v if v < 0.0 => 0.0,
            _ => (i % 2) as f64,
        })
        .collect();
    expect(fit_conditional(Logistic, &design, &y, &opts), "logistic", "b0[");
    // Softmax: class 2 exactly when x0 > 1; classes 0 and 1 mixed elsewhere.
    let y: Vec<f64> = (0..n).map(|i| if x[(i, 0)] > 1.0 { 2.0 } else { ((i * 7) % 2) as f64 }).collect();
    expect(fit_conditional(Softmax::new(3).unwrap(), &design, &y, &opts), "softmax", "b1[");
    // Poisson: a group (indicator column) whose counts are all zero.
    let g = DMatrix::from_fn(n, 2, |i, j| if j == 0 { f64::from(u8::from(i % 4 == 0)) } else { x[(i, 1)] });
    let counts: Vec<f64> = (0..n).map(|i| if i % 4 == 0 { 0.0 } else { ((i * 31) % 5) as f64 }).collect();
    expect(fit_conditional(PoissonLog, &Design::new(&g, true).unwrap(), &counts, &opts), "poisson", "b0[1]");
}

/// A Rayleigh log-density without its `−2 ln σ`: `ln x − x²/(2σ²)` grows
/// towards `ln x` as σ → ∞, so the likelihood has no maximiser, yet its
/// gradient in `ln σ` falls below any tolerance on the way.
#[derive(Debug, Clone, Copy)]
struct Unbounded;

#[derive(Debug)]
struct UnboundedDist<T>(T);

impl<T: xent_distributions::Scalar> xent_distributions::LogDensity<T> for UnboundedDist<T> {
    type Obs = f64;
    fn ln_density(&self, &x: &f64) -> T {
        T::cst(x.ln()) - T::cst(x * x) / (T::cst(2.0) * self.0 * self.0)
    }
}

impl xent_objectives::Model for Unbounded {
    type Obs = f64;
    type Dist<T: xent_distributions::Scalar> = UnboundedDist<T>;
    fn name(&self) -> String {
        "unbounded".into()
    }
    fn param_names(&self) -> Vec<String> {
        vec!["sigma".into()]
    }
    fn transforms(&self) -> Vec<xent_objectives::Transform> {
        vec![xent_objectives::Transform::Exp]
    }
    fn build<T: xent_distributions::Scalar>(
        &self,
        t: &[T],
    ) -> Result<UnboundedDist<T>, xent_distributions::ParamError> {
        Ok(UnboundedDist(t[0]))
    }
}

#[test]
fn a_likelihood_that_grows_without_bound_is_no_finite_mle() {
    let data: Vec<f64> = (1..=200).map(|i| 0.05 * f64::from(i)).collect();
    match xent_fit::fit_model(&Unbounded, &data, &[1.7], &FitOptions::default()) {
        Err(FitFailure::NoFiniteMle { reason }) => {
            assert!(reason.contains("`sigma`") && reason.contains("without bound"), "{reason}");
        }
        other => panic!("expected no finite MLE, got {other:?}"),
    }
}

#[test]
fn a_minimum_far_from_the_unit_scale_is_located_exactly() {
    // Normal data around 10⁶ with spread 10⁵: the numerical fit from a start
    // off by a tenth of the spread must land on the closed form.
    let data: Vec<f64> =
        (0..500).map(|i| 1e6 + 1e5 * ((f64::from(i) * 0.37).sin() + 0.3 * (f64::from(i) * 1.9).cos())).collect();
    let n = data.len() as f64;
    let mean = data.iter().sum::<f64>() / n;
    let sd = (data.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let r = xent_fit::fit_model(&Family::Normal, &data, &[mean + 0.1 * sd, 1.2 * sd], &FitOptions::default())
        .expect("a finite MLE");
    assert!((r.estimates[0] - mean).abs() <= 1e-12 * mean, "{} vs {mean}", r.estimates[0]);
    assert!((r.estimates[1] - sd).abs() <= 1e-10 * sd, "{} vs {sd}", r.estimates[1]);
}
