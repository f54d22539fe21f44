//! What protects a checkout from two runs at once and from a run killed
//! half-way: a lock, and a journal of what an apply is about to change.
//!
//! Both live where the checkout's content cannot plant or redirect them.
//! In a git work tree whose `.git` is a real directory (at the root or
//! above it), in `.git/add-backend/`, as git keeps its own state outside
//! the tree; anywhere else (no git, a `.git` file of a worktree or a
//! submodule, a `.git` symlink), in the user's state directory
//! (`$XDG_STATE_HOME/add-backend/<digest of the canonical root>/`), so
//! that a checkout reached by two spellings has one lock and one journal.
//!
//! The lock is an advisory lock (`File::try_lock`) on the git directory,
//! or on the user's state directory of the checkout, and the system
//! releases it however the holder dies: exclusive for a run that may
//! write, shared for one that only reads (a dry run, `doctor`), so that
//! reads run side by side and never beside a write. Where a directory
//! cannot be locked (not Unix, or a file system that refuses), a `lock`
//! file in the state directory is locked instead.
//!
//! The journal is written before the first change and removed after the
//! last; if it is there when a run starts, the previous one was
//! interrupted, and the run restores every file it lists before doing
//! anything else. It is followed only if it is a regular file of the
//! user's, signed with the user's own key (keyed BLAKE3; the key is made on
//! first use, readable by the user alone), and only for paths inside the
//! checkout that add-backend may write: a journal a checkout ships, or
//! anyone else wrote, is ignored and removed, with a warning.

use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::atomic::TEMP_PREFIX;

/// What an apply is about to change, with what to put back.
#[derive(Debug, PartialEq)]
pub struct Journal<'a> {
    pub files: Vec<Entry<'a>>,
    /// Directories the apply creates, parents first.
    pub dirs: Vec<String>,
    /// Set once every file is in place: the run is done, and what is left
    /// to do is removing `left`, never undoing it.
    pub done: bool,
    /// Temporary files (the originals swapped out) the run still has to
    /// remove, once done.
    pub left: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct Entry<'a> {
    pub path: String,
    /// The content before the apply; `None` for a file it creates
    /// (borrowed from the plan when written, not copied).
    pub before: Option<Cow<'a, str>>,
    /// A digest of the content the apply writes: recovery undoes only a
    /// file that still holds it, never an edit made since.
    pub after: String,
    /// The apply removes the file (`remove`).
    pub deleted: bool,
}

/// The journal's first line; its last is `end`, so that one cut short by
/// a kill is told from a whole one.
const HEADER: &str = "add-backend journal 2\n";

