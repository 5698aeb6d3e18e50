//! The score formulas, on plain numbers.
//!
//! Class probabilities are rows of `classes` values summing to 1; features are rows of `dim`
//! values. Sums are taken in `f64`.

use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// The classifier score (the Inception Score with an MNIST classifier):
/// `exp(mean over x of KL(p(y|x) || p(y)))`, where `p(y)` is the mean of the rows. It lies in
/// `[1, classes]`: high when each image is classified confidently and the classes are evenly
/// used.
pub fn classifier_score(probs: &[f32], classes: usize) -> f64 {
    let rows = probs.len() / classes;
    if rows == 0 {
        return f64::NAN;
    }
    let mut marginal = vec![0f64; classes];
    for row in probs.chunks_exact(classes) {
        for (m, &p) in marginal.iter_mut().zip(row) {
            *m += f64::from(p);
        }
    }
    marginal.iter_mut().for_each(|m| *m /= rows as f64);
    let kl: f64 = probs
        .chunks_exact(classes)
        .map(|row| {
            row.iter()
                .zip(&marginal)
                .map(|(&p, &m)| {
                    let p = f64::from(p);
                    if p > 0.0 { p * (p / m).ln() } else { 0.0 }
                })
                .sum::<f64>()
        })
        .sum::<f64>()
        / rows as f64;
    kl.exp()
}

/// The share of images whose most likely class is each class.
pub fn class_histogram(probs: &[f32], classes: usize) -> Vec<f64> {
    let mut counts = vec![0usize; classes];
    let rows = probs.len() / classes;
    for row in probs.chunks_exact(classes) {
        counts[argmax(row)] += 1;
    }
    counts
        .into_iter()
        .map(|c| c as f64 / rows.max(1) as f64)
        .collect()
}

/// The index of the largest value (the first of equal ones).
pub fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &p)| {
            if p > best.1 { (i, p) } else { best }
        })
        .0
}

/// `KL(shares || uniform) = sum of p ln(p k)` over the `k` classes (0 for an even histogram,
/// `ln k` when every image is one class).
pub fn kl_from_uniform(shares: &[f64]) -> f64 {
    let k = shares.len() as f64;
    shares
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|&p| p * (p * k).ln())
        .sum()
}

/// The mean of each row's largest probability.
pub fn mean_top_confidence(probs: &[f32], classes: usize) -> f64 {
    let rows = probs.len() / classes;
    probs
        .chunks_exact(classes)
        .map(|row| f64::from(row[argmax(row)]))
        .sum::<f64>()
        / rows.max(1) as f64
}

/// The mean and covariance of a set of feature vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian {
    /// The mean.
    pub mean: DVector<f64>,
    /// The covariance (unbiased: divided by `n - 1`).
    pub cov: DMatrix<f64>,
}

impl Gaussian {
    /// Fits the rows of `features` (each `dim` values); needs at least 2 rows.
    pub fn fit(features: &[f32], dim: usize) -> Self {
        let n = features.len() / dim;
        let x = DMatrix::from_row_iterator(n, dim, features.iter().map(|&v| f64::from(v)));
        let mean = x.row_mean().transpose();
        let centred = DMatrix::from_fn(n, dim, |i, j| x[(i, j)] - mean[j]);
        let cov = centred.tr_mul(&centred) / (n.saturating_sub(1).max(1)) as f64;
        Self { mean, cov }
    }
}

/// The Fréchet distance between two Gaussians:
/// `|m1 - m2|^2 + tr(C1 + C2 - 2 (C1 C2)^(1/2))`.
///
/// `tr((C1 C2)^(1/2))` is computed as the sum of the square roots of the eigenvalues of the
/// symmetric matrix `C1^(1/2) C2 C1^(1/2)`, which has the same eigenvalues as `C1 C2`; tiny
/// negative eigenvalues from rounding count as 0.
pub fn frechet_distance(a: &Gaussian, b: &Gaussian) -> f64 {
    let mean_term = (&a.mean - &b.mean).norm_squared();
    // tr √(Σa^½ Σb Σa^½) is symmetric in a and b (the eigenvalues are those of Σa Σb): take
    // the root of the larger covariance, the better conditioned (a collapsed generator's is
    // nearly zero).
    let (p, q) = if a.cov.trace() >= b.cov.trace() {
        (&a.cov, &b.cov)
    } else {
        (&b.cov, &a.cov)
    };
    let root = sqrt_psd(p);
    let cross = trace_sqrt_psd(&(&root * q * &root));
    let distance = mean_term + a.cov.trace() + b.cov.trace() - 2.0 * cross;
    // Rounding can take a distance of 0 just below it; a NaN stays visible.
    if distance < 0.0 { 0.0 } else { distance }
}

/// A symmetric positive semi-definite matrix scaled to unit trace, and the scale (the
/// eigen-decomposition converges on tiny or huge entries too).
fn normalised(m: &DMatrix<f64>) -> (DMatrix<f64>, f64) {
    let scale = m.trace().abs();
    let scale = if scale > 0.0 { scale } else { 1.0 };
    ((m + m.transpose()) * (0.5 / scale), scale)
}

/// The square root of a symmetric positive semi-definite matrix.
fn sqrt_psd(m: &DMatrix<f64>) -> DMatrix<f64> {
    let (sym, scale) = normalised(m);
    let eig = SymmetricEigen::new(sym);
    let roots = eig.eigenvalues.map(|l| l.max(0.0).sqrt() * scale.sqrt());
    &eig.eigenvectors * DMatrix::from_diagonal(&roots) * eig.eigenvectors.transpose()
}

/// The trace of the square root of a symmetric positive semi-definite matrix: Σ √λ.
fn trace_sqrt_psd(m: &DMatrix<f64>) -> f64 {
    let (sym, scale) = normalised(m);
    let sum: f64 = SymmetricEigen::new(sym)
        .eigenvalues
        .iter()
        .map(|&l| l.max(0.0).sqrt())
        .sum();
    sum * scale.sqrt()
}

/// The mean and the median of a set of distances.
pub fn mean_and_median(values: &[f32]) -> (f64, f64) {
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64;
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let mid = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (f64::from(sorted[mid - 1]) + f64::from(sorted[mid])) / 2.0
    } else {
        f64::from(sorted[mid])
    };
    (mean, median)
}
