//! `evaluate`: score a run's samples (or a CSV of images) with the MNIST classifier, beside
//! the same scores for real images; or train that classifier.

use anyhow::{Result, bail};
use clap::{Args as ClapArgs, Parser, Subcommand};
use data::mnist::{self, Split};
use evaluate::classifier_training::{self, ClassifierTraining};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use train::DeviceChoice;
use train::cli::RangeArg;

/// Score generated digits: classifier (Inception) score, Fréchet distance of the classifier's
/// features to the MNIST test set, class histogram, confidence and distance to the nearest
/// training image, each beside the same score for as many real MNIST images.
#[derive(Parser, Debug)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    score: ScoreArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train the MNIST classifier the scores use and save its weights (by default into
    /// assets/, where `evaluate` looks for them).
    TrainClassifier(ClassifierArgs),
}

#[derive(ClapArgs, Debug)]
struct ScoreArgs {
    /// Run directory written by `train`: its generator draws the samples.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "csv",
        conflicts_with = "csv"
    )]
    run: Option<PathBuf>,
    /// Score the run's best weights (best/, kept when training scores the generator) instead
    /// of its last epoch's.
    #[arg(long, requires = "run")]
    best: bool,
    /// CSV file of images to score instead (one image per row, as `generate` writes).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Samples to draw from the run's generator.
    #[arg(long, default_value_t = 10_000, conflicts_with = "csv")]
    count: usize,
    /// Seed of the samples' noise (the same as `generate --seed`).
    #[arg(long, default_value_t = 0, conflicts_with = "csv")]
    seed: u64,
    /// Value range of the CSV's values; default: guessed from the values.
    #[arg(long, value_enum, requires = "csv")]
    range: Option<RangeArg>,
    /// The classifier's weights; default: assets/mnist-classifier.bpk.
    #[arg(long, value_name = "FILE")]
    classifier: Option<PathBuf>,
    /// Directory of the MNIST files; default: $MNIST_DIR, else ~/.cache/gan-mnist/mnist.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Device, among the backends compiled in.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
}

#[derive(ClapArgs, Debug)]
struct ClassifierArgs {
    /// Where to write the weights.
    #[arg(long, value_name = "FILE", default_value_os_t = quality::classifier::default_path())]
    out: PathBuf,
    /// Passes over the 60,000 training images.
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    /// Images per step.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Adam's initial learning rate (it falls along a cosine to 0 over the run).
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Seed of the initial weights and the shuffling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory of the MNIST files; default: $MNIST_DIR, else ~/.cache/gan-mnist/mnist.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Device, among the backends compiled in.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
}

fn score(args: ScoreArgs) -> Result<()> {
    if args.count < 2 {
        bail!("--count must be at least 2 (a covariance needs two samples)");
    }
    let device = args.device.resolve().map_err(anyhow::Error::msg)?;
    let (source, images, digits) = match (&args.run, &args.csv) {
        (Some(run), _) => {
            let drawn = evaluate::input::from_run(run, args.best, args.count, args.seed, &device)?;
            (run.display().to_string(), drawn.images, drawn.digits)
        }
        (None, Some(csv)) => (
            csv.display().to_string(),
            evaluate::input::from_csv(csv, args.range.map(Into::into))?,
            None,
        ),
        (None, None) => bail!("give --run DIR or --csv FILE"),
    };
    if images.len() < 2 * data::PIXELS {
        bail!("{source}: needs at least 2 images to score");
    }
    let evaluator = train::source::load_evaluator(
        args.classifier.as_deref(),
        args.data_dir.as_deref(),
        &device,
    )?;
    let mut report = evaluator.report(&source, &images);
    report.agreement = digits.map(|d| evaluator.agreement(&images, &d));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

fn train_classifier(args: ClassifierArgs) -> Result<()> {
    let device = args.device.resolve().map_err(anyhow::Error::msg)?;
    let dir = train::source::mnist_dir(args.data_dir.as_deref())?;
    let train = mnist::load(&dir, Split::Train)?;
    let test = mnist::load(&dir, Split::Test)?;
    let opts = ClassifierTraining {
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.lr,
        seed: args.seed,
    };
    let work = tempfile::tempdir()?;
    let started = Instant::now();
    let classifier =
        classifier_training::train_classifier(&opts, train, test.clone(), &device, work.path())?;
    let accuracy = classifier_training::accuracy(&classifier, &test, &device);
    model::store::save_module(&classifier, &args.out)?;
    println!(
        "Test accuracy {:.2} % on {} images after {} epochs ({:.0} s); wrote {}",
        accuracy * 100.0,
        test.len(),
        args.epochs,
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::TrainClassifier(args)) => train_classifier(args),
        None => score(cli.score),
    }
}

fn main() -> ExitCode {
    train::cli::exit_code(run(Cli::parse()))
}
