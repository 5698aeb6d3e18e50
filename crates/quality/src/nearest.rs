//! Nearest-neighbour distances between image sets, on the device.

use burn::prelude::*;

/// Query rows compared with a block of reference rows at once.
const CHUNK: usize = 512;

/// The most bytes of reference rows in one device tensor. GPUs bound the size of one buffer
/// (wgpu's default limit on a storage binding is 128 MiB, and MNIST's 60,000 training
/// images are 188 MB as floats), so the reference set is kept in blocks.
const BLOCK_BYTES: usize = 32 << 20;

/// A reference set of vectors (rows), kept on the device in blocks of rows, each with its
/// rows' squared norms.
#[derive(Debug, Clone)]
pub struct Reference {
    blocks: Vec<(Tensor<2>, Tensor<2>)>,
    dim: usize,
}

impl Reference {
    /// Keeps `values` (rows of `dim` values) on `device`.
    pub fn new(values: Vec<f32>, dim: usize, device: &Device) -> Self {
        Self::in_blocks(values, dim, (BLOCK_BYTES / (4 * dim.max(1))).max(1), device)
    }

    /// Keeps `values` (rows of `dim` values) on `device` in blocks of `block_rows` rows.
    pub fn in_blocks(values: Vec<f32>, dim: usize, block_rows: usize, device: &Device) -> Self {
        let blocks = values
            .chunks(block_rows.max(1) * dim)
            .map(|block| {
                let n = block.len() / dim;
                let rows =
                    Tensor::<2>::from_data(TensorData::new(block.to_vec(), [n, dim]), device);
                let norms = rows.clone().powi_scalar(2).sum_dim(1).reshape([1, n]);
                (rows.transpose(), norms)
            })
            .collect();
        Self { blocks, dim }
    }

    /// For each row of `queries` (rows of the reference's width), the Euclidean distance to
    /// its nearest reference row.
    pub fn nearest(&self, queries: &[f32]) -> Vec<f32> {
        let dim = self.dim;
        let mut out = Vec::with_capacity(queries.len() / dim);
        for chunk in queries.chunks(CHUNK * dim) {
            let n = chunk.len() / dim;
            let mut best = vec![f32::INFINITY; n];
            let Some((_, first)) = self.blocks.first() else {
                out.extend(best);
                continue;
            };
            // The queries go to the device once and serve every block.
            let q =
                Tensor::<2>::from_data(TensorData::new(chunk.to_vec(), [n, dim]), &first.device());
            let q_norms = q.clone().powi_scalar(2).sum_dim(1);
            for (transposed, norms) in &self.blocks {
                // |q - r|^2 = |q|^2 - 2 q.r + |r|^2, for every pair at once.
                let squared = q.clone().matmul(transposed.clone()).mul_scalar(-2.0)
                    + q_norms.clone()
                    + norms.clone();
                let nearest = squared.min_dim(1).clamp_min(0.0).sqrt();
                let values = nearest.into_data().convert::<f32>();
                for (b, v) in best.iter_mut().zip(values.iter::<f32>()) {
                    *b = b.min(v);
                }
            }
            out.extend(best);
        }
        out
    }
}
