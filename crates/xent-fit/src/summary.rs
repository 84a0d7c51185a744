//! Fits from sufficient statistics — the streaming path: one pass gathers a
//! [`Summary`], then the fit costs O(1) memory whatever `n` is.

use xent_distributions::AnyUnivariate;
use xent_objectives::{Family, Model, SufficientNll, Summary};
use xent_optim::Method;

use crate::error::FitFailure;
use crate::information::{Sources, covariance};
use crate::options::FitOptions;
use crate::problem::{method_name, second_order_then_lbfgs};
use crate::report::{FitMethod, FitReport};
use crate::unconditional::parametrise;

/// The maximum-likelihood fit of an exponential family from its sufficient
/// statistics — the streaming path: gather a [`Summary`] with
/// [`Summary::push`] while reading the data once, then fit in O(1) memory.
/// The closed form where one exists; otherwise Newton on the statistics.
/// Standard errors come from the information of [`FitOptions::covariance`]
/// as in [`fit_family`](crate::fit_family); sandwich errors need
/// per-observation scores, which a summary does not keep
/// ([`FitFailure::CovarianceUnavailable`]).
///
/// ```
/// use xent_objectives::{Family, Summary};
/// use xent_fit::{FitOptions, fit_family, fit_summary};
/// let data = [1.2, 0.7, 3.1, 2.2, 0.4, 1.9, 2.8, 1.1];
/// let mut s = Summary::empty(&Family::Gamma)?;
/// for x in data {
///     s.push(x);
/// }
/// let streamed = fit_summary(&s, &FitOptions::default())?;
/// let in_memory = fit_family(&Family::Gamma, &data, &FitOptions::default())?;
/// assert!((streamed.estimates[0] - in_memory.estimates[0]).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit_summary(summary: &Summary, opts: &FitOptions) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    summary.check()?;
    let family = summary.family();
    let (param, fixed, k) = parametrise(&family, opts)?;
    let n = summary.n();
    if n < k as f64 {
        return Err(FitFailure::TooFewObservations { n, parameters: k });
    }
    let estimate = summary.estimate().map_err(|e| match e {
        xent_distributions::FitError::Degenerate { reason, .. } => FitFailure::NoFiniteMle { reason },
        e => FitFailure::Distribution(e),
    })?;
    let (mut start, closed) = (estimate.theta, estimate.exact);
    for (name, v) in family.param_names().iter().zip(start.iter_mut()) {
        if let Some((_, f)) = opts.fixed.iter().find(|(m, _)| m == name) {
            *v = *f;
        }
    }
    let nll = SufficientNll::from_summary(summary.clone(), param.clone())?;
    let (theta, method, converged) = if closed && opts.fixed.is_empty() {
        (start, FitMethod::ClosedForm, true)
    } else {
        let u0 = param.inverse(&start)?;
        let (out, method) = second_order_then_lbfgs(&nll, Method::Newton, &u0, &u0, opts)?;
        let converged = out.termination.converged();
        let fm = FitMethod::Numerical {
            method: method_name(&method),
            termination: out.termination.clone(),
            iterations: out.iterations,
            evaluations: out.evaluations,
        };
        (param.forward(&out.x)?, fm, converged)
    };
    let k_all = theta.len();
    let (mut se, mut cov, mut gradient_norm) =
        (vec![f64::NAN; k_all], nalgebra::DMatrix::from_element(k_all, k_all, f64::NAN), f64::NAN);
    let mut information = opts.covariance;
    if let Ok(u) = param.inverse(&theta) {
        gradient_norm = nll.gradient(&u)?.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        let j = param.jacobian(&u)?;
        let c = covariance(
            opts.covariance,
            &family.name(),
            &j,
            &fixed,
            Sources {
                observed: || Ok(nll.hessian(&u)? * n),
                expected: || family.expected_information(&theta).map(|i| j.transpose() * (i * n) * &j),
                scores: || Ok(None),
            },
        )?;
        (cov, se, information) = (c.covariance, c.std_errors, c.used);
    }
    let rep = FitReport {
        model: family.name(),
        names: family.param_names(),
        log_likelihood: summary.log_likelihood(&theta),
        distribution: family.build(&theta)?,
        estimates: theta,
        fixed,
        std_errors: se,
        covariance: cov,
        information,
        n,
        k,
        gradient_norm,
        method,
    };
    if converged { Ok(rep) } else { Err(FitFailure::NotConverged { report: Box::new(rep.without_distribution()) }) }
}

/// The power of two a streaming fit of `family` divides its observations
/// by, chosen from the first values of the stream (`head`, say its first
/// thousand): near their spread, so that sums of squares neither overflow
/// (data near 1e300) nor underflow (near 1e-300); 1 where the family is not
/// closed under rescaling or no rescaling is needed. Dividing by it is
/// exact; [`fit_summary_rescaled`] maps the fit back.
///
/// ```
/// use xent_fit::{FitOptions, fit_summary_rescaled, streaming_scale};
/// use xent_objectives::{Family, Summary};
/// let data: Vec<f64> = (1..=50).map(|i| 1e300 * f64::from(i) / 7.0).collect();
/// let s = streaming_scale(&Family::Normal, &data[..10]);
/// let mut summary = Summary::empty(&Family::Normal)?;
/// for x in &data {
///     summary.push(x / s);
/// }
/// let r = fit_summary_rescaled(&summary, s, &FitOptions::default())?;
/// assert!((r.estimates[0] / 1e300 - 25.5 / 7.0).abs() < 1e-14);
/// assert!(r.std_errors.iter().all(|e| e.is_finite() && *e > 0.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn streaming_scale(family: &Family, head: &[f64]) -> f64 {
    if head.is_empty() || head.iter().any(|x| !x.is_finite()) {
        return 1.0;
    }
    crate::standardise::Standardised::choose(family, head, false).map_or(1.0, |st| st.scale())
}

/// [`fit_summary`] of statistics gathered from `x / scale` (`scale` from
/// [`streaming_scale`]), reported for `x`: estimates, known values in
/// `opts`, standard errors and covariance moved as each parameter's
/// [`Equivariance`](xent_distributions::Equivariance) says, the
/// log-likelihood less `n ln scale`.
pub fn fit_summary_rescaled(
    summary: &Summary,
    scale: f64,
    opts: &FitOptions,
) -> Result<FitReport<AnyUnivariate>, FitFailure> {
    if scale == 1.0 {
        return fit_summary(summary, opts);
    }
    let family = summary.family();
    let st = crate::standardise::Standardised::by_scale(&family, scale).ok_or(FitFailure::Objective(
        xent_objectives::ObjectiveError::InvalidOption {
            name: "scale",
            value: scale,
            reason: "must be a power of two, for a family closed under rescaling",
        },
    ))?;
    let zopts = st.options(&family, opts);
    match fit_summary(summary, &zopts) {
        Ok(r) => st.report_streamed(&family, r),
        Err(e) => Err(st.failure(e, &[])),
    }
}
