//! Censored and truncated observations as models: the likelihood of a
//! measurement known only to lie below, above or between limits is the
//! probability of that event, `F(x)`, `S(x)` or `F(b) − F(a)` — each from
//! the family's own log-CDF and log-survival ([`LogCdf`]), never as
//! `ln(1 − F)`. A truncated family (observed only between known bounds)
//! has the density `q(x) / P(low < X ≤ high)`.
//!
//! Both wrap any [`CdfModel`] — every continuous [`Family`], or your own —
//! and are themselves [`Model`]s, so likelihoods, gradients, Hessians,
//! scores, weights and fits come for free.

use xent_distributions::cdf::ln_interval_from;
use xent_distributions::{LogDensity, ParamError, Scalar};

use crate::error::ObjectiveError;
use crate::model::{Family, Model};
use crate::transform::Transform;

/// One observation of a possibly censored measurement (the conventions of
/// SciPy's `CensoredData` and R's `Surv(type = "interval2")`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observation {
    /// Observed exactly: the density at the value.
    Exact(f64),
    /// Left-censored: the value is at most this (below a detection limit).
    Left(f64),
    /// Right-censored: the value is at least this (still alive at the end
    /// of the study).
    Right(f64),
    /// Interval-censored: the value lies in `(low, high]`.
    Interval(f64, f64),
}

impl Observation {
    /// A value that stands for the observation when choosing a start: the
    /// value, the limit, or the interval's midpoint (its finite end where
    /// the other is infinite).
    pub fn representative(&self) -> f64 {
        match *self {
            Observation::Exact(x) | Observation::Left(x) | Observation::Right(x) => x,
            Observation::Interval(a, b) if a.is_finite() && b.is_finite() => a + (b - a) / 2.0,
            Observation::Interval(a, b) => {
                if a.is_finite() {
                    a
                } else {
                    b
                }
            }
        }
    }

    /// Checks the observation: finite values and limits, `low < high`
    /// (either end of an interval may be infinite, not both).
    pub fn check(&self, index: usize) -> Result<(), ObjectiveError> {
        let bad = |value: f64| ObjectiveError::NonFinite { what: "censored observation", index, value };
        match *self {
            Observation::Exact(x) | Observation::Left(x) | Observation::Right(x) => {
                if x.is_finite() {
                    Ok(())
                } else {
                    Err(bad(x))
                }
            }
            Observation::Interval(a, b) => {
                if a.is_nan() || b.is_nan() || (a.is_infinite() && b.is_infinite()) {
                    return Err(bad(if a.is_nan() || a.is_infinite() { a } else { b }));
                }
                if a < b {
                    Ok(())
                } else {
                    Err(ObjectiveError::Data(format!(
                        "observation {index}: the interval ({a}, {b}] is empty (its low end must be below its high end)"
                    )))
                }
            }
        }
    }
}

/// A [`Model`] over real values whose distributions have a log-CDF and a
/// log-survival function, generic over the scalar.
pub trait CdfModel: Model<Obs = f64> + Clone {
    /// `ln F(x)` of the distribution `d` of this model.
    fn ln_cdf<T: Scalar>(&self, d: &Self::Dist<T>, x: f64) -> T;
    /// `ln S(x)` of `d`, computed directly.
    fn ln_sf<T: Scalar>(&self, d: &Self::Dist<T>, x: f64) -> T;
    /// Whether the model has them (a discrete [`Family`] does not).
    fn has_cdf(&self) -> bool {
        true
    }
}

impl CdfModel for Family {
    fn ln_cdf<T: Scalar>(&self, d: &Self::Dist<T>, x: f64) -> T {
        d.ln_cdf(x).unwrap_or_else(|| T::cst(f64::NAN))
    }
    fn ln_sf<T: Scalar>(&self, d: &Self::Dist<T>, x: f64) -> T {
        d.ln_sf(x).unwrap_or_else(|| T::cst(f64::NAN))
    }
    /// The continuous families.
    fn has_cdf(&self) -> bool {
        let p = crate::transform::Parametrisation::new(self.transforms());
        p.forward(&vec![0.5; p.free_dim()])
            .ok()
            .and_then(|t| self.build::<f64>(&t).ok())
            .is_some_and(|d| d.is_continuous())
    }
}

/// A model of censored observations ([`Observation`]): each contributes
/// `ln q(x)`, `ln F(x)`, `ln S(x)` or `ln P(a < X ≤ b)`.
///
/// ```
/// use xent_objectives::{Censored, Family, Nll, Observation};
/// // Lifetimes, two still running at the end of the study.
/// let data = [Observation::Exact(2.0), Observation::Exact(3.0), Observation::Right(5.0), Observation::Right(5.0)];
/// let model = Censored::new(Family::Exponential)?;
/// // The exponential's MLE with censoring: events / total time = 2 / 15.
/// let nll = Nll::new(&model, &data)?;
/// let g = nll.gradient(&[(2.0f64 / 15.0).ln()])?;
/// assert!(g[0].abs() < 1e-15);
/// # Ok::<(), xent_objectives::ObjectiveError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Censored<M> {
    model: M,
}

