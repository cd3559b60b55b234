//! `float80`: x87 80-bit extended precision (numpy's `longdouble` on x86-64 Linux), kept
//! in a 16-byte little-endian slot whose last six bytes are zero. Arithmetic and decimal
//! conversions are `rustc_apfloat`'s `X87DoubleExtended`, exact on every host.

use rustc_apfloat::ieee::{Double, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert, Round, Status};

use crate::decimal;

/// Bytes of one element: ten of value, six of padding.
pub const SLOT_BYTES: usize = 16;

/// Bytes of the value itself: a 64-bit significand with an explicit integer bit, then a
/// 15-bit exponent and the sign.
const VALUE_BYTES: usize = 10;

/// One x87 extended-precision value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Float80 {
    /// The 80 bits as the x87 stores them (low 80 bits of the u128).
    bits: u128,
}

impl Float80 {
    /// The largest finite value, about 1.18973149535723176502e4932.
    pub fn max() -> Float80 {
        Float80::from_apfloat(X87DoubleExtended::largest())
    }

    /// The lowest finite value, `-max()`.
    pub fn min() -> Float80 {
        Float80::from_apfloat(-X87DoubleExtended::largest())
    }

    /// Reads a slot (at least the first ten bytes; the padding is ignored).
    pub fn from_le_bytes(slot: &[u8]) -> Float80 {
        let mut wide = [0u8; 16];
        if let Some(value) = slot.get(..VALUE_BYTES) {
            wide[..VALUE_BYTES].copy_from_slice(value);
        }
        Float80 { bits: u128::from_le_bytes(wide) }
    }

    /// The 16-byte slot: the value, then six zero bytes.
    pub fn to_le_bytes(self) -> [u8; SLOT_BYTES] {
        self.bits.to_le_bytes()
    }

    /// Every `f64` is a `float80`: exact.
    pub fn from_f64(value: f64) -> Float80 {
        let double = Double::from_bits(value.to_bits().into());
        let widened: rustc_apfloat::StatusAnd<X87DoubleExtended> = double.convert(&mut false);
        Float80::from_apfloat(widened.value)
    }

    /// The nearest `f64` (ties to even); values beyond `f64`'s range become infinities.
    pub fn to_f64(self) -> f64 {
        let narrowed: rustc_apfloat::StatusAnd<Double> = self.apfloat().convert(&mut false);
        f64::from_bits(narrowed.value.to_bits() as u64)
    }

    /// Every 64-bit integer is a `float80`: exact (the significand has 64 bits).
    pub fn from_i128(value: i128) -> Result<Float80, &'static str> {
        let converted = X87DoubleExtended::from_i128(value);
        if converted.status != Status::OK {
            return Err("not exactly representable");
        }
        Ok(Float80::from_apfloat(converted.value))
    }

    /// The integer this value is exactly, or why there is none.
    pub fn to_i128(self) -> Result<i128, &'static str> {
        let value = self.apfloat();
        if !value.is_finite() || !value.is_integer() {
            return Err("not an integer");
        }
        let mut exact = false;
        let converted = value.to_i128_r(128, Round::TowardZero, &mut exact);
        // Beyond i128 the conversion saturates, which the caller's range check refuses.
        Ok(converted.value)
    }

    /// Parses decimal text with round-to-nearest-even into the 64-bit significand (the
    /// float syntax of every other float type).
    pub fn parse(text: &[u8]) -> Result<Float80, &'static str> {
        decimal::parse::<X87DoubleExtended>(text).map(Float80::from_apfloat)
    }

    pub fn is_finite(self) -> bool {
        self.apfloat().is_finite()
    }

    pub fn is_nan(self) -> bool {
        self.apfloat().is_nan()
    }

    /// The shortest text that parses back to exactly this value.
    pub fn text(self) -> String {
        decimal::shortest_x87(self.apfloat())
    }

    fn apfloat(self) -> X87DoubleExtended {
        X87DoubleExtended::from_bits(self.bits)
    }

    fn from_apfloat(value: X87DoubleExtended) -> Float80 {
        Float80 { bits: value.to_bits() & ((1u128 << 80) - 1) }
    }
}

