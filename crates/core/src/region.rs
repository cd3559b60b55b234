//! One memory mapping of a vector file, shareable so that a zero-copy view (a JS
//! `ArrayBuffer`) can keep it mapped after the vector has moved on to a larger mapping.

use std::fs::File;
use std::sync::Arc;

use memmap2::{MmapMut, MmapOptions, MmapRaw};

/// Mapped bytes. A writable vector maps `MAP_SHARED` with a capacity beyond the end of
/// the file, so appends extend the file without remapping; a read-only vector maps the
/// file copy-on-write (`MAP_PRIVATE`), so a stray write through a view can never reach
/// the file nor fault on a read-only page.
pub struct Region {
    ptr: *mut u8,
    capacity: usize,
    map: Mapping,
}

enum Mapping {
    Shared(MmapRaw),
    /// Never read: owned so the copy-on-write map lives (and unmaps) with the Region.
    Private(#[allow(dead_code)] MmapMut),
}

// SAFETY: `ptr` points into `map`, which the Region owns and unmaps only on drop; the
// pointer is never handed out beyond the Region's lifetime (SharedBytes holds an Arc).
// Synchronising access to the bytes is the owner's job, as for any mmap.
unsafe impl Send for Region {}
// SAFETY: as above; &Region only exposes the pointer and msync, both thread-safe.
unsafe impl Sync for Region {}

impl Region {
    /// Maps `capacity` bytes of `file` read-write and shared. The capacity may exceed the
    /// file's size: those pages are only touched after the file has been extended.
    pub(crate) fn shared(file: &File, capacity: usize) -> std::io::Result<Region> {
        let raw = MmapOptions::new().len(capacity).map_raw(file)?;
        Ok(Region { ptr: raw.as_mut_ptr(), capacity, map: Mapping::Shared(raw) })
    }

    /// Maps the first `len` bytes of `file` copy-on-write.
    pub(crate) fn private(file: &File, len: usize) -> std::io::Result<Region> {
        // SAFETY: a private mapping never writes to the file. The file may be changed by
        // another process (the usual mmap hazard); readers only read within the length
        // they were told, and a shrink by another process is documented as unsupported.
        // MAP_NORESERVE: copy-on-write pages are only ever copied by a stray write through a
        // view, so reserving swap for the whole file would refuse files larger than memory.
        let mut map = unsafe { MmapOptions::new().len(len).no_reserve_swap().map_copy(file)? };
        Ok(Region { ptr: map.as_mut_ptr(), capacity: len, map: Mapping::Private(map) })
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Writes the first `len` dirty bytes back to the file (msync). Private maps have none.
    pub(crate) fn flush(&self, len: usize, wait: bool) -> std::io::Result<()> {
        match &self.map {
            Mapping::Shared(raw) if len > 0 => {
                if wait {
                    raw.flush_range(0, len)
                } else {
                    raw.flush_async_range(0, len)
                }
            }
            _ => Ok(()),
        }
    }
}

/// The bytes of a vector at one moment, kept mapped for as long as this value lives.
///
/// For a zero-copy view. The memory stays mapped, but only stays *backed by the file*
/// while the vector does not shrink: whoever exposes this pointer must revoke that
/// exposure (detach the `ArrayBuffer`) before calling any method that shrinks the vector.
pub struct SharedBytes {
    pub(crate) region: Arc<Region>,
    /// Where the elements start in the mapping: after a `.npy` header, if any.
    pub(crate) offset: usize,
    pub(crate) len: usize,
}

impl SharedBytes {
    /// The first element's address.
    pub fn as_ptr(&self) -> *mut u8 {
        self.region.as_ptr().wrapping_add(self.offset)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
