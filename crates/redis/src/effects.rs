//! What a write propagates to the AOF and to replicas: not the client's command but its
//! absolute, positional effect, so replaying any suffix of the stream onto a later state
//! of the live file converges to the same file: the AOF tail after a restart is
//! replayed onto a file that already holds those writes, and a replica applies the
//! stream after a full sync. The internal commands that apply them are in
//! `commands::internal`.
//!
//! Arguments go to Redis as (pointer, length) and `long long` format specifiers, so an
//! effect costs no string building of its own.

use std::ffi::{CStr, c_int, c_longlong};

use mmvec_core::MappedVec;
use redis_module::{Context, RedisError, raw};

use crate::keys::api;
use crate::snapshot::{CHUNK_BYTES, carries_data};
use crate::vector_key::Binding;

type Name = *mut raw::RedisModuleString;

/// `MMVEC.BIND key path dtype readonly count create`: the binding, the count it had, and
/// whether the receiver may create a missing file (only when that is the whole truth: an
/// empty vector, or the elements follow). With `mmvec.snapshot data`, a file that already
/// holds elements is sent along as positional writes, so replicas get it too.
pub fn bind(ctx: &Context, key: Name, vec: &MappedVec, binding: &Binding) -> Result<(), RedisError> {
    let replicate = api!(RedisModule_Replicate);
    let count = vec.len() as u64;
    let send_data = count > 0 && !binding.readonly && carries_data();
    let (path, dtype) = (binding.path.as_bytes(), binding.dtype.name().as_bytes());
    let as_long = |n: u64| c_longlong::try_from(n).unwrap_or(c_longlong::MAX);
    let create = c_longlong::from(count == 0 || send_data);
    // SAFETY: each specifier is matched by its arguments (s: string, b: pointer + length,
    // l: long long), all alive for the call; Redis copies them.
    unsafe {
        replicate(
            ctx.ctx,
            c"MMVEC.BIND".as_ptr(),
            c"sbblll".as_ptr(),
            key,
            path.as_ptr(),
            path.len(),
            dtype.as_ptr(),
            dtype.len(),
            c_longlong::from(binding.readonly),
            as_long(count),
            create,
        )
    };
    if send_data {
        for (start, chunk) in chunks(vec) {
            put_at_bytes(ctx, key, start, chunk)?;
        }
        set_len(ctx, key, count)?;
    }
    Ok(())
}

/// The vector's bytes in runs of whole elements of at most 1 MiB, with their start index.
pub fn chunks(vec: &MappedVec) -> impl Iterator<Item = (u64, &[u8])> {
    let itemsize = vec.dtype().itemsize();
    let per_chunk = (CHUNK_BYTES / itemsize).max(1);
    vec.as_bytes().chunks(per_chunk * itemsize).enumerate().map(move |(n, chunk)| ((n * per_chunk) as u64, chunk))
}

/// `MMVEC.PUTAT key index bytes [index bytes ...]`: the elements as they now are.
pub fn put_at(ctx: &Context, key: Name, vec: &MappedVec, indices: &[u64]) -> Result<(), RedisError> {
    if let [index] = indices {
        let bytes = vec.range(*index, index + 1).unwrap_or_default();
        return put_at_bytes(ctx, key, *index, bytes);
    }
    let runs: Vec<(String, &[u8])> =
        indices.iter().filter_map(|&i| vec.range(i, i + 1).ok().map(|bytes| (i.to_string(), bytes))).collect();
    let name = redis_module::RedisString::string_as_slice(key);
    let mut args: Vec<&[u8]> = vec![name];
    for (index, bytes) in &runs {
        args.push(index.as_bytes());
        args.push(bytes);
    }
    ctx.replicate("MMVEC.PUTAT", args.as_slice());
    Ok(())
}

/// `MMVEC.PUTAT key start bytes`: a run of elements written at `start`.
pub fn put_at_bytes(ctx: &Context, key: Name, start: u64, bytes: &[u8]) -> Result<(), RedisError> {
    positional(ctx, c"MMVEC.PUTAT", key, start, Some(bytes))
}

/// `MMVEC.SPLICE key start bytes`: elements from `start` to the end, and the length.
pub fn splice(ctx: &Context, key: Name, vec: &MappedVec, start: u64) -> Result<(), RedisError> {
    let bytes = vec.range(start, vec.len() as u64).unwrap_or_default();
    positional(ctx, c"MMVEC.SPLICE", key, start, Some(bytes))
}

/// `MMVEC.SETLEN key length`.
pub fn set_len(ctx: &Context, key: Name, len: u64) -> Result<(), RedisError> {
    positional(ctx, c"MMVEC.SETLEN", key, len, None)
}

fn positional(ctx: &Context, command: &CStr, key: Name, at: u64, bytes: Option<&[u8]>) -> Result<(), RedisError> {
    let replicate = api!(RedisModule_Replicate);
    let at = c_longlong::try_from(at).map_err(|_| RedisError::Str("ERR position out of range"))?;
    // SAFETY: as in `open`; l: a long long.
    unsafe {
        match bytes {
            Some(bytes) => replicate(ctx.ctx, command.as_ptr(), c"slb".as_ptr(), key, at, bytes.as_ptr(), bytes.len()),
            None => replicate(ctx.ctx, command.as_ptr(), c"sl".as_ptr(), key, at),
        };
    }
    Ok(())
}

/// A keyspace notification of class `d` (module), e.g. `mmvec.add`.
pub fn notify(ctx: &Context, event: &CStr, key: Name) -> Result<(), RedisError> {
    let notify = api!(RedisModule_NotifyKeyspaceEvent);
    // SAFETY: the event name is a static C string and the key a live argv string.
    unsafe { notify(ctx.ctx, raw::REDISMODULE_NOTIFY_MODULE as c_int, event.as_ptr(), key) };
    Ok(())
}
