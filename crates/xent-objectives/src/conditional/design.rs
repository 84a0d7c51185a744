//! The design matrix.

use nalgebra::DMatrix;

use crate::error::ObjectiveError;

/// A design matrix (`n × p`), with a leading column of ones when built
/// with an intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    x: DMatrix<f64>,
    intercept: bool,
    names: Option<Vec<String>>,
}

impl Design {
    /// A design from features (`n × d`); with `intercept` a column of ones
    /// is put first. Non-finite entries are an error.
    pub fn new(features: &DMatrix<f64>, intercept: bool) -> Result<Self, ObjectiveError> {
        if let Some((i, &v)) = features.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(ObjectiveError::NonFinite { what: "design entry", index: i, value: v });
        }
        let x = if intercept { features.clone().insert_column(0, 1.0) } else { features.clone() };
        Ok(Design { x, intercept, names: None })
    }

    /// The same design with names for its feature columns (one per
    /// feature, the intercept excluded), used in error messages about
    /// the design.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use xent_objectives::conditional::Design;
    /// let d = Design::new(&DMatrix::from_element(3, 2, 1.0), true)?.with_names(vec!["age".into(), "dose".into()])?;
    /// assert_eq!(d.column_names(), ["intercept", "age", "dose"]);
    /// assert!(Design::new(&DMatrix::from_element(3, 2, 1.0), true)?.with_names(vec!["age".into()]).is_err());
    /// # Ok::<(), xent_objectives::ObjectiveError>(())
    /// ```
    pub fn with_names(mut self, names: Vec<String>) -> Result<Self, ObjectiveError> {
        let features = self.x.ncols() - usize::from(self.intercept);
        if names.len() != features {
            return Err(ObjectiveError::Dimension { what: "column names", expected: features, found: names.len() });
        }
        self.names = Some(names);
        Ok(self)
    }

    /// The names of the design's columns: `intercept` first when there is
    /// one, then the feature names given to [`Design::with_names`] or
    /// `x1`, `x2`, … .
    pub fn column_names(&self) -> Vec<String> {
        let mut v = Vec::with_capacity(self.x.ncols());
        if self.intercept {
            v.push("intercept".to_string());
        }
        match &self.names {
            Some(names) => v.extend(names.iter().cloned()),
            None => v.extend((1..=self.x.ncols() - usize::from(self.intercept)).map(|j| format!("x{j}"))),
        }
        v
    }
    /// Every `k`-th row (`0, k, 2k, …`) of the design and of the targets `y`
    /// — a deterministic subsample (e.g. for a warm start).
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use xent_objectives::conditional::Design;
    /// let d = Design::new(&DMatrix::from_fn(10, 1, |i, _| i as f64), true)?;
    /// let y: Vec<f64> = (0..10).map(f64::from).collect();
    /// let (sub, ys) = d.every_kth(&y, 4);
    /// assert_eq!((sub.n(), ys), (3, vec![0.0, 4.0, 8.0]));
    /// assert_eq!(sub.matrix()[(2, 1)], 8.0);
    /// # Ok::<(), xent_objectives::ObjectiveError>(())
    /// ```
    pub fn every_kth(&self, y: &[f64], k: usize) -> (Design, Vec<f64>) {
        let rows: Vec<usize> = (0..self.x.nrows().min(y.len())).step_by(k.max(1)).collect();
        let ys = rows.iter().map(|&i| y[i]).collect();
        (Design { x: self.x.select_rows(&rows), intercept: self.intercept, names: self.names.clone() }, ys)
    }
    /// The design's rows `rows` (in that order; each below [`Design::n`]),
    /// with its intercept and names.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use xent_objectives::conditional::Design;
    /// let d = Design::new(&DMatrix::from_fn(5, 1, |i, _| i as f64), true)?;
    /// let s = d.select_rows(&[4, 1]);
    /// assert_eq!((s.n(), s.matrix()[(0, 1)], s.matrix()[(1, 1)]), (2, 4.0, 1.0));
    /// # Ok::<(), xent_objectives::ObjectiveError>(())
    /// ```
    pub fn select_rows(&self, rows: &[usize]) -> Design {
        Design { x: self.x.select_rows(rows), intercept: self.intercept, names: self.names.clone() }
    }
    /// The matrix `X`.
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.x
    }
    /// Rows `n`.
    pub fn n(&self) -> usize {
        self.x.nrows()
    }
    /// Columns `p` (including the intercept).
    pub fn p(&self) -> usize {
        self.x.ncols()
    }
    /// Whether the first column is the intercept.
    pub fn has_intercept(&self) -> bool {
        self.intercept
    }
}
