//! Finding the checkout: the nearest directory, from where the user stands,
//! that holds a `go.mod`, and the target its module path names.

use foldhash::HashMap;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use anyhow::{Context, Result, anyhow, bail};

pub struct Checkout {
    pub root: PathBuf,
    /// What the root's manifest says the project is.
    pub project: Project,
    /// Directories already resolved by `confine`, and where they lead: the
    /// files of a run share a handful of directories.
    /// (Keyed by the path's bytes: a `Path` hashes component by component.)
    resolved: RefCell<HashMap<std::ffi::OsString, PathBuf>>,
    /// Each file as first read, and each directory as first listed: a plan
    /// asks for some several times (a package's files, for the names they
    /// declare, by every step adding a function), and must see one state.
    /// `apply` reads the disk again itself, to catch a change since.
    files: RefCell<HashMap<String, Option<Rc<String>>>>,
    listings: RefCell<HashMap<String, Vec<String>>>,
    /// Files read but not yet needed as text (`read_if`), as read.
    searched: RefCell<HashMap<String, Rc<Vec<u8>>>>,
    /// What the checks of the paths a plan writes learnt of the directories
    /// above them (`paths::Seen`).
    seen: crate::paths::Seen,
}

/// A Go module or a Cargo package, by the manifest at the root.
#[derive(Debug, Clone, PartialEq)]
pub enum Project {
    /// `go.mod`: the module path.
    Go(String),
    /// `Cargo.toml`: the package name.
    Cargo(String),
}

/// The manifests a checkout's root is recognised by, in order.
const MANIFESTS: [&str; 2] = ["go.mod", "Cargo.toml"];

impl Checkout {
    /// `root` when given, else the nearest ancestor of `cwd` with a `go.mod`
    /// or a `Cargo.toml`.
    pub fn find(cwd: &Path, root: Option<&Path>) -> Result<Checkout> {
        let has_manifest = |dir: &Path| MANIFESTS.iter().any(|m| dir.join(m).is_file());
        let root = match root {
            Some(root) => {
                if !has_manifest(root) {
                    bail!(
                        "--root {}: no go.mod or Cargo.toml there; point it at the top of a checkout of a project add-backend knows (see add-backend --help)",
                        root.display()
                    );
                }
                root.to_path_buf()
            }
            None => cwd.ancestors().find(|dir| has_manifest(dir)).map(Path::to_path_buf).ok_or_else(|| {
                anyhow!(
                    "no go.mod or Cargo.toml in {} or any parent: run add-backend inside a checkout of a project it knows (see add-backend --help), or pass --root",
                    cwd.display()
                )
            })?,
        };
        // One spelling of the root, whichever reached it: one lock, one
        // journal, one trust.
        let root = root.canonicalize().with_context(|| format!("cannot resolve {}", root.display()))?;
        // A manifest through a symlink leading outside is not the checkout's.
        for manifest in MANIFESTS {
            let path = root.join(manifest);
            if path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
                && !path.canonicalize().is_ok_and(|real| real.starts_with(&root))
            {
                bail!("{}: a symlink leading outside the checkout; refusing to read it", path.display());
            }
        }
        let project = if root.join("go.mod").is_file() {
            let path = root.join("go.mod");
            let text = crate::paths::read_text(&path, true)?;
            Project::Go(module_path(&text).ok_or_else(|| anyhow!("{}: no `module` line", path.display()))?)
        } else {
            let path = root.join("Cargo.toml");
            let text = crate::paths::read_text(&path, true)?;
            Project::Cargo(package_name(&text).ok_or_else(|| anyhow!("{}: no [package] name", path.display()))?)
        };
        Ok(Checkout {
            root,
            project,
            resolved: RefCell::default(),
            files: RefCell::default(),
            listings: RefCell::default(),
            searched: RefCell::default(),
            seen: crate::paths::Seen::default(),
        })
    }

    /// The checkout as it would be with `changes` made: a plan made on it
    /// sees their content (a deleted file as absent), and every other file
    /// as this checkout first read it. Nothing is written.
    pub fn overlay(&self, changes: &[crate::plan::FileChange]) -> Checkout {
        let mut files = self.files.borrow().clone();
        for change in changes.iter().filter(|c| c.changes()) {
            let content = (!change.delete).then(|| Rc::new(change.after.clone()));
            files.insert(change.path.clone(), content);
        }
        Checkout {
            root: self.root.clone(),
            project: self.project.clone(),
            resolved: self.resolved.clone(),
            files: RefCell::new(files),
            listings: self.listings.clone(),
            searched: self.searched.clone(),
            seen: crate::paths::Seen::default(),
        }
    }

