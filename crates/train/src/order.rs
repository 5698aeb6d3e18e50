//! The order the training images are visited in: a fresh shuffle each epoch, drawn from the
//! run's seed and the epoch's number alone, so that a resumed run visits exactly the images
//! the uninterrupted one would have (Burn's loader shuffles from a generator that advances
//! with every epoch the process has seen, which a new process cannot reproduce).

use crate::checkpoint::splitmix;
use burn::data::dataset::{Dataset, DatasetError};
use model::digits::{Digit, DigitDataset};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::sync::{Arc, RwLock};

/// The training images in the current epoch's order.
#[derive(Debug, Clone)]
pub struct EpochOrder {
    digits: DigitDataset,
    seed: u64,
    order: Arc<RwLock<Vec<usize>>>,
}

impl EpochOrder {
    /// `digits` in the order of epoch 1 of a run seeded with `seed`.
    pub fn new(digits: DigitDataset, seed: u64) -> Self {
        let this = Self {
            digits,
            seed,
            order: Arc::default(),
        };
        this.set_epoch(1);
        this
    }

    /// Shuffles for `epoch` (from 1). Call before the epoch's loader iteration starts.
    pub fn set_epoch(&self, epoch: usize) {
        let mut order: Vec<usize> = (0..self.digits.len()).collect();
        let mut rng = StdRng::seed_from_u64(splitmix(self.seed ^ splitmix(epoch as u64)));
        order.shuffle(&mut rng);
        *self.order.write().unwrap_or_else(|e| e.into_inner()) = order;
    }

    /// The dataset index of the `i`-th image of the current epoch.
    pub fn index(&self, i: usize) -> Option<usize> {
        self.order
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(i)
            .copied()
    }
}

impl Dataset<Digit> for EpochOrder {
    fn get(&self, index: usize) -> Result<Digit, DatasetError> {
        match self.index(index) {
            Some(i) => self.digits.get(i),
            None => Err(DatasetError::new(std::io::Error::other(format!(
                "image {index} out of {}",
                self.digits.len()
            )))),
        }
    }

    fn len(&self) -> usize {
        self.digits.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use data::mnist::Mnist;

    fn digits(n: usize) -> DigitDataset {
        DigitDataset::new(Mnist {
            pixels: (0..n).flat_map(|i| vec![i as u8; data::PIXELS]).collect(),
            labels: (0..n).map(|i| (i % 10) as u8).collect(),
        })
    }

    #[test]
    fn each_epoch_is_a_permutation_fixed_by_seed_and_epoch() {
        let order = EpochOrder::new(digits(50), 7);
        let first: Vec<u8> = (0..50).map(|i| order.get(i).unwrap().0[0]).collect();
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<u8>>());
        order.set_epoch(2);
        let second: Vec<u8> = (0..50).map(|i| order.get(i).unwrap().0[0]).collect();
        assert_ne!(first, second);
        // Another process (a resume) reproduces epoch 2 without having seen epoch 1.
        let other = EpochOrder::new(digits(50), 7);
        other.set_epoch(2);
        assert_eq!(
            (0..50)
                .map(|i| other.get(i).unwrap().0[0])
                .collect::<Vec<_>>(),
            second
        );
        assert!(order.get(50).is_err());
    }
}
