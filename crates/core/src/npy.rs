//! The `.npy` header (numpy's format, versions 1.0, 2.0 and 3.0): parsed strictly, but
//! accepting everything numpy writes for a 1-D little-endian array of a supported dtype,
//! and formatted so that numpy reads it back and the shape can be rewritten in place.

use crate::dtype::DType;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// numpy aligns the data to this many bytes (and so does every header mmvec writes).
const ALIGN: usize = 64;

/// Digits the shape of a header mmvec creates has room for: any u64 length.
const LEN_DIGITS: usize = 20;

/// The bytes of a header numpy's reader would accept are far fewer; this bounds what a
/// corrupt length field makes the reader allocate.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// Bytes before the header's length field is known: magic, version, a u32 length.
pub const PREFIX_BYTES: usize = 12;

/// Why a header is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// Not a header numpy would read: truncated, bad magic, bad dict.
    Malformed(String),
    /// A valid header of an array mmvec does not serve (2-D, Fortran order, its dtype).
    Unsupported(String),
}

/// A parsed header: what the file holds and where its data starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The format's major version: 1, 2 or 3.
    pub version: u8,
    pub dtype: DType,
    /// The length the `shape` says.
    pub len: u64,
    /// Bytes from the start of the file to the first element: the whole header.
    pub data_offset: usize,
    /// The dict's text around its shape, kept so that rewriting the shape changes nothing
    /// else and fits wherever the old text did (another writer's dict may be compact).
    around_shape: (String, String),
}

/// Bytes of the length field, by major version.
fn length_field_bytes(version: u8) -> usize {
    if version == 1 { 2 } else { 4 }
}

/// The header's total size from its first bytes (at least [`PREFIX_BYTES`], or the whole
/// file if shorter): the version, then how many bytes the whole header takes.
pub fn header_bytes(start: &[u8]) -> Result<(u8, usize), HeaderError> {
    let malformed = |reason: &str| HeaderError::Malformed(reason.to_owned());
    if start.len() < 8 || !start.starts_with(MAGIC) {
        if start.len() < MAGIC.len() && MAGIC.starts_with(start) {
            return Err(malformed("the file ends inside the header"));
        }
        return Err(malformed("it does not start with the .npy magic \\x93NUMPY"));
    }
    let (major, minor) = (start[6], start[7]);
    if !matches!((major, minor), (1, 0) | (2, 0) | (3, 0)) {
        return Err(HeaderError::Unsupported(format!(
            "format version {major}.{minor} is not supported (expected 1.0, 2.0 or 3.0)"
        )));
    }
    let field = length_field_bytes(major);
    let Some(length) = start.get(8..8 + field) else {
        return Err(malformed("the file ends inside the header"));
    };
    let dict_len = match *length {
        [a, b] => usize::from(u16::from_le_bytes([a, b])),
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => return Err(malformed("the file ends inside the header")),
    };
    if dict_len > MAX_HEADER_BYTES {
        return Err(malformed(&format!("a header of {dict_len} bytes is implausibly long")));
    }
    Ok((major, 8 + field + dict_len))
}

impl Header {
    /// Parses a whole header (the first [`header_bytes`] bytes of the file).
    pub fn parse(bytes: &[u8]) -> Result<Header, HeaderError> {
        let (version, data_offset) = header_bytes(bytes)?;
        let Some(dict) = bytes.get(8 + length_field_bytes(version)..data_offset) else {
            return Err(HeaderError::Malformed("the file ends inside the header".to_owned()));
        };
        let text = if version == 3 {
            std::str::from_utf8(dict).map_err(|_| HeaderError::Malformed("the header is not UTF-8".to_owned()))?
        } else if dict.is_ascii() {
            // Latin-1 per the format; every header with a supported dtype is ASCII.
            std::str::from_utf8(dict).map_err(|_| HeaderError::Malformed("the header is not ASCII".to_owned()))?
        } else {
            return Err(HeaderError::Malformed("the header is not ASCII".to_owned()));
        };
        let fields = Dict::parse(text).map_err(HeaderError::Malformed)?;
        if fields.fortran_order {
            return Err(HeaderError::Unsupported(
                "fortran_order is True: only C-order arrays are supported".to_owned(),
            ));
        }
        let [len] = fields.shape[..] else {
            return Err(HeaderError::Unsupported(format!(
                "shape {} is not 1-D: only 1-D arrays are supported",
                shape_text(&fields.shape)
            )));
        };
        let dtype = descr_dtype(&fields.descr)?;
        if !data_offset.is_multiple_of(dtype.alignment()) {
            return Err(HeaderError::Unsupported(format!(
                "the data starts at byte {data_offset}, not a multiple of {} ({dtype})",
                dtype.alignment()
            )));
        }
        let before = text[..fields.shape_span.0].to_owned();
        let after = text[fields.shape_span.1..].trim_end().to_owned();
        Ok(Header { version, dtype, len, data_offset, around_shape: (before, after) })
    }

