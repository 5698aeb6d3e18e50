//! `--seed` makes a run reproducible. In a test binary of its own: the device's random number
//! generator is shared by the threads of a process, so tests running beside it would draw from it.

mod common;

use burn::prelude::*;
use model::ModelConfig;
use std::time::Duration;
use train::source::{self, DataOptions};
use train::{OptimConfig, Progress, RunDir, TrainConfig};

fn run_once(seed: u64, dir: &std::path::Path) -> TensorData {
    let cfg = TrainConfig::new(ModelConfig::new(), OptimConfig::new(), OptimConfig::new())
        .with_batch_size(16)
        .with_steps(Some(4))
        .with_limit(Some(64))
        .with_valid_size(16)
        .with_grid_size(4)
        .with_seed(seed);
    let mnist = common::mnist_dir();
    let data = source::load(&DataOptions {
        data_dir: Some(&mnist),
        limit: cfg.limit,
        valid_size: cfg.valid_size,
        ..Default::default()
    })
    .unwrap();
    let run = RunDir::create(Some(dir), "t").unwrap();
    let device = Device::flex();
    train::train(
        &cfg,
        data,
        device.clone(),
        &run,
        Progress::Lines(Duration::from_secs(3600)),
        None,
    )
    .unwrap();
    let (model, generator) = run.load_generator(false, &device).unwrap();
    let z = model.noise.sample_seeded(4, model.noise_dim, 99, &device);
    generator.forward(z).into_data()
}

#[test]
fn the_same_seed_trains_the_same_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_once(3, &tmp.path().join("a"));
    let b = run_once(3, &tmp.path().join("b"));
    let c = run_once(4, &tmp.path().join("c"));
    assert!(a == b, "two runs with seed 3 trained different generators");
    assert!(a != c, "seeds 3 and 4 trained the same generator");
}
