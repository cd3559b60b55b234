//! Whether a fork child (BGSAVE, AOF rewrite, full sync) is alive. It shares the
//! `MAP_SHARED` pages with the server: a file must not shrink under it, or the child dies
//! of SIGBUS reading past the new end. Shrinks meanwhile change the length only, and the
//! files are truncated when the child exits.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};

use redis_module::{Context, raw};

static CHILD_ALIVE: AtomicBool = AtomicBool::new(false);

pub fn child_alive() -> bool {
    CHILD_ALIVE.load(Ordering::Relaxed)
}

/// Subscribes to fork-child events, and to shutdown (which kills a child without a
/// "died" event); `false` if this Redis cannot tell us.
pub fn subscribe(ctx: &Context) -> bool {
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

/// Shutdown kills any fork child without a "died" event: complete the held shrinks now,
/// before the final save, or the files would keep elements the vectors no longer count.
extern "C" fn on_shutdown(
    _ctx: *mut raw::RedisModuleCtx,
    _event: raw::RedisModuleEvent,
    _sub: u64,
    _data: *mut c_void,
) {
    CHILD_ALIVE.store(false, Ordering::Relaxed);
    crate::pending::settle_all();
}

extern "C" fn on_fork_child(
    _ctx: *mut raw::RedisModuleCtx,
    _event: raw::RedisModuleEvent,
    sub: u64,
    _data: *mut c_void,
) {
    match sub {
        raw::REDISMODULE_SUBEVENT_FORK_CHILD_BORN => CHILD_ALIVE.store(true, Ordering::Relaxed),
        raw::REDISMODULE_SUBEVENT_FORK_CHILD_DIED => {
            CHILD_ALIVE.store(false, Ordering::Relaxed);
            crate::pending::settle_all();
        }
        _ => {}
    }
}
