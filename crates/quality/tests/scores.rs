//! The score formulas against values worked out by hand.

use burn::prelude::*;
use nalgebra::{DMatrix, DVector};
use quality::nearest::Reference;
use quality::scores::{
    Gaussian, class_histogram, classifier_score, frechet_distance, kl_from_uniform,
    mean_and_median, mean_top_confidence,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn classifier_score_matches_hand_values() {
    // Two confident images of different classes: p(y) = (1/2, 1/2), each KL = ln 2, score 2.
    assert!(close(
        classifier_score(&[1.0, 0.0, 0.0, 1.0], 2),
        2.0,
        1e-12
    ));
    // Identical rows: every KL is 0, score 1.
    assert!(close(
        classifier_score(&[0.3, 0.7, 0.3, 0.7], 2),
        1.0,
        1e-12
    ));
    // Rows (1/2, 1/2) and (1, 0): p(y) = (3/4, 1/4);
    // KL1 = 1/2 ln(2/3) + 1/2 ln 2 = 0.143841, KL2 = ln(4/3) = 0.287682,
    // score = exp((KL1 + KL2) / 2) = exp(0.215762) = 1.240806.
    assert!(close(
        classifier_score(&[0.5, 0.5, 1.0, 0.0], 2),
        1.240806,
        1e-6
    ));
}

#[test]
fn histogram_kl_and_rarest_share() {
    // Three images of 10 classes, the most likely classes 1, 1 and 4.
    let mut probs = vec![0.0f32; 30];
    probs[1] = 0.9;
    probs[10 + 1] = 0.6;
    probs[20 + 4] = 0.5;
    let shares = class_histogram(&probs, 10);
    assert!(close(shares[1], 2.0 / 3.0, 1e-12) && close(shares[4], 1.0 / 3.0, 1e-12));
    assert_eq!(shares.iter().filter(|&&s| s == 0.0).count(), 8);
    // KL = 2/3 ln(20/3) + 1/3 ln(10/3) = 1.264746 + 0.401324 = 1.666071.
    assert!(close(kl_from_uniform(&shares), 1.666071, 1e-6));
    assert!(close(
        mean_top_confidence(&probs, 10),
        (0.9 + 0.6 + 0.5) / 3.0,
        1e-7
    ));
    // Even: 0. One class: ln 10.
    assert!(close(kl_from_uniform(&[0.1; 10]), 0.0, 1e-12));
    let mut one = [0.0; 10];
    one[3] = 1.0;
    assert!(close(kl_from_uniform(&one), 10f64.ln(), 1e-12));
}

#[test]
fn gaussian_fit_and_frechet_distance_in_one_dimension() {
    // [0, 2]: mean 1, unbiased variance 2. [1, 3, 5]: mean 3, variance 4.
    let a = Gaussian::fit(&[0.0, 2.0], 1);
    let b = Gaussian::fit(&[1.0, 3.0, 5.0], 1);
    assert!(close(a.mean[0], 1.0, 1e-12) && close(a.cov[(0, 0)], 2.0, 1e-12));
    assert!(close(b.mean[0], 3.0, 1e-12) && close(b.cov[(0, 0)], 4.0, 1e-12));
    // (1 - 3)^2 + 2 + 4 - 2 sqrt(2 * 4) = 10 - 4 sqrt 2 = 4.343146.
    assert!(close(frechet_distance(&a, &b), 4.343146, 1e-6));
    assert!(close(frechet_distance(&a, &a), 0.0, 1e-9));
}

#[test]
fn frechet_distance_with_covariances_that_do_not_commute() {
    // For 2x2 matrices, tr sqrt(C1 C2) = sqrt(tr(C1 C2) + 2 sqrt(det C1 det C2)).
    // C1 = [[2, 1], [1, 2]], C2 = diag(1, 3): C1 C2 = [[2, 3], [1, 6]], trace 8, dets 3 and 3:
    // tr sqrt = sqrt(14); with equal means the distance is 4 + 4 - 2 sqrt(14) = 0.516685.
    let a = Gaussian {
        mean: DVector::from_vec(vec![1.0, -1.0]),
        cov: DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]),
    };
    let b = Gaussian {
        mean: DVector::from_vec(vec![1.0, -1.0]),
        cov: DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 3.0]),
    };
    assert!(close(frechet_distance(&a, &b), 0.516685, 1e-6));
    assert!(close(frechet_distance(&b, &a), 0.516685, 1e-6));
    // Shifting one mean by (3, 4) adds 25.
    let shifted = Gaussian {
        mean: DVector::from_vec(vec![4.0, 3.0]),
        ..b
    };
    assert!(close(frechet_distance(&a, &shifted), 25.516685, 1e-6));
}

