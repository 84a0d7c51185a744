//! The one scalar trait every log-density is written against.
//!
//! [`Scalar`] is `num_traits::Float` plus the special functions the families
//! need. It is implemented for `f64` (special functions from `statrs`) and for
//! the `autodiff` crate's forward dual numbers `FT<T>` for any `T: Scalar`, so
//! nested duals `FT<FT<f64>>` give second derivatives. The dual
//! implementations apply the chain rule: `d lnΓ(x) = ψ(x) dx`,
//! `d ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x) dx`.

use std::fmt::Debug;
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use autodiff::F;
use num_traits::{Float, FloatConst, FromPrimitive, Zero};

use crate::special;
use crate::tangent::Tangent;

/// First-order forward dual number over `f64` (value and one directional derivative).
pub type Dual = autodiff::FT<f64>;
/// Second-order (nested) dual number: derivatives of derivatives.
pub type HyperDual = autodiff::FT<Dual>;

/// A real scalar: `f64` or a (possibly nested) forward dual number.
///
/// Every log-density in this crate is written once against this bound.
///
/// ```
/// use xent_distributions::{Dual, Scalar};
/// // d/dx lnΓ(x) at x = 1 is ψ(1) = −γ.
/// let x = Dual::var(1.0);
/// let y = x.ln_gamma();
/// assert!((y.deriv() + 0.5772156649015329).abs() < 1e-14);
/// ```
pub trait Scalar:
    Float + FloatConst + FromPrimitive + Sum + AddAssign + SubAssign + MulAssign + DivAssign + Debug + Send + Sync + 'static
{
    /// A constant (zero derivative) with the given value.
    fn cst(x: f64) -> Self;
    /// The primal `f64` value, dropping every derivative part.
    fn value(self) -> f64;
    /// `ln Γ(x)` for `x > 0`.
    fn ln_gamma(self) -> Self;
    /// The polygamma function `ψ⁽ⁿ⁾(x)` for `x > 0` (`n = 0` is the digamma function).
    fn polygamma(self, n: u32) -> Self;
    /// The digamma function `ψ(x) = d lnΓ(x) / dx`.
    fn digamma(self) -> Self {
        self.polygamma(0)
    }
    /// The trigamma function `ψ′(x)`.
    fn trigamma(self) -> Self {
        self.polygamma(1)
    }
    /// `ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b)`.
    fn ln_beta(self, b: Self) -> Self {
        self.ln_gamma() + b.ln_gamma() - (self + b).ln_gamma()
    }
    /// `ln Φ(x)`, the standard normal log-CDF: finite far into the lower
    /// tail, and `ln(1 − Φ(−x))` without cancellation in the upper one.
    fn ln_norm_cdf(self) -> Self;
    /// For `self = a > 0` and `x ≥ 0`: `ln P(a, x)` (`upper = false`) or
    /// `ln Q(a, x)` (`upper = true`) of the regularised incomplete gamma
    /// function, in log space where the value underflows. Derivatives: in
    /// `x` in closed form, in `a` by a five-point stencil of the value
    /// (step `a/500`: relative error ~1e-11).
    fn ln_gamma_inc(self, x: Self, upper: bool) -> Self;
    /// For `self = a > 0`, `b > 0` and `x ∈ [0, 1]`: `ln I_x(a, b)` or, with
    /// `upper`, `ln(1 − I_x(a, b))` (computed as `I_{1−x}(b, a)`, not as a
    /// difference). Derivatives as for [`Scalar::ln_gamma_inc`].
    fn ln_beta_inc(self, b: Self, x: Self, upper: bool) -> Self;
    /// `x · ln y`, defined as 0 when `x = 0` (the convention `0 ln 0 = 0`).
    fn xlny(self, y: Self) -> Self {
        if self.value() == 0.0 { Self::zero() } else { self * y.ln() }
    }
    /// `x · ln(1 + y)`, defined as 0 when `x = 0`.
    fn xln1py(self, y: Self) -> Self {
        if self.value() == 0.0 { Self::zero() } else { self * y.ln_1p() }
    }
}

impl Scalar for f64 {
    #[inline]
    fn cst(x: f64) -> Self {
        x
    }
    #[inline]
    fn value(self) -> f64 {
        self
    }
    #[inline]
    fn ln_gamma(self) -> Self {
        special::ln_gamma(self)
    }
    #[inline]
    fn polygamma(self, n: u32) -> Self {
        special::polygamma(n, self)
    }
    #[inline]
    fn ln_beta(self, b: Self) -> Self {
        special::ln_beta(self, b)
    }
    fn ln_norm_cdf(self) -> Self {
        special::ln_norm_cdf(self)
    }
    fn ln_gamma_inc(self, x: Self, upper: bool) -> Self {
        crate::cdf::ln_gamma_inc_f64(self, x, upper)
    }
    fn ln_beta_inc(self, b: Self, x: Self, upper: bool) -> Self {
        crate::cdf::ln_beta_inc_f64(self, b, x, upper)
    }
}

