//! The `evaluate` command's library: what it scores, and training the classifier it scores with.
//!
//! - [`input`]: the images to score, drawn from a run's generator or read from a CSV file.
//! - [`classifier_training`]: training the MNIST classifier with Burn's Learner.

pub mod classifier_training;
pub mod input;
