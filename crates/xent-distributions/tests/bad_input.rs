//! Bad input: every constructor rejects NaN, ±∞ and out-of-range values with
//! an error naming the parameter and the value; fits of empty, non-finite,
//! out-of-support or degenerate data return typed errors. No panics.

use nalgebra::{DMatrix, DVector};
use xent_distributions::{
    Accumulator, AnyUnivariate, Categorical, CategoricalStats, ClosedFormMle, Dirichlet, FitError, MultivariateNormal,
    Normal, NormalStats, ParamError,
};

/// A valid parameter set per family and, per parameter, finite values that
/// must be rejected.
type Named = Vec<(&'static str, f64)>;

fn table() -> Vec<(&'static str, Named, Named)> {
    vec![
        ("normal", vec![("mean", 0.0), ("std_dev", 1.0)], vec![("std_dev", 0.0), ("std_dev", -1.0)]),
        ("log_normal", vec![("mu", 0.0), ("sigma", 1.0)], vec![("sigma", 0.0), ("sigma", -2.0)]),
        ("exponential", vec![("rate", 1.0)], vec![("rate", 0.0), ("rate", -1.0)]),
        ("gamma", vec![("shape", 2.0), ("rate", 1.0)], vec![("shape", 0.0), ("rate", -1.0)]),
        ("beta", vec![("alpha", 2.0), ("beta", 3.0)], vec![("alpha", 0.0), ("beta", -1.0)]),
        ("laplace", vec![("location", 0.0), ("scale", 1.0)], vec![("scale", 0.0)]),
        (
            "student_t",
            vec![("location", 0.0), ("scale", 1.0), ("dof", 3.0)],
            vec![("scale", 0.0), ("dof", 0.0), ("dof", -3.0)],
        ),
        ("cauchy", vec![("location", 0.0), ("scale", 1.0)], vec![("scale", -1.0)]),
        ("weibull", vec![("shape", 2.0), ("scale", 1.0)], vec![("shape", 0.0), ("scale", 0.0)]),
        ("uniform", vec![("low", 0.0), ("high", 1.0)], vec![("high", 0.0), ("high", -1.0)]),
        ("pareto", vec![("scale", 1.0), ("shape", 2.0)], vec![("scale", 0.0), ("shape", -1.0)]),
        ("rayleigh", vec![("sigma", 1.0)], vec![("sigma", 0.0)]),
        ("inverse_gaussian", vec![("mean", 1.0), ("shape", 1.0)], vec![("mean", 0.0), ("shape", -1.0)]),
        ("poisson", vec![("rate", 1.0)], vec![("rate", 0.0), ("rate", -1.0)]),
        ("bernoulli", vec![("p", 0.5)], vec![("p", -0.1), ("p", 1.1)]),
        ("binomial", vec![("trials", 10.0), ("p", 0.5)], vec![("trials", -1.0), ("trials", 2.5), ("p", 1.5)]),
        ("geometric", vec![("p", 0.5)], vec![("p", 0.0), ("p", 1.5)]),
        ("negative_binomial", vec![("successes", 2.0), ("p", 0.5)], vec![("successes", 0.0), ("p", 0.0), ("p", 2.0)]),
    ]
}

fn names_param(e: &ParamError, name: &str) -> bool {
    match e {
        ParamError::NotFinite { name: n, .. }
        | ParamError::OutOfRange { name: n, .. }
        | ParamError::Invalid { name: n, .. } => *n == name,
        _ => false,
    }
}

#[test]
fn every_family_is_in_the_table() {
    let listed: Vec<&str> = table().iter().map(|t| t.0).collect();
    for f in AnyUnivariate::FAMILIES {
        assert!(listed.contains(f), "{f} has no bad-input cases");
    }
}

#[test]
fn constructors_reject_non_finite_and_out_of_range_values() {
    for (family, valid, bad) in table() {
        assert!(AnyUnivariate::from_params(family, &valid).is_ok(), "{family}: valid set rejected");
        let mut cases: Vec<(&str, f64)> = bad;
        for &(name, _) in &valid {
            cases.extend([(name, f64::NAN), (name, f64::INFINITY), (name, f64::NEG_INFINITY)]);
        }
        for (name, value) in cases {
            let params: Vec<(&str, f64)> =
                valid.iter().map(|&(n, v)| if n == name { (n, value) } else { (n, v) }).collect();
            let err =
                AnyUnivariate::from_params(family, &params).expect_err(&format!("{family}: {name} = {value} accepted"));
            assert!(names_param(&err, name), "{family}: {name} = {value}: error names another parameter: {err:?}");
            let msg = err.to_string();
            assert!(msg.contains(name), "{family}: message does not name {name}: {msg}");
            // Uniform's `high <= low` message names both bounds; others name the value.
            assert!(msg.contains(&format!("{value}")), "{family}: message does not give {value}: {msg}");
            assert!(msg.starts_with(|c: char| c.is_lowercase()), "message not lowercase: {msg}");
        }
    }
}

#[test]
fn names_are_checked() {
    assert!(matches!(AnyUnivariate::from_params("gauss", &[]), Err(ParamError::UnknownFamily(_))));
    assert!(matches!(
        AnyUnivariate::from_params("normal", &[("mean", 0.0), ("sd", 1.0)]),
        Err(ParamError::UnknownParameter { .. })
    ));
    assert!(matches!(
        AnyUnivariate::from_params("normal", &[("mean", 0.0)]),
        Err(ParamError::MissingParameter { name: "std_dev", .. })
    ));
}

#[test]
fn multivariate_constructors_reject_bad_parameters() {
    let id = DMatrix::<f64>::identity(2, 2);
    let m = DVector::from_vec(vec![0.0, 0.0]);
    let not_pd = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
    assert!(matches!(MultivariateNormal::new(m.clone(), not_pd), Err(ParamError::Invalid { name: "cov", .. })));
    let asym = DMatrix::from_row_slice(2, 2, &[1.0, 0.5, 0.0, 1.0]);
    assert!(matches!(MultivariateNormal::new(m.clone(), asym), Err(ParamError::Invalid { name: "cov", .. })));
    let nan_mean = DVector::from_vec(vec![f64::NAN, 0.0]);
    assert!(matches!(MultivariateNormal::new(nan_mean, id.clone()), Err(ParamError::NotFinite { name: "mean", .. })));
    assert!(matches!(
        MultivariateNormal::new(DVector::from_vec(vec![0.0; 3]), id.clone()),
        Err(ParamError::Dimension { name: "cov", .. })
    ));
    let mut inf_cov = id.clone();
    inf_cov[(0, 0)] = f64::INFINITY;
    assert!(matches!(MultivariateNormal::new(m, inf_cov), Err(ParamError::NotFinite { name: "cov", .. })));

    assert!(matches!(Dirichlet::new(vec![1.0, 0.0]), Err(ParamError::OutOfRange { name: "alpha", .. })));
    assert!(matches!(Dirichlet::new(vec![1.0, f64::NAN]), Err(ParamError::NotFinite { name: "alpha", .. })));
    assert!(matches!(Dirichlet::new(vec![1.0]), Err(ParamError::Dimension { name: "alpha", .. })));

    assert!(matches!(Categorical::new(vec![0.5, -0.5, 1.0]), Err(ParamError::OutOfRange { name: "probs", .. })));
    assert!(matches!(Categorical::new(vec![0.5, 0.6]), Err(ParamError::Invalid { name: "probs", .. })));
    assert!(matches!(Categorical::new(vec![f64::NAN, 1.0]), Err(ParamError::NotFinite { name: "probs", .. })));
    assert!(matches!(Categorical::<f64>::new(vec![]), Err(ParamError::Dimension { .. })));
    assert!(Categorical::from_logits(&[f64::INFINITY, 0.0]).is_err());
}

const CLOSED: &[&str] = &[
    "normal",
    "log_normal",
    "exponential",
    "laplace",
    "uniform",
    "pareto",
    "rayleigh",
    "inverse_gaussian",
    "poisson",
    "bernoulli",
    "geometric",
    "binomial",
];

fn fit(family: &str, data: &[f64]) -> Result<AnyUnivariate, FitError> {
    AnyUnivariate::fit_closed_form(family, data, None, &[("trials", 10.0)])
}

#[test]
fn fitting_empty_or_non_finite_data_is_an_error() {
    for &family in CLOSED {
        assert!(matches!(fit(family, &[]), Err(FitError::Empty { .. })), "{family}: empty data");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let got = fit(family, &[1.0, 1.0, bad, 0.0]);
            assert!(
                matches!(got, Err(FitError::NonFinite { index: 2, .. })),
                "{family}: {bad} at index 2 gave {got:?}"
            );
        }
    }
    for family in ["gamma", "beta", "weibull", "student_t", "cauchy", "negative_binomial"] {
        assert!(matches!(fit(family, &[1.0]), Err(FitError::NoClosedForm { .. })), "{family}");
    }
}

