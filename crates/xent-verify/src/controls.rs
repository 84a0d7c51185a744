//! Controls: deliberately wrong steps the harness must reject, and valid
//! variants that look wrong and must be accepted (catalogue, "Negative
//! controls"). Each runs the very check of the step it targets with one side
//! replaced.

//!
//! The controls live beside the steps they attack —
//! [`part_a_controls`] in `chain.rs`, [`asymptotic_controls`] in
//! `asymptotic.rs`, [`part_b_controls`] in `conditional_chain.rs`; this
//! module holds what they share.

pub use crate::asymptotic::asymptotic_controls;
use xent_distributions::{LogDensity, ParamError, Scalar, Support};
use xent_objectives::conditional::EtaModel;
use xent_objectives::{Model, Transform};

use crate::catalogue::StepId;
pub use crate::chain::part_a_controls;
pub use crate::conditional_chain::part_b_controls;
use crate::premises::{ConditionalDensityModel, DensityModel};
use crate::step::{Status, StepReport};

/// Whether a control is a wrong step or a valid variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A wrong step: must be rejected.
    Negative,
    /// A valid variant: must be accepted.
    Positive,
    /// A wrong step smaller than the check's stated power: no claim either
    /// way (reported, never a failure of the run).
    BelowPower,
}

impl Kind {
    /// `"negative"`, `"positive"` or `"below power"`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Negative => "negative",
            Kind::Positive => "positive",
            Kind::BelowPower => "below power",
        }
    }
}

/// A control's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlOutcome {
    /// What was changed.
    pub name: &'static str,
    /// Negative or positive.
    pub kind: Kind,
    /// The step it targets.
    pub step: StepId,
    /// The model it ran on.
    pub model: String,
    /// Whether the step's checks accepted the variant.
    pub accepted: bool,
    /// The step report with the variant in place.
    pub report: StepReport,
}

impl ControlOutcome {
    /// A control's outcome from the step report with the variant in place.
    pub fn from_report(name: &'static str, kind: Kind, report: StepReport) -> Self {
        Self::new(name, kind, report)
    }

    pub(crate) fn new(name: &'static str, kind: Kind, report: StepReport) -> Self {
        ControlOutcome {
            name,
            kind,
            step: report.id,
            model: report.model.clone(),
            accepted: report.status == Status::Pass,
            report,
        }
    }
    /// Negative controls must be rejected — fail, not merely "not
    /// applicable": a wrong step that talks its way out of being checked
    /// has not been rejected — and positive ones accepted.
    pub fn behaved(&self) -> bool {
        match self.kind {
            Kind::Negative => self.report.status == Status::Fail,
            Kind::Positive => self.accepted,
            Kind::BelowPower => true,
        }
    }
    /// `"rejected"`, `"accepted"` or `"not applicable"`.
    pub fn outcome(&self) -> &'static str {
        match self.report.status {
            Status::Pass => "accepted",
            Status::Fail => "rejected",
            Status::NotApplicable => "not applicable",
        }
    }
}

/// What a [`Miscalibrated`] model gets wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Miscalibration {
    /// `ln q + c`: the density scaled by `e^c` (not a density unless `c = 0`).
    LnOffset(f64),
    /// `ln q + ln θᵢ`: e.g. a normal log-density without its `−ln σ`
    /// (`i` the index of σ).
    PlusLnParam(usize),
    /// The derivatives of `ln q` scaled by `1 + δ`, its values exact.
    DerivativeScale(f64),
}

/// A model with one thing wrong — the wrong models a user might write —
/// for the controls of the premises. Its name is the inner model's.
#[derive(Debug, Clone, Copy)]
pub struct Miscalibrated<'m, M> {
    /// The model it changes.
    pub inner: &'m M,
    /// The change.
    pub change: Miscalibration,
}

/// The distribution of a [`Miscalibrated`] model.
#[derive(Debug, Clone)]
pub struct MiscalibratedDist<D, T> {
    inner: D,
    offset: T,
    scale: f64,
}

