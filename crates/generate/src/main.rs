//! `generate`: sample a trained generator, write CSV and PNG; or turn a CSV into a PNG.

use anyhow::{Context, Result, bail};
use clap::{Args as ClapArgs, Parser, Subcommand};
use data::pixels::Range;
use std::path::PathBuf;
use std::process::ExitCode;
use train::DeviceChoice;
use train::cli::RangeArg;
use train::run::{RunDir, load_generator, read_config};

/// Sample a trained GAN generator and write the samples as CSV (one image per row, 784
/// values) and PNG (a grid, or one file per image). With `to-png`, turn a CSV into a PNG.
#[derive(Parser, Debug)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    sample: SampleArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Turn a CSV of images into a PNG: one image per row (784 values, or 785 with a label)
    /// drawn as a grid, or a matrix of 28x28 tiles (the mlpack tutorial's output) drawn as is.
    ToPng {
        /// The CSV file.
        input: PathBuf,
        /// The PNG to write.
        #[arg(long, value_name = "FILE")]
        png: PathBuf,
        /// The range the values are in; default: guessed (negative values mean [-1, 1],
        /// values above 1 mean [0, 255], else [0, 1]).
        #[arg(long, value_enum)]
        range: Option<RangeArg>,
    },
}

#[derive(ClapArgs, Debug)]
struct SampleArgs {
    /// Run directory written by `train` (uses its config.json and generator.bpk, or
    /// generator-ema.bpk, the moving average of the weights, when the run kept one).
    #[arg(long, value_name = "DIR", required_unless_present_all = ["generator", "config"])]
    run: Option<PathBuf>,
    /// Use the run's best weights (best/, kept when training scores the generator) instead
    /// of its last epoch's.
    #[arg(long, requires = "run")]
    best: bool,
    /// Generator weights, instead of --run (needs --config).
    #[arg(long, value_name = "FILE", requires = "config", conflicts_with = "run")]
    generator: Option<PathBuf>,
    /// The run's config.json, instead of --run (needs --generator).
    #[arg(
        long,
        value_name = "FILE",
        requires = "generator",
        conflicts_with = "run"
    )]
    config: Option<PathBuf>,
    /// Number of samples (with --interpolate: of rows, each a walk).
    #[arg(long, default_value_t = 64)]
    count: usize,
    /// With a conditional generator (train's default): draw only this digit. Without it,
    /// a conditional generator's grid has one digit per row, 0 (or its first digit) at the top.
    #[arg(long, value_name = "D", value_parser = clap::value_parser!(u8).range(0..=9))]
    digit: Option<u8>,
    /// Walk between pairs of noise vectors instead: each of --count rows goes in this many
    /// images from one noise vector to another (along the great circle for normal noise),
    /// written as a PNG strip per row; default output <run>/interpolation.png. A conditional
    /// generator walks every row with --digit when given, else row r with its r-th digit.
    #[arg(long, value_name = "STEPS", conflicts_with = "png_dir")]
    interpolate: Option<usize>,
    /// Seed of the noise: the same seed draws the same samples.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// CSV file to write; default: <run>/samples.csv (when no output is named).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// PNG grid to write; default: <run>/samples.png (when no output is named).
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
    /// Directory to write one PNG per sample into.
    #[arg(long, value_name = "DIR")]
    png_dir: Option<PathBuf>,
    /// Value range of the CSV: the generator's raw [-1, 1], [0, 1], or [0, 255] (the MNIST
    /// and Kaggle layout, readable by `train --train-csv`).
    #[arg(long, value_enum, default_value_t = RangeArg::Byte)]
    range: RangeArg,
    /// Also write an HTML page beside the PNG grid (same name, .html) showing it with these
    /// settings, linked to the run's training report when it is in the run directory.
    #[arg(long)]
    report: bool,
    /// Device, among the backends compiled in.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
}

