//! The Dirichlet distribution on the probability simplex.

use nalgebra::DVector;
use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, positive};
use crate::scalar::Scalar;
use crate::special::polygamma;
use crate::stats::{Accumulator, FirstError, valid_weight};
use crate::traits::{CrossEntropy, LogDensity, Named, SufficientStatistics};

/// Tolerance on `|Σ xⱼ − 1|` for a point to lie on the simplex.
pub const SIMPLEX_TOLERANCE: f64 = 1e-9;

/// The Dirichlet distribution with concentrations `α₁, …, α_K` (`K ≥ 2`).
///
/// Density: `q(x) = Π xⱼ^(αⱼ−1) / B(α)` on the simplex, with
/// `B(α) = Π Γ(αⱼ) / Γ(Σ αⱼ)`.
///
/// No closed-form MLE; [`DirichletStats`] (`Σ ln xⱼ`) feed the numerical fit.
///
/// ```
/// use nalgebra::DVector;
/// use xent_distributions::{Dirichlet, LogDensity};
/// let d = Dirichlet::new(vec![1.0, 1.0, 1.0])?; // uniform on the simplex
/// assert!((d.ln_density(&DVector::from_vec(vec![0.2, 0.3, 0.5])) - 2f64.ln()).abs() < 1e-14);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dirichlet<T = f64> {
    alpha: Vec<T>,
    ln_b: T,
}

impl<T: Scalar> Dirichlet<T> {
    /// A Dirichlet with at least two concentrations, each `> 0`.
    pub fn new(alpha: Vec<T>) -> Result<Self, ParamError> {
        if alpha.len() < 2 {
            return Err(ParamError::Dimension { name: "alpha", expected: 2, found: alpha.len() });
        }
        for a in &alpha {
            positive("alpha", a.value())?;
        }
        let sum = alpha.iter().fold(T::zero(), |s, &a| s + a);
        let ln_b = alpha.iter().fold(T::zero(), |s, &a| s + a.ln_gamma()) - sum.ln_gamma();
        Ok(Dirichlet { alpha, ln_b })
    }
    /// The concentrations `α`.
    pub fn alpha(&self) -> &[T] {
        &self.alpha
    }
}

/// Whether `x` lies on the simplex (entries in `[0, 1]`, sum 1 within tolerance).
fn on_simplex(x: &DVector<f64>) -> bool {
    x.iter().all(|&v| (0.0..=1.0).contains(&v)) && (x.sum() - 1.0).abs() <= SIMPLEX_TOLERANCE
}

impl<T: Scalar> LogDensity<T> for Dirichlet<T> {
    type Obs = DVector<f64>;
    fn ln_density(&self, x: &DVector<f64>) -> T {
        if x.len() != self.alpha.len() || !on_simplex(x) {
            return T::neg_infinity();
        }
        let mut s = -self.ln_b;
        for (&a, &v) in self.alpha.iter().zip(x.iter()) {
            s += (a - T::one()).xlny(T::cst(v));
        }
        s
    }
}

impl<T: Scalar> Named for Dirichlet<T> {
    fn family(&self) -> &'static str {
        "dirichlet"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        self.alpha.iter().map(|a| ("alpha", a.value())).collect()
    }
}

impl Dirichlet<f64> {
    /// `E[X] = α / α₀`.
    pub fn mean(&self) -> DVector<f64> {
        let a0: f64 = self.alpha.iter().sum();
        DVector::from_iterator(self.alpha.len(), self.alpha.iter().map(|a| a / a0))
    }
    /// `E[ln Xⱼ] = ψ(αⱼ) − ψ(α₀)`.
    pub fn mean_ln(&self) -> Vec<f64> {
        let d0 = polygamma(0, self.alpha.iter().sum());
        self.alpha.iter().map(|&a| polygamma(0, a) - d0).collect()
    }
    /// Differential entropy `ln B(α) + (α₀ − K) ψ(α₀) − Σ (αⱼ − 1) ψ(αⱼ)`.
    pub fn entropy(&self) -> f64 {
        self.cross_entropy_with(&self.alpha, self.ln_b)
    }
    fn cross_entropy_with(&self, alpha_q: &[f64], ln_b_q: f64) -> f64 {
        ln_b_q - alpha_q.iter().zip(self.mean_ln()).map(|(&a, m)| (a - 1.0) * m).sum::<f64>()
    }
    fn check_dim(&self, q: &Self) -> Result<(), DivergenceError> {
        if self.alpha.len() == q.alpha.len() {
            Ok(())
        } else {
            Err(DivergenceError::Incompatible {
                family: "dirichlet",
                name: "dimension",
                p: self.alpha.len() as f64,
                q: q.alpha.len() as f64,
            })
        }
    }
}

