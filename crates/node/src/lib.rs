//! mmvec-node: the Node.js addon. Translates JS arguments, calls `mmvec-core`, and turns
//! its errors into JS `Error`s whose `code` is the core's stable code (with the error's
//! `path`, `size`, `dtype`, `value` and `reason` as properties). `index.ts` wraps the
//! `NativeVector` class exported here into the public `MmapVector`, which appends through
//! `appender`'s plain function; `dtypes` exports the core's dtype table and value text,
//! `formats` the rule for which format a path names.

// Unit tests may unwrap and panic; the library may not (Cargo.toml [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

// Public so that the free functions, which only napi's registration calls, count as used
// in the test build too.
pub mod appender;
pub mod dtype_names;
pub mod dtypes;
mod error;
mod flush;
pub mod formats;
mod values;
mod vector;
mod view;
