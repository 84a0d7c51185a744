//! Frequency weights: a weighted objective is the objective of the data set
//! in which observation `i` occurs `wᵢ` times.

use rand::{RngExt, SeedableRng};
use xent_objectives::{Family, Nll, ObjectiveError, Summary};

/// Counts `0..=4` per value (some 0), the values, and the expanded data.
fn table(seed: u64, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let x: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..5.0)).collect();
    let w: Vec<f64> = (0..n).map(|_| f64::from(rng.random_range(0u8..5))).collect();
    let expanded = x.iter().zip(&w).flat_map(|(x, w)| std::iter::repeat_n(*x, *w as usize)).collect();
    (x, w, expanded)
}

/// `|a − b| ≤ tol·max(1, |b|)`.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn integer_weights_are_the_expanded_data() {
    let (x, w, expanded) = table(1, 300);
    for family in [Family::Gamma, Family::Normal, Family::Weibull, Family::Cauchy] {
        let weighted = Nll::new(&family, &x).unwrap().with_weights(&w).unwrap();
        let plain = Nll::new(&family, &expanded).unwrap();
        assert_eq!(weighted.total_weight(), expanded.len() as f64);
        assert_eq!(weighted.n(), 300);
        let u = [0.4, -0.2];
        // Sums of ~600 terms in another order and `3v` against `v + v + v`:
        // a few ulps per term.
        let tol = 1e-13;
        let (a, b) = (weighted.derivatives(&u).unwrap(), plain.derivatives(&u).unwrap());
        assert!(close(a.value, b.value, tol), "{family:?}: {} vs {}", a.value, b.value);
        for (ga, gb) in a.gradient.iter().zip(&b.gradient) {
            assert!(close(*ga, *gb, tol), "{family:?} gradient: {ga} vs {gb}");
        }
        let (ha, hb) = (a.hessian.unwrap(), b.hessian.unwrap());
        for (p, q) in ha.iter().zip(hb.iter()) {
            assert!(close(*p, *q, tol), "{family:?} Hessian: {p} vs {q}");
        }
        let (va, ga) = weighted.value_and_gradient(&u).unwrap();
        assert!(close(va, b.value, tol) && close(ga[1], b.gradient[1], tol));
        let (la, lb) = (weighted.log_likelihood(&u).unwrap(), plain.log_likelihood(&u).unwrap());
        assert!(close(la, lb, tol * 600.0), "{la} vs {lb}");
        let (sa, sb) = (weighted.likelihood(&u).unwrap(), plain.likelihood(&u).unwrap());
        assert!(close(sa.ln(), sb.ln(), tol * 600.0), "{} vs {}", sa.ln(), sb.ln());
    }
}

#[test]
fn unit_weights_change_nothing_bit_for_bit() {
    let (x, _, _) = table(2, 9000); // three chunks of 4096
    let ones = vec![1.0; x.len()];
    let plain = Nll::new(&Family::Gamma, &x).unwrap();
    let weighted = Nll::new(&Family::Gamma, &x).unwrap().with_weights(&ones).unwrap();
    let u = [0.1, 0.3];
    assert_eq!(weighted.derivatives(&u).unwrap(), plain.derivatives(&u).unwrap());
    assert_eq!(weighted.value_and_gradient(&u).unwrap(), plain.value_and_gradient(&u).unwrap());
    assert_eq!(weighted.scores(&u).unwrap(), plain.scores(&u).unwrap());
}

#[test]
fn weighted_sums_do_not_depend_on_the_thread_count() {
    let (x, w, _) = table(3, 20_000);
    let one = Nll::new(&Family::Weibull, &x).unwrap().with_weights(&w).unwrap().threads(1);
    let two = Nll::new(&Family::Weibull, &x).unwrap().with_weights(&w).unwrap().threads(2);
    let u = [0.2, 0.1];
    assert_eq!(one.derivatives(&u).unwrap(), two.derivatives(&u).unwrap());
    assert_eq!(one.value_and_gradient(&u).unwrap(), two.value_and_gradient(&u).unwrap());
}

