//! The family registry agrees with itself: every family the reference
//! tables name is known by name to the distributions (`AnyUnivariate`) and
//! to the objectives (`Family`, the `Model`), with the same parameter names
//! in the same order and the same log-density; every `Family` round-trips
//! through its name; and a family has a streaming summary exactly when its
//! sufficient-statistic fit agrees with the per-observation fit.

use std::collections::BTreeSet;

use xent_distributions::{AnyUnivariate, LogDensity};
use xent_fit::{FitOptions, fit_family, fit_summary};
use xent_objectives::{Family, Model, ObjectiveError, Summary};
use xent_reference::{parse_params, read_dataset, read_rows};

/// The families of a table's `family` column.
fn families_in(file: &str) -> BTreeSet<String> {
    read_rows(file).iter().map(|r| r.get("family").to_string()).collect()
}

#[test]
fn every_table_family_is_known_everywhere_with_the_same_parameters() {
    let mut failures = Vec::new();
    for file in ["log_density.csv", "entropy.csv", "cross_entropy.csv", "mle_fits.csv"] {
        for name in families_in(file) {
            let Some(family) = Family::from_name(&name) else {
                // binomial carries its trials: it is the one family built with data.
                if name != "binomial" {
                    failures.push(format!("{file}: {name} unknown to Family::from_name"));
                }
                continue;
            };
            let names = family.param_names();
            let any: Vec<String> = AnyUnivariate::param_names(&name).iter().map(|s| s.to_string()).collect();
            if names != any {
                failures.push(format!("{file}: {name}: model parameters {names:?}, distributions {any:?}"));
            }
            if family.transforms().len() != names.len() {
                failures.push(format!(
                    "{name}: {} transforms for {} parameters",
                    family.transforms().len(),
                    names.len()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn model_and_distribution_log_densities_agree_on_every_reference_row() {
    let mut rows = 0;
    for row in read_rows("log_density.csv") {
        let Some(family) = Family::from_name(row.get("family")) else { continue };
        let params = parse_params(row.get("params"));
        let named: Vec<(&str, f64)> = params.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let any = AnyUnivariate::from_params(row.get("family"), &named).expect("reference parameters are valid");
        // The parameters in the model's order.
        let theta: Vec<f64> = family
            .param_names()
            .iter()
            .map(|n| params.iter().find(|(m, _)| m == n).map(|p| p.1).expect("parameter named in the row"))
            .collect();
        let model = family.build(&theta).expect("reference parameters are valid");
        let x = row.f64("x");
        let (a, b) = (any.ln_density(&x), model.ln_density(&x));
        assert!(a == b || (a - b).abs() <= 1e-15 * a.abs().max(1.0), "line {}: {a} vs {b}", row.line);
        rows += 1;
    }
    assert!(rows > 100, "only {rows} rows compared");
}

#[test]
fn names_round_trip() {
    let all = Family::all();
    // Every family the tables name (binomial aside) is in the enum, and
    // every family in the enum has reference log-densities.
    let names: BTreeSet<String> = all.iter().map(Model::name).collect();
    let tables: BTreeSet<String> = families_in("log_density.csv").into_iter().filter(|n| n != "binomial").collect();
    assert_eq!(names, tables, "Family::all() against log_density.csv");
    for f in &all {
        assert_eq!(Family::from_name(&f.name()).as_ref(), Some(f), "{}", f.name());
    }
    let unique: BTreeSet<String> = all.iter().map(Model::name).collect();
    assert_eq!(unique.len(), all.len());
}

/// A summary exists exactly for the families with finite sufficient
/// statistics, and where it exists its fit is the per-observation fit.
#[test]
fn summaries_exist_exactly_where_they_fit_like_the_data() {
    let mut with_summary = 0;
    for row in read_rows("mle_fits.csv") {
        let Some(family) = Family::from_name(row.get("family")) else { continue };
        let data = read_dataset(row.get("dataset"));
        match Summary::empty(&family) {
            Ok(mut s) => {
                with_summary += 1;
                s.extend_from_slice(&data);
                let (a, b) =
                    (fit_summary(&s, &FitOptions::default()), fit_family(&family, &data, &FitOptions::default()));
                let (a, b) = (a.expect("summary fit"), b.expect("data fit"));
                for (x, y) in a.estimates.iter().zip(&b.estimates) {
                    assert!((x - y).abs() <= 1e-8 * y.abs().max(1.0), "{}: {x} vs {y}", family.name());
                }
            }
            Err(ObjectiveError::NoSufficientStatistics { model }) => assert_eq!(model, family.name()),
            Err(e) => panic!("{}: unexpected {e}", family.name()),
        }
    }
    assert!(with_summary >= 8, "{with_summary} families with summaries");
}

/// The one family table generates every registry: the by-name
/// distributions, the models and the summaries list the same families.
#[test]
fn the_family_table_generates_every_registry() {
    macro_rules! names {
        ($($variant:ident = $name:literal),* $(,)?) => { vec![$($name),*] };
    }
    let all: Vec<&str> = xent_distributions::univariate_families!(names);
    let parametric: Vec<&str> = xent_distributions::univariate_families!(names, parametric);
    let exponential: Vec<&str> = xent_distributions::univariate_families!(names, exponential);
    assert_eq!(all, AnyUnivariate::FAMILIES);
    let models: Vec<String> = Family::all().iter().map(Model::name).collect();
    assert_eq!(models, parametric);
    assert!(exponential.iter().all(|e| parametric.contains(e)) && parametric.iter().all(|p| all.contains(p)));
    assert_eq!(all.len(), parametric.len() + 1, "binomial is the one structural family");
    for name in &parametric {
        let family = Family::from_name(name).expect("every parametric family has a model");
        assert_eq!(Summary::empty(&family).is_ok(), exponential.contains(name), "{name}");
    }
}

/// Each exponential family's log-likelihood from sufficient statistics (in
/// its own file) is the sum of its log-densities, on every reference data
/// set at the reference estimate.
#[test]
fn sufficient_statistic_log_likelihoods_are_sums_of_log_densities() {
    let mut checked = 0;
    for row in read_rows("mle_fits.csv") {
        let Some(family) = Family::from_name(row.get("family")) else { continue };
        let Ok(mut s) = Summary::empty(&family) else { continue };
        let data = read_dataset(row.get("dataset"));
        s.extend_from_slice(&data);
        let params = parse_params(row.get("mle_params"));
        let theta: Vec<f64> = family
            .param_names()
            .iter()
            .map(|n| params.iter().find(|(m, _)| m == n).map(|p| p.1).expect("parameter named in the row"))
            .collect();
        let d = family.build(&theta).expect("reference estimate is valid");
        let terms: Vec<f64> = data.iter().map(|x| d.ln_density(x)).collect();
        let direct: f64 = terms.iter().sum();
        let scale: f64 = terms.iter().map(|t| t.abs()).sum::<f64>().max(1.0);
        let fast = s.log_likelihood(&theta);
        assert!((fast - direct).abs() <= 1e-12 * scale, "{}: {fast} vs {direct}", family.name());
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} rows");
}
