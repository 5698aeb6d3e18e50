//! Putting a training run together: data loaders, optimisers, the Learner, the per-epoch work.

use crate::TrainConfig;
use crate::batch::ImageBatcher;
use crate::gan::Gan;
use crate::metrics::{GanMetric, IMAGES_PER_SECOND, ImagesPerSecond, Stat};
use crate::renderer::LineRenderer;
use crate::report;
use crate::run::{BEST, BEST_SCORES, DISCRIMINATOR, GENERATOR, RunDir, save_module};
use crate::strategy::{EpochWork, GanStrategy, Schedule};
use anyhow::{Context, Result, bail};
use burn::data::dataloader::DataLoaderBuilder;
use burn::module::ParamGroup;
use burn::optim::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::prelude::*;
use burn::train::checkpoint::KeepLastNCheckpoints;
use burn::train::metric::store::{Aggregate, EventStoreClient, Split};
use burn::train::{Learner, SupervisedTraining, TrainingStrategy};
use data::fsio::write_atomic;
use data::mnist::Mnist;
use data::pixels::Range;
use model::digits::DigitDataset;
use quality::{Evaluator, Report, Scores};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The images a run trains and validates on.
#[derive(Debug, Clone)]
pub struct TrainData {
    /// Training images.
    pub train: Mnist,
    /// Held-out images the discriminator is validated on.
    pub valid: Mnist,
}

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// Epochs completed.
    pub epochs: usize,
    /// Steps done.
    pub steps: usize,
    /// Wall-clock seconds of the whole run.
    pub seconds: f64,
    /// Training images per second over the run.
    pub images_per_sec: f64,
}

/// How the run shows its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The Learner's terminal dashboard on a terminal, plain lines otherwise.
    Auto,
    /// Plain lines, every given interval.
    Lines(Duration),
}

/// Checks that `config` is valid and fits `data` (a batch no larger than the training set).
pub fn check(config: &TrainConfig, data: &TrainData) -> Result<()> {
    config.check().map_err(anyhow::Error::msg)?;
    let n = data.train.len();
    if n < config.batch_size {
        bail!(
            "--batch-size {} is larger than the {n} training images",
            config.batch_size
        );
    }
    Ok(())
}

/// Trains a GAN on `data` on `device`, writing everything into `run`. With an `evaluator`,
/// the generator is scored every `config.eval_every` epochs (see [`Scoring`]).
pub fn train(
    config: &TrainConfig,
    data: TrainData,
    device: Device,
    run: &RunDir,
    progress: Progress,
    evaluator: Option<Evaluator>,
) -> Result<TrainSummary> {
    check(config, &data)?;
    let n = data.train.len();
    run.save_config(config)?;
    device.seed(config.seed);
    // Parameters track gradients only when created on an autodiff device.
    let gan = Gan::new(
        &config.model,
        config.multiplier,
        config.loss,
        config.saturating,
        &device.clone().autodiff(),
    );
    let (optim, lr) = optimisers(config, &gan);
    let fixed_noise = config.model.noise.sample_seeded(
        config.grid_size,
        config.model.noise_dim,
        config.seed,
        &device,
    );
    let learner = Learner::new(gan, optim, lr);

    let train_loader = DataLoaderBuilder::new(ImageBatcher)
        .batch_size(config.batch_size)
        .shuffle(config.seed)
        .num_workers(1)
        .set_device(device.clone())
        .build(DigitDataset::new(data.train));
    let valid_loader = DataLoaderBuilder::new(ImageBatcher)
        .batch_size(config.batch_size)
        .set_device(device.clone())
        .build(DigitDataset::new(data.valid));

    let steps_per_epoch = n.div_ceil(config.batch_size);
    let epochs = config
        .steps
        .map(|s| s.div_ceil(steps_per_epoch))
        .unwrap_or(config.epochs);
    let schedule = Schedule {
        generator_update_step: config.generator_update_step,
        pre_train: config.pre_train,
        max_steps: config.steps,
    };
    let scoring = match evaluator {
        Some(evaluator) if config.eval_every > 0 => Some(Scoring::new(evaluator, config)),
        _ => None,
    };
    let started = Instant::now();
    let work = EpochOutputs {
        run: run.clone(),
        fixed_noise,
        started,
        scoring,
    };
    let strategy = GanStrategy::new(device.clone(), schedule, Box::new(work));
    let error = strategy.error_slot();
    let steps = strategy.steps_slot();

    let mut training = SupervisedTraining::new(&run.path, train_loader, valid_loader)
        .with_training_strategy(TrainingStrategy::Custom(Arc::new(strategy)))
        .with_default_checkpointers()
        .with_checkpointing_strategy(KeepLastNCheckpoints::new(2))
        .num_epochs(epochs);
    for stat in Stat::ALL {
        training = training
            .metric_train_numeric(GanMetric::new(stat))
            .metric_valid_numeric(GanMetric::new(stat));
    }
    training = training.metric_train_numeric(ImagesPerSecond::default());
    let lines = match progress {
        Progress::Lines(every) => Some(every),
        Progress::Auto if !std::io::stdout().is_terminal() => Some(Duration::from_secs(5)),
        Progress::Auto => None,
    };
    if let Some(every) = lines {
        training = training.renderer(Box::new(LineRenderer::new(every)));
    }

    let result = training.launch(learner);
    if let Some(err) = error.lock().expect("error lock").take() {
        return Err(err);
    }
    if let Some(err) = result.error {
        bail!("training failed: {err}");
    }
    let steps = *steps.lock().expect("steps lock");
    let seconds = started.elapsed().as_secs_f64();
    Ok(TrainSummary {
        epochs: steps.div_ceil(steps_per_epoch),
        steps,
        seconds,
        // Every step takes a full batch except an epoch's last, so this is a close upper bound.
        images_per_sec: (steps * config.batch_size).min(n * epochs) as f64 / seconds,
    })
}

