//! A product of many probabilities without underflow.

use std::f64::consts::LN_2;
use std::fmt;

/// Exponents at or beyond `±2⁶²` are zero and infinity: the sum of two
/// in-range exponents cannot overflow `i64`.
const EXPONENT_LIMIT: i64 = 1 << 62;

/// A non-negative number `m · 2ᵉ` with `m ∈ [½, 1)` (or `m = 0`) and an
/// unbounded integer exponent: the likelihood `Π q(xᵢ)` of thousands of
/// observations, which underflows `f64` after a few hundred factors.
///
/// ```
/// use xent_objectives::ScaledFloat;
/// let mut l = ScaledFloat::one();
/// for _ in 0..2000 {
///     l = l * ScaledFloat::from_ln(-1.5);
/// }
/// assert!((l.ln() + 3000.0).abs() < 1e-9);
/// assert_eq!((-3000f64).exp(), 0.0); // the naive f64 product is gone
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaledFloat {
    mantissa: f64,
    exponent: i64,
}

impl ScaledFloat {
    /// 1.
    pub fn one() -> Self {
        ScaledFloat { mantissa: 0.5, exponent: 1 }
    }
    /// 0.
    pub fn zero() -> Self {
        ScaledFloat { mantissa: 0.0, exponent: 0 }
    }
    /// `+∞`: a product with an infinite factor (a density with an
    /// atom where a density was expected), or beyond `2^(2⁶²)`.
    pub fn infinity() -> Self {
        ScaledFloat { mantissa: f64::INFINITY, exponent: i64::MAX }
    }
    /// `e^l` for `l` possibly far outside the `f64` range (`−∞` gives 0,
    /// `+∞` gives [`ScaledFloat::infinity`]; exponents beyond `±2⁶²` are
    /// taken as 0 and ∞).
    pub fn from_ln(l: f64) -> Self {
        if l == f64::NEG_INFINITY || l.is_nan() {
            return Self::zero();
        }
        let k = (l / LN_2).floor();
        if k >= EXPONENT_LIMIT as f64 {
            return Self::infinity();
        }
        if k <= -(EXPONENT_LIMIT as f64) {
            return Self::zero();
        }
        let r = l - k * LN_2; // in [0, ln 2)
        ScaledFloat { mantissa: r.exp(), exponent: k as i64 }.normalised()
    }
    fn normalised(mut self) -> Self {
        if self.mantissa == 0.0 || self.exponent <= -EXPONENT_LIMIT {
            return Self::zero();
        }
        if !self.mantissa.is_finite() || self.exponent >= EXPONENT_LIMIT {
            return Self::infinity();
        }
        while self.mantissa >= 1.0 {
            self.mantissa *= 0.5;
            self.exponent += 1;
        }
        while self.mantissa < 0.5 {
            self.mantissa *= 2.0;
            self.exponent -= 1;
        }
        self
    }
    /// The mantissa `m ∈ [½, 1)` (0 for zero).
    pub fn mantissa(&self) -> f64 {
        self.mantissa
    }
    /// The binary exponent `e`.
    pub fn exponent(&self) -> i64 {
        self.exponent
    }
    /// `ln(m · 2ᵉ)` (`−∞` for zero, `+∞` for infinity).
    pub fn ln(&self) -> f64 {
        if self.mantissa == 0.0 {
            f64::NEG_INFINITY
        } else if self.mantissa.is_infinite() {
            f64::INFINITY
        } else {
            self.mantissa.ln() + self.exponent as f64 * LN_2
        }
    }
    /// The value as an `f64` (0 or `∞` outside its range).
    pub fn to_f64(&self) -> f64 {
        if self.mantissa == 0.0 {
            0.0
        } else if self.exponent > 1100 {
            f64::INFINITY
        } else if self.exponent < -1100 {
            0.0
        } else {
            self.mantissa * 2f64.powi(self.exponent as i32)
        }
    }
}

impl std::ops::Mul for ScaledFloat {
    type Output = ScaledFloat;
    fn mul(self, o: ScaledFloat) -> ScaledFloat {
        if self.mantissa == 0.0 || o.mantissa == 0.0 {
            // 0·∞ is taken as 0: a zero factor rules the point out.
            return ScaledFloat::zero();
        }
        if self.mantissa.is_infinite() || o.mantissa.is_infinite() {
            return ScaledFloat::infinity();
        }
        ScaledFloat { mantissa: self.mantissa * o.mantissa, exponent: self.exponent.saturating_add(o.exponent) }
            .normalised()
    }
}

impl fmt::Display for ScaledFloat {
    /// Decimal scientific notation, e.g. `3.2e-1820`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mantissa == 0.0 {
            return write!(f, "0");
        }
        if self.mantissa.is_infinite() {
            return write!(f, "inf");
        }
        let log10 = self.ln() / std::f64::consts::LN_10;
        let e = log10.floor();
        write!(f, "{:.6}e{}", 10f64.powf(log10 - e), e as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_saturate_instead_of_overflowing() {
        assert_eq!(ScaledFloat::from_ln(f64::INFINITY).ln(), f64::INFINITY);
        assert_eq!(ScaledFloat::from_ln(1e300).ln(), f64::INFINITY);
        assert_eq!(ScaledFloat::from_ln(-1e300).mantissa(), 0.0);
        let big = ScaledFloat::from_ln(1e18);
        let mut acc = ScaledFloat::one();
        for _ in 0..10 {
            acc = acc * big;
        }
        assert_eq!(acc, ScaledFloat::infinity());
        assert_eq!((acc * ScaledFloat::zero()).mantissa(), 0.0);
        assert_eq!(ScaledFloat::infinity().to_string(), "inf");
        assert!((ScaledFloat::from_ln(1e18).ln() / 1e18 - 1.0).abs() < 1e-15);
    }
}
