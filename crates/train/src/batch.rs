//! The batches the training step takes, from MNIST digits ([`model::digits`]).

use burn::data::dataloader::batcher::Batcher;
use burn::prelude::*;
use data::{PIXELS, SIDE, pixels::byte_to_signed};
use model::digits::Digit;

/// A batch of real images for one step.
#[derive(Debug, Clone)]
pub struct GanBatch {
    /// Images `[batch, 1, 28, 28]` in [-1, 1].
    pub images: Tensor<4>,
    /// Their digits, one-hot `[batch, 10]` (used by conditional models).
    pub labels: Tensor<2>,
    /// Whether this step trains the generator too (set by the learning strategy).
    pub train_generator: bool,
    /// The standard deviation of the instance noise this step (set by the learning strategy).
    pub instance_noise: f64,
}

/// Turns digits into a [`GanBatch`]: images scaled to [-1, 1], labels one-hot.
#[derive(Debug, Clone, Default)]
pub struct ImageBatcher;

impl Batcher<Digit, GanBatch> for ImageBatcher {
    fn batch(&self, items: Vec<Digit>, device: &Device) -> GanBatch {
        let n = items.len();
        let values: Vec<f32> = items
            .iter()
            .flat_map(|(img, _)| img.iter().map(|&b| byte_to_signed(b)))
            .collect();
        debug_assert_eq!(values.len(), n * PIXELS);
        let images = Tensor::from_data(TensorData::new(values, [n, 1, SIDE, SIDE]), device);
        let digits: Vec<u8> = items.iter().map(|(_, label)| *label).collect();
        GanBatch {
            images,
            labels: model::condition::one_hot(&digits, device),
            train_generator: true,
            instance_noise: 0.0,
        }
    }
}
