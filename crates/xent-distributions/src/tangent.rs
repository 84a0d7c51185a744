//! Vector tangents for `autodiff`'s forward duals: many directional
//! derivatives carried through one evaluation.
//!
//! `autodiff::F<V, D>` carries a value `V` and a tangent `D`; the crate
//! asks only that the tangent be a `Float` that can be scaled by the value
//! type. [`Tangent<S, N>`] is such a tangent: `N` components of scalar `S`,
//! every operation component-wise — the tangent space `Sᴺ`. With it,
//!
//! - [`DualN<N>`] `= F<f64, Tangent<f64, N>>` gives the value and `N` partial
//!   derivatives (a full gradient in `N` variables) from one evaluation,
//!   where the scalar [`Dual`](crate::Dual) needs one evaluation per variable;
//! - [`HyperDualN<N>`] `= F<DualN<N>, Tangent<DualN<N>, N>>` nests the same
//!   construction once more: value, gradient and the full `N × N` Hessian
//!   from one evaluation, where nested scalar duals need `N(N+1)/2`.
//!
//! Both are [`Scalar`](crate::Scalar)s, so every log-density and loss
//! written against that bound evaluates in them unchanged. The chain rule
//! lives in `autodiff` (and in this crate's special-function rules); this
//! module only supplies the vector space. [`seed_gradient`] and
//! [`seed_hessian`] set up the variables.
//!
//! ```
//! use xent_distributions::tangent::{seed_gradient, seed_hessian, DualN, HyperDualN};
//! use xent_distributions::Scalar;
//! // f(a, b) = a² b + ln b at (3, 2).
//! fn f<T: Scalar>(z: &[T]) -> T { z[0] * z[0] * z[1] + z[1].ln() }
//! let mut z = [<DualN<2> as Scalar>::cst(0.0); 2];
//! seed_gradient(&[3.0, 2.0], 0, &mut z);
//! let r = f(&z);
//! assert_eq!(r.deriv().0, [12.0, 9.5]); // (2ab, a² + 1/b)
//! let mut w = [<HyperDualN<2> as Scalar>::cst(0.0); 2];
//! seed_hessian(&[3.0, 2.0], 0, 0, &mut w);
//! let h = f(&w);
//! assert_eq!(h.dx.0[0].dx.0, [4.0, 6.0]);   // ∂²f/∂a∂(a, b) = (2b, 2a)
//! assert_eq!(h.dx.0[1].dx.0, [6.0, -0.25]); // ∂²f/∂b∂(a, b) = (2a, −1/b²)
//! ```
//!
//! Components beyond the number of variables stay zero, so one width `N`
//! serves every problem with at most `N` variables; more variables are
//! covered block by block (the `offset` arguments of the seeding functions).

use std::cmp::Ordering;
use std::num::FpCategory;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign};

use autodiff::F;
use num_traits::{Float, Num, NumCast, One, ToPrimitive, Zero};

/// A tangent vector of `N` components of scalar `S`, with component-wise
/// arithmetic and component-wise `Float` functions.
///
/// The `Float` implementation exists so that `autodiff::F` accepts the type
/// as its derivative part; the functions `autodiff` calls on tangents are
/// the vector-space operations (sum, difference, scaling by the value) and
/// the classification tests (`is_nan` is true when any component is NaN,
/// `is_finite` when all are finite). Conversions to primitives return
/// `None`: a vector has no single primitive value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tangent<S, const N: usize>(pub [S; N]);

/// Value and `N` partial derivatives in one forward evaluation.
pub type DualN<const N: usize> = F<f64, Tangent<f64, N>>;

/// Value, gradient and `N × N` Hessian in one forward evaluation: a
/// [`DualN`] whose own tangent is a vector of [`DualN`]s. For a result `r`,
/// `r.x.x` is the value, `r.x.dx.0[j] = ∂f/∂z_j` and
/// `r.dx.0[k].dx.0[j] = ∂²f/∂z_k∂z_j`.
pub type HyperDualN<const N: usize> = F<DualN<N>, Tangent<DualN<N>, N>>;

