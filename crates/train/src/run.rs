//! The run directory: what a training run writes, and loading it back.
//!
//! ```text
//! runs/dcgan-001/
//!   config.json          every setting needed to rebuild the networks and the noise
//!   generator.bpk        the generator after the last epoch (inference mode)
//!   generator-ema.bpk    the moving average of its weights, with --ema
//!   discriminator.bpk    the discriminator after the last epoch
//!   log.csv              one line per epoch: losses, D(x), D(G(z)), images/s, seconds,
//!                        and the classifier's scores when evaluated
//!   steps.csv            one line per step: losses, D(x), D(G(z))
//!   samples/epoch-001.png  a grid from one fixed noise batch, each epoch
//!   best/                the weights with the lowest Fréchet distance so far, and their scores
//!   report.html          the run at a glance, rewritten each epoch (see `report`)
//!   samples/progress.gif every epoch's grid in turn
//!   checkpoints/         the last few checkpoints (and the best), to resume from
//!                        (see `checkpoint`)
//! ```

use crate::TrainConfig;
use anyhow::{Context, Result, bail};
use burn::prelude::*;
use data::fsio::write_atomic;
use model::{Generator, ModelConfig};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the run's configuration.
pub const CONFIG: &str = "config.json";
/// File name of the generator's weights.
pub const GENERATOR: &str = "generator.bpk";
/// File name of the moving average of the generator's weights (`--ema`).
pub const GENERATOR_EMA: &str = "generator-ema.bpk";
/// File name of the discriminator's weights.
pub const DISCRIMINATOR: &str = "discriminator.bpk";
/// File name of the per-epoch log.
pub const LOG: &str = "log.csv";
/// Directory of the best weights (lowest Fréchet distance) and their scores.
pub const BEST: &str = "best";
/// File name of the best weights' scores (in [`BEST`]).
pub const BEST_SCORES: &str = "scores.json";
/// File name of the per-step log (see [`crate::steplog`]).
pub const STEPS: &str = "steps.csv";
/// Directory of the per-epoch sample grids.
pub const SAMPLES: &str = "samples";
/// Header of the per-epoch log.
pub const LOG_HEADER: &str = "epoch,step,d_loss,g_loss,d_real,d_fake,valid_d_loss,valid_g_loss,valid_d_real,valid_d_fake,images_per_sec,seconds,classifier_score,frechet_distance,class_kl,rarest_share,confidence,nearest_train";

/// A run directory.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// Its path.
    pub path: PathBuf,
}

impl RunDir {
    /// Creates a new run directory: `path` if given (it must not exist, or be empty), else the
    /// first free `runs/<prefix>-NNN`. Never reuses a directory that holds anything.
    pub fn create(path: Option<&Path>, prefix: &str) -> Result<Self> {
        let path = match path {
            Some(p) => {
                if p.exists() {
                    let empty = p.is_dir()
                        && std::fs::read_dir(p)
                            .with_context(|| format!("{}: cannot list", p.display()))?
                            .next()
                            .is_none();
                    if !empty {
                        bail!(
                            "{}: already exists and is not empty; choose another --out (runs are never overwritten)",
                            p.display()
                        );
                    }
                }
                p.to_path_buf()
            }
            None => (1..)
                .map(|i| Path::new("runs").join(format!("{prefix}-{i:03}")))
                .find(|p| !p.exists())
                .expect("an unused name"),
        };
        std::fs::create_dir_all(path.join(SAMPLES))
            .with_context(|| format!("{}: cannot create the run directory", path.display()))?;
        Ok(Self { path })
    }

    /// Opens an existing run directory (it must hold a `config.json`).
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_dir() {
            bail!("{}: no such run directory", path.display());
        }
        if !path.join(CONFIG).is_file() {
            bail!("{}: not a run directory (no {CONFIG})", path.display());
        }
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// A file in the run directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The sample grid of `epoch`.
    pub fn grid(&self, epoch: usize) -> PathBuf {
        self.path
            .join(SAMPLES)
            .join(format!("epoch-{epoch:03}.png"))
    }

    /// Writes the configuration.
    pub fn save_config(&self, config: &TrainConfig) -> Result<()> {
        let json = serde_json::to_string_pretty(config)?;
        write_atomic(&self.file(CONFIG), |out| out.write_all(json.as_bytes()))?;
        Ok(())
    }

    /// Reads the configuration.
    pub fn config(&self) -> Result<TrainConfig> {
        read_config(&self.file(CONFIG))
    }

    /// The generator's weights: the last epoch's, or the best-scoring ones; their moving
    /// average (`--ema`) when the run kept one.
    pub fn generator_file(&self, best: bool) -> PathBuf {
        let dir = if best {
            self.path.join(BEST)
        } else {
            self.path.clone()
        };
        let ema = dir.join(GENERATOR_EMA);
        if ema.is_file() {
            ema
        } else {
            dir.join(GENERATOR)
        }
    }

    /// Loads the trained generator (the last epoch's, or the best-scoring one), in inference
    /// mode, and its model configuration.
    pub fn load_generator(&self, best: bool, device: &Device) -> Result<(ModelConfig, Generator)> {
        let config = self.config()?;
        let path = self.generator_file(best);
        if best && !path.is_file() {
            bail!(
                "{}: no best weights in this run (they are kept when training scores the generator: --eval-every)",
                self.path.display()
            );
        }
        let generator = load_generator(&config.model, &path, device)?;
        Ok((config.model, generator))
    }

    /// Appends one line to the per-epoch log, writing the header first if the log is new.
    pub fn append_log(&self, line: &str) -> Result<()> {
        let path = self.file(LOG);
        let new = !path.exists();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let text = if new {
            format!("{LOG_HEADER}\n{line}\n")
        } else {
            format!("{line}\n")
        };
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_data())
            .with_context(|| format!("{}: cannot write", path.display()))
    }

    /// Drops what epochs after `epochs_done` left behind (a resumed run redoes them): their
    /// `log.csv` lines (and any partly written line) and their sample grids.
    pub fn truncate_to(&self, epochs_done: usize) -> Result<()> {
        let path = self.file(LOG);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let mut lines = text.lines();
            let mut kept = format!("{}\n", lines.next().unwrap_or(LOG_HEADER));
            for line in lines {
                let epoch = line.split(',').next().and_then(|e| e.parse::<usize>().ok());
                let whole = line.split(',').count() == LOG_HEADER.split(',').count();
                if whole && epoch.is_some_and(|e| e <= epochs_done) {
                    kept.push_str(line);
                    kept.push('\n');
                }
            }
            if kept != text {
                write_atomic(&path, |out| out.write_all(kept.as_bytes()))?;
            }
        }
        for epoch in epochs_done + 1.. {
            let grid = self.grid(epoch);
            if !grid.exists() {
                break;
            }
            std::fs::remove_file(&grid)
                .with_context(|| format!("{}: cannot remove", grid.display()))?;
        }
        Ok(())
    }
}

/// Reads a training configuration from a JSON file.
pub fn read_config(path: &Path) -> Result<TrainConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let config: TrainConfig = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a valid training configuration", path.display()))?;
    config
        .model
        .check()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(config)
}

pub use model::store::save_module;

/// Loads a generator of `config` from `path`, in inference mode.
pub fn load_generator(config: &ModelConfig, path: &Path, device: &Device) -> Result<Generator> {
    let what = format!("the {:?} generator of the configuration", config.arch);
    model::store::load_module(config.init_generator(device), path, &what)
}
