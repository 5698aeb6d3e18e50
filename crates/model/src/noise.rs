//! The noise distribution the generator is fed; stored in the model's config so that
//! generation draws exactly what training drew.

use burn::prelude::*;
use burn::tensor::Distribution;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::Distribution as _;
use serde::{Deserialize, Serialize};

/// A noise distribution, each component drawn independently.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Noise {
    /// Normal with the given mean and standard deviation (standard normal by default).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
}

impl Default for Noise {
    fn default() -> Self {
        Noise::Normal {
            mean: 0.0,
            std: 1.0,
        }
    }
}

impl Noise {
    /// Draws `count` noise vectors of `dim` components on the host from a generator seeded
    /// with `seed`: the same seed gives the same noise on every backend and thread.
    pub fn sample_seeded(&self, count: usize, dim: usize, seed: u64, device: &Device) -> Tensor<2> {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = count * dim;
        let values: Vec<f32> = match *self {
            Noise::Normal { mean, std } => {
                let d = rand_distr::Normal::new(mean as f32, std as f32).expect("a checked std");
                (0..n).map(|_| d.sample(&mut rng)).collect()
            }
            Noise::Uniform { low, high } => {
                let d = rand_distr::Uniform::new(low as f32, high as f32).expect("checked bounds");
                (0..n).map(|_| d.sample(&mut rng)).collect()
            }
        };
        Tensor::from_data(TensorData::new(values, [count, dim]), device)
    }

    /// Draws `count` noise vectors of `dim` components with the device's random number
    /// generator (fast on any backend; reproducible from `Device::seed` in a single thread):
    /// a `[count, dim]` tensor.
    pub fn sample(&self, count: usize, dim: usize, device: &Device) -> Tensor<2> {
        let dist = match *self {
            Noise::Normal { mean, std } => Distribution::Normal(mean, std),
            Noise::Uniform { low, high } => Distribution::Uniform(low, high),
        };
        Tensor::random([count, dim], dist, device)
    }
}
