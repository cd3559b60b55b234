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

/// Options for [`crate::MappedVec::open`]: `float64` in mode `a` by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    pub dtype: DType,
    pub mode: Mode,
    /// Refuse a path whose last component is a symlink (`O_NOFOLLOW`), for callers that
    /// resolved the path themselves and must open exactly what they checked.
    pub no_follow: bool,
}

impl OpenOptions {
    pub fn new(dtype: DType, mode: Mode) -> Self {
        OpenOptions { dtype, mode, no_follow: false }
    }

    pub fn no_follow(self) -> Self {
        OpenOptions { no_follow: true, ..self }
    }
}
