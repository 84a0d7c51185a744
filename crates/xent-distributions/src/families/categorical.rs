//! The categorical distribution on `{0, …, K − 1}`.

use rand::{Rng, RngExt};
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError};
use crate::scalar::Scalar;
use crate::stats::{Accumulator, FirstError, valid_weight};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics};

/// Tolerance on `|Σ pₖ − 1|` accepted by [`Categorical::new`].
pub const SUM_TOLERANCE: f64 = 1e-9;

/// The categorical distribution with class probabilities `p₀, …, p_{K−1}`.
///
/// Observations are class indices (`usize`); an index `≥ K` has log-mass `−∞`.
///
/// ```
/// use xent_distributions::{Categorical, LogDensity};
/// let d = Categorical::new(vec![0.25, 0.75])?;
/// assert!((d.ln_density(&1) - 0.75f64.ln()).abs() < 1e-16);
/// assert_eq!(d.ln_density(&2), f64::NEG_INFINITY);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical<T = f64> {
    probs: Vec<T>,
    ln_probs: Vec<T>,
}

impl<T: Scalar> Categorical<T> {
    /// A categorical with the given probabilities: each finite and `≥ 0`,
    /// summing to 1 within [`SUM_TOLERANCE`].
    pub fn new(probs: Vec<T>) -> Result<Self, ParamError> {
        if probs.is_empty() {
            return Err(ParamError::Dimension { name: "probs", expected: 1, found: 0 });
        }
        for p in &probs {
            crate::error::check("probs", p.value(), ">= 0", |v| v >= 0.0)?;
        }
        let sum: f64 = probs.iter().map(|p| p.value()).sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(ParamError::Invalid { name: "probs", reason: format!("must sum to 1, sum is {sum}") });
        }
        let ln_probs = probs.iter().map(|p| p.ln()).collect();
        Ok(Categorical { probs, ln_probs })
    }
    /// A categorical from unnormalised log-probabilities (logits), through a
    /// stable log-softmax: `ln pₖ = ηₖ − max η − ln Σ exp(ηⱼ − max η)`.
    pub fn from_logits(logits: &[T]) -> Result<Self, ParamError> {
        if logits.is_empty() {
            return Err(ParamError::Dimension { name: "logits", expected: 1, found: 0 });
        }
        for l in logits {
            crate::error::finite("logits", l.value())?;
        }
        let m = logits.iter().fold(logits[0], |a, &b| if b.value() > a.value() { b } else { a });
        let lse = logits.iter().map(|&l| (l - m).exp()).fold(T::zero(), |a, b| a + b).ln();
        let ln_probs: Vec<T> = logits.iter().map(|&l| l - m - lse).collect();
        let probs = ln_probs.iter().map(|l| l.exp()).collect();
        Ok(Categorical { probs, ln_probs })
    }
    /// The probabilities.
    pub fn probs(&self) -> &[T] {
        &self.probs
    }
    /// The number of classes `K`.
    pub fn classes(&self) -> usize {
        self.probs.len()
    }
}

impl<T: Scalar> LogDensity<T> for Categorical<T> {
    type Obs = usize;
    #[inline]
    fn ln_density(&self, &k: &usize) -> T {
        self.ln_probs.get(k).copied().unwrap_or_else(T::neg_infinity)
    }
}

impl<T: Scalar> Named for Categorical<T> {
    fn family(&self) -> &'static str {
        "categorical"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        self.probs.iter().map(|p| ("p", p.value())).collect()
    }
}

