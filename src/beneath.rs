//! Paths that cannot be redirected: each directory a write goes into is
//! opened from the checkout's root without following a symlink on the way
//! (Linux: `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`, else
//! `O_NOFOLLOW` a component at a time), and the file is then named through
//! that open directory (`/proc/self/fd/N/name`). A directory swapped for a
//! symlink between planning and writing makes the write fail; it cannot
//! lead it outside. Elsewhere (no /proc, not Linux) the plain path is used,
//! as checked when the plan was made. A leaf: it knows only paths.

use foldhash::HashMap;
use std::cell::RefCell;
use std::io;
use std::path::{Path, PathBuf};

pub struct Beneath {
    root: PathBuf,
    #[cfg(target_os = "linux")]
    fds: Option<Fds>,
}

#[cfg(target_os = "linux")]
struct Fds {
    root: rustix::fd::OwnedFd,
    /// Each directory opened, by its path relative to the root.
    dirs: RefCell<HashMap<String, rustix::fd::OwnedFd>>,
}

impl Beneath {
    pub fn new(root: &Path) -> Beneath {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let usable = Path::new("/proc/self/fd").is_dir();
            let root_fd = rustix::fs::open(root, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty());
            let fds = match root_fd {
                Ok(fd) if usable => Some(Fds { root: fd, dirs: RefCell::default() }),
                _ => None,
            };
            Beneath { root: root.to_path_buf(), fds }
        }
        #[cfg(not(target_os = "linux"))]
        Beneath { root: root.to_path_buf() }
    }

    /// The path to use for `rel` (relative to the root, `/`-separated):
    /// through its directory opened beneath the root, or an error if a
    /// symlink or `..` stands on the way.
    pub fn path(&self, rel: &str) -> io::Result<PathBuf> {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        Ok(self.dir(dir)?.join(name))
    }

    /// Directory `dir` itself, opened beneath the root (to list, or to
    /// make things in): its path through the descriptor.
    pub fn dir(&self, dir: &str) -> io::Result<PathBuf> {
        #[cfg(target_os = "linux")]
        if let Some(fds) = &self.fds {
            use std::os::fd::AsRawFd as _;
            let mut dirs = fds.dirs.borrow_mut();
            if !dirs.contains_key(dir) {
                let fd = open_beneath(&fds.root, dir).map_err(|e| {
                    let error = io::Error::from(e);
                    let why = match e {
                        rustix::io::Errno::LOOP | rustix::io::Errno::XDEV => {
                            "a symlink stands on its way (swapped in since it was planned?)".to_string()
                        }
                        _ => error.to_string(),
                    };
                    io::Error::new(
                        error.kind(),
                        format!("cannot open {}/: {why}", if dir.is_empty() { "." } else { dir }),
                    )
                })?;
                dirs.insert(dir.to_string(), fd);
            }
            return Ok(PathBuf::from(format!("/proc/self/fd/{}", dirs[dir].as_raw_fd())));
        }
        Ok(self.root.join(dir))
    }

    /// Makes directory `rel` and every missing one above it, each beneath
    /// the root.
    pub fn create_dirs(&self, rel: &str) -> io::Result<()> {
        let mut at = String::new();
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            at = if at.is_empty() { part.to_string() } else { format!("{at}/{part}") };
            let path = self.path(&at)?;
            match std::fs::create_dir(&path) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// A path `path` gave, as the user knows it: relative to the root.
    pub fn shown(&self, path: &Path) -> String {
        #[cfg(target_os = "linux")]
        if let Some(fds) = &self.fds
            && let Ok(rest) = path.strip_prefix("/proc/self/fd")
        {
            use std::os::fd::AsRawFd as _;
            let mut parts = rest.iter();
            let fd = parts.next().and_then(|n| n.to_str()?.parse::<i32>().ok());
            let name = parts.as_path().to_string_lossy();
            let dirs = fds.dirs.borrow();
            if let Some((dir, _)) = dirs.iter().find(|(_, d)| Some(d.as_raw_fd()) == fd) {
                return if dir.is_empty() { name.into_owned() } else { format!("{dir}/{name}") };
            }
        }
        path.strip_prefix(&self.root).unwrap_or(path).to_string_lossy().replace('\\', "/")
    }
}

/// Directory `dir` under `root`, opened without following a symlink.
#[cfg(target_os = "linux")]
fn open_beneath(root: &rustix::fd::OwnedFd, dir: &str) -> rustix::io::Result<rustix::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let target = if dir.is_empty() { "." } else { dir };
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
    match rustix::fs::openat2(root, target, flags, Mode::empty(), resolve) {
        // No openat2 (before Linux 5.6, or a sandbox refusing it): one
        // component at a time, none of them a symlink.
        Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => {
            let mut fd = rustix::fs::openat(root, ".", flags, Mode::empty())?;
            for part in dir.split('/').filter(|p| !p.is_empty()) {
                if part == ".." || part == "." {
                    return Err(rustix::io::Errno::XDEV);
                }
                fd = rustix::fs::openat(&fd, part, flags | OFlags::NOFOLLOW, Mode::empty())?;
            }
            Ok(fd)
        }
        other => other,
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::Beneath;

    #[test]
    fn a_symlinked_directory_on_the_way_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("b")).unwrap();
        let beneath = Beneath::new(dir.path());
        let a = beneath.path("a/x.go").unwrap();
        std::fs::write(&a, "x").unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("a/x.go")).unwrap(), "x");
        let err = beneath.path("b/x.go").unwrap_err().to_string();
        assert!(err.contains("cannot open b/: a symlink stands on its way"), "{err}");
        assert!(beneath.path("../x.go").is_err());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }
}
