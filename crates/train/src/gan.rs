//! The module the Learner trains: both networks, and one step that updates both.
//!
//! As in mlpack's GAN, one optimiser step covers the generator and the discriminator
//! together. The step computes the discriminator's loss on a real batch and on a fake batch
//! detached from the generator, and the generator's loss through a `no_grad()` copy of the
//! discriminator; one backward pass of their sum then gives each network exactly its own
//! gradients. The generator's forward pass is done once and serves both losses.

use crate::TrainConfig;
use crate::batch::GanBatch;
use crate::loss::{Loss, gradient_penalty};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::train::metric::ItemLazy;
use burn::train::{InferenceStep, TrainOutput, TrainStep};
use burn_std::ExecutionError;
use model::condition::generator_input;
use model::{Discriminator, Generator, Noise};

/// What a step needs besides the networks.
#[derive(Debug, Clone)]
pub struct StepSettings {
    /// The noise distribution.
    pub noise: Noise,
    /// The noise dimension.
    pub noise_dim: usize,
    /// Scale of the generator's loss, and so of its gradient.
    pub multiplier: f64,
    /// The adversarial loss.
    pub loss: Loss,
    /// Whether the generator minimises the saturating `log(1 - D(G(z)))` (standard loss).
    pub saturating: bool,
    /// The target of real images (1 - label smoothing).
    pub real_target: f64,
    /// The weight of WGAN-GP's gradient penalty.
    pub gp_weight: f64,
    /// Whether both networks are told the digit.
    pub conditional: bool,
}

impl StepSettings {
    /// The settings of `config`.
    pub fn new(config: &TrainConfig) -> Self {
        Self {
            noise: config.model.noise,
            noise_dim: config.model.noise_dim,
            multiplier: config.multiplier,
            loss: config.loss,
            saturating: config.saturating,
            real_target: 1.0 - config.label_smoothing,
            gp_weight: config.gp_weight,
            conditional: config.model.conditional,
        }
    }
}

/// Both networks of a GAN, trained together by the Learner.
#[derive(Module, Debug)]
pub struct Gan {
    /// The generator.
    pub generator: Generator,
    /// The discriminator.
    pub discriminator: Discriminator,
    /// Noise and loss settings.
    #[module(skip)]
    pub settings: StepSettings,
}

impl Gan {
    /// Creates both networks of `config`, initialised, with its loss settings.
    pub fn new(config: &TrainConfig, device: &Device) -> Self {
        Self {
            generator: config.model.init_generator(device),
            discriminator: config.model.init_discriminator(device),
            settings: StepSettings::new(config),
        }
    }

    /// Computes the losses of a batch; the generator's only if `with_generator`.
    fn losses(&self, batch: GanBatch, with_generator: bool) -> Losses {
        let [n, ..] = batch.images.dims();
        let device = batch.images.device();
        let settings = &self.settings;
        // A conditional model draws fakes of the batch's own digits.
        let labels = settings.conditional.then_some(batch.labels);
        let z = settings.noise.sample(n, settings.noise_dim, &device);
        let fake = self.generator.forward(generator_input(z, labels.clone()));
        // Instance noise: what the discriminator sees, real or fake, is blurred alike.
        let blur = |images: Tensor<4>| match batch.instance_noise {
            std if std > 0.0 => {
                let noise = Tensor::random(images.dims(), Distribution::Normal(0.0, std), &device);
                images + noise
            }
            _ => images,
        };
        let real = blur(batch.images);
        let fake = blur(fake);
        let real_logits = self.discriminator.forward(real.clone(), labels.clone());
        let fake_logits = self
            .discriminator
            .forward(fake.clone().detach(), labels.clone());
        let loss = settings.loss;
        let mut d_loss = loss.discriminator(
            real_logits.clone(),
            fake_logits.clone(),
            settings.real_target,
        );
        if loss == Loss::WganGp {
            // One mixing weight per image, on the segment between a real and a fake one.
            let eps = Tensor::random([n, 1, 1, 1], Distribution::Uniform(0.0, 1.0), &device);
            let mixed = real * eps.clone() + fake.clone().detach() * eps.neg().add_scalar(1.0);
            // The configuration is checked to have no batch norm in the critic.
            if let Some((_, gradients)) = self
                .discriminator
                .forward_with_input_gradient(mixed, labels.clone())
            {
                d_loss = d_loss + gradient_penalty(gradients).mul_scalar(settings.gp_weight);
            }
        }
        let g_loss = with_generator.then(|| {
            // The discriminator's parameters get no gradient from the generator's loss.
            let critic = self.discriminator.clone().no_grad();
            loss.generator(critic.forward(fake, labels), settings.saturating)
        });
        Losses {
            d_loss,
            g_loss,
            d_real: loss.reported(real_logits),
            d_fake: loss.reported(fake_logits),
            batch_size: n,
        }
    }
}

struct Losses {
    d_loss: Tensor<1>,
    g_loss: Option<Tensor<1>>,
    d_real: Tensor<1>,
    d_fake: Tensor<1>,
    batch_size: usize,
}

impl Losses {
    fn output(&self) -> GanOutput {
        let g = self
            .g_loss
            .clone()
            .unwrap_or_else(|| Tensor::full([1], f32::NAN, &self.d_loss.device()));
        let stats = Tensor::cat(
            vec![
                self.d_loss.clone(),
                g,
                self.d_real.clone(),
                self.d_fake.clone(),
            ],
            0,
        )
        .detach();
        GanOutput {
            stats,
            values: None,
            batch_size: self.batch_size,
        }
    }
}

/// What a step reports: `[D loss, G loss (NaN when the generator was not trained), D(x),
/// D(G(z))]`, batch means.
#[derive(Debug, Clone)]
pub struct GanOutput {
    /// The four statistics, in that order, on the device.
    pub stats: Tensor<1>,
    /// The same, read to the host once by [`ItemLazy::sync`] for every metric to share.
    pub values: Option<Vec<f32>>,
    /// Images in the batch.
    pub batch_size: usize,
}

impl GanOutput {
    /// The four statistics on the host (read now if [`ItemLazy::sync`] has not).
    pub fn host_values(&self) -> Vec<f32> {
        self.values
            .clone()
            .unwrap_or_else(|| read_f32(self.stats.clone().try_into_data()).unwrap_or_default())
    }
}

fn read_f32(data: Result<TensorData, ExecutionError>) -> Result<Vec<f32>, ExecutionError> {
    Ok(data?
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap_or_default())
}

impl ItemLazy for GanOutput {
    /// Reads the statistics from the device once, off the training thread.
    fn sync(self) -> Result<Self, ExecutionError> {
        let values = read_f32(self.stats.clone().try_into_data())?;
        Ok(Self {
            values: Some(values),
            ..self
        })
    }
}

impl TrainStep for Gan {
    type Input = GanBatch;
    type Output = GanOutput;

    fn step(&self, batch: GanBatch) -> TrainOutput<GanOutput> {
        let train_generator = batch.train_generator;
        let losses = self.losses(batch, train_generator);
        let output = losses.output();
        let total = match losses.g_loss {
            Some(g) => losses.d_loss + g.mul_scalar(self.settings.multiplier),
            None => losses.d_loss,
        };
        TrainOutput::new(self, total.backward(), output)
    }
}

impl InferenceStep for Gan {
    type Input = GanBatch;
    type Output = GanOutput;

    fn step(&self, batch: GanBatch) -> GanOutput {
        self.losses(batch, true).output()
    }
}
