//! Write commands on values given as text. Every argument is checked before anything is
//! written; the write is committed (`effects::commit`), then the reply.

use mmvec_core::{Effect, Scalar};
use redis_module::{Context, RedisError};

use crate::commands::{exact_arity, index_for_write};
use crate::dispatch::Args;
use crate::effects::{Propagate, commit};
use crate::group_commit;
use crate::keys::Key;
use crate::limits;
use crate::reply::Reply;
use crate::vector_key::core_error;

/// `MMVEC.SET key index value [index value ...]` / `VSET`: the number of values written.
/// Its effect is the client's own indices and texts (`MMVEC.PUTTEXT`): they are absolute,
/// and the bytes they give depend on the dtype only.
pub fn set(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 4 || !args.len().is_multiple_of(2) {
        return Err(RedisError::WrongArity);
    }
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let vector = key.existing_vector()?;
    let (dtype, len) = (vector.binding.dtype, vector.count());
    let pair = |i: usize| Ok((index_for_write(args, i, len)?, dtype.parse(args.bytes(i + 1)).map_err(core_error)?));
    let written = if args.len() == 4 {
        // One pair, the common case: no list to build.
        let (index, value) = pair(2)?;
        vector.write(|vec| vec.set(index, &value))?;
        1
    } else {
        let pairs = (2..args.len()).step_by(2).map(pair).collect::<Result<Vec<(u64, Scalar)>, RedisError>>()?;
        vector.write(|vec| vec.set_many(&pairs))?;
        pairs.len()
    };
    commit(ctx, args.raw(1), vector, Propagate::ClientText(args.raw_from(1)), c"mmvec.set")?;
    Reply::new(ctx).count(written);
    Ok(())
}

/// `MMVEC.ADD key value [value ...]` / `VADD`: the number of values appended. Under
/// `mmvec.fsync everysec` or `no` the values may be held back and written with the
/// iteration's other appends (`group_commit`); the effect carries the bytes appended.
pub fn add(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 3 {
        return Err(RedisError::WrongArity);
    }
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let vector = key.vector_to_append()?;
    let dtype = vector.binding.dtype;
    let mut bytes = Vec::with_capacity((args.len() - 2) * dtype.itemsize());
    for i in 2..args.len() {
        dtype.parse_to_bytes(args.bytes(i), &mut bytes).map_err(core_error)?;
    }
    let start = vector.count();
    let itemsize = dtype.itemsize() as u64;
    limits::check_growth(start * itemsize, start * itemsize + bytes.len() as u64)?;
    if vector.append(&bytes, group_commit::may_hold())? && !group_commit::held(ctx) {
        vector.write_appended()?;
    }
    commit(ctx, args.raw(1), vector, Propagate::Effect(Effect::Splice { start, bytes: &bytes }), c"mmvec.add")?;
    Reply::new(ctx).count(args.len() - 2);
    Ok(())
}

/// `MMVEC.POP key` / `VPOP`: the last value, or nil when empty or missing.
pub fn pop(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let reply = Reply::new(ctx);
    let Some(vector) = key.vector()? else {
        reply.null();
        return Ok(());
    };
    match vector.write(|vec| vec.pop())? {
        Some(value) => {
            let effect = Effect::length_of(vector.vec()?);
            commit(ctx, args.raw(1), vector, Propagate::Effect(effect), c"mmvec.pop")?;
            reply.scalar(value);
        }
        None => reply.null(),
    }
    Ok(())
}

/// `MMVEC.CLEAR key` / `VCLEAR`: empties the vector; the count it had (0 if missing).
pub fn clear(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let reply = Reply::new(ctx);
    let Some(vector) = key.vector()? else {
        reply.int(0);
        return Ok(());
    };
    let before = vector.write(|vec| vec.clear())?;
    if before > 0 {
        let effect = Effect::length_of(vector.vec()?);
        commit(ctx, args.raw(1), vector, Propagate::Effect(effect), c"mmvec.clear")?;
    }
    reply.count(before);
    Ok(())
}

/// `MMVEC.INCRBY key index delta`: the new value.
pub fn incrby(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 4)?;
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let vector = key.existing_vector()?;
    let index = index_for_write(args, 2, vector.count())?;
    let delta = vector.binding.dtype.parse_delta(args.bytes(3)).map_err(core_error)?;
    let value = vector.write(|vec| vec.increment(index, &delta))?;
    let (start, bytes) = Effect::element(vector.vec()?, index).map_err(core_error)?;
    commit(ctx, args.raw(1), vector, Propagate::Effect(Effect::PutAt { start, bytes }), c"mmvec.incrby")?;
    Reply::new(ctx).scalar(value);
    Ok(())
}

/// `MMVEC.SYNC key`: msync + fdatasync now, whatever `mmvec.fsync` says.
pub fn sync(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    let mut key = Key::read(ctx.ctx, args.raw(1))?;
    key.existing_vector()?.vec()?.flush().map_err(core_error)?;
    Reply::new(ctx).ok();
    Ok(())
}
