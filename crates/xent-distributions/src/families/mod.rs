//! One module per family.

pub mod bernoulli;
pub mod beta;
pub mod binomial;
pub mod categorical;
pub mod cauchy;
pub mod dirichlet;
pub mod exponential;
pub mod gamma;
pub mod geometric;
pub mod inverse_gaussian;
pub mod laplace;
pub mod log_normal;
pub mod multivariate_normal;
pub mod negative_binomial;
pub mod normal;
pub mod pareto;
pub mod poisson;
pub mod rayleigh;
pub mod student_t;
pub mod uniform;
pub mod weibull;

use crate::scalar::Scalar;

/// `−∞` as a constant of the scalar type (log-density outside the support).
#[inline]
pub(crate) fn neg_inf<T: Scalar>() -> T {
    T::neg_infinity()
}

/// A log-density whose value underflowed to `−∞` (far in a tail) becomes the
/// constant `−∞`: its derivative parts would otherwise be `∞ − ∞ = NaN`.
#[inline]
pub(crate) fn underflow<T: Scalar>(v: T) -> T {
    if v.value() == f64::NEG_INFINITY { T::neg_infinity() } else { v }
}

/// Whether `x` is a non-negative integer (as an `f64`).
#[inline]
pub(crate) fn is_count(x: f64) -> bool {
    x >= 0.0 && x.is_finite() && x == x.floor()
}

/// `−Σₖ p(k) ln p(k)` for a unimodal pmf on `low..=high`, summed outward from
/// `mode` until the terms fall below `1e-20` of the running total (both tails
/// of a unimodal pmf decrease monotonically away from the mode). Each
/// direction stops after `10⁷` terms at most.
pub(crate) fn discrete_entropy(ln_pmf: impl Fn(f64) -> f64, mode: f64, low: f64, high: f64) -> f64 {
    let term = |k: f64| {
        let lp = ln_pmf(k);
        if lp == f64::NEG_INFINITY { 0.0 } else { -lp.exp() * lp }
    };
    let mut total = term(mode);
    let mut k = mode + 1.0;
    let mut steps = 0;
    while k <= high && steps < 10_000_000 {
        let t = term(k);
        total += t;
        if t.abs() <= 1e-20 * total.abs().max(1e-300) && ln_pmf(k) < ln_pmf(mode) - 40.0 {
            break;
        }
        k += 1.0;
        steps += 1;
    }
    let mut k = mode - 1.0;
    while k >= low {
        let t = term(k);
        total += t;
        if t.abs() <= 1e-20 * total.abs().max(1e-300) && ln_pmf(k) < ln_pmf(mode) - 40.0 {
            break;
        }
        k -= 1.0;
    }
    total
}