impl<S: Copy, const N: usize> Tangent<S, N> {
    /// Every component equal to `s`.
    #[inline]
    pub fn splat(s: S) -> Self {
        Tangent([s; N])
    }
    #[inline]
    fn map(self, f: impl Fn(S) -> S) -> Self {
        // In place: `<[S; N]>::map` goes through `try_map` and copies.
        let mut out = self.0;
        for a in &mut out {
            *a = f(*a);
        }
        Tangent(out)
    }
    #[inline]
    fn zip(self, o: Self, f: impl Fn(S, S) -> S) -> Self {
        let mut out = self.0;
        for (a, b) in out.iter_mut().zip(o.0) {
            *a = f(*a, b);
        }
        Tangent(out)
    }
}

impl<S: Zero + Copy, const N: usize> Tangent<S, N> {
    /// The unit vector `e_j` (all zero if `j ≥ N`).
    #[inline]
    pub fn unit(j: usize, one: S) -> Self {
        let mut t = Self::zero();
        if j < N {
            t.0[j] = one;
        }
        t
    }
}

#[doc(hidden)]
/// Workspace-internal (hidden from the docs, not part of the API): seeds
/// the variables `z` for a gradient: `out[j]` has value `z[j]` and
/// tangent `e_{j − offset}` — so the tangent's component `c` is the
/// derivative in `z[offset + c]` (variables outside `offset..offset + N`
/// are held constant). `out` and `z` have the same length.
pub fn seed_gradient<const N: usize>(z: &[f64], offset: usize, out: &mut [DualN<N>]) {
    for (j, (o, &v)) in out.iter_mut().zip(z).enumerate() {
        let t = if j >= offset { Tangent::unit(j - offset, 1.0) } else { Tangent::zero() };
        *o = F::new(v, t);
    }
}

#[doc(hidden)]
/// Workspace-internal (hidden from the docs, not part of the API): seeds
/// the variables `z` for a Hessian block: the inner tangent carries
/// the directions `inner..inner + N`, the outer one `outer..outer + N`, so
/// that for a result `r`, `r.dx.0[b].dx.0[a] = ∂²f / ∂z_{outer+b} ∂z_{inner+a}`
/// and `r.x.dx.0[a] = ∂f / ∂z_{inner+a}`.
pub fn seed_hessian<const N: usize>(z: &[f64], inner: usize, outer: usize, out: &mut [HyperDualN<N>]) {
    for (j, (o, &v)) in out.iter_mut().zip(z).enumerate() {
        let ti = if j >= inner { Tangent::unit(j - inner, 1.0) } else { Tangent::zero() };
        let to = if j >= outer { Tangent::unit(j - outer, F::new(1.0, Tangent::zero())) } else { Tangent::zero() };
        *o = F::new(F::new(v, ti), to);
    }
}

macro_rules! binary_ops {
    ($($tr:ident $m:ident $atr:ident $am:ident $op:tt;)*) => {$(
        impl<S: Copy + $tr<Output = S>, const N: usize> $tr for Tangent<S, N> {
            type Output = Self;
            #[inline]
            fn $m(self, o: Self) -> Self {
                self.zip(o, |a, b| a $op b)
            }
        }
        impl<S: Copy + $tr<Output = S>, const N: usize> $atr for Tangent<S, N> {
            #[inline]
            fn $am(&mut self, o: Self) {
                *self = *self $op o;
            }
        }
    )*};
}

binary_ops! {
    Add add AddAssign add_assign +;
    Sub sub SubAssign sub_assign -;
    Mul mul MulAssign mul_assign *;
    Div div DivAssign div_assign /;
    Rem rem RemAssign rem_assign %;
}

/// Scaling by a value of the underlying scalar.
impl<S: Copy + Mul<Output = S>, const N: usize> Mul<S> for Tangent<S, N> {
    type Output = Self;
    #[inline]
    fn mul(self, s: S) -> Self {
        self.map(|a| a * s)
    }
}

impl<S: Copy + Div<Output = S>, const N: usize> Div<S> for Tangent<S, N> {
    type Output = Self;
    #[inline]
    fn div(self, s: S) -> Self {
        self.map(|a| a / s)
    }
}

