//! Decimal text to and from the floats that Rust has no primitive for (float16, bfloat16,
//! float80), through `rustc_apfloat`'s correctly rounded conversions: parsing rounds to
//! nearest-even straight from the text (no detour through `f64`, which would round twice),
//! and printing picks the fewest significant digits that parse back to the same value.

use rustc_apfloat::ieee::{Quad, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert, Round, Status};

/// Parses `text` in Rust's float syntax (the one float32 and float64 accept: `1e3`, `.5`,
/// `inf`, `nan`, `-Infinity`) into `F`. A finite literal too large for `F` is refused
/// rather than stored as an infinity.
pub fn parse<F: Float>(text: &[u8]) -> Result<F, &'static str> {
    let text = std::str::from_utf8(text).map_err(|_| "not a number")?;
    // Rust's parser decides the syntax, so every float type accepts the same texts.
    let wide = text.parse::<f64>().map_err(|_| "not a number")?;
    if wide.is_nan() {
        return Ok(F::NAN);
    }
    let negative = text.starts_with('-');
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned.to_ascii_lowercase().starts_with("inf") {
        return Ok(if negative { -F::INFINITY } else { F::INFINITY });
    }
    // apfloat takes no leading `+`, and knows neither `.5` nor `5.` without a digit.
    let mut digits = String::with_capacity(unsigned.len() + 3);
    if negative {
        digits.push('-');
    }
    if unsigned.starts_with('.') {
        digits.push('0');
    }
    digits.push_str(unsigned);
    let parsed = F::from_str_r(&digits, Round::NearestTiesToEven).map_err(|_| "not a number")?;
    if parsed.status.intersects(Status::OVERFLOW) {
        return Err("out of range");
    }
    Ok(parsed.value)
}

/// The shortest text that parses back (by [`parse`]) to exactly `value`, in the style of
/// the other floats' text: plain decimals (`0.1`, `65500`) where their digits are few,
/// else `1.5e-7`, `1e4932`; and `inf`, `-inf`, `nan`, `-0`. The digits come from
/// apfloat's exact expansion, which grows with the exponent: right for the 16-bit types.
pub fn shortest<F: Float>(value: F) -> String {
    special_text(value).unwrap_or_else(|| {
        let (negative, digits, exponent) = split_scientific(&format!("{value:0$.1$}", 0, digits_asked::<F>()));
        shortest_from(value, negative, &digits, exponent)
            .unwrap_or_else(|| restyle(&scientific(negative, &digits, exponent)))
    })
}

/// [`shortest`] for float80, whose exact expansion can run to thousands of digits (some
/// milliseconds each): the candidate digits come from the value scaled near 1 in quad
/// precision (49 more bits than float80 has, so exact but in rare near-ties, where both
/// neighbours are tried anyway); every candidate is still checked by an exact parse, and
/// the exact expansion is the fallback.
pub fn shortest_x87(value: X87DoubleExtended) -> String {
    special_text(value).unwrap_or_else(|| {
        let candidates = scaled_digits(value, digits_asked::<X87DoubleExtended>())
            .and_then(|(negative, digits, exponent)| shortest_from(value, negative, &digits, exponent));
        candidates.unwrap_or_else(|| shortest(value))
    })
}

fn special_text<F: Float>(value: F) -> Option<String> {
    let text = if value.is_nan() {
        "nan"
    } else if value.is_infinite() {
        if value.is_negative() { "-inf" } else { "inf" }
    } else if value.is_zero() {
        if value.is_negative() { "-0" } else { "0" }
    } else {
        return None;
    };
    Some(text.to_owned())
}

/// More digits than any value of `F` needs to round-trip (Steele and White's bound, plus
/// margin): apfloat truncates below the digits asked for, so these are exact but perhaps
/// for the last few.
fn digits_asked<F: Float>() -> usize {
    2 + F::PRECISION * 59 / 196 + 4
}

