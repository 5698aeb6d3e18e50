//! Conditional models: the digit asked for goes into both networks.

use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use model::condition::{CLASSES, conv_with_digits, generator_input, one_hot};
use model::{Arch, ModelConfig};

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
}

#[test]
fn the_digit_asked_for_is_the_one_the_networks_get() {
    let device = Device::flex();
    // Generator input: the noise, then one-hot 7 (and 2 for the second row).
    let noise = Tensor::<2>::from_data(TensorData::new(vec![0.5f32; 6], [2, 3]), &device);
    let input = values(generator_input(noise, Some(one_hot(&[7, 2], &device))));
    assert_eq!(input.len(), 2 * (3 + CLASSES));
    let row = |r: usize| input[r * 13..(r + 1) * 13].to_vec();
    for (r, digit) in [(0, 7), (1, 2)] {
        let row = row(r);
        assert_eq!(&row[..3], &[0.5; 3]);
        let hot: Vec<usize> = (0..CLASSES).filter(|&d| row[3 + d] == 1.0).collect();
        assert_eq!(hot, vec![digit]);
        assert_eq!(row[3..].iter().sum::<f32>(), 1.0);
    }
}

#[test]
fn the_discriminator_convolves_the_image_stacked_on_its_digit_maps() {
    let device = Device::flex();
    device.seed(3);
    let digits: [u8; 3] = [7, 0, 9];
    let images = Tensor::<4>::random([3, 1, 28, 28], Distribution::Normal(0.0, 1.0), &device);
    // The stacked input, built by hand: the image, then ten maps, map d all ones for a d.
    let mut maps = vec![0f32; 3 * CLASSES * 784];
    for (i, &d) in digits.iter().enumerate() {
        let start = (i * CLASSES + usize::from(d)) * 784;
        maps[start..start + 784].fill(1.0);
    }
    let maps = Tensor::<4>::from_data(TensorData::new(maps, [3, CLASSES, 28, 28]), &device);
    let stacked = Tensor::cat(vec![images.clone(), maps], 1);
    // Both presets' first layers: 4x4 stride 2 pad 1 (dcgan), 5x5 stride 1 pad 2 (mlpack).
    for (out, k, stride, pad) in [(64, 4, 2, 1), (32, 5, 1, 2)] {
        let weight = Tensor::<4>::random(
            [out, 1 + CLASSES, k, k],
            Distribution::Normal(0.0, 0.1),
            &device,
        );
        let bias = Tensor::<1>::random([out], Distribution::Normal(0.0, 0.1), &device);
        let options = ConvOptions::new([stride, stride], [pad, pad], [1, 1], 1);
        let want = conv2d(
            stacked.clone(),
            weight.clone(),
            Some(bias.clone()),
            options.clone(),
        );
        let got = conv_with_digits(
            images.clone(),
            Some(one_hot(&digits, &device)),
            weight.clone(),
            Some(bias.clone()),
            options.clone(),
        );
        assert_eq!(got.dims(), want.dims());
        for (a, b) in values(got).iter().zip(values(want)) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b} ({k}x{k} kernels)");
        }
        // No digits: the maps are all zero, and only the image's kernels count.
        let unlabelled = conv_with_digits(
            images.clone(),
            None,
            weight.clone(),
            Some(bias.clone()),
            options.clone(),
        );
        let zeros = Tensor::<4>::zeros([3, CLASSES, 28, 28], &device);
        let zero_maps = conv2d(
            Tensor::cat(vec![images.clone(), zeros], 1),
            weight,
            Some(bias),
            options,
        );
        for (a, b) in values(unlabelled).iter().zip(values(zero_maps)) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b} (no digits)");
        }
    }
}

#[test]
fn conditional_networks_take_the_digit_and_depend_on_it() {
    let device = Device::flex();
    for arch in [Arch::Dcgan, Arch::Mlpack] {
        let config = ModelConfig::new().with_arch(arch).with_conditional(true);
        assert_eq!(config.generator_input_dim(), config.noise_dim + 10);
        device.seed(2);
        let g = config.init_generator(&device);
        let d = config.init_discriminator(&device);
        let noise = config.noise.sample_seeded(1, config.noise_dim, 1, &device);
        let image = |digit: u8| {
            g.forward(generator_input(
                noise.clone(),
                Some(one_hot(&[digit], &device)),
            ))
        };
        let (three, eight) = (image(3), image(8));
        assert_eq!(three.dims(), [1, 1, 28, 28]);
        assert_ne!(
            values(three.clone()),
            values(eight),
            "{arch:?}: the digit changes nothing"
        );
        let score = |digit: u8| values(d.forward(three.clone(), Some(one_hot(&[digit], &device))));
        assert_ne!(score(3), score(5), "{arch:?}: the critic ignores the digit");
        // Sampling asks for the digits given.
        let a = model::sample_digits(&g, &config, &[4, 4], 9, &device).unwrap();
        let b = model::sample_digits(&g, &config, &[4, 6], 9, &device).unwrap();
        assert_eq!(a[..784], b[..784]);
        assert_ne!(a[784..], b[784..]);
    }
}

#[test]
fn a_conditional_grid_has_one_trained_digit_per_row() {
    let all = ModelConfig::new().with_conditional(true);
    let (digits, cols) = all.grid_layout(64);
    assert_eq!(cols, 7, "64 samples in ten rows");
    for (i, d) in digits.iter().enumerate() {
        assert_eq!(usize::from(*d), i / 7);
    }
    // Trained on two digits: they take turns by row, every row full.
    let two = all.clone().with_digits(vec![4, 9]);
    assert_eq!(two.trained_digits(), vec![4, 9]);
    assert_eq!(two.cycle_digits(5), vec![4, 9, 4, 9, 4]);
    let (digits, cols) = two.grid_layout(64);
    assert_eq!(cols, 8);
    for (i, d) in digits.iter().enumerate() {
        assert_eq!(*d, [4, 9][(i / 8) % 2]);
    }
    // An unconditional grid is square.
    assert_eq!(ModelConfig::new().grid_layout(64).1, 8);
    // Digits beyond 9 are refused.
    assert!(two.with_digits(vec![10]).check().is_err());
}
