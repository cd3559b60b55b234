//! `FixedDType`, `FixedDTypeAlias`, `DTypeKind` and `DTypeNames`, written by build.rs from the
//! core's dtype table. They exist for the TypeScript declaration, where napi emits them as
//! unions of string literals and template literal types.

use napi_derive::napi;

include!(concat!(env!("OUT_DIR"), "/dtype_names.rs"));
