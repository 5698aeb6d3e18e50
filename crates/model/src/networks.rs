//! The generator and discriminator, whichever preset they are.

use crate::{dcgan, mlpack};
use burn::module::{ModuleMapper, Param};
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
    /// Scores images `[batch, 1, 28, 28]`: one logit each. A conditional discriminator is
    /// told their digits, one-hot `labels` `[batch, 10]` (see [`crate::condition`]).
    pub fn forward(&self, images: Tensor<4>, labels: Option<Tensor<2>>) -> Tensor<2> {
        match self {
            Discriminator::Mlpack(d) => d.forward(images, labels),
            Discriminator::Dcgan(d) => d.forward(images, labels),
        }
    }

    /// The discriminator with every trainable weight clipped to `[-c, c]` (WGAN); batch
    /// norm's running statistics, which are not trained, are left alone.
    pub fn clipped(self, c: f64) -> Self {
        struct Clip(f64);
        impl ModuleMapper for Clip {
            fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
                let (id, tensor, mapper) = param.consume();
                let tensor = if tensor.is_require_grad() {
                    tensor.clamp(-self.0, self.0).detach().require_grad()
                } else {
                    tensor
                };
                Param::from_mapped_value(id, tensor, mapper)
            }
        }
        self.map(&mut Clip(c))
    }

    /// Scores images and gives each logit's gradient with respect to its image, as one
    /// computation autodiff can differentiate again (see [`crate::input_gradient`]); `None`
    /// when the discriminator normalises batches (`critic_norm`).
    /// With a conditional discriminator, the gradient is taken with respect to the image
    /// only, not its digit.
    pub fn forward_with_input_gradient(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<2>>,
    ) -> Option<(Tensor<2>, Tensor<4>)> {
        match self {
            Discriminator::Mlpack(d) => Some(d.forward_with_input_gradient(images, labels)),
            Discriminator::Dcgan(d) => d.forward_with_input_gradient(images, labels),
        }
    }
}
