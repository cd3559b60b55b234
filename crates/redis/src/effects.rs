//! What a write propagates to the AOF and to replicas: not the client's command but its
//! absolute, positional effect, so replaying any suffix of the stream onto a later state
//! of the live file converges to the same file (DESIGN.md, "Writes propagate as
//! idempotent effects"). The internal commands that apply them are in
//! `commands::internal`.

use mmvec_core::MappedVec;
use redis_module::{Context, NotifyEvent, RedisString};

use crate::vector_key::Binding;

/// `MMVEC.OPEN key path TYPE dtype [READONLY]`.
pub fn open(ctx: &Context, key: &RedisString, binding: &Binding) {
    let mut args: Vec<&[u8]> = vec![key, binding.path.as_bytes(), b"TYPE", binding.dtype.name().as_bytes()];
    if binding.readonly {
        args.push(b"READONLY");
    }
    ctx.replicate("MMVEC.OPEN", args.as_slice());
}

/// `MMVEC.PUTAT key index bytes [index bytes ...]`: the elements as they now are.
pub fn put_at(ctx: &Context, key: &RedisString, vec: &MappedVec, indices: impl Iterator<Item = u64>) {
    let runs: Vec<(String, &[u8])> =
        indices.filter_map(|i| vec.range(i, i + 1).ok().map(|bytes| (i.to_string(), bytes))).collect();
    let mut args: Vec<&[u8]> = vec![key];
    for (index, bytes) in &runs {
        args.push(index.as_bytes());
        args.push(bytes);
    }
    ctx.replicate("MMVEC.PUTAT", args.as_slice());
}

/// `MMVEC.PUTAT key start bytes`: a run of elements written at `start`.
pub fn put_at_bytes(ctx: &Context, key: &RedisString, start: u64, bytes: &[u8]) {
    let start = start.to_string();
    ctx.replicate("MMVEC.PUTAT", &[key.as_slice(), start.as_bytes(), bytes][..]);
}

/// `MMVEC.SPLICE key start bytes`: elements from `start` to the end, and the length.
pub fn splice(ctx: &Context, key: &RedisString, vec: &MappedVec, start: u64) {
    let bytes = vec.range(start, vec.len() as u64).unwrap_or_default();
    let start = start.to_string();
    ctx.replicate("MMVEC.SPLICE", &[key.as_slice(), start.as_bytes(), bytes][..]);
}

/// `MMVEC.SETLEN key length`.
pub fn set_len(ctx: &Context, key: &RedisString, len: u64) {
    let len = len.to_string();
    ctx.replicate("MMVEC.SETLEN", &[key.as_slice(), len.as_bytes()][..]);
}

/// A keyspace notification of class `d` (module), e.g. `mmvec.add`.
pub fn notify(ctx: &Context, event: &str, key: &RedisString) {
    ctx.notify_keyspace_event(NotifyEvent::MODULE, event, key);
}
