//! Generating from a saved run: CSV and PNG of the right size and range, CSV-to-PNG, errors.

use burn::prelude::*;
use data::pixels::Range;
use data::{PIXELS, SIDE};
use model::{Arch, ModelConfig};
use std::path::Path;
use std::process::Command;
use train::run::{GENERATOR, RunDir, save_module};
use train::{OptimConfig, TrainConfig};

/// A run directory holding a freshly initialised generator of `arch`.
fn fake_run(dir: &Path, arch: Arch) -> RunDir {
    fake_run_of(dir, ModelConfig::new().with_arch(arch))
}

/// A run directory holding a freshly initialised generator of `model`.
fn fake_run_of(dir: &Path, model: ModelConfig) -> RunDir {
    let run = RunDir::create(Some(dir), "t").unwrap();
    let config = TrainConfig::new(model, OptimConfig::new(), OptimConfig::new());
    run.save_config(&config).unwrap();
    let device = Device::flex();
    device.seed(1);
    save_module(&config.model.init_generator(&device), &run.file(GENERATOR)).unwrap();
    run
}

fn generate(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_generate"))
        .args(args)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn writes_csv_and_png_of_the_right_size_and_range() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Dcgan);
    let run_arg = run.path.to_str().unwrap();
    let csv = tmp.path().join("s.csv");
    let png = tmp.path().join("s.png");
    let dir = tmp.path().join("each");
    let (ok, text) = generate(&[
        "--run",
        run_arg,
        "--count",
        "10",
        "--seed",
        "3",
        "--csv",
        csv.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
        "--png-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let m = data::csv::read_matrix(&csv).unwrap();
    assert_eq!((m.rows, m.cols), (10, PIXELS));
    assert!(
        m.values
            .iter()
            .all(|v| (0.0..=255.0).contains(v) && v.fract() == 0.0)
    );
    let grid = data::png::load(&png).unwrap();
    assert_eq!(grid.dimensions(), (4 * 30 + 2, 3 * 30 + 2));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 10);
    assert_eq!(
        data::png::load(&dir.join("sample-00009.png"))
            .unwrap()
            .dimensions(),
        (28, 28)
    );

    // The same seed draws the same samples; raw range stays within [-1, 1].
    let raw = tmp.path().join("raw.csv");
    let (ok, text) = generate(&[
        "--run",
        run_arg,
        "--count",
        "10",
        "--seed",
        "3",
        "--range",
        "raw",
        "--csv",
        raw.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let r = data::csv::read_matrix(&raw).unwrap();
    assert!(r.values.iter().all(|v| (-1.0..=1.0).contains(v)));
    for (byte, raw) in m.values.iter().zip(&r.values) {
        assert!((byte - Range::Byte.from_signed(*raw).round()).abs() <= 1.0);
    }
}

#[test]
fn sampling_uses_the_generator_in_inference_mode_reproducibly() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Mlpack);
    let device = Device::flex();
    let (cfg, g) = run.load_generator(false, &device).unwrap();
    let a = generate::sample(&g, &cfg, 300, 5, &device).unwrap();
    let b = generate::sample(&g, &cfg, 300, 5, &device).unwrap();
    let c = generate::sample(&g, &cfg, 300, 6, &device).unwrap();
    assert_eq!(a.len(), 300 * PIXELS);
    assert!(a == b, "the same seed drew different samples");
    assert!(a != c, "another seed drew the same samples");
}

