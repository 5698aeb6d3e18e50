//! The run's report: `report.html`, a self-contained page with the configuration, loss curves,
//! scores, timings and sample grids, and `samples/progress.gif`, the grids as an animation.
//!
//! Both are rewritten after every epoch from what the run directory holds: `config.json`,
//! `log.csv`, the per-step log `steps.csv`, the grids and
//! `best/scores.json`. The page needs no network and no JavaScript; the charts are inline SVG
//! drawn with `plotters`.

use crate::metrics::Stat;
use crate::run::{BEST, BEST_SCORES, CONFIG, LOG, RunDir, SAMPLES};
use anyhow::{Context, Result};
use data::fsio::write_atomic;
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame};
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// File name of the report.
pub const REPORT: &str = "report.html";
/// File name of the progress animation, in the samples directory.
pub const PROGRESS: &str = "progress.gif";
/// At most this many points per per-step curve (longer runs are averaged over windows).
pub const MAX_STEP_POINTS: usize = 1000;

/// One named curve: (x, y) points.
pub type Series = (String, Vec<(f64, f64)>);

/// The per-epoch log: its column names and rows (an empty field is `None`).
#[derive(Debug, Clone, Default)]
pub struct Log {
    /// Column names.
    pub header: Vec<String>,
    /// One row per epoch.
    pub rows: Vec<Vec<Option<f64>>>,
}

impl Log {
    /// Reads `log.csv` (an empty log if there is none yet).
    pub fn read(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let mut lines = text.lines();
        let header = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::to_string)
            .collect();
        let rows = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(|f| f.parse().ok()).collect())
            .collect();
        Ok(Self { header, rows })
    }

    /// The values of column `name` against the epoch (rows where it is empty are skipped).
    pub fn column(&self, name: &str) -> Vec<(f64, f64)> {
        let Some(i) = self.header.iter().position(|h| h == name) else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter_map(|row| Some((row.first().copied()??, row.get(i).copied()??)))
            .collect()
    }
}

/// The per-step values of a training metric from `steps.csv`, against the step; steps where
/// it has no value (the generator's loss when it did not train) are skipped.
pub fn step_values(run: &Path, stat: Stat) -> Vec<(f64, f64)> {
    let i = Stat::ALL.iter().position(|s| *s == stat).unwrap_or(0);
    crate::steplog::read(run)
        .into_iter()
        .filter_map(|row| {
            let v = row.values.get(i).copied().flatten()?;
            v.is_finite().then_some((row.step as f64, v as f64))
        })
        .collect()
}

/// Averages `points` over consecutive windows so that at most `max` remain.
pub fn downsample(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max == 0 {
        return points;
    }
    let window = points.len().div_ceil(max);
    points
        .chunks(window)
        .map(|c| {
            let n = c.len() as f64;
            (
                c.iter().map(|p| p.0).sum::<f64>() / n,
                c.iter().map(|p| p.1).sum::<f64>() / n,
            )
        })
        .collect()
}

/// Draws `series` as lines against `x_label`, as an SVG document.
pub fn line_chart(title: &str, x_label: &str, series: &[Series]) -> Result<String> {
    let points = series.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 - x0 < 1e-9 {
        (x0, x1) = (x0 - 0.5, x1 + 0.5);
    }
    let pad = ((y1 - y0) * 0.05).max(1e-6);
    let (y0, y1) = (y0 - pad, y1 + pad);
    let colours = [RED, BLUE, GREEN, MAGENTA, CYAN, BLACK];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
        let fail = |e: &dyn std::fmt::Debug| anyhow::anyhow!("drawing \"{title}\": {e:?}");
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| fail(&e))?;
        // Steps and epochs are whole numbers: at most one label per unit.
        let labels = ((x1 - x0).round() as usize + 1).clamp(2, 10);
        chart
            .configure_mesh()
            .x_desc(x_label)
            .x_labels(labels)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| fail(&e))?;
        for (i, (name, points)) in series.iter().enumerate() {
            let colour = colours[i % colours.len()];
            let style = colour.stroke_width(2);
            chart
                .draw_series(LineSeries::new(points.iter().copied(), style))
                .map_err(|e| fail(&e))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// The sample grids of the run, oldest first: (epoch, path relative to the run directory).
pub fn grids(run: &Path) -> Vec<(usize, String)> {
    let mut found: Vec<(usize, String)> = std::fs::read_dir(run.join(SAMPLES))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let epoch = name
                .strip_prefix("epoch-")?
                .strip_suffix(".png")?
                .parse()
                .ok()?;
            Some((epoch, format!("{SAMPLES}/{name}")))
        })
        .collect();
    found.sort();
    found
}

