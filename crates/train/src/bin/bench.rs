//! `bench`: time full GAN training steps per preset, batch size and backend.

use anyhow::Result;
use clap::Parser;
use model::{Arch, ModelConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use train::DeviceChoice;
use train::bench::{Plan, time_loading, time_steps};
use train::profile;

/// Time full training steps (a discriminator update on a real and a fake batch, then a
/// generator update) for each preset, batch size and device, after warm-up, and print
/// images/s (median of repeats), ms per step and GFLOP/s from an analytic operation count.
/// Data loading is timed on its own. With --layers, times each layer of the networks on its
/// own instead: where a step's time goes.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Presets to time.
    #[arg(long, value_delimiter = ',', default_values = ["mlpack", "dcgan"])]
    arch: Vec<String>,
    /// Batch sizes to time.
    #[arg(long, value_delimiter = ',', default_values_t = [5, 64, 256])]
    batch_sizes: Vec<usize>,
    /// Devices to time, among those compiled in.
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["cpu"])]
    device: Vec<DeviceChoice>,
    /// CPU threads (the flex backend's thread pool); default: all cores.
    #[arg(long)]
    threads: Option<usize>,
    /// Untimed steps before measuring.
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Timed repeats (the median is printed).
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Steps per repeat.
    #[arg(long, default_value_t = 5)]
    steps: usize,
    /// Time each layer on its own (forward, and forward plus backward) instead of whole steps.
    #[arg(long)]
    layers: bool,
    /// Directory of the MNIST files (default: $MNIST_DIR, else the cache).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

fn run(args: Args) -> Result<()> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| anyhow::anyhow!("--threads {n}: {e}"))?;
    }
    let threads = rayon::current_num_threads();
    let archs = args
        .arch
        .iter()
        .map(|arch| match arch.as_str() {
            "mlpack" => Ok(Arch::Mlpack),
            "dcgan" => Ok(Arch::Dcgan),
            other => Err(anyhow::anyhow!("--arch {other}: expected mlpack or dcgan")),
        })
        .collect::<Result<Vec<_>>>()?;
    if args.batch_sizes.contains(&0) {
        anyhow::bail!("--batch-sizes: a batch size must be at least 1");
    }
    if args.layers {
        return print_layers(&args, &archs, threads);
    }
    let images = train::source::load(&train::source::DataOptions {
        data_dir: args.data_dir.as_deref(),
        limit: Some(2048),
        valid_size: 1,
        ..Default::default()
    })?
    .train;
    let plan = Plan {
        warmup: args.warmup,
        repeats: args.repeats,
        steps: args.steps,
    };
    println!("| preset | device | threads | batch | images/s | ms/step | GFLOP/s |");
    println!("|---|---|---|---|---|---|---|");
    for choice in &args.device {
        let device = choice.resolve().map_err(anyhow::Error::msg)?;
        for &arch in &archs {
            let model = ModelConfig::new().with_arch(arch);
            for &batch in &args.batch_sizes {
                let m = time_steps(&model, batch, &device, &images, plan);
                println!(
                    "| {} | {choice:?} | {threads} | {batch} | {:.1} | {:.1} | {:.2} |",
                    format!("{arch:?}").to_lowercase(),
                    m.images_per_sec,
                    m.ms_per_step,
                    m.gflops
                );
            }
        }
        let loading = time_loading(&images, 64, 30, &device);
        println!(
            "\nData loading alone on {choice:?}: {loading:.0} images/s (batches of 64, one worker)"
        );
    }
    Ok(())
}

/// Prints, for each device, preset and batch size, every layer's time and its share of a step.
fn print_layers(args: &Args, archs: &[Arch], threads: usize) -> Result<()> {
    for choice in &args.device {
        let device = choice.resolve().map_err(anyhow::Error::msg)?;
        for &arch in archs {
            for &batch in &args.batch_sizes {
                let layers = profile::layers(arch, batch, &device, args.repeats);
                let total: f64 = layers
                    .iter()
                    .filter(|l| l.in_network)
                    .map(|l| l.step_ms())
                    .sum();
                println!(
                    "\n{} on {choice:?}, {threads} thread(s), batch {batch}: per layer, ms \
                     (a step runs each D layer 3 times)\n",
                    format!("{arch:?}").to_lowercase()
                );
                println!("| layer | forward | forward + backward | per step | share |");
                println!("|---|---|---|---|---|");
                for l in &layers {
                    let share = if l.in_network {
                        format!("{:.0} %", 100.0 * l.step_ms() / total)
                    } else {
                        "(not used)".into()
                    };
                    println!(
                        "| {} | {:.2} | {:.2} | {:.1} | {share} |",
                        l.name,
                        l.forward_ms,
                        l.forward_backward_ms,
                        l.step_ms()
                    );
                }
                println!("| all layers of a step | | | {total:.1} | |");
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    train::cli::exit_code(run(Args::parse()))
}