/// The sign, digits and exponent of `value` from `value × 2^-e2 × 2^e2 / 10^e10` in quad
/// precision, where `2^e2 / 10^e10` is near 1; applied in two halves that stay in range.
fn scaled_digits(value: X87DoubleExtended, count: usize) -> Option<(bool, String, i64)> {
    let exp2 = value.ilogb();
    let exp10 = (f64::from(exp2) * std::f64::consts::LOG10_2).floor() as i64;
    let unit: rustc_apfloat::StatusAnd<Quad> = value.scalbn(-exp2).convert(&mut false);
    let mut scaled = unit.value;
    for (half2, half10) in [(exp2 / 2, exp10 / 2), (exp2 - exp2 / 2, exp10 - exp10 / 2)] {
        let power = Quad::from_str_r(&format!("1e{}", -half10), Round::NearestTiesToEven).ok()?.value;
        scaled = (scaled * power.scalbn(half2)).value;
    }
    let (negative, digits, exponent) = split_scientific(&format!("{scaled:0$.1$}", 0, count));
    Some((negative, digits, exponent + exp10))
}

/// The shortest of the decimals that `digits × 10^exponent` (the value's leading digits)
/// suggests that parses back to exactly `value`, restyled; `None` if none does.
fn shortest_from<F: Float>(value: F, negative: bool, digits: &str, exponent: i64) -> Option<String> {
    // The shortest decimal that parses back lies between the value's neighbours, so at
    // each length one of the two decimals of that length around the value is it, if any is.
    let at_length = |length: usize| {
        let down = digits[..length].to_owned();
        let (up, up_exponent) = increment(&down, exponent);
        let next = digits.as_bytes().get(length).copied().unwrap_or(b'0');
        let candidates =
            if next >= b'5' { [(up, up_exponent), (down, exponent)] } else { [(down, exponent), (up, up_exponent)] };
        candidates.into_iter().map(|(candidate, exponent)| scientific(negative, &candidate, exponent)).find(|text| {
            F::from_str_r(text, Round::NearestTiesToEven).map(|parsed| parsed.value.to_bits()) == Ok(value.to_bits())
        })
    };
    // A length that parses back stays one when digits are added (the decimal found lies
    // on the longer lengths' grid too, beyond one of the two around the value, which are
    // then between it and the value), so the shortest is found by bisection: a handful of
    // exact parses per value rather than two per length (float80's are the costly ones).
    let (mut shorter, mut found) = (1, digits.len());
    let mut text = at_length(found)?;
    while shorter < found {
        let middle = (shorter + found) / 2;
        match at_length(middle) {
            Some(shorter_text) => (text, found) = (shorter_text, middle),
            None => shorter = middle + 1,
        }
    }
    Some(restyle(&text))
}

