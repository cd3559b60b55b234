//! `MappedVec`: a typed vector whose elements are the bytes of a file, read and written
//! through a memory mapping.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::dtype::DType;
use crate::element_store;
use crate::error::{Error, Result};
use crate::file_io::{read_exact_at, write_all_at};
use crate::lock;
use crate::npy;
use crate::open_options::{Format, Mode, OpenOptions};
use crate::region::{Region, SharedBytes};
use crate::scalar::Scalar;

/// Address space reserved by a writable mapping at the least; it then doubles as needed,
/// so a run of single appends remaps O(log n) times: the seed module (RedisMMap) unmapped,
/// extended and remapped the file on every `VADD`.
/// Elements up to this size (every type but the wider `bytes<N>`) are encoded on the stack.
const SMALL_ELEMENT: usize = 16;

const MIN_CAPACITY: usize = 64 * 1024;

/// How a writable mapping relates to the end of its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reservation {
    /// Map address space past the end (POSIX allows it; those pages are touched only once
    /// the file covers them), so growth rarely remaps.
    PastEnd,
    /// Map exactly the file, remapping after every size change: Windows cannot map past
    /// the end of a file (the mapping would extend it) nor truncate a mapped file.
    Exact,
}

const RESERVATION: Reservation = if cfg!(windows) { Reservation::Exact } else { Reservation::PastEnd };

/// A file of little-endian elements of one [`DType`], mapped into memory: raw, or after a
/// `.npy` header ([`Format`]).
///
/// The file's size is always `data_offset + len() * itemsize` (`data_offset` is 0 for a
/// raw file, the header's size for a `.npy`): appends extend it with one positional
/// write, shrinks truncate it. A `.npy` header's shape says `len()`: growth writes the
/// data first and then the shape, a shrink the shape first and then truncates, so a crash
/// between the two leaves elements past the shape (never a shape past the data), which
/// the next read-write open cuts (deferred, like a shrink, while a reader maps them). A writable vector holds an exclusive advisory lock on the
/// file, so a second writer, in this process or another, gets [`Error::Locked`]; it
/// refuses to shrink the file while a reader has it mapped ([`Error::HasReaders`]).
/// Two handles on one file never share state: a reader's length is the file's length
/// when it was opened.
///
/// # Safety
///
/// The bytes that [`MappedVec::as_bytes`], [`MappedVec::range`] and [`MappedVec::share`]
/// give out are the file's pages, and the file is shared: another process (or another
/// handle in this one) that has it open for writing can change them while a `&[u8]` to
/// them is alive. Rust assumes the memory behind a shared reference does not change;
/// here it may, as with any mapping of a file others can write (memmap2's `Mmap` says
/// the same). What mmvec guarantees, and what it does not:
///
/// - **Values can change under a reader.** A writer's changes appear in a reader's
///   slice as they are made: a reader maps the file copy-on-write (`MAP_PRIVATE`), and
///   on Linux pages it has not written to show the file as it now is (POSIX leaves this
///   unspecified; a writer's own mapping is `MAP_SHARED`). Copy what you need to keep
///   stable, and do not rely on two reads of one element agreeing.
/// - **Elements are never torn.** A writer through `MappedVec` stores each element with
///   one aligned store of its width, so a concurrent reader sees every element either
///   old or new. A process that writes the file by other means has no such promise.
/// - **The file does not shrink under a reader.** A reader holds a shared advisory lock;
///   a writer shrinks the file only when no reader holds one ([`Error::HasReaders`], or a
///   deferred shrink that completes later), so a reader's pages stay backed by the file
///   and reading them never raises `SIGBUS`. A process that ignores the locks (truncating
///   the file with another tool) can still crash every process that maps it.
/// - **A reader's length is fixed when it opens**: elements appended later are not in its
///   slice until it reopens the file.
pub struct MappedVec {
    file: File,
    path: PathBuf,
    options: OpenOptions,
    /// The `.npy` header, for a file in that format (its `len` is not kept up to date).
    header: Option<npy::Header>,
    /// Bytes before the first element: the header's, or 0.
    data_offset: usize,
    len: usize,
    /// The bytes of data in the file (its size less `data_offset`): `len * itemsize`, or
    /// more while a shrink is deferred (see [`MappedVec::resize_deferred`]).
    file_bytes: usize,
    /// While set, shrinks change the length only (see [`MappedVec::hold_shrinks`]).
    shrinks_held: bool,
    reservation: Reservation,
    region: Option<Arc<Region>>,
}

