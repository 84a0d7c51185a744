//! Every bad input exits non-zero with one clear line on stderr, never a panic.

mod common;

use common::{dataset, write, xent};

/// Runs `xent args…`, asserts exit code `code` and a one-line message that
/// contains every one of `needles`.
fn fails(args: &[&str], code: i32, needles: &[&str]) {
    let out = xent(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: status {} stderr {err}", out.status);
    if code == 1 {
        assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` not in: {err}");
    }
    assert!(out.stdout.is_empty(), "{args:?}: printed {}", String::from_utf8_lossy(&out.stdout));
}

fn fit(path: &std::path::Path, family: &str) -> Vec<String> {
    vec!["fit".into(), path.to_str().unwrap().into(), "--family".into(), family.into()]
}

fn run_fit(path: &std::path::Path, family: &str, code: i32, needles: &[&str]) {
    let args = fit(path, family);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    fails(&args, code, needles);
}

#[test]
fn missing_empty_and_header_only_files() {
    run_fit(std::path::Path::new("/no/such/file.csv"), "normal", 1, &["cannot read", "/no/such/file.csv"]);
    run_fit(&write("empty.csv", ""), "normal", 1, &["is empty"]);
    run_fit(&write("header.csv", "x\n"), "normal", 1, &["header but no data rows"]);
    // Also in the in-memory path (auto) and for regressions.
    run_fit(&write("header2.csv", "x\n"), "auto", 1, &["no data rows"]);
    let p = write("header3.csv", "x1,y\n");
    fails(&["regress", p.to_str().unwrap(), "--model", "linear", "--target", "y"], 1, &["no data rows"]);
}

#[test]
fn missing_and_ambiguous_columns() {
    let p = write("two.csv", "a,b\n1,2\n3,4\n");
    fails(&["fit", p.to_str().unwrap(), "--family", "normal", "--column", "c"], 1, &["no column `c`", "a, b"]);
    fails(&["fit", p.to_str().unwrap(), "--family", "normal"], 1, &["2 columns", "--column"]);
    fails(&["regress", p.to_str().unwrap(), "--model", "linear", "--target", "z"], 1, &["no column `z`"]);
    fails(
        &["regress", p.to_str().unwrap(), "--model", "linear", "--target", "b", "--features", "a,q"],
        1,
        &["no column `q`"],
    );
}

#[test]
fn non_numeric_and_non_finite_cells_name_line_and_column() {
    let p = write("text.csv", "x\n1.0\n2.5\nabc\n3\n");
    run_fit(&p, "normal", 1, &["line 4", "column `x`", "`abc` is not a number"]);
    run_fit(&p, "student_t", 1, &["line 4", "`abc`"]);
    // Empty cells and NaN are missing values: an error naming the option.
    let p = write("blank.csv", "x\n1.0\n\"\"\n3\n");
    run_fit(&p, "normal", 1, &["line 3", "is a missing value", "--missing drop"]);
    let p = write("nan.csv", "x\n1.0\n2.0\nNaN\n");
    run_fit(&p, "normal", 1, &["line 4", "`NaN` is a missing value"]);
    run_fit(&p, "cauchy", 1, &["line 4", "`NaN` is a missing value"]);
    for (name, cell) in [("inf.csv", "inf"), ("neginf.csv", "-Infinity")] {
        let p = write(name, &format!("x\n1.0\n2.0\n{cell}\n"));
        run_fit(&p, "normal", 1, &["line 4", "not finite"]);
        run_fit(&p, "cauchy", 1, &["line 4", "not finite"]);
    }
    let p = write("reg_text.csv", "x1,y\n1,0\n2,oops\n3,1\n");
    fails(&["regress", p.to_str().unwrap(), "--model", "logistic", "--target", "y"], 1, &["line 3", "column `y`"]);
    let p = write("reg_feat.csv", "x1,x2,y\n1,a,0\n2,1,1\n3,2,1\n");
    fails(
        &["regress", p.to_str().unwrap(), "--model", "logistic", "--target", "y", "--features", "x1,x2"],
        1,
        &["line 2", "column `x2`", "`a`"],
    );
}

#[test]
fn ragged_rows_name_the_line() {
    let p = write("ragged.csv", "x,y\n1,2\n3\n4,5\n");
    fails(&["fit", p.to_str().unwrap(), "--family", "normal", "--column", "x"], 1, &["line 3", "1 fields", "2"]);
    fails(&["regress", p.to_str().unwrap(), "--model", "linear", "--target", "y"], 1, &["line 3"]);
}

#[test]
fn out_of_support_values_are_counted_and_located() {
    let p = write("neg.csv", "x\n1.0\n2.0\n-3.0\n4.0\n-5.0\n");
    for family in ["gamma", "exponential", "weibull", "log_normal"] {
        run_fit(&p, family, 1, &["2 values are outside the support", family, "line 4", "-3"]);
    }
    let p = write("frac.csv", "k\n1\n2\n2.5\n");
    run_fit(&p, "poisson", 1, &["1 values are outside the support of poisson", "line 4", "2.5"]);
    let p = write("beta.csv", "x\n0.2\n1.5\n0.4\n");
    run_fit(&p, "beta", 1, &["outside the support of beta", "line 3"]);
}

#[test]
fn degenerate_data_has_no_finite_mle() {
    let p = write("const.csv", "x\n2.5\n2.5\n2.5\n2.5\n");
    for family in ["normal", "gamma", "student_t", "laplace", "log_normal", "cauchy"] {
        run_fit(&p, family, 1, &["no finite maximum-likelihood estimate"]);
    }
    // Constant features beside the intercept: the design is rank-deficient.
    let q = write("collinear.csv", "x1,x2,y\n1,1,0.5\n1,1,1.5\n1,1,2.0\n1,1,0.1\n");
    fails(&["regress", q.to_str().unwrap(), "--model", "linear", "--target", "y"], 1, &["rank deficient"]);
}

#[test]
fn separated_classes_say_separation() {
    let p = dataset("pub_separable.csv");
    fails(&["regress", p.to_str().unwrap(), "--model", "logistic", "--target", "y"], 1, &["separation"]);
    let q = write("sep3.csv", "x1,y\n-3,0\n-2,0\n-1,0\n1,1\n2,1\n3,1\n5,2\n6,2\n7,2\n");
    fails(&["regress", q.to_str().unwrap(), "--model", "softmax", "--target", "y"], 1, &["separation"]);
}

#[test]
fn non_convergence_reports_the_best_point() {
    let p = dataset("pub_student_t.csv");
    fails(
        &["fit", p.to_str().unwrap(), "--family", "student_t", "--max-iterations", "1"],
        1,
        &["did not converge", "best point", "dof=", "--max-iterations"],
    );
    let p = dataset("pub_logistic.csv");
    fails(
        &["regress", p.to_str().unwrap(), "--model", "logistic", "--target", "y", "--max-iterations", "1"],
        1,
        &["did not converge"],
    );
}

#[test]
fn bad_arguments_exit_2() {
    let p = dataset("pub_normal.csv");
    let p = p.to_str().unwrap();
    fails(&["fit", p, "--family", "gaussian"], 2, &["unknown family `gaussian`", "student_t"]);
    fails(&["fit", p, "--family", "normal", "--fix", "mean"], 2, &["name=value"]);
    fails(&["fit", p, "--family", "normal", "--fix", "mean=abc"], 2, &["not a number"]);
    fails(&["fit", p, "--family", "binomial"], 2, &["--fix trials=N"]);
    fails(&["fit", p, "--family", "auto", "--fix", "mean=0"], 2, &["auto"]);
    fails(&["fit", p], 2, &["--family"]);
    fails(&["regress", p, "--model", "probit", "--target", "x"], 2, &["probit"]);
    fails(&["verify", "--seed", "abc"], 2, &["seed"]);
    fails(
        &["fit", p, "--family", "normal", "--fix", "sigma=1"],
        2,
        &["normal has no parameter `sigma`", "mean, std_dev"],
    );
}

#[test]
fn logistic_and_poisson_targets_are_checked() {
    let p = write("y2.csv", "x1,y\n1,0\n2,2\n3,1\n");
    fails(&["regress", p.to_str().unwrap(), "--model", "logistic", "--target", "y"], 1, &["line 3", "not 0 or 1"]);
    let p = write("yneg.csv", "x1,y\n1,0\n2,-1\n3,1\n");
    fails(&["regress", p.to_str().unwrap(), "--model", "poisson", "--target", "y"], 1, &["line 3", "not a count"]);
}

/// Ambiguity and silent choices: a repeated column name is an error naming
/// both positions; columns left out of the default feature set are named;
/// a long cell is cut in the error line; a degenerate design names its
/// column.
#[test]
fn ambiguous_headers_long_cells_and_left_out_columns_are_reported() {
    let p = write("dup.csv", "x,y,y\n1,0,1\n2,1,0\n3,0,1\n");
    fails(&["regress", p.to_str().unwrap(), "--model", "logistic", "--target", "y"], 1, &["columns 2 and 3", "`y`"]);
    let long = "a".repeat(1_000_000);
    let p = write("long.csv", &format!("x\n1\n{long}\n"));
    let out = xent(&["fit", p.to_str().unwrap(), "--family", "normal"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.len() < 200 && err.contains("(1000000 bytes)"), "{}", &err[..err.len().min(300)]);
    // A feature with one NA: an error naming it and --missing (never
    // silently dropped); a text column is left out of the features, named.
    let p = write("na.csv", "a,b,y\n1,0.5,0\n2,NA,1\n3,0.1,0\n4,0.3,1\n5,0.2,1\n6,0.9,0\n");
    fails(
        &["regress", p.to_str().unwrap(), "--model", "linear", "--target", "y"],
        1,
        &["line 3, column `b`: `NA` is a missing value", "--missing drop"],
    );
    let p = write("text_feature.csv", "a,b,y\n1,0.5,0\n2,high,1\n3,0.1,0\n4,0.3,1\n5,0.2,1\n6,0.9,0\n");
    let out = xent(&["regress", p.to_str().unwrap(), "--model", "linear", "--target", "y"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("left out of the features") && err.contains('b'), "{err}");
    // A constant feature beside the intercept.
    let p = write("const_feature.csv", "a,c,y\n1,5,0\n2,5,1\n3,5,0\n4,5,1\n5,5,1\n6,5,0\n");
    fails(
        &["regress", p.to_str().unwrap(), "--model", "logistic", "--target", "y"],
        1,
        &["`c` is constant", "intercept"],
    );
}

/// Standard input (`-`) is read as a stream, not reported empty.
#[test]
fn standard_input_is_a_stream() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_xent"))
        .args(["fit", "-", "--family", "normal"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run xent");
    child.stdin.take().expect("stdin").write_all(b"x\n1\n2\n4\n").expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2.333333"), "{}", String::from_utf8_lossy(&out.stdout));
}

/// A regression with hundreds of classes: the information matrix is over
/// the memory budget, and the message names the option that skips it;
/// with `--std-errors none` it runs (L-BFGS, closed-form softmax
/// derivatives) and a non-converged run's error line names four
/// parameters, not six hundred.
#[test]
fn many_classes_name_the_option_and_keep_the_line_short() {
    let mut csv = String::from("x,label\n");
    for i in 0..3000u32 {
        csv += &format!("{},{}\n", f64::from((i * 7919) % 1000) / 1000.0, i % 300);
    }
    let path = write("many_classes.csv", &csv);
    let p = path.to_str().unwrap();
    fails(&["regress", p, "--model", "softmax", "--target", "label"], 1, &["--std-errors none", "memory budget"]);
    let args =
        ["regress", p, "--model", "softmax", "--target", "label", "--std-errors", "none", "--max-iterations", "5"];
    fails(&args, 1, &["did not converge", "… and 594 more", "--max-iterations"]);
    let err = String::from_utf8_lossy(&xent(&args).stderr).to_string();
    assert!(err.chars().count() < 400, "{} characters: {err}", err.chars().count());
    // An unknown source is a usage error.
    fails(&["regress", p, "--model", "softmax", "--target", "label", "--std-errors", "bootstrap"], 2, &["bootstrap"]);
}

/// A streamed value the data's power-of-two scale would send to 0 (more
/// than 300 decades below the first values) is a data error naming its
/// line and value, never a silently dropped or zeroed observation.
#[test]
fn a_value_beyond_the_streamed_scale_is_named() {
    let mut csv = String::from("x\n");
    for i in 0..1100u32 {
        csv += &format!("{:e}\n", 1e300 * (1.0 + f64::from(i % 7)));
    }
    csv += "1e-30\n";
    let path = write("beyond_scale.csv", &csv);
    fails(&["fit", path.to_str().unwrap(), "--family", "gamma"], 1, &["line 1102", "`1e-30`", "300 decades"]);
}
