//! Fitting: maximum likelihood for any family or conditional model, with a
//! report carrying standard errors.
//!
//! Univariate families use their closed form where one exists; otherwise
//! moment-based starting values and Newton (modified Cholesky, falling back
//! to L-BFGS) on the unconstrained parameters. Conditional models use a QR
//! least-squares solve (linear-Gaussian) or Newton. Standard errors come from
//! the observed information — the autodiff Hessian of the NLL at the
//! optimum — carried to the natural parameters by the delta method.

use nalgebra::{DMatrix, DVector};
use thiserror::Error;
use xent_distributions::special::norm_quantile;
use xent_distributions::{AnyUnivariate, Family as _, LogDensity};
use xent_optim::{Method, Options, Problem, Termination, minimize};

use crate::conditional::{ConditionalNll, Design, EtaModel, LinearGaussian};
use crate::error::ObjectiveError;
use crate::model::{Family, Model};
use crate::objective::Nll;
use crate::sufficient::{SufficientNll, Summary};
use crate::transform::Parametrisation;

/// How the estimate was obtained.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FitMethod {
    /// A closed-form maximum-likelihood estimate.
    ClosedForm,
    /// A least-squares solve by QR decomposition.
    LeastSquares,
    /// A numerical optimisation.
    Numerical {
        /// The optimiser used.
        method: String,
        /// Why it stopped.
        termination: Termination,
        /// Iterations.
        iterations: usize,
        /// Function evaluations.
        evaluations: usize,
    },
}

/// A fitted model: estimates, uncertainty and fit statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    /// The model's name.
    pub model: String,
    /// Parameter names (fixed parameters included, marked by `fixed`).
    pub names: Vec<String>,
    /// Estimates of the natural parameters.
    pub estimates: Vec<f64>,
    /// Whether each parameter was fixed (known), not estimated.
    pub fixed: Vec<bool>,
    /// Standard errors from the observed information (delta method); NaN
    /// where unavailable (fixed parameters, estimates on a boundary).
    pub std_errors: Vec<f64>,
    /// Covariance of the estimates (natural parameters).
    pub covariance: DMatrix<f64>,
    /// Robust (sandwich) standard errors, when asked for.
    pub robust_std_errors: Option<Vec<f64>>,
    /// The maximised log-likelihood.
    pub log_likelihood: f64,
    /// Number of observations.
    pub n: usize,
    /// Number of estimated parameters.
    pub k: usize,
    /// `‖∇ NLL‖∞` at the estimate (unconstrained parameters).
    pub gradient_norm: f64,
    /// How the estimate was obtained.
    pub method: FitMethod,
}

impl FitReport {
    /// Akaike's information criterion `2k − 2 ln L`.
    pub fn aic(&self) -> f64 {
        2.0 * self.k as f64 - 2.0 * self.log_likelihood
    }
    /// Schwarz's Bayesian information criterion `k ln n − 2 ln L`.
    pub fn bic(&self) -> f64 {
        self.k as f64 * (self.n as f64).ln() - 2.0 * self.log_likelihood
    }
    /// The correlation matrix of the estimates.
    pub fn correlation(&self) -> DMatrix<f64> {
        let c = &self.covariance;
        DMatrix::from_fn(c.nrows(), c.ncols(), |i, j| c[(i, j)] / (c[(i, i)] * c[(j, j)]).sqrt())
    }
    /// The Wald interval `θ̂ ± z σ̂` at confidence `level` for parameter `i`.
    pub fn wald_interval(&self, i: usize, level: f64) -> (f64, f64) {
        let z = norm_quantile(0.5 + level / 2.0);
        (self.estimates[i] - z * self.std_errors[i], self.estimates[i] + z * self.std_errors[i])
    }
    /// The estimate of a parameter by name.
    pub fn estimate(&self, name: &str) -> Option<f64> {
        self.names.iter().position(|n| n == name).map(|i| self.estimates[i])
    }
}

/// Why a fit failed.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FitFailure {
    /// The data determine no finite maximum-likelihood estimate.
    #[error("no finite maximum-likelihood estimate: {reason}")]
    NoFiniteMle {
        /// Why (separation, zero variance, …).
        reason: String,
    },
    /// The optimiser did not converge; the partial report is attached.
    #[error("the fit did not converge ({}); the partial estimate is in the report", .report.method_termination())]
    NotConverged {
        /// The best point reached.
        report: Box<FitReport>,
    },
    /// Observations outside the family's support.
    #[error("{count} observations are outside the support of {family}; the first is x[{first_index}] = {first_value}")]
    OutOfSupport {
        /// The family.
        family: String,
        /// How many.
        count: usize,
        /// The first offender's position.
        first_index: usize,
        /// Its value.
        first_value: f64,
    },
    /// Fewer observations than parameters.
    #[error("{n} observations cannot determine {parameters} parameters")]
    TooFewObservations {
        /// Observations.
        n: usize,
        /// Parameters to estimate.
        parameters: usize,
    },
    /// An objective error (bad parameters, shapes, data values).
    #[error(transparent)]
    Objective(#[from] ObjectiveError),
    /// A data or closed-form estimation error of the distributions crate.
    #[error("{0}")]
    Data(String),
}