#[test]
fn a_zero_weight_is_no_observation() {
    // −1 is outside the gamma's support: with weight 0 it is not there.
    let x = [1.5, -1.0, 2.5, f64::MAX];
    let w = [1.0, 0.0, 2.0, 0.0];
    let kept = [1.5, 2.5];
    let weighted = Nll::new(&Family::Gamma, &x).unwrap().with_weights(&w).unwrap();
    let plain = Nll::new(&Family::Gamma, &kept).unwrap().with_weights(&[1.0, 2.0]).unwrap();
    let u = [0.3, 0.2];
    assert_eq!(weighted.derivatives(&u).unwrap(), plain.derivatives(&u).unwrap());
    assert_eq!(weighted.naive_likelihood(&u).unwrap(), plain.naive_likelihood(&u).unwrap());
    assert!(weighted.value(&u).unwrap().is_finite());
    let s = weighted.scores(&u).unwrap();
    assert_eq!(s.nrows(), 4);
    assert!(s.row(1).iter().chain(s.row(3).iter()).all(|v| *v == 0.0), "{s}");
    assert!(s.row(0).iter().all(|v| *v != 0.0 && v.is_finite()));
    // A fractional weight scales its term.
    let half = Nll::new(&Family::Gamma, &[1.5]).unwrap().with_weights(&[0.5]).unwrap();
    let whole = Nll::new(&Family::Gamma, &[1.5]).unwrap();
    assert_eq!(half.log_likelihood(&u).unwrap(), 0.5 * whole.log_likelihood(&u).unwrap());
    assert_eq!(half.value(&u).unwrap(), whole.value(&u).unwrap(), "the average of one value");
}

#[test]
fn bad_weights_are_named() {
    let x = [1.0, 2.0, 3.0];
    let nll = || Nll::new(&Family::Exponential, &x).unwrap();
    let err = |w: &[f64]| nll().with_weights(w).expect_err("an error");
    assert!(matches!(err(&[1.0, 2.0]), ObjectiveError::Dimension { what: "weights", expected: 3, found: 2 }));
    let e = err(&[1.0, -0.5, 1.0]);
    assert!(matches!(e, ObjectiveError::InvalidWeight { index: 1, value: -0.5, .. }), "{e:?}");
    assert_eq!(e.to_string(), "weight 1 = -0.5 is invalid: a frequency weight is not negative");
    let e = err(&[1.0, 1.0, f64::NAN]);
    assert!(matches!(e, ObjectiveError::InvalidWeight { index: 2, .. }), "{e:?}");
    assert!(e.to_string().contains("not finite"), "{e}");
    assert!(matches!(err(&[1.0, f64::INFINITY, 1.0]), ObjectiveError::InvalidWeight { index: 1, .. }));
    let e = err(&[0.0, 0.0, 0.0]);
    assert_eq!(e.to_string(), "weight 3 = 0 is invalid: the weights add up to 0");
    let e = err(&[f64::MAX, f64::MAX, 0.0]);
    assert!(e.to_string().contains("overflows"), "{e}");
    // The smallest positive weight is a weight.
    assert!(nll().with_weights(&[0.0, 5e-324, 0.0]).is_ok());
}

#[test]
fn weighted_summaries_are_the_expanded_data() {
    let (x, w, expanded) = table(4, 500);
    for family in [Family::Gamma, Family::Normal, Family::Poisson, Family::Exponential] {
        let data: Vec<f64> = if family == Family::Poisson { x.iter().map(|v| v.floor()).collect() } else { x.clone() };
        let big: Vec<f64> = data.iter().zip(&w).flat_map(|(x, w)| std::iter::repeat_n(*x, *w as usize)).collect();
        assert_eq!(big.len(), expanded.len());
        let mut weighted = Summary::empty(&family).unwrap();
        for (x, w) in data.iter().zip(&w) {
            weighted.push_weighted(*x, *w);
        }
        weighted.push_weighted(-3.0, 0.0); // out of every positive support, weight 0
        weighted.check().unwrap();
        let mut plain = Summary::empty(&family).unwrap();
        for x in &big {
            plain.push(*x);
        }
        assert_eq!(weighted.n(), plain.n());
        let (a, b) = (weighted.estimate().unwrap().theta, plain.estimate().unwrap().theta);
        for (p, q) in a.iter().zip(&b) {
            assert!(close(*p, *q, 1e-13), "{family:?}: {a:?} vs {b:?}");
        }
    }
    let mut bad = Summary::empty(&Family::Gamma).unwrap();
    bad.push_weighted(1.0, -1.0);
    assert!(bad.check().unwrap_err().to_string().contains("weight"), "{:?}", bad.check());
}

mod conditional {
    use super::close;
    use nalgebra::DMatrix;
    use xent_objectives::conditional::{
        ConditionalNll, Design, EtaModel, HeteroscedasticGaussian, LinearGaussian, Logistic, PoissonLog, Softmax,
    };

