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

/// `naive` with its value replaced by the accurately computed `exact`
/// (derivatives kept): for log-densities whose generic formula cancels at
/// extreme parameters while an `f64` form (Loader's) does not. Where the
/// naive value is not finite the exact value is returned as a constant.
#[inline]
pub(crate) fn with_value<T: Scalar>(naive: T, exact: f64) -> T {
    let v = naive.value();
    if exact == f64::NEG_INFINITY {
        T::neg_infinity()
    } else if v.is_finite() && exact.is_finite() {
        // (naive − v) has value exactly 0 and naive's derivatives.
        (naive - T::cst(v)) + T::cst(exact)
    } else {
        T::cst(exact)
    }
}

/// `ln(1 + w²)` without overflow of `w²` (`2 ln|w| + ln(1 + w⁻²)` for `|w| > 1e150`).
#[inline]
pub(crate) fn ln_1p_square<T: Scalar>(w: T) -> T {
    if w.value().abs() > 1e150 {
        let inv = w.recip();
        w.abs().ln() * T::cst(2.0) + (inv * inv).ln_1p()
    } else {
        (w * w).ln_1p()
    }
}

/// `(a − b)/s` without the difference overflowing first (locations near
/// ±f64::MAX): halved, divided, doubled where `a − b` is not finite.
pub(crate) fn scaled_difference(a: f64, b: f64, s: f64) -> f64 {
    let d = a - b;
    if d.is_finite() { d / s } else { 2.0 * ((0.5 * a - 0.5 * b) / s) }
}

/// Whether `x` is a non-negative integer (as an `f64`).
#[inline]
pub(crate) fn is_count(x: f64) -> bool {
    x >= 0.0 && x.is_finite() && x == x.floor()
}

/// The shape of a pmf that [`discrete_entropy`] needs: where its mode is,
/// its standard deviation and its squared skewness.
pub(crate) struct PmfShape {
    pub mode: f64,
    pub sd: f64,
    pub skew2: f64,
}

/// `−Σₖ p(k) ln p(k)` over the integers of `[low, high]`, in bounded time
/// whatever the spread of `p`. `ln_pmf` must be the log-pmf's smooth
/// continuation to real `k` (Loader's or `lnΓ` forms are).
///
/// - Narrow (`sd ≤ 400`): summed outward from the mode until the terms no
///   longer matter (at most ~40 000 terms).
/// - Wide and nearly symmetric (`γ₁² < 1e-8`): `½ ln(2πe σ²) − γ₁²/12`,
///   the Edgeworth expansion, whose next terms are `O(γ₁⁴) < 1e-16`
///   (the lattice adds only `O(e^{−2π²σ²})`).
/// - Otherwise wide: the sum equals the integral of the continuation up to
///   `O(e^{−2π²σ²})` (Poisson summation) where the bulk is clear of the
///   ends, so it is integrated; against the lower end, the first 1 000
///   terms are summed and the rest is integrated with the Euler–Maclaurin
///   end corrections `f(K)/2 − f′(K)/12`.
pub(crate) fn discrete_entropy(ln_pmf: impl Fn(f64) -> f64, shape: PmfShape, low: f64, high: f64) -> f64 {
    let PmfShape { mode, sd, skew2 } = shape;
    let term = |k: f64| {
        let lp = ln_pmf(k);
        if lp == f64::NEG_INFINITY || lp.is_nan() { 0.0 } else { -lp.exp() * lp }
    };
    if !(sd > 400.0) && mode + 1.0 > mode {
        let peak = ln_pmf(mode);
        let reach = 200.0 * sd.max(1.0) + 2000.0;
        let mut total = term(mode);
        let mut k = mode + 1.0;
        while k <= high && k - mode <= reach {
            let t = term(k);
            total += t;
            if t.abs() <= 1e-20 * total.abs().max(1e-300) && ln_pmf(k) < peak - 40.0 {
                break;
            }
            k += 1.0;
        }
        let mut k = mode - 1.0;
        while k >= low && mode - k <= reach {
            let t = term(k);
            total += t;
            if t.abs() <= 1e-20 * total.abs().max(1e-300) && ln_pmf(k) < peak - 40.0 {
                break;
            }
            k -= 1.0;
        }
        return total;
    }
    if skew2 < 1e-8 || !(mode + 1.0 > mode) {
        // (Also where the integers about the mode are not all representable:
        // a narrow pmf at counts beyond 2⁵³, which no family here produces
        // after the binomial's symmetry; an approximation, never a hang.)
        let two_pi_e = 2.0 * std::f64::consts::PI * std::f64::consts::E;
        return 0.5 * (two_pi_e.ln() + 2.0 * sd.ln()) - skew2 / 12.0;
    }
    const REACH: f64 = 60.0;
    let hi = (mode + REACH * sd).min(high);
    let lo_bulk = mode - REACH * sd;
    if lo_bulk >= low + 1000.0 {
        let breaks: Vec<f64> = (1..30).map(|i| lo_bulk + (hi - lo_bulk) * f64::from(i) / 30.0).collect();
        return crate::quadrature::integrate(term, lo_bulk.floor(), hi, &breaks, 1e-15);
    }
    let k0 = low + 1000.0;
    let head: f64 = (0..1000).map(|i| term(low + f64::from(i))).sum();
    // Against the lower end the tail can reach far beyond 60 sd (a
    // negative binomial with small r decays on 1/p ≫ sd): go out by
    // doubling until the log-pmf is 760 below its largest value.
    let top = ln_pmf(mode).max(ln_pmf(low));
    // (An unrepresentable spread, σ = ∞, starts the doubling at k0 too.)
    let mut hi = if hi.is_finite() { hi.max(k0) } else { k0 };
    for _ in 0..1100 {
        if !(hi < high && hi < f64::MAX && ln_pmf(hi) > top - 760.0) {
            break;
        }
        hi = (2.0 * hi).min(high).min(f64::MAX);
    }
    let mut breaks = vec![mode];
    let mut b = k0;
    while b < hi {
        breaks.push(b);
        b *= 2.0;
    }
    let body = crate::quadrature::integrate(term, k0, hi.max(k0), &breaks, 1e-15);
    let slope = 0.5 * (term(k0 + 1.0) - term(k0 - 1.0));
    head + body + 0.5 * term(k0) - slope / 12.0
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
