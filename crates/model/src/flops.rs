//! Analytic floating-point operation counts of the networks (a multiply-add counts 2).
//!
//! Convolutions, transposed convolutions and linear layers are counted; batch norm,
//! activations, pooling and the mlpack generator's bilinear upsampling are left out (a few
//! operations per value; the upsampling is folded into the convolution after it, see
//! [`crate::upsample::conv_of_bilinear_x2`], whose arithmetic is that of the convolution).

use crate::{Arch, ModelConfig};

fn conv(cin: usize, cout: usize, k: usize, hout: usize) -> f64 {
    2.0 * (cin * cout * k * k * hout * hout) as f64
}

fn conv_t(cin: usize, cout: usize, k: usize, hin: usize) -> f64 {
    2.0 * (cin * cout * k * k * hin * hin) as f64
}

fn linear(i: usize, o: usize) -> f64 {
    2.0 * (i * o) as f64
}

/// Forward-pass operations per image: `(generator, discriminator)`.
pub fn forward(cfg: &ModelConfig) -> (f64, f64) {
    let z = cfg.noise_dim;
    match cfg.arch {
        Arch::Mlpack => {
            let (c1, c2) = (z / 2, z / 4);
            let g =
                linear(z, 56 * 56) + conv(1, c1, 3, 28) + conv(c1, c2, 3, 28) + conv(c2, 1, 3, 28);
            let d = conv(1, 32, 5, 28) + conv(32, 64, 5, 14) + linear(3136, 1024) + linear(1024, 1);
            (g, d)
        }
        Arch::Dcgan => {
            let g = conv_t(z, 128, 7, 1) + conv_t(128, 64, 4, 7) + conv_t(64, 1, 4, 14);
            let d = conv(1, 64, 4, 14) + conv(64, 128, 4, 7) + conv(128, 1, 7, 1);
            (g, d)
        }
    }
}

/// Operations per real image of one full training step (discriminator on a real and a fake
/// batch, generator through a frozen discriminator), counting a backward pass as twice its
/// forward pass: the generator runs forward once and backward once (3 G); the discriminator
/// runs forward three times, backward with weight gradients twice and backward for the
/// generator's input gradient once (3 + 4 + 1 = 8 D).
pub fn training_step(cfg: &ModelConfig) -> f64 {
    let (g, d) = forward(cfg);
    3.0 * g + 8.0 * d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dcgan_counts_by_hand() {
        let (g, d) = forward(&ModelConfig::new());
        // 100*128*49 + 128*64*16*49 + 64*16*196 multiply-adds.
        assert_eq!(g, 2.0 * (627_200.0 + 6_422_528.0 + 200_704.0));
        // 64*16*196 + 64*128*16*49 + 128*49 multiply-adds.
        assert_eq!(d, 2.0 * (200_704.0 + 6_422_528.0 + 6_272.0));
        assert_eq!(training_step(&ModelConfig::new()), 3.0 * g + 8.0 * d);
    }

    #[test]
    fn mlpack_counts_by_hand() {
        let (g, d) = forward(&ModelConfig::new().with_arch(Arch::Mlpack));
        // 100*3136 + 50*9*784 + 50*25*9*784 + 25*9*784 multiply-adds.
        assert_eq!(g, 2.0 * (313_600.0 + 352_800.0 + 8_820_000.0 + 176_400.0));
        // 32*25*784 + 32*64*25*196 + 3136*1024 + 1024 multiply-adds.
        assert_eq!(d, 2.0 * (627_200.0 + 10_035_200.0 + 3_211_264.0 + 1_024.0));
    }
}
