//! Sets up the napi link, and writes the TypeScript names of the dtypes from the core's
//! dtype table: the `FixedDType`, `FixedDTypeAlias` and `DTypeKind` string enums, and the
//! `DTypeNames` interface, whose `name` and `alias` add the `bytes<N>` family's names as
//! template literal types (`` `bytes${number}` ``, `` `S${number}` ``). napi turns them
//! into the addon's declaration, so TypeScript's dtype names are the core's, never a copy.

use std::fmt::Write;

use mmvec_core::{DType, Kind};

fn main() -> std::io::Result<()> {
    napi_build::setup();
    let names: Vec<String> = DType::ALL.iter().map(|dtype| dtype.name().into_owned()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let aliases: Vec<&str> = DType::ALL.iter().flat_map(|dtype| dtype.aliases().iter().copied()).collect();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|kind| kind.name()).collect();
    let family = DType::BYTES;
    let pattern = |prefix: &str| format!("`{prefix}${{number}}`");
    let family_names = pattern(family.prefix);
    let family_aliases: Vec<String> = family.alias_prefixes.iter().map(|prefix| pattern(prefix)).collect();
    let code = string_enum("FixedDType", "The canonical name of a dtype of one fixed size.", &names)
        + &string_enum("FixedDTypeAlias", "Another name of a dtype of one fixed size.", &aliases)
        + &string_enum(
            "DTypeKind",
            "How a dtype's values are kept: signed or unsigned integers, floats, or byte strings.",
            &kinds,
        )
        + &names_interface(&family_names, &family_aliases.join(" | "));
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("dtype_names.rs");
    std::fs::write(&out, code)
}

/// A `#[napi(string_enum)]` whose values are `values`; the variants' Rust names are
/// the values in upper camel case (`int8` -> `Int8`, `long_double` -> `LongDouble`).
fn string_enum(name: &str, doc: &str, values: &[&str]) -> String {
    let mut code = format!("/// {doc}\n#[napi(string_enum)]\npub enum {name} {{\n");
    for value in values {
        let variant: String =
            value.split('_').map(|word| word[..1].to_uppercase() + &word[1..]).collect::<Vec<_>>().concat();
        let _ = writeln!(code, "    #[napi(value = \"{value}\")]\n    {variant},");
    }
    code.push_str("}\n");
    code
}

/// The `DTypeNames` interface: its field types are the unions TypeScript's `DType` and
/// `DTypeAlias` are (`DTypeNames['name']`), the fixed names with the family's patterns.
fn names_interface(family_names: &str, family_aliases: &str) -> String {
    format!(
        "/// Every dtype name, as the types of its fields: `name` a canonical name, `alias` another.\n\
         #[napi(object, object_from_js = false)]\n\
         pub struct DTypeNames {{\n\
         \x20   #[napi(ts_type = \"FixedDType | {family_names}\")]\n\
         \x20   pub name: String,\n\
         \x20   #[napi(ts_type = \"FixedDTypeAlias | {family_aliases}\")]\n\
         \x20   pub alias: String,\n\
         }}\n"
    )
}