impl From<xent_distributions::ParamError> for FitFailure {
    fn from(e: xent_distributions::ParamError) -> Self {
        FitFailure::Objective(ObjectiveError::Param(e))
    }
}

impl FitReport {
    fn method_termination(&self) -> String {
        match &self.method {
            FitMethod::Numerical { termination, .. } => termination.to_string(),
            _ => "closed form".into(),
        }
    }
}

/// What a fit needs of an objective: value, gradient and Hessian.
trait Differentiable {
    fn value(&self, x: &[f64]) -> Result<f64, ObjectiveError>;
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError>;
    fn hessian(&self, x: &[f64]) -> Result<DMatrix<f64>, ObjectiveError>;
    /// Value, gradient and Hessian together (fused where that is cheaper).
    fn value_gradient_hessian(&self, x: &[f64]) -> Result<(f64, Vec<f64>, DMatrix<f64>), ObjectiveError> {
        let (v, g) = self.value_and_gradient(x)?;
        Ok((v, g, self.hessian(x)?))
    }
}

impl<M: Model> Differentiable for Nll<'_, M> {
    fn value(&self, x: &[f64]) -> Result<f64, ObjectiveError> {
        Nll::value(self, x)
    }
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        Nll::value_and_gradient(self, x)
    }
    fn hessian(&self, x: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        Nll::hessian(self, x)
    }
}

impl Differentiable for SufficientNll {
    fn value(&self, x: &[f64]) -> Result<f64, ObjectiveError> {
        SufficientNll::value(self, x)
    }
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        Ok((SufficientNll::value(self, x)?, SufficientNll::gradient(self, x)?))
    }
    fn hessian(&self, x: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        SufficientNll::hessian(self, x)
    }
}

impl<M: EtaModel> Differentiable for ConditionalNll<'_, M> {
    fn value(&self, x: &[f64]) -> Result<f64, ObjectiveError> {
        ConditionalNll::value(self, x)
    }
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        ConditionalNll::value_and_gradient(self, x)
    }
    fn hessian(&self, x: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        ConditionalNll::hessian(self, x)
    }
    fn value_gradient_hessian(&self, x: &[f64]) -> Result<(f64, Vec<f64>, DMatrix<f64>), ObjectiveError> {
        ConditionalNll::value_gradient_hessian(self, x)
    }
}

/// Adapts an objective to the optimiser's [`Problem`].
struct AsProblem<'o, F>(&'o F, usize);

impl<F: Differentiable> Problem for AsProblem<'_, F> {
    type Error = ObjectiveError;
    fn dim(&self) -> usize {
        self.1
    }
    fn value(&self, x: &[f64]) -> Result<f64, ObjectiveError> {
        self.0.value(x)
    }
    fn value_and_gradient(&self, x: &[f64]) -> Result<(f64, Vec<f64>), ObjectiveError> {
        self.0.value_and_gradient(x)
    }
    fn hessian(&self, x: &[f64]) -> Result<Option<DMatrix<f64>>, ObjectiveError> {
        self.0.hessian(x).map(Some)
    }
    #[allow(clippy::type_complexity)]
    fn value_gradient_hessian(&self, x: &[f64]) -> Result<Option<(f64, Vec<f64>, DMatrix<f64>)>, ObjectiveError> {
        self.0.value_gradient_hessian(x).map(Some)
    }
}

/// Newton from `start`; if it does not converge, L-BFGS from `fallback`.
/// Returns the better of the runs (lower value) and its method.
fn newton_then_lbfgs<F: Differentiable>(
    problem: &AsProblem<'_, F>,
    start: &[f64],
    fallback: &[f64],
    opts: &FitOptions,
) -> Result<(xent_optim::Outcome, Method), FitFailure> {
    second_order_then_lbfgs(problem, Method::Newton, start, fallback, opts)
}

/// `first` (Newton or the chord method) from `start`; if it does not
/// converge, L-BFGS from `fallback`. Returns the better of the runs (lower
/// value) and its method.
fn second_order_then_lbfgs<F: Differentiable>(
    problem: &AsProblem<'_, F>,
    first: Method,
    start: &[f64],
    fallback: &[f64],
    opts: &FitOptions,
) -> Result<(xent_optim::Outcome, Method), FitFailure> {
    let out = minimize(problem, start, &first, &opts.optim, &mut ()).map_err(|e| FitFailure::Data(e.to_string()))?;
    if out.termination.converged() {
        return Ok((out, first));
    }
    let method = Method::lbfgs();
    let other =
        minimize(problem, fallback, &method, &opts.optim, &mut ()).map_err(|e| FitFailure::Data(e.to_string()))?;
    Ok(if other.value < out.value { (other, method) } else { (out, first) })
}

