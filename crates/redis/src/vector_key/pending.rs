//! Vectors whose file is longer than their length because a shrink was deferred (a fork
//! child or a reader had the pages), so the file is truncated as soon as that passes: when
//! the child exits, or on a once-a-second retry, not only on the vector's next write.

use std::ffi::c_void;
use std::sync::Mutex;

use redis_module::{Context, raw};

use super::VectorKey;

/// Addresses of vectors (owned by Redis, boxed, never moved) with a pending shrink.
static PENDING: Mutex<Vec<usize>> = Mutex::new(Vec::new());

pub(super) fn remember(key: &VectorKey) {
    let address = key as *const VectorKey as usize;
    if let Ok(mut list) = PENDING.lock()
        && !list.contains(&address)
    {
        list.push(address);
    }
}

/// Called when Redis unlinks the key (main thread, before a lazy free elsewhere) and
/// when the value is dropped.
pub(super) fn forget(key: *const VectorKey) {
    if let Ok(mut list) = PENDING.lock() {
        list.retain(|&address| address != key as usize);
    }
}

/// Truncates every file whose deferred shrink can now proceed. Main thread only.
pub fn settle_all() {
    let Ok(mut list) = PENDING.lock() else { return };
    list.retain(|&address| {
        // SAFETY: a remembered vector is alive: it is forgotten when Redis unlinks it from
        // the keyspace and when it is dropped, both before its memory is released; and only
        // the main thread, which runs this, touches vectors in the keyspace.
        let key = unsafe { &mut *(address as *mut VectorKey) };
        key.settle()
    });
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
