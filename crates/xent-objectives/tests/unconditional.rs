//! The unconditional objectives: derivatives against finite differences,
//! determinism across thread counts, the likelihood representations,
//! reparametrisation invariance and bad input.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use xent_distributions::{AnyUnivariate, LogDensity, ParamError, Scalar};
use xent_objectives::{Family, Model, Nll, ObjectiveError, Parametrisation, Transform, check_gradient};

/// (family, parameters to sample from, point u at which to differentiate)
fn cases() -> Vec<(Family, &'static str, Vec<(&'static str, f64)>)> {
    vec![
        (Family::Normal, "normal", vec![("mean", 1.5), ("std_dev", 2.0)]),
        (Family::LogNormal, "log_normal", vec![("mu", 0.3), ("sigma", 0.6)]),
        (Family::Exponential, "exponential", vec![("rate", 0.8)]),
        (Family::Gamma, "gamma", vec![("shape", 2.5), ("rate", 0.7)]),
        (Family::Beta, "beta", vec![("alpha", 2.0), ("beta", 5.0)]),
        (Family::Laplace, "laplace", vec![("location", -0.5), ("scale", 1.3)]),
        (Family::StudentT, "student_t", vec![("location", 0.5), ("scale", 1.9), ("dof", 4.1)]),
        (Family::Cauchy, "cauchy", vec![("location", 3.0), ("scale", 0.2)]),
        (Family::Weibull, "weibull", vec![("shape", 1.7), ("scale", 2.2)]),
        (Family::Rayleigh, "rayleigh", vec![("sigma", 1.8)]),
        (Family::InverseGaussian, "inverse_gaussian", vec![("mean", 1.5), ("shape", 2.1)]),
        (Family::Poisson, "poisson", vec![("rate", 3.5)]),
        (Family::Bernoulli, "bernoulli", vec![("p", 0.3)]),
        (Family::Geometric, "geometric", vec![("p", 0.3)]),
        (Family::NegativeBinomial, "negative_binomial", vec![("successes", 3.0), ("p", 0.4)]),
        (Family::Binomial { trials: 10 }, "binomial", vec![("trials", 10.0), ("p", 0.3)]),
    ]
}

fn sample(family: &str, p: &[(&str, f64)], n: usize, seed: u64) -> Vec<f64> {
    let d = AnyUnivariate::from_params(family, p).expect("valid");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).map(|_| d.sample(&mut rng)).collect()
}

/// A point away from the optimum: the true parameters, unconstrained, shifted.
fn point(model: &Family, p: &[(&str, f64)]) -> Vec<f64> {
    let theta: Vec<f64> = p.iter().filter(|(n, _)| *n != "trials").map(|&(_, v)| v).collect();
    let u = Parametrisation::new(model.transforms()).inverse(&theta).expect("inside the domain");
    u.iter().enumerate().map(|(i, v)| v + 0.1 * (i as f64 + 1.0)).collect()
}

#[test]
fn gradients_and_hessians_match_finite_differences() {
    for (i, (model, name, p)) in cases().into_iter().enumerate() {
        let data = sample(name, &p, 500, 100 + i as u64);
        let nll = Nll::new(&model, &data).unwrap();
        let u = point(&model, &p);
        let f = |v: &[f64]| nll.value(v).unwrap();
        let (v, g) = nll.value_and_gradient(&u).unwrap();
        assert!((v - f(&u)).abs() <= 1e-14 * v.abs().max(1.0), "{name}: value differs between paths");
        let check = check_gradient(&f, &u, &g, 3);
        assert!(check.passes(1e-6), "{name}: gradient {g:?} vs fd {:?}", check.finite_differences);
        let d = nll.derivatives(&u).unwrap();
        assert!((d.value - v).abs() <= 1e-14 * v.abs().max(1.0));
        for (a, b) in d.gradient.iter().zip(&g) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{name}: gradient differs between paths");
        }
        let h = d.hessian.unwrap();
        for r in 0..u.len() {
            let gr = |v: &[f64]| nll.gradient(v).unwrap()[r];
            let row: Vec<f64> = (0..u.len()).map(|c| h[(r, c)]).collect();
            let check = check_gradient(&gr, &u, &row, 5);
            assert!(check.passes(1e-5), "{name}: Hessian row {r} {row:?} vs fd {:?}", check.finite_differences);
        }
    }
}

