//! The mlpack GAN tutorial's networks, layer for layer.
//!
//! Discriminator: conv 5x5 1→32 (pad 2), ReLU, 2x2 mean-pool; conv 5x5 32→64 (pad 2), ReLU,
//! mean-pool; linear 3136→1024, ReLU; linear 1024→1 (a logit).
//!
//! Generator, noise dimension z: linear z→3136, batch norm, ReLU, viewed as 1x56x56;
//! conv 3x3 stride 2 pad 1, 1→z/2 (28x28), batch norm, ReLU; bilinear x2 (56x56);
//! conv 3x3 s2 p1 z/2→z/4, batch norm, ReLU; bilinear x2; conv 3x3 s2 p1 z/4→1; tanh.

use crate::condition::conv_with_digits;
use crate::norm::MapNorm;
use crate::spectral::SpectralNorm;
use crate::upsample::conv_of_bilinear_x2;
use crate::{ModelConfig, input_gradient};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AvgPool2d, AvgPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;

/// Side of the generator's first feature map.
const SEED_SIDE: usize = 56;

/// The mlpack tutorial's generator.
#[derive(Module, Debug)]
pub struct MlpackGenerator {
    fc: Linear,
    norm0: BatchNorm,
    conv1: Conv2d,
    norm1: MapNorm,
    conv2: Conv2d,
    norm2: MapNorm,
    conv3: Conv2d,
}

