//! Every malformed input to `train` gets a one-line error naming the file or flag and the
//! problem, a non-zero exit and no panic, and overwrites nothing.

mod common;

use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `train` with `args` (training settings small enough to get going at once), expecting
/// it to fail; returns its standard error after checking the failure is clean.
fn fails(args: &[&str]) -> String {
    fails_with(Command::new(env!("CARGO_BIN_EXE_train")), args)
}

fn fails_with(mut cmd: Command, args: &[&str]) -> String {
    cmd.args(args).args(["--progress-every", "1000"]);
    // Scoring is a run setting a resume may not change; elsewhere it is not needed.
    if !args.contains(&"--resume") {
        cmd.args(["--eval-every", "0"]);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "succeeded: {stdout}\n{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    // Shown with --nocapture: what each bad input gets.
    println!(
        "{args:?}\n  -> {} (exit {:?})",
        errors[0],
        out.status.code()
    );
    stderr
}

fn assert_says(stderr: &str, words: &[&str]) {
    for w in words {
        assert!(stderr.contains(w), "{w:?} not in: {stderr}");
    }
}

fn mnist() -> String {
    common::mnist_dir().display().to_string()
}

/// A copy of the MNIST directory in `tmp`, for damaging one file of.
fn mnist_copy(tmp: &Path) -> PathBuf {
    let dir = tmp.join("mnist");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(common::mnist_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A Kaggle-layout CSV: a header, then `label,784 pixels` rows.
fn csv(path: &Path, rows: &[(u8, &str)]) -> String {
    let mut text = String::from("label");
    for i in 0..784 {
        text.push_str(&format!(",pixel{i}"));
    }
    text.push('\n');
    for (label, pixel) in rows {
        text.push_str(&label.to_string());
        for _ in 0..784 {
            text.push(',');
            text.push_str(pixel);
        }
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
    path.display().to_string()
}

fn out(tmp: &Path) -> String {
    tmp.join("run").display().to_string()
}

#[test]
fn missing_mnist_files() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = fails(&[
        "--data-dir",
        empty.to_str().unwrap(),
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["train-images-idx3-ubyte", "empty"]);
    assert!(!tmp.path().join("run").exists(), "no run directory made");
}

#[test]
fn truncated_gzip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = mnist_copy(tmp.path());
    let file = dir.join("train-labels-idx1-ubyte.gz");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let err = fails(&[
        "--data-dir",
        dir.to_str().unwrap(),
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["train-labels-idx1-ubyte.gz"]);
}

#[test]
fn corrupt_gzip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = mnist_copy(tmp.path());
    let file = dir.join("train-labels-idx1-ubyte.gz");
    let mut bytes = std::fs::read(&file).unwrap();
    for b in bytes.iter_mut().skip(20).take(200) {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &bytes).unwrap();
    let err = fails(&[
        "--data-dir",
        dir.to_str().unwrap(),
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["train-labels-idx1-ubyte.gz", "gzip"]);
}

#[test]
fn idx_with_the_wrong_magic_number() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = mnist_copy(tmp.path());
    let file = dir.join("train-images-idx3-ubyte.gz");
    std::fs::write(
        &file,
        gzip(&[0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28]),
    )
    .unwrap();
    let err = fails(&[
        "--data-dir",
        dir.to_str().unwrap(),
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["train-images-idx3-ubyte.gz"]);
}

#[test]
fn truncated_idx() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = mnist_copy(tmp.path());
    // Raw (not gzip) labels that claim 60,000 items but hold 10.
    std::fs::remove_file(dir.join("train-labels-idx1-ubyte.gz")).unwrap();
    let mut raw = vec![0, 0, 8, 1];
    raw.extend(60000u32.to_be_bytes());
    raw.extend([1u8; 10]);
    std::fs::write(dir.join("train-labels-idx1-ubyte"), raw).unwrap();
    let err = fails(&[
        "--data-dir",
        dir.to_str().unwrap(),
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["train-labels-idx1-ubyte"]);
}

#[test]
fn csv_with_the_wrong_number_of_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("three.csv");
    std::fs::write(&file, "1,2,3\n4,5,6\n").unwrap();
    let err = fails(&[
        "--train-csv",
        file.to_str().unwrap(),
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["three.csv", "3"]);
}

#[test]
fn csv_with_a_non_numeric_value() {
    let tmp = tempfile::tempdir().unwrap();
    let path = csv(&tmp.path().join("words.csv"), &[(1, "0"), (2, "dark")]);
    let err = fails(&["--train-csv", &path, "--out", &out(tmp.path())]);
    assert_says(&err, &["words.csv", "dark"]);
}

#[test]
fn csv_with_an_out_of_range_value() {
    let tmp = tempfile::tempdir().unwrap();
    let path = csv(&tmp.path().join("bright.csv"), &[(1, "0"), (2, "300")]);
    let err = fails(&["--train-csv", &path, "--out", &out(tmp.path())]);
    assert_says(&err, &["bright.csv", "300"]);
}

#[test]
fn a_csv_without_labels_for_a_conditional_gan() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("unlabelled.csv");
    let row = vec!["0"; 784].join(",");
    std::fs::write(&file, format!("{row}\n{row}\n")).unwrap();
    let err = fails(&[
        "--train-csv",
        file.to_str().unwrap(),
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["unlabelled.csv", "label", "--unconditional"]);
}

#[test]
fn an_empty_data_set() {
    let tmp = tempfile::tempdir().unwrap();
    let path = csv(&tmp.path().join("empty.csv"), &[]);
    let err = fails(&["--train-csv", &path, "--out", &out(tmp.path())]);
    assert_says(&err, &["empty.csv"]);
}

#[test]
fn a_digit_filter_that_selects_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let rows: Vec<(u8, &str)> = (0..40).map(|_| (3, "10")).collect();
    let path = csv(&tmp.path().join("threes.csv"), &rows);
    let err = fails(&[
        "--train-csv",
        &path,
        "--digits",
        "7",
        "--valid-size",
        "5",
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["--digits 7", "threes.csv"]);
}

#[test]
fn a_batch_larger_than_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let err = fails(&[
        "--data-dir",
        &mnist(),
        "--limit",
        "10",
        "--batch-size",
        "32",
        "--out",
        &out(tmp.path()),
    ]);
    assert_says(&err, &["--batch-size 32", "10 training images"]);
    assert!(!tmp.path().join("run").exists(), "no run directory made");
}

#[test]
fn contradictory_flags() {
    let err = fails(&["--epochs", "2", "--steps", "5"]);
    assert_says(&err, &["--epochs", "--steps"]);
    let err = fails(&["--loss", "hinge", "--saturating", "--data-dir", &mnist()]);
    assert_says(&err, &["--saturating", "hinge"]);
}

#[test]
fn a_setting_changed_on_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let (_keep, run) = common::short_run(2, 4);
    let err = fails(&["--resume", run.path.to_str().unwrap(), "--lr-d", "0.1"]);
    assert_says(&err, &["--resume", "--lr-d"]);
    let err = fails(&["--resume", &out(tmp.path())]);
    assert_says(&err, &["no such run directory"]);
}

#[test]
fn bad_flag_values() {
    let err = fails(&["--betas-g", "0.5"]);
    assert_says(&err, &["--betas-g", "two values"]);
    let err = fails(&["--batch-size", "many"]);
    assert_says(&err, &["--batch-size", "many"]);
    let err = fails(&["--lr-d=-1", "--data-dir", &mnist()]);
    assert_says(&err, &["learning rate", "-1"]);
}

#[test]
fn an_output_directory_that_is_not_empty_or_cannot_be_made() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "keep me").unwrap();
    let under_file = file.join("run");
    let err = fails(&[
        "--data-dir",
        &mnist(),
        "--limit",
        "64",
        "--out",
        under_file.to_str().unwrap(),
    ]);
    assert_says(&err, &["a-file"]);
    let used = tmp.path().join("used");
    std::fs::create_dir(&used).unwrap();
    std::fs::write(used.join("notes.txt"), "mine").unwrap();
    let err = fails(&[
        "--data-dir",
        &mnist(),
        "--limit",
        "64",
        "--out",
        used.to_str().unwrap(),
    ]);
    assert_says(&err, &["used", "not empty"]);
    assert_eq!(
        std::fs::read_to_string(used.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn a_full_disk() {
    // A file-size limit makes writes past 64 KiB fail as a full disk would (the signal it
    // raises is ignored, so the write returns an error).
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "trap '' XFSZ; ulimit -f 128; exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_train"),
    ]);
    let err = fails_with(
        cmd,
        &[
            "--data-dir",
            &mnist(),
            "--limit",
            "64",
            "--steps",
            "2",
            "--out",
            &out(tmp.path()),
        ],
    );
    assert_says(&err, &["File too large", "run"]);
    // No checkpoint half-written into place.
    let checkpoints = train::checkpoint::Checkpoints::new(&tmp.path().join("run"), 3);
    for (_, dir) in checkpoints.list().unwrap() {
        train::checkpoint::load(&dir).unwrap();
    }
}

#[test]
fn a_checkpoint_that_does_not_fit_the_configuration() {
    let (_keep, run) = common::short_run(2, 4);
    // The checkpoint's own configuration says mlpack; its networks are dcgan.
    let checkpoints = train::checkpoint::Checkpoints::new(&run.path, 3);
    let (_, dir) = checkpoints.list().unwrap().pop().unwrap();
    let state = dir.join(train::checkpoint::STATE);
    let text = std::fs::read_to_string(&state).unwrap();
    std::fs::write(&state, text.replace("\"dcgan\"", "\"mlpack\"")).unwrap();
    let err = fails(&[
        "--resume",
        run.path.to_str().unwrap(),
        "--data-dir",
        &mnist(),
    ]);
    assert_says(&err, &["model.bpk", "does not match the mlpack networks"]);
}
