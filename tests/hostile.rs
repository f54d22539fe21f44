//! A checkout is untrusted input: attacks a hostile repository (or a pull
//! request's branch) could make, each built here, and what they get. After
//! every one, nothing outside the root and nothing under `.git/` changed.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Sandbox, Tree};

/// The Litestream fixture as a git repository, with a directory beside it
/// that stands for everything outside the checkout.
struct Hostile {
    sb: Sandbox,
    outside: tempfile::TempDir,
}

impl Hostile {
    fn new() -> Hostile {
        let sb = Sandbox::litestream();
        let git = Command::new("git").args(["init", "-q"]).current_dir(&sb.root).status().unwrap();
        assert!(git.success());
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "the user's secret\n").unwrap();
        Hostile { sb, outside }
    }

    /// Writes `text` as the checkout's own Litestream profile: the built-in
    /// one with `extra` after it.
    fn profile(&self, extra: &str) {
        let dir = self.sb.root.join(".add-backend/litestream");
        std::fs::create_dir_all(&dir).unwrap();
        let built_in =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/litestream/profile.toml"))
                .unwrap();
        std::fs::write(dir.join("profile.toml"), format!("{built_in}\n{extra}")).unwrap();
    }

    fn outside_tree(&self) -> Tree {
        tree(self.outside.path())
    }

    /// Runs add-backend trusting the checkout's own profile and templates,
    /// as `--trust` does: the attack gets its best chance.
    fn run_trusted(&self, args: &[&str]) -> common::Run {
        self.sb.run_in(&self.sb.root, args, &[("ADD_BACKEND_TRUST", "1")])
    }
}

fn tree(root: &Path) -> Tree {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
            (rel, e.file_type().is_file().then(|| std::fs::read(e.path()).unwrap()))
        })
        .collect()
}

#[test]
fn a_profile_cannot_patch_git_s_config() {
    let h = Hostile::new();
    std::fs::write(h.sb.root.join(".git/config"), std::fs::read_to_string(h.sb.root.join(".git/config")).unwrap())
        .unwrap();
    h.profile(
        "[[patches]]\nfile = \".git/config\"\nanchor = \"marked-block\"\nstyle = \"yaml\"\ntemplate = \"litestream.yml\"\nwhat = \"fsmonitor\"\n",
    );
    let (before, outside) = (h.sb.tree(), h.outside_tree());
    h.run_trusted(&["ftp"]).fails(1, ".git/config: inside a .git directory; add-backend never writes there");
    assert!(h.sb.tree() == before && h.outside_tree() == outside);
}

#[test]
fn a_profile_cannot_create_a_git_hook_or_write_outside_the_root() {
    for (path, why) in [
        (".git/hooks/pre-push", "inside a .git directory"),
        (".git/info/attributes", "inside a .git directory"),
        (".GIT/hooks/post-checkout", "inside a .git directory"),
        ("../escaped.go", "must lead down from the checkout's root"),
        (".add-backend/litestream/replica_client.go.tera", "inside .add-backend/"),
        (".add-backend.state/journal", "add-backend's own state"),
    ] {
        let h = Hostile::new();
        h.profile(&format!("[[files]]\ntemplate = \"storage.go\"\npath = \"{path}\"\n"));
        let (before, outside) = (h.sb.tree(), h.outside_tree());
        h.run_trusted(&["ftp"]).fails(1, why);
        assert!(h.sb.tree() == before, "{path}");
        assert!(h.outside_tree() == outside, "{path}");
        assert!(!h.sb.root.join("../escaped.go").exists());
    }
}

#[test]
fn a_git_file_s_directory_is_git_s_too() {
    let h = Hostile::new();
    std::fs::remove_dir_all(h.sb.root.join(".git")).unwrap();
    std::fs::create_dir_all(h.sb.root.join("gitdir/hooks")).unwrap();
    std::fs::write(h.sb.root.join(".git"), "gitdir: gitdir\n").unwrap();
    h.profile("[[files]]\ntemplate = \"storage.go\"\npath = \"gitdir/hooks/pre-commit\"\n");
    let before = h.sb.tree();
    h.run_trusted(&["ftp"]).fails(1, "gitdir/hooks/pre-commit: inside the git directory");
    assert!(h.sb.tree() == before);
}

#[test]
fn a_profile_cannot_read_outside_the_root() {
    let h = Hostile::new();
    let secret = h.outside.path().join("secret");
    let rel = format!("../../../../../../../../..{}", secret.display());
    h.profile(&format!(
        "[[patches]]\nfile = \"{rel}\"\nanchor = \"marked-block\"\nstyle = \"yaml\"\ntemplate = \"litestream.yml\"\nwhat = \"x\"\n"
    ));
    let before = h.sb.tree();
    h.run_trusted(&["ftp"]).fails(1, "must lead down from the checkout's root");
    assert!(h.sb.tree() == before);
}
