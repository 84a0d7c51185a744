//! Helpers shared by the `xent` binary's end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `shared/reference` in the first ancestor of the workspace that has it
/// (or `XENT_REFERENCE_DIR`).
pub fn reference_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("XENT_REFERENCE_DIR") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    root.ancestors()
        .map(|a| a.join("shared/reference"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no shared/reference beside {}; set XENT_REFERENCE_DIR", root.display()))
}

/// A reference dataset's path.
pub fn dataset(name: &str) -> PathBuf {
    reference_dir().join("datasets").join(name)
}

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