/// The two Adam optimisers as one: the discriminator's is the default parameter group, the
/// generator's its own group, each with its own learning rate.
pub fn optimisers(config: &TrainConfig, gan: &Gan) -> (ModuleOptimizer, ModuleLrScheduler) {
    let generator = ParamGroup::ids_from_module(gan.generator.clone());
    let adam = |o: &crate::OptimConfig| AdamConfig::new().with_beta_1(o.beta1).with_beta_2(o.beta2);
    let optim = adam(&config.optim_d).init().with_group(
        generator.clone(),
        adam(&config.optim_g).build(),
        None,
    );
    let lr = ModuleLrScheduler::new(config.optim_d.lr).with_group(generator, config.optim_g.lr);
    (optim, lr)
}

/// Scoring the generator during training: every `every` epochs, `samples` images drawn with
/// the same seed are scored; the weights with the lowest Fréchet distance so far are kept in
/// the run's `best/` directory, with their report.
pub struct Scoring {
    evaluator: Evaluator,
    every: usize,
    samples: usize,
    seed: u64,
    model: model::ModelConfig,
    floor: Scores,
    best: Mutex<Option<f64>>,
}

impl Scoring {
    /// Scores as `config` says (its `eval_every`, `eval_samples`, `seed`), computing the
    /// real-data floor for that many images once.
    pub fn new(evaluator: Evaluator, config: &TrainConfig) -> Self {
        let floor = evaluator.floor(config.eval_samples);
        Self {
            floor,
            evaluator,
            every: config.eval_every.max(1),
            samples: config.eval_samples,
            seed: config.seed,
            model: config.model.clone(),
            best: Mutex::new(None),
        }
    }

