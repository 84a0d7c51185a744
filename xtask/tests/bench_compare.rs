//! `cargo xtask bench-compare` argument handling (the comparison itself
//! needs PyPI and minutes, so CI only builds its binaries).

use std::process::Command;

#[test]
fn unknown_flags_exit_2_before_touching_python() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(["bench-compare", "--fast"]).output().expect("run xtask");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--quick"));
}
