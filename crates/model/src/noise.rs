//! The noise distribution the generator is fed; stored in the model's config so that
//! generation draws exactly what training drew.

use burn::prelude::*;
use burn::tensor::Distribution;
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
    /// Draws `count` noise vectors of `dim` components: a `[count, dim]` tensor.
    pub fn sample(&self, count: usize, dim: usize, device: &Device) -> Tensor<2> {
        let dist = match *self {
            Noise::Normal { mean, std } => Distribution::Normal(mean, std),
            Noise::Uniform { low, high } => Distribution::Uniform(low, high),
        };
        Tensor::random([count, dim], dist, device)
    }
}
