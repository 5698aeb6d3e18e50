//! The module the Learner trains: both networks, and one step that updates both.
//!
//! As in mlpack's GAN, one optimiser step covers the generator and the discriminator
//! together. The step computes the discriminator's loss on a real batch and on a fake batch
//! detached from the generator, and the generator's loss through a `no_grad()` copy of the
//! discriminator; one backward pass of their sum then gives each network exactly its own
//! gradients. The generator's forward pass is done once and serves both losses.

use crate::batch::GanBatch;
use crate::loss::Loss;
use burn::prelude::*;
use burn::train::metric::ItemLazy;
use burn::train::{InferenceStep, TrainOutput, TrainStep};
use burn_std::ExecutionError;
use model::{Discriminator, Generator, ModelConfig, Noise};

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
    /// Creates both networks of `cfg`, initialised, trained with `loss` (and `saturating`);
    /// the generator's loss is scaled by `multiplier`.
    pub fn new(
        cfg: &ModelConfig,
        multiplier: f64,
        loss: Loss,
        saturating: bool,
        device: &Device,
    ) -> Self {
        Self {
            generator: cfg.init_generator(device),
            discriminator: cfg.init_discriminator(device),
            settings: StepSettings {
                noise: cfg.noise,
                noise_dim: cfg.noise_dim,
                multiplier,
                loss,
                saturating,
            },
        }
    }

    /// Computes the losses of a batch; the generator's only if `with_generator`.
    fn losses(&self, batch: GanBatch, with_generator: bool) -> Losses {
        let [n, ..] = batch.images.dims();
        let device = batch.images.device();
        let z = self
            .settings
            .noise
            .sample(n, self.settings.noise_dim, &device);
        let fake = self.generator.forward(z);
        let real_logits = self.discriminator.forward(batch.images);
        let fake_logits = self.discriminator.forward(fake.clone().detach());
        let loss = self.settings.loss;
        let d_loss = loss.discriminator(real_logits.clone(), fake_logits.clone());
        let g_loss = with_generator.then(|| {
            // The discriminator's parameters get no gradient from the generator's loss.
            let critic = self.discriminator.clone().no_grad();
            loss.generator(critic.forward(fake), self.settings.saturating)
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
