//! The core's dtype table and value grammar for JavaScript: the command line and the
//! TypeScript API read names, aliases, sizes and bounds from here, and parse and print
//! values exactly as the Redis module does.

use mmvec_core::{DType, Kind, Scalar};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::CoreResultExt;
use crate::values::{JsValueIn, JsValueOut, from_scalar, to_scalar};

/// One row of the dtype table.
#[napi(object, object_from_js = false)]
pub struct DTypeInfo {
    /// The canonical name, such as `float64`.
    #[napi(ts_type = "FixedDType")]
    pub name: String,
    /// Other names accepted wherever a dtype is, such as `f64` and `double`.
    #[napi(ts_type = "FixedDTypeAlias[]")]
    pub aliases: Vec<&'static str>,
    /// Bytes per element.
    pub itemsize: u32,
    #[napi(ts_type = "DTypeKind")]
    pub kind: &'static str,
    /// The smallest value (a bigint for 64-bit integers; the lowest finite float, for
    /// float80 the nearest number, `-Infinity`).
    #[napi(ts_type = "number | bigint")]
    pub min: JsValueOut,
    /// The largest value (a bigint for 64-bit integers; the highest finite float, for
    /// float80 the nearest number, `Infinity`).
    #[napi(ts_type = "number | bigint")]
    pub max: JsValueOut,
}

/// Every dtype of one fixed size, in the core's order (`dtypeFamilies()` describes the
/// `bytes<N>` family).
#[napi]
pub fn dtypes() -> Vec<DTypeInfo> {
    DType::ALL
        .iter()
        .map(|&dtype| {
            let (min, max) = dtype.bounds();
            DTypeInfo {
                name: dtype.name().into_owned(),
                aliases: dtype.aliases().to_vec(),
                itemsize: dtype.itemsize() as u32,
                kind: dtype.kind().name(),
                min: from_scalar(dtype, min),
                max: from_scalar(dtype, max),
            }
        })
        .collect()
}

/// A parameterised family of dtypes, such as `bytes<N>`: too many members to list.
#[napi(object, object_from_js = false)]
pub struct DTypeFamilyInfo {
    /// The members' canonical names are this and the width: `bytes` (`bytes8`).
    pub prefix: &'static str,
    /// Prefixes of other names taking the same width: numpy's `S` (`S8`).
    pub alias_prefixes: Vec<&'static str>,
    /// The full version's (RedisMMap's) type name, which takes the width as a separate
    /// value size (`string 8`): the Redis module's, not a dtype name on its own.
    pub sized_alias: &'static str,
    #[napi(ts_type = "DTypeKind")]
    pub kind: &'static str,
    /// The least and the greatest width N, which is also the item size in bytes.
    pub min_width: u32,
    pub max_width: u32,
}

/// The parameterised dtype families: `bytes<N>`.
#[napi]
pub fn dtype_families() -> Vec<DTypeFamilyInfo> {
    let family = DType::BYTES;
    vec![DTypeFamilyInfo {
        prefix: family.prefix,
        alias_prefixes: family.alias_prefixes.to_vec(),
        sized_alias: family.sized_alias,
        kind: family.kind.name(),
        min_width: family.min_width,
        max_width: family.max_width,
    }]
}

/// The canonical name of a dtype name or alias (any case); throws `ERR_MMVEC_BAD_DTYPE`.
#[napi(ts_return_type = "DTypeNames['name']")]
pub fn canonical_dtype(env: &Env, name: String) -> Result<String> {
    Ok(DType::from_name(&name).js(env)?.name().into_owned())
}

/// The descr numpy writes in a `.npy` header for `dtype` (`<f8`, `|S8`, `<f16`); throws
/// `ERR_MMVEC_NO_NPY_DESCR` for bfloat16, which has none.
#[napi]
pub fn npy_descr(env: &Env, #[napi(ts_arg_type = "DTypeNames['name']")] dtype: String) -> Result<String> {
    let dtype = DType::from_name(&dtype).js(env)?;
    match dtype.npy_descr() {
        Some(descr) => Ok(descr.into_owned()),
        None => Err(mmvec_core::Error::NoNpyDescr { dtype }).js(env),
    }
}

/// The dtype of a `.npy` descr (`<f8`, `|S8`, `<f16`, …), or `null` if mmvec serves none.
#[napi(ts_return_type = "DTypeNames['name'] | null")]
pub fn dtype_of_npy_descr(descr: String) -> Option<String> {
    DType::from_npy_descr(&descr).map(|dtype| dtype.name().into_owned())
}

/// Parses `text` as Redis parses a value for `dtype`; throws `ERR_MMVEC_BAD_VALUE` with
/// `value` and `reason`.
#[napi(ts_return_type = "number | bigint | Buffer")]
pub fn parse_value(
    env: &Env,
    #[napi(ts_arg_type = "DTypeNames['name']")] dtype: String,
    text: String,
) -> Result<JsValueOut> {
    let dtype = DType::from_name(&dtype).js(env)?;
    Ok(from_scalar(dtype, dtype.parse(text.as_bytes()).js(env)?))
}

