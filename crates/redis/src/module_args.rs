//! `loadmodule … [DIR path] [ALIASES yes|no]`, and the settings they give for the
//! module's lifetime.

use std::sync::OnceLock;

use mmvec_core::Root;
use redis_module::RedisString;

pub struct Settings {
    /// Every vector file lies inside this directory.
    pub root: Root,
    /// Whether the command names of the seed module (RedisMMap, which mmvec replaces:
    /// `MMAP`, `VGET`, …) are registered too, as aliases.
    pub aliases: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

pub fn parse(args: &[RedisString]) -> Result<Settings, String> {
    let mut dir = None;
    let mut aliases = true;
    let mut words = args.iter().map(|a| a.to_string_lossy());
    while let Some(name) = words.next() {
        let value = words.next().ok_or_else(|| format!("module argument {name} needs a value"))?;
        match name.to_ascii_uppercase().as_str() {
            "DIR" => dir = Some(value),
            "ALIASES" => {
                aliases = match value.to_ascii_lowercase().as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return Err(format!("ALIASES must be yes or no, not '{value}'")),
                }
            }
            _ => {
                return Err(format!("unknown module argument '{name}' (expected DIR or ALIASES)"));
            }
        }
    }
    // Redis has chdir()ed to its `dir` before loading modules: that is the default root.
    let dir = dir.unwrap_or_else(|| ".".to_owned());
    let root = Root::new(&dir).map_err(|e| format!("DIR {dir}: {e}"))?;
    Ok(Settings { root, aliases })
}

pub fn install(settings: Settings) -> Result<(), Settings> {
    SETTINGS.set(settings)
}

/// The root directory. Only callable after a successful load, which is when Redis runs
/// commands and loads data; before that there is nothing to confine.
pub fn root() -> Option<&'static Root> {
    SETTINGS.get().map(|s| &s.root)
}
