//! Any univariate family, chosen at run time by name.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError};
use crate::families::binomial;
use crate::scalar::Scalar;
use crate::stats::Accumulator;
use crate::traits::{CrossEntropy, LogDensity, Named, Parametric, Support, Univariate};

/// Declares [`AnyUnivariate`] and its dispatching impls from the family table.
macro_rules! any_univariate {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A univariate distribution of any family, with parameters of scalar
        /// type `T` (`f64` by default) — generated from the family table
        /// ([`univariate_families!`](crate::univariate_families)).
        ///
        /// Built from the reference naming conventions, for data-driven code
        /// (reference tables, the command line):
        ///
        /// ```
        /// use xent_distributions::{AnyUnivariate, LogDensity, Univariate};
        /// let d = AnyUnivariate::from_params("gamma", &[("shape", 2.0), ("rate", 0.5)])?;
        /// assert_eq!(d.mean(), Some(4.0));
        /// assert!(AnyUnivariate::from_params("gamma", &[("shape", -1.0), ("rate", 0.5)]).is_err());
        /// # Ok::<(), xent_distributions::ParamError>(())
        /// ```
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum AnyUnivariate<T: Scalar = f64> {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant(crate::$variant<T>),
            )*
        }

        impl AnyUnivariate {
            /// Every family name this type knows, in the reference spelling.
            pub const FAMILIES: &'static [&'static str] = &[$($name),*];
        }

        impl<T: Scalar> LogDensity<T> for AnyUnivariate<T> {
            type Obs = f64;
            #[inline]
            fn ln_density(&self, x: &f64) -> T {
                match self { $(AnyUnivariate::$variant(d) => d.ln_density(x),)* }
            }
        }

        impl<T: Scalar> Named for AnyUnivariate<T> {
            fn family(&self) -> &'static str {
                match self { $(AnyUnivariate::$variant(d) => d.family(),)* }
            }
            fn named_params(&self) -> Vec<(&'static str, f64)> {
                match self { $(AnyUnivariate::$variant(d) => d.named_params(),)* }
            }
        }

        impl Univariate for AnyUnivariate {
            fn cdf(&self, x: f64) -> f64 {
                match self { $(AnyUnivariate::$variant(d) => d.cdf(x),)* }
            }
            fn mean(&self) -> Option<f64> {
                match self { $(AnyUnivariate::$variant(d) => Univariate::mean(d),)* }
            }
            fn variance(&self) -> Option<f64> {
                match self { $(AnyUnivariate::$variant(d) => d.variance(),)* }
            }
            fn entropy(&self) -> f64 {
                match self { $(AnyUnivariate::$variant(d) => d.entropy(),)* }
            }
            fn support(&self) -> Support {
                match self { $(AnyUnivariate::$variant(d) => d.support(),)* }
            }
        }

        impl Distribution<f64> for AnyUnivariate {
            fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
                match self { $(AnyUnivariate::$variant(d) => d.sample(rng),)* }
            }
        }
    };
}

crate::univariate_families!(any_univariate);

/// The [`Parametric`] families: construction by name, closed-form fits and
/// divergences, dispatched through each family's own implementation.
macro_rules! any_parametric {
    ($($variant:ident = $name:literal),* $(,)?) => {
        impl AnyUnivariate {
            /// The parameter names of a family, in conventional order (empty
            /// for an unknown family). The binomial's known number of trials
            /// comes first.
            pub fn param_names(family: &str) -> Vec<&'static str> {
                match family {
                    $($name => <crate::$variant as Parametric>::PARAMETERS.iter().map(|p| p.name).collect(),)*
                    "binomial" => vec!["trials", "p"],
                    _ => Vec::new(),
                }
            }

            /// How the parameters of `family` move when the data are rescaled
            /// (see [`Parametric::EQUIVARIANCE`]); `None` for families not
            /// closed under rescaling and for unknown names.
            pub fn equivariance(family: &str) -> Option<&'static [crate::traits::Equivariance]> {
                match family {
                    $($name => <crate::$variant as Parametric>::EQUIVARIANCE,)*
                    _ => None,
                }
            }

            /// Builds a distribution from its family name and named parameters
            /// (names as in `shared/reference/README.md`). Unknown families, unknown
            /// or missing parameter names and invalid values are errors.
            pub fn from_params(family: &str, params: &[(&str, f64)]) -> Result<Self, ParamError> {
                let family = canonical(family)?;
                let p = Params { family, given: params };
                p.only(&Self::param_names(family))?;
                match family {
                    $($name => {
                        let theta = <crate::$variant as Parametric>::PARAMETERS
                            .iter()
                            .map(|q| p.get(q.name))
                            .collect::<Result<Vec<f64>, ParamError>>()?;
                        Ok(Self::$variant(<crate::$variant as Parametric>::from_theta(&theta)?))
                    })*
                    "binomial" => Ok(Self::Binomial(binomial::Binomial::new(
                        count_param("trials", p.get("trials")?)?,
                        p.get("p")?,
                    )?)),
                    other => Err(ParamError::UnknownFamily(other.to_string())),
                }
            }

            /// The closed-form maximum-likelihood fit of `family` to `data` (with
            /// optional per-observation `weights`). `fixed` carries structural
            /// settings (`trials` for the binomial). Families without a closed form
            /// return [`FitError::NoClosedForm`].
            pub fn fit_closed_form(
                family: &str,
                data: &[f64],
                weights: Option<&[f64]>,
                fixed: &[(&str, f64)],
            ) -> Result<Self, FitError> {
                let family = canonical(family)?;
                match family {
                    $($name => Ok(Self::$variant(<crate::$variant as Parametric>::closed_form_fit(data, weights)?)),)*
                    "binomial" => {
                        let p = Params { family, given: fixed };
                        let trials = count_param("trials", p.get("trials")?)?;
                        let mut stats = binomial::BinomialStats::default();
                        match weights {
                            Some(w) => {
                                if w.len() != data.len() {
                                    return Err(FitError::WeightCount { observations: data.len(), weights: w.len() });
                                }
                                for (x, &wi) in data.iter().zip(w) {
                                    stats.push(x, wi);
                                }
                            }
                            None => stats.extend_from_slice(data),
                        }
                        Ok(Self::Binomial(binomial::Binomial::mle_with_trials(trials, &stats)?))
                    }
                    _ => Err(FitError::NoClosedForm { family }),
                }
            }

            fn divergence(&self, q: &Self, cross: bool) -> Result<f64, DivergenceError> {
                use AnyUnivariate as A;
                match (self, q) {
                    $((A::$variant(p), A::$variant(q)) => <crate::$variant as Parametric>::divergence(p, q, cross),)*
                    (A::Binomial(p), A::Binomial(q)) => if cross { p.cross_entropy(q) } else { p.kl_divergence(q) },
                    (p, q) => Err(DivergenceError::FamilyMismatch { p: p.family(), q: q.family() }),
                }
            }
        }
    };
}

