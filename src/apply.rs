//! The real sink: writes a plan to the checkout, all or nothing.
//!
//! Each file is written to a temporary file in its own directory and
//! renamed over the original, so no file is ever seen half-written. Every
//! completed step is journaled; if a later one fails, the journal is undone
//! in reverse, restoring the originals (which the plan holds in memory) and
//! removing what was created.
//!
//! Files are not fsynced: the rename already makes each write atomic for
//! every reader and against a crash of this process, which is the promise
//! here; surviving power loss would cost more than the whole run (about
//! 0.3 ms a file, measured) for source files that git and a re-run restore.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::plan::Plan;

/// A write failed; the checkout was restored (or, if `restore` failed too,
/// says what could not be).
#[derive(Debug)]
pub struct ApplyError {
    pub cause: anyhow::Error,
    pub restore: Result<(), String>,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.restore {
            Ok(()) => write!(f, "{:#}; nothing was changed", self.cause),
            Err(e) => write!(
                f,
                "{:#}; restoring the checkout also failed: {e}",
                self.cause
            ),
        }
    }
}

impl std::error::Error for ApplyError {}

enum Undo {
    Restore(PathBuf, String),
    Remove(PathBuf),
    RemoveDir(PathBuf),
}

/// Writes every changed file of `plan` under `root`; returns how many.
pub fn apply(root: &Path, plan: &Plan) -> Result<usize, ApplyError> {
    let mut journal = Vec::new();
    let mut written = 0;
    for file in plan.files.iter().filter(|f| f.changes()) {
        let path = root.join(&file.path);
        let result = create_parents(root, &path, &mut journal)
            .and_then(|()| write_atomically(&path, &file.after))
            .with_context(|| format!("cannot write {}", file.path));
        if let Err(cause) = result {
            return Err(ApplyError {
                cause,
                restore: undo(journal),
            });
        }
        journal.push(match &file.before {
            Some(before) => Undo::Restore(path, before.clone()),
            None => Undo::Remove(path),
        });
        written += 1;
    }
    Ok(written)
}

fn create_parents(root: &Path, path: &Path, journal: &mut Vec<Undo>) -> Result<()> {
    let missing: Vec<&Path> = path
        .ancestors()
        .skip(1)
        .take_while(|dir| *dir != root && !dir.exists())
        .collect();
    for dir in missing.into_iter().rev() {
        fault::point()
            .and_then(|()| std::fs::create_dir(dir))
            .with_context(|| format!("cannot create directory {}", dir.display()))?;
        journal.push(Undo::RemoveDir(dir.to_path_buf()));
    }
    Ok(())
}

/// Replaces `path` with `content` by a rename, keeping its permissions.
pub fn write_atomically(path: &Path, content: &str) -> Result<()> {
    let dir = path.parent().context("no parent directory")?;
    fault::point()?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".add-backend-")
        .tempfile_in(dir)?;
    tmp.write_all(content.as_bytes())?;
    match std::fs::metadata(path) {
        Ok(meta) => tmp.as_file().set_permissions(meta.permissions())?,
        Err(_) => set_default_permissions(tmp.as_file())?,
    }
    fault::point()?;
    tmp.persist(path)?;
    Ok(())
}

/// A temporary file is created 0600; a new source file gets the usual 0644
/// (less the umask's share is not knowable portably, so 0644 it is).
fn set_default_permissions(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    let _ = file;
    Ok(())
}

/// Test-only fault injection: built with the `fault-injection` feature,
/// the N-th filesystem step of a run fails when `ADD_BACKEND_FAIL_AT=N`.
/// Undoing is counted too, so a test can also fail the restore.
mod fault {
    #[cfg(feature = "fault-injection")]
    pub fn point() -> std::io::Result<()> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static STEP: AtomicUsize = AtomicUsize::new(0);
        let step = STEP.fetch_add(1, Ordering::SeqCst) + 1;
        match std::env::var("ADD_BACKEND_FAIL_AT")
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) if n == step => Err(std::io::Error::other(format!(
                "injected fault at step {step}"
            ))),
            _ => Ok(()),
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    pub fn point() -> std::io::Result<()> {
        Ok(())
    }
}

fn undo(journal: Vec<Undo>) -> Result<(), String> {
    let mut failures = Vec::new();
    for step in journal.into_iter().rev() {
        let (path, result) = match step {
            Undo::Restore(path, content) => {
                let r = write_atomically(&path, &content).map_err(|e| e.to_string());
                (path, r)
            }
            Undo::Remove(path) => {
                let r = std::fs::remove_file(&path).map_err(|e| e.to_string());
                (path, r)
            }
            Undo::RemoveDir(path) => {
                let r = std::fs::remove_dir(&path).map_err(|e| e.to_string());
                (path, r)
            }
        };
        if let Err(e) = result {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}
