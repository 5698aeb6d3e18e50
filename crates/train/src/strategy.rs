//! The learning strategy: the Learner's single-device loop, extended for GANs.
//!
//! Burn's default strategy steps every batch the same way. This one (a custom
//! [`SupervisedLearningStrategy`], the Learner's extension point) also:
//! - decides per step whether the generator trains ([`Schedule`]: discriminator-only
//!   pre-training, then one generator step every `generator_update_step` steps);
//! - stops after a total number of steps, mid-epoch if need be;
//! - visits each epoch's images in an order fixed by the seed and the epoch, and seeds each
//!   step's noise from the seed and the step, so that a run resumed from a checkpoint goes on
//!   exactly as the uninterrupted one;
//! - logs every step (`steps.csv`) and stops on a NaN or infinite loss;
//! - writes checkpoints every `checkpoint_every` steps, after each epoch and when asked to stop
//!   (Ctrl-C, SIGTERM), skipping the batches already done when it resumes mid-epoch;
//! - runs the per-epoch work (weights, grid, log line, scores: [`RunWork`]).

use crate::checkpoint::{Position, RecordTaps, Records, non_finite_parameter, step_seed};
use crate::ema::Ema;
use crate::gan::Gan;
use crate::order::EpochOrder;
use crate::steplog::StepLog;
use burn::data::dataloader::Progress;
use burn::prelude::*;
use burn::train::metric::store::EventStoreClient;
use burn::train::{
    EventProcessorTraining, InferenceStep, Interrupter, Learner, LearnerEvent,
    LearningCheckpointer, SupervisedLearningStrategy, SupervisedTrainingEventProcessor,
    TrainLoader, TrainStep, TrainingComponents, TrainingItem, ValidLoader,
};
use model::Generator;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// When the generator trains.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Discriminator steps per generator step.
    pub generator_update_step: usize,
    /// Discriminator-only steps at the start.
    pub pre_train: usize,
    /// Stop after this many steps in all.
    pub max_steps: Option<usize>,
    /// Instance noise's standard deviation at the first step (0: none).
    pub instance_noise: f64,
    /// Steps the run will take, over which the instance noise decreases to 0.
    pub total_steps: usize,
}

impl Schedule {
    /// Whether step `step` (counted from 0 over the whole run) trains the generator.
    pub fn trains_generator(&self, step: usize) -> bool {
        step >= self.pre_train
            && (step - self.pre_train).is_multiple_of(self.generator_update_step.max(1))
    }

    /// The instance noise's standard deviation at step `step` (from 0): decreasing linearly
    /// from its start to 0 at the last step.
    pub fn instance_noise(&self, step: usize) -> f64 {
        let left = 1.0 - step as f64 / self.total_steps.max(1) as f64;
        self.instance_noise * left.max(0.0)
    }

    /// Whether the run is over after `steps` steps.
    pub fn done(&self, steps: usize) -> bool {
        self.max_steps.is_some_and(|m| steps >= m)
    }
}

/// What the training loop hands back to the rest of the run.
pub trait RunWork: Send + Sync {
    /// Called after epoch `epoch` (from 1) with the steps done so far, the model and the
    /// epoch's mean statistics; returns whether the weights scored best so far.
    fn epoch_done(
        &self,
        epoch: usize,
        steps: usize,
        model: &Gan,
        ema: Option<&Generator>,
        means: &EpochMeans,
    ) -> anyhow::Result<bool>;

    /// Writes a checkpoint of the run at `position` from the Learner's records; returns its
    /// directory.
    fn checkpoint(
        &self,
        position: Position,
        best: bool,
        records: Records,
    ) -> anyhow::Result<PathBuf>;
}

/// An epoch's mean statistics, in the order of [`Stat::ALL`](crate::metrics::Stat::ALL).
#[derive(Debug, Clone, Default)]
pub struct EpochMeans {
    /// Over the training steps (weighted by images; the generator's loss over the steps that
    /// trained it).
    pub train: [Option<f64>; 4],
    /// Over the validation batches.
    pub valid: [Option<f64>; 4],
    /// Training images per second in this process's part of the epoch.
    pub images_per_sec: Option<f64>,
}

/// Where the loop starts and how often it checkpoints.
pub struct Plan {
    /// The run's seed: step `s` draws its noise from [`step_seed`]`(seed, s)`.
    pub seed: u64,
    /// Where the run stands (all zeros for a new run).
    pub start: Position,
    /// Write a checkpoint every this many steps (0: only after each epoch).
    pub checkpoint_every: usize,
    /// WGAN: clip the critic's weights to ±this after every step.
    pub clip: Option<f64>,
    /// The moving average of the generator's weights, updated after each generator step.
    pub ema: Option<Ema>,
    /// The training images' order, shuffled per epoch.
    pub order: EpochOrder,
    /// The per-step log, opened at `start`.
    pub log: StepLog,
    /// The checkpoint the run resumed from, if any.
    pub resumed_from: Option<PathBuf>,
    /// Stop once this many seconds of training are done (counting those before a resume).
    pub time_limit: Option<f64>,
    /// Seconds of training done before this process (a resumed run's).
    pub seconds_before: f64,
}

