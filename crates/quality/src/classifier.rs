//! The MNIST digit classifier: two convolution blocks and two linear layers.
//!
//! ```text
//! [N,1,28,28] -> conv 3x3 (32) -> BN -> ReLU -> max-pool 2  -> [N,32,14,14]
//!             -> conv 3x3 (64) -> BN -> ReLU -> max-pool 2  -> [N,64,7,7]
//!             -> linear 3136->128 -> ReLU                   -> features [N,128]
//!             -> dropout -> linear 128->10                  -> logits [N,10]
//! ```
//!
//! Images are in [-1, 1], as the generators make them. The 128 features are what the
//! Fréchet distance compares.

use crate::CLASSES;
use anyhow::Result;
use burn::data::dataloader::batcher::Batcher;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d,
};
use burn::prelude::*;
use burn::tensor::activation::{relu, softmax};
use burn::train::{ClassificationOutput, InferenceStep, TrainOutput, TrainStep};
use data::pixels::byte_to_signed;
use data::{PIXELS, SIDE};
use model::digits::Digit;
use std::path::{Path, PathBuf};

/// Images classified per forward pass.
const CHUNK: usize = 500;

/// File name of the classifier's weights in `assets/`.
pub const FILE_NAME: &str = "mnist-classifier.bpk";

/// The command that trains the classifier and writes its weights into `assets/`.
pub const TRAIN_COMMAND: &str = "cargo run -p evaluate -- train-classifier";

/// Where the classifier's weights are by default: `assets/mnist-classifier.bpk` in this
/// workspace.
pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets")
        .join(FILE_NAME)
}

/// The classifier's shape.
#[derive(Config, Debug)]
pub struct ClassifierConfig {
    /// Channels of the first convolution.
    #[config(default = 32)]
    pub channels1: usize,
    /// Channels of the second convolution.
    #[config(default = 64)]
    pub channels2: usize,
    /// Width of the penultimate (feature) layer.
    #[config(default = 128)]
    pub features: usize,
    /// Dropout before the last layer, while training.
    #[config(default = 0.25)]
    pub dropout: f64,
}

impl ClassifierConfig {
    /// Creates the classifier with freshly initialised weights.
    pub fn init(&self, device: &Device) -> Classifier {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        let flat = self.channels2 * (SIDE / 4) * (SIDE / 4);
        Classifier {
            conv1: conv(1, self.channels1),
            norm1: BatchNormConfig::new(self.channels1).init(device),
            conv2: conv(self.channels1, self.channels2),
            norm2: BatchNormConfig::new(self.channels2).init(device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            hidden: LinearConfig::new(flat, self.features).init(device),
            dropout: DropoutConfig::new(self.dropout).init(),
            output: LinearConfig::new(self.features, CLASSES).init(device),
        }
    }
}

/// The MNIST digit classifier.
#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    norm1: BatchNorm,
    conv2: Conv2d,
    norm2: BatchNorm,
    pool: MaxPool2d,
    hidden: Linear,
    dropout: Dropout,
    output: Linear,
}

impl Classifier {
    /// The penultimate-layer features `[N, features]` of images `[N, 1, 28, 28]` in [-1, 1].
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self
            .pool
            .forward(relu(self.norm1.forward(self.conv1.forward(images))));
        let x = self
            .pool
            .forward(relu(self.norm2.forward(self.conv2.forward(x))));
        let x = x.flatten(1, 3);
        relu(self.hidden.forward(x))
    }

    /// The class logits `[N, 10]` of the features.
    pub fn logits_of(&self, features: Tensor<2>) -> Tensor<2> {
        self.output.forward(self.dropout.forward(features))
    }

    /// The class logits `[N, 10]` of images `[N, 1, 28, 28]` in [-1, 1].
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.logits_of(self.features(images))
    }

    /// The digit probabilities and features of images (784 values in [-1, 1] each), computed
    /// on `device` in chunks.
    pub fn predict(&self, images: &[f32], device: &Device) -> Predictions {
        let mut probs = Vec::with_capacity(images.len() / PIXELS * CLASSES);
        let mut features = Vec::new();
        let mut dim = 0;
        for chunk in images.chunks(CHUNK * PIXELS) {
            let n = chunk.len() / PIXELS;
            let x =
                Tensor::<4>::from_data(TensorData::new(chunk.to_vec(), [n, 1, SIDE, SIDE]), device);
            let f = self.features(x);
            dim = f.dims()[1];
            let p = softmax(self.logits_of(f.clone()), 1);
            features.extend(f.into_data().convert::<f32>().iter::<f32>());
            probs.extend(p.into_data().convert::<f32>().iter::<f32>());
        }
        Predictions {
            probs,
            features,
            dim,
        }
    }

    /// The cross-entropy loss and logits of a labelled batch.
    pub fn classify_batch(&self, batch: DigitBatch) -> ClassificationOutput {
        let logits = self.forward(batch.images);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.labels.clone());
        ClassificationOutput {
            loss,
            output: logits,
            targets: batch.labels,
        }
    }
}

/// What the classifier says about a set of images.
#[derive(Debug, Clone)]
pub struct Predictions {
    /// Digit probabilities, 10 per image.
    pub probs: Vec<f32>,
    /// Penultimate-layer features, `dim` per image.
    pub features: Vec<f32>,
    /// The number of features per image.
    pub dim: usize,
}

impl Predictions {
    /// The most likely digit of each image.
    pub fn digits(&self) -> Vec<usize> {
        self.probs
            .chunks_exact(CLASSES)
            .map(crate::scores::argmax)
            .collect()
    }
}

/// Loads the classifier's weights from `path`, in inference mode; if the file is missing,
/// the error says how to make it.
pub fn load(path: &Path, device: &Device) -> Result<Classifier> {
    if !path.is_file() {
        anyhow::bail!(
            "{}: no classifier weights here; train them with `{TRAIN_COMMAND}` \
             (about 8 minutes on 2 cores), or pass --classifier FILE",
            path.display()
        );
    }
    model::store::load_module(
        ClassifierConfig::new().init(device),
        path,
        "the MNIST classifier",
    )
}

impl TrainStep for Classifier {
    type Input = DigitBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: DigitBatch) -> TrainOutput<ClassificationOutput> {
        let item = self.classify_batch(batch);
        TrainOutput::new(self, item.loss.backward(), item)
    }
}

impl InferenceStep for Classifier {
    type Input = DigitBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: DigitBatch) -> ClassificationOutput {
        self.classify_batch(batch)
    }
}

/// A batch of labelled images.
#[derive(Debug, Clone)]
pub struct DigitBatch {
    /// Images `[batch, 1, 28, 28]` in [-1, 1].
    pub images: Tensor<4>,
    /// Their digits `[batch]`.
    pub labels: Tensor<1, Int>,
}

/// Turns labelled images' bytes into a [`DigitBatch`].
#[derive(Debug, Clone, Default)]
pub struct DigitBatcher;

impl Batcher<Digit, DigitBatch> for DigitBatcher {
    fn batch(&self, items: Vec<Digit>, device: &Device) -> DigitBatch {
        let n = items.len();
        let values: Vec<f32> = items
            .iter()
            .flat_map(|(img, _)| img.iter().map(|&b| byte_to_signed(b)))
            .collect();
        debug_assert_eq!(values.len(), n * PIXELS);
        let labels: Vec<i64> = items.iter().map(|&(_, l)| i64::from(l)).collect();
        DigitBatch {
            images: Tensor::from_data(TensorData::new(values, [n, 1, SIDE, SIDE]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}