#[test]
fn scores_sum_to_minus_n_times_the_gradient() {
    for (i, (model, name, p)) in cases().into_iter().enumerate() {
        let data = sample(name, &p, 300, 200 + i as u64);
        let nll = Nll::new(&model, &data).unwrap();
        let u = point(&model, &p);
        let s = nll.scores(&u).unwrap();
        let g = nll.gradient(&u).unwrap();
        assert_eq!(s.nrows(), data.len());
        for c in 0..u.len() {
            let sum: f64 = s.column(c).iter().sum();
            let want = -(data.len() as f64) * g[c];
            assert!((sum - want).abs() <= 1e-10 * want.abs().max(1.0), "{name}: Σ scores {sum} vs {want}");
        }
    }
}

#[test]
fn values_are_bitwise_identical_for_any_thread_count() {
    let data = sample("gamma", &[("shape", 2.5), ("rate", 0.7)], 30_000, 9);
    let u = [0.9, -0.3];
    let one = Nll::new(&Family::Gamma, &data).unwrap().threads(1);
    let (v1, g1) = one.value_and_gradient(&u).unwrap();
    let h1 = one.hessian(&u).unwrap();
    let l1 = one.likelihood(&u).unwrap();
    for t in [2, 3, 8] {
        let many = Nll::new(&Family::Gamma, &data).unwrap().threads(t);
        let (v, g) = many.value_and_gradient(&u).unwrap();
        assert_eq!(v.to_bits(), v1.to_bits(), "{t} threads");
        assert_eq!(g, g1);
        assert_eq!(many.hessian(&u).unwrap(), h1);
        assert_eq!(many.likelihood(&u).unwrap(), l1);
    }
}

#[test]
fn the_likelihood_does_not_underflow_but_the_naive_product_does() {
    let data = sample("normal", &[("mean", 0.0), ("std_dev", 1.0)], 2000, 4);
    let nll = Nll::new(&Family::Normal, &data).unwrap();
    let u = [0.0, 0.0];
    let ll = nll.log_likelihood(&u).unwrap();
    let l = nll.likelihood(&u).unwrap();
    // ln of the scaled product equals the sum of logs; n·ε·|ln L| rounding.
    assert!((l.ln() - ll).abs() <= 2000.0 * f64::EPSILON * ll.abs() * 4.0, "{} vs {ll}", l.ln());
    assert!(l.mantissa() >= 0.5 && l.mantissa() < 1.0);
    assert_eq!(nll.naive_likelihood(&u).unwrap(), 0.0);
    // With few observations both agree.
    let few = Nll::new(&Family::Normal, &data[..20]).unwrap();
    let naive = few.naive_likelihood(&u).unwrap();
    assert!((naive.ln() - few.likelihood(&u).unwrap().ln()).abs() < 1e-12);
}

/// Normal with variance (not standard deviation) as its second parameter.
struct NormalVariance;

impl Model for NormalVariance {
    type Obs = f64;
    type Dist<T: Scalar> = xent_distributions::Normal<T>;
    fn name(&self) -> String {
        "normal(mean, variance)".into()
    }
    fn param_names(&self) -> Vec<String> {
        vec!["mean".into(), "variance".into()]
    }
    fn transforms(&self) -> Vec<Transform> {
        vec![Transform::Identity, Transform::Exp]
    }
    fn build<T: Scalar>(&self, t: &[T]) -> Result<Self::Dist<T>, ParamError> {
        xent_distributions::Normal::new(t[0], t[1].sqrt())
    }
}

