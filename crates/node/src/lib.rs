//! mmvec-node: the Node.js addon. Translates JS arguments, calls `mmvec-core`, and turns
//! its errors into JS `Error`s whose `code` is the core's stable code. `index.ts` wraps
//! the `NativeVector` class exported here into the public `MmapVector`.

// Public so that the free functions, which only napi's registration calls, count as used
// in the test build too.
pub mod dtype_names;
pub mod dtypes;
mod error;
mod flush;
mod values;
mod vector;
mod view;
