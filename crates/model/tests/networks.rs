//! Output shapes, value ranges and initialisation of both presets.

use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;
use model::{Arch, BatchNormMode, ModelConfig, Noise};

fn configs() -> Vec<ModelConfig> {
    let mut out = Vec::new();
    for arch in [Arch::Mlpack, Arch::Dcgan] {
        for bn in [BatchNormMode::PerChannel, BatchNormMode::PerFeature] {
            out.push(ModelConfig::new().with_arch(arch).with_batch_norm(bn));
        }
    }
    out
}

#[test]
fn both_presets_have_the_right_shapes_and_ranges() {
    let device = Device::flex();
    for cfg in configs() {
        device.seed(1);
        let g = cfg.init_generator(&device);
        let d = cfg.init_discriminator(&device);
        let z = cfg.noise.sample(3, cfg.noise_dim, &device);
        let images = g.forward(z);
        assert_eq!(images.dims(), [3, 1, 28, 28], "{cfg:?}");
        let v = images.clone().into_data().try_to_vec::<f32>().unwrap();
        assert!(v.iter().all(|x| (-1.0..=1.0).contains(x)), "tanh range");
        assert_eq!(d.forward(images, None).dims(), [3, 1]);
        // Inference mode too (running statistics).
        let z = cfg.noise.sample(2, cfg.noise_dim, &device);
        assert_eq!(g.valid().forward(z).dims(), [2, 1, 28, 28]);
    }
}

#[test]
fn mlpack_preset_has_the_tutorial_parameter_count() {
    let device = Device::flex();
    let cfg = ModelConfig::new()
        .with_arch(Arch::Mlpack)
        .with_batch_norm(BatchNormMode::PerFeature);
    let d = cfg.init_discriminator(&device);
    // conv 5x5 1->32, conv 5x5 32->64, linear 3136->1024, linear 1024->1 (with biases).
    let want_d = (25 * 32 + 32) + (25 * 32 * 64 + 64) + (3136 * 1024 + 1024) + (1024 + 1);
    assert_eq!(d.num_params(), want_d);
    let g = cfg.init_generator(&device);
    // linear 100->3136, BN 3136, conv 1->50, BN 39200, conv 50->25, BN 19600, conv 25->1;
    // each BN feature has a scale, a shift and two running statistics.
    let want_g = (100 * 3136 + 3136)
        + 4 * 3136
        + (9 * 50 + 50)
        + 4 * 39200
        + (9 * 50 * 25 + 25)
        + 4 * 19600
        + (9 * 25 + 1);
    assert_eq!(g.num_params(), want_g);
}

/// Collects every float parameter's values.
#[derive(Default)]
struct Values(Vec<f32>);

impl ModuleVisitor for Values {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0
            .extend(param.val().into_data().try_to_vec::<f32>().unwrap());
    }
}

fn mean_std(v: &[f32]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let s = (v.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / n).sqrt();
    (m, s)
}

#[test]
fn gaussian_initialisation_follows_the_config() {
    let device = Device::flex();
    for (mean, std) in [(0.0, 0.02), (0.0, 1.0), (0.5, 0.1)] {
        device.seed(3);
        let cfg = ModelConfig::new()
            .with_arch(Arch::Mlpack)
            .with_init_mean(mean)
            .with_init_std(std);
        // The mlpack discriminator has only convolutions and linear layers: every
        // parameter comes from the Gaussian.
        let mut values = Values::default();
        cfg.init_discriminator(&device).visit(&mut values);
        let (m, s) = mean_std(&values.0);
        assert!(
            (m - mean).abs() < 0.01 * std.max(0.1) && (s / std - 1.0).abs() < 0.01,
            "wanted N({mean}, {std}), got mean {m} std {s}"
        );
    }
}

#[test]
fn noise_follows_its_distribution() {
    let device = Device::flex();
    device.seed(5);
    let n = Noise::Uniform {
        low: -2.0,
        high: -1.0,
    }
    .sample(100, 50, &device);
    let v = n.into_data().try_to_vec::<f32>().unwrap();
    assert!(v.iter().all(|x| (-2.0..-1.0).contains(x)));
    let n = Noise::default().sample(200, 100, &device);
    let m = n.clone().mean().into_scalar::<f32>();
    let s = n.var(1).mean().into_scalar::<f32>();
    assert!(m.abs() < 0.02 && (s - 1.0).abs() < 0.05, "mean {m} var {s}");
}

#[test]
fn config_check_rejects_bad_values() {
    assert!(ModelConfig::new().check().is_ok());
    assert!(
        ModelConfig::new()
            .with_arch(Arch::Mlpack)
            .with_noise_dim(3)
            .check()
            .is_err()
    );
    assert!(ModelConfig::new().with_init_std(0.0).check().is_err());
    assert!(
        ModelConfig::new()
            .with_noise(Noise::Uniform {
                low: 1.0,
                high: 1.0
            })
            .check()
            .is_err()
    );
}
