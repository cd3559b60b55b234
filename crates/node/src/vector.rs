//! `NativeVector`: the JS class over a `MappedVec`. Argument checks that need no file
//! (index syntax, value ranges) happen in the core; this file only translates.

use mmvec_core::{DType, Format, MappedVec, Mode, OpenOptions, Scalar, index_from_f64, slice_bounds};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::{CoreResultExt, JsError, NapiResultExt, closed, with_code};
use crate::flush::NativeFlusher;
use crate::values::{JsValueIn, JsValueOut, from_scalar, to_scalar};
use crate::view::View;

#[napi(custom_finalize)]
pub struct NativeVector {
    vec: Option<MappedVec>,
    view: Option<View>,
}

#[napi]
impl NativeVector {
    #[napi(factory)]
    /// Without `dtype`, a raw or new file is float64 and an existing `.npy` file is what its
    /// header says; without `format`, the path's extension decides.
    pub fn open(
        path: String,
        dtype: Option<String>,
        mode: String,
        format: Option<String>,
    ) -> Result<NativeVector, String> {
        // The dtype is checked before the mode, as it always was.
        let dtype = dtype.map(|name| DType::from_name(&name)).transpose().js()?;
        let mode = Mode::from_name(&mode).js()?;
        let mut options = match dtype {
            Some(dtype) => OpenOptions::new(dtype, mode),
            None => OpenOptions::defaulting_dtype(DType::default(), mode),
        };
        if let Some(name) = format {
            options = options.format(Format::from_name(&name).js()?);
        }
        let vec = MappedVec::open(path, options).js()?;
        Ok(NativeVector { vec: Some(vec), view: None })
    }

    #[napi(getter)]
    pub fn length(&self) -> Result<f64, String> {
        Ok(self.vec()?.len() as f64)
    }

