//! Drawing images from a generator.

use crate::condition::{generator_input, one_hot};
use crate::{Generator, ModelConfig};
use anyhow::Result;
use burn::prelude::*;

/// Noise vectors generated per forward pass.
const CHUNK: usize = 256;

/// Draws `count` samples from `generator` (in inference mode) with noise from `config`, seeded
/// by `seed` (the same seed draws the same noise on every device): 784 values in [-1, 1] per
/// image, row-major. A conditional generator draws its digits in turn
/// ([`ModelConfig::cycle_digits`]: 0, 1, ..., 9, 0, 1, ... when trained on all ten).
pub fn sample(
    generator: &Generator,
    config: &ModelConfig,
    count: usize,
    seed: u64,
    device: &Device,
) -> Result<Vec<f32>> {
    sample_digits(generator, config, &config.cycle_digits(count), seed, device)
}

/// Draws one sample per entry of `digits` (the digit asked of a conditional generator; an
/// unconditional one ignores them), with noise as [`sample`] draws it.
pub fn sample_digits(
    generator: &Generator,
    config: &ModelConfig,
    digits: &[u8],
    seed: u64,
    device: &Device,
) -> Result<Vec<f32>> {
    let mut out = Vec::with_capacity(digits.len() * crate::SIDE * crate::SIDE);
    let mut chunk_seed = seed;
    for chunk in digits.chunks(CHUNK) {
        let noise = config
            .noise
            .sample_seeded(chunk.len(), config.noise_dim, chunk_seed, device);
        chunk_seed = chunk_seed.wrapping_add(1);
        out.extend(draw(generator, config, noise, chunk, device)?);
    }
    Ok(out)
}

/// Walks between noise vectors: one row per entry of `row_digits` (the digit that row asks of
/// a conditional generator; an unconditional one ignores them), each a pair of noise vectors
/// drawn with `seed` (the first `2 * rows` vectors that seed gives) walked in `steps` evenly
/// spaced images from the first to the second, row after row. Normal noise is walked along the great circle
/// (spherical interpolation, which keeps the vectors' typical length), uniform noise along the
/// straight line.
pub fn interpolate(
    generator: &Generator,
    config: &ModelConfig,
    row_digits: &[u8],
    steps: usize,
    seed: u64,
    device: &Device,
) -> Result<Vec<f32>> {
    let rows = row_digits.len();
    let dim = config.noise_dim;
    let ends = config
        .noise
        .sample_seeded(2 * rows, dim, seed, device)
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| anyhow::anyhow!("cannot read the noise: {e:?}"))?;
    let spherical = matches!(config.noise, crate::Noise::Normal { .. });
    let mut walk = Vec::with_capacity(rows * steps * dim);
    for pair in ends.chunks_exact(2 * dim) {
        let (a, b) = pair.split_at(dim);
        for t in 0..steps {
            let f = t as f64 / (steps.max(2) - 1) as f64;
            walk.extend(between(a, b, f, spherical));
        }
    }
    let digits: Vec<u8> = (0..rows * steps).map(|i| row_digits[i / steps]).collect();
    let mut out = Vec::with_capacity(rows * steps * crate::SIDE * crate::SIDE);
    for (chunk, labels) in walk.chunks(CHUNK * dim).zip(digits.chunks(CHUNK)) {
        let n = chunk.len() / dim;
        let noise = Tensor::from_data(TensorData::new(chunk.to_vec(), [n, dim]), device);
        out.extend(draw(generator, config, noise, labels, device)?);
    }
    Ok(out)
}

/// The point a fraction `f` of the way from `a` to `b`: along the great circle when
/// `spherical` (and the vectors are not parallel), else along the straight line.
fn between(a: &[f32], b: &[f32], f: f64, spherical: bool) -> Vec<f32> {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let cos = (dot / (norm(a) * norm(b))).clamp(-1.0, 1.0);
    let omega = cos.acos();
    let (wa, wb) = if spherical && omega.sin().abs() > 1e-6 {
        (
            ((1.0 - f) * omega).sin() / omega.sin(),
            (f * omega).sin() / omega.sin(),
        )
    } else {
        (1.0 - f, f)
    };
    a.iter()
        .zip(b)
        .map(|(x, y)| (wa * f64::from(*x) + wb * f64::from(*y)) as f32)
        .collect()
}

/// Runs the generator on a batch of noise (with `digits` when it is conditional) and reads the
/// images back.
fn draw(
    generator: &Generator,
    config: &ModelConfig,
    noise: Tensor<2>,
    digits: &[u8],
    device: &Device,
) -> Result<Vec<f32>> {
    let labels = config.conditional.then(|| one_hot(digits, device));
    generator
        .forward(generator_input(noise, labels))
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| anyhow::anyhow!("cannot read the samples: {e:?}"))
}
