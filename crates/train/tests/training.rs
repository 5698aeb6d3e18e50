//! Training on small real data: losses stay finite, weights change, outputs are written,
//! and a saved generator reloads to identical outputs.

mod common;

use burn::data::dataloader::batcher::Batcher;
use burn::module::{ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::train::TrainStep;
use model::{Arch, ModelConfig};
use std::time::Duration;
use train::batch::{GanBatch, ImageBatcher};
use train::gan::Gan;
use train::loss::bce_with_logits;
use train::run::{GENERATOR, LOG, RunDir, load_generator, save_module};
use train::source::{self, DataOptions};
use train::{OptimConfig, Progress, TrainConfig};

fn small_config(arch: Arch) -> TrainConfig {
    TrainConfig::new(
        ModelConfig::new().with_arch(arch),
        OptimConfig::new(),
        OptimConfig::new(),
    )
    .with_batch_size(32)
    .with_steps(Some(6))
    .with_limit(Some(96))
    .with_valid_size(32)
    .with_grid_size(16)
    .with_seed(7)
}

fn data(cfg: &TrainConfig) -> train::TrainData {
    let dir = common::mnist_dir();
    source::load(&DataOptions {
        dataset: cfg.dataset,
        data_dir: Some(&dir),
        csv: None,
        digits: &cfg.digits,
        limit: cfg.limit,
        valid_size: cfg.valid_size,
        needs_labels: cfg.model.conditional,
    })
    .expect("MNIST in MNIST_DIR or ../shared/data/mnist")
}

#[test]
fn a_few_steps_on_real_images_change_the_weights_and_write_the_run() {
    for arch in [Arch::Dcgan, Arch::Mlpack] {
        let cfg = small_config(arch);
        let tmp = tempfile::tempdir().unwrap();
        let run = RunDir::create(Some(&tmp.path().join("run")), "test").unwrap();
        let device = Device::flex();
        let summary = train::train(
            &cfg,
            data(&cfg),
            device.clone(),
            &run,
            Progress::Lines(Duration::from_secs(3600)),
            None,
        )
        .unwrap();
        assert_eq!(summary.steps, 6, "{arch:?}");
        assert_eq!(
            summary.epochs, 2,
            "96 images in batches of 32 is 3 steps an epoch"
        );

        // The log: one line per epoch, every statistic finite.
        let log = std::fs::read_to_string(run.file(LOG)).unwrap();
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 3, "{log}");
        assert_eq!(lines[0].split(',').count(), 18);
        for line in &lines[1..] {
            // Without an evaluator the six score columns are empty.
            let (stats, scores) = line.split_at(line.len() - 6);
            assert_eq!(scores, ",,,,,,", "{line}");
            let fields: Vec<f64> = stats
                .trim_end_matches(',')
                .split(',')
                .map(|f| f.parse().unwrap())
                .collect();
            assert_eq!(fields.len(), 12);
            assert!(fields.iter().all(|v| v.is_finite()), "{line}");
            let (d_real, d_fake) = (fields[4], fields[5]);
            assert!((0.0..=1.0).contains(&d_real) && (0.0..=1.0).contains(&d_fake));
        }
        assert!(lines[2].starts_with("2,6,"));

        // Grids of the fixed noise, one per epoch.
        for epoch in [1, 2] {
            let grid = data::png::load(&run.grid(epoch)).unwrap();
            assert_eq!(grid.dimensions(), (4 * 30 + 2, 4 * 30 + 2));
        }

        // The trained generator differs from the one the same seed initialises.
        device.seed(cfg.seed);
        let initial = cfg.model.init_generator(&device.clone().autodiff()).valid();
        let trained = run.load_generator(false, &device).unwrap().1;
        let z = cfg.model.noise.sample(4, cfg.model.noise_dim, &device);
        let a = initial.forward(z.clone()).into_data();
        let b = trained.forward(z).into_data();
        assert!(
            max_abs_diff(a, b) > 1e-3,
            "{arch:?}: the weights did not change"
        );

        // The last checkpoint holds current BatchNorm statistics: its generator matches the
        // saved one exactly. Every checkpoint on disk loads.
        let checkpoints = train::checkpoint::Checkpoints::new(&run.path, 3);
        let steps: Vec<usize> = checkpoints.list().unwrap().iter().map(|c| c.0).collect();
        assert_eq!(steps, vec![3, 6], "{arch:?}: one checkpoint per epoch");
        for (_, dir) in checkpoints.list().unwrap() {
            train::checkpoint::load(&dir).unwrap();
        }
        let newest = checkpoints.newest(|w| panic!("{w}")).unwrap().unwrap();
        assert_eq!(
            newest.state.position,
            train::checkpoint::Position {
                step: 6,
                epochs_done: 2,
                batches_done: 0
            }
        );
        let from_checkpoint = Gan::new(&cfg, &device)
            .load_record(newest.records.model)
            .generator
            .valid();
        let z = cfg.model.noise.sample(4, cfg.model.noise_dim, &device);
        assert!(
            from_checkpoint.forward(z.clone()).into_data() == trained.forward(z).into_data(),
            "{arch:?}: the checkpoint's generator differs from generator.bpk"
        );
    }
}