/// How the loop ended.
#[derive(Debug, Clone, Default)]
pub struct Finish {
    /// Steps done in all.
    pub steps: usize,
    /// Set when the run was stopped (Ctrl-C, SIGTERM) and checkpointed there.
    pub interrupted: Option<PathBuf>,
    /// The last checkpoint written.
    pub last_checkpoint: Option<PathBuf>,
}

/// The GAN learning strategy on one device.
pub struct GanStrategy {
    device: Device,
    schedule: Schedule,
    work: Box<dyn RunWork>,
    plan: Mutex<Plan>,
    taps: Mutex<RecordTaps>,
    finish: Arc<Mutex<Option<anyhow::Result<Finish>>>>,
}

impl GanStrategy {
    /// A strategy training on `device` (made autodiff) with `schedule` from `plan`, receiving
    /// the Learner's records from `taps` and handing epochs and checkpoints to `work`.
    pub fn new(
        device: Device,
        schedule: Schedule,
        plan: Plan,
        taps: RecordTaps,
        work: Box<dyn RunWork>,
    ) -> Self {
        Self {
            device: device.autodiff(),
            schedule,
            work,
            plan: Mutex::new(plan),
            taps: Mutex::new(taps),
            finish: Arc::default(),
        }
    }

    /// Where the outcome is left when the loop ends.
    pub fn finish_slot(&self) -> Arc<Mutex<Option<anyhow::Result<Finish>>>> {
        self.finish.clone()
    }
}

impl SupervisedLearningStrategy<Gan> for GanStrategy {
    fn fit(
        &self,
        components: TrainingComponents<Gan>,
        mut learner: Learner<Gan>,
        train: TrainLoader<Gan>,
        valid: ValidLoader<Gan>,
        _starting_epoch: usize,
    ) -> (Gan, SupervisedTrainingEventProcessor<Gan>) {
        let train = train.to_device(&self.device);
        let valid = valid.to_device(&self.device.clone().inner());
        learner.fork(&self.device);
        let mut processor = components.event_processor;
        let interrupter = components.interrupter;
        let mut plan = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        let mut lp = Loop {
            strategy: self,
            plan: &mut plan,
            checkpointer: components.checkpointer,
            store: components.event_store,
            interrupter: &interrupter,
            processor: &mut processor,
            num_epochs: components.num_epochs,
            last_checkpoint: None,
        };
        let outcome = lp.run(&mut learner, &train, &valid);
        if let Err(err) = &outcome {
            interrupter.stop(Some(&format!("{err:#}")));
        }
        *self.finish.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
        drop(plan);
        (learner.model(), processor)
    }
}

/// Steps between two reads of the step statistics when no checkpoint or epoch end comes
/// sooner (a read waits for the device).
const FLUSH_EVERY: usize = 50;

/// One run of the training loop.
struct Loop<'a> {
    strategy: &'a GanStrategy,
    plan: &'a mut Plan,
    checkpointer: Option<LearningCheckpointer<Gan>>,
    store: Arc<EventStoreClient>,
    interrupter: &'a Interrupter,
    processor: &'a mut SupervisedTrainingEventProcessor<Gan>,
    num_epochs: usize,
    last_checkpoint: Option<PathBuf>,
}

