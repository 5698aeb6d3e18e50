//! Training the MNIST classifier with Burn's Learner, and measuring its accuracy.

use anyhow::{Result, bail};
use burn::data::dataloader::DataLoaderBuilder;
use burn::optim::AdamConfig;
use burn::optim::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::prelude::*;
use burn::train::metric::{AccuracyMetric, LossMetric};
use burn::train::{ExecutionStrategy, Learner, SupervisedTraining, TrainingStrategy};
use data::mnist::Mnist;
use model::digits::DigitDataset;
use quality::classifier::DigitBatcher;
use quality::{Classifier, ClassifierConfig};
use std::path::Path;
use std::time::Duration;
use train::renderer::LineRenderer;

/// How the classifier is trained.
#[derive(Debug, Clone)]
pub struct ClassifierTraining {
    /// Passes over the training set.
    pub epochs: usize,
    /// Images per step.
    pub batch_size: usize,
    /// Adam's initial learning rate (it falls along a cosine to 0 over the run).
    pub learning_rate: f64,
    /// Seed of the initial weights and of the shuffling.
    pub seed: u64,
}

impl Default for ClassifierTraining {
    fn default() -> Self {
        Self {
            epochs: 5,
            batch_size: 64,
            learning_rate: 1e-3,
            seed: 1,
        }
    }
}

/// Trains a classifier on `train`, validating on `test` after each epoch, with the Learner's
/// files (logs, checkpoints) in `work_dir`. Returns it in inference mode.
pub fn train_classifier(
    opts: &ClassifierTraining,
    train: Mnist,
    test: Mnist,
    device: &Device,
    work_dir: &Path,
) -> Result<Classifier> {
    if opts.epochs == 0 || opts.batch_size == 0 {
        bail!("--epochs and --batch-size must be at least 1");
    }
    if train.len() < opts.batch_size {
        bail!(
            "--batch-size {} is larger than the {} training images",
            opts.batch_size,
            train.len()
        );
    }
    device.seed(opts.seed);
    let autodiff = device.clone().autodiff();
    let model = ClassifierConfig::new().init(&autodiff);
    // The learning rate falls along a cosine to 0 over the run.
    let steps = opts.epochs * train.len().div_ceil(opts.batch_size);
    let lr = CosineAnnealingLrSchedulerConfig::new(opts.learning_rate, steps)
        .init()
        .map_err(|e| anyhow::anyhow!("--lr {}: {e}", opts.learning_rate))?;
    let learner = Learner::new(model, AdamConfig::new().init(), lr);
    let train_loader = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(opts.batch_size)
        .shuffle(opts.seed)
        .num_workers(1)
        .set_device(autodiff.clone())
        .build(DigitDataset::new(train));
    let valid_loader = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(500)
        .set_device(device.clone())
        .build(DigitDataset::new(test));
    let result = SupervisedTraining::new(work_dir, train_loader, valid_loader)
        .with_training_strategy(TrainingStrategy::Default(ExecutionStrategy::SingleDevice(
            autodiff,
        )))
        .metric_train_numeric(AccuracyMetric::new())
        .metric_valid_numeric(AccuracyMetric::new())
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .renderer(Box::new(LineRenderer::new(Duration::from_secs(10))))
        .num_epochs(opts.epochs)
        .launch(learner);
    if let Some(err) = result.error {
        bail!("training the classifier failed: {err}");
    }
    Ok(result.model)
}

/// The share of `set`'s images that `classifier` labels correctly.
pub fn accuracy(classifier: &Classifier, set: &Mnist, device: &Device) -> f64 {
    let correct = classifier
        .predict(&data::pixels::bytes_to_signed(&set.pixels), device)
        .digits()
        .into_iter()
        .zip(&set.labels)
        .filter(|&(digit, &label)| digit == usize::from(label))
        .count();
    correct as f64 / set.len().max(1) as f64
}