    /// The header of a new, empty file of `dtype`: version 1.0, with room in the shape
    /// for a 20-digit length, padded so that the data starts at a multiple of 64. A dtype
    /// without a descr (bfloat16) has no header: `NoNpyDescr`.
    pub fn new(dtype: DType) -> Result<Header, crate::Error> {
        let descr = dtype.npy_descr().ok_or(crate::Error::NoNpyDescr { dtype })?;
        let before = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ");
        let around_shape = (before, ", }".to_owned());
        let mut header = Header { version: 1, dtype, len: 0, data_offset: 0, around_shape };
        header.data_offset = (header.bytes_needed() + LEN_DIGITS - 1).next_multiple_of(ALIGN);
        Ok(header)
    }

    /// The same header with a shape of `len`.
    pub fn with_len(&self, len: u64) -> Header {
        Header { len, ..self.clone() }
    }

    /// The header's bytes, exactly `data_offset` long, or `None` if the shape of `len` does
    /// not fit in them. The result is what numpy writes: the dict, spaces, a newline.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let field = length_field_bytes(self.version);
        let dict = self.dict_text();
        let dict_len = self.data_offset.checked_sub(8 + field)?;
        if dict.len() + 1 > dict_len || (self.version == 1 && dict_len > usize::from(u16::MAX)) {
            return None;
        }
        let mut out = Vec::with_capacity(self.data_offset);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[self.version, 0]);
        if self.version == 1 {
            out.extend_from_slice(&(dict_len as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(dict_len as u32).to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.resize(self.data_offset - 1, b' ');
        out.push(b'\n');
        Some(out)
    }

    /// The bytes the shape of `len` needs (for an error saying why it does not fit).
    pub fn bytes_needed(&self) -> usize {
        8 + length_field_bytes(self.version) + self.dict_text().len() + 1
    }

    fn dict_text(&self) -> String {
        let (before, after) = &self.around_shape;
        format!("{before}({},){after}", self.len)
    }
}

fn shape_text(shape: &[u64]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")),
    }
}

fn descr_dtype(descr: &Descr) -> Result<DType, HeaderError> {
    let text = match descr {
        Descr::Text(text) => text,
        Descr::Structured => {
            return Err(HeaderError::Unsupported("a structured dtype (a list descr) is not supported".to_owned()));
        }
    };
    if let Some(dtype) = DType::from_npy_descr(text) {
        return Ok(dtype);
    }
    if text.starts_with('>') {
        return Err(HeaderError::Unsupported(format!(
            "descr '{text}' is big-endian: only little-endian data is supported"
        )));
    }
    let mut known: Vec<String> = DType::ALL.iter().filter_map(|d| d.npy_descr()).map(|d| d.into_owned()).collect();
    known.push("|S<N>".to_owned());
    Err(HeaderError::Unsupported(format!("unknown descr '{text}' (expected one of {})", known.join(", "))))
}

enum Descr {
    Text(String),
    /// A list of fields: parsed past, never served.
    Structured,
}

/// The three keys of a header's dict, each exactly once and nothing else.
struct Dict {
    descr: Descr,
    fortran_order: bool,
    shape: Vec<u64>,
    /// Where the shape's tuple is in the text, from its `(` to after its `)`.
    shape_span: (usize, usize),
}

