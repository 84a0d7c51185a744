//! The model trait objectives are built on, and models for every univariate
//! family of `xent-distributions`.

use nalgebra::DMatrix;
use xent_distributions::{AnyUnivariate, Binomial, LogDensity, ParamError, Parametric, Scalar};

use crate::transform::{Parametrisation, Transform};

/// A parametric family `q_θ`, as objectives see it: natural parameters `θ`
/// (named, with a default unconstraining transform per block) and a
/// log-density generic over the scalar.
///
/// Implement it for your own type to get likelihoods, gradients, Hessians
/// and scores for free:
///
/// ```
/// use xent_distributions::{LogDensity, ParamError, Scalar};
/// use xent_objectives::{Model, Nll, Transform};
///
/// /// Exponential with mean θ (instead of rate).
/// struct ExpMean;
/// struct ExpMeanDist<T>(T);
/// impl<T: Scalar> LogDensity<T> for ExpMeanDist<T> {
///     type Obs = f64;
///     fn ln_density(&self, &x: &f64) -> T {
///         if x < 0.0 { T::neg_infinity() } else { -self.0.ln() - T::cst(x) / self.0 }
///     }
/// }
/// impl Model for ExpMean {
///     type Obs = f64;
///     type Dist<T: Scalar> = ExpMeanDist<T>;
///     fn name(&self) -> String { "exp_mean".into() }
///     fn param_names(&self) -> Vec<String> { vec!["mean".into()] }
///     fn transforms(&self) -> Vec<Transform> { vec![Transform::Exp] }
///     fn build<T: Scalar>(&self, theta: &[T]) -> Result<ExpMeanDist<T>, ParamError> {
///         Ok(ExpMeanDist(theta[0]))
///     }
/// }
/// let data = [1.0, 2.0, 3.0];
/// let nll = Nll::new(&ExpMean, &data)?;
/// // At the MLE (mean = 2, u = ln 2) the gradient vanishes.
/// let g = nll.gradient(&[2f64.ln()])?;
/// assert!(g[0].abs() < 1e-15);
/// # Ok::<(), xent_objectives::ObjectiveError>(())
/// ```
pub trait Model: Sync {
    /// One observation.
    type Obs: Sync;
    /// The distribution for parameters of scalar type `T`.
    type Dist<T: Scalar>: LogDensity<T, Obs = Self::Obs> + Sync;
    /// A name for reports.
    fn name(&self) -> String;
    /// Names of the natural parameters, in order.
    fn param_names(&self) -> Vec<String>;
    /// The default transform of each parameter block, in order.
    fn transforms(&self) -> Vec<Transform>;
    /// The distribution at natural parameters `θ`.
    fn build<T: Scalar>(&self, theta: &[T]) -> Result<Self::Dist<T>, ParamError>;
    /// The Fisher information of one observation at natural parameters
    /// `θ`, `E[−∇² ln q_θ(X)]`, where the model knows it in closed form
    /// (used for expected-information standard errors); `None` by default.
    fn expected_information(&self, theta: &[f64]) -> Option<DMatrix<f64>> {
        let _ = theta;
        None
    }
}

