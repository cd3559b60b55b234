//! The value stored under a Redis key: which file, how it is typed, and the mapping
//! (or why there is none, for a key whose file vanished while the server was down).
//! Shrinks that a fork child or a reader defers are completed by its private `pending`;
//! appends held back for one write per event-loop iteration are written by `appends`.

mod appends;
mod pending;
mod registry;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use mmvec_core::{DType, Format, MappedVec, Mode, OpenOptions};
use redis_module::RedisError;
use redis_module::logging::{log_notice, log_warning};

use crate::durability::{self, SyncHandle};
use crate::fork;
use crate::module_args;

pub use appends::write_all as write_all_appends;
pub use pending::start_retries;

/// Brings every file to its vector: held-back appends written, deferred shrinks completed
/// where they can be. Main thread only.
pub fn settle_all() {
    appends::write_all();
    pending::settle_all();
}

/// Disk space reserved ahead of the file's end grows in steps of at least this, and at
/// most [`MAX_RESERVE_STEP`], past what an append needs.
const MIN_RESERVE_STEP: usize = 64 * 1024;
const MAX_RESERVE_STEP: usize = 64 * 1024 * 1024;

/// Vectors alive and the bytes their files hold, for `INFO mmvec`.
pub static VECTORS: AtomicI64 = AtomicI64::new(0);
pub static DATA_BYTES: AtomicI64 = AtomicI64::new(0);

/// What a key is bound to, as given by the client and recorded in RDB and AOF.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// The path as the client gave it (relative to `DIR`, or absolute inside it), so a
    /// replica or a restored server resolves it under its own `DIR`.
    pub path: String,
    pub dtype: DType,
    pub readonly: bool,
    /// Stated by the client or implied by the path's extension when the key was bound,
    /// then recorded, so a later change of that rule never reinterprets a file.
    pub format: Format,
}

impl Binding {
    /// The file's absolute path under this server's `DIR`.
    pub fn resolve(&self) -> Result<std::path::PathBuf, mmvec_core::Error> {
        let root = module_args::root().ok_or(mmvec_core::Error::BadPath {
            path: self.path.clone().into(),
            reason: "the module is not initialised",
        })?;
        root.resolve(&self.path)
    }
}

pub struct VectorKey {
    pub binding: Binding,
    backing: Backing,
    sync: Option<Arc<SyncHandle>>,
    /// Bytes already counted in DATA_BYTES.
    counted: usize,
    /// Appended elements (little-endian bytes) that follow the file's and are not yet
    /// written to it: acknowledged appends of this event-loop iteration, written with one
    /// write before any reply goes out, and before anything else touches the vector.
    appended: Vec<u8>,
    /// Bytes of data the file has disk space for (see [`MappedVec::reserve`]); 0 when
    /// not known (a shrink may have given space back).
    reserved: usize,
}

enum Backing {
    Mapped(MappedVec),
    /// The key survives a load whose file is gone or unusable, and answers this error.
    Unavailable {
        reason: String,
        count: u64,
    },
}

impl VectorKey {
    /// Resolves the binding's path under `DIR` and maps the file. With `create`, a
    /// missing read-write file is created (a client's `OPEN`); without it (reloading a
    /// key), a missing file is an error, never a silently empty vector.
    pub fn open(binding: Binding, create: bool) -> Result<VectorKey, mmvec_core::Error> {
        VectorKey::open_with(binding, create, true)
    }

    /// As [`VectorKey::open`], for a client's open that named no type: an existing `.npy`
    /// file's header gives it, and the binding records it.
    pub fn open_untyped(binding: Binding, create: bool) -> Result<VectorKey, mmvec_core::Error> {
        VectorKey::open_with(binding, create, false)
    }

    fn open_with(mut binding: Binding, create: bool, dtype_given: bool) -> Result<VectorKey, mmvec_core::Error> {
        let path = binding.resolve()?;
        let mode = match (binding.readonly, create) {
            (true, _) => Mode::Read,
            (false, true) => Mode::Append,
            (false, false) => Mode::ReadWrite,
        };
        let options = OpenOptions { dtype_given, ..VectorKey::options(&binding, mode) };
        let vec = MappedVec::open(&path, options)?;
        binding.dtype = vec.dtype();
        VectorKey::mapped(binding, vec)
    }

    /// Maps the file again (reloading a key). A file that is missing or unusable leaves
    /// the key in place, answering a clear error, rather than stopping the server or
    /// emptying the vector; `saved_count` is the count the key had when it was recorded.
    pub fn reopen(binding: Binding, saved_count: Option<u64>) -> VectorKey {
        match VectorKey::open(binding.clone(), false) {
            Ok(key) => {
                if let Some(saved) = saved_count.filter(|&saved| saved != key.count()) {
                    log_notice(format!(
                        "mmvec: {} holds {} elements, {saved} when saved; the file wins",
                        binding.path,
                        key.count()
                    ));
                }
                key
            }
            Err(err) => {
                let reason = match err {
                    mmvec_core::Error::NotFound { .. } => format!("backing file missing: {}", binding.path),
                    other => format!("backing file unusable: {other}"),
                };
                log_warning(format!("mmvec: {reason}"));
                VectorKey::unavailable(binding, reason, saved_count.unwrap_or(0))
            }
        }
    }

