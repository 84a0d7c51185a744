//! `cargo xtask verify`: runs `xent verify` — the `xent` binary, built in
//! release — with the same flags, so the documented command runs optimised
//! code and has one front end (spinner, report, exit status) with the CLI.

use std::process::{Command, ExitCode};

/// Builds and runs `xent verify ARGS`; its exit status is ours (0 every
/// step passes, 1 a failure, 2 bad flags).
pub(crate) fn main(args: &[String]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["run", "--release", "--quiet", "--package", "xent-cli", "--bin", "xent", "--", "verify"])
        .args(args)
        .status();
    match status {
        Ok(s) => ExitCode::from(s.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
