//! Element types: their names, sizes, and the little-endian encoding that is the file format.

use crate::error::Error;
use crate::scalar::Scalar;

/// The type of every element of a vector file. Not stored in the file: it is given at open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
}

impl Default for DType {
    /// `float64`, as in the seed module (RedisMMap), which stored doubles only.
    fn default() -> Self {
        DType::Float64
    }
}

/// How a dtype's values are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Int,
    UInt,
    Float,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Int, Kind::UInt, Kind::Float];

    /// `int`, `uint` or `float`.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Int => "int",
            Kind::UInt => "uint",
            Kind::Float => "float",
        }
    }
}

impl DType {
    pub const ALL: [DType; 10] = [
        DType::Int8,
        DType::UInt8,
        DType::Int16,
        DType::UInt16,
        DType::Int32,
        DType::UInt32,
        DType::Int64,
        DType::UInt64,
        DType::Float32,
        DType::Float64,
    ];

    /// Size of one element in bytes.
    pub const fn itemsize(self) -> usize {
        match self {
            DType::Int8 | DType::UInt8 => 1,
            DType::Int16 | DType::UInt16 => 2,
            DType::Int32 | DType::UInt32 | DType::Float32 => 4,
            DType::Int64 | DType::UInt64 | DType::Float64 => 8,
        }
    }

    /// The canonical name (numpy's): `int8` … `uint64`, `float32`, `float64`.
    pub const fn name(self) -> &'static str {
        match self {
            DType::Int8 => "int8",
            DType::UInt8 => "uint8",
            DType::Int16 => "int16",
            DType::UInt16 => "uint16",
            DType::Int32 => "int32",
            DType::UInt32 => "uint32",
            DType::Int64 => "int64",
            DType::UInt64 => "uint64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    /// The other names this dtype is known by: numpy's short codes (`i8 … u64, f32, f64`)
    /// and the type names `float` and `double` of the seed module's full version
    /// (t-fuchi/RedisMMap).
    pub const fn aliases(self) -> &'static [&'static str] {
        match self {
            DType::Int8 => &["i8"],
            DType::UInt8 => &["u8"],
            DType::Int16 => &["i16"],
            DType::UInt16 => &["u16"],
            DType::Int32 => &["i32"],
            DType::UInt32 => &["u32"],
            DType::Int64 => &["i64"],
            DType::UInt64 => &["u64"],
            DType::Float32 => &["f32", "float"],
            DType::Float64 => &["f64", "double"],
        }
    }

    /// Parses a dtype name or one of its [aliases](DType::aliases), case-insensitively.
    pub fn from_name(name: &str) -> Result<DType, Error> {
        let known = |dtype: &DType| {
            dtype.name().eq_ignore_ascii_case(name)
                || dtype.aliases().iter().any(|alias| alias.eq_ignore_ascii_case(name))
        };
        DType::ALL.into_iter().find(known).ok_or_else(|| Error::BadDType { name: name.to_owned() })
    }

    /// Whether values are signed integers, unsigned integers or IEEE floats.
    pub const fn kind(self) -> Kind {
        match self {
            DType::Int8 | DType::Int16 | DType::Int32 | DType::Int64 => Kind::Int,
            DType::UInt8 | DType::UInt16 | DType::UInt32 | DType::UInt64 => Kind::UInt,
            DType::Float32 | DType::Float64 => Kind::Float,
        }
    }

    /// The smallest and the largest value the type holds: the integer bounds, or the
    /// largest finite floats (beyond them only the infinities).
    pub fn bounds(self) -> (Scalar, Scalar) {
        match self {
            DType::Float32 => (Scalar::F32(f32::MIN), Scalar::F32(f32::MAX)),
            DType::Float64 => (Scalar::Float(f64::MIN), Scalar::Float(f64::MAX)),
            _ => {
                let (min, max) = self.int_bounds();
                // The bounds of every integer type fit an i64 (min) and a u64 (max).
                (Scalar::Int(min as i64), Scalar::UInt(max as u64))
            }
        }
    }