/// Declares the by-name [`Family`] and its [`Model`] from the family table
/// of `xent-distributions` (every [`Parametric`] family, plus the binomial
/// with its known number of trials).
macro_rules! univariate_models {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A univariate family of `xent-distributions`, chosen by name —
        /// generated from the family table
        /// ([`xent_distributions::univariate_families!`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Family {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
            /// `binomial` with a known number of trials.
            Binomial {
                /// The known number of trials.
                trials: u64,
            },
        }

        impl Family {
            /// Every family but binomial (whose number of trials is data-specific).
            pub fn all() -> Vec<Family> {
                vec![$(Family::$variant),*]
            }

            /// The family of a reference name (`binomial` needs its trials: use
            /// [`Family::Binomial`]).
            pub fn from_name(name: &str) -> Option<Family> {
                match name {
                    $($name => Some(Family::$variant),)*
                    _ => None,
                }
            }

            /// Starting values of a numerical fit to `data` (finite, in the
            /// support, not empty), from the family's own
            /// [`Parametric::starting_values`]; always inside the domains.
            pub fn starting_values(&self, data: &[f64]) -> Vec<f64> {
                match self {
                    $(Family::$variant => <xent_distributions::$variant as Parametric>::starting_values(data),)*
                    Family::Binomial { trials } => {
                        let mean = data.iter().sum::<f64>() / data.len().max(1) as f64;
                        let p = mean / (*trials).max(1) as f64;
                        vec![if p.is_finite() { p.clamp(1e-6, 1.0 - 1e-6) } else { 0.5 }]
                    }
                }
            }
        }

        impl Model for Family {
            type Obs = f64;
            type Dist<T: Scalar> = AnyUnivariate<T>;
            fn name(&self) -> String {
                match self {
                    $(Family::$variant => $name.to_string(),)*
                    Family::Binomial { trials } => format!("binomial(trials = {trials})"),
                }
            }
            fn param_names(&self) -> Vec<String> {
                match self {
                    $(Family::$variant => <xent_distributions::$variant as Parametric>::PARAMETERS
                        .iter()
                        .map(|p| p.name.to_string())
                        .collect(),)*
                    Family::Binomial { .. } => vec!["p".to_string()],
                }
            }
            fn transforms(&self) -> Vec<Transform> {
                match self {
                    $(Family::$variant => <xent_distributions::$variant as Parametric>::PARAMETERS
                        .iter()
                        .map(|p| Transform::for_domain(p.domain))
                        .collect(),)*
                    Family::Binomial { .. } => vec![Transform::Logit],
                }
            }
            fn build<T: Scalar>(&self, theta: &[T]) -> Result<AnyUnivariate<T>, ParamError> {
                match self {
                    $(Family::$variant => Ok(AnyUnivariate::$variant(
                        <xent_distributions::$variant as Parametric>::from_theta(theta)?,
                    )),)*
                    Family::Binomial { trials } => {
                        if theta.len() != 1 {
                            return Err(ParamError::Dimension { name: "theta", expected: 1, found: theta.len() });
                        }
                        Ok(AnyUnivariate::Binomial(Binomial::new(*trials, theta[0])?))
                    }
                }
            }
            fn expected_information(&self, theta: &[f64]) -> Option<DMatrix<f64>> {
                match self {
                    $(Family::$variant => <xent_distributions::$variant as Parametric>::fisher_information(theta),)*
                    // n / (p (1 − p)) for n known trials.
                    Family::Binomial { trials } => match theta {
                        [p] if *p > 0.0 && *p < 1.0 => Some(DMatrix::from_element(1, 1, *trials as f64 / (p * (1.0 - p)))),
                        _ => None,
                    },
                }
            }
        }
    };
}

xent_distributions::univariate_families!(univariate_models, parametric);

impl Family {
    /// Whether `x` can be observed under some member of the family: a
    /// finite log-density under the canonical member (unconstrained
    /// parameters 0), whose support is the family's; for uniform (any finite
    /// value) and Pareto (any positive value), whose support moves with the
    /// parameters, whether some member covers `x`.
    ///
    /// ```
    /// use xent_objectives::Family;
    /// assert!(Family::Gamma.in_support(0.5) && !Family::Gamma.in_support(-0.5));
    /// assert!(Family::Poisson.in_support(3.0) && !Family::Poisson.in_support(2.5));
    /// assert!(!Family::Normal.in_support(f64::NAN));
    /// ```
    pub fn in_support(&self, x: f64) -> bool {
        self.support().contains(x)
    }

    /// The membership test of [`Family::in_support`], with the canonical
    /// member built once — for data passes that test every value.
    pub fn support(&self) -> SupportTest {
        let base = Parametrisation::new(self.transforms());
        let canonical = match self {
            Family::Uniform | Family::Pareto => None,
            _ => base.forward(&vec![0.0; base.free_dim()]).ok().and_then(|t| self.build(&t).ok()),
        };
        SupportTest { pareto: *self == Family::Pareto, canonical }
    }
}

/// Whether values can be observed under some member of a family (see
/// [`Family::support`]).
#[derive(Debug, Clone)]
pub struct SupportTest {
    pareto: bool,
    canonical: Option<AnyUnivariate>,
}