#[test]
fn nearest_neighbour_distances_and_their_summary() {
    let device = Device::flex();
    let reference = Reference::new(vec![0.0, 0.0, 3.0, 4.0], 2, &device);
    let d = reference.nearest(&[0.0, 1.0, 3.0, 3.0, 6.0, 8.0, 3.0, 4.0]);
    let want = [1.0, 1.0, 5.0, 0.0];
    assert!(
        d.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-3),
        "{d:?}"
    );
    let (mean, median) = mean_and_median(&d);
    assert!(close(mean, 7.0 / 4.0, 1e-3) && close(median, 1.0, 1e-3));

    // Kept in blocks of one and two rows (as a GPU's buffer limit makes a large set), the
    // reference gives the same distances: each query's nearest row is in another block.
    let rows = vec![0.0, 0.0, 3.0, 4.0, 6.0, 8.0, 0.0, 1.0, 9.0, 9.0];
    let queries = [6.0, 7.0, 0.5, 0.5, 3.0, 5.0, 9.0, 8.0];
    let whole = Reference::new(rows.clone(), 2, &device).nearest(&queries);
    for block_rows in [1, 2] {
        let blocked = Reference::in_blocks(rows.clone(), 2, block_rows, &device).nearest(&queries);
        assert_eq!(blocked, whole, "blocks of {block_rows}");
    }
    let want = [1.0, std::f32::consts::FRAC_1_SQRT_2, 1.0, 1.0];
    assert!(
        whole.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-3),
        "{whole:?}"
    );
}

#[test]
fn frechet_distance_of_a_nearly_collapsed_generator_is_finite_and_exact() {
    // 40 samples in 128 dimensions nearly identical, with most components exactly 0 (a generator
    // drawing almost the same image every time, seen through ReLU features): a covariance of
    // rank 20 with a trace near 0.004.
    // The cross term is checked against the eigenvalues of Σa Σb, computed another way.
    let dim = 128;
    let mut state = 12345u64;
    let mut uniform = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) as f32 - 0.5
    };
    // As ReLU features: most components exactly 0 in every sample.
    let few: Vec<f32> = (0..40 * dim)
        .map(|i| {
            if i % dim < 20 {
                3.0 + uniform() * 0.05
            } else {
                0.0
            }
        })
        .collect();
    let many: Vec<f32> = (0..400 * dim).map(|_| uniform() * 30.0).collect();
    let (a, b) = (Gaussian::fit(&few, dim), Gaussian::fit(&many, dim));
    let cross: f64 = (&a.cov * &b.cov)
        .complex_eigenvalues()
        .iter()
        .map(|l| l.re.max(0.0).sqrt())
        .sum();
    let expected = (&a.mean - &b.mean).norm_squared() + a.cov.trace() + b.cov.trace() - 2.0 * cross;
    let d = frechet_distance(&a, &b);
    assert!(
        d.is_finite() && close(d, expected, 1e-6 * expected),
        "{d} vs {expected}"
    );
    assert!(close(frechet_distance(&b, &a), d, 1e-6 * d), "symmetric");
}
