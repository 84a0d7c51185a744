//! Properties over random valid parameters (proptest, fixed seeds):
//! normalisation by quadrature, closed-form cross-entropy against
//! quadrature, `H(p, q) = H(p) + KL(p ‖ q)`, `KL ≥ 0`, `KL(p ‖ p) = 0`, and
//! the multivariate families.

mod common;

use common::quad::{expect, expect_discrete};
use common::{as_refs, proptest_config};
use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use xent_distributions::{
    AnyUnivariate, Categorical, CrossEntropy, Dirichlet, LogDensity, MultivariateNormal, Support, Univariate,
};

/// A strategy for valid parameters of `family` (ranges keep quadrature of
/// endpoint singularities within reach: shapes ≥ 0.5).
fn params(family: &'static str) -> BoxedStrategy<Vec<(String, f64)>> {
    let pos = |lo: f64, hi: f64| (lo..hi).boxed();
    let v = |names: &'static [&'static str], s: Vec<BoxedStrategy<f64>>| {
        s.prop_map(move |vals| names.iter().map(|n| n.to_string()).zip(vals).collect::<Vec<_>>()).boxed()
    };
    match family {
        "normal" => v(&["mean", "std_dev"], vec![pos(-50.0, 50.0), pos(0.05, 20.0)]),
        "log_normal" => v(&["mu", "sigma"], vec![pos(-2.0, 2.0), pos(0.1, 1.5)]),
        "exponential" => v(&["rate"], vec![pos(0.05, 20.0)]),
        "gamma" => v(&["shape", "rate"], vec![pos(0.5, 30.0), pos(0.1, 10.0)]),
        "beta" => v(&["alpha", "beta"], vec![pos(0.5, 20.0), pos(0.5, 20.0)]),
        "laplace" => v(&["location", "scale"], vec![pos(-10.0, 10.0), pos(0.1, 5.0)]),
        "student_t" => v(&["location", "scale", "dof"], vec![pos(-5.0, 5.0), pos(0.2, 5.0), pos(0.5, 40.0)]),
        "cauchy" => v(&["location", "scale"], vec![pos(-5.0, 5.0), pos(0.2, 5.0)]),
        "weibull" => v(&["shape", "scale"], vec![pos(0.5, 8.0), pos(0.2, 5.0)]),
        "uniform" => (-10.0..10.0f64, 0.1..10.0f64)
            .prop_map(|(a, w)| vec![("low".to_string(), a), ("high".to_string(), a + w)])
            .boxed(),
        "pareto" => v(&["scale", "shape"], vec![pos(0.1, 5.0), pos(0.5, 6.0)]),
        "rayleigh" => v(&["sigma"], vec![pos(0.1, 10.0)]),
        "inverse_gaussian" => v(&["mean", "shape"], vec![pos(0.2, 5.0), pos(0.2, 20.0)]),
        "poisson" => v(&["rate"], vec![pos(0.01, 300.0)]),
        "bernoulli" => v(&["p"], vec![pos(0.0, 1.0)]),
        "binomial" => (0u32..200, 0.0..1.0f64)
            .prop_map(|(n, p)| vec![("trials".to_string(), f64::from(n)), ("p".to_string(), p)])
            .boxed(),
        "geometric" => v(&["p"], vec![pos(0.02, 1.0)]),
        "negative_binomial" => v(&["successes", "p"], vec![pos(0.2, 20.0), pos(0.05, 1.0)]),
        other => panic!("no strategy for {other}"),
    }
}

fn build(family: &str, p: &[(String, f64)]) -> AnyUnivariate {
    AnyUnivariate::from_params(family, &as_refs(p)).expect("strategy yields valid parameters")
}

/// Two members of `family`; a binomial `q` takes `p`'s trials, since
/// cross-entropy is defined for equal trials only.
fn build_pair(family: &str, pp: &[(String, f64)], qp: &[(String, f64)]) -> (AnyUnivariate, AnyUnivariate) {
    let p = build(family, pp);
    let mut q = build(family, qp);
    if let (AnyUnivariate::Binomial(a), AnyUnivariate::Binomial(b)) = (&p, &q) {
        q = AnyUnivariate::Binomial(xent_distributions::Binomial::new(a.trials(), b.p()).expect("valid"));
    }
    (p, q)
}

fn is_discrete(d: &AnyUnivariate) -> bool {
    matches!(d.support(), Support::Discrete { .. })
}

