//! Every score of a set of images, beside the same scores for real images.

use crate::classifier::Predictions;
use crate::nearest::Reference;
use crate::scores::{self, Gaussian};
use crate::{CLASSES, Classifier};
use burn::prelude::*;
use data::PIXELS;
use data::mnist::Mnist;
use data::pixels::bytes_to_signed;
use serde::Serialize;
use std::fmt::Write;

/// The scores of one set of images.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Images scored.
    pub count: usize,
    /// Classifier (Inception) score, 1 to 10: higher is better.
    pub classifier_score: f64,
    /// Fréchet distance of the classifier's features to the MNIST test set's: lower is better.
    pub frechet_distance: f64,
    /// Share of the images classified as each digit 0-9.
    pub class_shares: Vec<f64>,
    /// KL divergence of the class shares from uniform (0 when even, ln 10 = 2.30 when one
    /// digit only).
    pub class_kl: f64,
    /// The rarest digit's share (0.1 when even, 0 when a digit is missing).
    pub rarest_share: f64,
    /// Mean probability of each image's most likely digit.
    pub confidence: f64,
    /// Mean Euclidean distance (pixels in [0, 1]) from each image to its nearest training image.
    pub nearest_train_mean: f64,
    /// Median of the same distances.
    pub nearest_train_median: f64,
}

/// Scores of generated images beside the real-data floor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// What was scored (a run directory or a CSV file).
    pub source: String,
    /// The generated images' scores.
    pub samples: Scores,
    /// The same scores for as many real images: training images for every score but the
    /// nearest-neighbour distance, which is measured from test images (a training image is at
    /// distance 0 from itself).
    pub real: Scores,
    /// For a conditional generator: the share of samples the classifier reads as the digit
    /// they were asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<f64>,
}

impl Report {
    /// The report as a human-readable table.
    pub fn table(&self) -> String {
        let (s, r) = (&self.samples, &self.real);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} samples, scored against the MNIST test set",
            self.source, s.count
        );
        let _ = writeln!(out, "{:<44} {:>10} {:>10}", "score", "samples", "real data");
        let mut row = |name: &str, a: f64, b: f64| {
            let _ = writeln!(out, "{name:<44} {a:>10.4} {b:>10.4}");
        };
        row(
            "classifier score (Inception, 1-10, higher)",
            s.classifier_score,
            r.classifier_score,
        );
        row(
            "Frechet distance to test set (lower)",
            s.frechet_distance,
            r.frechet_distance,
        );
        row("class KL from uniform (lower)", s.class_kl, r.class_kl);
        row(
            "rarest class share (0.1 = even)",
            s.rarest_share,
            r.rarest_share,
        );
        row("mean top-class confidence", s.confidence, r.confidence);
        row(
            "nearest training image, mean distance",
            s.nearest_train_mean,
            r.nearest_train_mean,
        );
        row(
            "nearest training image, median distance",
            s.nearest_train_median,
            r.nearest_train_median,
        );
        if let Some(a) = self.agreement {
            let _ = writeln!(
                out,
                "{:<44} {:>10.4}",
                "classifier agrees with the digit asked for", a
            );
        }
        let _ = writeln!(out, "class shares (%):");
        for (label, scores) in [("samples", s), ("real data", r)] {
            let shares: Vec<String> = scores
                .class_shares
                .iter()
                .enumerate()
                .map(|(d, p)| format!("{d}:{:>5.1}", p * 100.0))
                .collect();
            let _ = writeln!(out, "  {label:<10} {}", shares.join(" "));
        }
        out
    }
}

/// Scores sets of images with the classifier, against the MNIST test and training sets.
#[derive(Debug)]
pub struct Evaluator {
    classifier: Classifier,
    device: Device,
    train: Mnist,
    test: Mnist,
    test_features: Gaussian,
    train_set: Reference,
}

impl Evaluator {
    /// Prepares the test set's feature statistics and the training set for nearest-neighbour
    /// search. `classifier` must be in inference mode.
    pub fn new(classifier: Classifier, train: Mnist, test: Mnist, device: &Device) -> Self {
        let test_predictions = classifier.predict(&bytes_to_signed(&test.pixels), device);
        Self {
            classifier,
            device: device.clone(),
            train_set: Reference::new(
                train.pixels.iter().map(|&b| f32::from(b) / 255.0).collect(),
                PIXELS,
                device,
            ),
            train,
            test_features: Gaussian::fit(&test_predictions.features, test_predictions.dim),
            test,
        }
    }

    /// The device the evaluator computes on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    fn classify(&self, images: &[f32]) -> Predictions {
        self.classifier.predict(images, &self.device)
    }

    fn scores_of(&self, classified: &Predictions, nearest: &[f32]) -> Scores {
        let shares = scores::class_histogram(&classified.probs, CLASSES);
        let (nearest_mean, nearest_median) = scores::mean_and_median(nearest);
        Scores {
            count: classified.probs.len() / CLASSES,
            classifier_score: scores::classifier_score(&classified.probs, CLASSES),
            frechet_distance: scores::frechet_distance(
                &Gaussian::fit(&classified.features, classified.dim),
                &self.test_features,
            ),
            class_kl: scores::kl_from_uniform(&shares),
            rarest_share: shares.iter().copied().fold(f64::INFINITY, f64::min),
            class_shares: shares,
            confidence: scores::mean_top_confidence(&classified.probs, CLASSES),
            nearest_train_mean: nearest_mean,
            nearest_train_median: nearest_median,
        }
    }

    /// Scores `images` (784 values in [-1, 1] each; at least 2 images).
    pub fn scores(&self, images: &[f32]) -> Scores {
        let classified = self.classify(images);
        let unit: Vec<f32> = images.iter().map(|&v| (v + 1.0) / 2.0).collect();
        self.scores_of(&classified, &self.train_set.nearest(&unit))
    }

    /// The real-data floor for `count` images: the scores of `count` training images (evenly
    /// spaced through the set), with the nearest-neighbour distances measured from as many
    /// test images (at most all of them) instead.
    pub fn floor(&self, count: usize) -> Scores {
        let train = spaced(&self.train, count);
        let classified = self.classify(&bytes_to_signed(&train));
        let test = spaced(&self.test, count);
        let unit: Vec<f32> = test.iter().map(|&b| f32::from(b) / 255.0).collect();
        self.scores_of(&classified, &self.train_set.nearest(&unit))
    }

    /// The scores of `images` beside the floor for as many real images.
    pub fn report(&self, source: &str, images: &[f32]) -> Report {
        let samples = self.scores(images);
        Report {
            source: source.to_string(),
            real: self.floor(samples.count),
            samples,
            agreement: None,
        }
    }

    /// The share of `images` the classifier reads as the digit `digits` gives for each (a
    /// conditional generator's samples and the digits they were asked for).
    pub fn agreement(&self, images: &[f32], digits: &[u8]) -> f64 {
        let read = self.classify(images).digits();
        let agree = read
            .iter()
            .zip(digits)
            .filter(|(r, d)| **r == usize::from(**d))
            .count();
        agree as f64 / read.len().max(1) as f64
    }
}

/// The pixels of `count` images evenly spaced through `set` (all of them if fewer).
fn spaced(set: &Mnist, count: usize) -> Vec<u8> {
    let n = count.min(set.len());
    (0..n)
        .flat_map(|i| set.image(i * set.len() / n).iter().copied())
        .collect()
}