/// Parses every text as `parseValue` does, in one call: the elements' little-endian
/// bytes. Throws the first refusal's `ERR_MMVEC_BAD_VALUE`.
#[napi]
pub fn parse_values<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "DTypeNames['name']")] dtype: String,
    texts: Vec<String>,
) -> Result<ArrayBuffer<'env>> {
    let dtype = DType::from_name(&dtype).js(env)?;
    let mut bytes = Vec::with_capacity(texts.len() * dtype.itemsize());
    for text in &texts {
        dtype.parse_to_bytes(text.as_bytes(), &mut bytes).js(env)?;
    }
    ArrayBuffer::copy_from(env, bytes)
}

/// Every element of `bytes` (whole little-endian elements of `from`) as `to` holds it, as
/// `convertValue` converts one. Throws the first refusal's `ERR_MMVEC_BAD_VALUE`.
#[napi]
pub fn convert_elements<'env>(
    env: &'env Env,
    bytes: &[u8],
    #[napi(ts_arg_type = "DTypeNames['name']")] from: String,
    #[napi(ts_arg_type = "DTypeNames['name']")] to: String,
) -> Result<ArrayBuffer<'env>> {
    let from = DType::from_name(&from).js(env)?;
    let to = DType::from_name(&to).js(env)?;
    let mut out = Vec::new();
    from.convert_into(bytes, to, &mut out).js(env)?;
    ArrayBuffer::copy_from(env, out)
}

/// The text Redis prints for `value` stored as `dtype`.
#[napi]
pub fn format_value(
    env: &Env,
    #[napi(ts_arg_type = "DTypeNames['name']")] dtype: String,
    #[napi(ts_arg_type = "number | bigint | string | Uint8Array")] value: JsValueIn,
) -> Result<String> {
    let dtype = DType::from_name(&dtype).js(env)?;
    dtype.format(&to_scalar(dtype, &value).js(env)?).js(env)
}

/// The text of every element of `bytes` (whole little-endian elements of `dtype`), one
/// per line, each followed by a newline.
#[napi]
pub fn format_lines(
    env: &Env,
    #[napi(ts_arg_type = "DTypeNames['name']")] dtype: String,
    bytes: &[u8],
) -> Result<String> {
    DType::from_name(&dtype).js(env)?.format_lines(bytes).js(env)
}

/// `value`, an element of dtype `from`, as dtype `to` holds it: integers must fit (and be
/// exact in a float type), floats must be whole to become integers, and a finite float
/// must stay finite. Throws `ERR_MMVEC_BAD_VALUE`.
#[napi(ts_return_type = "number | bigint | Buffer")]
pub fn convert_value(
    env: &Env,
    #[napi(ts_arg_type = "number | bigint | string | Uint8Array")] value: JsValueIn,
    #[napi(ts_arg_type = "DTypeNames['name']")] from: String,
    #[napi(ts_arg_type = "DTypeNames['name']")] to: String,
) -> Result<JsValueOut> {
    let from = DType::from_name(&from).js(env)?;
    let to = DType::from_name(&to).js(env)?;
    let mut scalar = to_scalar(to, &value).js(env)?;
    // A number read from an integer array is an integer, so it must convert exactly.
    if let (Kind::Int | Kind::UInt, Scalar::Float(number)) = (from.kind(), &scalar) {
        scalar = Scalar::Int(*number as i64);
    }
    Ok(from_scalar(to, to.store(&scalar).js(env)?))
}

/// Every element of `bytes` (whole little-endian elements of `dtype`) as the nearest
/// number: exact for every type but float80 (whose values past the doubles' range become
/// ±Infinity) and 64-bit integers beyond 2^53; throws `ERR_MMVEC_BAD_VALUE` for `bytes<N>`.
#[napi]
pub fn nearest_numbers(
    env: &Env,
    #[napi(ts_arg_type = "DTypeNames['name']")] dtype: String,
    bytes: &[u8],
) -> Result<Float64Array> {
    let dtype = DType::from_name(&dtype).js(env)?;
    if dtype.kind() == Kind::Bytes {
        let reason = "a byte string is not a number";
        return Err(mmvec_core::Error::BadValue { value: dtype.name().into_owned(), dtype, reason }).js(env);
    }
    if !bytes.len().is_multiple_of(dtype.itemsize()) {
        return Err(mmvec_core::Error::BadLength { len: bytes.len(), dtype }).js(env);
    }
    let numbers: Vec<f64> =
        bytes.chunks_exact(dtype.itemsize()).map(|element| dtype.decode(element).to_f64()).collect();
    Ok(Float64Array::new(numbers))
}
