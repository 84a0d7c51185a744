//! `cargo xtask <task>`: project automation written in Rust.
//!
//! Tasks:
//! - `verify`: checks every step of the derivation (1)–(9) and prints it
//!   (`--json`, `--seed N`, `--quick`, `--filter STEP|MODEL`);
//! - `docs`: writes the derivation document (`--check`: fails when stale);
//! - `bench-compare`: xent against SciPy, scikit-learn and statsmodels
//!   (`--json`, `--quick`), writes `docs/performance.md`;
//! - `ci`: the checks CI runs — `cargo fmt --all --check`,
//!   `cargo clippy --workspace --all-targets -- -D warnings`, the README's
//!   test command `cargo test --workspace`, warning-free rustdoc, and the
//!   slow suite.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod bench_compare;
mod docs;
mod verify;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

const HELP: &str = "\
usage: cargo xtask <task>

tasks:
  verify  check every step of the derivation and print it
          [--json] [--seed N] [--quick] [--filter STEP|MODEL]
  docs    write docs/derivation.{md,html} and docs/figures/ from a harness run
          [--check: fail when the committed files are stale]
  bench-compare  time xent against SciPy, scikit-learn and statsmodels on the same data
          [--json] [--quick]; writes docs/performance.md
  ci      run the checks CI runs: fmt --check, clippy -D warnings, cargo test --workspace,
          and the 50-seed slow suite in release
  help    print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("error: cannot enter project root {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("verify") => verify::main(&args[1..]),
        Some("docs") => docs::main(&args[1..]),
        Some("bench-compare") => bench_compare::main(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown task `{other}`\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn project_root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    dir.parent().map(PathBuf::from).unwrap_or(dir)
}

/// Runs each CI step in turn and stops at the first failure.
fn ci() -> ExitCode {
    let steps: [&[&str]; 5] = [
        &["fmt", "--all", "--check"],
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        &["test", "--workspace"],
        &["doc", "--workspace", "--no-deps"],
        &["test", "--release", "-p", "xent-verify", "--test", "slow_seeds", "--", "--ignored"],
    ];
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for step in steps {
        eprintln!("$ cargo {}", step.join(" "));
        match Command::new(&cargo).args(step).env("RUSTDOCFLAGS", "-D warnings").status() {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("error: `cargo {}` failed ({s})", step.join(" "));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: cannot run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
