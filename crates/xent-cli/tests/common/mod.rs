//! Helpers shared by the `xent` binary's end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[allow(unused_imports)]
pub use xent_reference::{dataset, parse_params, reference_dir};

/// Runs `xent` with `args` in `dir`.
pub fn xent_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xent")).current_dir(dir).args(args).output().expect("run xent")
}

/// Runs `xent` with `args`.
pub fn xent(args: &[&str]) -> Output {
    xent_in(&std::env::temp_dir(), args)
}

/// Stdout of a successful run, or a panic with its stderr.
pub fn ok(out: &Output) -> String {
    assert!(out.status.success(), "xent failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

/// A scratch directory of this test process with `name` in it.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xent-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// Writes `content` to a scratch file and returns its path.
pub fn write(name: &str, content: &str) -> PathBuf {
    let p = scratch(name);
    std::fs::write(&p, content).expect("write scratch file");
    p
}
