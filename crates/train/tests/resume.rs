//! Checkpoints and resume with the real `train` binary: Ctrl-C, SIGKILL at several points
//! (one during a checkpoint write), and a resumed run that ends exactly where an
//! uninterrupted one does.

mod common;

use burn::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use train::RunDir;
use train::checkpoint::{self, Checkpoints};

/// 256 images in batches of 32: 8 steps an epoch, 24 in all, a checkpoint every 2 steps, a
/// moving average of the generator.
const RUN: [&str; 18] = [
    "--ema",
    "0.9",
    "--limit",
    "256",
    "--valid-size",
    "64",
    "--epochs",
    "3",
    "--checkpoint-every",
    "2",
    "--eval-every",
    "0",
    "--grid-size",
    "16",
    "--seed",
    "11",
    "--progress-every",
    "1000",
];
const STEPS: usize = 24;

fn train() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_train"));
    cmd.arg("--data-dir")
        .arg(common::mnist_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn start(dir: &Path, pause_ms: Option<u64>) -> Child {
    let mut cmd = train();
    cmd.args(RUN).arg("--out").arg(dir);
    if let Some(ms) = pause_ms {
        cmd.env("TRAIN_TEST_CHECKPOINT_PAUSE_MS", ms.to_string());
    }
    cmd.spawn().unwrap()
}

fn resume(dir: &Path, pause_ms: Option<u64>) -> Child {
    let mut cmd = train();
    cmd.args(["--progress-every", "1000", "--resume"]).arg(dir);
    if let Some(ms) = pause_ms {
        cmd.env("TRAIN_TEST_CHECKPOINT_PAUSE_MS", ms.to_string());
    }
    cmd.spawn().unwrap()
}

fn finished(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Waits until `ready` holds, failing if the process ends or a minute goes by first.
fn wait_for(child: &mut Child, what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before {what}");
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The steps in `steps.csv`.
fn logged_steps(dir: &Path) -> Vec<usize> {
    train::steplog::read(dir).iter().map(|r| r.step).collect()
}

/// The newest complete checkpoint's step.
fn newest(dir: &Path) -> Option<usize> {
    Checkpoints::new(dir, 3).list().unwrap().last().map(|c| c.0)
}

fn writing_checkpoint(dir: &Path) -> bool {
    std::fs::read_dir(dir.join(checkpoint::CHECKPOINTS))
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".step-"))
        })
        .unwrap_or(false)
}

/// What must hold whenever the run is not running: every checkpoint on disk loads, and the
/// step log counts 1, 2, 3, ... without a gap or a repeat, at least to the newest checkpoint.
fn assert_consistent(dir: &Path) {
    let checkpoints = Checkpoints::new(dir, 3).list().unwrap();
    for (step, path) in &checkpoints {
        let loaded = checkpoint::load(path).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(loaded.state.position.step, *step);
    }
    let steps = logged_steps(dir);
    assert_eq!(
        steps,
        (1..=steps.len()).collect::<Vec<_>>(),
        "gaps or repeats"
    );
    if let Some((step, _)) = checkpoints.last() {
        assert!(steps.len() >= *step, "the log is behind the checkpoint");
    }
}

/// An uninterrupted run, trained once for every test here.
fn reference() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap().keep();
        let dir = tmp.join("run");
        finished(start(&dir, None));
        dir
    })
}

