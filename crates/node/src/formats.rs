//! The core's rule for which file format a path names, for the command line: a DEST that
//! ends in `.npy` is written with a header even while it is still `DEST.partial`.

use napi_derive::napi;

/// `npy` for a path ending in `.npy` (any case), else `raw`: what `open` assumes when no
/// `format` is given.
#[napi(ts_return_type = "'raw' | 'npy'")]
pub fn format_of_path(path: String) -> &'static str {
    mmvec_core::Format::of_path(std::path::Path::new(&path)).name()
}
