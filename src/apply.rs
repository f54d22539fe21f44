//! The real sink: writes a plan to the checkout, all or nothing.
//!
//! Two phases. First every new content is staged: written to a temporary
//! file beside its target (directories created as needed).
//! Nothing in the checkout has changed yet but for those hidden files; a
//! failure here removes them and the new directories. Then each staged file
//! is renamed over its target, so no file is ever seen half-written, and
//! the checkout is in between states only for the few microseconds the
//! renames take. Every rename is journaled; if one fails, those done are
//! undone in reverse from the originals the plan holds in memory.
//!
//! On Linux a file that exists is swapped with its staged copy
//! (`RENAME_EXCHANGE`) rather than renamed over: as atomic for a reader,
//! undone by swapping back, and the old copies are removed only once every
//! file is in place. Renaming over a file costs more on ext4 (it starts
//! writing the new one out at once, `auto_da_alloc`) and puts the freeing
//! of the old one (a discard, when mounted with `-o discard`) between two
//! renames: 1.7 ms against 1.1 ms for seven files, measured.
//!
//! Files are not fsynced: the rename already makes each write atomic for
//! every reader and against a crash of this process, which is the promise
//! here; surviving power loss would cost more than the whole run (about
//! 0.3 ms a file, measured) for source files that git and a re-run restore.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tempfile::NamedTempFile;

use crate::beneath::Beneath;
use crate::journal::{Entry, Guard, Journal, TEMP_PREFIX, digest};
use crate::plan::{FileChange, Plan};

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
            Err(e) => write!(f, "{:#}; restoring the checkout also failed: {e}", self.cause),
        }
    }
}

impl std::error::Error for ApplyError {}

enum Undo {
    Restore(PathBuf, String),
    /// Swap back: the staged file's name holds the original now (and the
    /// plan, in memory, should swapping fail). Linux only.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Swap(NamedTempFile, PathBuf, String),
    Remove(PathBuf),
    RemoveDir(PathBuf),
}

/// Writes every changed file of `plan` under `root`; returns how many.
/// The journal in `guard` lists the changes before the first is made, so
/// that a run killed half-way is undone by the next. A write that fails is
/// an `ApplyError`; a refusal before any write, a plain error.
pub fn apply(root: &Path, plan: &Plan, guard: &Guard) -> Result<usize> {
    let files: Vec<&FileChange> = plan.files.iter().filter(|f| f.changes()).collect();
    for file in &files {
        crate::paths::refuse_forbidden(root, &file.path)?;
    }
    fault::before_apply(root);
    refuse_changed_since_read(root, &files)?;
    Ok(commit_journaled(root, &files, guard)?)
}

fn commit_journaled(root: &Path, files: &[&FileChange], guard: &Guard) -> Result<usize, ApplyError> {
    let unchanged = |cause: anyhow::Error| ApplyError { cause, restore: Ok(()) };
    let new_dirs = missing_dirs(root, files);
    let journal = Journal {
        files: files
            .iter()
            .map(|f| Entry {
                path: f.path.clone(),
                before: f.before.clone(),
                after: digest(f.after.as_bytes()),
                deleted: f.delete,
            })
            .collect(),
        dirs: new_dirs.iter().map(|d| d.strip_prefix(root).unwrap_or(d).to_string_lossy().replace('\\', "/")).collect(),
        done: false,
        left: Vec::new(),
    };
    guard.write_journal(&journal).map_err(unchanged)?;
    let beneath = Beneath::new(root);
    match commit(root, &beneath, files, &new_dirs) {
        Ok(originals) => {
            finish(&beneath, guard, originals);
            Ok(files.len())
        }
        Err(e) => {
            // A failed restore keeps the journal, for the next run to finish it.
            if e.restore.is_ok()
                && let Err(cleared) = guard.clear_journal()
            {
                return Err(ApplyError { cause: cleared, restore: Err("the journal remains".into()) });
            }
            Err(e)
        }
    }
}

