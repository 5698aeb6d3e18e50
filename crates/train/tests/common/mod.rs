//! Shared helpers of the train crate's tests.

use std::path::PathBuf;

/// The MNIST directory: `$MNIST_DIR`, else `../shared/data/mnist` beside the project.
pub fn mnist_dir() -> PathBuf {
    std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mnist")
        })
}
