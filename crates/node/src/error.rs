//! Core errors and napi-rs errors as JS `Error`s with a stable `code`.

/// A JS error whose `code` is the string status.
pub type JsError = napi::Error<String>;

pub fn from_core(err: mmvec_core::Error) -> JsError {
    napi::Error::new(err.code().to_owned(), err.to_string())
}

pub fn closed() -> JsError {
    napi::Error::new("ERR_MMVEC_CLOSED".to_owned(), "vector is closed".to_owned())
}

pub fn with_code(code: &str, message: impl Into<String>) -> JsError {
    napi::Error::new(code.to_owned(), message.into())
}

/// napi-rs's own failures (argument conversion, detach) keep napi's status name as code.
pub trait NapiResultExt<T> {
    fn js(self) -> Result<T, JsError>;
}

impl<T> NapiResultExt<T> for napi::Result<T> {
    fn js(self) -> Result<T, JsError> {
        self.map_err(|e| napi::Error::new(e.status.as_ref().to_owned(), e.reason.clone()))
    }
}

pub trait CoreResultExt<T> {
    fn js(self) -> Result<T, JsError>;
}

impl<T> CoreResultExt<T> for mmvec_core::Result<T> {
    fn js(self) -> Result<T, JsError> {
        self.map_err(from_core)
    }
}
