//! Stopping a run cleanly: the first Ctrl-C (SIGINT) or SIGTERM asks the training loop to
//! finish its step, write a checkpoint and return; a second one exits at once. (The Learner's
//! terminal dashboard puts the terminal in raw mode, where Ctrl-C is a key press rather than a
//! signal; its own "Stop the training" goes through the Learner's interrupter, which the loop
//! treats the same way.)

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Whether a stop has been asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Asks the training loop to stop after its current step.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Installs the SIGINT/SIGTERM handler (once per process).
pub fn install_handler() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            eprintln!("\nSecond interrupt: exiting without a checkpoint.");
            std::process::exit(130);
        }
        eprintln!(
            "\nInterrupted: finishing this step and writing a checkpoint (again to quit now)."
        );
    })
    .map_err(|e| anyhow::anyhow!("cannot install the Ctrl-C handler: {e}"))
}
