//! MNIST: where the files are, loading a split, and taking a subset.

use crate::{DataError, PIXELS, SIDE, idx};
use std::path::{Path, PathBuf};

/// Environment variable naming the directory that holds the MNIST files.
pub const ENV_DIR: &str = "MNIST_DIR";

/// One of MNIST's two splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The 60,000 training images.
    Train,
    /// The 10,000 test images.
    Test,
}

impl Split {
    /// The canonical file names of the split: images, then labels (without `.gz`).
    pub fn file_names(self) -> [&'static str; 2] {
        match self {
            Split::Train => ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
            Split::Test => ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
        }
    }
}

/// Every canonical MNIST file name (without `.gz`).
pub fn all_file_names() -> [&'static str; 4] {
    let [a, b] = Split::Train.file_names();
    let [c, d] = Split::Test.file_names();
    [a, b, c, d]
}

/// Images with their labels, pixels as bytes 0..=255, row-major, 784 per image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mnist {
    /// `len() * 784` pixel values.
    pub pixels: Vec<u8>,
    /// One label 0..=9 per image.
    pub labels: Vec<u8>,
}

impl Mnist {
    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }

    /// Keeps only the images whose label is in `digits` (all if empty), then the first `limit`.
    /// Fails if nothing is left, naming the filter.
    pub fn subset(self, digits: &[u8], limit: Option<usize>) -> Result<Self, DataError> {
        let mut out = Mnist {
            pixels: Vec::new(),
            labels: Vec::new(),
        };
        for i in 0..self.len() {
            if limit.is_some_and(|l| out.len() >= l) {
                break;
            }
            if digits.is_empty() || digits.contains(&self.labels[i]) {
                out.pixels.extend_from_slice(self.image(i));
                out.labels.push(self.labels[i]);
            }
        }
        if out.is_empty() {
            let digits: Vec<String> = digits.iter().map(u8::to_string).collect();
            return Err(DataError::Request(format!(
                "--digits {} selects none of the {} images",
                digits.join(","),
                self.len()
            )));
        }
        Ok(out)
    }
}

/// Finds `name` or `name.gz` in `dir`.
pub fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    [name.to_string(), format!("{name}.gz")]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// The canonical files missing from `dir`.
pub fn missing_files(dir: &Path) -> Vec<&'static str> {
    all_file_names()
        .into_iter()
        .filter(|n| find_file(dir, n).is_none())
        .collect()
}

/// The default cache directory: `$XDG_CACHE_HOME/gan-mnist/mnist` or `~/.cache/gan-mnist/mnist`.
pub fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("gan-mnist").join("mnist"))
}

/// Where a data directory was chosen from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A `--data-dir` flag.
    Flag,
    /// The `MNIST_DIR` environment variable.
    Env,
    /// The cache, where missing files may be downloaded.
    Cache,
}

/// Where the data comes from: `explicit` (a `--data-dir` flag), else `$MNIST_DIR`, else the cache.
///
/// The directory returned is the one chosen; it may still lack files (see [`missing_files`]).
pub fn choose_dir(explicit: Option<&Path>) -> Result<(PathBuf, Origin), DataError> {
    if let Some(dir) = explicit {
        return Ok((dir.to_path_buf(), Origin::Flag));
    }
    if let Some(dir) = std::env::var_os(ENV_DIR).filter(|v| !v.is_empty()) {
        return Ok((PathBuf::from(dir), Origin::Env));
    }
    cache_dir().map(|d| (d, Origin::Cache)).ok_or_else(|| {
        DataError::Request(format!(
            "no MNIST directory: pass --data-dir or set {ENV_DIR} (no HOME for a cache)"
        ))
    })
}

/// The message for a directory that lacks some files: which ones, and where to put them.
pub fn missing_message(dir: &Path, missing: &[&str]) -> String {
    format!(
        "{}: missing MNIST files {} (each raw or gzip-compressed with .gz); put them there, \
         or point --data-dir or {ENV_DIR} at a directory that has them",
        dir.display(),
        missing.join(", ")
    )
}

