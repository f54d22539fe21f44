//! A temp copy of a fixture checkout, the real binary run inside it, and
//! what came out: each test reads as a specification.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The settings most tests add a backend with: one of each type, a
/// required one, and some the fixtures have already (host, user, password).
pub const FIELDS: &[&str] = &[
    "--field",
    "host!",
    "--field",
    "user",
    "--field",
    "password:secret",
    "--field",
    "port:int",
    "--field",
    "passive:bool",
    "--field",
    "timeout:duration",
];

pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Every file and directory of a tree, path to bytes (`None` for a
/// directory): two equal snapshots mean a byte-identical tree, with no
/// file or directory left over.
pub type Tree = BTreeMap<String, Option<Vec<u8>>>;

impl Sandbox {
    /// A fresh copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(name);
        copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), &root);
        Sandbox { _dir: dir, root }
    }

    /// An empty directory `name`, for a project a test writes itself.
    pub fn empty(name: &str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(name);
        std::fs::create_dir(&root).unwrap();
        Sandbox { _dir: dir, root }
    }

    /// The newest Litestream shape (v0.5.10+ interface, URL factories,
    /// shared settings with defaults).
    pub fn litestream() -> Sandbox {
        Sandbox::fixture("litestream")
    }

    /// The newest shape, its sftp backend used by nothing but its own
    /// wiring (the one test that configures it moved to file): a backend
    /// add-backend did not write, that `remove --force` can take out.
    pub fn litestream_sftp_unused() -> Sandbox {
        let sb = Sandbox::litestream();
        sb.edit("cmd/litestream/main_test.go", "sftp://alice:secret@example.com/backups/db", "file:///backups/db");
        sb.edit("cmd/litestream/main_test.go", "r.Client.Type(), \"sftp\"", "r.Client.Type(), \"file\"");
        sb
    }

    /// The v0.5.0 shape: no useMetadata, Init or SetLogger, no URL
    /// factories, settings on ReplicaConfig itself.
    pub fn litestream_v0_5_0() -> Sandbox {
        Sandbox::fixture("litestream-v0.5.0")
    }

    /// The v0.5.0 shape with its harness where trees before
    /// internal/testingutil keep it (the NATS PR's parent, 2025-08): in the
    /// root package's replica_client_test.go, beside the suite.
    pub fn litestream_root_harness() -> Sandbox {
        let sb = Sandbox::litestream_v0_5_0();
        let split = |text: &str| -> (Vec<String>, String) {
            let start = text.find("import (\n").unwrap() + "import (\n".len();
            let end = start + text[start..].find("\n)\n").unwrap();
            let imports = text[start..end].lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
            (imports, text[end + 3..].to_string())
        };
        let (root_imports, root_body) = split(&sb.read("replica_client_test.go"));
        let (harness_imports, harness_body) = split(&sb.read("internal/testingutil/testingutil.go"));
        let mut imports: Vec<String> =
            root_imports.into_iter().chain(harness_imports).filter(|i| !i.contains("testingutil")).collect();
        imports.sort();
        imports.dedup();
        let (std, other): (Vec<String>, Vec<String>) =
            imports.into_iter().partition(|i| !i.split('/').next().unwrap().contains('.'));
        let block = |group: Vec<String>| group.iter().map(|i| format!("\t{i}\n")).collect::<String>();
        let merged = format!(
            "package litestream_test\n\nimport (\n{}\n{})\n{}{}",
            block(std),
            block(other),
            root_body.replace("testingutil.", ""),
            harness_body
        );
        sb.write("replica_client_test.go", &merged);
        std::fs::remove_dir_all(sb.root.join("internal/testingutil")).unwrap();
        sb
    }

    /// Runs add-backend with `args` from the checkout root.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, args, &[])
    }

    /// The user's configuration directory of this sandbox's runs (where
    /// `add-backend trust` records what it trusts), beside the checkout.
    pub fn config_home(&self) -> PathBuf {
        self.root.parent().unwrap().join("config")
    }

    /// The user's state directory of this sandbox's runs (the lock and
    /// journal of a checkout outside git, the key that signs journals).
    pub fn state_home(&self) -> PathBuf {
        self.root.parent().unwrap().join("state")
    }

    /// The user's state directory of this checkout outside git, where its
    /// lock is taken: named by the SHA-256 of its canonical root.
    #[cfg_attr(not(feature = "fault-injection"), allow(dead_code))]
    pub fn state_dir(&self) -> PathBuf {
        use sha2::Digest as _;
        let root = self.root.canonicalize().unwrap();
        let hex: String =
            sha2::Sha256::digest(root.to_string_lossy().as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let dir = self.state_home().join("add-backend").join(&hex[..32]);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Every journal a run left: in the user's state directory, or in a
    /// git directory at or above the root.
    #[cfg_attr(not(feature = "fault-injection"), allow(dead_code))]
    pub fn journals(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.state_home().join("add-backend")];
        dirs.extend(self.root.ancestors().take(2).map(|a| a.join(".git/add-backend")));
        let mut found: Vec<PathBuf> = dirs
            .iter()
            .flat_map(|d| walkdir::WalkDir::new(d).into_iter().flatten())
            .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().starts_with("journal"))
            .filter(|e| e.file_name() != "journal.key")
            .map(|e| e.into_path())
            .collect();
        found.sort();
        found
    }

    pub fn run_in(&self, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_add-backend"))
            .args(args)
            .current_dir(cwd)
            .env_remove("CLICOLOR_FORCE")
            .env_remove("ADD_BACKEND_TRUST")
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("XDG_STATE_HOME", self.state_home())
            // What a run reads of OpenDAL's source (the sccache builder
            // check) is the fixture's, not whatever the machine's cargo has.
            .env("CARGO_HOME", Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cargo-home"))
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run {
            // -1: killed by a signal.
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    pub fn tree(&self) -> Tree {
        walkdir::WalkDir::new(&self.root)
            .into_iter()
            .map(Result::unwrap)
            .map(|e| {
                let rel = e.path().strip_prefix(&self.root).unwrap().to_string_lossy().replace('\\', "/");
                let content = e.file_type().is_file().then(|| std::fs::read(e.path()).unwrap());
                (rel, content)
            })
            .collect()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    pub fn write(&self, rel: &str, content: &str) {
        std::fs::write(self.root.join(rel), content).unwrap();
    }

    /// Replaces `from` by `to` in a file, which must contain it.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Run {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        self
    }

    /// Asserts a failure with `code` and a one-line `error:` message holding
    /// `needle` (after the `note:` saying whose templates the run used).
    #[track_caller]
    pub fn fails(&self, code: i32, needle: &str) -> &Run {
        assert_eq!(self.code, code, "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        let error: Vec<&str> = self.stderr.lines().skip_while(|l| l.starts_with("note: ")).collect();
        assert!(error.first().is_some_and(|l| l.starts_with("error: ")), "stderr: {}", self.stderr);
        assert_eq!(error.len(), 1, "one line: {}", self.stderr);
        assert!(self.stderr.contains(needle), "{needle:?} not in: {}", self.stderr);
        self
    }
}

/// Copies the tree at `src` to `to`, which must not exist.
pub fn copy_tree(src: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(src).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}
