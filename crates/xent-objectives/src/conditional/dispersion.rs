//! The GLMs with a log link and a dispersion parameter — Gamma and
//! negative binomial (NB2) — and the binomial model of proportions, each
//! written once in its linear predictor, generic over the scalar.

use xent_distributions::Scalar;
use xent_distributions::special::{ln_factorial, ln_gamma};

use super::models::{EtaModel, softplus};

/// `½ ln 2π`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// `R(x) = lnΓ(x) − (x − ½) ln x + x − ½ ln 2π`, Stirling's remainder, by
/// its asymptotic series for `x ≥ 15` (seven terms: the first omitted one,
/// `0.0296/x¹⁵`, is below `7e-20` there, 1.2e-17 of the value), generic so
/// that its derivatives come with it.
fn stirling_rest<T: Scalar>(x: T) -> T {
    // B₂ⱼ / (2j (2j − 1)) for j = 1..7.
    const C: [f64; 7] =
        [1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0, 1.0 / 1188.0, -691.0 / 360_360.0, 1.0 / 156.0];
    let inv = x.recip();
    let inv2 = inv * inv;
    let mut s = T::cst(C[6]);
    for &c in C[..6].iter().rev() {
        s = s * inv2 + T::cst(c);
    }
    s * inv
}

/// `c(k) = lnΓ(k) + k − k ln k`, the shape's part of the gamma NLL: by
/// Stirling's series `½ ln(2π/k) + R(k)` for `k ≥ 15` (the direct form
/// cancels `k ln k` against `lnΓ(k)`: 3e-9 lost at `k = 1e6`, and the
/// derivative `k(ψ(k) − ln k)` worse).
fn gamma_shape_term<T: Scalar>(k: T) -> T {
    if k.value() >= 15.0 {
        T::cst(HALF_LN_2PI) - k.ln() * T::cst(0.5) + stirling_rest(k)
    } else {
        k.ln_gamma() + k - k * k.ln()
    }
}

/// `(ln(1 + u) − u)/u` for `u > 0` without cancellation or underflow: for
/// `u < 0.1` as `(−u + 2s²(1/3 + s²/5 + s⁴/7 + …))/(2 + u)`, `s = u/(2 + u)
/// ≤ 0.048` (from `ln(1 + u) = 2 atanh s`; nine terms reach `s¹⁸ < 1e-23`).
fn ln1p_minus_over<T: Scalar>(u: T) -> T {
    if u.value() >= 0.1 {
        return (u.ln_1p() - u) / u;
    }
    let two_u = T::cst(2.0) + u;
    let s = u / two_u;
    let s2 = s * s;
    let mut term = T::one();
    let mut sum = T::zero();
    for k in 1..10 {
        sum += term / T::cst(f64::from(2 * k + 1));
        term *= s2;
    }
    (s2 * sum * T::cst(2.0) - u) / two_u
}

/// `L(y, α) = lnΓ(y + 1/α) − lnΓ(1/α) − y ln(1/α)` for a count `y`:
/// `Σ_{j<y} ln(1 + jα)` for small counts (exact, and 0 → 0 as `α → 0`, the
/// Poisson limit); for larger counts `(y + r − ½) ln(1 + yα) − y + R(y + r)
/// − R(r)` with `r = 1/α ≥ 15`; the log-gamma functions directly for
/// `r < 15`, where no term is much larger than the answer.
fn ln_rising_scaled<T: Scalar>(y: f64, alpha: T) -> T {
    if y < 32.0 {
        let mut s = T::zero();
        let mut j = 1.0;
        while j < y {
            s += (alpha * T::cst(j)).ln_1p();
            j += 1.0;
        }
        return s;
    }
    let r = alpha.recip();
    if r.value() >= 15.0 {
        // (y + r − ½) ln(1 + u) − y with u = yα, r u = y: as
        // y·(ln(1 + u) − u)/u + (y − ½) ln(1 + u), terms of the answer's
        // size (≈ y²α/2 as α → 0) instead of y's.
        let u = alpha * T::cst(y);
        T::cst(y) * ln1p_minus_over(u) + T::cst(y - 0.5) * u.ln_1p() + stirling_rest(r + T::cst(y)) - stirling_rest(r)
    } else {
        (r + T::cst(y)).ln_gamma() - r.ln_gamma() + alpha.ln() * T::cst(y)
    }
}

/// The intercept of a log-link model at the start of a fit: the log of
/// the (weighted) mean rate `Σ wᵢ yᵢ / Σ wᵢ e^{oᵢ}`, and the mean and
/// variance of `yᵢ e^{−oᵢ}` for the dispersion's starting value.
fn log_link_start(y: &[f64], w: Option<&[f64]>, offset: Option<&[f64]>) -> Option<(f64, f64, f64)> {
    let (mut sw, mut sy, mut se) = (0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        let o = offset.map_or(0.0, |o| o[i]);
        sw += wi;
        sy += wi * v;
        se += wi * o.exp();
    }
    let level = (sy / se).ln();
    let mean = sy / sw;
    let mut var = 0.0;
    for (i, &v) in y.iter().enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        let z = v * (-offset.map_or(0.0, |o| o[i])).exp();
        var += wi * (z - mean) * (z - mean);
    }
    let var = var / sw;
    (level.is_finite() && mean.is_finite() && var.is_finite()).then_some((level, mean, var))
}

