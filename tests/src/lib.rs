//! The workspace's cross-crate tests live in `tests/`: `slow_seeds.rs` (the
//! whole chain over 50 seeds, release mode, `--ignored`), `registry.rs`
//! (the family registry agrees across the reference tables, the by-name
//! enum, the models and the summaries) and `invariance.rs` (argmin
//! invariance written as a reuser would, through the public APIs of
//! several crates). This library is empty.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
