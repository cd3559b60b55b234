//! What a write to a vector propagates (to an AOF, to replicas): not the call that was
//! made but its absolute, positional effect on the elements and the length. Effects are
//! built from the vector after the write, so replaying any suffix of a vector's effect
//! stream onto any later state of that vector converges to the same bytes
//! (`tests/model.rs` checks it). That is what lets an AOF tail be replayed onto a file
//! that already holds those writes, and a replica apply the stream after a full sync.

use crate::error::Result;
use crate::mapped_vec::MappedVec;

/// One write's effect; the bytes are little-endian elements, as in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect<'a> {
    /// Elements written from `start` ([`MappedVec::put_at`]).
    PutAt { start: u64, bytes: &'a [u8] },
    /// Several [`Effect::PutAt`] writes, in order, as one effect.
    PutMany(&'a [(u64, &'a [u8])]),
    /// Values as a client wrote them (text, [`DType::parse`] syntax), each written at its
    /// index as [`Effect::PutAt`] writes its bytes, in order. As absolute as `PutMany`:
    /// the bytes depend on the text and the vector's dtype only, so a writer can pass on
    /// the client's own strings instead of formatting new ones.
    ///
    /// [`DType::parse`]: crate::DType::parse
    PutText(&'a [(u64, &'a [u8])]),
    /// The elements from `start` to the end, and so the length ([`MappedVec::splice`]).
    Splice { start: u64, bytes: &'a [u8] },
    /// The length: truncating, or extending with zeros.
    SetLen(u64),
}

impl<'a> Effect<'a> {
    /// The effect of a write that changed the elements from `start` to the end of `vec`
    /// (an append, from the old length).
    pub fn splice_from(vec: &'a MappedVec, start: u64) -> Result<Effect<'a>> {
        Ok(Effect::Splice { start, bytes: vec.range(start, vec.len() as u64)? })
    }

    /// The effect of a write that changed only the length of `vec` (a pop, a clear).
    pub fn length_of(vec: &MappedVec) -> Effect<'static> {
        Effect::SetLen(vec.len() as u64)
    }

    /// The bytes of the element at `index` of `vec`, as a write there leaves them: a pair
    /// for [`Effect::PutMany`], or with one index, [`Effect::PutAt`].
    pub fn element(vec: &'a MappedVec, index: u64) -> Result<(u64, &'a [u8])> {
        Ok((index, vec.range(index, index.saturating_add(1))?))
    }
}

impl MappedVec {
    /// Applies an effect. It must not fail for a reader of the file: shrinks that a
    /// reader blocks change the length now and truncate the file later
    /// ([`MappedVec::resize_deferred`]). A [`Effect::PutText`] value the dtype refuses
    /// fails before anything is written.
    pub fn apply(&mut self, effect: &Effect) -> Result<()> {
        match *effect {
            Effect::PutAt { start, bytes } => self.put_at(start, bytes),
            Effect::PutMany(writes) => writes.iter().try_for_each(|&(start, bytes)| self.put_at(start, bytes)),
            Effect::PutText(writes) => {
                let mut encoded = Vec::with_capacity(writes.len() * self.dtype().itemsize());
                for (_, text) in writes {
                    self.dtype().parse_to_bytes(text, &mut encoded)?;
                }
                let elements = encoded.chunks_exact(self.dtype().itemsize());
                writes.iter().zip(elements).try_for_each(|(&(start, _), bytes)| self.put_at(start, bytes))
            }
            Effect::Splice { start, bytes } => self.splice(start, bytes),
            Effect::SetLen(len) => self.resize_deferred(len),
        }
    }

    /// The effects that rebuild this vector's elements on any vector of its dtype: its
    /// bytes as [`Effect::PutAt`] runs of at most `max_bytes` (see [`MappedVec::chunks`]),
    /// then its length.
    pub fn rebuild(&self, max_bytes: usize) -> impl Iterator<Item = Effect<'_>> {
        self.rebuild_then(&[], max_bytes)
    }

    /// As [`MappedVec::rebuild`] for the vector followed by `tail`, whole elements not in
    /// the file yet (see [`MappedVec::chunks_then`]).
    pub fn rebuild_then<'a>(&'a self, tail: &'a [u8], max_bytes: usize) -> impl Iterator<Item = Effect<'a>> {
        let len = (self.len() + tail.len() / self.dtype().itemsize()) as u64;
        self.chunks_then(tail, max_bytes)
            .map(|(start, bytes)| Effect::PutAt { start, bytes })
            .chain(std::iter::once(Effect::SetLen(len)))
    }
}