    /// The descr numpy writes in a `.npy` header for this type (little-endian).
    pub const fn npy_descr(self) -> &'static str {
        match self {
            DType::Int8 => "|i1",
            DType::UInt8 => "|u1",
            DType::Int16 => "<i2",
            DType::UInt16 => "<u2",
            DType::Int32 => "<i4",
            DType::UInt32 => "<u4",
            DType::Int64 => "<i8",
            DType::UInt64 => "<u8",
            DType::Float32 => "<f4",
            DType::Float64 => "<f8",
        }
    }

    /// The type of a `.npy` descr: [`DType::npy_descr`]'s, and the single-byte types with
    /// `<` or no byte order, which numpy also reads as them.
    pub fn from_npy_descr(descr: &str) -> Option<DType> {
        let single_byte = match descr {
            "<i1" | "i1" => Some(DType::Int8),
            "<u1" | "u1" => Some(DType::UInt8),
            _ => None,
        };
        single_byte.or_else(|| DType::ALL.into_iter().find(|d| d.npy_descr() == descr))
    }

    pub const fn is_float(self) -> bool {
        matches!(self, DType::Float32 | DType::Float64)
    }

    /// True for the types whose values do not all fit a JS `number` (they map to `bigint`).
    pub const fn is_64bit_int(self) -> bool {
        matches!(self, DType::Int64 | DType::UInt64)
    }

    /// Reads one element. `bytes` must hold at least `itemsize()` bytes; callers index
    /// through checked offsets, so a shorter slice is a bug and reads as zero rather than panicking.
    pub fn decode(self, bytes: &[u8]) -> Scalar {
        fn take<const N: usize>(bytes: &[u8]) -> [u8; N] {
            let mut out = [0u8; N];
            if let Some(src) = bytes.get(..N) {
                out.copy_from_slice(src);
            }
            out
        }
        match self {
            DType::Int8 => Scalar::Int(i8::from_le_bytes(take(bytes)).into()),
            DType::UInt8 => Scalar::UInt(u8::from_le_bytes(take(bytes)).into()),
            DType::Int16 => Scalar::Int(i16::from_le_bytes(take(bytes)).into()),
            DType::UInt16 => Scalar::UInt(u16::from_le_bytes(take(bytes)).into()),
            DType::Int32 => Scalar::Int(i32::from_le_bytes(take(bytes)).into()),
            DType::UInt32 => Scalar::UInt(u32::from_le_bytes(take(bytes)).into()),
            DType::Int64 => Scalar::Int(i64::from_le_bytes(take(bytes))),
            DType::UInt64 => Scalar::UInt(u64::from_le_bytes(take(bytes))),
            DType::Float32 => Scalar::F32(f32::from_le_bytes(take(bytes))),
            DType::Float64 => Scalar::Float(f64::from_le_bytes(take(bytes))),
        }
    }

    /// Writes `value` as one element into `out[..itemsize()]`, refusing values the type
    /// cannot hold exactly (out of range, fractional for an integer type, a float32
    /// overflow). Nothing is written on error.
    pub fn encode(self, value: Scalar, out: &mut [u8]) -> Result<(), Error> {
        let bad = |reason: &'static str| Error::BadValue { value: value.to_string(), dtype: self, reason };
        let out = out.get_mut(..self.itemsize()).ok_or_else(|| bad("no room for the element"))?;
        match self {
            DType::Float64 => {
                let wide = value.to_f64();
                check_exact_integer(value, wide).map_err(bad)?;
                out.copy_from_slice(&wide.to_le_bytes());
            }
            DType::Float32 => {
                let wide = value.to_f64();
                let narrow = wide as f32;
                if wide.is_finite() && !narrow.is_finite() {
                    return Err(bad("out of range"));
                }
                check_exact_integer(value, f64::from(narrow)).map_err(bad)?;
                out.copy_from_slice(&narrow.to_le_bytes());
            }
            _ => {
                let wide = value.to_i128().map_err(bad)?;
                let (min, max) = self.int_bounds();
                if wide < min || wide > max {
                    return Err(bad("out of range"));
                }
                let bytes = wide.to_le_bytes();
                out.copy_from_slice(&bytes[..self.itemsize()]);
            }
        }
        Ok(())
    }

    /// Parses the text form of a value (as a Redis client sends it) for this type:
    /// integers for integer types, any float syntax (`1e3`, `inf`, `nan`) for float types.
    pub fn parse(self, text: &[u8]) -> Result<Scalar, Error> {
        let bad = |reason: &'static str| Error::BadValue { value: shown(text), dtype: self, reason };
        let value = if self.is_float() {
            Scalar::Float(parse_float(text).map_err(bad)?)
        } else {
            match integer_text(text) {
                Some(v) => match (i64::try_from(v), u64::try_from(v)) {
                    (Ok(v), _) => Scalar::Int(v),
                    (_, Ok(v)) => Scalar::UInt(v),
                    _ => return Err(bad("out of range")),
                },
                None if is_long_integer(text) => return Err(bad("out of range")),
                None => return Err(bad("not an integer")),
            }
        };
        let mut scratch = [0u8; 8];
        // Refusals quote the text as the client sent it, not the number it parsed to.
        self.encode(value, &mut scratch).map_err(|err| match err {
            Error::BadValue { reason, .. } => bad(reason),
            other => other,
        })?;
        Ok(value)
    }

    /// The text of `value` stored as this type, as a Redis client reads it back: the
    /// value is encoded (refused as `encode` refuses it) and decoded, so a float32 prints
    /// in its own shortest form and an integer type never prints `-0`.
    pub fn format(self, value: Scalar) -> Result<String, Error> {
        Ok(self.store(value)?.to_string())
    }

    /// `value` as this type holds it once stored, or why it cannot be stored (as `encode`).
    pub fn store(self, value: Scalar) -> Result<Scalar, Error> {
        let mut scratch = [0u8; 8];
        self.encode(value, &mut scratch)?;
        Ok(self.decode(&scratch))
    }

    /// The text of every element in `bytes` (whole elements, little-endian), each
    /// followed by a newline.
    pub fn format_lines(self, bytes: &[u8]) -> Result<String, Error> {
        if !bytes.len().is_multiple_of(self.itemsize()) {
            return Err(Error::BadLength { len: bytes.len(), dtype: self });
        }
        let mut out = String::with_capacity(bytes.len() * 3);
        for element in bytes.chunks_exact(self.itemsize()) {
            self.decode(element).with_text(|text| out.push_str(&String::from_utf8_lossy(text)));
            out.push('\n');
        }
        Ok(out)
    }

    /// Parses `text` (as [`parse`](DType::parse)) and appends the element's bytes to `out`;
    /// nothing is appended on error.
    pub fn parse_to_bytes(self, text: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let value = self.parse(text)?;
        let mut element = [0u8; 8];
        self.encode(value, &mut element)?;
        out.extend_from_slice(&element[..self.itemsize()]);
        Ok(())
    }

    /// Appends every element of `bytes` (whole little-endian elements of this type) to
    /// `out` as type `to`, each refused as [`encode`](DType::encode) refuses it; on error
    /// `out` holds the elements before the refused one.
    pub fn convert_into(self, bytes: &[u8], to: DType, out: &mut Vec<u8>) -> Result<(), Error> {
        if !bytes.len().is_multiple_of(self.itemsize()) {
            return Err(Error::BadLength { len: bytes.len(), dtype: self });
        }
        out.reserve(bytes.len() / self.itemsize() * to.itemsize());
        let mut element = [0u8; 8];
        for source in bytes.chunks_exact(self.itemsize()) {
            to.encode(self.decode(source), &mut element)?;
            out.extend_from_slice(&element[..to.itemsize()]);
        }
        Ok(())
    }

    /// Parses an increment for this type: any 64-bit integer for integer types (a
    /// negative delta is fine for unsigned ones), any finite float for float types.
    pub fn parse_delta(self, text: &[u8]) -> Result<Scalar, Error> {
        let bad = |reason: &'static str| Error::BadValue { value: shown(text), dtype: self, reason };
        if self.is_float() {
            let delta = parse_float(text).map_err(bad)?;
            if !delta.is_finite() {
                return Err(bad("not a finite increment"));
            }
            Ok(Scalar::Float(delta))
        } else {
            integer_text(text)
                .and_then(|v| i64::try_from(v).ok())
                .map(Scalar::Int)
                .ok_or_else(|| bad("not an integer increment"))
        }
    }

    /// `current + delta` as this type, refusing results it cannot hold (overflow, or
    /// a float sum that is not finite).
    pub fn add(self, current: Scalar, delta: Scalar) -> Result<Scalar, Error> {
        let bad = |value: String, reason: &'static str| Error::BadValue { value, dtype: self, reason };
        let sum = if self.is_float() {
            let sum = current.to_f64() + delta.to_f64();
            if !sum.is_finite() {
                return Err(bad(Scalar::Float(sum).to_string(), "increment would not be finite"));
            }
            Scalar::Float(sum)
        } else {
            let (a, b) = (current.to_i128(), delta.to_i128());
            let (Ok(a), Ok(b)) = (a, b) else {
                return Err(bad(delta.to_string(), "not an integer increment"));
            };
            let sum = a + b;
            match (i64::try_from(sum), u64::try_from(sum)) {
                (Ok(v), _) => Scalar::Int(v),
                (_, Ok(v)) => Scalar::UInt(v),
                _ => return Err(bad(sum.to_string(), "out of range")),
            }
        };
        let mut scratch = [0u8; 8];
        self.encode(sum, &mut scratch)?;
        Ok(self.decode(&scratch))
    }

    const fn int_bounds(self) -> (i128, i128) {
        match self {
            DType::Int8 => (i8::MIN as i128, i8::MAX as i128),
            DType::UInt8 => (0, u8::MAX as i128),
            DType::Int16 => (i16::MIN as i128, i16::MAX as i128),
            DType::UInt16 => (0, u16::MAX as i128),
            DType::Int32 => (i32::MIN as i128, i32::MAX as i128),
            DType::UInt32 => (0, u32::MAX as i128),
            DType::Int64 => (i64::MIN as i128, i64::MAX as i128),
            DType::UInt64 => (0, u64::MAX as i128),
            DType::Float32 | DType::Float64 => (0, 0),
        }
    }
}

