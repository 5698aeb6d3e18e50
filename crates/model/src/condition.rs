//! Conditioning on the digit (`conditional` models): the label goes into both networks, as a
//! one-hot vector appended to the generator's noise and as ten constant maps (one of them all
//! ones) stacked under the discriminator's image.

use burn::prelude::*;

/// Number of classes a conditional model knows.
pub const CLASSES: usize = 10;

/// One-hot rows `[n, 10]` of `labels` (each 0..=9).
pub fn one_hot(labels: &[u8], device: &Device) -> Tensor<2> {
    let mut values = vec![0f32; labels.len() * CLASSES];
    for (row, &label) in labels.iter().enumerate() {
        values[row * CLASSES + usize::from(label).min(CLASSES - 1)] = 1.0;
    }
    Tensor::from_data(TensorData::new(values, [labels.len(), CLASSES]), device)
}

/// The generator's input: `noise` `[n, z]`, with the one-hot `labels` `[n, 10]` appended when
/// given.
pub fn generator_input(noise: Tensor<2>, labels: Option<Tensor<2>>) -> Tensor<2> {
    match labels {
        Some(labels) => Tensor::cat(vec![noise, labels], 1),
        None => noise,
    }
}

/// The discriminator's input: `images` `[n, 1, 28, 28]`, with ten maps under them, map `d`
/// all ones for images labelled `d`, when one-hot `labels` are given.
pub fn discriminator_input(images: Tensor<4>, labels: Option<Tensor<2>>) -> Tensor<4> {
    match labels {
        Some(labels) => {
            let [n, _, h, w] = images.dims();
            let maps = labels
                .reshape([n, CLASSES, 1, 1])
                .expand([n, CLASSES, h, w]);
            Tensor::cat(vec![images, maps], 1)
        }
        None => images,
    }
}
