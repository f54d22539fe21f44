//! How add-backend reads a file (only a regular one, never blocking on a
//! FIFO, never more than a cap), and which paths of a checkout it may
//! write, whatever a profile or a template says: none outside the root, none under `.git/` (nor under
//! the git directory a `.git` file names), none in the tool's own state,
//! and under `.add-backend/` only the backends' manifests. Checked when a
//! plan is made and again just before it is written. A leaf: it knows no
//! project, profile or plan.

use std::cell::RefCell;

use foldhash::HashMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Result, anyhow, bail};

/// The largest file add-backend reads: a project's source file, a
/// profile, a template.
pub const MAX_READ: u64 = 8 << 20;

/// A file's text, read as `read_regular` does, that must be UTF-8.
pub fn read_text(path: &Path, follow: bool) -> Result<String> {
    let bytes = read_regular(path, MAX_READ, follow)?;
    String::from_utf8(bytes).map_err(|_| anyhow!("{}: not UTF-8 text", path.display()))
}

/// Where add-backend keeps what it records of each backend it added.
pub const MANIFESTS: &str = ".add-backend/backends/";

/// Refuses `rel` (relative to `root`, `/`-separated) if add-backend must
/// never write it.
pub fn refuse_forbidden(root: &Path, rel: &str) -> Result<()> {
    refuse_forbidden_to(root, rel, false)
}

/// What the checks learn of the directories above the files they check,
/// kept for one phase of a run (planning, or writing) so that a plan of a
/// dozen files resolves the root, reads its `.git` and looks for a git
/// directory above each directory once: the root's real path and the git
/// directory its `.git` file names, and for each directory a file goes in,
/// the git directory it is in, if any (keyed by its path's bytes).
#[derive(Default)]
pub struct Seen {
    root: RefCell<Option<(PathBuf, Option<PathBuf>)>>,
    git_dir_of: RefCell<HashMap<std::ffi::OsString, Option<PathBuf>>>,
}

/// Refuses `rel` as a path a profile names for a file to write or patch:
/// besides what add-backend never writes, nothing under `.add-backend/`
/// (its own records of the backends there among it).
pub fn refuse_profile_path(root: &Path, rel: &str, seen: &Seen) -> Result<()> {
    refuse_forbidden_seen(root, rel, false, seen)?;
    if rel.split(['/', '\\']).next().is_some_and(|first| first.eq_ignore_ascii_case(".add-backend")) {
        bail!(
            "{rel}: inside .add-backend/, which holds the checkout's profile and templates; no profile may write there"
        );
    }
    Ok(())
}

/// Whether `rel` is a file of a checkout's own profile that `learn`
/// writes: `.add-backend/<name>/profile.toml` or a template under it.
pub fn profile_file(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    parts.len() >= 3
        && parts[0] == ".add-backend"
        && !["backends", ".add-backend.state"].contains(&parts[1])
        && parts[1..].iter().all(|p| !p.is_empty() && !p.starts_with('.'))
        && (parts.len() == 3 && parts[2] == "profile.toml" || rel.ends_with(".tera"))
}

/// As [`refuse_forbidden`]; with `profile`, a file of a checkout's own
/// profile too may be written (by `learn`, never by a profile).
pub fn refuse_forbidden_to(root: &Path, rel: &str, profile: bool) -> Result<()> {
    refuse_forbidden_seen(root, rel, profile, &Seen::default())
}

