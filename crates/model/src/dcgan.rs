//! A standard 28x28 DCGAN (Radford et al., 2015), sized to train well on a CPU.
//!
//! Generator: noise z as a 1x1 map; transposed conv 7x7 z→128 (7x7), batch norm, ReLU;
//! transposed conv 4x4 stride 2 pad 1 128→64 (14x14), batch norm, ReLU; transposed conv
//! 4x4 s2 p1 64→1 (28x28); tanh.
//!
//! Discriminator: conv 4x4 s2 p1 1→64 (14x14), LeakyReLU 0.2; conv 4x4 s2 p1 64→128 (7x7),
//! batch norm, LeakyReLU 0.2; conv 7x7 128→1 (a logit).
//!
//! Layers followed by batch norm have no bias (it would be cancelled). Without batch norm in the
//! discriminator (`critic_norm` false, as a gradient penalty needs), its second convolution
//! has a bias.

use crate::condition::conv_with_digits;
use crate::norm::MapNorm;
use crate::spectral::SpectralNorm;
use crate::{ModelConfig, input_gradient};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, relu, tanh};
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;

/// Negative slope of the discriminator's LeakyReLU.
const SLOPE: f64 = 0.2;

/// The DCGAN generator.
#[derive(Module, Debug)]
pub struct DcganGenerator {
    up0: ConvTranspose2d,
    norm0: MapNorm,
    up1: ConvTranspose2d,
    norm1: MapNorm,
    up2: ConvTranspose2d,
}

impl DcganGenerator {
    /// Creates the generator of `cfg`.
    pub fn new(cfg: &ModelConfig, device: &Device) -> Self {
        let up = |io: [usize; 2], k: usize, s: usize, p: usize, bias: bool| {
            ConvTranspose2dConfig::new(io, [k, k])
                .with_stride([s, s])
                .with_padding([p, p])
                .with_bias(bias)
                .with_initializer(cfg.initializer())
                .init(device)
        };
        Self {
            up0: up([cfg.generator_input_dim(), 128], 7, 1, 0, false),
            norm0: MapNorm::new(cfg.batch_norm, [128, 7, 7], device),
            up1: up([128, 64], 4, 2, 1, false),
            norm1: MapNorm::new(cfg.batch_norm, [64, 14, 14], device),
            up2: up([64, 1], 4, 2, 1, true),
        }
    }

    /// Input `[batch, z]` (see [`crate::condition::generator_input`]) to images
    /// `[batch, 1, 28, 28]`.
    pub fn forward(&self, noise: Tensor<2>) -> Tensor<4> {
        let [b, z] = noise.dims();
        let x = noise.reshape([b, z, 1, 1]);
        let x = relu(self.norm0.forward(self.up0.forward(x)));
        let x = relu(self.norm1.forward(self.up1.forward(x)));
        tanh(self.up2.forward(x))
    }
}

/// The DCGAN discriminator.
#[derive(Module, Debug)]
pub struct DcganDiscriminator {
    conv0: Conv2d,
    conv1: Conv2d,
    norm1: Option<MapNorm>,
    conv2: Conv2d,
    /// Spectral normalisation of the three convolutions' weights, when configured.
    spectral: Option<Vec<SpectralNorm>>,
}

impl DcganDiscriminator {
    /// Creates the discriminator of `cfg`.
    pub fn new(cfg: &ModelConfig, device: &Device) -> Self {
        let conv = |io: [usize; 2], k: usize, s: usize, p: usize, bias: bool| {
            Conv2dConfig::new(io, [k, k])
                .with_stride([s, s])
                .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                .with_bias(bias)
                .with_initializer(cfg.initializer())
                .init(device)
        };
        Self {
            conv0: conv([cfg.discriminator_channels(), 64], 4, 2, 1, true),
            conv1: conv([64, 128], 4, 2, 1, !cfg.critic_norm),
            norm1: cfg
                .critic_norm
                .then(|| MapNorm::new(cfg.batch_norm, [128, 7, 7], device)),
            conv2: conv([128, 1], 7, 1, 0, true),
            spectral: cfg.spectral_norm.then(|| {
                [64, 128, 1]
                    .map(|rows| SpectralNorm::new(rows, device))
                    .into()
            }),
        }
    }

    /// The three convolutions' weights, spectrally normalised when configured.
    fn weights(&self) -> [Tensor<4>; 3] {
        let raw = [&self.conv0, &self.conv1, &self.conv2].map(|c| c.weight.val());
        match &self.spectral {
            Some(sn) => {
                let [w0, w1, w2] = raw;
                [
                    sn[0].normalise(w0),
                    sn[1].normalise(w1),
                    sn[2].normalise(w2),
                ]
            }
            None => raw,
        }
    }

    /// Images `[batch, 1, 28, 28]` (and, when conditional, their one-hot digits
    /// `[batch, 10]`) to logits `[batch, 1]`.
    pub fn forward(&self, images: Tensor<4>, labels: Option<Tensor<2>>) -> Tensor<2> {
        let [b, ..] = images.dims();
        let [w0, w1, w2] = self.weights();
        let x = leaky_relu(self.first(w0, images, labels), SLOPE);
        let x = apply(&self.conv1, w1, x, 2, 1);
        let x = match &self.norm1 {
            Some(norm) => norm.forward(x),
            None => x,
        };
        apply(&self.conv2, w2, leaky_relu(x, SLOPE), 1, 0).reshape([b, 1])
    }

    /// The first convolution, with `weight`, of the images and their digits.
    fn first(&self, weight: Tensor<4>, images: Tensor<4>, labels: Option<Tensor<2>>) -> Tensor<4> {
        conv_with_digits(
            images,
            labels,
            weight,
            self.conv0.bias.as_ref().map(|b| b.val()),
            ConvOptions::new([2, 2], [1, 1], [1, 1], 1),
        )
    }

    /// Logits `[batch, 1]` and each logit's gradient with respect to its image
    /// `[batch, 1, 28, 28]` (not its digit), differentiable with respect to the weights;
    /// `None` with batch norm, which makes each logit depend on the whole batch.
    pub fn forward_with_input_gradient(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<2>>,
    ) -> Option<(Tensor<2>, Tensor<4>)> {
        if self.norm1.is_some() {
            return None;
        }
        let [b, ..] = images.dims();
        let [w0, w1, w2] = self.weights();
        let a0 = self.first(w0.clone(), images, labels);
        let a1 = apply(&self.conv1, w1.clone(), leaky_relu(a0.clone(), SLOPE), 2, 1);
        let logits = apply(&self.conv2, w2.clone(), leaky_relu(a1.clone(), SLOPE), 1, 0);
        let ones = Tensor::ones([b, 1, 1, 1], &logits.device());
        let g = input_gradient::conv(ones, w2, 1, 0, 7);
        let g = input_gradient::leaky_relu(g, a1, SLOPE);
        let g = input_gradient::conv(g, w1, 2, 1, 14);
        let g = input_gradient::leaky_relu(g, a0, SLOPE);
        let g = input_gradient::conv(g, w0.narrow(1, 0, 1), 2, 1, 28);
        Some((logits.reshape([b, 1]), g))
    }
}

/// `conv`'s bias and geometry with `weight` (its own, or spectrally normalised).
fn apply(conv: &Conv2d, weight: Tensor<4>, x: Tensor<4>, stride: usize, pad: usize) -> Tensor<4> {
    conv2d(
        x,
        weight,
        conv.bias.as_ref().map(|b| b.val()),
        ConvOptions::new([stride, stride], [pad, pad], [1, 1], 1),
    )
}
