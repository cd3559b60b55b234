//! Vectors whose file is longer than their length because a shrink was deferred (a fork
//! child or a reader had the pages), so the file is truncated as soon as that passes: when
//! the child exits, or on a once-a-second retry, not only on the vector's next write.

use std::ffi::c_void;

use redis_module::{Context, raw};

use super::VectorKey;
use super::registry::Registry;

/// Vectors with a pending shrink.
static PENDING: Registry = Registry::new();

pub(super) fn remember(key: &VectorKey) {
    PENDING.remember(key);
}

pub(super) fn forget(key: *const VectorKey) {
    PENDING.forget(key);
}

/// Truncates every file whose deferred shrink can now proceed. Main thread only.
pub fn settle_all() {
    PENDING.retain(VectorKey::settle);
}

/// Retries once a second (shrinks a reader blocked wait for the reader to close).
pub fn start_retries(ctx: &Context) {
    arm(ctx.ctx);
}

fn arm(ctx: *mut raw::RedisModuleCtx) {
    // SAFETY: Redis fills its API table before OnLoad; timers fire on the main thread.
    if let Some(create_timer) = unsafe { raw::RedisModule_CreateTimer } {
        // SAFETY: the callback has the signature Redis expects and lives for the process.
        unsafe { create_timer(ctx, 1000, Some(on_timer), std::ptr::null_mut()) };
    }
}

extern "C" fn on_timer(ctx: *mut raw::RedisModuleCtx, _data: *mut c_void) {
    settle_all();
    arm(ctx);
}
