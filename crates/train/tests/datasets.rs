//! Other 28x28 image sets: Fashion-MNIST from the Debian package's directory (`.ci/run`
//! installs `dataset-fashion-mnist`).

mod common;

use std::process::Command;
use train::source::{self, DataOptions, Dataset, FASHION_MNIST_DIR};

#[test]
fn fashion_mnist_trains_from_the_debian_package_s_directory() {
    assert!(
        std::path::Path::new(FASHION_MNIST_DIR).is_dir(),
        "{FASHION_MNIST_DIR} is missing: apt install dataset-fashion-mnist (.ci/run does)"
    );
    let fashion = source::load(&DataOptions {
        dataset: Dataset::FashionMnist,
        limit: Some(64),
        valid_size: 16,
        ..Default::default()
    })
    .unwrap();
    let dir = common::mnist_dir();
    let digits = source::load(&DataOptions {
        data_dir: Some(&dir),
        limit: Some(64),
        valid_size: 16,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(fashion.train.len(), 64);
    assert_ne!(
        fashion.train.image(0),
        digits.train.image(0),
        "not the digits"
    );

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let run = Command::new(env!("CARGO_BIN_EXE_train"))
        .args([
            "--dataset",
            "fashion-mnist",
            "--limit",
            "64",
            "--steps",
            "2",
        ])
        .args([
            "--valid-size",
            "16",
            "--grid-size",
            "4",
            "--progress-every",
            "100",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let config = train::RunDir::open(&out).unwrap().config().unwrap();
    assert_eq!(config.dataset, Dataset::FashionMnist);
    assert_eq!(config.eval_every, 0, "not scored with the digit classifier");
}

#[test]
fn fashion_mnist_is_not_scored_and_its_files_are_named_when_missing() {
    let train = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_train"))
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let err = train(&["--dataset", "fashion-mnist", "--eval-every", "1"]);
    assert!(
        err.contains("classifier") && err.contains("--eval-every 0"),
        "{err}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let err = train(&[
        "--dataset",
        "fashion-mnist",
        "--data-dir",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(
        err.contains("train-images-idx3-ubyte") && err.contains("dataset-fashion-mnist"),
        "{err}"
    );
}
