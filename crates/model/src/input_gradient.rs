//! The discriminator's gradient with respect to its input, written out as ordinary tensor
//! operations, layer by layer backwards (the chain rule by hand).
//!
//! A gradient penalty (WGAN-GP) needs the gradient of `‖∇x D(x)‖` with respect to D's weights:
//! a gradient of a gradient. Burn's autodiff gives first-order gradients only, so the input
//! gradient is computed here as a differentiable function of the weights, and autodiff takes
//! its gradient like any other loss's. Activation masks (where a ReLU was active) are piecewise
//! constant, so treating them as constants is exact.

use burn::prelude::*;
use burn::tensor::module::conv_transpose2d;
use burn::tensor::ops::ConvTransposeOptions;

/// Back through a convolution with `weight` (`[out, in, k, k]`; no dilation, no groups): the
/// gradient with respect to its input of size `input_side`, given the gradient `grad` with
/// respect to its output.
pub fn conv(
    grad: Tensor<4>,
    weight: Tensor<4>,
    stride: usize,
    pad: usize,
    input_side: usize,
) -> Tensor<4> {
    let [_, _, kernel, _] = weight.dims();
    let [_, _, side, _] = grad.dims();
    // A strided convolution may never reach an input's last rows: give them back (as zeros).
    let reached = (side - 1) * stride + kernel - 2 * pad;
    let extra = input_side.saturating_sub(reached);
    conv_transpose2d(
        grad,
        weight,
        None,
        ConvTransposeOptions::new([stride, stride], [pad, pad], [extra, extra], [1, 1], 1),
    )
}

/// Back through a linear layer with `weight` (`[in, out]`): `grad · Wᵀ`.
pub fn linear(grad: Tensor<2>, weight: Tensor<2>) -> Tensor<2> {
    grad.matmul(weight.transpose())
}

/// Back through a LeakyReLU with slope `slope`, given its input `pre`.
pub fn leaky_relu<const D: usize>(grad: Tensor<D>, pre: Tensor<D>, slope: f64) -> Tensor<D> {
    let mask = pre
        .greater_elem(0.0)
        .float()
        .mul_scalar(1.0 - slope)
        .add_scalar(slope);
    grad * mask
}

/// Back through a ReLU, given its input `pre`.
pub fn relu<const D: usize>(grad: Tensor<D>, pre: Tensor<D>) -> Tensor<D> {
    grad * pre.greater_elem(0.0).float()
}

/// Back through a 2x2 mean-pool of stride 2: each output's gradient spread evenly over the
/// four inputs it averaged.
pub fn avg_pool2(grad: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = grad.dims();
    grad.reshape([b, c, h, 1, w, 1])
        .expand([b, c, h, 2, w, 2])
        .reshape([b, c, 2 * h, 2 * w])
        .div_scalar(4.0)
}
