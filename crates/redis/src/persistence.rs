//! RDB and AOF for vector keys.
//!
//! A snapshot records the binding (path, dtype, read-only) and the count, and with
//! `mmvec.snapshot data` the elements too, in 1 MiB chunks followed by their CRC-32.
//! Loading a binding maps the file again; loading data first writes it to the path under
//! this server's `DIR` (through a temporary file that replaces the path only once
//! complete and verified).

use std::ffi::{CString, c_int, c_void};

use mmvec_core::{DType, Error as CoreError, Mode, Restore, checksum};
use redis_module::raw;

use crate::effects;
use crate::snapshot::{CHUNK_BYTES, carries_data};
use crate::vector_key::{Binding, VectorKey};

/// Version of what `rdb_save` writes.
pub const ENCODING_VERSION: i32 = 1;

const BINDING_ONLY: u64 = 0;
const WITH_DATA: u64 = 1;

/// # Safety
/// Called by Redis with a value this module created (a `Box<VectorKey>`).
pub unsafe extern "C" fn rdb_save(rdb: *mut raw::RedisModuleIO, value: *mut c_void) {
    // SAFETY: Redis passes back the pointer set_value stored: a live VectorKey.
    let key = unsafe { &*value.cast::<VectorKey>() };
    raw::save_slice(rdb, key.binding.path.as_bytes());
    raw::save_slice(rdb, key.binding.dtype.name().as_bytes());
    raw::save_unsigned(rdb, u64::from(key.binding.readonly));
    raw::save_unsigned(rdb, key.count());
    match key.vec() {
        Ok(vec) if carries_data() => {
            raw::save_unsigned(rdb, WITH_DATA);
            let bytes = vec.as_bytes();
            for chunk in bytes.chunks(CHUNK_BYTES) {
                raw::save_slice(rdb, chunk);
            }
            raw::save_slice(rdb, &[]);
            raw::save_unsigned(rdb, u64::from(checksum(bytes)));
        }
        // An unavailable key has no data to carry: it stays a binding.
        _ => raw::save_unsigned(rdb, BINDING_ONLY),
    }
}

/// # Safety
/// Called by Redis while loading an RDB or a `RESTORE` payload.
pub unsafe extern "C" fn rdb_load(rdb: *mut raw::RedisModuleIO, encver: c_int) -> *mut c_void {
    let loaded = if encver == ENCODING_VERSION { load(rdb) } else { Err(format!("unknown encoding version {encver}")) };
    match loaded {
        Ok(key) => {
            let boxed = Box::into_raw(Box::new(key));
            // SAFETY: just boxed; Redis now owns it at this address, which never moves.
            if unsafe { &*boxed }.has_pending_shrink() {
                // SAFETY: as above.
                crate::pending::remember(unsafe { &*boxed });
            }
            boxed.cast()
        }
        Err(message) => {
            // The payload itself is unusable: Redis refuses it (RESTORE fails, a load stops).
            log_io_error(rdb, &format!("mmvec: {message}"));
            std::ptr::null_mut()
        }
    }
}

fn load(rdb: *mut raw::RedisModuleIO) -> Result<VectorKey, String> {
    let text = |field: &str| -> Result<String, String> {
        let buffer = raw::load_string_buffer(rdb).map_err(|e| format!("reading {field}: {e}"))?;
        String::from_utf8(buffer.as_ref().to_vec()).map_err(|_| format!("{field} is not UTF-8"))
    };
    let unsigned = |field: &str| raw::load_unsigned(rdb).map_err(|e| format!("reading {field}: {e}"));
    let path = text("path")?;
    let dtype = DType::from_name(&text("dtype")?).map_err(|e| e.to_string())?;
    let readonly = unsigned("mode")? != 0;
    let count = unsigned("count")?;
    let binding = Binding { path, dtype, readonly };
    match unsigned("payload kind")? {
        BINDING_ONLY => Ok(reopen(binding, Some(count))),
        WITH_DATA => restore(rdb, binding, count),
        other => Err(format!("unknown payload kind {other}")),
    }
}

