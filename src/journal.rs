//! What protects a checkout from two runs at once and from a run killed
//! half-way: a lock, and a journal of what an apply is about to change.
//!
//! Both live in `.git/add-backend/` when the checkout is a git work tree
//! (outside the tree, as git keeps its own state), else in
//! `.add-backend.state/` at its root, removed when the run ends.
//!
//! The lock is an advisory lock on a file (`File::try_lock`), so the
//! system releases it however the holder dies. The journal is written
//! before the first change and removed after the last; if it is there when
//! a run starts, the previous one was interrupted, and the run restores
//! every file it lists before doing anything else.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

/// What an apply is about to change, with what to put back.
#[derive(Debug, Serialize, Deserialize)]
pub struct Journal {
    pub files: Vec<Entry>,
    /// Directories the apply creates, parents first.
    pub dirs: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    /// The content before the apply; `None` for a file it creates.
    pub before: Option<String>,
}

/// The prefix of every temporary file an apply stages.
pub const TEMP_PREFIX: &str = ".add-backend-";

/// Held for the whole of a run that may write.
pub struct Guard {
    dir: PathBuf,
    _lock: File,
    /// The state directory is ours alone (not inside `.git`): remove it at the end.
    owned: bool,
}

fn state_dir(root: &Path) -> (PathBuf, bool) {
    let git = root.join(".git");
    if git.is_dir() { (git.join("add-backend"), false) } else { (root.join(".add-backend.state"), true) }
}

/// Whether an interrupted run left a journal, seen without taking the lock.
pub fn pending(root: &Path) -> bool {
    state_dir(root).0.join("journal.json").is_file()
}

/// Takes the checkout's lock, or says who holds it.
pub fn lock(root: &Path) -> Result<Guard> {
    let (dir, owned) = state_dir(root);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {
            // A journal write killed half-way leaves its staged file.
            remove_temp_files(&dir)?;
            Ok(Guard { dir, _lock: file, owned })
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!(
                "another add-backend run is changing this checkout (it holds {}); wait for it to finish",
                path.display()
            )
        }
        Err(std::fs::TryLockError::Error(e)) => Err(anyhow!("cannot lock {}: {e}", path.display())),
    }
}

impl Guard {
    fn journal_path(&self) -> PathBuf {
        self.dir.join("journal.json")
    }

    /// Written before the first change: if it is cut short, nothing else
    /// has changed yet, and `recover` discards what it cannot read.
    pub fn write_journal(&self, journal: &Journal) -> Result<()> {
        let json = serde_json::to_string(journal).context("cannot encode the journal")?;
        crate::apply::fault_point().context("cannot write the journal")?;
        std::fs::write(self.journal_path(), json).context("cannot write the journal")
    }

    pub fn clear_journal(&self) -> Result<()> {
        match std::fs::remove_file(self.journal_path()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(anyhow!("cannot remove the journal: {e}")),
            _ => Ok(()),
        }
    }

    /// Puts back what an interrupted run changed; returns how many files,
    /// or `None` when no run was interrupted.
    pub fn recover(&self, root: &Path) -> Result<Option<usize>> {
        let path = self.journal_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => bail!("cannot read {}: {e}", path.display()),
        };
        let Ok(journal) = serde_json::from_str::<Journal>(&text) else {
            // Cut short while being written, before any other change.
            self.clear_journal()?;
            return Ok(Some(0));
        };
        let mut restored = 0;
        let mut parents: Vec<PathBuf> = Vec::new();
        for entry in &journal.files {
            let file = root.join(&entry.path);
            if let Some(parent) = file.parent() {
                parents.push(parent.to_path_buf());
            }
            let current = std::fs::read(&file).ok();
            match &entry.before {
                Some(before) if current.as_deref() != Some(before.as_bytes()) => {
                    crate::apply::write_atomically(&file, before)
                        .with_context(|| format!("cannot restore {}", entry.path))?;
                    restored += 1;
                }
                None if current.is_some() => {
                    std::fs::remove_file(&file).with_context(|| format!("cannot remove {}", entry.path))?;
                    restored += 1;
                }
                _ => {}
            }
        }
        parents.extend(journal.dirs.iter().map(|d| root.join(d)));
        for dir in &parents {
            remove_temp_files(dir)?;
        }
        for dir in journal.dirs.iter().rev() {
            // Only if empty: anything else in it is not ours to remove.
            let _ = std::fs::remove_dir(root.join(dir));
        }
        self.clear_journal()?;
        Ok(Some(restored))
    }
}

/// Removes the staged files an interrupted apply left in `dir`.
fn remove_temp_files(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries.flatten() {
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            std::fs::remove_file(entry.path()).with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.owned && !self.journal_path().exists() {
            let _ = std::fs::remove_file(self.dir.join("lock"));
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}
