//! Command handlers, grouped by what they do. Each parses its arguments, calls the
//! core, propagates the effect, and replies.

pub mod blob;
pub mod internal;
pub mod open;
pub mod read;
pub mod write;

use redis_module::{Context, RedisError};

use crate::dispatch::Args;
use crate::keys::Key;
use crate::reply::Reply;
use crate::vector_key::VectorKey;

/// A signed 64-bit integer argument, with Redis's own syntax (no `+`, no leading zeros).
pub fn integer(args: &Args, i: usize, what: &str) -> Result<i64, RedisError> {
    mmvec_core::integer_text(args.bytes(i))
        .and_then(|value| i64::try_from(value).ok())
        .ok_or_else(|| RedisError::String(format!("ERR {what} is not an integer or out of range")))
}

/// An element index for a write: an integer, and not negative.
pub fn index_for_write(args: &Args, i: usize, len: u64) -> Result<u64, RedisError> {
    let index = integer(args, i, "index")?;
    u64::try_from(index).map_err(|_| RedisError::String(format!("ERR index {index} is out of range for length {len}")))
}

/// Opens the key named by argument 1 for reading and answers from its vector, or nil
/// for a missing key.
pub fn answer_or_nil(
    ctx: &Context,
    args: &Args,
    answer: impl FnOnce(&VectorKey, &Reply) -> Result<(), RedisError>,
) -> Result<(), RedisError> {
    let mut key = Key::read(ctx.ctx, args.raw(1))?;
    let reply = Reply::new(ctx);
    match key.vector()? {
        Some(vector) => answer(vector, &reply),
        None => {
            reply.null();
            Ok(())
        }
    }
}

pub fn exact_arity(args: &Args, n: usize) -> Result<(), RedisError> {
    if args.len() == n { Ok(()) } else { Err(RedisError::WrongArity) }
}
