//! Whether a checkout's own profile and templates (its `.add-backend/`)
//! may be used: only once the user trusts them, as direnv, mise and VS
//! Code's workspace trust do. `add-backend trust` records a digest of that
//! directory's content against the checkout's canonical root in the user's
//! configuration directory; any change to it is untrusted again. A run may
//! also be told to trust it (`--trust`, `ADD_BACKEND_TRUST=1`), as a CI job
//! that chose to. `--templates DIR` is trusted by the act of naming it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

/// The checkout's own directory of profiles and templates.
pub const DIR: &str = ".add-backend";

/// What is in it that is not a profile or template: the manifests
/// add-backend itself writes, data that is checked wherever it is read.
const DATA: &str = "backends";

/// The doctor's baseline: data too, read as such.
const BASELINE_FILE: &str = "doctor-baseline.toml";

/// The largest file a profile or template may be.
pub const MAX_FILE: u64 = 4 << 20;

/// How many files `.add-backend/` may hold.
const MAX_FILES: usize = 10_000;

static ASSUMED: AtomicBool = AtomicBool::new(false);

/// Trust the checkout's own profile and templates in this run
/// (`--trust`, `ADD_BACKEND_TRUST=1`).
pub fn assume() {
    ASSUMED.store(true, Ordering::Relaxed);
}

/// The checkout's profile and templates, and their digest.
pub struct Carried {
    pub dir: PathBuf,
    /// Every file, relative to `dir`, sorted.
    pub files: Vec<String>,
    pub digest: String,
}

/// The checkout's own profiles and templates, if it has any: every file
/// under `.add-backend/` but the manifests and the doctor's baseline. Only regular files, each at
/// most `MAX_FILE` bytes; a symlink or any other kind of file is an error.
pub fn carried(root: &Path) -> Result<Option<Carried>> {
    let dir = root.join(DIR);
    match dir.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => bail!("{}: cannot read: {e}", dir.display()),
        Ok(m) if !m.is_dir() => bail!("{}: not a directory (a symlink?); refusing it", dir.display()),
        Ok(_) => {}
    }
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(&dir).min_depth(1).follow_links(false).sort_by_file_name();
    let mut walk = walk.into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let rel = entry.path().strip_prefix(&dir).expect("walked under dir").to_string_lossy().replace('\\', "/");
        // The data add-backend writes there, when it is what it writes:
        // anything else of that name is hashed, and checked, as the rest.
        if entry.depth() == 1 && rel == DATA && entry.file_type().is_dir() {
            walk.skip_current_dir();
            continue;
        }
        if entry.depth() == 1 && rel == BASELINE_FILE && entry.file_type().is_file() {
            continue;
        }
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            bail!("{}: not a regular file (a symlink, FIFO or device); refusing it", entry.path().display());
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
        if size > MAX_FILE {
            bail!("{}: {size} bytes, more than a profile or template may be ({MAX_FILE})", entry.path().display());
        }
        if files.len() == MAX_FILES {
            bail!("{}: more than {MAX_FILES} files; refusing it", dir.display());
        }
        files.push(rel);
    }
    if files.is_empty() {
        return Ok(None);
    }
    let mut hasher = Sha256::new();
    for rel in &files {
        let bytes = crate::paths::read_regular(&dir.join(rel), MAX_FILE, false)?;
        hasher.update((rel.len() as u64).to_le_bytes());
        hasher.update(rel.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let digest = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Some(Carried { dir, files, digest }))
}

/// Where the digests of trusted checkouts are kept.
fn store() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "add-backend")
        .ok_or_else(|| anyhow!("no home directory to keep the trusted checkouts in"))?;
    Ok(dirs.config_dir().join("trusted"))
}

/// The checkout's root as one spelling: symlinks resolved.
fn canonical(root: &Path) -> Result<PathBuf> {
    root.canonicalize().with_context(|| format!("cannot resolve {}", root.display()))
}

/// The checkout's own profile and templates, if it has any and they may
/// be used: refused, saying how to review and trust them, if not.
pub fn checked(root: &Path) -> Result<Option<PathBuf>> {
    let Some(carried) = carried(root)? else { return Ok(None) };
    if ASSUMED.load(Ordering::Relaxed) {
        crate::log::detail(|| format!("{}: trusted for this run (--trust)", carried.dir.display()));
        return Ok(Some(carried.dir));
    }
    let root = canonical(root)?;
    let line = format!("{} {}", carried.digest, root.display());
    let stored = std::fs::read_to_string(store()?).unwrap_or_default();
    if !stored.lines().any(|l| l == line) {
        let known = stored.lines().any(|l| l.split_once(' ').is_some_and(|(_, path)| Path::new(path) == root));
        let what = if known { "changed since it was trusted" } else { "not trusted yet" };
        bail!(
            "{}: the checkout's own profile and templates ({} files) are {what}; review them, then run 'add-backend trust' (or pass --trust for this run)",
            carried.dir.display(),
            carried.files.len()
        );
    }
    crate::log::detail(|| format!("{}: trusted ({})", carried.dir.display(), &carried.digest[..12]));
    Ok(Some(carried.dir))
}

/// Records the checkout's own profile and templates, as they are now, as
/// trusted; returns them, or `None` if there are none.
pub fn trust(root: &Path) -> Result<Option<Carried>> {
    let Some(carried) = carried(root)? else { return Ok(None) };
    let root = canonical(root)?;
    if root.to_string_lossy().contains('\n') {
        bail!("{}: a checkout whose path holds a line break cannot be trusted", root.display());
    }
    let store = store()?;
    let kept: Vec<String> = std::fs::read_to_string(&store)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.split_once(' ').is_some_and(|(_, path)| Path::new(path) != root))
        .map(str::to_string)
        .collect();
    let parent = store.parent().expect("the store is in a directory");
    std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let mut file =
        tempfile::NamedTempFile::new_in(parent).with_context(|| format!("cannot write in {}", parent.display()))?;
    for line in &kept {
        writeln!(file, "{line}")?;
    }
    writeln!(file, "{} {}", carried.digest, root.display())?;
    file.persist(&store).with_context(|| format!("cannot write {}", store.display()))?;
    Ok(Some(carried))
}