/// The sign, significant digits (no trailing zeros) and decimal exponent of apfloat's
/// scientific form `-d.dddE+x`.
fn split_scientific(text: &str) -> (bool, String, i64) {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = unsigned.split_once(['E', 'e']).unwrap_or((unsigned, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (negative, digits.to_owned(), exponent.parse().unwrap_or(0))
}

/// The decimal one unit in the last place above `digits` (`d.ddd × 10^exponent`):
/// `"199"` becomes `"2"`, and `"99"` becomes `"1"` with the exponent one higher.
fn increment(digits: &str, exponent: i64) -> (String, i64) {
    let mut bytes = digits.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last != b'9' {
            bytes.push(last + 1);
            return (String::from_utf8_lossy(&bytes).into_owned(), exponent);
        }
    }
    ("1".to_owned(), exponent + 1)
}

fn scientific(negative: bool, digits: &str, exponent: i64) -> String {
    let sign = if negative { "-" } else { "" };
    match digits.split_at_checked(1) {
        Some((first, rest)) if !rest.is_empty() => format!("{sign}{first}.{rest}e{exponent}"),
        _ => format!("{sign}{digits}e{exponent}"),
    }
}

/// `-d.ddde+x` (a scientific form) as the core prints float64: plain when the
/// point falls within 16 digits after or 5 zeros before the first digit (as ryu), or
/// when there are at most 15 whole digits and 6 fraction digits (as the short path);
/// else `d.ddde-x`, with no `+` and no trailing zeros.
fn restyle(scientific: &str) -> String {
    let (negative, digits, exponent) = split_scientific(scientific);
    let digits = digits.as_str();
    let count = digits.len() as i64;
    // How many digits stand before the point.
    let whole = exponent + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    let fraction = (count - whole).max(0);
    // Also plain: up to 15 whole digits with up to 6 fraction digits, as float64 prints.
    let plain = (whole <= 15 && fraction <= 6) || (-5 < whole && whole <= 16);
    if plain && whole > 0 {
        if count <= whole {
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', (whole - count) as usize));
        } else {
            out.push_str(&digits[..whole as usize]);
            out.push('.');
            out.push_str(&digits[whole as usize..]);
        }
    } else if plain {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-whole) as usize));
        out.push_str(digits);
    } else {
        out.push_str(&digits[..1]);
        if count > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push_str(&exponent.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_apfloat::ieee::{BFloat, Half};

    fn half(text: &str) -> Result<u16, &'static str> {
        parse::<Half>(text.as_bytes()).map(|v| v.to_bits() as u16)
    }

    #[test]
    fn parsing_rounds_once_to_nearest_even() {
        assert_eq!(half("1"), Ok(0x3c00));
        assert_eq!(half("+1.5"), Ok(0x3e00));
        assert_eq!(half(".5"), Ok(0x3800));
        assert_eq!(half("2."), Ok(0x4000));
        assert_eq!(half("-0"), Ok(0x8000));
        // 1 + 2^-11 is halfway between 1 and the next half: even is 1.
        assert_eq!(half("1.00048828125"), Ok(0x3c00));
        // A hair above halfway rounds up, though float64 would have rounded it to the tie.
        assert_eq!(half("1.000488281250000000001"), Ok(0x3c01));
        assert_eq!(half("65504"), Ok(0x7bff));
        assert_eq!(half("65519"), Ok(0x7bff));
        assert_eq!(half("65520"), Err("out of range"));
        assert_eq!(half("1e-10"), Ok(0));
        assert_eq!(half("inf"), Ok(0x7c00));
        assert_eq!(half("-Infinity"), Ok(0xfc00));
        assert!(parse::<Half>(b"nan").is_ok_and(|v| v.is_nan()));
        for bad in ["", "abc", "1e", "0x10", " 1", "1_0"] {
            assert_eq!(half(bad), Err("not a number"), "{bad}");
        }
        assert_eq!(parse::<BFloat>(b"3.38e38").map(|v| v.to_bits()), Ok(0x7f7e));
        assert_eq!(parse::<BFloat>(b"3.4e39").map(|v| v.to_bits()), Err("out of range"));
        assert!(parse::<X87DoubleExtended>(b"1e4000").is_ok());
        assert_eq!(parse::<X87DoubleExtended>(b"1e5000").map(|v| v.to_bits()), Err("out of range"));
    }

    #[test]
    fn printing_is_shortest_and_parses_back() {
        let text = |bits: u16| shortest(Half::from_bits(bits.into()));
        assert_eq!(text(0x3c00), "1");
        assert_eq!(text(0x2e66), "0.1");
        // 65504, the largest half: 65500 is nearer to it than to any other.
        assert_eq!(text(0x7bff), "65500");
        assert_eq!(text(0x0001), "6e-8");
        assert_eq!(text(0x8000), "-0");
        assert_eq!(text(0xfc00), "-inf");
        assert_eq!(text(0x7e00), "nan");
        for bits in 0..=u16::MAX {
            let value = Half::from_bits(bits.into());
            let back = parse::<Half>(shortest(value).as_bytes()).map(|v| v.to_bits());
            assert!(value.is_nan() || back == Ok(bits.into()), "{bits:#x} -> {}", shortest(value));
        }
        let x87 = |text: &str| parse::<X87DoubleExtended>(text.as_bytes()).map(shortest_x87);
        assert_eq!(x87("10").as_deref(), Ok("10"));
        assert_eq!(x87("0.1").as_deref(), Ok("0.1"));
        assert_eq!(x87("1e16").as_deref(), Ok("1e16"));
        assert_eq!(x87("-0.000001").as_deref(), Ok("-0.000001"));
        assert_eq!(x87("1.5e-7").as_deref(), Ok("1.5e-7"));
        assert_eq!(x87("1.18973149535723176502e+4932").as_deref(), Ok("1.189731495357231765e4932"));
        let bfloat = |text: &str| parse::<BFloat>(text.as_bytes()).map(shortest);
        // apfloat's own short forms truncate (it would print 9.96e37 here).
        assert_eq!(bfloat("1e38").as_deref(), Ok("1e38"));
        assert_eq!(bfloat("-9.99e-39").as_deref(), Ok("-1e-38"));
    }
}
