//! MNIST images as a Burn dataset, and the batches the training step takes.

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset, DatasetError};
use burn::prelude::*;
use data::mnist::Mnist;
use data::{PIXELS, SIDE, pixels::byte_to_signed};
use std::sync::Arc;

/// The images of an [`Mnist`] set, one item per image (its 784 bytes).
#[derive(Debug, Clone)]
pub struct ImageDataset {
    images: Arc<Mnist>,
}

impl ImageDataset {
    /// Wraps a set of images.
    pub fn new(images: Mnist) -> Self {
        Self {
            images: Arc::new(images),
        }
    }
}

impl Dataset<Vec<u8>> for ImageDataset {
    fn get(&self, index: usize) -> Result<Vec<u8>, DatasetError> {
        if index >= self.images.len() {
            return Err(DatasetError::new(std::io::Error::other(format!(
                "image {index} out of {}",
                self.images.len()
            ))));
        }
        Ok(self.images.image(index).to_vec())
    }

    fn len(&self) -> usize {
        self.images.len()
    }
}

/// A batch of real images for one step.
#[derive(Debug, Clone)]
pub struct GanBatch {
    /// Images `[batch, 1, 28, 28]` in [-1, 1].
    pub images: Tensor<4>,
    /// Whether this step trains the generator too (set by the learning strategy).
    pub train_generator: bool,
}

/// Turns images' bytes into a [`GanBatch`], scaled to [-1, 1].
#[derive(Debug, Clone, Default)]
pub struct ImageBatcher;

impl Batcher<Vec<u8>, GanBatch> for ImageBatcher {
    fn batch(&self, items: Vec<Vec<u8>>, device: &Device) -> GanBatch {
        let n = items.len();
        let values: Vec<f32> = items
            .iter()
            .flat_map(|img| img.iter().map(|&b| byte_to_signed(b)))
            .collect();
        debug_assert_eq!(values.len(), n * PIXELS);
        let images = Tensor::from_data(TensorData::new(values, [n, 1, SIDE, SIDE]), device);
        GanBatch {
            images,
            train_generator: true,
        }
    }
}
