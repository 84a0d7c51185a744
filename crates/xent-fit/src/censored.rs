//! Fits of censored and truncated data: any continuous family, by
//! maximum likelihood on [`Censored`] and [`Truncated`] models.

use xent_distributions::{AnyUnivariate, LogDensity};
use xent_objectives::{Censored, Family, Model, ObjectiveError, Observation, Truncated};

use crate::error::FitFailure;
use crate::options::FitOptions;
use crate::report::FitReport;
use crate::unconditional::fit_model_with;

/// The maximum-likelihood fit of `family` to possibly censored
/// observations — exact values, left-censored (`≤ x`: below a detection
/// limit), right-censored (`≥ x`: still alive at the end) and
/// interval-censored (`(a, b]`) — with optional frequency weights, as
/// SciPy's `fit` on `CensoredData` and R's `fitdistcens`. Each censored
/// observation contributes the log of its probability, from the family's
/// own `ln F` and `ln S` (see [`xent_distributions::LogCdf`]); `n` counts
/// every observation. Standard errors from the information of
/// [`FitOptions::covariance`] (observed by default; expected information
/// is not available with censoring). Errors: a discrete family; a
/// non-finite value or limit, an empty interval (naming the observation);
/// an exact value outside the support; an observation of probability 0
/// at the start (a left-censoring limit at or below the support's lower
/// end); data that determine no finite maximum (every observation
/// censored the same way) as the fit's own failure.
///
/// ```
/// use xent_objectives::{Family, Observation::{Exact, Right}};
/// use xent_fit::{FitOptions, fit_censored};
/// // Lifetimes (hours); two units still running when the test stopped at 5.
/// let data = [Exact(2.0), Exact(3.0), Exact(1.0), Exact(4.0), Right(5.0), Right(5.0)];
/// let r = fit_censored(&Family::Exponential, &data, None, &FitOptions::default())?;
/// // Events over total time on test: 4 / 20.
/// assert!((r.estimates[0] - 0.2).abs() < 1e-9);
/// assert_eq!(r.n, 6.0);
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn fit_censored(
    family: &Family,
    data: &[Observation],
    weights: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    let model = Censored::new(*family)?;
    if data.is_empty() {
        return Err(ObjectiveError::EmptyData.into());
    }
    let support = family.support();
    let mut outside = data.iter().enumerate().filter_map(|(i, o)| match o {
        Observation::Exact(x) if !support.contains(*x) => Some((i, *x)),
        _ => None,
    });
    if let Some((i, v)) = outside.next() {
        return Err(FitFailure::OutOfSupport {
            family: family.name(),
            count: 1 + outside.count(),
            first_index: i,
            first_value: v,
        });
    }
    for (i, o) in data.iter().enumerate() {
        o.check(i)?;
    }
    let reps: Vec<f64> = data.iter().map(Observation::representative).collect();
    let start = family.starting_values(&reps);
    if let Ok(d) = model.build::<f64>(&start)
        && let Some(i) =
            (0..data.len()).find(|&i| !d.ln_density(&data[i]).is_finite() && weights.is_none_or(|w| w[i] > 0.0))
    {
        return Err(ObjectiveError::Data(format!(
            "observation {i} ({}) has probability 0 under the {} fitted to start from: a censoring limit outside \
             the family's support carries no information, or contradicts it",
            describe(&data[i]),
            family.name()
        ))
        .into());
    }
    let r = fit_model_with(&model, data, weights, &start, opts)?;
    Ok(r.map_distribution(|d| d.dist))
}

/// An observation in words.
fn describe(o: &Observation) -> String {
    match o {
        Observation::Exact(x) => format!("exactly {x}"),
        Observation::Left(x) => format!("left-censored at {x}"),
        Observation::Right(x) => format!("right-censored at {x}"),
        Observation::Interval(a, b) => format!("in ({a}, {b}]"),
    }
}

/// The maximum-likelihood fit of `family` truncated to `(low, high]`
/// (known bounds, either infinite): data observed only inside them, each
/// contributing `ln q(x) − ln P(low < X ≤ high)` — claims above a
/// deductible, measurements within an instrument's range. A value outside
/// the bounds is an error naming it.
///
/// ```
/// use xent_objectives::Family;
/// use xent_fit::{FitOptions, fit_truncated};
/// // Claims above a deductible of 1: memoryless, so the rate is 1 / mean excess.
/// let r = fit_truncated(&Family::Exponential, &[1.5, 2.0, 4.5], 1.0, f64::INFINITY, None, &FitOptions::default())?;
/// assert!((r.estimates[0] - 3.0 / 5.0).abs() < 1e-9);
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn fit_truncated(
    family: &Family,
    data: &[f64],
    low: f64,
    high: f64,
    weights: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    let model = Truncated::new(*family, low, high)?;
    if data.is_empty() {
        return Err(ObjectiveError::EmptyData.into());
    }
    let support = family.support();
    let bad: Vec<(usize, f64)> =
        data.iter().copied().enumerate().filter(|&(_, x)| !(x > low && x <= high && support.contains(x))).collect();
    if let Some(&(i, v)) = bad.first() {
        if let Some(&(j, nan)) = bad.iter().find(|(_, v)| v.is_nan()) {
            return Err(ObjectiveError::NonFinite { what: "observation", index: j, value: nan }.into());
        }
        return Err(FitFailure::OutOfSupport {
            family: model.name(),
            count: bad.len(),
            first_index: i,
            first_value: v,
        });
    }
    let start = family.starting_values(data);
    let r = fit_model_with(&model, data, weights, &start, opts)?;
    Ok(r.map_distribution(|d| d.dist))
}
