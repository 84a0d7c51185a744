//! Every row of the reference tables in `shared/reference/`, read at run time.
//!
//! A row naming a family this crate does not know fails the test.

mod common;

use common::{Failures, as_refs, close, parse_params, read_dataset, read_rows};
use xent_distributions::{AnyUnivariate, LogDensity, Named, Univariate};

fn build(family: &str, params: &str) -> Result<AnyUnivariate, String> {
    let p = parse_params(params);
    AnyUnivariate::from_params(family, &as_refs(&p)).map_err(|e| e.to_string())
}

/// log_density.csv: relative 1e-12 on finite values, absolute 1e-12 near zero.
#[test]
fn log_density_and_cdf_match_every_reference_row() {
    let rows = read_rows("log_density.csv");
    let mut f = Failures::default();
    for r in &rows {
        let (family, params, x) = (r.get("family"), r.get("params"), r.f64("x"));
        let d = match build(family, params) {
            Ok(d) => d,
            Err(e) => {
                f.push(format!("line {}: {family} {params}: {e}", r.line));
                continue;
            }
        };
        let (want_ld, want_cdf) = (r.f64("log_density"), r.f64("cdf"));
        let got_ld = d.ln_density(&x);
        f.check(close(got_ld, want_ld, 1e-12, 1e-12), || {
            format!("line {}: {family} {params} ln q({x}) = {got_ld:e}, want {want_ld:e}", r.line)
        });
        let got_cdf = d.cdf(x);
        f.check(close(got_cdf, want_cdf, 1e-12, 1e-12), || {
            format!("line {}: {family} {params} F({x}) = {got_cdf:e}, want {want_cdf:e}", r.line)
        });
    }
    f.finish("log_density.csv", rows.len());
}

/// entropy.csv, at the log-density tolerance (relative 1e-12, absolute 1e-12).
#[test]
fn entropy_matches_every_reference_row() {
    let rows = read_rows("entropy.csv");
    let mut f = Failures::default();
    for r in &rows {
        let (family, params) = (r.get("family"), r.get("params"));
        match build(family, params) {
            Ok(d) => {
                let (got, want) = (d.entropy(), r.f64("entropy_nats"));
                f.check(close(got, want, 1e-12, 1e-12), || {
                    format!("line {}: {family} {params} H = {got:e}, want {want:e}", r.line)
                });
            }
            Err(e) => f.push(format!("line {}: {family} {params}: {e}", r.line)),
        }
    }
    f.finish("entropy.csv", rows.len());
}

/// cross_entropy.csv: the reference is quadrature or exact summation,
/// accurate to about 1e-10 absolute; we allow 1e-9 absolute or relative.
#[test]
fn cross_entropy_and_kl_match_every_reference_row() {
    let rows = read_rows("cross_entropy.csv");
    let mut f = Failures::default();
    for r in &rows {
        let family = r.get("family");
        let (pp, qp) = (r.get("params_p"), r.get("params_q"));
        let (p, q) = match (build(family, pp), build(family, qp)) {
            (Ok(p), Ok(q)) => (p, q),
            (Err(e), _) | (_, Err(e)) => {
                f.push(format!("line {}: {family}: {e}", r.line));
                continue;
            }
        };
        for (what, got, want) in [
            ("H(p, q)", p.cross_entropy(&q), r.f64("cross_entropy_nats")),
            ("KL(p || q)", p.kl_divergence(&q), r.f64("kl_nats")),
        ] {
            match got {
                Ok(g) => f.check(close(g, want, 1e-9, 1e-9), || {
                    format!("line {}: {family} p={pp} q={qp} {what} = {g:e}, want {want:e}", r.line)
                }),
                Err(e) => f.push(format!("line {}: {family} {what}: {e}", r.line)),
            }
        }
    }
    f.finish("cross_entropy.csv", rows.len());
}

