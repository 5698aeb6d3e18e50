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

use burn::prelude::*;

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
