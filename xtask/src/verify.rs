//! `cargo xtask verify`: runs the chain and prints it (the command itself
//! lives in [`xent_verify::command`], shared with `xent verify`).

use std::process::ExitCode;

use xent_verify::command::{USAGE, execute, parse_flags};

/// Parses the flags and runs the chain; exit 2 on bad flags.
pub(crate) fn main(args: &[String]) -> ExitCode {
    match parse_flags(args) {
        Ok((cfg, json)) => execute(&cfg, json),
        Err(msg) => {
            eprintln!("error: {msg}\nusage: cargo xtask verify {USAGE}");
            ExitCode::from(2)
        }
    }
}
