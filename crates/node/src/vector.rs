//! `NativeVector`: the JS class over a `MappedVec`. Argument checks that need no file
//! (index syntax, value ranges) happen in the core; this file only translates.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

use mmvec_core::{DType, Format, MappedVec, Mode, OpenOptions, Scalar, index_from_f64, slice_bounds};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::appender::{SharedVec, borrow, borrow_mut, close};
use crate::error::{CoreResultExt, with_code};
use crate::flush::NativeFlusher;
use crate::values::{JsValueIn, JsValueOut, from_scalar, to_scalar};
use crate::view::View;

#[napi(custom_finalize)]
pub struct NativeVector {
    vec: SharedVec,
    view: Option<View>,
}

#[napi]
impl NativeVector {
    #[napi(factory)]
    /// Without `dtype`, a raw or new file is float64 and an existing `.npy` file is what its
    /// header says; without `format`, the path's extension decides.
    pub fn open(
        env: &Env,
        path: String,
        dtype: Option<String>,
        mode: String,
        format: Option<String>,
    ) -> Result<NativeVector> {
        // The dtype is checked before the mode, as it always was.
        let dtype = dtype.map(|name| DType::from_name(&name)).transpose().js(env)?;
        let mode = Mode::from_name(&mode).js(env)?;
        let mut options = match dtype {
            Some(dtype) => OpenOptions::new(dtype, mode),
            None => OpenOptions::defaulting_dtype(DType::default(), mode),
        };
        if let Some(name) = format {
            options = options.format(Format::from_name(&name).js(env)?);
        }
        let vec = MappedVec::open(path, options).js(env)?;
        Ok(NativeVector { vec: Rc::new(RefCell::new(Some(vec))), view: None })
    }

    #[napi(getter)]
    pub fn length(&self, env: &Env) -> Result<f64> {
        Ok(self.vec(env)?.len() as f64)
    }

    #[napi(getter, ts_return_type = "DTypeNames['name']")]
    pub fn dtype(&self, env: &Env) -> Result<String> {
        Ok(self.vec(env)?.dtype().name().into_owned())
    }

