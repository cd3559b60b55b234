//! Read commands. They open keys read-only (so `WATCH` is not disturbed) and answer a
//! missing key as an empty vector.

use mmvec_core::lrange_bounds;
use redis_module::{Context, RedisError};

use crate::commands::{answer_or_nil, exact_arity, integer};
use crate::dispatch::Args;
use crate::keys::Key;
use crate::reply::Reply;
use crate::vector_key::{VectorKey, core_error};

/// `MMVEC.GET key index` / `VGET`: the value, or nil out of range or for a missing key.
pub fn get(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 3)?;
    let index = integer(args, 2, "index")?;
    answer_or_nil(ctx, args, |vector, reply| {
        let vec = vector.vec()?;
        match u64::try_from(index).ok().and_then(|i| vec.get(i).ok()) {
            Some(value) => reply.scalar(value),
            None => reply.null(),
        }
        Ok(())
    })
}

/// `MMVEC.MGET key index [index ...]` / `VMGET`: values, nil where out of range.
pub fn mget(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 3 {
        return Err(RedisError::WrongArity);
    }
    let indices = (2..args.len()).map(|i| integer(args, i, "index")).collect::<Result<Vec<_>, _>>()?;
    let mut key = Key::read(ctx.ctx, args.raw(1))?;
    let vector = key.vector()?;
    let vec = vector.map(|v| v.vec()).transpose()?;
    let reply = Reply::new(ctx);
    reply.array(indices.len());
    for index in indices {
        match vec.and_then(|vec| u64::try_from(index).ok().and_then(|i| vec.get(i).ok())) {
            Some(value) => reply.scalar(value),
            None => reply.null(),
        }
    }
    Ok(())
}

/// `MMVEC.COUNT key` / `VCOUNT`: the number of elements, 0 for a missing key.
pub fn count(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    let mut key = Key::read(ctx.ctx, args.raw(1))?;
    let count = match key.vector()? {
        Some(vector) => vector.vec()?.len(),
        None => 0,
    };
    Reply::new(ctx).count(count);
    Ok(())
}

/// `MMVEC.RANGE key start stop`: values with `LRANGE` rules.
pub fn range(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 4)?;
    let start = integer(args, 2, "start")?;
    let stop = integer(args, 3, "stop")?;
    reply_range(ctx, args, start, stop)
}

/// `VALL key`: every value (a command of RedisMMap's full version).
pub fn all(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    reply_range(ctx, args, 0, -1)
}

fn reply_range(ctx: &Context, args: &Args, start: i64, stop: i64) -> Result<(), RedisError> {
    let mut key = Key::read(ctx.ctx, args.raw(1))?;
    let reply = Reply::new(ctx);
    let Some(vector) = key.vector()? else {
        reply.array(0);
        return Ok(());
    };
    let vec = vector.vec()?;
    let Some((start, end)) = lrange_bounds(vec.len() as u64, start, stop) else {
        reply.array(0);
        return Ok(());
    };
    let dtype = vec.dtype();
    let bytes = vec.range(start, end).map_err(core_error)?;
    reply.array((end - start) as usize);
    for element in bytes.chunks_exact(dtype.itemsize()) {
        reply.element(dtype, element);
    }
    Ok(())
}

/// `MMVEC.INFO key`: field/value pairs describing the binding, or nil.
pub fn info(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    describe(ctx, args, |vector, reply| {
        let binding = &vector.binding;
        let (file, bytes) = match vector.vec() {
            Ok(vec) => (vec.path().to_string_lossy().into_owned(), vec.byte_len()),
            Err(_) => (String::new(), 0),
        };
        reply.array(18);
        reply.bulk(b"path");
        reply.bulk(binding.path.as_bytes());
        reply.bulk(b"file");
        reply.bulk(file.as_bytes());
        reply.bulk(b"dtype");
        reply.bulk(binding.dtype.name().as_bytes());
        reply.bulk(b"itemsize");
        reply.count(binding.dtype.itemsize());
        reply.bulk(b"count");
        reply.int(i64::try_from(vector.count()).unwrap_or(i64::MAX));
        reply.bulk(b"bytes");
        reply.count(bytes);
        reply.bulk(b"mode");
        reply.bulk(if binding.readonly { b"read-only" } else { b"read-write" });
        reply.bulk(b"backing");
        reply.bulk(vector.unavailable_reason().unwrap_or("mapped").as_bytes());
        reply.bulk(b"format");
        reply.bulk(binding.format.name().as_bytes());
    })
}

/// `VTYPE key`: the type in the words of RedisMMap's full version, whose command this
/// is: `int8` … `uint64`, `float`, `double`, `long_double`, `string` (its width is
/// `VSIZE`), and `float16`, `bfloat16`. `MMVEC.INFO` has the canonical name.
pub fn dtype(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    describe(ctx, args, |vector, reply| reply.bulk(vector.binding.dtype.full_version_name().as_bytes()))
}

/// `VSIZE key`: bytes per element (a command of RedisMMap's full version).
pub fn itemsize(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    describe(ctx, args, |vector, reply| reply.count(vector.binding.dtype.itemsize()))
}

/// `VFILEPATH key`: the path the key was bound with (a command of RedisMMap's full
/// version).
pub fn file_path(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    describe(ctx, args, |vector, reply| reply.bulk(vector.binding.path.as_bytes()))
}

/// Answers from the binding alone (nil for a missing key), even when the file is gone.
fn describe(ctx: &Context, args: &Args, answer: impl FnOnce(&VectorKey, &Reply)) -> Result<(), RedisError> {
    exact_arity(args, 2)?;
    answer_or_nil(ctx, args, |vector, reply| {
        answer(vector, reply);
        Ok(())
    })
}