/// How a fit report names a method: its `Debug` form, without the chord
/// method's starting matrix.
fn method_name(method: &Method) -> String {
    match method {
        Method::ChordNewton { .. } => "ChordNewton".to_string(),
        other => format!("{other:?}"),
    }
}

/// Options of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Known parameters `(name, value)`, held fixed.
    pub fixed: Vec<(String, f64)>,
    /// Also compute sandwich standard errors.
    pub robust: bool,
    /// Optimiser limits (gradient tolerance on the average NLL).
    pub optim: Options,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            fixed: Vec::new(),
            robust: false,
            optim: Options { gradient_tol: 1e-10, max_iterations: 500, ..Options::default() },
        }
    }
}

/// Moment-based starting values for the families without a closed form.
fn starting_values(family: &Family, x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| sorted[((p * (n - 1.0)).round() as usize).min(sorted.len() - 1)];
    let (median, iqr) = (q(0.5), (q(0.75) - q(0.25)).max(1e-12));
    match family {
        Family::Gamma => vec![mean * mean / var, mean / var],
        Family::Beta => {
            let c = (mean * (1.0 - mean) / var - 1.0).max(1e-3);
            vec![mean * c, (1.0 - mean) * c]
        }
        Family::Weibull => {
            let logs: Vec<f64> = x.iter().filter(|v| **v > 0.0).map(|v| v.ln()).collect();
            let lm = logs.iter().sum::<f64>() / logs.len().max(1) as f64;
            let ls = (logs.iter().map(|v| (v - lm).powi(2)).sum::<f64>() / logs.len().max(1) as f64).sqrt().max(1e-6);
            let k = std::f64::consts::PI / (6f64.sqrt() * ls);
            vec![k, (lm + 0.577_215_664_901_532_9 / k).exp()]
        }
        Family::StudentT => vec![median, iqr / 1.349, 5.0],
        Family::Cauchy => vec![median, iqr / 2.0],
        Family::NegativeBinomial => {
            let p = if var > mean { (mean / var).clamp(1e-6, 0.999) } else { 0.999 };
            vec![(mean * p / (1.0 - p)).max(1e-3), p]
        }
        Family::Binomial { trials } => vec![(mean / *trials as f64).clamp(1e-6, 1.0 - 1e-6)],
        _ => match AnyUnivariate::fit_closed_form(&family.name(), x, None, &[]) {
            Ok(d) => d.named_params().into_iter().map(|p| p.1).collect(),
            Err(_) => vec![mean, var.sqrt().max(1e-6)],
        },
    }
}

/// The maximum-likelihood fit of a univariate family to `data`.
///
/// ```
/// use xent_objectives::Family;
/// use xent_objectives::fit::{FitOptions, fit_family};
/// let data = [1.2, 0.7, 3.1, 2.2, 0.4, 1.9, 2.8, 1.1];
/// let r = fit_family(&Family::Gamma, &data, &FitOptions::default())?;
/// assert!(r.gradient_norm < 1e-9 && r.std_errors.iter().all(|s| *s > 0.0));
/// # Ok::<(), xent_objectives::fit::FitFailure>(())
/// ```
pub fn fit_family(family: &Family, data: &[f64], opts: &FitOptions) -> Result<FitReport, FitFailure> {
    let names = family.param_names();
    let (param, fixed, k) = parametrise(family, opts)?;
    if data.is_empty() {
        return Err(FitFailure::Objective(ObjectiveError::EmptyData));
    }
    if let Some((i, &v)) = data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(FitFailure::Objective(ObjectiveError::NonFinite { what: "observation", index: i, value: v }));
    }
    if data.len() < k {
        return Err(FitFailure::TooFewObservations { n: data.len(), parameters: k });
    }
    // Closed form, when nothing is fixed and one exists.
    if opts.fixed.is_empty() {
        match AnyUnivariate::fit_closed_form(&family.name(), data, None, &[]) {
            Ok(d) => {
                let theta: Vec<f64> = d.named_params().into_iter().map(|p| p.1).collect();
                return report(family, data, param, fixed, theta, FitMethod::ClosedForm, opts);
            }
            Err(xent_distributions::FitError::NoClosedForm { .. }) => {}
            Err(xent_distributions::FitError::OutOfSupport { .. }) => return Err(out_of_support(family, data)),
            Err(xent_distributions::FitError::Degenerate { reason, .. }) => {
                return Err(FitFailure::NoFiniteMle { reason });
            }
            Err(e) => return Err(FitFailure::Data(e.to_string())),
        }
    }
    // Support: every observation must have a finite log-density under a
    // canonical member of the family (u = 0).
    let base = Parametrisation::new(family.transforms());
    let canonical = family.build(&base.forward(&vec![0.0; base.free_dim()])?)?;
    if data.iter().any(|x| !canonical.ln_density(x).is_finite()) {
        return Err(out_of_support(family, data));
    }
    let mean = data.iter().sum::<f64>() / data.len() as f64;
    if data.iter().all(|x| *x == data[0])
        && !matches!(family, Family::Bernoulli | Family::Geometric | Family::Binomial { .. })
    {
        return Err(FitFailure::NoFiniteMle {
            reason: format!("all {} observations equal {mean}: zero variance", data.len()),
        });
    }
    let mut start = starting_values(family, data);
    for (name, v) in names.iter().zip(start.iter_mut()) {
        if let Some((_, f)) = opts.fixed.iter().find(|(n, _)| n == name) {
            *v = *f;
        }
    }
    let u0 = param.inverse(&start)?;
    let nll = Nll::with_parametrisation(family, data, param.clone())?;
    let problem = AsProblem(&nll, u0.len());
    let (out, method) = newton_then_lbfgs(&problem, &u0, &u0, opts)?;
    let theta = param.forward(&out.x)?;
    let fm = FitMethod::Numerical {
        method: method_name(&method),
        termination: out.termination.clone(),
        iterations: out.iterations,
        evaluations: out.evaluations,
    };
    let rep = report(family, data, param, fixed, theta, fm, opts)?;
    if out.termination.converged() { Ok(rep) } else { Err(FitFailure::NotConverged { report: Box::new(rep) }) }
}

