//! The Wasserstein losses' machinery: the critic's input gradient written out by hand against
//! autodiff, the gradient penalty on a linear critic, the penalty's weight gradients against
//! finite differences, weight clipping; and the training tricks (label smoothing, instance
//! noise) in real runs.

mod common;

use common::values;

use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::prelude::*;
use model::{Arch, Discriminator, ModelConfig};
use train::loss::{Loss, gradient_penalty};
use train::run::LOG;

fn critic(arch: Arch, init_std: f64) -> (Discriminator, Device) {
    spectral_critic(arch, init_std, false)
}

fn spectral_critic(arch: Arch, init_std: f64, spectral: bool) -> (Discriminator, Device) {
    critic_of(arch, init_std, spectral, false)
}

fn critic_of(
    arch: Arch,
    init_std: f64,
    spectral: bool,
    conditional: bool,
) -> (Discriminator, Device) {
    let device = Device::flex().autodiff();
    device.seed(3);
    let config = ModelConfig::new()
        .with_arch(arch)
        .with_critic_norm(false)
        .with_spectral_norm(spectral)
        .with_conditional(conditional)
        .with_init_std(init_std);
    (config.init_discriminator(&device), device)
}

fn images(device: &Device, seed: u64) -> Tensor<4> {
    device.seed(seed);
    Tensor::random(
        [3, 1, 28, 28],
        burn::tensor::Distribution::Uniform(-1.0, 1.0),
        device,
    )
}

#[test]
fn the_hand_written_input_gradient_is_autodiffs() {
    for (arch, spectral, conditional) in [
        (Arch::Dcgan, false, false),
        (Arch::Mlpack, false, false),
        (Arch::Dcgan, true, false),
        (Arch::Mlpack, true, false),
        (Arch::Dcgan, false, true),
        (Arch::Mlpack, true, true),
    ] {
        let (d, device) = critic_of(arch, 0.1, spectral, conditional);
        let x = images(&device, 1).require_grad();
        // A conditional critic is told the digits; the gradient is the image's alone.
        let labels = conditional.then(|| model::condition::one_hot(&[3, 0, 9], &device));
        // Spectral normalisation's estimate moves with each training pass: let it settle, so
        // that the passes compared use nearly the same normalised weights. (How fast it
        // settles depends on the weights drawn, and tests running in parallel share the
        // seeded generator: what is left of the drift is allowed for below.)
        for _ in 0..(if spectral { 300 } else { 0 }) {
            let _ = d.forward(x.clone(), labels.clone());
        }
        let grads = d.forward(x.clone(), labels.clone()).sum().backward();
        let auto = values(x.grad(&grads).unwrap());
        let (logits, explicit) = d
            .forward_with_input_gradient(x.clone(), labels.clone())
            .unwrap();
        let explicit = values(explicit);
        let scale = auto.iter().fold(0f32, |m, v| m.max(v.abs()));
        assert!(scale > 0.0);
        let worst = auto
            .iter()
            .zip(&explicit)
            .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        // f32 sums in another order (and an activation a rounding away from 0) differ in the
        // last digits; a wrong gradient differs by the gradient's own size.
        assert!(
            worst <= 1e-3 * scale,
            "{arch:?} (spectral {spectral}, conditional {conditional}): {worst} against {scale}"
        );
        let tolerance = if spectral { 1e-3 } else { 1e-5 };
        for (a, b) in values(logits).iter().zip(values(d.forward(x, labels))) {
            assert!(
                (a - b).abs() <= tolerance * (1.0 + b.abs()),
                "{arch:?} (spectral {spectral}, conditional {conditional}): logits {a} vs {b}"
            );
        }
    }
    // With batch norm each logit depends on the whole batch: no per-image gradient.
    let device = Device::flex();
    let normed = ModelConfig::new().init_discriminator(&device);
    assert!(
        normed
            .forward_with_input_gradient(images(&device, 1), None)
            .is_none()
    );
}

#[test]
fn the_penalty_of_a_linear_critic_is_its_analytic_value() {
    // D(x) = w·x has the input gradient w for every image: the penalty is (‖w‖ - 1)².
    let device = Device::flex();
    for (w, expected) in [(0.05f32, (0.05 * 28.0 - 1.0f32).powi(2)), (0.0, 1.0)] {
        let gradients = Tensor::<4>::full([5, 1, 28, 28], w, &device);
        let p = gradient_penalty(gradients).into_scalar::<f32>();
        assert!((p - expected).abs() < 1e-5, "{p} vs {expected}");
    }
    // Per image, then averaged: norms 2 and 0 give ((2 - 1)² + (0 - 1)²) / 2 = 1.
    let mut v = vec![0f32; 2 * 784];
    v[0] = 2.0;
    let gradients = Tensor::<4>::from_data(TensorData::new(v, [2, 1, 28, 28]), &device);
    assert!((gradient_penalty(gradients).into_scalar::<f32>() - 1.0).abs() < 1e-5);
}

/// Every trainable parameter: its id and its values.
fn parameters(d: &Discriminator) -> Vec<(ParamId, Vec<usize>, Vec<f32>)> {
    struct Collect(Vec<(ParamId, Vec<usize>, Vec<f32>)>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val();
            if t.is_require_grad() {
                self.0.push((param.id, t.dims().to_vec(), values(t)));
            }
        }
    }
    let mut c = Collect(Vec::new());
    d.visit(&mut c);
    c.0
}