impl Journal<'_> {
    /// The journal as written: a line a directory (`dir PATH`), then a
    /// header line a file (`file DIGEST DELETED PATH_LEN BEFORE_LEN`, the
    /// length `-` for none) followed by its path and content as they are.
    /// Contents go in raw, so writing one costs no escape; and in pieces,
    /// each original as the plan holds it, so not even a copy.
    fn pieces(&self) -> Vec<Cow<'_, [u8]>> {
        let mut head = String::from(HEADER);
        if self.done {
            head.push_str("done\n");
        }
        for path in &self.left {
            head.push_str(&format!("left {}\n{path}\n", path.len()));
        }
        for dir in &self.dirs {
            head.push_str(&format!("dir {dir}\n"));
        }
        let mut pieces = Vec::with_capacity(2 * self.files.len() + 2);
        for file in &self.files {
            let before = file.before.as_ref().map_or("-".to_string(), |b| b.len().to_string());
            head.push_str(&format!("file {} {} {} {before}\n", file.after, u8::from(file.deleted), file.path.len()));
            head.push_str(&file.path);
            pieces.push(Cow::Owned(std::mem::take(&mut head).into_bytes()));
            pieces.push(Cow::Borrowed(file.before.as_deref().unwrap_or_default().as_bytes()));
            head.push('\n');
        }
        head.push_str("end\n");
        pieces.push(Cow::Owned(head.into_bytes()));
        pieces
    }

    #[cfg(test)]
    fn encode(&self) -> Vec<u8> {
        self.pieces().concat()
    }

    /// The journal as written, signed with `key`: its pieces, then a line
    /// `sig HEX` of their keyed BLAKE3 hash.
    fn sealed(&self, key: &[u8]) -> Vec<Cow<'_, [u8]>> {
        let mut pieces = self.pieces();
        let mut hasher = blake3::Hasher::new_keyed(&mac_key(key));
        pieces.iter().for_each(|piece| {
            hasher.update(piece);
        });
        pieces.push(Cow::Owned(format!("sig {}\n", hasher.finalize().to_hex()).into_bytes()));
        pieces
    }

    /// What `sealed` wrote, if `key` signed it.
    fn unsealed(bytes: &[u8], key: &[u8]) -> Unsealed {
        let Some(end) = memchr::memmem::rfind(bytes, b"\nend\n").map(|at| at + 5) else { return Unsealed::Forged };
        let (body, trailer) = bytes.split_at(end);
        let Some(sig) = trailer.strip_prefix(b"sig ").and_then(|t| t.strip_suffix(b"\n")) else {
            return Unsealed::Forged;
        };
        if sig != mac(key, body).as_bytes() {
            return Unsealed::Forged;
        }
        match Journal::decode(body) {
            Some(journal) => Unsealed::Whole(journal),
            None => Unsealed::Forged,
        }
    }

    /// The journal `encode` wrote; `None` for anything else, a journal cut
    /// short among them.
    fn decode(bytes: &[u8]) -> Option<Journal<'static>> {
        let mut rest = bytes.strip_prefix(HEADER.as_bytes())?;
        let mut journal = Journal { files: Vec::new(), dirs: Vec::new(), done: false, left: Vec::new() };
        loop {
            let newline = memchr::memchr(b'\n', rest)?;
            let line = std::str::from_utf8(&rest[..newline]).ok()?;
            rest = &rest[newline + 1..];
            if line == "end" {
                return rest.is_empty().then_some(journal);
            }
            if line == "done" {
                journal.done = true;
                continue;
            }
            if let Some(len) = line.strip_prefix("left ") {
                let len: usize = len.parse().ok()?;
                if rest.len() <= len || rest[len] != b'\n' {
                    return None;
                }
                journal.left.push(std::str::from_utf8(&rest[..len]).ok()?.to_string());
                rest = &rest[len + 1..];
                continue;
            }
            if let Some(dir) = line.strip_prefix("dir ") {
                journal.dirs.push(dir.to_string());
                continue;
            }
            let mut words = line.strip_prefix("file ")?.split(' ');
            let after = words.next()?.to_string();
            let deleted = match words.next()? {
                "0" => false,
                "1" => true,
                _ => return None,
            };
            let path_len: usize = words.next()?.parse().ok()?;
            let before_len: Option<usize> = match words.next()? {
                "-" => None,
                n => Some(n.parse().ok()?),
            };
            let end = path_len.checked_add(before_len.unwrap_or(0))?;
            if words.next().is_some() || rest.len() <= end || rest[end] != b'\n' {
                return None;
            }
            let path = std::str::from_utf8(&rest[..path_len]).ok()?.to_string();
            let before = match before_len {
                Some(_) => Some(std::str::from_utf8(&rest[path_len..end]).ok()?.to_string()),
                None => None,
            };
            journal.files.push(Entry { path, before: before.map(Cow::Owned), after, deleted });
            rest = &rest[end + 1..];
        }
    }
}

/// The largest journal followed: it holds the original of every file a
/// run changes.
const MAX_JOURNAL: u64 = 1 << 30;

/// What a journal file held.
enum Unsealed {
    Whole(Journal<'static>),
    /// Not a regular file of the user's: not add-backend's, for this user.
    Forged,
    /// A regular file of the user's that the user's key did not sign (a
    /// lost key, or one planted): never followed, never removed unasked.
    Unverified,
}

/// The keyed BLAKE3 hash of `bytes` (BLAKE3's MAC mode) with `key`, in
/// hex. BLAKE3 rather than HMAC-SHA256: the journal holds whole originals
/// (a large `main.go` among them) and is signed at every apply, and BLAKE3
/// is several times faster wherever the CPU has no SHA extensions.
fn mac(key: &[u8], bytes: &[u8]) -> String {
    blake3::keyed_hash(&mac_key(key), bytes).to_hex().to_string()
}

/// The user's key as BLAKE3's: as it is when 32 bytes, else derived.
fn mac_key(key: &[u8]) -> [u8; 32] {
    match key.try_into() {
        Ok(key) => key,
        Err(_) => blake3::derive_key("add-backend journal key", key),
    }
}

/// The user's state directory for add-backend.
fn state_home() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "add-backend")
        .ok_or_else(|| anyhow!("no home directory to keep add-backend's state in"))?;
    Ok(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

/// A directory of the user's alone, made if missing (0700 on Unix).
fn private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    match dir.symlink_metadata() {
        Ok(m) if m.is_dir() => Ok(()),
        _ => bail!("{}: not a directory (a symlink?); refusing to keep state there", dir.display()),
    }
}

