//! Training a GAN on MNIST with Burn's Learner.
//!
//! - [`config`]: [`TrainConfig`], every hyperparameter of a run (saved as `config.json`).
//! - [`device`]: choosing among the compiled-in backends.
//! - [`batch`]: the batches the training step takes.
//! - [`loss`]: the adversarial losses (standard, LSGAN, hinge).
//! - [`ema`]: the moving average of the generator's weights.
//! - [`gan`]: [`Gan`], the module holding both networks, with its train and inference steps.
//! - [`metrics`]: the losses, D(x), D(G(z)) and images/s as Learner metrics.
//! - [`strategy`]: the learning strategy that schedules generator updates, logs steps,
//!   checkpoints and runs the per-epoch work.
//! - [`order`]: each epoch's image order, fixed by the seed and the epoch.
//! - [`steplog`]: the per-step log `steps.csv`, and the NaN check.
//! - [`checkpoint`]: checkpoints (networks, optimisers, position), written atomically.
//! - [`interrupt`]: Ctrl-C and SIGTERM ask the run to checkpoint and stop.
//! - [`renderer`]: plain progress lines when the output is not a terminal.
//! - [`run`]: the run directory: its files, creating it, loading a trained generator.
//! - [`report`]: the run's HTML report and progress animation, rewritten each epoch.
//! - [`training`]: [`train`] and [`resume`], putting it all together.
//! - [`bench`]: timing full training steps (the `bench` binary).
//! - [`cli`]: what the binaries share.

pub mod batch;
pub mod bench;
pub mod checkpoint;
pub mod cli;
pub mod config;
pub mod device;
pub mod ema;
pub mod gan;
pub mod interrupt;
pub mod loss;
pub mod metrics;
pub mod order;
pub mod profile;
pub mod renderer;
pub mod report;
pub mod run;
pub mod source;
pub mod steplog;
pub mod strategy;
pub mod training;

pub use config::{OptimConfig, TrainConfig};
pub use device::DeviceChoice;
pub use gan::Gan;
pub use run::RunDir;
pub use training::{Progress, TrainData, TrainSummary, resume, train};
