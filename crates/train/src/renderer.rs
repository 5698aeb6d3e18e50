//! Plain progress lines, for when the output is not a terminal (a log file, CI).
//!
//! On a terminal the Learner shows its own dashboard; elsewhere it would print a debug dump
//! per step, so [`LineRenderer`] prints one readable line every few seconds instead: epoch,
//! step, the epoch's running means of D loss, G loss, D(x) and D(G(z)), images/s and ETA.

use crate::metrics::IMAGES_PER_SECOND;
use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::{MetricDefinition, MetricId};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Running mean of one metric over the current split.
#[derive(Default, Clone, Copy)]
struct Mean {
    sum: f64,
    count: usize,
    last: f64,
}

/// Prints progress as plain lines, at most one per `interval` and one at each split's end.
pub struct LineRenderer {
    interval: Duration,
    names: HashMap<MetricId, String>,
    order: Vec<String>,
    means: HashMap<String, Mean>,
    split: String,
    epoch: usize,
    epochs: usize,
    done: usize,
    total: usize,
    last_print: Option<Instant>,
    deadline: Option<Instant>,
}

impl LineRenderer {
    /// A renderer printing at most one line per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            names: HashMap::new(),
            order: Vec::new(),
            means: HashMap::new(),
            split: "train".into(),
            epoch: 1,
            epochs: 1,
            done: 0,
            total: 0,
            last_print: None,
            deadline: None,
        }
    }

    /// Training stops at `deadline` (a time limit), which then bounds the ETA.
    pub fn with_deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    fn record(&mut self, state: MetricState) {
        let MetricState::Numeric(entry, Some(value)) = state else {
            return;
        };
        let Some(name) = self.names.get(&entry.metric_id) else {
            return;
        };
        let v = value.current();
        if !v.is_finite() {
            return;
        }
        let m = self.means.entry(name.clone()).or_default();
        m.sum += v;
        m.count += 1;
        m.last = v;
    }

    fn line(&self) -> String {
        let mut parts = vec![format!(
            "epoch {}/{} {} {}/{}",
            self.epoch, self.epochs, self.split, self.done, self.total
        )];
        let mut speed = None;
        for name in &self.order {
            let Some(m) = self.means.get(name).filter(|m| m.count > 0) else {
                continue;
            };
            if name == IMAGES_PER_SECOND {
                speed = Some(m.last);
                parts.push(format!("{:.0} images/s", m.last));
            } else {
                parts.push(format!("{name} {:.3}", m.sum / m.count as f64));
            }
        }
        if let Some(speed) = speed.filter(|s| *s > 0.0 && self.split == "train") {
            let left = self.total.saturating_sub(self.done)
                + self.epochs.saturating_sub(self.epoch) * self.total;
            let mut eta = left as f64 / speed;
            if let Some(deadline) = self.deadline {
                eta = eta.min(
                    deadline
                        .saturating_duration_since(Instant::now())
                        .as_secs_f64(),
                );
            }
            parts.push(format!("ETA {}", format_secs(eta)));
        }
        parts.join(" | ")
    }
}

/// Formats seconds as `1h02m`, `3m05s` or `42s`.
pub fn format_secs(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

impl MetricsRendererTraining for LineRenderer {
    fn update_train(&mut self, state: MetricState) {
        self.record(state);
    }

    fn update_valid(&mut self, state: MetricState) {
        self.record(state);
    }
}

impl MetricsRendererEvaluation for LineRenderer {
    fn update_test(&mut self, _name: EvaluationName, state: MetricState) {
        self.record(state);
    }
}

impl TrainingProgressLogger for LineRenderer {
    fn start(
        &mut self,
        total_epochs: usize,
        starting_epoch: usize,
        _total_items: Option<usize>,
        _label: Option<&str>,
    ) {
        self.epochs = total_epochs;
        self.epoch = starting_epoch.max(1);
    }

    fn update_epoch(&mut self, epoch: usize) {
        self.epoch = epoch + 1;
    }

    fn start_split(&mut self, split: &str, total_items: usize) {
        self.split = split.to_string();
        self.total = total_items;
        self.done = 0;
        self.means.clear();
        self.last_print = Some(Instant::now());
    }

    fn update_split(&mut self, items_processed: usize) {
        self.done = items_processed;
        if self.split == "train" && self.last_print.is_none_or(|t| t.elapsed() >= self.interval) {
            println!("{}", self.line());
            self.last_print = Some(Instant::now());
        }
    }

    fn end_split(&mut self) {
        println!("{}", self.line());
    }

    fn end(&mut self) {}

    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for LineRenderer {
    fn start_global_progress(&mut self, _total_tests: usize) {}

    fn start_test(&mut self, name: &str, total_items: usize) {
        self.start_split(name, total_items);
    }

    fn update_test_progress(&mut self, items_processed: usize) {
        self.done = items_processed;
    }

    fn end_test(&mut self) {
        println!("{}", self.line());
    }

    fn end_global_progress(&mut self) {}

    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for LineRenderer {
    fn manual_close(&mut self) {}

    fn register_metric(&mut self, definition: MetricDefinition) {
        let name = definition.name.to_string();
        if !self.order.contains(&name) {
            self.order.push(name.clone());
        }
        self.names.insert(definition.metric_id, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations() {
        assert_eq!(format_secs(42.4), "42s");
        assert_eq!(format_secs(185.0), "3m05s");
        assert_eq!(format_secs(3720.0), "1h02m");
    }

    #[test]
    fn a_time_limit_bounds_the_eta() {
        let at_speed = |deadline| {
            let mut r = LineRenderer::new(Duration::ZERO).with_deadline(deadline);
            (r.epochs, r.total, r.done) = (100, 1000, 500);
            r.order.push(IMAGES_PER_SECOND.to_string());
            r.means.insert(
                IMAGES_PER_SECOND.to_string(),
                Mean {
                    sum: 100.0,
                    count: 1,
                    last: 100.0,
                },
            );
            r.line()
        };
        // 99 more epochs of 1,000 images and half of this one at 100 images/s: 995 s.
        assert!(at_speed(None).ends_with("ETA 16m35s"), "{}", at_speed(None));
        let soon = Some(Instant::now() + Duration::from_secs(120));
        let line = at_speed(soon);
        assert!(
            line.ends_with("ETA 2m00s") || line.ends_with("ETA 1m59s"),
            "{line}"
        );
    }
}