    /// A design of `n` rows (two features and an intercept), counts 0..=3,
    /// and the expanded design and counts' rows.
    fn rows(n: usize) -> (DMatrix<f64>, Vec<f64>, DMatrix<f64>, Vec<usize>) {
        let x = DMatrix::from_fn(n, 2, |i, j| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
        let w: Vec<f64> = (0..n).map(|i| ((i * 5 + 1) % 4) as f64).collect();
        let idx: Vec<usize> = (0..n).flat_map(|i| std::iter::repeat_n(i, w[i] as usize)).collect();
        let big = DMatrix::from_fn(idx.len(), 2, |r, j| x[(idx[r], j)]);
        (x, w, big, idx)
    }

    fn same<M: EtaModel + Clone>(model: M, y: &[f64], n: usize) {
        let (x, w, big, idx) = rows(n);
        let (d, dbig) = (Design::new(&x, true).unwrap(), Design::new(&big, true).unwrap());
        let ybig: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
        let a = ConditionalNll::new(model.clone(), &d, y).unwrap().with_weights(&w).unwrap();
        let b = ConditionalNll::new(model, &dbig, &ybig).unwrap();
        assert_eq!(a.total_weight(), idx.len() as f64);
        let theta: Vec<f64> = (0..a.dim()).map(|i| 0.3 - 0.17 * i as f64).collect();
        let (va, ga, ha) = a.value_gradient_hessian(&theta).unwrap();
        let (vb, gb, hb) = b.value_gradient_hessian(&theta).unwrap();
        let tol = 1e-13;
        assert!(close(va, vb, tol), "{va} vs {vb}");
        assert!(close(a.value(&theta).unwrap(), vb, tol));
        for (p, q) in ga.iter().zip(&gb).chain(ha.iter().zip(hb.iter())) {
            assert!(close(*p, *q, tol), "{p} vs {q}");
        }
        // Scores: row by row the unweighted ones, 0 for weight 0.
        let (sa, sb) = (a.scores(&theta).unwrap(), b.scores(&theta).unwrap());
        for i in 0..n {
            match idx.iter().position(|&k| k == i) {
                Some(r) => {
                    for c in 0..sa.ncols() {
                        assert!(close(sa[(i, c)], sb[(r, c)], 1e-15), "row {i}");
                    }
                }
                None => assert!(sa.row(i).iter().all(|v| *v == 0.0), "weight 0: row {i} {}", sa.row(i)),
            }
        }
    }

    #[test]
    fn weighted_rows_are_the_expanded_design() {
        let n = 97;
        let bits: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let counts: Vec<f64> = (0..n).map(|i| f64::from((i % 5) as u8)).collect();
        let labels: Vec<f64> = (0..n).map(|i| f64::from((i % 3) as u8)).collect();
        let reals: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin() * 2.0).collect();
        same(Logistic, &bits, n);
        same(PoissonLog, &counts, n);
        same(Softmax::new(3).unwrap(), &labels, n);
        same(LinearGaussian, &reals, n);
        same(HeteroscedasticGaussian, &reals, n);
    }

    #[test]
    fn unit_weights_change_nothing_and_bad_weights_are_named() {
        let (x, _, _, _) = rows(50);
        let d = Design::new(&x, true).unwrap();
        let y: Vec<f64> = (0..50).map(|i| f64::from((i % 4) as u8)).collect();
        let ones = vec![1.0; 50];
        let a = ConditionalNll::new(PoissonLog, &d, &y).unwrap();
        let b = ConditionalNll::new(PoissonLog, &d, &y).unwrap().with_weights(&ones).unwrap();
        let theta = [0.2, -0.1, 0.3];
        assert_eq!(a.value_gradient_hessian(&theta).unwrap(), b.value_gradient_hessian(&theta).unwrap());
        assert_eq!(a.scores(&theta).unwrap(), b.scores(&theta).unwrap());
        let e = ConditionalNll::new(PoissonLog, &d, &y).unwrap().with_weights(&ones[1..]).unwrap_err();
        assert!(e.to_string().contains("weights"), "{e}");
        let mut neg = ones.clone();
        neg[7] = -2.0;
        let e = ConditionalNll::new(PoissonLog, &d, &y).unwrap().with_weights(&neg).unwrap_err();
        assert_eq!(e.to_string(), "weight 7 = -2 is invalid: a frequency weight is not negative");
    }
}
