//! How a vector file is opened: its element type and numpy-style mode.

use crate::dtype::DType;
use crate::error::Error;

/// numpy `memmap` modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `r`: read-only; the file must exist. Takes no lock.
    Read,
    /// `r+`: read-write; the file must exist.
    ReadWrite,
    /// `w+`: read-write; created, or truncated to zero if it exists.
    Create,
    /// `a`: read-write; created if missing, kept as is otherwise (what the seed module's
    /// `MMAP key path` does: RedisMMap, which mmvec replaces).
    #[default]
    Append,
}

impl Mode {
    pub fn from_name(name: &str) -> Result<Mode, Error> {
        match name {
            "r" => Ok(Mode::Read),
            "r+" => Ok(Mode::ReadWrite),
            "w+" => Ok(Mode::Create),
            "a" => Ok(Mode::Append),
            _ => Err(Error::BadMode { name: name.to_owned() }),
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Mode::Read => "r",
            Mode::ReadWrite => "r+",
            Mode::Create => "w+",
            Mode::Append => "a",
        }
    }

    pub const fn is_writable(self) -> bool {
        !matches!(self, Mode::Read)
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a file lays out its elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// The elements and nothing else.
    Raw,
    /// A numpy `.npy` file: a header giving dtype and length, then the elements.
    Npy,
}

impl Format {
    pub fn from_name(name: &str) -> Result<Format, Error> {
        match name.to_ascii_lowercase().as_str() {
            "raw" => Ok(Format::Raw),
            "npy" => Ok(Format::Npy),
            _ => Err(Error::BadFormat { name: name.to_owned() }),
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Format::Raw => "raw",
            Format::Npy => "npy",
        }
    }

    /// The format a path implies: `.npy` (any case) is numpy's, anything else raw.
    pub fn of_path(path: &std::path::Path) -> Format {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("npy") => Format::Npy,
            _ => Format::Raw,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Options for [`crate::MappedVec::open`]: `float64` in mode `a` by default, the format
/// from the path's extension.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// The element type of a raw file and of a new `.npy` file. An existing `.npy` file's
    /// header names its own: if `dtype_given`, this must agree with it.
    pub dtype: DType,
    /// Whether `dtype` was asked for (a mismatch with a header is then an error) or is
    /// only the default.
    pub dtype_given: bool,
    /// `None`: [`Format::of_path`].
    pub format: Option<Format>,
    pub mode: Mode,
    /// Refuse a path whose last component is a symlink (`O_NOFOLLOW`), for callers that
    /// resolved the path themselves and must open exactly what they checked.
    pub no_follow: bool,
}

impl OpenOptions {
    pub fn new(dtype: DType, mode: Mode) -> Self {
        OpenOptions { dtype, dtype_given: true, format: None, mode, no_follow: false }
    }

    /// Options that take an existing `.npy` file's dtype from its header, and use `dtype`
    /// for a raw or new file.
    pub fn defaulting_dtype(dtype: DType, mode: Mode) -> Self {
        OpenOptions { dtype_given: false, ..OpenOptions::new(dtype, mode) }
    }

    pub fn format(self, format: Format) -> Self {
        OpenOptions { format: Some(format), ..self }
    }

    pub fn no_follow(self) -> Self {
        OpenOptions { no_follow: true, ..self }
    }
}
