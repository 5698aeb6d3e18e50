//! Scoring during training and with the `evaluate` command, on a short real run.
//!
//! Reads MNIST from `$MNIST_DIR`, else `../shared/data/mnist` beside the workspace, and the
//! classifier from `assets/mnist-classifier.bpk`.

use burn::prelude::*;
use data::pixels::Range;
use model::{Arch, ModelConfig};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;
use train::source::{self, DataOptions};
use train::{OptimConfig, Progress, RunDir, TrainConfig};

fn mnist_dir() -> PathBuf {
    std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mnist")
        })
}

/// One short training run with scoring after each epoch, shared by the tests: 2 epochs of 2
/// steps on 64 images, 40 samples per score.
fn scored_run() -> &'static Path {
    static RUN: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &RUN.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let run = RunDir::create(Some(&tmp.path().join("run")), "t").unwrap();
        let config = TrainConfig::new(
            ModelConfig::new().with_arch(Arch::Dcgan),
            OptimConfig::new(),
            OptimConfig::new(),
        )
        .with_batch_size(32)
        .with_epochs(2)
        .with_limit(Some(64))
        .with_valid_size(32)
        .with_grid_size(4)
        .with_eval_every(1)
        .with_eval_samples(40);
        let dir = mnist_dir();
        let data = source::load(&DataOptions {
            data_dir: Some(&dir),
            valid_size: config.valid_size,
            limit: config.limit,
            ..Default::default()
        })
        .expect("MNIST in MNIST_DIR or ../shared/data/mnist");
        let device = Device::flex();
        let evaluator = source::load_evaluator(None, Some(&dir), &device).unwrap();
        train::train(
            &config,
            data,
            device,
            &run,
            Progress::Lines(Duration::from_secs(3600)),
            Some(evaluator),
        )
        .unwrap();
        (tmp, run.path)
    })
    .1
}

