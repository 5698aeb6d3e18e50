//! Shared helpers of the train crate's tests.

#![allow(dead_code)] // Each test binary uses some of them.

use burn::prelude::*;
use model::{Arch, ModelConfig};
use std::path::PathBuf;
use std::time::Duration;
use train::source::{self, DataOptions};
use train::{OptimConfig, Progress, RunDir, TrainConfig};

/// A tensor's values, as `f32`.
pub fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
}

/// The MNIST directory: `$MNIST_DIR`, else `../shared/data/mnist` beside the project.
pub fn mnist_dir() -> PathBuf {
    std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mnist")
        })
}

/// Trains the dcgan preset for `steps` steps of 32 on the first 64 MNIST images (2 steps an
/// epoch), with a grid of `grid` samples, in a new run directory inside the returned
/// temporary directory.
pub fn short_run(steps: usize, grid: usize) -> (tempfile::TempDir, RunDir) {
    short_run_with(steps, grid, |c| c)
}

/// [`short_run`] with the configuration changed by `adjust` first.
pub fn short_run_with(
    steps: usize,
    grid: usize,
    adjust: impl FnOnce(TrainConfig) -> TrainConfig,
) -> (tempfile::TempDir, RunDir) {
    let config = TrainConfig::new(
        ModelConfig::new().with_arch(Arch::Dcgan),
        OptimConfig::new(),
        OptimConfig::new(),
    )
    .with_batch_size(32)
    .with_steps(Some(steps))
    .with_limit(Some(64))
    .with_valid_size(32)
    .with_grid_size(grid)
    .with_seed(3);
    let config = adjust(config);
    let dir = mnist_dir();
    let data = source::load(&DataOptions {
        data_dir: Some(&dir),
        limit: config.limit,
        valid_size: config.valid_size,
        ..Default::default()
    })
    .expect("MNIST in MNIST_DIR or ../shared/data/mnist");
    let tmp = tempfile::tempdir().unwrap();
    let run = RunDir::create(Some(&tmp.path().join("run")), "t").unwrap();
    train::train(
        &config,
        data,
        Device::flex(),
        &run,
        Progress::Lines(Duration::from_secs(3600)),
        None,
    )
    .unwrap();
    (tmp, run)
}
