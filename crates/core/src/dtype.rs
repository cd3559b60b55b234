//! Element types: their names, sizes, and the little-endian encoding that is the file format.

use std::borrow::Cow;

use half::{bf16, f16};
use rustc_apfloat::ieee::{BFloat, Half};

use crate::decimal;
use crate::error::Error;
use crate::float80::{self, Float80};
use crate::scalar::Scalar;

/// The type of every element of a vector file. Not stored in the file: it is given at open.
///
/// Every variant but `Bytes` is one type; `Bytes` is the family `bytes<N>` of fixed-width
/// byte strings (numpy's `S<N>`), one type per width.
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
    /// IEEE binary16.
    Float16,
    /// bfloat16 (the upper half of a float32), as `ml_dtypes` keeps it.
    BFloat16,
    /// x87 extended precision in a 16-byte slot (numpy's `longdouble` on x86-64 Linux).
    Float80,
    /// `bytes<N>`: N bytes per element, NUL-padded.
    Bytes(ByteWidth),
}

/// The width N of a `bytes<N>` dtype: 1 to [`ByteWidth::MAX`] bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ByteWidth(u32);

impl ByteWidth {
    pub const MIN: u32 = 1;
    pub const MAX: u32 = 65536;

    /// `None` unless `MIN <= width <= MAX`.
    pub const fn new(width: u64) -> Option<ByteWidth> {
        if width >= ByteWidth::MIN as u64 && width <= ByteWidth::MAX as u64 {
            Some(ByteWidth(width as u32))
        } else {
            None
        }
    }

    pub const fn get(self) -> usize {
        self.0 as usize
    }
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
    /// Fixed-width byte strings.
    Bytes,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Int, Kind::UInt, Kind::Float, Kind::Bytes];

    /// `int`, `uint`, `float` or `bytes`.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Int => "int",
            Kind::UInt => "uint",
            Kind::Float => "float",
            Kind::Bytes => "bytes",
        }
    }
}

/// The `bytes<N>` family as a dtype table describes it (its members are too many to list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DTypeFamily {
    /// The canonical names' prefix: `bytes` (`bytes8`).
    pub prefix: &'static str,
    /// Other prefixes taking the same width: numpy's `S` (`S8`).
    pub alias_prefixes: &'static [&'static str],
    /// The full version's name, which takes the width as a separate value size
    /// (`string 8`); see [`DType::with_value_size`].
    pub sized_alias: &'static str,
    pub kind: Kind,
    /// The least and the greatest width, which is also the item size in bytes.
    pub min_width: u32,
    pub max_width: u32,
}

impl DType {
    /// Every dtype of one fixed size; with [`DType::BYTES`], every dtype.
    pub const ALL: [DType; 13] = [
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
        DType::Float16,
        DType::BFloat16,
        DType::Float80,
    ];

    /// The `bytes<N>` family.
    pub const BYTES: DTypeFamily = DTypeFamily {
        prefix: "bytes",
        alias_prefixes: &["S"],
        sized_alias: "string",
        kind: Kind::Bytes,
        min_width: ByteWidth::MIN,
        max_width: ByteWidth::MAX,
    };

    /// `bytes<width>`, or `BadByteWidth` unless 1 ≤ width ≤ 65536.
    pub fn bytes(width: u64) -> Result<DType, Error> {
        ByteWidth::new(width).map(DType::Bytes).ok_or(Error::BadByteWidth { width })
    }

    /// Size of one element in bytes.
    pub const fn itemsize(self) -> usize {
        match self {
            DType::Int8 | DType::UInt8 => 1,
            DType::Int16 | DType::UInt16 | DType::Float16 | DType::BFloat16 => 2,
            DType::Int32 | DType::UInt32 | DType::Float32 => 4,
            DType::Int64 | DType::UInt64 | DType::Float64 => 8,
            DType::Float80 => float80::SLOT_BYTES,
            DType::Bytes(width) => width.get(),
        }
    }

    /// The alignment an element's offset needs: its size for the sizes written with one
    /// atomic store (1, 2, 4, 8 bytes), else 1 (those are copied byte-wise).
    pub const fn alignment(self) -> usize {
        match self.itemsize() {
            size @ (1 | 2 | 4 | 8) => size,
            _ => 1,
        }
    }

