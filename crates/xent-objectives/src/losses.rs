//! Losses with PyTorch's semantics (`torch.nn.functional`), as plain
//! functions over nalgebra matrices and vectors.
//!
//! Each is a negative log-likelihood up to a documented, parameter-free
//! constant — the point of step (6) of the derivation: the losses people
//! train with *are* the average NLL of a model. All are computed in log
//! space (log-softmax by log-sum-exp, `ln σ(x) = −softplus(−x)`), finite for
//! logits of magnitude 10⁴ and beyond.

use nalgebra::{DMatrix, DVector};

use crate::error::ObjectiveError;

/// How per-element losses are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reduction {
    /// One loss per element.
    None,
    /// The sum.
    Sum,
    /// The mean; for class-index cross-entropy and `nll_loss` with class
    /// weights, PyTorch's weighted mean `Σ wᵧ lₙ / Σ wᵧ` over non-ignored rows.
    Mean,
    /// `kl_div` only: the sum divided by the batch size (rows).
    BatchMean,
}

/// A loss value: reduced to a scalar, or one value per element.
#[derive(Debug, Clone, PartialEq)]
pub enum Loss {
    /// A reduced loss.
    Scalar(f64),
    /// Per-element losses (`Reduction::None`).
    Elementwise(DVector<f64>),
}

impl Loss {
    /// The values as a vector (one element for a scalar).
    pub fn values(&self) -> Vec<f64> {
        match self {
            Loss::Scalar(v) => vec![*v],
            Loss::Elementwise(v) => v.iter().copied().collect(),
        }
    }
    /// The scalar value, if reduced.
    pub fn scalar(&self) -> Option<f64> {
        match self {
            Loss::Scalar(v) => Some(*v),
            Loss::Elementwise(_) => None,
        }
    }
}

/// Cross-entropy targets: class indices or class probabilities.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// One class index per row (`ignore_index` rows contribute nothing).
    Indices(&'a [i64]),
    /// One probability vector per row (`N × C`).
    Probs(&'a DMatrix<f64>),
}

/// Options of [`cross_entropy`] and [`nll_loss`] (PyTorch's defaults by `Default`).
#[derive(Debug, Clone, Copy)]
pub struct ClassOptions<'a> {
    /// Per-class weights (length `C`).
    pub weight: Option<&'a DVector<f64>>,
    /// Rows with this target are ignored (class-index targets only). Default −100.
    pub ignore_index: i64,
    /// Label smoothing `ε ∈ [0, 1]`: targets become `(1 − ε) t + ε/C`.
    pub label_smoothing: f64,
    /// Reduction (`Mean` by default).
    pub reduction: Reduction,
}

impl Default for ClassOptions<'_> {
    fn default() -> Self {
        ClassOptions { weight: None, ignore_index: -100, label_smoothing: 0.0, reduction: Reduction::Mean }
    }
}

fn check_finite(what: &'static str, v: impl IntoIterator<Item = f64>) -> Result<(), ObjectiveError> {
    match v.into_iter().enumerate().find(|(_, x)| !x.is_finite()) {
        Some((index, value)) => Err(ObjectiveError::NonFinite { what, index, value }),
        None => Ok(()),
    }
}

fn check_len(what: &'static str, expected: usize, found: usize) -> Result<(), ObjectiveError> {
    if expected == found { Ok(()) } else { Err(ObjectiveError::Dimension { what, expected, found }) }
}

/// Equal lengths and finite entries for an elementwise loss's input and target.
fn check_pair(input: &DVector<f64>, target: &DVector<f64>) -> Result<(), ObjectiveError> {
    check_len("target", input.len(), target.len())?;
    check_finite("input", input.iter().copied())?;
    check_finite("target", target.iter().copied())
}

/// The reduction of per-row `values`; a mean over a zero `denominator` (an
/// empty batch, every row ignored, total weight 0) is a typed error.
fn reduce(values: DVector<f64>, reduction: Reduction, denominator: f64) -> Result<Loss, ObjectiveError> {
    match reduction {
        Reduction::None => Ok(Loss::Elementwise(values)),
        Reduction::Sum => Ok(Loss::Scalar(values.sum())),
        Reduction::Mean if values.is_empty() => Err(ObjectiveError::EmptyMean { reason: "the batch is empty" }),
        Reduction::Mean if !(denominator > 0.0) => {
            Err(ObjectiveError::EmptyMean { reason: "no row counts: every target is ignored or has weight 0" })
        }
        Reduction::Mean => Ok(Loss::Scalar(values.sum() / denominator)),
        Reduction::BatchMean => Err(ObjectiveError::InvalidOption {
            name: "reduction",
            value: f64::NAN,
            reason: "batchmean is for kl_div only",
        }),
    }
}

