//! Saving and loading modules' weights as Burn records (`.bpk`).

use anyhow::{Result, bail};
use burn::prelude::*;
use burn::store::ModuleRecord;
use data::fsio::write_atomic;
use std::path::Path;

/// Saves a module's record atomically (in inference mode, so running statistics are current).
pub fn save_module<M: Module>(module: &M, path: &Path) -> Result<()> {
    let bytes = module
        .valid()
        .into_record()
        .into_bytes()
        .map_err(|e| anyhow::anyhow!("{}: cannot encode: {e:?}", path.display()))?;
    // The error names the file.
    write_atomic(path, |out| out.write_all(&bytes))?;
    Ok(())
}

/// Loads the weights in `path` into `module` (freshly initialised with the right shapes) and
/// returns it in inference mode. `what` names the module in errors ("the dcgan generator").
pub fn load_module<M: Module>(module: M, path: &Path, what: &str) -> Result<M> {
    if !path.is_file() {
        bail!(
            "{}: no such file (expected {what}'s weights)",
            path.display()
        );
    }
    let record = ModuleRecord::load(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the weights: {e}", path.display()))?;
    Ok(apply_record(module, record, path, what)?.valid())
}

/// Loads `record` (read from `path`) into `module`, with an error naming the file and `what`
/// it should have held when the shapes or names differ (the list of mismatched tensors cut
/// short: a whole network's worth says no more than its first few).
pub fn apply_record<M: Module>(
    module: M,
    record: ModuleRecord,
    path: &Path,
    what: &str,
) -> Result<M> {
    module.try_load_record(record).map_err(|e| {
        let mut detail = e.to_string();
        if let Some((cut, _)) = detail.char_indices().nth(160) {
            detail.truncate(cut);
            detail.push_str("...");
        }
        anyhow::anyhow!("{}: does not match {what}: {detail}", path.display())
    })
}
