//! What a write propagates to the AOF and to replicas: not the client's command but its
//! absolute, positional effect (`mmvec_core::Effect`, whose replay from any suffix onto
//! any later state converges), as the internal commands of `commands::internal`. One
//! emitter serves both ways out: `RedisModule_Replicate` after a command, and
//! `RedisModule_EmitAOF` in an AOF rewrite.
//!
//! Arguments go to Redis as (pointer, length) and `long long` format specifiers, so an
//! effect costs no string building of its own; an effect whose text is the client's own
//! (`MMVEC.SET`'s indices and values, as `MMVEC.PUTTEXT`) passes on the client's strings.

use std::ffi::{CStr, c_char, c_int, c_longlong};

use mmvec_core::Effect;
use redis_module::{Context, RedisError, raw};

use crate::api::api;
use crate::snapshot::{CHUNK_BYTES, carries_data};
use crate::vector_key::{Binding, VectorKey};

type Name = *mut raw::RedisModuleString;

/// A variadic Redis API function that takes a command and its arguments by format.
type EmitFn<T, R> = unsafe extern "C" fn(*mut T, *const c_char, *const c_char, ...) -> R;

/// Where effects go: replication from a command's context, or an AOF being rewritten.
pub struct Emitter<T, R> {
    target: *mut T,
    emit: EmitFn<T, R>,
}

impl Emitter<raw::RedisModuleCtx, c_int> {
    /// To the AOF and replicas, after the running command (`RedisModule_Replicate`).
    pub fn replicate(ctx: &Context) -> Result<Self, RedisError> {
        Ok(Emitter { target: ctx.ctx, emit: api!(RedisModule_Replicate) })
    }
}

impl Emitter<raw::RedisModuleIO, ()> {
    /// Into the AOF being rewritten (`RedisModule_EmitAOF`).
    pub fn aof(aof: *mut raw::RedisModuleIO) -> Result<Self, RedisError> {
        Ok(Emitter { target: aof, emit: api!(RedisModule_EmitAOF) })
    }
}

impl<T, R> Emitter<T, R> {
    /// `MMVEC.PUTAT`, `MMVEC.PUTTEXT`, `MMVEC.SPLICE` or `MMVEC.SETLEN` for `key`.
    pub fn effect(&self, key: Name, effect: &Effect) -> Result<(), RedisError> {
        match *effect {
            Effect::PutAt { start, bytes } => self.positional(c"MMVEC.PUTAT", key, start, Some(bytes)),
            Effect::PutMany(writes) => self.put_many(c"MMVEC.PUTAT", key, writes),
            Effect::PutText(writes) => self.put_many(c"MMVEC.PUTTEXT", key, writes),
            Effect::Splice { start, bytes } => self.positional(c"MMVEC.SPLICE", key, start, Some(bytes)),
            Effect::SetLen(len) => self.positional(c"MMVEC.SETLEN", key, len, None),
        }
    }

    /// `MMVEC.BIND key path dtype readonly count create format`.
    fn bind(&self, key: Name, binding: &Binding, count: u64, create: bool) {
        let dtype_name = binding.dtype.name();
        let (path, dtype) = (binding.path.as_bytes(), dtype_name.as_bytes());
        let format = binding.format.name().as_bytes();
        // SAFETY: each specifier is matched by its arguments (s: string, b: pointer +
        // length, l: long long), all alive for the call; Redis copies them.
        unsafe {
            (self.emit)(
                self.target,
                c"MMVEC.BIND".as_ptr(),
                c"sbblllb".as_ptr(),
                key,
                path.as_ptr(),
                path.len(),
                dtype.as_ptr(),
                dtype.len(),
                c_longlong::from(binding.readonly),
                c_longlong::try_from(count).unwrap_or(c_longlong::MAX),
                c_longlong::from(create),
                format.as_ptr(),
                format.len(),
            )
        };
    }

    fn positional(&self, command: &CStr, key: Name, at: u64, bytes: Option<&[u8]>) -> Result<(), RedisError> {
        let at = c_longlong::try_from(at).map_err(|_| RedisError::Str("ERR position out of range"))?;
        // SAFETY: as in `bind`.
        unsafe {
            match bytes {
                Some(bytes) => {
                    (self.emit)(self.target, command.as_ptr(), c"slb".as_ptr(), key, at, bytes.as_ptr(), bytes.len())
                }
                None => (self.emit)(self.target, command.as_ptr(), c"sl".as_ptr(), key, at),
            };
        }
        Ok(())
    }

    /// `command key index bytes [index bytes ...]`: as many arguments as writes, so
    /// passed as a vector of strings (`v`), made here and released after the call.
    fn put_many(&self, command: &CStr, key: Name, writes: &[(u64, &[u8])]) -> Result<(), RedisError> {
        let (create, free) = (api!(RedisModule_CreateString), api!(RedisModule_FreeString));
        let mut args: Vec<Name> = Vec::with_capacity(1 + 2 * writes.len());
        args.push(key);
        for (index, bytes) in writes {
            let index = index.to_string();
            for part in [index.as_bytes(), bytes] {
                // SAFETY: the bytes are alive for the call; Redis copies them into a new
                // string that no context owns (freed below).
                args.push(unsafe { create(std::ptr::null_mut(), part.as_ptr().cast(), part.len()) });
            }
        }
        // SAFETY: `v` takes an array of strings and its length; Redis retains those it keeps.
        unsafe { (self.emit)(self.target, command.as_ptr(), c"v".as_ptr(), args.as_ptr(), args.len()) };
        for &made in &args[1..] {
            // SAFETY: each was created above with no context and is released once.
            unsafe { free(std::ptr::null_mut(), made) };
        }
        Ok(())
    }

