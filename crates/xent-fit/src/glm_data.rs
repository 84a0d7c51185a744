//! The data of a conditional fit — design, targets, frequency weights,
//! offset — the rows of positive weight, exposures, and binomial counts.

use xent_objectives::ObjectiveError;
use xent_objectives::conditional::{BinomialLogit, Design, ln_choose};

use crate::error::FitFailure;
use crate::glm::fit_conditional_with;
use crate::options::FitOptions;
use crate::report::FitReport;

/// What a conditional fit ([`crate::fit_glm`]) is fitted to: a design, one
/// target per row, and optionally frequency weights (finite, `≥ 0`, not
/// all 0) and an offset (finite; added to the first linear predictor,
/// `η = Xβ + o`, as statsmodels' `offset`). Checked by the fit.
#[derive(Debug, Clone, Copy)]
pub struct GlmData<'a> {
    pub(crate) design: &'a Design,
    pub(crate) y: &'a [f64],
    pub(crate) weights: Option<&'a [f64]>,
    pub(crate) offset: Option<&'a [f64]>,
}

impl<'a> GlmData<'a> {
    /// The design and its targets.
    pub fn new(design: &'a Design, y: &'a [f64]) -> Self {
        GlmData { design, y, weights: None, offset: None }
    }
    /// With frequency weights: row `i` counts `wᵢ` times.
    pub fn with_weights(self, weights: &'a [f64]) -> Self {
        GlmData { weights: Some(weights), ..self }
    }
    /// With an offset: `oᵢ` is added to row `i`'s first linear predictor
    /// (for an exposure `tᵢ` with a log link, `oᵢ = ln tᵢ`: [`log_exposure`]).
    pub fn with_offset(self, offset: &'a [f64]) -> Self {
        GlmData { offset: Some(offset), ..self }
    }
    /// The design.
    pub fn design(&self) -> &'a Design {
        self.design
    }
    /// The targets.
    pub fn y(&self) -> &'a [f64] {
        self.y
    }
    /// The frequency weights, if any.
    pub fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }
    /// The offset, if any.
    pub fn offset(&self) -> Option<&'a [f64]> {
        self.offset
    }
}

/// The offset of an exposure under a log link, `ln tᵢ` (statsmodels'
/// `exposure`): a rate model `E[yᵢ] = tᵢ e^{xᵢᵀβ}`. Every exposure must be
/// finite and positive ([`FitFailure::InvalidValue`] names the first that
/// is not).
///
/// ```
/// assert_eq!(xent_fit::log_exposure(&[1.0, std::f64::consts::E])?, vec![0.0, 1.0]);
/// assert!(xent_fit::log_exposure(&[1.0, 0.0]).is_err());
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn log_exposure(exposure: &[f64]) -> Result<Vec<f64>, FitFailure> {
    exposure
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            if t > 0.0 && t.is_finite() {
                Ok(t.ln())
            } else {
                Err(FitFailure::InvalidValue {
                    what: "exposure",
                    index: i,
                    value: t,
                    reason: "must be positive and finite",
                })
            }
        })
        .collect()
}

/// The rows of positive weight of a weighted regression: the design,
/// targets, weights and offset restricted to them (borrowed when every
/// weight is positive), and a failure's row mapped back to the caller's.
pub(crate) struct Rows {
    kept: Option<Kept>,
}

struct Kept {
    idx: Vec<usize>,
    design: Design,
    y: Vec<f64>,
    w: Vec<f64>,
    o: Option<Vec<f64>>,
}

impl Rows {
    pub(crate) fn positive(data: &GlmData<'_>) -> Result<Rows, FitFailure> {
        let (design, y) = (data.design, data.y);
        if y.len() != design.n() {
            return Err(ObjectiveError::Dimension { what: "targets", expected: design.n(), found: y.len() }.into());
        }
        let Some(weights) = data.weights else { return Ok(Rows { kept: None }) };
        xent_objectives::check_weights(weights, y.len())?;
        if let Some(o) = data.offset
            && o.len() != y.len()
        {
            return Err(ObjectiveError::Dimension { what: "offset", expected: y.len(), found: o.len() }.into());
        }
        if weights.iter().all(|w| *w > 0.0) {
            return Ok(Rows { kept: None });
        }
        let idx: Vec<usize> = (0..y.len()).filter(|&i| weights[i] > 0.0).collect();
        let pick = |v: &[f64]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
        let kept =
            Kept { design: design.select_rows(&idx), y: pick(y), w: pick(weights), o: data.offset.map(pick), idx };
        Ok(Rows { kept: Some(kept) })
    }

    /// The data on the kept rows.
    pub(crate) fn data<'a>(&'a self, data: &GlmData<'a>) -> GlmData<'a> {
        match &self.kept {
            None => *data,
            Some(k) => GlmData { design: &k.design, y: &k.y, weights: Some(&k.w), offset: k.o.as_deref() },
        }
    }

