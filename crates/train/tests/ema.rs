//! The moving average of the generator's weights: the formula, and a run that keeps one.

mod common;

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use model::{Generator, ModelConfig};
use train::ema::Ema;
use train::run::{GENERATOR, GENERATOR_EMA};

fn values(g: &Generator) -> Vec<f32> {
    struct All(Vec<f32>);
    impl ModuleVisitor for All {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let v = param.val().into_data().convert::<f32>();
            self.0.extend(v.try_into_vec::<f32>().unwrap());
        }
    }
    let mut all = All(Vec::new());
    g.visit(&mut all);
    all.0
}

/// `g` with `delta` added to every value (the same parameters, so the same ids). Taken from an
/// inference-mode copy: batch norm's running statistics are shared between clones, and mapping
/// them changes them in place.
fn shifted(g: &Generator, delta: f32) -> Generator {
    struct Shift(f32);
    impl ModuleMapper for Shift {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let delta = self.0;
            param.map(|t| t.add_scalar(delta))
        }
    }
    g.valid().map(&mut Shift(delta))
}

#[test]
fn the_average_follows_the_formula() {
    let device = Device::flex().autodiff();
    device.seed(4);
    let g0 = ModelConfig::new().init_generator(&device);
    let start = values(&g0);
    let mut ema = Ema::new(&g0, 0.9);
    assert_eq!(values(ema.average()), start);
    // Past the warm-up (step 100: (1 + 100) / (10 + 100) > 0.9), the decay is 0.9:
    // average = 0.9 g0 + 0.1 (g0 + 1) = g0 + 0.1; then 0.9 (g0 + 0.1) + 0.1 (g0 + 2) = g0 + 0.29.
    assert_eq!(ema.decay_at(100), 0.9);
    ema.update(&shifted(&g0, 1.0), 100);
    ema.update(&shifted(&g0, 2.0), 101);
    let average = values(ema.average());
    assert_eq!(average.len(), start.len());
    for (a, s) in average.iter().zip(&start) {
        assert!((a - (s + 0.29)).abs() < 1e-5, "{a} vs {}", s + 0.29);
    }
    // Early on the decay is lower: at step 1 it is 2 / 11, so the average jumps most of the
    // way to the current weights: g0 + 0.29 -> 2/11 (g0 + 0.29) + 9/11 (g0 + 3).
    let mut early = Ema::new(&shifted(&g0, 0.29), 0.999);
    assert!((early.decay_at(1) - 2.0 / 11.0).abs() < 1e-12);
    early.update(&shifted(&g0, 3.0), 1);
    let want = 0.29 * 2.0 / 11.0 + 3.0 * 9.0 / 11.0;
    for (a, s) in values(early.average()).iter().zip(&start) {
        assert!((a - (s + want)).abs() < 1e-4, "{a} vs {}", s + want);
    }
}

#[test]
fn a_run_with_ema_saves_and_samples_the_average() {
    let (_tmp, run) = common::short_run_with(4, 4, |c| c.with_ema(Some(0.5)));
    assert!(run.file(GENERATOR_EMA).is_file() && run.file(GENERATOR).is_file());
    assert_eq!(run.generator_file(false), run.file(GENERATOR_EMA));
    let device = Device::flex();
    let (config, average) = run.load_generator(false, &device).unwrap();
    let raw = train::run::load_generator(&config, &run.file(GENERATOR), &device).unwrap();
    let z = config.noise.sample_seeded(4, config.noise_dim, 1, &device);
    let (a, r) = (average.forward(z.clone()), raw.forward(z));
    assert_ne!(
        a.to_data(),
        r.to_data(),
        "the average is not the last weights"
    );
    // The checkpoint carries the average, for an exact resume.
    let newest = train::checkpoint::Checkpoints::new(&run.path, 3)
        .newest(|w| panic!("{w}"))
        .unwrap()
        .unwrap();
    assert!(newest.records.ema.is_some());
    assert_eq!(run.config().unwrap().ema, Some(0.5));
}
