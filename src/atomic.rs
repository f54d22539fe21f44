//! One file written all at once: staged as a hidden temporary file beside
//! it, with the mode of the file it replaces, then renamed into place. A
//! leaf `apply` and the journal's recovery both use.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

use crate::fault;

/// The prefix of every temporary file an apply stages.
pub const TEMP_PREFIX: &str = ".add-backend-";

/// Writes `content` to a temporary file beside `path`, with the
/// permissions of the file it will replace.
pub fn stage(path: &Path, content: &str) -> Result<NamedTempFile> {
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
