//! Images as CSV.
//!
//! Reading: the Kaggle/mlpack layout (an optional header row, an optional label in the first
//! column, then 784 pixel columns of 0..255), and plain numeric matrices for CSV-to-PNG.
//! Writing: one image per row, 784 comma-separated values, row-major.

use crate::mnist::Mnist;
use crate::{DataError, PIXELS, fsio};
use std::path::Path;

/// A numeric matrix read from a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// Number of data rows (the header, if any, is not counted).
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// `rows * cols` values, row-major.
    pub values: Vec<f32>,
}

impl Matrix {
    /// The pixels of each row, if the matrix holds one image per row: 784 values, or 785
    /// with a leading label (dropped). `None` for any other width.
    pub fn images(&self) -> Option<Vec<f32>> {
        let skip = self.cols.checked_sub(PIXELS).filter(|&s| s <= 1)?;
        Some(
            self.values
                .chunks_exact(self.cols)
                .flat_map(|row| row[skip..].iter().copied())
                .collect(),
        )
    }
}

/// Reads a CSV file of numbers. A first row that is not all numbers is taken as a header and
/// skipped; every other row must have the same number of numeric fields.
pub fn read_matrix(path: &Path) -> Result<Matrix, DataError> {
    let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
    let mut values = Vec::new();
    let mut cols = None;
    let mut rows = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed: Result<Vec<f32>, _> =
            line.split(',').map(|f| f.trim().parse::<f32>()).collect();
        let fields = match parsed {
            Ok(fields) => fields,
            Err(_) if n == 0 => continue, // header
            Err(_) => {
                let (col, bad) = line
                    .split(',')
                    .enumerate()
                    .find(|(_, f)| f.trim().parse::<f32>().is_err())
                    .expect("a field failed to parse");
                return Err(DataError::invalid(
                    path,
                    format!(
                        "line {}, column {}: '{}' is not a number",
                        n + 1,
                        col + 1,
                        bad.trim()
                    ),
                ));
            }
        };
        if let Some((col, v)) = fields.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(DataError::invalid(
                path,
                format!("line {}, column {}: {v} is not finite", n + 1, col + 1),
            ));
        }
        match cols {
            None => cols = Some(fields.len()),
            Some(c) if c != fields.len() => {
                return Err(DataError::invalid(
                    path,
                    format!(
                        "line {} has {} columns, earlier lines have {c}",
                        n + 1,
                        fields.len()
                    ),
                ));
            }
            _ => {}
        }
        values.extend(fields);
        rows += 1;
    }
    let cols = cols.ok_or_else(|| DataError::invalid(path, "holds no data rows"))?;
    Ok(Matrix { rows, cols, values })
}

/// Reads images in the Kaggle/mlpack layout: 784 pixel columns of 0..255, optionally preceded
/// by a label column (785 columns). Returns the images and whether labels were present
/// (without them every label is 0).
pub fn read_images(path: &Path) -> Result<(Mnist, bool), DataError> {
    let m = read_matrix(path)?;
    let labelled = match m.cols {
        PIXELS => false,
        c if c == PIXELS + 1 => true,
        c => {
            return Err(DataError::invalid(
                path,
                format!("{c} columns: expected 784 pixels, or a label and 784 pixels (785)"),
            ));
        }
    };
    let mut out = Mnist {
        pixels: Vec::with_capacity(m.rows * PIXELS),
        labels: Vec::with_capacity(m.rows),
    };
    for (r, row) in m.values.chunks_exact(m.cols).enumerate() {
        let (label, pixels) = if labelled {
            (row[0], &row[1..])
        } else {
            (0.0, row)
        };
        if label.fract() != 0.0 || !(0.0..=9.0).contains(&label) {
            return Err(DataError::invalid(
                path,
                format!("data row {}: label {label} is not a digit 0..9", r + 1),
            ));
        }
        if let Some((c, v)) = pixels
            .iter()
            .enumerate()
            .find(|(_, v)| !(0.0..=255.0).contains(*v))
        {
            return Err(DataError::invalid(
                path,
                format!("data row {}, pixel {}: {v} is outside 0..255", r + 1, c + 1),
            ));
        }
        out.labels.push(label as u8);
        out.pixels.extend(pixels.iter().map(|&v| v.round() as u8));
    }
    Ok((out, labelled))
}

