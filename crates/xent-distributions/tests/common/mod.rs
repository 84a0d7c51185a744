//! Helpers shared by the integration tests: the reference directory, CSV
//! reading, parameter parsing and tolerance checks with readable reports.
#![allow(dead_code)]

#[allow(unused_imports)]
pub use xent_reference::{Row, parse_f64, parse_params, read_dataset, read_rows, reference_dir};

pub fn as_refs(p: &[(String, f64)]) -> Vec<(&str, f64)> {
    p.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

/// `|got − want| ≤ rel·|want|` or `≤ abs`; infinities must match exactly.
pub fn close(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    let err = (got - want).abs();
    err <= rel * want.abs() || err <= abs
}

/// Collects failures and panics once with all of them listed.
#[derive(Default)]
pub struct Failures(Vec<String>);

impl Failures {
    pub fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }
    pub fn push(&mut self, msg: String) {
        self.0.push(msg);
    }
    pub fn finish(self, what: &str, checked: usize) {
        assert!(checked > 0, "{what}: nothing was checked");
        assert!(self.0.is_empty(), "{what}: {} of {checked} checks failed:\n  {}", self.0.len(), self.0.join("\n  "));
    }
}

pub mod quad;

use proptest::test_runner::{Config, RngSeed};

/// Proptest configuration: fixed seed, no failure files, `cases` cases.
pub fn proptest_config(cases: u32, seed: u64) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(seed), failure_persistence: None, ..Config::default() }
}
