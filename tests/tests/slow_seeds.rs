//! The slow suite: the whole chain, default profile, over 50 seeds, with
//! zero failures. Run by `.ci/run` with the other ignored tests:
//! `cargo test --workspace -- --ignored` (the test profile is optimised).
//! Seeds are spread over the machine's cores (each run is deterministic
//! for its seed, so the split changes nothing but the wall time).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use xent_verify::{Config, run};

#[test]
#[ignore = "slow suite: `cargo test --workspace -- --ignored`, run by .ci/run"]
fn fifty_seeds_verify_without_a_failure() {
    let next = AtomicU64::new(1);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed > 50 {
                        break;
                    }
                    let cfg = Config { seed, quick: false, filter: None };
                    let r = run(&cfg, &mut |_| {});
                    if !r.success() {
                        failures.lock().unwrap().push(format!("seed {seed}: {:?}", r.failures()));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(failures.is_empty(), "{} of 50 seeds failed:\n{}", failures.len(), failures.join("\n"));
}
