//! Batch normalisation of image feature maps, per channel or per feature.

use burn::nn::{BatchNorm, BatchNormConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// How batch normalisation groups the values it normalises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BatchNormMode {
    /// One mean and variance per channel, over the batch and all positions: the common choice
    /// (PyTorch's `BatchNorm2d`), with few statistics, each estimated from many values.
    PerChannel,
    /// One mean and variance per flattened feature (channel x row x column), as mlpack's
    /// `BatchNorm` does: 39,200 statistics after the mlpack generator's first convolution,
    /// each estimated from only a batch's worth of values.
    PerFeature,
}

/// Batch normalisation of `[batch, channels, height, width]` maps in a [`BatchNormMode`].
#[derive(Module, Debug)]
pub struct MapNorm {
    /// The normalisation, over `channels` or `channels * height * width` features.
    pub norm: BatchNorm,
    /// Whether features are flattened first ([`BatchNormMode::PerFeature`]).
    pub per_feature: bool,
}

impl MapNorm {
    /// Creates the normalisation of maps of `shape` = `[channels, height, width]`.
    pub fn new(mode: BatchNormMode, shape: [usize; 3], device: &Device) -> Self {
        let per_feature = mode == BatchNormMode::PerFeature;
        let features = if per_feature {
            shape.iter().product()
        } else {
            shape[0]
        };
        Self {
            norm: BatchNormConfig::new(features).init(device),
            per_feature,
        }
    }

    /// Normalises `x` of shape `[batch, channels, height, width]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        if self.per_feature {
            let dims = x.dims();
            let flat = x.reshape([dims[0], dims[1] * dims[2] * dims[3]]);
            self.norm.forward(flat).reshape(dims)
        } else {
            self.norm.forward(x)
        }
    }
}