#[test]
fn fitting_out_of_support_data_names_the_observation() {
    let cases: &[(&str, f64)] = &[
        ("log_normal", -1.0),
        ("log_normal", 0.0),
        ("exponential", -0.5),
        ("pareto", -2.0),
        ("rayleigh", -1.0),
        ("inverse_gaussian", 0.0),
        ("poisson", 1.5),
        ("poisson", -1.0),
        ("bernoulli", 2.0),
        ("bernoulli", 0.5),
        ("geometric", -1.0),
        ("binomial", 0.5),
    ];
    for &(family, v) in cases {
        let got = fit(family, &[1.0, v]);
        match got {
            Err(FitError::OutOfSupport { index: 1, value, .. }) => assert_eq!(value, v),
            other => panic!("{family}: {v} gave {other:?}"),
        }
        assert!(got_message(family, v).contains(&format!("{v}")));
    }
    assert!(matches!(fit("binomial", &[11.0]), Err(FitError::ExceedsBound { .. })));
}

fn got_message(family: &str, v: f64) -> String {
    fit(family, &[1.0, v]).expect_err("out of support").to_string()
}

#[test]
fn fitting_degenerate_data_is_an_error() {
    for family in ["normal", "log_normal", "laplace", "uniform", "pareto", "inverse_gaussian"] {
        let got = fit(family, &[2.0, 2.0, 2.0]);
        assert!(matches!(got, Err(FitError::Degenerate { .. })), "{family}: zero spread gave {got:?}");
    }
    for family in ["exponential", "poisson", "rayleigh"] {
        let got = fit(family, &[0.0, 0.0]);
        assert!(matches!(got, Err(FitError::Degenerate { .. })), "{family}: all zeros gave {got:?}");
    }
    // One observation in two dimensions: the sample covariance is singular.
    let one = [DVector::from_vec(vec![1.0, 2.0])];
    assert!(matches!(MultivariateNormal::fit(&one), Err(FitError::Degenerate { .. })));
    let collinear: Vec<DVector<f64>> =
        (0..5).map(|i| DVector::from_vec(vec![f64::from(i), 2.0 * f64::from(i)])).collect();
    assert!(matches!(MultivariateNormal::fit(&collinear), Err(FitError::Degenerate { .. })));
    let mixed = [DVector::from_vec(vec![1.0, 2.0]), DVector::from_vec(vec![1.0])];
    assert!(matches!(MultivariateNormal::fit(&mixed), Err(FitError::Dimension { index: 1, .. })));
}

