//! Checkpoints: everything a run needs to continue exactly where it stopped.
//!
//! ```text
//! checkpoints/step-0000500/
//!   state.json       where the run stands (step, epoch, batches of the epoch done, training
//!                    seconds), the configuration, the fixed noise of the sample grids,
//!                    whether these weights scored best
//!   model.bpk        both networks (the Learner's module record)
//!   optim.bpk        both Adam optimisers' moments and step counts
//!   scheduler.bpk    both learning-rate schedules
//!   ema.bpk          the moving average of the generator's weights (with --ema)
//! ```
//!
//! A checkpoint is written into a hidden temporary directory beside the others, every file
//! synced, then renamed into place and the parent directory synced: a reader (or a resume
//! after a crash) sees a whole checkpoint or none. The randomness of step `s` is seeded from
//! the run's seed and `s` ([`step_seed`]) and each epoch's image order from the seed and the
//! epoch (see [`crate::order`]), so the position is all the random state there is.
//!
//! The Learner keeps its optimiser and scheduler private and hands their records only to a
//! [`Checkpointer`]; [`RecordTaps`] is one that passes them back to the training loop, which
//! writes them here.

use crate::TrainConfig;
use anyhow::{Context, Result, bail};
use burn::module::{ModuleVisitor, Param};
use burn::optim::OptimizerRecord;
use burn::optim::lr_scheduler::LrSchedulerRecord;
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use burn::train::checkpoint::{
    Checkpoint, Checkpointer, CheckpointerError, CheckpointingAction, CheckpointingStrategy,
};
use burn::train::metric::store::EventStoreClient;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

/// Directory of the checkpoints in a run directory.
pub const CHECKPOINTS: &str = "checkpoints";
/// File of a checkpoint's [`State`].
pub const STATE: &str = "state.json";
/// File of a checkpoint's module record (both networks).
pub const MODEL: &str = "model.bpk";
/// File of a checkpoint's optimiser record.
pub const OPTIM: &str = "optim.bpk";
/// File of a checkpoint's learning-rate scheduler record.
pub const SCHEDULER: &str = "scheduler.bpk";
/// File of a checkpoint's moving average of the generator (`--ema`).
pub const EMA: &str = "ema.bpk";

/// Where a run stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Steps done in all.
    pub step: usize,
    /// Epochs finished (their log line, grid and scores written).
    pub epochs_done: usize,
    /// Batches of the next epoch already trained.
    pub batches_done: usize,
}

/// Everything of a checkpoint besides the records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// Where the run stands.
    pub position: Position,
    /// Seconds spent training so far (across resumes).
    pub seconds: f64,
    /// Images in the training set (a resume must find the same).
    pub train_images: usize,
    /// Whether these are the weights with the best score so far.
    pub best: bool,
    /// The fixed generator input the sample grids are drawn from (noise, and the one-hot
    /// digits of a conditional model), row after row.
    pub fixed_noise: Vec<f32>,
    /// The run's configuration.
    pub config: TrainConfig,
}

/// The records a checkpoint holds.
pub struct Records {
    /// Both networks.
    pub model: ModuleRecord,
    /// Both optimisers.
    pub optim: OptimizerRecord,
    /// Both learning-rate schedules.
    pub scheduler: LrSchedulerRecord,
    /// The moving average of the generator, with `--ema`.
    pub ema: Option<ModuleRecord>,
}

/// A checkpoint read back from disk.
pub struct Loaded {
    /// Its directory.
    pub dir: PathBuf,
    /// Its state.
    pub state: State,
    /// Its records.
    pub records: Records,
}

/// The seed of step `step`'s randomness (noise) in a run seeded with `seed`.
pub fn step_seed(seed: u64, step: usize) -> u64 {
    splitmix(seed ^ splitmix(step as u64 ^ 0x5354_4550))
}

/// SplitMix64's finaliser: nearby inputs give unrelated outputs.
pub(crate) fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The checkpoints of a run directory.
#[derive(Debug, Clone)]
pub struct Checkpoints {
    root: PathBuf,
    keep: usize,
}

impl Checkpoints {
    /// The checkpoints in `run_dir/checkpoints`, keeping the newest `keep` (and the best).
    pub fn new(run_dir: &Path, keep: usize) -> Self {
        Self {
            root: run_dir.join(CHECKPOINTS),
            keep: keep.max(1),
        }
    }

    /// The directory of the checkpoint after `step` steps.
    pub fn dir(&self, step: usize) -> PathBuf {
        self.root.join(format!("step-{step:07}"))
    }

