//! The model configuration: which networks, their sizes, initialisation and noise.

use crate::condition::CLASSES;
use crate::networks::{Discriminator, Generator};
use crate::{BatchNormMode, Noise, dcgan, mlpack};
use burn::nn::Initializer;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Which pair of networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// The mlpack GAN tutorial's networks, layer for layer.
    Mlpack,
    /// A standard 28x28 DCGAN, sized to train well on a CPU.
    Dcgan,
}

/// Everything needed to rebuild both networks and the noise they were trained on.
#[derive(Config, Debug)]
pub struct ModelConfig {
    /// The networks.
    #[config(default = "Arch::Dcgan")]
    pub arch: Arch,
    /// Dimension of the noise vector the generator is fed.
    #[config(default = 100)]
    pub noise_dim: usize,
    /// How batch normalisation groups values.
    #[config(default = "BatchNormMode::PerChannel")]
    pub batch_norm: BatchNormMode,
    /// Whether the discriminator's weights are spectrally normalised (see
    /// [`crate::spectral`]).
    #[config(default = false)]
    pub spectral_norm: bool,
    /// Whether both networks are told the digit (see [`crate::condition`]).
    #[config(default = false)]
    pub conditional: bool,
    /// The digits a conditional generator was trained on, in increasing order (empty: all
    /// ten); grids, scores and `generate` ask it for these in turn.
    #[config(default = "Vec::new()")]
    pub digits: Vec<u8>,
    /// Whether the discriminator normalises batches (the dcgan preset's; the mlpack one has
    /// none). A gradient penalty needs each image scored on its own, so WGAN-GP turns it off.
    #[config(default = true)]
    pub critic_norm: bool,
    /// The noise distribution.
    #[config(default = "Noise::Normal { mean: 0.0, std: 1.0 }")]
    pub noise: Noise,
    /// Mean of the Gaussian that initialises every weight and bias.
    #[config(default = 0.0)]
    pub init_mean: f64,
    /// Standard deviation of the Gaussian that initialises every weight and bias
    /// (mlpack uses 1; 0.02 is what trains).
    #[config(default = 0.02)]
    pub init_std: f64,
}

impl ModelConfig {
    /// Checks the values, saying what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let min_dim = match self.arch {
            Arch::Mlpack => 4,
            Arch::Dcgan => 1,
        };
        if self.noise_dim < min_dim {
            return Err(format!(
                "noise dimension {} is too small for the {:?} networks (at least {min_dim})",
                self.noise_dim, self.arch
            ));
        }
        if let Some(d) = self.digits.iter().find(|&&d| usize::from(d) >= CLASSES) {
            return Err(format!("digit {d} is not one of 0..9"));
        }
        if !(self.init_std.is_finite() && self.init_std > 0.0 && self.init_mean.is_finite()) {
            return Err(format!(
                "initialisation N({}, {}) needs a finite mean and a positive std",
                self.init_mean, self.init_std
            ));
        }
        match self.noise {
            Noise::Normal { mean, std } if !(mean.is_finite() && std.is_finite() && std > 0.0) => {
                Err(format!(
                    "normal noise needs a finite mean and a positive std, got ({mean}, {std})"
                ))
            }
            Noise::Uniform { low, high }
                if !(low.is_finite() && high.is_finite() && low < high) =>
            {
                Err(format!(
                    "uniform noise needs finite bounds with low < high, got [{low}, {high})"
                ))
            }
            _ => Ok(()),
        }
    }

    /// The digits a conditional generator can be asked for: those it was trained on.
    pub fn trained_digits(&self) -> Vec<u8> {
        if self.digits.is_empty() {
            (0..CLASSES as u8).collect()
        } else {
            self.digits.clone()
        }
    }

    /// The digits `count` samples of a conditional generator ask for: its
    /// [trained digits](Self::trained_digits) in turn (`0, 1, ..., 9, 0, 1, ...`).
    pub fn cycle_digits(&self, count: usize) -> Vec<u8> {
        let trained = self.trained_digits();
        (0..count).map(|i| trained[i % trained.len()]).collect()
    }

    /// How a grid of `count` samples is laid out: the digit each sample asks for, and the
    /// grid's columns. A conditional generator's grid has one digit per row (its trained
    /// digits in turn, top to bottom, each on as many rows); any other grid is as square as
    /// it can be.
    pub fn grid_layout(&self, count: usize) -> (Vec<u8>, usize) {
        if !self.conditional {
            return (self.cycle_digits(count), data::png::grid_cols(count));
        }
        let trained = self.trained_digits();
        let n = trained.len();
        let rows = n * (data::png::grid_cols(count) / n).max(1);
        let cols = count.div_ceil(rows).max(1);
        let digits = (0..count).map(|i| trained[(i / cols) % n]).collect();
        (digits, cols)
    }

    /// The width of the generator's input: the noise, and the one-hot digit when conditional.
    pub fn generator_input_dim(&self) -> usize {
        self.noise_dim + if self.conditional { CLASSES } else { 0 }
    }

    /// The channels of the discriminator's input: the image, and the ten digit maps when
    /// conditional.
    pub fn discriminator_channels(&self) -> usize {
        1 + if self.conditional { CLASSES } else { 0 }
    }

    /// The Gaussian initialiser of weights and biases.
    pub fn initializer(&self) -> Initializer {
        Initializer::Normal {
            mean: self.init_mean,
            std: self.init_std,
        }
    }

    /// Creates the generator, initialised.
    pub fn init_generator(&self, device: &Device) -> Generator {
        match self.arch {
            Arch::Mlpack => Generator::Mlpack(mlpack::MlpackGenerator::new(self, device)),
            Arch::Dcgan => Generator::Dcgan(dcgan::DcganGenerator::new(self, device)),
        }
    }

    /// Creates the discriminator, initialised.
    pub fn init_discriminator(&self, device: &Device) -> Discriminator {
        match self.arch {
            Arch::Mlpack => Discriminator::Mlpack(mlpack::MlpackDiscriminator::new(self, device)),
            Arch::Dcgan => Discriminator::Dcgan(dcgan::DcganDiscriminator::new(self, device)),
        }
    }
}
