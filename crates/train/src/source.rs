//! Where the training data comes from: the MNIST IDX files (downloaded into the cache when
//! no directory has them, with the `download` feature), Fashion-MNIST (or any 28x28 IDX set
//! with MNIST's file names), or a CSV file.

use crate::training::TrainData;
use anyhow::{Context, Result, bail};
use data::mnist::{self, Mnist, Split};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A set of 28x28 images in MNIST's IDX layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Dataset {
    /// Handwritten digits (`--data-dir`, else `$MNIST_DIR`, else the cache).
    #[default]
    Mnist,
    /// Zalando's clothes (`--data-dir`, else /usr/share/datasets/fashion-mnist, where the
    /// Debian package dataset-fashion-mnist puts them).
    FashionMnist,
}

/// Where the Debian package `dataset-fashion-mnist` installs Fashion-MNIST.
pub const FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// Which images to train on.
#[derive(Debug, Clone, Default)]
pub struct DataOptions<'a> {
    /// The image set.
    pub dataset: Dataset,
    /// The directory of its files (else its default place).
    pub data_dir: Option<&'a Path>,
    /// A CSV file in the Kaggle/mlpack layout to train on instead.
    pub csv: Option<&'a Path>,
    /// Keep only these digits (all if empty).
    pub digits: &'a [u8],
    /// Keep at most this many training images.
    pub limit: Option<usize>,
    /// Held-out images to validate on.
    pub valid_size: usize,
    /// Whether every image needs its digit (a conditional GAN is told it).
    pub needs_labels: bool,
}

/// Loads the training and validation images.
///
/// From MNIST, validation images are the first `valid_size` test images (of the chosen
/// digits). From a CSV file, they are its last `valid_size` rows (at most a tenth), held out.
pub fn load(opts: &DataOptions) -> Result<TrainData> {
    if let Some(csv) = opts.csv {
        let (all, labelled) = data::csv::read_images(csv)?;
        if !labelled && opts.needs_labels {
            bail!(
                "{}: has no label column, and a conditional GAN (train's default) is told each image's digit; add the labels, or train with --unconditional",
                csv.display()
            );
        }
        if !labelled && !opts.digits.is_empty() {
            bail!(
                "{}: --digits needs a label column, and this file has none",
                csv.display()
            );
        }
        let all = all
            .subset(opts.digits, None)
            .with_context(|| csv.display().to_string())?;
        if all.len() < 2 {
            bail!(
                "{}: needs at least 2 images (one is held out for validation)",
                csv.display()
            );
        }
        let held = opts.valid_size.min(all.len() / 10).max(1);
        let split = all.len() - held;
        let train = Mnist {
            pixels: all.pixels[..split * data::PIXELS].to_vec(),
            labels: all.labels[..split].to_vec(),
        };
        let valid = Mnist {
            pixels: all.pixels[split * data::PIXELS..].to_vec(),
            labels: all.labels[split..].to_vec(),
        };
        return Ok(TrainData {
            train: train.subset(&[], opts.limit)?,
            valid,
        });
    }
    let dir = match opts.dataset {
        Dataset::Mnist => mnist_dir(opts.data_dir)?,
        Dataset::FashionMnist => fashion_mnist_dir(opts.data_dir)?,
    };
    let in_dir = || format!("the images in {}", dir.display());
    let train = mnist::load(&dir, Split::Train)?
        .subset(opts.digits, opts.limit)
        .with_context(in_dir)?;
    let valid = mnist::load(&dir, Split::Test)?
        .subset(opts.digits, Some(opts.valid_size))
        .with_context(in_dir)?;
    Ok(TrainData { train, valid })
}

/// The directory holding the four MNIST files: `data_dir`, else `$MNIST_DIR`, else the cache,
/// where missing files are downloaded (with the `download` feature).
pub fn mnist_dir(data_dir: Option<&Path>) -> Result<PathBuf> {
    let (dir, origin) = mnist::choose_dir(data_dir)?;
    let missing = mnist::missing_files(&dir);
    if !missing.is_empty() {
        #[cfg(feature = "download")]
        if origin == mnist::Origin::Cache {
            let mirror = data::download::mirror();
            eprintln!(
                "MNIST is not in {}: downloading it from {mirror}",
                dir.display()
            );
            data::download::download_missing(&dir, &mirror)?;
            return Ok(dir);
        }
        let _ = origin;
        bail!("{}", mnist::missing_message(&dir, &missing));
    }
    Ok(dir)
}

/// The directory holding Fashion-MNIST: `data_dir`, else [`FASHION_MNIST_DIR`].
pub fn fashion_mnist_dir(data_dir: Option<&Path>) -> Result<PathBuf> {
    let dir = data_dir.map_or_else(|| PathBuf::from(FASHION_MNIST_DIR), Path::to_path_buf);
    let missing = mnist::missing_files(&dir);
    if !missing.is_empty() {
        bail!(
            "{}; Fashion-MNIST is in the Debian package dataset-fashion-mnist (apt install dataset-fashion-mnist)",
            mnist::missing_message(&dir, &missing)
        );
    }
    Ok(dir)
}

/// The evaluator that scores samples: the classifier in `classifier` (default
/// `assets/mnist-classifier.bpk`) with the full MNIST training and test sets as reference.
pub fn load_evaluator(
    classifier: Option<&Path>,
    data_dir: Option<&Path>,
    device: &burn::prelude::Device,
) -> Result<quality::Evaluator> {
    let path = classifier
        .map(Path::to_path_buf)
        .unwrap_or_else(quality::classifier::default_path);
    let classifier = quality::classifier::load(&path, device)?;
    let dir = mnist_dir(data_dir)?;
    Ok(quality::Evaluator::new(
        classifier,
        mnist::load(&dir, Split::Train)?,
        mnist::load(&dir, Split::Test)?,
        device,
    ))
}