/// Row-wise log-softmax `(ηₖ − max η) − ln Σⱼ exp(ηⱼ − max η)`, the
/// maximum subtracted first so that nothing is absorbed at any magnitude
/// (equal logits of 1.7e308 give `−ln C`); a log-probability below
/// `−f64::MAX` is `−∞`.
pub fn log_softmax(logits: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = logits.clone();
    for mut row in out.row_iter_mut() {
        let m = row.max();
        let ln_sum = row.iter().map(|&v| (v - m).exp()).sum::<f64>().ln();
        row.iter_mut().for_each(|v| *v = (*v - m) - ln_sum);
    }
    out
}

/// `Σ_c w_c · (−log p_c)` of one row of logits, halved inside and doubled
/// at the end so that `−log p_c` up to `2·f64::MAX` does not overflow
/// before the weights scale it (`scale` is applied before the doubling).
fn smoothing_term(logits: &DMatrix<f64>, i: usize, w: &DVector<f64>, scale: f64) -> f64 {
    let row = logits.row(i);
    let m = row.max();
    let ln_sum = row.iter().map(|&v| (v - m).exp()).sum::<f64>().ln();
    let half: f64 = row.iter().zip(w.iter()).map(|(&v, &wj)| wj * (m / 2.0 - v / 2.0 + ln_sum / 2.0)).sum();
    scale * half * 2.0
}

/// `softplus(x) = ln(1 + eˣ)` without overflow.
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() }
}

/// Negative log-likelihood of log-probabilities (`N × C`) at class indices:
/// `lₙ = −w_{yₙ} · log_probs[n, yₙ]`, ignored rows 0; the mean is
/// `Σ lₙ / Σ w_{yₙ}` over non-ignored rows. Label smoothing is not part of
/// `nll_loss` (use [`cross_entropy`]).
///
/// Exactly the categorical NLL (nothing dropped) when unweighted.
pub fn nll_loss(log_probs: &DMatrix<f64>, target: &[i64], opts: &ClassOptions<'_>) -> Result<Loss, ObjectiveError> {
    let (n, c) = log_probs.shape();
    check_len("target", n, target.len())?;
    check_finite("log_probs", log_probs.iter().copied())?;
    let w = class_weights(opts, c)?;
    let mut values = DVector::zeros(n);
    let mut denom = 0.0;
    for (i, &y) in target.iter().enumerate() {
        if y == opts.ignore_index {
            continue;
        }
        let k = class_index(i, y, c)?;
        values[i] = -w[k] * log_probs[(i, k)];
        denom += w[k];
    }
    reduce(values, opts.reduction, denom)
}

fn class_weights(opts: &ClassOptions<'_>, c: usize) -> Result<DVector<f64>, ObjectiveError> {
    match opts.weight {
        Some(w) => {
            check_len("weight", c, w.len())?;
            check_finite("weight", w.iter().copied())?;
            Ok(w.clone())
        }
        None => Ok(DVector::from_element(c, 1.0)),
    }
}

fn class_index(i: usize, y: i64, c: usize) -> Result<usize, ObjectiveError> {
    usize::try_from(y).ok().filter(|&k| k < c).ok_or(ObjectiveError::LabelOutOfRange { index: i, label: y, classes: c })
}