#[test]
fn weights_are_checked() {
    let data = [1.0, 2.0, 3.0];
    assert!(matches!(Normal::fit_weighted(&data, &[1.0, -1.0, 1.0]), Err(FitError::InvalidWeight { index: 1, .. })));
    assert!(matches!(
        Normal::fit_weighted(&data, &[1.0, f64::NAN, 1.0]),
        Err(FitError::InvalidWeight { index: 1, .. })
    ));
    assert!(matches!(Normal::fit_weighted(&data, &[1.0, 1.0]), Err(FitError::WeightCount { .. })));
    assert!(matches!(Normal::fit_weighted(&data, &[1.0, 1.0, 1.0, 1.0]), Err(FitError::WeightCount { .. })));
    assert!(matches!(Normal::fit_weighted(&data, &[0.0, 0.0, 0.0]), Err(FitError::Empty { .. })));
    // Zero weight drops an observation: same fit as without it.
    let w = Normal::fit_weighted(&[1.0, 2.0, 3.0, 100.0], &[1.0, 1.0, 1.0, 0.0]).unwrap();
    let u = Normal::fit(&data).unwrap();
    assert!((w.mean() - u.mean()).abs() < 1e-15 && (w.std_dev() - u.std_dev()).abs() < 1e-15);
    // Integer weights equal repetition.
    let w = Normal::fit_weighted(&[1.0, 4.0], &[3.0, 1.0]).unwrap();
    let r = Normal::fit(&[1.0, 1.0, 1.0, 4.0]).unwrap();
    assert!((w.mean() - r.mean()).abs() < 1e-15 && (w.std_dev() - r.std_dev()).abs() < 1e-15);
}

