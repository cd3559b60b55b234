//! mmvec-core: typed vectors kept in files of raw little-endian elements (no header, or a
//! numpy `.npy` header) and served through memory mappings. Knows files, mappings and
//! dtypes; nothing of Node or Redis.

// Unit tests may unwrap and panic; the library may not (Cargo.toml [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[cfg(target_endian = "big")]
compile_error!("mmvec maps little-endian files zero-copy and supports little-endian hosts only");

mod bounds;
mod decimal;
mod dtype;
mod effect;
mod element_store;
mod error;
mod file_io;
mod float80;
mod lock;
mod mapped_vec;
pub mod npy;
mod open_options;
mod region;
mod restore;
mod root;
mod scalar;

pub use bounds::{index_from_f64, lrange_bounds, slice_bounds};
pub use dtype::{ByteWidth, DType, DTypeFamily, Kind, integer_text, strip_nuls};
pub use effect::Effect;
pub use error::{Error, Result};
pub use float80::Float80;
/// The crate whose `f16` and `bf16` are [`Scalar::F16`] and [`Scalar::BF16`].
pub use half;
pub use mapped_vec::{Flusher, MappedVec};
pub use open_options::{Format, Mode, OpenOptions};
pub use region::SharedBytes;
pub use restore::{Restore, checksum, checksum_of_parts};
pub use root::Root;
pub use scalar::Scalar;