impl MappedVec {
    /// Opens (and, by mode, creates or truncates) the vector file at `path`.
    pub fn open(path: impl AsRef<Path>, options: OpenOptions) -> Result<MappedVec> {
        let path = path.as_ref();
        if path.as_os_str().as_encoded_bytes().contains(&0) {
            return Err(Error::BadPath { path: path.into(), reason: "contains a NUL byte" });
        }
        let format = options.format.unwrap_or_else(|| Format::of_path(path));
        // A dtype without a `.npy` descr can have no header: refused before any file is made.
        if format == Format::Npy && options.dtype_given && options.dtype.npy_descr().is_none() {
            return Err(Error::NoNpyDescr { dtype: options.dtype });
        }
        refuse_non_regular(path)?;
        let file = open_file(path, options.mode, options.no_follow)?;
        let meta = file.metadata().map_err(|e| Error::io("stat", path, e))?;
        if !meta.is_file() {
            return Err(Error::NotRegularFile { path: path.into() });
        }
        if options.mode.is_writable() {
            lock::lock_writer(&file, path)?;
        } else {
            lock::lock_reader(&file, path)?;
        }
        let mut size = meta.len();
        if options.mode == Mode::Create && size > 0 {
            lock::without_readers(&file, path, || file.set_len(0).map_err(|e| Error::io("truncate", path, e)))?;
            size = 0;
        }
        let (options, header, byte_len, file_bytes) = match format {
            Format::Raw => {
                let itemsize = options.dtype.itemsize() as u64;
                if !size.is_multiple_of(itemsize) {
                    return Err(Error::BadSize { path: path.into(), size, dtype: options.dtype });
                }
                let byte_len = usize::try_from(size).map_err(|_| Error::BadSize {
                    path: path.into(),
                    size,
                    dtype: options.dtype,
                })?;
                (options, None, byte_len, byte_len)
            }
            Format::Npy => {
                let (header, byte_len, file_bytes) = open_npy(&file, path, size, options)?;
                (OpenOptions { dtype: header.dtype, ..options }, Some(header), byte_len, file_bytes)
            }
        };
        let data_offset = header.as_ref().map_or(0, |h| h.data_offset);
        let region = if options.mode.is_writable() && RESERVATION == Reservation::PastEnd {
            Some(Region::shared(&file, reserve(data_offset + file_bytes, MIN_CAPACITY)))
        } else if options.mode.is_writable() && file_bytes > 0 {
            Some(Region::shared(&file, data_offset + file_bytes))
        } else if byte_len > 0 {
            Some(Region::private(&file, data_offset + byte_len))
        } else {
            None
        };
        let region = region.transpose().map_err(|e| Error::io("mmap", path, e))?.map(Arc::new);
        Ok(MappedVec {
            file,
            path: path.into(),
            options,
            header,
            data_offset,
            len: byte_len / options.dtype.itemsize(),
            file_bytes,
            shrinks_held: false,
            reservation: RESERVATION,
            region,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn dtype(&self) -> DType {
        self.options.dtype
    }

    pub fn mode(&self) -> Mode {
        self.options.mode
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> Format {
        if self.header.is_some() { Format::Npy } else { Format::Raw }
    }

    /// Bytes before the first element (a `.npy` header's), 0 for a raw file.
    pub fn data_offset(&self) -> usize {
        self.data_offset
    }

    /// Bytes the vector occupies in its file.
    pub fn byte_len(&self) -> usize {
        self.len * self.itemsize()
    }

    /// Bytes of address space currently mapped (at least `byte_len`).
    pub fn mapped_bytes(&self) -> usize {
        self.region.as_ref().map_or(0, |r| r.capacity())
    }

    /// The whole vector as bytes, as they are in the file.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.region {
            // SAFETY: the region maps at least data_offset + byte_len() bytes, all backed by
            // the file (its size is at least that), and lives as long as &self.
            Some(region) => unsafe {
                std::slice::from_raw_parts(region.as_ptr().add(self.data_offset), self.byte_len())
            },
            None => &[],
        }
    }

    pub fn get(&self, index: u64) -> Result<Scalar> {
        let at = self.element_offset(index)?;
        Ok(self.dtype().decode(&self.as_bytes()[at..]))
    }

    /// The values at `indices`; all are checked before any is read.
    pub fn get_many(&self, indices: &[u64]) -> Result<Vec<Scalar>> {
        let offsets = self.element_offsets(indices)?;
        let bytes = self.as_bytes();
        Ok(offsets.into_iter().map(|at| self.dtype().decode(&bytes[at..])).collect())
    }

    /// Appends the bytes of the elements at `indices` to `out`; all are checked first.
    pub fn gather_bytes(&self, indices: &[u64], out: &mut Vec<u8>) -> Result<()> {
        let offsets = self.element_offsets(indices)?;
        let bytes = self.as_bytes();
        let size = self.itemsize();
        out.reserve(offsets.len() * size);
        for at in offsets {
            out.extend_from_slice(&bytes[at..at + size]);
        }
        Ok(())
    }

    /// The bytes of elements `start..end`.
    pub fn range(&self, start: u64, end: u64) -> Result<&[u8]> {
        if start > end || end > self.len as u64 {
            let index = if start > end { start } else { end };
            return Err(Error::OutOfRange { index, len: self.len as u64 });
        }
        let size = self.itemsize();
        Ok(&self.as_bytes()[start as usize * size..end as usize * size])
    }

    pub fn set(&mut self, index: u64, value: &Scalar) -> Result<()> {
        self.check_writable()?;
        let at = self.element_offset(index)?;
        let size = self.itemsize();
        if size <= SMALL_ELEMENT {
            let mut encoded = [0u8; SMALL_ELEMENT];
            self.dtype().encode(value, &mut encoded)?;
            self.copy_into_map(at, &encoded[..size]);
        } else {
            let mut encoded = vec![0u8; size];
            self.dtype().encode(value, &mut encoded)?;
            self.copy_into_map(at, &encoded);
        }
        Ok(())
    }

    /// Writes every `(index, value)` pair, or none: all indices and values are checked first.
    pub fn set_many(&mut self, pairs: &[(u64, Scalar)]) -> Result<()> {
        self.check_writable()?;
        let size = self.itemsize();
        let mut encoded = vec![0u8; pairs.len() * size];
        let mut offsets = Vec::with_capacity(pairs.len());
        for ((index, value), slot) in pairs.iter().zip(encoded.chunks_exact_mut(size)) {
            offsets.push(self.element_offset(*index)?);
            self.dtype().encode(value, slot)?;
        }
        for (at, bytes) in offsets.into_iter().zip(encoded.chunks_exact(size)) {
            self.copy_into_map(at, bytes);
        }
        Ok(())
    }

    /// Adds `delta` to the element at `index` and returns the new value (see [`DType::add`]).
    pub fn increment(&mut self, index: u64, delta: &Scalar) -> Result<Scalar> {
        self.check_writable()?;
        let sum = self.dtype().add(&self.get(index)?, delta)?;
        self.set(index, &sum)?;
        Ok(sum)
    }

    /// A duplicate handle of the file, for `fdatasync` from another thread: on Linux it
    /// also writes back pages dirtied through the mapping.
    pub fn file_for_sync(&self) -> Result<File> {
        self.file.try_clone().map_err(|e| Error::io("dup", &self.path, e))
    }

    pub fn push(&mut self, value: Scalar) -> Result<()> {
        self.extend(std::slice::from_ref(&value))
    }

    /// Appends `values`, or none of them: all are checked before the file grows.
    pub fn extend(&mut self, values: &[Scalar]) -> Result<()> {
        self.check_writable()?;
        let size = self.itemsize();
        let mut encoded = vec![0u8; values.len() * size];
        for (value, slot) in values.iter().zip(encoded.chunks_exact_mut(size)) {
            self.dtype().encode(value, slot)?;
        }
        self.append_bytes(&encoded)
    }

    /// Appends whole elements given as little-endian bytes, with one write to the file.
    pub fn append_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_bytes_at(self.len as u64, bytes)
    }

    /// Overwrites elements from `start` with `bytes`, growing the vector if they run past
    /// its end. `start` may be at most `len()`: no gap is ever left.
    pub fn write_bytes_at(&mut self, start: u64, bytes: &[u8]) -> Result<()> {
        self.check_writable()?;
        let size = self.itemsize();
        if !bytes.len().is_multiple_of(size) {
            return Err(Error::BadLength { len: bytes.len(), dtype: self.dtype() });
        }
        if start > self.len as u64 {
            return Err(Error::OutOfRange { index: start, len: self.len as u64 });
        }
        let at = start as usize * size;
        let end = at.checked_add(bytes.len()).ok_or(Error::OutOfRange { index: start, len: self.len as u64 })?;
        let new_len = self.len.max(end / size);
        let header = self.encoded_header(new_len)?;
        // Whole elements still inside the file are overwritten in place (a deferred shrink
        // may have left old elements there, and a `.npy` file a partial one); the rest
        // extend the file with one write.
        let inside = bytes.len().min(self.file_bytes.saturating_sub(at));
        let (overwrite, grow) = bytes.split_at(inside - inside % size);
        let old_size = self.file_bytes;
        if !grow.is_empty() {
            self.ensure_capacity(end)?;
            let grow_at = self.data_offset + at + overwrite.len();
            if let Err(e) = write_all_at(&self.file, grow, grow_at as u64) {
                // A short write may have extended the file: put the size back so the
                // file never holds a partial element or unacknowledged values.
                let _ = self.file.set_len((self.data_offset + old_size) as u64);
                return Err(Error::io("write", &self.path, e));
            }
            self.file_bytes = self.file_bytes.max(end);
            self.follow_file_size()?;
        }
        self.copy_into_map(at, overwrite);
        if new_len != self.len
            && let Err(e) = self.write_header(header.as_deref())
        {
            // The shape still counts the old elements only: drop the new ones.
            if self.file.set_len((self.data_offset + old_size) as u64).is_ok() {
                self.file_bytes = old_size;
                self.follow_file_size()?;
            }
            return Err(e);
        }
        self.len = new_len;
        Ok(())
    }

    /// Writes `bytes` at element `start` as a replicated write must: a `start` past the
    /// end first extends the vector with zeros, through [`MappedVec::resize_deferred`], so
    /// the write lands at the same position on a shorter file too.
    pub fn put_at(&mut self, start: u64, bytes: &[u8]) -> Result<()> {
        if start > self.len as u64 {
            self.resize_deferred(start)?;
        }
        self.write_bytes_at(start, bytes)
    }

    /// Sets the length to `start` (through [`MappedVec::resize_deferred`]) and appends
    /// `bytes`: the elements from `start` to the end, and the length, as they are on the
    /// vector that produced them.
    pub fn splice(&mut self, start: u64, bytes: &[u8]) -> Result<()> {
        self.resize_deferred(start)?;
        self.append_bytes(bytes)
    }

    /// The vector's bytes in runs of whole elements of at most `max_bytes` (at least one
    /// element each), with the index of each run's first element: what a snapshot carries,
    /// so saving and loading need bounded memory.
    pub fn chunks(&self, max_bytes: usize) -> impl Iterator<Item = (u64, &[u8])> {
        self.chunks_then(&[], max_bytes)
    }

    /// As [`MappedVec::chunks`] for the vector followed by `tail`: whole elements that come
    /// after its end but are not in the file yet (appends a writer holds back).
    pub fn chunks_then<'a>(&'a self, tail: &'a [u8], max_bytes: usize) -> impl Iterator<Item = (u64, &'a [u8])> {
        let itemsize = self.itemsize();
        let per_chunk = (max_bytes / itemsize).max(1);
        let runs = |bytes: &'a [u8], first: u64| {
            let runs = bytes.chunks(per_chunk * itemsize).enumerate();
            runs.map(move |(n, chunk)| (first + (n * per_chunk) as u64, chunk))
        };
        runs(self.as_bytes(), 0).chain(runs(tail, self.len() as u64))
    }

    /// Removes and returns the last element, or `None` if the vector is empty.
    pub fn pop(&mut self) -> Result<Option<Scalar>> {
        self.check_writable()?;
        let Some(last) = self.len.checked_sub(1) else {
            return Ok(None);
        };
        let value = self.get(last as u64)?;
        self.resize(last as u64)?;
        Ok(Some(value))
    }

    /// Empties the vector (the file becomes zero bytes); returns the length it had.
    pub fn clear(&mut self) -> Result<usize> {
        let old = self.len;
        self.resize(0)?;
        Ok(old)
    }

    /// Shrinks the vector to `len` elements; `len` may not exceed the current length.
    pub fn truncate(&mut self, len: u64) -> Result<()> {
        if len > self.len as u64 {
            return Err(Error::OutOfRange { index: len, len: self.len as u64 });
        }
        self.resize(len)
    }

    /// Sets the length to exactly `len`: truncating, or extending with zeros. A shrink
    /// fails with [`Error::HasReaders`] while a reader has the file mapped.
    pub fn resize(&mut self, len: u64) -> Result<()> {
        self.resize_with(len, false)
    }

    /// Like [`MappedVec::resize`], but a shrink that readers block is applied to the
    /// length only: the file keeps its size (and the old elements past the end) until
    /// [`MappedVec::settle`] can truncate it. For changes that must not fail, such as
    /// replicated writes; a crash meanwhile leaves the old elements counted.
    pub fn resize_deferred(&mut self, len: u64) -> Result<()> {
        self.resize_with(len, true)
    }

    /// While `hold` is set, every shrink changes the length only and leaves the file as it
    /// is, to be truncated by [`MappedVec::settle`] after the hold is released: for while
    /// another process may be reading the pages (a fork child writing a snapshot).
    pub fn hold_shrinks(&mut self, hold: bool) {
        self.shrinks_held = hold;
    }

    /// Truncates the file to the length if a deferred shrink is pending and nothing
    /// blocks it any more (a hold, a reader); otherwise does nothing.
    pub fn settle(&mut self) -> Result<()> {
        if !self.has_pending_shrink() || self.shrinks_held {
            return Ok(());
        }
        match self.set_file_size(self.byte_len()) {
            Err(Error::HasReaders { .. }) => Ok(()),
            other => other,
        }
    }

    /// Whether the file is longer than the vector because a shrink was deferred.
    pub fn has_pending_shrink(&self) -> bool {
        self.file_bytes > self.byte_len()
    }

    fn resize_with(&mut self, len: u64, defer: bool) -> Result<()> {
        self.check_writable()?;
        let bytes = usize::try_from(len)
            .ok()
            .and_then(|n| n.checked_mul(self.itemsize()))
            .ok_or(Error::OutOfRange { index: len, len: self.len as u64 })?;
        let new_len = bytes / self.itemsize();
        let header = self.encoded_header(new_len)?;
        self.ensure_capacity(bytes)?;
        if bytes > self.byte_len() {
            // Growing over a deferred shrink's leftovers: they must read as zeros.
            let stale_end = bytes.min(self.file_bytes);
            if stale_end > self.byte_len() {
                let at = self.byte_len();
                self.zero_in_map(at, stale_end - at);
            }
        }
        let growing = bytes >= self.byte_len();
        if !growing {
            // The shape first: a crash before the truncate leaves elements past the shape,
            // which the next read-write open cuts (the other order would leave a shape
            // longer than the file).
            self.write_header(header.as_deref())?;
        }
        if bytes < self.file_bytes && self.shrinks_held {
            self.len = new_len;
            return Ok(());
        }
        match self.set_file_size(bytes) {
            // Readers only block cutting the file; a deferred shrink, or growth into a
            // pending one, leaves the file as it is.
            Err(Error::HasReaders { .. }) if defer || growing => {}
            Err(e) => {
                if !growing {
                    // The vector keeps its length, so the shape must say it again.
                    let _ = self.encoded_header(self.len).and_then(|old| self.write_header(old.as_deref()));
                }
                return Err(e);
            }
            Ok(()) => {}
        }
        if growing && new_len != self.len {
            self.write_header(header.as_deref())?;
        }
        self.len = new_len;
        Ok(())
    }

    /// Sets the file's size; shrinking it waits for no reader to have it mapped.
    fn set_file_size(&mut self, bytes: usize) -> Result<()> {
        if bytes < self.file_bytes && self.reservation == Reservation::Exact {
            // A mapped file cannot be truncated there: unmap (views keep their own).
            self.region = None;
        }
        let set_len =
            || self.file.set_len((self.data_offset + bytes) as u64).map_err(|e| Error::io("truncate", &self.path, e));
        let outcome = if bytes < self.file_bytes {
            lock::without_readers(&self.file, &self.path, set_len)
        } else if bytes > self.file_bytes {
            set_len()
        } else {
            Ok(())
        };
        if outcome.is_ok() {
            self.file_bytes = bytes;
        }
        self.follow_file_size()?;
        outcome
    }

    /// With an exact mapping, maps the file as it now is.
    fn follow_file_size(&mut self) -> Result<()> {
        let file_size = self.data_offset + self.file_bytes;
        if self.reservation == Reservation::PastEnd || self.mapped_bytes() == file_size {
            return Ok(());
        }
        self.region = None;
        if self.file_bytes > 0 {
            let region = Region::shared(&self.file, file_size).map_err(|e| Error::io("mmap", &self.path, e))?;
            self.region = Some(Arc::new(region));
        }
        Ok(())
    }

    /// Writes dirty pages and the file's size to disk and waits (msync + fdatasync).
    pub fn flush(&self) -> Result<()> {
        self.flusher()?.flush()
    }

    /// Starts writing dirty pages back (msync `MS_ASYNC`) without waiting.
    pub fn flush_async(&self) -> Result<()> {
        match &self.region {
            Some(region) => {
                region.flush(self.data_offset + self.byte_len(), false).map_err(|e| Error::io("msync", &self.path, e))
            }
            None => Ok(()),
        }
    }

    /// A handle that performs [`MappedVec::flush`] later or on another thread.
    pub fn flusher(&self) -> Result<Flusher> {
        let file = self.file.try_clone().map_err(|e| Error::io("dup", &self.path, e))?;
        Ok(Flusher {
            file,
            region: self.region.clone(),
            byte_len: self.data_offset + self.byte_len(),
            writable: self.mode().is_writable(),
            path: self.path.clone(),
        })
    }

    /// Gives the file disk space for `bytes` bytes of data without changing its size
    /// (`fallocate` with `FALLOC_FL_KEEP_SIZE`), so that appends within them can be
    /// written later without running out of space. `Ok(false)` where the file system (or
    /// the platform) cannot reserve. A full disk is reported as the write it stands for
    /// (`write <path>: No space left on device`).
    pub fn reserve(&self, bytes: usize) -> Result<bool> {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let Ok(end) = libc::off_t::try_from(self.data_offset.saturating_add(bytes)) else { return Ok(false) };
            // SAFETY: the descriptor is this vector's open file; fallocate reads only its
            // arguments.
            if unsafe { libc::fallocate(self.file.as_raw_fd(), libc::FALLOC_FL_KEEP_SIZE, 0, end) } == 0 {
                return Ok(true);
            }
            let err = std::io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EOPNOTSUPP | libc::ENOSYS) => Ok(false),
                _ => Err(Error::io("write", &self.path, err)),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = bytes;
            Ok(false)
        }
    }

    /// Where the open file really is (after any rename or symlink swap since the open),
    /// and how many hard links it has: what a caller confining files checks.
    pub fn real_location(&self) -> Result<(PathBuf, u64)> {
        #[cfg(target_os = "linux")]
        let real = {
            use std::os::fd::AsRawFd;
            std::fs::read_link(format!("/proc/self/fd/{}", self.file.as_raw_fd()))
        };
        #[cfg(not(target_os = "linux"))]
        let real = self.path.canonicalize();
        let real = real.map_err(|e| Error::io("resolve", &self.path, e))?;
        let meta = self.file.metadata().map_err(|e| Error::io("stat", &self.path, e))?;
        #[cfg(unix)]
        let links = std::os::unix::fs::MetadataExt::nlink(&meta);
        #[cfg(not(unix))]
        let links = {
            let _ = meta;
            1
        };
        Ok((real, links))
    }

    /// The current bytes, kept mapped while the returned value lives (for zero-copy views).
    pub fn share(&self) -> Option<SharedBytes> {
        self.region.as_ref().map(|region| SharedBytes {
            region: Arc::clone(region),
            offset: self.data_offset,
            len: self.byte_len(),
        })
    }

    fn itemsize(&self) -> usize {
        self.options.dtype.itemsize()
    }

    /// The `.npy` header with a shape of `len`, or `None` for a raw file; refused if the
    /// header has no room for that shape (before anything is written).
    fn encoded_header(&self, len: usize) -> Result<Option<Vec<u8>>> {
        let Some(header) = &self.header else { return Ok(None) };
        let header = header.with_len(len as u64);
        match header.encode() {
            Some(bytes) => Ok(Some(bytes)),
            None => Err(Error::NpyHeaderFull {
                path: self.path.clone(),
                len: len as u64,
                needed: header.bytes_needed(),
                room: header.data_offset,
            }),
        }
    }

    /// Rewrites the whole header in place, with one positional write of the same length.
    fn write_header(&self, header: Option<&[u8]>) -> Result<()> {
        match header {
            Some(bytes) => write_all_at(&self.file, bytes, 0).map_err(|e| Error::io("write", &self.path, e)),
            None => Ok(()),
        }
    }

    fn check_writable(&self) -> Result<()> {
        if self.mode().is_writable() { Ok(()) } else { Err(Error::ReadOnly) }
    }

    fn element_offset(&self, index: u64) -> Result<usize> {
        if index >= self.len as u64 {
            return Err(Error::OutOfRange { index, len: self.len as u64 });
        }
        Ok(index as usize * self.itemsize())
    }

    fn element_offsets(&self, indices: &[u64]) -> Result<Vec<usize>> {
        indices.iter().map(|&i| self.element_offset(i)).collect()
    }

    /// Copies `bytes` into the mapping at byte offset `at`; the caller has checked that
    /// `at + bytes.len() <= file_bytes`.
    fn copy_into_map(&mut self, at: usize, bytes: &[u8]) {
        let Some(region) = &self.region else { return };
        if bytes.is_empty()
            || at + bytes.len() > self.file_bytes.min(region.capacity().saturating_sub(self.data_offset))
        {
            return;
        }
        // SAFETY: the range lies within the file, which the region maps and backs; `at` is
        // an element offset after a data offset that is a multiple of the itemsize (the
        // header parser checks it) in a page-aligned mapping, so aligned to the itemsize;
        // the mapping is writable (check_writable passed) and &mut self excludes every
        // other Rust reference to these bytes.
        let dst = unsafe { region.as_ptr().add(self.data_offset + at) };
        // SAFETY: as above.
        unsafe { element_store::store(dst, bytes, self.options.dtype.itemsize()) };
    }

    /// Zeroes `len` bytes of the mapping from `at`, within the file.
    fn zero_in_map(&mut self, at: usize, len: usize) {
        let Some(region) = &self.region else { return };
        if len == 0 || at + len > self.file_bytes.min(region.capacity().saturating_sub(self.data_offset)) {
            return;
        }
        // SAFETY: as in copy_into_map.
        let dst = unsafe { region.as_ptr().add(self.data_offset + at) };
        // SAFETY: as in copy_into_map.
        unsafe { element_store::zero(dst, len, self.options.dtype.itemsize()) };
    }

    /// Makes sure the mapping covers `needed` bytes, remapping with doubled capacity if not.
    /// The old region stays mapped while a view still holds it.
    fn ensure_capacity(&mut self, needed: usize) -> Result<()> {
        let needed = self.data_offset.saturating_add(needed);
        let current = self.region.as_ref().map_or(0, |r| r.capacity());
        if needed <= current || self.reservation == Reservation::Exact {
            return Ok(());
        }
        let capacity = reserve(needed, current.saturating_mul(2).max(MIN_CAPACITY));
        let region = Region::shared(&self.file, capacity).map_err(|e| Error::io("mmap", &self.path, e))?;
        self.region = Some(Arc::new(region));
        Ok(())
    }
}

