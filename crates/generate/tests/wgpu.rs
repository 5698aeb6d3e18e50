//! `generate --device wgpu` (on a GPU, or on Mesa's software Vulkan driver) draws the samples
//! the CPU draws. Built only with the `wgpu` feature: `cargo test --features wgpu --test wgpu`.

use burn::prelude::*;
use model::ModelConfig;
use std::path::Path;
use std::process::Command;
use train::run::{GENERATOR, RunDir, save_module};
use train::{OptimConfig, TrainConfig};

/// Draws 12 samples from the run at `run` on `device`, raw values in [-1, 1], into `csv`.
fn generate(run: &Path, device: &str, csv: &Path) -> Vec<f32> {
    let out = Command::new(env!("CARGO_BIN_EXE_generate"))
        .args([
            "--run",
            run.to_str().unwrap(),
            "--count",
            "12",
            "--seed",
            "9",
        ])
        .args([
            "--range",
            "raw",
            "--device",
            device,
            "--csv",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generate --device {device}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    data::csv::read_matrix(csv).unwrap().values
}

#[test]
fn the_gpu_draws_what_the_cpu_draws() {
    let tmp = tempfile::tempdir().unwrap();
    let run = RunDir::create(Some(&tmp.path().join("run")), "t").unwrap();
    let model = ModelConfig::new().with_conditional(true);
    let config = TrainConfig::new(model, OptimConfig::new(), OptimConfig::new());
    run.save_config(&config).unwrap();
    let device = Device::flex();
    device.seed(2);
    save_module(&config.model.init_generator(&device), &run.file(GENERATOR)).unwrap();

    let cpu = generate(&run.path, "cpu", &tmp.path().join("cpu.csv"));
    let gpu = generate(&run.path, "wgpu", &tmp.path().join("gpu.csv"));
    assert_eq!(cpu.len(), 12 * 784);
    let diff = cpu
        .iter()
        .zip(&gpu)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    // The raw CSV holds every value exactly as drawn.
    assert!(diff < 1e-4, "the devices' samples differ by {diff}");
}