impl CrossEntropy for Dirichlet<f64> {
    /// `ln B(α_q) − Σ (α_{q,j} − 1)(ψ(α_{p,j}) − ψ(α_{p,0}))`.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.check_dim(q)?;
        Ok(self.cross_entropy_with(&q.alpha, q.ln_b))
    }
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.check_dim(q)?;
        // −(q − p)·E[ln Xⱼ] with the pole of ψ at a tiny αⱼ cancelled
        // against its coefficient (see `scaled_digamma_gap`).
        let a0: f64 = self.alpha.iter().sum();
        let terms: f64 =
            self.alpha.iter().zip(&q.alpha).map(|(&p, &q)| crate::special::scaled_digamma_gap(q - p, a0, p)).sum();
        Ok(q.ln_b - self.ln_b + terms)
    }
}

impl Distribution<DVector<f64>> for Dirichlet<f64> {
    /// Normalised independent `Gamma(αⱼ, 1)` draws.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> DVector<f64> {
        let g: Vec<f64> =
            self.alpha.iter().map(|&a| rand_distr::Gamma::new(a, 1.0).map_or(f64::NAN, |g| g.sample(rng))).collect();
        let s: f64 = g.iter().sum();
        DVector::from_iterator(g.len(), g.iter().map(|v| v / s))
    }
}

/// Weighted `Σ ln xⱼ` per component, the Dirichlet sufficient statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirichletStats {
    weight: f64,
    sum_ln: Vec<f64>,
    seen: usize,
    error: FirstError,
}

impl DirichletStats {
    /// Weighted mean of `ln xⱼ` per component.
    pub fn mean_ln(&self) -> Vec<f64> {
        self.sum_ln.iter().map(|s| s / self.weight).collect()
    }
}

impl Accumulator for DirichletStats {
    type Obs = DVector<f64>;
    fn push(&mut self, x: &DVector<f64>, w: f64) {
        let index = self.seen;
        self.seen += 1;
        // A zero weight is no observation: its value is not looked at.
        if !valid_weight(w, index, &mut self.error) || w == 0.0 {
            return;
        }
        if self.seen > 1 && !self.sum_ln.is_empty() && x.len() != self.sum_ln.len() {
            self.error.record(FitError::Dimension { index, expected: self.sum_ln.len(), found: x.len() });
            return;
        }
        if let Some(&v) = x.iter().find(|v| !v.is_finite()) {
            self.error.record(FitError::NonFinite { index, value: v });
            return;
        }
        if !on_simplex(x) || x.iter().any(|&v| v <= 0.0) {
            self.error.record(FitError::OutOfSupport {
                family: "dirichlet",
                index,
                value: x.sum(),
                support: "entries > 0 summing to 1",
            });
            return;
        }
        if self.sum_ln.is_empty() {
            self.sum_ln = vec![0.0; x.len()];
        }
        for (s, &v) in self.sum_ln.iter_mut().zip(x.iter()) {
            *s += w * v.ln();
        }
        self.weight += w;
    }
    fn merge(&mut self, later: &Self) {
        self.error.merge(&later.error, self.seen);
        if !self.sum_ln.is_empty() && !later.sum_ln.is_empty() && self.sum_ln.len() != later.sum_ln.len() {
            self.error.record(FitError::Dimension {
                index: self.seen,
                expected: self.sum_ln.len(),
                found: later.sum_ln.len(),
            });
        } else if self.sum_ln.is_empty() {
            self.sum_ln.clone_from(&later.sum_ln);
            self.weight = later.weight;
        } else {
            for (s, l) in self.sum_ln.iter_mut().zip(&later.sum_ln) {
                *s += l;
            }
            self.weight += later.weight;
        }
        self.seen += later.seen;
    }
    fn seen(&self) -> usize {
        self.seen
    }
    fn weight(&self) -> f64 {
        self.weight
    }
    fn check(&self) -> Result<(), FitError> {
        self.error.check(self.weight, "dirichlet")
    }
}

impl SufficientStatistics for Dirichlet<f64> {
    type Stats = DirichletStats;
}