impl Loop<'_> {
    fn run(
        &mut self,
        learner: &mut Learner<Gan>,
        train: &TrainLoader<Gan>,
        valid: &ValidLoader<Gan>,
    ) -> anyhow::Result<Finish> {
        let schedule = self.strategy.schedule;
        let run_began = Instant::now();
        let (limit, before) = (self.plan.time_limit, self.plan.seconds_before);
        // The run is over after its steps, or once its time is spent.
        let done = |step: usize| {
            schedule.done(step)
                || limit.is_some_and(|l| before + run_began.elapsed().as_secs_f64() >= l)
        };
        let base = self.strategy.device.clone().inner();
        let start = self.plan.start;
        self.last_checkpoint = self.plan.resumed_from.clone();
        let mut step = start.step;
        let finish = |steps, interrupted, last: &Option<PathBuf>| Finish {
            steps,
            interrupted,
            last_checkpoint: last.clone(),
        };
        if done(step) {
            return Ok(finish(step, None, &self.last_checkpoint));
        }
        for epoch in start.epochs_done + 1..=self.num_epochs {
            self.plan.order.set_epoch(epoch);
            self.event(LearnerEvent::StartSplit {
                epoch_number: epoch,
                total_items: train.num_items(),
            });
            let mut batches = train.iter();
            // A resumed epoch skips the batches its checkpoint had already trained on.
            let skip = if epoch == start.epochs_done + 1 {
                start.batches_done
            } else {
                0
            };
            for _ in 0..skip {
                if batches.next().is_none() {
                    break;
                }
            }
            let mut iteration = skip;
            let began = Instant::now();
            let mut images = 0;
            while let Some(batch) = batches.next() {
                let mut batch = batch.map_err(|e| anyhow::anyhow!("loading a batch: {e:?}"))?;
                batch.train_generator = schedule.trains_generator(step);
                batch.instance_noise = schedule.instance_noise(step);
                let trains_generator = batch.train_generator;
                let [n, ..] = batch.images.dims();
                base.seed(step_seed(self.plan.seed, step));
                iteration += 1;
                step += 1;
                images += n;
                let progress = batches.progress();
                let epoch_ends = progress.items_processed >= progress.items_total;
                let output = learner.train_step(batch);
                learner.lr_step();
                learner.optimizer_step(output.grads);
                if let Some(c) = self.plan.clip {
                    // The Learner's model is reachable only through records.
                    let mut gan = learner.model();
                    gan.discriminator = gan.discriminator.clipped(c);
                    learner.load_model(gan.into_record());
                }
                if trains_generator && let Some(ema) = &mut self.plan.ema {
                    ema.update(&learner.model().generator, step);
                }
                self.plan
                    .log
                    .push(step, epoch, n, trains_generator, output.item.stats.clone());
                let item = TrainingItem::new(
                    output.item,
                    progress,
                    Some(iteration),
                    Some(learner.lr_current()),
                );
                self.event(LearnerEvent::ProcessedItem(item));
                let position = Position {
                    step,
                    epochs_done: epoch - 1,
                    batches_done: iteration,
                };
                if stop_requested(self.interrupter) {
                    let dir = self.checkpoint(learner, position, false)?;
                    return Ok(finish(step, Some(dir), &self.last_checkpoint));
                }
                // The epoch's last batch and the run's last step are checkpointed after the
                // epoch's work below.
                let every = self.plan.checkpoint_every;
                if every > 0 && step.is_multiple_of(every) && !epoch_ends && !done(step) {
                    self.checkpoint(learner, position, false)?;
                } else if self.plan.log.pending() >= FLUSH_EVERY {
                    self.flush_log()?;
                }
                if done(step) {
                    break;
                }
            }
            self.event(LearnerEvent::EndSplit(epoch));
            self.flush_log()?;
            // Validation draws its noise from the epoch alone, so that a run resumed at an
            // epoch's end validates as the uninterrupted one did.
            base.seed(step_seed(!self.plan.seed, epoch));
            let mut means = EpochMeans {
                train: self.plan.log.epoch_means(epoch),
                valid: validate(learner, valid, epoch, self.processor, self.interrupter),
                images_per_sec: (images > 0).then(|| images as f64 / began.elapsed().as_secs_f64()),
            };
            if means.images_per_sec.is_some_and(|v| !v.is_finite()) {
                means.images_per_sec = None;
            }
            self.event(LearnerEvent::EndEpoch(epoch));
            if let Err(err) = self.processor.flush() {
                self.interrupter.fail(err);
            }
            let best = self.strategy.work.epoch_done(
                epoch,
                step,
                &learner.model(),
                self.plan.ema.as_ref().map(Ema::average),
                &means,
            )?;
            let position = Position {
                step,
                epochs_done: epoch,
                batches_done: 0,
            };
            let dir = self.checkpoint(learner, position, best)?;
            if stop_requested(self.interrupter) {
                return Ok(finish(step, Some(dir), &self.last_checkpoint));
            }
            if done(step) {
                break;
            }
        }
        Ok(finish(step, None, &self.last_checkpoint))
    }

    /// Hands an event to the Learner's processor (display and metrics); a failure there
    /// stops the run through the interrupter.
    fn event(&mut self, event: LearnerEvent<<Gan as TrainStep>::Output>) {
        if let Err(err) = self.processor.process_train(event) {
            self.interrupter.fail(err);
        }
    }

    /// Writes the pending step statistics; a NaN or infinite one stops the run.
    fn flush_log(&mut self) -> anyhow::Result<()> {
        match self.plan.log.flush()? {
            None => Ok(()),
            Some(bad) => {
                let last = self.last_good();
                anyhow::bail!(
                    "step {}: {} is {}; training stopped, {last}",
                    bad.step,
                    bad.stat.name(),
                    bad.value
                )
            }
        }
    }

    /// What to say about the last good checkpoint when the run has to stop.
    fn last_good(&self) -> String {
        match &self.last_checkpoint {
            Some(dir) => format!(
                "the last good checkpoint is {} (train --resume continues from it; a lower learning rate needs a new run)",
                dir.display()
            ),
            None => "no checkpoint was written before it".to_string(),
        }
    }

    /// Writes a checkpoint at `position`, after the step log is on disk up to it.
    fn checkpoint(
        &mut self,
        learner: &Learner<Gan>,
        position: Position,
        best: bool,
    ) -> anyhow::Result<PathBuf> {
        self.flush_log()?;
        if let Some(param) = non_finite_parameter(&learner.model()) {
            anyhow::bail!(
                "step {}: the parameter {param} holds NaN or infinite values; training stopped, {}",
                position.step,
                self.last_good()
            );
        }
        let Some(checkpointer) = &mut self.checkpointer else {
            anyhow::bail!("the Learner was built without the checkpoint taps");
        };
        // Taking the inference copy folds the batch norms' pending running-statistics update
        // into the shared state, so that the record holds the current statistics.
        let _ = learner.model().valid();
        checkpointer.checkpoint(learner, position.step, &self.store);
        let mut records = self
            .strategy
            .taps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .receive()?;
        records.ema = self
            .plan
            .ema
            .as_ref()
            .map(|ema| ema.average().clone().into_record());
        let dir = self.strategy.work.checkpoint(position, best, records)?;
        self.last_checkpoint = Some(dir.clone());
        Ok(dir)
    }
}

