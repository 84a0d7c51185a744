//! What a fit reports: estimates, standard errors, z and p values, Wald
//! intervals, log-likelihood and information criteria — with a `Display`
//! in the shape of a statistics package's summary.

use std::fmt;

use nalgebra::DMatrix;
use xent_distributions::special::{ln_norm_cdf, norm_quantile};
use xent_optim::Termination;

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

/// A fitted model: estimates, uncertainty and fit statistics, and the
/// fitted distribution as a typed value `D` — an
/// [`AnyUnivariate`](xent_distributions::AnyUnivariate) from
/// [`fit_family`](crate::fit_family), the model's own distribution from
/// [`fit_model`](crate::fit_model), `()` for conditional models (whose
/// distribution depends on the covariates).
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport<D = ()> {
    /// The model's name.
    pub model: String,
    /// Parameter names (fixed parameters included, marked by `fixed`).
    pub names: Vec<String>,
    /// Estimates of the natural parameters.
    pub estimates: Vec<f64>,
    /// Whether each parameter was fixed (known), not estimated.
    pub fixed: Vec<bool>,
    /// Standard errors of the natural parameters from [`FitReport::information`]
    /// (delta method from the optimiser's coordinates); NaN where
    /// unavailable (fixed parameters, estimates on a boundary, an
    /// information matrix that is not positive definite, no covariance
    /// asked for).
    pub std_errors: Vec<f64>,
    /// Covariance of the estimates (natural parameters).
    pub covariance: DMatrix<f64>,
    /// The information the covariance came from (see
    /// [`Covariance`](crate::Covariance): `Observed` may fall back to
    /// `Expected`).
    pub information: crate::options::Covariance,
    /// The fitted distribution.
    pub distribution: D,
    /// The maximised log-likelihood.
    pub log_likelihood: f64,
    /// The sample size: the number of observations, or `Σ wᵢ` for a fit
    /// with frequency weights (as statsmodels' `nobs`).
    pub n: f64,
    /// Number of estimated parameters.
    pub k: usize,
    /// `‖∇ NLL‖∞` at the estimate (unconstrained parameters), where the
    /// convergence test measured it: for a location–scale or scale family
    /// fitted by [`fit_family`](crate::fit_family), the data standardised by
    /// their median and a power of two near their spread.
    pub gradient_norm: f64,
    /// How the estimate was obtained.
    pub method: FitMethod,
}

impl<D> FitReport<D> {
    /// The same report without its distribution (for failures, which are
    /// not generic).
    pub fn without_distribution(self) -> FitReport {
        self.map_distribution(|_| ())
    }
    /// The same report with its distribution mapped by `f`.
    pub fn map_distribution<E>(self, f: impl FnOnce(D) -> E) -> FitReport<E> {
        FitReport {
            model: self.model,
            names: self.names,
            estimates: self.estimates,
            fixed: self.fixed,
            std_errors: self.std_errors,
            covariance: self.covariance,
            information: self.information,
            distribution: f(self.distribution),
            log_likelihood: self.log_likelihood,
            n: self.n,
            k: self.k,
            gradient_norm: self.gradient_norm,
            method: self.method,
        }
    }
    /// Akaike's information criterion `2k − 2 ln L`.
    pub fn aic(&self) -> f64 {
        2.0 * self.k as f64 - 2.0 * self.log_likelihood
    }
    /// Schwarz's Bayesian information criterion `k ln n − 2 ln L`.
    pub fn bic(&self) -> f64 {
        self.k as f64 * self.n.ln() - 2.0 * self.log_likelihood
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
    /// `z = θ̂ / se` per parameter (NaN where there is no standard error).
    pub fn z_values(&self) -> Vec<f64> {
        self.estimates.iter().zip(&self.std_errors).map(|(e, s)| e / s).collect()
    }
    /// Two-sided p-values `2Φ(−|z|)` of the Wald tests of `θ = 0`, computed in
    /// log space (no underflow to 0 before `|z| ≈ 38`).
    pub fn p_values(&self) -> Vec<f64> {
        self.z_values().iter().map(|z| (std::f64::consts::LN_2 + ln_norm_cdf(-z.abs())).exp()).collect()
    }
    /// The termination as text ("closed form" or "least squares" without an optimiser).
    pub fn termination_text(&self) -> String {
        match &self.method {
            FitMethod::Numerical { termination, .. } => termination.to_string(),
            FitMethod::ClosedForm => "closed form".into(),
            FitMethod::LeastSquares => "least squares".into(),
        }
    }
}

/// A number for a table: fixed point in `[10⁻³, 10⁶)`, scientific outside.
fn num(v: f64, width: usize) -> String {
    let a = v.abs();
    if v == 0.0 || (1e-3..1e6).contains(&a) { format!("{v:>width$.6}") } else { format!("{v:>width$.4e}") }
}

/// A p-value: below the smallest normal `f64`, say so instead of printing 0.
fn p_text(p: f64) -> String {
    if p < f64::MIN_POSITIVE {
        "<1e-308".to_string()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

/// A summary table: the model, how it was fitted, n, log L, AIC and BIC,
/// then one row per parameter with estimate, standard error, z, p and the
/// 95 % Wald interval (fixed parameters marked).
///
/// ```
/// use xent_fit::{FitOptions, fit_family};
/// use xent_objectives::Family;
/// let r = fit_family(&Family::Normal, &[1.0, 2.0, 4.0, 3.0, 2.5], &FitOptions::default())?;
/// let text = r.to_string();
/// assert!(text.contains("normal") && text.contains("std. error") && text.contains("log L"));
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
impl<D> fmt::Display for FitReport<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match &self.method {
            FitMethod::ClosedForm => "closed form".to_string(),
            FitMethod::LeastSquares => "least squares (QR)".to_string(),
            FitMethod::Numerical { method, termination, iterations, .. } => {
                format!("{method}, {iterations} iterations; {termination}")
            }
        };
        writeln!(f, "{} — maximum likelihood ({how})", self.model)?;
        writeln!(
            f,
            "n = {}   log L = {:.6}   AIC = {:.4}   BIC = {:.4}   |grad| = {:.1e}",
            self.n,
            self.log_likelihood,
            self.aic(),
            self.bic(),
            self.gradient_norm
        )?;
        writeln!(f, "standard errors: {}", self.information)?;
        writeln!(
            f,
            "{:<14} {:>13} {:>12} {:>9} {:>10} {:>13} {:>13}",
            "parameter", "estimate", "std. error", "z", "P>|z|", "[0.025", "0.975]"
        )?;
        let (z, p) = (self.z_values(), self.p_values());
        for i in 0..self.estimates.len() {
            if self.fixed[i] {
                writeln!(f, "{:<14} {} {:>12}", self.names[i], num(self.estimates[i], 13), "(fixed)")?;
                continue;
            }
            let (lo, hi) = self.wald_interval(i, 0.95);
            writeln!(
                f,
                "{:<14} {} {} {:>9.3} {:>10} {} {}",
                self.names[i],
                num(self.estimates[i], 13),
                num(self.std_errors[i], 12),
                z[i],
                p_text(p[i]),
                num(lo, 13),
                num(hi, 13)
            )?;
        }
        Ok(())
    }
}