/// Writes `samples/progress.gif`: every epoch's grid in turn, the last one held longer.
pub fn write_progress_gif(run: &RunDir) -> Result<Option<PathBuf>> {
    let grids = grids(&run.path);
    if grids.is_empty() {
        return Ok(None);
    }
    let mut frames = Vec::with_capacity(grids.len());
    for (i, (_, rel)) in grids.iter().enumerate() {
        let path = run.path.join(rel);
        let img = image::open(&path)
            .with_context(|| format!("{}: cannot read the grid", path.display()))?
            .into_rgba8();
        let ms = if i + 1 == grids.len() { 2000 } else { 500 };
        frames.push(Frame::from_parts(
            img,
            0,
            0,
            Delay::from_numer_denom_ms(ms, 1),
        ));
    }
    let path = run.path.join(SAMPLES).join(PROGRESS);
    write_atomic(&path, |out| {
        let mut encoder = GifEncoder::new(out);
        encoder
            .set_repeat(Repeat::Infinite)
            .and_then(|_| encoder.encode_frames(frames))
            .map_err(std::io::Error::other)
    })?;
    Ok(Some(path))
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A figure holding an SVG chart, with an id to find it by.
fn figure(id: &str, svg: &str) -> String {
    format!("<figure id=\"{id}\">\n{svg}\n</figure>\n")
}

/// Writes `report.html` (and `samples/progress.gif`) for the run as it is now.
pub fn write_report(run: &RunDir) -> Result<PathBuf> {
    let dir = &run.path;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| dir.display().to_string());
    let config = std::fs::read_to_string(dir.join(CONFIG)).unwrap_or_default();
    let log = Log::read(&dir.join(LOG))?;
    let gif = write_progress_gif(run)?;

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <title>{n} - GAN training report</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 2em; max-width: 1400px; }}\n\
         table {{ border-collapse: collapse; }}\n\
         td, th {{ border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }}\n\
         figure {{ display: inline-block; margin: 0.5em; }}\n\
         figure img {{ width: 363px; image-rendering: pixelated; }}\n\
         .strip {{ display: flex; overflow-x: auto; gap: 1em; }}\n\
         .strip figure {{ flex: none; text-align: center; }}\n\
         pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}\n\
         </style>\n</head>\n<body>\n<h1>{n}</h1>\n",
        n = escape(&name)
    );

    // Summary.
    let epochs = log.rows.len();
    let last = |col: &str| log.column(col).last().map(|p| p.1);
    let _ = writeln!(html, "<h2>Summary</h2>\n<table>");
    let mut summary_row = |k: &str, v: String| {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(k),
            escape(&v)
        );
    };
    summary_row("epochs done", epochs.to_string());
    if let Some(step) = last("step") {
        summary_row("steps done", format!("{step:.0}"));
    }
    if let Some(s) = last("seconds") {
        summary_row("training time", format!("{s:.0} s"));
    }
    if let Some(v) = last("images_per_sec") {
        summary_row("images/s (last epoch)", format!("{v:.1}"));
    }
    let best = std::fs::read_to_string(dir.join(BEST).join(BEST_SCORES))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    if let Some(best) = &best {
        summary_row(
            "best epoch (lowest Fréchet distance)",
            format!(
                "{} (Fréchet distance {:.2}, real data {:.2}; classifier score {:.2}, real data {:.2})",
                best["epoch"],
                best["samples"]["frechet_distance"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                best["real"]["frechet_distance"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                best["samples"]["classifier_score"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                best["real"]["classifier_score"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
            ),
        );
    }
    let _ = writeln!(html, "</table>");

    // Curves over steps.
    let _ = writeln!(html, "<h2>Training curves</h2>");
    let steps = |stats: &[Stat]| -> Vec<Series> {
        stats
            .iter()
            .map(|&s| {
                (
                    s.name().to_string(),
                    downsample(step_values(dir, s), MAX_STEP_POINTS),
                )
            })
            .collect()
    };
    html.push_str(&figure(
        "step-losses",
        &line_chart(
            "Losses per step",
            "step",
            &steps(&[Stat::DLoss, Stat::GLoss]),
        )?,
    ));
    html.push_str(&figure(
        "step-outputs",
        &line_chart(
            "D(x) and D(G(z)) per step",
            "step",
            &steps(&[Stat::DReal, Stat::DFake]),
        )?,
    ));

    // Curves over epochs, one point per log line.
    let per_epoch = |cols: &[(&str, &str)]| -> Vec<Series> {
        cols.iter()
            .map(|(col, label)| (label.to_string(), log.column(col)))
            .collect()
    };
    html.push_str(&figure(
        "epoch-losses",
        &line_chart(
            "Mean losses per epoch",
            "epoch",
            &per_epoch(&[
                ("d_loss", "D loss"),
                ("g_loss", "G loss"),
                ("valid_d_loss", "D loss (valid)"),
                ("valid_g_loss", "G loss (valid)"),
            ]),
        )?,
    ));
    if !log.column("frechet_distance").is_empty() {
        let _ = writeln!(html, "<h2>Scores</h2>");
        html.push_str(&figure(
            "epoch-frechet",
            &line_chart(
                "Fréchet distance to the test set (lower is better)",
                "epoch",
                &per_epoch(&[("frechet_distance", "Fréchet distance")]),
            )?,
        ));
        html.push_str(&figure(
            "epoch-classifier-score",
            &line_chart(
                "Classifier score (higher is better, max 10)",
                "epoch",
                &per_epoch(&[("classifier_score", "classifier score")]),
            )?,
        ));
    }

    // The per-epoch table.
    // `seconds` counts from the start of the run; the epoch's own time is shown beside it.
    let seconds = log.header.iter().position(|h| h == "seconds");
    let _ = writeln!(html, "<h2>Epochs</h2>\n<table>\n<tr>");
    for h in &log.header {
        let _ = write!(html, "<th>{}</th>", escape(h));
        if h == "seconds" {
            let _ = write!(html, "<th>epoch_seconds</th>");
        }
    }
    let _ = writeln!(html, "</tr>");
    let mut previous = 0.0;
    for row in &log.rows {
        let _ = write!(html, "<tr>");
        for (i, v) in row.iter().enumerate() {
            if Some(i) == seconds {
                let now = v.unwrap_or(previous);
                let text = format!("{:.1}", now - previous);
                previous = now;
                let _ = write!(html, "<td>{:.1}</td><td>{text}</td>", v.unwrap_or(f64::NAN));
                continue;
            }
            let text = v.map(|v| format!("{v:.4}")).unwrap_or_default();
            let _ = write!(html, "<td>{}</td>", text.trim_end_matches(".0000"));
        }
        let _ = writeln!(html, "</tr>");
    }
    let _ = writeln!(html, "</table>");

    // Samples, newest first.
    let _ = writeln!(
        html,
        "<h2>Samples (one fixed noise batch, newest first)</h2>"
    );
    if gif.is_some() {
        let _ = writeln!(
            html,
            "<figure><img src=\"{SAMPLES}/{PROGRESS}\" alt=\"every epoch's grid in turn\" />\
             <figcaption>all epochs, animated</figcaption></figure>"
        );
    }
    let _ = writeln!(html, "<div class=\"strip\">");
    for (epoch, rel) in grids(dir).into_iter().rev() {
        let _ = writeln!(
            html,
            "<figure><img src=\"{rel}\" alt=\"samples after epoch {epoch}\" />\
             <figcaption>epoch {epoch}</figcaption></figure>"
        );
    }
    let _ = writeln!(html, "</div>");

    let _ = writeln!(
        html,
        "<h2>Configuration</h2>\n<pre>{}</pre>\n</body>\n</html>",
        escape(&config)
    );
    let path = dir.join(REPORT);
    write_atomic(&path, |out| out.write_all(html.as_bytes()))?;
    Ok(path)
}
