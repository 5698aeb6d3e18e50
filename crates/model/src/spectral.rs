//! Spectral normalisation of the discriminator's layers (Miyato et al., 2018): each weight is
//! divided by its largest singular value σ, estimated by one step of power iteration per
//! training forward pass from a vector `u` kept between steps, so that every layer is
//! 1-Lipschitz. The gradient flows through σ (with `u` and `v` held constant), as in the paper.

use burn::module::RunningState;
use burn::prelude::*;
use burn::tensor::Distribution;

/// The power-iteration state of one layer's spectral normalisation.
#[derive(Module, Debug)]
pub struct SpectralNorm {
    /// The estimate of the weight's first left singular vector (`rows` long).
    u: RunningState<Tensor<1>>,
}

impl SpectralNorm {
    /// The state for a weight whose first dimension is `rows`, started from a random unit
    /// vector.
    pub fn new(rows: usize, device: &Device) -> Self {
        let u = Tensor::<1>::random([rows], Distribution::Normal(0.0, 1.0), device);
        Self {
            u: RunningState::new(unit(u)),
        }
    }

    /// `weight` divided by its estimated largest singular value, its first dimension taken
    /// as rows and the others flattened as columns. On a training (autodiff) device the
    /// estimate moves one power-iteration step.
    pub fn normalise<const D: usize>(&self, weight: Tensor<D>) -> Tensor<D> {
        let dims = weight.dims();
        let rows = dims[0];
        let cols = weight.shape().num_elements() / rows;
        let matrix = weight.clone().reshape([rows, cols]);
        let fixed = matrix.clone().detach();
        let u = self
            .u
            .value_sync()
            .to_device(&weight.device())
            .reshape([rows, 1]);
        let v = unit_column(fixed.clone().transpose().matmul(u));
        let u = unit_column(fixed.matmul(v.clone()));
        if weight.device().is_autodiff() {
            self.u.update(u.clone().reshape([rows]).detach());
        }
        let sigma = u.transpose().matmul(matrix.matmul(v)).reshape([1; D]);
        weight / sigma
    }
}

fn unit(v: Tensor<1>) -> Tensor<1> {
    let norm = v.clone().powi_scalar(2).sum().sqrt().add_scalar(1e-12);
    v / norm
}

fn unit_column(v: Tensor<2>) -> Tensor<2> {
    let norm = v.clone().powi_scalar(2).sum().sqrt().add_scalar(1e-12);
    v / norm.reshape([1, 1])
}