impl std::ops::Add for Float80 {
    type Output = Float80;

    /// The sum, rounded once to nearest-even.
    fn add(self, other: Float80) -> Float80 {
        Float80::from_apfloat(self.apfloat().add_r(other.apfloat(), Round::NearestTiesToEven).value)
    }
}

impl std::fmt::Display for Float80 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_is_the_x87_layout() {
        // 1.5: significand 0xC000_0000_0000_0000 (explicit integer bit), exponent 0x3fff.
        let one_and_a_half = Float80::from_f64(1.5).to_le_bytes();
        assert_eq!(one_and_a_half, [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x3f, 0, 0, 0, 0, 0, 0]);
        assert_eq!(Float80::from_le_bytes(&one_and_a_half).to_f64(), 1.5);
        let mut padded = one_and_a_half;
        padded[12] = 0xaa;
        assert_eq!(Float80::from_le_bytes(&padded), Float80::from_f64(1.5));
        assert_eq!(Float80::from_f64(-2.0).to_le_bytes()[9], 0xc0);
    }

    #[test]
    fn conversions_are_exact_where_they_can_be() {
        for v in [0.1, -1e300, f64::MIN_POSITIVE, 5e-324, f64::MAX] {
            assert_eq!(Float80::from_f64(v).to_f64(), v);
        }
        assert_eq!(Float80::from_i128(i128::from(u64::MAX)).map(|v| v.to_i128()), Ok(Ok(i128::from(u64::MAX))));
        assert_eq!(Float80::from_i128(i128::from(u64::MAX) * 2 + 1).err(), Some("not exactly representable"));
        assert_eq!(Float80::parse(b"2.5").map(|v| v.to_i128()), Ok(Err("not an integer")));
        assert_eq!(Float80::max().to_f64(), f64::INFINITY);
        assert_eq!(Float80::parse(b"0.1").map(|v| v.to_f64()), Ok(0.1));
        assert_ne!(Float80::parse(b"0.1"), Ok(Float80::from_f64(0.1)));
        assert_eq!(Float80::parse(b"1").map(|one| (one + one).text()), Ok("2".to_owned()));
    }

    #[test]
    fn text_round_trips() {
        // 19 digits are enough to tell it from its neighbour; the usual 21 are not needed.
        assert_eq!(Float80::max().text(), "1.189731495357231765e4932");
        assert_eq!(Float80::parse(b"1.18973149535723176502e+4932"), Ok(Float80::max()));
        assert_eq!(Float80::from_f64(0.1).text(), "0.10000000000000000555");
        assert_eq!(Float80::parse(b"-inf").map(|v| v.text()), Ok("-inf".to_owned()));
        assert!(Float80::parse(b"nan").is_ok_and(Float80::is_nan));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

        /// The quad-scaled digits give the same text as apfloat's exact expansion, which
        /// is the shortest by construction (decimal.rs tests it against every float16).
        #[test]
        fn fast_text_is_the_exact_paths(significand in proptest::prelude::any::<u64>(), exponent in 0u16..0x7fff, negative in proptest::prelude::any::<bool>()) {
            let integer_bit = if exponent == 0 { 0 } else { 1u64 << 63 };
            let bits = u128::from((significand & !(1u64 << 63)) | integer_bit) | (u128::from(exponent) << 64) | (u128::from(negative) << 79);
            let value = Float80 { bits };
            let back = Float80::parse(value.text().as_bytes()).map_err(proptest::test_runner::TestCaseError::fail)?;
            proptest::prop_assert_eq!(back, value);
            proptest::prop_assert_eq!(value.text(), decimal::shortest(value.apfloat()));
        }
    }
}
