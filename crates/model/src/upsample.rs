//! Bilinear x2 upsampling as two matrix products, so it has a gradient on every backend.
//!
//! Burn's bilinear `Interpolate2d` has a backward pass only on `flex`; this formulation,
//! `out = A · X · Aᵀ` with a constant `2n x n` interpolation matrix `A`, is exact and
//! differentiable everywhere.
//!
//! The sampling grid is mlpack's "asymmetric" one: destination pixel `j` reads source
//! coordinate `j * 0.5` (no half-pixel offset), interpolating between `floor(j / 2)` and the
//! next pixel, clamped at the border. So even outputs copy a source pixel and odd outputs
//! average two neighbours (the last one copies the border pixel).
//!
//! The mlpack generator follows each upsampling with a 3x3, stride-2, pad-1 convolution.
//! [`conv_of_bilinear_x2`] computes that pair as one 3x3 stride-1 convolution of the map
//! itself, without ever building the upsampled map (see its documentation).

use burn::nn::conv::Conv2d;
use burn::prelude::*;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;

/// The `2n x n` matrix of the asymmetric bilinear x2 interpolation of `n` samples, row-major.
pub fn interpolation_matrix(n: usize) -> Vec<f32> {
    let mut a = vec![0.0f32; 2 * n * n];
    for j in 0..2 * n {
        let src = j as f32 * 0.5;
        let i0 = src.floor() as usize;
        let i1 = (i0 + 1).min(n - 1);
        let w = src - i0 as f32;
        a[j * n + i0] += 1.0 - w;
        a[j * n + i1] += w;
    }
    a
}

/// Upsamples `[batch, channels, n, n]` maps to `[batch, channels, 2n, 2n]`, bilinearly.
pub fn bilinear_x2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    let device = x.device();
    let rows = Tensor::<2>::from_data(
        TensorData::new(interpolation_matrix(h), [2 * h, h]),
        &device,
    );
    let cols = Tensor::<2>::from_data(
        TensorData::new(interpolation_matrix(w), [2 * w, w]),
        &device,
    );
    // Rows: [2h, h] x [b*c, h, w] -> [b*c, 2h, w]; columns: [b*c, 2h, w] x [w, 2w].
    let x = x.reshape([b * c, h, w]);
    let x = rows.unsqueeze::<3>().matmul(x);
    let x = x.matmul(cols.transpose().unsqueeze::<3>());
    x.reshape([b, c, 2 * h, 2 * w])
}

/// How each tap of a stride-2 kernel over the upsampled map reads the source map: tap 0
/// reads upsampled pixel `2o - 1`, the mean of source pixels `o - 1` and `o`; tap 1 reads
/// `2o`, source pixel `o`; tap 2 reads `2o + 1`, the mean of `o` and `o + 1`. Row `k` holds
/// tap `k`'s weights on source offsets -1, 0, +1.
const TAPS: [f32; 9] = [0.5, 0.5, 0.0, 0.0, 1.0, 0.0, 0.0, 0.5, 0.5];

/// Pads `x` by one along `dim` so that the taps of [`TAPS`] reproduce the upsampled map's
/// borders: before the first pixel its negation (the mean with the first is the stride-2
/// convolution's zero padding), after the last pixel a copy (the upsampling's clamped border).
fn pad_for_taps(x: Tensor<4>, dim: usize) -> Tensor<4> {
    let n = x.dims()[dim];
    let first = x.clone().narrow(dim, 0, 1).neg();
    let last = x.clone().narrow(dim, n - 1, 1);
    Tensor::cat(vec![first, x, last], dim)
}