impl Drop for MappedVec {
    fn drop(&mut self) {
        // A view's mapping may outlive this handle and, with it, the open file
        // description that holds the locks: release them explicitly.
        if self.mode().is_writable() {
            lock::unlock_writer(&self.file);
        } else {
            lock::unlock_reader(&self.file);
        }
    }
}

impl std::fmt::Debug for MappedVec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedVec")
            .field("path", &self.path)
            .field("dtype", &self.dtype())
            .field("mode", &self.mode())
            .field("len", &self.len)
            .finish()
    }
}

/// Flushes a vector's bytes as they were when it was made; `Send`, for a worker thread.
pub struct Flusher {
    file: File,
    region: Option<Arc<Region>>,
    byte_len: usize,
    writable: bool,
    path: PathBuf,
}

impl Flusher {
    pub fn flush(&self) -> Result<()> {
        if !self.writable {
            return Ok(());
        }
        if let Some(region) = &self.region {
            region.flush(self.byte_len, true).map_err(|e| Error::io("msync", &self.path, e))?;
        }
        self.file.sync_data().map_err(|e| Error::io("fsync", &self.path, e))
    }
}

/// Capacity to map for `needed` bytes: at least `floor`, rounded up to a whole 64 KiB.
fn reserve(needed: usize, floor: usize) -> usize {
    let wanted = needed.max(floor);
    wanted.div_ceil(MIN_CAPACITY).saturating_mul(MIN_CAPACITY)
}