/// The user's key that signs journals: 32 random bytes, made on first use,
/// readable by the user alone.
fn user_key() -> Result<Vec<u8>> {
    let home = state_home()?;
    let path = home.join("journal.key");
    if let Ok(key) = crate::paths::read_regular(&path, 64, false)
        && key.len() == 32
    {
        return Ok(key);
    }
    private_dir(&home)?;
    let mut key = vec![0; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow!("no randomness for the journal's key: {e}"))?;
    // Written whole beside it (0600, as tempfile makes files), then linked
    // in place without replacing one another run made first.
    let mut staged =
        tempfile::NamedTempFile::new_in(&home).with_context(|| format!("cannot write in {}", home.display()))?;
    {
        use std::io::Write as _;
        staged.write_all(&key).with_context(|| format!("cannot write {}", path.display()))?;
    }
    match staged.persist_noclobber(&path).map_err(|e| e.error) {
        Ok(_) => Ok(key),
        // Another run made it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let key = crate::paths::read_regular(&path, 64, false)?;
            if key.len() != 32 {
                bail!("{}: not a key add-backend made; delete it", path.display());
            }
            Ok(key)
        }
        Err(e) => bail!("cannot create {}: {e}", path.display()),
    }
}

/// A digest of file content, for recognising what an apply wrote: XXH3's
/// 128 bits (a specified hash, stable across builds, platforms and
/// versions of the crate), ample for telling "what we wrote" from
/// "something else", at a tenth of a byte-wise hash's cost over the
/// hundreds of kilobytes an apply writes.
pub fn digest(content: &[u8]) -> String {
    format!("xxh3:{:032x}", xxhash_rust::xxh3::xxh3_128(content))
}

/// Whether `recorded`, a digest made by `digest` or by a release before
/// it (FNV-1a's 16 hex digits, as manifests written then hold), is that
/// of `content`.
pub fn is_digest_of(recorded: &str, content: &[u8]) -> bool {
    if recorded.starts_with("xxh3:") { digest(content) == recorded } else { fnv(content) == recorded }
}