impl Categorical<f64> {
    /// `E[X]` (class indices as numbers).
    pub fn mean(&self) -> f64 {
        self.probs.iter().enumerate().map(|(k, p)| k as f64 * p).sum()
    }
    /// `Var[X]` (class indices as numbers).
    pub fn variance(&self) -> f64 {
        let m = self.mean();
        self.probs.iter().enumerate().map(|(k, p)| p * (k as f64 - m).powi(2)).sum()
    }
    /// Shannon entropy `−Σ pₖ ln pₖ` in nats.
    pub fn entropy(&self) -> f64 {
        self.cross_entropy(self).unwrap_or(f64::NAN)
    }
    /// `P(X ≤ x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        let k = x.floor() as usize;
        self.probs.iter().take(k.saturating_add(1)).sum::<f64>().min(1.0)
    }
    fn check_classes(&self, q: &Self) -> Result<(), DivergenceError> {
        if self.classes() == q.classes() {
            Ok(())
        } else {
            Err(DivergenceError::Incompatible {
                family: "categorical",
                name: "classes",
                p: self.classes() as f64,
                q: q.classes() as f64,
            })
        }
    }
}

impl CrossEntropy for Categorical<f64> {
    /// `−Σ pₖ ln qₖ` (terms with `pₖ = 0` are 0); needs equal `K`.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.check_classes(q)?;
        Ok(-self.probs.iter().zip(&q.ln_probs).map(|(&p, &lq)| if p == 0.0 { 0.0 } else { p * lq }).sum::<f64>())
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.check_classes(q)?;
        Ok(self
            .probs
            .iter()
            .zip(self.ln_probs.iter().zip(&q.ln_probs))
            .map(|(&p, (&lp, &lq))| if p == 0.0 { 0.0 } else { p * (lp - lq) })
            .sum())
    }
}

impl Distribution<usize> for Categorical<f64> {
    /// Inversion of the CDF with one uniform draw.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let u: f64 = rng.random();
        let mut cum = 0.0;
        for (k, &p) in self.probs.iter().enumerate() {
            cum += p;
            if u < cum {
                return k;
            }
        }
        self.probs.iter().rposition(|&p| p > 0.0).unwrap_or(0)
    }
}

/// Weighted class counts, growing with the largest index seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CategoricalStats {
    counts: Vec<f64>,
    weight: f64,
    seen: usize,
    error: FirstError,
}

impl CategoricalStats {
    /// Weighted count of each class seen so far.
    pub fn counts(&self) -> &[f64] {
        &self.counts
    }
}

impl Accumulator for CategoricalStats {
    type Obs = usize;
    fn push(&mut self, &k: &usize, w: f64) {
        let index = self.seen;
        self.seen += 1;
        if !valid_weight(w, index, &mut self.error) || w == 0.0 {
            return;
        }
        if k >= self.counts.len() {
            self.counts.resize(k + 1, 0.0);
        }
        self.counts[k] += w;
        self.weight += w;
    }
    fn merge(&mut self, later: &Self) {
        self.error.merge(&later.error, self.seen);
        self.seen += later.seen;
        if later.counts.len() > self.counts.len() {
            self.counts.resize(later.counts.len(), 0.0);
        }
        for (c, l) in self.counts.iter_mut().zip(&later.counts) {
            *c += l;
        }
        self.weight += later.weight;
    }
    fn seen(&self) -> usize {
        self.seen
    }
    fn weight(&self) -> f64 {
        self.weight
    }
    fn check(&self) -> Result<(), FitError> {
        self.error.check(self.weight, "categorical")
    }
}

impl SufficientStatistics for Categorical<f64> {
    type Stats = CategoricalStats;
}

impl Categorical<f64> {
    /// The MLE over a known number of classes (unseen classes get probability 0).
    pub fn mle_with_classes(classes: usize, stats: &CategoricalStats) -> Result<Self, FitError> {
        stats.check()?;
        if stats.counts.len() > classes {
            return Err(FitError::ExceedsBound {
                family: "categorical",
                value: (stats.counts.len() - 1) as f64,
                bound: classes.saturating_sub(1) as f64,
            });
        }
        let mut probs: Vec<f64> = stats.counts.iter().map(|c| c / stats.weight).collect();
        probs.resize(classes, 0.0);
        Ok(Categorical::new(probs)?)
    }
}

impl ClosedFormMle for Categorical<f64> {
    /// `p̂ₖ = count(k) / W` over classes `0..=max index seen`.
    fn mle(stats: &CategoricalStats) -> Result<Self, FitError> {
        Self::mle_with_classes(stats.counts.len(), stats)
    }
}
