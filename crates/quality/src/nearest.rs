//! Nearest-neighbour distances between image sets, on the device.

use burn::prelude::*;

/// Query rows compared with the whole reference set at once.
const CHUNK: usize = 512;

/// A reference set of vectors (rows), kept on the device with their squared norms.
#[derive(Debug, Clone)]
pub struct Reference {
    rows: Tensor<2>,
    norms: Tensor<2>,
}

impl Reference {
    /// Keeps `values` (rows of `dim` values) on `device`.
    pub fn new(values: Vec<f32>, dim: usize, device: &Device) -> Self {
        let n = values.len() / dim;
        let rows = Tensor::<2>::from_data(TensorData::new(values, [n, dim]), device);
        let norms = rows.clone().powi_scalar(2).sum_dim(1).reshape([1, n]);
        Self { rows, norms }
    }

    /// For each row of `queries` (rows of the reference's width), the Euclidean distance to
    /// its nearest reference row.
    pub fn nearest(&self, queries: &[f32]) -> Vec<f32> {
        let [_, dim] = self.rows.dims();
        let device = self.rows.device();
        let transposed = self.rows.clone().transpose();
        let mut out = Vec::with_capacity(queries.len() / dim);
        for chunk in queries.chunks(CHUNK * dim) {
            let n = chunk.len() / dim;
            let q = Tensor::<2>::from_data(TensorData::new(chunk.to_vec(), [n, dim]), &device);
            let q_norms = q.clone().powi_scalar(2).sum_dim(1);
            // |q - r|^2 = |q|^2 - 2 q.r + |r|^2, for every pair at once.
            let squared =
                q.matmul(transposed.clone()).mul_scalar(-2.0) + q_norms + self.norms.clone();
            let nearest = squared.min_dim(1).clamp_min(0.0).sqrt();
            let values = nearest.into_data().convert::<f32>();
            out.extend(values.iter::<f32>());
        }
        out
    }
}
