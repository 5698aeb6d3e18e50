//! The shipped classifier and the evaluator on real MNIST images.
//!
//! Reads MNIST from `$MNIST_DIR`, else `../shared/data/mnist` beside the workspace, and the
//! classifier from `assets/mnist-classifier.bpk`.

use burn::prelude::*;
use data::mnist::{self, Mnist, Split};
use data::pixels::bytes_to_signed;
use quality::Evaluator;
use std::path::PathBuf;
use std::sync::OnceLock;

fn mnist_dir() -> PathBuf {
    std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mnist")
        })
}

fn split(split: Split) -> Mnist {
    mnist::load(&mnist_dir(), split).expect("MNIST (set MNIST_DIR)")
}

fn classifier() -> quality::Classifier {
    quality::classifier::load(&quality::classifier::default_path(), &Device::flex())
        .expect("the shipped classifier loads")
}

/// One evaluator for the tests of this file: the full test set, 6,000 training images for
/// the nearest-neighbour search (enough to test; the command uses all 60,000).
fn evaluator() -> &'static Evaluator {
    static EVALUATOR: OnceLock<Evaluator> = OnceLock::new();
    EVALUATOR.get_or_init(|| {
        let train = split(Split::Train)
            .subset(&[], Some(6_000))
            .expect("subset");
        Evaluator::new(classifier(), train, split(Split::Test), &Device::flex())
    })
}

fn signed(set: &Mnist) -> Vec<f32> {
    bytes_to_signed(&set.pixels)
}

#[test]
fn shipped_classifier_reaches_99_percent_on_the_test_set() {
    let test = split(Split::Test);
    let digits = classifier()
        .predict(&signed(&test), &Device::flex())
        .digits();
    let correct = digits
        .iter()
        .zip(&test.labels)
        .filter(|&(&d, &l)| d == usize::from(l))
        .count();
    let accuracy = correct as f64 / test.len() as f64;
    assert!(accuracy >= 0.99, "test accuracy {accuracy}");
}

#[test]
fn test_images_against_test_statistics_score_as_real_data() {
    let test = split(Split::Test);
    let scores = evaluator().scores(&signed(&test));
    assert!(scores.frechet_distance < 1e-3, "{scores:?}");
    assert!(scores.classifier_score > 9.0, "{scores:?}");
    assert!(
        scores.class_kl < 0.01 && scores.rarest_share > 0.08,
        "{scores:?}"
    );
    assert!(scores.confidence > 0.97, "{scores:?}");
}

#[test]
fn noise_is_far_from_digits() {
    // Uniform noise in [-1, 1] from a fixed linear congruential sequence.
    let mut state = 12345u64;
    let noise: Vec<f32> = (0..500 * data::PIXELS)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        })
        .collect();
    let noise_scores = evaluator().scores(&noise);
    let floor = evaluator().floor(500);
    assert!(
        noise_scores.frechet_distance > 100.0 * floor.frechet_distance.max(0.1),
        "noise {noise_scores:?}, real {floor:?}"
    );
    assert!(noise_scores.nearest_train_mean > 2.0 * floor.nearest_train_mean);
}

#[test]
fn only_ones_collapse_the_histogram() {
    let ones = split(Split::Test).subset(&[1], Some(300)).expect("ones");
    let scores = evaluator().scores(&signed(&ones));
    assert_eq!(scores.rarest_share, 0.0);
    assert!(scores.class_shares[1] > 0.98, "{scores:?}");
    assert!(scores.class_kl > 2.0, "{scores:?}");
    assert!(scores.classifier_score < 1.2, "{scores:?}");
}

#[test]
fn floor_of_training_images_scores_like_real_digits() {
    let floor = evaluator().floor(2_000);
    assert_eq!(floor.count, 2_000);
    assert!(floor.classifier_score > 9.5, "{floor:?}");
    assert!(
        floor.class_kl < 0.02 && floor.rarest_share > 0.07,
        "{floor:?}"
    );
    // The Fréchet distance of a finite sample is biased upwards, less so the larger the
    // sample: that is why every score is printed beside a floor of as many real images.
    let larger = evaluator().floor(6_000);
    assert!(
        larger.frechet_distance < floor.frechet_distance,
        "{larger:?} vs {floor:?}"
    );
    // Test images are not in the training set: their nearest training image is some way off.
    assert!(floor.nearest_train_mean > 1.0, "{floor:?}");
}
