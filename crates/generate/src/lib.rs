//! Sampling a trained generator and writing the samples as CSV and PNG.

use anyhow::{Result, bail};
use data::pixels::Range;
use data::{PIXELS, SIDE};

use std::path::{Path, PathBuf};

pub use model::{interpolate, sample, sample_digits};

/// The digits to ask a generator for to draw `count` images, and the grid's columns: all
/// `digit` when given (a square grid), else the generator's own layout
/// ([`model::ModelConfig::grid_layout`]: one digit per row for a conditional generator).
pub fn grid_digits(
    config: &model::ModelConfig,
    count: usize,
    digit: Option<u8>,
) -> (Vec<u8>, usize) {
    match digit {
        Some(d) => (vec![d; count], data::png::grid_cols(count)),
        None => config.grid_layout(count),
    }
}

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
    let (layout, img) = if let Some(values) = m.images() {
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

/// Writes an HTML page for a generation run beside the PNG grid `grid` (same name, `.html`):
/// the grid, the settings in `details`, and a link to the run's training report when it is in
/// the same directory. Returns the page's path.
pub fn write_page(grid: &Path, details: &[(&str, String)]) -> Result<PathBuf> {
    use std::fmt::Write as _;
    use train::report::{REPORT, escape};
    let page = grid.with_extension("html");
    let dir = page.parent().unwrap_or(Path::new("."));
    let grid_name = grid
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <title>Generated samples</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 2em; }}\n\
         td, th {{ border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }}\n\
         table {{ border-collapse: collapse; }}\n\
         img {{ image-rendering: pixelated; min-width: 363px; }}\n\
         </style>\n</head>\n<body>\n<h1>Generated samples</h1>\n\
         <figure><img src=\"{}\" alt=\"the samples\" /><figcaption>{}</figcaption></figure>\n<table>\n",
        escape(&grid_name),
        escape(&grid_name)
    );
    for (k, v) in details {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(k),
            escape(v)
        );
    }
    let _ = writeln!(html, "</table>");
    if dir.join(REPORT).is_file() {
        let _ = writeln!(
            html,
            "<p><a href=\"{REPORT}\">The training report of this run</a></p>"
        );
    }
    let _ = writeln!(html, "</body>\n</html>");
    data::fsio::write_atomic(&page, |out| out.write_all(html.as_bytes()))?;
    Ok(page)
}
