//! The Weibull distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, ParamError, positive};
use crate::families::{neg_inf, underflow};
use crate::families::{pick_divergence, within_domains};
use crate::scalar::Scalar;
use crate::special::{EULER_GAMMA, ln_gamma};
use crate::traits::{CrossEntropy, LogDensity, Named, Support, Univariate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The Weibull distribution with shape `k` and scale `λ`.
///
/// Density: `q(x) = (k/λ) (x/λ)^(k−1) exp(−(x/λ)^k)` for `x ≥ 0`.
///
/// Not an exponential family when `k` is unknown: no closed-form MLE.
///
/// ```
/// use xent_distributions::{Weibull, Univariate};
/// let d = Weibull::new(1.0, 2.0)?; // exponential with rate ½
/// assert!((d.mean().unwrap() - 2.0).abs() < 1e-14);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weibull<T = f64> {
    shape: T,
    scale: T,
    inv_scale: T,
    ln_k_over_lambda: T,
}

impl<T: Scalar> Weibull<T> {
    /// A Weibull with `shape > 0` and `scale > 0`.
    pub fn new(shape: T, scale: T) -> Result<Self, ParamError> {
        positive("shape", shape.value())?;
        positive("scale", scale.value())?;
        Ok(Weibull { shape, scale, inv_scale: scale.recip(), ln_k_over_lambda: shape.ln() - scale.ln() })
    }
    /// The shape `k`.
    pub fn shape(&self) -> T {
        self.shape
    }
    /// The scale `λ`.
    pub fn scale(&self) -> T {
        self.scale
    }
}

impl<T: Scalar> LogDensity<T> for Weibull<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x >= 0.0 && x.is_finite()) {
            return neg_inf();
        }
        let u = if self.inv_scale.value().is_finite() { T::cst(x) * self.inv_scale } else { T::cst(x) / self.scale };
        // (x/λ)^k written as exp(k ln(x/λ)) (0 at x = 0).
        if x == 0.0 {
            // q(0) = 0 for k > 1, k/λ for k = 1, ∞ for k < 1.
            return underflow(self.ln_k_over_lambda + (self.shape - T::one()).xlny(u));
        }
        // ln(x/λ) as a difference of logs: x/λ may overflow.
        let ln_u = if u.value().is_normal() { u.ln() } else { T::cst(x.ln()) - self.scale.ln() };
        let uk = (self.shape * ln_u).exp();
        if uk.value() == f64::INFINITY {
            return neg_inf();
        }
        underflow(self.ln_k_over_lambda + (self.shape - T::one()) * ln_u - uk)
    }
}

impl<T: Scalar> Named for Weibull<T> {
    fn family(&self) -> &'static str {
        "weibull"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("shape", self.shape.value()), ("scale", self.scale.value())]
    }
}

impl Univariate for Weibull<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 { 0.0 } else { -(-(self.shape * crate::special::ln_ratio(x, self.scale)).exp()).exp_m1() }
    }
    fn mean(&self) -> Option<f64> {
        Some(self.scale * ln_gamma(1.0 + 1.0 / self.shape).exp())
    }
    fn variance(&self) -> Option<f64> {
        let g1 = ln_gamma(1.0 + 1.0 / self.shape).exp();
        let g2 = ln_gamma(1.0 + 2.0 / self.shape).exp();
        Some(self.scale * self.scale * (g2 - g1 * g1))
    }
    fn entropy(&self) -> f64 {
        EULER_GAMMA * (1.0 - 1.0 / self.shape) - self.ln_k_over_lambda + 1.0
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: f64::INFINITY }
    }
}

