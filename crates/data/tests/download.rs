//! The download code against a mirror on 127.0.0.1 serving the real MNIST files.
#![cfg(feature = "download")]

use data::download::download_missing;
use data::mnist::{self, Split, all_file_names};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

fn mnist_dir() -> PathBuf {
    std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mnist")
        })
}

/// Serves the files of `root` over HTTP on 127.0.0.1 for at most `requests` requests.
fn serve(root: PathBuf, requests: usize) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/mnist/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut line = String::new();
            BufReader::new(&stream).read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let name = path.trim_start_matches("/mnist/");
            match std::fs::read(root.join(name)) {
                Ok(body) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream
                        .write_all(head.as_bytes())
                        .and_then(|_| stream.write_all(&body));
                }
                Err(_) => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    (url, handle)
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn downloads_verifies_and_loads() {
    let cache = tempfile::tempdir().unwrap();
    let (url, server) = serve(mnist_dir(), 4);
    download_missing(cache.path(), &url).unwrap();
    server.join().unwrap();
    assert!(mnist::missing_files(cache.path()).is_empty());
    assert!(leftovers(cache.path()).is_empty());
    let test = mnist::load(cache.path(), Split::Test).unwrap();
    assert_eq!(test.len(), 10_000);
    // Nothing is fetched again once everything is there.
    download_missing(cache.path(), "http://127.0.0.1:9/never/").unwrap();
}

#[test]
fn a_file_with_the_wrong_checksum_is_not_kept() {
    // A mirror whose test labels are the training labels under the wrong name.
    let mirror = tempfile::tempdir().unwrap();
    for name in all_file_names() {
        let src = mnist_dir().join(format!("{name}.gz"));
        let src = if name == "t10k-labels-idx1-ubyte" {
            mnist_dir().join("train-labels-idx1-ubyte.gz")
        } else {
            src
        };
        std::fs::copy(src, mirror.path().join(format!("{name}.gz"))).unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    // Only the two test files are missing.
    for name in Split::Train.file_names() {
        std::fs::copy(
            mnist_dir().join(format!("{name}.gz")),
            cache.path().join(format!("{name}.gz")),
        )
        .unwrap();
    }
    let (url, server) = serve(mirror.path().to_path_buf(), 2);
    let err = download_missing(cache.path(), &url)
        .unwrap_err()
        .to_string();
    server.join().unwrap();
    assert!(
        err.contains("checksum mismatch") && err.contains("t10k-labels-idx1-ubyte"),
        "{err}"
    );
    assert!(
        err.contains("missing MNIST files t10k-labels-idx1-ubyte"),
        "{err}"
    );
    assert!(mnist::find_file(cache.path(), "t10k-labels-idx1-ubyte").is_none());
    assert!(mnist::find_file(cache.path(), "t10k-images-idx3-ubyte").is_some());
    assert!(leftovers(cache.path()).is_empty());
}

#[test]
fn an_unreachable_mirror_says_which_files_to_put_where() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let cache = tempfile::tempdir().unwrap();
    let err = download_missing(cache.path(), &url)
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot download"), "{err}");
    for name in all_file_names() {
        assert!(err.contains(name), "{err}");
    }
    assert!(err.contains(&cache.path().display().to_string()), "{err}");
}