/// FNV-1a, in 16 hex digits: the digest before `digest`'s, and the name
/// of a nested checkout's journal.
fn fnv(content: &[u8]) -> String {
    let hash =
        content.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// What recovering from an interrupted run did.
#[derive(Debug, Default)]
pub struct Recovery {
    pub restored: usize,
    /// Files changed since the interrupted run, left as they are.
    pub left: Vec<String>,
    /// The run had completed: only its temporary files were left, and this
    /// many of them were removed.
    pub done: bool,
    pub cleaned: usize,
    /// The journal there was not the user's (not signed with their key, or
    /// not their file): ignored, and removed.
    pub forged: Option<String>,
}

/// What a run does to the checkout, and so which lock it takes.
#[derive(Clone, Copy, PartialEq)]
pub enum Access {
    /// Only reads: shares the lock with other readers.
    Read,
    /// May write: holds the lock alone.
    Write,
}

/// Held for the whole of a run.
pub struct Guard {
    dir: PathBuf,
    /// This checkout's journal, in `dir`.
    journal: PathBuf,
    /// `None` for a read where no state directory could be made: there is
    /// then no journal either, and nothing to lock against.
    _lock: Option<File>,
}

/// Where the lock and journal live, the journal's name there (which tells
/// checkouts nested in one work tree apart; `journal` for the work tree's
/// top), whether the state directory is in a git directory, and the
/// directory to lock. `root` is canonical.
fn state_dir(root: &Path) -> Result<(PathBuf, String, bool, PathBuf)> {
    for dir in root.ancestors() {
        let git = dir.join(".git");
        match git.symlink_metadata() {
            Ok(meta) if meta.is_dir() => {
                let rel = root.strip_prefix(dir).unwrap_or(Path::new(""));
                let name = if rel.as_os_str().is_empty() {
                    "journal".to_string()
                } else {
                    format!("journal-{}", fnv(rel.to_string_lossy().replace('\\', "/").as_bytes()))
                };
                return Ok((git.join("add-backend"), name, true, git));
            }
            // A `.git` file or symlink names a directory anywhere: not one
            // to trust with state.
            Ok(_) => break,
            Err(_) => {}
        }
    }
    let key = digest_hex(root.to_string_lossy().as_bytes());
    let dir = state_home()?.join(&key[..32]);
    Ok((dir.clone(), "journal".to_string(), false, dir))
}

/// The SHA-256 of `bytes`, in hex.
fn digest_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Takes the checkout's lock, or says who holds it. `root` is canonical.
pub fn lock(root: &Path, access: Access) -> Result<Guard> {
    let (dir, name, in_git, holder) = state_dir(root)?;
    let journal = dir.join(name);
    if dir.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
        bail!("{}: not a directory (a symlink?); refusing to keep state there", dir.display());
    }
    if !in_git {
        // The user's own directory: made for reads too, so that they lock.
        if let Err(e) = private_dir(&dir) {
            if access == Access::Read {
                return Ok(Guard { dir, journal, _lock: None });
            }
            return Err(e);
        }
    }
    let take = |file: &File| match access {
        Access::Read => file.try_lock_shared(),
        Access::Write => file.try_lock(),
    };
    let held = |path: &Path| {
        anyhow!(
            "another add-backend run is using this checkout (it holds the lock on {}); wait for it to finish",
            path.display()
        )
    };
    if cfg!(unix)
        && let Ok(file) = File::open(&holder)
    {
        match take(&file) {
            Ok(()) => return Ok(Guard { dir, journal, _lock: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => return Err(held(&holder)),
            Err(std::fs::TryLockError::Error(_)) => {}
        }
    }
    // A lock file where a directory cannot be locked. It stays: removing
    // a lock file that another run may have open lets a third take a
    // second lock beside it.
    private_dir(&dir)?;
    let path = dir.join("lock");
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    let file = options.open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    match take(&file) {
        Ok(()) => Ok(Guard { dir, journal, _lock: Some(file) }),
        Err(std::fs::TryLockError::WouldBlock) => Err(held(&path)),
        Err(std::fs::TryLockError::Error(e)) => Err(anyhow!("cannot lock {}: {e}", path.display())),
    }
}

impl Guard {
    /// Written, signed, before the first change, by a rename: a write that
    /// fails is removed again, and a kill while it is written leaves only
    /// its staged copy (removed by the next write), nothing having changed.
    pub fn write_journal(&self, journal: &Journal) -> Result<()> {
        let key = user_key()?;
        if !self.dir.is_dir() {
            private_dir(&self.dir)?;
        }
        let sealed = journal.sealed(&key);
        let written = crate::fault::point().and_then(|()| self.replace_journal(&sealed));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&self.journal);
            return Err(anyhow!("cannot write the journal: {e}"));
        }
        Ok(())
    }

    /// Replaces the journal, undo entries and all, by one that says the run
    /// is done and lists the temporary files it has `left` to remove: so
    /// that, whatever fails after, the next run finishes the clean-up and
    /// never undoes the run.
    pub fn mark_done(&self, left: &[String]) -> Result<()> {
        let journal = Journal { files: Vec::new(), dirs: Vec::new(), done: true, left: left.to_vec() };
        let sealed = journal.sealed(&user_key()?);
        crate::fault::cleanup("journal")
            .and_then(|()| self.replace_journal(&sealed))
            .map_err(|e| anyhow!("cannot mark the journal done: {e}"))
    }

    /// Writes `bytes` as the journal in one step: a new file of the user's
    /// alone (never through a symlink planted in the way), renamed over it.
    fn replace_journal(&self, pieces: &[Cow<'_, [u8]>]) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut options = File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let staged = self.dir.join(format!(".{}.new", self.journal.file_name().unwrap_or_default().to_string_lossy()));
        let _ = std::fs::remove_file(&staged);
        // Buffered: the small pieces go out together, and a large one
        // (an original) goes out as it is, past the buffer.
        let mut out = std::io::BufWriter::with_capacity(16 << 10, options.open(&staged)?);
        pieces.iter().try_for_each(|piece| out.write_all(piece))?;
        out.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        std::fs::rename(&staged, &self.journal).inspect_err(|_| {
            let _ = std::fs::remove_file(&staged);
        })
    }

    pub fn journal_path(&self) -> &Path {
        &self.journal
    }

    /// Whether an interrupted run left a journal of the user's.
    pub fn pending(&self) -> bool {
        match self.read_journal() {
            Ok(Some(Unsealed::Whole(journal))) => !journal.done,
            Ok(Some(Unsealed::Unverified)) => true,
            _ => false,
        }
    }

    pub fn clear_journal(&self) -> Result<()> {
        match std::fs::remove_file(&self.journal) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(anyhow!("cannot remove the journal: {e}")),
            _ => Ok(()),
        }
    }

    /// The journal, if there is one: a regular file of the user's, signed
    /// with the user's key, or else `Forged`.
    fn read_journal(&self) -> Result<Option<Unsealed>> {
        let meta = match self.journal.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => bail!("cannot read {}: {e}", self.journal.display()),
            Ok(meta) => meta,
        };
        #[cfg(target_os = "linux")]
        let theirs = std::os::unix::fs::MetadataExt::uid(&meta) != rustix::process::geteuid().as_raw();
        #[cfg(not(target_os = "linux"))]
        let theirs = false;
        if !meta.is_file() || theirs {
            return Ok(Some(Unsealed::Forged));
        }
        let Ok(bytes) = crate::paths::read_regular(&self.journal, MAX_JOURNAL, false) else {
            return Ok(Some(Unsealed::Unverified));
        };
        // The journal is written whole, by a rename: one that does not
        // verify was not written so, for this user.
        Ok(Some(match Journal::unsealed(&bytes, &user_key()?) {
            Unsealed::Forged => Unsealed::Unverified,
            whole => whole,
        }))
    }

    /// Puts back what an interrupted run changed, or `None` when no run
    /// was interrupted. A file is put back only if it still holds what that
    /// run wrote; one changed since is left alone, and reported.
    pub fn recover(&self, root: &Path) -> Result<Option<Recovery>> {
        let mut recovery = Recovery::default();
        let journal = match self.read_journal()? {
            None => return Ok(None),
            Some(Unsealed::Unverified) => bail!(
                "{}: a journal of an interrupted run that your key did not sign (the key lost, or the file planted); add-backend does not follow it. If the checkout is as you want it, delete the file",
                self.journal.display()
            ),
            Some(Unsealed::Forged) => {
                // Not ours to follow, and in our place: removed.
                self.clear_journal()?;
                recovery.forged = Some(self.journal.display().to_string());
                return Ok(Some(recovery));
            }
            Some(Unsealed::Whole(journal)) if journal.done => {
                // The run was done: only its temporary files are left.
                recovery.done = true;
                for rel in &journal.left {
                    let name = Path::new(rel).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    let beneath = crate::beneath::Beneath::new(root);
                    if is_temp_name(&name)
                        && crate::paths::refuse_forbidden(root, rel).is_ok()
                        && let Ok(path) = beneath.path(rel)
                    {
                        match std::fs::remove_file(path) {
                            Err(e) if e.kind() != std::io::ErrorKind::NotFound => recovery.left.push(rel.clone()),
                            _ => recovery.cleaned += 1,
                        }
                    }
                }
                self.clear_journal()?;
                return Ok(Some(recovery));
            }
            Some(Unsealed::Whole(journal)) => journal,
        };
        // Only paths inside the checkout that add-backend may write are
        // ever journaled; anything else is not followed. Every path is
        // reached through directories opened beneath the root: one swapped
        // for a symlink since the kill is left alone.
        // A journal is add-backend's own (signed): a learnt profile's files may be in it.
        let inside = |rel: &str| crate::paths::refuse_forbidden_to(root, rel, true).is_ok();
        let beneath = crate::beneath::Beneath::new(root);
        let mut dirs: Vec<String> = journal.dirs.iter().filter(|d| inside(d)).cloned().collect();
        for entry in &journal.files {
            let file = match beneath.path(&entry.path) {
                Ok(file) if inside(&entry.path) => file,
                // Created by the run, and gone with its directory since.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && entry.before.is_none() => continue,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && entry.deleted && inside(&entry.path) => {
                    // Its directory went with it: made again, beneath the root.
                    let dir = entry.path.rsplit_once('/').map_or("", |(d, _)| d);
                    match beneath.create_dirs(dir).and_then(|()| beneath.path(&entry.path)) {
                        Ok(file) => file,
                        Err(_) => {
                            recovery.left.push(entry.path.clone());
                            continue;
                        }
                    }
                }
                _ => {
                    recovery.left.push(entry.path.clone());
                    continue;
                }
            };
            dirs.extend(entry.path.rsplit_once('/').map(|(d, _)| d.to_string()).or(Some(String::new())));
            let current = match file.symlink_metadata() {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Ok(meta) if meta.is_file() => crate::paths::read_regular(&file, MAX_JOURNAL, false).ok(),
                // A symlink or a special file in its place: not ours.
                _ => {
                    recovery.left.push(entry.path.clone());
                    continue;
                }
            };
            let Some(current) = current else {
                // Gone: as the run left it if it removed the file (put it
                // back), as before the run if it created it.
                match &entry.before {
                    Some(before) if entry.deleted => match crate::atomic::write_atomically(&file, before) {
                        Ok(()) => recovery.restored += 1,
                        Err(_) => recovery.left.push(entry.path.clone()),
                    },
                    Some(_) => recovery.left.push(entry.path.clone()),
                    None => {}
                }
                continue;
            };
            if entry.deleted {
                // Not removed yet, or written again since: either way, as it is.
                continue;
            }
            if entry.before.as_deref().map(str::as_bytes) == Some(current.as_slice()) {
                continue;
            }
            if !is_digest_of(&entry.after, &current) {
                recovery.left.push(entry.path.clone());
                continue;
            }
            let undone = match &entry.before {
                Some(before) => crate::atomic::write_atomically(&file, before),
                None => std::fs::remove_file(&file).map_err(Into::into),
            };
            match undone {
                Ok(()) => recovery.restored += 1,
                Err(_) => recovery.left.push(entry.path.clone()),
            }
        }
        dirs.sort();
        dirs.dedup();
        for dir in &dirs {
            if let Ok(path) = beneath.dir(dir) {
                remove_temp_files(&path);
            }
        }
        for dir in journal.dirs.iter().rev().filter(|d| inside(d)) {
            // Only if empty: anything else in it is not ours to remove.
            if let Ok(path) = beneath.path(dir) {
                let _ = std::fs::remove_dir(path);
            }
        }
        self.clear_journal()?;
        Ok(Some(recovery))
    }
}