/// Writes the carried elements to the binding's path, then maps it. A corrupt payload is
/// an error (nothing is written); a path that cannot take the data (outside `DIR`, held by
/// another writer) leaves the key answering why.
///
/// A read-only key whose file exists maps it as it is: read-only keys never write a
/// file that another key or process may be writing.
fn restore(rdb: *mut raw::RedisModuleIO, binding: Binding, count: u64) -> Result<VectorKey, String> {
    let target = binding.resolve();
    let keep_existing = binding.readonly && target.as_ref().is_ok_and(|path| path.exists());
    let started = match target {
        _ if keep_existing => Ok(None),
        target => target.and_then(|target| Restore::begin(&target, binding.dtype, count)).map(Some),
    };
    let mut restore = match started {
        Ok(restore) => restore,
        Err(err) => {
            log_warning(&format!("mmvec: cannot restore {}: {err}", binding.path));
            None
        }
    };
    // Every chunk is read even when it cannot be written, to stay in step with the stream.
    let mut failure: Option<CoreError> = None;
    loop {
        let chunk = raw::load_string_buffer(rdb).map_err(|e| format!("reading data: {e}"))?;
        let chunk = chunk.as_ref();
        if chunk.is_empty() {
            break;
        }
        if let (Some(writer), None) = (restore.as_mut(), &failure) {
            failure = writer.write(chunk).err();
        }
    }
    let expected = raw::load_unsigned(rdb).map_err(|e| format!("reading checksum: {e}"))?;
    let expected = u32::try_from(expected).map_err(|_| "checksum out of range".to_owned())?;
    let mode = if binding.readonly { Mode::Read } else { Mode::ReadWrite };
    let outcome = match (restore, failure) {
        (_, Some(err)) => Err(err),
        (Some(writer), None) => writer.finish(expected, VectorKey::options(&binding, mode)),
        (None, None) if keep_existing => return Ok(reopen(binding, Some(count))),
        (None, None) => return Ok(VectorKey::unavailable(binding.clone(), unusable(&binding, None), count)),
    };
    match outcome.and_then(|vec| VectorKey::mapped(binding.clone(), vec)) {
        Ok(key) => Ok(key),
        Err(err @ CoreError::Corrupt { .. }) => Err(err.to_string()),
        Err(err) => {
            let reason = unusable(&binding, Some(&err));
            log_warning(&format!("mmvec: {reason}"));
            Ok(VectorKey::unavailable(binding, reason, count))
        }
    }
}

fn unusable(binding: &Binding, err: Option<&CoreError>) -> String {
    match err {
        Some(err) => format!("backing file unusable: {err}"),
        None => format!("backing file unusable: {} could not be restored", binding.path),
    }
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

/// Emits the commands that rebuild the key: its binding (`MMVEC.BIND`, see `effects`)
/// and, with `mmvec.snapshot data`, its elements as positional writes and its length.
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
    let Some(emit) = (unsafe { raw::RedisModule_EmitAOF }) else { return };
    let binding = &vector.binding;
    let (path, dtype) = (binding.path.as_bytes(), binding.dtype.name().as_bytes());
    let count = vector.count();
    let mapped = vector.vec().is_ok();
    let send_data = mapped && count > 0 && !binding.readonly && carries_data();
    let as_long = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    // SAFETY: each format specifier is matched by its arguments (s: string, b: pointer +
    // length, l: long long), all alive for the call; Redis copies them.
    unsafe {
        emit(
            aof,
            c"MMVEC.BIND".as_ptr(),
            c"sbblll".as_ptr(),
            key,
            path.as_ptr(),
            path.len(),
            dtype.as_ptr(),
            dtype.len(),
            i64::from(binding.readonly),
            as_long(count),
            // An unmapped key's file is missing: the rewrite must not license creating it.
            i64::from(mapped && (count == 0 || send_data)),
        )
    };
    let Ok(vec) = vector.vec() else { return };
    if !send_data {
        return;
    }
    for (start, chunk) in effects::chunks(vec) {
        // SAFETY: as above.
        unsafe {
            emit(aof, c"MMVEC.PUTAT".as_ptr(), c"slb".as_ptr(), key, as_long(start), chunk.as_ptr(), chunk.len())
        };
    }
    // SAFETY: as above.
    unsafe { emit(aof, c"MMVEC.SETLEN".as_ptr(), c"sl".as_ptr(), key, as_long(count)) };
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

/// Called on the main thread when the key leaves the keyspace, before a lazy free may
/// drop the value on another thread.
///
/// # Safety
/// Called by Redis with a value this module created.
pub unsafe extern "C" fn unlink(_key: *mut raw::RedisModuleString, value: *const c_void) {
    crate::pending::forget(value.cast::<VectorKey>());
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
    let (Some(log), Ok(text)) = ((unsafe { raw::RedisModule_LogIOError }), CString::new(message)) else { return };
    // SAFETY: all three strings are NUL-terminated and outlive the call; "%s" consumes one.
    unsafe { log(rdb, c"warning".as_ptr(), c"%s".as_ptr(), text.as_ptr()) };
}

fn log_notice(message: &str) {
    redis_module::logging::log_notice(message);
}

fn log_warning(message: &str) {
    redis_module::logging::log_warning(message);
}
