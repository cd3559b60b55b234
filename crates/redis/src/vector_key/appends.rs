//! Vectors with held-back appends (see `VectorKey::append`), so that they are all
//! written before the server sleeps (`group_commit`), before anything else runs while
//! some are held, and before a snapshot or shutdown.

use super::VectorKey;
use super::registry::Registry;

/// Vectors with held-back appends.
static HELD: Registry = Registry::new();

pub(super) fn remember(key: &VectorKey) {
    HELD.remember(key);
}

pub(super) fn forget(key: *const VectorKey) {
    HELD.forget(key);
}

/// Writes every vector's held-back appends, one write per vector. Main thread only.
pub fn write_all() {
    HELD.retain(|key| {
        key.write_appended_or_log();
        !key.appended.is_empty()
    });
}
