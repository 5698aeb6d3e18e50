//! What the binaries share: turning a result into an exit code with a one-line error.

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