/// `conv(bilinear_x2(x))` for a 3x3, stride-2, pad-1 convolution `conv`, computed as one
/// 3x3 stride-1 convolution of `x` padded by one pixel, with the kernel `Tᵀ · W · T` of each
/// input-output channel pair (`T` is [`TAPS`]).
///
/// Output pixel `o` of the stride-2 convolution reads upsampled pixels `2o - 1`, `2o` and
/// `2o + 1`, which are fixed mixtures of source pixels `o - 1`, `o` and `o + 1`; the mixtures
/// fold into the kernel, and the borders into the padding ([`pad_for_taps`]). Same result,
/// same convolution arithmetic, but neither the four times larger upsampled map nor the
/// upsampling's matrix products (as costly as the convolution itself), forward or backward.
/// `conv`'s weight stays the parameter, so records and gradients are those of the pair.
pub fn conv_of_bilinear_x2(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let weight = conv.weight.val();
    let [out, inp, kh, kw] = weight.dims();
    debug_assert_eq!([kh, kw, conv.stride[0], conv.stride[1]], [3, 3, 2, 2]);
    let taps = Tensor::<2>::from_data(TensorData::new(TAPS.to_vec(), [3, 3]), &weight.device());
    let folded = taps
        .clone()
        .transpose()
        .unsqueeze::<3>()
        .matmul(weight.reshape([out * inp, 3, 3]))
        .matmul(taps.unsqueeze::<3>())
        .reshape([out, inp, 3, 3]);
    let x = pad_for_taps(pad_for_taps(x, 2), 3);
    conv2d(
        x,
        folded,
        conv.bias.as_ref().map(|b| b.val()),
        ConvOptions::new([1, 1], [0, 0], [1, 1], 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_by_hand() {
        // n = 2: outputs read 0, 0.5, 1, 1.5 -> x0, (x0+x1)/2, x1, x1 (clamped).
        assert_eq!(
            interpolation_matrix(2),
            vec![1.0, 0.0, 0.5, 0.5, 0.0, 1.0, 0.0, 1.0]
        );
    }

    #[test]
    fn upsamples_a_hand_computed_case() {
        let device = Device::flex();
        let x = Tensor::<4>::from_floats([[[[0.0, 2.0], [4.0, 6.0]]]], &device);
        let y = bilinear_x2(x);
        let expected = TensorData::from([[[
            [0.0f32, 1.0, 2.0, 2.0],
            [2.0, 3.0, 4.0, 4.0],
            [4.0, 5.0, 6.0, 6.0],
            [4.0, 5.0, 6.0, 6.0],
        ]]]);
        y.into_data().assert_eq(&expected, false);
    }

    #[test]
    fn has_a_gradient() {
        let device = Device::flex().autodiff();
        let x = Tensor::<4>::ones([1, 1, 3, 3], &device).require_grad();
        let y = bilinear_x2(x.clone()).sum();
        let grads = y.backward();
        let g = x.grad(&grads).expect("a gradient").into_data();
        // Each source pixel's weight summed over the 6x6 output: column sums of A, squared.
        let a = interpolation_matrix(3);
        let col: Vec<f32> = (0..3).map(|i| (0..6).map(|j| a[j * 3 + i]).sum()).collect();
        let want: Vec<f32> = (0..9).map(|k| col[k / 3] * col[k % 3]).collect();
        g.assert_eq(&TensorData::new(want, [1, 1, 3, 3]), false);
    }
}

#[cfg(test)]
mod fold_tests {
    use super::*;
    use burn::nn::PaddingConfig2d;
    use burn::nn::conv::Conv2dConfig;
    use burn::tensor::Distribution;

    /// Largest absolute difference between two tensors' values.
    fn max_diff<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
        (a - b).abs().max().into_scalar()
    }

    #[test]
    fn folded_convolution_equals_upsampling_then_strided_convolution() {
        let device = Device::flex().autodiff();
        // Odd and unequal sides, several channels and a bias: every border case of both axes.
        let conv = Conv2dConfig::new([3, 4], [3, 3])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init(&device);
        let x = Tensor::<4>::random([2, 3, 5, 6], Distribution::Normal(0.0, 1.0), &device)
            .require_grad();
        let direct = conv.forward(bilinear_x2(x.clone()));
        let folded = conv_of_bilinear_x2(&conv, x.clone());
        assert_eq!(folded.dims(), [2, 4, 5, 6]);
        let diff = max_diff(direct.clone(), folded.clone());
        assert!(diff < 1e-5, "outputs differ by {diff}");

        // The same gradients for the input, the weight and the bias.
        let r = Tensor::<4>::random([2, 4, 5, 6], Distribution::Normal(0.0, 1.0), &device);
        let gd = (direct * r.clone()).sum().backward();
        let gf = (folded * r).sum().backward();
        let pairs = [
            (x.grad(&gd), x.grad(&gf), "input"),
            (
                conv.weight.val().grad(&gd),
                conv.weight.val().grad(&gf),
                "weight",
            ),
        ];
        for (a, b, what) in pairs {
            let (a, b) = (a.expect("a gradient"), b.expect("a gradient"));
            let diff = max_diff(a, b);
            assert!(diff < 1e-4, "{what} gradients differ by {diff}");
        }
        let bias = conv.bias.as_ref().expect("a bias").val();
        let (a, b) = (bias.grad(&gd), bias.grad(&gf));
        let diff = max_diff(a.expect("a gradient"), b.expect("a gradient"));
        assert!(diff < 1e-4, "bias gradients differ by {diff}");
    }
}