    pub(crate) fn reindex(&self, e: FitFailure) -> FitFailure {
        let Some(k) = &self.kept else { return e };
        let at = |i: usize| k.idx.get(i).copied().unwrap_or(i);
        match e {
            FitFailure::Objective(ObjectiveError::NonFinite { what, index, value }) => {
                FitFailure::Objective(ObjectiveError::NonFinite { what, index: at(index), value })
            }
            FitFailure::Objective(ObjectiveError::InvalidTarget { index, value, reason }) => {
                FitFailure::Objective(ObjectiveError::InvalidTarget { index: at(index), value, reason })
            }
            other => other,
        }
    }
}

/// Binomial regression with logit link on counts: `successes[i]` out of
/// `trials[i]` (whole numbers, `0 ≤ successes ≤ trials`; a row of 0 trials
/// carries no information and is left out), with optional frequency
/// weights and offset — statsmodels' `GLM(Binomial)` with a two-column
/// target `(successes, failures)`. The log-likelihood includes
/// `Σ ln C(nᵢ, sᵢ)`; `n` is the number of rows (Σ of their weights), as
/// statsmodels' `nobs`; the sandwich treats each row's trials as one
/// observation. Fitted as [`BinomialLogit`] on the proportions with the
/// trials as weights.
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::conditional::Design;
/// use xent_fit::{FitOptions, fit_binomial_counts};
/// // Germinated seeds out of those sown, in two soils.
/// let soil = DMatrix::from_column_slice(4, 1, &[0.0, 0.0, 1.0, 1.0]);
/// let design = Design::new(&soil, true)?;
/// let r = fit_binomial_counts(&design, &[8.0, 12.0, 5.0, 10.0], &[10.0, 20.0, 20.0, 10.0], None, None, &FitOptions::default())?;
/// // Each soil's rate: 20/30 and 15/30.
/// let p = |eta: f64| 1.0 / (1.0 + (-eta).exp());
/// assert!((p(r.estimates[0]) - 2.0 / 3.0).abs() < 1e-12);
/// assert!((p(r.estimates[0] + r.estimates[1]) - 0.5).abs() < 1e-12);
/// assert_eq!(r.n, 4.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_binomial_counts(
    design: &Design,
    successes: &[f64],
    trials: &[f64],
    weights: Option<&[f64]>,
    offset: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    let n = design.n();
    for (what, v) in [("successes", successes.len()), ("trials", trials.len())] {
        if v != n {
            return Err(ObjectiveError::Dimension { what, expected: n, found: v }.into());
        }
    }
    if let Some(w) = weights {
        xent_objectives::check_weights(w, n)?;
    }
    let whole = |v: f64| v >= 0.0 && v == v.floor() && v.is_finite();
    for i in 0..n {
        let (s, t) = (successes[i], trials[i]);
        if !whole(t) {
            return Err(FitFailure::InvalidValue {
                what: "trials",
                index: i,
                value: t,
                reason: "must be a whole number ≥ 0",
            });
        }
        if !whole(s) || s > t {
            return Err(FitFailure::InvalidValue {
                what: "successes",
                index: i,
                value: s,
                reason: "must be a whole number between 0 and the row's trials",
            });
        }
    }
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    if (0..n).all(|i| trials[i] * w(i) == 0.0) {
        let value = trials.first().copied().unwrap_or(0.0);
        return Err(FitFailure::InvalidValue {
            what: "trials",
            index: 0,
            value,
            reason: "no row has trials of positive weight",
        });
    }
    // The fit's weights: trials × frequency; its targets: the proportions.
    let fit_w: Vec<f64> = (0..n).map(|i| trials[i] * w(i)).collect();
    let p: Vec<f64> = (0..n).map(|i| if trials[i] > 0.0 { successes[i] / trials[i] } else { 0.0 }).collect();
    let data = GlmData { design, y: &p, weights: Some(&fit_w), offset };
    let rows = Rows::positive(&data)?;
    let kept = rows.data(&data);
    let idx: Vec<usize> = (0..n).filter(|&i| fit_w[i] > 0.0).collect();
    // A row's score is its trials times the per-trial one: √w · n.
    let meat: Vec<f64> = idx.iter().map(|&i| w(i).sqrt() * trials[i]).collect();
    let constant: f64 = idx.iter().map(|&i| w(i) * ln_choose(trials[i], successes[i])).sum();
    let rows_n: f64 = idx.iter().map(|&i| w(i)).sum();
    let counts = |mut r: FitReport| {
        r.log_likelihood += constant;
        r.n = rows_n;
        r
    };
    match fit_conditional_with(BinomialLogit, &kept, Some(&meat), opts) {
        Ok(r) => Ok(counts(r)),
        Err(FitFailure::NotConverged { report }) => Err(FitFailure::NotConverged { report: Box::new(counts(*report)) }),
        Err(e) => Err(rows.reindex(e)),
    }
}
