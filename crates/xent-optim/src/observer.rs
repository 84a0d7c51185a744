//! Watching a run: an observer is told every iterate.

/// Watches iterations (e.g. records the iterates for plotting).
pub trait Observer {
    /// Called after every iteration.
    fn observe(&mut self, iteration: usize, x: &[f64], value: f64, gradient_norm: f64);
}

impl Observer for () {
    fn observe(&mut self, _: usize, _: &[f64], _: f64, _: f64) {}
}

/// An observer that keeps every iterate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// `(iteration, x, f(x), ‖∇f‖∞)` per iteration.
    pub iterates: Vec<(usize, Vec<f64>, f64, f64)>,
}

impl Observer for Trace {
    fn observe(&mut self, iteration: usize, x: &[f64], value: f64, gradient_norm: f64) {
        self.iterates.push((iteration, x.to_vec(), value, gradient_norm));
    }
}
