//! `mmvec.max-bytes`: the largest a client may grow one vector file to (0: no limit but
//! the disk). Replicated and replayed effects are exempt: the primary already applied them.

use std::sync::atomic::{AtomicI64, Ordering};

use redis_module::RedisError;

pub static MAX_BYTES: AtomicI64 = AtomicI64::new(0);

/// Refuses a write that would grow the file from `current` to `new_size` bytes, over the
/// limit. Writes that do not grow it are always fine (the limit may have been lowered).
pub fn check_growth(current: u64, new_size: u64) -> Result<(), RedisError> {
    let limit = MAX_BYTES.load(Ordering::Relaxed);
    if limit > 0 && new_size > current && new_size > limit as u64 {
        return Err(RedisError::String(format!(
            "ERR the vector would grow to {new_size} bytes, over mmvec.max-bytes ({limit})"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(outcome: Result<(), RedisError>) -> Option<String> {
        match outcome {
            Ok(()) => None,
            Err(RedisError::String(message)) => Some(message),
            Err(other) => Some(format!("unexpected {other:?}")),
        }
    }

    #[test]
    fn only_growth_past_the_limit_is_refused() {
        MAX_BYTES.store(0, Ordering::Relaxed);
        assert_eq!(message(check_growth(0, u64::MAX)), None, "0: no limit");
        MAX_BYTES.store(100, Ordering::Relaxed);
        assert_eq!(message(check_growth(0, 100)), None, "up to the limit");
        assert_eq!(
            message(check_growth(96, 104)).as_deref(),
            Some("ERR the vector would grow to 104 bytes, over mmvec.max-bytes (100)")
        );
        assert_eq!(message(check_growth(200, 150)), None, "a write that does not grow is fine");
        assert_eq!(message(check_growth(200, 200)), None, "nor one that keeps the size");
        MAX_BYTES.store(0, Ordering::Relaxed);
    }
}
