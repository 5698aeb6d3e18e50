//! Downloading MNIST into the cache, as torchvision and burn-dataset do: from a mirror
//! (configurable), with a progress bar, each file's checksum verified before it is kept.

use crate::mnist;
use crate::{DataError, idx};
use indicatif::{ProgressBar, ProgressStyle};
use md5::{Digest, Md5};
use std::io::{Read, Write};
use std::path::Path;

/// The mirror torchvision downloads MNIST from.
pub const DEFAULT_MIRROR: &str = "https://ossci-datasets.s3.amazonaws.com/mnist/";
/// Environment variable overriding the mirror.
pub const ENV_MIRROR: &str = "MNIST_MIRROR";

/// The MD5 of each file's uncompressed content (mirrors may recompress the `.gz`).
pub fn expected_md5(name: &str) -> Option<&'static str> {
    Some(match name {
        "train-images-idx3-ubyte" => "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte" => "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte" => "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte" => "27ae3e4e09519cfbb04c329615203637",
        _ => return None,
    })
}

/// The mirror to use: `$MNIST_MIRROR` if set, else [`DEFAULT_MIRROR`].
pub fn mirror() -> String {
    std::env::var(ENV_MIRROR)
        .ok()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| DEFAULT_MIRROR.to_string())
}

/// Downloads every canonical file missing from `dir` (as `NAME.gz`) from `mirror`.
///
/// Each file is fetched into a temporary file, its decompressed content checked against
/// [`expected_md5`], and only then renamed into place: an interrupted or corrupt download
/// leaves nothing behind. A failure says which files to put where by hand.
pub fn download_missing(dir: &Path, mirror: &str) -> Result<(), DataError> {
    let missing = mnist::missing_files(dir);
    if missing.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| DataError::io(dir, e))?;
    let base = if mirror.ends_with('/') {
        mirror.to_string()
    } else {
        format!("{mirror}/")
    };
    for name in &missing {
        let url = format!("{base}{name}.gz");
        fetch(&url, name, dir).map_err(|e| {
            DataError::Request(format!(
                "{e}\n{}",
                mnist::missing_message(dir, &mnist::missing_files(dir))
            ))
        })?;
    }
    Ok(())
}

fn fetch(url: &str, name: &str, dir: &Path) -> Result<(), String> {
    let target = dir.join(format!("{name}.gz"));
    let tmp = dir.join(format!(".{name}.gz.part{}", std::process::id()));
    let result = (|| {
        let response = ureq::get(url)
            .call()
            .map_err(|e| format!("cannot download {url}: {e}"))?;
        let len = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let bar = match len {
            Some(len) => ProgressBar::new(len),
            None => ProgressBar::no_length(),
        };
        bar.set_style(
            ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("{name}.gz"));
        let mut body = response.into_body().into_reader();
        let mut file =
            std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = body
                .read(&mut buf)
                .map_err(|e| format!("cannot download {url}: {e}"))?;
            if n == 0 {
                break;
            }
            file.write_all(&buf[..n])
                .map_err(|e| format!("{}: {e}", tmp.display()))?;
            bar.inc(n as u64);
        }
        file.sync_all()
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        bar.finish_and_clear();
        let content = idx::read_maybe_gzip(&tmp).map_err(|e| format!("{url}: {e}"))?;
        let digest = format!("{:x}", Md5::digest(&content));
        let want = expected_md5(name).unwrap_or_default();
        if digest != want {
            return Err(format!(
                "{url}: checksum mismatch (MD5 of the content {digest}, expected {want}); not kept"
            ));
        }
        std::fs::rename(&tmp, &target).map_err(|e| format!("{}: {e}", target.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
