//! Helpers shared by this crate's integration tests.
#![allow(dead_code)]

#[allow(unused_imports)]
pub use xent_reference::{read_csv, read_xy, reference_dir};