fn out_of_support(family: &Family, data: &[f64]) -> FitFailure {
    let support = family.support();
    let probe = |x: &f64| support.contains(*x);
    let bad: Vec<(usize, f64)> = data.iter().copied().enumerate().filter(|(_, x)| !probe(x)).collect();
    match bad.first() {
        Some(&(i, v)) => {
            FitFailure::OutOfSupport { family: family.name(), count: bad.len(), first_index: i, first_value: v }
        }
        None => FitFailure::Data(format!("data outside the support of {}", family.name())),
    }
}

/// Builds the report at natural parameters `theta`.
fn report(
    family: &Family,
    data: &[f64],
    param: Parametrisation,
    fixed: Vec<bool>,
    theta: Vec<f64>,
    method: FitMethod,
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    let nll = Nll::with_parametrisation(family, data, param.clone())?;
    let n = data.len();
    let k = fixed.iter().filter(|f| !**f).count();
    let k_all = theta.len();
    let log_likelihood = nll.model().build(&theta).map(|d| data.iter().map(|x| d.ln_density(x)).sum::<f64>())?;
    let mut se = vec![f64::NAN; k_all];
    let mut cov = DMatrix::from_element(k_all, k_all, f64::NAN);
    let mut robust: Option<Vec<f64>> = None;
    let mut gradient_norm = f64::NAN;
    // Estimates on the boundary of the domain have no unconstrained image.
    if let Ok(u) = param.inverse(&theta) {
        let (_, g) = nll.value_and_gradient(&u)?;
        gradient_norm = g.iter().fold(0.0, |m, v| m.max(v.abs()));
        let h = nll.hessian(&u)? * n as f64; // observed information in u
        let j = param.jacobian(&u)?; // ∂θ/∂u
        // The Laplace log-density is piecewise linear in the location: its
        // observed information is 0 almost surely, so the expected
        // information diag(n/b², n/b²) stands in (the usual asymptotic
        // result for the median and mean absolute deviation).
        let h = if *family == Family::Laplace && !fixed.iter().any(|f| *f) {
            let b = theta[1];
            j.transpose() * DMatrix::from_diagonal_element(2, 2, n as f64 / (b * b)) * &j
        } else {
            h
        };
        let positive_definite = h.clone().cholesky().is_some();
        if let Some(inv) = h.clone().try_inverse().filter(|_| positive_definite) {
            let c = &j * &inv * j.transpose();
            for i in 0..k_all {
                if !fixed[i] {
                    se[i] = c[(i, i)].max(0.0).sqrt();
                }
            }
            cov = c;
            if opts.robust {
                let s = nll.scores(&u)?;
                let meat = s.transpose() * &s;
                let sandwich = &j * (&inv * meat * &inv) * j.transpose();
                robust = Some(
                    (0..k_all).map(|i| if fixed[i] { f64::NAN } else { sandwich[(i, i)].max(0.0).sqrt() }).collect(),
                );
            }
        }
    }
    Ok(FitReport {
        model: family.name(),
        names: family.param_names(),
        estimates: theta,
        fixed,
        std_errors: se,
        covariance: cov,
        robust_std_errors: robust,
        log_likelihood,
        n,
        k,
        gradient_norm,
        method,
    })
}

