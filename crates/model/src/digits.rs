//! MNIST digits as a Burn dataset: what the GAN and the classifier both train on.

use burn::data::dataset::{Dataset, DatasetError};
use data::mnist::Mnist;
use std::sync::Arc;

/// One image's 784 bytes and its digit.
pub type Digit = (Vec<u8>, u8);

/// MNIST images with their labels as a Burn dataset: one item per image.
#[derive(Debug, Clone)]
pub struct DigitDataset {
    digits: Arc<Mnist>,
}

impl DigitDataset {
    /// Wraps a labelled set of images.
    pub fn new(digits: Mnist) -> Self {
        Self {
            digits: Arc::new(digits),
        }
    }
}

impl Dataset<Digit> for DigitDataset {
    fn get(&self, index: usize) -> Result<Digit, DatasetError> {
        if index >= self.digits.len() {
            return Err(DatasetError::new(std::io::Error::other(format!(
                "image {index} out of {}",
                self.digits.len()
            ))));
        }
        Ok((self.digits.image(index).to_vec(), self.digits.labels[index]))
    }

    fn len(&self) -> usize {
        self.digits.len()
    }
}