impl SupportTest {
    /// Whether `x` is in the family's support.
    ///
    /// Inside the canonical member's support interval every finite value
    /// is in (its density there may underflow — a normal's at 1e300 — but
    /// some member of the family has a finite one); at an end point, the
    /// canonical density decides (a gamma's 0 is observable for shapes ≤ 1).
    pub fn contains(&self, x: f64) -> bool {
        use xent_distributions::{Support, Univariate as _};
        if !x.is_finite() {
            return false;
        }
        match &self.canonical {
            Some(d) => match d.support() {
                Support::Continuous { low, high } => {
                    (x > low && x < high) || ((x == low || x == high) && d.ln_density(&x).is_finite())
                }
                Support::Discrete { low, high } => x >= low && x <= high && x == x.floor(),
                _ => d.ln_density(&x).is_finite(),
            },
            None => !self.pareto || x > 0.0,
        }
    }
}

/// The multivariate normal in `dim` dimensions as a model: parameters the
/// mean (identity) and the lower Cholesky factor of the covariance
/// (row-major lower triangle, exp on the diagonal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultivariateNormalModel {
    /// The dimension `k`.
    pub dim: usize,
}

impl Model for MultivariateNormalModel {
    type Obs = nalgebra::DVector<f64>;
    type Dist<T: Scalar> = xent_distributions::MultivariateNormal<T>;
    fn name(&self) -> String {
        format!("multivariate_normal(k = {})", self.dim)
    }
    fn param_names(&self) -> Vec<String> {
        let k = self.dim;
        let mut v: Vec<String> = (0..k).map(|i| format!("mean[{i}]")).collect();
        v.extend((0..k).flat_map(|i| (0..=i).map(move |j| format!("chol[{i},{j}]"))));
        v
    }
    fn transforms(&self) -> Vec<Transform> {
        let mut t = vec![Transform::Identity; self.dim];
        t.push(Transform::Cholesky { k: self.dim });
        t
    }
    fn build<T: Scalar>(&self, theta: &[T]) -> Result<Self::Dist<T>, ParamError> {
        let k = self.dim;
        let want = k + k * (k + 1) / 2;
        if theta.len() != want {
            return Err(ParamError::Dimension { name: "theta", expected: want, found: theta.len() });
        }
        let mean = nalgebra::DVector::from_column_slice(&theta[..k]);
        let mut chol = nalgebra::DMatrix::from_element(k, k, T::zero());
        let mut idx = k;
        for i in 0..k {
            for j in 0..=i {
                chol[(i, j)] = theta[idx];
                idx += 1;
            }
        }
        xent_distributions::MultivariateNormal::from_cholesky(mean, chol)
    }
}

/// The Dirichlet over `k` components as a model: concentrations on `exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirichletModel {
    /// The number of components `k ≥ 2`.
    pub k: usize,
}

impl Model for DirichletModel {
    type Obs = nalgebra::DVector<f64>;
    type Dist<T: Scalar> = xent_distributions::Dirichlet<T>;
    fn name(&self) -> String {
        format!("dirichlet(k = {})", self.k)
    }
    fn param_names(&self) -> Vec<String> {
        (0..self.k).map(|i| format!("alpha[{i}]")).collect()
    }
    fn transforms(&self) -> Vec<Transform> {
        vec![Transform::Exp; self.k]
    }
    fn build<T: Scalar>(&self, theta: &[T]) -> Result<Self::Dist<T>, ParamError> {
        xent_distributions::Dirichlet::new(theta.to_vec())
    }
}

/// The categorical over `k` classes as a model: probabilities on the simplex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoricalModel {
    /// The number of classes `k ≥ 2`.
    pub k: usize,
}

impl Model for CategoricalModel {
    type Obs = usize;
    type Dist<T: Scalar> = xent_distributions::Categorical<T>;
    fn name(&self) -> String {
        format!("categorical(k = {})", self.k)
    }
    fn param_names(&self) -> Vec<String> {
        (0..self.k).map(|i| format!("p[{i}]")).collect()
    }
    fn transforms(&self) -> Vec<Transform> {
        vec![Transform::Simplex { k: self.k }]
    }
    fn build<T: Scalar>(&self, theta: &[T]) -> Result<Self::Dist<T>, ParamError> {
        xent_distributions::Categorical::new(theta.to_vec())
    }
}
