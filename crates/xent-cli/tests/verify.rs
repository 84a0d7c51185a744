//! `xent verify` (what `cargo xtask verify` runs) end to end: exit codes,
//! JSON shape, determinism across thread counts, filtering, `--help`, and a
//! snapshot of the report's shape.

use std::process::Command;

fn verify(args: &[&str], threads: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xent"))
        .arg("verify")
        .args(args)
        .env("XENT_THREADS", threads)
        .output()
        .expect("xtask runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

const STEP_IDS: [&str; 13] = [
    "(1)",
    "(1)->(2a)",
    "(2a)->(2)",
    "(2)->(2b)",
    "(2b)->(3)",
    "(3)'",
    "(4)",
    "(4)->(5)",
    "(5)->(6)",
    "(6)->(7)",
    "(7)->(8)",
    "(8)->(9)",
    "(6)''",
];

#[test]
fn json_is_complete_deterministic_and_thread_independent() {
    let (code1, json1, _) = verify(&["--quick", "--json", "--seed", "7"], "1");
    let (code2, json2, _) = verify(&["--quick", "--json", "--seed", "7"], "2");
    assert_eq!(code1, 0, "verify failed:\n{json1}");
    assert_eq!(code2, 0);
    assert_eq!(json1, json2, "the same seed must give byte-identical JSON for any thread count");
    let v: serde_json::Value = serde_json::from_str(&json1).expect("valid JSON");
    assert_eq!(v["seed"], 7);
    assert_eq!(v["profile"], "quick");
    let ids: Vec<&str> = v["steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    for id in STEP_IDS {
        assert!(ids.contains(&id), "step {id} missing");
        // Every step has at least one wrong variant that verify rejects.
        let negative = v["controls"].as_array().unwrap().iter().any(|c| c["step"] == id && c["kind"] == "negative");
        assert!(negative, "step {id} has no negative control");
    }
    let controls = v["controls"].as_array().unwrap();
    let negatives = controls.iter().filter(|c| c["kind"] == "negative").count();
    let positives = controls.iter().filter(|c| c["kind"] == "positive").count();
    assert!(negatives >= 10 && positives >= 4, "{negatives} negative, {positives} positive controls");
    // Wrong steps rejected, valid ones accepted; those below the stated
    // power make no claim either way.
    assert!(controls.iter().all(|c| match c["kind"].as_str() {
        Some("negative") => c["outcome"] == "rejected",
        Some("positive") => c["outcome"] == "accepted",
        Some("below power") => true,
        other => panic!("unknown kind {other:?}"),
    }));
    let cauchy: Vec<&serde_json::Value> =
        v["steps"].as_array().unwrap().iter().filter(|s| s["model"].as_str().unwrap().contains("cauchy")).collect();
    assert!(!cauchy.is_empty() && cauchy.iter().all(|s| s["status"] == "not_applicable"));
    assert_eq!(v["summary"]["success"], true);
    // A filtered run is exactly the matching part of the full run: the same
    // seeds, the same figures, nothing else.
    for filter in ["(6)->(7)", "gamma", "(3)'"] {
        let (code, part, _) = verify(&["--quick", "--json", "--seed", "7", "--filter", filter], "2");
        assert_eq!(code, 0);
        let part: serde_json::Value = serde_json::from_str(&part).unwrap();
        let keep = |x: &&serde_json::Value, key: &str| {
            x[key].as_str().unwrap().contains(filter) || x["model"].as_str().unwrap().contains(filter)
        };
        let steps: Vec<&serde_json::Value> = v["steps"].as_array().unwrap().iter().filter(|s| keep(s, "id")).collect();
        let controls: Vec<&serde_json::Value> =
            v["controls"].as_array().unwrap().iter().filter(|c| keep(c, "step")).collect();
        assert!(!steps.is_empty(), "{filter}");
        assert_eq!(part["steps"].as_array().unwrap().iter().collect::<Vec<_>>(), steps, "{filter}");
        assert_eq!(part["controls"].as_array().unwrap().iter().collect::<Vec<_>>(), controls, "{filter}");
    }
}

#[test]
fn filter_and_bad_flags() {
    let (code, json, _) = verify(&["--quick", "--json", "--filter", "(6)->(7)"], "2");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["steps"].as_array().unwrap().iter().all(|s| s["id"] == "(6)->(7)"));
    let (code, _, err) = verify(&["--bogus"], "1");
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument '--bogus'"), "{err}");
    let (code, help, _) = verify(&["--help"], "1");
    assert_eq!(code, 0);
    for flag in ["--json", "--seed", "--quick", "--filter"] {
        assert!(help.contains(flag), "--help does not name {flag}:\n{help}");
    }
    let (code, _, _) = verify(&["--seed", "x"], "1");
    assert_eq!(code, 2);
    // A filter that matches nothing verifies nothing: a bad argument.
    let (code, out, err) = verify(&["--quick", "--filter", "(2)->(3)"], "1");
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(err.trim(), "error: --filter '(2)->(3)' matches no step id and no model name");
}

/// The report's shape — ids, models, relations, marks, control outcomes —
/// with every number masked (figures vary in their last digits by design
/// of the seeds, not by platform; the snapshot pins the structure).
#[test]
fn report_snapshot() {
    let (code, text, _) = verify(&["--quick", "--seed", "1"], "2");
    assert_eq!(code, 0);
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= xent_verify::report::WIDTH, "a line of {widest} columns");
    // Grouped by step, in the derivation's order, each with its expression.
    let mut at = 0;
    for step in xent_verify::StepId::ALL {
        let head = format!("{}  {}", step.id(), step.name());
        let found = text[at..].find(&head).unwrap_or_else(|| panic!("{head} missing or out of order"));
        at += found;
        assert!(text[at..].lines().nth(1).is_some_and(|l| l.trim() == step.expression()), "{head}: expression");
    }
    assert!(text.contains("Checks and their bounds"));
    let masked: String = text
        .lines()
        .map(|l| {
            let mut out = String::new();
            let mut in_num = false;
            for ch in l.chars() {
                let numeric = ch.is_ascii_digit() || (in_num && (ch == '.' || ch == 'e' || ch == '-'));
                if numeric {
                    if !in_num {
                        out.push('#');
                    }
                    in_num = true;
                } else {
                    in_num = false;
                    out.push(ch);
                }
            }
            out.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("verify_quick_report", masked);
}