/// Cross-entropy of logits (`N × C`) to targets, PyTorch's
/// `F.cross_entropy`.
///
/// - Class indices: `(1 − ε) · nll_loss(log_softmax(x), y, w)` plus
///   `ε/C · Σₙ (−Σ_c w_c log pₙ_c)` reduced with the same denominator
///   (`Σ w_{yₙ}` over non-ignored rows for the weighted mean).
/// - Probabilities: `lₙ = −Σ_c w_c t̃ₙ_c log pₙ_c` with
///   `t̃ = (1 − ε) t + ε/C`; the mean divides by `N`.
///
/// With hard labels, no weights and no smoothing this is exactly the average
/// NLL of the categorical (softmax) model — nothing dropped.
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::losses::{ClassOptions, Target, cross_entropy};
/// let logits = DMatrix::from_row_slice(2, 3, &[1e4, -1e4, 0.0, 0.0, 0.0, 0.0]);
/// let l = cross_entropy(&logits, Target::Indices(&[1, 2]), &ClassOptions::default())?;
/// let want = (2e4 + 3f64.ln()) / 2.0;
/// assert!((l.scalar().unwrap() - want).abs() < 1e-9);
/// # Ok::<(), xent_objectives::ObjectiveError>(())
/// ```
pub fn cross_entropy(
    logits: &DMatrix<f64>,
    target: Target<'_>,
    opts: &ClassOptions<'_>,
) -> Result<Loss, ObjectiveError> {
    let (n, c) = logits.shape();
    check_finite("logits", logits.iter().copied())?;
    let eps = opts.label_smoothing;
    if !(0.0..=1.0).contains(&eps) {
        return Err(ObjectiveError::InvalidOption { name: "label_smoothing", value: eps, reason: "must be in [0, 1]" });
    }
    let w = class_weights(opts, c)?;
    let lp = log_softmax(logits);
    match target {
        Target::Indices(y) => {
            check_len("target", n, y.len())?;
            let mut values = DVector::zeros(n);
            let mut denom = 0.0;
            let mut kept = 0.0;
            for (i, &yi) in y.iter().enumerate() {
                if yi == opts.ignore_index {
                    continue;
                }
                let k = class_index(i, yi, c)?;
                // Without smoothing the term is absent, not 0 · ∞.
                let hard = (1.0 - eps) * (-w[k] * lp[(i, k)]);
                values[i] =
                    if eps > 0.0 { hard + smoothing_term(logits, i, &w, eps / c as f64) } else { -w[k] * lp[(i, k)] };
                denom += w[k];
                kept += 1.0;
            }
            let denom = if opts.weight.is_some() { denom } else { kept };
            reduce(values, opts.reduction, denom)
        }
        Target::Probs(t) => {
            check_len("target rows", n, t.nrows())?;
            check_len("target columns", c, t.ncols())?;
            check_finite("target", t.iter().copied())?;
            let values = DVector::from_fn(n, |i, _| {
                -(0..c).map(|j| w[j] * ((1.0 - eps) * t[(i, j)] + eps / c as f64) * lp[(i, j)]).sum::<f64>()
            });
            reduce(values, opts.reduction, n as f64)
        }
    }
}

/// Binary cross-entropy with logits, PyTorch's
/// `F.binary_cross_entropy_with_logits`:
/// `lₙ = −wₙ [p yₙ ln σ(xₙ) + (1 − yₙ) ln(1 − σ(xₙ))]` with
/// `ln σ(x) = −softplus(−x)`, `ln(1 − σ(x)) = −softplus(x)`; `p` is
/// `pos_weight` (default 1). The mean divides by `N`.
///
/// With `w = 1`, `p = 1` and `y ∈ {0, 1}` this is exactly the Bernoulli-logit
/// (logistic) NLL — nothing dropped.
pub fn binary_cross_entropy_with_logits(
    input: &DVector<f64>,
    target: &DVector<f64>,
    weight: Option<&DVector<f64>>,
    pos_weight: Option<f64>,
    reduction: Reduction,
) -> Result<Loss, ObjectiveError> {
    let n = input.len();
    check_pair(input, target)?;
    if let Some(w) = weight {
        check_len("weight", n, w.len())?;
        check_finite("weight", w.iter().copied())?;
    }
    let p = pos_weight.unwrap_or(1.0);
    if !p.is_finite() {
        return Err(ObjectiveError::InvalidOption { name: "pos_weight", value: p, reason: "must be finite" });
    }
    let values = DVector::from_fn(n, |i, _| {
        let (x, y) = (input[i], target[i]);
        let w = weight.map_or(1.0, |w| w[i]);
        w * (p * y * softplus(-x) + (1.0 - y) * softplus(x))
    });
    reduce(values, reduction, n as f64)
}

