//! Everything that can go wrong, each with a one-line message a user can act on.

use std::path::PathBuf;

use thiserror::Error;
use xent_fit::FitFailure;

/// A failure of a `xent` command.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CliError {
    /// The file cannot be opened or read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// The file has no bytes (no header).
    #[error("{} is empty: expected a header line and data rows", .0.display())]
    Empty(PathBuf),
    /// Two columns with the same name.
    #[error("{}: columns {first} and {second} are both named `{name}`; rename one", .path.display())]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        name: String,
        /// The first column's 1-based position.
        first: usize,
        /// The second's.
        second: usize,
    },
    /// A header but no data rows.
    #[error("{} has a header but no data rows", .0.display())]
    NoRows(PathBuf),
    /// A named column does not exist.
    #[error("no column `{name}` in {}; the columns are: {available}", .path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The requested column.
        name: String,
        /// The header, comma-separated.
        available: String,
    },
    /// Several columns and none chosen.
    #[error("{} has {count} columns ({available}); choose one with --column", .path.display())]
    AmbiguousColumn {
        /// The file.
        path: PathBuf,
        /// How many columns.
        count: usize,
        /// The header, comma-separated.
        available: String,
    },
    /// A cell that is not a number.
    #[error("line {line}, column `{column}`: `{cell}` is not a number")]
    NotNumeric {
        /// 1-based line of the file.
        line: u64,
        /// The column's name.
        column: String,
        /// The cell's text.
        cell: String,
    },
    /// A NaN or infinite cell.
    #[error("line {line}, column `{column}`: `{cell}` is not finite (NaN and infinities cannot be fitted)")]
    NonFinite {
        /// 1-based line of the file.
        line: u64,
        /// The column's name.
        column: String,
        /// The cell's text.
        cell: String,
    },
    /// A missing value under `--missing error`.
    #[error("line {line}, column `{column}`: `{cell}` is a missing value; --missing drop leaves such rows out")]
    Missing {
        /// The 1-based file line.
        line: u64,
        /// The column.
        column: String,
        /// The cell's text.
        cell: String,
    },
    /// A frequency weight below 0.
    #[error("line {line}, column `{column}`: weight `{cell}` is negative (frequency weights count observations)")]
    NegativeWeight {
        /// The 1-based file line.
        line: u64,
        /// The weight column.
        column: String,
        /// The cell's text.
        cell: String,
    },
    /// Every weight is 0 (nothing to fit).
    #[error("every weight in column `{0}` is 0: there is nothing to fit")]
    ZeroWeights(String),
    /// A row with a different number of fields from the header.
    #[error("line {line} has {found} fields but the header has {expected}")]
    Ragged {
        /// 1-based line of the file.
        line: u64,
        /// Fields in the header.
        expected: u64,
        /// Fields in the row.
        found: u64,
    },
    /// Another CSV error (bad UTF-8, …).
    #[error("{}: {message}", .path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV reader said.
        message: String,
    },
    /// Values the family cannot produce.
    #[error("{count} values are outside the support of {family}; the first is `{}` on line {line}", short(*.value))]
    OutOfSupport {
        /// The family.
        family: String,
        /// How many values.
        count: usize,
        /// The first offender's 1-based line.
        line: u64,
        /// Its value.
        value: f64,
    },
    /// Bad arguments that clap cannot catch (unknown family, `--fix` syntax …).
    #[error("{0}")]
    Usage(String),
    /// Data the command cannot use (a target that is not 0/1 for a
    /// logistic regression, a single class, no family that fits): exit 1.
    #[error("{0}")]
    Data(String),
    /// The fit failed (no finite MLE, separation, non-convergence, …).
    #[error("{0}")]
    Fit(#[from] FitFailure),
    /// Writing output failed.
    #[error("cannot write {what}: {message}")]
    Output {
        /// What was being written.
        what: String,
        /// Why it failed.
        message: String,
    },
}

/// A value as its shortest round-trip decimal, in scientific notation
/// where the plain form is long (1e300 would print 301 digits).
pub(crate) fn short(v: f64) -> String {
    let plain = format!("{v}");
    if plain.len() <= 24 { plain } else { format!("{v:e}") }
}