/// As [`refuse_forbidden_to`], with what an earlier check of the same
/// phase learnt.
pub fn refuse_forbidden_seen(root: &Path, rel: &str, profile: bool, seen: &Seen) -> Result<()> {
    if rel.is_empty() || Path::new(rel).components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!("{rel}: a path to write must lead down from the checkout's root (no `..`, `.` or leading `/`); refusing");
    }
    let parts: Vec<&str> = rel.split(['/', '\\']).collect();
    // Case-insensitive: on a case-insensitive file system `.GIT` is `.git`.
    if parts.iter().any(|p| p.eq_ignore_ascii_case(".git")) {
        bail!("{rel}: inside a .git directory; add-backend never writes there, whatever a profile says");
    }
    if parts[0].eq_ignore_ascii_case(".add-backend.state") {
        bail!("{rel}: add-backend's own state; no profile may write there");
    }
    if parts[0].eq_ignore_ascii_case(".add-backend") && !(profile && profile_file(rel)) {
        let manifest = rel.strip_prefix(MANIFESTS).is_some_and(|name| name.ends_with(".json") && !name.contains('/'));
        if !manifest {
            bail!(
                "{rel}: inside .add-backend/, which holds the checkout's profile and templates; no profile may write there"
            );
        }
    }
    if let Some(git_dir) = inside_git_dir(root, rel, seen) {
        bail!("{rel}: inside the git directory {}; add-backend never writes there", git_dir.display());
    }
    Ok(())
}

/// The git directory `rel` would be written in, if any: found by what
/// git itself needs of one (`HEAD`, `objects/`, `refs/`) in the directories
/// the write would go through as they really are (symlinks resolved: a
/// `.git` symlink, a `gitdir:` file of any length, a link to either), up
/// to the root; or named by the root's `.git` file, lexically, for one
/// that does not exist yet.
fn inside_git_dir(root: &Path, rel: &str, seen: &Seen) -> Option<PathBuf> {
    let known = seen.root.borrow().clone();
    let (root, named) = match known {
        Some(known) => known,
        None => {
            let real = root.canonicalize().ok()?;
            let named = named_git_dir(&real);
            *seen.root.borrow_mut() = Some((real.clone(), named.clone()));
            (real, named)
        }
    };
    let target = root.join(rel);
    if let Some(named) = named
        && target.starts_with(&named)
    {
        return Some(named);
    }
    let existing = target.ancestors().skip(1).find(|a| a.exists())?;
    if let Some(known) = seen.git_dir_of.borrow().get(existing.as_os_str()) {
        return known.clone();
    }
    let real = existing.canonicalize().ok();
    let git_dir = real.and_then(|real| {
        real.ancestors().take_while(|a| under(a, &root)).find(|a| is_git_dir(a)).map(Path::to_path_buf)
    });
    seen.git_dir_of.borrow_mut().insert(existing.as_os_str().to_owned(), git_dir.clone());
    git_dir
}

/// Whether `path` is `dir` or below it, both real (canonical) paths: a
/// byte prefix ending at a separator, as `Path::starts_with` has it for
/// such paths, without walking their components.
pub fn under(path: &Path, dir: &Path) -> bool {
    let (path, dir) = (path.as_os_str().as_encoded_bytes(), dir.as_os_str().as_encoded_bytes());
    path.starts_with(dir)
        && (path.len() == dir.len()
            || dir.last().is_some_and(|&b| std::path::is_separator(b.into()))
            || std::path::is_separator(path[dir.len()].into()))
}

