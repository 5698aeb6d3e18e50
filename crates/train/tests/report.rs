//! The report of a short real run: well-formed, referring only to files that exist, with one
//! chart point per log line and per step, and an animation with one frame per epoch.

mod common;

use image::AnimationDecoder;
use image::codecs::gif::GifDecoder;
use quick_xml::events::Event;
use std::collections::HashMap;
use train::report::{PROGRESS, REPORT, downsample};
use train::run::{LOG, SAMPLES};

/// Every element of the page: (name, attributes), checking on the way that it is well formed.
fn elements(html: &str) -> Vec<(String, HashMap<String, String>)> {
    let mut reader = quick_xml::Reader::from_str(html);
    let mut out = Vec::new();
    let mut open = 0usize;
    loop {
        let event = reader.read_event();
        match &event {
            Ok(Event::Start(_)) => open += 1,
            Ok(Event::End(_)) => open -= 1,
            _ => {}
        }
        match event {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        (
                            String::from_utf8_lossy(a.key.as_ref()).to_string(),
                            a.unescape_value().expect("escaped value").to_string(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
            }
            Ok(_) => {}
            Err(e) => panic!("not well formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(open, 0, "elements left open");
    out
}

#[test]
fn a_short_run_gets_a_report_and_an_animation() {
    let (_tmp, run) = common::short_run(6, 9);
    let epochs = std::fs::read_to_string(run.file(LOG))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(epochs, 3, "64 images in batches of 32, 6 steps");

    let html = std::fs::read_to_string(run.file(REPORT)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    let elements = elements(&html);

    // Every file the page refers to is in the run directory.
    let mut referenced = 0;
    for (_, attrs) in &elements {
        for key in ["src", "href"] {
            if let Some(target) = attrs.get(key) {
                assert!(!target.contains("://"), "{target}: not local");
                assert!(run.path.join(target).is_file(), "{target}: missing");
                referenced += 1;
            }
        }
    }
    assert_eq!(
        referenced,
        epochs + 1,
        "one grid per epoch and the animation"
    );

    // Charts: the lines of each figure, as numbers of points, after the figure's id.
    let mut figure = String::new();
    let mut lines: HashMap<String, Vec<usize>> = HashMap::new();
    for (name, attrs) in &elements {
        if name == "figure"
            && let Some(id) = attrs.get("id")
        {
            figure = id.clone();
        }
        if name == "polyline" {
            let n = attrs["points"].split_whitespace().count();
            lines.entry(figure.clone()).or_default().push(n);
        }
    }
    // Four per-epoch curves of one point per log line (legend samples have 2 points).
    let per_epoch = lines["epoch-losses"]
        .iter()
        .filter(|&&n| n == epochs)
        .count();
    assert_eq!(per_epoch, 4, "{lines:?}");
    // D loss per step: one point per step; G loss too (every step trains the generator).
    let per_step = lines["step-losses"].iter().filter(|&&n| n == 6).count();
    assert_eq!(per_step, 2, "{lines:?}");

    // The animation: one frame per epoch.
    let gif = std::fs::File::open(run.path.join(SAMPLES).join(PROGRESS)).unwrap();
    let frames = GifDecoder::new(std::io::BufReader::new(gif))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), epochs);
}

#[test]
fn long_curves_are_averaged_down() {
    let points: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, (i * 2) as f64)).collect();
    assert_eq!(downsample(points.clone(), 20), points);
    let down = downsample(points, 4);
    // Windows of 3: (0,1,2), (3,4,5), (6,7,8), (9).
    assert_eq!(down, vec![(1.0, 2.0), (4.0, 8.0), (7.0, 14.0), (9.0, 18.0)]);
}