fn conv(
    cfg: &ModelConfig,
    io: [usize; 2],
    kernel: usize,
    stride: usize,
    pad: usize,
    device: &Device,
) -> Conv2d {
    Conv2dConfig::new(io, [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .with_initializer(cfg.initializer())
        .init(device)
}

impl MlpackGenerator {
    /// Creates the generator of `cfg` (whose arch should be mlpack).
    pub fn new(cfg: &ModelConfig, device: &Device) -> Self {
        let z = cfg.noise_dim;
        let (c1, c2) = (z / 2, z / 4);
        let seed = SEED_SIDE * SEED_SIDE;
        Self {
            fc: LinearConfig::new(cfg.generator_input_dim(), seed)
                .with_initializer(cfg.initializer())
                .init(device),
            norm0: BatchNormConfig::new(seed).init(device),
            conv1: conv(cfg, [1, c1], 3, 2, 1, device),
            norm1: MapNorm::new(cfg.batch_norm, [c1, 28, 28], device),
            conv2: conv(cfg, [c1, c2], 3, 2, 1, device),
            norm2: MapNorm::new(cfg.batch_norm, [c2, 28, 28], device),
            conv3: conv(cfg, [c2, 1], 3, 2, 1, device),
        }
    }

    /// Noise `[batch, z]` to images `[batch, 1, 28, 28]`.
    pub fn forward(&self, noise: Tensor<2>) -> Tensor<4> {
        let [b, _] = noise.dims();
        let x = relu(self.norm0.forward(self.fc.forward(noise)));
        let x = x.reshape([b, 1, SEED_SIDE, SEED_SIDE]);
        let x = relu(self.norm1.forward(self.conv1.forward(x)));
        // Bilinear x2 then the stride-2 convolution, as one convolution of the small map.
        let x = relu(self.norm2.forward(conv_of_bilinear_x2(&self.conv2, x)));
        tanh(conv_of_bilinear_x2(&self.conv3, x))
    }
}

/// The mlpack tutorial's discriminator.
#[derive(Module, Debug)]
pub struct MlpackDiscriminator {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: AvgPool2d,
    fc1: Linear,
    fc2: Linear,
    /// Spectral normalisation of the four layers' weights, when configured.
    spectral: Option<Vec<SpectralNorm>>,
}

impl MlpackDiscriminator {
    /// Creates the discriminator of `cfg`.
    pub fn new(cfg: &ModelConfig, device: &Device) -> Self {
        Self {
            conv1: conv(cfg, [cfg.discriminator_channels(), 32], 5, 1, 2, device),
            conv2: conv(cfg, [32, 64], 5, 1, 2, device),
            pool: AvgPool2dConfig::new([2, 2]).init(),
            fc1: LinearConfig::new(64 * 7 * 7, 1024)
                .with_initializer(cfg.initializer())
                .init(device),
            fc2: LinearConfig::new(1024, 1)
                .with_initializer(cfg.initializer())
                .init(device),
            // Rows: the convolutions' output channels, the linear layers' inputs (Burn stores
            // a linear weight as [in, out]); σ is the same either way.
            spectral: cfg.spectral_norm.then(|| {
                [32, 64, 64 * 7 * 7, 1024]
                    .map(|rows| SpectralNorm::new(rows, device))
                    .into()
            }),
        }
    }

    /// The layers' weights, spectrally normalised when configured.
    fn weights(&self) -> (Tensor<4>, Tensor<4>, Tensor<2>, Tensor<2>) {
        let (c1, c2) = (self.conv1.weight.val(), self.conv2.weight.val());
        let (f1, f2) = (self.fc1.weight.val(), self.fc2.weight.val());
        match &self.spectral {
            Some(sn) => (
                sn[0].normalise(c1),
                sn[1].normalise(c2),
                sn[2].normalise(f1),
                sn[3].normalise(f2),
            ),
            None => (c1, c2, f1, f2),
        }
    }

    /// Images `[batch, 1, 28, 28]` (and, when conditional, their one-hot digits
    /// `[batch, 10]`) to logits `[batch, 1]`.
    pub fn forward(&self, images: Tensor<4>, labels: Option<Tensor<2>>) -> Tensor<2> {
        let [b, ..] = images.dims();
        let (c1, c2, f1, f2) = self.weights();
        let x = self.pool.forward(relu(self.first(c1, images, labels)));
        let x = self.pool.forward(relu(apply_conv(&self.conv2, c2, x)));
        let x = relu(apply_linear(&self.fc1, f1, x.reshape([b, 64 * 7 * 7])));
        apply_linear(&self.fc2, f2, x)
    }

    /// The first convolution, with `weight`, of the images and their digits.
    fn first(&self, weight: Tensor<4>, images: Tensor<4>, labels: Option<Tensor<2>>) -> Tensor<4> {
        conv_with_digits(
            images,
            labels,
            weight,
            self.conv1.bias.as_ref().map(|b| b.val()),
            ConvOptions::new([1, 1], [2, 2], [1, 1], 1),
        )
    }

    /// Logits `[batch, 1]` and each logit's gradient with respect to its image
    /// `[batch, 1, 28, 28]` (not its digit), differentiable with respect to the weights.
    pub fn forward_with_input_gradient(
        &self,
        images: Tensor<4>,
        labels: Option<Tensor<2>>,
    ) -> (Tensor<2>, Tensor<4>) {
        let [b, ..] = images.dims();
        let (c1, c2, f1, f2) = self.weights();
        let a1 = self.first(c1.clone(), images, labels);
        let a2 = apply_conv(&self.conv2, c2.clone(), self.pool.forward(relu(a1.clone())));
        let pooled = self.pool.forward(relu(a2.clone()));
        let a3 = apply_linear(&self.fc1, f1.clone(), pooled.reshape([b, 64 * 7 * 7]));
        let logits = apply_linear(&self.fc2, f2.clone(), relu(a3.clone()));
        let ones = Tensor::ones([b, 1], &logits.device());
        let g = input_gradient::linear(ones, f2);
        let g = input_gradient::relu(g, a3);
        let g = input_gradient::linear(g, f1).reshape([b, 64, 7, 7]);
        let g = input_gradient::relu(input_gradient::avg_pool2(g), a2);
        let g = input_gradient::conv(g, c2, 1, 2, 14);
        let g = input_gradient::relu(input_gradient::avg_pool2(g), a1);
        let g = input_gradient::conv(g, c1.narrow(1, 0, 1), 1, 2, 28);
        (logits, g)
    }
}

/// A 5x5, stride-1, pad-2 convolution of the discriminator with `weight` (its own, or
/// spectrally normalised) and its bias.
fn apply_conv(conv: &Conv2d, weight: Tensor<4>, x: Tensor<4>) -> Tensor<4> {
    conv2d(
        x,
        weight,
        conv.bias.as_ref().map(|b| b.val()),
        ConvOptions::new([1, 1], [2, 2], [1, 1], 1),
    )
}

/// A linear layer with `weight` (`[in, out]`) and its bias.
fn apply_linear(linear: &Linear, weight: Tensor<2>, x: Tensor<2>) -> Tensor<2> {
    let y = x.matmul(weight);
    match &linear.bias {
        Some(bias) => y + bias.val().unsqueeze(),
        None => y,
    }
}
