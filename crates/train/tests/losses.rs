//! Each adversarial loss on known outputs, and a few real training steps with each.

mod common;

use burn::prelude::*;
use model::ModelConfig;
use train::loss::Loss;
use train::run::LOG;
use train::{OptimConfig, TrainConfig};

fn column(values: &[f32]) -> Tensor<2> {
    Tensor::from_data(
        TensorData::new(values.to_vec(), [values.len(), 1]),
        &Device::flex(),
    )
}

fn value(t: Tensor<1>) -> f32 {
    t.into_scalar::<f32>()
}

/// Real outputs (2, 0) and fake outputs (-1, 3), with the values worked out by hand.
#[test]
fn losses_on_known_outputs() {
    let (real, fake) = (column(&[2.0, 0.0]), column(&[-1.0, 3.0]));
    let close = |a: f32, b: f32| (a - b).abs() < 1e-5;
    let sp = |x: f32| (1.0 + x.exp()).ln();

    // Standard: D = mean softplus(-real) + mean softplus(fake)
    //             = (0.126928 + 0.693147) / 2 + (0.313262 + 3.048587) / 2 = 2.090962.
    let d = value(Loss::Standard.discriminator(real.clone(), fake.clone(), 1.0));
    assert!(close(d, 2.090962), "{d}");
    assert!(close(
        d,
        (sp(-2.0) + sp(0.0)) / 2.0 + (sp(-1.0) + sp(3.0)) / 2.0
    ));
    // Non-saturating G = mean softplus(-fake) = (1.313262 + 0.048587) / 2 = 0.680925;
    // saturating G = mean log(1 - sigmoid(fake)) = -mean softplus(fake) = -1.680925.
    assert!(close(
        value(Loss::Standard.generator(fake.clone(), false)),
        0.680925
    ));
    assert!(close(
        value(Loss::Standard.generator(fake.clone(), true)),
        -1.680925
    ));
    // D(x) is reported as a probability: (sigmoid(2) + sigmoid(0)) / 2 = 0.690399.
    assert!(close(
        value(Loss::Standard.reported(real.clone())),
        0.690399
    ));

    // LSGAN: D = ((1 + 1) / 2 + (1 + 9) / 2) / 2 = 3; G = ((4 + 4) / 2) / 2 = 2.
    assert!(close(
        value(Loss::Lsgan.discriminator(real.clone(), fake.clone(), 1.0)),
        3.0
    ));
    assert!(close(
        value(Loss::Lsgan.generator(fake.clone(), false)),
        2.0
    ));
    assert!(close(value(Loss::Lsgan.reported(real.clone())), 1.0));

    // Hinge: D = (relu(-1) + relu(1)) / 2 + (relu(0) + relu(4)) / 2 = 2.5; G = -(-1 + 3) / 2.
    assert!(close(
        value(Loss::Hinge.discriminator(real.clone(), fake.clone(), 1.0)),
        2.5
    ));
    assert!(close(
        value(Loss::Hinge.generator(fake.clone(), false)),
        -1.0
    ));

    // WGAN (and WGAN-GP before its penalty): D = mean(fake) - mean(real) = 1 - 1 = 0;
    // G = -mean(fake) = -1; both report raw means.
    for loss in [Loss::Wgan, Loss::WganGp] {
        assert!(close(
            value(loss.discriminator(real.clone(), fake.clone(), 1.0)),
            0.0
        ));
        assert!(close(value(loss.generator(fake.clone(), false)), -1.0));
        assert!(close(value(loss.reported(fake.clone())), 1.0));
    }

    // One-sided label smoothing, real target 0.9:
    // standard D = mean(0.9 softplus(-real) + 0.1 softplus(real)) + mean softplus(fake)
    //            = (0.9 * 0.126928 + 0.1 * 2.126928 + 0.693147) / 2 + 1.680925 = 2.190962;
    // LSGAN D = ((1.1² + 0.9²) / 2 + 5) / 2 = 3.005.
    let d = value(Loss::Standard.discriminator(real.clone(), fake.clone(), 0.9));
    assert!(close(d, 2.190962), "{d}");
    let d = value(Loss::Lsgan.discriminator(real, fake, 0.9));
    assert!(close(d, 3.005), "{d}");
}

#[test]
fn saturating_is_only_a_form_of_the_standard_loss() {
    let config = |loss| {
        TrainConfig::new(ModelConfig::new(), OptimConfig::new(), OptimConfig::new())
            .with_loss(loss)
            .with_saturating(true)
    };
    assert!(config(Loss::Standard).check().is_ok());
    let err = config(Loss::Hinge).check().unwrap_err();
    assert!(
        err.contains("--saturating") && err.contains("hinge"),
        "{err}"
    );
}

#[test]
fn every_loss_trains_a_few_steps_on_real_images() {
    for (loss, saturating) in [
        (Loss::Standard, true),
        (Loss::Lsgan, false),
        (Loss::Hinge, false),
        (Loss::Wgan, false),
        (Loss::WganGp, false),
    ] {
        let (_tmp, run) = common::short_run_with(4, 4, |mut c| {
            // The gradient penalty needs a critic without batch norm.
            c.model.critic_norm = loss != Loss::WganGp;
            c.with_loss(loss).with_saturating(saturating)
        });
        let log = std::fs::read_to_string(run.file(LOG)).unwrap();
        for line in log.lines().skip(1) {
            // The first ten columns: epoch, step, then the losses and outputs (train, valid).
            let values: Vec<f64> = line
                .split(',')
                .take(10)
                .map(|f| f.parse().unwrap())
                .collect();
            assert!(values.iter().all(|v| v.is_finite()), "{loss:?}: {line}");
        }
        assert_eq!(log.lines().count(), 3, "{loss:?}: {log}");
        // The loss is part of the run's configuration.
        assert_eq!(run.config().unwrap().loss, loss);
    }
}

#[test]
fn a_spectrally_normalised_critic_trains_with_the_hinge_loss() {
    let (_tmp, run) = common::short_run_with(4, 4, |mut c| {
        c.model.spectral_norm = true;
        c.model.critic_norm = false;
        c.with_loss(Loss::Hinge)
    });
    let log = std::fs::read_to_string(run.file(LOG)).unwrap();
    for line in log.lines().skip(1) {
        assert!(
            line.split(',')
                .take(10)
                .all(|f| f.parse::<f64>().unwrap().is_finite()),
            "{line}"
        );
    }
    assert!(run.config().unwrap().model.spectral_norm);
}

#[test]
fn conditional_models_train_with_the_cross_entropy_and_the_gradient_penalty() {
    for (arch, loss) in [
        (model::Arch::Dcgan, Loss::Standard),
        (model::Arch::Mlpack, Loss::WganGp),
    ] {
        let (_tmp, run) = common::short_run_with(2, 10, |mut c| {
            c.model.arch = arch;
            c.model.conditional = true;
            c.model.critic_norm = loss != Loss::WganGp;
            c.with_loss(loss)
        });
        let log = std::fs::read_to_string(run.file(LOG)).unwrap();
        let line = log.lines().nth(1).unwrap();
        assert!(
            line.split(',')
                .take(10)
                .all(|f| f.parse::<f64>().unwrap().is_finite()),
            "{arch:?} {loss:?}: {line}"
        );
        assert!(run.config().unwrap().model.conditional);
        // The grid has one digit per row: 10 samples, 0 to 9 down one column.
        let grid = data::png::load(&run.grid(1)).unwrap();
        assert_eq!(grid.dimensions(), (30 + 2, 10 * 30 + 2));
    }
}
