//! What the binaries share: turning a result into an exit code with a one-line error, and
//! command-line values.

use data::pixels::Range;

use std::process::ExitCode;

/// Success, or the error (with its context chain) on one line of standard error and exit 1.
pub fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// A pixel value range, as a command-line value.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RangeArg {
    /// [-1, 1], as the generator's tanh gives.
    Raw,
    /// [0, 1].
    Unit,
    /// [0, 255].
    Byte,
}

impl From<RangeArg> for Range {
    fn from(r: RangeArg) -> Self {
        match r {
            RangeArg::Raw => Range::Signed,
            RangeArg::Unit => Range::Unit,
            RangeArg::Byte => Range::Byte,
        }
    }
}
