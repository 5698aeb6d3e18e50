//! The training benchmark: full training steps timed per preset, batch size and device.

use crate::batch::{GanBatch, ImageBatcher};
use crate::training::optimisers;
use crate::{Gan, OptimConfig, TrainConfig};
use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::prelude::*;
use burn::train::TrainStep;
use data::mnist::Mnist;
use model::ModelConfig;
use model::digits::DigitDataset;
use std::time::Instant;

/// How long to measure.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Untimed steps first (kernel selection, allocation, shader compilation).
    pub warmup: usize,
    /// Timed repeats; the median is reported.
    pub repeats: usize,
    /// Steps per repeat.
    pub steps: usize,
}

/// What one configuration measured.
#[derive(Debug, Clone)]
pub struct Measure {
    /// Real images per second (median over repeats), each counted once per full step.
    pub images_per_sec: f64,
    /// Milliseconds per step (median).
    pub ms_per_step: f64,
    /// Billions of operations per second from the analytic count.
    pub gflops: f64,
}

/// Times full training steps (forward, backward and both optimisers) of `model` at `batch`
/// on `device`, on real `images` cycled through.
pub fn time_steps(
    model: &ModelConfig,
    batch: usize,
    device: &Device,
    images: &Mnist,
    plan: Plan,
) -> Measure {
    let config = TrainConfig::new(model.clone(), OptimConfig::new(), OptimConfig::new());
    let ad = device.clone().autodiff();
    ad.seed(1);
    let mut gan = Gan::new(&config, &ad);
    let (mut optim, mut lr) = optimisers(&config, &gan);
    let batches: Vec<GanBatch> = (0..4)
        .map(|k| {
            let items = (0..batch)
                .map(|i| {
                    let j = (k * batch + i) % images.len();
                    (images.image(j).to_vec(), images.labels[j])
                })
                .collect();
            ImageBatcher.batch(items, &ad)
        })
        .collect();
    let mut step = |n: usize| {
        let mut last = None;
        for i in 0..n {
            let out = TrainStep::step(&gan, batches[i % batches.len()].clone());
            gan = optim.step(lr.step(), gan.clone(), out.grads);
            last = Some(out.item.stats);
        }
        // Reading the statistics waits for the device to finish.
        if let Some(stats) = last {
            let _ = stats.into_data();
        }
    };
    step(plan.warmup);
    let mut times: Vec<f64> = (0..plan.repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            step(plan.steps.max(1));
            t.elapsed().as_secs_f64() / plan.steps.max(1) as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let secs = times[times.len() / 2];
    Measure {
        images_per_sec: batch as f64 / secs,
        ms_per_step: secs * 1e3,
        gflops: model::flops::training_step(model) * batch as f64 / secs / 1e9,
    }
}

/// Times the data loader alone: images per second it batches (with one worker thread, as
/// training uses), over `batches` batches of `batch`.
pub fn time_loading(images: &Mnist, batch: usize, batches: usize, device: &Device) -> f64 {
    let loader = DataLoaderBuilder::new(ImageBatcher)
        .batch_size(batch)
        .shuffle(1)
        .num_workers(1)
        .set_device(device.clone())
        .build(DigitDataset::new(images.clone()));
    let t = Instant::now();
    let mut n = 0;
    for b in loader.iter().take(batches).flatten() {
        n += b.images.dims()[0];
    }
    n as f64 / t.elapsed().as_secs_f64()
}