/// The largest absolute difference between two tensors' values.
fn max_abs_diff(a: TensorData, b: TensorData) -> f32 {
    let a = a.convert::<f32>().try_into_vec::<f32>().unwrap();
    let b = b.convert::<f32>().try_into_vec::<f32>().unwrap();
    a.iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// The default training configuration of `model`.
fn train_config(model: &ModelConfig) -> TrainConfig {
    TrainConfig::new(model.clone(), OptimConfig::new(), OptimConfig::new())
}

#[test]
fn a_saved_generator_reloads_to_identical_outputs() {
    let device = Device::flex();
    for arch in [Arch::Dcgan, Arch::Mlpack] {
        device.seed(11);
        let cfg = ModelConfig::new().with_arch(arch);
        let gan = Gan::new(&train_config(&cfg), &device.clone().autodiff());
        // A training-mode forward pass moves BatchNorm's running statistics.
        let z = cfg
            .noise
            .sample(8, cfg.noise_dim, &device.clone().autodiff());
        let _ = gan.generator.forward(z);
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(GENERATOR);
        save_module(&gan.generator, &path).unwrap();
        let reloaded = load_generator(&cfg, &path, &device).unwrap();
        let z = cfg.noise.sample(5, cfg.noise_dim, &device);
        let want = gan.generator.valid().forward(z.clone()).into_data();
        let got = reloaded.forward(z).into_data();
        assert!(
            want == got,
            "{arch:?}: the reloaded generator gives other outputs"
        );
    }
}

/// Counts a module's parameters that have a gradient, and sums those gradients.
struct GradProbe<'a> {
    grads: &'a GradientsParams,
    with_grad: usize,
    values: Vec<f32>,
}

impl ModuleVisitor for GradProbe<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            self.with_grad += 1;
            self.values.extend(
                g.into_data()
                    .convert::<f32>()
                    .try_into_vec::<f32>()
                    .unwrap(),
            );
        }
    }
}

fn probe<M: Module>(module: &M, grads: &GradientsParams) -> (usize, Vec<f32>) {
    let mut p = GradProbe {
        grads,
        with_grad: 0,
        values: Vec::new(),
    };
    module.visit(&mut p);
    (p.with_grad, p.values)
}

#[test]
fn each_network_gets_only_its_own_gradients() {
    let device = Device::flex().autodiff();
    device.seed(5);
    let gan = Gan::new(&train_config(&ModelConfig::new()), &device);
    let images: Vec<(Vec<u8>, u8)> = (0..8u8).map(|i| (vec![i * 30; 784], i)).collect();
    let batch = ImageBatcher.batch(images, &device);
    let step = |train_generator: bool| {
        device.seed(9);
        let out = TrainStep::step(
            &gan,
            GanBatch {
                train_generator,
                ..batch.clone()
            },
        );
        out.grads
    };
    let with_g = step(true);
    let without_g = step(false);
    let (g_with, _) = probe(&gan.generator, &with_g);
    let (g_without, _) = probe(&gan.generator, &without_g);
    assert!(
        g_with > 0,
        "the generator step gives the generator gradients"
    );
    assert_eq!(
        g_without, 0,
        "a discriminator-only step gives the generator none"
    );
    // The generator's loss goes through a no_grad copy: the discriminator's gradients are
    // the same whether or not the generator trains (same noise, same batch).
    let (d_with, dw) = probe(&gan.discriminator, &with_g);
    let (d_without, dwo) = probe(&gan.discriminator, &without_g);
    assert!(d_with > 0 && d_with == d_without);
    let max = dw
        .iter()
        .zip(&dwo)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(max < 1e-6, "discriminator gradients differ by {max}");
}

