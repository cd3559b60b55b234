//! Advisory locks on a vector file.
//!
//! - One writer: a read-write open takes an exclusive `flock`, so a second writer, in
//!   this process or another, fails with [`Error::Locked`].
//! - Readers announce themselves (Linux): each read-only open holds a shared
//!   open-file-description lock on one byte far past any data. A writer must take that
//!   byte exclusively before it shrinks the file, so it never truncates pages from under
//!   a mapped reader (which would kill the reader with SIGBUS); it gets
//!   [`Error::HasReaders`] instead. OFD locks, unlike POSIX record locks, also conflict
//!   between two opens in one process.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

pub fn lock_writer(file: &File, path: &Path) -> Result<()> {
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => Error::Locked { path: path.into() },
        std::fs::TryLockError::Error(e) => Error::io("lock", path, e),
    })
}

pub fn unlock_writer(file: &File) {
    let _ = file.unlock();
}

#[cfg(target_os = "linux")]
mod readers {
    use std::fs::File;
    use std::os::fd::AsRawFd;

    /// The byte readers lock: beyond any file a 64-bit offset can address in practice.
    const READER_BYTE: libc::off_t = libc::off_t::MAX - 1;

    /// Takes (or releases, with `F_UNLCK`) the reader byte; `Ok(false)` if it is held.
    pub fn set(file: &File, kind: libc::c_short) -> std::io::Result<bool> {
        // SAFETY: an all-zero flock is a valid value; the fields that matter are set below.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = kind;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_start = READER_BYTE;
        lock.l_len = 1;
        // SAFETY: the fd is open for the file's lifetime and `lock` is a valid flock.
        let status = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &lock) };
        if status == 0 {
            return Ok(true);
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EACCES) => Ok(false),
            _ => Err(err),
        }
    }

    pub const SHARED: libc::c_short = libc::F_RDLCK as libc::c_short;
    pub const EXCLUSIVE: libc::c_short = libc::F_WRLCK as libc::c_short;
    pub const UNLOCK: libc::c_short = libc::F_UNLCK as libc::c_short;
}

/// Announces a reader. Fails only while a writer is in the middle of a shrink.
pub fn lock_reader(file: &File, path: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        if !readers::set(file, readers::SHARED).map_err(|e| Error::io("lock", path, e))? {
            return Err(Error::Locked { path: path.into() });
        }
    }
    let _ = (file, path);
    Ok(())
}

pub fn unlock_reader(file: &File) {
    #[cfg(target_os = "linux")]
    let _ = readers::set(file, readers::UNLOCK);
    let _ = file;
}

/// Runs `shrink` only if no reader has the file mapped, keeping readers out meanwhile.
pub fn without_readers<T>(file: &File, path: &Path, shrink: impl FnOnce() -> Result<T>) -> Result<T> {
    #[cfg(target_os = "linux")]
    {
        if !readers::set(file, readers::EXCLUSIVE).map_err(|e| Error::io("lock", path, e))? {
            return Err(Error::HasReaders { path: path.into() });
        }
        let outcome = shrink();
        let _ = readers::set(file, readers::UNLOCK);
        outcome
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, path);
        shrink()
    }
}