impl CrossEntropy for Weibull<f64> {
    /// `H(p, q) = −ln(k_q/λ_q) − (k_q − 1) E_p[ln(X/λ_q)] + E_p[(X/λ_q)^k_q]` with
    /// `E_p[ln X] = ln λ_p − γ/k_p` and `E_p[X^k_q] = λ_p^k_q Γ(1 + k_q/k_p)`.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        let ln_ratio = crate::special::ln_ratio(self.scale, q.scale);
        let ln_moment = q.shape * ln_ratio + ln_gamma(1.0 + q.shape / self.shape);
        let moment = ln_moment.exp();
        let c = q.shape - 1.0;
        // E_p[ln(X/λ_q)] = ln(λ_p/λ_q) − γ/k_p, its pole at a tiny k_p kept
        // apart (and dropped when k_q = 1, not multiplied by 0).
        let pole = if c == 0.0 { 0.0 } else { c * EULER_GAMMA / self.shape };
        if moment == f64::INFINITY && pole == f64::NEG_INFINITY {
            // Both beyond the f64 range: the larger in log space decides.
            let ln_pole = (-c).ln() + EULER_GAMMA.ln() - self.shape.ln();
            return Ok(if ln_moment > ln_pole { f64::INFINITY } else { f64::NEG_INFINITY });
        }
        Ok(-q.ln_k_over_lambda - c * ln_ratio + pole + moment)
    }
    /// With `ρ = k_q/k_p` and `t = k_q ln(λ_p/λ_q) + lnΓ(1 + ρ)` (so that
    /// `E_p[(X/λ_q)^k_q] = eᵗ`): `KL = (eᵗ − 1 − t) + (lnΓ(ρ) + γ(ρ − 1))`, two
    /// non-negative terms (the second is the Bregman divergence of `lnΓ`
    /// from 1). `H(p, q) − H(p)` is `∞ − ∞` at a subnormal shape, where the
    /// `γ/k_p` terms cancel exactly.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        let rho = q.shape / self.shape;
        let t = q.shape * crate::special::ln_ratio(self.scale, q.scale) + ln_gamma(1.0 + rho);
        let shape_part = if rho < 1e-300 {
            // lnΓ(ρ) = −ln ρ − γρ + O(ρ²), with ln ρ from the shapes.
            -crate::special::ln_ratio(q.shape, self.shape) - EULER_GAMMA
        } else {
            crate::special::ln_gamma_bregman(rho, 1.0)
        };
        Ok(crate::special::ratio_h(t.exp(), t) + shape_part)
    }
}

impl Distribution<f64> for Weibull<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Weibull::new(self.scale, self.shape) {
            Ok(w) => w.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

impl Parametric for Weibull {
    const NAME: &'static str = "weibull";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("shape"), Parameter::positive("scale")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Invariant, crate::traits::Equivariance::Scale]);
    type With<T: Scalar> = Weibull<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Weibull<T>, ParamError> {
        Weibull::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        // The log-moments: ln X has standard deviation π/(k√6) and mean ln λ − γ/k.
        let logs: Vec<f64> = data.iter().filter(|v| **v > 0.0).map(|v| v.ln()).collect();
        let lm = logs.iter().sum::<f64>() / logs.len().max(1) as f64;
        let ls = (logs.iter().map(|v| (v - lm).powi(2)).sum::<f64>() / logs.len().max(1) as f64).sqrt().max(1e-6);
        let k = std::f64::consts::PI / (6f64.sqrt() * ls);
        within_domains(Self::PARAMETERS, vec![k, (lm + EULER_GAMMA / k).exp()])
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        let (k, l) = (t[0], t[1]);
        let g = 1.0 - EULER_GAMMA;
        let i_kk = (g * g + std::f64::consts::PI.powi(2) / 6.0) / (k * k);
        Some(DMatrix::from_row_slice(2, 2, &[i_kk, -g / l, -g / l, k * k / (l * l)]))
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Weibull<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, true) {
            return v;
        }
        let ln_s = -(self.shape * (T::cst(x.ln()) - self.scale.ln())).exp();
        crate::families::underflow(crate::cdf::log1mexp(ln_s))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, false) {
            return v;
        }
        let ln_s = -(self.shape * (T::cst(x.ln()) - self.scale.ln())).exp();
        crate::families::underflow(ln_s)
    }
}