/// Loads one split from `dir`, validating both files and that they agree.
pub fn load(dir: &Path, split: Split) -> Result<Mnist, DataError> {
    let missing: Vec<_> = split
        .file_names()
        .into_iter()
        .filter(|n| find_file(dir, n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(DataError::Request(missing_message(dir, &missing)));
    }
    let [img_name, lbl_name] = split.file_names();
    let img_path = find_file(dir, img_name).expect("checked above");
    let lbl_path = find_file(dir, lbl_name).expect("checked above");
    let images = idx::read(&img_path)?;
    if images.dims.len() != 3 || images.dims[1] != SIDE || images.dims[2] != SIDE {
        return Err(DataError::invalid(
            &img_path,
            format!(
                "expected images of shape [N, 28, 28], found {:?}",
                images.dims
            ),
        ));
    }
    let labels = idx::read(&lbl_path)?;
    if labels.dims.len() != 1 {
        return Err(DataError::invalid(
            &lbl_path,
            format!("expected labels of shape [N], found {:?}", labels.dims),
        ));
    }
    if labels.dims[0] != images.dims[0] {
        return Err(DataError::invalid(
            &lbl_path,
            format!(
                "{} labels for {} images in {}",
                labels.dims[0],
                images.dims[0],
                img_path.display()
            ),
        ));
    }
    if let Some(pos) = labels.data.iter().position(|&l| l > 9) {
        return Err(DataError::invalid(
            &lbl_path,
            format!(
                "label {} at index {pos} is not a digit 0..9",
                labels.data[pos]
            ),
        ));
    }
    if images.dims[0] == 0 {
        return Err(DataError::invalid(&img_path, "holds no images"));
    }
    Ok(Mnist {
        pixels: images.data,
        labels: labels.data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8], gz: bool) {
        if gz {
            let f = std::fs::File::create(dir.join(format!("{name}.gz"))).unwrap();
            let mut enc = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
            enc.write_all(bytes).unwrap();
            enc.finish().unwrap();
        } else {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }

    fn tiny(dir: &Path, gz: bool, labels: &[u8]) {
        let n = labels.len();
        let pixels: Vec<u8> = (0..n * PIXELS).map(|i| (i % 256) as u8).collect();
        write(
            dir,
            "t10k-images-idx3-ubyte",
            &idx::encode(&[n, 28, 28], &pixels),
            gz,
        );
        write(
            dir,
            "t10k-labels-idx1-ubyte",
            &idx::encode(&[n], labels),
            gz,
        );
    }

    #[test]
    fn loads_raw_and_gzip_and_subsets() {
        for gz in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            tiny(dir.path(), gz, &[4, 9, 1, 4]);
            let m = load(dir.path(), Split::Test).unwrap();
            assert_eq!(m.len(), 4);
            assert_eq!(m.image(1)[0], (PIXELS % 256) as u8);
            let s = m.clone().subset(&[4, 9], Some(2)).unwrap();
            assert_eq!(s.labels, vec![4, 9]);
            let s = m.clone().subset(&[4], None).unwrap();
            assert_eq!(s.labels, vec![4, 4]);
            assert_eq!(s.image(1), m.image(3));
            let err = m.subset(&[7], None).unwrap_err().to_string();
            assert!(err.contains("--digits 7 selects none of the"), "{err}");
        }
    }

    #[test]
    fn reports_missing_mismatched_and_bad_labels() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path(), Split::Test).unwrap_err().to_string();
        assert!(
            err.contains("t10k-images-idx3-ubyte") && err.contains("--data-dir"),
            "{err}"
        );
        tiny(dir.path(), false, &[1, 2, 3]);
        write(
            dir.path(),
            "t10k-labels-idx1-ubyte",
            &idx::encode(&[2], &[1, 2]),
            false,
        );
        let err = load(dir.path(), Split::Test).unwrap_err().to_string();
        assert!(err.contains("2 labels for 3 images"), "{err}");
        write(
            dir.path(),
            "t10k-labels-idx1-ubyte",
            &idx::encode(&[3], &[1, 12, 3]),
            false,
        );
        let err = load(dir.path(), Split::Test).unwrap_err().to_string();
        assert!(err.contains("label 12"), "{err}");
        write(
            dir.path(),
            "t10k-images-idx3-ubyte",
            &idx::encode(&[1, 28, 27], &[0; 756]),
            false,
        );
        let err = load(dir.path(), Split::Test).unwrap_err().to_string();
        assert!(err.contains("[N, 28, 28]"), "{err}");
    }

    #[test]
    fn corrupt_gzip_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        tiny(dir.path(), true, &[1]);
        let path = dir.path().join("t10k-images-idx3-ubyte.gz");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&path, bytes).unwrap();
        let err = load(dir.path(), Split::Test).unwrap_err().to_string();
        assert!(
            err.contains("t10k-images-idx3-ubyte.gz") && err.contains("gzip"),
            "{err}"
        );
    }
}
