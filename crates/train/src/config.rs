//! Every hyperparameter of a training run; saved in the run directory as `config.json`.

use crate::loss::Loss;
use burn::prelude::*;
use model::ModelConfig;

/// Settings of one Adam optimiser.
#[derive(Config, Debug)]
pub struct OptimConfig {
    /// Learning rate.
    #[config(default = 2e-4)]
    pub lr: f64,
    /// Adam's beta 1.
    #[config(default = 0.5)]
    pub beta1: f32,
    /// Adam's beta 2.
    #[config(default = 0.999)]
    pub beta2: f32,
}

/// A training run's configuration.
#[derive(Config, Debug)]
pub struct TrainConfig {
    /// The networks and noise.
    pub model: ModelConfig,
    /// The generator's optimiser.
    pub optim_g: OptimConfig,
    /// The discriminator's optimiser.
    pub optim_d: OptimConfig,
    /// Images per batch.
    #[config(default = 32)]
    pub batch_size: usize,
    /// Epochs to train (ignored when `steps` is set).
    #[config(default = 1)]
    pub epochs: usize,
    /// Total steps to train, if set (overrides `epochs`).
    #[config(default = "None")]
    pub steps: Option<usize>,
    /// Seed of initialisation, shuffling and noise.
    #[config(default = 42)]
    pub seed: u64,
    /// Discriminator steps per generator step (mlpack's generatorUpdateStep).
    #[config(default = 1)]
    pub generator_update_step: usize,
    /// Discriminator-only steps before the generator starts training (mlpack's preTrainSize).
    #[config(default = 0)]
    pub pre_train: usize,
    /// The adversarial loss.
    #[config(default = "Loss::Standard")]
    pub loss: Loss,
    /// Whether the generator minimises the original, saturating `log(1 - D(G(z)))` instead of
    /// `-log D(G(z))` (standard loss only).
    #[config(default = false)]
    pub saturating: bool,
    /// Scale of the generator's gradient (mlpack's multiplier).
    #[config(default = 1.0)]
    pub multiplier: f64,
    /// Train on at most this many images.
    #[config(default = "None")]
    pub limit: Option<usize>,
    /// Train only on these digits (all if empty).
    #[config(default = "Vec::new()")]
    pub digits: Vec<u8>,
    /// Test images the discriminator is validated on after each epoch.
    #[config(default = 1000)]
    pub valid_size: usize,
    /// Samples in each epoch's grid (drawn from one fixed noise batch).
    #[config(default = 64)]
    pub grid_size: usize,
    /// Score the generator with the MNIST classifier every this many epochs (0: never).
    #[config(default = 1)]
    pub eval_every: usize,
    /// Samples drawn for each score.
    #[config(default = 2000)]
    pub eval_samples: usize,
    /// Write a checkpoint every this many steps (0: only after each epoch).
    #[config(default = 500)]
    pub checkpoint_every: usize,
    /// Checkpoints kept (the newest; the best-scoring one is kept besides).
    #[config(default = 3)]
    pub keep: usize,
}

impl TrainConfig {
    /// Checks the values, saying which is wrong.
    pub fn check(&self) -> Result<(), String> {
        self.model.check()?;
        let positive = [
            ("--batch-size", self.batch_size),
            ("--epochs", self.epochs),
            ("--generator-update-step", self.generator_update_step),
            ("--grid-size", self.grid_size),
            ("--valid-size", self.valid_size),
            ("--keep", self.keep),
        ];
        if let Some((flag, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{flag} must be at least 1"));
        }
        if self.eval_every > 0 && self.eval_samples < 2 {
            return Err(
                "--eval-samples must be at least 2 (a covariance needs two samples)".into(),
            );
        }
        if self.saturating && self.loss != Loss::Standard {
            return Err(format!(
                "--saturating is a form of the standard loss, not of --loss {:?}",
                self.loss
            )
            .to_lowercase());
        }
        if self.steps == Some(0) {
            return Err("--steps must be at least 1".into());
        }
        if self.limit == Some(0) {
            return Err("--limit must be at least 1".into());
        }
        if let Some(d) = self.digits.iter().find(|d| **d > 9) {
            return Err(format!("--digits: {d} is not a digit 0..9"));
        }
        if !self.multiplier.is_finite() {
            return Err("--multiplier must be finite".into());
        }
        for (name, o) in [
            ("generator", &self.optim_g),
            ("discriminator", &self.optim_d),
        ] {
            if !(o.lr.is_finite() && o.lr > 0.0) {
                return Err(format!(
                    "the {name}'s learning rate must be positive, got {}",
                    o.lr
                ));
            }
            if !((0.0..1.0).contains(&o.beta1) && (0.0..1.0).contains(&o.beta2)) {
                return Err(format!(
                    "the {name}'s Adam betas must lie in [0, 1), got {} and {}",
                    o.beta1, o.beta2
                ));
            }
        }
        Ok(())
    }
}