    #[napi(getter)]
    pub fn mode(&self, env: &Env) -> Result<&'static str> {
        Ok(self.vec(env)?.mode().name())
    }

    /// Whether writes may reach the file (every mode but `r`).
    #[napi(getter)]
    pub fn writable(&self, env: &Env) -> Result<bool> {
        Ok(self.vec(env)?.mode().is_writable())
    }

    #[napi(getter)]
    pub fn format(&self, env: &Env) -> Result<&'static str> {
        Ok(self.vec(env)?.format().name())
    }

    #[napi(getter)]
    pub fn data_offset(&self, env: &Env) -> Result<f64> {
        Ok(self.vec(env)?.data_offset() as f64)
    }

    #[napi(getter)]
    pub fn path(&self, env: &Env) -> Result<String> {
        Ok(self.vec(env)?.path().to_string_lossy().into_owned())
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.vec.try_borrow().is_ok_and(|slot| slot.is_none())
    }

    /// The element at `index`: a number (float80's nearest), a bigint (64-bit integers) or
    /// a `Buffer` (`bytes<N>`, without its trailing NULs).
    #[napi(ts_return_type = "number | bigint | Buffer")]
    pub fn get(&self, env: &Env, index: f64) -> Result<JsValueOut> {
        let vec = self.vec(env)?;
        let value = vec.get(index_from_f64(index).js(env)?).js(env)?;
        Ok(from_scalar(vec.dtype(), value))
    }

    /// The element at `index` as the Redis module replies it: exact for every dtype (float80's
    /// shortest round-trip text); a `bytes<N>` element's bytes as UTF-8, invalid sequences
    /// replaced by U+FFFD.
    #[napi]
    pub fn get_text(&self, env: &Env, index: f64) -> Result<String> {
        let vec = self.vec(env)?;
        let value = vec.get(index_from_f64(index).js(env)?).js(env)?;
        Ok(value.with_text(|text| String::from_utf8_lossy(text).into_owned()))
    }

    /// Writes the element at `index` from its text, parsed as the Redis module parses it
    /// (float80 rounded once, to nearest-even, from the decimal text).
    #[napi]
    pub fn set_text(&mut self, env: &Env, index: f64, text: String) -> Result<()> {
        let mut vec = self.vec_mut(env)?;
        let index = index_from_f64(index).js(env)?;
        let value = vec.dtype().parse(text.as_bytes()).js(env)?;
        vec.set(index, &value).js(env)
    }

    /// The bytes of the elements at `indices`, all checked first.
    #[napi]
    pub fn gather<'env>(&self, env: &'env Env, indices: Vec<f64>) -> Result<ArrayBuffer<'env>> {
        let vec = self.vec(env)?;
        let indices = indices.into_iter().map(index_from_f64).collect::<mmvec_core::Result<Vec<_>>>().js(env)?;
        let mut out = Vec::new();
        vec.gather_bytes(&indices, &mut out).js(env)?;
        // A copy V8 owns: an external buffer would be freed only on a later event-loop turn.
        ArrayBuffer::copy_from(env, out)
    }

    #[napi]
    pub fn set(
        &mut self,
        env: &Env,
        index: f64,
        #[napi(ts_arg_type = "number | bigint | string | Uint8Array")] value: JsValueIn,
    ) -> Result<()> {
        let mut vec = self.vec_mut(env)?;
        let index = index_from_f64(index).js(env)?;
        let value = to_scalar(vec.dtype(), &value).js(env)?;
        vec.set(index, &value).js(env)
    }

    #[napi]
    pub fn set_many(
        &mut self,
        env: &Env,
        indices: Vec<f64>,
        #[napi(ts_arg_type = "Array<number | bigint | string | Uint8Array>")] values: Vec<JsValueIn>,
    ) -> Result<()> {
        if indices.len() != values.len() {
            return Err(with_code(
                env,
                "ERR_MMVEC_LENGTH_MISMATCH",
                format!("{} indices but {} values", indices.len(), values.len()),
            ));
        }
        let mut vec = self.vec_mut(env)?;
        let dtype = vec.dtype();
        let pairs = indices
            .into_iter()
            .zip(&values)
            .map(|(i, v)| Ok((index_from_f64(i)?, to_scalar(dtype, v)?)))
            .collect::<mmvec_core::Result<Vec<_>>>()
            .js(env)?;
        vec.set_many(&pairs).js(env)
    }

    /// Appends values; returns the new length.
    #[napi]
    pub fn push(
        &mut self,
        env: &Env,
        #[napi(ts_arg_type = "Array<number | bigint | string | Uint8Array>")] values: Vec<JsValueIn>,
    ) -> Result<f64> {
        let mut vec = self.vec_mut(env)?;
        let dtype = vec.dtype();
        let scalars =
            values.iter().map(|v| to_scalar(dtype, v)).collect::<mmvec_core::Result<Vec<Scalar>>>().js(env)?;
        vec.extend(&scalars).js(env)?;
        Ok(vec.len() as f64)
    }

    /// The handle `appendBytesTo` appends through (see `appender.rs`).
    #[napi(ts_return_type = "ExternalObject<NativeVector>")]
    pub fn appender(&self) -> External<SharedVec> {
        External::new(Rc::clone(&self.vec))
    }

    #[napi(ts_return_type = "number | bigint | Buffer | undefined")]
    pub fn pop(&mut self, env: &Env) -> Result<Option<JsValueOut>> {
        self.before_shrink(env)?;
        let mut vec = self.vec_mut(env)?;
        let dtype = vec.dtype();
        Ok(vec.pop().js(env)?.map(|v| from_scalar(dtype, v)))
    }

    /// Empties the vector; returns the length it had.
    #[napi]
    pub fn clear(&mut self, env: &Env) -> Result<f64> {
        self.before_shrink(env)?;
        Ok(self.vec_mut(env)?.clear().js(env)? as f64)
    }

    /// A copy of elements `start..end` (`Array.prototype.slice` rules) as bytes.
    #[napi]
    pub fn slice<'env>(&self, env: &'env Env, start: Option<f64>, end: Option<f64>) -> Result<ArrayBuffer<'env>> {
        let vec = self.vec(env)?;
        let (start, end) = slice_bounds(vec.len() as u64, start.map(js_integer), end.map(js_integer));
        ArrayBuffer::copy_from(env, vec.range(start, end).js(env)?)
    }

    /// An `ArrayBuffer` over the mapping itself (zero-copy).
    #[napi(ts_return_type = "ArrayBuffer")]
    pub fn view<'env>(&mut self, env: &'env Env) -> Result<Unknown<'env>> {
        let vec = borrow(&self.vec, env)?;
        View::current(&mut self.view, &vec, env)
    }

    #[napi]
    pub fn flush(&self, env: &Env) -> Result<()> {
        self.vec(env)?.flush().js(env)
    }

    /// A one-shot flusher for `flushAsync()` (see `NativeFlusher`).
    #[napi]
    pub fn flusher(&self, env: &Env) -> Result<NativeFlusher> {
        Ok(NativeFlusher::new(self.vec(env)?.flusher().js(env)?))
    }

    /// Detaches the view, unmaps, releases the lock. Closing twice is a no-op.
    #[napi]
    pub fn close(&mut self, env: &Env) -> Result<()> {
        View::revoke(&mut self.view, env)?;
        close(&self.vec, env)
    }

    fn vec(&self, env: &Env) -> Result<Ref<'_, MappedVec>> {
        borrow(&self.vec, env)
    }

    fn vec_mut(&mut self, env: &Env) -> Result<RefMut<'_, MappedVec>> {
        borrow_mut(&self.vec, env)
    }

    /// A shrink leaves pages past the end of file: no buffer may still point there.
    /// Read-only vectors refuse to shrink anyway, so their view is left alone.
    fn before_shrink(&mut self, env: &Env) -> Result<()> {
        if self.vec(env)?.mode().is_writable() {
            View::revoke(&mut self.view, env)?;
        }
        Ok(())
    }
}

impl ObjectFinalize for NativeVector {
    /// Garbage-collected without `close()`: detach the view before the file goes away.
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        View::revoke(&mut self.view, &env)
    }
}

/// ToIntegerOrInfinity, saturated to i64 (NaN is 0), as `slice` arguments are read.
fn js_integer(value: f64) -> i64 {
    if value.is_nan() { 0 } else { value.trunc() as i64 }
}
