//! What a write propagates to the AOF and to replicas: not the client's command but its
//! absolute, positional effect, so replaying any suffix of the stream onto a later state
//! of the live file converges to the same file (DESIGN.md, "Writes propagate as
//! idempotent effects"). The internal commands that apply them are in
//! `commands::internal`.
//!
//! Arguments go to Redis as (pointer, length) and `long long` format specifiers, so an
//! effect costs no string building of its own.

use std::ffi::{CStr, c_int, c_longlong};

use mmvec_core::MappedVec;
use redis_module::{Context, RedisError, raw};

use crate::keys::api;
use crate::vector_key::Binding;

type Name = *mut raw::RedisModuleString;

/// `MMVEC.OPEN key path TYPE dtype [READONLY]`.
pub fn open(ctx: &Context, key: Name, binding: &Binding) -> Result<(), RedisError> {
    let replicate = api!(RedisModule_Replicate);
    let (path, dtype) = (binding.path.as_bytes(), binding.dtype.name().as_bytes());
    // SAFETY: each specifier is matched by its arguments (s: string, b: pointer + length,
    // c: C string), all alive for the call; Redis copies them.
    unsafe {
        if binding.readonly {
            replicate(
                ctx.ctx,
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
            replicate(
                ctx.ctx,
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
    Ok(())
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
