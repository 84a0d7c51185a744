//! The conditional models: each per-sample NLL written once in its linear
//! predictors `η`, generic over the scalar.

use xent_distributions::Scalar;
use xent_distributions::special::ln_factorial;

use crate::error::ObjectiveError;

/// `½ ln 2π`.
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The per-sample negative log-likelihood of a conditional model, as a
/// function of `m` linear predictors and `e` extra parameters.
pub trait EtaModel: Sync {
    /// A name for reports.
    fn name(&self) -> String;
    /// Number of linear predictors `m` per sample.
    fn predictors(&self) -> usize;
    /// Names of the extra (non-linear-predictor) parameters.
    fn extra_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// Checks one target, returning a reason if it is invalid.
    fn check_target(&self, y: f64) -> Result<(), &'static str>;
    /// `−ln q(y | η, extra)`, generic over the scalar.
    fn nll<T: Scalar>(&self, eta: &[T], extra: &[T], y: f64) -> T;
    /// Whether the expected (Fisher) information equals the observed one at
    /// the maximum-likelihood estimate — true for canonical links (logistic,
    /// softmax, Poisson-log) and for the linear-Gaussian model, whose
    /// cross terms vanish there. `false` (the default) makes expected
    /// standard errors unavailable.
    fn expected_is_observed(&self) -> bool {
        false
    }
    /// The NLL of one sample with its gradient (`grad`, length `l` = the
    /// local variables `(η…, extra…)`) and, when `hess` is given, its
    /// Hessian (`l × l`, row-major; only the upper triangle `b ≥ a` is
    /// read, as with the tangents) in closed form — for
    /// models where that is much cheaper than vector tangents. `None` (the
    /// default): the tangents of [`EtaModel::nll`] are used. An override
    /// must agree with them (tests compare the two).
    fn local_closed_form(
        &self,
        eta: &[f64],
        extra: &[f64],
        y: f64,
        grad: &mut [f64],
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        let _ = (eta, extra, y, grad, hess);
        None
    }
    /// A starting point for a fit, in the local variables
    /// `(η₁, …, η_m, extra…)` — the level of each linear predictor (the
    /// intercept's start, on a design with one) and the extra parameters —
    /// from the targets, the frequency weights and the offset of the
    /// first predictor. `None` (the default): all zero.
    fn start(&self, y: &[f64], w: Option<&[f64]>, offset: Option<&[f64]>) -> Option<Vec<f64>> {
        let _ = (y, w, offset);
        None
    }
    /// Whether a converged fit with these extra parameters (and, per
    /// predictor, the largest linear predictor over the rows) is at a
    /// boundary of the parameter space where no finite maximum exists —
    /// the reason in words, or `None` (the default).
    fn at_boundary(&self, extra: &[f64], max_eta: &[f64]) -> Option<String> {
        let _ = (extra, max_eta);
        None
    }
}

/// `softplus(x) = ln(1 + eˣ)`, stable, generic.
pub(super) fn softplus<T: Scalar>(x: T) -> T {
    if x.value() > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() }
}

/// Linear-Gaussian regression: `y ~ N(η, σ²)`, extra parameter `ln σ`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinearGaussian;

impl EtaModel for LinearGaussian {
    fn expected_is_observed(&self) -> bool {
        true
    }
    fn name(&self) -> String {
        "linear_gaussian".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn extra_names(&self) -> Vec<String> {
        vec!["ln_sigma".into()]
    }
    fn check_target(&self, _y: f64) -> Result<(), &'static str> {
        Ok(())
    }
    fn nll<T: Scalar>(&self, eta: &[T], extra: &[T], y: f64) -> T {
        let r = (T::cst(y) - eta[0]) * (-extra[0]).exp();
        extra[0] + T::cst(HALF_LN_2PI) + r * r * T::cst(0.5)
    }
}

/// Logistic regression: `y ~ Bernoulli(σ(η))`, `y ∈ {0, 1}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Logistic;

impl EtaModel for Logistic {
    fn expected_is_observed(&self) -> bool {
        true
    }
    fn name(&self) -> String {
        "logistic".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y == 0.0 || y == 1.0 { Ok(()) } else { Err("must be 0 or 1") }
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        softplus(eta[0]) - T::cst(y) * eta[0]
    }
}

