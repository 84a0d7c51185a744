//! Fixed-rate gradient steps with heavy-ball momentum, or Nesterov's
//! look-ahead variant.

use crate::problem::Problem;
use crate::solver::{Evaluator, Solver, State, Step};

/// Heavy-ball or Nesterov momentum.
pub(crate) struct Momentum {
    learning_rate: f64,
    beta: f64,
    nesterov: bool,
    velocity: Vec<f64>,
}

impl Momentum {
    pub(crate) fn new(learning_rate: f64, beta: f64, nesterov: bool) -> Result<Self, &'static str> {
        if !(learning_rate > 0.0) || !(0.0..1.0).contains(&beta) {
            return Err("momentum needs learning_rate > 0 and beta in [0, 1)");
        }
        Ok(Momentum { learning_rate, beta, nesterov, velocity: Vec::new() })
    }
}

impl<P: Problem> Solver<P> for Momentum {
    fn value_test(&self) -> bool {
        false
    }

    fn step(&mut self, ev: &mut Evaluator<'_, P>, s: &State, _it: usize) -> Step {
        if self.velocity.is_empty() {
            self.velocity = vec![0.0; s.x.len()];
        }
        let beta = self.beta;
        let g = if self.nesterov {
            let look: Vec<f64> = s.x.iter().zip(&self.velocity).map(|(x, v)| x + beta * v).collect();
            match ev.value_and_gradient(&look) {
                Ok((_, g)) => g,
                Err(step) => return step,
            }
        } else {
            s.g.clone()
        };
        for (v, gi) in self.velocity.iter_mut().zip(&g) {
            *v = beta * *v - self.learning_rate * gi;
        }
        let x: Vec<f64> = s.x.iter().zip(&self.velocity).map(|(a, v)| a + v).collect();
        match ev.value_and_gradient(&x) {
            Ok((f, g)) => Step::Moved(State::new(x, f, g)),
            Err(step) => step,
        }
    }
}