impl<T: Scalar, D: LogDensity<T>> LogDensity<T> for MiscalibratedDist<D, T> {
    type Obs = D::Obs;
    fn ln_density(&self, x: &D::Obs) -> T {
        let l = self.inner.ln_density(x) + self.offset;
        let v = l.value();
        if !v.is_finite() {
            return l;
        }
        // The value is exact; only the derivative parts are scaled.
        T::cst(v) + (l - T::cst(v)) * T::cst(self.scale)
    }
}

impl<M: Model> Model for Miscalibrated<'_, M> {
    type Obs = M::Obs;
    type Dist<T: Scalar> = MiscalibratedDist<M::Dist<T>, T>;
    fn name(&self) -> String {
        self.inner.name()
    }
    fn param_names(&self) -> Vec<String> {
        self.inner.param_names()
    }
    fn transforms(&self) -> Vec<Transform> {
        self.inner.transforms()
    }
    fn build<T: Scalar>(&self, theta: &[T]) -> Result<Self::Dist<T>, ParamError> {
        let inner = self.inner.build(theta)?;
        let (offset, scale) = match self.change {
            Miscalibration::LnOffset(c) => (T::cst(c), 1.0),
            Miscalibration::PlusLnParam(i) => {
                let t = theta.get(i).copied().ok_or(ParamError::Dimension {
                    name: "theta",
                    expected: i + 1,
                    found: theta.len(),
                })?;
                (t.ln(), 1.0)
            }
            Miscalibration::DerivativeScale(d) => (T::zero(), 1.0 + d),
        };
        Ok(MiscalibratedDist { inner, offset, scale })
    }
}

impl<M: DensityModel> DensityModel for Miscalibrated<'_, M> {
    fn sample_space(&self, theta: &[f64]) -> Option<Support> {
        self.inner.sample_space(theta)
    }
}

/// A conditional model with one thing wrong, for the controls of Part B's
/// premises. [`Miscalibration::PlusLnParam`]`(i)` subtracts extra
/// parameter `i` from the NLL (the extras are on the log scale: for the
/// linear-Gaussian model, `ln σ` — the NLL without its `ln σ`).
#[derive(Debug, Clone, Copy)]
pub struct MiscalibratedEta<M> {
    /// The model it changes.
    pub inner: M,
    /// The change.
    pub change: Miscalibration,
}

impl<M: EtaModel> EtaModel for MiscalibratedEta<M> {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn predictors(&self) -> usize {
        self.inner.predictors()
    }
    fn extra_names(&self) -> Vec<String> {
        self.inner.extra_names()
    }
    fn check_target(&self, y: f64) -> Result<(), &'static str> {
        self.inner.check_target(y)
    }
    fn expected_is_observed(&self) -> bool {
        self.inner.expected_is_observed()
    }
    fn nll<T: Scalar>(&self, eta: &[T], extra: &[T], y: f64) -> T {
        let l = self.inner.nll(eta, extra, y);
        match self.change {
            Miscalibration::LnOffset(c) => l - T::cst(c),
            Miscalibration::PlusLnParam(i) => l - extra.get(i).copied().unwrap_or_else(T::zero),
            Miscalibration::DerivativeScale(d) => {
                let v = l.value();
                if !v.is_finite() {
                    return l;
                }
                T::cst(v) + (l - T::cst(v)) * T::cst(1.0 + d)
            }
        }
    }
}

