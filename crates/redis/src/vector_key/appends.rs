//! Vectors with held-back appends (see `VectorKey::append`), so that they are all
//! written before the server sleeps (`group_commit`), before anything else runs while
//! some are held, and before a snapshot or shutdown.

use std::sync::Mutex;

use super::VectorKey;

/// Addresses of vectors (owned by Redis, boxed, never moved) with held-back appends.
static HELD: Mutex<Vec<usize>> = Mutex::new(Vec::new());

pub(super) fn remember(key: &VectorKey) {
    let address = key as *const VectorKey as usize;
    if let Ok(mut list) = HELD.lock()
        && !list.contains(&address)
    {
        list.push(address);
    }
}

/// Called when Redis unlinks the key (main thread, before a lazy free elsewhere) and
/// when the value is dropped.
pub(super) fn forget(key: *const VectorKey) {
    if let Ok(mut list) = HELD.lock() {
        list.retain(|&address| address != key as usize);
    }
}

/// Writes every vector's held-back appends, one write per vector. Main thread only.
pub fn write_all() {
    let Ok(mut list) = HELD.lock() else { return };
    list.retain(|&address| {
        // SAFETY: a remembered vector is alive while the list is locked: it is forgotten
        // when Redis unlinks it from the keyspace and when it is dropped (first thing, so
        // a drop on a lazy-free thread waits for this), both before its memory is released;
        // and only the main thread, which runs this, touches vectors in the keyspace.
        let key = unsafe { &mut *(address as *mut VectorKey) };
        key.write_appended_or_log();
        !key.appended.is_empty()
    });
}