    #[napi(getter)]
    pub fn dtype(&self) -> Result<&'static str, String> {
        Ok(self.vec()?.dtype().name())
    }

    #[napi(getter)]
    pub fn mode(&self) -> Result<&'static str, String> {
        Ok(self.vec()?.mode().name())
    }

    #[napi(getter)]
    pub fn format(&self) -> Result<&'static str, String> {
        Ok(self.vec()?.format().name())
    }

    #[napi(getter)]
    pub fn data_offset(&self) -> Result<f64, String> {
        Ok(self.vec()?.data_offset() as f64)
    }

    #[napi(getter)]
    pub fn path(&self) -> Result<String, String> {
        Ok(self.vec()?.path().to_string_lossy().into_owned())
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.vec.is_none()
    }

    #[napi(ts_return_type = "number | bigint")]
    pub fn get(&self, index: f64) -> Result<JsValueOut, String> {
        let vec = self.vec()?;
        let value = vec.get(index_from_f64(index).js()?).js()?;
        Ok(from_scalar(vec.dtype(), value))
    }

    /// The bytes of the elements at `indices`, all checked first.
    #[napi]
    pub fn gather<'env>(&self, env: &'env Env, indices: Vec<f64>) -> Result<ArrayBuffer<'env>, String> {
        let vec = self.vec()?;
        let indices = indices.into_iter().map(index_from_f64).collect::<mmvec_core::Result<Vec<_>>>().js()?;
        let mut out = Vec::new();
        vec.gather_bytes(&indices, &mut out).js()?;
        // A copy V8 owns: an external buffer would be freed only on a later event-loop turn.
        ArrayBuffer::copy_from(env, out).js()
    }

    #[napi]
    pub fn set(&mut self, index: f64, #[napi(ts_arg_type = "number | bigint")] value: JsValueIn) -> Result<(), String> {
        let vec = self.vec_mut()?;
        let index = index_from_f64(index).js()?;
        let value = to_scalar(vec.dtype(), &value).js()?;
        vec.set(index, value).js()
    }

    #[napi]
    pub fn set_many(
        &mut self,
        indices: Vec<f64>,
        #[napi(ts_arg_type = "Array<number | bigint>")] values: Vec<JsValueIn>,
    ) -> Result<(), String> {
        if indices.len() != values.len() {
            return Err(with_code(
                "ERR_MMVEC_LENGTH_MISMATCH",
                format!("{} indices but {} values", indices.len(), values.len()),
            ));
        }
        let vec = self.vec_mut()?;
        let dtype = vec.dtype();
        let pairs = indices
            .into_iter()
            .zip(&values)
            .map(|(i, v)| Ok((index_from_f64(i)?, to_scalar(dtype, v)?)))
            .collect::<mmvec_core::Result<Vec<_>>>()
            .js()?;
        vec.set_many(&pairs).js()
    }

    /// Appends values; returns the new length.
    #[napi]
    pub fn push(
        &mut self,
        #[napi(ts_arg_type = "Array<number | bigint>")] values: Vec<JsValueIn>,
    ) -> Result<f64, String> {
        let vec = self.vec_mut()?;
        let dtype = vec.dtype();
        let scalars = values.iter().map(|v| to_scalar(dtype, v)).collect::<mmvec_core::Result<Vec<Scalar>>>().js()?;
        vec.extend(&scalars).js()?;
        Ok(vec.len() as f64)
    }

    /// Appends whole elements given as little-endian bytes; returns the new length.
    #[napi]
    pub fn append_bytes(&mut self, bytes: &[u8]) -> Result<f64, String> {
        let vec = self.vec_mut()?;
        vec.append_bytes(bytes).js()?;
        Ok(vec.len() as f64)
    }

    #[napi(ts_return_type = "number | bigint | undefined")]
    pub fn pop(&mut self, env: &Env) -> Result<Option<JsValueOut>, String> {
        self.before_shrink(env)?;
        let vec = self.vec_mut()?;
        let dtype = vec.dtype();
        Ok(vec.pop().js()?.map(|v| from_scalar(dtype, v)))
    }

    /// Empties the vector; returns the length it had.
    #[napi]
    pub fn clear(&mut self, env: &Env) -> Result<f64, String> {
        self.before_shrink(env)?;
        Ok(self.vec_mut()?.clear().js()? as f64)
    }

    /// A copy of elements `start..end` (`Array.prototype.slice` rules) as bytes.
    #[napi]
    pub fn slice<'env>(
        &self,
        env: &'env Env,
        start: Option<f64>,
        end: Option<f64>,
    ) -> Result<ArrayBuffer<'env>, String> {
        let vec = self.vec()?;
        let (start, end) = slice_bounds(vec.len() as u64, start.map(js_integer), end.map(js_integer));
        ArrayBuffer::copy_from(env, vec.range(start, end).js()?).js()
    }

    /// An `ArrayBuffer` over the mapping itself (zero-copy).
    #[napi(ts_return_type = "ArrayBuffer")]
    pub fn view<'env>(&mut self, env: &'env Env) -> Result<Unknown<'env>, String> {
        let vec = self.vec.as_ref().ok_or_else(closed)?;
        View::current(&mut self.view, vec, env)
    }

    #[napi]
    pub fn flush(&self) -> Result<(), String> {
        self.vec()?.flush().js()
    }

    /// A one-shot flusher for `flushAsync()` (see `NativeFlusher`).
    #[napi]
    pub fn flusher(&self) -> Result<NativeFlusher, String> {
        Ok(NativeFlusher::new(self.vec()?.flusher().js()?))
    }

    /// Detaches the view, unmaps, releases the lock. Closing twice is a no-op.
    #[napi]
    pub fn close(&mut self, env: &Env) -> Result<(), String> {
        View::revoke(&mut self.view, env)?;
        self.vec = None;
        Ok(())
    }

    fn vec(&self) -> std::result::Result<&MappedVec, JsError> {
        self.vec.as_ref().ok_or_else(closed)
    }

    fn vec_mut(&mut self) -> std::result::Result<&mut MappedVec, JsError> {
        self.vec.as_mut().ok_or_else(closed)
    }

    /// A shrink leaves pages past the end of file: no buffer may still point there.
    /// Read-only vectors refuse to shrink anyway, so their view is left alone.
    fn before_shrink(&mut self, env: &Env) -> std::result::Result<(), JsError> {
        if self.vec()?.mode().is_writable() {
            View::revoke(&mut self.view, env)?;
        }
        Ok(())
    }
}

impl ObjectFinalize for NativeVector {
    /// Garbage-collected without `close()`: detach the view before the file goes away.
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        View::revoke(&mut self.view, &env).map_err(|e| napi::Error::from_reason(e.reason.clone()))
    }
}

/// ToIntegerOrInfinity, saturated to i64 (NaN is 0), as `slice` arguments are read.
fn js_integer(value: f64) -> i64 {
    if value.is_nan() { 0 } else { value.trunc() as i64 }
}
