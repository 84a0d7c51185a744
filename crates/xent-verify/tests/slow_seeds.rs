//! The slow suite: the whole chain, default profile, over 50 seeds, with
//! zero failures. Run in release by `.ci/run`:
//! `cargo test --release -p xent-verify --test slow_seeds -- --ignored`.

use xent_verify::{Config, run};

#[test]
#[ignore = "slow suite: run by .ci/run in release mode"]
fn fifty_seeds_verify_without_a_failure() {
    let mut failures = Vec::new();
    for seed in 1..=50u64 {
        let cfg = Config { seed, quick: false, filter: None };
        let r = run(&cfg, &mut |_| {});
        if !r.success() {
            failures.push(format!("seed {seed}: {:?}", r.failures()));
        }
    }
    assert!(failures.is_empty(), "{} of 50 seeds failed:\n{}", failures.len(), failures.join("\n"));
}
