//! Confining client-supplied paths to one directory (the Redis module's `DIR`).

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// A directory that every resolved path must stay inside, after `..` and symlinks.
#[derive(Clone, Debug)]
pub struct Root {
    dir: PathBuf,
}

impl Root {
    /// `dir` must exist; it is canonicalized once, here.
    pub fn new(dir: impl AsRef<Path>) -> Result<Root> {
        let dir = dir.as_ref();
        let canonical = dir.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound { path: dir.into() },
            _ => Error::io("resolve", dir, e),
        })?;
        if !canonical.is_dir() {
            return Err(Error::BadPath { path: dir.into(), reason: "not a directory" });
        }
        Ok(Root { dir: canonical })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Resolves `path` (relative to the root, or absolute) to an absolute path inside the
    /// root. The parent directory must exist; the file need not. A path that names a
    /// symlink resolves to the symlink's target, which must be inside the root too (and,
    /// if it does not exist yet, is what gets created).
    pub fn resolve(&self, path: &str) -> Result<PathBuf> {
        let given = Path::new(path);
        let bad = |reason| Error::BadPath { path: given.into(), reason };
        if path.is_empty() {
            return Err(bad("empty path"));
        }
        if path.contains('\0') {
            return Err(bad("contains a NUL byte"));
        }
        // `Path::components` drops a trailing `.`, which would make `dir/.` name `dir`.
        let last = path.rsplit('/').next().unwrap_or_default();
        if matches!(last, "" | "." | "..") {
            return Err(bad("does not name a file"));
        }
        self.resolve_link(&self.dir.join(given), given, 0)
    }

    fn resolve_link(&self, joined: &Path, given: &Path, depth: u32) -> Result<PathBuf> {
        const MAX_LINKS: u32 = 40;
        let bad = |reason| Error::BadPath { path: given.into(), reason };
        if depth > MAX_LINKS {
            return Err(bad("too many levels of symbolic links"));
        }
        let Some(Component::Normal(name)) = joined.components().next_back() else {
            return Err(bad("does not name a file"));
        };
        let parent = joined.parent().ok_or_else(|| bad("does not name a file"))?;
        let parent = parent.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound { path: parent.into() },
            _ => Error::io("resolve", parent, e),
        })?;
        self.check_inside(&parent, given)?;
        let candidate = parent.join(name);
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&candidate).map_err(|e| Error::io("readlink", &candidate, e))?;
                // A relative target is relative to the link's directory; joining an
                // absolute one replaces the base.
                self.resolve_link(&parent.join(target), given, depth + 1)
            }
            _ => Ok(candidate),
        }
    }

    /// The path as it should be recorded: relative paths as given; an absolute path as
    /// its resolved location relative to the root, so that it names the same file under
    /// another node's root (a replica's, a restore target's).
    pub fn portable(&self, path: &str) -> Result<String> {
        if !Path::new(path).is_absolute() {
            return Ok(path.to_owned());
        }
        let resolved = self.resolve(path)?;
        let relative = resolved.strip_prefix(&self.dir).map_err(|_| Error::OutsideRoot { path: path.into() })?;
        relative
            .to_str()
            .map(str::to_owned)
            .ok_or(Error::BadPath { path: path.into(), reason: "is not valid UTF-8 once resolved" })
    }

    /// Whether an absolute, resolved path lies inside the root.
    pub fn contains(&self, resolved: &Path) -> bool {
        resolved.starts_with(&self.dir)
    }

    fn check_inside(&self, resolved: &Path, given: &Path) -> Result<()> {
        if resolved.starts_with(&self.dir) { Ok(()) } else { Err(Error::OutsideRoot { path: given.into() }) }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Root) {
        let outer = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(outer.path().join("root")).expect("mkdir");
        std::fs::create_dir(outer.path().join("root/sub")).expect("mkdir");
        let root = Root::new(outer.path().join("root")).expect("root");
        (outer, root)
    }

    fn code(result: Result<PathBuf>) -> &'static str {
        result.err().map_or("ok", |e| e.code())
    }

    #[test]
    fn relative_and_absolute_paths_inside_resolve() {
        let (_outer, root) = setup();
        assert_eq!(root.resolve("a.bin").ok(), Some(root.dir().join("a.bin")));
        assert_eq!(root.resolve("sub/../b.bin").ok(), Some(root.dir().join("b.bin")));
        let absolute = root.dir().join("sub/c.bin");
        assert_eq!(root.resolve(absolute.to_str().unwrap_or_default()).ok(), Some(absolute));
    }

    #[test]
    fn escapes_are_refused() {
        let (outer, root) = setup();
        assert_eq!(code(root.resolve("/etc/passwd")), "ERR_MMVEC_OUTSIDE_ROOT");
        assert_eq!(code(root.resolve("../x.bin")), "ERR_MMVEC_OUTSIDE_ROOT");
        assert_eq!(code(root.resolve("sub/../../x.bin")), "ERR_MMVEC_OUTSIDE_ROOT");
        std::os::unix::fs::symlink(outer.path(), root.dir().join("out")).expect("symlink");
        assert_eq!(code(root.resolve("out/x.bin")), "ERR_MMVEC_OUTSIDE_ROOT");
        std::os::unix::fs::symlink("/etc/passwd", root.dir().join("pw")).expect("symlink");
        assert_eq!(code(root.resolve("pw")), "ERR_MMVEC_OUTSIDE_ROOT");
        let msg = root.resolve("/etc/passwd").err().map(|e| e.to_string());
        assert_eq!(msg.as_deref(), Some("path /etc/passwd is outside the allowed directory"));
    }

    #[test]
    fn odd_paths_are_refused() {
        let (_outer, root) = setup();
        assert_eq!(code(root.resolve("")), "ERR_MMVEC_BAD_PATH");
        assert_eq!(code(root.resolve("a\0b")), "ERR_MMVEC_BAD_PATH");
        assert_eq!(code(root.resolve("sub/..")), "ERR_MMVEC_BAD_PATH");
        assert_eq!(code(root.resolve("/")), "ERR_MMVEC_BAD_PATH");
        assert_eq!(code(root.resolve("missing/x.bin")), "ENOENT");
        std::os::unix::fs::symlink("sub", root.dir().join("inner")).expect("symlink");
        assert_eq!(root.resolve("inner/x.bin").ok(), Some(root.dir().join("sub/x.bin")));
        assert_eq!(code(root.resolve(".")), "ERR_MMVEC_BAD_PATH");
        assert_eq!(code(root.resolve("sub/.")), "ERR_MMVEC_BAD_PATH");
        assert_eq!(code(root.resolve("sub/")), "ERR_MMVEC_BAD_PATH");
        let dir = root.dir().to_string_lossy().into_owned();
        assert_eq!(code(root.resolve(&format!("{dir}/."))), "ERR_MMVEC_BAD_PATH");
    }

    #[test]
    fn absolute_paths_are_recorded_relative_to_the_root() {
        let (_outer, root) = setup();
        let absolute = root.dir().join("sub/v.bin");
        assert_eq!(root.portable(absolute.to_str().unwrap_or_default()).ok().as_deref(), Some("sub/v.bin"));
        assert_eq!(root.portable("sub/../v.bin").ok().as_deref(), Some("sub/../v.bin"));
        assert_eq!(code(root.portable("/etc/passwd").map(PathBuf::from)), "ERR_MMVEC_OUTSIDE_ROOT");
    }

    #[test]
    fn dangling_links_resolve_to_their_target() {
        let (outer, root) = setup();
        std::os::unix::fs::symlink("sub/new.bin", root.dir().join("new")).expect("symlink");
        assert_eq!(root.resolve("new").ok(), Some(root.dir().join("sub/new.bin")));
        std::os::unix::fs::symlink(outer.path().join("gone.bin"), root.dir().join("out")).expect("symlink");
        assert_eq!(code(root.resolve("out")), "ERR_MMVEC_OUTSIDE_ROOT");
        std::os::unix::fs::symlink("loop", root.dir().join("loop")).expect("symlink");
        assert_eq!(code(root.resolve("loop")), "ERR_MMVEC_BAD_PATH");
    }
}
