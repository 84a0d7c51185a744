//! Every row of `tests/reference/data/extremes.csv` (mpmath at 40+ digits,
//! `tests/reference/scripts/extremes.py`): log-densities, CDFs, entropies
//! and KL divergences of every univariate family at extreme parameters —
//! 1e-300 … 1e300, subnormal scales, shapes and rates of 1e14 … 1e300 —
//! and extreme arguments.
//!
//! Tolerances (stated, not tuned): working error plus the error that
//! rounding the inputs alone causes. Each row carries `cond`, the sum over
//! the inputs `v` of `|v·∂value/∂v|` (from the script), and `8ε·cond` is
//! allowed on top of
//! - log-density: `1e-13·max(1, |ℓ|)`;
//! - CDF: `1e-14 + 1e-11·F` (relative accuracy in the lower tail), and
//!   the value must lie in `[0, 1]`;
//! - entropy, KL: `1e-12·max(1, |v|)`.
//!
//! Each call must also return (the test has no timeout of its own; a hang
//! is a hung test run) and never give NaN where the reference is a number.

mod common;

use common::{Failures, as_refs, parse_params};
use xent_distributions::{AnyUnivariate, LogDensity, Univariate};
use xent_reference::read_generated_rows;

fn build(family: &str, params: &str) -> Result<AnyUnivariate, String> {
    let p = parse_params(params);
    AnyUnivariate::from_params(family, &as_refs(&p)).map_err(|e| e.to_string())
}

fn within(got: f64, want: f64, abs: f64, rel: f64) -> bool {
    if want.is_infinite() {
        return got == want;
    }
    got.is_finite() && (got - want).abs() <= abs + rel * want.abs()
}

#[test]
fn every_extreme_reference_value() {
    let rows = read_generated_rows("extremes.csv");
    let mut f = Failures::default();
    for r in &rows {
        let (family, params, quantity, arg) = (r.get("family"), r.get("params"), r.get("quantity"), r.get("arg"));
        let want = r.f64("value");
        let cond = r.f64("cond");
        let slack = if cond.is_finite() { 8.0 * f64::EPSILON * cond } else { 0.0 };
        let d = match build(family, params) {
            Ok(d) => d,
            Err(e) => {
                f.push(format!("line {}: {family} {params}: {e}", r.line));
                continue;
            }
        };
        let (got, ok) = match quantity {
            "ln_density" => {
                let x: f64 = arg.parse().expect("x");
                let got = d.ln_density(&x);
                (got, within(got, want, 1e-13 * want.abs().max(1.0) + slack, 0.0))
            }
            "cdf" => {
                let x: f64 = arg.parse().expect("x");
                let got = d.cdf(x);
                (got, (0.0..=1.0).contains(&got) && within(got, want, 1e-14 + slack, 1e-11))
            }
            "entropy" => {
                let got = d.entropy();
                (got, within(got, want, 1e-12 * want.abs().max(1.0) + slack, 0.0))
            }
            "kl" => match build(family, arg) {
                Ok(q) => match d.kl_divergence(&q) {
                    Ok(got) => (got, within(got, want, 1e-12 * want.abs().max(1.0) + slack, 0.0)),
                    Err(e) => {
                        f.push(format!("line {}: {family} {params} KL to {arg}: {e}", r.line));
                        continue;
                    }
                },
                Err(e) => {
                    f.push(format!("line {}: q = {family} {arg}: {e}", r.line));
                    continue;
                }
            },
            other => panic!("line {}: unknown quantity {other}", r.line),
        };
        f.check(ok, || format!("line {}: {family} {params} {quantity}({arg}) = {got:e}, want {want:e}", r.line));
    }
    f.finish("extremes.csv", rows.len());
}
