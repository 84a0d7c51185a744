//! Data-generating processes `p` of the asymptotic steps: what a scenario
//! samples its data from, kept apart from the density the harness
//! integrates.
//!
//! A [`DataProcess`] has a density (`ln p`, over a declared support) and a
//! sampler. The deterministic checks — the closed forms against quadrature,
//! `θ*`, `H(p)` and the KL — use the density; the statistical ones use the
//! draws. Because the two are separate, a sampler that disagrees with its
//! density (the [`Contaminated`] control) reaches the statistical checks,
//! whose power it probes, and nothing else.

use std::sync::Arc;

use rand::Rng;
use rand_distr::Distribution;
use xent_distributions::{AnyUnivariate, LogDensity, Support, Univariate};

use crate::premises::InputDensity;

/// The data-generating distribution `p` of an unconditional scenario.
///
/// Implement it for your own process: a density (its log, `−∞` off the
/// support) and a sampler that draws from the same law. The harness never
/// trusts the density to be normalised — [`crate::asymptotic::step_3_prime`]
/// needs `H(p)` and checks it by quadrature — and never trusts the sampler
/// to match it: the statistical checks compare the draws with limits
/// computed from the density.
pub trait DataProcess: Send + Sync {
    /// Where the observations live (integers for counts).
    fn support(&self) -> Support;
    /// `ln p(x)`, `−∞` off the support.
    fn ln_density(&self, x: f64) -> f64;
    /// One draw from `p`.
    fn sample(&self, rng: &mut dyn Rng) -> f64;
    /// `H(p) = −E_p[ln p]` in closed form, if known (checked against the
    /// harness's quadrature; `None`: the quadrature is used).
    fn entropy(&self) -> Option<f64> {
        None
    }
}

/// The built-in data-generating distributions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Truth {
    /// A family of the distributions crate.
    Family(AnyUnivariate),
    /// `½ N(−m, s²) + ½ N(m, s²)`: bimodal.
    SymmetricNormalMixture {
        /// Half the distance between the modes.
        m: f64,
        /// Component standard deviation.
        s: f64,
    },
}

impl DataProcess for Truth {
    fn support(&self) -> Support {
        match self {
            Truth::Family(d) => d.support(),
            Truth::SymmetricNormalMixture { .. } => Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY },
        }
    }
    fn ln_density(&self, x: f64) -> f64 {
        match self {
            Truth::Family(d) => d.ln_density(&x),
            Truth::SymmetricNormalMixture { m, s } => {
                let phi = |z: f64| (-0.5 * z * z).exp() / (s * (2.0 * std::f64::consts::PI).sqrt());
                (0.5 * phi((x - m) / s) + 0.5 * phi((x + m) / s)).ln()
            }
        }
    }
    fn sample(&self, rng: &mut dyn Rng) -> f64 {
        match self {
            Truth::Family(d) => d.sample(rng),
            Truth::SymmetricNormalMixture { m, s } => {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                let sign = if rand::RngExt::random::<f64>(rng) < 0.5 { -1.0 } else { 1.0 };
                sign * m + s * z
            }
        }
    }
    fn entropy(&self) -> Option<f64> {
        match self {
            Truth::Family(d) => Some(d.entropy()),
            Truth::SymmetricNormalMixture { .. } => None,
        }
    }
}