/// Gaussian negative log-likelihood, PyTorch's `F.gaussian_nll_loss`:
/// `lₙ = ½ (ln max(varₙ, eps) + (inputₙ − targetₙ)² / max(varₙ, eps))`,
/// plus `½ ln 2π` when `full`. The mean divides by `N`.
///
/// Drops `½ ln 2π` per element relative to the exact normal NLL unless
/// `full = true`, in which case it is exact (for `var ≥ eps`).
pub fn gaussian_nll(
    input: &DVector<f64>,
    target: &DVector<f64>,
    var: &DVector<f64>,
    full: bool,
    eps: f64,
    reduction: Reduction,
) -> Result<Loss, ObjectiveError> {
    let n = input.len();
    check_len("target", n, target.len())?;
    check_len("var", n, var.len())?;
    check_finite("input", input.iter().copied())?;
    check_finite("target", target.iter().copied())?;
    check_finite("var", var.iter().copied())?;
    if let Some((i, &v)) = var.iter().enumerate().find(|(_, v)| **v < 0.0) {
        return Err(ObjectiveError::InvalidTarget { index: i, value: v, reason: "variance must be >= 0" });
    }
    if !(eps > 0.0) {
        return Err(ObjectiveError::InvalidOption { name: "eps", value: eps, reason: "must be > 0" });
    }
    let c = if full { 0.5 * (2.0 * std::f64::consts::PI).ln() } else { 0.0 };
    let values = DVector::from_fn(n, |i, _| {
        let v = var[i].max(eps);
        0.5 * (v.ln() + (input[i] - target[i]).powi(2) / v) + c
    });
    reduce(values, reduction, n as f64)
}

/// Poisson negative log-likelihood, PyTorch's `F.poisson_nll_loss`:
/// `lₙ = e^{inputₙ} − targetₙ · inputₙ` when `log_input`, else
/// `inputₙ − targetₙ · ln(inputₙ + eps)`; when `full`, the Stirling term
/// `t ln t − t + ½ ln(2πt)` is added for targets `t > 1`. The mean divides
/// by `N`.
///
/// Drops `ln(tₙ!)` relative to the exact Poisson NLL; `full = true` adds
/// back Stirling's approximation of it (for `t > 1` only), not the exact value.
pub fn poisson_nll(
    input: &DVector<f64>,
    target: &DVector<f64>,
    log_input: bool,
    full: bool,
    eps: f64,
    reduction: Reduction,
) -> Result<Loss, ObjectiveError> {
    let n = input.len();
    check_pair(input, target)?;
    if let Some((i, &t)) = target.iter().enumerate().find(|(_, t)| **t < 0.0) {
        return Err(ObjectiveError::InvalidTarget { index: i, value: t, reason: "counts must be >= 0" });
    }
    let values = DVector::from_fn(n, |i, _| {
        let (x, t) = (input[i], target[i]);
        let base = if log_input { x.exp() - t * x } else { x - t * (x + eps).ln() };
        let stirling = if full && t > 1.0 { t * t.ln() - t + 0.5 * (2.0 * std::f64::consts::PI * t).ln() } else { 0.0 };
        base + stirling
    });
    reduce(values, reduction, n as f64)
}

/// KL divergence loss, PyTorch's `F.kl_div(input, target)` with `input`
/// log-probabilities: pointwise `t (ln t − input)` (0 where `t = 0`), or
/// `eᵗ (t − input)` when `log_target`. Reductions: `BatchMean` (sum / rows,
/// the true KL per sample), `Mean` (sum / elements), `Sum`, `None`.
///
/// Equals the cross-entropy `−Σ t · input` minus the target's entropy, a
/// θ-independent term: minimising it is minimising the NLL.
pub fn kl_div(
    input: &DMatrix<f64>,
    target: &DMatrix<f64>,
    log_target: bool,
    reduction: Reduction,
) -> Result<Loss, ObjectiveError> {
    check_len("target rows", input.nrows(), target.nrows())?;
    check_len("target columns", input.ncols(), target.ncols())?;
    check_finite("input", input.iter().copied())?;
    if !log_target {
        check_finite("target", target.iter().copied())?;
    }
    let point = input.zip_map(target, |x, t| {
        if log_target {
            t.exp() * (t - x)
        } else if t == 0.0 {
            0.0
        } else {
            t * (t.ln() - x)
        }
    });
    let total = point.sum();
    match reduction {
        Reduction::None => {
            Ok(Loss::Elementwise(DVector::from_iterator(point.len(), point.transpose().iter().copied())))
        }
        Reduction::Sum => Ok(Loss::Scalar(total)),
        Reduction::Mean | Reduction::BatchMean if point.is_empty() => {
            Err(ObjectiveError::EmptyMean { reason: "the batch is empty" })
        }
        Reduction::Mean => Ok(Loss::Scalar(total / point.len() as f64)),
        Reduction::BatchMean => Ok(Loss::Scalar(total / input.nrows() as f64)),
    }
}
