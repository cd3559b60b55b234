//! Index arithmetic shared by the front ends: JS `slice` rules, Redis `LRANGE` rules, and
//! checking a JS number used as an index.

use crate::error::Error;

/// Resolves `slice(start, end)` the way `Array.prototype.slice` does: negative values
/// count from the end, everything is clamped to `0..=len`. Returns `start..end`, empty
/// when `start >= end`.
pub fn slice_bounds(len: u64, start: Option<i64>, end: Option<i64>) -> (u64, u64) {
    let resolve =
        |at: i64| -> u64 { if at < 0 { len.saturating_sub(at.unsigned_abs()) } else { (at as u64).min(len) } };
    let start = start.map_or(0, resolve);
    let end = end.map_or(len, resolve);
    (start, end.max(start))
}

/// Resolves `LRANGE`-style inclusive `start..=stop` (negative from the end) to a
/// half-open `start..end`, or `None` when the range is empty.
pub fn lrange_bounds(len: u64, start: i64, stop: i64) -> Option<(u64, u64)> {
    let resolve = |at: i64| -> i128 { if at < 0 { len as i128 + at as i128 } else { at as i128 } };
    let start = resolve(start).max(0);
    let stop = resolve(stop).min(len as i128 - 1);
    if start > stop {
        return None;
    }
    Some((start as u64, stop as u64 + 1))
}

/// An index given as a JS number: a whole, non-negative, safe integer.
pub fn index_from_f64(value: f64) -> Result<u64, Error> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&value) {
        Ok(value as u64)
    } else {
        Err(Error::BadIndex { text: crate::Scalar::Float(value).to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_follows_array_prototype_slice() {
        assert_eq!(slice_bounds(10, None, None), (0, 10));
        assert_eq!(slice_bounds(10, Some(2), Some(5)), (2, 5));
        assert_eq!(slice_bounds(10, Some(-3), None), (7, 10));
        assert_eq!(slice_bounds(10, Some(-30), Some(-8)), (0, 2));
        assert_eq!(slice_bounds(10, Some(8), Some(2)), (8, 8));
        assert_eq!(slice_bounds(10, Some(50), None), (10, 10));
    }

    #[test]
    fn lrange_follows_redis() {
        assert_eq!(lrange_bounds(10, 0, -1), Some((0, 10)));
        assert_eq!(lrange_bounds(10, -3, -1), Some((7, 10)));
        assert_eq!(lrange_bounds(10, 5, 100), Some((5, 10)));
        assert_eq!(lrange_bounds(10, -100, 2), Some((0, 3)));
        assert_eq!(lrange_bounds(10, 7, 3), None);
        assert_eq!(lrange_bounds(0, 0, -1), None);
        assert_eq!(lrange_bounds(10, i64::MIN, i64::MAX), Some((0, 10)));
    }

    #[test]
    fn js_indices_must_be_whole_and_safe() {
        assert_eq!(index_from_f64(3.0).ok(), Some(3));
        assert_eq!(index_from_f64(-0.0).ok(), Some(0));
        for bad in [-1.0, 1.5, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(index_from_f64(bad).err().map(|e| e.code()), Some("ERR_MMVEC_BAD_INDEX"));
        }
        let msg = index_from_f64(1.5).err().map(|e| e.to_string());
        assert_eq!(msg.as_deref(), Some("index 1.5 is not a non-negative safe integer"));
    }
}
