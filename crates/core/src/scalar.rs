//! One element's value, independent of its storage type, and its text form.

use half::{bf16, f16};
use rustc_apfloat::Float as _;
use rustc_apfloat::ieee::{BFloat, Half};

use crate::decimal;
use crate::float80::Float80;

/// A value read from or written to a vector. Integer types decode to `Int`/`UInt`,
/// `float32` to `F32` (so it prints in its own shortest form), `float64` to `Float`,
/// `float16`, `bfloat16` and `float80` to their own variants, and `bytes<N>` to `Bytes`:
/// the element's bytes without its trailing NULs (as numpy reads `S<N>`).
///
/// Values given by a caller may be of any variant: [`DType::encode`](crate::DType::encode)
/// converts exactly or refuses (a `Bytes` value only fits a `bytes<N>` type, and it only
/// takes `Bytes`).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Int(i64),
    UInt(u64),
    F32(f32),
    Float(f64),
    F16(f16),
    BF16(bf16),
    F80(Float80),
    Bytes(Vec<u8>),
}

impl Scalar {
    /// The nearest `f64` (exact but for 64-bit integers and `float80`); NaN for bytes.
    pub fn to_f64(&self) -> f64 {
        match *self {
            Scalar::Int(v) => v as f64,
            Scalar::UInt(v) => v as f64,
            Scalar::F32(v) => v.into(),
            Scalar::Float(v) => v,
            Scalar::F16(v) => v.to_f64(),
            Scalar::BF16(v) => v.to_f64(),
            Scalar::F80(v) => v.to_f64(),
            Scalar::Bytes(_) => f64::NAN,
        }
    }

    /// The exact integer this value denotes, or why there is none.
    pub fn to_i128(&self) -> Result<i128, &'static str> {
        let float = match *self {
            Scalar::Int(v) => return Ok(v.into()),
            Scalar::UInt(v) => return Ok(v.into()),
            Scalar::F80(v) => return v.to_i128(),
            Scalar::Bytes(_) => return Err("not a number"),
            ref other => other.to_f64(),
        };
        if !float.is_finite() || float.fract() != 0.0 {
            return Err("not an integer");
        }
        // Every finite integral f64 below 2^127 in magnitude converts exactly; larger
        // ones saturate, which the caller's range check then refuses.
        Ok(float as i128)
    }

    /// Calls `f` with the text form, formatted on the stack: integers in decimal, floats
    /// in the shortest form that parses back to the same value (`0.1`, `1`, `1e20`), and
    /// `inf`, `-inf`, `nan` (float16, bfloat16 and float80 in the shortest form that
    /// parses back to the same value of their own type); bytes as they are.
    pub fn with_text<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match *self {
            Scalar::F16(v) => f(decimal::shortest(Half::from_bits(v.to_bits().into())).as_bytes()),
            Scalar::BF16(v) => f(decimal::shortest(BFloat::from_bits(v.to_bits().into())).as_bytes()),
            Scalar::F80(v) => f(v.text().as_bytes()),
            Scalar::Bytes(ref bytes) => f(bytes),
            Scalar::Int(v) => f(itoa::Buffer::new().format(v).as_bytes()),
            Scalar::UInt(v) => f(itoa::Buffer::new().format(v).as_bytes()),
            Scalar::F32(v) => float_text(v.is_finite(), v.is_nan(), v < 0.0, |b| b.format_finite(v), f),
            Scalar::Float(v) => {
                let mut buffer = [0u8; 32];
                match short_decimal(v, &mut buffer) {
                    Some(len) => f(&buffer[..len]),
                    None => float_text(v.is_finite(), v.is_nan(), v < 0.0, |b| b.format_finite(v), f),
                }
            }
        }
    }
}

/// Writes `v` as a plain decimal with at most six fraction digits, if one parses back to
/// exactly `v` — most data does (prices, measurements, halves) — and returns its length.
/// Several times cheaper than the general shortest-form algorithm, and as short: the
/// fewest fraction digits that round-trip are found first.
fn short_decimal(v: f64, out: &mut [u8; 32]) -> Option<usize> {
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.is_nan() || v.abs() >= 1e15 || (v == 0.0 && v.is_sign_negative()) {
        return None; // NaN, infinities, large magnitudes, -0: the general path
    }
    let mut scale = 1.0;
    for fraction_digits in 0..=6usize {
        // The product rounds, so the decimal with this many fraction digits nearest to `v`
        // is the rounded product or one of its neighbours (checking only an exact product
        // missed `8862920990.21375`, whose product at five digits is not a whole number,
        // and printed it with six).
        let product = v * scale;
        let rounded = product.round();
        // A decimal that parses back to `v` lies within 1.5 ulps of the exact product, so
        // within 3 of the rounded one: a cheap test that spares the division for the rest
        // (most digit counts, on the hot path of every float reply).
        let near = product.abs() * (4.0 * f64::EPSILON);
        // Division by a power of ten up to 10^22 and parsing a decimal both round
        // correctly, so `scaled / scale == v` means the decimal parses back to `v`.
        let found = [rounded, rounded - 1.0, rounded + 1.0]
            .into_iter()
            .find(|&scaled| (product - scaled).abs() <= near && scaled.abs() < MAX_EXACT && scaled / scale == v);
        if let Some(scaled) = found {
            let mut digits = itoa::Buffer::new();
            let digits = digits.format(scaled.abs() as u64).as_bytes();
            let mut len = 0;
            let mut push = |bytes: &[u8]| {
                out[len..len + bytes.len()].copy_from_slice(bytes);
                len += bytes.len();
            };
            if v < 0.0 {
                push(b"-");
            }
            match digits.len().checked_sub(fraction_digits) {
                _ if fraction_digits == 0 => push(digits),
                Some(whole) if whole > 0 => {
                    push(&digits[..whole]);
                    push(b".");
                    push(&digits[whole..]);
                }
                _ => {
                    push(b"0.");
                    push(&b"000000"[..fraction_digits - digits.len()]);
                    push(digits);
                }
            }
            return Some(len);
        }
        scale *= 10.0;
    }
    None
}