impl<S: Copy + Mul<Output = S>, const N: usize> MulAssign<S> for Tangent<S, N> {
    #[inline]
    fn mul_assign(&mut self, s: S) {
        *self = *self * s;
    }
}

impl<S: Copy + Div<Output = S>, const N: usize> DivAssign<S> for Tangent<S, N> {
    #[inline]
    fn div_assign(&mut self, s: S) {
        *self = *self / s;
    }
}

impl<S: Copy + Neg<Output = S>, const N: usize> Neg for Tangent<S, N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.map(|a| -a)
    }
}

impl<S: Zero + Copy, const N: usize> Zero for Tangent<S, N> {
    #[inline]
    fn zero() -> Self {
        Tangent([S::zero(); N])
    }
    #[inline]
    fn is_zero(&self) -> bool {
        self.0.iter().all(Zero::is_zero)
    }
}

impl<S: Zero + Copy, const N: usize> Default for Tangent<S, N> {
    fn default() -> Self {
        Self::zero()
    }
}

impl<S: One + Copy + PartialEq, const N: usize> One for Tangent<S, N> {
    #[inline]
    fn one() -> Self {
        Tangent([S::one(); N])
    }
}

/// Lexicographic, component by component.
impl<S: PartialOrd, const N: usize> PartialOrd for Tangent<S, N> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        self.0.partial_cmp(&o.0)
    }
}

impl<S: Float, const N: usize> Num for Tangent<S, N> {
    type FromStrRadixErr = S::FromStrRadixErr;
    fn from_str_radix(src: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        S::from_str_radix(src, radix).map(Self::splat)
    }
}

/// A vector has no single primitive value: every conversion is `None`.
impl<S, const N: usize> ToPrimitive for Tangent<S, N> {
    fn to_i64(&self) -> Option<i64> {
        None
    }
    fn to_u64(&self) -> Option<u64> {
        None
    }
}

impl<S: Float, const N: usize> NumCast for Tangent<S, N> {
    fn from<T: ToPrimitive>(n: T) -> Option<Self> {
        S::from(n).map(Self::splat)
    }
}

