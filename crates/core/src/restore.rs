//! Writing a vector file from a stream of chunks (a snapshot that carries the data), so
//! that a file only ever appears at its path complete and verified.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::file_io::write_all_at;
use crate::lock;

/// The checksum a data snapshot carries: CRC-32 (IEEE) of the file's bytes.
pub fn checksum(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// A vector file being restored: chunks go to a temporary file beside the target, which
/// replaces the target only once its length and checksum match.
pub struct Restore {
    target: PathBuf,
    temp: PathBuf,
    file: File,
    expected: u64,
    written: u64,
    hasher: crc32fast::Hasher,
}

impl Restore {
    /// Starts restoring `count` elements of `dtype` to `target` (which need not exist).
    pub fn begin(target: &Path, dtype: DType, count: u64) -> Result<Restore> {
        let expected =
            count.checked_mul(dtype.itemsize() as u64).ok_or(Error::Corrupt { reason: "count overflows" })?;
        let name = target.file_name().ok_or(Error::BadPath { path: target.into(), reason: "does not name a file" })?;
        let temp = target.with_file_name(format!(".{}.mmvec-restore-{}", name.to_string_lossy(), std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)
            .map_err(|e| Error::io("create", &temp, e))?;
        Ok(Restore { target: target.into(), temp, file, expected, written: 0, hasher: crc32fast::Hasher::new() })
    }

    pub fn write(&mut self, chunk: &[u8]) -> Result<()> {
        if self.written + chunk.len() as u64 > self.expected {
            return Err(Error::Corrupt { reason: "more data than the count says" });
        }
        write_all_at(&self.file, chunk, self.written).map_err(|e| Error::io("write", &self.temp, e))?;
        self.hasher.update(chunk);
        self.written += chunk.len() as u64;
        Ok(())
    }

    /// Checks length and checksum, syncs, and moves the file into place. A target that a
    /// writer holds open (another key, another process) is never replaced.
    pub fn finish(self, checksum: u32) -> Result<()> {
        if self.written != self.expected {
            return Err(Error::Corrupt { reason: "less data than the count says" });
        }
        if self.hasher.clone().finalize() != checksum {
            return Err(Error::Corrupt { reason: "checksum mismatch" });
        }
        self.file.sync_all().map_err(|e| Error::io("fsync", &self.temp, e))?;
        if let Ok(existing) = std::fs::OpenOptions::new().read(true).write(true).open(&self.target) {
            lock::lock_writer(&existing, &self.target)?;
            lock::unlock_writer(&existing);
        }
        std::fs::rename(&self.temp, &self.target).map_err(|e| Error::io("rename", &self.target, e))
    }
}

impl Drop for Restore {
    /// An unfinished or failed restore leaves nothing behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verified_restore_replaces_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("v.bin");
        std::fs::write(&target, [9u8; 4]).expect("write");
        let data: Vec<u8> = (0..16).collect();
        let mut restore = Restore::begin(&target, DType::Int16, 8).expect("begin");
        restore.write(&data[..10]).expect("chunk");
        restore.write(&data[10..]).expect("chunk");
        restore.finish(checksum(&data)).expect("finish");
        assert_eq!(std::fs::read(&target).expect("read"), data);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1, "no temporary file is left");
    }

    #[test]
    fn a_bad_restore_leaves_the_target_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("v.bin");
        std::fs::write(&target, [9u8; 4]).expect("write");
        let code = |r: Result<()>| r.err().map(|e| e.to_string());
        let restore = Restore::begin(&target, DType::Int16, 2).expect("begin");
        assert_eq!(code(restore.finish(0)).as_deref(), Some("corrupt snapshot: less data than the count says"));
        let mut restore = Restore::begin(&target, DType::Int16, 2).expect("begin");
        assert_eq!(code(restore.write(&[0; 6])).as_deref(), Some("corrupt snapshot: more data than the count says"));
        restore.write(&[1, 2, 3, 4]).expect("chunk");
        assert_eq!(code(restore.finish(7)).as_deref(), Some("corrupt snapshot: checksum mismatch"));
        assert_eq!(std::fs::read(&target).expect("read"), [9u8; 4]);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1, "no temporary file is left");
    }
}