/// Reads (or, for an empty file opened for writing, writes) the header of a `.npy` file
/// of `size` bytes; returns it, the bytes of data the vector has, and the bytes of data
/// the file keeps. A read-write open cuts data past the header's shape: elements written
/// by a growth whose shape was never written (a crash between the two), so never
/// acknowledged, or left by a shrink deferred for a reader. While a reader still maps them
/// the cut is deferred instead, as such a shrink is ([`MappedVec::settle`] completes it).
fn open_npy(file: &File, path: &Path, size: u64, options: OpenOptions) -> Result<(npy::Header, usize, usize)> {
    let bad = |reason: String| Error::BadNpyHeader { path: path.into(), reason };
    if size == 0 && options.mode.is_writable() {
        let header = npy::Header::new(options.dtype)?;
        let bytes = header.encode().ok_or_else(|| bad("no room for an empty shape".to_owned()))?;
        if let Err(e) = write_all_at(file, &bytes, 0) {
            let _ = file.set_len(0);
            return Err(Error::io("write", path, e));
        }
        return Ok((header, 0, 0));
    }
    let mut start = vec![0u8; size.min(npy::PREFIX_BYTES as u64) as usize];
    read_exact_at(file, &mut start, 0).map_err(|e| Error::io("read", path, e))?;
    let header_bytes = match npy::header_bytes(&start) {
        Ok((_, total)) => total.min(size as usize),
        Err(e) => return Err(header_error(path, e)),
    };
    let mut whole = vec![0u8; header_bytes];
    read_exact_at(file, &mut whole, 0).map_err(|e| Error::io("read", path, e))?;
    let header = npy::Header::parse(&whole).map_err(|e| header_error(path, e))?;
    if options.dtype_given && options.dtype != header.dtype {
        return Err(Error::DTypeMismatch { path: path.into(), given: options.dtype, found: header.dtype });
    }
    let data_bytes = size - header.data_offset as u64;
    let shape_bytes = header.len.checked_mul(header.dtype.itemsize() as u64).filter(|&b| b <= data_bytes);
    let short = || Error::NpyShortData { path: path.into(), len: header.len, dtype: header.dtype, data_bytes };
    let shape_bytes = shape_bytes.ok_or_else(short)?;
    let byte_len = usize::try_from(shape_bytes).map_err(|_| short())?;
    if data_bytes == shape_bytes || !options.mode.is_writable() {
        return Ok((header, byte_len, byte_len));
    }
    let cut = || file.set_len(header.data_offset as u64 + shape_bytes).map_err(|e| Error::io("truncate", path, e));
    match lock::without_readers(file, path, cut) {
        Ok(()) => Ok((header, byte_len, byte_len)),
        Err(Error::HasReaders { .. }) => {
            let kept = usize::try_from(data_bytes).map_err(|_| short())?;
            Ok((header, byte_len, kept))
        }
        Err(e) => Err(e),
    }
}