/// Every file is in place: the run is done, whatever fails now. The
/// journal is marked so, then the originals swapped out are removed, then
/// the journal. What cannot be is said, file by file, and left for the
/// next run to remove; it never undoes this one.
fn finish(beneath: &Beneath, guard: &Guard, originals: Vec<NamedTempFile>) {
    let rel = |path: &Path| beneath.shown(path);
    let names: Vec<String> = originals.iter().map(|t| rel(t.path())).collect();
    let marked = guard.mark_done(&names);
    let mut left = Vec::new();
    for original in originals {
        let path = rel(original.path());
        let removed = match fault::cleanup("files") {
            Ok(()) => original.close(),
            // As an unlink that failed: the file stays.
            Err(e) => original.keep().map_or_else(|k| Err(k.error), |_| Err(e)),
        };
        if let Err(e) = removed {
            left.push(format!("{path} ({e})"));
        }
    }
    // A journal not marked done must go at any cost: the next run would
    // take it for an interrupted run's, and undo this one.
    let cleared = if left.is_empty() || marked.is_err() { guard.clear_journal() } else { Ok(()) };
    if !left.is_empty() {
        let next = match (&marked, &cleared) {
            (Ok(()), _) => "the next run removes them".to_string(),
            (Err(_), Ok(())) => "delete them".to_string(),
            (Err(_), Err(_)) => format!("delete them and {}", guard.journal_path().display()),
        };
        eprintln!(
            "warning: the backend is written, but these temporary files of the originals are left: {}; {next}",
            left.join(", ")
        );
    }
    if let Err(e) = cleared {
        eprintln!(
            "warning: the backend is written, but {e:#}; delete {} before the next run",
            guard.journal_path().display()
        );
    }
}

/// The plan holds each file as it was read; refuse to write over a file
/// that has changed since (or appeared, or gone).
fn refuse_changed_since_read(root: &Path, files: &[&FileChange]) -> Result<()> {
    for file in files {
        let now = std::fs::read(root.join(&file.path)).ok();
        if now.as_deref() != file.before.as_deref().map(str::as_bytes) {
            bail!("{} changed while add-backend was planning; run it again", file.path);
        }
    }
    Ok(())
}

/// The directories to create for `files`, parents first.
fn missing_dirs(root: &Path, files: &[&FileChange]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for file in files.iter().filter(|f| !f.delete) {
        let path = root.join(&file.path);
        let missing: Vec<&Path> = path.ancestors().skip(1).take_while(|d| *d != root && !d.exists()).collect();
        for dir in missing.into_iter().rev() {
            if !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_path_buf());
            }
        }
    }
    dirs
}

