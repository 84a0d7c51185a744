//! Derivatives of every log-density with respect to every parameter through
//! `autodiff` duals, against central finite differences; second derivatives
//! through nested duals; analytic scores where they are simple.

use xent_distributions::{
    Bernoulli, Beta, Binomial, Cauchy, Dual, Exponential, Gamma, Geometric, HyperDual, InverseGaussian, Laplace,
    LogDensity, LogNormal, NegativeBinomial, Normal, Pareto, Poisson, Rayleigh, Scalar, StudentT, Uniform, Weibull,
};

/// `ln q(x)` of `family` with parameters `p` (in reference order) in scalar `T`.
fn ln_q<T: Scalar>(family: &str, p: &[T], x: f64) -> T {
    match family {
        "normal" => Normal::new(p[0], p[1]).unwrap().ln_density(&x),
        "log_normal" => LogNormal::new(p[0], p[1]).unwrap().ln_density(&x),
        "exponential" => Exponential::new(p[0]).unwrap().ln_density(&x),
        "gamma" => Gamma::new(p[0], p[1]).unwrap().ln_density(&x),
        "beta" => Beta::new(p[0], p[1]).unwrap().ln_density(&x),
        "laplace" => Laplace::new(p[0], p[1]).unwrap().ln_density(&x),
        "student_t" => StudentT::new(p[0], p[1], p[2]).unwrap().ln_density(&x),
        "cauchy" => Cauchy::new(p[0], p[1]).unwrap().ln_density(&x),
        "weibull" => Weibull::new(p[0], p[1]).unwrap().ln_density(&x),
        "uniform" => Uniform::new(p[0], p[1]).unwrap().ln_density(&x),
        "pareto" => Pareto::new(p[0], p[1]).unwrap().ln_density(&x),
        "rayleigh" => Rayleigh::new(p[0]).unwrap().ln_density(&x),
        "inverse_gaussian" => InverseGaussian::new(p[0], p[1]).unwrap().ln_density(&x),
        "poisson" => Poisson::new(p[0]).unwrap().ln_density(&x),
        "bernoulli" => Bernoulli::new(p[0]).unwrap().ln_density(&x),
        // trials is structural (an integer), only p is differentiated.
        "binomial" => Binomial::new(p[0].value() as u64, p[1]).unwrap().ln_density(&x),
        "geometric" => Geometric::new(p[0]).unwrap().ln_density(&x),
        "negative_binomial" => NegativeBinomial::new(p[0], p[1]).unwrap().ln_density(&x),
        other => panic!("unknown family {other}"),
    }
}