    /// The canonical name: numpy's (`int8` … `uint64`, `float16`, `float32`, `float64`),
    /// `bfloat16` (ml_dtypes'), `float80`, and `bytes<N>` (`bytes8`).
    pub fn name(self) -> Cow<'static, str> {
        match self {
            DType::Bytes(width) => Cow::Owned(format!("{}{}", DType::BYTES.prefix, width.get())),
            fixed => Cow::Borrowed(fixed.fixed_name()),
        }
    }

    const fn fixed_name(self) -> &'static str {
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
            DType::Float16 => "float16",
            DType::BFloat16 => "bfloat16",
            DType::Float80 => "float80",
            DType::Bytes(_) => DType::BYTES.prefix,
        }
    }

    /// The name RedisMMap's full version (t-fuchi/RedisMMap) gives the type, as its
    /// `VTYPE` answers: `int8` … `uint64`, `float`, `double`, `long_double`, `string`
    /// (the width is its `VSIZE`); `float16` and `bfloat16`, which it lacks, by their names.
    pub const fn full_version_name(self) -> &'static str {
        match self {
            DType::Float32 => "float",
            DType::Float64 => "double",
            DType::Float80 => "long_double",
            DType::Bytes(_) => DType::BYTES.sized_alias,
            other => other.fixed_name(),
        }
    }

    /// The other names this dtype is known by: numpy's short codes (`i8 … u64, f32, f64`),
    /// the type names `float`, `double` and `long_double` of the seed module's full
    /// version (t-fuchi/RedisMMap), and numpy's `longdouble` and `float128` (its name
    /// for the same 16-byte slot on x86-64). A `bytes<N>` type's aliases are patterns
    /// ([`DType::BYTES`]): none is listed here.
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
            DType::Float16 => &["f16", "half"],
            DType::BFloat16 => &["bf16"],
            DType::Float80 => &["long_double", "longdouble", "float128"],
            DType::Bytes(_) => &[],
        }
    }

    /// Parses a dtype name or one of its [aliases](DType::aliases), case-insensitively,
    /// and `bytes<N>` or `S<N>` (N in decimal, no sign or leading zero).
    pub fn from_name(name: &str) -> Result<DType, Error> {
        let known = |dtype: &DType| {
            dtype.fixed_name().eq_ignore_ascii_case(name)
                || dtype.aliases().iter().any(|alias| alias.eq_ignore_ascii_case(name))
        };
        if let Some(dtype) = DType::ALL.into_iter().find(known) {
            return Ok(dtype);
        }
        let family = DType::BYTES;
        let width = std::iter::once(family.prefix).chain(family.alias_prefixes.iter().copied()).find_map(|prefix| {
            let head = name.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix).then(|| &name[prefix.len()..])
        });
        match width {
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                match digits.parse::<u64>() {
                    Ok(width) if !digits.starts_with('0') => DType::bytes(width),
                    _ => Err(Error::BadByteWidth { width: digits.parse().unwrap_or(u64::MAX) }),
                }
            }
            _ => Err(Error::BadDType { name: name.to_owned() }),
        }
    }

    /// The full version's `value_type [value_size]`: `string` takes its width from the
    /// size, which it needs; any other name is [`from_name`](DType::from_name)'s, and a
    /// size given with it must be its item size.
    pub fn with_value_size(name: &str, size: Option<u64>) -> Result<DType, Error> {
        if name.eq_ignore_ascii_case(DType::BYTES.sized_alias) {
            return match size {
                Some(width) => DType::bytes(width),
                None => Err(Error::MissingValueSize { name: name.to_owned() }),
            };
        }
        let dtype = DType::from_name(name)?;
        match size {
            Some(size) if size != dtype.itemsize() as u64 => Err(Error::WrongValueSize { size, dtype }),
            _ => Ok(dtype),
        }
    }

    /// Whether values are signed integers, unsigned integers, floats or byte strings.
    pub const fn kind(self) -> Kind {
        match self {
            DType::Int8 | DType::Int16 | DType::Int32 | DType::Int64 => Kind::Int,
            DType::UInt8 | DType::UInt16 | DType::UInt32 | DType::UInt64 => Kind::UInt,
            DType::Float32 | DType::Float64 | DType::Float16 | DType::BFloat16 | DType::Float80 => Kind::Float,
            DType::Bytes(_) => Kind::Bytes,
        }
    }

    /// The smallest and the largest value the type holds: the integer bounds, the
    /// largest finite floats (beyond them only the infinities), or for `bytes<N>` the
    /// empty string and N bytes of 0xff.
    pub fn bounds(self) -> (Scalar, Scalar) {
        match self {
            DType::Float32 => (Scalar::F32(f32::MIN), Scalar::F32(f32::MAX)),
            DType::Float64 => (Scalar::Float(f64::MIN), Scalar::Float(f64::MAX)),
            DType::Float16 => (Scalar::F16(f16::MIN), Scalar::F16(f16::MAX)),
            DType::BFloat16 => (Scalar::BF16(bf16::MIN), Scalar::BF16(bf16::MAX)),
            DType::Float80 => (Scalar::F80(Float80::min()), Scalar::F80(Float80::max())),
            DType::Bytes(width) => (Scalar::Bytes(Vec::new()), Scalar::Bytes(vec![0xff; width.get()])),
            _ => {
                let (min, max) = self.int_bounds();
                // The bounds of every integer type fit an i64 (min) and a u64 (max).
                (Scalar::Int(min as i64), Scalar::UInt(max as u64))
            }
        }
    }

    /// The descr numpy writes in a `.npy` header for this type (little-endian): `<f8`,
    /// `|S8`, `<f16` for float80 (numpy's `longdouble`), and `None` for bfloat16, which
    /// has no descr of its own (ml_dtypes saves it as raw 2-byte void).
    pub fn npy_descr(self) -> Option<Cow<'static, str>> {
        let fixed = match self {
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
            DType::Float16 => "<f2",
            DType::Float80 => "<f16",
            DType::BFloat16 => return None,
            DType::Bytes(width) => return Some(Cow::Owned(format!("|S{}", width.get()))),
        };
        Some(Cow::Borrowed(fixed))
    }

    /// The type of a `.npy` descr: [`DType::npy_descr`]'s, and the single-byte types with
    /// `<` or no byte order, which numpy also reads as them (and `S<N>` without `|`).
    pub fn from_npy_descr(descr: &str) -> Option<DType> {
        let single_byte = match descr {
            "<i1" | "i1" => Some(DType::Int8),
            "<u1" | "u1" => Some(DType::UInt8),
            _ => None,
        };
        let bytes = || {
            let digits = descr.strip_prefix("|S").or_else(|| descr.strip_prefix('S'))?;
            if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok().and_then(|width| DType::bytes(width).ok())
        };
        single_byte.or_else(|| DType::ALL.into_iter().find(|d| d.npy_descr().as_deref() == Some(descr))).or_else(bytes)
    }

    pub const fn is_float(self) -> bool {
        matches!(self.kind(), Kind::Float)
    }

    /// True for the types whose values do not all fit a JS `number` (they map to `bigint`).
    pub const fn is_64bit_int(self) -> bool {
        matches!(self, DType::Int64 | DType::UInt64)
    }

    /// Reads one element. `bytes` must hold at least `itemsize()` bytes; callers index
    /// through checked offsets, so a shorter slice is a bug and reads as zero rather than
    /// panicking. A `bytes<N>` element reads without its trailing NULs.
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
            DType::Float16 => Scalar::F16(f16::from_le_bytes(take(bytes))),
            DType::BFloat16 => Scalar::BF16(bf16::from_le_bytes(take(bytes))),
            DType::Float80 => Scalar::F80(Float80::from_le_bytes(bytes)),
            DType::Bytes(width) => Scalar::Bytes(strip_nuls(bytes.get(..width.get()).unwrap_or_default()).to_vec()),
        }
    }

    /// Writes `value` as one element into `out[..itemsize()]`, refusing values the type
    /// cannot hold exactly (out of range, fractional for an integer type, a float
    /// overflow, a number for `bytes<N>` or bytes for a number, bytes longer than N).
    /// Floats round to nearest-even. Nothing is written on error.
    pub fn encode(self, value: &Scalar, out: &mut [u8]) -> Result<(), Error> {
        let bad = |reason: &'static str| Error::BadValue { value: value.to_string(), dtype: self, reason };
        let out = out.get_mut(..self.itemsize()).ok_or_else(|| bad("no room for the element"))?;
        if let (DType::Bytes(width), Scalar::Bytes(bytes)) = (self, value) {
            if bytes.len() > width.get() {
                return Err(Error::TooLong { value: shown(bytes), len: bytes.len(), dtype: self });
            }
            out[..bytes.len()].copy_from_slice(bytes);
            out[bytes.len()..].fill(0);
            return Ok(());
        }
        match (self, value) {
            (DType::Bytes(_), _) => return Err(bad("not a byte string")),
            (_, Scalar::Bytes(_)) => return Err(bad("not a number")),
            _ => {}
        }
        match self {
            DType::Float64 => {
                let wide = value.to_f64();
                check_finite_stays_finite(value, wide.is_finite()).map_err(bad)?;
                check_exact_integer(value, wide).map_err(bad)?;
                out.copy_from_slice(&wide.to_le_bytes());
            }
            DType::Float32 => {
                let wide = value.to_f64();
                let narrow = wide as f32;
                check_finite_stays_finite(value, narrow.is_finite()).map_err(bad)?;
                check_exact_integer(value, f64::from(narrow)).map_err(bad)?;
                out.copy_from_slice(&narrow.to_le_bytes());
            }
            DType::Float16 => {
                let narrow = match *value {
                    Scalar::F16(v) => v,
                    ref other => f16::from_f64(other.to_f64()),
                };
                check_finite_stays_finite(value, narrow.is_finite()).map_err(bad)?;
                check_exact_integer(value, narrow.to_f64()).map_err(bad)?;
                out.copy_from_slice(&narrow.to_le_bytes());
            }
            DType::BFloat16 => {
                let narrow = match *value {
                    Scalar::BF16(v) => v,
                    ref other => bf16::from_f64(other.to_f64()),
                };
                check_finite_stays_finite(value, narrow.is_finite()).map_err(bad)?;
                check_exact_integer(value, narrow.to_f64()).map_err(bad)?;
                out.copy_from_slice(&narrow.to_le_bytes());
            }
            DType::Float80 => {
                let wide = match *value {
                    Scalar::F80(v) => v,
                    Scalar::Int(v) => Float80::from_i128(v.into()).map_err(bad)?,
                    Scalar::UInt(v) => Float80::from_i128(v.into()).map_err(bad)?,
                    ref other => Float80::from_f64(other.to_f64()),
                };
                out.copy_from_slice(&wide.to_le_bytes());
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
    /// integers for integer types, any float syntax (`1e3`, `inf`, `nan`) for float types
    /// (float16, bfloat16 and float80 rounded once, to nearest-even, from the text), and
    /// any bytes of at most N for `bytes<N>` (binary-safe; trailing NULs read back stripped).
    pub fn parse(self, text: &[u8]) -> Result<Scalar, Error> {
        let bad = |reason: &'static str| Error::BadValue { value: shown(text), dtype: self, reason };
        let value = match self {
            DType::Bytes(width) if text.len() > width.get() => {
                return Err(Error::TooLong { value: shown(text), len: text.len(), dtype: self });
            }
            DType::Bytes(_) => return Ok(Scalar::Bytes(text.to_vec())),
            DType::Float16 => {
                let parsed = decimal::parse::<Half>(text).map_err(bad)?;
                Scalar::F16(f16::from_bits(rustc_apfloat::Float::to_bits(parsed) as u16))
            }
            DType::BFloat16 => {
                let parsed = decimal::parse::<BFloat>(text).map_err(bad)?;
                Scalar::BF16(bf16::from_bits(rustc_apfloat::Float::to_bits(parsed) as u16))
            }
            DType::Float80 => Scalar::F80(Float80::parse(text).map_err(bad)?),
            _ if self.is_float() => Scalar::Float(parse_float(text).map_err(bad)?),
            _ => match integer_text(text) {
                Some(v) => match (i64::try_from(v), u64::try_from(v)) {
                    (Ok(v), _) => Scalar::Int(v),
                    (_, Ok(v)) => Scalar::UInt(v),
                    _ => return Err(bad("out of range")),
                },
                None if is_long_integer(text) => return Err(bad("out of range")),
                None => return Err(bad("not an integer")),
            },
        };
        let mut scratch = [0u8; float80::SLOT_BYTES];
        // Refusals quote the text as the client sent it, not the number it parsed to.
        self.encode(&value, &mut scratch).map_err(|err| match err {
            Error::BadValue { reason, .. } => bad(reason),
            other => other,
        })?;
        Ok(value)
    }

    /// The text of `value` stored as this type, as a Redis client reads it back: the
    /// value is encoded (refused as `encode` refuses it) and decoded, so a float32 prints
    /// in its own shortest form and an integer type never prints `-0`.
    pub fn format(self, value: &Scalar) -> Result<String, Error> {
        Ok(self.store(value)?.to_string())
    }

    /// `value` as this type holds it once stored, or why it cannot be stored (as `encode`).
    pub fn store(self, value: &Scalar) -> Result<Scalar, Error> {
        let mut element = Element::new(self);
        self.encode(value, element.as_mut())?;
        Ok(self.decode(element.as_mut()))
    }

    /// The text of every element in `bytes` (whole elements, little-endian), each
    /// followed by a newline. (A `bytes<N>` element's text is its bytes, lossy UTF-8.)
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
        self.encode_onto(&value, out)
    }

    /// Appends `value`'s element to `out` (refused as [`encode`](DType::encode) refuses
    /// it; nothing is appended on error).
    pub fn encode_onto(self, value: &Scalar, out: &mut Vec<u8>) -> Result<(), Error> {
        let start = out.len();
        out.resize(start + self.itemsize(), 0);
        self.encode(value, &mut out[start..]).inspect_err(|_| out.truncate(start))
    }

    /// Appends every element of `bytes` (whole little-endian elements of this type) to
    /// `out` as type `to`, each refused as [`encode`](DType::encode) refuses it; on error
    /// `out` holds the elements before the refused one.
    pub fn convert_into(self, bytes: &[u8], to: DType, out: &mut Vec<u8>) -> Result<(), Error> {
        if !bytes.len().is_multiple_of(self.itemsize()) {
            return Err(Error::BadLength { len: bytes.len(), dtype: self });
        }
        out.reserve(bytes.len() / self.itemsize() * to.itemsize());
        for source in bytes.chunks_exact(self.itemsize()) {
            to.encode_onto(&self.decode(source), out)?;
        }
        Ok(())
    }

    /// Parses an increment for this type: any 64-bit integer for integer types (a
    /// negative delta is fine for unsigned ones), any finite float for float types (a
    /// float80 one as precisely as float80 holds it). Byte strings have no increments.
    pub fn parse_delta(self, text: &[u8]) -> Result<Scalar, Error> {
        let bad = |reason: &'static str| Error::BadValue { value: shown(text), dtype: self, reason };
        match self.kind() {
            Kind::Bytes => Err(bad("a byte string has no increment")),
            Kind::Float if self == DType::Float80 => {
                let delta = Float80::parse(text).map_err(bad)?;
                if !delta.is_finite() {
                    return Err(bad("not a finite increment"));
                }
                Ok(Scalar::F80(delta))
            }
            Kind::Float => {
                let delta = parse_float(text).map_err(bad)?;
                if !delta.is_finite() {
                    return Err(bad("not a finite increment"));
                }
                Ok(Scalar::Float(delta))
            }
            Kind::Int | Kind::UInt => integer_text(text)
                .and_then(|v| i64::try_from(v).ok())
                .map(Scalar::Int)
                .ok_or_else(|| bad("not an integer increment")),
        }
    }

    /// `current + delta` as this type, refusing results it cannot hold (overflow, or
    /// a float sum that is not finite, or out of a narrower float's range, as
    /// [`encode`](DType::encode) refuses it). A float80 sum is rounded once, in float80.
    pub fn add(self, current: &Scalar, delta: &Scalar) -> Result<Scalar, Error> {
        let bad = |value: String, reason: &'static str| Error::BadValue { value, dtype: self, reason };
        let sum = match self.kind() {
            Kind::Bytes => return Err(bad(delta.to_string(), "a byte string has no increment")),
            Kind::Float if self == DType::Float80 => {
                let widen = |value: &Scalar| DType::Float80.store(value);
                let (Scalar::F80(a), Scalar::F80(b)) = (widen(current)?, widen(delta)?) else {
                    return Err(bad(delta.to_string(), "not a number"));
                };
                let sum = a + b;
                if !sum.is_finite() {
                    return Err(bad(sum.to_string(), "increment would not be finite"));
                }
                Scalar::F80(sum)
            }
            Kind::Float => {
                let sum = current.to_f64() + delta.to_f64();
                if !sum.is_finite() {
                    return Err(bad(Scalar::Float(sum).to_string(), "increment would not be finite"));
                }
                Scalar::Float(sum)
            }
            Kind::Int | Kind::UInt => {
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
            }
        };
        self.store(&sum)
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
            _ => (0, 0),
        }
    }
}

