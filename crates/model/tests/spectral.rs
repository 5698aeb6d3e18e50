//! Spectral normalisation: the normalised weight's largest singular value goes to 1.

use burn::prelude::*;
use model::spectral::SpectralNorm;
use model::{Arch, ModelConfig};

/// The largest singular value of the `rows x cols` matrix `m`, by 2000 steps of power
/// iteration on the host (f64).
fn largest_singular_value(m: &[f32], rows: usize, cols: usize) -> f64 {
    let mut v = vec![1.0f64; cols];
    let mut sigma = 0.0;
    for _ in 0..2000 {
        let u: Vec<f64> = (0..rows)
            .map(|r| (0..cols).map(|c| f64::from(m[r * cols + c]) * v[c]).sum())
            .collect();
        let w: Vec<f64> = (0..cols)
            .map(|c| (0..rows).map(|r| f64::from(m[r * cols + c]) * u[r]).sum())
            .collect();
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        sigma = norm.sqrt();
        v = w.iter().map(|x| x / norm).collect();
    }
    sigma
}

#[test]
fn the_normalised_weight_has_a_largest_singular_value_of_one() {
    let device = Device::flex().autodiff();
    device.seed(8);
    let (rows, cols) = (24, 40);
    let weight = Tensor::<2>::random(
        [rows, cols],
        burn::tensor::Distribution::Normal(0.0, 1.0),
        &device,
    );
    let values = |t: Tensor<2>| {
        t.into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap()
    };
    let sigma = largest_singular_value(&values(weight.clone()), rows, cols);
    assert!(sigma > 5.0, "a random 24x40 matrix has σ near 11: {sigma}");
    let sn = SpectralNorm::new(rows, &device);
    // Each training forward pass takes one power-iteration step.
    let mut normalised = weight.clone();
    for _ in 0..60 {
        normalised = sn.normalise(weight.clone());
    }
    let after = largest_singular_value(&values(normalised), rows, cols);
    assert!((after - 1.0).abs() < 1e-3, "{after}");
    // Outside training (a device without autodiff) the estimate stays where it is.
    let inference = SpectralNorm::new(rows, &Device::flex());
    let w = weight.inner();
    let once = values(inference.normalise(w.clone()).unsqueeze());
    let twice = values(inference.normalise(w).unsqueeze());
    assert_eq!(once, twice);
}

#[test]
fn spectrally_normalised_critics_score_images() {
    let device = Device::flex().autodiff();
    for arch in [Arch::Dcgan, Arch::Mlpack] {
        let config = ModelConfig::new()
            .with_arch(arch)
            .with_spectral_norm(true)
            .with_critic_norm(false)
            .with_init_std(0.5);
        let d = config.init_discriminator(&device);
        let x = Tensor::<4>::ones([2, 1, 28, 28], &device);
        let plain = ModelConfig::new()
            .with_arch(arch)
            .with_critic_norm(false)
            .with_init_std(0.5);
        device.seed(1);
        let d_plain = plain.init_discriminator(&device);
        let logits = d.forward(x.clone(), None);
        assert_eq!(logits.dims(), [2, 1]);
        let v = logits
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap();
        assert!(v.iter().all(|x| x.is_finite()), "{arch:?}: {v:?}");
        // With weights of std 0.5 the plain critic's logits are large; the normalised one's
        // stay near the input's norm (28) or below: every layer is 1-Lipschitz once σ is
        // estimated (the biases add a little).
        for _ in 0..30 {
            let _ = d.forward(x.clone(), None);
        }
        let big = d_plain
            .forward(x.clone(), None)
            .abs()
            .max()
            .into_scalar::<f32>();
        let small = d.forward(x, None).abs().max().into_scalar::<f32>();
        assert!(small < 28.0 * 1.01 + 1.0, "{arch:?}: {small}");
        assert!(big > small, "{arch:?}: {big} vs {small}");
    }
}
