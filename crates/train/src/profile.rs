//! Where a training step's time goes: each layer of both presets timed on its own.
//!
//! Every layer is run at the shapes it has in the network (default noise size, plain
//! networks), forward alone and forward plus backward (input and parameter gradients), after
//! a warm-up. A training step runs each generator layer forward and backward once, and each
//! discriminator layer forward three times and backward three times (twice with parameter
//! gradients, once for the generator's input gradient): [`Layer::step_ms`] weighs them so.

use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2dConfig};
use burn::nn::pool::AvgPool2dConfig;
use burn::nn::{BatchNormConfig, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::{leaky_relu, relu, tanh};
use model::Arch;
use model::upsample::{bilinear_x2, conv_of_bilinear_x2};
use std::time::Instant;

/// One layer's timing.
#[derive(Debug, Clone)]
pub struct Layer {
    /// What the layer is, with its shapes.
    pub name: String,
    /// Whether it belongs to the discriminator (run three times per step).
    pub discriminator: bool,
    /// Whether the network uses it (false for a formulation shown for comparison).
    pub in_network: bool,
    /// Milliseconds of a forward pass (median).
    pub forward_ms: f64,
    /// Milliseconds of a forward and a backward pass (median).
    pub forward_backward_ms: f64,
}

impl Layer {
    /// The layer's share of a training step in milliseconds: one forward and backward pass
    /// for a generator layer, three of each for a discriminator layer.
    pub fn step_ms(&self) -> f64 {
        let passes = if self.discriminator { 3.0 } else { 1.0 };
        passes * self.forward_backward_ms
    }
}

type Forward = Box<dyn Fn(Tensor<4>) -> Tensor<4>>;

/// A layer to time: its name, its input shape, whether it is the discriminator's, whether
/// the network uses it, and its forward pass.
struct Case(&'static str, [usize; 4], bool, bool, Forward);

fn conv(io: [usize; 2], k: usize, stride: usize, pad: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new(io, [k, k])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .init(device)
}

/// A linear layer on `[batch, inputs, 1, 1]`.
fn linear(i: usize, o: usize, device: &Device) -> Forward {
    let layer = LinearConfig::new(i, o).init(device);
    Box::new(move |x: Tensor<4>| {
        let b = x.dims()[0];
        layer.forward(x.reshape([b, i])).reshape([b, o, 1, 1])
    })
}

/// Batch norm (per channel) and ReLU.
fn norm_relu(channels: usize, device: &Device) -> Forward {
    let norm = BatchNormConfig::new(channels).init(device);
    Box::new(move |x| relu(norm.forward(x)))
}

/// A generator layer.
fn generator(name: &'static str, dims: [usize; 4], forward: Forward) -> Case {
    Case(name, dims, false, true, forward)
}

/// A discriminator layer.
fn discriminator(name: &'static str, dims: [usize; 4], forward: Forward) -> Case {
    Case(name, dims, true, true, forward)
}

fn cases(arch: Arch, b: usize, device: &Device) -> Vec<Case> {
    let d = device;
    match arch {
        Arch::Mlpack => {
            let (g1, up1) = (conv([1, 50], 3, 2, 1, d), conv([50, 25], 3, 2, 1, d));
            let (fold1, fold2) = (conv([50, 25], 3, 2, 1, d), conv([25, 1], 3, 2, 1, d));
            let (d1, d2) = (conv([1, 32], 5, 1, 2, d), conv([32, 64], 5, 1, 2, d));
            let pool = AvgPool2dConfig::new([2, 2]).init();
            let pool2 = pool.clone();
            let fc1 = linear(3136, 1024, d);
            vec![
                generator("G linear 100→3136", [b, 100, 1, 1], linear(100, 3136, d)),
                generator(
                    "G batch norm 3136 + ReLU",
                    [b, 3136, 1, 1],
                    norm_relu(3136, d),
                ),
                generator(
                    "G conv 3x3 s2 1→50, 56²→28²",
                    [b, 1, 56, 56],
                    Box::new(move |x| g1.forward(x)),
                ),
                generator(
                    "G batch norm 50 + ReLU, 28²",
                    [b, 50, 28, 28],
                    norm_relu(50, d),
                ),
                generator(
                    "G bilinear x2 + conv 3x3 s2 50→25 (folded)",
                    [b, 50, 28, 28],
                    Box::new(move |x| conv_of_bilinear_x2(&fold1, x)),
                ),
                Case(
                    "  the same as written: bilinear x2, then conv",
                    [b, 50, 28, 28],
                    false,
                    false,
                    Box::new(move |x| up1.forward(bilinear_x2(x))),
                ),
                generator(
                    "G batch norm 25 + ReLU, 28²",
                    [b, 25, 28, 28],
                    norm_relu(25, d),
                ),
                generator(
                    "G bilinear x2 + conv 3x3 s2 25→1 (folded) + tanh",
                    [b, 25, 28, 28],
                    Box::new(move |x| tanh(conv_of_bilinear_x2(&fold2, x))),
                ),
                discriminator(
                    "D conv 5x5 1→32, 28² + ReLU + pool",
                    [b, 1, 28, 28],
                    Box::new(move |x| pool.forward(relu(d1.forward(x)))),
                ),
                discriminator(
                    "D conv 5x5 32→64, 14² + ReLU + pool",
                    [b, 32, 14, 14],
                    Box::new(move |x| pool2.forward(relu(d2.forward(x)))),
                ),
                discriminator(
                    "D linear 3136→1024 + ReLU",
                    [b, 3136, 1, 1],
                    Box::new(move |x| relu(fc1(x))),
                ),
                discriminator("D linear 1024→1", [b, 1024, 1, 1], linear(1024, 1, d)),
            ]
        }
        Arch::Dcgan => {
            let up = |io: [usize; 2], k: usize, s: usize, p: usize| {
                ConvTranspose2dConfig::new(io, [k, k])
                    .with_stride([s, s])
                    .with_padding([p, p])
                    .init(d)
            };
            let (u0, u1, u2) = (
                up([100, 128], 7, 1, 0),
                up([128, 64], 4, 2, 1),
                up([64, 1], 4, 2, 1),
            );
            let (c0, c1) = (conv([1, 64], 4, 2, 1, d), conv([64, 128], 4, 2, 1, d));
            let c2 = conv([128, 1], 7, 1, 0, d);
            let n1 = BatchNormConfig::new(128).init(d);
            vec![
                generator(
                    "G conv-transpose 7x7 100→128, 1²→7²",
                    [b, 100, 1, 1],
                    Box::new(move |x| u0.forward(x)),
                ),
                generator(
                    "G batch norm 128 + ReLU, 7²",
                    [b, 128, 7, 7],
                    norm_relu(128, d),
                ),
                generator(
                    "G conv-transpose 4x4 s2 128→64, 7²→14²",
                    [b, 128, 7, 7],
                    Box::new(move |x| u1.forward(x)),
                ),
                generator(
                    "G batch norm 64 + ReLU, 14²",
                    [b, 64, 14, 14],
                    norm_relu(64, d),
                ),
                generator(
                    "G conv-transpose 4x4 s2 64→1, 14²→28² + tanh",
                    [b, 64, 14, 14],
                    Box::new(move |x| tanh(u2.forward(x))),
                ),
                discriminator(
                    "D conv 4x4 s2 1→64, 28²→14² + LeakyReLU",
                    [b, 1, 28, 28],
                    Box::new(move |x| leaky_relu(c0.forward(x), 0.2)),
                ),
                discriminator(
                    "D conv 4x4 s2 64→128, 14²→7²",
                    [b, 64, 14, 14],
                    Box::new(move |x| c1.forward(x)),
                ),
                discriminator(
                    "D batch norm 128 + LeakyReLU, 7²",
                    [b, 128, 7, 7],
                    Box::new(move |x| leaky_relu(n1.forward(x), 0.2)),
                ),
                discriminator(
                    "D conv 7x7 128→1",
                    [b, 128, 7, 7],
                    Box::new(move |x| c2.forward(x)),
                ),
            ]
        }
    }
}

/// Median seconds of `repeats` runs of `f`, after one untimed run.
fn median_secs(repeats: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Times every layer of `arch` at `batch` on `device` (median of `repeats`).
pub fn layers(arch: Arch, batch: usize, device: &Device, repeats: usize) -> Vec<Layer> {
    let ad = device.clone().autodiff();
    ad.seed(1);
    cases(arch, batch, &ad)
        .into_iter()
        .map(|Case(name, dims, discriminator, in_network, forward)| {
            let x = Tensor::<4>::random(dims, Distribution::Normal(0.0, 1.0), &ad).require_grad();
            // Reading one value waits for the device to finish.
            let forward_secs = median_secs(repeats, || {
                let _ = forward(x.clone()).sum().into_data();
            });
            let out_dims = forward(x.clone()).dims();
            let r = Tensor::<4>::random(out_dims, Distribution::Normal(0.0, 1.0), &ad);
            let both_secs = median_secs(repeats, || {
                let grads = (forward(x.clone()) * r.clone()).sum().backward();
                if let Some(g) = x.grad(&grads) {
                    let _ = g.sum().into_data();
                }
            });
            Layer {
                name: name.to_string(),
                discriminator,
                in_network,
                forward_ms: forward_secs * 1e3,
                forward_backward_ms: both_secs * 1e3,
            }
        })
        .collect()
}
