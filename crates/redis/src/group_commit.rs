//! Group commit of appends under `mmvec.fsync everysec` and `no`: the appends of one
//! event-loop iteration are held in memory (`VectorKey::append`) and written with one
//! write per vector before the server sleeps, which is before any of their replies is
//! sent. Until then, anything else that runs writes them first: every other command on a
//! vector (`keys::Key::vector`), its unlinking or freeing, a flush of the keyspace,
//! shutdown (`fork`'s event settles every vector), and — through a command filter that
//! exists only while appends are held — every other command at all, since some (a script
//! past `busy-reply-threshold`, a module that yields) let the server send queued replies
//! without the event below. A snapshot carries them (`MappedVec::chunks_then`): a fork child
//! that serverCron starts (a BGSAVE, a rewrite, a full sync; Redis fires no event in the
//! server before that fork) may hold some, and must not write the file itself.
//!
//! Where this runs, in `beforeSleep` (`server.c`), the same in every supported server:
//! Redis 7.0.15 fires `REDISMODULE_SUBEVENT_EVENTLOOP_BEFORE_SLEEP` (line 1615), then
//! runs `processUnblockedClients` (1623) and `handleClientsBlockedOnKeys` (1660), which
//! execute commands, then `flushAppendOnlyFile` (1666) and
//! `handleClientsWithPendingWritesUsingThreads` (1669), which sends the replies; the
//! Redis (4f8cdc2a1, 2024-10, the 8.x line) and Valkey (55bbbe09a, 2024-10, the 8.1 line)
//! sources fire the event before `flushAppendOnlyFile` and the reply writes too. So an
//! append made after the event, in the same `beforeSleep`, is written at once: the
//! event sets `WRITING_THROUGH`, and `AFTER_SLEEP` clears it. `processEventsWhileBlocked`
//! runs a short `beforeSleep` that sends replies without either event (line 1572): the
//! command filter covers that, as whatever blocks is a command.

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use redis_module::{Context, raw};

use crate::durability::{self, Fsync};
use crate::vector_key;

/// Whether this server tells the module when it sleeps (else appends are never held).
static SUBSCRIBED: AtomicBool = AtomicBool::new(false);

/// Set from `BEFORE_SLEEP` to `AFTER_SLEEP`: commands that run then are answered in the
/// same pass, so their appends are written at once.
static WRITING_THROUGH: AtomicBool = AtomicBool::new(false);

/// The command filter that writes held appends before any other command, while some are
/// held; null otherwise. Main thread only.
static FILTER: AtomicPtr<raw::RedisModuleCommandFilter> = AtomicPtr::new(std::ptr::null_mut());

/// Subscribes to the event loop's sleep events and to flushes (a `FLUSHALL ASYNC` in a
/// transaction frees values on another thread, after its reply); `false` if this server
/// cannot tell us.
pub fn subscribe(ctx: &Context) -> bool {
    // SAFETY: Redis fills its API table before calling OnLoad.
    let Some(subscribe) = (unsafe { raw::RedisModule_SubscribeToServerEvent }) else { return false };
    let event_loop = raw::RedisModuleEvent { id: raw::REDISMODULE_EVENT_EVENTLOOP, dataver: 1 };
    let flush = raw::RedisModuleEvent { id: raw::REDISMODULE_EVENT_FLUSHDB, dataver: 1 };
    // SAFETY: the callbacks have the signature Redis expects and live for the process.
    let subscribed = unsafe {
        subscribe(ctx.ctx, event_loop, Some(on_event_loop)) == raw::REDISMODULE_OK as c_int
            && subscribe(ctx.ctx, flush, Some(on_flush)) == raw::REDISMODULE_OK as c_int
    };
    SUBSCRIBED.store(subscribed, Ordering::Relaxed);
    subscribed
}

extern "C" fn on_flush(_ctx: *mut raw::RedisModuleCtx, _event: raw::RedisModuleEvent, sub: u64, _data: *mut c_void) {
    if sub == raw::REDISMODULE_SUBEVENT_FLUSHDB_START {
        vector_key::write_all_appends();
    }
}

/// Whether an append made now may be held back until the server sleeps.
pub fn may_hold() -> bool {
    SUBSCRIBED.load(Ordering::Relaxed)
        && !WRITING_THROUGH.load(Ordering::Relaxed)
        && durability::policy() != Fsync::always
}

/// An append was held back: until the server sleeps, every other command writes the
/// held appends first. `false` if that cannot be arranged (no command filter): then the
/// caller writes them now.
pub fn held(ctx: &Context) -> bool {
    if !FILTER.load(Ordering::Relaxed).is_null() {
        return true;
    }
    // SAFETY: Redis fills its API table at load, before any command runs.
    let Some(register) = (unsafe { raw::RedisModule_RegisterCommandFilter }) else { return false };
    // SAFETY: the callback has the signature Redis expects and lives for the process;
    // the filter is registered between commands, not while Redis runs the filters.
    let filter = unsafe { register(ctx.ctx, Some(write_first), raw::REDISMODULE_CMDFILTER_NOSELF as c_int) };
    FILTER.store(filter, Ordering::Relaxed);
    !filter.is_null()
}

/// Runs before every command while appends are held: anything but another append writes
/// them first.
extern "C" fn write_first(fctx: *mut raw::RedisModuleCommandFilterCtx) {
    // SAFETY: Redis fills its API table at load; the filter was registered after that.
    let (Some(get), Some(text)) = (unsafe { (raw::RedisModule_CommandFilterArgGet, raw::RedisModule_StringPtrLen) })
    else {
        return vector_key::write_all_appends();
    };
    // SAFETY: fctx is the live filter context Redis passed for this call; argument 0 (the
    // command name) exists, and its bytes live while the filter runs.
    let name = unsafe {
        let name = get(fctx, 0);
        let mut len = 0;
        let ptr = if name.is_null() { std::ptr::null() } else { text(name, &mut len) };
        if ptr.is_null() { &[][..] } else { std::slice::from_raw_parts(ptr.cast::<u8>(), len) }
    };
    let append = [&b"mmvec.add"[..], b"vadd"].iter().any(|command| name.eq_ignore_ascii_case(command));
    if !append {
        vector_key::write_all_appends();
    }
}

extern "C" fn on_event_loop(
    ctx: *mut raw::RedisModuleCtx,
    _event: raw::RedisModuleEvent,
    sub: u64,
    _data: *mut c_void,
) {
    match sub {
        raw::REDISMODULE_SUBEVENT_EVENTLOOP_BEFORE_SLEEP => {
            vector_key::write_all_appends();
            WRITING_THROUGH.store(true, Ordering::Relaxed);
            let filter = FILTER.swap(std::ptr::null_mut(), Ordering::Relaxed);
            // SAFETY: Redis fills its API table at load; the filter is this module's, and
            // Redis is not running the filters now.
            if let (false, Some(unregister)) = (filter.is_null(), unsafe { raw::RedisModule_UnregisterCommandFilter }) {
                // SAFETY: as above.
                unsafe { unregister(ctx, filter) };
            }
        }
        raw::REDISMODULE_SUBEVENT_EVENTLOOP_AFTER_SLEEP => WRITING_THROUGH.store(false, Ordering::Relaxed),
        _ => {}
    }
}
