//! The location–scale Student t distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{ParamError, finite, positive};
use crate::families::{Moments, within_domains};
use crate::families::{ln_1p_square, underflow};
use crate::scalar::Scalar;
use crate::special::{beta_reg_pair, digamma_half_difference, ln_beta, polygamma};
use crate::traits::{LogDensity, Named, Support, Univariate};
use crate::traits::{Parameter, Parametric};
use nalgebra::DMatrix;

/// Student's t with location `μ`, scale `σ` and `ν` degrees of freedom.
///
/// Density: `q(x) = Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + z²/ν)^(−(ν+1)/2)`,
/// `z = (x − μ)/σ`.
///
/// Not an exponential family: no finite sufficient statistics and no
/// closed-form MLE (the fitting crate fits it numerically).
///
/// ```
/// use xent_distributions::{StudentT, Univariate};
/// let d = StudentT::new(0.0, 1.0, 1.0)?; // the standard Cauchy
/// assert!((d.cdf(1.0) - 0.75).abs() < 1e-15);
/// assert_eq!(d.mean(), None);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudentT<T = f64> {
    location: T,
    scale: T,
    dof: T,
    inv_scale: T,
    ln_norm: T,
}

impl<T: Scalar> StudentT<T> {
    /// A Student t with finite `location`, `scale > 0` and `dof > 0`.
    pub fn new(location: T, scale: T, dof: T) -> Result<Self, ParamError> {
        finite("location", location.value())?;
        positive("scale", scale.value())?;
        positive("dof", dof.value())?;
        // lnΓ((ν+1)/2) − lnΓ(ν/2) − ½ ln(νπ) = −ln B(ν/2, ½) − ½ ln ν, free of
        // the cancellation between the two lnΓ at large ν.
        let half = T::cst(0.5);
        let ln_norm = -(dof * half).ln_beta(half) - half * dof.ln() - scale.ln();
        Ok(StudentT { location, scale, dof, inv_scale: scale.recip(), ln_norm })
    }
    /// The location `μ`.
    pub fn location(&self) -> T {
        self.location
    }
    /// The scale `σ`.
    pub fn scale(&self) -> T {
        self.scale
    }
    /// The degrees of freedom `ν`.
    pub fn dof(&self) -> T {
        self.dof
    }
}

impl<T: Scalar> LogDensity<T> for StudentT<T> {
    type Obs = f64;
    #[inline]
    fn ln_density(&self, &x: &f64) -> T {
        if !x.is_finite() {
            return T::neg_infinity();
        }
        let d = T::cst(x) - self.location;
        let z = if self.inv_scale.value().is_finite() { d * self.inv_scale } else { d / self.scale };
        underflow(self.ln_norm - (self.dof + T::one()) * T::cst(0.5) * ln_1p_square(z / self.dof.sqrt()))
    }
}

impl<T: Scalar> Named for StudentT<T> {
    fn family(&self) -> &'static str {
        "student_t"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("location", self.location.value()), ("scale", self.scale.value()), ("dof", self.dof.value())]
    }
}

impl Univariate for StudentT<f64> {
    /// The smaller tail `½ I_{ν/(ν+z²)}(ν/2, ½)` is computed directly, so
    /// both tails keep full relative accuracy.
    fn cdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        if z.is_infinite() {
            return if z > 0.0 { 1.0 } else { 0.0 };
        }
        let nu = self.dof;
        if nu >= 1e5 {
            return crate::incomplete::student_t_cdf_by_quadrature(z, nu);
        }
        // ν/(ν+z²) and z²/(ν+z²) each as a ratio (neither as 1 − the other),
        // with w = z²/ν formed without overflow.
        let w = (z / nu.sqrt()).powi(2);
        let (x_beta, y_beta) = if w.is_infinite() { (0.0, 1.0) } else { (1.0 / (1.0 + w), w / (1.0 + w)) };
        let tail = 0.5 * beta_reg_pair(0.5 * nu, 0.5, x_beta, y_beta).0;
        if z < 0.0 { tail } else { 1.0 - tail }
    }
    fn mean(&self) -> Option<f64> {
        (self.dof > 1.0).then_some(self.location)
    }
    fn variance(&self) -> Option<f64> {
        if self.dof > 2.0 {
            Some(self.scale * self.scale * self.dof / (self.dof - 2.0))
        } else if self.dof > 1.0 {
            Some(f64::INFINITY)
        } else {
            None
        }
    }
    fn entropy(&self) -> f64 {
        let nu = self.dof;
        0.5 * (nu + 1.0) * digamma_half_difference(0.5 * nu) + 0.5 * nu.ln() + ln_beta(0.5 * nu, 0.5) + self.scale.ln()
    }
    fn support(&self) -> Support {
        Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY }
    }
}