/// Damped Newton on the average NLL (the optimiser crate arrives later).
fn newton<M: Model>(nll: &Nll<'_, M>, mut u: Vec<f64>) -> Vec<f64> {
    for _ in 0..100 {
        let d = nll.derivatives(&u).unwrap();
        let h = d.hessian.unwrap();
        let g = nalgebra::DVector::from_vec(d.gradient.clone());
        let step = h.cholesky().map_or_else(|| -g.clone(), |c| -c.solve(&g));
        let mut t = 1.0;
        loop {
            let cand: Vec<f64> = u.iter().zip(step.iter()).map(|(a, s)| a + t * s).collect();
            // Near the optimum the decrease falls below the value's rounding
            // noise (~1e-14 here): accept steps that do not increase it beyond that.
            if nll.value(&cand).is_ok_and(|v| v <= d.value + 1e-13 * d.value.abs()) || t < 1e-12 {
                u = cand;
                break;
            }
            t *= 0.5;
        }
        if g.norm() < 1e-13 {
            break;
        }
    }
    u
}

#[test]
fn maximum_likelihood_is_invariant_under_reparametrisation() {
    let data = sample("normal", &[("mean", 1.5), ("std_dev", 2.0)], 1000, 11);
    let a = Nll::new(&Family::Normal, &data).unwrap();
    let b = Nll::new(&NormalVariance, &data).unwrap();
    let ta = a.theta(&newton(&a, vec![0.0, 0.0])).unwrap();
    let tb = b.theta(&newton(&b, vec![0.0, 0.0])).unwrap();
    assert!((ta[0] - tb[0]).abs() < 1e-10, "means {} {}", ta[0], tb[0]);
    assert!((ta[1] * ta[1] - tb[1]).abs() < 1e-10 * tb[1], "variances {} {}", ta[1] * ta[1], tb[1]);
    // And both are the closed-form MLE.
    let closed = xent_distributions::Normal::fit_closed(&data);
    assert!((ta[0] - closed.0).abs() < 1e-10 && (ta[1] - closed.1).abs() < 1e-10);
}

trait FitClosed {
    fn fit_closed(data: &[f64]) -> (f64, f64);
}
impl FitClosed for xent_distributions::Normal {
    fn fit_closed(data: &[f64]) -> (f64, f64) {
        use xent_distributions::ClosedFormMle;
        let n = xent_distributions::Normal::fit(data).unwrap();
        (n.mean(), n.std_dev())
    }
}

#[test]
fn fixed_parameters_leave_the_free_vector() {
    let data = sample("normal", &[("mean", 1.5), ("std_dev", 2.0)], 200, 12);
    let p = Parametrisation::new(Family::Normal.transforms()).fix(1, vec![2.0]).unwrap();
    let nll = Nll::with_parametrisation(&Family::Normal, &data, p).unwrap();
    assert_eq!(nll.dim(), 1);
    let theta = nll.theta(&[0.7]).unwrap();
    assert_eq!(theta, vec![0.7, 2.0]);
    let full = Nll::new(&Family::Normal, &data).unwrap();
    assert_eq!(nll.value(&[0.7]).unwrap(), full.value(&[0.7, 2f64.ln()]).unwrap());
}

