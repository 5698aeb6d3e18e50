//! The images to score: samples drawn from a trained generator, or read from a CSV file.

use anyhow::{Result, bail};
use data::pixels::Range;
use std::path::Path;
use train::RunDir;

/// Samples drawn from a run, and the digits they were asked for (a conditional run's).
pub struct RunSamples {
    /// 784 values in [-1, 1] per image.
    pub images: Vec<f32>,
    /// The digit each image was asked for, if the generator is conditional.
    pub digits: Option<Vec<u8>>,
}

/// Draws `count` samples from the generator of the run in `dir` (its best weights if `best`),
/// with noise seeded by `seed` (the same noise `generate --count N --seed S` draws; a
/// conditional generator is asked for 0, 1, ..., 9 in turn).
pub fn from_run(
    dir: &Path,
    best: bool,
    count: usize,
    seed: u64,
    device: &burn::prelude::Device,
) -> Result<RunSamples> {
    let (config, generator) = RunDir::open(dir)?.load_generator(best, device)?;
    let digits = config.cycle_digits(count);
    let images = model::sample_digits(&generator, &config, &digits, seed, device)?;
    Ok(RunSamples {
        images,
        digits: config.conditional.then_some(digits),
    })
}

/// Reads images from a CSV file with one image per row (784 values, or 785 with a leading
/// label), in any of generate's ranges ([-1, 1], [0, 1] or [0, 255], guessed from the values
/// unless given): 784 values in [-1, 1] each.
pub fn from_csv(path: &Path, range: Option<Range>) -> Result<Vec<f32>> {
    let m = data::csv::read_matrix(path)?;
    let Some(values) = m.images() else {
        bail!(
            "{}: has {} columns; expected one image per row (784 values, or 785 with a label)",
            path.display(),
            m.cols
        );
    };
    let range = range.unwrap_or_else(|| Range::detect(&values));
    Ok(values
        .into_iter()
        .map(|v| range.to_unit(v) * 2.0 - 1.0)
        .collect())
}
