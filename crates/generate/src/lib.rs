//! Sampling a trained generator and writing the samples as CSV and PNG.

use anyhow::{Result, bail};
use data::pixels::Range;
use data::{PIXELS, SIDE};

use std::path::Path;

pub use model::sample;

/// Writes one PNG per image into `dir` (`sample-00000.png`, ...).
pub fn write_png_dir(images: &[f32], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", dir.display()))?;
    for (i, image) in images.chunks_exact(PIXELS).enumerate() {
        let img = data::png::matrix(image, SIDE, SIDE, Range::Signed);
        data::png::save(&img, &dir.join(format!("sample-{i:05}.png")))?;
    }
    Ok(())
}

/// How a CSV file lays out images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvLayout {
    /// One image per row (784 values, or 785 with a leading label).
    Rows,
    /// The whole matrix is a picture: the mlpack tutorial's matrix of 28x28 tiles.
    Tiles,
}

/// Turns a CSV of images into a PNG: one image per row laid out as a grid, or a matrix of
/// 28x28 tiles drawn as it is. Values are scaled from `range`, or from the range they appear
/// to be in ([`Range::detect`]) if `None`. Returns the layout found.
pub fn csv_to_png(input: &Path, output: &Path, range: Option<Range>) -> Result<CsvLayout> {
    let m = data::csv::read_matrix(input)?;
    let (layout, img) = if m.cols == PIXELS || m.cols == PIXELS + 1 {
        let skip = m.cols - PIXELS;
        let values: Vec<f32> = m
            .values
            .chunks_exact(m.cols)
            .flat_map(|row| row[skip..].iter().copied())
            .collect();
        let range = range.unwrap_or_else(|| Range::detect(&values));
        (
            CsvLayout::Rows,
            data::png::grid(&values, data::png::grid_cols(m.rows), range),
        )
    } else if m.rows % SIDE == 0 && m.cols % SIDE == 0 {
        let range = range.unwrap_or_else(|| Range::detect(&m.values));
        (
            CsvLayout::Tiles,
            data::png::matrix(&m.values, m.rows, m.cols, range),
        )
    } else {
        bail!(
            "{}: {} rows of {} columns is neither one image per row (784 or 785 columns) nor a matrix of 28x28 tiles",
            input.display(),
            m.rows,
            m.cols
        );
    };
    data::png::save(&img, output)?;
    Ok(layout)
}
