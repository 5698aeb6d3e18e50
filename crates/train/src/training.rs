//! Putting a training run together: data loaders, optimisers, the Learner, the per-epoch work.

use crate::TrainConfig;
use crate::batch::ImageBatcher;
use crate::checkpoint::{Checkpoints, Loaded, Position, RecordTaps, Records, SaveWhenAsked, State};
use crate::config::Optimizer;
use crate::ema::Ema;
use crate::gan::Gan;
use crate::loss::Loss;
use crate::metrics::{GanMetric, ImagesPerSecond, Stat};
use crate::order::EpochOrder;
use crate::renderer::LineRenderer;
use crate::report;
use crate::run::{BEST, BEST_SCORES, DISCRIMINATOR, GENERATOR, GENERATOR_EMA, RunDir, save_module};
use crate::steplog::StepLog;
use crate::strategy::{EpochMeans, GanStrategy, Plan, RunWork, Schedule};
use anyhow::{Context, Result, bail};
use burn::data::dataloader::DataLoaderBuilder;
use burn::module::ParamGroup;
use burn::optim::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::{AdamConfig, ModuleOptimizer, RmsPropConfig};
use burn::prelude::*;
use burn::train::logger::InMemoryMetricLogger;
use burn::train::{Learner, SupervisedTraining, TrainingStrategy};
use data::fsio::write_atomic;
use data::mnist::Mnist;
use data::pixels::Range;
use model::digits::DigitDataset;
use quality::{Evaluator, Report, Scores};
use std::io::IsTerminal;
use std::path::PathBuf;
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

/// What a finished (or interrupted) run reports.
#[derive(Debug, Clone)]
pub struct TrainSummary {
    /// Epochs completed or begun.
    pub epochs: usize,
    /// Steps done in all.
    pub steps: usize,
    /// Wall-clock seconds of this process's part of the run.
    pub seconds: f64,
    /// Training images per second over this process's part of the run.
    pub images_per_sec: f64,
    /// Set when the run was stopped by Ctrl-C or SIGTERM: the checkpoint written there.
    pub interrupted: Option<PathBuf>,
    /// The last checkpoint written.
    pub last_checkpoint: Option<PathBuf>,
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
    run.save_config(config)?;
    launch(config, data, device, run, progress, evaluator, None)
}

/// Continues the run in `run` from its newest checkpoint that loads (damaged ones are skipped
/// with a warning), on the same data, as if it had never stopped: the log and the grids go on
/// from the checkpoint, without gaps or repeated steps. A run stopped before its first
/// checkpoint starts over from its `config.json`.
pub fn resume(
    run: &RunDir,
    data: TrainData,
    device: Device,
    progress: Progress,
    evaluator: Option<Evaluator>,
) -> Result<TrainSummary> {
    let checkpoints = Checkpoints::new(&run.path, 1);
    let Some(loaded) = checkpoints.newest(|warning| eprintln!("warning: {warning}"))? else {
        eprintln!(
            "warning: {}: no usable checkpoint; starting the run over from its {}",
            run.path.display(),
            crate::run::CONFIG
        );
        let config = run.config()?;
        check(&config, &data)?;
        run.truncate_to(0)?;
        return launch(&config, data, device, run, progress, evaluator, None);
    };
    let config = loaded.state.config.clone();
    check(&config, &data)?;
    if loaded.state.train_images != data.train.len() {
        bail!(
            "{}: the run trained on {} images, but the data given has {}; resume with the same --data-dir or --train-csv",
            loaded.dir.display(),
            loaded.state.train_images,
            data.train.len()
        );
    }
    run.truncate_to(loaded.state.position.epochs_done)?;
    launch(
        &config,
        data,
        device,
        run,
        progress,
        evaluator,
        Some(loaded),
    )
}