/// A buffer for one element: on the stack for every fixed-size type, on the heap for
/// the wider `bytes<N>`.
enum Element {
    Small([u8; float80::SLOT_BYTES], usize),
    Large(Vec<u8>),
}

impl Element {
    fn new(dtype: DType) -> Element {
        match dtype.itemsize() {
            size if size <= float80::SLOT_BYTES => Element::Small([0; float80::SLOT_BYTES], size),
            size => Element::Large(vec![0; size]),
        }
    }

    fn as_mut(&mut self) -> &mut [u8] {
        match self {
            Element::Small(bytes, size) => &mut bytes[..*size],
            Element::Large(bytes) => bytes,
        }
    }
}

/// A `bytes<N>` element without its trailing NULs, as numpy reads `S<N>`.
pub fn strip_nuls(element: &[u8]) -> &[u8] {
    let end = element.iter().rposition(|&b| b != 0).map_or(0, |last| last + 1);
    &element[..end]
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
fn check_exact_integer(value: &Scalar, stored: f64) -> Result<(), &'static str> {
    let exact = match *value {
        Scalar::Int(v) => stored.is_finite() && stored as i128 == i128::from(v),
        Scalar::UInt(v) => stored.is_finite() && stored as i128 == i128::from(v),
        _ => true,
    };
    if exact { Ok(()) } else { Err("not exactly representable") }
}