impl Dict {
    fn parse(text: &str) -> Result<Dict, String> {
        let mut at = Cursor { bytes: text.as_bytes(), at: 0 };
        let (mut descr, mut fortran_order, mut shape) = (None, None, None);
        let mut shape_span = (0, 0);
        at.skip_space();
        at.expect(b'{')?;
        loop {
            at.skip_space();
            if at.eat(b'}') {
                break;
            }
            let key = at.string()?;
            at.skip_space();
            at.expect(b':')?;
            at.skip_space();
            let duplicate = match key.as_str() {
                "descr" => descr.replace(at.descr()?).is_some(),
                "fortran_order" => fortran_order.replace(at.boolean()?).is_some(),
                "shape" => {
                    let start = at.at;
                    let tuple = at.tuple()?;
                    shape_span = (start, at.at);
                    shape.replace(tuple).is_some()
                }
                other => return Err(format!("unexpected key '{other}' in the header")),
            };
            if duplicate {
                return Err(format!("key '{key}' appears twice in the header"));
            }
            at.skip_space();
            if !at.eat(b',') {
                at.skip_space();
                at.expect(b'}')?;
                break;
            }
        }
        at.skip_space();
        if at.at != at.bytes.len() {
            return Err("text follows the header's dict".to_owned());
        }
        let missing = |key: &str| format!("the header has no '{key}'");
        Ok(Dict {
            descr: descr.ok_or_else(|| missing("descr"))?,
            fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
            shape: shape.ok_or_else(|| missing("shape"))?,
            shape_span,
        })
    }
}