/// Whether `dir` is a git directory, by what git needs of one.
fn is_git_dir(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

/// The directory the root's `.git` file names (`gitdir: PATH`, as a
/// worktree's or a submodule's has), made absolute lexically.
fn named_git_dir(root: &Path) -> Option<PathBuf> {
    let meta = root.join(".git").symlink_metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let text = String::from_utf8(read_regular(&root.join(".git"), MAX_READ, false).ok()?).ok()?;
    let target = text.lines().next()?.trim().strip_prefix("gitdir:")?.trim();
    let mut path = root.to_path_buf();
    for component in Path::new(target).components() {
        match component {
            Component::ParentDir => {
                path.pop();
            }
            Component::CurDir => {}
            other => path.push(other),
        }
    }
    Some(path)
}

/// The bytes of `path` if it is a regular file of at most `max` bytes:
/// never a FIFO (opened without blocking), a device or a socket, nor a
/// symlink unless `follow`.
pub fn read_regular(path: &Path, max: u64, follow: bool) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let nofollow = if follow { rustix::fs::OFlags::empty() } else { rustix::fs::OFlags::NOFOLLOW };
        let flags = nofollow | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits() as i32);
    }
    #[cfg(not(target_os = "linux"))]
    if !follow && path.symlink_metadata().is_ok_and(|m| !m.is_file()) {
        bail!("{}: not a regular file (a symlink, FIFO, device or socket); refusing to read it", path.display());
    }
    let file = options.open(path).map_err(|e| {
        if !follow && path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
            anyhow!("{}: a symlink; refusing to read it", path.display())
        } else {
            anyhow!("{}: cannot read: {e}", path.display())
        }
    })?;
    let meta = file.metadata().map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
    if !meta.is_file() {
        bail!("{}: not a regular file (a FIFO, device or socket); refusing to read it", path.display());
    }
    if meta.len() > max {
        bail!("{}: {} bytes, more than add-backend reads ({max})", path.display(), meta.len());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
    if bytes.len() as u64 > max {
        bail!("{}: more than {max} bytes; refusing to read it", path.display());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::refuse_forbidden;
    use super::under;
    use std::path::Path;

    #[test]
    fn under_is_starts_with_for_real_paths() {
        for (path, dir) in [
            ("/a/b", "/a"),
            ("/a/b", "/a/b"),
            ("/a/bc", "/a/b"),
            ("/a", "/a/b"),
            ("/", "/"),
            ("/a", "/"),
            ("/ab/c", "/a"),
            ("/a/.git/x", "/a/.git"),
            ("/a/.gitx", "/a/.git"),
        ] {
            assert_eq!(under(Path::new(path), Path::new(dir)), Path::new(path).starts_with(dir), "{path} {dir}");
        }
    }

    #[test]
    fn git_state_and_the_checkouts_own_profile_are_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for ok in ["ftp/replica_client.go", "README.md", ".add-backend/backends/ftp.json", "a/.gitignore", "x.git/y"] {
            assert!(refuse_forbidden(root, ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            (".git/config", "inside a .git directory"),
            (".git/hooks/pre-push", "inside a .git directory"),
            (".GIT/config", "inside a .git directory"),
            ("sub/.git/info/attributes", "inside a .git directory"),
            (".add-backend.state/journal", "own state"),
            (".add-backend/litestream/profile.toml", "inside .add-backend/"),
            (".add-backend/backends/x/y.json", "inside .add-backend/"),
            (".add-backend/backends/ftp.go", "inside .add-backend/"),
            ("../outside", "must lead down"),
            ("/etc/passwd", "must lead down"),
            ("", "must lead down"),
        ] {
            let err = refuse_forbidden(root, bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
        std::fs::write(root.join(".git"), "gitdir: modules/sub\n").unwrap();
        // However the path spells its way there (`//`, `/./`).
        for path in ["modules/sub/hooks/pre-commit", "modules//sub/x", "modules/./sub/HEAD"] {
            let err = refuse_forbidden(root, path).unwrap_err().to_string();
            assert!(err.contains("inside the git directory"), "{path}: {err}");
        }
        assert!(refuse_forbidden(root, "modules/other.go").is_ok());

        // A git directory under another name, reached however: by what it holds.
        for dir in ["store/refs", "store/objects"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("store/HEAD"), "ref: refs/heads/main\n").unwrap();
        std::os::unix::fs::symlink("store", root.join("link")).unwrap();
        for path in ["store/config", "store/hooks/pre-push", "link/config"] {
            let err = refuse_forbidden(root, path).unwrap_err().to_string();
            assert!(err.contains("inside the git directory"), "{path}: {err}");
        }
        // A long .git file is read whole.
        std::fs::write(root.join(".git"), format!("gitdir: store{}", "\n".repeat(5000))).unwrap();
        assert!(refuse_forbidden(root, "store/x").is_err());
    }
}