#[test]
fn csv_to_png_round_trips_rows_and_tiles() {
    let tmp = tempfile::tempdir().unwrap();
    // Rows: three images of known values, written in [0, 255].
    let images: Vec<f32> = (0..3 * PIXELS)
        .map(|i| ((i % 7) as f32 / 3.0) - 1.0)
        .collect();
    let csv = tmp.path().join("rows.csv");
    data::csv::write_images(&csv, &images, Range::Byte).unwrap();
    let png = tmp.path().join("rows.png");
    let layout = generate::csv_to_png(&csv, &png, None).unwrap();
    assert_eq!(layout, generate::CsvLayout::Rows);
    let want = data::png::grid(&images, data::png::grid_cols(3), Range::Signed);
    let got = data::png::load(&png).unwrap();
    assert_eq!(got.dimensions(), want.dimensions());
    let max = got
        .pixels()
        .zip(want.pixels())
        .map(|(a, b)| a.0[0].abs_diff(b.0[0]))
        .max()
        .unwrap();
    assert!(max <= 1, "pixels differ by {max}");

    // Tiles: a 56 x 84 matrix in [0, 1] becomes an 84 x 56 picture, pixel for pixel.
    let (rows, cols) = (2 * SIDE, 3 * SIDE);
    let text: String = (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| format!("{}", ((r + c) % 2) as f32))
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        })
        .collect();
    let tiles = tmp.path().join("tiles.csv");
    std::fs::write(&tiles, text).unwrap();
    let png = tmp.path().join("tiles.png");
    assert_eq!(
        generate::csv_to_png(&tiles, &png, None).unwrap(),
        generate::CsvLayout::Tiles
    );
    let img = data::png::load(&png).unwrap();
    assert_eq!(img.dimensions(), (cols as u32, rows as u32));
    assert_eq!(
        (img.get_pixel(0, 0).0[0], img.get_pixel(1, 0).0[0]),
        (0, 255)
    );

    // Neither layout.
    let odd = tmp.path().join("odd.csv");
    std::fs::write(&odd, "1,2,3\n").unwrap();
    let err = generate::csv_to_png(&odd, &png, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("odd.csv") && err.contains("neither"), "{err}");
}

/// Asserts `generate args` fails with a message holding `words`, without a panic.
fn refused(args: &[&str], words: &[&str]) {
    let (ok, text) = generate(args);
    assert!(!ok, "succeeded: {text}");
    assert!(!text.contains("panicked"), "{text}");
    for w in words {
        assert!(text.contains(w), "{w:?} not in: {text}");
    }
}

#[test]
fn a_missing_run_directory() {
    let tmp = tempfile::tempdir().unwrap();
    refused(
        &["--run", tmp.path().join("none").to_str().unwrap()],
        &["none", "no such run directory"],
    );
}

#[test]
fn a_generator_of_the_other_preset() {
    // The config says dcgan, the weights are mlpack's.
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Dcgan);
    let other = fake_run(&tmp.path().join("other"), Arch::Mlpack);
    std::fs::copy(other.file(GENERATOR), run.file(GENERATOR)).unwrap();
    refused(
        &["--run", run.path.to_str().unwrap()],
        &["generator.bpk", "does not match"],
    );
}

#[test]
fn a_corrupt_generator_file() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Dcgan);
    std::fs::write(run.file(GENERATOR), b"not a model").unwrap();
    refused(&["--run", run.path.to_str().unwrap()], &["generator.bpk"]);
}

#[test]
fn a_broken_config() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Dcgan);
    std::fs::write(run.file("config.json"), b"{").unwrap();
    refused(&["--run", run.path.to_str().unwrap()], &["config.json"]);
}

#[test]
fn a_bad_count() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Dcgan);
    refused(
        &["--run", run.path.to_str().unwrap(), "--count", "0"],
        &["--count"],
    );
}

#[test]
fn report_page_shows_the_grid_it_sits_beside() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Dcgan);
    let dir = run.path.to_str().unwrap();
    let (ok, text) = generate(&["--run", dir, "--count", "9", "--seed", "2", "--report"]);
    assert!(ok, "{text}");
    let page = std::fs::read_to_string(run.file("samples.html")).unwrap();
    assert!(page.contains("<img src=\"samples.png\""), "{page}");
    assert!(run.file("samples.png").is_file());
    assert!(page.contains("<th>seed</th><td>2</td>"), "{page}");

    // Without a PNG there is nothing to show.
    let csv = tmp.path().join("only.csv");
    let (ok, text) = generate(&["--run", dir, "--csv", csv.to_str().unwrap(), "--report"]);
    assert!(
        !ok && text.contains("--report") && !text.contains("panicked"),
        "{text}"
    );
}

