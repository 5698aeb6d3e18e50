//! The learning strategy: the Learner's single-device loop, extended for GANs.
//!
//! Burn's default strategy steps every batch the same way. This one (a custom
//! [`SupervisedLearningStrategy`], the Learner's extension point) also:
//! - decides per step whether the generator trains ([`Schedule`]: discriminator-only
//!   pre-training, then one generator step every `generator_update_step` steps);
//! - stops after a total number of steps, mid-epoch if need be;
//! - runs the per-epoch work after the Learner's checkpoint ([`EpochWork`]).

use crate::gan::Gan;
use burn::data::dataloader::Progress;
use burn::prelude::*;
use burn::train::metric::store::EventStoreClient;
use burn::train::{
    EventProcessorTraining, InferenceStep, Learner, LearnerEvent, SupervisedLearningStrategy,
    SupervisedTrainingEventProcessor, TrainLoader, TrainingComponents, TrainingItem, ValidLoader,
};
use std::sync::{Arc, Mutex};

/// When the generator trains.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// Discriminator steps per generator step.
    pub generator_update_step: usize,
    /// Discriminator-only steps at the start.
    pub pre_train: usize,
    /// Stop after this many steps in all.
    pub max_steps: Option<usize>,
}

impl Schedule {
    /// Whether step `step` (counted from 0 over the whole run) trains the generator.
    pub fn trains_generator(&self, step: usize) -> bool {
        step >= self.pre_train
            && (step - self.pre_train).is_multiple_of(self.generator_update_step.max(1))
    }

    /// Whether the run is over after `steps` steps.
    pub fn done(&self, steps: usize) -> bool {
        self.max_steps.is_some_and(|m| steps >= m)
    }
}

/// Work done at the end of each epoch, after validation and the Learner's checkpoint.
pub trait EpochWork: Send + Sync {
    /// Called with the epoch (from 1), the steps done so far and the model.
    fn epoch_done(
        &self,
        epoch: usize,
        steps: usize,
        model: &Gan,
        store: &EventStoreClient,
    ) -> anyhow::Result<()>;
}

/// The GAN learning strategy on one device.
pub struct GanStrategy {
    device: Device,
    schedule: Schedule,
    work: Box<dyn EpochWork>,
    error: Arc<Mutex<Option<anyhow::Error>>>,
    steps: Arc<Mutex<usize>>,
}

impl GanStrategy {
    /// A strategy training on `device` (made autodiff) with `schedule`, calling `work` per epoch.
    pub fn new(device: Device, schedule: Schedule, work: Box<dyn EpochWork>) -> Self {
        Self {
            device: device.autodiff(),
            schedule,
            work,
            error: Arc::default(),
            steps: Arc::default(),
        }
    }

    /// Where the first per-epoch error is kept (training stops on it).
    pub fn error_slot(&self) -> Arc<Mutex<Option<anyhow::Error>>> {
        self.error.clone()
    }

    /// Where the number of steps done is kept.
    pub fn steps_slot(&self) -> Arc<Mutex<usize>> {
        self.steps.clone()
    }
}

impl SupervisedLearningStrategy<Gan> for GanStrategy {
    fn fit(
        &self,
        components: TrainingComponents<Gan>,
        mut learner: Learner<Gan>,
        train: TrainLoader<Gan>,
        valid: ValidLoader<Gan>,
        starting_epoch: usize,
    ) -> (Gan, SupervisedTrainingEventProcessor<Gan>) {
        let train = train.to_device(&self.device);
        let valid = valid.to_device(&self.device.clone().inner());
        learner.fork(&self.device);
        let mut processor = components.event_processor;
        let mut checkpointer = components.checkpointer;
        let interrupter = components.interrupter;
        let mut step = 0;

        for epoch in starting_epoch..=components.num_epochs {
            interrupter.fail_on_error(processor.process_train(LearnerEvent::StartSplit {
                epoch_number: epoch,
                total_items: train.num_items(),
            }));
            let mut batches = train.iter();
            let mut iteration = 0;
            while let Some(batch) = batches.next() {
                let mut batch = match batch {
                    Ok(batch) => batch,
                    Err(err) => {
                        interrupter.fail(err);
                        break;
                    }
                };
                batch.train_generator = self.schedule.trains_generator(step);
                iteration += 1;
                step += 1;
                let progress = batches.progress();
                let output = learner.train_step(batch);
                learner.lr_step();
                learner.optimizer_step(output.grads);
                let item = TrainingItem::new(
                    output.item,
                    progress,
                    Some(iteration),
                    Some(learner.lr_current()),
                );
                interrupter
                    .fail_on_error(processor.process_train(LearnerEvent::ProcessedItem(item)));
                if interrupter.should_stop() || self.schedule.done(step) {
                    break;
                }
            }
            interrupter.fail_on_error(processor.process_train(LearnerEvent::EndSplit(epoch)));
            if interrupter.should_stop() {
                break;
            }

            validate(&learner, &valid, epoch, &mut processor, &interrupter);
            interrupter.fail_on_error(processor.process_train(LearnerEvent::EndEpoch(epoch)));
            interrupter.fail_on_error(processor.flush());
            if interrupter.should_stop() {
                break;
            }
            if let Some(checkpointer) = &mut checkpointer {
                checkpointer.checkpoint(&learner, epoch, &components.event_store);
            }
            *self.steps.lock().expect("steps lock") = step;
            if let Err(err) =
                self.work
                    .epoch_done(epoch, step, &learner.model(), &components.event_store)
            {
                interrupter.stop(Some(&format!("{err:#}")));
                *self.error.lock().expect("error lock") = Some(err);
                break;
            }
            if self.schedule.done(step) {
                break;
            }
        }
        (learner.model(), processor)
    }
}

/// The validation split: the model in inference mode on held-out images.
fn validate(
    learner: &Learner<Gan>,
    valid: &ValidLoader<Gan>,
    epoch: usize,
    processor: &mut SupervisedTrainingEventProcessor<Gan>,
    interrupter: &burn::train::Interrupter,
) {
    interrupter.fail_on_error(processor.process_valid(LearnerEvent::StartSplit {
        epoch_number: epoch,
        total_items: valid.num_items(),
    }));
    let model = learner.model().valid();
    let mut batches = valid.iter();
    let mut iteration = 0;
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
        let item = TrainingItem::new(
            InferenceStep::step(&model, batch),
            progress,
            Some(iteration),
            None,
        );
        interrupter.fail_on_error(processor.process_valid(LearnerEvent::ProcessedItem(item)));
        if interrupter.should_stop() {
            break;
        }
    }
    interrupter.fail_on_error(processor.process_valid(LearnerEvent::EndSplit(epoch)));
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
        };
        let trained: Vec<usize> = (0..10).filter(|&i| s.trains_generator(i)).collect();
        assert_eq!(trained, vec![2, 5, 8]);
        assert!(!s.done(9) && s.done(10));
        let every = Schedule {
            generator_update_step: 1,
            pre_train: 0,
            max_steps: None,
        };
        assert!((0..5).all(|i| every.trains_generator(i)) && !every.done(usize::MAX));
    }
}