/// Where a [`Contaminated`] sampler moves a draw `x`: one unit up (down at
/// the top of a finite discrete support) for counts; `d` up for continuous
/// data unbounded above, `d` down if bounded above only, and a tenth of the
/// way to the upper end on a bounded interval — always inside the support.
/// `None`: the support is a single point, nothing can move.
pub fn moved(support: Support, d: f64, x: f64) -> Option<f64> {
    match support {
        Support::Discrete { low, high } => {
            if x + 1.0 <= high {
                Some(x + 1.0)
            } else if x - 1.0 >= low {
                Some(x - 1.0)
            } else {
                None
            }
        }
        Support::Continuous { low, high } => {
            if high == f64::INFINITY {
                Some(x + d)
            } else if low == f64::NEG_INFINITY {
                Some(x - d)
            } else if high > low {
                Some(x + 0.1 * (high - x))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A sampler that disagrees with its density: each draw of `inner` is,
/// with probability `epsilon`, [`moved`] by `d`; the density stays
/// `inner`'s. The average of `−ln q_θ` over its draws tends to
/// `H(p, q_θ) + ε·Δ(θ)` with `Δ(θ) = E_p[−ln q_θ(move(X)) + ln q_θ(X)]`,
/// so `ε` sets the gap a statistical check must find — the negative control
/// placed just above (and a probe just below) a check's stated power.
pub struct Contaminated {
    /// The process whose density is claimed.
    pub inner: Arc<dyn DataProcess>,
    /// The fraction of draws moved.
    pub epsilon: f64,
    /// How far a continuous draw moves.
    pub d: f64,
}

impl DataProcess for Contaminated {
    fn support(&self) -> Support {
        self.inner.support()
    }
    fn ln_density(&self, x: f64) -> f64 {
        self.inner.ln_density(x)
    }
    fn sample(&self, rng: &mut dyn Rng) -> f64 {
        let x = self.inner.sample(rng);
        if rand::RngExt::random::<f64>(rng) < self.epsilon {
            moved(self.inner.support(), self.d, x).unwrap_or(x)
        } else {
            x
        }
    }
    fn entropy(&self) -> Option<f64> {
        self.inner.entropy()
    }
}

/// A deterministic rule for expectations over a conditional scenario's
/// inputs: `E_{p(x)}[f] ≈ Σᵢ wᵢ f(xᵢ)`. The harness checks the rule
/// against the process's [`InputDensity`] before it uses it (weights sum to
/// 1; each feature's first two moments agree with the density's own
/// quadrature).
#[derive(Debug, Clone, PartialEq)]
pub struct InputRule {
    /// Nodes (feature rows, no intercept) and their weights.
    pub nodes: Vec<(Vec<f64>, f64)>,
}

impl InputRule {
    /// `d` independent `N(mean_j, sd_j²)` features: the tensor product of
    /// `m`-point Gauss–Hermite rules (exact for polynomials of degree
    /// `2m − 1` in each feature; `m ≤ 64`).
    pub fn gaussian(means: &[f64], sds: &[f64], m: usize) -> Self {
        let (z, w) = gauss_hermite(m.clamp(1, 64));
        let mut nodes: Vec<(Vec<f64>, f64)> = vec![(Vec::new(), 1.0)];
        for (mu, sd) in means.iter().zip(sds) {
            nodes = nodes
                .into_iter()
                .flat_map(|(x, wx)| {
                    z.iter().zip(&w).map(move |(zi, wi)| {
                        let mut x = x.clone();
                        x.push(mu + sd * zi);
                        (x, wx * wi)
                    })
                })
                .collect();
        }
        InputRule { nodes }
    }

    /// A finite input space: every point with its probability (exact).
    pub fn discrete(points: Vec<(Vec<f64>, f64)>) -> Self {
        InputRule { nodes: points }
    }

    /// `Σᵢ wᵢ f(xᵢ)`, compensated.
    pub fn expect(&self, f: &dyn Fn(&[f64]) -> f64) -> f64 {
        let (mut sum, mut c) = (0.0f64, 0.0f64);
        for (x, w) in &self.nodes {
            let y = w * f(x) - c;
            let t = sum + y;
            c = (t - sum) - y;
            sum = t;
        }
        sum
    }
}

/// Gauss–Hermite nodes and weights for `∫ f(z) φ(z) dz` (standard normal
/// weight), by the Golub–Welsch eigenvalue method.
pub(crate) fn gauss_hermite(m: usize) -> (Vec<f64>, Vec<f64>) {
    let j =
        nalgebra::DMatrix::from_fn(m, m, |i, k| if i + 1 == k || k + 1 == i { (i.max(k) as f64).sqrt() } else { 0.0 });
    let eig = j.symmetric_eigen();
    let nodes: Vec<f64> = eig.eigenvalues.iter().copied().collect();
    let weights: Vec<f64> = (0..m).map(|c| eig.eigenvectors[(0, c)].powi(2)).collect();
    (nodes, weights)
}

/// The data-generating process `p(x, y) = p(x) p(y | x)` of a conditional
/// scenario: the inputs' density and a rule for expectations over them,
/// the conditional density of the target, and samplers for both.
///
/// The deterministic checks use the densities and the rule; the
/// statistical ones the draws. The harness establishes that `p(x)` and
/// every `p(· | x)` it uses are densities and that the rule matches `p(x)`.
pub trait ConditionalProcess: Send + Sync {
    /// `p(x)` over the feature rows (no intercept).
    fn input_density(&self) -> InputDensity;
    /// A rule for `E_{p(x)}` (e.g. [`InputRule::gaussian`]).
    fn input_rule(&self) -> InputRule;
    /// Where the target lives given `x`.
    fn target_support(&self, x: &[f64]) -> Support;
    /// `ln p(y | x)`, `−∞` off the support.
    fn ln_conditional(&self, x: &[f64], y: f64) -> f64;
    /// One draw of a feature row from `p(x)`.
    fn sample_x(&self, rng: &mut dyn Rng) -> Vec<f64>;
    /// One draw of the target from `p(· | x)`.
    fn sample_y(&self, x: &[f64], rng: &mut dyn Rng) -> f64;
}

/// A conditional sampler that disagrees with its density: each target is,
/// with probability `epsilon`, [`moved`] by `d` (its densities stay
/// `inner`'s) — the conditional analogue of [`Contaminated`].
pub struct ContaminatedTarget {
    /// The process whose densities are claimed.
    pub inner: Arc<dyn ConditionalProcess>,
    /// The fraction of targets moved.
    pub epsilon: f64,
    /// How far a continuous target moves.
    pub d: f64,
}

impl ConditionalProcess for ContaminatedTarget {
    fn input_density(&self) -> InputDensity {
        self.inner.input_density()
    }
    fn input_rule(&self) -> InputRule {
        self.inner.input_rule()
    }
    fn target_support(&self, x: &[f64]) -> Support {
        self.inner.target_support(x)
    }
    fn ln_conditional(&self, x: &[f64], y: f64) -> f64 {
        self.inner.ln_conditional(x, y)
    }
    fn sample_x(&self, rng: &mut dyn Rng) -> Vec<f64> {
        self.inner.sample_x(rng)
    }
    fn sample_y(&self, x: &[f64], rng: &mut dyn Rng) -> f64 {
        let y = self.inner.sample_y(x, rng);
        if rand::RngExt::random::<f64>(rng) < self.epsilon {
            moved(self.inner.target_support(x), self.d, y).unwrap_or(y)
        } else {
            y
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    #[test]
    fn the_mixture_density_is_the_mixture_and_integrates_to_one() {
        // ½ N(x; −2, 0.5²) + ½ N(x; 2, 0.5²), evaluated in Python's math
        // module from the same formula.
        let p = Truth::SymmetricNormalMixture { m: 2.0, s: 0.5 };
        for (x, want) in [
            (2.0, 0.398_942_280_401_437_75),
            (-1.3, 0.149_727_465_774_412_87),
            (0.0, 0.000_267_660_451_529_770_74),
            (3.7, 0.001_232_219_168_473_017_8),
        ] {
            let got = p.ln_density(x).exp();
            assert!((got - want).abs() <= 1e-14 * want, "p({x}) = {got:e}, want {want:e}");
            assert_eq!(p.ln_density(-x).exp(), got, "symmetric");
        }
        // Trapezoid over [−10, 10] (the tails beyond hold < 1e-60).
        let n = 20_000;
        let h = 20.0 / f64::from(n);
        let mass: f64 = (0..=n)
            .map(|i| {
                let w = if i == 0 || i == n { 0.5 } else { 1.0 };
                w * p.ln_density(-10.0 + h * f64::from(i)).exp()
            })
            .sum::<f64>()
            * h;
        assert!((mass - 1.0).abs() < 1e-10, "mass {mass}");
        assert_eq!(p.entropy(), None);
        assert_eq!(p.support(), Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY });
    }

    #[test]
    fn the_mixture_sampler_draws_from_both_modes_with_the_right_spread() {
        let p = Truth::SymmetricNormalMixture { m: 2.0, s: 0.5 };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let x: Vec<f64> = (0..40_000).map(|_| p.sample(&mut rng)).collect();
        let n = x.len() as f64;
        let upper = x.iter().filter(|v| **v > 0.0).count() as f64 / n;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| v * v).sum::<f64>() / n - mean * mean;
        // Each mode carries ½ (sd 0.0025); variance m² + s² = 4.25 (sd ≈ 0.02).
        assert!((upper - 0.5).abs() < 0.0125, "{upper}");
        assert!(mean.abs() < 0.05, "{mean}");
        assert!((var - 4.25).abs() < 0.1, "{var}");
    }

    #[test]
    fn a_family_truth_is_the_family() {
        let d = AnyUnivariate::from_params("poisson", &[("rate", 3.5)]).expect("valid");
        let t = Truth::Family(d.clone());
        assert_eq!(t.ln_density(2.0), d.ln_density(&2.0));
        assert_eq!(t.entropy(), Some(d.entropy()));
        assert_eq!(t.support(), d.support());
        let (mut a, mut b) = (Xoshiro256PlusPlus::seed_from_u64(1), Xoshiro256PlusPlus::seed_from_u64(1));
        assert_eq!(t.sample(&mut a), d.sample(&mut b));
    }

    #[test]
    fn gaussian_rules_integrate_moments_and_discrete_rules_are_exact() {
        let r = InputRule::gaussian(&[1.0, -2.0], &[0.5, 3.0], 12);
        assert_eq!(r.nodes.len(), 144);
        assert!((r.expect(&|_| 1.0) - 1.0).abs() < 1e-14);
        // E[x₀] = 1, E[x₁²] = 4 + 9, E[x₀ x₁] = −2, E[x₀⁴] = μ⁴ + 6μ²σ² + 3σ⁴.
        assert!((r.expect(&|x| x[0]) - 1.0).abs() < 1e-13);
        assert!((r.expect(&|x| x[1] * x[1]) - 13.0).abs() < 1e-12);
        assert!((r.expect(&|x| x[0] * x[1]) + 2.0).abs() < 1e-13);
        assert!((r.expect(&|x| x[0].powi(4)) - (1.0 + 1.5 + 3.0 * 0.0625)).abs() < 1e-13);
        let d = InputRule::discrete(vec![(vec![0.0], 0.25), (vec![1.0], 0.75)]);
        assert_eq!(d.expect(&|x| x[0]), 0.75);
    }

    #[test]
    fn moves_stay_inside_the_support() {
        let counts = Support::Discrete { low: 0.0, high: f64::INFINITY };
        assert_eq!(moved(counts, 5.0, 3.0), Some(4.0));
        let bit = Support::Discrete { low: 0.0, high: 1.0 };
        assert_eq!(moved(bit, 5.0, 0.0), Some(1.0));
        assert_eq!(moved(bit, 5.0, 1.0), Some(0.0));
        assert_eq!(moved(Support::Discrete { low: 2.0, high: 2.0 }, 1.0, 2.0), None);
        let line = Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY };
        assert_eq!(moved(line, 0.5, 1.0), Some(1.5));
        let below = Support::Continuous { low: f64::NEG_INFINITY, high: 0.0 };
        assert_eq!(moved(below, 0.5, -1.0), Some(-1.5));
        let unit = Support::Continuous { low: 0.0, high: 1.0 };
        assert_eq!(moved(unit, 0.5, 0.5), Some(0.55));
        assert_eq!(moved(Support::Continuous { low: 1.0, high: 1.0 }, 0.5, 1.0), None);
    }

    #[test]
    fn contamination_moves_the_stated_fraction_and_keeps_the_density() {
        let d = AnyUnivariate::from_params("poisson", &[("rate", 3.5)]).expect("valid");
        let t: Arc<dyn DataProcess> = Arc::new(Truth::Family(d));
        let c = Contaminated { inner: t.clone(), epsilon: 0.25, d: 1.0 };
        assert_eq!(c.ln_density(2.0), t.ln_density(2.0));
        assert_eq!(c.entropy(), t.entropy());
        assert_eq!(c.support(), t.support());
        // The mean moves by ε·1 (sd of the difference of means ≈ 0.015).
        let n = 40_000;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let mean = (0..n).map(|_| c.sample(&mut rng)).sum::<f64>() / f64::from(n);
        assert!((mean - 3.75).abs() < 0.06, "{mean}");
        let none = Contaminated { inner: t.clone(), epsilon: 0.0, d: 1.0 };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let mean0 = (0..n).map(|_| none.sample(&mut rng)).sum::<f64>() / f64::from(n);
        assert!((mean0 - 3.5).abs() < 0.06, "{mean0}");
    }
}
