//! The simulator as a chunk of its own, fetched just after the first paint.
//!
//! In the release build (`scripts/build.mjs`, cargo feature `split`), `wasm-split-cli` moves
//! everything reachable only from [`mount_simulator`] (the engine, the YAML import, the
//! workspace and its panels, the debrief) into a second wasm module that the first module
//! fetches on demand. The first module draws the library and briefings meanwhile
//! ([`crate::shell::Shell`]). Without the feature (`trunk serve`, native tests) the same code
//! is linked into one module and "loading" returns at once.
//!
//! The split point returns a plain function pointer, so the first module never names the
//! simulator's component type: naming it would link the simulator into the first module.

// The split point is declared with `#[wasm_split]`, whose expansion links the two modules with
// an `extern "C"` import and a `#[no_mangle]` export; it is the only unsafe code in the app.
#![allow(unsafe_code)]

use std::rc::Rc;

use yew::prelude::*;

use crate::handoff::Handoff;

/// Draws the simulator, taking over from the first screen with `handoff`.
pub type MountSimulator = fn(Rc<Handoff>) -> Html;

/// Why the simulator's chunk could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkLoadError;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for ChunkLoadError {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        ChunkLoadError
    }
}

/// Fetches and instantiates the simulator's chunk (once; later calls return at once, and a
/// failed fetch is retried by the next call).
pub async fn load() -> Result<MountSimulator, ChunkLoadError> {
    mount_simulator().await
}

#[cfg(feature = "split")]
#[wasm_split_helpers::wasm_split(simulator, fallible)]
fn mount_simulator() -> Result<MountSimulator, ChunkLoadError> {
    Ok(simulator)
}

#[cfg(not(feature = "split"))]
async fn mount_simulator() -> Result<MountSimulator, ChunkLoadError> {
    Ok(simulator)
}

fn simulator(handoff: Rc<Handoff>) -> Html {
    html! { <crate::app::App handoff={handoff} /> }
}
