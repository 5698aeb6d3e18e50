//! Choosing the device among the backends compiled in (Cargo features `flex`, `ndarray`, `wgpu`).

use burn::prelude::*;

/// A device to run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceChoice {
    /// The GPU (wgpu) when compiled in, else the CPU.
    Auto,
    /// The CPU, on Burn's `flex` backend.
    Cpu,
    /// The CPU, on Burn's deprecated `ndarray` backend (much slower for convolutions).
    Ndarray,
    /// The GPU through wgpu (Vulkan, Metal or DX12).
    Wgpu,
}

impl DeviceChoice {
    /// The device, or why it is not available in this build.
    pub fn resolve(self) -> Result<Device, String> {
        match self {
            DeviceChoice::Auto => {
                #[cfg(feature = "wgpu")]
                return DeviceChoice::Wgpu.resolve();
                #[cfg(not(feature = "wgpu"))]
                return DeviceChoice::Cpu
                    .resolve()
                    .or_else(|_| DeviceChoice::Ndarray.resolve());
            }
            DeviceChoice::Cpu => {
                #[cfg(feature = "flex")]
                return Ok(Device::flex());
                #[cfg(not(feature = "flex"))]
                return Err(missing("cpu", "flex"));
            }
            DeviceChoice::Ndarray => {
                #[cfg(feature = "ndarray")]
                #[allow(deprecated)]
                return Ok(Device::ndarray());
                #[cfg(not(feature = "ndarray"))]
                return Err(missing("ndarray", "ndarray"));
            }
            DeviceChoice::Wgpu => {
                #[cfg(feature = "wgpu")]
                return Ok(Device::wgpu(DeviceKind::DefaultDevice));
                #[cfg(not(feature = "wgpu"))]
                return Err(missing("wgpu", "wgpu"));
            }
        }
    }
}

#[allow(dead_code)]
fn missing(device: &str, feature: &str) -> String {
    format!(
        "--device {device} is not compiled in: rebuild with `--features {feature}` \
         (for example `cargo run -p train --features {feature}`)"
    )
}