/// Report of a conditional fit from its optimum `theta` (all parameters free).
fn conditional_report<M: EtaModel>(
    obj: &ConditionalNll<'_, M>,
    theta: Vec<f64>,
    method: FitMethod,
    robust: bool,
    known: Option<(f64, Vec<f64>, DMatrix<f64>)>,
) -> Result<FitReport, FitFailure> {
    let n = obj.design_rows();
    let (v, g, h) = match known {
        Some(k) => k,
        None => obj.value_gradient_hessian(&theta)?,
    };
    let h = h * n as f64;
    let d = theta.len();
    let (mut se, mut cov, mut rob) = (vec![f64::NAN; d], DMatrix::from_element(d, d, f64::NAN), None);
    if let Some(inv) = h.try_inverse() {
        se = (0..d).map(|i| inv[(i, i)].max(0.0).sqrt()).collect();
        if robust {
            let s = obj.scores(&theta)?;
            let sw = &inv * (s.transpose() * &s) * &inv;
            rob = Some((0..d).map(|i| sw[(i, i)].max(0.0).sqrt()).collect());
        }
        cov = inv;
    }
    Ok(FitReport {
        model: obj.model().name(),
        names: obj.param_names(),
        estimates: theta,
        fixed: vec![false; d],
        std_errors: se,
        covariance: cov,
        robust_std_errors: rob,
        log_likelihood: -(n as f64) * v,
        n,
        k: d,
        gradient_norm: g.iter().fold(0.0, |m, x| m.max(x.abs())),
        method,
    })
}

/// Linear-Gaussian regression: coefficients by a QR least-squares solve,
/// `σ̂² = RSS / n` (the MLE), standard errors from the observed information.
/// [`ols_std_errors`] gives the classical ones with `RSS / (n − p)`.
pub fn fit_linear(design: &Design, y: &[f64], robust: bool) -> Result<FitReport, FitFailure> {
    let (beta, rss) = least_squares(design, y)?;
    let n = design.n() as f64;
    let sigma = (rss / n).sqrt();
    if !(sigma > 0.0) {
        return Err(FitFailure::NoFiniteMle { reason: "the fit is exact: residual variance 0".into() });
    }
    let obj = ConditionalNll::new(LinearGaussian, design, y)?;
    let mut theta = beta.iter().copied().collect::<Vec<_>>();
    theta.push(sigma.ln());
    let mut r = conditional_report(&obj, theta, FitMethod::LeastSquares, robust, None)?;
    // Report σ itself (delta method: se(σ) = σ · se(ln σ)).
    let last = r.estimates.len() - 1;
    r.names[last] = "sigma".into();
    r.estimates[last] = sigma;
    r.std_errors[last] *= sigma;
    Ok(r)
}

fn least_squares(design: &Design, y: &[f64]) -> Result<(DVector<f64>, f64), FitFailure> {
    let (n, p) = (design.n(), design.p());
    if y.len() != n {
        return Err(ObjectiveError::Dimension { what: "targets", expected: n, found: y.len() }.into());
    }
    if let Some((i, &v)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(ObjectiveError::NonFinite { what: "target", index: i, value: v }.into());
    }
    if n <= p {
        return Err(FitFailure::TooFewObservations { n, parameters: p + 1 });
    }
    let qr = design.matrix().clone().qr();
    let (q, r) = (qr.q(), qr.r());
    let scale = (0..p).map(|i| r[(i, i)].abs()).fold(0.0, f64::max);
    if (0..p).any(|i| r[(i, i)].abs() <= 1e-12 * scale) {
        return Err(FitFailure::NoFiniteMle { reason: "the design matrix is rank deficient".into() });
    }
    let yv = DVector::from_column_slice(y);
    let qty = q.tr_mul(&yv);
    let beta = r.solve_upper_triangular(&qty).ok_or_else(|| FitFailure::NoFiniteMle { reason: "singular R".into() })?;
    let resid = &yv - design.matrix() * &beta;
    Ok((beta, resid.norm_squared()))
}

/// Classical OLS standard errors `√(s² diag((XᵀX)⁻¹))`, `s² = RSS/(n − p)`.
pub fn ols_std_errors(design: &Design, y: &[f64]) -> Result<Vec<f64>, FitFailure> {
    let (_, rss) = least_squares(design, y)?;
    let (n, p) = (design.n() as f64, design.p());
    let s2 = rss / (n - p as f64);
    let xtx = design.matrix().tr_mul(design.matrix());
    let inv = xtx.try_inverse().ok_or_else(|| FitFailure::NoFiniteMle { reason: "XᵀX is singular".into() })?;
    Ok((0..p).map(|i| (s2 * inv[(i, i)]).sqrt()).collect())
}

/// Rows above which [`fit_conditional`] first fits a subsample.
const WARM_START_ROWS: usize = 100_000;

