//! Any univariate family, chosen at run time by name.

use rand::Rng;
use rand_distr::Distribution;

use crate::error::{DivergenceError, FitError, ParamError};
use crate::families::*;
use crate::stats::Accumulator;
use crate::traits::{ClosedFormMle, CrossEntropy, Family, LogDensity, Support, Univariate};

/// Declares [`AnyUnivariate`] and its dispatching impls.
macro_rules! any_univariate {
    ($($variant:ident($ty:ty) = $name:literal),* $(,)?) => {
        /// A univariate distribution of any family, with `f64` parameters.
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
        pub enum AnyUnivariate {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant($ty),
            )*
        }

        impl AnyUnivariate {
            /// Every family name this type knows, in the reference spelling.
            pub const FAMILIES: &'static [&'static str] = &[$($name),*];
        }

        impl LogDensity<f64> for AnyUnivariate {
            type Obs = f64;
            fn ln_density(&self, x: &f64) -> f64 {
                match self { $(AnyUnivariate::$variant(d) => d.ln_density(x),)* }
            }
        }

        impl Family for AnyUnivariate {
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

any_univariate! {
    Normal(normal::Normal) = "normal",
    LogNormal(log_normal::LogNormal) = "log_normal",
    Exponential(exponential::Exponential) = "exponential",
    Gamma(gamma::Gamma) = "gamma",
    Beta(beta::Beta) = "beta",
    Laplace(laplace::Laplace) = "laplace",
    StudentT(student_t::StudentT) = "student_t",
    Cauchy(cauchy::Cauchy) = "cauchy",
    Weibull(weibull::Weibull) = "weibull",
    Uniform(uniform::Uniform) = "uniform",
    Pareto(pareto::Pareto) = "pareto",
    Rayleigh(rayleigh::Rayleigh) = "rayleigh",
    InverseGaussian(inverse_gaussian::InverseGaussian) = "inverse_gaussian",
    Poisson(poisson::Poisson) = "poisson",
    Bernoulli(bernoulli::Bernoulli) = "bernoulli",
    Binomial(binomial::Binomial) = "binomial",
    Geometric(geometric::Geometric) = "geometric",
    NegativeBinomial(negative_binomial::NegativeBinomial) = "negative_binomial",
}

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
    crate::error::check(name, v, "a non-negative integer", |v| v >= 0.0 && v == v.floor() && v < 2f64.powi(53))?;
    Ok(v as u64)
}

