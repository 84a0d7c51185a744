//! Adam (Kingma & Ba 2015): steps scaled by bias-corrected running moments
//! of the gradient.

use crate::problem::Problem;
use crate::solver::{Evaluator, Solver, State, Step};

/// Adam with its two moment estimates.
pub(crate) struct Adam {
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    m1: Vec<f64>,
    m2: Vec<f64>,
}

impl Adam {
    pub(crate) fn new(learning_rate: f64, beta1: f64, beta2: f64, epsilon: f64) -> Result<Self, &'static str> {
        if !(learning_rate > 0.0) {
            return Err("adam needs learning_rate > 0");
        }
        Ok(Adam { learning_rate, beta1, beta2, epsilon, m1: Vec::new(), m2: Vec::new() })
    }
}

impl<P: Problem> Solver<P> for Adam {
    fn value_test(&self) -> bool {
        false
    }

    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, it: usize) -> Step {
        if self.m1.is_empty() {
            self.m1 = vec![0.0; s.x.len()];
            self.m2 = vec![0.0; s.x.len()];
        }
        let (beta1, beta2) = (self.beta1, self.beta2);
        let t = it as i32;
        let (c1, c2) = (1.0 - beta1.powi(t), 1.0 - beta2.powi(t));
        let mut x = s.x.clone();
        for i in 0..x.len() {
            self.m1[i] = beta1 * self.m1[i] + (1.0 - beta1) * s.g[i];
            self.m2[i] = beta2 * self.m2[i] + (1.0 - beta2) * s.g[i] * s.g[i];
            // With ε = 0 a coordinate whose gradients have all been 0 has
            // m₁ = m₂ = 0: its step is 0, not 0/0.
            let denominator = (self.m2[i] / c2).sqrt() + self.epsilon;
            if denominator > 0.0 {
                x[i] -= self.learning_rate * (self.m1[i] / c1) / denominator;
            }
        }
        match ev.value_and_gradient(&x) {
            Ok((f, g)) => Step::Moved(State::new(x, f, g)),
            Err(step) => step,
        }
    }
}
