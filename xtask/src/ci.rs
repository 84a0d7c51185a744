//! `cargo xtask test` (the README's test command) and `cargo xtask ci`
//! (everything CI checks; `.ci/run` calls it). One list, here: `.ci/run`
//! only makes sure cargo exists.

use std::path::Path;
use std::process::{Command, ExitCode};

/// The browsers the rendering test looks for, in order (it also honours
/// `CHROMIUM`).
pub(crate) const CHROMIUM_PATHS: [&str; 3] =
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/// What CI runs around [`test()`]'s steps: lints first (cheap) — including
/// that the five library crates still package for crates.io (`--no-verify`:
/// the tests below build them; packaging checks metadata, file lists and
/// the versions on path dependencies, in ~10 s) — then the slow suite and
/// the builds the tests do not cover.
const LINTS: [&[&str]; 3] = [
    &["fmt", "--all", "--check"],
    &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"],
    &["package", "--workspace", "--no-verify", "--locked", "--allow-dirty"],
];
///
/// The slow suite (the ignored tests: the whole chain over 50 seeds, the
/// user-model paths over 50 seeds) runs on the build the tests just made:
/// the test profile is optimised (`opt-level = 2`), as fast here as release
/// for these runs, and a release build of the workspace for it alone cost
/// several minutes of CI. The benchmarks are linked in the test profile too
/// (clippy has type-checked them and `xent-bench` already; an optimised
/// build of the workspace only for that cost minutes more).
const AFTER_TESTS: [&[&str]; 3] = [
    &["test", "--workspace", "--locked", "--", "--ignored"],
    &["doc", "--workspace", "--no-deps", "--locked"],
    &["test", "--workspace", "--benches", "--no-run", "--locked"],
];

/// Sets up what the tests need, then `cargo test --workspace` (with any
/// extra arguments).
pub(crate) fn test(extra: &[String]) -> ExitCode {
    if let Err(e) = ensure_chromium() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let mut args: Vec<&str> = vec!["test", "--workspace", "--locked"];
    args.extend(extra.iter().map(String::as_str));
    cargo(&args)
}

/// Lints, [`test()`], the 50-seed slow suite, rustdoc with warnings denied
/// and the benchmark builds; stops at the first failure.
pub(crate) fn ci() -> ExitCode {
    for step in LINTS {
        if cargo(step) != ExitCode::SUCCESS {
            return ExitCode::FAILURE;
        }
    }
    if test(&[]) != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    for step in AFTER_TESTS {
        if cargo(step) != ExitCode::SUCCESS {
            return ExitCode::FAILURE;
        }
    }
    eprintln!("ci: every step passed");
    ExitCode::SUCCESS
}

/// Runs `cargo ARGS` (rustdoc warnings denied), echoing the command and
/// then its wall time.
fn cargo(args: &[&str]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("::: cargo {}", args.join(" "));
    let started = std::time::Instant::now();
    let status = Command::new(&cargo).args(args).env("RUSTDOCFLAGS", "-D warnings").status();
    // The time of every step, so a slow CI says where its time went.
    eprintln!("::: {:.0} s: cargo {}", started.elapsed().as_secs_f64(), args.join(" "));
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => {
            eprintln!("error: `cargo {}` failed ({s})", args.join(" "));
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Installs Debian's `chromium` package (the browser test renders
/// `docs/derivation.html` in it) unless `CHROMIUM` or a known path names one.
fn ensure_chromium() -> Result<(), String> {
    if std::env::var_os("CHROMIUM").is_some() || CHROMIUM_PATHS.iter().any(|p| Path::new(p).exists()) {
        return Ok(());
    }
    eprintln!("::: installing Debian's chromium (the browser test needs it)");
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let run = |args: &[&str]| -> Result<(), String> {
        let (program, rest) = if root { (args[0], &args[1..]) } else { ("sudo", args) };
        let status = Command::new(program)
            .args(rest)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", args.join(" "))) }
    };
    run(&["apt-get", "update", "-qq"])
        .and_then(|()| run(&["apt-get", "install", "-y", "-qq", "chromium"]))
        .map_err(|e| format!("{e}; install Debian's `chromium` package by hand or set CHROMIUM to a browser"))
}
