//! Whether a fork child (BGSAVE, AOF rewrite, full sync) is alive. It shares the
//! `MAP_SHARED` pages with the server: a file must not shrink under it, or the child dies
//! of SIGBUS reading past the new end. Shrinks meanwhile change the length only, and the
//! files are truncated when the child is gone (what does that is given to `subscribe`).

use std::ffi::c_void;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use redis_module::{Context, raw};

static CHILD_ALIVE: AtomicBool = AtomicBool::new(false);

/// Called on the main thread once no child shares the pages any more.
static ON_CHILD_GONE: OnceLock<fn()> = OnceLock::new();

pub fn child_alive() -> bool {
    CHILD_ALIVE.load(Ordering::Relaxed)
}

/// Subscribes to fork-child events, and to shutdown (which kills a child without a
/// "died" event), calling `on_child_gone` after either; `false` if this Redis cannot
/// tell us.
pub fn subscribe(ctx: &Context, on_child_gone: fn()) -> bool {
    // A second load fails before this is reached: the first callback stays.
    let _ = ON_CHILD_GONE.set(on_child_gone);
    // SAFETY: Redis fills its API table before calling OnLoad.
    let Some(subscribe) = (unsafe { raw::RedisModule_SubscribeToServerEvent }) else { return false };
    let fork = raw::RedisModuleEvent { id: raw::REDISMODULE_EVENT_FORK_CHILD, dataver: 1 };
    let shutdown = raw::RedisModuleEvent { id: raw::REDISMODULE_EVENT_SHUTDOWN, dataver: 1 };
    // SAFETY: the callbacks have the signature Redis expects and live for the process.
    unsafe {
        subscribe(ctx.ctx, fork, Some(on_fork_child)) == raw::REDISMODULE_OK as i32
            && subscribe(ctx.ctx, shutdown, Some(on_shutdown)) == raw::REDISMODULE_OK as i32
    }
}

fn child_gone() {
    CHILD_ALIVE.store(false, Ordering::Relaxed);
    if let Some(on_child_gone) = ON_CHILD_GONE.get() {
        on_child_gone();
    }
}

/// Shutdown kills any fork child without a "died" event: what waited for it runs now,
/// before the final save.
extern "C" fn on_shutdown(
    _ctx: *mut raw::RedisModuleCtx,
    _event: raw::RedisModuleEvent,
    _sub: u64,
    _data: *mut c_void,
) {
    child_gone();
}

extern "C" fn on_fork_child(
    _ctx: *mut raw::RedisModuleCtx,
    _event: raw::RedisModuleEvent,
    sub: u64,
    _data: *mut c_void,
) {
    match sub {
        raw::REDISMODULE_SUBEVENT_FORK_CHILD_BORN => CHILD_ALIVE.store(true, Ordering::Relaxed),
        raw::REDISMODULE_SUBEVENT_FORK_CHILD_DIED => child_gone(),
        _ => {}
    }
}
