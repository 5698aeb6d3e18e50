//! The generator and discriminator, whichever preset they are.

use crate::{dcgan, mlpack};
use burn::prelude::*;

/// A generator: noise `[batch, noise_dim]` to images `[batch, 1, 28, 28]` in [-1, 1].
// Both variants are of similar size; boxing would not save anything, as only one exists.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Generator {
    /// The mlpack tutorial's generator.
    Mlpack(mlpack::MlpackGenerator),
    /// The DCGAN generator.
    Dcgan(dcgan::DcganGenerator),
}

impl Generator {
    /// Generates images from noise.
    pub fn forward(&self, noise: Tensor<2>) -> Tensor<4> {
        match self {
            Generator::Mlpack(g) => g.forward(noise),
            Generator::Dcgan(g) => g.forward(noise),
        }
    }
}

/// A discriminator: images `[batch, 1, 28, 28]` to logits `[batch, 1]` (high means real).
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Discriminator {
    /// The mlpack tutorial's discriminator.
    Mlpack(mlpack::MlpackDiscriminator),
    /// The DCGAN discriminator.
    Dcgan(dcgan::DcganDiscriminator),
}

impl Discriminator {
    /// Scores images: one logit each.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Discriminator::Mlpack(d) => d.forward(images),
            Discriminator::Dcgan(d) => d.forward(images),
        }
    }
}
