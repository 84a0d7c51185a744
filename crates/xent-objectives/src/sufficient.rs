//! The exponential-family fast path: the log-likelihood as a closed-form
//! function of sufficient statistics, O(1) per evaluation after one pass.

use nalgebra::DMatrix;
use xent_distributions::{Accumulator, ExponentialFamily, Scalar, StatsEstimate, SufficientStatistics};

use crate::error::ObjectiveError;
use crate::model::{Family, Model};
use crate::parallel::{default_threads, map_chunks};
use crate::seed;
use crate::transform::Parametrisation;

/// Declares [`Summary`] from the exponential families of the family table.
macro_rules! summaries {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// One data pass worth of sufficient statistics, for the families
        /// that have them (the exponential families of the family table,
        /// [`xent_distributions::univariate_families!`]).
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum Summary {
            $(
                #[doc = concat!("The statistics of `", $name, "`.")]
                $variant(<xent_distributions::$variant as SufficientStatistics>::Stats),
            )*
        }

        impl Summary {
            /// Empty statistics for `family`, to be filled with [`Summary::push`]
            /// — a data pass whose memory does not depend on `n`. Families that are
            /// not exponential families with finite statistics are an error.
            pub fn empty(family: &Family) -> Result<Self, ObjectiveError> {
                match family {
                    $(Family::$variant => Ok(Summary::$variant(Default::default())),)*
                    other => Err(ObjectiveError::NoSufficientStatistics { model: other.name() }),
                }
            }

            /// Adds a block of observations (weight 1 each), with the fast kernels
            /// of the accumulators. Problems are remembered for [`Summary::check`].
            pub fn extend_from_slice(&mut self, data: &[f64]) {
                match self { $(Summary::$variant(a) => a.extend_from_slice(data),)* }
            }

            /// Adds one observation (weight 1). A non-finite or out-of-support value
            /// is not added; it is remembered and reported by [`Summary::check`].
            pub fn push(&mut self, x: f64) {
                match self { $(Summary::$variant(a) => a.push(&x, 1.0),)* }
            }

            /// Adds one observation with frequency weight `w` (finite, `≥ 0`: it
            /// counts `w` times). A weight of 0 adds nothing and its value is
            /// not looked at; an invalid weight, like an invalid value, is
            /// remembered and reported by [`Summary::check`].
            pub fn push_weighted(&mut self, x: f64, w: f64) {
                match self { $(Summary::$variant(a) => a.push(&x, w),)* }
            }

            /// Adds the statistics of a later part of the same data pass. Summaries
            /// of different families are an error.
            pub fn merge(&mut self, later: &Summary) -> Result<(), ObjectiveError> {
                match (self, later) {
                    $((Summary::$variant(a), Summary::$variant(b)) => a.merge(b),)*
                    #[allow(unreachable_patterns)]
                    _ => return Err(ObjectiveError::Data("cannot merge the statistics of different families".into())),
                }
                Ok(())
            }

            /// The first problem met in the pass (non-finite or out-of-support
            /// observation, no data), if any.
            pub fn check(&self) -> Result<(), ObjectiveError> {
                match self { $(Summary::$variant(a) => a.check(),)* }.map_err(|e| ObjectiveError::Data(e.to_string()))
            }

            /// The family the statistics belong to.
            pub fn family(&self) -> Family {
                match self { $(Summary::$variant(_) => Family::$variant,)* }
            }

            /// The total weight `n`.
            pub fn n(&self) -> f64 {
                match self { $(Summary::$variant(a) => a.weight(),)* }
            }

            /// `Σ ln q_θ(xᵢ)` from the statistics, generic over the scalar —
            /// each family's own
            /// [`ExponentialFamily::stats_log_likelihood`], written beside its
            /// log-density.
            pub fn log_likelihood<T: Scalar>(&self, t: &[T]) -> T {
                match self {
                    $(Summary::$variant(s) => <xent_distributions::$variant as ExponentialFamily>::stats_log_likelihood(s, t),)*
                }
            }

            /// The closed-form estimate from the statistics, or the family's
            /// approximation to start Newton from
            /// ([`ExponentialFamily::stats_estimate`]).
            pub fn estimate(&self) -> Result<StatsEstimate, xent_distributions::FitError> {
                match self {
                    $(Summary::$variant(s) => <xent_distributions::$variant as ExponentialFamily>::stats_estimate(s),)*
                }
            }
        }
    };
}

xent_distributions::univariate_families!(summaries, exponential);

impl Summary {
    /// One pass over `data` for `family`; families that are not
    /// exponential families with finite statistics are an error, and so is
    /// a non-finite or out-of-support observation (the first is named).
    ///
    /// The pass is split into fixed chunks of 4096 values,
    /// spread over the default threads and merged in data order, so the
    /// statistics are bitwise identical for any thread count.
    pub fn of(family: &Family, data: &[f64]) -> Result<Self, ObjectiveError> {
        let empty = Summary::empty(family)?;
        let parts = map_chunks(data, default_threads(), |chunk| {
            let mut s = empty.clone();
            s.extend_from_slice(chunk);
            s
        });
        let mut s = empty.clone();
        for part in &parts {
            s.merge(part)?;
        }
        s.check()?;
        Ok(s)
    }
}

/// The average NLL of an exponential family computed from its sufficient
/// statistics: after one pass, each value, gradient or Hessian costs O(1)
/// whatever `n` is. Equal to [`crate::Nll`] up to rounding.
#[derive(Debug, Clone)]
pub struct SufficientNll {
    summary: Summary,
    param: Parametrisation,
}

impl SufficientNll {
    /// One pass over `data`, in the family's default parametrisation.
    pub fn new(family: &Family, data: &[f64]) -> Result<Self, ObjectiveError> {
        Ok(SufficientNll { summary: Summary::of(family, data)?, param: Parametrisation::new(family.transforms()) })
    }

    /// The objective of statistics gathered elsewhere (a streamed pass), in
    /// parametrisation `param` of the summary's family.
    pub fn from_summary(summary: Summary, param: Parametrisation) -> Result<Self, ObjectiveError> {
        summary.check()?;
        Ok(SufficientNll { summary, param })
    }

    /// The statistics.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The number of unconstrained parameters.
    pub fn dim(&self) -> usize {
        self.param.free_dim()
    }

    fn avg<T: Scalar>(&self, u: &[T]) -> Result<T, ObjectiveError> {
        let theta = self.param.forward(u)?;
        if let Some(i) = theta.iter().position(|v| !v.value().is_finite()) {
            return Err(ObjectiveError::NonFiniteParameter { index: i, value: theta[i].value() });
        }
        Ok(-self.summary.log_likelihood(&theta) / T::cst(self.summary.n()))
    }

    /// The average NLL at `u`.
    pub fn value(&self, u: &[f64]) -> Result<f64, ObjectiveError> {
        self.avg(u)
    }

    /// The gradient in `u`.
    pub fn gradient(&self, u: &[f64]) -> Result<Vec<f64>, ObjectiveError> {
        (0..u.len()).map(|i| Ok(self.avg(&seed::dual(u, i))?.deriv())).collect()
    }

    /// The Hessian in `u`.
    pub fn hessian(&self, u: &[f64]) -> Result<DMatrix<f64>, ObjectiveError> {
        let d = u.len();
        let mut h = DMatrix::zeros(d, d);
        for i in 0..d {
            for j in i..d {
                let v = self.avg(&seed::dual2(u, i, j))?.dx.dx;
                h[(i, j)] = v;
                h[(j, i)] = v;
            }
        }
        Ok(h)
    }
}
