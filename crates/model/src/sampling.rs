//! Drawing images from a generator.

use crate::{Generator, ModelConfig};
use anyhow::Result;
use burn::prelude::*;

/// Noise vectors generated per forward pass.
const CHUNK: usize = 256;

/// Draws `count` samples from `generator` (in inference mode) with noise from `config`, seeded
/// by `seed` (the same seed draws the same noise on every device): 784 values in [-1, 1] per
/// image, row-major.
pub fn sample(
    generator: &Generator,
    config: &ModelConfig,
    count: usize,
    seed: u64,
    device: &Device,
) -> Result<Vec<f32>> {
    let mut out = Vec::with_capacity(count * crate::SIDE * crate::SIDE);
    let mut left = count;
    let mut chunk_seed = seed;
    while left > 0 {
        let n = left.min(CHUNK);
        let noise = config
            .noise
            .sample_seeded(n, config.noise_dim, chunk_seed, device);
        chunk_seed = chunk_seed.wrapping_add(1);
        let images = generator.forward(noise).into_data().convert::<f32>();
        out.extend(
            images
                .try_into_vec::<f32>()
                .map_err(|e| anyhow::anyhow!("cannot read the samples: {e:?}"))?,
        );
        left -= n;
    }
    Ok(out)
}
