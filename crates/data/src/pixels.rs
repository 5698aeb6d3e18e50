//! Pixel value ranges and conversions between them.

/// A range pixel values are expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// [-1, 1], the generator's tanh output (black is -1).
    Signed,
    /// [0, 1].
    Unit,
    /// [0, 255], as in the MNIST files.
    Byte,
}

impl Range {
    /// Converts a value in [-1, 1] to this range.
    pub fn from_signed(self, v: f32) -> f32 {
        match self {
            Range::Signed => v,
            Range::Unit => (v + 1.0) * 0.5,
            Range::Byte => (v + 1.0) * 127.5,
        }
    }

    /// Converts a value in this range to [0, 1], clamping what lies outside.
    pub fn to_unit(self, v: f32) -> f32 {
        let u = match self {
            Range::Signed => (v + 1.0) * 0.5,
            Range::Unit => v,
            Range::Byte => v / 255.0,
        };
        u.clamp(0.0, 1.0)
    }

    /// Guesses the range of a set of values: any negative value means [-1, 1], any value
    /// above 1 means [0, 255], else [0, 1].
    pub fn detect(values: &[f32]) -> Range {
        let (min, max) = values
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if min < 0.0 {
            Range::Signed
        } else if max > 1.0 {
            Range::Byte
        } else {
            Range::Unit
        }
    }
}

/// Scales a byte 0..=255 to [-1, 1], the range the generator's tanh produces.
pub fn byte_to_signed(b: u8) -> f32 {
    b as f32 / 127.5 - 1.0
}

/// Scales bytes 0..=255 to [-1, 1].
pub fn bytes_to_signed(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&b| byte_to_signed(b)).collect()
}

/// Converts a value in [0, 1] to a grey byte, rounding.
pub fn unit_to_byte(u: f32) -> u8 {
    (u.clamp(0.0, 1.0) * 255.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(byte_to_signed(0), -1.0);
        assert_eq!(byte_to_signed(255), 1.0);
        assert_eq!(Range::Byte.from_signed(1.0), 255.0);
        assert_eq!(Range::Unit.from_signed(-1.0), 0.0);
        assert_eq!(Range::Signed.to_unit(0.0), 0.5);
        assert_eq!(Range::Byte.to_unit(510.0), 1.0);
        assert_eq!(unit_to_byte(0.5), 128);
        assert_eq!(Range::detect(&[-0.5, 0.3]), Range::Signed);
        assert_eq!(Range::detect(&[0.0, 17.0]), Range::Byte);
        assert_eq!(Range::detect(&[0.0, 1.0]), Range::Unit);
    }
}
