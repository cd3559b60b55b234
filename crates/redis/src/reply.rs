//! Replies written straight to the client, without building a reply tree first.

use std::cell::OnceCell;

use mmvec_core::{DType, Scalar, strip_nuls};
use redis_module::{Context, ContextFlags, raw};

pub struct Reply<'a> {
    context: &'a Context,
    ctx: *mut raw::RedisModuleCtx,
    /// The client's protocol, asked for only when a float is replied.
    resp3: OnceCell<bool>,
}

impl<'a> Reply<'a> {
    pub fn new(context: &'a Context) -> Reply<'a> {
        Reply { context, ctx: context.ctx, resp3: OnceCell::new() }
    }

    fn resp3(&self) -> bool {
        *self.resp3.get_or_init(|| self.context.get_flags().contains(ContextFlags::FLAGS_RESP3))
    }

    pub fn int(&self, value: i64) {
        raw::reply_with_long_long(self.ctx, value);
    }

    pub fn count(&self, value: usize) {
        self.int(i64::try_from(value).unwrap_or(i64::MAX));
    }

    pub fn null(&self) {
        raw::reply_with_null(self.ctx);
    }

    pub fn ok(&self) {
        raw::reply_with_simple_string(self.ctx, c"OK".as_ptr());
    }

    pub fn bulk(&self, bytes: &[u8]) {
        raw::reply_with_string_buffer(self.ctx, bytes.as_ptr().cast(), bytes.len());
    }

    pub fn array(&self, len: usize) {
        raw::reply_with_array(self.ctx, len as std::ffi::c_long);
    }

    /// Integers as integers (a `uint64` above 2^63-1, which RESP integers cannot carry,
    /// as its decimal text); floats as a RESP3 double (float16 and bfloat16 widen to it
    /// exactly), or their shortest round-trip text in RESP2 (where Redis itself would
    /// print 17 digits); float80 always as its shortest text, which a double would round;
    /// byte strings as bulk strings, binary-safe.
    pub fn scalar(&self, value: Scalar) {
        match value {
            Scalar::Int(v) => self.int(v),
            Scalar::UInt(v) => match i64::try_from(v) {
                Ok(v) => self.int(v),
                Err(_) => self.text(&value),
            },
            Scalar::F32(_) | Scalar::Float(_) | Scalar::F16(_) | Scalar::BF16(_) if self.resp3() => {
                raw::reply_with_double(self.ctx, value.to_f64());
            }
            Scalar::F32(_) | Scalar::Float(_) | Scalar::F16(_) | Scalar::BF16(_) | Scalar::F80(_) => self.text(&value),
            Scalar::Bytes(bytes) => self.bulk(&bytes),
        }
    }

    /// One element given as its bytes in the file, as [`scalar`](Reply::scalar) replies
    /// it; a `bytes<N>` element straight from the mapping, without a copy.
    pub fn element(&self, dtype: DType, bytes: &[u8]) {
        match (dtype, bytes.first_chunk::<8>()) {
            (DType::Bytes(_), _) => self.bulk(strip_nuls(bytes)),
            // The common dtype goes straight to its reply, not through a `Scalar` (a tenth
            // of a range's instructions per element: bench/PROFILE.md).
            (DType::Float64, Some(bytes)) => self.double(f64::from_le_bytes(*bytes)),
            _ => self.scalar(dtype.decode(bytes)),
        }
    }

    fn double(&self, value: f64) {
        if self.resp3() {
            raw::reply_with_double(self.ctx, value);
        } else {
            Scalar::Float(value).with_text(|text| self.bulk(text));
        }
    }

    fn text(&self, value: &Scalar) {
        value.with_text(|text| self.bulk(text));
    }
}
