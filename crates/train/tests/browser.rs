//! The report in a real browser: headless Chromium, driven through chromedriver (Debian
//! packages `chromium` and `chromium-driver`, which `.ci/run` installs), loads the report of a
//! short run from disk; every image must have loaded, and a screenshot is taken.
//!
//! Set `REPORT_SCREENSHOT=FILE` to keep the screenshot.

mod common;

use base64::Engine;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use train::report::REPORT;

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; .ci/run installs it)");
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while ureq::get(&format!("{}/status", driver.url)).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let mut response = ureq::post(&format!("{}{path}", self.url))
            .send_json(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        response.body_mut().read_json().expect("JSON")
    }

    fn get(&self, path: &str) -> Value {
        let mut response = ureq::get(&format!("{}{path}", self.url))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        response.body_mut().read_json().expect("JSON")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn chromium_loads_every_image_of_the_report() {
    let (_tmp, run) = common::short_run(4, 16);
    let page = run.file(REPORT).canonicalize().unwrap();

    let driver = Driver::start();
    let session = driver.post(
        "/session",
        json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1400,2000"
            ]}
        }}}),
    );
    let id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_string();
    driver.post(
        &format!("/session/{id}/url"),
        json!({"url": format!("file://{}", page.display())}),
    );
    // Wait for the page and its images, then read each image's natural width.
    let script = "return document.readyState === 'complete' && \
                  Array.from(document.images).every(i => i.complete) ? \
                  Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth]) : null";
    let started = Instant::now();
    let images = loop {
        let value = driver.post(
            &format!("/session/{id}/execute/sync"),
            json!({"script": script, "args": []}),
        )["value"]
            .clone();
        if !value.is_null() {
            break value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the page did not load"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let images = images.as_array().expect("a list of images");
    // Two epochs: two grids and the animation.
    assert_eq!(images.len(), 3, "{images:?}");
    for image in images {
        assert!(image[1].as_u64().unwrap_or(0) > 0, "not loaded: {image}");
    }
    let svgs = driver.post(
        &format!("/session/{id}/execute/sync"),
        json!({"script": "return document.querySelectorAll('figure svg').length", "args": []}),
    );
    assert_eq!(svgs["value"], 3, "the step and epoch charts: {svgs}");

    let shot = driver.get(&format!("/session/{id}/screenshot"));
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["value"].as_str().expect("a screenshot"))
        .expect("base64");
    let img = image::load_from_memory(&png).expect("a PNG screenshot");
    assert!(img.width() >= 1000 && img.height() > 500);
    if let Some(path) = std::env::var_os("REPORT_SCREENSHOT") {
        std::fs::write(path, &png).unwrap();
    }
    let _ = ureq::delete(&format!("{}/session/{id}", driver.url)).call();
}
