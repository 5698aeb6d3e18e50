//! Reading and writing the data a GAN on MNIST consumes and produces.
//!
//! - [`idx`]: the IDX format of the MNIST files, gzip-compressed or raw.
//! - [`mnist`]: locating the MNIST files, loading a split, taking a subset.
//! - [`csv`]: images as CSV rows (Kaggle/mlpack layout, generated samples, tile matrices).
//! - [`png`]: image grids and single images as PNG.
//! - [`pixels`]: value ranges and conversions between them.
//! - [`fsio`]: atomic file writes.
//! - `download` (feature `download`, on by default): fetching MNIST into the cache.

pub mod csv;
#[cfg(feature = "download")]
pub mod download;
pub mod error;
pub mod fsio;
pub mod idx;
pub mod mnist;
pub mod pixels;
pub mod png;

pub use error::DataError;

/// Side of an MNIST image, in pixels.
pub const SIDE: usize = 28;
/// Pixels in one MNIST image.
pub const PIXELS: usize = SIDE * SIDE;
