//! `xent check-loss`: the verdict and constant for every built-in loss and
//! option, against the constants derived by hand; bad options exit 2.

mod common;

use common::{ok, xent};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let mut a = vec!["check-loss"];
    a.extend_from_slice(args);
    a.push("--json");
    serde_json::from_str(&ok(&xent(&a))).expect("JSON")
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn every_builtin_loss_gets_its_hand_derived_verdict() {
    let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    // (arguments, scale a, constant c): each a cross-entropy.
    let cases: &[(&[&str], f64, f64)] = &[
        (&["gaussian_nll"], 1.0, -half_ln_2pi),
        (&["gaussian_nll", "--full"], 1.0, 0.0),
        (&["poisson_nll"], 1.0, 0.0),
        (&["poisson_nll", "--log-input", "false"], 1.0, -1e-8),
        (&["binary_cross_entropy_with_logits"], 1.0, 0.0),
        (&["bce_with_logits", "--pos-weight", "1"], 1.0, 0.0),
        (&["cross_entropy", "--classes", "3"], 1.0, 0.0),
        (&["kl_div", "--reduction", "batchmean"], 1.0, 0.0),
        (&["kl_div", "--reduction", "sum"], 1.0, 0.0),
        (&["kl_div", "--reduction", "none"], 1.0, 0.0),
        (&["kl_div", "--reduction", "mean", "--classes", "8"], 0.125, 0.0),
    ];
    for (args, a, c) in cases {
        let v = json(args);
        assert_eq!(v["verdict"], "cross_entropy", "{args:?}: {v}");
        assert!((num(&v, "scale") - a).abs() <= 1e-8 * a, "{args:?}: a = {}", v["scale"]);
        assert!((num(&v, "constant") - c).abs() <= 1e-9, "{args:?}: c = {}", v["constant"]);
        assert!(num(&v, "deviation") <= num(&v, "tolerance"), "{args:?}");
    }
}

#[test]
fn the_losses_that_are_not_an_nll_are_rejected_with_evidence() {
    for args in [
        &["poisson_nll", "--full"][..],
        &["bce_with_logits", "--pos-weight", "2"],
        &["cross_entropy", "--label-smoothing", "0.1"],
    ] {
        let v = json(args);
        assert_eq!(v["verdict"], "not_cross_entropy", "{args:?}: {v}");
        assert!(num(&v, "deviation") > 1e-3, "{args:?}");
        assert!(v["evidence"].as_array().is_some_and(|e| e.len() >= 48));
    }
    // Stirling's ln y! is close to ln y!: q's mass stays within 2 % of 1.
    let text = ok(&xent(&["check-loss", "poisson_nll", "--full"]));
    assert!(text.contains("not a cross-entropy") && text.contains("mass of q"), "{text}");
    let v = json(&["poisson_nll", "--full"]);
    assert!(num(&v, "deviation") < 0.05);
}

#[test]
fn the_text_names_the_decomposition() {
    let text = ok(&xent(&["check-loss", "gaussian_nll"]));
    for want in ["a cross-entropy", "scale a     1\n", "constant c  -0.9189385332", "ln Z        0.9189385332"] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }
}

#[test]
fn options_that_do_not_apply_exit_2() {
    for args in [
        &["check-loss", "gaussian_nll", "--pos-weight", "2"][..],
        &["check-loss", "cross_entropy", "--full"],
        &["check-loss", "cross_entropy", "--label-smoothing", "1.5"],
        &["check-loss", "bce_with_logits", "--reduction", "batchmean"],
        &["check-loss", "kl_div", "--classes", "1"],
        &["check-loss", "gaussian_nll", "--scale", "-1"],
        &["check-loss", "gaussian_nll", "--outputs", "1"],
        &["check-loss", "no_such_loss"],
    ] {
        let out = xent(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error:"), "{args:?}: {err}");
    }
}