/// Gamma regression with log link: `y ~ Gamma(k, mean e^η)`, `y > 0`, extra
/// parameter `ln k` (the shape; statsmodels' dispersion is `φ = 1/k`).
/// The coefficients' estimates do not depend on `k`; its estimate is the
/// MLE (statsmodels' GLM reports a moment estimate of `φ` instead).
#[derive(Debug, Clone, Copy, Default)]
pub struct GammaLog;

impl EtaModel for GammaLog {
    fn name(&self) -> String {
        "gamma_log".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn extra_names(&self) -> Vec<String> {
        vec!["ln_shape".into()]
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y > 0.0 { Ok(()) } else { Err("must be positive") }
    }
    /// With `u = ln y − η` (`= ln(y/μ)`): `k (eᵘ − 1 − u) + c(k) + ln y`,
    /// `c(k) = lnΓ(k) + k − k ln k` — each term without cancellation.
    fn nll<T: Scalar>(&self, eta: &[T], extra: &[T], y: f64) -> T {
        let k = extra[0].exp();
        let u = T::cst(y.ln()) - eta[0];
        k * (u.exp_m1() - u) + gamma_shape_term(k) + T::cst(y.ln())
    }
    fn start(&self, y: &[f64], w: Option<&[f64]>, offset: Option<&[f64]>) -> Option<Vec<f64>> {
        let (level, mean, var) = log_link_start(y, w, offset)?;
        let k = if var > 0.0 { (mean * mean / var).clamp(1e-3, 1e6) } else { 1.0 };
        Some(vec![level, k.ln()])
    }
}

/// Negative-binomial regression (NB2) with log link: `y ~ NB(mean μ = e^η,
/// variance μ + αμ²)`, `y ∈ {0, 1, …}`, extra parameter `ln α` (as
/// statsmodels' `NegativeBinomial(loglike_method="nb2")`, which reports
/// `α`). As `α → 0` it tends to the Poisson regression; a fit whose `α̂`
/// is indistinguishable from 0 is at that boundary and is reported as such
/// ([`EtaModel::at_boundary`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct NegativeBinomialLog;

impl EtaModel for NegativeBinomialLog {
    fn name(&self) -> String {
        "negative_binomial_log".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn extra_names(&self) -> Vec<String> {
        vec!["ln_alpha".into()]
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y >= 0.0 && y == y.floor() { Ok(()) } else { Err("must be a count 0, 1, 2, ...") }
    }
    /// With `r = 1/α` and `t = ln(αμ)`: `(r + y) softplus(t) − y η −
    /// L(y, α) + ln y!`, `L = lnΓ(y + r) − lnΓ(r) − y ln r` — finite and
    /// smooth down to the Poisson limit `α → 0`.
    fn nll<T: Scalar>(&self, eta: &[T], extra: &[T], y: f64) -> T {
        let alpha = extra[0].exp();
        let r = (-extra[0]).exp();
        let t = extra[0] + eta[0];
        (r + T::cst(y)) * softplus(t) - eta[0] * T::cst(y) - ln_rising_scaled(y, alpha) + T::cst(ln_factorial(y))
    }
    fn start(&self, y: &[f64], w: Option<&[f64]>, offset: Option<&[f64]>) -> Option<Vec<f64>> {
        let (level, mean, var) = log_link_start(y, w, offset)?;
        let alpha = if var > mean && mean > 0.0 { ((var - mean) / (mean * mean)).clamp(1e-3, 1e3) } else { 0.1 };
        Some(vec![level, alpha.ln()])
    }
    /// `α̂ μ < 10⁻⁶` at every row's mean: the variance `μ(1 + αμ)` is the
    /// Poisson one to six digits, the likelihood keeps increasing as `α → 0`.
    fn at_boundary(&self, extra: &[f64], max_eta: &[f64]) -> Option<String> {
        let spread = extra[0] + max_eta[0];
        (spread < -6.0 * std::f64::consts::LN_10).then(|| {
            format!(
                "no over-dispersion: the likelihood keeps increasing as α → 0 (α̂ = {:.1e}, so the variance \
                 μ(1 + αμ) is μ to six digits at every fitted mean): the maximum is at the boundary, the Poisson \
                 regression — fit it instead",
                extra[0].exp()
            )
        })
    }
}

/// Binomial regression with logit link on proportions: `yᵢ ∈ [0, 1]` is
/// the fraction of successes out of `nᵢ` trials, with `nᵢ` given as the
/// row's frequency weight. With those weights the objective is the
/// binomial NLL of the counts up to `Σ ln C(nᵢ, nᵢyᵢ)`, which does not
/// depend on the coefficients (statsmodels' `GLM(Binomial)` with a
/// two-column target). Unweighted it is a quasi-likelihood ("fractional
/// logit"), not a density: the harness rejects it as one.
#[derive(Debug, Clone, Copy, Default)]
pub struct BinomialLogit;

impl EtaModel for BinomialLogit {
    fn expected_is_observed(&self) -> bool {
        true
    }
    fn name(&self) -> String {
        "binomial_logit".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if (0.0..=1.0).contains(&y) { Ok(()) } else { Err("must be a proportion in [0, 1]") }
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        softplus(eta[0]) - T::cst(y) * eta[0]
    }
}

/// `ln C(n, k)` for counts `0 ≤ k ≤ n`, without cancellation at large `n`
/// (the binomial coefficient's log from log-gamma functions loses `ε n ln n`).
pub fn ln_choose(n: f64, k: f64) -> f64 {
    let k = k.min(n - k);
    if k <= 0.0 {
        return 0.0;
    }
    if k < 32.0 {
        // Σ ln((n − k + j) / j): each ratio exact to an ulp.
        return (1..=k as u64).map(|j| ((n - k + j as f64) / j as f64).ln()).sum();
    }
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `R(x)` is Loader's `stirlerr` (an independent implementation) for
    /// `x ≥ 30`, and mpmath's (40 digits) at 15.5 and 30.
    #[test]
    fn stirling_rest_matches_stirlerr_and_mpmath() {
        // stirlerr truncates its series sooner (1.5e-16 off at 15.5, by
        // mpmath): equal to 3e-17 absolute from 30 on.
        for x in [30.0, 100.0, 1e3, 1e8] {
            let want = xent_distributions::special::stirlerr(x);
            assert!((stirling_rest(x) - want).abs() <= 3e-17, "{x}");
        }
        for (x, want) in [(15.5, 0.005_375_599_032_926_834), (30.0, 0.002_777_674_929_752_694)] {
            assert!((stirling_rest(x) - want).abs() <= 2.0 * f64::EPSILON * want, "{x}");
        }
    }

    #[test]
    fn ln1p_minus_over_on_both_sides_of_its_switch() {
        for u in [1e-300, 1e-8, 0.01, 0.0999, 0.1, 0.5, 3.0] {
            // Against −u/2 + u²/3 − u³/4 at tiny u, the direct form where it
            // keeps ≥ 12 digits.
            let got: f64 = ln1p_minus_over(u);
            let want = if u < 1e-4 { -u / 2.0 + u * u / 3.0 - u * u * u / 4.0 } else { (f64::ln_1p(u) - u) / u };
            let tol = if u < 1e-4 { 1e-15 } else { 1e-13 };
            assert!((got - want).abs() <= tol * want.abs(), "{u}: {got} vs {want}");
        }
    }

    /// Both branches of `L(y, α)` and the direct form agree where the direct
    /// form is accurate; L → 0 in the Poisson limit.
    #[test]
    fn ln_rising_scaled_branches() {
        // mpmath, 40 digits: Σ_{j<y} ln(1 + jα).
        for (y, a, want) in [
            (1000.0, 1e-300, 4.995e-295),
            (50.0, 1e-12, 1.224_999_999_979_787_5e-9),
            (40.0, 0.05, 25.364_653_732_090_357),
            (500.0, 1e-3, 107.994_901_830_416_67),
        ] {
            let got: f64 = ln_rising_scaled(y, a);
            assert!((got - want).abs() <= 1e-14 * want, "{y} {a}: {got} vs {want}");
        }
        for (y, a) in [(5.0, 0.3), (40.0, 0.05), (40.0, 0.5), (500.0, 1e-3), (31.0, 0.2), (32.0, 0.2)] {
            let r = 1.0 / a;
            let direct = ln_gamma(y + r) - ln_gamma(r) - y * r.ln();
            let got = ln_rising_scaled(y, a);
            assert!((got - direct).abs() < 1e-11 * direct.abs().max(1.0), "{y} {a}: {got} vs {direct}");
        }
        assert_eq!(ln_rising_scaled(0.0, 0.5), 0.0);
        assert_eq!(ln_rising_scaled(1.0, 0.5), 0.0);
    }

    #[test]
    fn ln_choose_values() {
        assert_eq!(ln_choose(5.0, 0.0), 0.0);
        assert!((ln_choose(5.0, 2.0) - 10f64.ln()).abs() < 1e-15);
        assert!((ln_choose(50.0, 25.0) - 126_410_606_437_752f64.ln()).abs() < 1e-12);
        assert!((ln_choose(1e9, 1.0) - 1e9f64.ln()).abs() < 1e-14);
    }
}