impl<M: CdfModel> Censored<M> {
    /// Censored observations of `model`, which must have a CDF.
    pub fn new(model: M) -> Result<Self, ObjectiveError> {
        if !model.has_cdf() {
            return Err(ObjectiveError::Unavailable { what: "censored likelihoods", objective: "a discrete family" });
        }
        Ok(Censored { model })
    }
    /// The uncensored model.
    pub fn model(&self) -> &M {
        &self.model
    }
}

/// The distribution of a [`Censored`] model: the model's, with the model
/// to ask for its CDF.
#[derive(Debug, Clone)]
pub struct CensoredDist<M: Model, T: Scalar> {
    model: M,
    /// The uncensored distribution.
    pub dist: M::Dist<T>,
}

impl<M: CdfModel, T: Scalar> LogDensity<T> for CensoredDist<M, T> {
    type Obs = Observation;
    fn ln_density(&self, obs: &Observation) -> T {
        match *obs {
            Observation::Exact(x) => self.dist.ln_density(&x),
            Observation::Left(x) => self.model.ln_cdf(&self.dist, x),
            Observation::Right(x) => self.model.ln_sf(&self.dist, x),
            Observation::Interval(a, b) => {
                ln_interval_from(|x| self.model.ln_cdf(&self.dist, x), |x| self.model.ln_sf(&self.dist, x), a, b)
            }
        }
    }
}

impl<M: CdfModel> Model for Censored<M> {
    type Obs = Observation;
    type Dist<T: Scalar> = CensoredDist<M, T>;
    fn name(&self) -> String {
        format!("{} (censored)", self.model.name())
    }
    fn param_names(&self) -> Vec<String> {
        self.model.param_names()
    }
    fn transforms(&self) -> Vec<Transform> {
        self.model.transforms()
    }
    fn build<T: Scalar>(&self, theta: &[T]) -> Result<Self::Dist<T>, ParamError> {
        Ok(CensoredDist { model: self.model.clone(), dist: self.model.build(theta)? })
    }
}

/// A model truncated to known bounds: observed only when `low < x ≤ high`
/// (either may be infinite), with density `q(x) / P(low < X ≤ high)`.
///
/// ```
/// use xent_objectives::{Family, Nll, Truncated};
/// // Claims above a deductible of 1: an exponential truncated below.
/// let data = [1.5, 2.0, 4.5];
/// let model = Truncated::new(Family::Exponential, 1.0, f64::INFINITY)?;
/// // Memoryless: the MLE of the rate is 1 / mean excess = 1 / 1.667.
/// let nll = Nll::new(&model, &data)?;
/// assert!(nll.gradient(&[(3.0f64 / 5.0).ln()])?[0].abs() < 1e-15);
/// # Ok::<(), xent_objectives::ObjectiveError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Truncated<M> {
    model: M,
    low: f64,
    high: f64,
}

impl<M: CdfModel> Truncated<M> {
    /// `model` truncated to `(low, high]`, `low < high`, neither NaN.
    pub fn new(model: M, low: f64, high: f64) -> Result<Self, ObjectiveError> {
        if !model.has_cdf() {
            return Err(ObjectiveError::Unavailable { what: "truncated likelihoods", objective: "a discrete family" });
        }
        if low.is_nan() || high.is_nan() || low >= high {
            return Err(ObjectiveError::InvalidOption {
                name: "truncation",
                value: if low.is_nan() { low } else { high },
                reason: "the bounds must be numbers with low < high",
            });
        }
        Ok(Truncated { model, low, high })
    }
    /// The bounds `(low, high)`.
    pub fn bounds(&self) -> (f64, f64) {
        (self.low, self.high)
    }
}

/// The distribution of a [`Truncated`] model.
#[derive(Debug, Clone)]
pub struct TruncatedDist<M: Model, T: Scalar> {
    /// The untruncated distribution.
    pub dist: M::Dist<T>,
    low: f64,
    high: f64,
    ln_mass: T,
}

impl<M: CdfModel, T: Scalar> LogDensity<T> for TruncatedDist<M, T> {
    type Obs = f64;
    fn ln_density(&self, &x: &f64) -> T {
        if !(x > self.low && x <= self.high) {
            return T::neg_infinity();
        }
        self.dist.ln_density(&x) - self.ln_mass
    }
}

impl<M: CdfModel> Model for Truncated<M> {
    type Obs = f64;
    type Dist<T: Scalar> = TruncatedDist<M, T>;
    fn name(&self) -> String {
        format!("{} truncated to ({}, {}]", self.model.name(), self.low, self.high)
    }
    fn param_names(&self) -> Vec<String> {
        self.model.param_names()
    }
    fn transforms(&self) -> Vec<Transform> {
        self.model.transforms()
    }
    fn build<T: Scalar>(&self, theta: &[T]) -> Result<Self::Dist<T>, ParamError> {
        let dist = self.model.build(theta)?;
        // One-sided bounds from the one tail: no interval arithmetic.
        let ln_mass = if self.high == f64::INFINITY {
            self.model.ln_sf(&dist, self.low)
        } else if self.low == f64::NEG_INFINITY {
            self.model.ln_cdf(&dist, self.high)
        } else {
            ln_interval_from(|x| self.model.ln_cdf(&dist, x), |x| self.model.ln_sf(&dist, x), self.low, self.high)
        };
        Ok(TruncatedDist { dist, low: self.low, high: self.high, ln_mass })
    }
}