    pub fn read(&self, rel: &str) -> Result<Option<Rc<String>>> {
        self.read_if(rel, |_| true)
    }

    /// `rel`'s text if `wanted` holds of its bytes: a file of a package
    /// searched for a name is read, and kept (and must be text) only if it
    /// has it. A file read before is as it was then.
    pub fn read_if(&self, rel: &str, wanted: impl Fn(&[u8]) -> bool) -> Result<Option<Rc<String>>> {
        if let Some(text) = self.files.borrow().get(rel) {
            return Ok(text.clone().filter(|t| wanted(t.as_bytes())));
        }
        let searched = self.searched.borrow().get(rel).cloned();
        let bytes = match searched {
            // Searched before, and now wanted as text (its one copy).
            Some(bytes) if wanted(&bytes) => {
                self.searched.borrow_mut().remove(rel);
                Some(Rc::unwrap_or_clone(bytes))
            }
            Some(_) => return Ok(None),
            None => {
                let bytes = self.read_bytes(rel)?;
                crate::log::detail(|| match &bytes {
                    Some(bytes) => format!("read {rel} ({} bytes)", bytes.len()),
                    None => format!("read {rel}: none"),
                });
                match bytes {
                    Some(bytes) if !wanted(&bytes) => {
                        self.searched.borrow_mut().insert(rel.to_string(), Rc::new(bytes));
                        return Ok(None);
                    }
                    bytes => bytes,
                }
            }
        };
        let text = match bytes {
            Some(bytes) => Some(Rc::new(
                String::from_utf8(bytes).map_err(|_| anyhow!("{rel}: not UTF-8 text; refusing to edit it"))?,
            )),
            None => None,
        };
        self.files.borrow_mut().insert(rel.to_string(), text.clone());
        Ok(text)
    }

    /// `rel`'s bytes, read as `read` reads a file.
    fn read_bytes(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        if rel.is_empty() || Path::new(rel).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            bail!("{rel}: a path to read must lead down from the checkout's root (no `..`, `.` or leading `/`)");
        }
        let path = self.root.join(rel);
        match path.symlink_metadata() {
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => Ok(None),
            Err(e) => Err(anyhow!("{rel}: cannot read: {e}")),
            Ok(meta) => {
                // Through a symlink, or a symlinked directory, only to a
                // file inside the checkout: its content may end up in
                // what is generated.
                let dir = path.parent().unwrap_or(&self.root);
                let leads_to = if meta.file_type().is_symlink() {
                    path.canonicalize().with_context(|| format!("{rel}: cannot resolve"))?
                } else {
                    self.resolve(dir)?
                };
                if !crate::paths::under(&leads_to, &self.resolve(&self.root)?) {
                    bail!("{rel} leads outside the checkout, to {}; refusing to read it", leads_to.display());
                }
                crate::paths::read_regular(&path, crate::paths::MAX_READ, true)
                    .map(Some)
                    .map_err(|e| anyhow!("{rel}: {}", e.to_string().split_once(": ").map_or("", |(_, why)| why)))
            }
        }
    }

    /// Whether the checkout has `rel`, a file or (`dir/`, or as it is on
    /// disk) a directory, inside it.
    pub fn exists(&self, rel: &str) -> Result<bool> {
        let dir = rel.trim_end_matches('/');
        if let Some(text) = self.files.borrow().get(dir) {
            return Ok(text.is_some());
        }
        if dir.is_empty() || Path::new(dir).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            bail!("{rel}: a path must lead down from the checkout's root (no `..`, `.` or leading `/`)");
        }
        if self.root.join(dir).is_dir() {
            return Ok(self.list(dir).is_ok());
        }
        Ok(!rel.ends_with('/') && self.read(dir)?.is_some())
    }

    /// The names in directory `dir` (relative; `""` for the root), sorted;
    /// none of a directory that leads outside the checkout.
    pub fn list(&self, dir: &str) -> std::io::Result<Vec<String>> {
        if let Some(names) = self.listings.borrow().get(dir) {
            return Ok(names.clone());
        }
        let path = self.root.join(dir);
        let root = self.resolve(&self.root).map_err(std::io::Error::other)?;
        if !self.resolve(&path).map_err(std::io::Error::other)?.starts_with(root) {
            return Err(std::io::Error::other(format!("{dir} leads outside the checkout")));
        }
        let mut names: Vec<String> = std::fs::read_dir(&path)?
            .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<std::io::Result<_>>()?;
        names.sort();
        self.listings.borrow_mut().insert(dir.to_string(), names.clone());
        Ok(names)
    }

    /// Refuses a path that would lead a write outside the checkout (through
    /// a symlinked directory, or a symlink in place of the file itself), and
    /// a file its owner made read-only.
    pub fn confine(&self, rel: &str) -> Result<()> {
        self.confine_to(rel, false)
    }

    /// What the checks of the paths a plan writes learnt so far.
    pub fn seen(&self) -> &crate::paths::Seen {
        &self.seen
    }

    /// As [`Checkout::confine`]; with `profile`, a file of the checkout's
    /// own profile may be written too (`learn`).
    pub fn confine_to(&self, rel: &str, profile: bool) -> Result<()> {
        crate::paths::refuse_forbidden_seen(&self.root, rel, profile, &self.seen)?;
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
        if !crate::paths::under(&resolved, &root) {
            bail!("{rel} would be written outside the checkout, in {}; refusing", resolved.display());
        }
        Ok(())
    }

    /// `dir` with every symlink on its way resolved.
    fn resolve(&self, dir: &Path) -> Result<PathBuf> {
        if let Some(resolved) = self.resolved.borrow().get(dir.as_os_str()) {
            return Ok(resolved.clone());
        }
        let resolved = dir.canonicalize().with_context(|| format!("cannot resolve {}", dir.display()))?;
        self.resolved.borrow_mut().insert(dir.as_os_str().to_owned(), resolved.clone());
        Ok(resolved)
    }

    pub fn require(&self, rel: &str, why: &str) -> Result<Rc<String>> {
        self.read(rel)?.ok_or_else(|| anyhow!("{rel} not found; {why}"))
    }
}