    /// `command` with strings Redis already holds (a client's arguments), passed as they
    /// are: Redis takes a reference to each, nothing is copied or formatted. Three (a key
    /// and one pair, the common case) go as `sss`, which Redis sizes its list for at once;
    /// more as a vector (`v`), for which it grows the list.
    fn strings(&self, command: &CStr, args: &[Name]) {
        // SAFETY: `s` takes a live string, `v` an array of live strings and its length;
        // Redis retains the ones it keeps.
        unsafe {
            match *args {
                [key, index, value] => (self.emit)(self.target, command.as_ptr(), c"sss".as_ptr(), key, index, value),
                _ => (self.emit)(self.target, command.as_ptr(), c"v".as_ptr(), args.as_ptr(), args.len()),
            };
        }
    }
}

/// The rebuild protocol, the one way a key is sent whole (on `OPEN`, and in an AOF
/// rewrite): `MMVEC.BIND` with the binding, the count, and whether the receiver may
/// create a missing file (only when that is the whole truth: an empty vector, or the
/// elements follow; never for a key whose file is missing here); then, with
/// `mmvec.snapshot data`, a writable key's elements (held-back appends included: see
/// `MappedVec::rebuild_then`) as chunked positional writes and its length, so a node without
/// the file gets it too.
pub fn rebuild<T, R>(emitter: &Emitter<T, R>, key: Name, vector: &VectorKey) -> Result<(), RedisError> {
    let mapped = vector.vec().is_ok();
    let plan = RebuildPlan::of(vector.count(), mapped, vector.binding.readonly, carries_data());
    emitter.bind(key, &vector.binding, vector.count(), plan.create);
    if plan.elements {
        for effect in vector.vec()?.rebuild_then(vector.held_appends(), CHUNK_BYTES) {
            emitter.effect(key, &effect)?;
        }
    }
    Ok(())
}

/// What the rebuild protocol sends for a key.
#[derive(Debug, PartialEq)]
struct RebuildPlan {
    /// Whether the elements follow the binding.
    elements: bool,
    /// Whether the receiver may create a missing file.
    create: bool,
}

impl RebuildPlan {
    fn of(count: u64, mapped: bool, readonly: bool, carries_data: bool) -> RebuildPlan {
        let elements = mapped && count > 0 && !readonly && carries_data;
        RebuildPlan { elements, create: mapped && (count == 0 || elements) }
    }
}

/// How a write reaches the AOF and replicas.
pub enum Propagate<'a> {
    /// The effect of a client's write.
    Effect(Effect<'a>),
    /// An [`Effect::PutText`] whose key, indices and texts are the client's arguments
    /// (`key index value [index value ...]`), sent as `MMVEC.PUTTEXT` with those strings.
    ClientText(&'a [Name]),
    /// An effect command applied here, passed on as it came.
    Verbatim,
}

/// Commits a write that has been applied to `vector`: propagates it, sends the
/// keyspace event, and applies the `mmvec.fsync` policy (with `always`, a failed sync is
/// the command's error). The reply is the handler's.
pub fn commit(
    ctx: &Context,
    key: Name,
    vector: &VectorKey,
    propagate: Propagate,
    event: &CStr,
) -> Result<(), RedisError> {
    match propagate {
        Propagate::Effect(effect) => Emitter::replicate(ctx)?.effect(key, &effect)?,
        Propagate::ClientText(args) => Emitter::replicate(ctx)?.strings(c"MMVEC.PUTTEXT", args),
        Propagate::Verbatim => {
            ctx.replicate_verbatim();
        }
    }
    notify(ctx, event, key)?;
    vector.sync_per_policy()
}

/// A keyspace notification of class `d` (module), e.g. `mmvec.add`.
pub fn notify(ctx: &Context, event: &CStr, key: Name) -> Result<(), RedisError> {
    let notify = api!(RedisModule_NotifyKeyspaceEvent);
    // SAFETY: the event name is a static C string and the key a live argv string.
    unsafe { notify(ctx.ctx, raw::REDISMODULE_NOTIFY_MODULE as c_int, event.as_ptr(), key) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::RebuildPlan;

    #[test]
    fn a_missing_file_may_be_created_only_when_that_is_the_whole_truth() {
        let plan = |elements, create| RebuildPlan { elements, create };
        // (count, mapped, readonly, carries data)
        assert_eq!(RebuildPlan::of(0, true, false, false), plan(false, true), "empty: nothing is lost");
        assert_eq!(RebuildPlan::of(0, true, true, true), plan(false, true), "empty and read-only");
        assert_eq!(RebuildPlan::of(3, true, false, true), plan(true, true), "the elements follow");
        assert_eq!(RebuildPlan::of(3, true, false, false), plan(false, false), "the file owns the data");
        assert_eq!(RebuildPlan::of(3, true, true, true), plan(false, false), "read-only keys never send data");
        assert_eq!(RebuildPlan::of(0, false, false, true), plan(false, false), "the file is missing here");
        assert_eq!(RebuildPlan::of(3, false, false, true), plan(false, false), "the file is missing here");
    }
}