    /// How the module opens a binding's file: not through a final symlink (the path was
    /// resolved and checked already).
    pub fn options(binding: &Binding, mode: Mode) -> OpenOptions {
        OpenOptions::new(binding.dtype, mode).format(binding.format).no_follow()
    }

    /// A key over a file already mapped (e.g. by a restore), once it is confirmed to lie
    /// inside `DIR`.
    pub fn mapped(binding: Binding, vec: MappedVec) -> Result<VectorKey, mmvec_core::Error> {
        confine(&binding, &vec)?;
        let sync = if binding.readonly { None } else { durability::register(&vec) };
        let mut key = VectorKey::with_backing(binding, Backing::Mapped(vec));
        key.sync = sync;
        key.account();
        Ok(key)
    }

    /// A key whose file could not be mapped at load; every command on it answers `reason`.
    pub fn unavailable(binding: Binding, reason: String, count: u64) -> VectorKey {
        VectorKey::with_backing(binding, Backing::Unavailable { reason, count })
    }

    /// Moves the key into the box that Redis will own (a stored or loaded value), whose
    /// address never changes: from here a deferred shrink can be completed by address.
    pub fn into_raw(self) -> *mut VectorKey {
        let boxed = Box::into_raw(Box::new(self));
        // SAFETY: just boxed, and not yet shared with anyone.
        let key = unsafe { &*boxed };
        if key.has_pending_shrink() {
            pending::remember(key);
        }
        boxed
    }

    /// Redis unlinked the value from the keyspace (on the main thread, before a lazy
    /// free may drop it on another): its held-back appends are written now, and no
    /// shrink of it is completed from now on.
    pub fn unlinked(value: *mut VectorKey) {
        // SAFETY: Redis passes the live value it owns, on the main thread, where no other
        // reference to it is in use.
        if let Some(key) = unsafe { value.as_mut() } {
            key.write_appended_or_log();
        }
        appends::forget(value);
        pending::forget(value);
    }

    fn with_backing(binding: Binding, backing: Backing) -> VectorKey {
        VECTORS.fetch_add(1, Ordering::Relaxed);
        VectorKey { binding, backing, sync: None, counted: 0, appended: Vec::new(), reserved: 0 }
    }

    pub fn vec(&self) -> Result<&MappedVec, RedisError> {
        match &self.backing {
            Backing::Mapped(vec) => Ok(vec),
            Backing::Unavailable { reason, .. } => Err(RedisError::String(format!("ERR {reason}"))),
        }
    }

