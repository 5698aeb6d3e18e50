//! How good are generated digits? A small CNN digit classifier and the scores computed with
//! it, each beside the same score for real MNIST images (the real-data floor).
//!
//! - [`classifier`]: [`Classifier`], the MNIST classifier (a Burn module), its training step,
//!   and loading its weights from `assets/`.
//! - [`scores`]: the score formulas on plain numbers: classifier (Inception) score, Fréchet
//!   distance, class histogram, confidence.
//! - [`nearest`]: nearest-neighbour distances between image sets.
//! - [`evaluator`]: [`Evaluator`], which computes every score of a set of images and the
//!   real-data floor, and [`Report`], printed as a table or JSON.

pub mod classifier;
pub mod evaluator;
pub mod nearest;
pub mod scores;

pub use classifier::{Classifier, ClassifierConfig};
pub use evaluator::{Evaluator, Report, Scores};

/// The number of classes (digits).
pub const CLASSES: usize = 10;
