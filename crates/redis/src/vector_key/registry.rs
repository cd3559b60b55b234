//! A list of vectors by address, for the work that must reach every vector in some state
//! (deferred shrinks in `pending`, held-back appends in `appends`) without a keyspace scan.

use std::sync::Mutex;

use super::VectorKey;

/// Addresses of vectors owned by Redis (boxed, never moved).
pub(super) struct Registry(Mutex<Vec<usize>>);

impl Registry {
    pub(super) const fn new() -> Registry {
        Registry(Mutex::new(Vec::new()))
    }

    pub(super) fn remember(&self, key: &VectorKey) {
        let address = key as *const VectorKey as usize;
        if let Ok(mut list) = self.0.lock()
            && !list.contains(&address)
        {
            list.push(address);
        }
    }

    /// Called when Redis unlinks the key (main thread, before a lazy free elsewhere) and
    /// when the value is dropped.
    pub(super) fn forget(&self, key: *const VectorKey) {
        if let Ok(mut list) = self.0.lock() {
            list.retain(|&address| address != key as usize);
        }
    }

    /// Runs `work` on every remembered vector, keeping those it returns `true` for. Main
    /// thread only.
    pub(super) fn retain(&self, mut work: impl FnMut(&mut VectorKey) -> bool) {
        let Ok(mut list) = self.0.lock() else { return };
        list.retain(|&address| {
            // SAFETY: a remembered vector is alive while the list is locked: it is forgotten
            // when Redis unlinks it from the keyspace and when it is dropped (first thing, so
            // a drop on a lazy-free thread waits for this), both before its memory is
            // released; and only the main thread, which runs this, touches vectors in the
            // keyspace.
            work(unsafe { &mut *(address as *mut VectorKey) })
        });
    }
}