impl<M: ConditionalDensityModel> ConditionalDensityModel for MiscalibratedEta<M> {
    fn target_space(&self, eta: &[f64], extra: &[f64]) -> Option<Support> {
        self.inner.target_space(eta, extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xent_distributions::Dual;
    use xent_objectives::Family;
    use xent_objectives::conditional::{LinearGaussian, Logistic};

    const CHANGES: [Miscalibration; 3] =
        [Miscalibration::LnOffset(0.25), Miscalibration::PlusLnParam(1), Miscalibration::DerivativeScale(1e-3)];

    /// `ln q` of the changed model against the inner one, value and
    /// derivative in θ₁ (σ), at x.
    fn ln_q(m: &impl Model<Obs = f64>, theta: [f64; 2], x: f64) -> (f64, f64) {
        let t = [Dual::cst(theta[0]), Dual::var(theta[1])];
        let l = m.build(&t).expect("valid").ln_density(&x);
        (l.value(), l.deriv())
    }

    #[test]
    fn a_miscalibrated_model_is_its_inner_model_but_for_its_change() {
        let inner = Family::Normal;
        let (theta, x) = ([0.4, 0.7], 1.3);
        let (v0, d0) = ln_q(&inner, theta, x);
        for change in CHANGES {
            let m = Miscalibrated { inner: &inner, change };
            assert_eq!(m.name(), inner.name());
            assert_eq!(m.param_names(), inner.param_names());
            assert_eq!(m.transforms(), inner.transforms());
            assert_eq!(m.sample_space(&theta), inner.sample_space(&theta));
            let (v, d) = ln_q(&m, theta, x);
            let (want_v, want_d) = match change {
                Miscalibration::LnOffset(c) => (v0 + c, d0),
                Miscalibration::PlusLnParam(_) => (v0 + 0.7f64.ln(), d0 + 1.0 / 0.7),
                Miscalibration::DerivativeScale(s) => (v0, d0 * (1.0 + s)),
            };
            assert!((v - want_v).abs() < 1e-15 && (d - want_d).abs() < 1e-14, "{change:?}: {v} {d}");
        }
        // An index past θ is a typed error, not a panic.
        let m = Miscalibrated { inner: &inner, change: Miscalibration::PlusLnParam(2) };
        assert!(m.build(&[0.4, 0.7]).is_err());
        // Off the support the value passes through unscaled.
        let m = Miscalibrated { inner: &Family::Exponential, change: Miscalibration::DerivativeScale(0.5) };
        let l = m.build(&[Dual::var(2.0)]).expect("valid").ln_density(&-1.0);
        assert_eq!(l.value(), f64::NEG_INFINITY);
    }

    #[test]
    fn a_miscalibrated_conditional_model_is_its_inner_model_but_for_its_change() {
        let (eta, extra, y) = ([0.3], [(0.6f64).ln()], 1.1);
        let base = LinearGaussian.nll(&[Dual::var(eta[0])], &[Dual::cst(extra[0])], y);
        let changes =
            [Miscalibration::LnOffset(0.25), Miscalibration::PlusLnParam(0), Miscalibration::DerivativeScale(1e-3)];
        for change in changes {
            let m = MiscalibratedEta { inner: LinearGaussian, change };
            assert_eq!(m.name(), LinearGaussian.name());
            assert_eq!(m.predictors(), LinearGaussian.predictors());
            assert_eq!(m.extra_names(), LinearGaussian.extra_names());
            assert_eq!(m.expected_is_observed(), LinearGaussian.expected_is_observed());
            assert_eq!(m.target_space(&eta, &extra), LinearGaussian.target_space(&eta, &extra));
            let l = m.nll(&[Dual::var(eta[0])], &[Dual::cst(extra[0])], y);
            let (want_v, want_d) = match change {
                Miscalibration::LnOffset(c) => (base.value() - c, base.deriv()),
                Miscalibration::PlusLnParam(_) => (base.value() - extra[0], base.deriv()),
                Miscalibration::DerivativeScale(s) => (base.value(), base.deriv() * (1.0 + s)),
            };
            assert!((l.value() - want_v).abs() < 1e-15 && (l.deriv() - want_d).abs() < 1e-15, "{change:?}");
        }
        // The target checks and the shape are the inner model's.
        let m = MiscalibratedEta { inner: Logistic, change: Miscalibration::LnOffset(0.1) };
        assert_eq!(m.check_target(0.5), Logistic.check_target(0.5));
        assert!(m.check_target(0.5).is_err() && m.check_target(1.0).is_ok());
        assert_eq!((m.predictors(), m.extra_names()), (Logistic.predictors(), Logistic.extra_names()));
        assert_eq!(m.expected_is_observed(), Logistic.expected_is_observed());
        // An extra index past the model's extras leaves the NLL as it is.
        let m = MiscalibratedEta { inner: Logistic, change: Miscalibration::PlusLnParam(0) };
        assert_eq!(m.nll::<f64>(&[0.2], &[], 1.0), Logistic.nll::<f64>(&[0.2], &[], 1.0));
        let m = MiscalibratedEta { inner: LinearGaussian, change: Miscalibration::PlusLnParam(1) };
        assert_eq!(m.nll::<f64>(&eta, &extra, y), LinearGaussian.nll::<f64>(&eta, &extra, y));
    }
}