#[test]
fn bad_input_is_a_typed_error() {
    let data = [1.0, 2.0];
    let nll = Nll::new(&Family::Normal, &data).unwrap();
    assert!(matches!(nll.value(&[f64::NAN, 0.0]), Err(ObjectiveError::NonFiniteParameter { index: 0, .. })));
    assert!(matches!(nll.gradient(&[0.0, f64::INFINITY]), Err(ObjectiveError::NonFiniteParameter { index: 1, .. })));
    assert!(matches!(nll.value(&[0.0]), Err(ObjectiveError::Dimension { .. })));
    assert!(matches!(nll.hessian(&[0.0, 0.0, 0.0]), Err(ObjectiveError::Dimension { .. })));
    assert!(matches!(Nll::new(&Family::Normal, &[]), Err(ObjectiveError::EmptyData)));
    // exp(u) overflowing to ∞ is rejected by the family, not turned into NaN.
    assert!(matches!(nll.value(&[0.0, 800.0]), Err(ObjectiveError::Param(_))));
    // Data outside the support: the NLL is +∞, its gradient has no NaN.
    let neg = [-1.0, 2.0];
    let e = Nll::new(&Family::Exponential, &neg).unwrap();
    assert_eq!(e.value(&[0.0]).unwrap(), f64::INFINITY);
    assert!(e.gradient(&[0.0]).unwrap().iter().all(|g| !g.is_nan()));
    // Transforms reject natural values outside their domain.
    let p = Parametrisation::new(vec![Transform::Identity, Transform::Exp]);
    assert!(matches!(p.inverse(&[0.0, -1.0]), Err(ObjectiveError::OutsideDomain { index: 1, .. })));
    assert!(matches!(
        Parametrisation::new(vec![Transform::Logit]).inverse(&[1.0]),
        Err(ObjectiveError::OutsideDomain { .. })
    ));
}

#[test]
fn transforms_round_trip() {
    let p = Parametrisation::new(vec![
        Transform::Identity,
        Transform::Exp,
        Transform::Logit,
        Transform::Simplex { k: 3 },
        Transform::Cholesky { k: 2 },
    ]);
    let theta = vec![-1.5, 0.25, 0.9, 0.2, 0.3, 0.5, 1.5, -0.4, 0.7];
    let u = p.inverse(&theta).unwrap();
    assert_eq!(u.len(), 1 + 1 + 1 + 2 + 3);
    let back = p.forward(&u).unwrap();
    for (a, b) in back.iter().zip(&theta) {
        assert!((a - b).abs() < 1e-15 * b.abs().max(1.0), "{a} vs {b}");
    }
    // Extreme logits stay finite and on the simplex.
    let s = Parametrisation::new(vec![Transform::Simplex { k: 3 }]).forward(&[1e4, -1e4]).unwrap();
    assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-15 && s.iter().all(|v| v.is_finite()));
    let l = Parametrisation::new(vec![Transform::Logit]).forward(&[-800.0]).unwrap();
    assert!(l[0] >= 0.0 && l[0].is_finite());
    // The Jacobian matches the derivative of exp and of the logistic.
    let j = Parametrisation::new(vec![Transform::Exp, Transform::Logit]).jacobian(&[0.3, 0.2]).unwrap();
    let s = 1.0 / (1.0 + (-0.2f64).exp());
    assert!((j[(0, 0)] - 0.3f64.exp()).abs() < 1e-15 && (j[(1, 1)] - s * (1.0 - s)).abs() < 1e-15);
}

#[test]
fn user_models_evaluate_like_built_in_ones() {
    let data = sample("normal", &[("mean", 0.5), ("std_dev", 1.5)], 100, 13);
    let user = Nll::new(&NormalVariance, &data).unwrap();
    let builtin = Nll::new(&Family::Normal, &data).unwrap();
    // variance = e^{2 ln σ}
    let v1 = user.value(&[0.5, 2.0 * 1.5f64.ln()]).unwrap();
    let v2 = builtin.value(&[0.5, 1.5f64.ln()]).unwrap();
    assert!((v1 - v2).abs() < 1e-14);
    let direct: f64 = -data
        .iter()
        .map(|x| LogDensity::<f64>::ln_density(&xent_distributions::Normal::new(0.5, 1.5).unwrap(), x))
        .sum::<f64>()
        / 100.0;
    assert!((v2 - direct).abs() < 1e-14);
}

