//! The premises the harness establishes itself: wrong models a user might
//! write are rejected at step (1), by the check that owns the premise, and
//! valid ones pass. Each class runs over several seeds.

use xent_distributions::{LogDensity, ParamError, Scalar, Support};
use xent_objectives::{Family, Model, Transform};
use xent_verify::controls::{Miscalibrated, Miscalibration};
use xent_verify::premises::DensityModel;
use xent_verify::{Instance, Status, part_a_exact, step_1};

/// A normal written by hand; `ln_sigma` false drops its −ln σ.
struct HandNormal {
    ln_sigma: bool,
}
struct HandNormalDist<T> {
    mu: T,
    sigma: T,
    ln_sigma: bool,
}
impl<T: Scalar> LogDensity<T> for HandNormalDist<T> {
    type Obs = f64;
    fn ln_density(&self, &x: &f64) -> T {
        let z = (T::cst(x) - self.mu) / self.sigma;
        let base = -z * z * T::cst(0.5) - T::cst(0.5 * (2.0 * std::f64::consts::PI).ln());
        if self.ln_sigma { base - self.sigma.ln() } else { base }
    }
}
impl Model for HandNormal {
    type Obs = f64;
    type Dist<T: Scalar> = HandNormalDist<T>;
    fn name(&self) -> String {
        "hand-written normal".into()
    }
    fn param_names(&self) -> Vec<String> {
        vec!["mu".into(), "sigma".into()]
    }
    fn transforms(&self) -> Vec<Transform> {
        vec![Transform::Identity, Transform::Exp]
    }
    fn build<T: Scalar>(&self, t: &[T]) -> Result<HandNormalDist<T>, ParamError> {
        Ok(HandNormalDist { mu: t[0], sigma: t[1], ln_sigma: self.ln_sigma })
    }
}
impl DensityModel for HandNormal {
    fn sample_space(&self, _theta: &[f64]) -> Option<Support> {
        Some(Support::Continuous { low: f64::NEG_INFINITY, high: f64::INFINITY })
    }
}

fn data(seed: u64) -> Vec<f64> {
    // A deterministic, seed-dependent normal-ish sample (sum of uniforms).
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..600).map(|_| 1.0 + 2.0 * ((0..12).map(|_| next()).sum::<f64>() - 6.0)).collect()
}

fn failing_checks<M: DensityModel<Obs = f64>>(model: &M, x: &[f64], seed: u64) -> Vec<&'static str> {
    let inst = Instance::new(model, x, 20, seed).unwrap();
    step_1(&inst).checks.iter().filter(|c| !c.passed).map(|c| c.check).collect()
}

#[test]
fn a_normal_without_ln_sigma_is_not_a_density() {
    for seed in 0..10 {
        let x = data(seed);
        assert_eq!(failing_checks(&HandNormal { ln_sigma: false }, &x, seed), ["density_normalised"], "seed {seed}");
        assert!(failing_checks(&HandNormal { ln_sigma: true }, &x, seed).is_empty(), "seed {seed}");
        // It also has no finite maximiser: (2)->(2b) says so.
        let bad = HandNormal { ln_sigma: false };
        let inst = Instance::new(&bad, &x, 20, seed).unwrap();
        let steps = part_a_exact(&inst);
        assert_eq!(steps[3].status, Status::Fail, "seed {seed}: {:?}", steps[3].checks);
    }
}

#[test]
fn derivative_errors_are_seen_at_their_resolution() {
    for seed in 0..10 {
        let x = data(seed);
        for (delta, caught) in [(1e-4, true), (1e-5, true), (1e-8, false), (1e-9, false)] {
            let m = Miscalibrated { inner: &Family::Normal, change: Miscalibration::DerivativeScale(delta) };
            let fails = failing_checks(&m, &x, seed);
            if caught {
                assert_eq!(fails, ["derivatives_match"], "delta {delta} seed {seed}");
            } else {
                assert!(fails.is_empty(), "delta {delta} seed {seed}: {fails:?}");
            }
        }
    }
}

#[test]
fn a_density_off_by_a_constant_factor_is_rejected() {
    for seed in 0..10 {
        let x = data(seed);
        for (c, caught) in [(1e-3, true), (-2e-8, true), (1e-10, false)] {
            let m = Miscalibrated { inner: &Family::Normal, change: Miscalibration::LnOffset(c) };
            let fails = failing_checks(&m, &x, seed);
            assert_eq!(!fails.is_empty(), caught, "offset {c} seed {seed}: {fails:?}");
        }
    }
}
