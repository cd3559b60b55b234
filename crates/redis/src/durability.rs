//! `mmvec.fsync always|everysec|no`, as Redis's `appendfsync`: when a write reaches disk.
//!
//! `always` flushes (msync + fdatasync) before the reply. `everysec` marks the vector
//! dirty and a background thread fdatasyncs dirty files once a second; on Linux that
//! also writes back pages dirtied through the mapping. `no` leaves it to the kernel.

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use mmvec_core::MappedVec;
use redis_module::configuration::{ConfigurationContext, ConfigurationValue};
use redis_module::{RedisError, enum_configuration};

enum_configuration! {
    #[allow(non_camel_case_types)]
    #[derive(Debug, PartialEq)]
    pub enum Fsync {
        always = 0,
        everysec = 1,
        no = 2,
    }
}

/// The policy as the `mmvec.fsync` setting holds it: an atomic, read by every write
/// (the crate's `Mutex` setting cost a lock and an unlock per command).
pub struct FsyncSetting(AtomicI32);

pub static FSYNC: FsyncSetting = FsyncSetting(AtomicI32::new(Fsync::everysec as i32));

impl ConfigurationValue<Fsync> for FsyncSetting {
    fn get(&self, _ctx: &ConfigurationContext) -> Fsync {
        policy()
    }

    fn set(&self, _ctx: &ConfigurationContext, value: Fsync) -> Result<(), RedisError> {
        self.0.store(value.into(), Ordering::Relaxed);
        Ok(())
    }
}

/// A writable vector's file, as the background syncer sees it.
pub struct SyncHandle {
    file: File,
    dirty: AtomicBool,
}

static DIRTY_CANDIDATES: Mutex<Vec<Weak<SyncHandle>>> = Mutex::new(Vec::new());

pub fn policy() -> Fsync {
    Fsync::try_from(FSYNC.0.load(Ordering::Relaxed)).unwrap_or(Fsync::everysec)
}

/// Registers a writable vector with the syncer; `None` if its file cannot be duplicated
/// (then `everysec` degrades to `no` for it, which is logged by the caller's error path).
pub fn register(vec: &MappedVec) -> Option<Arc<SyncHandle>> {
    let file = vec.file_for_sync().ok()?;
    let handle = Arc::new(SyncHandle { file, dirty: AtomicBool::new(false) });
    if let Ok(mut list) = DIRTY_CANDIDATES.lock() {
        list.push(Arc::downgrade(&handle));
    }
    Some(handle)
}

pub fn after_write(vec: &MappedVec, handle: Option<&SyncHandle>) -> mmvec_core::Result<()> {
    match policy() {
        Fsync::always => vec.flush(),
        Fsync::everysec => {
            if let Some(handle) = handle {
                handle.dirty.store(true, Ordering::Release);
            }
            Ok(())
        }
        Fsync::no => Ok(()),
    }
}

/// Starts the once-a-second syncer thread.
pub fn start_syncer() {
    let spawned = std::thread::Builder::new().name("mmvec-fsync".into()).spawn(|| {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            sync_dirty();
        }
    });
    drop(spawned);
}

fn sync_dirty() {
    let handles: Vec<Arc<SyncHandle>> = match DIRTY_CANDIDATES.lock() {
        Ok(mut list) => {
            list.retain(|weak| weak.strong_count() > 0);
            list.iter().filter_map(Weak::upgrade).collect()
        }
        Err(_) => return,
    };
    for handle in handles {
        if handle.dirty.swap(false, Ordering::AcqRel) {
            // A failure here cannot be reported to a client; the next write retries.
            if handle.file.sync_data().is_err() {
                handle.dirty.store(true, Ordering::Release);
            }
        }
    }
}
