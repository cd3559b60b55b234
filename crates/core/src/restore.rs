//! Writing a vector file from a stream of chunks (a snapshot that carries the data), so
//! that a file only ever appears at its path complete and verified.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::file_io::{read_exact_at, write_all_at};
use crate::mapped_vec::MappedVec;
use crate::npy;
use crate::open_options::{Format, Mode, OpenOptions};

/// The checksum a data snapshot carries: CRC-32 (IEEE) of the file's bytes.
pub fn checksum(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// [`checksum`] of bytes that come in parts, as if they were one run (a vector's bytes in
/// its file, then appended bytes not yet written there).
pub fn checksum_of_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    parts.into_iter().for_each(|part| hasher.update(part));
    hasher.finalize()
}

/// A vector file being restored: chunks go to a temporary file beside the target, which
/// replaces the target only once its length and checksum match.
///
/// A stream must be read to its end even when its data cannot be kept (the reader of an
/// RDB stays in step with it): a restore made by [`Restore::discard`] takes every chunk
/// and keeps none.
pub struct Restore {
    /// `None` for a restore that discards.
    temp: Option<TempFile>,
    dtype: DType,
    format: Format,
    /// Where the data starts in the temporary file: after the `.npy` header, if any.
    data_offset: u64,
    expected: u64,
    written: u64,
    hasher: crc32fast::Hasher,
}

impl Restore {
    /// Starts restoring `count` elements of `dtype` to `target` (which need not exist), as
    /// a file of `format` (a `.npy` gets a new header with that shape).
    pub fn begin(target: &Path, dtype: DType, format: Format, count: u64) -> Result<Restore> {
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
        let header = match format {
            Format::Raw => Vec::new(),
            Format::Npy => {
                npy::Header::new(dtype)?.with_len(count).encode().ok_or(Error::Corrupt { reason: "count overflows" })?
            }
        };
        write_all_at(&file, &header, 0).map_err(|e| Error::io("write", &temp, e))?;
        let temp = TempFile { target: target.into(), path: temp, file };
        Ok(Restore {
            temp: Some(temp),
            dtype,
            format,
            data_offset: header.len() as u64,
            expected,
            written: 0,
            hasher: crc32fast::Hasher::new(),
        })
    }

    /// A restore that takes every chunk and keeps none, for the rest of a stream whose
    /// data has nowhere to go; its [`Restore::finish`] fails.
    pub fn discard() -> Restore {
        Restore {
            temp: None,
            dtype: DType::UInt8,
            format: Format::Raw,
            data_offset: 0,
            expected: 0,
            written: 0,
            hasher: crc32fast::Hasher::new(),
        }
    }

    /// Whether this restore was made by [`Restore::discard`].
    pub fn is_discarding(&self) -> bool {
        self.temp.is_none()
    }

    /// Writes the next chunk; a discarding restore drops it.
    pub fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let Some(temp) = &self.temp else { return Ok(()) };
        if self.written + chunk.len() as u64 > self.expected {
            return Err(Error::Corrupt { reason: "more data than the count says" });
        }
        write_all_at(&temp.file, chunk, self.data_offset + self.written)
            .map_err(|e| Error::io("write", &temp.path, e))?;
        self.hasher.update(chunk);
        self.written += chunk.len() as u64;
        Ok(())
    }

    /// Checks length and checksum, puts the data at the target and returns it mapped with
    /// `options` (whose dtype must be the restore's). A new target gets the verified file
    /// renamed into place. An existing one is rewritten in place through a read-write open
    /// (refused while another writer holds it), so every mapping of it, a reader's too,
    /// sees the new contents; if it was longer, the shrink waits for its readers
    /// ([`MappedVec::resize_deferred`]).
    pub fn finish(self, checksum: u32, options: OpenOptions) -> Result<MappedVec> {
        let Some(temp) = &self.temp else {
            return Err(Error::Corrupt { reason: "the restore kept none of the data" });
        };
        let TempFile { target, path: temp, file } = temp;
        if self.written != self.expected {
            return Err(Error::Corrupt { reason: "less data than the count says" });
        }
        if self.hasher.clone().finalize() != checksum {
            return Err(Error::Corrupt { reason: "checksum mismatch" });
        }
        let options = OpenOptions { dtype: self.dtype, dtype_given: true, format: Some(self.format), ..options };
        if !target.exists() {
            file.sync_all().map_err(|e| Error::io("fsync", temp, e))?;
            std::fs::rename(temp, target).map_err(|e| Error::io("rename", target, e))?;
            return MappedVec::open(target, options);
        }
        let mut vec = MappedVec::open(target, OpenOptions { mode: Mode::ReadWrite, ..options })?;
        let itemsize = self.dtype.itemsize() as u64;
        let mut chunk = vec![0u8; COPY_CHUNK - COPY_CHUNK % itemsize as usize];
        let mut at = 0u64;
        while at < self.expected {
            let len = chunk.len().min((self.expected - at) as usize);
            read_exact_at(file, &mut chunk[..len], self.data_offset + at).map_err(|e| Error::io("read", temp, e))?;
            vec.write_bytes_at(at / itemsize, &chunk[..len])?;
            at += len as u64;
        }
        vec.resize_deferred(self.expected / itemsize)?;
        vec.flush()?;
        Ok(vec)
    }
}