impl AnyUnivariate {
    /// Builds a distribution from its family name and named parameters
    /// (names as in `shared/reference/README.md`). Unknown families, unknown
    /// or missing parameter names and invalid values are errors.
    pub fn from_params(family: &str, params: &[(&str, f64)]) -> Result<Self, ParamError> {
        let family = canonical(family)?;
        let p = Params { family, given: params };
        let names: &[&'static str] = Self::param_names(family);
        p.only(names)?;
        Ok(match family {
            "normal" => Self::Normal(normal::Normal::new(p.get("mean")?, p.get("std_dev")?)?),
            "log_normal" => Self::LogNormal(log_normal::LogNormal::new(p.get("mu")?, p.get("sigma")?)?),
            "exponential" => Self::Exponential(exponential::Exponential::new(p.get("rate")?)?),
            "gamma" => Self::Gamma(gamma::Gamma::new(p.get("shape")?, p.get("rate")?)?),
            "beta" => Self::Beta(beta::Beta::new(p.get("alpha")?, p.get("beta")?)?),
            "laplace" => Self::Laplace(laplace::Laplace::new(p.get("location")?, p.get("scale")?)?),
            "student_t" => {
                Self::StudentT(student_t::StudentT::new(p.get("location")?, p.get("scale")?, p.get("dof")?)?)
            }
            "cauchy" => Self::Cauchy(cauchy::Cauchy::new(p.get("location")?, p.get("scale")?)?),
            "weibull" => Self::Weibull(weibull::Weibull::new(p.get("shape")?, p.get("scale")?)?),
            "uniform" => Self::Uniform(uniform::Uniform::new(p.get("low")?, p.get("high")?)?),
            "pareto" => Self::Pareto(pareto::Pareto::new(p.get("scale")?, p.get("shape")?)?),
            "rayleigh" => Self::Rayleigh(rayleigh::Rayleigh::new(p.get("sigma")?)?),
            "inverse_gaussian" => {
                Self::InverseGaussian(inverse_gaussian::InverseGaussian::new(p.get("mean")?, p.get("shape")?)?)
            }
            "poisson" => Self::Poisson(poisson::Poisson::new(p.get("rate")?)?),
            "bernoulli" => Self::Bernoulli(bernoulli::Bernoulli::new(p.get("p")?)?),
            "binomial" => {
                Self::Binomial(binomial::Binomial::new(count_param("trials", p.get("trials")?)?, p.get("p")?)?)
            }
            "geometric" => Self::Geometric(geometric::Geometric::new(p.get("p")?)?),
            "negative_binomial" => {
                Self::NegativeBinomial(negative_binomial::NegativeBinomial::new(p.get("successes")?, p.get("p")?)?)
            }
            other => return Err(ParamError::UnknownFamily(other.to_string())),
        })
    }

    /// The parameter names of a family, in conventional order (empty for an
    /// unknown family).
    pub fn param_names(family: &str) -> &'static [&'static str] {
        match family {
            "normal" => &["mean", "std_dev"],
            "log_normal" => &["mu", "sigma"],
            "exponential" | "poisson" => &["rate"],
            "gamma" => &["shape", "rate"],
            "beta" => &["alpha", "beta"],
            "laplace" | "cauchy" => &["location", "scale"],
            "student_t" => &["location", "scale", "dof"],
            "weibull" => &["shape", "scale"],
            "uniform" => &["low", "high"],
            "pareto" => &["scale", "shape"],
            "rayleigh" => &["sigma"],
            "inverse_gaussian" => &["mean", "shape"],
            "bernoulli" | "geometric" => &["p"],
            "binomial" => &["trials", "p"],
            "negative_binomial" => &["successes", "p"],
            _ => &[],
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
        fn go<D: ClosedFormMle>(data: &[f64], weights: Option<&[f64]>) -> Result<D, FitError>
        where
            D::Stats: Accumulator<Obs = f64>,
        {
            match weights {
                Some(w) => D::fit_weighted(data, w),
                None => D::fit(data),
            }
        }
        Ok(match family {
            "normal" => Self::Normal(go(data, weights)?),
            "log_normal" => Self::LogNormal(go(data, weights)?),
            "exponential" => Self::Exponential(go(data, weights)?),
            "laplace" => Self::Laplace(go(data, weights)?),
            "uniform" => Self::Uniform(go(data, weights)?),
            "pareto" => Self::Pareto(go(data, weights)?),
            "rayleigh" => Self::Rayleigh(go(data, weights)?),
            "inverse_gaussian" => Self::InverseGaussian(go(data, weights)?),
            "poisson" => Self::Poisson(go(data, weights)?),
            "bernoulli" => Self::Bernoulli(go(data, weights)?),
            "geometric" => Self::Geometric(go(data, weights)?),
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
                Self::Binomial(binomial::Binomial::mle_with_trials(trials, &stats)?)
            }
            _ => return Err(FitError::NoClosedForm { family }),
        })
    }

    /// Closed-form cross-entropy `H(self, q)`; both must be of the same family.
    pub fn cross_entropy(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.divergence(q, true)
    }

    /// Closed-form `KL(self ‖ q)`; both must be of the same family.
    pub fn kl_divergence(&self, q: &Self) -> Result<f64, DivergenceError> {
        self.divergence(q, false)
    }

    fn divergence(&self, q: &Self, cross: bool) -> Result<f64, DivergenceError> {
        fn pick<D: CrossEntropy>(p: &D, q: &D, cross: bool) -> Result<f64, DivergenceError> {
            if cross { p.cross_entropy(q) } else { p.kl_divergence(q) }
        }
        use AnyUnivariate as A;
        match (self, q) {
            (A::Normal(p), A::Normal(q)) => pick(p, q, cross),
            (A::LogNormal(p), A::LogNormal(q)) => pick(p, q, cross),
            (A::Exponential(p), A::Exponential(q)) => pick(p, q, cross),
            (A::Gamma(p), A::Gamma(q)) => pick(p, q, cross),
            (A::Beta(p), A::Beta(q)) => pick(p, q, cross),
            (A::Laplace(p), A::Laplace(q)) => pick(p, q, cross),
            (A::Cauchy(p), A::Cauchy(q)) => pick(p, q, cross),
            (A::Weibull(p), A::Weibull(q)) => pick(p, q, cross),
            (A::Uniform(p), A::Uniform(q)) => pick(p, q, cross),
            (A::Pareto(p), A::Pareto(q)) => pick(p, q, cross),
            (A::Rayleigh(p), A::Rayleigh(q)) => pick(p, q, cross),
            (A::Poisson(p), A::Poisson(q)) => pick(p, q, cross),
            (A::Bernoulli(p), A::Bernoulli(q)) => pick(p, q, cross),
            (A::Binomial(p), A::Binomial(q)) => pick(p, q, cross),
            (A::Geometric(p), A::Geometric(q)) => pick(p, q, cross),
            (p, q) if p.family() != q.family() => Err(DivergenceError::FamilyMismatch { p: p.family(), q: q.family() }),
            (p, _) => Err(DivergenceError::NoClosedForm { family: p.family() }),
        }
    }
}