/// `E_d[g]` by quadrature or summation.
fn expectation(d: &AnyUnivariate, g: &dyn Fn(f64) -> f64) -> f64 {
    if is_discrete(d) { expect_discrete(d, g) } else { expect(d, g, 1e-11) }
}

/// Every univariate family integrates (sums) to 1.
#[test]
fn densities_integrate_to_one() {
    for (i, &family) in AnyUnivariate::FAMILIES.iter().enumerate() {
        let mut runner = proptest::test_runner::TestRunner::new(proptest_config(12, 1000 + i as u64));
        runner
            .run(&params(family), |p| {
                let d = build(family, &p);
                let total = expectation(&d, &|_| 1.0);
                // Quadrature to 1e-11 absolute; singular endpoints and heavy
                // tails are where it is weakest, hence 1e-7.
                prop_assert!((total - 1.0).abs() < 1e-7, "{family} {p:?}: ∫q = {total}");
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{family}: {e}"));
    }
}

/// The declared equivariance of each family holds: with `θ′` the
/// parameters mapped by [`Equivariance::forward`](xent_distributions::Equivariance)
/// under `x ↦ m + s·x`, `ln q_θ′(m + s·x) = ln q_θ(x) − ln s` at points
/// across the support (powers of two for `s`, so the mapped argument is
/// exact; `m = 0` for families without a location), and the families that
/// declare none are the ones whose support or parameters are not closed
/// under rescaling.
#[test]
fn declared_equivariance_holds() {
    let mut declared = Vec::new();
    for (i, &family) in AnyUnivariate::FAMILIES.iter().enumerate() {
        let Some(roles) = AnyUnivariate::equivariance(family) else { continue };
        declared.push(family);
        let shifts = roles.contains(&xent_distributions::Equivariance::Location);
        let mut runner = proptest::test_runner::TestRunner::new(proptest_config(24, 2000 + i as u64));
        let strategy = (params(family), -40i32..40, -100.0f64..100.0, prop::collection::vec(0.0f64..1.0, 5));
        runner
            .run(&strategy, |(p, k, m, us)| {
                let (s, m) = (2f64.powi(k), if shifts { m } else { 0.0 });
                let d = build(family, &p);
                let mapped: Vec<(String, f64)> =
                    p.iter().zip(roles).map(|((n, v), role)| (n.clone(), role.forward(*v, m, s))).collect();
                let e = build(family, &mapped);
                for u in us {
                    // A point of the support from a uniform (the quantile-ish
                    // map of the mean and spread where they exist).
                    let x = match d.support() {
                        Support::Continuous { low, high } if low.is_finite() && high.is_finite() => {
                            low + (high - low) * u
                        }
                        Support::Continuous { low, .. } if low.is_finite() => low + (1.0 + 20.0 * u).ln() * 2.0 + u,
                        _ => (u - 0.5) * 20.0,
                    };
                    let (a, b) = (d.ln_density(&x), e.ln_density(&(m + s * x)));
                    if !a.is_finite() {
                        // Outside the support, or at a pole of the density.
                        prop_assert_eq!(b, a);
                        continue;
                    }
                    // m + s·x rounds once (relative ε at |m + s x|), moving the
                    // density by that much times its log-derivative.
                    let tol = 1e-12 * (1.0 + a.abs()) + 1e-12 * (1.0 + m.abs() / s);
                    prop_assert!(
                        (b - (a - s.ln())).abs() <= tol,
                        "{family} {p:?} m={m} s={s}: {b} vs {} at x={x}",
                        a - s.ln()
                    );
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{family}: {e}"));
    }
    declared.sort_unstable();
    assert_eq!(
        declared,
        [
            "cauchy",
            "exponential",
            "gamma",
            "inverse_gaussian",
            "laplace",
            "log_normal",
            "normal",
            "pareto",
            "rayleigh",
            "student_t",
            "uniform",
            "weibull"
        ]
    );
}

/// Entropy equals `−E[ln q]` by quadrature, and so does the closed-form
/// cross-entropy `−E_p[ln q]` for a second random member.
#[test]
fn entropy_and_cross_entropy_match_quadrature() {
    for (i, &family) in AnyUnivariate::FAMILIES.iter().enumerate() {
        let mut runner = proptest::test_runner::TestRunner::new(proptest_config(8, 2000 + i as u64));
        runner
            .run(&(params(family), params(family)), |(pp, qp)| {
                let (p, q) = build_pair(family, &pp, &qp);
                let h = expectation(&p, &|x| -p.ln_density(&x));
                let scale = h.abs().max(1.0);
                prop_assert!(
                    (p.entropy() - h).abs() < 1e-7 * scale,
                    "{family} {pp:?}: H = {}, quadrature {h}",
                    p.entropy()
                );
                match p.cross_entropy(&q) {
                    Ok(ce) if ce.is_finite() => {
                        let num = expectation(&p, &|x| -q.ln_density(&x));
                        prop_assert!(
                            (ce - num).abs() < 1e-7 * num.abs().max(1.0),
                            "{family} p={pp:?} q={qp:?}: H(p,q) = {ce}, quadrature {num}"
                        );
                    }
                    Ok(_) => {} // +∞: q vanishes where p does not
                    Err(_) => {}
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{family}: {e}"));
    }
}

/// `H(p, q) = H(p) + KL(p ‖ q)`, `KL ≥ 0`, `KL(p ‖ p) = 0` for every family
/// with a closed form.
#[test]
fn cross_entropy_decomposes_and_kl_is_a_divergence() {
    for (i, &family) in AnyUnivariate::FAMILIES.iter().enumerate() {
        let mut runner = proptest::test_runner::TestRunner::new(proptest_config(64, 3000 + i as u64));
        runner
            .run(&(params(family), params(family)), |(pp, qp)| {
                let (p, q) = build_pair(family, &pp, &qp);
                let (Ok(ce), Ok(kl)) = (p.cross_entropy(&q), p.kl_divergence(&q)) else {
                    return Ok(()); // no closed form for this family
                };
                let h = p.entropy();
                // The identity holds up to rounding of terms of size |H|, |H(p,q)|.
                let tol = 1e-12 * (1.0 + ce.abs() + h.abs()) * 8.0;
                prop_assert!(kl >= -tol, "{family}: KL = {kl} < 0");
                if ce.is_finite() {
                    prop_assert!(
                        (ce - (h + kl)).abs() <= tol.max(1e-12 * kl.abs()),
                        "{family}: H(p,q) = {ce}, H(p) + KL = {}",
                        h + kl
                    );
                } else {
                    prop_assert!(kl == f64::INFINITY, "{family}: H(p,q) = ∞ but KL = {kl}");
                }
                let self_kl = p.kl_divergence(&p).expect("same family");
                prop_assert!(self_kl.abs() <= 1e-12 * (1.0 + h.abs()), "{family}: KL(p‖p) = {self_kl}");
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{family}: {e}"));
    }
}

/// The same identities for the categorical family, with quickcheck.
#[test]
fn categorical_kl_identities_quickcheck() {
    fn prop(a: Vec<u8>, b: Vec<u8>) -> quickcheck::TestResult {
        let k = a.len().min(b.len());
        if k == 0 {
            return quickcheck::TestResult::discard();
        }
        let norm = |v: &[u8]| {
            let w: Vec<f64> = v[..k].iter().map(|&x| f64::from(x) + 0.5).collect();
            let s: f64 = w.iter().sum();
            w.into_iter().map(|x| x / s).collect::<Vec<_>>()
        };
        let (Ok(p), Ok(q)) = (Categorical::new(norm(&a)), Categorical::new(norm(&b))) else {
            return quickcheck::TestResult::failed();
        };
        let (ce, kl, h) = (p.cross_entropy(&q).unwrap(), p.kl_divergence(&q).unwrap(), p.entropy());
        let direct: f64 = (0..k).map(|i| -p.probs()[i] * LogDensity::<f64>::ln_density(&q, &i)).sum();
        let tol = 1e-12 * (1.0 + ce.abs()) * k as f64;
        quickcheck::TestResult::from_bool(
            kl >= -tol
                && (ce - h - kl).abs() <= tol
                && (ce - direct).abs() <= tol
                && p.kl_divergence(&p).unwrap().abs() <= tol,
        )
    }
    quickcheck::QuickCheck::new()
        .rng(quickcheck::Gen::new(40))
        .tests(500)
        .quickcheck(prop as fn(Vec<u8>, Vec<u8>) -> quickcheck::TestResult);
}

/// A random 2×2 covariance as `L Lᵀ` from a lower factor with positive diagonal.
fn mvn2(m: (f64, f64), l: (f64, f64, f64)) -> MultivariateNormal {
    let chol = DMatrix::from_row_slice(2, 2, &[l.0, 0.0, l.1, l.2]);
    MultivariateNormal::from_cholesky(DVector::from_vec(vec![m.0, m.1]), chol).expect("valid")
}

proptest! {
    #![proptest_config(proptest_config(6, 4000))]

    /// The bivariate normal integrates to 1 and its entropy and
    /// cross-entropy match nested quadrature.
    #[test]
    fn multivariate_normal_integrates_and_matches_closed_forms(
        m in (-2.0..2.0f64, -2.0..2.0f64), l in (0.3..2.0f64, -1.0..1.0f64, 0.3..2.0f64),
        m2 in (-2.0..2.0f64, -2.0..2.0f64), l2 in (0.3..2.0f64, -1.0..1.0f64, 0.3..2.0f64),
    ) {
        let p = mvn2(m, l);
        let q = mvn2(m2, l2);
        // Integrate over a box of ±12 standard deviations around each mean.
        let sd = |d: &MultivariateNormal, i: usize| d.cov()[(i, i)].sqrt();
        let (cx, cy, rx, ry) = (m.0, m.1, 12.0 * sd(&p, 0), 12.0 * sd(&p, 1));
        let inner = |g: &dyn Fn(f64, f64) -> f64, x: f64| {
            common::quad::integrate(&|y| g(x, y), cy - ry, cy + ry, 1e-12)
        };
        let outer = |g: &dyn Fn(f64, f64) -> f64| common::quad::integrate(&|x| inner(g, x), cx - rx, cx + rx, 1e-10);
        let dens = |x: f64, y: f64| LogDensity::<f64>::ln_density(&p, &DVector::from_vec(vec![x, y])).exp();
        let total = outer(&dens);
        prop_assert!((total - 1.0).abs() < 1e-7, "∫q = {}", total);
        let ce = outer(&|x, y| -dens(x, y) * LogDensity::<f64>::ln_density(&q, &DVector::from_vec(vec![x, y])));
        let closed = p.cross_entropy(&q).unwrap();
        prop_assert!((ce - closed).abs() < 1e-6 * closed.abs().max(1.0), "H(p,q) = {} vs quadrature {}", closed, ce);
        let kl = p.kl_divergence(&q).unwrap();
        prop_assert!(kl >= 0.0 && (closed - p.entropy() - kl).abs() < 1e-10 * (1.0 + closed.abs()));
        prop_assert!(p.kl_divergence(&p).unwrap().abs() < 1e-12);
    }

    /// The 3-component Dirichlet integrates to 1 over the simplex, and its
    /// closed-form cross-entropy matches quadrature.
    #[test]
    fn dirichlet_integrates_and_matches_closed_forms(
        a in (1.0..6.0f64, 1.0..6.0f64, 1.0..6.0f64), b in (1.0..6.0f64, 1.0..6.0f64, 1.0..6.0f64),
    ) {
        let p = Dirichlet::new(vec![a.0, a.1, a.2]).unwrap();
        let q = Dirichlet::new(vec![b.0, b.1, b.2]).unwrap();
        let pt = |x: f64, y: f64| DVector::from_vec(vec![x, y, (1.0 - x - y).max(0.0)]);
        let over = |g: &dyn Fn(f64, f64) -> f64| {
            common::quad::integrate(&|x| common::quad::integrate(&|y| g(x, y), 0.0, 1.0 - x, 1e-12), 0.0, 1.0, 1e-10)
        };
        let dens = |x: f64, y: f64| LogDensity::<f64>::ln_density(&p, &pt(x, y)).exp();
        let total = over(&dens);
        prop_assert!((total - 1.0).abs() < 1e-7, "∫q = {}", total);
        let ce = over(&|x, y| {
            let d = dens(x, y);
            if d == 0.0 { 0.0 } else { -d * LogDensity::<f64>::ln_density(&q, &pt(x, y)) }
        });
        let closed = p.cross_entropy(&q).unwrap();
        prop_assert!((ce - closed).abs() < 1e-6 * closed.abs().max(1.0), "H(p,q) = {} vs quadrature {}", closed, ce);
        let kl = p.kl_divergence(&q).unwrap();
        prop_assert!(kl >= -1e-12 && (closed - p.entropy() - kl).abs() < 1e-10 * (1.0 + closed.abs()));
    }
}
