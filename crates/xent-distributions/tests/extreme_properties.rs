//! Properties of every univariate family over its whole parameter domain,
//! to the extremes: parameters drawn log-uniformly over 1e-300 … 1e300
//! (and subnormal), probabilities down to 1e-300 and up to 1 − 1e-16, and
//! arguments across the support on a log scale. For every valid member:
//! no log-density, CDF or entropy is NaN, no log-density is `+∞` inside the
//! support, every CDF lies in `[0, 1]` and is non-decreasing in `x`. (Each
//! call also returns: a hang is a hung test run.) Values are checked
//! against mpmath in `extremes.rs`; these properties cover the space
//! between those points. Fixed seeds.

mod common;

use common::proptest_config;
use proptest::prelude::*;
use xent_distributions::{AnyUnivariate, Domain, LogDensity, Parameter, Parametric, Support, Univariate};

macro_rules! domains {
    ($($v:ident = $n:literal,)*) => {
        vec![$(($n, <xent_distributions::$v as Parametric>::PARAMETERS)),*]
    };
}

const TRIALS: &[Parameter] = &[Parameter::positive("trials"), Parameter::probability("p")];

fn families() -> Vec<(&'static str, &'static [Parameter])> {
    let mut v: Vec<(&'static str, &'static [Parameter])> =
        xent_distributions::univariate_families!(domains, parametric);
    v.push(("binomial", TRIALS));
    v
}

/// A value of the domain from a uniform `u` in [0, 1) and a selector.
fn draw(domain: Domain, u: f64, pick: u8) -> f64 {
    let mag = 10f64.powf(-300.0 + 600.0 * u);
    match domain {
        Domain::Real => match pick % 4 {
            0 => 0.0,
            1 => -mag,
            _ => mag,
        },
        Domain::Positive => {
            if pick.is_multiple_of(16) {
                5e-324 * (1.0 + (u * 1000.0).floor())
            } else {
                mag
            }
        }
        Domain::UnitInterval => match pick % 3 {
            0 => 10f64.powf(-300.0 * u),
            1 => 1.0 - 10f64.powf(-16.0 * u),
            _ => 0.5,
        },
    }
}

fn build(name: &str, params: &[Parameter], us: &[f64], picks: &[u8]) -> Option<AnyUnivariate> {
    let values: Vec<(&str, f64)> = params
        .iter()
        .zip(us.iter().zip(picks))
        .map(|(p, (&u, &k))| {
            let v = draw(p.domain, u, k);
            if p.name == "trials" { (p.name, (v.min(1e18)).floor()) } else { (p.name, v) }
        })
        .collect();
    AnyUnivariate::from_params(name, &values).ok()
}

/// Points across the support: the ends, the mean ± multiples of the
/// standard deviation where they exist, and log-spaced points.
fn points(d: &AnyUnivariate, us: &[f64]) -> Vec<f64> {
    let (low, high, discrete) = match d.support() {
        Support::Continuous { low, high } => (low, high, false),
        Support::Discrete { low, high } => (low, high, true),
        _ => (f64::NEG_INFINITY, f64::INFINITY, false),
    };
    let mut xs = vec![low, high];
    if let (Some(m), Some(v)) = (d.mean(), d.variance()) {
        let s = v.sqrt();
        for k in [-30.0, -3.0, -1.0, 0.0, 1.0, 3.0, 30.0] {
            xs.push(m + k * s);
        }
    }
    for &u in us {
        let mag = 10f64.powf(-300.0 + 600.0 * u);
        xs.extend([mag, -mag, low + mag, high - mag]);
    }
    let mut xs: Vec<f64> = xs
        .into_iter()
        .filter(|x| x.is_finite())
        .map(|x| if discrete { x.floor() } else { x })
        .filter(|&x| x >= low && x <= high)
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs
}

fn interior(d: &AnyUnivariate, x: f64) -> bool {
    match d.support() {
        Support::Continuous { low, high } => x > low && x < high,
        Support::Discrete { low, high } => x >= low && x <= high,
        _ => true,
    }
}

proptest! {
    #![proptest_config(proptest_config(3000, 0x5eed_e417))]
    #[test]
    fn no_nan_cdf_in_unit_interval_and_monotone(
        which in 0usize..64,
        us in prop::collection::vec(0.0f64..1.0, 3),
        picks in prop::collection::vec(any::<u8>(), 3),
        xs_u in prop::collection::vec(0.0f64..1.0, 4),
    ) {
        let fams = families();
        let (name, params) = fams[which % fams.len()];
        let Some(d) = build(name, params, &us, &picks) else { return Ok(()); };
        let what = format!("{name} {:?}", xent_distributions::Named::named_params(&d));
        prop_assert!(!d.entropy().is_nan(), "{what}: entropy is NaN");
        let mut last = 0.0;
        for x in points(&d, &xs_u) {
            let ld = d.ln_density(&x);
            prop_assert!(!ld.is_nan(), "{what}: ln q({x:e}) is NaN");
            if interior(&d, x) {
                prop_assert!(ld < f64::INFINITY, "{what}: ln q({x:e}) = +inf inside the support");
            }
            let f = d.cdf(x);
            prop_assert!((0.0..=1.0).contains(&f), "{what}: F({x:e}) = {f:e}");
            prop_assert!(f >= last - 1e-15, "{what}: F({x:e}) = {f:e} below {last:e} at a smaller x");
            last = f;
        }
    }
}

proptest! {
    #![proptest_config(proptest_config(3000, 0x5eed_0c1d))]
    /// KL divergences and cross-entropies between two members of a family
    /// anywhere in its domain are a typed error or a number — never NaN —
    /// and a KL divergence is not negative beyond its rounding.
    #[test]
    fn divergences_are_numbers_or_typed_errors(
        which in 0usize..64,
        us in prop::collection::vec(0.0f64..1.0, 6),
        picks in prop::collection::vec(any::<u8>(), 6),
    ) {
        let fams = families();
        let (name, params) = fams[which % fams.len()];
        let n = params.len();
        let (Some(p), Some(q)) = (build(name, params, &us[..n], &picks[..n]), build(name, params, &us[3..3 + n], &picks[3..3 + n])) else {
            return Ok(());
        };
        let what = format!(
            "{name} {:?} ‖ {:?}",
            xent_distributions::Named::named_params(&p),
            xent_distributions::Named::named_params(&q)
        );
        if let Ok(kl) = p.kl_divergence(&q) {
            prop_assert!(!kl.is_nan(), "{what}: KL is NaN");
            let scale = p.cross_entropy(&q).map_or(1.0, |h| h.abs().max(1.0));
            prop_assert!(kl >= -1e-12 * scale, "{what}: KL = {kl:e} < 0");
        }
        if let Ok(h) = p.cross_entropy(&q) {
            prop_assert!(!h.is_nan(), "{what}: cross-entropy is NaN");
        }
        if let Ok(kl) = p.kl_divergence(&p) {
            let scale = p.entropy().abs().max(1.0);
            prop_assert!(kl.abs() <= 1e-12 * scale || kl == 0.0, "{what}: KL(p ‖ p) = {kl:e}");
        }
    }
}