/// The `[package]` name of a `Cargo.toml`.
fn package_name(cargo_toml: &str) -> Option<String> {
    let doc = crate::anchor::cargo::document(cargo_toml).ok()?;
    doc.get("package")?.get("name")?.as_str().map(str::to_string)
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
    use super::{Checkout, module_path};

    #[test]
    fn a_file_searched_is_kept_only_if_it_has_what_is_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module example.com/m\n").unwrap();
        std::fs::write(dir.path().join("a.go"), "package m\n\nvar ftp = 1\n").unwrap();
        std::fs::write(dir.path().join("b.go"), b"package m\n// \xff\n").unwrap();
        let checkout = Checkout::find(dir.path(), Some(dir.path())).unwrap();
        let has = |b: &[u8]| b.windows(3).any(|w| w == b"ftp");
        // Not UTF-8, and not what is looked for: passed over, not refused.
        assert_eq!(checkout.read_if("b.go", has).unwrap(), None);
        assert!(checkout.read("b.go").unwrap_err().to_string().contains("not UTF-8"));
        let a = checkout.read_if("a.go", has).unwrap().expect("a.go has it");
        std::fs::write(dir.path().join("a.go"), "package changed\n").unwrap();
        // Kept: read again, it is as it was.
        assert_eq!(checkout.read("a.go").unwrap(), Some(a));
        assert_eq!(checkout.read_if("a.go", |_| false).unwrap(), None);
        assert_eq!(checkout.read_if("none.go", has).unwrap(), None);
    }

    #[test]
    fn a_run_sees_each_file_and_directory_as_first_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module example.com/m\n").unwrap();
        std::fs::write(dir.path().join("a.go"), "package m\n").unwrap();
        let checkout = Checkout::find(dir.path(), Some(dir.path())).unwrap();
        assert_eq!(checkout.read("a.go").unwrap().as_deref().map(String::as_str), Some("package m\n"));
        assert_eq!(checkout.list("").unwrap(), ["a.go", "go.mod"]);
        std::fs::write(dir.path().join("a.go"), "package changed\n").unwrap();
        std::fs::write(dir.path().join("b.go"), "package m\n").unwrap();
        assert_eq!(checkout.read("a.go").unwrap().as_deref().map(String::as_str), Some("package m\n"));
        assert_eq!(checkout.read("b.go").unwrap().as_deref().map(String::as_str), Some("package m\n"));
        assert_eq!(checkout.list("").unwrap(), ["a.go", "go.mod"], "one listing per run");
        assert!(checkout.list("none").is_err());
        assert_eq!(checkout.read("none.go").unwrap(), None);
    }

    #[test]
    fn reads_the_module_line() {
        assert_eq!(module_path("// c\nmodule example.com/x // comment\n\ngo 1.24\n").as_deref(), Some("example.com/x"));
        assert_eq!(module_path("module \"example.com/q\"\n").as_deref(), Some("example.com/q"));
        assert_eq!(module_path("modules x\n"), None);
    }
}