crate::univariate_families!(any_parametric, parametric);

/// Looks up named parameters in the order a family expects them.
struct Params<'a> {
    family: &'static str,
    given: &'a [(&'a str, f64)],
}

impl Params<'_> {
    fn get(&self, name: &'static str) -> Result<f64, ParamError> {
        self.given
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, v)| v)
            .ok_or(ParamError::MissingParameter { family: self.family, name })
    }
    /// Rejects names the family does not have.
    fn only(&self, names: &[&'static str]) -> Result<(), ParamError> {
        match self.given.iter().find(|(n, _)| !names.contains(n)) {
            Some((n, _)) => Err(ParamError::UnknownParameter { family: self.family, name: (*n).to_string() }),
            None => Ok(()),
        }
    }
}

/// The canonical `&'static str` of a family name, or an error.
fn canonical(family: &str) -> Result<&'static str, ParamError> {
    AnyUnivariate::FAMILIES
        .iter()
        .copied()
        .find(|f| *f == family)
        .ok_or_else(|| ParamError::UnknownFamily(family.to_string()))
}

/// A non-negative integer parameter (binomial trials).
fn count_param(name: &'static str, v: f64) -> Result<u64, ParamError> {
    crate::error::check(name, v, "a non-negative integer", |v| v >= 0.0 && v == v.floor() && v < 2f64.powi(64))?;
    Ok(v as u64)
}

impl AnyUnivariate {
    /// Closed-form cross-entropy `H(self, q)`; both must be of the same family.
    pub fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.divergence(q, true)
    }

    /// Closed-form `KL(self ‖ q)`; both must be of the same family.
    pub fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.divergence(q, false)
    }
}

/// Dispatches to the continuous families' [`LogCdf`](crate::LogCdf).
macro_rules! continuous_cdf {
    ($self:ident, $d:ident => $e:expr) => {
        match $self {
            AnyUnivariate::Normal($d) => Some($e),
            AnyUnivariate::LogNormal($d) => Some($e),
            AnyUnivariate::Exponential($d) => Some($e),
            AnyUnivariate::Gamma($d) => Some($e),
            AnyUnivariate::Beta($d) => Some($e),
            AnyUnivariate::Laplace($d) => Some($e),
            AnyUnivariate::StudentT($d) => Some($e),
            AnyUnivariate::Cauchy($d) => Some($e),
            AnyUnivariate::Weibull($d) => Some($e),
            AnyUnivariate::Uniform($d) => Some($e),
            AnyUnivariate::Pareto($d) => Some($e),
            AnyUnivariate::Rayleigh($d) => Some($e),
            AnyUnivariate::InverseGaussian($d) => Some($e),
            _ => None,
        }
    };
}

impl<T: Scalar> AnyUnivariate<T> {
    /// `ln F(x)` of a continuous family (generic: derivatives in the
    /// parameters come with it); `None` for a discrete family.
    ///
    /// ```
    /// use xent_distributions::AnyUnivariate;
    /// let d = AnyUnivariate::from_params("normal", &[("mean", 0.0), ("std_dev", 1.0)])?;
    /// // ln Φ(−40) is finite: −804.608…
    /// assert!((d.ln_cdf(-40.0).unwrap() + 804.608_442_013_754_2).abs() < 1e-10);
    /// assert!(AnyUnivariate::from_params("poisson", &[("rate", 2.0)])?.ln_cdf(1.0).is_none());
    /// # Ok::<(), xent_distributions::ParamError>(())
    /// ```
    pub fn ln_cdf(&self, x: f64) -> Option<T> {
        use crate::LogCdf;
        continuous_cdf!(self, d => d.ln_cdf(x))
    }
    /// `ln S(x) = ln P(X > x)` of a continuous family; `None` for a discrete one.
    pub fn ln_sf(&self, x: f64) -> Option<T> {
        use crate::LogCdf;
        continuous_cdf!(self, d => d.ln_sf(x))
    }
    /// `ln P(low < X ≤ high)` of a continuous family; `None` for a discrete one.
    pub fn ln_interval(&self, low: f64, high: f64) -> Option<T> {
        use crate::LogCdf;
        continuous_cdf!(self, d => d.ln_interval(low, high))
    }
    /// Whether the family is continuous (has [`AnyUnivariate::ln_cdf`]).
    pub fn is_continuous(&self) -> bool {
        self.ln_cdf(f64::NAN).is_some()
    }
}
