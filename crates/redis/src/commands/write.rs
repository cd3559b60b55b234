//! Write commands on values given as text. Every argument is checked before anything is
//! written; the effect is propagated, a keyspace event sent, then the reply.

use mmvec_core::Scalar;
use redis_module::{Context, RedisError};

use crate::commands::{exact_arity, index_for_write, write_key};
use crate::dispatch::Args;
use crate::effects;
use crate::reply::Reply;
use crate::vector_key::core_error;

/// `MMVEC.SET key index value [index value ...]` / `VSET`: the number of values written.
pub fn set(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 4 || !args.len().is_multiple_of(2) {
        return Err(RedisError::WrongArity);
    }
    let name = args.string(1);
    let key = ctx.open_key_writable(&name);
    let vector = write_key(&key)?;
    let (dtype, len) = (vector.binding.dtype, vector.count());
    let pairs = (2..args.len())
        .step_by(2)
        .map(|i| Ok((index_for_write(args, i, len)?, dtype.parse(args.bytes(i + 1)).map_err(core_error)?)))
        .collect::<Result<Vec<(u64, Scalar)>, RedisError>>()?;
    vector.write(|vec| vec.set_many(&pairs))?;
    effects::put_at(ctx, &name, vector.vec()?, pairs.iter().map(|(i, _)| *i));
    effects::notify(ctx, "mmvec.set", &name);
    vector.sync_per_policy()?;
    Reply::new(ctx).count(pairs.len());
    Ok(())
}

/// `MMVEC.ADD key value [value ...]` / `VADD`: the number of values appended.
pub fn add(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 3 {
        return Err(RedisError::WrongArity);
    }
    let name = args.string(1);
    let key = ctx.open_key_writable(&name);
    let vector = write_key(&key)?;
    let dtype = vector.binding.dtype;
    let values = (2..args.len())
        .map(|i| dtype.parse(args.bytes(i)).map_err(core_error))
        .collect::<Result<Vec<Scalar>, RedisError>>()?;
    let start = vector.count();
    vector.write(|vec| vec.extend(&values))?;
    effects::splice(ctx, &name, vector.vec()?, start);
    effects::notify(ctx, "mmvec.add", &name);
    vector.sync_per_policy()?;
    Reply::new(ctx).count(values.len());
    Ok(())
}

/// `MMVEC.POP key` / `VPOP`: the last value, or nil when empty or missing.
pub fn pop(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    let name = args.string(1);
    let key = ctx.open_key_writable(&name);
    let reply = Reply::new(ctx);
    if key.is_empty() {
        reply.null();
        return Ok(());
    }
    let vector = write_key(&key)?;
    match vector.write(|vec| vec.pop())? {
        Some(value) => {
            effects::set_len(ctx, &name, vector.count());
            effects::notify(ctx, "mmvec.pop", &name);
            vector.sync_per_policy()?;
            reply.scalar(value);
        }
        None => reply.null(),
    }
    Ok(())
}

/// `MMVEC.CLEAR key` / `VCLEAR`: empties the vector; the count it had (0 if missing).
pub fn clear(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    let name = args.string(1);
    let key = ctx.open_key_writable(&name);
    let reply = Reply::new(ctx);
    if key.is_empty() {
        reply.int(0);
        return Ok(());
    }
    let vector = write_key(&key)?;
    let before = vector.write(|vec| vec.clear())?;
    if before > 0 {
        effects::set_len(ctx, &name, 0);
        effects::notify(ctx, "mmvec.clear", &name);
        vector.sync_per_policy()?;
    }
    reply.count(before);
    Ok(())
}

/// `MMVEC.INCRBY key index delta`: the new value.
pub fn incrby(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 4)?;
    let name = args.string(1);
    let key = ctx.open_key_writable(&name);
    let vector = write_key(&key)?;
    let index = index_for_write(args, 2, vector.count())?;
    let delta = vector.binding.dtype.parse_delta(args.bytes(3)).map_err(core_error)?;
    let value = vector.write(|vec| vec.increment(index, delta))?;
    effects::put_at(ctx, &name, vector.vec()?, std::iter::once(index));
    effects::notify(ctx, "mmvec.incrby", &name);
    vector.sync_per_policy()?;
    Reply::new(ctx).scalar(value);
    Ok(())
}

/// `MMVEC.SYNC key`: msync + fdatasync now, whatever `mmvec.fsync` says.
pub fn sync(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    let key = ctx.open_key(&args.string(1));
    let vector = crate::commands::read_key(&key)?.ok_or(RedisError::Str("ERR no such key"))?;
    vector.vec()?.flush().map_err(core_error)?;
    Reply::new(ctx).ok();
    Ok(())
}
