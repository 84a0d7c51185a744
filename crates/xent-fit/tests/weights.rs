//! Frequency weights: a weighted fit is the fit of the data set in which
//! observation `i` is repeated `wᵢ` times — checked against that expanded
//! data set for every reference data set of `mle_fits.csv` (read at run
//! time), bit for bit where the arithmetic is exact.

use nalgebra::DVector;
use xent_fit::{
    Covariance, FitFailure, FitMethod, FitOptions, fit_family, fit_family_weighted, fit_model, fit_model_weighted,
};
use xent_objectives::{Family, MultivariateNormalModel, ObjectiveError};
use xent_reference::{read_dataset, read_rows};

/// Deterministic counts 0..=4 (a fifth of them 0), by a multiplicative hash.
fn counts(n: usize, seed: u64) -> Vec<f64> {
    (0..n as u64).map(|i| ((i.wrapping_add(seed)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61) as f64 % 5.0).collect()
}

fn expand<T: Clone>(x: &[T], w: &[f64]) -> Vec<T> {
    x.iter().zip(w).flat_map(|(x, w)| std::iter::repeat_n(x.clone(), *w as usize)).collect()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

#[test]
fn every_reference_fit_weighted_is_the_fit_of_the_expanded_data() {
    let mut failures = Vec::new();
    let mut rows = 0;
    for row in read_rows("mle_fits.csv") {
        rows += 1;
        let family = Family::from_name(row.get("family")).expect("a family of the table");
        let data = read_dataset(row.get("dataset"));
        let w = counts(data.len(), rows);
        assert!(w.contains(&0.0) && w.contains(&4.0));
        let big = expand(&data, &w);
        for cov in [Covariance::Observed, Covariance::Sandwich] {
            let opts = FitOptions { covariance: cov, ..FitOptions::default() };
            let (a, b) = match (fit_family_weighted(&family, &data, &w, &opts), fit_family(&family, &big, &opts)) {
                (Ok(a), Ok(b)) => (a, b),
                (a, b) => {
                    failures.push(format!("{family:?} {cov:?}: {:?} / {:?}", a.err(), b.err()));
                    continue;
                }
            };
            // Closed forms: the same sums in another order (and `w·x` for
            // `x + … + x`), a few ulps of the n ≈ 4000 terms. Numerical
            // fits: both converged to a gradient below 1e-9 and then Newton
            // confirmed (its step below 1e-8 relative): 1e-8.
            let tol = if a.method == FitMethod::ClosedForm { 1e-12 } else { 1e-8 };
            assert_eq!(a.n, big.len() as f64);
            assert_eq!((a.k, &a.names, &a.method.is_closed_form()), (b.k, &b.names, &b.method.is_closed_form()));
            for i in 0..a.estimates.len() {
                if rel(a.estimates[i], b.estimates[i]) > tol {
                    failures.push(format!("{family:?}: {} {} vs {}", a.names[i], a.estimates[i], b.estimates[i]));
                }
                // Standard errors: second derivatives at estimates `tol`
                // apart (the curvature moves by as much), and the same sums.
                if !(rel(a.std_errors[i], b.std_errors[i]) <= tol.max(1e-9) * 10.0) {
                    failures.push(format!(
                        "{family:?} {cov:?}: se({}) {} vs {}",
                        a.names[i], a.std_errors[i], b.std_errors[i]
                    ));
                }
            }
            if rel(a.log_likelihood, b.log_likelihood) > 1e-12 || rel(a.bic(), b.bic()) > 1e-12 {
                failures.push(format!("{family:?}: log L {} vs {}", a.log_likelihood, b.log_likelihood));
            }
        }
    }
    assert!(rows >= 13, "{rows} reference rows");
    assert!(failures.is_empty(), "{} failures:\n  {}", failures.len(), failures.join("\n  "));
}

trait ClosedFormFlag {
    fn is_closed_form(&self) -> bool;
}
impl ClosedFormFlag for FitMethod {
    fn is_closed_form(&self) -> bool {
        *self == FitMethod::ClosedForm
    }
}

#[test]
fn exact_sums_give_the_same_fit_bit_for_bit() {
    // Integer counts of integer (or dyadic) values: every sum the closed
    // forms take is exact in both orders, so the estimates may not differ.
    let ints: Vec<f64> = (0..500).map(|i| f64::from((i * 7 + 3) % 11)).collect();
    let bits: Vec<f64> = ints.iter().map(|v| f64::from(u8::from(*v > 4.0))).collect();
    let dyadic: Vec<f64> = ints.iter().map(|v| 0.25 + v / 4.0).collect();
    let w = counts(500, 9);
    for (family, data) in [
        (Family::Poisson, &ints),
        (Family::Geometric, &ints),
        (Family::Binomial { trials: 10 }, &ints),
        (Family::Bernoulli, &bits),
        (Family::Exponential, &dyadic),
    ] {
        let opts = FitOptions::default();
        let a = fit_family_weighted(&family, data, &w, &opts).unwrap();
        let b = fit_family(&family, &expand(data, &w), &opts).unwrap();
        assert_eq!(a.method, FitMethod::ClosedForm, "{family:?}");
        assert_eq!(a.estimates, b.estimates, "{family:?}");
        // Standard errors come from the log-density's derivatives summed
        // term by term (ln Γ, x ln λ …): not exact sums, a few ulps.
        for (x, y) in a.std_errors.iter().zip(&b.std_errors) {
            assert!(rel(*x, *y) < 1e-12, "{family:?}: {x} vs {y}");
        }
        assert_eq!(a.n, b.n, "{family:?}");
    }
}

#[test]
fn a_zero_weight_is_no_observation_and_errors_name_the_callers_rows() {
    // −1 and NaN have weight 0: a gamma fit without them.
    let data = [1.2, -1.0, 0.7, f64::NAN, 3.1, 2.2, 0.4, 1.9];
    let w = [1.0, 0.0, 2.0, 0.0, 1.0, 1.0, 3.0, 1.0];
    let kept = [1.2, 0.7, 0.7, 3.1, 2.2, 0.4, 0.4, 0.4, 1.9];
    for family in [Family::Gamma, Family::Weibull, Family::LogNormal] {
        let a = fit_family_weighted(&family, &data, &w, &FitOptions::default()).unwrap();
        let b = fit_family(&family, &kept, &FitOptions::default()).unwrap();
        for (x, y) in a.estimates.iter().zip(&b.estimates) {
            assert!(rel(*x, *y) < 1e-8, "{family:?}: {x} vs {y}");
        }
    }
    // With weight 0.5 the −1 is there, and it is named as row 1.
    let w2 = [1.0, 0.5, 2.0, 0.0, 1.0, 1.0, 3.0, 1.0];
    match fit_family_weighted(&Family::Gamma, &data, &w2, &FitOptions::default()) {
        Err(FitFailure::OutOfSupport { first_index: 1, first_value, count: 1, .. }) => assert_eq!(first_value, -1.0),
        other => panic!("{other:?}"),
    }
    let w3 = [1.0, 0.0, 2.0, 1.0, 1.0, 1.0, 3.0, 1.0];
    match fit_family_weighted(&Family::Gamma, &data, &w3, &FitOptions::default()) {
        Err(FitFailure::Objective(ObjectiveError::NonFinite { index: 3, .. })) => {}
        other => panic!("{other:?}"),
    }
    // A numerical family: the row named is the caller's.
    let normal_w = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0];
    let constant = [2.0, 9.0, 2.0, 9.0, 2.0, 9.0, 9.0, 9.0];
    match fit_family_weighted(&Family::Cauchy, &constant, &normal_w, &FitOptions::default()) {
        Err(FitFailure::NoFiniteMle { reason }) => assert!(reason.contains("equal 2"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_weights_and_too_little_weight_are_errors() {
    let data = [1.0, 2.0, 3.0];
    let fit = |w: &[f64]| fit_family_weighted(&Family::Normal, &data, w, &FitOptions::default());
    assert!(matches!(fit(&[1.0, 2.0]), Err(FitFailure::Objective(ObjectiveError::Dimension { .. }))));
    assert!(matches!(
        fit(&[1.0, -2.0, 1.0]),
        Err(FitFailure::Objective(ObjectiveError::InvalidWeight { index: 1, .. }))
    ));
    assert!(matches!(fit(&[0.0, 0.0, 0.0]), Err(FitFailure::Objective(ObjectiveError::InvalidWeight { .. }))));
    // Σw = 1.5 < 2 parameters: too few, even over three rows.
    assert!(matches!(fit(&[0.5, 0.5, 0.5]), Err(FitFailure::TooFewObservations { n: 1.5, parameters: 2 })));
    assert!(matches!(
        fit_family_weighted(&Family::Normal, &[], &[], &FitOptions::default()),
        Err(FitFailure::Objective(ObjectiveError::EmptyData))
    ));
    let err = fit(&[1.0, f64::NAN, 1.0]).unwrap_err().to_string();
    assert!(err.contains("weight 1") && err.contains("NaN"), "{err}");
}

#[test]
fn scaling_every_weight_keeps_the_estimate_and_scales_n() {
    let data = read_dataset("pub_weibull.csv");
    let w = counts(data.len(), 3);
    let half: Vec<f64> = w.iter().map(|v| v * 0.5).collect();
    let opts = FitOptions::default();
    let a = fit_family_weighted(&Family::Weibull, &data, &w, &opts).unwrap();
    let b = fit_family_weighted(&Family::Weibull, &data, &half, &opts).unwrap();
    assert_eq!(b.n, a.n / 2.0);
    for i in 0..2 {
        assert!(rel(a.estimates[i], b.estimates[i]) < 1e-9);
        // Half the information: standard errors grow by √2.
        assert!(rel(b.std_errors[i], a.std_errors[i] * 2f64.sqrt()) < 1e-7, "{i}");
    }
    assert!(rel(b.log_likelihood, a.log_likelihood / 2.0) < 1e-12);
}

#[test]
fn a_weighted_model_fit_is_the_fit_of_the_expanded_data() {
    let data: Vec<DVector<f64>> = (0..60)
        .map(|i| {
            let t = f64::from(i) * 0.37;
            DVector::from_vec(vec![t.sin() + 0.1 * t, t.cos() * 2.0 - 0.05 * t])
        })
        .collect();
    let w = counts(60, 5);
    let model = MultivariateNormalModel { dim: 2 };
    let start = [0.0, 0.0, 1.0, 0.0, 1.0];
    let opts = FitOptions::default();
    let a = fit_model_weighted(&model, &data, &w, &start, &opts).unwrap();
    let b = fit_model(&model, &expand(&data, &w), &start, &opts).unwrap();
    assert_eq!(a.n, w.iter().sum::<f64>());
    for (x, y) in a.estimates.iter().zip(&b.estimates) {
        assert!((x - y).abs() < 1e-8 * y.abs().max(1.0), "{x} vs {y}");
    }
    for (x, y) in a.std_errors.iter().zip(&b.std_errors) {
        assert!(rel(*x, *y) < 1e-6, "{x} vs {y}");
    }
    assert!(matches!(
        fit_model_weighted(&model, &data, &w[1..], &start, &opts),
        Err(FitFailure::Objective(ObjectiveError::Dimension { what: "weights", .. }))
    ));
}

mod regressions {
    use super::{counts, rel};
    use nalgebra::DMatrix;
    use xent_fit::{
        Covariance, FitFailure, FitOptions, FitReport, fit_conditional, fit_conditional_weighted, fit_linear,
        fit_linear_weighted,
    };
    use xent_objectives::ObjectiveError;
    use xent_objectives::conditional::{Design, EtaModel, HeteroscedasticGaussian, Logistic, PoissonLog, Softmax};

    /// Features (two columns on different scales), counts with zeros, and
    /// the expanded rows.
    fn rows(n: usize) -> (DMatrix<f64>, Vec<f64>, Vec<usize>) {
        let x = DMatrix::from_fn(n, 2, |i, j| {
            let t = i as f64 * 0.61 + j as f64;
            if j == 0 { t.sin() * 1.5 } else { 300.0 + 40.0 * t.cos() }
        });
        let w = counts(n, 11);
        let idx = (0..n).flat_map(|i| std::iter::repeat_n(i, w[i] as usize)).collect();
        (x, w, idx)
    }

    fn compare(a: &FitReport, b: &FitReport, what: &str) {
        assert_eq!(a.n, b.n, "{what}");
        for i in 0..a.estimates.len() {
            // Both converged (gradient below 1e-9 on the standardised
            // design): the estimates agree to the optimiser's tolerance.
            let scale = b.std_errors[i].max(b.estimates[i].abs());
            assert!((a.estimates[i] - b.estimates[i]).abs() < 1e-7 * scale, "{what}: {} {a:?} vs {b:?}", a.names[i]);
            assert!(rel(a.std_errors[i], b.std_errors[i]) < 1e-6, "{what}: se {}", a.names[i]);
        }
        assert!(rel(a.log_likelihood, b.log_likelihood) < 1e-10, "{what}");
    }

    fn same<M: EtaModel + Clone>(model: M, y: &[f64], what: &str) {
        let (x, w, idx) = rows(y.len());
        let design = Design::new(&x, true).unwrap();
        let big = Design::new(&DMatrix::from_fn(idx.len(), 2, |r, j| x[(idx[r], j)]), true).unwrap();
        let ybig: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
        for cov in [Covariance::Observed, Covariance::Sandwich] {
            let opts = FitOptions::default().with_covariance(cov);
            let a = fit_conditional_weighted(model.clone(), &design, y, &w, &opts).unwrap();
            let b = fit_conditional(model.clone(), &big, &ybig, &opts).unwrap();
            compare(&a, &b, &format!("{what} {cov:?}"));
        }
    }

    #[test]
    fn weighted_regressions_are_the_fits_of_the_expanded_rows() {
        let n = 240;
        let (x, _, _) = rows(n);
        let eta: Vec<f64> = (0..n).map(|i| 0.3 + 0.8 * x[(i, 0)] - 0.01 * (x[(i, 1)] - 300.0)).collect();
        let bits: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from((i * 37 % 100) as f64 / 100.0 < 1.0 / (1.0 + (-eta[i]).exp()))))
            .collect();
        let counts: Vec<f64> = (0..n).map(|i| ((eta[i].exp() * 1.3) + (i % 3) as f64 - 1.0).max(0.0).round()).collect();
        let classes: Vec<f64> =
            (0..n).map(|i| f64::from(((eta[i] + 1.5 + (i % 4) as f64 * 0.7) as u8).min(2))).collect();
        let reals: Vec<f64> =
            (0..n).map(|i| eta[i] + ((i * 13 % 17) as f64 / 17.0 - 0.5) * (1.0 + x[(i, 0)].abs())).collect();
        same(Logistic, &bits, "logistic");
        same(PoissonLog, &counts, "poisson");
        same(Softmax::new(3).unwrap(), &classes, "softmax");
        same(HeteroscedasticGaussian, &reals, "heteroscedastic");
        // Linear: weighted least squares against least squares on the rows.
        let (x, w, idx) = rows(n);
        let a = fit_linear_weighted(&Design::new(&x, true).unwrap(), &reals, &w, &FitOptions::default()).unwrap();
        let big = Design::new(&DMatrix::from_fn(idx.len(), 2, |r, j| x[(idx[r], j)]), true).unwrap();
        let ybig: Vec<f64> = idx.iter().map(|&i| reals[i]).collect();
        let b = fit_linear(&big, &ybig, &FitOptions::default()).unwrap();
        for i in 0..a.estimates.len() {
            assert!(
                rel(a.estimates[i], b.estimates[i]) < 1e-12,
                "{} {} vs {}",
                a.names[i],
                a.estimates[i],
                b.estimates[i]
            );
            assert!(rel(a.std_errors[i], b.std_errors[i]) < 1e-10, "se {}", a.names[i]);
        }
        assert!(rel(a.log_likelihood, b.log_likelihood) < 1e-12);
    }

    #[test]
    fn a_large_weighted_fit_takes_the_warm_start_and_agrees() {
        // 120 000 rows: the subsample warm start (every 16th row, with its
        // weights) and the chord method, against the expanded rows.
        let n = 120_000;
        let (x, _, _) = rows(n);
        let eta: Vec<f64> = (0..n).map(|i| -0.4 + 0.6 * x[(i, 0)] + 0.004 * (x[(i, 1)] - 300.0)).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from(((i * 7919) % 1000) as f64 / 1000.0 < 1.0 / (1.0 + (-eta[i]).exp()))))
            .collect();
        same(Logistic, &y, "logistic, warm start");
    }

    #[test]
    fn zero_weight_rows_are_left_out_and_errors_name_the_callers_rows() {
        let x = DMatrix::from_column_slice(6, 1, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let d = Design::new(&x, true).unwrap();
        // Row 2's target is not a count: with weight 0 it is not there.
        let y = [0.0, 1.0, -7.5, 2.0, 1.0, 4.0];
        let w = [1.0, 2.0, 0.0, 1.0, 3.0, 1.0];
        let a = fit_conditional_weighted(PoissonLog, &d, &y, &w, &FitOptions::default()).unwrap();
        let keep = [0usize, 1, 1, 3, 4, 4, 4, 5];
        let xb = DMatrix::from_fn(keep.len(), 1, |r, _| x[(keep[r], 0)]);
        let yb: Vec<f64> = keep.iter().map(|&i| y[i]).collect();
        let b = fit_conditional(PoissonLog, &Design::new(&xb, true).unwrap(), &yb, &FitOptions::default()).unwrap();
        compare(&a, &b, "poisson without row 2");
        let w2 = [1.0, 0.0, 0.5, 1.0, 3.0, 1.0];
        match fit_conditional_weighted(PoissonLog, &d, &y, &w2, &FitOptions::default()) {
            Err(FitFailure::Objective(ObjectiveError::InvalidTarget { index: 2, .. })) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            fit_conditional_weighted(PoissonLog, &d, &y, &w[1..], &FitOptions::default()),
            Err(FitFailure::Objective(ObjectiveError::Dimension { what: "weights", .. }))
        ));
        // Σw = 1.5 cannot determine two coefficients.
        let tiny = [0.5, 0.5, 0.0, 0.5, 0.0, 0.0];
        assert!(matches!(
            fit_conditional_weighted(PoissonLog, &d, &y, &tiny, &FitOptions::default()),
            Err(FitFailure::TooFewObservations { parameters: 2, .. })
        ));
    }
}
