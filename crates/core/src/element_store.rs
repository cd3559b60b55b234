//! Writing elements into a mapping that other processes may be reading: one aligned store
//! per element, so a concurrent reader sees each element either old or new, never torn
//! (a bulk `memcpy` may copy byte runs that split an element).

use std::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, AtomicU64, Ordering};

/// Stores the elements in `bytes` (whole elements of `itemsize`) at `dst`.
///
/// # Safety
/// `dst` must be valid for writes of `bytes.len()` bytes and aligned to `itemsize`
/// (element offsets in a page-aligned mapping are), and no Rust reference may alias it.
pub unsafe fn store(dst: *mut u8, bytes: &[u8], itemsize: usize) {
    for (n, element) in bytes.chunks_exact(itemsize).enumerate() {
        // SAFETY: the caller guarantees the range and the alignment; atomics of the
        // element's width are valid for any bit pattern.
        unsafe {
            let at = dst.add(n * itemsize);
            match element {
                [a] => AtomicU8::from_ptr(at).store(*a, Ordering::Relaxed),
                [a, b] => AtomicU16::from_ptr(at.cast()).store(u16::from_ne_bytes([*a, *b]), Ordering::Relaxed),
                &[a, b, c, d] => {
                    AtomicU32::from_ptr(at.cast()).store(u32::from_ne_bytes([a, b, c, d]), Ordering::Relaxed)
                }
                &[a, b, c, d, e, f, g, h] => AtomicU64::from_ptr(at.cast())
                    .store(u64::from_ne_bytes([a, b, c, d, e, f, g, h]), Ordering::Relaxed),
                _ => std::ptr::copy_nonoverlapping(element.as_ptr(), at, element.len()),
            }
        }
    }
}

/// Stores `len` bytes of zero elements at `dst`, one element at a time.
///
/// # Safety
/// As for [`store`].
pub unsafe fn zero(dst: *mut u8, len: usize, itemsize: usize) {
    const ZEROS: [u8; 4096] = [0; 4096];
    let mut done = 0;
    while done < len {
        let run = (len - done).min(ZEROS.len() - ZEROS.len() % itemsize);
        // SAFETY: forwarded from the caller; `done` advances by whole elements.
        unsafe { store(dst.add(done), &ZEROS[..run], itemsize) };
        done += run;
    }
}