fn header_error(path: &Path, err: npy::HeaderError) -> Error {
    match err {
        npy::HeaderError::Malformed(reason) => Error::BadNpyHeader { path: path.into(), reason },
        npy::HeaderError::Unsupported(reason) => Error::UnsupportedNpy { path: path.into(), reason },
    }
}

/// Refuses directories, devices, FIFOs and sockets before opening them: opening some of
/// those has effects of its own (a FIFO blocks, a tape rewinds).
fn refuse_non_regular(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(Error::NotRegularFile { path: path.into() }),
        _ => Ok(()),
    }
}

fn open_file(path: &Path, mode: Mode, no_follow: bool) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    match mode {
        Mode::Read => {}
        Mode::ReadWrite => {
            options.write(true);
        }
        // Truncation of `w+` waits until the lock is held, so it never hits another writer.
        Mode::Create | Mode::Append => {
            options.write(true).create(true).truncate(false);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // If the path is swapped for a FIFO after the check above, opening must not block.
        let follow = if no_follow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | follow);
    }
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound { path: path.into() },
        std::io::ErrorKind::IsADirectory => Error::NotRegularFile { path: path.into() },
        _ if no_follow && is_symlink_refusal(&e) => Error::BadPath { path: path.into(), reason: "is a symbolic link" },
        _ => Error::io("open", path, e),
    })
}

