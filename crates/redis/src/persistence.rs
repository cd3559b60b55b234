//! The module's data type and its callbacks: RDB save and load, AOF rewrite, memory
//! usage, unlink and free.
//!
//! A snapshot records the binding (path, dtype, read-only, format) and the count, and with
//! `mmvec.snapshot data` the elements too, in 1 MiB chunks followed by their CRC-32.
//! Loading a binding maps the file again; loading data first writes it to the path under
//! this server's `DIR` (through a temporary file that replaces the path only once
//! complete and verified).

use std::ffi::{CString, c_int, c_void};

use mmvec_core::{DType, Error as CoreError, Format, Mode, Restore, checksum_of_parts};
use redis_module::logging::log_warning;
use redis_module::native_types::RedisType;
use redis_module::raw;

use crate::effects::{self, Emitter};
use crate::snapshot::{CHUNK_BYTES, carries_data};
use crate::vector_key::{Binding, VectorKey};

/// The module's data type. The name is what RDB files record: never change it.
pub static VECTOR_TYPE: RedisType = RedisType::new(
    "mmvec-vec",
    ENCODING_VERSION,
    raw::RedisModuleTypeMethods {
        version: raw::REDISMODULE_TYPE_METHOD_VERSION as u64,
        rdb_load: Some(rdb_load),
        rdb_save: Some(rdb_save),
        aof_rewrite: Some(aof_rewrite),
        mem_usage: Some(mem_usage),
        digest: None,
        free: Some(free),
        aux_load: None,
        aux_save: None,
        aux_save_triggers: 0,
        free_effort: None,
        unlink: Some(unlink),
        copy: None,
        defrag: None,
        mem_usage2: None,
        free_effort2: None,
        unlink2: None,
        copy2: None,
        aux_save2: None,
    },
);

/// Version of what `rdb_save` writes: 2 adds the format after the count; a version 1
/// payload is loaded as a raw file's.
const ENCODING_VERSION: i32 = 2;

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
    raw::save_slice(rdb, key.binding.format.name().as_bytes());
    match key.vec() {
        Ok(vec) if carries_data() => {
            raw::save_unsigned(rdb, WITH_DATA);
            // The held-back appends too: a fork child (Redis fires no event in the server
            // before the fork of a BGSAVE that serverCron starts) may hold some that the
            // file does not have yet.
            for (_, chunk) in vec.chunks_then(key.held_appends(), CHUNK_BYTES) {
                raw::save_slice(rdb, chunk);
            }
            raw::save_slice(rdb, &[]);
            raw::save_unsigned(rdb, u64::from(checksum_of_parts([vec.as_bytes(), key.held_appends()])));
        }
        // An unavailable key has no data to carry: it stays a binding.
        _ => raw::save_unsigned(rdb, BINDING_ONLY),
    }
}

/// # Safety
/// Called by Redis while loading an RDB or a `RESTORE` payload.
pub unsafe extern "C" fn rdb_load(rdb: *mut raw::RedisModuleIO, encver: c_int) -> *mut c_void {
    let loaded = match encver {
        1 | ENCODING_VERSION => load(rdb, encver),
        _ => Err(format!("unknown encoding version {encver}")),
    };
    match loaded {
        Ok(key) => key.into_raw().cast(),
        Err(message) => {
            // The payload itself is unusable: Redis refuses it (RESTORE fails, a load stops).
            log_io_error(rdb, &format!("mmvec: {message}"));
            std::ptr::null_mut()
        }
    }
}

fn load(rdb: *mut raw::RedisModuleIO, encver: c_int) -> Result<VectorKey, String> {
    let text = |field: &str| -> Result<String, String> {
        let buffer = raw::load_string_buffer(rdb).map_err(|e| format!("reading {field}: {e}"))?;
        String::from_utf8(buffer.as_ref().to_vec()).map_err(|_| format!("{field} is not UTF-8"))
    };
    let unsigned = |field: &str| raw::load_unsigned(rdb).map_err(|e| format!("reading {field}: {e}"));
    let path = text("path")?;
    let dtype = DType::from_name(&text("dtype")?).map_err(|e| e.to_string())?;
    let readonly = unsigned("mode")? != 0;
    let count = unsigned("count")?;
    let format =
        if encver == 1 { Format::Raw } else { Format::from_name(&text("format")?).map_err(|e| e.to_string())? };
    let binding = Binding { path, dtype, readonly, format };
    match unsigned("payload kind")? {
        BINDING_ONLY => Ok(VectorKey::reopen(binding, Some(count))),
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
        target => target.and_then(|target| Restore::begin(&target, binding.dtype, binding.format, count)).map(Some),
    };
    let restore = started.unwrap_or_else(|err| {
        log_warning(format!("mmvec: cannot restore {}: {err}", binding.path));
        None
    });
    let writing = restore.is_some();
    let mut restore = restore.unwrap_or_else(Restore::discard);
    // Every chunk is read even when it cannot be written, to stay in step with the stream.
    let mut failure: Option<CoreError> = None;
    loop {
        let chunk = raw::load_string_buffer(rdb).map_err(|e| format!("reading data: {e}"))?;
        let chunk = chunk.as_ref();
        if chunk.is_empty() {
            break;
        }
        if let Err(err) = restore.write(chunk) {
            failure = Some(err);
            restore = Restore::discard();
        }
    }
    let expected = raw::load_unsigned(rdb).map_err(|e| format!("reading checksum: {e}"))?;
    let expected = u32::try_from(expected).map_err(|_| "checksum out of range".to_owned())?;
    let mode = if binding.readonly { Mode::Read } else { Mode::ReadWrite };
    let outcome = match failure {
        Some(err) => Err(err),
        None if writing => restore.finish(expected, VectorKey::options(&binding, mode)),
        None if keep_existing => return Ok(VectorKey::reopen(binding, Some(count))),
        None => return Ok(VectorKey::unavailable(binding.clone(), unusable(&binding, None), count)),
    };
    match outcome.and_then(|vec| VectorKey::mapped(binding.clone(), vec)) {
        Ok(key) => Ok(key),
        Err(err @ CoreError::Corrupt { .. }) => Err(err.to_string()),
        Err(err) => {
            let reason = unusable(&binding, Some(&err));
            log_warning(format!("mmvec: {reason}"));
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

/// Emits the commands that rebuild the key (see `effects::rebuild`).
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
    if let Err(err) = Emitter::aof(aof).and_then(|aof| effects::rebuild(&aof, key, vector)) {
        log_warning(format!("mmvec: cannot rewrite {} into the AOF: {err}", vector.binding.path));
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

/// Called on the main thread when the key leaves the keyspace, before a lazy free may
/// drop the value on another thread.
///
/// # Safety
/// Called by Redis with a value this module created.
pub unsafe extern "C" fn unlink(_key: *mut raw::RedisModuleString, value: *const c_void) {
    VectorKey::unlinked(value.cast::<VectorKey>().cast_mut());
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
