//! The multivariate normal distribution, parametrised through a Cholesky factor.

use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError, finite};
use crate::families::underflow;
use crate::scalar::Scalar;
use crate::special::HALF_LN_2PI;
use crate::stats::{Accumulator, FirstError, valid_weight};
use crate::traits::{ClosedFormMle, CrossEntropy, LogDensity, Named, SufficientStatistics};

/// Relative tolerance on the symmetry of a covariance matrix.
pub const SYMMETRY_TOLERANCE: f64 = 1e-10;

/// The multivariate normal `N(μ, Σ)` in `k` dimensions.
///
/// Density: `q(x) = (2π)^(−k/2) |Σ|^(−½) exp(−½ (x − μ)ᵀ Σ⁻¹ (x − μ))`.
///
/// Stored as the mean and the lower Cholesky factor `L` (`Σ = L Lᵀ`), so the
/// log-density is `−k/2 ln 2π − Σ ln Lᵢᵢ − ½ ‖L⁻¹(x − μ)‖²` by one forward
/// substitution, generic over the scalar (the factorisation is written here
/// rather than taken from nalgebra so that it also runs in dual numbers).
///
/// ```
/// use nalgebra::{DMatrix, DVector};
/// use xent_distributions::{MultivariateNormal, LogDensity};
/// let d = MultivariateNormal::<f64>::new(DVector::zeros(2), DMatrix::identity(2, 2))?;
/// let ln_q: f64 = d.ln_density(&DVector::zeros(2));
/// assert!((ln_q + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// # Ok::<(), xent_distributions::ParamError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MultivariateNormal<T: Scalar = f64> {
    mean: DVector<T>,
    chol: DMatrix<T>,
    ln_norm: T,
}

/// Lower Cholesky factor of a symmetric matrix, or `None` if it is not
/// numerically positive definite: a pivot `≤ 4·n·ε·aⱼⱼ` (what rounding
/// alone can leave of an exactly singular matrix) or non-finite.
pub(crate) fn cholesky<T: Scalar>(a: &DMatrix<T>) -> Option<DMatrix<T>> {
    let n = a.nrows();
    let floor = 4.0 * n as f64 * f64::EPSILON;
    let mut l = DMatrix::from_element(n, n, T::zero());
    for j in 0..n {
        let mut d = a[(j, j)];
        for k in 0..j {
            d -= l[(j, k)] * l[(j, k)];
        }
        if !(d.value() > floor * a[(j, j)].value()) || !d.value().is_finite() {
            return None;
        }
        let ljj = d.sqrt();
        l[(j, j)] = ljj;
        for i in (j + 1)..n {
            let mut s = a[(i, j)];
            for k in 0..j {
                s -= l[(i, k)] * l[(j, k)];
            }
            l[(i, j)] = s / ljj;
        }
    }
    Some(l)
}

/// Solves `L z = b` for lower-triangular `L`.
fn forward<T: Scalar>(l: &DMatrix<T>, b: &[T]) -> Vec<T> {
    let n = l.nrows();
    let mut z = Vec::with_capacity(n);
    for i in 0..n {
        let mut s = b[i];
        for (k, zk) in z.iter().enumerate() {
            s -= l[(i, k)] * *zk;
        }
        z.push(s / l[(i, i)]);
    }
    z
}

impl<T: Scalar> MultivariateNormal<T> {
    /// A multivariate normal with the given mean and covariance (symmetric
    /// within [`SYMMETRY_TOLERANCE`] relative, positive definite).
    pub fn new(mean: DVector<T>, cov: DMatrix<T>) -> Result<Self, ParamError> {
        let k = mean.len();
        if cov.nrows() != k || cov.ncols() != k {
            return Err(ParamError::Dimension { name: "cov", expected: k, found: cov.nrows().max(cov.ncols()) });
        }
        for c in cov.iter() {
            finite("cov", c.value())?;
        }
        for i in 0..k {
            for j in 0..i {
                let (a, b) = (cov[(i, j)].value(), cov[(j, i)].value());
                if (a - b).abs() > SYMMETRY_TOLERANCE * a.abs().max(b.abs()).max(f64::MIN_POSITIVE) {
                    return Err(ParamError::Invalid {
                        name: "cov",
                        reason: format!("not symmetric: entry ({i}, {j}) = {a}, ({j}, {i}) = {b}"),
                    });
                }
            }
        }
        let chol = cholesky(&cov)
            .ok_or_else(|| ParamError::Invalid { name: "cov", reason: "not positive definite".into() })?;
        Self::from_cholesky(mean, chol)
    }