#[test]
fn interpolation_walks_from_one_noise_vector_to_the_other() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run(&tmp.path().join("run"), Arch::Dcgan);
    let (ok, text) = generate(&[
        "--run",
        run.path.to_str().unwrap(),
        "--interpolate",
        "5",
        "--count",
        "3",
    ]);
    assert!(ok, "{text}");
    // Three rows of five: the default strip beside the run.
    let strip = data::png::load(&run.path.join("interpolation.png")).unwrap();
    assert_eq!(strip.dimensions(), (5 * 30 + 2, 3 * 30 + 2));

    // Each row starts and ends exactly at the images of its two noise vectors (the first six
    // vectors the seed draws), and passes through others.
    let device = Device::flex();
    let (config, generator) = run.load_generator(false, &device).unwrap();
    let walk = generate::interpolate(&generator, &config, &[0, 1, 2], 5, 0, &device).unwrap();
    let ends = generate::sample(&generator, &config, 6, 0, &device).unwrap();
    let image = |v: &[f32], i: usize| v[i * PIXELS..(i + 1) * PIXELS].to_vec();
    for row in 0..3 {
        assert_eq!(image(&walk, row * 5), image(&ends, 2 * row));
        assert_eq!(image(&walk, row * 5 + 4), image(&ends, 2 * row + 1));
        assert_ne!(image(&walk, row * 5 + 2), image(&ends, 2 * row));
        assert_ne!(image(&walk, row * 5 + 2), image(&ends, 2 * row + 1));
    }
    let (ok, text) = generate(&["--run", run.path.to_str().unwrap(), "--interpolate", "1"]);
    assert!(!ok && text.contains("--interpolate"), "{text}");
}

#[test]
fn a_conditional_generator_draws_the_digit_asked_for_one_digit_per_row() {
    let tmp = tempfile::tempdir().unwrap();
    let run = fake_run_of(
        &tmp.path().join("run"),
        ModelConfig::new().with_conditional(true),
    );
    let config = run.config().unwrap();
    let device = Device::flex();
    let run_arg = run.path.to_str().unwrap();
    // 20 samples: ten rows (0 to 9) of two.
    let png = tmp.path().join("rows.png");
    let (ok, text) = generate(&[
        "--run",
        run_arg,
        "--count",
        "20",
        "--png",
        png.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    assert_eq!(
        data::png::load(&png).unwrap().dimensions(),
        (2 * 30 + 2, 10 * 30 + 2)
    );
    let (digits, cols) = generate::grid_digits(&config.model, 20, None);
    assert_eq!(cols, 2);
    assert_eq!(&digits[..6], &[0, 0, 1, 1, 2, 2]);
    // --digit 7: every sample asked for a seven, the same as sample_digits gives.
    let csv = tmp.path().join("sevens.csv");
    let (ok, text) = generate(&[
        "--run",
        run_arg,
        "--count",
        "4",
        "--digit",
        "7",
        "--range",
        "raw",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let (_, generator) = run.load_generator(false, &device).unwrap();
    let sevens = generate::sample_digits(&generator, &config.model, &[7; 4], 0, &device).unwrap();
    let m = data::csv::read_matrix(&csv).unwrap();
    let close = m
        .values
        .iter()
        .zip(&sevens)
        .all(|(a, b)| (a - b).abs() < 1e-4);
    assert!(m.rows == 4 && close);
    // --interpolate with --digit 7: every row walks a seven.
    let strip = tmp.path().join("walk.csv");
    let (ok, text) = generate(&[
        "--run",
        run_arg,
        "--interpolate",
        "3",
        "--count",
        "2",
        "--digit",
        "7",
        "--range",
        "raw",
        "--csv",
        strip.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let walks = generate::interpolate(&generator, &config.model, &[7, 7], 3, 0, &device).unwrap();
    let other = generate::interpolate(&generator, &config.model, &[0, 1], 3, 0, &device).unwrap();
    let m = data::csv::read_matrix(&strip).unwrap();
    let near = |want: &[f32]| m.values.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-4);
    assert!(m.rows == 6 && near(&walks) && !near(&other));
    // --digit means nothing to an unconditional generator.
    let other = fake_run(&tmp.path().join("plain"), Arch::Dcgan);
    let (ok, text) = generate(&["--run", other.path.to_str().unwrap(), "--digit", "7"]);
    assert!(
        !ok && text.contains("--digit") && text.contains("conditional"),
        "{text}"
    );
    let (ok, text) = generate(&["--run", run_arg, "--digit", "12"]);
    assert!(!ok && text.contains("12"), "{text}");
    // Nor a digit the generator was not trained on.
    let fours_and_nines = fake_run_of(
        &tmp.path().join("49"),
        ModelConfig::new()
            .with_conditional(true)
            .with_digits(vec![4, 9]),
    );
    let (ok, text) = generate(&[
        "--run",
        fours_and_nines.path.to_str().unwrap(),
        "--digit",
        "7",
    ]);
    assert!(
        !ok && text.contains("--digit 7") && text.contains("4,9"),
        "{text}"
    );
}
