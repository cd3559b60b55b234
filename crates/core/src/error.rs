//! The one error type of the core. Adapters turn it into a Redis error reply or a JS `Error`
//! whose `code` is [`Error::code`].

use std::io;
use std::path::{Path, PathBuf};

use crate::dtype::DType;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no such file or directory: {}", path.display())]
    NotFound { path: PathBuf },
    #[error("not a regular file: {}", path.display())]
    NotRegularFile { path: PathBuf },
    #[error("size of {} is {size} bytes, not a multiple of {} ({dtype})", path.display(), dtype.itemsize())]
    BadSize { path: PathBuf, size: u64, dtype: DType },
    #[error("index {index} is out of range for length {len}")]
    OutOfRange { index: u64, len: u64 },
    #[error("{} is locked by another writer", path.display())]
    Locked { path: PathBuf },
    #[error("{} is mapped by a reader: shrinking it now would crash that reader", path.display())]
    HasReaders { path: PathBuf },
    #[error("vector is read-only")]
    ReadOnly,
    #[error("value '{value}' is not valid for {dtype}: {reason}")]
    BadValue { value: String, dtype: DType, reason: &'static str },
    #[error("value '{value}' is not valid for {dtype}: {len} bytes is longer than {}", dtype.itemsize())]
    TooLong { value: String, len: usize, dtype: DType },
    #[error(
        "unknown dtype '{name}' (expected one of int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, float16, bfloat16, float80, bytes<N>)"
    )]
    BadDType { name: String },
    #[error("bad dtype width {width}: bytes<N> takes 1 to 65536 bytes")]
    BadByteWidth { width: u64 },
    #[error("dtype '{name}' needs a value size (its width in bytes)")]
    MissingValueSize { name: String },
    #[error("value_size {size} does not match {dtype}, whose itemsize is {}", dtype.itemsize())]
    WrongValueSize { size: u64, dtype: DType },
    #[error("{dtype} has no .npy descr: store it in a raw file")]
    NoNpyDescr { dtype: DType },
    #[error("unknown mode '{name}' (expected one of r, r+, w+, a)")]
    BadMode { name: String },
    #[error("index {text} is not a non-negative safe integer")]
    BadIndex { text: String },
    #[error("{len} bytes is not a whole number of {dtype} elements ({} bytes each)", dtype.itemsize())]
    BadLength { len: usize, dtype: DType },
    #[error("path {} is outside the allowed directory", path.display())]
    OutsideRoot { path: PathBuf },
    #[error("bad path '{}': {reason}", path.display().to_string().escape_debug())]
    BadPath { path: PathBuf, reason: &'static str },
    #[error("corrupt snapshot: {reason}")]
    Corrupt { reason: &'static str },
    #[error("unknown format '{name}' (expected raw or npy)")]
    BadFormat { name: String },
    #[error("{} is not a .npy file mmvec can open: {reason}", path.display())]
    BadNpyHeader { path: PathBuf, reason: String },
    #[error("{} holds an array mmvec does not serve: {reason}", path.display())]
    UnsupportedNpy { path: PathBuf, reason: String },
    #[error("{} says it holds {len} elements ({} bytes) but has {data_bytes} bytes of data", path.display(), len.saturating_mul(dtype.itemsize() as u64))]
    NpyShortData { path: PathBuf, len: u64, dtype: DType, data_bytes: u64 },
    #[error("the .npy header of {} has no room for {len} elements: the shape needs {needed} bytes of header, it has {room}", path.display())]
    NpyHeaderFull { path: PathBuf, len: u64, needed: usize, room: usize },
    #[error("{} holds {found} (its .npy header says so), not {given}", path.display())]
    DTypeMismatch { path: PathBuf, given: DType, found: DType },
    #[error("{op} {}: {source}", path.display())]
    Io { op: &'static str, path: PathBuf, source: io::Error },
}

impl Error {
    /// A stable identifier of the kind of error: Node's errno names for file-system
    /// errors, `ERR_MMVEC_*` for the rest. Tests and callers match on this, never on text.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "ENOENT",
            Error::NotRegularFile { .. } => "ERR_MMVEC_NOT_REGULAR_FILE",
            Error::BadSize { .. } => "ERR_MMVEC_BAD_SIZE",
            Error::OutOfRange { .. } => "ERR_MMVEC_OUT_OF_RANGE",
            Error::Locked { .. } => "ERR_MMVEC_LOCKED",
            Error::HasReaders { .. } => "ERR_MMVEC_HAS_READERS",
            Error::ReadOnly => "ERR_MMVEC_READ_ONLY",
            Error::BadValue { .. } | Error::TooLong { .. } => "ERR_MMVEC_BAD_VALUE",
            Error::BadDType { .. }
            | Error::BadByteWidth { .. }
            | Error::MissingValueSize { .. }
            | Error::WrongValueSize { .. } => "ERR_MMVEC_BAD_DTYPE",
            Error::NoNpyDescr { .. } => "ERR_MMVEC_NO_NPY_DESCR",
            Error::BadMode { .. } => "ERR_MMVEC_BAD_MODE",
            Error::BadIndex { .. } => "ERR_MMVEC_BAD_INDEX",
            Error::BadLength { .. } => "ERR_MMVEC_BAD_LENGTH",
            Error::OutsideRoot { .. } => "ERR_MMVEC_OUTSIDE_ROOT",
            Error::BadPath { .. } => "ERR_MMVEC_BAD_PATH",
            Error::Corrupt { .. } => "ERR_MMVEC_CORRUPT",
            Error::BadFormat { .. } => "ERR_MMVEC_BAD_FORMAT",
            Error::BadNpyHeader { .. } => "ERR_MMVEC_BAD_NPY_HEADER",
            Error::UnsupportedNpy { .. } => "ERR_MMVEC_UNSUPPORTED_NPY",
            Error::NpyShortData { .. } => "ERR_MMVEC_NPY_SHORT_DATA",
            Error::NpyHeaderFull { .. } => "ERR_MMVEC_NPY_HEADER_FULL",
            Error::DTypeMismatch { .. } => "ERR_MMVEC_DTYPE_MISMATCH",
            Error::Io { source, .. } => io_code(source),
        }
    }

    /// The file the error is about, where it names one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Error::NotFound { path }
            | Error::NotRegularFile { path }
            | Error::BadSize { path, .. }
            | Error::Locked { path }
            | Error::HasReaders { path }
            | Error::OutsideRoot { path }
            | Error::BadPath { path, .. }
            | Error::Io { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The file's size in bytes, for a size that is not a whole number of elements.
    pub fn size(&self) -> Option<u64> {
        match self {
            Error::BadSize { size, .. } => Some(*size),
            _ => None,
        }
    }

    /// The dtype the error is about, where there is one.
    pub fn dtype(&self) -> Option<DType> {
        match self {
            Error::BadSize { dtype, .. }
            | Error::BadValue { dtype, .. }
            | Error::TooLong { dtype, .. }
            | Error::BadLength { dtype, .. } => Some(*dtype),
            _ => None,
        }
    }

    /// For a refused value: the value as given (cut at 128 characters) and why it was refused.
    pub fn bad_value(&self) -> Option<(&str, &'static str)> {
        match self {
            Error::BadValue { value, reason, .. } => Some((value, reason)),
            _ => None,
        }
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io { op, path: path.into(), source }
    }
}

fn io_code(err: &io::Error) -> &'static str {
    use io::ErrorKind as K;
    match err.kind() {
        K::NotFound => "ENOENT",
        K::PermissionDenied => "EACCES",
        K::StorageFull => "ENOSPC",
        K::IsADirectory => "EISDIR",
        K::NotADirectory => "ENOTDIR",
        K::ReadOnlyFilesystem => "EROFS",
        K::FileTooLarge => "EFBIG",
        K::InvalidFilename => "ENAMETOOLONG",
        K::OutOfMemory => "ENOMEM",
        K::AlreadyExists => "EEXIST",
        _ => "ERR_MMVEC_IO",
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_name_what_the_error_is_about() {
        let bad_size = Error::BadSize { path: "v.f64".into(), size: 12, dtype: DType::Float64 };
        assert_eq!(bad_size.path(), Some(Path::new("v.f64")));
        assert_eq!(bad_size.size(), Some(12));
        assert_eq!(bad_size.dtype(), Some(DType::Float64));
        let bad_value = Error::BadValue { value: "x".into(), dtype: DType::Int8, reason: "not an integer" };
        assert_eq!(bad_value.bad_value(), Some(("x", "not an integer")));
        assert_eq!(bad_value.path(), None);
        assert_eq!(Error::ReadOnly.dtype(), None);
        assert_eq!(Error::ReadOnly.size(), None);
    }
}
