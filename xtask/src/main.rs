//! `cargo xtask <task>`: project automation written in Rust.
//!
//! The alias in `.cargo/config.toml` builds this crate in release, so the
//! harness runs optimised. Tasks:
//! - `verify`: checks every step of the derivation (1)–(9) and prints it —
//!   runs `xent verify` (the binary, in release) with the same flags;
//! - `test`: installs what the tests need (Debian's Chromium, when absent),
//!   then `cargo test --workspace` — the README's test command;
//! - `docs`: writes the derivation document (`--check`: fails when stale);
//! - `bench-compare`: xent against SciPy, scikit-learn and statsmodels
//!   (`--json`, `--quick`), writes `docs/performance.md`;
//! - `mutants`: mutation testing of xent-verify (cargo-mutants, sharded,
//!   resumable; `target/mutants/summary.txt`) — not in CI, hours on 2 cores;
//! - `ci`: the checks CI runs (`.ci/run` calls it) — fmt, clippy with
//!   warnings denied, `test`, warning-free rustdoc, the benchmark builds and
//!   the slow suite.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod bench_compare;
mod ci;
mod docs;
mod mutants;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <task>

tasks:
  verify  check every step of the derivation and print it (runs `xent verify` in release)
          [--json] [--seed N] [--quick] [--filter STEP|MODEL] [--help]
  test    install what the tests need (Chromium), then cargo test --workspace [ARGS]
  docs    write docs/derivation.{md,html} and docs/figures/ from a harness run
          [--check: fail when the committed files are stale]
  bench-compare  time xent against SciPy, scikit-learn and statsmodels on the same data
          [--json] [--quick]; writes docs/performance.md
  mutants mutation testing of xent-verify (installs cargo-mutants when missing), sharded and
          resumable [--shards N (16)] [--shard K] [--jobs J] [--summary]; writes
          target/mutants/summary.txt; exit 0 when >= 90 % of viable mutants are caught
  ci      run the checks CI runs: fmt --check, clippy -D warnings, `test`, rustdoc -D warnings,
          the benchmark builds and the 50-seed slow suite in release
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
        Some("ci") => ci::ci(),
        Some("test") => ci::test(&args[1..]),
        Some("verify") => verify::main(&args[1..]),
        Some("docs") => docs::main(&args[1..]),
        Some("bench-compare") => bench_compare::main(&args[1..]),
        Some("mutants") => mutants::main(&args[1..]),
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