/// Writes images (784 values each, in [-1, 1]) as CSV rows, converted to `range`, atomically.
pub fn write_images(
    path: &Path,
    images: &[f32],
    range: crate::pixels::Range,
) -> Result<(), DataError> {
    fsio::write_atomic(path, |out| {
        for image in images.chunks_exact(PIXELS) {
            for (i, &v) in image.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                let v = range.from_signed(v);
                if range == crate::pixels::Range::Byte {
                    write!(out, "{}", v.round().clamp(0.0, 255.0) as u8)?;
                } else {
                    write!(out, "{v}")?;
                }
            }
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::Range;

    fn row(label: Option<u8>, v: u8) -> String {
        let mut f: Vec<String> = label.map(|l| l.to_string()).into_iter().collect();
        f.extend(std::iter::repeat_n(v.to_string(), PIXELS));
        f.join(",")
    }

    #[test]
    fn reads_kaggle_layout_with_and_without_header_and_labels() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        let header = format!(
            "label,{}",
            (0..PIXELS)
                .map(|i| format!("pixel{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        std::fs::write(
            &p,
            format!("{header}\n{}\n{}\n", row(Some(7), 255), row(Some(1), 0)),
        )
        .unwrap();
        let (m, labelled) = read_images(&p).unwrap();
        assert!(labelled);
        assert_eq!(m.labels, vec![7, 1]);
        assert_eq!(m.image(0)[783], 255);
        std::fs::write(&p, format!("{}\n", row(None, 3))).unwrap();
        let (m, labelled) = read_images(&p).unwrap();
        assert!(!labelled);
        assert_eq!(m.len(), 1);
        assert_eq!(m.image(0)[0], 3);
    }

    #[test]
    fn rejects_malformed_csv() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.csv");
        let check = |content: String, want: &str| {
            std::fs::write(&p, content).unwrap();
            let err = read_images(&p).unwrap_err().to_string();
            assert!(err.contains(want) && err.contains("bad.csv"), "{err}");
        };
        check("1,2,3\n".into(), "3 columns");
        check(
            format!("{}\n{}\n", row(None, 1), "1,2"),
            "line 2 has 2 columns",
        );
        check(
            format!("{}\n{}x\n", row(None, 1), row(None, 1)),
            "is not a number",
        );
        check(
            format!("{}\n", row(None, 1).replacen('1', "256", 1)),
            "outside 0..255",
        );
        check(
            format!("{}\n", row(Some(1), 1).replacen('1', "11", 1)),
            "not a digit",
        );
        check(String::new(), "no data rows");
        check(
            format!("{}\n", row(None, 1).replacen('1', "NaN", 1)),
            "not finite",
        );
        let missing = dir.path().join("none.csv");
        assert!(
            read_images(&missing)
                .unwrap_err()
                .to_string()
                .contains("none.csv")
        );
    }

    #[test]
    fn writes_rows_in_each_range() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let mut images = vec![-1.0f32; PIXELS * 2];
        images[PIXELS] = 1.0;
        write_images(&p, &images, Range::Byte).unwrap();
        let m = read_matrix(&p).unwrap();
        assert_eq!((m.rows, m.cols), (2, PIXELS));
        assert_eq!(m.values[0], 0.0);
        assert_eq!(m.values[PIXELS], 255.0);
        write_images(&p, &images, Range::Unit).unwrap();
        let m = read_matrix(&p).unwrap();
        assert_eq!(m.values[PIXELS], 1.0);
        write_images(&p, &images, Range::Signed).unwrap();
        assert_eq!(read_matrix(&p).unwrap().values[0], -1.0);
    }
}