macro_rules! componentwise {
    (const: $($c:ident)*; unary: $($u:ident)*; binary: $($b:ident)*; any: $($any:ident)*; all: $($all:ident)*;) => {
        $(#[inline] fn $c() -> Self { Self::splat(S::$c()) })*
        $(#[inline] fn $u(self) -> Self { self.map(S::$u) })*
        $(#[inline] fn $b(self, o: Self) -> Self { self.zip(o, S::$b) })*
        $(#[inline] fn $any(self) -> bool { self.0.iter().any(|a| a.$any()) })*
        $(#[inline] fn $all(self) -> bool { self.0.iter().all(|a| a.$all()) })*
    };
}

impl<S: Float, const N: usize> Float for Tangent<S, N> {
    componentwise! {
        const: nan infinity neg_infinity neg_zero min_value min_positive_value max_value epsilon;
        unary: floor ceil round trunc fract abs signum recip sqrt exp exp2 ln log2 log10 cbrt sin cos tan asin
            acos atan exp_m1 ln_1p sinh cosh tanh asinh acosh atanh to_degrees to_radians;
        binary: powf log max min abs_sub hypot atan2 copysign;
        any: is_nan is_infinite;
        all: is_finite is_normal is_sign_positive is_sign_negative;
    }
    /// The category of the first non-normal component (normal if all are).
    fn classify(self) -> FpCategory {
        self.0.iter().map(|a| a.classify()).find(|c| *c != FpCategory::Normal).unwrap_or(FpCategory::Normal)
    }
    fn mul_add(self, a: Self, b: Self) -> Self {
        let mut out = self.0;
        for ((o, x), y) in out.iter_mut().zip(a.0).zip(b.0) {
            *o = o.mul_add(x, y);
        }
        Tangent(out)
    }
    fn powi(self, n: i32) -> Self {
        self.map(|a| a.powi(n))
    }
    fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
    /// Of the first component (zero for `N = 0`): a vector has no single
    /// mantissa and exponent.
    fn integer_decode(self) -> (u64, i16, i8) {
        self.0.first().map_or((0, 0, 1), |a| a.integer_decode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dual, HyperDual, Scalar};

    /// A function exercising the operations log-densities use.
    fn f<T: Scalar>(z: &[T]) -> T {
        let s = z[0] * z[1] - z[2] / (z[0] + T::cst(3.0));
        s.exp().ln_1p() + (z[1] * z[1] + T::one()).sqrt().ln() - z[2].abs().powf(z[0]) + z[1].ln_gamma()
            - (z[0] - z[2]).max(z[1]).tanh()
    }

    const Z: [f64; 3] = [0.7, 1.9, -0.4];

    #[test]
    fn vector_gradient_equals_scalar_duals_per_direction() {
        let mut v = [<DualN<3> as Scalar>::cst(0.0); 3];
        seed_gradient(&Z, 0, &mut v);
        let r = f(&v);
        for d in 0..3 {
            let s: Vec<Dual> = (0..3).map(|j| Dual::new(Z[j], if j == d { 1.0 } else { 0.0 })).collect();
            let e = f(&s);
            assert_eq!(r.x, e.x);
            assert!((r.dx.0[d] - e.dx).abs() <= 4.0 * f64::EPSILON * e.dx.abs().max(1.0), "{d}");
        }
    }

    #[test]
    fn wider_tangents_and_offsets_cover_every_direction_once() {
        // Width 2 over three variables: block 0 = (z0, z1), block 2 = (z2, padding).
        let mut full = [<DualN<4> as Scalar>::cst(0.0); 3];
        seed_gradient(&Z, 0, &mut full);
        let g = f(&full).dx.0;
        assert_eq!(g[3], 0.0, "padding stays zero");
        let mut a = [<DualN<2> as Scalar>::cst(0.0); 3];
        seed_gradient(&Z, 0, &mut a);
        let mut b = [<DualN<2> as Scalar>::cst(0.0); 3];
        seed_gradient(&Z, 2, &mut b);
        let (ga, gb) = (f(&a).dx.0, f(&b).dx.0);
        assert_eq!([ga[0], ga[1], gb[0]], [g[0], g[1], g[2]]);
        assert_eq!(gb[1], 0.0);
    }

    #[test]
    fn hyper_dual_hessian_equals_nested_scalar_duals() {
        let mut w = [<HyperDualN<3> as Scalar>::cst(0.0); 3];
        seed_hessian(&Z, 0, 0, &mut w);
        let r = f(&w);
        for a in 0..3 {
            for b in 0..3 {
                let s: Vec<HyperDual> = (0..3)
                    .map(|j| {
                        HyperDual::new(
                            Dual::new(Z[j], if j == a { 1.0 } else { 0.0 }),
                            Dual::new(if j == b { 1.0 } else { 0.0 }, 0.0),
                        )
                    })
                    .collect();
                let e = f(&s);
                let tol = 8.0 * f64::EPSILON * e.dx.dx.abs().max(1.0);
                assert!((r.dx.0[b].dx.0[a] - e.dx.dx).abs() <= tol, "({a}, {b})");
                assert!((r.x.dx.0[a] - e.x.dx).abs() <= tol);
            }
        }
        assert_eq!(r.x.x, f(&Z));
    }

    #[test]
    fn off_diagonal_blocks_by_offsets() {
        let mut full = [<HyperDualN<3> as Scalar>::cst(0.0); 3];
        seed_hessian(&Z, 0, 0, &mut full);
        let h = f(&full);
        // Width 1: inner direction z2, outer direction z0 gives ∂²f/∂z0∂z2.
        let mut w = [<HyperDualN<1> as Scalar>::cst(0.0); 3];
        seed_hessian(&Z, 2, 0, &mut w);
        assert_eq!(f(&w).dx.0[0].dx.0[0], h.dx.0[0].dx.0[2]);
    }

    #[test]
    fn classification_is_any_or_all() {
        let t = Tangent([1.0, f64::NAN]);
        assert!(t.is_nan() && !t.is_finite());
        assert!(Tangent([1.0, 2.0]).is_finite());
        assert!(Tangent::<f64, 2>::zero().is_zero());
        assert_eq!(Tangent([1.0, 2.0]).to_f64(), None);
    }
}