fn is_symlink_refusal(err: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        err.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reservation gives the file disk blocks but not size.
    #[test]
    fn reserving_space_leaves_the_size_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.bin");
        let mut v = MappedVec::open(&path, OpenOptions::new(DType::Int64, Mode::Append)).expect("open");
        v.push(Scalar::Int(7)).expect("push");
        let reserved = v.reserve(1 << 20).expect("reserve");
        assert_eq!(std::fs::metadata(&path).expect("stat").len(), 8);
        #[cfg(target_os = "linux")]
        if reserved {
            use std::os::unix::fs::MetadataExt;
            assert!(std::fs::metadata(&path).expect("stat").blocks() * 512 >= 1 << 20);
        }
        #[cfg(not(target_os = "linux"))]
        assert!(!reserved);
        v.push(Scalar::Int(8)).expect("push");
        assert_eq!(std::fs::read(&path).expect("read"), [7, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]);
    }

    /// The exact-mapping policy (Windows') on this platform, through a whole life cycle.
    #[test]
    fn exact_mappings_follow_every_size_change() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.bin");
        let mut v = MappedVec::open(&path, OpenOptions::new(DType::Int32, Mode::Append)).expect("open");
        v.reservation = Reservation::Exact;
        v.region = None;
        v.extend(&[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)]).expect("extend");
        assert_eq!(v.mapped_bytes(), 12);
        v.set(1, &Scalar::Int(20)).expect("set");
        assert_eq!(v.pop().expect("pop"), Some(Scalar::Int(3)));
        assert_eq!(v.mapped_bytes(), 8);
        v.resize(4).expect("grow");
        assert_eq!(v.mapped_bytes(), 16);
        assert_eq!(v.get(3).expect("get"), Scalar::Int(0));
        v.write_bytes_at(4, &[5, 0, 0, 0]).expect("append bytes");
        assert_eq!(std::fs::read(&path).expect("read"), [1, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0]);
        assert_eq!(v.clear().expect("clear"), 5);
        assert_eq!(v.mapped_bytes(), 0);
        v.push(Scalar::Int(9)).expect("push");
        assert_eq!(v.as_bytes(), &[9, 0, 0, 0]);
    }

    /// The same for a `.npy` file: the mapping covers the header and the elements.
    #[test]
    fn exact_mappings_of_an_npy_file_cover_its_header() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.npy");
        let mut v = MappedVec::open(&path, OpenOptions::new(DType::Int32, Mode::Append)).expect("open");
        v.reservation = Reservation::Exact;
        v.region = None;
        v.extend(&[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)]).expect("extend");
        assert_eq!(v.mapped_bytes(), 128 + 12);
        v.set(1, &Scalar::Int(20)).expect("set");
        assert_eq!(v.pop().expect("pop"), Some(Scalar::Int(3)));
        assert_eq!(v.mapped_bytes(), 128 + 8);
        v.resize(3).expect("grow");
        assert_eq!(v.as_bytes(), &[1, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0]);
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(npy::Header::parse(&bytes[..128]).map(|h| h.len), Ok(3));
        assert_eq!(&bytes[128..], v.as_bytes());
        assert_eq!(v.clear().expect("clear"), 3);
        assert_eq!(v.mapped_bytes(), 0);
        v.push(Scalar::Int(9)).expect("push");
        assert_eq!(v.as_bytes(), &[9, 0, 0, 0]);
    }
}
