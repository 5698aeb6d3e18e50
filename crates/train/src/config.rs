//! Every hyperparameter of a training run; saved in the run directory as `config.json`.

use crate::loss::Loss;
use crate::source::Dataset;
use burn::prelude::*;
use model::ModelConfig;
use serde::{Deserialize, Serialize};

/// The optimiser both networks train with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Optimizer {
    /// Adam, with each network's betas.
    #[default]
    Adam,
    /// RMSProp (alpha 0.99), as the WGAN paper prescribes.
    Rmsprop,
}

/// Settings of one network's optimiser.
#[derive(Config, Debug)]
pub struct OptimConfig {
    /// Learning rate.
    #[config(default = 2e-4)]
    pub lr: f64,
    /// Adam's beta 1 (unused by RMSProp).
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
    /// Stop after this many seconds of training, if set (the epoch in progress is then
    /// finished off: log line, grid, scores, checkpoint).
    #[config(default = "None")]
    pub time_limit: Option<f64>,
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
    /// The optimiser of both networks.
    #[config(default = "Optimizer::Adam")]
    pub optimizer: Optimizer,
    /// WGAN: the critic's weights are clipped to ±clip after every step.
    #[config(default = 0.01)]
    pub clip: f64,
    /// WGAN-GP: the weight λ of the gradient penalty.
    #[config(default = 10.0)]
    pub gp_weight: f64,
    /// One-sided label smoothing: the discriminator aims real images at 1 - this (standard
    /// and LSGAN losses).
    #[config(default = 0.0)]
    pub label_smoothing: f64,
    /// Instance noise: the standard deviation of Gaussian noise added to every image the
    /// discriminator sees, real or generated, at the first step, decreasing linearly to 0 at
    /// the last.
    #[config(default = 0.0)]
    pub instance_noise: f64,
    /// The image set trained on.
    #[config(default = "Dataset::Mnist")]
    pub dataset: Dataset,
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
    /// Keep an exponential moving average of the generator's weights with this decay (e.g.
    /// 0.999), which sampling and scoring then use.
    #[config(default = "None")]
    pub ema: Option<f64>,
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
        if let Some(d) = self.digits.iter().find(|d| **d > 9) {
            return Err(format!("--digits: {d} is not a digit 0..9"));
        }
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
                "--saturating is a form of the standard loss, not of --loss {}",
                self.loss.name()
            ));
        }
        if self.loss == Loss::WganGp && self.model.critic_norm {
            return Err(
                "--loss wgan-gp needs a discriminator without batch norm (critic_norm false): \
                 the penalty scores each image on its own"
                    .into(),
            );
        }
        if !(self.clip.is_finite() && self.clip > 0.0) {
            return Err(format!("--clip must be positive, got {}", self.clip));
        }
        if !(self.gp_weight.is_finite() && self.gp_weight >= 0.0) {
            return Err(format!(
                "--gp-weight must be 0 or more, got {}",
                self.gp_weight
            ));
        }
        if !(0.0..0.5).contains(&self.label_smoothing) {
            return Err(format!(
                "--label-smoothing must lie in [0, 0.5), got {}",
                self.label_smoothing
            ));
        }
        if self.label_smoothing > 0.0 && !self.loss.has_targets() {
            return Err(format!(
                "--label-smoothing softens targets, which --loss {} does not have",
                self.loss.name()
            ));
        }
        if self.dataset != Dataset::Mnist && self.eval_every > 0 {
            return Err(
                "the scores need the MNIST classifier, which knows digits only: use --eval-every 0 with --dataset fashion-mnist"
                    .into(),
            );
        }
        if let Some(decay) = self.ema
            && !(0.0..1.0).contains(&decay)
        {
            return Err(format!("--ema must lie in [0, 1), got {decay}"));
        }
        if !(self.instance_noise.is_finite() && self.instance_noise >= 0.0) {
            return Err(format!(
                "--instance-noise must be 0 or more, got {}",
                self.instance_noise
            ));
        }
        if let Some(t) = self.time_limit
            && !(t.is_finite() && t > 0.0)
        {
            return Err(format!(
                "--time-limit must be a positive number of seconds, got {t}"
            ));
        }
        if self.steps == Some(0) {
            return Err("--steps must be at least 1".into());
        }
        if self.limit == Some(0) {
            return Err("--limit must be at least 1".into());
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