fn float_text<R>(
    finite: bool,
    nan: bool,
    negative: bool,
    format: impl FnOnce(&mut ryu::Buffer) -> &str,
    f: impl FnOnce(&[u8]) -> R,
) -> R {
    if nan {
        f(b"nan")
    } else if !finite {
        f(if negative { b"-inf" } else { b"inf" })
    } else {
        let mut buffer = ryu::Buffer::new();
        let text = format(&mut buffer);
        f(text.strip_suffix(".0").unwrap_or(text).as_bytes())
    }
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.with_text(|text| f.write_str(&String::from_utf8_lossy(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_shortest_round_trip() {
        assert_eq!(Scalar::Float(0.1).to_string(), "0.1");
        assert_eq!(Scalar::Float(1.0).to_string(), "1");
        assert_eq!(Scalar::Float(-0.0).to_string(), "-0");
        assert_eq!(Scalar::Float(1e20).to_string(), "1e20");
        assert_eq!(Scalar::F32(0.1).to_string(), "0.1");
        assert_eq!(Scalar::Float(f64::NEG_INFINITY).to_string(), "-inf");
        assert_eq!(Scalar::Float(f64::NAN).to_string(), "nan");
        assert_eq!(Scalar::Int(-5).to_string(), "-5");
        assert_eq!(Scalar::UInt(u64::MAX).to_string(), "18446744073709551615");
        for v in [0.1, 1.0 / 3.0, 1e-300, 123456789.123, f64::MAX, f64::MIN_POSITIVE] {
            assert_eq!(Scalar::Float(v).to_string().parse::<f64>().ok(), Some(v));
        }
    }

    #[test]
    fn short_decimals_round_trip_and_match_the_general_form() {
        for v in [0.5, 999.5, -2.25, 0.1, 0.001, 123456.789, 1e14, 7.0, -0.000001, 0.000123] {
            let text = Scalar::Float(v).to_string();
            assert_eq!(text.parse::<f64>().ok(), Some(v), "{text}");
            let mut general = ryu::Buffer::new();
            let general = general.format_finite(v);
            assert_eq!(text.parse::<f64>().ok(), general.parse::<f64>().ok());
            assert!(text.len() <= general.strip_suffix(".0").unwrap_or(general).len() + 4, "{text} vs {general}");
        }
        assert_eq!(Scalar::Float(999.5).to_string(), "999.5");
        assert_eq!(Scalar::Float(0.05).to_string(), "0.05");
        assert_eq!(Scalar::Float(-12.0).to_string(), "-12");
        assert_eq!(Scalar::Float(0.1 + 0.2).to_string(), "0.30000000000000004");
        // Found by the Redis fuzzer: printed "8862920990.213751".
        assert_eq!(Scalar::Float(8862920990.21375).to_string(), "8862920990.21375");
    }

    /// The digits of a float's text without sign, point, exponent, and leading or trailing
    /// zeros: `"-0.00120e5"` has the significant digits `12`.
    fn significant_digits(text: &str) -> usize {
        let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        digits.trim_start_matches('0').trim_end_matches('0').len().max(1)
    }

    proptest::proptest! {
        #[test]
        fn every_float_text_parses_back_exactly(
            bits in proptest::prelude::any::<u64>(),
            cents in -10_000_000i64..10_000_000,
            whole in 0u64..100_000_000_000,
            millionths in 0u32..1_000_000,
        ) {
            // Decimals with up to six fraction digits and up to eleven whole ones: where the
            // short path's products stop being exact.
            let decimal: f64 = format!("{whole}.{millionths:06}").parse().unwrap_or_default();
            for v in [f64::from_bits(bits), cents as f64 / 100.0, cents as f64 / 8.0, decimal] {
                let text = Scalar::Float(v).to_string();
                let back = text.parse::<f64>().map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                proptest::prop_assert!(back == v || (back.is_nan() && v.is_nan()), "{} -> {}", v, text);
                if v.is_finite() {
                    let mut general = ryu::Buffer::new();
                    let shortest = significant_digits(general.format_finite(v));
                    proptest::prop_assert!(significant_digits(&text) <= shortest, "{} -> {} (shortest has {} digits)", v, text, shortest);
                }
                // Every NaN is written `nan`, as Redis writes it: its sign and payload are not kept.
                if !v.is_nan() {
                    proptest::prop_assert_eq!(back.is_sign_negative(), v.is_sign_negative());
                }
            }
        }
    }

    #[test]
    fn integers_from_floats_must_be_whole() {
        assert_eq!(Scalar::Float(3.0).to_i128(), Ok(3));
        assert_eq!(Scalar::Float(-0.0).to_i128(), Ok(0));
        assert!(Scalar::Float(3.5).to_i128().is_err());
        assert!(Scalar::Float(f64::INFINITY).to_i128().is_err());
        assert!(Scalar::F32(f32::NAN).to_i128().is_err());
    }
}
