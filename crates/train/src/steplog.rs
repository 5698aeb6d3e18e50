//! The per-step log, `steps.csv`: one line per training step with its losses, D(x) and
//! D(G(z)), and the epoch means `log.csv` reports.
//!
//! The statistics stay on the device until [`StepLog::flush`] reads a whole run of steps at
//! once (no per-step sync). Flushing checks every value: a NaN or infinite loss stops the run.
//! When a run resumes, the lines after its checkpoint are dropped, so the log never repeats or
//! skips a step.

use crate::metrics::Stat;
use crate::run::STEPS;
use anyhow::{Context, Result};
use burn::prelude::*;
use data::fsio::write_atomic;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Header of `steps.csv`.
pub const STEPS_HEADER: &str = "step,epoch,images,d_loss,g_loss,d_real,d_fake";

/// A step whose statistics are still on the device.
struct Pending {
    step: usize,
    epoch: usize,
    images: usize,
    trains_generator: bool,
    stats: Tensor<1>,
}

/// A statistic that was NaN or infinite.
#[derive(Debug, Clone, PartialEq)]
pub struct NonFinite {
    /// The step (from 1).
    pub step: usize,
    /// Which statistic.
    pub stat: Stat,
    /// Its value.
    pub value: f32,
}

/// The per-step log of a run, and the running means of the current epoch.
pub struct StepLog {
    path: PathBuf,
    out: BufWriter<File>,
    pending: Vec<Pending>,
    epoch: usize,
    sums: [f64; 4],
    weights: [f64; 4],
}

impl StepLog {
    /// Opens `steps.csv` in `run_dir` for a run that has done `steps` steps and is in epoch
    /// `epoch`: later lines (from an interrupted attempt) are dropped, and the epoch's means
    /// start from its lines already there.
    pub fn open(run_dir: &Path, steps: usize, epoch: usize) -> Result<Self> {
        let path = run_dir.join(STEPS);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
        };
        let mut kept = format!("{STEPS_HEADER}\n");
        let mut current = Vec::new();
        for line in text.lines().skip(1) {
            let Some(row) = parse(line) else { continue };
            if row.step > steps {
                break;
            }
            if row.epoch == epoch {
                current.push(row);
            }
            kept.push_str(line);
            kept.push('\n');
        }
        if kept != text {
            write_atomic(&path, |out| out.write_all(kept.as_bytes()))?;
        }
        let file = File::options()
            .append(true)
            .open(&path)
            .with_context(|| format!("{}: cannot open for writing", path.display()))?;
        let mut log = Self {
            out: BufWriter::new(file),
            path,
            pending: Vec::new(),
            epoch,
            sums: [0.0; 4],
            weights: [0.0; 4],
        };
        for row in current {
            log.add(row.images, &row.values);
        }
        Ok(log)
    }

    /// Records a step; its statistics are read at the next [`flush`](Self::flush).
    pub fn push(
        &mut self,
        step: usize,
        epoch: usize,
        images: usize,
        trains_generator: bool,
        stats: Tensor<1>,
    ) {
        self.pending.push(Pending {
            step,
            epoch,
            images,
            trains_generator,
            stats,
        });
    }

    /// Steps recorded but not yet flushed.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Reads the pending steps' statistics (one read for all), appends their lines and syncs
    /// the file. Returns the first NaN or infinite loss or output, if any.
    pub fn flush(&mut self) -> Result<Option<NonFinite>> {
        if self.pending.is_empty() {
            return Ok(None);
        }
        let pending = std::mem::take(&mut self.pending);
        let all = Tensor::cat(pending.iter().map(|p| p.stats.clone()).collect(), 0)
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| anyhow::anyhow!("cannot read the step statistics: {e:?}"))?;
        let mut bad = None;
        for (p, values) in pending.iter().zip(all.chunks(Stat::ALL.len())) {
            if p.epoch != self.epoch {
                self.epoch = p.epoch;
                self.sums = [0.0; 4];
                self.weights = [0.0; 4];
            }
            let values: Vec<Option<f32>> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| (p.trains_generator || i != 1).then_some(v))
                .collect();
            if bad.is_none()
                && let Some((i, v)) = values
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| v.filter(|v| !v.is_finite()).map(|v| (i, v)))
            {
                bad = Some(NonFinite {
                    step: p.step,
                    stat: Stat::ALL[i],
                    value: v,
                });
            }
            self.add(p.images, &values);
            let fields: Vec<String> = values
                .iter()
                .map(|v| v.map(|v| v.to_string()).unwrap_or_default())
                .collect();
            writeln!(
                self.out,
                "{},{},{},{}",
                p.step,
                p.epoch,
                p.images,
                fields.join(",")
            )
            .with_context(|| format!("{}: cannot write", self.path.display()))?;
        }
        self.out
            .flush()
            .and_then(|_| self.out.get_ref().sync_data())
            .with_context(|| format!("{}: cannot write", self.path.display()))?;
        Ok(bad)
    }

    /// The image-weighted means of the flushed steps of `epoch`, in the order of [`Stat::ALL`]
    /// (the generator's loss over the steps that trained it).
    pub fn epoch_means(&self, epoch: usize) -> [Option<f64>; 4] {
        std::array::from_fn(|i| {
            (self.epoch == epoch && self.weights[i] > 0.0).then(|| self.sums[i] / self.weights[i])
        })
    }

    fn add(&mut self, images: usize, values: &[Option<f32>]) {
        for (i, v) in values.iter().enumerate().take(4) {
            if let Some(v) = v.filter(|v| v.is_finite()) {
                self.sums[i] += v as f64 * images as f64;
                self.weights[i] += images as f64;
            }
        }
    }
}

/// A parsed line of `steps.csv`.
#[derive(Debug, Clone)]
pub struct StepRow {
    /// The step (from 1).
    pub step: usize,
    /// Its epoch (from 1).
    pub epoch: usize,
    /// Images in its batch.
    pub images: usize,
    /// Whether the generator trained in it (its loss is given).
    pub trains_generator: bool,
    /// The statistics in the order of [`Stat::ALL`] (the generator's loss absent when it did
    /// not train).
    pub values: Vec<Option<f32>>,
}

/// Parses a line of `steps.csv` (`None` for a malformed or partly written one).
pub fn parse(line: &str) -> Option<StepRow> {
    let fields: Vec<&str> = line.split(',').collect();
    if fields.len() != 7 {
        return None;
    }
    let values: Vec<Option<f32>> = fields[3..]
        .iter()
        .map(|f| (!f.is_empty()).then(|| f.parse().ok()).flatten())
        .collect();
    Some(StepRow {
        step: fields[0].parse().ok()?,
        epoch: fields[1].parse().ok()?,
        images: fields[2].parse().ok()?,
        trains_generator: !fields[4].is_empty(),
        values,
    })
}

/// Reads every line of a run's `steps.csv` (none if there is no file).
pub fn read(run_dir: &Path) -> Vec<StepRow> {
    std::fs::read_to_string(run_dir.join(STEPS))
        .map(|text| text.lines().skip(1).filter_map(parse).collect())
        .unwrap_or_default()
}