/// The chain rules of [`Scalar`]'s special functions for a forward dual
/// `F<inner, tangent>`; the tangent only needs to be scalable by the inner
/// type.
macro_rules! dual_scalar {
    ($(#[$doc:meta])* [$($gen:tt)*] $ty:ty, $inner:ident) => {
        $(#[$doc])*
        impl<$($gen)*> Scalar for $ty {
            #[inline]
            fn cst(x: f64) -> Self {
                F::new($inner::cst(x), Zero::zero())
            }
            #[inline]
            fn value(self) -> f64 {
                self.x.value()
            }
            #[inline]
            fn ln_gamma(self) -> Self {
                F::new(self.x.ln_gamma(), self.dx * self.x.digamma())
            }
            #[inline]
            fn polygamma(self, n: u32) -> Self {
                F::new(self.x.polygamma(n), self.dx * self.x.polygamma(n + 1))
            }
            /// `∂ ln Φ(x) = φ(x)/Φ(x)`, the normal hazard of `−x`.
            fn ln_norm_cdf(self) -> Self {
                F::new(self.x.ln_norm_cdf(), self.dx * crate::cdf::norm_hazard(self.x))
            }
            fn ln_gamma_inc(self, x: Self, upper: bool) -> Self {
                let v = self.x.ln_gamma_inc(x.x, upper);
                // ∂x ln P = x^(a−1) e^(−x) / (Γ(a) P); ∂x ln Q its negative.
                let dens = ((self.x - $inner::one()) * x.x.ln() - x.x - self.x.ln_gamma() - v).exp();
                let dx = if upper { -dens } else { dens };
                let da = crate::cdf::stencil(self.x, |a| a.ln_gamma_inc(x.x, upper));
                F::new(v, self.dx * da + x.dx * dx)
            }
            fn ln_beta_inc(self, b: Self, x: Self, upper: bool) -> Self {
                let v = self.x.ln_beta_inc(b.x, x.x, upper);
                let one = $inner::one();
                let dens = ((self.x - one) * x.x.ln() + (b.x - one) * (one - x.x).ln() - self.x.ln_beta(b.x) - v).exp();
                let dx = if upper { -dens } else { dens };
                let da = crate::cdf::stencil(self.x, |a| a.ln_beta_inc(b.x, x.x, upper));
                let db = crate::cdf::stencil(b.x, |bb| self.x.ln_beta_inc(bb, x.x, upper));
                F::new(v, self.dx * da + b.dx * db + x.dx * dx)
            }
            /// Value from the underlying scalar's (cancellation-free) `ln_beta`;
            /// `∂a = ψ(a) − ψ(a + b)`, `∂b = ψ(b) − ψ(a + b)`.
            #[inline]
            fn ln_beta(self, b: Self) -> Self {
                let s = (self.x + b.x).digamma();
                F::new(self.x.ln_beta(b.x), self.dx * (self.x.digamma() - s) + b.dx * (b.x.digamma() - s))
            }
        }
    };
}

dual_scalar!([T: Scalar] F<T, T>, T);
dual_scalar!(
    /// Vector tangents ([`Tangent`]): the same chain rules, applied to every
    /// component at once.
    [S: Scalar, const N: usize] F<S, Tangent<S, N>>, S
);

#[cfg(test)]
mod tests {
    use super::*;

    fn central<Fun: Fn(f64) -> f64>(f: Fun, x: f64) -> f64 {
        let h = 1e-5 * x.abs().max(1.0);
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn dual_special_functions_match_finite_differences() {
        for &x in &[0.3, 1.0, 2.5, 17.0] {
            let d = Dual::var(x);
            let lg = d.ln_gamma();
            assert!((lg.deriv() - central(special::ln_gamma, x)).abs() < 1e-7);
            let dg = d.digamma();
            assert!((dg.deriv() - central(|t| special::polygamma(0, t), x)).abs() < 1e-6);
        }
    }

    #[test]
    fn nested_duals_give_second_derivative_of_ln_gamma() {
        // d²/dx² lnΓ(x) = ψ′(x); ψ′(1) = π²/6.
        let x = HyperDual::new(Dual::new(1.0, 1.0), Dual::new(1.0, 0.0));
        let y = x.ln_gamma();
        assert!((y.dx.dx - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-13);
    }
}