/// The sufficient-statistics path equals the per-sample path: values,
/// gradients and Hessians, to `c·n·ε` relative (the per-sample sums round
/// n times, the statistics once per observation and once per formula).
#[test]
fn sufficient_statistics_path_equals_the_per_sample_path() {
    use xent_objectives::SufficientNll;
    let families = [
        (Family::Normal, "normal", vec![("mean", 1000.0), ("std_dev", 7.5)]),
        (Family::LogNormal, "log_normal", vec![("mu", 0.3), ("sigma", 0.6)]),
        (Family::Exponential, "exponential", vec![("rate", 0.8)]),
        (Family::Gamma, "gamma", vec![("shape", 2.5), ("rate", 0.7)]),
        (Family::Beta, "beta", vec![("alpha", 2.0), ("beta", 5.0)]),
        (Family::Poisson, "poisson", vec![("rate", 3.5)]),
        (Family::Bernoulli, "bernoulli", vec![("p", 0.3)]),
        (Family::Geometric, "geometric", vec![("p", 0.3)]),
        (Family::Rayleigh, "rayleigh", vec![("sigma", 1.8)]),
        (Family::InverseGaussian, "inverse_gaussian", vec![("mean", 1.5), ("shape", 2.1)]),
    ];
    for (i, (model, name, p)) in families.into_iter().enumerate() {
        let n = 5000;
        let data = sample(name, &p, n, 300 + i as u64);
        let slow = Nll::new(&model, &data).unwrap();
        let fast = SufficientNll::new(&model, &data).unwrap();
        let tol = 64.0 * n as f64 * f64::EPSILON;
        for shift in [0.0, 0.2, -0.3] {
            let u: Vec<f64> = point(&model, &p).iter().map(|v| v + shift).collect();
            let (a, b) = (slow.value(&u).unwrap(), fast.value(&u).unwrap());
            assert!((a - b).abs() <= tol * a.abs().max(1.0), "{name}: value {a} vs {b}");
            let (ga, gb) = (slow.gradient(&u).unwrap(), fast.gradient(&u).unwrap());
            for (x, y) in ga.iter().zip(&gb) {
                assert!((x - y).abs() <= tol * x.abs().max(1.0), "{name}: gradient {ga:?} vs {gb:?}");
            }
            let (ha, hb) = (slow.hessian(&u).unwrap(), fast.hessian(&u).unwrap());
            for (x, y) in ha.iter().zip(hb.iter()) {
                assert!((x - y).abs() <= tol * x.abs().max(1.0), "{name}: Hessian {ha} vs {hb}");
            }
        }
    }
    assert!(matches!(
        SufficientNll::new(&Family::StudentT, &[1.0]),
        Err(ObjectiveError::NoSufficientStatistics { .. })
    ));
    assert!(matches!(SufficientNll::new(&Family::Exponential, &[1.0, -1.0]), Err(ObjectiveError::Data(_))));
}

/// Every evaluation path of the derivatives — vector tangents of width 8
/// with padding (5 parameters), scalar duals per direction (9), nested
/// scalar duals for Hessians beyond 4 parameters — against finite
/// differences, on multivariate normals of dimension 2 and 3.
#[test]
fn wide_models_take_the_other_derivative_paths_correctly() {
    use nalgebra::{DMatrix, DVector};
    use xent_distributions::MultivariateNormal;
    use xent_objectives::MultivariateNormalModel;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(78);
    for dim in [2usize, 3] {
        let cov = DMatrix::from_fn(dim, dim, |i, j| if i == j { 1.5 } else { 0.4 });
        let truth = MultivariateNormal::new(DVector::from_fn(dim, |i, _| i as f64 - 1.0), cov).unwrap();
        let xs: Vec<DVector<f64>> = (0..300).map(|_| truth.sample(&mut rng)).collect();
        let model = MultivariateNormalModel { dim };
        let nll = Nll::new(&model, &xs).unwrap();
        let k = dim + dim * (dim + 1) / 2;
        let u: Vec<f64> = (0..k).map(|i| 0.1 * (i as f64) - 0.2).collect();
        let (v, g) = nll.value_and_gradient(&u).unwrap();
        assert!((v - nll.value(&u).unwrap()).abs() <= 1e-14 * v.abs());
        let c = check_gradient(&|w| nll.value(w).unwrap(), &u, &g, 3);
        assert!(c.passes(1e-6), "dim {dim}: gradient {g:?} vs {:?}", c.finite_differences);
        let d = nll.derivatives(&u).unwrap();
        let h = d.hessian.unwrap();
        for r in 0..k {
            let row: Vec<f64> = (0..k).map(|c| h[(r, c)]).collect();
            let c = check_gradient(&|w| nll.gradient(w).unwrap()[r], &u, &row, 5);
            assert!(c.passes(1e-5), "dim {dim}: Hessian row {r} {row:?} vs {:?}", c.finite_differences);
        }
    }
}

