//! The Rayleigh distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, positive};
use crate::families::{closed_form_start, fit_with, pick_divergence};
use crate::families::{neg_inf, underflow};
use crate::scalar::Scalar;
use crate::special::EULER_GAMMA;
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};
use crate::traits::{ExponentialFamily, StatsEstimate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// The Rayleigh distribution with scale `σ`.
///
/// Density: `q(x) = (x/σ²) exp(−x²/(2σ²))` for `x ≥ 0`.
///
/// ```
/// use xent_distributions::{Rayleigh, ClosedFormMle};
/// let d = Rayleigh::fit(&[1.0, 1.0])?;
/// assert!((d.sigma() - 0.5f64.sqrt()).abs() < 1e-15);
/// # Ok::<(), xent_distributions::FitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rayleigh<T = f64> {
    sigma: T,
    inv_var: T,
    ln_var: T,
}

impl<T: Scalar> Rayleigh<T> {
    /// A Rayleigh with `sigma > 0`.
    pub fn new(sigma: T) -> Result<Self, ParamError> {
        positive("sigma", sigma.value())?;
        let var = sigma * sigma;
        Ok(Rayleigh { sigma, inv_var: var.recip(), ln_var: sigma.ln() * T::cst(2.0) })
    }
    /// The scale `σ`.
    pub fn sigma(&self) -> T {
        self.sigma
    }
}

impl<T: Scalar> LogDensity<T> for Rayleigh<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !(x >= 0.0 && x.is_finite()) {
            return neg_inf();
        }
        let z = T::cst(x) / self.sigma;
        underflow(T::cst(x.ln()) - self.ln_var - z * z * T::cst(0.5))
    }
}

impl<T: Scalar> Named for Rayleigh<T> {
    fn family(&self) -> &'static str {
        "rayleigh"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("sigma", self.sigma.value())]
    }
}

impl Univariate for Rayleigh<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 { 0.0 } else { -(-0.5 * (x / self.sigma).powi(2)).exp_m1() }
    }
    fn mean(&self) -> Option<f64> {
        Some(self.sigma * (0.5 * std::f64::consts::PI).sqrt())
    }
    fn variance(&self) -> Option<f64> {
        Some(0.5 * (4.0 - std::f64::consts::PI) * self.sigma * self.sigma)
    }
    fn entropy(&self) -> f64 {
        1.0 + self.sigma.ln() - 0.5 * std::f64::consts::LN_2 + 0.5 * EULER_GAMMA
    }
    fn support(&self) -> Support {
        Support::Continuous { low: 0.0, high: f64::INFINITY }
    }
}

impl CrossEntropy for Rayleigh<f64> {
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.entropy() + self.kl_divergence(q)?)
    }
    /// `2 ln(σ_q/σ_p) + σ_p²/σ_q² − 1`.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(crate::special::square_ratio_h(self.sigma / q.sigma, crate::special::ln_ratio(self.sigma, q.sigma)))
    }
}

impl Distribution<f64> for Rayleigh<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = rand_distr::Exp1.sample(rng);
        self.sigma * (2.0 * e).sqrt()
    }
}

stat_map!(
    /// Statistic map of the Rayleigh family: `x²`.
    RayleighMap, "rayleigh", "x >= 0", |x| x >= 0.0, |x| [x * x, x.ln(), 0.0]
);

/// Sufficient statistics of the Rayleigh family: weight, `Σ x²` and the base
/// measure `Σ ln x` (slot 1).
pub type RayleighStats = SumStats<RayleighMap>;

impl SufficientStatistics for Rayleigh<f64> {
    type Stats = RayleighStats;
}

impl ClosedFormMle for Rayleigh<f64> {
    /// `σ̂² = Σ wᵢ xᵢ² / (2W)`.
    fn mle(stats: &RayleighStats) -> Result<Self, FitError> {
        stats.check()?;
        if stats.sum(0) <= 0.0 {
            return Err(FitError::Degenerate { family: "rayleigh", reason: "all observations are 0".into() });
        }
        Ok(Rayleigh::new((0.5 * stats.mean(0)).sqrt())?)
    }
}

impl Parametric for Rayleigh {
    const NAME: &'static str = "rayleigh";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("sigma")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> = Some(&[crate::traits::Equivariance::Scale]);
    type With<T: Scalar> = Rayleigh<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<Rayleigh<T>, ParamError> {
        Rayleigh::new(t[0])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        closed_form_start::<Self>(data)
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        Some(DMatrix::from_element(1, 1, 4.0 / (t[0] * t[0])))
    }
    fn closed_form_fit(data: &[f64], weights: Option<&[f64]>) -> Result<Self, crate::error::FitError> {
        fit_with(data, weights)
    }
    fn divergence(p: &Self, q: &Self, cross: bool) -> Result<f64, crate::error::DivergenceError> {
        pick_divergence(p, q, cross)
    }
}

impl ExponentialFamily for Rayleigh {
    fn stats_log_likelihood<T: Scalar>(s: &RayleighStats, t: &[T]) -> T {
        T::cst(s.sum(1)) - T::cst(s.weight()) * T::cst(2.0) * t[0].ln() - T::cst(s.sum(0)) / (T::cst(2.0) * t[0] * t[0])
    }
    fn stats_estimate(stats: &RayleighStats) -> Result<StatsEstimate, crate::error::FitError> {
        crate::families::exact_estimate(<Self as crate::traits::ClosedFormMle>::mle(stats))
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for Rayleigh<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, true) {
            return v;
        }
        let ln_s = -(T::cst(x * x) * self.inv_var * T::cst(0.5));
        crate::families::underflow(crate::cdf::log1mexp(ln_s))
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, 0.0, f64::INFINITY, false) {
            return v;
        }
        let ln_s = -(T::cst(x * x) * self.inv_var * T::cst(0.5));
        crate::families::underflow(ln_s)
    }
}