/// Bytes copied at a time when rewriting an existing file.
const COPY_CHUNK: usize = 1 << 20;

/// The temporary file a restore writes, beside its target.
struct TempFile {
    target: PathBuf,
    path: PathBuf,
    file: File,
}

impl Drop for TempFile {
    /// An unfinished or failed restore leaves nothing behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checksum_in_parts_is_the_checksum_of_the_whole() {
        let whole = b"0123456789abcdef";
        assert_eq!(checksum_of_parts([&whole[..5], &whole[5..], &[][..]]), checksum(whole));
    }

    #[test]
    fn a_verified_restore_replaces_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("v.bin");
        std::fs::write(&target, [9u8; 4]).expect("write");
        let data: Vec<u8> = (0..16).collect();
        let mut restore = Restore::begin(&target, DType::Int16, Format::Raw, 8).expect("begin");
        restore.write(&data[..10]).expect("chunk");
        restore.write(&data[10..]).expect("chunk");
        let vec = restore.finish(checksum(&data), OpenOptions::new(DType::Int16, Mode::ReadWrite)).expect("finish");
        assert_eq!(vec.len(), 8);
        assert_eq!(std::fs::read(&target).expect("read"), data);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1, "no temporary file is left");
    }

    #[test]
    fn an_existing_file_is_rewritten_in_place_so_its_readers_see_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("v.bin");
        std::fs::write(&target, [9u8; 6]).expect("write");
        let reader = MappedVec::open(&target, OpenOptions::new(DType::UInt8, Mode::Read)).expect("reader");
        let mut restore = Restore::begin(&target, DType::UInt8, Format::Raw, 4).expect("begin");
        restore.write(&[1, 2, 3, 4]).expect("chunk");
        let mut vec =
            restore.finish(checksum(&[1, 2, 3, 4]), OpenOptions::new(DType::UInt8, Mode::ReadWrite)).expect("finish");
        assert_eq!(vec.as_bytes(), &[1, 2, 3, 4]);
        assert_eq!(reader.as_bytes(), &[1, 2, 3, 4, 9, 9], "the reader's mapping is the same file");
        assert!(vec.has_pending_shrink(), "the reader holds the old length");
        drop(reader);
        vec.settle().expect("settle");
        assert_eq!(std::fs::read(&target).expect("read"), [1, 2, 3, 4]);
    }

    #[test]
    fn a_discarding_restore_takes_every_chunk_and_keeps_none() {
        let mut restore = Restore::discard();
        assert!(restore.is_discarding());
        restore.write(&[1, 2, 3]).expect("chunk");
        restore.write(&[4; 100]).expect("chunk");
        let options = OpenOptions::new(DType::UInt8, Mode::ReadWrite);
        assert_eq!(
            restore.finish(0, options).err().map(|e| e.to_string()).as_deref(),
            Some("corrupt snapshot: the restore kept none of the data")
        );
    }

    #[test]
    fn a_bad_restore_leaves_the_target_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("v.bin");
        std::fs::write(&target, [9u8; 4]).expect("write");
        let options = OpenOptions::new(DType::Int16, Mode::ReadWrite);
        let code = |r: Result<MappedVec>| r.err().map(|e| e.to_string());
        let restore = Restore::begin(&target, DType::Int16, Format::Raw, 2).expect("begin");
        assert_eq!(
            code(restore.finish(0, options)).as_deref(),
            Some("corrupt snapshot: less data than the count says")
        );
        let mut restore = Restore::begin(&target, DType::Int16, Format::Raw, 2).expect("begin");
        assert_eq!(
            restore.write(&[0; 6]).err().map(|e| e.to_string()).as_deref(),
            Some("corrupt snapshot: more data than the count says")
        );
        restore.write(&[1, 2, 3, 4]).expect("chunk");
        assert_eq!(code(restore.finish(7, options)).as_deref(), Some("corrupt snapshot: checksum mismatch"));
        assert_eq!(std::fs::read(&target).expect("read"), [9u8; 4]);
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1, "no temporary file is left");
    }
}