/// The multivariate families as models: derivatives check out, and Newton
/// on the unconstrained parameters lands on the closed-form MLE.
#[test]
fn multivariate_models_reach_their_closed_form_mles() {
    use nalgebra::{DMatrix, DVector};
    use xent_distributions::{Categorical, ClosedFormMle, Dirichlet, MultivariateNormal};
    use xent_objectives::{CategoricalModel, DirichletModel, MultivariateNormalModel};
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(77);

    let truth = MultivariateNormal::new(
        DVector::from_vec(vec![1.0, -2.0]),
        DMatrix::from_row_slice(2, 2, &[2.0, 0.6, 0.6, 0.5]),
    )
    .unwrap();
    let xs: Vec<DVector<f64>> = (0..400).map(|_| truth.sample(&mut rng)).collect();
    let model = MultivariateNormalModel { dim: 2 };
    let nll = Nll::new(&model, &xs).unwrap();
    let u0 = vec![0.0; 5];
    let (_, g) = nll.value_and_gradient(&u0).unwrap();
    assert!(check_gradient(&|u| nll.value(u).unwrap(), &u0, &g, 1).passes(1e-6));
    let theta = nll.theta(&newton(&nll, u0)).unwrap();
    let closed = MultivariateNormal::fit(&xs).unwrap();
    let l = closed.cholesky_factor();
    let want = [closed.mean()[0], closed.mean()[1], l[(0, 0)], l[(1, 0)], l[(1, 1)]];
    for (a, b) in theta.iter().zip(want) {
        assert!((a - b).abs() < 1e-9, "MVN: {theta:?} vs {want:?}");
    }

    let cat = Categorical::new(vec![0.2, 0.5, 0.3]).unwrap();
    let ks: Vec<usize> = (0..600).map(|_| cat.sample(&mut rng)).collect();
    let nll = Nll::new(&CategoricalModel { k: 3 }, &ks).unwrap();
    let theta = nll.theta(&newton(&nll, vec![0.0, 0.0])).unwrap();
    let closed = Categorical::fit(&ks).unwrap();
    for (a, b) in theta.iter().zip(closed.probs()) {
        assert!((a - b).abs() < 1e-10, "categorical: {theta:?} vs {:?}", closed.probs());
    }

    let dir = Dirichlet::new(vec![2.0, 3.0, 5.0]).unwrap();
    let ps: Vec<DVector<f64>> = (0..300).map(|_| dir.sample(&mut rng)).collect();
    let nll = Nll::new(&DirichletModel { k: 3 }, &ps).unwrap();
    let u0 = vec![0.5, 0.5, 0.5];
    let (_, g) = nll.value_and_gradient(&u0).unwrap();
    assert!(check_gradient(&|u| nll.value(u).unwrap(), &u0, &g, 2).passes(1e-6));
    let u = newton(&nll, u0);
    let g = nll.gradient(&u).unwrap();
    assert!(g.iter().all(|g| g.abs() < 1e-10), "dirichlet gradient {g:?} at {:?}", nll.theta(&u).unwrap());
}