/// Families, parameters, points in the support, and which parameters are
/// differentiable there (the uniform's and Pareto's bounds enter only
/// through the support, binomial trials are integers).
/// (family, parameters, points, differentiable parameter indices)
type Case = (&'static str, Vec<f64>, Vec<f64>, Vec<usize>);

fn cases() -> Vec<Case> {
    vec![
        ("normal", vec![1.5, 2.0], vec![-3.0, 1.5, 4.2], vec![0, 1]),
        ("log_normal", vec![0.3, 0.6], vec![0.2, 1.0, 3.5], vec![0, 1]),
        ("exponential", vec![0.8], vec![0.0, 0.5, 7.0], vec![0]),
        ("gamma", vec![2.5, 0.7], vec![0.1, 3.0, 12.0], vec![0, 1]),
        ("gamma", vec![0.3, 4.0], vec![1e-3, 0.2], vec![0, 1]),
        ("beta", vec![2.0, 5.0], vec![0.05, 0.3, 0.9], vec![0, 1]),
        ("laplace", vec![-0.5, 1.3], vec![-3.0, 0.7], vec![0, 1]),
        ("student_t", vec![0.5, 1.9, 4.1], vec![-6.0, 0.4, 3.0], vec![0, 1, 2]),
        ("cauchy", vec![3.0, 0.2], vec![2.0, 3.1, 9.0], vec![0, 1]),
        ("weibull", vec![1.7, 2.2], vec![0.3, 2.0, 6.0], vec![0, 1]),
        ("uniform", vec![-2.0, 5.0], vec![0.0, 4.0], vec![0, 1]),
        ("pareto", vec![2.5, 1.2], vec![3.0, 40.0], vec![1]),
        ("rayleigh", vec![1.8], vec![0.4, 2.0, 6.0], vec![0]),
        ("inverse_gaussian", vec![1.5, 2.1], vec![0.2, 1.4, 6.0], vec![0, 1]),
        ("poisson", vec![3.5], vec![0.0, 3.0, 12.0], vec![0]),
        ("poisson", vec![1000.0], vec![950.0, 1000.0, 1100.0], vec![0]),
        ("bernoulli", vec![0.285], vec![0.0, 1.0], vec![0]),
        ("binomial", vec![10.0, 0.3], vec![0.0, 3.0, 10.0], vec![1]),
        ("binomial", vec![100.0, 0.95], vec![90.0, 95.0], vec![1]),
        ("geometric", vec![0.31], vec![0.0, 2.0, 20.0], vec![0]),
        ("negative_binomial", vec![3.0, 0.4], vec![0.0, 4.0, 30.0], vec![0, 1]),
    ]
}

/// `∂ ln q / ∂θᵢ` through one dual pass.
fn dual_grad(family: &str, p: &[f64], x: f64, i: usize) -> f64 {
    let dp: Vec<Dual> = p.iter().enumerate().map(|(j, &v)| if j == i { Dual::var(v) } else { Dual::cst(v) }).collect();
    ln_q(family, &dp, x).deriv()
}

/// Five-point central difference of `f` at `p` in coordinate `i`,
/// `h = 1e-4·max(0.1, |θᵢ|)`: truncation `h⁴ f⁽⁵⁾/30` and rounding
/// `~ε|f|/h` stay below `1e-7` for the cases here (the steepest is the
/// binomial at `p = 0.95`, where `f⁽⁵⁾ ≈ 4·10⁸` gives `1e-8`).
fn central(f: &dyn Fn(&[f64]) -> f64, p: &[f64], i: usize) -> f64 {
    let h = 1e-4 * p[i].abs().max(0.1);
    let at = |t: f64| {
        let mut q = p.to_vec();
        q[i] += t * h;
        f(&q)
    };
    (-at(2.0) + 8.0 * at(1.0) - 8.0 * at(-1.0) + at(-2.0)) / (12.0 * h)
}

#[test]
fn dual_gradients_match_central_differences() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (family, p, xs, free) in cases() {
        for &x in &xs {
            for &i in &free {
                let ad = dual_grad(family, &p, x, i);
                let fd = central(&|q| ln_q::<f64>(family, q, x), &p, i);
                checked += 1;
                if (ad - fd).abs() > 1e-6 * (1.0 + fd.abs()) {
                    failures.push(format!("{family} {p:?} x={x} ∂θ{i}: dual {ad}, finite difference {fd}"));
                }
            }
        }
    }
    assert!(checked > 50);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn nested_duals_give_second_derivatives() {
    let mut failures = Vec::new();
    for (family, p, xs, free) in cases() {
        for &x in &xs {
            for &i in &free {
                for &j in &free {
                    // Direction eᵢ in the inner dual, eⱼ in the outer.
                    let dp: Vec<HyperDual> = p
                        .iter()
                        .enumerate()
                        .map(|(k, &v)| {
                            let inner = Dual::new(v, if k == i { 1.0 } else { 0.0 });
                            let outer = Dual::new(if k == j { 1.0 } else { 0.0 }, 0.0);
                            HyperDual::new(inner, outer)
                        })
                        .collect();
                    let h2 = ln_q(family, &dp, x).dx.dx;
                    let fd = central(&|q| dual_grad(family, q, x, i), &p, j);
                    if (h2 - fd).abs() > 1e-5 * (1.0 + fd.abs()) {
                        failures.push(format!("{family} {p:?} x={x} ∂θ{i}∂θ{j}: nested dual {h2}, fd {fd}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dual_gradients_match_analytic_scores() {
    // normal: ∂μ = (x − μ)/σ², ∂σ = −1/σ + (x − μ)²/σ³
    let (m, s) = (1.5, 2.0);
    for x in [-3.0, 0.0, 4.2] {
        assert!((dual_grad("normal", &[m, s], x, 0) - (x - m) / (s * s)).abs() < 1e-15);
        assert!((dual_grad("normal", &[m, s], x, 1) - (-1.0 / s + (x - m).powi(2) / s.powi(3))).abs() < 1e-15);
    }
    // exponential: ∂λ = 1/λ − x; poisson: ∂λ = k/λ − 1; bernoulli: ∂p = x/p − (1 − x)/(1 − p)
    for x in [0.0, 0.5, 7.0] {
        assert!((dual_grad("exponential", &[0.8], x, 0) - (1.0 / 0.8 - x)).abs() < 1e-15);
    }
    for k in [0.0, 3.0, 12.0] {
        let want = k / 3.5 - 1.0;
        assert!((dual_grad("poisson", &[3.5], k, 0) - want).abs() < 1e-13, "poisson k={k}");
    }
    for x in [0.0, 1.0] {
        let want = x / 0.3 - (1.0 - x) / 0.7;
        assert!((dual_grad("bernoulli", &[0.3], x, 0) - want).abs() < 1e-14);
    }
    // gamma: ∂k = ln β − ψ(k) + ln x, ∂β = k/β − x
    let (k, b): (f64, f64) = (2.5, 0.7);
    for x in [0.1, 3.0] {
        let dk = b.ln() - k.digamma() + f64::ln(x);
        assert!((dual_grad("gamma", &[k, b], x, 0) - dk).abs() < 1e-14);
        assert!((dual_grad("gamma", &[k, b], x, 1) - (k / b - x)).abs() < 1e-14);
    }
}

/// Outside the support, duals give `−∞` with no NaN in any derivative part.
#[test]
fn duals_outside_the_support_are_minus_infinity_not_nan() {
    for (family, p, _, _) in cases() {
        let dp: Vec<Dual> = p.iter().map(|&v| Dual::var(v)).collect();
        for x in [-1.0, f64::NAN, f64::INFINITY, -1e300] {
            let v = ln_q(family, &dp, x);
            assert!(!v.value().is_nan() && !v.deriv().is_nan(), "{family} x={x}: {v:?}");
        }
    }
}