/// `d` with `delta` added to element `index` of parameter `id`.
fn nudged(d: Discriminator, id: ParamId, index: usize, delta: f32) -> Discriminator {
    struct Nudge(ParamId, usize, f32);
    impl ModuleMapper for Nudge {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            if param.id != self.0 {
                return param;
            }
            let (id, t, mapper) = param.consume();
            let (dims, device) = (t.dims(), t.device());
            let mut v = values(t);
            v[self.1] += self.2;
            let t = Tensor::from_data(TensorData::new(v, dims), &device).require_grad();
            Param::from_mapped_value(id, t, mapper)
        }
    }
    d.map(&mut Nudge(id, index, delta))
}

#[test]
fn the_penalty_s_weight_gradients_match_finite_differences() {
    // The penalty must depend on the critic's weights through the input gradient: its
    // autodiff gradient with respect to the last layer's weights is compared with central
    // differences. (The last layer, because nudging an earlier weight moves pre-activations
    // across 0, where the (Leaky)ReLU's slope jumps and the penalty with it; the last layer's
    // weights start the backward chain, so their gradient passes through every layer.)
    for arch in [Arch::Dcgan, Arch::Mlpack] {
        let (d, device) = critic(arch, 0.05);
        let x = images(&device, 2);
        let penalty = |d: &Discriminator| {
            let (_, g) = d.forward_with_input_gradient(x.clone(), None).unwrap();
            gradient_penalty(g)
        };
        let grads = penalty(&d).backward();
        let params = parameters(&d);
        let (id, dims, _) = params.iter().rev().find(|p| p.1.len() > 1).unwrap();
        // This parameter's gradient, found by id.
        struct Grad<'a>(ParamId, &'a burn::tensor::Gradients, Option<Vec<f32>>);
        impl ModuleVisitor for Grad<'_> {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                if param.id == self.0 {
                    self.2 = param.val().grad(self.1).map(values);
                }
            }
        }
        let mut g = Grad(*id, &grads, None);
        d.visit(&mut g);
        let auto = g.2.expect("the penalty has a gradient for the weights");
        let mut order: Vec<usize> = (0..auto.len()).collect();
        order.sort_by(|&a, &b| auto[b].abs().total_cmp(&auto[a].abs()));
        for &i in &order[..3] {
            let h = 1e-3;
            let up = penalty(&nudged(d.clone(), *id, i, h)).into_scalar::<f32>();
            let down = penalty(&nudged(d.clone(), *id, i, -h)).into_scalar::<f32>();
            let numeric = (up - down) / (2.0 * h);
            let a = auto[i];
            assert!(
                a.abs() > 1e-3,
                "{arch:?} {dims:?}: gradient {a} too small to check"
            );
            assert!(
                (numeric - a).abs() <= 0.01 * a.abs(),
                "{arch:?} {dims:?}[{i}]: autodiff {a}, finite differences {numeric}"
            );
        }
    }
}

#[test]
fn clipping_bounds_every_critic_weight() {
    let device = Device::flex().autodiff();
    let d = ModelConfig::new()
        .with_init_std(1.0)
        .init_discriminator(&device);
    let before = parameters(&d);
    assert!(before.iter().any(|p| p.2.iter().any(|v| v.abs() > 0.5)));
    let clipped = parameters(&d.clipped(0.01));
    assert_eq!(clipped.len(), before.len());
    for ((_, _, b), (_, _, c)) in before.iter().zip(&clipped) {
        for (x, y) in b.iter().zip(c) {
            assert!(y.abs() <= 0.01 + 1e-9);
            assert_eq!(*y, x.clamp(-0.01, 0.01));
        }
    }
}

#[test]
fn a_wgan_run_keeps_the_critic_clipped() {
    let (_tmp, run) = common::short_run_with(4, 4, |c| {
        c.with_loss(Loss::Wgan)
            .with_clip(0.02)
            .with_optimizer(train::config::Optimizer::Rmsprop)
            .with_generator_update_step(2)
    });
    let config = run.config().unwrap();
    // The last checkpoint holds the critic as trained (the running statistics of its batch
    // norm, which are not weights, are not clipped).
    let newest = train::checkpoint::Checkpoints::new(&run.path, 3)
        .newest(|w| panic!("{w}"))
        .unwrap()
        .unwrap();
    let gan =
        train::Gan::new(&config, &Device::flex().autodiff()).load_record(newest.records.model);
    let params = parameters(&gan.discriminator);
    assert!(!params.is_empty());
    for (_, dims, v) in params {
        assert!(
            v.iter().all(|x| x.abs() <= 0.02 + 1e-7),
            "{dims:?} exceeds the clip"
        );
    }
    assert_eq!(config.generator_update_step, 2);
}

#[test]
fn label_smoothing_and_instance_noise_train_and_are_recorded() {
    let (_tmp, run) = common::short_run_with(4, 4, |c| {
        c.with_label_smoothing(0.1).with_instance_noise(0.2)
    });
    let config = run.config().unwrap();
    assert_eq!(config.label_smoothing, 0.1);
    assert_eq!(config.instance_noise, 0.2);
    let log = std::fs::read_to_string(run.file(LOG)).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
    for line in log.lines().skip(1) {
        assert!(
            line.split(',')
                .take(10)
                .all(|f| f.parse::<f64>().unwrap().is_finite())
        );
    }
    let err = config.clone().with_loss(Loss::Hinge).check().unwrap_err();
    assert!(err.contains("--label-smoothing"), "{err}");
}
