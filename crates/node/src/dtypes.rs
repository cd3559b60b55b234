//! The core's dtype table and value grammar for JavaScript: the command line and the
//! TypeScript API read names, aliases, sizes and bounds from here, and parse and print
//! values exactly as the Redis module does.

use mmvec_core::{DType, Kind, Scalar};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::{CoreResultExt, with_code};
use crate::values::{JsValueIn, JsValueOut, from_scalar, to_scalar};

/// One row of the dtype table.
#[napi(object, object_from_js = false)]
pub struct DTypeInfo {
    /// The canonical name, such as `float64`.
    #[napi(ts_type = "DType")]
    pub name: String,
    /// Other names accepted wherever a dtype is, such as `f64` and `double`.
    #[napi(ts_type = "DTypeAlias[]")]
    pub aliases: Vec<&'static str>,
    /// Bytes per element.
    pub itemsize: u32,
    #[napi(ts_type = "DTypeKind")]
    pub kind: &'static str,
    /// The smallest value (a bigint for 64-bit integers; the lowest finite float).
    #[napi(ts_type = "number | bigint")]
    pub min: JsValueOut,
    /// The largest value (a bigint for 64-bit integers; the highest finite float).
    #[napi(ts_type = "number | bigint")]
    pub max: JsValueOut,
}

/// Every dtype, in the core's order.
#[napi]
pub fn dtypes() -> Vec<DTypeInfo> {
    DType::ALL[..10]
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

/// The canonical name of a dtype name or alias (any case); throws `ERR_MMVEC_BAD_DTYPE`.
#[napi(ts_return_type = "DType")]
pub fn canonical_dtype(env: &Env, name: String) -> Result<String> {
    Ok(served(env, &name)?.name().into_owned())
}

/// The dtype named `name`, if the addon serves it: the first ten of the core's table
/// (the addon does not handle float16, bfloat16, float80 and bytes<N> yet).
pub fn served(env: &Env, name: &str) -> Result<DType> {
    check_served(env, DType::from_name(name).js(env)?)
}

/// `dtype`, or `ERR_MMVEC_BAD_DTYPE` if the addon does not serve it yet (see [`served`]).
pub fn check_served(env: &Env, dtype: DType) -> Result<DType> {
    if DType::ALL[..10].contains(&dtype) {
        return Ok(dtype);
    }
    Err(with_code(env, "ERR_MMVEC_BAD_DTYPE", format!("dtype {dtype} is not supported by the Node addon yet")))
}

/// Parses `text` as Redis parses a value for `dtype`; throws `ERR_MMVEC_BAD_VALUE` with
/// `value` and `reason`.
#[napi(ts_return_type = "number | bigint")]
pub fn parse_value(env: &Env, #[napi(ts_arg_type = "DType")] dtype: String, text: String) -> Result<JsValueOut> {
    let dtype = served(env, &dtype)?;
    Ok(from_scalar(dtype, dtype.parse(text.as_bytes()).js(env)?))
}

/// Parses every text as `parseValue` does, in one call: the elements' little-endian
/// bytes. Throws the first refusal's `ERR_MMVEC_BAD_VALUE`.
#[napi]
pub fn parse_values<'env>(
    env: &'env Env,
    #[napi(ts_arg_type = "DType")] dtype: String,
    texts: Vec<String>,
) -> Result<ArrayBuffer<'env>> {
    let dtype = served(env, &dtype)?;
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
    #[napi(ts_arg_type = "DType")] from: String,
    #[napi(ts_arg_type = "DType")] to: String,
) -> Result<ArrayBuffer<'env>> {
    let from = served(env, &from)?;
    let to = served(env, &to)?;
    let mut out = Vec::new();
    from.convert_into(bytes, to, &mut out).js(env)?;
    ArrayBuffer::copy_from(env, out)
}

/// The text Redis prints for `value` stored as `dtype`.
#[napi]
pub fn format_value(
    env: &Env,
    #[napi(ts_arg_type = "DType")] dtype: String,
    #[napi(ts_arg_type = "number | bigint")] value: JsValueIn,
) -> Result<String> {
    let dtype = served(env, &dtype)?;
    dtype.format(&to_scalar(dtype, &value).js(env)?).js(env)
}

/// The text of every element of `bytes` (whole little-endian elements of `dtype`), one
/// per line, each followed by a newline.
#[napi]
pub fn format_lines(env: &Env, #[napi(ts_arg_type = "DType")] dtype: String, bytes: &[u8]) -> Result<String> {
    served(env, &dtype)?.format_lines(bytes).js(env)
}

/// `value`, an element of dtype `from`, as dtype `to` holds it: integers must fit (and be
/// exact in a float type), floats must be whole to become integers, and a finite float
/// must stay finite. Throws `ERR_MMVEC_BAD_VALUE`.
#[napi(ts_return_type = "number | bigint")]
pub fn convert_value(
    env: &Env,
    #[napi(ts_arg_type = "number | bigint")] value: JsValueIn,
    #[napi(ts_arg_type = "DType")] from: String,
    #[napi(ts_arg_type = "DType")] to: String,
) -> Result<JsValueOut> {
    let from = served(env, &from)?;
    let to = served(env, &to)?;
    let mut scalar = to_scalar(to, &value).js(env)?;
    // A number read from an integer array is an integer, so it must convert exactly.
    if let (Kind::Int | Kind::UInt, Scalar::Float(number)) = (from.kind(), &scalar) {
        scalar = Scalar::Int(*number as i64);
    }
    Ok(from_scalar(to, to.store(&scalar).js(env)?))
}