/// For large data, the full fit's start: the MLE on every 16th row (a
/// deterministic subsample) and the subsample's Hessian there. The estimate
/// lies within `O(1/√(n/16))` of the full MLE and the Hessian (of the
/// average NLL, the same scale for both) within a few per cent of the full
/// data's at its optimum, so the chord method on the full data contracts the
/// gradient by about that much per value-and-gradient pass and needs no
/// full-data Hessian until the report. `None` (Newton from zero) for small
/// data or when the subsample fit does not converge to finite values (a
/// subsample can be separated when the data are not).
fn warm_start<M: EtaModel + Clone>(
    model: &M,
    design: &Design,
    y: &[f64],
    d: usize,
    opts: &FitOptions,
) -> Option<(Vec<f64>, DMatrix<f64>)> {
    let n = y.len();
    if n < WARM_START_ROWS {
        return None;
    }
    let k = 16;
    let rows: Vec<usize> = (0..n).step_by(k).collect();
    let x = design.matrix().select_rows(&rows);
    let sub = Design::from_matrix(x, design.has_intercept());
    let ys: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
    let obj = ConditionalNll::new(model.clone(), &sub, &ys).ok()?;
    // The subsample itself: the chord method from the Hessian at zero of
    // every 16th row of the subsample (the start is far from the answer
    // anyway; the method refreshes when it stops contracting), to a gradient
    // of 1e-8 — far below the subsample's own sampling error, which the
    // full-data phase removes — then one Hessian at its answer to hand on.
    let rows0: Vec<usize> = (0..ys.len()).step_by(k).collect();
    let sub0 = Design::from_matrix(sub.matrix().select_rows(&rows0), design.has_intercept());
    let ys0: Vec<f64> = rows0.iter().map(|&i| ys[i]).collect();
    let h0 = ConditionalNll::new(model.clone(), &sub0, &ys0).ok()?.hessian(&vec![0.0; d]).ok();
    let chord = Method::ChordNewton { hessian: h0, contraction: 0.5 };
    let optim = Options { gradient_tol: opts.optim.gradient_tol.max(1e-8), ..opts.optim.clone() };
    let out = minimize(&AsProblem(&obj, d), &vec![0.0; d], &chord, &optim, &mut ()).ok()?;
    let norm = out.x.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let usable = out.termination.converged() && out.x.iter().all(|v| v.is_finite()) && out.value > 1e-6 && norm < 1e3;
    if !usable {
        return None;
    }
    let h = match out.hessian {
        Some(h) => h,
        None => obj.hessian(&out.x).ok()?,
    };
    Some((out.x, h))
}

/// The estimate of a conditional model without its uncertainty: what
/// [`fit_conditional`] computes before the Hessian for standard errors.
/// scikit-learn's estimators stop here too.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The model's name.
    pub model: String,
    /// Parameter names.
    pub names: Vec<String>,
    /// The estimates.
    pub estimates: Vec<f64>,
    /// The maximised log-likelihood.
    pub log_likelihood: f64,
    /// Number of observations.
    pub n: usize,
    /// `‖∇ NLL‖∞` at the estimate (average NLL).
    pub gradient_norm: f64,
    /// How the estimate was obtained.
    pub method: FitMethod,
}

/// The optimisation shared by [`fit_conditional`] and
/// [`estimate_conditional`]: the objective, the optimiser's outcome and a
/// description of the method; separation is an error.
fn optimise_conditional<'d, M: EtaModel + Clone>(
    model: M,
    design: &'d Design,
    y: &'d [f64],
    opts: &FitOptions,
) -> Result<(ConditionalNll<'d, M>, xent_optim::Outcome, FitMethod), FitFailure> {
    let obj = ConditionalNll::new(model.clone(), design, y)?;
    let d = obj.dim();
    if y.len() < d {
        return Err(FitFailure::TooFewObservations { n: y.len(), parameters: d });
    }
    let problem = AsProblem(&obj, d);
    let zero = vec![0.0; d];
    // The fallback starts from zero, whatever the warm start did.
    let (out, method) = match warm_start(&model, design, y, d, opts) {
        Some((start, h)) => {
            let chord = Method::ChordNewton { hessian: Some(h), contraction: 0.5 };
            second_order_then_lbfgs(&problem, chord, &start, &zero, opts)?
        }
        None => newton_then_lbfgs(&problem, &zero, &zero, opts)?,
    };
    // Separation: the NLL approaches 0 while the coefficients blow up.
    let norm = out.x.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    if out.value < 1e-6 && norm > 10.0 && obj.model().extra_names().is_empty() {
        return Err(FitFailure::NoFiniteMle {
            reason: format!(
                "perfect separation: the classes are separated by a hyperplane in x, so the likelihood approaches 1 \
                 as the coefficients grow without bound (average NLL {:.2e} at |β|∞ = {norm:.1})",
                out.value
            ),
        });
    }
    let fm = FitMethod::Numerical {
        method: method_name(&method),
        termination: out.termination.clone(),
        iterations: out.iterations,
        evaluations: out.evaluations,
    };
    Ok((obj, out, fm))
}