#[test]
fn accumulators_merge_to_the_whole_pass() {
    let xs: Vec<f64> = (0..1000).map(|i| (f64::from(i) * 0.37).sin() * 3.0 + 1000.0).collect();
    let mut whole = NormalStats::default();
    whole.extend_from_slice(&xs);
    let mut parts = NormalStats::default();
    for chunk in xs.chunks(77) {
        let mut s = NormalStats::default();
        s.extend_from_slice(chunk);
        parts.merge(&s);
    }
    assert_eq!(parts.seen(), whole.seen());
    assert!((parts.mean() - whole.mean()).abs() < 1e-12 * whole.mean().abs());
    assert!((parts.sum_sq_dev() - whole.sum_sq_dev()).abs() < 1e-9 * whole.sum_sq_dev());

    let mut c = CategoricalStats::default();
    c.push(&2, 1.0);
    let mut d = CategoricalStats::default();
    d.push(&0, 2.0);
    d.push(&4, f64::NAN);
    c.merge(&d);
    assert_eq!(c.counts(), &[2.0, 0.0, 1.0]);
    assert!(matches!(c.check(), Err(FitError::InvalidWeight { index: 2, .. })));
}

/// Divergences between normals at extreme scales are finite (or +∞ when
/// the true value overflows), never NaN: the squares are of ratios.
#[test]
fn normal_divergences_at_extreme_scales() {
    use xent_distributions::{CrossEntropy, Normal, Univariate};
    for s in [1e-300, 1e-150, 1.0, 1e150, 1e300] {
        let p = Normal::new(3.0 * s, s).unwrap();
        assert_eq!(p.kl_divergence(&p).unwrap(), 0.0, "scale {s:e}");
        let h = p.cross_entropy(&p).unwrap();
        assert!((h - p.entropy()).abs() <= 1e-13 * h.abs().max(1.0), "scale {s:e}: {h} vs {}", p.entropy());
        // KL(N(0, s) ‖ N(s, 2s)) = ln 2 + 1/8 + 1/8 − ½, whatever s is.
        let q = Normal::new(s, 2.0 * s).unwrap();
        let kl = Normal::new(0.0, s).unwrap().kl_divergence(&q).unwrap();
        let want = std::f64::consts::LN_2 + 0.25 - 0.5;
        assert!((kl - want).abs() <= 1e-15, "scale {s:e}: {kl} vs {want}");
    }
}