    /// A multivariate normal from its mean and lower Cholesky factor `L`
    /// (the upper triangle is ignored; the diagonal must be `> 0`).
    pub fn from_cholesky(mean: DVector<T>, chol: DMatrix<T>) -> Result<Self, ParamError> {
        let k = mean.len();
        if k == 0 {
            return Err(ParamError::Dimension { name: "mean", expected: 1, found: 0 });
        }
        if chol.nrows() != k || chol.ncols() != k {
            return Err(ParamError::Dimension { name: "chol", expected: k, found: chol.nrows().max(chol.ncols()) });
        }
        for m in mean.iter() {
            finite("mean", m.value())?;
        }
        let mut chol = chol;
        let mut ln_det_half = T::zero();
        for i in 0..k {
            for j in 0..k {
                if j > i {
                    chol[(i, j)] = T::zero();
                } else {
                    finite("chol", chol[(i, j)].value())?;
                }
            }
            crate::error::positive("chol", chol[(i, i)].value())?;
            ln_det_half += chol[(i, i)].ln();
        }
        let ln_norm = -T::cst(k as f64 * HALF_LN_2PI) - ln_det_half;
        Ok(MultivariateNormal { mean, chol, ln_norm })
    }
    /// The dimension `k`.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }
    /// The mean vector `μ`.
    pub fn mean(&self) -> &DVector<T> {
        &self.mean
    }
    /// The lower Cholesky factor `L` of the covariance.
    pub fn cholesky_factor(&self) -> &DMatrix<T> {
        &self.chol
    }
    /// The covariance `Σ = L Lᵀ`.
    pub fn cov(&self) -> DMatrix<T> {
        let k = self.dim();
        DMatrix::from_fn(k, k, |i, j| {
            let mut s = T::zero();
            for m in 0..=i.min(j) {
                s += self.chol[(i, m)] * self.chol[(j, m)];
            }
            s
        })
    }
}

impl<T: Scalar> LogDensity<T> for MultivariateNormal<T> {
    type Obs = DVector<f64>;
    /// `−∞` for an observation of the wrong dimension or with a non-finite entry.
    fn ln_density(&self, x: &DVector<f64>) -> T {
        if x.len() != self.dim() || x.iter().any(|v| !v.is_finite()) {
            return T::neg_infinity();
        }
        let d: Vec<T> = x.iter().zip(self.mean.iter()).map(|(&xi, &mi)| T::cst(xi) - mi).collect();
        let z = forward(&self.chol, &d);
        let q = z.iter().fold(T::zero(), |a, &b| a + b * b);
        underflow(self.ln_norm - T::cst(0.5) * q)
    }
}

impl<T: Scalar> Named for MultivariateNormal<T> {
    fn family(&self) -> &'static str {
        "multivariate_normal"
    }
    fn named_params(&self) -> Vec<(&'static str, f64)> {
        let mut v: Vec<(&'static str, f64)> = self.mean.iter().map(|m| ("mean", m.value())).collect();
        v.extend(self.cov().iter().map(|c| ("cov", c.value())));
        v
    }
}

impl MultivariateNormal<f64> {
    /// Differential entropy `k/2 (1 + ln 2π) + Σ ln Lᵢᵢ`.
    pub fn entropy(&self) -> f64 {
        0.5 * self.dim() as f64 - self.ln_norm
    }
    /// `(tr(Σ_q⁻¹ Σ_p), (μ_p − μ_q)ᵀ Σ_q⁻¹ (μ_p − μ_q))`.
    fn trace_and_mahalanobis(&self, q: &Self) -> (f64, f64) {
        let k = self.dim();
        // tr(Σq⁻¹Σp) = ‖Lq⁻¹ Lp‖²_F
        let mut tr = 0.0;
        for j in 0..k {
            let col: Vec<f64> = (0..k).map(|i| self.chol[(i, j)]).collect();
            tr += forward(&q.chol, &col).iter().map(|v| v * v).sum::<f64>();
        }
        let d: Vec<f64> = (0..k).map(|i| self.mean[i] - q.mean[i]).collect();
        let m = forward(&q.chol, &d).iter().map(|v| v * v).sum();
        (tr, m)
    }
    fn check_dim(&self, q: &Self) -> Result<(), DivergenceError> {
        if self.dim() == q.dim() {
            Ok(())
        } else {
            Err(DivergenceError::Incompatible {
                family: "multivariate_normal",
                name: "dimension",
                p: self.dim() as f64,
                q: q.dim() as f64,
            })
        }
    }
}