/// Builds the Learner (from `resume_from` when given) and runs the training loop.
fn launch(
    config: &TrainConfig,
    data: TrainData,
    device: Device,
    run: &RunDir,
    progress: Progress,
    evaluator: Option<Evaluator>,
    resume_from: Option<Loaded>,
) -> Result<TrainSummary> {
    let n = data.train.len();
    device.seed(config.seed);
    // Parameters track gradients only when created on an autodiff device.
    let mut gan = Gan::new(config, &device.clone().autodiff());
    let (start, seconds, fixed_noise, resumed_from) = match &resume_from {
        None => {
            let noise = config.model.noise.sample_seeded(
                config.grid_size,
                config.model.noise_dim,
                config.seed,
                &device,
            );
            // A conditional model's grid has one digit per row.
            let labels = config.model.conditional.then(|| {
                let (digits, _) = config.model.grid_layout(config.grid_size);
                model::condition::one_hot(&digits, &device)
            });
            let values = model::condition::generator_input(noise, labels)
                .to_data()
                .convert::<f32>()
                .try_into_vec::<f32>()
                .unwrap_or_default();
            (Position::default(), 0.0, values, None)
        }
        Some(loaded) => {
            let state = &loaded.state;
            println!(
                "Resuming from {} (step {}, {} epochs done)",
                loaded.dir.display(),
                state.position.step,
                state.position.epochs_done
            );
            (
                state.position,
                state.seconds,
                state.fixed_noise.clone(),
                Some(loaded.dir.clone()),
            )
        }
    };
    let mut optim_state = None;
    let mut ema_record = None;
    if let Some(loaded) = resume_from {
        ema_record = loaded
            .records
            .ema
            .map(|record| (record, loaded.dir.join(crate::checkpoint::EMA)));
        // The record carries the parameters' ids, which the optimiser's state and the
        // generator's parameter group are keyed by: load it before building the optimisers.
        let what = format!(
            "the {:?} networks of the run's configuration",
            config.model.arch
        );
        gan = model::store::apply_record(
            gan,
            loaded.records.model,
            &loaded.dir.join(crate::checkpoint::MODEL),
            &what.to_lowercase(),
        )?;
        optim_state = Some((loaded.records.optim, loaded.records.scheduler));
    }
    let ema = match (config.ema, ema_record) {
        (None, _) => None,
        (Some(decay), None) => Some(Ema::new(&gan.generator, decay)),
        (Some(decay), Some((record, path))) => {
            let what = format!("the {:?} generator", config.model.arch).to_lowercase();
            // Loaded into a copy of the training generator: parameters take the record's ids,
            // but batch norm's running statistics keep the module's, and the average is
            // matched to the training generator by id.
            let average = model::store::apply_record(gan.generator.valid(), record, &path, &what)?;
            Some(Ema::from_average(&average, decay))
        }
    };
    let (optim, lr) = optimisers(config, &gan);
    let mut learner = Learner::new(gan, optim, lr);
    if let Some((optim, scheduler)) = optim_state {
        learner.load_optim(optim);
        learner.load_scheduler(scheduler);
    }
    let fixed = Tensor::<2>::from_data(
        TensorData::new(
            fixed_noise.clone(),
            [config.grid_size, config.model.generator_input_dim()],
        ),
        &device,
    );

    let order = EpochOrder::new(DigitDataset::new(data.train), config.seed);
    let train_loader = DataLoaderBuilder::new(ImageBatcher)
        .batch_size(config.batch_size)
        .num_workers(1)
        .set_device(device.clone())
        .build(order.clone());
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
        instance_noise: config.instance_noise,
        total_steps: config.steps.unwrap_or(epochs * steps_per_epoch),
    };
    let scoring = match evaluator {
        Some(evaluator) if config.eval_every > 0 => Some(Scoring::new(evaluator, config, run)),
        _ => None,
    };
    let started = Instant::now();
    let work = RunOutputs {
        run: run.clone(),
        config: config.clone(),
        fixed_noise: fixed,
        fixed_noise_values: fixed_noise,
        train_images: n,
        started,
        seconds_before: seconds,
        scoring,
        checkpoints: Checkpoints::new(&run.path, config.keep),
    };
    let plan = Plan {
        seed: config.seed,
        start,
        checkpoint_every: config.checkpoint_every,
        clip: (config.loss == Loss::Wgan).then_some(config.clip),
        ema,
        order,
        log: StepLog::open(&run.path, start.step, start.epochs_done + 1)?,
        resumed_from,
        time_limit: config.time_limit,
        seconds_before: seconds,
    };
    let (taps, receivers) = RecordTaps::new();
    let strategy = GanStrategy::new(device.clone(), schedule, plan, receivers, Box::new(work));
    let finish = strategy.finish_slot();

    let mut training = SupervisedTraining::new(&run.path, train_loader, valid_loader)
        .with_training_strategy(TrainingStrategy::Custom(Arc::new(strategy)))
        .with_custom_checkpointers(taps.0, taps.1, taps.2)
        .with_checkpointing_strategy(SaveWhenAsked)
        .with_metric_logger(InMemoryMetricLogger::default())
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
        // A time limit ends the run early: the ETA says so.
        let deadline = config
            .time_limit
            .map(|limit| Instant::now() + Duration::from_secs_f64((limit - seconds).max(0.0)));
        training = training.renderer(Box::new(LineRenderer::new(every).with_deadline(deadline)));
    }

    let result = training.launch(learner);
    let finish = finish.lock().unwrap_or_else(|e| e.into_inner()).take();
    let finish = match finish {
        Some(outcome) => outcome?,
        None => bail!(
            "training failed: {}",
            result
                .error
                .map(|e| e.to_string())
                .unwrap_or_else(|| "the training loop did not run".into())
        ),
    };
    if let Some(err) = result.error {
        bail!("training failed: {err}");
    }
    let seconds = started.elapsed().as_secs_f64();
    let trained = finish.steps - start.step;
    Ok(TrainSummary {
        epochs: finish.steps.div_ceil(steps_per_epoch),
        steps: finish.steps,
        seconds,
        // Every step takes a full batch except an epoch's last, so this is a close upper bound.
        images_per_sec: (trained * config.batch_size).min(n * epochs) as f64 / seconds,
        interrupted: finish.interrupted,
        last_checkpoint: finish.last_checkpoint,
    })
}