/// Families whose MLE this crate computes in closed form.
const CLOSED_FORM: &[&str] = &[
    "normal",
    "log_normal",
    "exponential",
    "laplace",
    "poisson",
    "bernoulli",
    "binomial",
    "geometric",
    "categorical",
    "uniform",
    "pareto",
    "rayleigh",
    "inverse_gaussian",
    "multivariate_normal",
];

/// Families with no closed-form MLE: their rows belong to the numerical fit
/// (the fitting issue); here they must at least be known families whose
/// reference optimum has the reported log-likelihood.
const NUMERICAL: &[&str] = &["gamma", "beta", "weibull", "student_t", "negative_binomial", "dirichlet", "cauchy"];

/// mle_fits.csv: closed-form fits reach the reference log-likelihood (no
/// lower than ref − 1e-9·|ref|) and parameters within relative 1e-6.
#[test]
fn closed_form_mle_matches_every_reference_fit() {
    let rows = read_rows("mle_fits.csv");
    let mut f = Failures::default();
    let mut checked = 0;
    for r in &rows {
        let (family, dataset) = (r.get("family"), r.get("dataset"));
        let want_ll = r.f64("log_likelihood");
        let want = parse_params(r.get("mle_params"));
        let data = read_dataset(dataset);
        f.check(data.len() == r.f64("n") as usize, || {
            format!("line {}: {dataset} has {} rows, table says n = {}", r.line, data.len(), r.get("n"))
        });
        if NUMERICAL.contains(&family) {
            // Certify the reference optimum's log-likelihood with our log-density.
            match build(family, r.get("mle_params")) {
                Ok(d) => {
                    let ll = d.sum_ln_density(&data);
                    f.check(close(ll, want_ll, 1e-9, 0.0), || {
                        format!("line {}: {family} log-likelihood at reference optimum {ll}, want {want_ll}", r.line)
                    });
                }
                Err(e) => f.push(format!("line {}: {family}: {e}", r.line)),
            }
            checked += 1;
            continue;
        }
        if !CLOSED_FORM.contains(&family) {
            f.push(format!("line {}: unknown family {family}", r.line));
            continue;
        }
        let fixed: Vec<(String, f64)> = want.iter().filter(|(k, _)| k == "trials").cloned().collect();
        let fit = match AnyUnivariate::fit_closed_form(family, &data, None, &as_refs(&fixed)) {
            Ok(d) => d,
            Err(e) => {
                f.push(format!("line {}: {family} fit failed: {e}", r.line));
                continue;
            }
        };
        checked += 1;
        let ll = fit.sum_ln_density(&data);
        f.check(ll >= want_ll - 1e-9 * want_ll.abs(), || {
            format!("line {}: {family} fitted log-likelihood {ll} < reference {want_ll}", r.line)
        });
        let got = fit.named_params();
        for (name, w) in &want {
            match got.iter().find(|(n, _)| n == name) {
                Some(&(_, g)) => {
                    f.check(close(g, *w, 1e-6, 0.0), || format!("line {}: {family} {name} = {g}, want {w}", r.line))
                }
                None => f.push(format!("line {}: {family} has no parameter {name}", r.line)),
            }
        }
    }
    f.finish("mle_fits.csv", checked);
}

/// Large degrees of freedom, where `lnΓ((ν+1)/2) − lnΓ(ν/2)` cancels: values
/// from mpmath at 40 digits (ν = 10⁶, x = 1.3).
#[test]
fn student_t_keeps_precision_at_large_dof() {
    let d = AnyUnivariate::from_params("student_t", &[("location", 0.0), ("scale", 1.0), ("dof", 1e6)]).unwrap();
    let lp = d.ln_density(&1.3);
    assert!((lp + 1.763_938_914_179_763_2).abs() < 1e-14, "ln q = {lp}");
    let h = d.entropy();
    assert!((h - 1.418_939_533_204_922_7).abs() < 1e-13, "H = {h}");
}
