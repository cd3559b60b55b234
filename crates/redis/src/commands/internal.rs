//! The internal commands that carry propagated effects (see `effects`): each parses its
//! `mmvec_core::Effect` and applies it. They run only from the AOF and from a primary;
//! clients are refused (Redis 7.0 has no internal flag).

use std::ffi::CStr;

use mmvec_core::{DType, Effect, Format};
use redis_module::{Context, ContextFlags, RedisError, raw};

use crate::commands::{exact_arity, integer};
use crate::dispatch::Args;
use crate::effects::{self, Propagate, commit};
use crate::keys::Key;
use crate::reply::Reply;
use crate::vector_key::{Binding, VectorKey, core_error};

/// `MMVEC.PUTAT key index bytes [index bytes ...]`: writes at each index; a write past
/// the end extends the vector (zero-filled gap), as replay onto a shorter file needs.
pub fn put_at(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    only_replicated(ctx, "MMVEC.PUTAT")?;
    let writes = positioned(args)?;
    let effect = match writes.as_slice() {
        [(start, bytes)] => Effect::PutAt { start: *start, bytes },
        _ => Effect::PutMany(&writes),
    };
    apply(ctx, args, c"mmvec.set", effect)
}

/// `MMVEC.PUTTEXT key index value [index value ...]`: as `MMVEC.PUTAT`, with values as
/// text (what `MMVEC.SET` was given), parsed with the key's dtype.
pub fn put_text(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    only_replicated(ctx, "MMVEC.PUTTEXT")?;
    let writes = positioned(args)?;
    apply(ctx, args, c"mmvec.set", Effect::PutText(&writes))
}

/// The `index payload` pairs after the key, each index checked.
fn positioned<'a>(args: &'a Args) -> Result<Vec<(u64, &'a [u8])>, RedisError> {
    if args.len() < 4 || !args.len().is_multiple_of(2) {
        return Err(RedisError::WrongArity);
    }
    (2..args.len()).step_by(2).map(|i| Ok((position(args, i)?, args.bytes(i + 1)))).collect()
}

/// `MMVEC.SPLICE key start bytes`: writes at `start` and sets the length to its end.
pub fn splice(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    only_replicated(ctx, "MMVEC.SPLICE")?;
    exact_arity(args, 4)?;
    let start = position(args, 2)?;
    apply(ctx, args, c"mmvec.add", Effect::Splice { start, bytes: args.bytes(3) })
}

/// `MMVEC.SETLEN key length`: truncates, or extends with zeros.
pub fn set_len(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    only_replicated(ctx, "MMVEC.SETLEN")?;
    exact_arity(args, 3)?;
    let len = position(args, 2)?;
    apply(ctx, args, c"mmvec.setlen", Effect::SetLen(len))
}

/// Applies an effect (which must not fail for a reader of the file: see
/// `MappedVec::apply`) and passes it on as it came, so this server's own AOF and
/// replicas get it too.
fn apply(ctx: &Context, args: &Args, event: &CStr, effect: Effect) -> Result<(), RedisError> {
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let vector = key.existing_vector()?;
    vector.write(|vec| vec.apply(&effect))?;
    commit(ctx, args.raw(1), vector, Propagate::Verbatim, event)?;
    Reply::new(ctx).ok();
    Ok(())
}

fn position(args: &Args, i: usize) -> Result<u64, RedisError> {
    u64::try_from(integer(args, i, "position")?).map_err(|_| RedisError::Str("ERR position must not be negative"))
}

/// Refuses the command unless it comes from the AOF being loaded or from the primary.
fn only_replicated(ctx: &Context, name: &str) -> Result<(), RedisError> {
    let from_replication = ctx.get_flags().intersects(ContextFlags::LOADING | ContextFlags::REPLICATED);
    // SAFETY: Redis fills its API table at load, before any command runs; GetClientId
    // only reads the context's client.
    let client = unsafe { raw::RedisModule_GetClientId }.map_or(0, |id| unsafe { id(ctx.ctx) });
    // The AOF loader's fake client has the id u64::MAX (CLIENT_ID_AOF).
    if from_replication || client == u64::MAX {
        Ok(())
    } else {
        Err(RedisError::String(format!(
            "ERR {name} is internal: it carries replicated writes and is refused from clients"
        )))
    }
}

/// `MMVEC.BIND key path dtype readonly count create`: binds the key as the primary did.
/// An existing file is mapped as it is; a missing one is created only if `create` says
/// that is the whole truth (the vector was empty, or its elements follow), otherwise the
/// key answers that its backing file is missing — never zeros counted as values.
pub fn bind(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    only_replicated(ctx, "MMVEC.BIND")?;
    // The format came later: an effect without it (from an older server) binds a raw file.
    if args.len() != 7 && args.len() != 8 {
        return Err(RedisError::WrongArity);
    }
    let path = args.text(2)?.to_owned();
    let dtype = DType::from_name(args.text(3)?).map_err(core_error)?;
    let readonly = integer(args, 4, "readonly")? != 0;
    let count = u64::try_from(integer(args, 5, "count")?).unwrap_or(0);
    let create = integer(args, 6, "create")? != 0 && !readonly;
    let format = if args.len() == 8 { Format::from_name(args.text(7)?).map_err(core_error)? } else { Format::Raw };
    let binding = Binding { path, dtype, readonly, format };
    let mut key = Key::write(ctx.ctx, args.raw(1))?;
    let count = match key.vector()? {
        Some(existing) if existing.binding == binding => {
            if existing.unavailable_reason().is_some() {
                *existing = open_as_replica(binding, count, create);
            }
            existing.count()
        }
        Some(_) => return Err(RedisError::Str("ERR key is already bound to another file, dtype or mode")),
        None => {
            let vector = open_as_replica(binding, count, create);
            let count = vector.count();
            key.set(vector)?;
            count
        }
    };
    ctx.replicate_verbatim();
    effects::notify(ctx, c"mmvec.open", args.raw(1))?;
    Reply::new(ctx).int(i64::try_from(count).unwrap_or(i64::MAX));
    Ok(())
}

fn open_as_replica(binding: Binding, count: u64, create: bool) -> VectorKey {
    match VectorKey::open(binding.clone(), false) {
        Ok(vector) => vector,
        Err(mmvec_core::Error::NotFound { .. }) if create => match VectorKey::open(binding.clone(), true) {
            Ok(vector) => vector,
            Err(err) => {
                let reason = format!("backing file unusable: {err}");
                redis_module::logging::log_warning(format!("mmvec: {reason}"));
                VectorKey::unavailable(binding, reason, count)
            }
        },
        Err(_) => VectorKey::reopen(binding, Some(count)),
    }
}
