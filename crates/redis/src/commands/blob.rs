//! Bulk transfer as raw little-endian bytes: the file format itself, no text.

use mmvec_core::Effect;
use redis_module::{Context, RedisError};

use crate::commands::{answer_or_nil, exact_arity, integer};
use crate::dispatch::Args;
use crate::effects::{Propagate, commit};
use crate::keys::Key;
use crate::limits;
use crate::reply::Reply;
use crate::vector_key::core_error;

/// `MMVEC.GETBLOB key start count`: the bytes of up to `count` elements from `start`
/// (fewer at the end, empty past it); nil for a missing key.
pub fn get(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 4)?;
    let start = non_negative(args, 2, "start")?;
    let count = non_negative(args, 3, "count")?;
    answer_or_nil(ctx, args, |vector, reply| {
        let vec = vector.vec()?;
        let len = vec.len() as u64;
        let start = start.min(len);
        let end = start.saturating_add(count).min(len);
        reply.bulk(vec.range(start, end).map_err(core_error)?);
        Ok(())
    })
}

/// `MMVEC.SETBLOB key start blob`: overwrites from `start` (at most the length: no gaps),
/// growing the vector if the blob runs past its end; the number of elements written.
pub fn set(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 4)?;
    let start = non_negative(args, 2, "start")?;
    let blob = args.bytes(3);
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let vector = key.existing_vector()?;
    let itemsize = vector.binding.dtype.itemsize() as u64;
    let current = vector.count().saturating_mul(itemsize);
    limits::check_growth(current, start.saturating_mul(itemsize).saturating_add(blob.len() as u64))?;
    vector.write(|vec| vec.write_bytes_at(start, blob))?;
    let written = blob.len() / vector.binding.dtype.itemsize();
    if written > 0 {
        commit(ctx, args.raw(1), vector, Propagate::Effect(Effect::PutAt { start, bytes: blob }), c"mmvec.setblob")?;
    }
    Reply::new(ctx).count(written);
    Ok(())
}

/// `MMVEC.ADDBLOB key blob`: appends whole elements; the number appended.
pub fn add(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 3)?;
    let blob = args.bytes(2);
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let vector = key.existing_vector()?;
    let start = vector.count();
    let itemsize = vector.binding.dtype.itemsize() as u64;
    let current = start.saturating_mul(itemsize);
    limits::check_growth(current, current.saturating_add(blob.len() as u64))?;
    vector.write(|vec| vec.append_bytes(blob))?;
    let added = blob.len() / vector.binding.dtype.itemsize();
    if added > 0 {
        let effect = Effect::splice_from(vector.vec()?, start).map_err(core_error)?;
        commit(ctx, args.raw(1), vector, Propagate::Effect(effect), c"mmvec.addblob")?;
    }
    Reply::new(ctx).count(added);
    Ok(())
}

fn non_negative(args: &Args, i: usize, what: &str) -> Result<u64, RedisError> {
    let value = integer(args, i, what)?;
    u64::try_from(value).map_err(|_| RedisError::String(format!("ERR {what} must not be negative")))
}