    /// Runs a write (after any held-back appends) and keeps the statistics up to date. A
    /// shrink that replication deferred (a reader had the file mapped) is completed here
    /// once it can be.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut MappedVec) -> mmvec_core::Result<T>) -> Result<T, RedisError> {
        self.write_appended()?;
        self.write_now(f)
    }

    /// Appends whole elements given as bytes. With `hold`, they are held back (see
    /// `appended`) once the file has disk space for them, so that one write carries them
    /// with the others of this iteration; `Ok(true)` then. Without, or where the file
    /// system cannot reserve space, they are written now. A full disk is the append's
    /// error either way.
    pub fn append(&mut self, bytes: &[u8], hold: bool) -> Result<bool, RedisError> {
        if hold && self.reserve_for(bytes.len())? {
            if self.appended.is_empty() {
                appends::remember(self);
            }
            self.appended.extend_from_slice(bytes);
            return Ok(true);
        }
        self.write(|vec| vec.append_bytes(bytes))?;
        Ok(false)
    }

    /// Writes the held-back appends with one write to the file.
    pub fn write_appended(&mut self) -> Result<(), RedisError> {
        if self.appended.is_empty() {
            return Ok(());
        }
        self.write_held()?;
        appends::forget(self);
        Ok(())
    }

    /// As [`VectorKey::write_appended`] where no client waits for the outcome (a failure
    /// is logged, and the appends stay held for the next attempt), leaving the list of
    /// vectors with held appends to the caller: unlinking, dropping, that list's own pass.
    pub fn write_appended_or_log(&mut self) {
        if let Err(err) = self.write_held() {
            let text = match err {
                RedisError::String(text) => text,
                other => format!("{other:?}"),
            };
            log_warning(format!("mmvec: cannot write the appends to {}: {text}", self.binding.path));
        }
    }

    fn write_held(&mut self) -> Result<(), RedisError> {
        if self.appended.is_empty() {
            return Ok(());
        }
        let Backing::Mapped(vec) = &mut self.backing else { return Ok(()) };
        // Straight to the file, nothing else: in a fork child this must not complete a
        // deferred shrink under the server, which may still write below the old end.
        vec.append_bytes(&self.appended).map_err(core_error)?;
        self.appended.clear();
        self.account();
        // The syncer may have run since the appends were acknowledged: they are what it
        // must sync now (or, if the policy became `always` meanwhile, this does).
        if let Err(err) = self.sync_per_policy() {
            log_warning(format!("mmvec: cannot sync the appends to {}: {err:?}", self.binding.path));
        }
        Ok(())
    }

    /// Whether the file has (or is now given) disk space for `more` bytes after the
    /// vector and its held-back appends; reserved in geometric steps, so an append
    /// rarely asks. A step the disk has no room for is retried as just what is needed.
    fn reserve_for(&mut self, more: usize) -> Result<bool, RedisError> {
        let Backing::Mapped(vec) = &self.backing else { return Ok(false) };
        if !vec.mode().is_writable() {
            return Ok(false);
        }
        let needed = vec.byte_len().saturating_add(self.appended.len()).saturating_add(more);
        if needed <= self.reserved {
            return Ok(true);
        }
        let ahead = needed.saturating_add(needed.clamp(MIN_RESERVE_STEP, MAX_RESERVE_STEP));
        let reserved = match vec.reserve(ahead) {
            Ok(true) => ahead,
            Ok(false) => return Ok(false),
            Err(_) => match vec.reserve(needed).map_err(core_error)? {
                true => needed,
                false => return Ok(false),
            },
        };
        self.reserved = reserved;
        Ok(true)
    }

    fn write_now<T>(&mut self, f: impl FnOnce(&mut MappedVec) -> mmvec_core::Result<T>) -> Result<T, RedisError> {
        let vec = match &mut self.backing {
            Backing::Mapped(vec) => vec,
            Backing::Unavailable { reason, .. } => return Err(RedisError::String(format!("ERR {reason}"))),
        };
        vec.hold_shrinks(fork::child_alive());
        let before = vec.len();
        let outcome = f(vec).map_err(core_error);
        if vec.has_pending_shrink() {
            vec.settle().map_err(core_error)?;
        }
        let pending = vec.has_pending_shrink();
        if vec.len() < before {
            // Truncating may have given reserved space back.
            self.reserved = 0;
        }
        self.account();
        if pending {
            pending::remember(self);
        }
        outcome
    }

    /// Completes a deferred shrink if nothing holds it any more; whether one is still
    /// pending.
    pub fn settle(&mut self) -> bool {
        let Backing::Mapped(vec) = &mut self.backing else { return false };
        vec.hold_shrinks(fork::child_alive());
        self.reserved = 0;
        let pending = vec.settle().is_err() || vec.has_pending_shrink();
        self.account();
        pending
    }

    /// Applies the `mmvec.fsync` policy after a write has been propagated, before the
    /// reply: with `always`, a failed sync is the command's error.
    pub fn sync_per_policy(&self) -> Result<(), RedisError> {
        match &self.backing {
            Backing::Mapped(vec) => durability::after_write(vec, self.sync.as_deref()).map_err(core_error),
            Backing::Unavailable { .. } => Ok(()),
        }
    }

    /// The element count: the file's and the held-back appends', or the one recorded
    /// before the file went missing.
    pub fn count(&self) -> u64 {
        match &self.backing {
            Backing::Mapped(vec) => (vec.len() + self.appended.len() / vec.dtype().itemsize()) as u64,
            Backing::Unavailable { count, .. } => *count,
        }
    }

    /// The held-back appends (see `appended`). A snapshot carries them after the file's
    /// elements (`MappedVec::chunks_then`): in a fork child they may not be in the file,
    /// and the child must not write them there (the server may have written, shrunk and
    /// overwritten that part since the fork).
    pub fn held_appends(&self) -> &[u8] {
        &self.appended
    }

    /// Whether the file is longer than the vector until a deferred shrink completes.
    pub fn has_pending_shrink(&self) -> bool {
        matches!(&self.backing, Backing::Mapped(vec) if vec.has_pending_shrink())
    }

    /// Why the key has no mapping, if it has none.
    pub fn unavailable_reason(&self) -> Option<&str> {
        match &self.backing {
            Backing::Mapped(_) => None,
            Backing::Unavailable { reason, .. } => Some(reason),
        }
    }

    fn account(&mut self) {
        let now = match &self.backing {
            Backing::Mapped(vec) => vec.byte_len(),
            Backing::Unavailable { .. } => 0,
        };
        DATA_BYTES.fetch_add(now as i64 - self.counted as i64, Ordering::Relaxed);
        self.counted = now;
    }
}

