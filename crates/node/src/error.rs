//! Errors as JS `Error`s with a stable `code`, and for the core's errors the fields it
//! knows (`path`, `size`, `dtype`, `value`, `reason`), so callers never parse a message.

use napi::JsError;
use napi::bindgen_prelude::*;

/// What a core error is about, as JS properties; absent fields are not set.
#[derive(Default)]
struct Fields {
    path: Option<String>,
    size: Option<f64>,
    dtype: Option<String>,
    value: Option<String>,
    reason: Option<String>,
}

impl Fields {
    fn of(err: &mmvec_core::Error) -> Fields {
        let too_long = match err {
            // A byte string longer than its dtype's width: refused like any bad value.
            mmvec_core::Error::TooLong { value, len, dtype } => {
                Some((value.as_str(), format!("{len} bytes is longer than {}", dtype.itemsize())))
            }
            _ => None,
        };
        let bad_value = err.bad_value().map(|(value, reason)| (value, reason.to_owned())).or(too_long);
        Fields {
            path: err.path().map(|path| path.to_string_lossy().into_owned()),
            // Sizes are far below 2^53: a JS number holds them exactly.
            size: err.size().map(|size| size as f64),
            dtype: err.dtype().map(|dtype| dtype.name().into_owned()),
            value: bad_value.as_ref().map(|(value, _)| (*value).to_owned()),
            reason: bad_value.map(|(_, reason)| reason),
        }
    }
}

pub fn from_core(env: &Env, err: mmvec_core::Error) -> Error {
    throwable(env, err.code(), err.to_string(), Fields::of(&err))
}

pub fn with_code(env: &Env, code: &str, message: impl Into<String>) -> Error {
    throwable(env, code, message.into(), Fields::default())
}

pub fn closed(env: &Env) -> Error {
    with_code(env, "ERR_MMVEC_CLOSED", "vector is closed")
}

/// A napi `Error` that throws this JS object (napi's own errors carry only its `Status`
/// names as code). If the object cannot be made, the failure to make it is thrown.
fn throwable(env: &Env, code: &str, message: String, fields: Fields) -> Error {
    match error_object(env, code, message, fields) {
        Ok(object) => Error::from(object),
        Err(failure) => failure,
    }
}

fn error_object<'env>(env: &'env Env, code: &str, message: String, fields: Fields) -> Result<Unknown<'env>> {
    let error = JsError::from(Error::new(code, message)).into_unknown(*env);
    // SAFETY: `into_unknown` made a JS Error, which is an object.
    let mut object: Object = unsafe { error.cast() }?;
    if let Some(path) = fields.path {
        object.set_named_property("path", path)?;
    }
    if let Some(size) = fields.size {
        object.set_named_property("size", size)?;
    }
    if let Some(dtype) = fields.dtype {
        object.set_named_property("dtype", dtype)?;
    }
    if let Some(value) = fields.value {
        object.set_named_property("value", value)?;
    }
    if let Some(reason) = fields.reason {
        object.set_named_property("reason", reason)?;
    }
    Ok(error)
}

/// The core's results as napi results that throw its errors with their fields.
pub trait CoreResultExt<T> {
    fn js(self, env: &Env) -> Result<T>;
}

impl<T> CoreResultExt<T> for mmvec_core::Result<T> {
    fn js(self, env: &Env) -> Result<T> {
        self.map_err(|err| from_core(env, err))
    }
}