/// A reader of the Python-literal subset numpy writes in a header.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.eat(byte) { Ok(()) } else { Err(self.unexpected(&format!("'{}'", byte as char))) }
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.peek() {
            Some(found) => {
                format!("expected {wanted} at byte {} of the header's dict, found '{}'", self.at, found as char)
            }
            None => format!("expected {wanted} at byte {} of the header's dict, found its end", self.at),
        }
    }

    /// A quoted string without escapes (numpy's keys and descrs have none).
    fn string(&mut self) -> Result<String, String> {
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return Err(self.unexpected("a quoted string")),
        };
        let start = self.at + 1;
        let Some(len) = self.bytes[start..].iter().position(|&b| b == quote) else {
            return Err("a string in the header is not closed".to_owned());
        };
        let text = &self.bytes[start..start + len];
        if text.contains(&b'\\') {
            return Err("a string in the header has an escape".to_owned());
        }
        self.at = start + len + 1;
        Ok(String::from_utf8_lossy(text).into_owned())
    }

    fn descr(&mut self) -> Result<Descr, String> {
        if self.peek() != Some(b'[') {
            return self.string().map(Descr::Text);
        }
        // Skip the list, brackets balanced, without interpreting it.
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            self.at += 1;
            match byte {
                b'[' | b'(' => depth += 1,
                b']' | b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(Descr::Structured);
                    }
                }
                _ => {}
            }
        }
        Err("the descr list is not closed".to_owned())
    }

    fn boolean(&mut self) -> Result<bool, String> {
        for (word, value) in [("True", true), ("False", false)] {
            if self.bytes[self.at..].starts_with(word.as_bytes()) {
                self.at += word.len();
                return Ok(value);
            }
        }
        Err(self.unexpected("True or False"))
    }

    /// A tuple of non-negative integers: `()`, `(3,)`, `(2, 3)`; Python 2's `3L` too.
    fn tuple(&mut self) -> Result<Vec<u64>, String> {
        self.expect(b'(')?;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.eat(b')') {
                break;
            }
            items.push(self.integer()?);
            self.eat(b'L');
            self.skip_space();
            if self.eat(b',') {
                continue;
            }
            self.expect(b')')?;
            if items.len() == 1 {
                return Err("the shape is not a tuple (a 1-tuple needs a trailing comma)".to_owned());
            }
            break;
        }
        Ok(items)
    }

    fn integer(&mut self) -> Result<u64, String> {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        let digits = &self.bytes[start..self.at];
        if digits.is_empty() {
            return Err(self.unexpected("a non-negative integer"));
        }
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| format!("a dimension of the shape is too large: {}", String::from_utf8_lossy(digits)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header as numpy writes it: `dict` padded to a multiple of 64, ending in a newline.
    fn numpy_header(version: u8, dict: &str) -> Vec<u8> {
        let field = length_field_bytes(version);
        let total = (8 + field + dict.len() + 1).next_multiple_of(64);
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[version, 0]);
        let dict_len = total - 8 - field;
        if version == 1 {
            out.extend_from_slice(&(dict_len as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(dict_len as u32).to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.resize(total - 1, b' ');
        out.push(b'\n');
        out
    }

    fn parse(version: u8, dict: &str) -> Result<Header, HeaderError> {
        Header::parse(&numpy_header(version, dict))
    }

    fn malformed(reason: &str) -> Result<Header, HeaderError> {
        Err(HeaderError::Malformed(reason.to_owned()))
    }

    fn unsupported(reason: &str) -> Result<Header, HeaderError> {
        Err(HeaderError::Unsupported(reason.to_owned()))
    }

    #[test]
    fn every_version_numpy_writes_parses() {
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        for version in [1, 2, 3] {
            let header = parse(version, dict).expect("parses");
            assert_eq!(
                (header.version, header.dtype, header.len, header.data_offset),
                (version, DType::Float64, 3, 128)
            );
        }
    }

    #[test]
    fn keys_in_any_order_quotes_and_spacing_are_accepted() {
        let header = parse(1, "{\"shape\":(7 , ) ,'fortran_order':False,'descr':'|u1'}").expect("parses");
        assert_eq!((header.dtype, header.len), (DType::UInt8, 7));
        assert_eq!(parse(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (5L,)}").map(|h| h.len), Ok(5));
        assert_eq!(
            parse(3, "{'descr': '<i1', 'fortran_order': False, 'shape': (0,), }").map(|h| h.dtype),
            Ok(DType::Int8)
        );
    }

    #[test]
    fn every_dtype_has_a_descr_that_round_trips() {
        let widths = [1, 7, 65536].map(|width| DType::bytes(width).expect("a width"));
        for dtype in DType::ALL.into_iter().filter(|&d| d != DType::BFloat16).chain(widths) {
            let header = Header::new(dtype).expect("a descr").with_len(12_345);
            let bytes = header.encode().expect("fits");
            assert_eq!(bytes.len(), header.data_offset);
            assert_eq!(Header::parse(&bytes), Ok(header));
        }
    }

    #[test]
    fn descrs_of_the_wider_types() {
        let descr = |dtype: DType| {
            Header::new(dtype).map(|h| String::from_utf8_lossy(&h.encode().unwrap_or_default()[10..26]).into_owned())
        };
        assert_eq!(descr(DType::Float16).ok().as_deref(), Some("{'descr': '<f2',"));
        assert_eq!(descr(DType::Float80).ok().as_deref(), Some("{'descr': '<f16'"));
        assert_eq!(descr(DType::bytes(8).expect("a width")).ok().as_deref(), Some("{'descr': '|S8',"));
        assert_eq!(
            Header::new(DType::BFloat16).err().map(|e| e.to_string()).as_deref(),
            Some("bfloat16 has no .npy descr: store it in a raw file")
        );
        let d = |descr: &str| {
            parse(1, &format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (3,)}}")).map(|h| h.dtype)
        };
        assert_eq!(d("|S200").ok(), DType::bytes(200).ok());
        assert_eq!(d("S3").ok(), DType::bytes(3).ok());
        assert!(d("|S0").is_err());
        assert!(d("|S070").is_err());
        assert!(d("|S65537").is_err());
        // A `bytes<N>` element is copied byte-wise: its data need no alignment.
        let odd = parse(1, "{'descr': '|S7', 'fortran_order': False, 'shape': (3,)}").map(|h| h.data_offset % 7 != 0);
        assert_eq!(odd, Ok(true));
    }

    #[test]
    fn a_new_header_is_aligned_and_has_room_for_any_length() {
        let header = Header::new(DType::Float64).expect("a descr");
        assert_eq!(header.data_offset, 128);
        let bytes = header.encode().expect("fits");
        assert!(
            bytes.starts_with(b"\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }")
        );
        assert_eq!(bytes.last(), Some(&b'\n'));
        assert_eq!(header.with_len(u64::MAX).encode().map(|b| b.len()), Some(128));
    }

    #[test]
    fn a_shape_that_does_not_fit_is_refused() {
        // A compact dict another writer made: the shape keeps its place in it.
        let tight = parse(1, "{'descr':'<f8','fortran_order':False,'shape':(9,)}").expect("parses");
        assert_eq!(tight.data_offset, 64);
        let grown = tight.with_len(123).encode().expect("fits");
        assert_eq!(
            String::from_utf8_lossy(&grown[10..]).trim_end(),
            "{'descr':'<f8','fortran_order':False,'shape':(123,)}"
        );
        assert_eq!(Header::parse(&grown).map(|h| h.len), Ok(123));
        assert!(tight.with_len(9_999).encode().is_some());
        let long = tight.with_len(99_999);
        assert_eq!(long.encode(), None);
        assert_eq!(long.bytes_needed(), 65);
    }

    #[test]
    fn truncated_and_foreign_files_are_malformed() {
        let whole = numpy_header(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
        for cut in [0, 3, 9, 20, 63] {
            assert_eq!(Header::parse(&whole[..cut]), malformed("the file ends inside the header"), "cut at {cut}");
        }
        assert_eq!(Header::parse(b"PK\x03\x04 a zip"), malformed("it does not start with the .npy magic \\x93NUMPY"));
        let mut v4 = whole.clone();
        v4[6] = 4;
        assert_eq!(Header::parse(&v4), unsupported("format version 4.0 is not supported (expected 1.0, 2.0 or 3.0)"));
        let mut huge = whole;
        huge[6] = 2;
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Header::parse(&huge), malformed("a header of 4294967295 bytes is implausibly long"));
    }

    #[test]
    fn bad_dicts_are_malformed() {
        let cases = [
            ("'descr': '<f8'", "expected '{' at byte 0 of the header's dict, found '''"),
            ("{'descr': '<f8', 'fortran_order': False}", "the header has no 'shape'"),
            (
                "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
                "unexpected key 'extra' in the header",
            ),
            (
                "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}",
                "key 'descr' appears twice in the header",
            ),
            (
                "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}",
                "expected True or False at byte 34 of the header's dict, found '0'",
            ),
            (
                "{'descr': '<f8', 'fortran_order': False, 'shape': (3)}",
                "the shape is not a tuple (a 1-tuple needs a trailing comma)",
            ),
            (
                "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}",
                "expected a non-negative integer at byte 51 of the header's dict, found '-'",
            ),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x", "text follows the header's dict"),
            (
                "{'descr': '<f8, 'fortran_order': False, 'shape': (3,)}",
                "expected '}' at byte 17 of the header's dict, found 'f'",
            ),
            ("{'descr': '<f\\8', 'fortran_order': False, 'shape': (3,)}", "a string in the header has an escape"),
            (
                "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}",
                "a dimension of the shape is too large: 99999999999999999999",
            ),
            (
                "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)",
                "expected '}' at byte 118 of the header's dict, found its end",
            ),
        ];
        for (dict, reason) in cases {
            assert_eq!(parse(1, dict), malformed(reason), "{dict}");
        }
        let mut latin1 = numpy_header(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
        latin1[70 - 10] = 0xe9;
        assert_eq!(Header::parse(&latin1), malformed("the header is not ASCII"));
    }

    #[test]
    fn a_v3_header_must_be_utf8_and_data_must_be_aligned() {
        let mut v3 = numpy_header(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }");
        v3[80] = 0xff;
        assert_eq!(Header::parse(&v3), malformed("the header is not UTF-8"));
        // A header of 70 bytes (numpy never writes one): float64 data at byte 70 is misaligned.
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}";
        let mut odd = MAGIC.to_vec();
        odd.extend_from_slice(&[1, 0]);
        odd.extend_from_slice(&60u16.to_le_bytes());
        odd.extend_from_slice(dict.as_bytes());
        odd.resize(69, b' ');
        odd.push(b'\n');
        assert_eq!(Header::parse(&odd), unsupported("the data starts at byte 70, not a multiple of 8 (float64)"));
        // Bytes are aligned anywhere.
        let at = odd.windows(3).position(|w| w == b"<f8").unwrap_or_default();
        odd[at..at + 3].copy_from_slice(b"|u1");
        assert_eq!(Header::parse(&odd).map(|h| (h.dtype, h.data_offset)), Ok((DType::UInt8, 70)));
    }

    #[test]
    fn valid_arrays_mmvec_does_not_serve_are_unsupported() {
        let f = |rest: &str| parse(1, &format!("{{'descr': '<f8', {rest}}}"));
        assert_eq!(
            f("'fortran_order': True, 'shape': (3,)"),
            unsupported("fortran_order is True: only C-order arrays are supported")
        );
        assert_eq!(
            f("'fortran_order': False, 'shape': (2, 3)"),
            unsupported("shape (2, 3) is not 1-D: only 1-D arrays are supported")
        );
        assert_eq!(
            f("'fortran_order': False, 'shape': ()"),
            unsupported("shape () is not 1-D: only 1-D arrays are supported")
        );
        let d = |descr: &str| parse(2, &format!("{{'descr': {descr}, 'fortran_order': False, 'shape': (3,)}}"));
        assert_eq!(d("'>f8'"), unsupported("descr '>f8' is big-endian: only little-endian data is supported"));
        assert_eq!(
            d("'<c16'"),
            unsupported(
                "unknown descr '<c16' (expected one of |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8, <f2, <f16, |S<N>)"
            )
        );
        assert_eq!(
            d("[('a', '<i4'), ('b', '<f8')]"),
            unsupported("a structured dtype (a list descr) is not supported")
        );
    }
}