#[test]
fn cross_entropy_on_hand_worked_logits() {
    let device = Device::flex();
    let x = Tensor::<2>::from_floats([[0.0], [0.0]], &device);
    let ln2 = std::f32::consts::LN_2;
    assert!((bce_with_logits(x.clone(), true).into_scalar::<f32>() - ln2).abs() < 1e-6);
    assert!((bce_with_logits(x, false).into_scalar::<f32>() - ln2).abs() < 1e-6);
    // Real targets: mean(ln(1 + e^-2), ln(1 + e^1)); fake: mean(ln(1 + e^2), ln(1 + e^-1)).
    let x = Tensor::<2>::from_floats([[2.0], [-1.0]], &device);
    let real = ((1.0 + (-2.0f32).exp()).ln() + (1.0 + 1.0f32.exp()).ln()) / 2.0;
    let fake = ((1.0 + 2.0f32.exp()).ln() + (1.0 + (-1.0f32).exp()).ln()) / 2.0;
    assert!((bce_with_logits(x.clone(), true).into_scalar::<f32>() - real).abs() < 1e-5);
    assert!((bce_with_logits(x, false).into_scalar::<f32>() - fake).abs() < 1e-5);
    // Stable at extreme logits.
    let x = Tensor::<2>::from_floats([[100.0], [-100.0]], &device);
    assert!((bce_with_logits(x, true).into_scalar::<f32>() - 50.0).abs() < 1e-3);
}

#[test]
fn bad_settings_and_data_are_refused_with_the_reason() {
    let cfg = small_config(Arch::Dcgan).with_batch_size(500);
    let tmp = tempfile::tempdir().unwrap();
    let run = RunDir::create(Some(&tmp.path().join("r")), "t").unwrap();
    let err = train::train(
        &cfg,
        data(&cfg),
        Device::flex(),
        &run,
        Progress::Lines(Duration::from_secs(60)),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("--batch-size 500") && err.contains("96 training images"),
        "{err}"
    );
    assert!(
        small_config(Arch::Dcgan)
            .with_generator_update_step(0)
            .check()
            .unwrap_err()
            .contains("--generator-update-step")
    );
    assert!(
        small_config(Arch::Dcgan)
            .with_digits(vec![12])
            .check()
            .unwrap_err()
            .contains("12")
    );
    // A run directory that holds anything is never reused.
    std::fs::write(tmp.path().join("r").join("x"), "keep").unwrap();
    let err = RunDir::create(Some(&tmp.path().join("r")), "t")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not empty"), "{err}");
    let missing = tmp.path().join("nothing-here");
    let err = source::load(&DataOptions {
        data_dir: Some(&missing),
        valid_size: 10,
        ..Default::default()
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("train-images-idx3-ubyte") && err.contains("nothing-here"),
        "{err}"
    );
}

#[test]
fn the_benchmark_times_real_steps() {
    let cfg = small_config(Arch::Dcgan);
    let images = data(&cfg).train;
    let plan = train::bench::Plan {
        warmup: 1,
        repeats: 1,
        steps: 1,
    };
    let m = train::bench::time_steps(&cfg.model, 4, &Device::flex(), &images, plan);
    assert!(m.images_per_sec.is_finite() && m.images_per_sec > 0.0);
    assert!((m.ms_per_step * m.images_per_sec / 1e3 - 4.0).abs() < 1e-6);
    assert!(m.gflops > 0.0);
    assert!(train::bench::time_loading(&images, 16, 3, &Device::flex()) > 0.0);
}

#[test]
fn the_layer_profile_times_every_layer_of_both_presets() {
    for (arch, layers) in [(Arch::Mlpack, 12), (Arch::Dcgan, 9)] {
        let timed = train::profile::layers(arch, 2, &Device::flex(), 1);
        assert_eq!(timed.len(), layers, "{arch:?}");
        for layer in &timed {
            assert!(
                layer.forward_ms > 0.0 && layer.forward_backward_ms > 0.0,
                "{arch:?}: {layer:?}"
            );
            let passes = if layer.discriminator { 3.0 } else { 1.0 };
            assert_eq!(layer.step_ms(), passes * layer.forward_backward_ms);
        }
        // One comparison row for mlpack (the upsampling as written), none for dcgan.
        let unused = timed.iter().filter(|l| !l.in_network).count();
        assert_eq!(unused, usize::from(arch == Arch::Mlpack), "{arch:?}");
    }
}

#[test]
fn a_time_limit_ends_the_run_early_with_its_outputs() {
    let started = std::time::Instant::now();
    let (_tmp, run) = common::short_run_with(100_000, 4, |c| c.with_time_limit(Some(2.0)));
    let elapsed = started.elapsed().as_secs_f64();
    assert!(elapsed < 60.0, "ran {elapsed} s");
    let steps = train::steplog::read(&run.path).len();
    assert!(steps > 0 && steps < 100_000, "{steps}");
    // The last epoch is finished off: its log line and a checkpoint at the last step.
    let log = std::fs::read_to_string(run.file(LOG)).unwrap();
    let last = log.lines().last().unwrap();
    assert_eq!(last.split(',').nth(1).unwrap(), steps.to_string(), "{log}");
    let newest = train::checkpoint::Checkpoints::new(&run.path, 3)
        .list()
        .unwrap();
    assert_eq!(newest.last().unwrap().0, steps);
    assert_eq!(run.config().unwrap().time_limit, Some(2.0));
}