    /// Writes a checkpoint atomically, then removes those no longer kept. Returns its directory.
    pub fn write(&self, state: &State, records: Records) -> Result<PathBuf> {
        let dir = self.dir(state.position.step);
        let tmp = self.root.join(format!(
            ".step-{:07}.tmp{}",
            state.position.step,
            std::process::id()
        ));
        let written = (|| -> Result<()> {
            std::fs::create_dir_all(&self.root)
                .with_context(|| format!("{}: cannot create", self.root.display()))?;
            if tmp.exists() {
                std::fs::remove_dir_all(&tmp)
                    .with_context(|| format!("{}: cannot remove", tmp.display()))?;
            }
            std::fs::create_dir(&tmp)
                .with_context(|| format!("{}: cannot create", tmp.display()))?;
            let bytes = |r: std::result::Result<Bytes, burn::store::RecordError>, what: &str| {
                r.map_err(|e| anyhow::anyhow!("cannot serialise the {what}: {e}"))
            };
            let json = serde_json::to_vec(state)?;
            write_synced(&tmp.join(STATE), &json)?;
            write_synced(
                &tmp.join(MODEL),
                &bytes(records.model.into_bytes(), "model")?,
            )?;
            pause_for_tests();
            write_synced(
                &tmp.join(OPTIM),
                &bytes(records.optim.into_bytes(), "optimiser")?,
            )?;
            write_synced(
                &tmp.join(SCHEDULER),
                &bytes(records.scheduler.into_bytes(), "scheduler")?,
            )?;
            if let Some(ema) = records.ema {
                write_synced(&tmp.join(EMA), &bytes(ema.into_bytes(), "moving average")?)?;
            }
            sync_dir(&tmp)?;
            if dir.exists() {
                std::fs::remove_dir_all(&dir)
                    .with_context(|| format!("{}: cannot replace", dir.display()))?;
            }
            std::fs::rename(&tmp, &dir)
                .with_context(|| format!("{}: cannot move into place", dir.display()))?;
            sync_dir(&self.root)
        })();
        if let Err(err) = written {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(err.context(format!("writing checkpoint {}", dir.display())));
        }
        self.prune()?;
        Ok(dir)
    }

    /// The checkpoints on disk (complete ones: temporary directories are skipped), oldest
    /// first, as (step, directory).
    pub fn list(&self) -> Result<Vec<(usize, PathBuf)>> {
        if !self.root.is_dir() {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&self.root)
            .with_context(|| format!("{}: cannot list", self.root.display()))?
        {
            let entry = entry.with_context(|| format!("{}: cannot list", self.root.display()))?;
            let name = entry.file_name();
            let step = name
                .to_str()
                .and_then(|n| n.strip_prefix("step-"))
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(step) = step {
                found.push((step, entry.path()));
            }
        }
        found.sort();
        Ok(found)
    }

    /// Removes the checkpoints beyond the newest `keep`, except the newest best one, and any
    /// temporary directory an interrupted write left behind.
    pub fn prune(&self) -> Result<()> {
        let all = self.list()?;
        let best = all
            .iter()
            .rev()
            .find(|(_, dir)| read_state(dir).is_ok_and(|s| s.best))
            .map(|(step, _)| *step);
        let cut = all.len().saturating_sub(self.keep);
        for (step, dir) in &all[..cut] {
            if Some(*step) != best {
                std::fs::remove_dir_all(dir)
                    .with_context(|| format!("{}: cannot remove", dir.display()))?;
            }
        }
        if let Ok(entries) = std::fs::read_dir(&self.root) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let stale = name.to_str().is_some_and(|n| {
                    n.starts_with(".step-") && !n.ends_with(&format!(".tmp{}", std::process::id()))
                });
                if stale {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        Ok(())
    }

    /// Reads the newest checkpoint that loads, calling `skipped` with a message for each newer
    /// one that does not; `None` when none does.
    pub fn newest(&self, mut skipped: impl FnMut(String)) -> Result<Option<Loaded>> {
        for (_, dir) in self.list()?.iter().rev() {
            match load(dir) {
                Ok(loaded) => return Ok(Some(loaded)),
                Err(err) => skipped(format!("{}: damaged, skipped: {err:#}", dir.display())),
            }
        }
        Ok(None)
    }
}

/// Reads a checkpoint's state.
pub fn read_state(dir: &Path) -> Result<State> {
    let path = dir.join(STATE);
    let text = std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
    serde_json::from_slice(&text)
        .with_context(|| format!("{}: not a checkpoint state", path.display()))
}

/// Reads a whole checkpoint, checking every record parses.
pub fn load(dir: &Path) -> Result<Loaded> {
    let state = read_state(dir)?;
    let bytes = |name: &str| -> Result<Bytes> {
        let path = dir.join(name);
        let data =
            std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
        Ok(Bytes::from_bytes_vec(data))
    };
    let corrupt = |name: &str, e: burn::store::RecordError| {
        anyhow::anyhow!("{}: not a valid record: {e}", dir.join(name).display())
    };
    let records = Records {
        model: ModuleRecord::from_bytes(bytes(MODEL)?).map_err(|e| corrupt(MODEL, e))?,
        optim: OptimizerRecord::from_bytes(bytes(OPTIM)?).map_err(|e| corrupt(OPTIM, e))?,
        scheduler: LrSchedulerRecord::from_bytes(bytes(SCHEDULER)?)
            .map_err(|e| corrupt(SCHEDULER, e))?,
        ema: match state.config.ema {
            Some(_) => Some(ModuleRecord::from_bytes(bytes(EMA)?).map_err(|e| corrupt(EMA, e))?),
            None => None,
        },
    };
    let expected = state.config.grid_size * state.config.model.generator_input_dim();
    if state.fixed_noise.len() != expected {
        bail!(
            "{}: {} fixed-noise values, expected {expected}",
            dir.join(STATE).display(),
            state.fixed_noise.len()
        );
    }
    Ok(Loaded {
        dir: dir.to_path_buf(),
        state,
        records,
    })
}

/// The path of the first parameter of `module` holding a NaN or infinite value, if any.
pub fn non_finite_parameter<M: Module>(module: &M) -> Option<String> {
    struct Check {
        path: Vec<String>,
        bad: Option<String>,
    }
    impl ModuleVisitor for Check {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if self.bad.is_none() && !param.val().is_finite().all().into_scalar::<bool>() {
                self.bad = Some(self.path.join("."));
            }
        }
    }
    let mut check = Check {
        path: Vec::new(),
        bad: None,
    };
    module.visit(&mut check);
    check.bad
}

