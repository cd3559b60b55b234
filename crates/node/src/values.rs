//! JS numbers and bigints to and from the core's `Scalar`.

use mmvec_core::{DType, Error, Scalar};
use napi::bindgen_prelude::{BigInt, Either};

/// What JS passes as an element value: a number, or a bigint for 64-bit integer types.
pub type JsValueIn = Either<f64, BigInt>;

/// What JS gets back: a number, or a bigint for 64-bit integer types.
pub type JsValueOut = Either<f64, BigInt>;

pub fn to_scalar(dtype: DType, value: &JsValueIn) -> Result<Scalar, Error> {
    match value {
        Either::A(number) => Ok(Scalar::Float(*number)),
        Either::B(big) => {
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
    }
}

pub fn from_scalar(dtype: DType, value: Scalar) -> JsValueOut {
    match (dtype.is_64bit_int(), value) {
        (true, Scalar::Int(v)) => Either::B(BigInt::from(v)),
        (true, Scalar::UInt(v)) => Either::B(BigInt::from(v)),
        (_, other) => Either::A(other.to_f64()),
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