/// Integer syntax as Redis parses it: an optional `-`, then digits with no leading zero
/// (no `+`, no spaces). `None` if the text is not one, or has more than 39 digits.
pub fn integer_text(text: &[u8]) -> Option<i128> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    let canonical = match digits {
        [b'0'] => true,
        [b'1'..=b'9', ..] => digits.len() <= 39,
        _ => false,
    };
    if !canonical {
        return None;
    }
    let mut value: i128 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i128::from(digit - b'0'))?;
    }
    Some(if negative { -value } else { value })
}

/// Whether `text` has integer syntax but too many digits for `integer_text`.
fn is_long_integer(text: &[u8]) -> bool {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    digits.len() > 1 && digits[0] != b'0' && digits.iter().all(u8::is_ascii_digit)
}

/// A float in any of Rust's (and C's) syntaxes; a finite literal that overflows to
/// infinity is refused rather than stored as `inf`.
fn parse_float(text: &[u8]) -> Result<f64, &'static str> {
    let text = std::str::from_utf8(text).map_err(|_| "not a number")?;
    let value = text.parse::<f64>().map_err(|_| "not a number")?;
    let literal_infinity = text.trim_start_matches(['+', '-']).to_ascii_lowercase().starts_with("inf");
    if value.is_infinite() && !literal_infinity {
        return Err("out of range");
    }
    Ok(value)
}

