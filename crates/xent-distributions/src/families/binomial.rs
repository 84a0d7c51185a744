//! The binomial distribution.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, check};
use crate::families::bernoulli::bernoulli_kl;
use crate::families::{PmfShape, discrete_entropy, is_count, neg_inf, underflow};
use crate::scalar::Scalar;
use crate::special::{bd0_generic, beta_reg_pair, ln_binomial_pmf, stirlerr};
use crate::stats::{Accumulator, SumStats, stat_map};
use crate::traits::{CrossEntropy, LogDensity, Named, SufficientStatistics, Support, Univariate};

/// The binomial distribution: successes in `trials` independent Bernoulli(`p`) trials.
///
/// Probability mass: `q(k) = C(n, k) pᵏ (1 − p)^(n−k)` for `k = 0..=n`.
///
/// `trials` is structural (a known integer); `p` is the parameter, generic
/// over the scalar. The MLE with known trials is
/// [`Binomial::mle_with_trials`].
///
/// ```
/// use xent_distributions::{Binomial, Univariate};
/// let d = Binomial::new(10, 0.3)?;
/// assert!((d.mean().unwrap() - 3.0).abs() < 1e-15);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binomial<T = f64> {
    trials: u64,
    p: T,
}

impl<T: Scalar> Binomial<T> {
    /// A binomial with `trials` trials and success probability `0 ≤ p ≤ 1`.
    pub fn new(trials: u64, p: T) -> Result<Self, ParamError> {
        check("p", p.value(), "in [0, 1]", |v| (0.0..=1.0).contains(&v))?;
        Ok(Binomial { trials, p })
    }
    /// The number of trials `n`.
    pub fn trials(&self) -> u64 {
        self.trials
    }
    /// The success probability `p`.
    pub fn p(&self) -> T {
        self.p
    }
}

impl<T: Scalar> LogDensity<T> for Binomial<T> {
    type Obs = f64;
    /// Loader's saddle-point form (as for the Poisson), generic in `p`.
    fn ln_density(&self, &k: &f64) -> T {
        let n = self.trials as f64;
        if !is_count(k) || k > n {
            return neg_inf();
        }
        let p = self.p;
        let q = T::one() - p;
        if k == 0.0 {
            return T::cst(n) * (-p).ln_1p();
        }
        if k == n {
            return T::cst(n) * p.ln();
        }
        if p.value() == 0.0 || q.value() == 0.0 {
            return neg_inf();
        }
        let nk = n - k;
        let c = stirlerr(n)
            - stirlerr(k)
            - stirlerr(nk)
            - 0.5 * ((2.0 * std::f64::consts::PI).ln() + k.ln() + (-k / n).ln_1p());
        underflow(T::cst(c) - bd0_generic(k, T::cst(n) * p) - bd0_generic(nk, T::cst(n) * q))
    }
}

impl<T: Scalar> Named for Binomial<T> {
    fn family(&self) -> &'static str {
        "binomial"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        vec![("trials", self.trials as f64), ("p", self.p.value())]
    }
}

impl Univariate for Binomial<f64> {
    fn cdf(&self, x: f64) -> f64 {
        let n = self.trials as f64;
        if x < 0.0 {
            0.0
        } else if x >= n {
            1.0
        } else {
            let k = x.floor();
            beta_reg_pair(n - k, k + 1.0, 1.0 - self.p, self.p).0
        }
    }
    fn mean(&self) -> Option<f64> {
        Some(self.trials as f64 * self.p)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.trials as f64 * self.p * (1.0 - self.p))
    }
    fn entropy(&self) -> f64 {
        // H(n, p) = H(n, 1 − p): sum over the side whose counts are small,
        // so the mode stays where unit steps are representable.
        let n = self.trials as f64;
        let (p, q) = if self.p > 0.5 { (1.0 - self.p, self.p) } else { (self.p, 1.0 - self.p) };
        let mode = ((n + 1.0) * p).floor().min(n);
        let var = n * p * q;
        let shape = PmfShape { mode, sd: var.sqrt(), skew2: (q - p).powi(2) / var };
        discrete_entropy(|k| ln_binomial_pmf(k, n, p, q), shape, 0.0, n)
    }
    fn support(&self) -> Support {
        Support::Discrete { low: 0.0, high: self.trials as f64 }
    }
}

impl CrossEntropy for Binomial<f64> {
    /// Defined for equal `trials` only.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        Ok(self.entropy() + self.kl_divergence(q)?)
    }
    /// `n · KL(Bernoulli(p_p) ‖ Bernoulli(p_q))`.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        if self.trials != q.trials {
            return Err(DivergenceError::Incompatible {
                family: "binomial",
                name: "trials",
                p: self.trials as f64,
                q: q.trials as f64,
            });
        }
        Ok(self.trials as f64 * bernoulli_kl(self.p, q.p))
    }
}

impl Distribution<f64> for Binomial<f64> {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match rand_distr::Binomial::new(self.trials, self.p) {
            Ok(b) => b.sample(rng) as f64,
            Err(_) => f64::NAN,
        }
    }
}

stat_map!(
    /// Statistic map of the binomial family: `k`.
    BinomialMap, "binomial", "k in {0, 1, 2, ...}", |x| is_count(x), |x| [x, 0.0, 0.0]
);

/// Sufficient statistics of the binomial family: weight, `Σ k` and the largest `k`.
pub type BinomialStats = SumStats<BinomialMap>;

impl SufficientStatistics for Binomial<f64> {
    type Stats = BinomialStats;
}

impl Binomial<f64> {
    /// The MLE with known `trials`: `p̂ = k̄ / n`.
    pub fn mle_with_trials(trials: u64, stats: &BinomialStats) -> Result<Self, FitError> {
        stats.check()?;
        if stats.max() > trials as f64 {
            return Err(FitError::ExceedsBound { family: "binomial", value: stats.max(), bound: trials as f64 });
        }
        if trials == 0 {
            return Err(FitError::Degenerate {
                family: "binomial",
                reason: "trials = 0 carries no information on p".into(),
            });
        }
        Ok(Binomial::new(trials, stats.mean(0) / trials as f64)?)
    }
    /// Fits `p` to unweighted counts with known `trials`.
    pub fn fit_with_trials(trials: u64, data: &[f64]) -> Result<Self, FitError> {
        let mut s = BinomialStats::default();
        s.extend_from_slice(data);
        Self::mle_with_trials(trials, &s)
    }
}