fn sample(args: SampleArgs) -> Result<()> {
    if args.count == 0 {
        bail!("--count must be at least 1");
    }
    let device = args.device.resolve().map_err(anyhow::Error::msg)?;
    let (config, generator) = match (&args.run, &args.generator, &args.config) {
        (Some(run), _, _) => RunDir::open(run)?.load_generator(args.best, &device)?,
        (None, Some(weights), Some(config)) => {
            let config = read_config(config)?.model;
            let generator = load_generator(&config, weights, &device)?;
            (config, generator)
        }
        _ => bail!("give --run DIR, or --generator FILE with --config FILE"),
    };
    if let Some(digit) = args.digit {
        if !config.conditional {
            bail!(
                "--digit needs a conditional generator (train's default; this one was trained with --unconditional and is not told which digit to draw)"
            );
        }
        let trained = config.trained_digits();
        if !trained.contains(&digit) {
            bail!(
                "--digit {digit}: this generator was trained on the digits {} only",
                trained
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
    }
    if args.interpolate.is_some_and(|steps| steps < 2) {
        bail!("--interpolate needs at least 2 steps (the two ends)");
    }
    let (mut csv, mut png) = (args.csv, args.png);
    if csv.is_none() && png.is_none() && args.png_dir.is_none() {
        let dir = args.run.clone().unwrap_or_else(|| PathBuf::from("."));
        if args.interpolate.is_some() {
            png = Some(dir.join("interpolation.png"));
        } else {
            csv = Some(dir.join("samples.csv"));
            png = Some(dir.join("samples.png"));
        }
    }
    if args.report && png.is_none() {
        bail!("--report shows the PNG grid: give --png FILE too (or no output, for the defaults)");
    }
    let (images, cols) = match args.interpolate {
        Some(steps) => {
            // A conditional generator walks each row with --digit, else its digits in turn.
            let rows = match args.digit {
                Some(d) => vec![d; args.count],
                None => config.cycle_digits(args.count),
            };
            let images =
                generate::interpolate(&generator, &config, &rows, steps, args.seed, &device)?;
            (images, steps)
        }
        None => {
            let (digits, cols) = generate::grid_digits(&config, args.count, args.digit);
            let images = generate::sample_digits(&generator, &config, &digits, args.seed, &device)?;
            (images, cols)
        }
    };
    let n = images.len() / data::PIXELS;
    if let Some(path) = &csv {
        data::csv::write_images(path, &images, args.range.into())?;
        println!("Wrote {n} samples to {}", path.display());
    }
    if let Some(path) = &png {
        let grid = data::png::grid(&images, cols, Range::Signed);
        data::png::save(&grid, path)?;
        match args.interpolate {
            Some(steps) => println!(
                "Wrote {} walks of {steps} steps between noise vectors to {}",
                args.count,
                path.display()
            ),
            None => println!("Wrote a grid of {n} samples to {}", path.display()),
        }
    }
    if let (true, Some(grid)) = (args.report, &png) {
        let source = match (&args.run, &args.generator) {
            (Some(run), _) => RunDir::open(run)?
                .generator_file(args.best)
                .display()
                .to_string(),
            (None, Some(weights)) => weights.display().to_string(),
            _ => String::new(),
        };
        let page = generate::write_page(
            grid,
            &[
                ("generator", source),
                ("samples", args.count.to_string()),
                ("seed", args.seed.to_string()),
                ("device", format!("{device:?}")),
            ],
        )?;
        println!("Wrote a page showing them to {}", page.display());
    }
    if let Some(dir) = &args.png_dir {
        generate::write_png_dir(&images, dir)?;
        println!("Wrote {} PNGs into {}", args.count, dir.display());
    }
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::ToPng { input, png, range }) => {
            let layout = generate::csv_to_png(&input, &png, range.map(Into::into))
                .with_context(|| format!("converting {}", input.display()))?;
            println!(
                "Wrote {} ({layout:?} layout) to {}",
                input.display(),
                png.display()
            );
            Ok(())
        }
        None => sample(cli.sample),
    }
}

fn main() -> ExitCode {
    train::cli::exit_code(run(Cli::parse()))
}