impl Drop for VectorKey {
    fn drop(&mut self) {
        // Forgotten first: a lazy free drops the value on another thread, and this waits
        // for the main thread to finish writing the held appends if it is.
        appends::forget(self);
        self.write_appended_or_log();
        pending::forget(self);
        VECTORS.fetch_sub(1, Ordering::Relaxed);
        DATA_BYTES.fetch_sub(self.counted as i64, Ordering::Relaxed);
    }
}

/// Checks the file that was opened, not just the path that was resolved: a symlink swapped
/// in between, or a hard link to a file elsewhere, must not give a client a file outside
/// `DIR`.
fn confine(binding: &Binding, vec: &MappedVec) -> Result<(), mmvec_core::Error> {
    let (real, links) = vec.real_location()?;
    let inside = module_args::root().is_some_and(|root| root.contains(&real));
    if !inside {
        return Err(mmvec_core::Error::OutsideRoot { path: binding.path.clone().into() });
    }
    if links > 1 {
        return Err(mmvec_core::Error::BadPath {
            path: binding.path.clone().into(),
            reason: "has more than one hard link, so it may be a file outside DIR",
        });
    }
    Ok(())
}

/// A core error as a Redis error reply.
pub fn core_error(err: mmvec_core::Error) -> RedisError {
    RedisError::String(format!("ERR {err}"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use mmvec_core::Root;

    use super::*;
    use crate::module_args::Settings;

    /// The module's `DIR` for these tests, installed once as a load would.
    fn dir() -> &'static Path {
        static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
        DIR.get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let root = Root::new(dir.path()).expect("root");
            assert!(module_args::install(Settings { root, aliases: true }).is_ok(), "installed once");
            dir
        })
        .path()
    }

    fn binding(path: &str, readonly: bool) -> Binding {
        dir();
        Binding { path: path.to_owned(), dtype: DType::UInt8, readonly, format: Format::Raw }
    }

    fn text(err: RedisError) -> String {
        match err {
            RedisError::String(text) => text,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_shrink_a_reader_blocks_waits_for_the_reader_then_completes() {
        let mut key = VectorKey::open(binding("shrink.u8", false), true).expect("open");
        key.write(|vec| vec.append_bytes(&[1, 2, 3, 4])).expect("append");
        let reader =
            MappedVec::open(dir().join("shrink.u8"), OpenOptions::new(DType::UInt8, Mode::Read)).expect("reader");
        key.write(|vec| vec.resize_deferred(1)).expect("a deferred shrink never fails");
        assert_eq!(key.count(), 1);
        assert!(key.has_pending_shrink(), "the reader still maps four bytes");
        assert!(key.settle(), "still pending while the reader is open");
        assert_eq!(std::fs::metadata(dir().join("shrink.u8")).expect("stat").len(), 4);
        drop(reader);
        assert!(!key.settle(), "nothing pending once the file is cut");
        assert_eq!(std::fs::read(dir().join("shrink.u8")).expect("read"), [1]);
    }

    #[test]
    fn an_unavailable_key_answers_why_to_every_command() {
        let mut key = VectorKey::unavailable(binding("gone.u8", false), "backing file missing: gone.u8".into(), 7);
        assert_eq!(key.count(), 7, "the count recorded before the file went missing");
        assert_eq!(key.unavailable_reason(), Some("backing file missing: gone.u8"));
        assert_eq!(key.vec().err().map(text).as_deref(), Some("ERR backing file missing: gone.u8"));
        let write = key.write(|vec| vec.append_bytes(&[1])).err().map(text);
        assert_eq!(write.as_deref(), Some("ERR backing file missing: gone.u8"));
        assert!(key.sync_per_policy().is_ok(), "no file, nothing to sync");
        assert!(!key.settle());
    }

    #[test]
    fn a_file_with_another_hard_link_is_refused() {
        std::fs::write(dir().join("original.u8"), [1, 2]).expect("write");
        std::fs::hard_link(dir().join("original.u8"), dir().join("linked.u8")).expect("link");
        let refused = VectorKey::open(binding("linked.u8", true), false).err().map(|err| err.to_string());
        assert_eq!(
            refused.as_deref(),
            Some("bad path 'linked.u8': has more than one hard link, so it may be a file outside DIR")
        );
    }

    #[test]
    fn a_missing_file_is_created_only_when_asked() {
        let missing = VectorKey::open(binding("new.u8", false), false).err().map(|err| err.code());
        assert_eq!(missing, Some("ENOENT"));
        let created = VectorKey::open(binding("new.u8", false), true).expect("create");
        assert_eq!(created.count(), 0);
        assert!(dir().join("new.u8").exists());
    }
}
