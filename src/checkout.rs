//! Finding the checkout: the nearest directory, from where the user stands,
//! that holds a `go.mod`, and the target its module path names.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

pub struct Checkout {
    pub root: PathBuf,
    /// The module path declared in `go.mod`.
    pub module: String,
    /// Directories already resolved by `confine`, and where they lead: the
    /// files of a run share a handful of directories.
    resolved: RefCell<HashMap<PathBuf, PathBuf>>,
}

impl Checkout {
    /// `root` when given, else the nearest ancestor of `cwd` with a `go.mod`.
    pub fn find(cwd: &Path, root: Option<&Path>) -> Result<Checkout> {
        let root = match root {
            Some(root) => {
                if !root.join("go.mod").is_file() {
                    bail!("--root {}: no go.mod there; point it at the top of a Litestream checkout", root.display());
                }
                root.to_path_buf()
            }
            None => {
                cwd.ancestors().find(|dir| dir.join("go.mod").is_file()).map(Path::to_path_buf).ok_or_else(|| {
                    anyhow!(
                        "no go.mod in {} or any parent: run add-backend inside a Litestream checkout, or pass --root",
                        cwd.display()
                    )
                })?
            }
        };
        let go_mod_path = root.join("go.mod");
        let go_mod =
            std::fs::read_to_string(&go_mod_path).with_context(|| format!("cannot read {}", go_mod_path.display()))?;
        let module = module_path(&go_mod).ok_or_else(|| anyhow!("{}: no `module` line", go_mod_path.display()))?;
        Ok(Checkout { root, module, resolved: RefCell::default() })
    }

    pub fn read(&self, rel: &str) -> Result<Option<String>> {
        let path = self.root.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => {
                String::from_utf8(bytes).map(Some).map_err(|_| anyhow!("{rel}: not UTF-8 text; refusing to edit it"))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow!("{rel}: cannot read: {e}")),
        }
    }

    /// Refuses a path that would lead a write outside the checkout (through
    /// a symlinked directory, or a symlink in place of the file itself), and
    /// a file its owner made read-only.
    pub fn confine(&self, rel: &str) -> Result<()> {
        if Path::new(rel).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            bail!(
                "{rel}: a path to write must lead down from the checkout's root (no `..`, `.` or leading `/`); refusing"
            );
        }
        let root = self.resolve(&self.root)?;
        let path = self.root.join(rel);
        match path.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => bail!("{rel} is a symlink; refusing to replace it"),
            Ok(m) if m.permissions().readonly() => {
                bail!("{rel} is read-only; make it writable for add-backend to change it")
            }
            _ => {}
        }
        let Some(existing) = path.ancestors().skip(1).find(|a| a.exists()) else { return Ok(()) };
        let resolved = self.resolve(existing)?;
        if !resolved.starts_with(&root) {
            bail!("{rel} would be written outside the checkout, in {}; refusing", resolved.display());
        }
        Ok(())
    }

    /// `dir` with every symlink on its way resolved.
    fn resolve(&self, dir: &Path) -> Result<PathBuf> {
        if let Some(resolved) = self.resolved.borrow().get(dir) {
            return Ok(resolved.clone());
        }
        let resolved = dir.canonicalize().with_context(|| format!("cannot resolve {}", dir.display()))?;
        self.resolved.borrow_mut().insert(dir.to_path_buf(), resolved.clone());
        Ok(resolved)
    }

    pub fn require(&self, rel: &str, why: &str) -> Result<String> {
        self.read(rel)?.ok_or_else(|| anyhow!("{rel} not found; {why}"))
    }
}

/// The module path of a `go.mod` (`module example.com/x`, possibly quoted).
fn module_path(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("module")?;
        let path = rest.split("//").next()?.trim().trim_matches(['"', '`']);
        (!path.is_empty() && rest.starts_with([' ', '\t'])).then(|| path.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::module_path;

    #[test]
    fn reads_the_module_line() {
        assert_eq!(module_path("// c\nmodule example.com/x // comment\n\ngo 1.24\n").as_deref(), Some("example.com/x"));
        assert_eq!(module_path("module \"example.com/q\"\n").as_deref(), Some("example.com/q"));
        assert_eq!(module_path("modules x\n"), None);
    }
}