/// The report of an optimiser's answer (a non-converged one as the error).
fn report_outcome<M: EtaModel>(
    obj: &ConditionalNll<'_, M>,
    out: xent_optim::Outcome,
    fm: FitMethod,
    robust: bool,
) -> Result<FitReport, FitFailure> {
    // Newton's answer carries the Hessian there (from the same fused
    // evaluation as its value and gradient): the report need not recompute it.
    let converged = out.termination.converged();
    let known = out.hessian.map(|h| (out.value, out.gradient, h));
    let rep = conditional_report(obj, out.x, fm, robust, known)?;
    if converged { Ok(rep) } else { Err(FitFailure::NotConverged { report: Box::new(rep) }) }
}

/// Maximum-likelihood fit of a conditional model with its report: Newton
/// from zero coefficients, or — above 100 000 rows — the chord method from
/// a subsample's estimate and Hessian (see `warm_start`), then the Hessian
/// at the estimate for the standard errors. For logistic
/// and softmax models, perfectly separated classes — fitted probabilities
/// driven to 0 and 1 with coefficients growing without bound — are reported
/// as [`FitFailure::NoFiniteMle`] naming the separation.
pub fn fit_conditional<M: EtaModel + Clone>(
    model: M,
    design: &Design,
    y: &[f64],
    opts: &FitOptions,
) -> Result<FitReport, FitFailure> {
    let (obj, out, fm) = optimise_conditional(model, design, y, opts)?;
    report_outcome(&obj, out, fm, opts.robust)
}

/// The estimate of [`fit_conditional`] without the standard errors — for
/// large models, the Hessian they need costs more than the optimisation
/// (see `docs/performance.md`). The same optimisation, the same errors; a
/// run that does not converge still returns the full partial report as
/// [`FitFailure::NotConverged`].
///
/// ```
/// use nalgebra::DMatrix;
/// use xent_objectives::conditional::{Design, Logistic};
/// use xent_objectives::fit::{FitOptions, estimate_conditional, fit_conditional};
/// let x = DMatrix::from_fn(40, 1, |i, _| i as f64 / 10.0 - 2.0);
/// let y: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i % 3 != 0 && i > 12))).collect();
/// let design = Design::new(&x, true)?;
/// let e = estimate_conditional(Logistic, &design, &y, &FitOptions::default())?;
/// let r = fit_conditional(Logistic, &design, &y, &FitOptions::default())?;
/// assert_eq!(e.estimates, r.estimates);
/// assert_eq!(e.log_likelihood, r.log_likelihood);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn estimate_conditional<M: EtaModel + Clone>(
    model: M,
    design: &Design,
    y: &[f64],
    opts: &FitOptions,
) -> Result<Estimate, FitFailure> {
    let (obj, out, fm) = optimise_conditional(model, design, y, opts)?;
    if !out.termination.converged() {
        return match report_outcome(&obj, out, fm, false) {
            Ok(report) => Err(FitFailure::NotConverged { report: Box::new(report) }),
            Err(e) => Err(e),
        };
    }
    Ok(Estimate {
        model: obj.model().name(),
        names: obj.param_names(),
        log_likelihood: -(y.len() as f64) * out.value,
        n: y.len(),
        gradient_norm: out.gradient_norm,
        estimates: out.x,
        method: fm,
    })
}

/// The parametrisation of `family` with the known parameters of `opts`
/// fixed, which parameters are fixed, and how many are free.
fn parametrise(family: &Family, opts: &FitOptions) -> Result<(Parametrisation, Vec<bool>, usize), FitFailure> {
    let names = family.param_names();
    let mut param = Parametrisation::new(family.transforms());
    let mut fixed = vec![false; names.len()];
    for (name, value) in &opts.fixed {
        let i = names.iter().position(|n| n == name).ok_or(FitFailure::Objective(ObjectiveError::InvalidOption {
            name: "fixed",
            value: *value,
            reason: "no such parameter",
        }))?;
        param = param.fix(i, vec![*value])?;
        fixed[i] = true;
    }
    let k = fixed.iter().filter(|f| !**f).count();
    Ok((param, fixed, k))
}