/// Softmax regression over `K` classes with class 0 as reference:
/// `ηₖ = X βₖ` for `k = 1..K`, `η₀ = 0`; `y ∈ {0, …, K−1}`.
#[derive(Debug, Clone, Copy)]
pub struct Softmax {
    classes: usize,
}

impl Softmax {
    /// A softmax model over `classes ≥ 2` classes.
    pub fn new(classes: usize) -> Result<Self, ObjectiveError> {
        if classes < 2 {
            return Err(ObjectiveError::Dimension { what: "classes", expected: 2, found: classes });
        }
        Ok(Softmax { classes })
    }
    /// Number of classes `K`.
    pub fn classes(&self) -> usize {
        self.classes
    }
}

impl EtaModel for Softmax {
    fn expected_is_observed(&self) -> bool {
        true
    }
    fn name(&self) -> String {
        format!("softmax(K = {})", self.classes)
    }
    fn predictors(&self) -> usize {
        self.classes - 1
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y >= 0.0 && y == y.floor() && y < self.classes as f64 { Ok(()) } else { Err("must be a class index 0..K") }
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        let m = eta.iter().fold(T::zero(), |a, &b| if b.value() > a.value() { b } else { a });
        let lse = m + eta.iter().fold((-m).exp(), |acc, &v| acc + (v - m).exp()).ln();
        let k = y as usize;
        if k == 0 { lse } else { lse - eta[k - 1] }
    }
    /// With `p = softmax(0, η)`: gradient `p_k − [y = k]`, Hessian
    /// `diag(p) − ppᵀ` — `O(K)` and `O(K²)` per sample, where tangents of
    /// the log-sum-exp cost `O(K²)` and `O(K³)` (a 1 200-class fit took
    /// minutes per gradient).
    fn local_closed_form(
        &self,
        eta: &[f64],
        _extra: &[f64],
        y: f64,
        grad: &mut [f64],
        hess: Option<&mut [f64]>,
    ) -> Option<f64> {
        let l = eta.len();
        let m = eta.iter().fold(0.0f64, |a, &b| a.max(b));
        let mut total = (-m).exp();
        for (g, &v) in grad.iter_mut().zip(eta) {
            *g = (v - m).exp();
            total += *g;
        }
        for g in grad.iter_mut() {
            *g /= total;
        }
        let k = y as usize;
        let lse = m + total.ln();
        if let Some(h) = hess {
            for a in 0..l {
                h[a * l + a] = grad[a] - grad[a] * grad[a];
                for b in a + 1..l {
                    h[a * l + b] = -grad[a] * grad[b];
                }
            }
        }
        let value = if k == 0 { lse } else { lse - eta[k - 1] };
        if k > 0 {
            grad[k - 1] -= 1.0;
        }
        Some(value)
    }
}

/// Poisson regression with log link: `y ~ Poisson(e^η)`, `y ∈ {0, 1, …}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoissonLog;

impl EtaModel for PoissonLog {
    fn expected_is_observed(&self) -> bool {
        true
    }
    fn name(&self) -> String {
        "poisson_log".into()
    }
    fn predictors(&self) -> usize {
        1
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        if y >= 0.0 && y == y.floor() { Ok(()) } else { Err("must be a count 0, 1, 2, ...") }
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        eta[0].exp() - T::cst(y) * eta[0] + T::cst(ln_factorial(y))
    }
}

/// Heteroscedastic Gaussian: `y ~ N(η₁, e^{η₂})`, mean and log-variance
/// both linear in `x`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeteroscedasticGaussian;

impl EtaModel for HeteroscedasticGaussian {
    fn name(&self) -> String {
        "heteroscedastic_gaussian".into()
    }
    fn predictors(&self) -> usize {
        2
    }
    fn check_target(&self, _y: f64) -> Result<(), &'static str> {
        Ok(())
    }
    fn nll<T: Scalar>(&self, eta: &[T], _extra: &[T], y: f64) -> T {
        let r = T::cst(y) - eta[0];
        (eta[1] + r * r * (-eta[1]).exp()) * T::cst(0.5) + T::cst(HALF_LN_2PI)
    }
}