fn evaluate(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_evaluate"))
        .args(args)
        .env("MNIST_DIR", mnist_dir())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn json(args: &[&str]) -> Value {
    let (ok, out, err) = evaluate(args);
    assert!(ok, "{out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn training_logs_scores_each_epoch_and_keeps_the_best_weights() {
    let run = scored_run();
    let log = std::fs::read_to_string(run.join("log.csv")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let fid = header
        .iter()
        .position(|&c| c == "frechet_distance")
        .unwrap();
    let score = header
        .iter()
        .position(|&c| c == "classifier_score")
        .unwrap();
    assert_eq!(lines.len(), 3, "{log}");
    let fids: Vec<f64> = lines[1..]
        .iter()
        .map(|l| {
            let fields: Vec<&str> = l.split(',').collect();
            assert_eq!(fields.len(), header.len(), "{l}");
            let s: f64 = fields[score].parse().unwrap();
            assert!((1.0..=10.0).contains(&s), "{l}");
            fields[fid].parse().unwrap()
        })
        .collect();
    assert!(fids.iter().all(|f| f.is_finite() && *f > 0.0), "{fids:?}");

    // best/ holds the epoch with the lowest distance, and its report.
    let best: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("best/scores.json")).unwrap())
            .unwrap();
    let best_epoch = if fids[1] < fids[0] { 2 } else { 1 };
    assert_eq!(best["epoch"], best_epoch);
    let best_fid = best["samples"]["frechet_distance"].as_f64().unwrap();
    assert!((best_fid - fids[best_epoch - 1]).abs() < 1e-4 * best_fid.max(1.0));
    assert!(best["real"]["frechet_distance"].as_f64().unwrap() < best_fid);
    assert!(run.join("best/generator.bpk").is_file());
    assert!(run.join("best/discriminator.bpk").is_file());
}

#[test]
fn scores_a_run_and_its_csv_alike_with_the_real_data_floor() {
    let run = scored_run().to_str().unwrap();
    let report = json(&["--run", run, "--count", "40", "--seed", "3", "--json"]);
    let (samples, real) = (&report["samples"], &report["real"]);
    assert_eq!(samples["count"], 40);
    assert_eq!(real["count"], 40);
    for key in [
        "classifier_score",
        "frechet_distance",
        "class_kl",
        "rarest_share",
        "confidence",
        "nearest_train_mean",
        "nearest_train_median",
    ] {
        assert!(
            samples[key].as_f64().unwrap().is_finite(),
            "{key}: {report}"
        );
    }
    assert_eq!(samples["class_shares"].as_array().unwrap().len(), 10);
    // Two steps of training make blobs, not digits: far from the real data's floor.
    assert!(
        samples["frechet_distance"].as_f64().unwrap()
            > 10.0 * real["frechet_distance"].as_f64().unwrap()
    );

    // The same samples written as CSV score the same.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("samples.csv");
    let device = Device::flex();
    let (config, generator) = RunDir::open(Path::new(run))
        .unwrap()
        .load_generator(false, &device)
        .unwrap();
    let images = model::sample(&generator, &config, 40, 3, &device).unwrap();
    data::csv::write_images(&csv, &images, Range::Signed).unwrap();
    let from_csv = json(&["--csv", csv.to_str().unwrap(), "--json"]);
    for key in ["classifier_score", "frechet_distance", "nearest_train_mean"] {
        let (a, b) = (
            samples[key].as_f64().unwrap(),
            from_csv["samples"][key].as_f64().unwrap(),
        );
        assert!(
            (a - b).abs() <= 1e-3 * a.abs().max(1.0),
            "{key}: {a} vs {b}"
        );
    }
}

#[test]
fn prints_a_table_by_default_and_scores_the_best_weights_on_request() {
    let run = scored_run().to_str().unwrap();
    let (ok, out, err) = evaluate(&["--run", run, "--count", "20", "--best"]);
    assert!(ok, "{out}{err}");
    for text in [
        "classifier score",
        "Frechet distance",
        "real data",
        "class shares",
    ] {
        assert!(out.contains(text), "{text}: {out}");
    }
}

#[test]
fn bad_inputs_get_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let run = scored_run().to_str().unwrap();
    let missing = dir.path().join("none.bpk");
    let (ok, _, err) = evaluate(&["--run", run, "--classifier", missing.to_str().unwrap()]);
    assert!(
        !ok && err.contains("train-classifier") && !err.contains("panicked"),
        "{err}"
    );

    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "1,2,3\n4,5,6\n").unwrap();
    let (ok, _, err) = evaluate(&["--csv", csv.to_str().unwrap()]);
    assert!(
        !ok && err.contains("3 columns") && !err.contains("panicked"),
        "{err}"
    );

    let (ok, _, err) = evaluate(&["--run", dir.path().to_str().unwrap()]);
    assert!(!ok && err.contains("not a run directory"), "{err}");

    let (ok, _, err) = evaluate(&["--run", run, "--count", "1"]);
    assert!(!ok && err.contains("--count"), "{err}");
}

#[test]
fn a_conditional_run_is_scored_on_whether_it_draws_the_digit_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let run = RunDir::create(Some(&tmp.path().join("run")), "t").unwrap();
    let config = TrainConfig::new(
        ModelConfig::new().with_conditional(true),
        OptimConfig::new(),
        OptimConfig::new(),
    );
    run.save_config(&config).unwrap();
    let device = Device::flex();
    device.seed(1);
    train::run::save_module(
        &config.model.init_generator(&device),
        &run.file(train::run::GENERATOR),
    )
    .unwrap();
    let report = json(&[
        "--run",
        run.path.to_str().unwrap(),
        "--count",
        "30",
        "--json",
    ]);
    let agreement = report["agreement"]
        .as_f64()
        .expect("an agreement for a conditional run");
    // An untrained generator draws noise, which the classifier reads as one or two digits at
    // most: it agrees with at most a few of the ten asked for.
    assert!((0.0..=0.3).contains(&agreement), "{agreement}");
    // Unconditional runs have none.
    let (_, out, _) = evaluate(&[
        "--run",
        scored_run().to_str().unwrap(),
        "--count",
        "20",
        "--json",
    ]);
    assert!(!out.contains("agreement"), "{out}");
}
