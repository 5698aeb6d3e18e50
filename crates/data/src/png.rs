//! Images as PNG: a grid of samples, a single image, a raw matrix.

use crate::pixels::{Range, unit_to_byte};
use crate::{DataError, PIXELS, SIDE, fsio};
use image::{GrayImage, ImageFormat, Luma};
use std::io::Cursor;
use std::path::Path;

/// Pixels of padding between and around the tiles of a grid.
pub const PAD: u32 = 2;

/// Lays out images (784 values each, in `range`) in a grid of `cols` columns, padded in black.
pub fn grid(images: &[f32], cols: usize, range: Range) -> GrayImage {
    let n = images.len() / PIXELS;
    let cols = cols.clamp(1, n.max(1));
    let rows = n.div_ceil(cols).max(1);
    let side = SIDE as u32;
    let mut img = GrayImage::new(
        cols as u32 * (side + PAD) + PAD,
        rows as u32 * (side + PAD) + PAD,
    );
    for (k, tile) in images.chunks_exact(PIXELS).enumerate() {
        let (r, c) = ((k / cols) as u32, (k % cols) as u32);
        for (i, &v) in tile.iter().enumerate() {
            let (y, x) = ((i / SIDE) as u32, (i % SIDE) as u32);
            img.put_pixel(
                PAD + c * (side + PAD) + x,
                PAD + r * (side + PAD) + y,
                Luma([unit_to_byte(range.to_unit(v))]),
            );
        }
    }
    img
}

/// A `rows x cols` matrix of values in `range` as an image, one pixel per value.
pub fn matrix(values: &[f32], rows: usize, cols: usize, range: Range) -> GrayImage {
    GrayImage::from_fn(cols as u32, rows as u32, |x, y| {
        Luma([unit_to_byte(
            range.to_unit(values[y as usize * cols + x as usize]),
        )])
    })
}

/// Writes an image as PNG, atomically.
pub fn save(img: &GrayImage, path: &Path) -> Result<(), DataError> {
    let mut bytes = Vec::new();
    img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .map_err(|e| DataError::invalid(path, format!("cannot encode PNG: {e}")))?;
    fsio::write_atomic(path, |out| out.write_all(&bytes))
}

/// Reads a PNG as a grey image.
pub fn load(path: &Path) -> Result<GrayImage, DataError> {
    let img = image::open(path).map_err(|e| DataError::invalid(path, e.to_string()))?;
    Ok(img.into_luma8())
}

/// The number of columns of a square-ish grid of `n` images.
pub fn grid_cols(n: usize) -> usize {
    (n as f64).sqrt().ceil().max(1.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_places_tiles_and_scales_values() {
        let mut images = vec![-1.0f32; 3 * PIXELS];
        images[PIXELS] = 1.0; // first pixel of the second tile
        let img = grid(&images, 2, Range::Signed);
        assert_eq!(img.dimensions(), (2 * 30 + 2, 2 * 30 + 2));
        assert_eq!(img.get_pixel(PAD + 30, PAD).0[0], 255);
        assert_eq!(img.get_pixel(PAD, PAD).0[0], 0);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.png");
        save(&img, &p).unwrap();
        assert_eq!(load(&p).unwrap(), img);
    }
}
