//! The IDX file format of MNIST (<http://yann.lecun.com/exdb/mnist/>), gzip-compressed or raw.
//!
//! An IDX file is a big-endian header (two zero bytes, a type code, the number of dimensions,
//! then each dimension as a u32) followed by the data. MNIST uses unsigned bytes (type 0x08):
//! images are `[count, 28, 28]`, labels `[count]`.

use crate::DataError;
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::Path;

/// IDX type code for unsigned bytes, the only type MNIST uses.
const UBYTE: u8 = 0x08;

/// An IDX array of unsigned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The dimensions, outermost first.
    pub dims: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<u8>,
}

/// Reads a file whole, decompressing it if it starts with the gzip magic number.
pub fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, DataError> {
    let raw = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| DataError::invalid(path, format!("corrupt gzip data: {e}")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Parses the bytes of an IDX file of unsigned bytes; `path` names it in errors.
pub fn parse(bytes: &[u8], path: &Path) -> Result<IdxArray, DataError> {
    let bad = |problem: String| DataError::invalid(path, problem);
    if bytes.len() < 4 {
        return Err(bad(format!(
            "too short for an IDX header ({} bytes)",
            bytes.len()
        )));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(bad(format!(
            "bad magic number {:02x}{:02x}{:02x}{:02x}: not an IDX file",
            bytes[0], bytes[1], bytes[2], bytes[3]
        )));
    }
    if bytes[2] != UBYTE {
        return Err(bad(format!(
            "IDX element type 0x{:02x} is not unsigned bytes (0x08)",
            bytes[2]
        )));
    }
    let rank = bytes[3] as usize;
    let header = 4 + 4 * rank;
    if rank == 0 || bytes.len() < header {
        return Err(bad(format!("truncated IDX header for {rank} dimensions")));
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad(format!("dimensions {dims:?} overflow")))?;
    let found = bytes.len() - header;
    if found != expected {
        return Err(bad(format!(
            "header says dimensions {dims:?} ({expected} bytes of data) but the file holds {found}{}",
            if found < expected {
                " (truncated)"
            } else {
                " (trailing bytes)"
            }
        )));
    }
    Ok(IdxArray {
        dims,
        data: bytes[header..].to_vec(),
    })
}

/// Reads an IDX file of unsigned bytes, gzip-compressed or raw.
pub fn read(path: &Path) -> Result<IdxArray, DataError> {
    parse(&read_maybe_gzip(path)?, path)
}

/// Encodes an array as IDX bytes (uncompressed); the inverse of [`parse`].
pub fn encode(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, UBYTE, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("x.idx")
    }

    #[test]
    fn round_trip() {
        let bytes = encode(&[2, 3], &[1, 2, 3, 4, 5, 6]);
        let arr = parse(&bytes, p()).unwrap();
        assert_eq!(arr.dims, vec![2, 3]);
        assert_eq!(arr.data, vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn rejects_bad_magic_type_and_length() {
        let mut bytes = encode(&[2], &[1, 2]);
        bytes[0] = 7;
        assert!(
            parse(&bytes, p())
                .unwrap_err()
                .to_string()
                .contains("magic")
        );
        let mut bytes = encode(&[2], &[1, 2]);
        bytes[2] = 0x0d;
        assert!(parse(&bytes, p()).unwrap_err().to_string().contains("type"));
        let bytes = encode(&[3], &[1, 2]);
        let err = parse(&bytes, p()).unwrap_err().to_string();
        assert!(
            err.contains("truncated") && err.starts_with("x.idx"),
            "{err}"
        );
        let bytes = encode(&[1], &[1, 2]);
        assert!(
            parse(&bytes, p())
                .unwrap_err()
                .to_string()
                .contains("trailing")
        );
        assert!(parse(&[0, 0], p()).is_err());
        assert!(
            parse(&[0, 0, 8, 3, 0], p())
                .unwrap_err()
                .to_string()
                .contains("header")
        );
    }
}