/// Writes `bytes` to `path` and syncs the file to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file =
        File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// Syncs a directory, so that the names in it (a rename) reach the disk.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("{}: cannot sync", dir.display()))
}

/// Lets the kill test catch a checkpoint half-written: with `TRAIN_TEST_CHECKPOINT_PAUSE_MS`
/// set, each write pauses that long after its first record.
fn pause_for_tests() {
    if let Some(ms) = std::env::var("TRAIN_TEST_CHECKPOINT_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// A [`Checkpointer`] that hands each record it is given back over a channel.
pub struct Tap<R> {
    sender: Mutex<Sender<R>>,
}

impl<R: Checkpoint> Checkpointer<R> for Tap<R> {
    fn save(&self, _epoch: usize, record: R) -> Result<(), CheckpointerError> {
        self.sender
            .lock()
            .map_err(|_| CheckpointerError::Unknown("record tap poisoned".into()))?
            .send(record)
            .map_err(|_| CheckpointerError::Unknown("the training loop is gone".into()))
    }

    fn delete(&self, _epoch: usize) -> Result<(), CheckpointerError> {
        Ok(())
    }

    fn restore(&self, _epoch: usize) -> Result<R, CheckpointerError> {
        Err(CheckpointerError::Unknown(
            "checkpoints are restored by train::checkpoint, not the Learner".into(),
        ))
    }
}

/// The receiving ends of the three [`Tap`]s given to the Learner.
pub struct RecordTaps {
    model: Receiver<ModuleRecord>,
    optim: Receiver<OptimizerRecord>,
    scheduler: Receiver<LrSchedulerRecord>,
}

/// The Learner's three checkpointers, and where their records arrive.
pub type TapSet = (
    Tap<ModuleRecord>,
    Tap<OptimizerRecord>,
    Tap<LrSchedulerRecord>,
);

impl RecordTaps {
    /// Three taps for [`SupervisedTraining::with_custom_checkpointers`](burn::train::SupervisedTraining::with_custom_checkpointers),
    /// and their receiving ends.
    pub fn new() -> (TapSet, Self) {
        fn tap<R>() -> (Tap<R>, Receiver<R>) {
            let (sender, receiver) = channel();
            (
                Tap {
                    sender: Mutex::new(sender),
                },
                receiver,
            )
        }
        let (m, model) = tap();
        let (o, optim) = tap();
        let (s, scheduler) = tap();
        (
            (m, o, s),
            Self {
                model,
                optim,
                scheduler,
            },
        )
    }

    /// The records the Learner's checkpointer has just been asked to save.
    pub fn receive(&self) -> Result<Records> {
        let gone = || anyhow::anyhow!("the Learner's checkpointer stopped");
        Ok(Records {
            model: self.model.recv().map_err(|_| gone())?,
            optim: self.optim.recv().map_err(|_| gone())?,
            scheduler: self.scheduler.recv().map_err(|_| gone())?,
            ema: None,
        })
    }
}

/// A checkpointing strategy that saves whenever asked (the training loop decides when).
#[derive(Debug, Clone, Copy, Default)]
pub struct SaveWhenAsked;

impl CheckpointingStrategy for SaveWhenAsked {
    fn checkpointing(&mut self, _: usize, _: &EventStoreClient) -> Vec<CheckpointingAction> {
        vec![CheckpointingAction::Save]
    }
}
