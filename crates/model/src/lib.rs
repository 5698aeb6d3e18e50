//! The networks of a GAN on MNIST, as backend-agnostic Burn modules.
//!
//! - [`config`]: [`ModelConfig`], everything needed to rebuild both networks and the noise.
//! - [`Generator`] and [`Discriminator`]: one enum each over the two presets,
//!   [`mlpack`] (the seed tutorial's networks) and [`dcgan`] (a standard 28x28 DCGAN).
//! - [`condition`]: telling both networks the digit (conditional models).
//! - [`digits`]: MNIST digits as a Burn dataset.
//! - [`noise`]: the noise the generator is fed.
//! - [`upsample`]: an exact, differentiable-everywhere bilinear x2 upsampling.
//! - [`norm`]: batch normalisation per channel or per feature.
//! - [`input_gradient`]: the discriminator's input gradient as a differentiable computation.
//! - [`flops`]: analytic operation counts of the networks.
//! - [`sampling`]: drawing images from a generator with seeded noise, and walks between noise
//!   vectors.
//! - [`spectral`]: spectral normalisation of the discriminator's weights.
//! - [`store`]: saving and loading modules' weights.

pub mod condition;
pub mod config;
pub mod dcgan;
pub mod digits;
pub mod flops;
pub mod input_gradient;
pub mod mlpack;
pub mod networks;
pub mod noise;
pub mod norm;
pub mod sampling;
pub mod spectral;
pub mod store;
pub mod upsample;

pub use config::{Arch, ModelConfig};
pub use networks::{Discriminator, Generator};
pub use noise::Noise;
pub use norm::BatchNormMode;
pub use sampling::{interpolate, sample, sample_digits};

/// Side of a generated image, in pixels.
pub const SIDE: usize = 28;
