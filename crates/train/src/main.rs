//! `train`: train a GAN on MNIST and write a run directory.

use anyhow::{Context, Result, bail};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use model::{Arch, BatchNormMode, ModelConfig, Noise};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use train::config::Optimizer;
use train::loss::Loss;
use train::source::{self, DataOptions, Dataset};
use train::{DeviceChoice, OptimConfig, Progress, RunDir, TrainConfig};

/// Train a GAN on MNIST and write a run directory (config, weights, per-epoch sample grids,
/// log, checkpoints) that `generate --run DIR` samples from.
///
/// Ctrl-C (or SIGTERM) finishes the current step, writes a checkpoint and exits (status 130);
/// `train --resume DIR` continues the run exactly where it stopped.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Continue the run in this directory from its newest checkpoint, with its own settings
    /// (only the data location, classifier, device and progress options may be given).
    #[arg(long, value_name = "RUN_DIR")]
    resume: Option<PathBuf>,
    /// The image set: MNIST's digits, or Fashion-MNIST's clothes (any 28x28 IDX set with
    /// MNIST's file names works through --data-dir).
    #[arg(long, value_enum, default_value_t = Dataset::Mnist)]
    dataset: Dataset,
    /// Directory holding the IDX files (raw or .gz); default: $MNIST_DIR, else
    /// ~/.cache/gan-mnist/mnist (MNIST), /usr/share/datasets/fashion-mnist (Fashion-MNIST).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Train on a CSV file instead (Kaggle/mlpack layout: optional header, optional label
    /// column, 784 pixel columns 0..255); its last rows are held out for validation.
    #[arg(long, value_name = "FILE")]
    train_csv: Option<PathBuf>,
    /// Spectrally normalise the discriminator's weights (each divided by its largest singular
    /// value, by power iteration); its batch norm is then left out.
    #[arg(long)]
    spectral_norm: bool,
    /// Train a plain GAN, not told the digits. By default both networks are told each
    /// image's digit (a conditional GAN: better digits, `generate --digit D` draws a chosen
    /// one, grids show one digit per row), which needs labelled data.
    #[arg(long)]
    unconditional: bool,
    /// Train only on these digits, e.g. `4,9` as in the mlpack tutorial.
    #[arg(long, value_delimiter = ',', value_name = "D,D,...")]
    digits: Vec<u8>,
    /// Train on at most this many images.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Network preset.
    #[arg(long, value_enum, default_value_t = ArchArg::Dcgan)]
    arch: ArchArg,
    /// Dimension of the generator's noise vector.
    #[arg(long, default_value_t = 100, value_name = "Z")]
    noise_dim: usize,
    /// Noise distribution: standard normal, or uniform on [-1, 1).
    #[arg(long, value_enum, default_value_t = NoiseArg::Normal)]
    noise: NoiseArg,
    /// Batch normalisation per channel (the default: few, well-estimated statistics) or per
    /// flattened feature (mlpack's).
    #[arg(long, value_enum, default_value_t = NormArg::PerChannel)]
    batch_norm: NormArg,
    /// Mean of the Gaussian initialising every weight and bias.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    init_mean: f64,
    /// Std of the Gaussian initialising every weight and bias (mlpack uses 1).
    #[arg(long, default_value_t = 0.02)]
    init_std: f64,
    /// Images per batch (32 makes twice as many updates per epoch as 64 at about the same
    /// images/s, and better digits after one epoch).
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Epochs to train.
    #[arg(long, default_value_t = 1, conflicts_with = "steps")]
    epochs: usize,
    /// Train this many steps in all instead of whole epochs.
    #[arg(long)]
    steps: Option<usize>,
    /// Stop after this many seconds of training (the run then ends as after its last step:
    /// log line, grid, scores, checkpoint); --epochs or --steps still cap it. For comparing
    /// settings on the same time budget.
    #[arg(long, value_name = "SECS")]
    time_limit: Option<f64>,
    /// Seed of initialisation, shuffling and noise: the same seed gives the same run.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Generator learning rate; default: 2e-4, or 5e-5 with --loss wgan, 1e-4 with wgan-gp.
    #[arg(long, value_name = "LR")]
    lr_g: Option<f64>,
    /// Discriminator learning rate; default as --lr-g.
    #[arg(long, value_name = "LR")]
    lr_d: Option<f64>,
    /// Generator Adam betas; default 0.5,0.999, or 0,0.9 with --loss wgan-gp.
    #[arg(long, value_delimiter = ',', value_name = "B1,B2")]
    betas_g: Option<Vec<f32>>,
    /// Discriminator Adam betas; default as --betas-g.
    #[arg(long, value_delimiter = ',', value_name = "B1,B2")]
    betas_d: Option<Vec<f32>>,
    /// Optimiser of both networks; default: rmsprop with --loss wgan, adam otherwise.
    #[arg(long, value_enum)]
    optimizer: Option<Optimizer>,
    /// Discriminator (critic) steps per generator step (mlpack's generatorUpdateStep; WGAN's
    /// n_critic); default: 5 with --loss wgan or wgan-gp, 1 otherwise.
    #[arg(long, value_name = "K")]
    generator_update_step: Option<usize>,
    /// Discriminator-only steps before the generator starts training (mlpack's preTrainSize).
    #[arg(long, default_value_t = 0)]
    pre_train: usize,
    /// The adversarial loss (wgan and wgan-gp bring their own defaults for the optimiser,
    /// learning rates, betas and critic steps, which the flags above override).
    #[arg(long, value_enum, default_value_t = Loss::Standard)]
    loss: Loss,
    /// --loss wgan: clip the critic's weights to ±C after every step.
    #[arg(long, default_value_t = 0.01, value_name = "C")]
    clip: f64,
    /// --loss wgan-gp: the weight λ of the gradient penalty.
    #[arg(long, default_value_t = 10.0, value_name = "LAMBDA")]
    gp_weight: f64,
    /// One-sided label smoothing: the discriminator aims real images at 1 - S (standard and
    /// lsgan losses; 0.1 is common).
    #[arg(long, default_value_t = 0.0, value_name = "S")]
    label_smoothing: f64,
    /// Keep an exponential moving average of the generator's weights with this decay (0.999
    /// is common): saved as generator-ema.bpk, shown in the grids, scored, and used by
    /// generate and evaluate.
    #[arg(long, value_name = "DECAY")]
    ema: Option<f64>,
    /// Instance noise: Gaussian noise of this standard deviation added to every image the
    /// discriminator sees, decreasing linearly to 0 over the run (0.1 is common).
    #[arg(long, default_value_t = 0.0, value_name = "STD")]
    instance_noise: f64,
    /// With the standard loss, train the generator on the original minimax form
    /// log(1 - D(G(z))), which saturates early in training, instead of -log D(G(z)).
    #[arg(long)]
    saturating: bool,
    /// Scale of the generator's gradient (mlpack's multiplier).
    #[arg(long, default_value_t = 1.0)]
    multiplier: f64,
    /// Test images the discriminator is validated on after each epoch.
    #[arg(long, default_value_t = 1000)]
    valid_size: usize,
    /// Samples in each epoch's grid (samples/epoch-NNN.png), from one fixed noise batch.
    #[arg(long, default_value_t = 64)]
    grid_size: usize,
    /// Score the generator with the MNIST classifier every this many epochs (0: never): the
    /// scores go into log.csv, and the weights with the lowest Fréchet distance into best/.
    /// Default: 1 on MNIST, 0 on other image sets (the classifier knows digits only).
    #[arg(long, value_name = "K")]
    eval_every: Option<usize>,
    /// Samples drawn for each score (10,000 makes `evaluate`'s default figures; fewer is
    /// faster and a little noisier).
    #[arg(long, default_value_t = 2000, value_name = "N")]
    eval_samples: usize,
    /// Write a checkpoint (networks, optimisers, position) every this many steps; one is also
    /// written after each epoch and on Ctrl-C. 0: only those.
    #[arg(long, default_value_t = 500, value_name = "STEPS")]
    checkpoint_every: usize,
    /// Checkpoints kept in the run's checkpoints/ directory (the newest; the best-scoring
    /// one is kept besides).
    #[arg(long, default_value_t = 3, value_name = "K")]
    keep: usize,
    /// The classifier's weights; default: assets/mnist-classifier.bpk.
    #[arg(long, value_name = "FILE")]
    classifier: Option<PathBuf>,
    /// Run directory to create (must not exist, or be empty); default: runs/<arch>-NNN.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Device, among the backends compiled in (features flex, ndarray, wgpu).
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
    /// Only rewrite the report (report.html, samples/progress.gif) of an existing run
    /// directory from its files, and exit.
    #[arg(long, value_name = "RUN_DIR", exclusive = true)]
    report: Option<PathBuf>,
    /// Print a plain progress line every this many seconds instead of the terminal dashboard.
    #[arg(long, value_name = "SECS")]
    progress_every: Option<f64>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ArchArg {
    /// The mlpack GAN tutorial's networks, layer for layer.
    Mlpack,
    /// A standard 28x28 DCGAN, fast on a CPU.
    Dcgan,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum NoiseArg {
    /// Standard normal N(0, 1).
    Normal,
    /// Uniform on [-1, 1).
    Uniform,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum NormArg {
    /// One statistic per channel.
    PerChannel,
    /// One statistic per flattened feature, as mlpack.
    PerFeature,
}

impl Args {
    fn config(&self) -> TrainConfig {
        let model = ModelConfig::new()
            .with_arch(match self.arch {
                ArchArg::Mlpack => Arch::Mlpack,
                ArchArg::Dcgan => Arch::Dcgan,
            })
            .with_noise_dim(self.noise_dim)
            .with_noise(match self.noise {
                NoiseArg::Normal => Noise::default(),
                NoiseArg::Uniform => Noise::Uniform {
                    low: -1.0,
                    high: 1.0,
                },
            })
            .with_batch_norm(match self.batch_norm {
                NormArg::PerChannel => BatchNormMode::PerChannel,
                NormArg::PerFeature => BatchNormMode::PerFeature,
            })
            .with_init_mean(self.init_mean)
            .with_init_std(self.init_std);
        let (lr, betas, optimizer, critic_steps) = match self.loss {
            Loss::Wgan => (5e-5, [0.5, 0.999], Optimizer::Rmsprop, 5),
            Loss::WganGp => (1e-4, [0.0, 0.9], Optimizer::Adam, 5),
            _ => (2e-4, [0.5, 0.999], Optimizer::Adam, 1),
        };
        let optim = |lr_flag: Option<f64>, betas_flag: &Option<Vec<f32>>| {
            let b = betas_flag.as_deref().unwrap_or(&betas);
            OptimConfig::new()
                .with_lr(lr_flag.unwrap_or(lr))
                .with_beta1(b[0])
                .with_beta2(b[1])
        };
        // A gradient penalty scores each image on its own: no batch norm in the critic.
        let model = model
            .with_critic_norm(self.loss != Loss::WganGp && !self.spectral_norm)
            .with_spectral_norm(self.spectral_norm)
            .with_conditional(!self.unconditional)
            .with_digits(if self.unconditional {
                Vec::new()
            } else {
                trained_digits(&self.digits)
            });
        TrainConfig::new(
            model,
            optim(self.lr_g, &self.betas_g),
            optim(self.lr_d, &self.betas_d),
        )
        .with_optimizer(self.optimizer.unwrap_or(optimizer))
        .with_generator_update_step(self.generator_update_step.unwrap_or(critic_steps))
        .with_clip(self.clip)
        .with_gp_weight(self.gp_weight)
        .with_label_smoothing(self.label_smoothing)
        .with_instance_noise(self.instance_noise)
        .with_ema(self.ema)
        .with_batch_size(self.batch_size)
        .with_epochs(self.epochs)
        .with_steps(self.steps)
        .with_time_limit(self.time_limit)
        .with_seed(self.seed)
        .with_pre_train(self.pre_train)
        .with_loss(self.loss)
        .with_saturating(self.saturating)
        .with_multiplier(self.multiplier)
        .with_limit(self.limit)
        .with_digits(self.digits.clone())
        .with_valid_size(self.valid_size)
        .with_grid_size(self.grid_size)
        .with_eval_every(
            self.eval_every
                .unwrap_or(usize::from(self.dataset == Dataset::Mnist)),
        )
        .with_dataset(self.dataset)
        .with_eval_samples(self.eval_samples)
        .with_checkpoint_every(self.checkpoint_every)
        .with_keep(self.keep)
    }
}

/// The digits of `--digits` in increasing order, once each (empty: all).
fn trained_digits(digits: &[u8]) -> Vec<u8> {
    let mut digits = digits.to_vec();
    digits.sort_unstable();
    digits.dedup();
    digits
}

/// The flags `--resume` takes besides itself: where the data and the classifier are, the
/// device and the progress display. Every other setting is the run's own.
const RESUME_FLAGS: [&str; 6] = [
    "resume",
    "data_dir",
    "train_csv",
    "classifier",
    "device",
    "progress_every",
];

/// Parses the command line; with `--resume`, refuses flags that would change the run.
fn parse() -> Result<Args> {
    let matches = Args::command().get_matches();
    let args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if args.resume.is_some() {
        let command = Args::command();
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if !RESUME_FLAGS.contains(&id)
                && matches.value_source(id) == Some(ValueSource::CommandLine)
            {
                bail!(
                    "--resume continues a run with its own settings; --{} cannot be given with it (start a new run to change it)",
                    arg.get_long().unwrap_or(id)
                );
            }
        }
    }
    Ok(args)
}

fn run(args: Args) -> Result<Outcome> {
    if let Some(dir) = &args.report {
        let path = train::report::write_report(&RunDir::open(dir)?)?;
        println!("Wrote {}", path.display());
        return Ok(Outcome::Done);
    }
    for (flag, betas) in [("--betas-g", &args.betas_g), ("--betas-d", &args.betas_d)] {
        if let Some(betas) = betas
            && betas.len() != 2
        {
            anyhow::bail!(
                "{flag} takes two values, B1,B2 (e.g. 0.5,0.999), got {}",
                betas.len()
            );
        }
    }
    let resumed = args.resume.as_deref().map(RunDir::open).transpose()?;
    let config = match &resumed {
        Some(run) => run.config()?,
        None => args.config(),
    };
    config.check().map_err(anyhow::Error::msg)?;
    let device = args.device.resolve().map_err(anyhow::Error::msg)?;
    let data = source::load(&DataOptions {
        dataset: config.dataset,
        data_dir: args.data_dir.as_deref(),
        csv: args.train_csv.as_deref(),
        digits: &config.digits,
        limit: config.limit,
        valid_size: config.valid_size,
        needs_labels: config.model.conditional,
    })?;
    train::training::check(&config, &data)?;
    let evaluator = if config.eval_every > 0 {
        let evaluator = source::load_evaluator(
            args.classifier.as_deref(),
            args.data_dir.as_deref(),
            &device,
        )
        .context("scoring the generator during training (--eval-every 0 turns it off)")?;
        Some(evaluator)
    } else {
        None
    };
    let prefix = format!("{:?}", config.model.arch).to_lowercase();
    let run = match resumed {
        Some(run) => run,
        None => RunDir::create(args.out.as_deref(), &prefix)?,
    };
    println!(
        "Training the {prefix} GAN on {} images ({} held out) on {device:?}; run directory {}",
        data.train.len(),
        data.valid.len(),
        run.path.display()
    );
    train::interrupt::install_handler()?;
    let progress = match args.progress_every {
        Some(secs) if secs.is_finite() && secs >= 0.0 => {
            Progress::Lines(Duration::from_secs_f64(secs))
        }
        Some(secs) => {
            anyhow::bail!("--progress-every {secs}: must be a non-negative number of seconds")
        }
        None => Progress::Auto,
    };
    let summary = match &args.resume {
        Some(_) => train::resume(&run, data, device, progress, evaluator)?,
        None => train::train(&config, data, device, &run, progress, evaluator)?,
    };
    if let Some(checkpoint) = &summary.interrupted {
        println!(
            "Stopped after step {}; checkpoint {}.\nResume with: train --resume {}",
            summary.steps,
            checkpoint.display(),
            run.path.display()
        );
        return Ok(Outcome::Interrupted);
    }
    println!(
        "Trained {} steps ({} epochs) in {:.1}s, {:.1} images/s. Samples: {}\nReport: {}\nGenerate with: cargo run -p generate -- --run {}",
        summary.steps,
        summary.epochs,
        summary.seconds,
        summary.images_per_sec,
        run.path.join("samples").display(),
        run.file(train::report::REPORT).display(),
        run.path.display()
    );
    Ok(Outcome::Done)
}

/// How `train` ended when it did not fail.
enum Outcome {
    Done,
    /// Stopped by Ctrl-C or SIGTERM after a checkpoint.
    Interrupted,
}

fn main() -> ExitCode {
    match parse().and_then(run) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        // As a shell reports a process ended by SIGINT.
        Ok(Outcome::Interrupted) => ExitCode::from(130),
        Err(err) => train::cli::exit_code(Err(err)),
    }
}
