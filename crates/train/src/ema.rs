//! An exponential moving average of the generator's weights (`--ema DECAY`): after every
//! generator update at step `t`, `average ← d · average + (1 - d) · current` with
//! `d = min(DECAY, (1 + t) / (10 + t))`, for every weight and batch-norm statistic. The
//! warm-up (TensorFlow's `num_updates`) keeps the random initial weights from lingering in the
//! average: at 0.999 without it, a third of the average would still be the initial weights
//! after 1,100 steps. The average usually draws cleaner samples than the last weights;
//! the run saves it as `generator-ema.bpk`, and sampling and scoring use it when it is there.

use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::prelude::*;
use model::Generator;
use std::collections::HashMap;

/// The moving average of a generator, in inference mode.
#[derive(Debug, Clone)]
pub struct Ema {
    decay: f64,
    average: Generator,
}

impl Ema {
    /// Starts the average at `generator`'s weights.
    pub fn new(generator: &Generator, decay: f64) -> Self {
        Self::from_average(generator, decay)
    }

    /// Continues from an average taken earlier (a checkpoint's). It is kept in inference mode,
    /// so that drawing from it never moves its batch-norm statistics.
    pub fn from_average(average: &Generator, decay: f64) -> Self {
        Self {
            decay,
            average: average.valid(),
        }
    }

    /// The average.
    pub fn average(&self) -> &Generator {
        &self.average
    }

    /// The decay used at step `step` (counted from 1): the configured one, lowered early on.
    pub fn decay_at(&self, step: usize) -> f64 {
        let t = step as f64;
        self.decay.min((1.0 + t) / (10.0 + t))
    }

    /// Moves the average towards `current` (the training generator, same parameters) after
    /// step `step` (counted from 1).
    pub fn update(&mut self, current: &Generator, step: usize) {
        struct Collect(HashMap<ParamId, Tensor<1>>);
        impl ModuleVisitor for Collect {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                let t = param.val();
                let n = t.shape().num_elements();
                self.0.insert(param.id, t.reshape([n]));
            }
        }
        struct Mix {
            current: HashMap<ParamId, Tensor<1>>,
            decay: f64,
        }
        impl ModuleMapper for Mix {
            fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
                let (id, average, mapper) = param.consume();
                let average = match self.current.remove(&id) {
                    Some(current) => {
                        let dims = average.dims();
                        average.mul_scalar(self.decay)
                            + current.reshape(dims).mul_scalar(1.0 - self.decay)
                    }
                    None => average,
                };
                Param::from_mapped_value(id, average, mapper)
            }
        }
        let mut collect = Collect(HashMap::new());
        current.valid().visit(&mut collect);
        let mut mix = Mix {
            current: collect.0,
            decay: self.decay_at(step),
        };
        self.average = self.average.clone().map(&mut mix);
    }
}
