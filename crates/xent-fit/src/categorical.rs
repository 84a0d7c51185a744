//! Categorical predictors: a column of labels as indicator columns against
//! a reference level (treatment coding, as statsmodels' `C(col)` and R's
//! default contrasts).

use std::cmp::Ordering;

use crate::error::FitFailure;

/// The indicator columns of one categorical predictor.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicators {
    /// The predictor's name.
    pub name: String,
    /// Every level, in order (the reference first).
    pub levels: Vec<String>,
    /// One column per level but the reference, named `name[level]`.
    pub names: Vec<String>,
    /// The columns: `columns[k][i]` is 1 where row `i` has level `k + 1`.
    pub columns: Vec<Vec<f64>>,
}

impl Indicators {
    /// The reference level, whose effect the intercept carries.
    pub fn reference(&self) -> &str {
        &self.levels[0]
    }
}

/// The order of levels: numerically where every level is a number (so
/// 2 comes before 10), by their text (byte order) otherwise.
fn level_order(levels: &mut [String]) {
    let numbers: Option<Vec<f64>> = levels.iter().map(|l| l.parse::<f64>().ok()).collect();
    match numbers {
        Some(_) => levels.sort_by(|a, b| {
            let (x, y) = (a.parse::<f64>().unwrap_or(f64::NAN), b.parse::<f64>().unwrap_or(f64::NAN));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal).then_with(|| a.cmp(b))
        }),
        None => levels.sort(),
    }
}

/// The distinct labels of `values` in level order (see [`indicators`]).
pub fn levels_of(values: &[String]) -> Vec<String> {
    let mut levels: Vec<String> = values.to_vec();
    levels.sort();
    levels.dedup();
    level_order(&mut levels);
    levels
}

/// Indicator (dummy) columns of the labels `values` of predictor `name`:
/// one column per level except the reference — `reference` if given, else
/// the first level in sorted order (numeric order where every label is a
/// number) — named `name[level]`. A single level carries no information
/// (its only indicator would be the intercept) and is an error, as is a
/// reference that is not among the labels (the error lists them).
///
/// ```
/// use xent_fit::indicators;
/// let region: Vec<String> = ["south", "north", "east", "north"].map(String::from).to_vec();
/// let d = indicators("region", &region, None)?;
/// assert_eq!(d.reference(), "east");
/// assert_eq!(d.names, ["region[north]", "region[south]"]);
/// assert_eq!(d.columns[0], [0.0, 1.0, 0.0, 1.0]);
/// let s = indicators("region", &region, Some("south"))?;
/// assert_eq!(s.names, ["region[east]", "region[north]"]);
/// # Ok::<(), xent_fit::FitFailure>(())
/// ```
pub fn indicators(name: &str, values: &[String], reference: Option<&str>) -> Result<Indicators, FitFailure> {
    let mut levels = levels_of(values);
    if levels.len() < 2 {
        return Err(FitFailure::NoFiniteMle {
            reason: format!(
                "the categorical predictor `{name}` has a single level ({}): it cannot be told from the intercept",
                levels.first().map_or("none", String::as_str)
            ),
        });
    }
    if let Some(r) = reference {
        let Some(at) = levels.iter().position(|l| l == r) else {
            return Err(FitFailure::UnknownLevel { predictor: name.to_string(), level: r.to_string(), levels });
        };
        let r = levels.remove(at);
        levels.insert(0, r);
    }
    let columns = levels[1..].iter().map(|l| values.iter().map(|v| f64::from(u8::from(v == l))).collect()).collect();
    let names = levels[1..].iter().map(|l| format!("{name}[{l}]")).collect();
    Ok(Indicators { name: name.to_string(), levels, names, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn numeric_labels_sort_as_numbers_and_text_as_text() {
        assert_eq!(levels_of(&labels(&["10", "2", "1", "2"])), ["1", "2", "10"]);
        assert_eq!(levels_of(&labels(&["b", "B", "a", "10", "9"])), ["10", "9", "B", "a", "b"]);
    }

    #[test]
    fn single_levels_and_unknown_references_are_errors() {
        assert!(matches!(indicators("c", &labels(&["x", "x"]), None), Err(FitFailure::NoFiniteMle { .. })));
        match indicators("c", &labels(&["x", "y"]), Some("z")) {
            Err(FitFailure::UnknownLevel { level, levels, .. }) => {
                assert_eq!(level, "z");
                assert_eq!(levels, ["x", "y"]);
            }
            other => panic!("{other:?}"),
        }
        let d = indicators("c", &labels(&["x", "y", "z", "y"]), Some("y")).unwrap();
        assert_eq!(d.levels, ["y", "x", "z"]);
        assert_eq!(d.columns, vec![vec![1.0, 0.0, 0.0, 0.0], vec![0.0, 0.0, 1.0, 0.0]]);
    }
}
