//! The wgpu backend, on a GPU or, without one, on Mesa's software Vulkan driver (lavapipe,
//! Debian's `mesa-vulkan-drivers`): both networks' forward passes match the CPU's, and a run
//! trains on it. Built only with the `wgpu` feature: `cargo test --features wgpu --test wgpu`
//! (`.ci/run` does). Software Vulkan is slow and compiles its shaders on first use (about a
//! minute), so the cases are small.

mod common;

use common::values;

use burn::prelude::*;
use model::condition::one_hot;
use model::{Arch, ModelConfig};
use std::time::Duration;
use train::run::{GENERATOR, RunDir, STEPS, load_generator, save_module};
use train::source::{self, DataOptions};
use train::{OptimConfig, Progress, TrainConfig};

fn gpu() -> Device {
    Device::wgpu(DeviceKind::DefaultDevice)
}

/// The largest absolute difference between two lists of values.
fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn forward_passes_match_the_cpu() {
    let tmp = tempfile::tempdir().unwrap();
    for arch in [Arch::Dcgan, Arch::Mlpack] {
        // Conditional, as `train` makes them by default.
        let config = ModelConfig::new().with_arch(arch).with_conditional(true);
        let cpu = Device::flex();
        cpu.seed(11);
        // Weights made on the CPU, saved, and loaded on each device, as a user moves a run.
        let g_file = tmp.path().join(format!("{arch:?}-g.bpk"));
        let d_file = tmp.path().join(format!("{arch:?}-d.bpk"));
        save_module(&config.init_generator(&cpu), &g_file).unwrap();
        save_module(&config.init_discriminator(&cpu), &d_file).unwrap();
        let digits: Vec<u8> = (0..8).map(|i| i % 10).collect();
        let on = |device: &Device| {
            let generator = load_generator(&config, &g_file, device).unwrap();
            let samples = model::sample_digits(&generator, &config, &digits, 5, device).unwrap();
            let discriminator = model::store::load_module(
                config.init_discriminator(device),
                &d_file,
                "the discriminator",
            )
            .unwrap();
            let images = Tensor::<4>::from_data(
                TensorData::new(samples.clone(), [digits.len(), 1, 28, 28]),
                device,
            );
            let logits = discriminator.forward(images, Some(one_hot(&digits, device)));
            (samples, values(logits))
        };
        let (cpu_samples, cpu_logits) = on(&cpu);
        let (gpu_samples, gpu_logits) = on(&gpu());
        let samples = max_abs_diff(&cpu_samples, &gpu_samples);
        assert!(
            samples < 1e-4,
            "{arch:?}: generated pixels differ by {samples}"
        );
        let scale = cpu_logits.iter().fold(1.0f32, |m, v| m.max(v.abs()));
        let logits = max_abs_diff(&cpu_logits, &gpu_logits) / scale;
        assert!(
            logits < 1e-4,
            "{arch:?}: logits differ by {logits} of their size"
        );
    }
}

#[test]
fn a_run_trains_on_the_gpu_and_its_generator_loads_on_the_cpu() {
    let model = ModelConfig::new().with_conditional(true);
    let config = TrainConfig::new(model, OptimConfig::new(), OptimConfig::new())
        .with_batch_size(8)
        .with_steps(Some(2))
        .with_limit(Some(16))
        .with_valid_size(8)
        .with_grid_size(10)
        .with_seed(4);
    let dir = common::mnist_dir();
    let data = source::load(&DataOptions {
        data_dir: Some(&dir),
        limit: config.limit,
        valid_size: config.valid_size,
        needs_labels: true,
        ..Default::default()
    })
    .expect("MNIST in MNIST_DIR or ../shared/data/mnist");
    let tmp = tempfile::tempdir().unwrap();
    let run = RunDir::create(Some(&tmp.path().join("run")), "t").unwrap();
    let summary = train::train(
        &config,
        data,
        gpu(),
        &run,
        Progress::Lines(Duration::from_secs(3600)),
        None,
    )
    .unwrap();
    assert_eq!(summary.steps, 2);

    // Every step's losses and discriminator outputs are finite.
    let steps = std::fs::read_to_string(run.file(STEPS)).unwrap();
    let rows: Vec<&str> = steps.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{steps}");
    for row in rows {
        let fields: Vec<f64> = row.split(',').map(|f| f.parse().unwrap()).collect();
        assert!(fields.iter().all(|v| v.is_finite()), "{row}");
    }

    // The generator trained on the GPU loads on the CPU and differs from its initial weights.
    let cpu = Device::flex();
    cpu.seed(config.seed);
    let initial = config.model.init_generator(&cpu);
    let trained = load_generator(&config.model, &run.file(GENERATOR), &cpu).unwrap();
    let digits = [3u8, 7];
    let a = model::sample_digits(&initial, &config.model, &digits, 1, &cpu).unwrap();
    let b = model::sample_digits(&trained, &config.model, &digits, 1, &cpu).unwrap();
    assert!(max_abs_diff(&a, &b) > 1e-3, "the weights did not change");
}