/// A value as error messages show it: lossy UTF-8, cut at 128 characters (as Redis cuts
/// arguments in its own errors).
fn shown(text: &[u8]) -> String {
    const LIMIT: usize = 128;
    let text = String::from_utf8_lossy(text);
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.into_owned(),
    }
}

/// An integer stored in a float type must survive the conversion exactly: 2^53 + 1
/// would silently become 2^53. (Floats given as floats are rounded as usual.)
fn check_exact_integer(value: Scalar, stored: f64) -> Result<(), &'static str> {
    let exact = match value {
        Scalar::Int(v) => stored.is_finite() && stored as i128 == i128::from(v),
        Scalar::UInt(v) => stored.is_finite() && stored as i128 == i128::from(v),
        Scalar::F32(_) | Scalar::Float(_) => true,
    };
    if exact { Ok(()) } else { Err("not exactly representable") }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DType::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for dtype in DType::ALL {
            assert_eq!(DType::from_name(dtype.name()).ok(), Some(dtype));
            assert_eq!(DType::from_name(&dtype.name().to_uppercase()).ok(), Some(dtype));
        }
        assert_eq!(DType::from_name("f64").ok(), Some(DType::Float64));
        assert_eq!(DType::from_name("double").ok(), Some(DType::Float64));
        assert_eq!(DType::from_name("float").ok(), Some(DType::Float32));
        assert_eq!(DType::from_name("u16").ok(), Some(DType::UInt16));
        let err = DType::from_name("complex128").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "unknown dtype 'complex128' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64)"
            )
        );
    }

    #[test]
    fn the_table_describes_every_dtype() {
        let aliases: Vec<&str> = DType::ALL.iter().flat_map(|d| d.aliases().iter().copied()).collect();
        assert_eq!(aliases, ["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "float", "f64", "double"]);
        assert_eq!(DType::from_name("DOUBLE").ok(), Some(DType::Float64));
        assert_eq!(DType::UInt16.kind(), Kind::UInt);
        assert_eq!(DType::Float32.kind().name(), "float");
        assert_eq!(DType::Int8.bounds(), (Scalar::Int(-128), Scalar::UInt(127)));
        assert_eq!(DType::UInt64.bounds(), (Scalar::Int(0), Scalar::UInt(u64::MAX)));
        assert_eq!(DType::Int64.bounds(), (Scalar::Int(i64::MIN), Scalar::UInt(i64::MAX as u64)));
        assert_eq!(DType::Float32.bounds().1, Scalar::F32(f32::MAX));
    }

    #[test]
    fn format_prints_the_stored_value() {
        let text = |d: DType, v: Scalar| d.format(v).map_err(|e| e.to_string());
        assert_eq!(text(DType::Float32, Scalar::Float(f64::from(0.1f32))).as_deref(), Ok("0.1"));
        assert_eq!(text(DType::Float64, Scalar::Float(1e21)).as_deref(), Ok("1e21"));
        assert_eq!(text(DType::Float64, Scalar::Float(f64::INFINITY)).as_deref(), Ok("inf"));
        assert_eq!(text(DType::Int16, Scalar::Float(-0.0)).as_deref(), Ok("0"));
        assert_eq!(
            text(DType::Int8, Scalar::Float(1.5)).err().as_deref(),
            Some("value '1.5' is not valid for int8: not an integer")
        );
        let mut parsed = Vec::new();
        for text in [&b"1.5"[..], b"-0", b"nan"] {
            assert!(DType::Float32.parse_to_bytes(text, &mut parsed).is_ok());
        }
        assert!(DType::Float32.parse_to_bytes(b"1e39", &mut parsed).is_err());
        assert_eq!(DType::Float32.format_lines(&parsed).ok().as_deref(), Some("1.5\n-0\nnan\n"));
        let bytes: Vec<u8> = [1.5f32, f32::NAN, -0.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(DType::Float32.format_lines(&bytes).ok().as_deref(), Some("1.5\nnan\n-0\n"));
        assert_eq!(
            DType::Int16.format_lines(&[1, 2, 3]).err().map(|e| e.to_string()).as_deref(),
            Some("3 bytes is not a whole number of int16 elements (2 bytes each)")
        );
    }

    #[test]
    fn encode_checks_integer_ranges() {
        let mut buf = [0u8; 8];
        assert!(DType::Int8.encode(Scalar::Int(127), &mut buf).is_ok());
        assert!(DType::Int8.encode(Scalar::Int(128), &mut buf).is_err());
        assert!(DType::UInt8.encode(Scalar::Int(-1), &mut buf).is_err());
        assert!(DType::UInt64.encode(Scalar::UInt(u64::MAX), &mut buf).is_ok());
        assert!(DType::Int64.encode(Scalar::UInt(u64::MAX), &mut buf).is_err());
        assert!(DType::Int32.encode(Scalar::Float(2.0), &mut buf).is_ok());
        assert!(DType::Int32.encode(Scalar::Float(2.5), &mut buf).is_err());
        assert!(DType::Int32.encode(Scalar::Float(f64::NAN), &mut buf).is_err());
        assert!(DType::Float32.encode(Scalar::Float(1e300), &mut buf).is_err());
        assert!(DType::Float32.encode(Scalar::Float(f64::INFINITY), &mut buf).is_ok());
    }

    #[test]
    fn convert_into_checks_every_element() {
        let mut out = Vec::new();
        let ints: Vec<u8> = [1i32, -2, 16_777_217].iter().flat_map(|v| v.to_le_bytes()).collect();
        let err = DType::Int32.convert_into(&ints, DType::Float32, &mut out).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("value '16777217' is not valid for float32: not exactly representable"));
        assert_eq!(out, [1f32.to_le_bytes(), (-2f32).to_le_bytes()].concat());
        out.clear();
        let floats: Vec<u8> = [2.0f64, -0.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert!(DType::Float64.convert_into(&floats, DType::Int8, &mut out).is_ok());
        assert_eq!(out, [2, 0]);
        assert!(DType::Float64.convert_into(&[0; 3], DType::Int8, &mut out).is_err());
    }

    #[test]
    fn decode_reads_little_endian() {
        assert_eq!(DType::Int16.decode(&[0xfe, 0xff]), Scalar::Int(-2));
        assert_eq!(DType::UInt16.decode(&[0x01, 0x02]), Scalar::UInt(0x0201));
        assert_eq!(DType::Float64.decode(&1.5f64.to_le_bytes()), Scalar::Float(1.5));
        assert_eq!(DType::Float32.decode(&0.5f32.to_le_bytes()), Scalar::F32(0.5));
    }

    #[test]
    fn parse_is_strict() {
        assert_eq!(DType::Int32.parse(b"-7").ok(), Some(Scalar::Int(-7)));
        assert_eq!(DType::UInt64.parse(b"18446744073709551615").ok(), Some(Scalar::UInt(u64::MAX)));
        let msg = |d: DType, t: &[u8]| d.parse(t).err().map(|e| e.to_string());
        assert_eq!(msg(DType::Int32, b"1.5").as_deref(), Some("value '1.5' is not valid for int32: not an integer"));
        assert_eq!(msg(DType::Int8, b"300").as_deref(), Some("value '300' is not valid for int8: out of range"));
        assert_eq!(
            msg(DType::Int64, b"99999999999999999999").as_deref(),
            Some("value '99999999999999999999' is not valid for int64: out of range")
        );
        assert_eq!(msg(DType::Float64, b"abc").as_deref(), Some("value 'abc' is not valid for float64: not a number"));
        assert_eq!(msg(DType::Float64, b"").as_deref(), Some("value '' is not valid for float64: not a number"));
        assert_eq!(
            msg(DType::Float32, b"1e39").as_deref(),
            Some("value '1e39' is not valid for float32: out of range")
        );
        assert!(DType::Float64.parse(b"inf").is_ok());
        assert!(DType::Float64.parse(b"nan").is_ok());
        assert!(DType::Float64.parse(b"-Infinity").is_ok());
        assert_eq!(
            msg(DType::Float64, b"1e400").as_deref(),
            Some("value '1e400' is not valid for float64: out of range")
        );
        for loose in [&b"+5"[..], b"05", b" 5", b"5 ", b"--5", b"-"] {
            assert_eq!(DType::Int32.parse(loose).err().map(|e| e.code()), Some("ERR_MMVEC_BAD_VALUE"));
        }
        assert_eq!(
            msg(DType::Int8, b"\xff").as_deref(),
            Some("value '\u{fffd}' is not valid for int8: not an integer")
        );
        let long = vec![b'x'; 200];
        let text = msg(DType::Int8, &long).unwrap_or_default();
        assert_eq!(text, format!("value '{}...' is not valid for int8: not an integer", "x".repeat(128)));
        assert_eq!(integer_text(b"-0"), Some(0));
        assert_eq!(integer_text(b"170141183460469231731687303715884105727"), Some(i128::MAX));
    }

    #[test]
    fn increments() {
        let delta = |d: DType, t: &[u8]| d.parse_delta(t);
        assert_eq!(delta(DType::UInt8, b"-1").ok(), Some(Scalar::Int(-1)));
        assert_eq!(delta(DType::Float32, b"0.5").ok(), Some(Scalar::Float(0.5)));
        let msg = |r: Result<Scalar, Error>| r.err().map(|e| e.to_string());
        assert_eq!(
            msg(delta(DType::Int8, b"1.5")).as_deref(),
            Some("value '1.5' is not valid for int8: not an integer increment")
        );
        assert_eq!(
            msg(delta(DType::Float64, b"inf")).as_deref(),
            Some("value 'inf' is not valid for float64: not a finite increment")
        );
        assert_eq!(DType::UInt8.add(Scalar::UInt(5), Scalar::Int(-2)).ok(), Some(Scalar::UInt(3)));
        assert_eq!(
            msg(DType::UInt8.add(Scalar::UInt(5), Scalar::Int(-6))).as_deref(),
            Some("value '-1' is not valid for uint8: out of range")
        );
        assert_eq!(
            msg(DType::Int64.add(Scalar::Int(i64::MAX), Scalar::Int(1))).as_deref(),
            Some("value '9223372036854775808' is not valid for int64: out of range")
        );
        assert_eq!(DType::UInt64.add(Scalar::UInt(u64::MAX - 1), Scalar::Int(1)).ok(), Some(Scalar::UInt(u64::MAX)));
        assert_eq!(DType::Float32.add(Scalar::F32(0.5), Scalar::Float(0.25)).ok(), Some(Scalar::F32(0.75)));
        assert_eq!(
            msg(DType::Float64.add(Scalar::Float(f64::MAX), Scalar::Float(f64::MAX))).as_deref(),
            Some("value 'inf' is not valid for float64: increment would not be finite")
        );
    }
}