/// The two networks' optimisers as one: the discriminator's is the default parameter group,
/// the generator's its own group, each with its own learning rate (and Adam betas).
pub fn optimisers(config: &TrainConfig, gan: &Gan) -> (ModuleOptimizer, ModuleLrScheduler) {
    let generator = ParamGroup::ids_from_module(gan.generator.clone());
    let optim = match config.optimizer {
        Optimizer::Adam => {
            let adam = |o: &crate::OptimConfig| {
                AdamConfig::new().with_beta_1(o.beta1).with_beta_2(o.beta2)
            };
            adam(&config.optim_d).init().with_group(
                generator.clone(),
                adam(&config.optim_g).build(),
                None,
            )
        }
        Optimizer::Rmsprop => {
            // Plain RMSProp, as the WGAN paper (and PyTorch's defaults): no momentum.
            let rmsprop = RmsPropConfig::new().with_momentum(0.0).with_epsilon(1e-8);
            rmsprop
                .init()
                .with_group(generator.clone(), rmsprop.build(), None)
        }
    };
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
    /// real-data floor for that many images once. The best score so far is read from the
    /// run's `best/scores.json` when it has one (a resumed run).
    pub fn new(evaluator: Evaluator, config: &TrainConfig, run: &RunDir) -> Self {
        let floor = evaluator.floor(config.eval_samples);
        let best = std::fs::read_to_string(run.path.join(BEST).join(BEST_SCORES))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|v| v["samples"]["frechet_distance"].as_f64());
        Self {
            floor,
            evaluator,
            every: config.eval_every.max(1),
            samples: config.eval_samples,
            seed: config.seed,
            model: config.model.clone(),
            best: Mutex::new(best),
        }
    }

    /// Scores `generator` after `epoch` if it is due; returns the scores and whether they are
    /// the best so far (in which case the weights are saved into `best/`).
    fn epoch_done(
        &self,
        epoch: usize,
        steps: usize,
        model: &Gan,
        ema: Option<&model::Generator>,
        run: &RunDir,
    ) -> Result<Option<(Scores, bool)>> {
        if !epoch.is_multiple_of(self.every) {
            return Ok(None);
        }
        let device = self.evaluator.device();
        // The weights sampling uses: the moving average when the run keeps one.
        let raw = model.generator.valid();
        let generator = ema.unwrap_or(&raw);
        let images = model::sample(generator, &self.model, self.samples, self.seed, device)?;
        let scores = self.evaluator.scores(&images);
        // A conditional generator is asked for its digits in turn (see model::sample).
        let agreement = self.model.conditional.then(|| {
            let digits = self.model.cycle_digits(self.samples);
            self.evaluator.agreement(&images, &digits)
        });
        let mut best = self.best.lock().expect("best lock");
        let improved = best.is_none_or(|b| scores.frechet_distance < b);
        if improved {
            *best = Some(scores.frechet_distance);
            let dir = run.path.join(BEST);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
            save_module(&raw, &dir.join(GENERATOR))?;
            if let Some(ema) = ema {
                save_module(ema, &dir.join(GENERATOR_EMA))?;
            }
            save_module(&model.discriminator, &dir.join(DISCRIMINATOR))?;
            let report = BestReport {
                epoch,
                step: steps,
                report: Report {
                    source: run.path.display().to_string(),
                    samples: scores.clone(),
                    real: self.floor.clone(),
                    agreement,
                },
            };
            let json = serde_json::to_string_pretty(&report)?;
            write_atomic(&dir.join(BEST_SCORES), |out| out.write_all(json.as_bytes()))?;
        }
        println!(
            "epoch {epoch}: classifier score {:.2} (real data {:.2}), Fréchet distance {:.2} (real data {:.2}), rarest digit {:.1} %{}{}",
            scores.classifier_score,
            self.floor.classifier_score,
            scores.frechet_distance,
            self.floor.frechet_distance,
            scores.rarest_share * 100.0,
            agreement
                .map(|a| format!(", digit asked for read back {:.1} %", a * 100.0))
                .unwrap_or_default(),
            if improved {
                "; best so far, kept in best/"
            } else {
                ""
            }
        );
        Ok(Some((scores, improved)))
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

/// What the run writes: after each epoch the weights, the sample grid, scores and a log line;
/// checkpoints when the loop asks.
struct RunOutputs {
    run: RunDir,
    config: TrainConfig,
    fixed_noise: Tensor<2>,
    fixed_noise_values: Vec<f32>,
    train_images: usize,
    started: Instant,
    seconds_before: f64,
    scoring: Option<Scoring>,
    checkpoints: Checkpoints,
}

impl RunOutputs {
    /// Seconds of training in all, across resumes.
    fn seconds(&self) -> f64 {
        self.seconds_before + self.started.elapsed().as_secs_f64()
    }
}

impl RunWork for RunOutputs {
    fn epoch_done(
        &self,
        epoch: usize,
        steps: usize,
        model: &Gan,
        ema: Option<&model::Generator>,
        means: &EpochMeans,
    ) -> Result<bool> {
        // The fixed noise lives on the training device's inner (non-autodiff) side, where
        // the generator in inference mode runs.
        let raw = model.generator.valid();
        save_module(&raw, &self.run.file(GENERATOR))?;
        if let Some(ema) = ema {
            save_module(ema, &self.run.file(GENERATOR_EMA))?;
        }
        save_module(&model.discriminator, &self.run.file(DISCRIMINATOR))?;
        // The grid shows what sampling will draw: the moving average when there is one.
        let generator = ema.unwrap_or(&raw);
        let samples = generator
            .forward(self.fixed_noise.clone())
            .into_data()
            .convert::<f32>();
        let samples = samples
            .try_into_vec::<f32>()
            .map_err(|e| anyhow::anyhow!("cannot read samples: {e:?}"))?;
        let n = samples.len() / data::PIXELS;
        let (_, cols) = self.config.model.grid_layout(n);
        let grid = data::png::grid(&samples, cols, Range::Signed);
        data::png::save(&grid, &self.run.grid(epoch))?;

        let format = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
        let mut fields = vec![epoch.to_string(), steps.to_string()];
        fields.extend(means.train.iter().chain(&means.valid).map(|&v| format(v)));
        fields.push(
            means
                .images_per_sec
                .map(|v| format!("{v:.6}"))
                .unwrap_or_default(),
        );
        fields.push(format!("{:.1}", self.seconds()));
        let scored = match &self.scoring {
            Some(scoring) => scoring.epoch_done(epoch, steps, model, ema, &self.run)?,
            None => None,
        };
        let best = scored.as_ref().is_some_and(|(_, improved)| *improved);
        match scored {
            Some((s, _)) => fields.extend(
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
        Ok(best)
    }

    fn checkpoint(&self, position: Position, best: bool, records: Records) -> Result<PathBuf> {
        let state = State {
            position,
            seconds: self.seconds(),
            train_images: self.train_images,
            best,
            fixed_noise: self.fixed_noise_values.clone(),
            config: self.config.clone(),
        };
        self.checkpoints.write(&state, records)
    }
}