impl Distribution<f64> for StudentT<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::StudentT::new(self.dof) {
            Ok(t) => self.location + self.scale * t.sample(rng),
            Err(_) => f64::NAN,
        }
    }
}

impl Parametric for StudentT {
    const NAME: &'static str = "student_t";
    const PARAMETERS: &'static [Parameter] =
        &[Parameter::real("location"), Parameter::positive("scale"), Parameter::positive("dof")];
    const EQUIVARIANCE: Option<&'static [crate::traits::Equivariance]> = Some(&[
        crate::traits::Equivariance::Location,
        crate::traits::Equivariance::Scale,
        crate::traits::Equivariance::Invariant,
    ]);
    type With<T: Scalar> = StudentT<T>;
    fn assemble<T: Scalar>(t: &[T]) -> Result<StudentT<T>, ParamError> {
        StudentT::new(t[0], t[1], t[2])
    }
    fn starting_values(data: &[f64]) -> Vec<f64> {
        let m = Moments::of(data);
        within_domains(Self::PARAMETERS, vec![m.median, m.iqr.max(1e-12) / 1.349, 5.0])
    }
    fn fisher_information(t: &[f64]) -> Option<DMatrix<f64>> {
        // Lange, Little & Taylor (1989), in (location, scale, dof).
        let (s, v) = (t[1], t[2]);
        let i_mm = (v + 1.0) / ((v + 3.0) * s * s);
        let i_ss = 2.0 * v / ((v + 3.0) * s * s);
        let i_sv = -2.0 / (s * (v + 1.0) * (v + 3.0));
        let i_vv = 0.25 * (polygamma(1, v / 2.0) - polygamma(1, (v + 1.0) / 2.0))
            - (v + 5.0) / (2.0 * v * (v + 1.0) * (v + 3.0));
        Some(DMatrix::from_row_slice(3, 3, &[i_mm, 0.0, 0.0, 0.0, i_ss, i_sv, 0.0, i_sv, i_vv]))
    }
}

impl<T: Scalar> crate::cdf::LogCdf<T> for StudentT<T> {
    fn ln_cdf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, true) {
            return v;
        }
        // P(T ≤ −|z|) = ½ I_w(ν/2, ½), w = ν/(ν + z²) = 1/(1 + z²/ν); the
        // other side is 1 minus it, in log space.
        let z = (T::cst(x) - self.location) * self.inv_scale;
        let w = (T::one() + z * z / self.dof).recip();
        let tail = T::cst(-std::f64::consts::LN_2) + (self.dof * T::cst(0.5)).ln_beta_inc(T::cst(0.5), w, false);
        crate::families::underflow(if z.value() <= 0.0 { tail } else { crate::cdf::log1mexp(tail) })
    }
    fn ln_sf(&self, x: f64) -> T {
        if let Some(v) = crate::cdf::outside(x, f64::NEG_INFINITY, f64::INFINITY, false) {
            return v;
        }
        // P(T ≤ −|z|) = ½ I_w(ν/2, ½), w = ν/(ν + z²) = 1/(1 + z²/ν); the
        // other side is 1 minus it, in log space.
        let z = (T::cst(x) - self.location) * self.inv_scale;
        let w = (T::one() + z * z / self.dof).recip();
        let tail = T::cst(-std::f64::consts::LN_2) + (self.dof * T::cst(0.5)).ln_beta_inc(T::cst(0.5), w, false);
        crate::families::underflow(if z.value() > 0.0 { tail } else { crate::cdf::log1mexp(tail) })
    }
}