/// A finite value must not become an infinity in a narrower type (float32 of 1e300,
/// float16 of 70000, float64 of a float80 beyond 1.8e308).
fn check_finite_stays_finite(value: &Scalar, stored_finite: bool) -> Result<(), &'static str> {
    let finite = match *value {
        Scalar::F80(v) => v.is_finite(),
        ref other => other.to_f64().is_finite(),
    };
    if finite && !stored_finite { Err("out of range") } else { Ok(()) }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
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
            assert_eq!(DType::from_name(&dtype.name()).ok(), Some(dtype));
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
                "unknown dtype 'complex128' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N>)"
            )
        );
    }

    #[test]
    fn the_table_describes_every_dtype() {
        let aliases: Vec<&str> = DType::ALL.iter().flat_map(|d| d.aliases().iter().copied()).collect();
        assert_eq!(
            aliases,
            [
                "i8",
                "u8",
                "i16",
                "u16",
                "i32",
                "u32",
                "i64",
                "u64",
                "f32",
                "float",
                "f64",
                "double",
                "f16",
                "half",
                "bf16",
                "long_double",
                "longdouble",
                "float128"
            ]
        );
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
        let text = |d: DType, v: Scalar| d.format(&v).map_err(|e| e.to_string());
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
        assert!(DType::Int8.encode(&Scalar::Int(127), &mut buf).is_ok());
        assert!(DType::Int8.encode(&Scalar::Int(128), &mut buf).is_err());
        assert!(DType::UInt8.encode(&Scalar::Int(-1), &mut buf).is_err());
        assert!(DType::UInt64.encode(&Scalar::UInt(u64::MAX), &mut buf).is_ok());
        assert!(DType::Int64.encode(&Scalar::UInt(u64::MAX), &mut buf).is_err());
        assert!(DType::Int32.encode(&Scalar::Float(2.0), &mut buf).is_ok());
        assert!(DType::Int32.encode(&Scalar::Float(2.5), &mut buf).is_err());
        assert!(DType::Int32.encode(&Scalar::Float(f64::NAN), &mut buf).is_err());
        assert!(DType::Float32.encode(&Scalar::Float(1e300), &mut buf).is_err());
        assert!(DType::Float32.encode(&Scalar::Float(f64::INFINITY), &mut buf).is_ok());
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
        assert_eq!(DType::UInt8.add(&Scalar::UInt(5), &Scalar::Int(-2)).ok(), Some(Scalar::UInt(3)));
        assert_eq!(
            msg(DType::UInt8.add(&Scalar::UInt(5), &Scalar::Int(-6))).as_deref(),
            Some("value '-1' is not valid for uint8: out of range")
        );
        assert_eq!(
            msg(DType::Int64.add(&Scalar::Int(i64::MAX), &Scalar::Int(1))).as_deref(),
            Some("value '9223372036854775808' is not valid for int64: out of range")
        );
        assert_eq!(DType::UInt64.add(&Scalar::UInt(u64::MAX - 1), &Scalar::Int(1)).ok(), Some(Scalar::UInt(u64::MAX)));
        assert_eq!(DType::Float32.add(&Scalar::F32(0.5), &Scalar::Float(0.25)).ok(), Some(Scalar::F32(0.75)));
        assert_eq!(
            msg(DType::Float64.add(&Scalar::Float(f64::MAX), &Scalar::Float(f64::MAX))).as_deref(),
            Some("value 'inf' is not valid for float64: increment would not be finite")
        );
    }

    fn msg<T: std::fmt::Debug>(r: Result<T, Error>) -> Option<String> {
        r.err().map(|e| e.to_string())
    }

    #[test]
    fn the_wider_types_have_names_and_the_full_versions_vocabulary() {
        let bytes8 = DType::bytes(8).unwrap();
        assert_eq!(bytes8.name(), "bytes8");
        assert_eq!(bytes8.itemsize(), 8);
        assert_eq!(bytes8.kind(), Kind::Bytes);
        for name in ["bytes8", "BYTES8", "S8", "s8"] {
            assert_eq!(DType::from_name(name).ok(), Some(bytes8), "{name}");
        }
        assert_eq!(DType::from_name("bytes65536").map(DType::itemsize).ok(), Some(65536));
        let width = "bad dtype width {}: bytes<N> takes 1 to 65536 bytes";
        assert_eq!(msg(DType::from_name("bytes0")), Some(width.replace("{}", "0")));
        assert_eq!(msg(DType::from_name("S65537")), Some(width.replace("{}", "65537")));
        assert_eq!(msg(DType::from_name("bytes08")), Some(width.replace("{}", "8")));
        assert!(DType::from_name("bytes").is_err());
        assert!(DType::from_name("bytes-1").is_err());
        assert_eq!(DType::with_value_size("string", Some(8)).ok(), Some(bytes8));
        assert_eq!(DType::with_value_size("STRING", Some(3)).map(|d| d.name()).ok().as_deref(), Some("bytes3"));
        assert_eq!(
            msg(DType::with_value_size("string", None)).as_deref(),
            Some("dtype 'string' needs a value size (its width in bytes)")
        );
        assert_eq!(DType::with_value_size("double", Some(8)).ok(), Some(DType::Float64));
        assert_eq!(DType::with_value_size("long_double", None).ok(), Some(DType::Float80));
        assert_eq!(
            msg(DType::with_value_size("double", Some(4))).as_deref(),
            Some("value_size 4 does not match float64, whose itemsize is 8")
        );
        for (name, dtype, itemsize) in [
            ("float16", DType::Float16, 2),
            ("bfloat16", DType::BFloat16, 2),
            ("float80", DType::Float80, 16),
            ("long_double", DType::Float80, 16),
            ("longdouble", DType::Float80, 16),
            ("float128", DType::Float80, 16),
        ] {
            assert_eq!(DType::from_name(name).ok(), Some(dtype));
            assert_eq!(dtype.itemsize(), itemsize);
            assert!(dtype.is_float());
        }
        let vocabulary: Vec<&str> = DType::ALL.iter().map(|d| d.full_version_name()).collect();
        assert_eq!(
            vocabulary,
            [
                "int8",
                "uint8",
                "int16",
                "uint16",
                "int32",
                "uint32",
                "int64",
                "uint64",
                "float",
                "double",
                "float16",
                "bfloat16",
                "long_double"
            ]
        );
        assert_eq!(bytes8.full_version_name(), "string");
        assert_eq!(DType::BYTES.prefix, "bytes");
        assert_eq!((DType::BYTES.min_width, DType::BYTES.max_width), (1, 65536));
        assert_eq!(bytes8.npy_descr().as_deref(), Some("|S8"));
        assert_eq!(DType::from_npy_descr("<f2"), Some(DType::Float16));
        assert_eq!(DType::from_npy_descr("<f16"), Some(DType::Float80));
        assert_eq!(DType::BFloat16.npy_descr(), None);
    }

    #[test]
    fn byte_strings_are_nul_padded_and_read_back_stripped() {
        let bytes8 = DType::bytes(8).unwrap();
        let mut out = Vec::new();
        for text in [&b"a"[..], b"ab", b"", b"abcd e f", b"\x00\xffz\x00"] {
            assert!(bytes8.parse_to_bytes(text, &mut out).is_ok());
        }
        assert_eq!(&out[..16], b"a\0\0\0\0\0\0\0ab\0\0\0\0\0\0");
        assert_eq!(&out[16..24], [0; 8]);
        let read: Vec<Scalar> = out.chunks_exact(8).map(|e| bytes8.decode(e)).collect();
        assert_eq!(
            read,
            [&b"a"[..], b"ab", b"", b"abcd e f", b"\x00\xffz"].map(|b| Scalar::Bytes(b.to_vec())).to_vec()
        );
        assert_eq!(
            msg(bytes8.parse(b"abcd e f ")).as_deref(),
            Some("value 'abcd e f ' is not valid for bytes8: 9 bytes is longer than 8")
        );
        assert_eq!(bytes8.parse(b"abcd e f ").err().map(|e| e.code()), Some("ERR_MMVEC_BAD_VALUE"));
        assert_eq!(
            msg(bytes8.encode(&Scalar::Int(1), &mut [0; 8])).as_deref(),
            Some("value '1' is not valid for bytes8: not a byte string")
        );
        assert_eq!(
            msg(DType::Int8.encode(&Scalar::Bytes(b"1".to_vec()), &mut [0; 8])).as_deref(),
            Some("value '1' is not valid for int8: not a number")
        );
        assert_eq!(
            msg(bytes8.parse_delta(b"1")).as_deref(),
            Some("value '1' is not valid for bytes8: a byte string has no increment")
        );
        assert_eq!(Scalar::Bytes(b"x\xff".to_vec()).with_text(<[u8]>::to_vec), b"x\xff");
        let mut narrow = Vec::new();
        let bytes2 = DType::bytes(2).unwrap();
        assert_eq!(
            msg(bytes8.convert_into(&out, bytes2, &mut narrow)).as_deref(),
            Some("value 'abcd e f' is not valid for bytes2: 8 bytes is longer than 2")
        );
        assert_eq!(narrow, b"a\0ab\0\0");
        assert_eq!(
            msg(bytes8.convert_into(&out, DType::Float64, &mut narrow)).as_deref(),
            Some("value 'a' is not valid for float64: not a number")
        );
        let wide = DType::bytes(65536).unwrap();
        assert_eq!(wide.store(&Scalar::Bytes(b"big".to_vec())).ok(), Some(Scalar::Bytes(b"big".to_vec())));
    }

    #[test]
    fn half_floats_round_once_and_refuse_overflow() {
        let f16 = |text: &[u8]| DType::Float16.parse(text).map(|v| v.to_string());
        assert_eq!(f16(b"0.1").ok().as_deref(), Some("0.1"));
        assert_eq!(DType::Float16.parse(b"0.1").map(|v| v.to_f64()).ok(), Some(0.0999755859375));
        assert_eq!(f16(b"1.00048828125").ok().as_deref(), Some("1"));
        assert_eq!(f16(b"1.000488281250000000001").ok().as_deref(), Some("1.001"));
        assert_eq!(f16(b"-inf").ok().as_deref(), Some("-inf"));
        assert_eq!(f16(b"nan").ok().as_deref(), Some("nan"));
        assert_eq!(msg(f16(b"65520")).as_deref(), Some("value '65520' is not valid for float16: out of range"));
        assert_eq!(msg(f16(b"abc")).as_deref(), Some("value 'abc' is not valid for float16: not a number"));
        // Text rounds, as float32's does; only an integer value must be exact.
        assert_eq!(f16(b"2049").ok().as_deref(), Some("2048"));
        assert_eq!(
            msg(DType::Float16.encode(&Scalar::Int(2049), &mut [0; 2])).as_deref(),
            Some("value '2049' is not valid for float16: not exactly representable")
        );
        assert_eq!(
            msg(DType::Float16.encode(&Scalar::Float(1e5), &mut [0; 2])).as_deref(),
            Some("value '100000' is not valid for float16: out of range")
        );
        let bf = |text: &[u8]| DType::BFloat16.parse(text).map(|v| v.to_string());
        assert_eq!(bf(b"1e38").ok().as_deref(), Some("1e38"));
        assert_eq!(bf(b"0.1").ok().as_deref(), Some("0.1"));
        assert_eq!(msg(bf(b"1e39")).as_deref(), Some("value '1e39' is not valid for bfloat16: out of range"));
        let mut bits = [0u8; 2];
        assert!(DType::BFloat16.encode(&Scalar::Float(1.0), &mut bits).is_ok());
        assert_eq!(bits, [0x80, 0x3f]);
        assert_eq!(DType::Float16.decode(&[0x00, 0x3c]), Scalar::F16(half::f16::ONE));
        assert_eq!(
            DType::Float16.add(&Scalar::F16(half::f16::MAX), &Scalar::Float(100.0)).err().map(|e| e.to_string()),
            Some("value '65604' is not valid for float16: out of range".to_owned())
        );
        assert_eq!(
            DType::Float16.add(&Scalar::F16(half::f16::ONE), &Scalar::Float(0.5)).ok(),
            Some(Scalar::F16(half::f16::from_f32(1.5)))
        );
    }

    #[test]
    fn float80_text_is_exact_both_ways() {
        let text = |t: &[u8]| DType::Float80.parse(t).map(|v| v.to_string());
        for t in ["0", "2", "4", "6", "8", "10", "-0", "0.1", "1e-4950", "inf", "nan"] {
            assert_eq!(text(t.as_bytes()).ok().as_deref(), Some(t));
        }
        assert_eq!(text(b"1.18973149535723176502e+4932").ok().as_deref(), Some("1.189731495357231765e4932"));
        assert_eq!(msg(text(b"1.2e4932")).as_deref(), Some("value '1.2e4932' is not valid for float80: out of range"));
        assert_eq!(text(b"18446744073709551615").ok().as_deref(), Some("1.8446744073709551615e19"));
        assert_eq!(text(b"18446744073709551617").ok().as_deref(), Some("1.8446744073709551616e19"));
        let mut slot = [0xaau8; 16];
        assert!(DType::Float80.encode(&Scalar::UInt(u64::MAX), &mut slot).is_ok());
        assert_eq!(slot[10..], [0; 6]);
        assert_eq!(DType::Float80.decode(&slot).to_i128(), Ok(i128::from(u64::MAX)));
        let mut out = Vec::new();
        assert!(DType::Float80.convert_into(&slot, DType::UInt64, &mut out).is_ok());
        assert_eq!(out, u64::MAX.to_le_bytes());
        let tenth = DType::Float80.parse(b"0.1").unwrap();
        assert_eq!(DType::Float64.store(&tenth).ok(), Some(Scalar::Float(0.1)));
        assert_eq!(
            msg(DType::Float64.store(&DType::Float80.parse(b"1e400").unwrap())).as_deref(),
            Some("value '1e400' is not valid for float64: out of range")
        );
        let delta = DType::Float80.parse_delta(b"0.1").unwrap();
        let sum = DType::Float80.add(&tenth, &delta).map(|v| v.to_string());
        assert_eq!(sum.ok().as_deref(), Some("0.2"));
        assert_eq!(
            msg(DType::Float80.parse_delta(b"inf")).as_deref(),
            Some("value 'inf' is not valid for float80: not a finite increment")
        );
        let max = DType::Float80.bounds().1;
        assert_eq!(
            msg(DType::Float80.add(&max, &max)).as_deref(),
            Some("value 'inf' is not valid for float80: increment would not be finite")
        );
    }
}
