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

use crate::error::FitError;
use crate::scalar::Scalar;
use crate::stats::Accumulator;
use crate::traits::{ClosedFormMle, Domain, Named, Parameter, Parametric};

/// The family table: every univariate family of this crate, once, with its
/// kind — `exponential` (a [`Parametric`] family that is also an
/// [`ExponentialFamily`](crate::ExponentialFamily) with finite sufficient
/// statistics), `parametric` (a [`Parametric`] family without), or
/// `structural` (the binomial, whose number of trials is a known integer
/// rather than a parameter).
///
/// `univariate_families!(callback)` calls `callback! { Variant = "name", … }`
/// with every family; `univariate_families!(callback, parametric)` with the
/// [`Parametric`] ones; `univariate_families!(callback, exponential)` with
/// the exponential families. Each `Variant` is also the name of the
/// family's type at the crate root (`xent_distributions::Variant`). The
/// by-name enum [`AnyUnivariate`](crate::AnyUnivariate), the models and the
/// sufficient-statistic summaries of `xent-objectives` are generated from
/// this one list, so a new family is a new file, one line here, and nothing
/// else.
///
/// ```
/// macro_rules! names {
///     ($($variant:ident = $name:literal),* $(,)?) => { [$($name),*] };
/// }
/// let exponential = xent_distributions::univariate_families!(names, exponential);
/// assert!(exponential.contains(&"gamma") && !exponential.contains(&"cauchy"));
/// ```
#[macro_export]
macro_rules! univariate_families {
    ($callback:ident) => { $crate::univariate_families! { @table $callback all } };
    ($callback:ident, parametric) => { $crate::univariate_families! { @table $callback parametric } };
    ($callback:ident, exponential) => { $crate::univariate_families! { @table $callback exponential } };
    (@table $callback:ident $which:ident) => {
        $crate::univariate_families! { @pick $callback $which []
            Normal = "normal": exponential,
            LogNormal = "log_normal": exponential,
            Exponential = "exponential": exponential,
            Gamma = "gamma": exponential,
            Beta = "beta": exponential,
            Laplace = "laplace": parametric,
            StudentT = "student_t": parametric,
            Cauchy = "cauchy": parametric,
            Weibull = "weibull": parametric,
            Uniform = "uniform": parametric,
            Pareto = "pareto": parametric,
            Rayleigh = "rayleigh": exponential,
            InverseGaussian = "inverse_gaussian": exponential,
            Poisson = "poisson": exponential,
            Bernoulli = "bernoulli": exponential,
            Binomial = "binomial": structural,
            Geometric = "geometric": exponential,
            NegativeBinomial = "negative_binomial": parametric,
         }
    };
    (@pick $callback:ident all [$($acc:tt)*] $v:ident = $n:literal: $kind:ident, $($rest:tt)*) => {
        $crate::univariate_families! { @pick $callback all [$($acc)* $v = $n,] $($rest)* }
    };
    (@pick $callback:ident parametric [$($acc:tt)*] $v:ident = $n:literal: structural, $($rest:tt)*) => {
        $crate::univariate_families! { @pick $callback parametric [$($acc)*] $($rest)* }
    };
    (@pick $callback:ident parametric [$($acc:tt)*] $v:ident = $n:literal: $kind:ident, $($rest:tt)*) => {
        $crate::univariate_families! { @pick $callback parametric [$($acc)* $v = $n,] $($rest)* }
    };
    (@pick $callback:ident exponential [$($acc:tt)*] $v:ident = $n:literal: exponential, $($rest:tt)*) => {
        $crate::univariate_families! { @pick $callback exponential [$($acc)* $v = $n,] $($rest)* }
    };
    (@pick $callback:ident exponential [$($acc:tt)*] $v:ident = $n:literal: $kind:ident, $($rest:tt)*) => {
        $crate::univariate_families! { @pick $callback exponential [$($acc)*] $($rest)* }
    };
    (@pick $callback:ident $which:ident [$($acc:tt)*]) => { $callback! { $($acc)* } };
}

/// Mean, variance, median and interquartile range of a sample, for
/// starting values (`data` finite and not empty).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moments {
    pub(crate) mean: f64,
    pub(crate) var: f64,
    pub(crate) median: f64,
    pub(crate) iqr: f64,
}

impl Moments {
    pub(crate) fn of(x: &[f64]) -> Self {
        let n = x.len().max(1) as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let mut sorted = x.to_vec();
        sorted.sort_by(f64::total_cmp);
        let q = |p: f64| sorted.get(((p * (n - 1.0)).round() as usize).min(x.len().saturating_sub(1))).copied();
        let median = q(0.5).unwrap_or(0.0);
        let iqr = match (q(0.25), q(0.75)) {
            (Some(a), Some(b)) => b - a,
            _ => 0.0,
        };
        Moments { mean, var, median, iqr }
    }
}

/// A start inside each parameter's domain: 0, 1 or ½.
pub(crate) fn canonical_start(params: &[Parameter]) -> Vec<f64> {
    params
        .iter()
        .map(|p| match p.domain {
            Domain::Real => 0.0,
            Domain::Positive => 1.0,
            Domain::UnitInterval => 0.5,
        })
        .collect()
}

/// Replaces values that are not finite or fall outside their parameter's
/// domain by the canonical start, so a start is always usable.
pub(crate) fn within_domains(params: &[Parameter], mut v: Vec<f64>) -> Vec<f64> {
    let canonical = canonical_start(params);
    for ((x, p), c) in v.iter_mut().zip(params).zip(canonical) {
        let ok = x.is_finite()
            && match p.domain {
                Domain::Real => true,
                Domain::Positive => *x > 0.0,
                Domain::UnitInterval => *x > 0.0 && *x < 1.0,
            };
        if !ok {
            *x = c;
        }
    }
    v
}

/// The closed-form estimate as a start (only used when some parameters are
/// held fixed), or the canonical member when the data are degenerate.
pub(crate) fn closed_form_start<D: Parametric>(data: &[f64]) -> Vec<f64> {
    match D::closed_form_fit(data, None) {
        Ok(d) => within_domains(D::PARAMETERS, d.named_params().into_iter().map(|p| p.1).collect()),
        Err(_) => canonical_start(D::PARAMETERS),
    }
}

/// The closed-form MLE of weighted or unweighted data.
pub(crate) fn fit_with<D: ClosedFormMle>(data: &[f64], weights: Option<&[f64]>) -> Result<D, FitError>
where
    D::Stats: Accumulator<Obs = f64>,
{
    match weights {
        Some(w) => D::fit_weighted(data, w),
        None => D::fit(data),
    }
}

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

/// `H(p, q)` or `KL(p ‖ q)` through [`CrossEntropy`](crate::CrossEntropy).
pub(crate) fn pick_divergence<D: crate::traits::CrossEntropy>(
    p: &D,
    q: &D,
    cross: bool,
) -> Result<f64, crate::error::DivergenceError> {
    if cross { p.cross_entropy(q) } else { p.kl_divergence(q) }
}

/// The closed-form MLE as an exact [`StatsEstimate`](crate::StatsEstimate).
pub(crate) fn exact_estimate<D: Named>(r: Result<D, FitError>) -> Result<crate::StatsEstimate, FitError> {
    r.map(|d| crate::StatsEstimate { theta: d.named_params().into_iter().map(|p| p.1).collect(), exact: true })
}