/// Puts every file in place; returns the originals swapped out (Linux),
/// still to remove.
fn commit(
    root: &Path,
    beneath: &Beneath,
    files: &[&FileChange],
    new_dirs: &[PathBuf],
) -> Result<Vec<NamedTempFile>, ApplyError> {
    let mut journal = Vec::new();
    for dir in new_dirs {
        let rel = dir.strip_prefix(root).unwrap_or(dir).to_string_lossy().replace('\\', "/");
        let created = fault::point()
            .and_then(|()| beneath.path(&rel))
            .and_then(|path| std::fs::create_dir(&path).map(|()| path))
            .with_context(|| format!("cannot create directory {rel}"));
        match created {
            Ok(path) => journal.push(Undo::RemoveDir(path)),
            Err(cause) => return Err(ApplyError { cause, restore: undo(journal, beneath) }),
        }
    }
    let written: Vec<&FileChange> = files.iter().copied().filter(|f| !f.delete).collect();
    let staged = match stage_all(beneath, &written) {
        Ok(staged) => staged,
        Err(cause) => return Err(ApplyError { cause, restore: undo(journal, beneath) }),
    };
    let mut staged = staged.into_iter();
    let mut swap = cfg!(target_os = "linux");
    for file in files {
        let path = match beneath.path(&file.path) {
            Ok(path) => path,
            Err(e) => {
                drop(staged);
                let cause = anyhow::Error::from(e).context(format!("cannot write {}", file.path));
                return Err(ApplyError { cause, restore: undo(journal, beneath) });
            }
        };
        let renamed: Result<Undo> = if file.delete {
            fault::point()
                .and_then(|()| std::fs::remove_file(&path))
                .map_err(anyhow::Error::from)
                .map(|()| Undo::Restore(path, file.before.clone().unwrap_or_default()))
        } else {
            let Some(tmp) = staged.next() else { break };
            fault::point().map_err(anyhow::Error::from).and_then(|()| match &file.before {
                Some(before) => replace(tmp, path, before, &mut swap),
                // On failure the temporary file is dropped, and so removed, here.
                None => tmp.persist(&path).map(|_| Undo::Remove(path)).map_err(|e| anyhow::Error::from(e.error)),
            })
        };
        match renamed {
            Ok(step) => journal.push(step),
            Err(cause) => {
                // The files not yet renamed go first, so their directories can.
                drop(staged);
                return Err(ApplyError {
                    cause: cause.context(format!("cannot write {}", file.path)),
                    restore: undo(journal, beneath),
                });
            }
        }
    }
    // Every file is in place: the originals swapped out go, by `finish`.
    let originals = journal
        .into_iter()
        .filter_map(|step| match step {
            Undo::Swap(original, ..) => Some(original),
            _ => None,
        })
        .collect();
    // What a removal emptied goes too, up to the checkout root.
    for file in files.iter().filter(|f| f.delete) {
        let path = root.join(&file.path);
        for dir in path.ancestors().skip(1).take_while(|d| *d != root) {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
    Ok(originals)
}

/// Puts the staged `tmp` in place of the existing file at `path`: by a
/// swap where the file system can (`swap`, cleared where it cannot), else
/// by a rename over it. Returns how to undo it.
fn replace(tmp: NamedTempFile, path: PathBuf, before: &str, swap: &mut bool) -> Result<Undo> {
    #[cfg(target_os = "linux")]
    if *swap {
        match exchange(tmp.path(), &path) {
            Ok(()) => return Ok(Undo::Swap(tmp, path, before.to_string())),
            // Not on this file system (or kernel): rename, from now on.
            // (EPERM too: a sandbox may refuse the call; a real permission
            // problem fails the rename as well, with its own error.)
            Err(
                rustix::io::Errno::INVAL
                | rustix::io::Errno::NOSYS
                | rustix::io::Errno::OPNOTSUPP
                | rustix::io::Errno::PERM,
            ) => *swap = false,
            Err(e) => return Err(std::io::Error::from(e).into()),
        }
    }
    let _ = swap;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(Undo::Restore(path, before.to_string()))
}

/// Stages every file; the first error wins, and drops (so removes) the
/// files staged before it.
fn stage_all(beneath: &Beneath, files: &[&FileChange]) -> Result<Vec<NamedTempFile>> {
    files
        .iter()
        .map(|f| {
            let path = beneath.path(&f.path)?;
            stage(&path, &f.after).with_context(|| format!("cannot write {}", f.path))
        })
        .collect()
}

/// Writes `content` to a temporary file beside `path`, with the
/// permissions of the file it will replace.
fn stage(path: &Path, content: &str) -> Result<NamedTempFile> {
    let dir = path.parent().context("no parent directory")?;
    fault::point()?;
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        // A new file gets 0666 less the umask, as from any editor.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(existing.clone().unwrap_or_else(|| std::fs::Permissions::from_mode(0o666)));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(content.as_bytes())?;
    if let Some(permissions) = existing
        && tmp.as_file().metadata()?.permissions() != permissions
    {
        // Creation applied the umask (or a default ACL); an existing file
        // keeps its exact mode.
        tmp.as_file().set_permissions(permissions)?;
    }
    Ok(tmp)
}

/// Replaces `path` with `content` by a rename, keeping its permissions.
pub fn write_atomically(path: &Path, content: &str) -> Result<()> {
    stage(path, content)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A step where the tests may inject a fault (nothing, in a normal build).
pub fn fault_point() -> std::io::Result<()> {
    fault::point()
}

/// A step of the clean-up after the last rename, where the tests may
/// inject a fault (`ADD_BACKEND_FAIL_CLEANUP`; nothing, in a normal build).
pub fn fault_cleanup() -> std::io::Result<()> {
    fault::cleanup("journal")
}

/// Test-only fault injection, built with the `fault-injection` feature:
/// - `ADD_BACKEND_FAIL_AT=N` fails the N-th filesystem step of an apply,
///   with `ADD_BACKEND_FAIL_KIND` (`nospace`, `readonly`, else a plain error);
/// - `ADD_BACKEND_KILL_AT=N` kills the process at the N-th step, running
///   no destructor, as SIGKILL would;
/// - `ADD_BACKEND_TOUCH=FILE` changes FILE between planning and applying;
/// - `ADD_BACKEND_SWAP=DIR` swaps directory DIR for a symlink to it, moved
///   out of the checkout, between planning and applying.
///
/// Undoing is counted too, so a test can also fail the restore.
mod fault {
    #[cfg(feature = "fault-injection")]
    pub fn point() -> std::io::Result<()> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static STEP: AtomicUsize = AtomicUsize::new(0);
        let step = STEP.fetch_add(1, Ordering::SeqCst) + 1;
        let at = |var: &str| std::env::var(var).ok().and_then(|n| n.parse::<usize>().ok()) == Some(step);
        if at("ADD_BACKEND_KILL_AT") {
            std::process::abort();
        }
        if !at("ADD_BACKEND_FAIL_AT") {
            return Ok(());
        }
        Err(match std::env::var("ADD_BACKEND_FAIL_KIND").as_deref() {
            Ok("nospace") => std::io::Error::from(std::io::ErrorKind::StorageFull),
            Ok("readonly") => std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            _ => std::io::Error::other(format!("injected fault at step {step}")),
        })
    }

    /// `ADD_BACKEND_FAIL_CLEANUP=all` fails every step of the clean-up
    /// after the last rename (`what`: `journal`, marking it done; `files`,
    /// removing the originals); `=files` or `=journal`, that step only.
    #[cfg(feature = "fault-injection")]
    pub fn cleanup(what: &str) -> std::io::Result<()> {
        match std::env::var("ADD_BACKEND_FAIL_CLEANUP") {
            Ok(v) if v == "all" || v == what => Err(std::io::Error::other("injected clean-up fault")),
            _ => Ok(()),
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    pub fn cleanup(_: &str) -> std::io::Result<()> {
        Ok(())
    }

    #[cfg(feature = "fault-injection")]
    pub fn before_apply(root: &std::path::Path) {
        // A local attacker's race: directory DIR moved out of the checkout
        // and a symlink to it put in its place, once the plan is made.
        if let Ok(dir) = std::env::var("ADD_BACKEND_SWAP") {
            let away = root.parent().expect("the checkout has a parent").join("swapped");
            std::fs::rename(root.join(&dir), &away).expect("the test's directory can be moved");
            std::os::unix::fs::symlink(&away, root.join(&dir)).expect("the test's symlink can be made");
        }
        if let Ok(file) = std::env::var("ADD_BACKEND_TOUCH") {
            let path = root.join(file);
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str("// touched\n");
            std::fs::write(path, text).expect("the test's file can be written");
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    pub fn point() -> std::io::Result<()> {
        Ok(())
    }

    #[cfg(not(feature = "fault-injection"))]
    pub fn before_apply(_: &std::path::Path) {}
}

fn undo(journal: Vec<Undo>, beneath: &Beneath) -> Result<(), String> {
    let mut failures = Vec::new();
    for step in journal.into_iter().rev() {
        let (path, result) = match step {
            Undo::Restore(path, content) => {
                let r = write_atomically(&path, &content).map_err(|e| e.to_string());
                (path, r)
            }
            Undo::Swap(original, path, content) => {
                let r = swap_back(&original, &path)
                    .or_else(|_| write_atomically(&path, &content).map_err(|e| e.to_string()));
                // Dropping the staged file's name removes what was written.
                drop(original);
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
            failures.push(format!("{}: {e}", beneath.shown(&path)));
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) }
}

/// Swaps the original, under the staged file's name, back into `path`.
fn swap_back(original: &NamedTempFile, path: &Path) -> Result<(), String> {
    fault::point().map_err(|e| e.to_string())?;
    #[cfg(target_os = "linux")]
    {
        exchange(original.path(), path).map_err(|e| e.to_string())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (original, path);
        Err("no swap on this system".into())
    }
}

/// Swaps the files at `a` and `b` in one step (`renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> rustix::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
}
