//! JS values to and from the core's `Scalar`: numbers, bigints for 64-bit integer types,
//! and for `bytes<N>` strings (UTF-8) or `Uint8Array`s in, `Buffer`s out.

use mmvec_core::{DType, Error, Scalar};
use napi::bindgen_prelude::{BigInt, Buffer, Either3, Either4, Uint8Array};

/// What JS passes as an element value: a number, a bigint for 64-bit integer types, or
/// a string (its UTF-8 bytes) or `Uint8Array` for `bytes<N>`. A value of the wrong kind
/// for the dtype reaches the core, which refuses it with the exact error.
pub type JsValueIn = Either4<f64, BigInt, String, Uint8Array>;

/// What JS gets back: a number (float80's nearest), a bigint for 64-bit integer types,
/// or a `Buffer` for `bytes<N>` (without its trailing NULs).
pub type JsValueOut = Either3<f64, BigInt, Buffer>;

pub fn to_scalar(dtype: DType, value: &JsValueIn) -> Result<Scalar, Error> {
    match value {
        Either4::A(number) => Ok(Scalar::Float(*number)),
        Either4::B(big) => {
            let (signed, lossless) = big.get_i64();
            if lossless {
                return Ok(Scalar::Int(signed));
            }
            let (negative, unsigned, lossless) = big.get_u64();
            if lossless && !negative {
                return Ok(Scalar::UInt(unsigned));
            }
            Err(Error::BadValue { value: bigint_text(big), dtype, reason: "out of range" })
        }
        Either4::C(text) => Ok(Scalar::Bytes(text.as_bytes().to_vec())),
        Either4::D(bytes) => Ok(Scalar::Bytes(bytes.to_vec())),
    }
}

pub fn from_scalar(dtype: DType, value: Scalar) -> JsValueOut {
    match (dtype.is_64bit_int(), value) {
        (true, Scalar::Int(v)) => Either3::B(BigInt::from(v)),
        (true, Scalar::UInt(v)) => Either3::B(BigInt::from(v)),
        (_, Scalar::Bytes(bytes)) => Either3::C(Buffer::from(bytes)),
        (_, other) => Either3::A(other.to_f64()),
    }
}

/// The decimal text of a bigint of any size, for error messages.
fn bigint_text(big: &BigInt) -> String {
    const CHUNK: u128 = 10_000_000_000_000_000_000; // 10^19, the largest power of ten in a u64
    let mut words: Vec<u64> = big.words.iter().rev().copied().collect(); // most significant first
    let mut chunks = Vec::new();
    while words.iter().any(|&w| w != 0) {
        let mut remainder: u128 = 0;
        for word in words.iter_mut() {
            let current = (remainder << 64) | u128::from(*word);
            *word = (current / CHUNK) as u64;
            remainder = current % CHUNK;
        }
        chunks.push(remainder as u64);
    }
    let mut text = String::from(if big.sign_bit { "-" } else { "" });
    match chunks.split_last() {
        None => text.push('0'),
        Some((first, rest)) => {
            text.push_str(&first.to_string());
            rest.iter().rev().for_each(|chunk| text.push_str(&format!("{chunk:019}")));
        }
    }
    text
}
