//! What protects a checkout from two runs at once and from a run killed
//! half-way: a lock, and a journal of what an apply is about to change.
//!
//! The journal lives in `.git/add-backend/` when the checkout is in a git
//! work tree (outside the tree, as git keeps its own state), else in
//! `.add-backend.state/` at its root, made for an apply and removed after.
//!
//! The lock is an advisory lock (`File::try_lock`) on the directory that
//! holds that state directory (the git directory, or the root), so taking
//! it creates nothing, and the system releases it however the holder dies:
//! exclusive for a run that may write, shared for one that only reads (a
//! dry run, `doctor`), so that reads run side by side and never beside a
//! write. Where a directory cannot be locked (not Unix, or a file system
//! that refuses), a `lock` file in the state directory is locked instead.
//! It is written before the first change and removed after the last; if it
//! is there when a run starts, the previous one was interrupted, and the
//! run restores every file it lists before doing anything else.

use std::cell::Cell;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

/// What an apply is about to change, with what to put back.
#[derive(Debug, PartialEq)]
pub struct Journal {
    pub files: Vec<Entry>,
    /// Directories the apply creates, parents first.
    pub dirs: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct Entry {
    pub path: String,
    /// The content before the apply; `None` for a file it creates.
    pub before: Option<String>,
    /// A digest of the content the apply writes: recovery undoes only a
    /// file that still holds it, never an edit made since.
    pub after: String,
    /// The apply removes the file (`remove`).
    pub deleted: bool,
}

/// The journal's first line; its last is `end`, so that one cut short by
/// a kill is told from a whole one.
const HEADER: &str = "add-backend journal 1\n";

impl Journal {
    /// The journal as written: a line a directory (`dir PATH`), then a
    /// header line a file (`file DIGEST DELETED PATH_LEN BEFORE_LEN`, the
    /// length `-` for none) followed by its path and content as they are.
    /// Contents go in raw, so writing one costs a copy, not an escape.
    fn encode(&self) -> Vec<u8> {
        let size: usize = self.files.iter().map(|f| f.path.len() + f.before.as_ref().map_or(0, String::len) + 64).sum();
        let mut out = Vec::with_capacity(HEADER.len() + size + 8);
        out.extend_from_slice(HEADER.as_bytes());
        for dir in &self.dirs {
            out.extend_from_slice(format!("dir {dir}\n").as_bytes());
        }
        for file in &self.files {
            let before = file.before.as_ref().map_or("-".to_string(), |b| b.len().to_string());
            let header = format!("file {} {} {} {before}\n", file.after, u8::from(file.deleted), file.path.len());
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(file.path.as_bytes());
            out.extend_from_slice(file.before.as_deref().unwrap_or_default().as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(b"end\n");
        out
    }

    /// The journal `encode` wrote; `None` for anything else, a journal cut
    /// short among them.
    fn decode(bytes: &[u8]) -> Option<Journal> {
        let mut rest = bytes.strip_prefix(HEADER.as_bytes())?;
        let mut journal = Journal { files: Vec::new(), dirs: Vec::new() };
        loop {
            let newline = memchr::memchr(b'\n', rest)?;
            let line = std::str::from_utf8(&rest[..newline]).ok()?;
            rest = &rest[newline + 1..];
            if line == "end" {
                return rest.is_empty().then_some(journal);
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
            journal.files.push(Entry { path, before, after, deleted });
            rest = &rest[end + 1..];
        }
    }
}

/// A digest of file content, for recognising what an apply wrote.
pub fn digest(content: &[u8]) -> String {
    // FNV-1a: stable across builds and platforms, and ample for telling
    // "what we wrote" from "something else".
    let hash =
        content.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// What recovering from an interrupted run did.
#[derive(Debug, Default)]
pub struct Recovery {
    pub restored: usize,
    /// The journal had been cut short while it was written, before the
    /// run changed anything: nothing to restore.
    pub discarded: bool,
    /// Files changed since the interrupted run, left as they are.
    pub left: Vec<String>,
}

/// The prefix of every temporary file an apply stages.
pub const TEMP_PREFIX: &str = ".add-backend-";

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
    _lock: File,
    /// Remove the state directory at the end, if it is empty: ours alone
    /// (not inside `.git`), and made or used by a run that may write.
    tidy: Cell<bool>,
    owned: bool,
}

/// Where the lock and journal live: in the git directory of the work tree
/// holding `root` (a `.git` directory, or the one a `.git` file of a
/// worktree or submodule points to), else in `.add-backend.state/`; and
/// the journal's name there, which tells checkouts nested in one work tree
/// apart (`journal` for the work tree's top).
fn state_dir(root: &Path) -> (PathBuf, String, bool) {
    for dir in root.ancestors() {
        let name = match root.strip_prefix(dir) {
            Ok(rel) if rel.as_os_str().is_empty() => "journal".to_string(),
            Ok(rel) => format!("journal-{}", digest(rel.to_string_lossy().replace('\\', "/").as_bytes())),
            Err(_) => "journal".to_string(),
        };
        let git = dir.join(".git");
        if git.is_dir() {
            return (git.join("add-backend"), name, false);
        }
        if let Ok(text) = std::fs::read_to_string(&git)
            && let Some(target) = text.trim().strip_prefix("gitdir: ")
        {
            return (dir.join(target).join("add-backend"), name, false);
        }
    }
    (root.join(".add-backend.state"), "journal".to_string(), true)
}

/// Takes the checkout's lock, or says who holds it.
///
/// The lock is on the directory that holds the state directory: the git
/// directory, which every checkout nested in the work tree shares with its
/// journals, or the root outside git. Nothing is created to take it.
pub fn lock(root: &Path, access: Access) -> Result<Guard> {
    let (dir, name, owned) = state_dir(root);
    let journal = dir.join(name);
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
    let holder = dir.parent().unwrap_or(root).to_path_buf();
    if cfg!(unix)
        && let Ok(file) = File::open(&holder)
    {
        match take(&file) {
            Ok(()) => {
                let tidy = Cell::new(owned && access == Access::Write);
                return Ok(Guard { dir, journal, _lock: file, tidy, owned });
            }
            Err(std::fs::TryLockError::WouldBlock) => return Err(held(&holder)),
            Err(std::fs::TryLockError::Error(_)) => {}
        }
    }
    // A lock file where a directory cannot be locked. It stays: removing
    // a lock file that another run may have open lets a third take a
    // second lock beside it.
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match take(&file) {
        Ok(()) => Ok(Guard { dir, journal, _lock: file, tidy: Cell::new(false), owned }),
        Err(std::fs::TryLockError::WouldBlock) => Err(held(&path)),
        Err(std::fs::TryLockError::Error(e)) => Err(anyhow!("cannot lock {}: {e}", path.display())),
    }
}

impl Guard {
    fn journal_path(&self) -> PathBuf {
        self.journal.clone()
    }

    /// Written before the first change. A write that fails is removed
    /// again; one cut short by a kill is discarded by `recover`, since
    /// nothing else had changed yet.
    pub fn write_journal(&self, journal: &Journal) -> Result<()> {
        if !self.dir.is_dir() {
            std::fs::create_dir_all(&self.dir).with_context(|| format!("cannot create {}", self.dir.display()))?;
            self.tidy.set(self.owned);
        }
        let written = crate::apply::fault_point().and_then(|()| std::fs::write(self.journal_path(), journal.encode()));
        if let Err(e) = written {
            let _ = std::fs::remove_file(self.journal_path());
            return Err(anyhow!("cannot write the journal: {e}"));
        }
        Ok(())
    }

    /// The journal of add-backend 0.1 before it was written raw: a run of
    /// that version, interrupted, is this version's to refuse, not to undo.
    fn legacy_journal_path(&self) -> PathBuf {
        self.dir.join("journal.json")
    }

    /// Whether an interrupted run left a journal.
    pub fn pending(&self) -> bool {
        self.journal_path().is_file() || self.legacy_journal_path().is_file()
    }

    pub fn clear_journal(&self) -> Result<()> {
        match std::fs::remove_file(self.journal_path()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(anyhow!("cannot remove the journal: {e}")),
            _ => Ok(()),
        }
    }

    /// Puts back what an interrupted run changed, or `None` when no run
    /// was interrupted. A file is put back only if it still holds what that
    /// run wrote; one changed since is left alone, and reported.
    pub fn recover(&self, root: &Path) -> Result<Option<Recovery>> {
        let legacy = self.legacy_journal_path();
        if legacy.is_file() {
            bail!(
                "an interrupted run of an earlier add-backend left {}; run that version again to restore the checkout, or delete the file if the checkout is as you want it",
                legacy.display()
            );
        }
        let path = self.journal_path();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => bail!("cannot read {}: {e}", path.display()),
        };
        let mut recovery = Recovery::default();
        let Some(journal) = Journal::decode(&bytes) else {
            // Cut short while being written, before any other change.
            self.clear_journal()?;
            recovery.discarded = true;
            return Ok(Some(recovery));
        };
        // Only paths inside the checkout are ever journaled; anything else
        // was not written by add-backend, and is not followed.
        let inside = |rel: &str| Path::new(rel).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        let mut dirs: Vec<PathBuf> = journal.dirs.iter().filter(|d| inside(d)).map(|d| root.join(d)).collect();
        for entry in &journal.files {
            if !inside(&entry.path) {
                recovery.left.push(entry.path.clone());
                continue;
            }
            let file = root.join(&entry.path);
            dirs.extend(file.parent().map(Path::to_path_buf));
            let Ok(current) = std::fs::read(&file) else {
                // Gone: as the run left it if it removed the file (put it
                // back), as before the run if it created it.
                match &entry.before {
                    Some(before) if entry.deleted => match file
                        .parent()
                        .map_or(Ok(()), std::fs::create_dir_all)
                        .map_err(anyhow::Error::from)
                        .and_then(|()| crate::apply::write_atomically(&file, before))
                    {
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
            if digest(&current) != entry.after {
                recovery.left.push(entry.path.clone());
                continue;
            }
            let undone = match &entry.before {
                Some(before) => crate::apply::write_atomically(&file, before),
                None => std::fs::remove_file(&file).map_err(Into::into),
            };
            match undone {
                Ok(()) => recovery.restored += 1,
                Err(_) => recovery.left.push(entry.path.clone()),
            }
        }
        for dir in &dirs {
            remove_temp_files(dir);
        }
        for dir in journal.dirs.iter().rev() {
            // Only if empty: anything else in it is not ours to remove.
            let _ = std::fs::remove_dir(root.join(dir));
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

impl Drop for Guard {
    fn drop(&mut self) {
        // Only if empty: a journal left for the next run, or a lock file, stays.
        if self.tidy.get() {
            let _ = std::fs::remove_dir(&self.dir);
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
                Entry { path: "gone.go".into(), before: Some(String::new()), after: digest(b""), deleted: true },
            ],
            dirs: vec!["a b".into(), "a b/c".into()],
        };
        let bytes = journal.encode();
        assert_eq!(Journal::decode(&bytes), Some(journal));
        for cut in 0..bytes.len() {
            assert_eq!(Journal::decode(&bytes[..cut]), None, "cut at {cut}");
        }
        assert_eq!(Journal::decode(b"{\"files\": []}"), None);
    }

    #[test]
    fn a_digest_is_stable() {
        assert_eq!(digest(b""), "cbf29ce484222325");
        assert_ne!(digest(b"a"), digest(b"b"));
    }
}