/// Whether `name` is one of our staged files: the prefix and the six
/// random characters `tempfile` adds, nothing else.
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .is_some_and(|rest| rest.len() == 6 && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Removes the staged files an interrupted apply left in `dir`; what
/// cannot be removed stays, harmless and hidden.
fn remove_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && is_temp_name(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_staged_files_count_as_temporary() {
        assert!(is_temp_name(".add-backend-aB3xY9"));
        assert!(!is_temp_name(".add-backend-notes.md"));
        assert!(!is_temp_name(".add-backend-todo"));
        assert!(!is_temp_name(".add-backend.state"));
    }

    #[test]
    fn a_journal_reads_back_whole_and_not_cut_short() {
        let journal = Journal {
            files: vec![
                Entry {
                    path: "a b/ü.go".into(),
                    before: Some("x\n\"y\"\r\nend\n".into()),
                    after: digest(b"z"),
                    deleted: false,
                },
                Entry { path: "new.go".into(), before: None, after: digest(b""), deleted: false },
                Entry { path: "gone.go".into(), before: Some("".into()), after: digest(b""), deleted: true },
            ],
            dirs: vec!["a b".into(), "a b/c".into()],
            done: false,
            left: Vec::new(),
        };
        let bytes = journal.encode();
        assert_eq!(Journal::decode(&bytes), Some(journal));
        for cut in 0..bytes.len() {
            assert_eq!(Journal::decode(&bytes[..cut]), None, "cut at {cut}");
        }
        assert_eq!(Journal::decode(b"{\"files\": []}"), None);
        let done =
            Journal { files: Vec::new(), dirs: Vec::new(), done: true, left: vec!["a/.add-backend-x1Y2z3".into()] };
        assert_eq!(Journal::decode(&done.encode()), Some(done));
    }

    #[test]
    fn a_digest_is_stable_and_an_earlier_one_is_still_read() {
        assert_eq!(digest(b""), "xxh3:99aa06d3014798d86001c324468d497f");
        assert_ne!(digest(b"a"), digest(b"b"));
        assert!(is_digest_of(&digest(b"a"), b"a"));
        assert!(!is_digest_of(&digest(b"a"), b"b"));
        // A manifest written before XXH3 holds FNV-1a's digests.
        assert!(is_digest_of("cbf29ce484222325", b""));
        assert!(is_digest_of("af63df4c8601f1a5", b"b"));
        assert!(!is_digest_of("af63df4c8601f1a5", b"a"));
        assert!(!is_digest_of("", b""));
    }
}
