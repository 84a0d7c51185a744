//! The Cauchy distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, ParamError, finite, positive};
use crate::families::{Moments, pick_divergence, within_domains};
use crate::families::{ln_1p_square, underflow};
use crate::scalar::Scalar;
use crate::traits::{CrossEntropy, LogDensity, Named, Support, Univariate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The Cauchy distribution with location `x₀` and scale `γ`.
///
/// Density: `q(x) = 1 / (πγ (1 + z²))`, `z = (x − x₀)/γ`. Mean and variance
/// do not exist.
///
/// ```
/// use xent_distributions::{Cauchy, Univariate};
/// let d = Cauchy::new(0.0, 1.0)?;
/// assert!((d.cdf(-1.0) - 0.25).abs() < 1e-16);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cauchy<T = f64> {
    location: T,
    scale: T,
    inv_scale: T,
    ln_norm: T,
}

impl<T: Scalar> Cauchy<T> {
    /// A Cauchy with finite `location` and `scale > 0`.
    pub fn new(location: T, scale: T) -> Result<Self, ParamError> {
        finite("location", location.value())?;
        positive("scale", scale.value())?;
        Ok(Cauchy { location, scale, inv_scale: scale.recip(), ln_norm: -scale.ln() - T::PI().ln() })
    }
    /// The location `x₀`.
    pub fn location(&self) -> T {
        self.location
    }
    /// The scale `γ`.
    pub fn scale(&self) -> T {
        self.scale
    }
}

impl<T: Scalar> LogDensity<T> for Cauchy<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !x.is_finite() {
            return T::neg_infinity();
        }
        let d = T::cst(x) - self.location;
        let z = if self.inv_scale.value().is_finite() { d * self.inv_scale } else { d / self.scale };
        underflow(self.ln_norm - ln_1p_square(z))
    }
}

impl<T: Scalar> Named for Cauchy<T> {
    fn family(&self) -> &'static str {
        "cauchy"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("location", self.location.value()), ("scale", self.scale.value())]
    }
}

impl Univariate for Cauchy<f64> {
    /// Uses `atan(−1/z)/π` in the lower tail and `1 − atan(1/z)/π` in the
    /// upper one, so tail probabilities keep their relative accuracy.
    fn cdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        if z < -1.0 {
            (-1.0 / z).atan() / std::f64::consts::PI
        } else if z > 1.0 {
            1.0 - (1.0 / z).atan() / std::f64::consts::PI
        } else {
            0.5 + z.atan() / std::f64::consts::PI
        }
    }
    fn mean(&self) -> Option<f64> {
        None
    }
    fn variance(&self) -> Option<f64> {
        None
    }
    fn entropy(&self) -> f64 {
        (4.0 * std::f64::consts::PI).ln() + self.scale.ln()
    }
    fn support(&self) -> Support {
        Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY }
    }
}

impl CrossEntropy for Cauchy<f64> {
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.entropy() + self.kl_divergence(q)?)
    }
    /// `ln(((γ_p + γ_q)² + (x₀_p − x₀_q)²) / (4 γ_p γ_q))` (Chyzak & Nielsen 2019).
    ///
    /// Written as `ln(1 + w²)` with `w = |(γ_p − γ_q, x₀_p − x₀_q)| / (2√(γ_p γ_q))`,
    /// so that neither subnormal scales (where `4γ_pγ_q` underflows) nor
    /// locations near the largest `f64` (where their difference overflows)
    /// turn it into `0/0` or `∞/∞`.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        let top = self.scale.max(q.scale).max(self.location.abs()).max(q.location.abs());
        // The divergence is invariant under rescaling all four by a power of
        // two: where all are tiny, rescale them up (exactly) so that no
        // difference, hypotenuse or root is formed among subnormals, which
        // carry only a few bits. Where they could overflow, halve the
        // differences; `k` puts the factor back.
        let f = if top < 1e-290 { 2f64.powi(600) } else { 1.0 };
        let (gp, gq, lp, lq) = (self.scale * f, q.scale * f, self.location * f, q.location * f);
        let (dg, dl, k) =
            if top > 1e300 { (0.5 * gp - 0.5 * gq, 0.5 * lp - 0.5 * lq, 2.0) } else { (gp - gq, lp - lq, 1.0) };
        let h = dg.hypot(dl);
        let den = 2.0 * gp.sqrt() * gq.sqrt();
        let w = h / den * k;
        Ok(if (w * w).is_finite() { (w * w).ln_1p() } else { 2.0 * (h.ln() + k.ln() - den.ln()) })
    }
}

impl Distribution<f64> for Cauchy<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Cauchy::new(self.location, self.scale) {
            Ok(c) => c.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

impl Parametric for Cauchy {
    const NAME: &'static str = "cauchy";
    const PARAMETERS: &'static [Parameter] = &[Parameter::real("location"), Parameter::positive("scale")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> =
        Some(&[crate::traits::Equivariance::Location, crate::traits::Equivariance::Scale]);
    type With<T: Scalar> = Cauchy<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Cauchy<T>, ParamError> {
        Cauchy::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        let m = Moments::of(data);
        within_domains(Self::PARAMETERS, vec![m.median, m.iqr.max(1e-12) / 2.0])
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(DMatrix::from_diagonal_element(2, 2, 1.0 / (2.0 * t[1] * t[1])))
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Cauchy<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, true) {
            return v;
        }
        // F(z) = atan(−1/z)/π for z < 0 (no ½ − ½ cancellation in the
        // tail), 1 − atan(1/z)/π for z > 0 (as ln1p); S(z) = F(−z).
        let z = (T::cst(x) - self.location) * self.inv_scale;
        let f = |t: T| {
            if t.value() < 0.0 {
                (-(t.recip())).atan().ln() - T::cst(std::f64::consts::PI.ln())
            } else if t.value() > 0.0 {
                (-(t.recip().atan() / T::cst(std::f64::consts::PI))).ln_1p()
            } else {
                T::cst(-std::f64::consts::LN_2) + t
            }
        };
        crate::families::underflow(f(z))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, false) {
            return v;
        }
        // F(z) = atan(−1/z)/π for z < 0 (no ½ − ½ cancellation in the
        // tail), 1 − atan(1/z)/π for z > 0 (as ln1p); S(z) = F(−z).
        let z = (T::cst(x) - self.location) * self.inv_scale;
        let f = |t: T| {
            if t.value() < 0.0 {
                (-(t.recip())).atan().ln() - T::cst(std::f64::consts::PI.ln())
            } else if t.value() > 0.0 {
                (-(t.recip().atan() / T::cst(std::f64::consts::PI))).ln_1p()
            } else {
                T::cst(-std::f64::consts::LN_2) + t
            }
        };
        crate::families::underflow(f(-z))
    }
}
