//! The negative binomial distribution (failures before the r-th success).

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{ParamError, check, positive};
use crate::families::{Moments, within_domains};
use crate::families::{PmfShape, discrete_entropy, is_count, neg_inf, with_value};
use crate::scalar::Scalar;
use crate::special::{beta_reg_pair, ln_factorial, ln_negative_binomial_pmf};
use crate::traits::{LogDensity, Named, Support, Univariate};
use crate::traits::{Parameter, Parametric};

/// The negative binomial distribution: failures before the `r`-th success,
/// success probability `p`; `r > 0` may be real (the Pólya form).
///
/// Probability mass: `q(k) = Γ(k + r) / (k! Γ(r)) pʳ (1 − p)ᵏ`.
///
/// With `r` unknown it is not an exponential family: no closed-form MLE.
///
/// ```
/// use xent_distributions::{NegativeBinomial, Univariate};
/// let d = NegativeBinomial::new(3.0, 0.5)?;
/// assert_eq!(d.mean(), Some(3.0));
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NegativeBinomial<T = f64> {
    successes: T,
    p: T,
    ln_norm: T,
    ln_q: T,
}

impl<T: Scalar> NegativeBinomial<T> {
    /// A negative binomial with `successes > 0` and `0 < p ≤ 1`.
    pub fn new(successes: T, p: T) -> Result<Self, ParamError> {
        positive("successes", successes.value())?;
        check("p", p.value(), "in (0, 1]", |v| v > 0.0 && v <= 1.0)?;
        Ok(NegativeBinomial { successes, p, ln_norm: successes * p.ln() - successes.ln_gamma(), ln_q: (-p).ln_1p() })
    }
    /// The number of successes `r`.
    pub fn successes(&self) -> T {
        self.successes
    }
    /// The success probability `p`.
    pub fn p(&self) -> T {
        self.p
    }
}

impl<T: Scalar> LogDensity<T> for NegativeBinomial<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &k: &f64) -> T {
        if !is_count(k) {
            return neg_inf();
        }
        let tail = if k == 0.0 { T::zero() } else { T::cst(k) * self.ln_q };
        let naive = (self.successes + T::cst(k)).ln_gamma() - T::cst(ln_factorial(k)) + self.ln_norm + tail;
        let (r, p) = (self.successes.value(), self.p.value());
        with_value(naive, ln_negative_binomial_pmf(k, r, p, self.ln_q.value().exp()))
    }
}

impl<T: Scalar> Named for NegativeBinomial<T> {
    fn family(&self) -> &'static str {
        "negative_binomial"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("successes", self.successes.value()), ("p", self.p.value())]
    }
}

impl Univariate for NegativeBinomial<f64> {
    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 { 0.0 } else { beta_reg_pair(self.successes, x.floor() + 1.0, self.p, 1.0 - self.p).0 }
    }
    fn mean(&self) -> Option<f64> {
        Some(self.successes * (1.0 - self.p) / self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.successes * (1.0 - self.p) / (self.p * self.p))
    }
    fn entropy(&self) -> f64 {
        let (r, p) = (self.successes, self.p);
        let q = self.ln_q.exp();
        let mode = if r > 1.0 { ((r - 1.0) * q / p).floor() } else { 0.0 };
        let var = r * q / (p * p);
        let shape = PmfShape { mode, sd: var.sqrt(), skew2: (1.0 + q).powi(2) / (r * q) };
        discrete_entropy(|k| ln_negative_binomial_pmf(k, r, p, q), shape, 0.0, f64::INFINITY)
    }
    fn support(&self) -> Support {
        Support::Discrete { low: 0.0, high: f64::INFINITY }
    }
}

impl Distribution<f64> for NegativeBinomial<f64> {
    /// A gamma–Poisson mixture: `λ ~ Gamma(r, scale (1 − p)/p)`, `K ~ Poisson(λ)`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.p == 1.0 {
            return 0.0;
        }
        let Ok(g) = rand_distr::Gamma::new(self.successes, (1.0 - self.p) / self.p) else {
            return f64::NAN;
        };
        let lambda: f64 = g.sample(rng);
        if lambda <= 0.0 {
            return 0.0;
        }
        match rand_distr::Poisson::new(lambda) {
            Ok(p) => p.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

impl Parametric for NegativeBinomial {
    const NAME: &'static str = "negative_binomial";
    const PARAMETERS: &'static [Parameter] = &[Parameter::positive("successes"), Parameter::probability("p")];
    type With<T: Scalar> = NegativeBinomial<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<NegativeBinomial<T>, ParamError> {
        NegativeBinomial::new(t[0], t[1])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        let m = Moments::of(data);
        let p = if m.var > m.mean { (m.mean / m.var).clamp(1e-6, 0.999) } else { 0.999 };
        within_domains(Self::PARAMETERS, vec![(m.mean * p / (1.0 - p)).max(1e-3), p])
    }
}
