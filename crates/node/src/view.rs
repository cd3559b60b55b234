//! The zero-copy view: one external `ArrayBuffer` over the mapping at a time.
//!
//! The buffer's finalizer holds the core's `SharedBytes`, so the mapping outlives any
//! remap. The vector keeps a reference to its buffer and detaches it before it shrinks
//! or closes (pages past the new end of file would fault) and when a newer view of a
//! different length replaces it, so a view is always either current or empty.

use mmvec_core::MappedVec;
use napi::bindgen_prelude::*;
use napi::{JsValue, UnknownRef};

use crate::error::with_code;

pub struct View {
    buffer: UnknownRef,
    ptr: *mut u8,
    len: usize,
}

impl View {
    /// The current view of `vec`, reusing `slot`'s buffer if it still matches.
    pub fn current<'env>(slot: &mut Option<View>, vec: &MappedVec, env: &'env Env) -> Result<Unknown<'env>> {
        let shared = vec.share();
        let (ptr, len) = shared.as_ref().map_or((std::ptr::null_mut(), 0), |s| (s.as_ptr(), s.len()));
        if let Some(view) = slot.as_ref().filter(|v| v.ptr == ptr && v.len == len) {
            return view.buffer.get_value(env);
        }
        View::revoke(slot, env)?;
        let Some(shared) = shared.filter(|s| !s.is_empty()) else {
            return Ok(ArrayBuffer::from_data(env, Vec::<u8>::new())?.to_unknown());
        };
        // SAFETY: `ptr..ptr+len` is mapped and backed by the file; `shared` moves into the
        // finalizer and keeps the mapping alive until V8 frees the buffer. The vector
        // detaches this buffer before anything could leave those pages without a file
        // behind them (shrink, close), and never hands the same pointer to two live buffers.
        let buffer = unsafe { ArrayBuffer::from_external(env, ptr, len, shared, |_, shared| drop(shared)) }?;
        if buffer.as_ptr() != ptr.cast_const() {
            return Err(with_code(
                env,
                "ERR_MMVEC_VIEW_COPIED",
                "this runtime does not allow external ArrayBuffers (e.g. Electron), so a view would be a copy whose writes never reach the file; use slice() to read",
            ));
        }
        let value = buffer.to_unknown();
        *slot = Some(View { buffer: value.create_ref()?, ptr, len });
        Ok(value)
    }

    /// Detaches the outstanding buffer, if any: every typed array over it becomes empty.
    pub fn revoke(slot: &mut Option<View>, env: &Env) -> Result<()> {
        let Some(view) = slot.take() else {
            return Ok(());
        };
        let value = view.buffer.get_value(env)?;
        // SAFETY: the reference was created from an ArrayBuffer in `current`.
        let buffer: ArrayBuffer = unsafe { value.cast() }?;
        let detached = buffer.detach();
        view.buffer.unref(env)?;
        detached
    }
}