/// Whether a stop was asked for: a signal (see [`crate::interrupt`]) or the Learner's own
/// interrupter (its terminal dashboard's Ctrl-C).
fn stop_requested(interrupter: &Interrupter) -> bool {
    crate::interrupt::requested() || (interrupter.should_stop() && interrupter.error().is_none())
}

/// The validation split: the model in inference mode on held-out images; returns the mean
/// statistics.
fn validate(
    learner: &Learner<Gan>,
    valid: &ValidLoader<Gan>,
    epoch: usize,
    processor: &mut SupervisedTrainingEventProcessor<Gan>,
    interrupter: &Interrupter,
) -> [Option<f64>; 4] {
    interrupter.fail_on_error(processor.process_valid(LearnerEvent::StartSplit {
        epoch_number: epoch,
        total_items: valid.num_items(),
    }));
    let model = learner.model().valid();
    let mut batches = valid.iter();
    let mut iteration = 0;
    let mut sums = [0.0; 4];
    let mut weights = [0.0; 4];
    while let Some(batch) = batches.next() {
        let batch = match batch {
            Ok(batch) => batch,
            Err(err) => {
                interrupter.fail(err);
                break;
            }
        };
        iteration += 1;
        let progress: Progress = batches.progress();
        let output = InferenceStep::step(&model, batch);
        for (i, v) in output.host_values().iter().enumerate().take(4) {
            if v.is_finite() {
                sums[i] += *v as f64 * output.batch_size as f64;
                weights[i] += output.batch_size as f64;
            }
        }
        let item = TrainingItem::new(output, progress, Some(iteration), None);
        interrupter.fail_on_error(processor.process_valid(LearnerEvent::ProcessedItem(item)));
    }
    interrupter.fail_on_error(processor.process_valid(LearnerEvent::EndSplit(epoch)));
    std::array::from_fn(|i| (weights[i] > 0.0).then(|| sums[i] / weights[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_follows_mlpack() {
        let s = Schedule {
            generator_update_step: 3,
            pre_train: 2,
            max_steps: Some(10),
            instance_noise: 0.1,
            total_steps: 10,
        };
        let trained: Vec<usize> = (0..10).filter(|&i| s.trains_generator(i)).collect();
        assert_eq!(trained, vec![2, 5, 8]);
        assert!(!s.done(9) && s.done(10));
        // Instance noise falls linearly from its start to 0 over the run.
        assert!((s.instance_noise(0) - 0.1).abs() < 1e-12);
        assert!((s.instance_noise(5) - 0.05).abs() < 1e-12);
        assert_eq!(s.instance_noise(10), 0.0);
        let every = Schedule {
            generator_update_step: 1,
            pre_train: 0,
            max_steps: None,
            instance_noise: 0.0,
            total_steps: 10,
        };
        assert!((0..5).all(|i| every.trains_generator(i)) && !every.done(usize::MAX));
    }
}