    /// Scores `generator` after `epoch` if it is due; returns the scores and whether they are
    /// the best so far (in which case the weights are saved into `best/`).
    fn epoch_done(
        &self,
        epoch: usize,
        steps: usize,
        model: &Gan,
        generator: &model::Generator,
        run: &RunDir,
    ) -> Result<Option<Scores>> {
        if !epoch.is_multiple_of(self.every) {
            return Ok(None);
        }
        let device = self.evaluator.device();
        let images = model::sample(generator, &self.model, self.samples, self.seed, device)?;
        let scores = self.evaluator.scores(&images);
        let mut best = self.best.lock().expect("best lock");
        let improved = best.is_none_or(|b| scores.frechet_distance < b);
        if improved {
            *best = Some(scores.frechet_distance);
            let dir = run.path.join(BEST);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
            save_module(generator, &dir.join(GENERATOR))?;
            save_module(&model.discriminator, &dir.join(DISCRIMINATOR))?;
            let report = BestReport {
                epoch,
                step: steps,
                report: Report {
                    source: run.path.display().to_string(),
                    samples: scores.clone(),
                    real: self.floor.clone(),
                },
            };
            let json = serde_json::to_string_pretty(&report)?;
            write_atomic(&dir.join(BEST_SCORES), |out| out.write_all(json.as_bytes()))?;
        }
        println!(
            "epoch {epoch}: classifier score {:.2} (real data {:.2}), Fréchet distance {:.2} (real data {:.2}), rarest digit {:.1} %{}",
            scores.classifier_score,
            self.floor.classifier_score,
            scores.frechet_distance,
            self.floor.frechet_distance,
            scores.rarest_share * 100.0,
            if improved {
                "; best so far, kept in best/"
            } else {
                ""
            }
        );
        Ok(Some(scores))
    }
}

/// The scores of the best weights, as written to `best/scores.json`.
#[derive(Debug, serde::Serialize)]
struct BestReport {
    epoch: usize,
    step: usize,
    #[serde(flatten)]
    report: Report,
}

/// The per-epoch outputs: weights, the sample grid, scores and a log line.
struct EpochOutputs {
    run: RunDir,
    fixed_noise: Tensor<2>,
    started: Instant,
    scoring: Option<Scoring>,
}

impl EpochWork for EpochOutputs {
    fn epoch_done(
        &self,
        epoch: usize,
        steps: usize,
        model: &Gan,
        store: &EventStoreClient,
    ) -> Result<()> {
        // The fixed noise lives on the training device's inner (non-autodiff) side, where
        // the generator in inference mode runs.
        let generator = model.generator.valid();
        save_module(&generator, &self.run.file(GENERATOR))?;
        save_module(&model.discriminator, &self.run.file(DISCRIMINATOR))?;
        let samples = generator
            .forward(self.fixed_noise.clone())
            .into_data()
            .convert::<f32>();
        let samples = samples
            .try_into_vec::<f32>()
            .map_err(|e| anyhow::anyhow!("cannot read samples: {e:?}"))?;
        let n = samples.len() / data::PIXELS;
        let grid = data::png::grid(&samples, data::png::grid_cols(n), Range::Signed);
        data::png::save(&grid, &self.run.grid(epoch))?;

        let mean = |stat: &str, split: Split| {
            store
                .find_metric(stat, epoch, Aggregate::Mean, &split)
                .map(|v| format!("{v:.6}"))
                .unwrap_or_default()
        };
        let mut fields = vec![epoch.to_string(), steps.to_string()];
        for split in [Split::Train, Split::Valid] {
            for stat in Stat::ALL {
                fields.push(mean(stat.name(), split.clone()));
            }
        }
        fields.push(mean(IMAGES_PER_SECOND, Split::Train));
        fields.push(format!("{:.1}", self.started.elapsed().as_secs_f64()));
        let scores = match &self.scoring {
            Some(scoring) => scoring.epoch_done(epoch, steps, model, &generator, &self.run)?,
            None => None,
        };
        match scores {
            Some(s) => fields.extend(
                [
                    s.classifier_score,
                    s.frechet_distance,
                    s.class_kl,
                    s.rarest_share,
                    s.confidence,
                    s.nearest_train_mean,
                ]
                .map(|v| format!("{v:.6}")),
            ),
            None => fields.extend(std::iter::repeat_n(String::new(), 6)),
        }
        self.run.append_log(&fields.join(","))?;
        // The report is derived from the files above: failing to draw it loses nothing.
        if let Err(err) = report::write_report(&self.run) {
            eprintln!("warning: {}: not updated: {err:#}", report::REPORT);
        }
        Ok(())
    }
}
