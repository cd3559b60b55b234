//! Sets up the napi link, and writes the `DType`, `DTypeAlias` and `DTypeKind` string
//! enums from the core's dtype table: napi turns them into the TypeScript unions of the
//! addon's declaration, so TypeScript's dtype names are the core's, never a copy.

use std::fmt::Write;

use mmvec_core::{DType, Kind};

fn main() -> std::io::Result<()> {
    napi_build::setup();
    // The addon serves the first ten dtypes so far (float16, bfloat16, float80 and
    // bytes<N> come with its support for them).
    let served = &DType::ALL[..10];
    let names: Vec<String> = served.iter().map(|dtype| dtype.name().into_owned()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let aliases: Vec<&str> = served.iter().flat_map(|dtype| dtype.aliases().iter().copied()).collect();
    let kinds: Vec<&str> = Kind::ALL.iter().filter(|kind| **kind != Kind::Bytes).map(|kind| kind.name()).collect();
    let code = string_enum("DType", "A dtype's canonical name.", &names)
        + &string_enum("DTypeAlias", "Another name of a dtype, accepted wherever a dtype is.", &aliases)
        + &string_enum("DTypeKind", "How a dtype's values are kept: signed or unsigned integers, or floats.", &kinds);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("dtype_names.rs");
    std::fs::write(&out, code)
}

/// A `#[napi(string_enum)]` whose values are `values`; the variants' Rust names are
/// the values capitalized (`int8` -> `Int8`).
fn string_enum(name: &str, doc: &str, values: &[&str]) -> String {
    let mut code = format!("/// {doc}\n#[napi(string_enum)]\npub enum {name} {{\n");
    for value in values {
        let variant: String = value[..1].to_uppercase() + &value[1..];
        let _ = writeln!(code, "    #[napi(value = \"{value}\")]\n    {variant},");
    }
    code.push_str("}\n");
    code
}