impl CrossEntropy for MultivariateNormal<f64> {
    /// `−ln_norm_q + ½ (tr(Σ_q⁻¹ Σ_p) + (μ_p − μ_q)ᵀ Σ_q⁻¹ (μ_p − μ_q))`.
    fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.check_dim(q)?;
        let (tr, m) = self.trace_and_mahalanobis(q);
        Ok(-q.ln_norm + 0.5 * (tr + m))
    }
    /// `½ (tr(Σ_q⁻¹ Σ_p) + (μ_p − μ_q)ᵀ Σ_q⁻¹ (μ_p − μ_q) − k + ln(|Σ_q|/|Σ_p|))`.
    fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.check_dim(q)?;
        let (tr, m) = self.trace_and_mahalanobis(q);
        Ok(0.5 * (tr + m - self.dim() as f64) + (self.ln_norm - q.ln_norm))
    }
}

impl Distribution<DVector<f64>> for MultivariateNormal<f64> {
    /// `μ + L z` with `z` standard normal.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> DVector<f64> {
        let k = self.dim();
        let z: Vec<f64> = (0..k).map(|_| rand_distr::StandardNormal.sample(rng)).collect();
        DVector::from_fn(k, |i, _| self.mean[i] + (0..=i).map(|j| self.chol[(i, j)] * z[j]).sum::<f64>())
    }
}

/// Weighted mean vector and scatter matrix (sum of weighted outer products
/// of deviations), updated by Welford's rule and merged by Chan's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MultivariateNormalStats {
    weight: f64,
    mean: Option<DVector<f64>>,
    scatter: Option<DMatrix<f64>>,
    seen: usize,
    error: FirstError,
}

impl MultivariateNormalStats {
    /// The weighted mean (`None` before the first observation).
    pub fn mean(&self) -> Option<&DVector<f64>> {
        self.mean.as_ref()
    }
    /// The weighted scatter matrix `Σ wᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ`.
    pub fn scatter(&self) -> Option<&DMatrix<f64>> {
        self.scatter.as_ref()
    }
    fn combine(&mut self, w: f64, mean: &DVector<f64>, scatter: &DMatrix<f64>) {
        if w == 0.0 {
            return;
        }
        match (&mut self.mean, &mut self.scatter) {
            (Some(m), Some(s)) if self.weight > 0.0 => {
                let total = self.weight + w;
                let delta = mean - &*m;
                *m += &delta * (w / total);
                *s += scatter + &delta * delta.transpose() * (self.weight * w / total);
                self.weight = total;
            }
            _ => {
                self.mean = Some(mean.clone());
                self.scatter = Some(scatter.clone());
                self.weight = w;
            }
        }
    }
}

impl Accumulator for MultivariateNormalStats {
    type Obs = DVector<f64>;
    fn push(&mut self, x: &DVector<f64>, w: f64) {
        let index = self.seen;
        self.seen += 1;
        // A zero weight is no observation: its value is not looked at.
        if !valid_weight(w, index, &mut self.error) || w == 0.0 {
            return;
        }
        if let Some(m) = &self.mean
            && m.len() != x.len()
        {
            self.error.record(FitError::Dimension { index, expected: m.len(), found: x.len() });
            return;
        }
        if let Some(&v) = x.iter().find(|v| !v.is_finite()) {
            self.error.record(FitError::NonFinite { index, value: v });
            return;
        }
        let k = x.len();
        self.combine(w, x, &DMatrix::zeros(k, k));
    }
    fn merge(&mut self, later: &Self) {
        self.error.merge(&later.error, self.seen);
        if let (Some(a), Some(b)) = (&self.mean, &later.mean)
            && a.len() != b.len()
        {
            self.error.record(FitError::Dimension { index: self.seen, expected: a.len(), found: b.len() });
            self.seen += later.seen;
            return;
        }
        self.seen += later.seen;
        if let (Some(m), Some(s)) = (&later.mean, &later.scatter) {
            self.combine(later.weight, m, s);
        }
    }
    fn seen(&self) -> usize {
        self.seen
    }
    fn weight(&self) -> f64 {
        self.weight
    }
    fn check(&self) -> Result<(), FitError> {
        self.error.check(self.weight, "multivariate_normal")
    }
}

impl SufficientStatistics for MultivariateNormal<f64> {
    type Stats = MultivariateNormalStats;
}

impl ClosedFormMle for MultivariateNormal<f64> {
    /// `μ̂ = x̄`, `Σ̂ = scatter / W`; singular `Σ̂` (fewer observations than
    /// dimensions, collinear data) is [`FitError::Degenerate`].
    fn mle(stats: &MultivariateNormalStats) -> Result<Self, FitError> {
        stats.check()?;
        let (Some(m), Some(s)) = (&stats.mean, &stats.scatter) else {
            return Err(FitError::Empty { family: "multivariate_normal" });
        };
        let cov = s / stats.weight;
        let chol = cholesky(&cov).ok_or_else(|| FitError::Degenerate {
            family: "multivariate_normal",
            reason: "the sample covariance is singular".into(),
        })?;
        Ok(MultivariateNormal::from_cholesky(m.clone(), chol)?)
    }
}
