//! `DType`, `DTypeAlias` and `DTypeKind`, written by build.rs from the core's dtype table. They exist
//! for the TypeScript declaration, where napi emits them as unions of string literals.

use napi_derive::napi;

include!(concat!(env!("OUT_DIR"), "/dtype_names.rs"));