/// Asserts that two finished runs trained identically: the same losses at every step, the
/// same per-epoch statistics, and networks giving the same outputs.
fn assert_same_run(a: &Path, b: &Path) {
    assert_eq!(logged_steps(a), (1..=STEPS).collect::<Vec<_>>());
    let steps = |d: &Path| std::fs::read_to_string(d.join("steps.csv")).unwrap();
    assert_eq!(steps(a), steps(b), "per-step losses differ");
    // The log's statistics (not its images/s and seconds) match.
    let log = |d: &Path| -> Vec<String> {
        std::fs::read_to_string(d.join("log.csv"))
            .unwrap()
            .lines()
            .map(|l| l.split(',').take(10).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(log(a).len(), 4, "one line per epoch");
    assert_eq!(log(a), log(b));
    let device = Device::flex();
    let (config, ga) = RunDir::open(a)
        .unwrap()
        .load_generator(false, &device)
        .unwrap();
    let (_, gb) = RunDir::open(b)
        .unwrap()
        .load_generator(false, &device)
        .unwrap();
    // The networks are conditional (train's default): told the digits 0 to 7.
    assert!(config.conditional);
    let digits: Vec<u8> = (0..8).collect();
    let labels = || Some(model::condition::one_hot(&digits, &device));
    let input = |seed| {
        let z = config
            .noise
            .sample_seeded(8, config.noise_dim, seed, &device);
        model::condition::generator_input(z, labels())
    };
    let (fa, fb) = (ga.forward(input(5)), gb.forward(input(5)));
    assert_eq!(
        fa.to_data(),
        fb.to_data(),
        "the generators' moving averages differ"
    );
    let raw =
        |d: &Path| train::run::load_generator(&config, &d.join("generator.bpk"), &device).unwrap();
    assert_eq!(
        raw(a).forward(input(6)).to_data(),
        raw(b).forward(input(6)).to_data(),
        "the generators differ"
    );
    let discriminator = |d: &Path| {
        model::store::load_module(
            config.init_discriminator(&device),
            &d.join("discriminator.bpk"),
            "the discriminator",
        )
        .unwrap()
    };
    assert_eq!(
        discriminator(a).forward(fa.clone(), labels()).to_data(),
        discriminator(b).forward(fa, labels()).to_data(),
        "the discriminators differ"
    );
}

#[test]
fn ctrl_c_checkpoints_and_the_resumed_run_ends_as_an_uninterrupted_one() {
    let reference = reference();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut child = start(&dir, None);
    wait_for(&mut child, "6 steps", || logged_steps(&dir).len() >= 6);
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("Resume with: train --resume"), "{stdout}");
    // The checkpoint is at the step the run stopped after.
    let steps = logged_steps(&dir);
    assert!(steps.len() < STEPS, "stopped early");
    assert_eq!(newest(&dir), Some(steps.len()));
    assert_consistent(&dir);

    let out = finished(resume(&dir, None));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Resuming from"));
    assert_consistent(&dir);
    assert_same_run(reference, &dir);
    // The report still has a point per step.
    assert!(dir.join("report.html").is_file());
}

#[test]
fn sigkill_anywhere_loses_nothing_and_the_run_still_ends_as_an_uninterrupted_one() {
    let reference = reference();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");

    // Killed in the middle of writing its first checkpoint (each write pauses after its
    // first record, as a slow disk would).
    let mut child = start(&dir, Some(300));
    wait_for(&mut child, "a checkpoint write", || {
        writing_checkpoint(&dir)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_consistent(&dir);
    let before = newest(&dir);

    // Resumed (starting over if no checkpoint was complete), then killed during a later
    // write.
    let mut child = resume(&dir, Some(300));
    wait_for(&mut child, "a new checkpoint, then another write", || {
        newest(&dir) > before && writing_checkpoint(&dir)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_consistent(&dir);
    let before = newest(&dir).expect("a complete checkpoint");

    // Resumed, then killed between checkpoints.
    let mut child = resume(&dir, None);
    wait_for(&mut child, "two more checkpoints", || {
        newest(&dir).is_some_and(|n| n >= before + 4)
    });
    std::thread::sleep(Duration::from_millis(100));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_consistent(&dir);

    // Resumed to the end.
    finished(resume(&dir, None));
    assert_consistent(&dir);
    assert_same_run(reference, &dir);
    // The last three checkpoints are kept, the newest the end of the run.
    let kept: Vec<usize> = Checkpoints::new(&dir, 3)
        .list()
        .unwrap()
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert_eq!(kept.last(), Some(&STEPS));
    assert!(
        !writing_checkpoint(&dir),
        "a stale temporary checkpoint is left"
    );
}

#[test]
fn a_damaged_newest_checkpoint_is_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut child = start(&dir, None);
    wait_for(&mut child, "8 steps", || {
        newest(&dir).is_some_and(|n| n >= 8)
    });
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "SIGTERM stops like Ctrl-C");
    let list = Checkpoints::new(&dir, 3).list().unwrap();
    let (newest_step, newest_dir) = list.last().unwrap().clone();
    let (older_step, _) = list[list.len() - 2].clone();
    // Truncate the newest checkpoint's model record.
    let model = newest_dir.join(checkpoint::MODEL);
    let bytes = std::fs::read(&model).unwrap();
    std::fs::write(&model, &bytes[..bytes.len() / 2]).unwrap();

    let out = finished(resume(&dir, None));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains(&format!("step-{newest_step:07}")),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("step {older_step},")),
        "resumed from the older checkpoint: {stdout}"
    );
    assert_consistent(&dir);
    assert_eq!(logged_steps(&dir).len(), STEPS);
}

#[test]
fn pruning_keeps_the_newest_checkpoints_and_the_best() {
    let tmp = tempfile::tempdir().unwrap();
    let checkpoints = Checkpoints::new(tmp.path(), 2);
    let config = train::TrainConfig::new(
        model::ModelConfig::new(),
        train::OptimConfig::new(),
        train::OptimConfig::new(),
    );
    // Steps 10..=50; the one at 20 scored best. Only the state matters to pruning.
    for step in [10, 20, 30, 40, 50] {
        let dir = checkpoints.dir(step);
        std::fs::create_dir_all(&dir).unwrap();
        let state = checkpoint::State {
            position: checkpoint::Position {
                step,
                epochs_done: step / 10,
                batches_done: 0,
            },
            seconds: 1.0,
            train_images: 100,
            best: step == 20,
            fixed_noise: Vec::new(),
            config: config.clone(),
        };
        std::fs::write(
            dir.join(checkpoint::STATE),
            serde_json::to_vec(&state).unwrap(),
        )
        .unwrap();
    }
    // A temporary directory a killed write left behind.
    std::fs::create_dir_all(tmp.path().join("checkpoints/.step-0000060.tmp1")).unwrap();
    checkpoints.prune().unwrap();
    let kept: Vec<usize> = checkpoints.list().unwrap().iter().map(|c| c.0).collect();
    assert_eq!(kept, vec![20, 40, 50]);
    assert!(!writing_checkpoint(tmp.path()));
    // Without records none loads, and each is reported as skipped.
    let mut skipped = Vec::new();
    assert!(checkpoints.newest(|w| skipped.push(w)).unwrap().is_none());
    assert_eq!(skipped.len(), 3, "none of these has records: {skipped:?}");
}
