//! The Learner metrics of a GAN: D loss, G loss, D(x), D(G(z)) and images/s.

use crate::gan::GanOutput;
use burn::tensor::TensorReadError;
use burn::train::metric::state::{FormatOptions, NumericMetricState};
use burn::train::metric::{
    Adaptor, Metric, MetricAttributes, MetricMetadata, MetricName, Numeric, NumericAttributes,
    NumericEntry, SerializedEntry,
};
use std::sync::Arc;
use std::time::Instant;

/// One of the statistics a step reports, in the order of [`GanOutput::stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// The discriminator's loss.
    DLoss,
    /// The generator's loss.
    GLoss,
    /// Mean D(x) on real images: the discriminator's probability that they are real.
    DReal,
    /// Mean D(G(z)) on generated images.
    DFake,
}

impl Stat {
    /// All statistics, in order.
    pub const ALL: [Stat; 4] = [Stat::DLoss, Stat::GLoss, Stat::DReal, Stat::DFake];

    /// The metric's name, as shown and logged.
    pub fn name(self) -> &'static str {
        match self {
            Stat::DLoss => "D loss",
            Stat::GLoss => "G loss",
            Stat::DReal => "D(x)",
            Stat::DFake => "D(G(z))",
        }
    }
}

/// The statistics of one step, read from the device.
#[derive(Debug, Clone)]
pub struct GanStats {
    /// Values in the order of [`Stat::ALL`]; the G loss is NaN when the generator was not trained.
    pub values: Vec<f32>,
    /// Images in the batch.
    pub batch_size: usize,
}

impl Adaptor<GanStats> for GanOutput {
    fn adapt(&self) -> GanStats {
        GanStats {
            values: self.host_values(),
            batch_size: self.batch_size,
        }
    }
}

/// A numeric metric for one [`Stat`], averaged over the epoch by images.
#[derive(Clone)]
pub struct GanMetric {
    stat: Stat,
    name: MetricName,
    state: NumericMetricState,
}

impl GanMetric {
    /// The metric of `stat`.
    pub fn new(stat: Stat) -> Self {
        Self {
            stat,
            name: Arc::new(stat.name().to_string()),
            state: NumericMetricState::default(),
        }
    }
}

impl Metric for GanMetric {
    type Input = GanStats;

    fn update(
        &mut self,
        input: &GanStats,
        _metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        let index = Stat::ALL.iter().position(|s| *s == self.stat).unwrap_or(0);
        if let Some(&v) = input.values.get(index).filter(|v| !v.is_nan()) {
            self.state.update(v as f64, input.batch_size);
        }
        Ok(self
            .state
            .compute_update(FormatOptions::new(self.name()).precision(3)))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(self
            .state
            .compute_final(FormatOptions::new(self.name()).precision(3)))
    }

    fn clear(&mut self) {
        self.state.reset()
    }

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn attributes(&self) -> MetricAttributes {
        NumericAttributes {
            unit: None,
            higher_is_better: false,
        }
        .into()
    }
}

impl Numeric for GanMetric {
    fn value(&self) -> Option<NumericEntry> {
        Some(self.state.current_value())
    }

    fn running_value(&self) -> Option<NumericEntry> {
        Some(self.state.running_value())
    }

    fn final_value(&self) -> NumericEntry {
        self.state.final_value()
    }
}

/// Name of the [`ImagesPerSecond`] metric.
pub const IMAGES_PER_SECOND: &str = "Images per second";

/// Training speed: real images processed per second since the epoch began.
#[derive(Clone)]
pub struct ImagesPerSecond {
    name: MetricName,
    state: NumericMetricState,
    start: Option<(Instant, usize)>,
}

impl Default for ImagesPerSecond {
    fn default() -> Self {
        Self {
            name: Arc::new(IMAGES_PER_SECOND.to_string()),
            state: NumericMetricState::default(),
            start: None,
        }
    }
}

impl Metric for ImagesPerSecond {
    type Input = ();

    fn update(
        &mut self,
        _: &(),
        metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        let done = metadata.progress.items_processed;
        let (start, at) = *self.start.get_or_insert((Instant::now(), done));
        let secs = start.elapsed().as_secs_f64();
        if done > at && secs > 0.0 {
            self.state.update((done - at) as f64 / secs, 1);
        }
        Ok(self
            .state
            .compute_update(FormatOptions::new(self.name()).precision(1)))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(self
            .state
            .compute_final(FormatOptions::new(self.name()).precision(1)))
    }

    fn clear(&mut self) {
        self.state.reset();
        self.start = None;
    }

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn attributes(&self) -> MetricAttributes {
        NumericAttributes {
            unit: Some("images/s".into()),
            higher_is_better: true,
        }
        .into()
    }
}

impl Numeric for ImagesPerSecond {
    fn value(&self) -> Option<NumericEntry> {
        Some(self.state.current_value())
    }

    fn running_value(&self) -> Option<NumericEntry> {
        Some(self.state.current_value())
    }

    fn final_value(&self) -> NumericEntry {
        self.state.current_value()
    }
}