/// Closed-form estimates from the statistics, or — for gamma and beta,
/// whose MLE solves a digamma equation — the standard approximations from
/// the same statistics, used as Newton's start. `Err` names degenerate data.
fn summary_start(summary: &Summary) -> Result<(Vec<f64>, bool), FitFailure> {
    use xent_distributions::ClosedFormMle;
    use xent_distributions::families::{
        bernoulli::Bernoulli, exponential::Exponential, geometric::Geometric, inverse_gaussian::InverseGaussian,
        log_normal::LogNormal, normal::Normal, poisson::Poisson, rayleigh::Rayleigh,
    };
    fn closed<D: xent_distributions::Family>(
        r: Result<D, xent_distributions::FitError>,
    ) -> Result<Vec<f64>, FitFailure> {
        match r {
            Ok(d) => Ok(d.named_params().into_iter().map(|p| p.1).collect()),
            Err(xent_distributions::FitError::Degenerate { reason, .. }) => Err(FitFailure::NoFiniteMle { reason }),
            Err(e) => Err(FitFailure::Data(e.to_string())),
        }
    }
    let n = summary.n();
    Ok(match summary {
        Summary::Normal(s) => (closed(Normal::mle(s))?, true),
        Summary::LogNormal(s) => (closed(LogNormal::mle(s))?, true),
        Summary::Exponential(s) => (closed(Exponential::mle(s))?, true),
        Summary::Poisson(s) => (closed(Poisson::mle(s))?, true),
        Summary::Bernoulli(s) => (closed(Bernoulli::mle(s))?, true),
        Summary::Geometric(s) => (closed(Geometric::mle(s))?, true),
        Summary::Rayleigh(s) => (closed(Rayleigh::mle(s))?, true),
        Summary::InverseGaussian(s) => (closed(InverseGaussian::mle(s))?, true),
        Summary::Gamma(s) => {
            // Minka's approximation from s = ln x̄ − mean(ln x) ≥ 0 (Jensen),
            // which is 0 exactly when every observation is equal.
            let mean = s.sum(0) / n;
            let gap = mean.ln() - s.sum(1) / n;
            if !(gap > 4.0 * f64::EPSILON * mean.ln().abs().max(1.0)) {
                return Err(FitFailure::NoFiniteMle {
                    reason: format!("all {n} observations are (numerically) equal: zero variance"),
                });
            }
            let shape = (3.0 - gap + ((gap - 3.0).powi(2) + 24.0 * gap).sqrt()) / (12.0 * gap);
            (vec![shape, shape / mean], false)
        }
        Summary::Beta(s) => {
            // The geometric-mean approximation α ≈ ½ + G₀/(2(1 − G₀ − G₁)).
            let (g0, g1) = ((s.sum(0) / n).exp(), (s.sum(1) / n).exp());
            let d = 1.0 - g0 - g1;
            if !(d > 4.0 * f64::EPSILON) {
                return Err(FitFailure::NoFiniteMle {
                    reason: format!("all {n} observations are (numerically) equal: zero variance"),
                });
            }
            (vec![0.5 + g0 / (2.0 * d), 0.5 + g1 / (2.0 * d)], false)
        }
    })
}

/// The maximum-likelihood fit of an exponential family from its sufficient
/// statistics — the streaming path: gather a [`Summary`] with
/// [`Summary::push`] while reading the data once, then fit in O(1) memory.
/// The closed form where one exists; otherwise Newton on the statistics.
/// Standard errors come from the observed information as in [`fit_family`];
/// sandwich errors need per-observation scores and are not available here.
///
/// ```
/// use xent_objectives::{Family, Summary};
/// use xent_objectives::fit::{FitOptions, fit_family, fit_summary};
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
pub fn fit_summary(summary: &Summary, opts: &FitOptions) -> Result<FitReport, FitFailure> {
    summary.check()?;
    let family = summary.family();
    let (param, fixed, k) = parametrise(&family, opts)?;
    let n = summary.n();
    if n < k as f64 {
        return Err(FitFailure::TooFewObservations { n: n as usize, parameters: k });
    }
    let (mut start, closed) = summary_start(summary)?;
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
        let problem = AsProblem(&nll, u0.len());
        let (out, method) = newton_then_lbfgs(&problem, &u0, &u0, opts)?;
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
        (vec![f64::NAN; k_all], DMatrix::from_element(k_all, k_all, f64::NAN), f64::NAN);
    if let Ok(u) = param.inverse(&theta) {
        gradient_norm = nll.gradient(&u)?.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        let h = nll.hessian(&u)? * n;
        let j = param.jacobian(&u)?;
        if let Some(inv) = h.clone().cholesky().map(|c| c.inverse()) {
            let c = &j * &inv * j.transpose();
            for i in 0..k_all {
                if !fixed[i] {
                    se[i] = c[(i, i)].max(0.0).sqrt();
                }
            }
            cov = c;
        }
    }
    let rep = FitReport {
        model: family.name(),
        names: family.param_names(),
        log_likelihood: summary.log_likelihood(&theta),
        estimates: theta,
        fixed,
        std_errors: se,
        covariance: cov,
        robust_std_errors: None,
        n: n as usize,
        k,
        gradient_norm,
        method,
    };
    if converged { Ok(rep) } else { Err(FitFailure::NotConverged { report: Box::new(rep) }) }
}
