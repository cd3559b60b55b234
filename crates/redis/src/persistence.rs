//! RDB and AOF for vector keys. The file owns the data: a snapshot records the binding
//! (path, dtype, read-only) and the count, and loading maps the file again.

use std::ffi::{CString, c_int, c_void};

use mmvec_core::{DType, Error as CoreError};
use redis_module::raw;

use crate::vector_key::{Binding, VectorKey};

/// Version of what `rdb_save` writes.
pub const ENCODING_VERSION: i32 = 1;

/// # Safety
/// Called by Redis with a value this module created (a `Box<VectorKey>`).
pub unsafe extern "C" fn rdb_save(rdb: *mut raw::RedisModuleIO, value: *mut c_void) {
    // SAFETY: Redis passes back the pointer set_value stored: a live VectorKey.
    let key = unsafe { &*value.cast::<VectorKey>() };
    raw::save_slice(rdb, key.binding.path.as_bytes());
    raw::save_slice(rdb, key.binding.dtype.name().as_bytes());
    raw::save_unsigned(rdb, u64::from(key.binding.readonly));
    raw::save_unsigned(rdb, key.count());
}

/// # Safety
/// Called by Redis while loading an RDB or a `RESTORE` payload.
pub unsafe extern "C" fn rdb_load(rdb: *mut raw::RedisModuleIO, encver: c_int) -> *mut c_void {
    let loaded = if encver == ENCODING_VERSION {
        read_binding(rdb)
    } else {
        Err(format!("mmvec: unknown encoding version {encver}"))
    };
    match loaded {
        Ok((binding, count)) => Box::into_raw(Box::new(reopen(binding, Some(count)))).cast(),
        Err(message) => {
            // The payload itself is unreadable: Redis refuses it (RESTORE fails, a load stops).
            log_io_error(rdb, &message);
            std::ptr::null_mut()
        }
    }
}

fn read_binding(rdb: *mut raw::RedisModuleIO) -> Result<(Binding, u64), String> {
    let text = |field: &str| -> Result<String, String> {
        let buffer = raw::load_string_buffer(rdb).map_err(|e| format!("mmvec: reading {field}: {e}"))?;
        String::from_utf8(buffer.as_ref().to_vec()).map_err(|_| format!("mmvec: {field} is not UTF-8"))
    };
    let path = text("path")?;
    let dtype = DType::from_name(&text("dtype")?).map_err(|e| format!("mmvec: {e}"))?;
    let readonly = raw::load_unsigned(rdb).map_err(|e| format!("mmvec: reading mode: {e}"))? != 0;
    let count = raw::load_unsigned(rdb).map_err(|e| format!("mmvec: reading count: {e}"))?;
    Ok((Binding { path, dtype, readonly }, count))
}

/// Maps the file again. A file that is missing or unusable leaves the key in place,
/// answering a clear error, rather than stopping the server or emptying the vector.
pub fn reopen(binding: Binding, saved_count: Option<u64>) -> VectorKey {
    match VectorKey::open(binding.clone(), false) {
        Ok(key) => {
            if let Some(saved) = saved_count.filter(|&saved| saved != key.count()) {
                log_notice(&format!(
                    "mmvec: {} holds {} elements, {saved} when saved; the file wins",
                    binding.path,
                    key.count()
                ));
            }
            key
        }
        Err(err) => {
            let reason = match err {
                CoreError::NotFound { .. } => format!("backing file missing: {}", binding.path),
                other => format!("backing file unusable: {other}"),
            };
            log_warning(&format!("mmvec: {reason}"));
            VectorKey::unavailable(binding, reason, saved_count.unwrap_or(0))
        }
    }
}

/// Emits the command that rebinds the key; the file holds the elements.
///
/// # Safety
/// Called by Redis during an AOF rewrite with a value this module created.
pub unsafe extern "C" fn aof_rewrite(
    aof: *mut raw::RedisModuleIO,
    key: *mut raw::RedisModuleString,
    value: *mut c_void,
) {
    // SAFETY: as in rdb_save.
    let vector = unsafe { &*value.cast::<VectorKey>() };
    // SAFETY: Redis fills its API table at load, before any callback runs.
    let Some(emit) = (unsafe { raw::RedisModule_EmitAOF }) else {
        return;
    };
    let path = vector.binding.path.as_bytes();
    let dtype = vector.binding.dtype.name();
    // SAFETY: "sbcb…" reads a RedisModuleString*, then (pointer, length) pairs and C
    // strings, all valid for the duration of the call.
    unsafe {
        if vector.binding.readonly {
            emit(
                aof,
                c"MMVEC.OPEN".as_ptr(),
                c"sbcbc".as_ptr(),
                key,
                path.as_ptr(),
                path.len(),
                c"TYPE".as_ptr(),
                dtype.as_ptr(),
                dtype.len(),
                c"READONLY".as_ptr(),
            );
        } else {
            emit(
                aof,
                c"MMVEC.OPEN".as_ptr(),
                c"sbcb".as_ptr(),
                key,
                path.as_ptr(),
                path.len(),
                c"TYPE".as_ptr(),
                dtype.as_ptr(),
                dtype.len(),
            );
        }
    }
}

/// `MEMORY USAGE`: the key's own memory; the file's pages belong to the page cache.
///
/// # Safety
/// Called by Redis with a value this module created.
pub unsafe extern "C" fn mem_usage(value: *const c_void) -> usize {
    // SAFETY: as in rdb_save.
    let key = unsafe { &*value.cast::<VectorKey>() };
    std::mem::size_of::<VectorKey>() + key.binding.path.capacity()
}

/// # Safety
/// Called by Redis once, when the key is deleted or overwritten.
pub unsafe extern "C" fn free(value: *mut c_void) {
    // SAFETY: the pointer came from Box::into_raw (set_value or rdb_load) and Redis
    // frees each value exactly once.
    drop(unsafe { Box::from_raw(value.cast::<VectorKey>()) });
}

fn log_io_error(rdb: *mut raw::RedisModuleIO, message: &str) {
    // SAFETY: Redis fills its API table at load, before any callback runs.
    let (Some(log), Ok(text)) = ((unsafe { raw::RedisModule_LogIOError }), CString::new(message)) else {
        return;
    };
    // SAFETY: all three strings are NUL-terminated and outlive the call; "%s" consumes one.
    unsafe { log(rdb, c"warning".as_ptr(), c"%s".as_ptr(), text.as_ptr()) };
}

fn log_notice(message: &str) {
    redis_module::logging::log_notice(message);
}

fn log_warning(message: &str) {
    redis_module::logging::log_warning(message);
}
