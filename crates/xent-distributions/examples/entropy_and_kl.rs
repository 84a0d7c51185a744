//! Entropy, cross-entropy and KL divergence in closed form, seeded sampling,
//! and a closed-form maximum-likelihood fit: `H(p, q) = H(p) + KL(p ‖ q)`.
//!
//! `cargo run -p xent-distributions --example entropy_and_kl`

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::Distribution;
use xent_distributions::{ClosedFormMle, CrossEntropy, Named, Normal, Univariate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let p = Normal::new(1.5, 2.0)?;
    let q = Normal::new(0.0, 1.0)?;
    let (h, hpq, kl) = (p.entropy(), p.cross_entropy(&q)?, p.kl_divergence(&q)?);
    println!("H(p) = {h:.12}, H(p, q) = {hpq:.12}, KL(p ‖ q) = {kl:.12}");
    println!("H(p) + KL(p ‖ q) - H(p, q) = {:.3e}", h + kl - hpq);

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let sample: Vec<f64> = (0..10_000).map(|_| p.sample(&mut rng)).collect();
    let fit = Normal::fit(&sample)?;
    let params: Vec<String> = fit.named_params().iter().map(|(name, v)| format!("{name} = {v:.4}")).collect();
    println!("fitted to 10 000 draws of p: {}; KL(p ‖ fit) = {:.2e}", params.join(", "), p.kl_divergence(&fit)?);
    Ok(())
}
