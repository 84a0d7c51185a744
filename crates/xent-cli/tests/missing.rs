//! `--missing error|drop`: a missing value stops the run with an error that
//! names the option, or its row is left out and the report says how many
//! rows were and why.

mod common;

use common::{ok, write, xent};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(&xent(args))).expect("JSON")
}

fn error_of(args: &[&str]) -> String {
    let out = xent(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_fit_drops_the_rows_with_a_missing_value_and_says_so() {
    let with = write("m-with.csv", "x,w\n1.5,1\nNA,2\n2.5,1\n,1\n0.5,3\nnull,1\n3.5,\n4.0,2\n");
    let without = write("m-without.csv", "x,w\n1.5,1\n2.5,1\n0.5,3\n4.0,2\n");
    let (p, q) = (with.to_str().unwrap(), without.to_str().unwrap());
    for family in ["gamma", "weibull"] {
        // The default: an error at the first one, naming the option.
        let err = error_of(&["fit", p, "--family", family, "--column", "x"]);
        assert!(err.contains("line 3, column `x`: `NA` is a missing value; --missing drop"), "{err}");
        let a = json(&["fit", p, "--family", family, "--weights", "w", "--missing", "drop", "--json"]);
        let b = json(&["fit", q, "--family", family, "--weights", "w", "--json"]);
        assert_eq!(a["params"], b["params"], "{family}");
        assert_eq!(a["n"], 7);
        assert_eq!(a["dropped"]["rows"], 4, "{}", a["dropped"]);
        assert_eq!(a["dropped"]["missing_by_column"]["x"], 3);
        assert_eq!(a["dropped"]["missing_by_column"]["w"], 1);
        assert!(b.get("dropped").is_none(), "no `dropped` without --missing drop");
        let text = ok(&xent(&["fit", p, "--family", family, "--weights", "w", "--missing", "drop"]));
        assert!(text.contains("dropped 4 rows with a missing value (missing cells: `w` 1, `x` 3)"), "{text}");
    }
    let text = ok(&xent(&["fit", p, "--family", "auto", "--column", "x", "--missing", "drop"]));
    assert!(text.contains("n = 5, ranked by AIC") && text.contains("dropped 3 rows"), "{text}");
    // Nothing left.
    let empty = write("m-empty.csv", "x\nNA\n\n");
    let err = error_of(&["fit", empty.to_str().unwrap(), "--family", "gamma", "--missing", "drop"]);
    assert!(err.contains("every row") && err.contains("missing"), "{err}");
    // Not a missing value: still an error, whatever --missing says.
    let text = write("m-text.csv", "x\n1\nabc\n");
    let err = error_of(&["fit", text.to_str().unwrap(), "--family", "gamma", "--missing", "drop"]);
    assert!(err.contains("`abc` is not a number"), "{err}");
}

#[test]
fn a_regression_drops_rows_missing_in_the_columns_it_uses() {
    let rows = [
        "y,a,b,note,w",
        "0,1.0,0.5,x,1",
        "1,2.0,NA,,2",
        "0,3.0,0.1,,1",
        "1,,0.3,y,1",
        "1,5.0,0.2,,1",
        "0,6.0,0.9,,2",
        "NA,7.0,0.4,,1",
        "1,8.0,0.6,,1",
        "0,9.0,0.7,,1",
        "1,1.5,0.8,,",
    ];
    let p = write("r-with.csv", &(rows.join("\n") + "\n"));
    let kept = [rows[0], rows[1], rows[3], rows[5], rows[6], rows[8], rows[9]];
    let q = write("r-without.csv", &(kept.join("\n") + "\n"));
    let (p, q) = (p.to_str().unwrap(), q.to_str().unwrap());
    fn args(f: &str) -> Vec<&str> {
        vec!["regress", f, "--model", "linear", "--target", "y", "--features", "a,b", "--weights", "w", "--json"]
    }
    let err = error_of(&args(p)[..8]);
    assert!(err.contains("line 8, column `y`: `NA` is a missing value; --missing drop"), "{err}");
    let mut drop = args(p);
    drop.extend(["--missing", "drop"]);
    let a = json(&drop);
    let b = json(&args(q));
    assert_eq!(a["coefficients"], b["coefficients"]);
    // `note` is not used: its empty cells drop nothing.
    assert_eq!(a["dropped"]["rows"], 4, "{}", a["dropped"]);
    let by = &a["dropped"]["missing_by_column"];
    assert_eq!(
        (by["a"].as_u64(), by["b"].as_u64(), by["y"].as_u64(), by["w"].as_u64()),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert!(by.get("note").is_none());
    let text = ok(&xent(&drop[..drop.len() - 3].iter().copied().chain(["--missing", "drop"]).collect::<Vec<_>>()));
    assert!(text.contains("dropped 4 rows with a missing value"), "{text}");
}
