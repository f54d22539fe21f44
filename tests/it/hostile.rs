//! A checkout is untrusted input: attacks a hostile repository (or a pull
//! request's branch) could make, each built here, and what they get. After
//! every one, nothing outside the root and nothing under `.git/` changed.

use std::path::Path;
use std::process::Command;

use crate::common::{Sandbox, Tree};

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

    /// Everything outside the checkout a run could reach: the directory
    /// beside it, and the user's configuration and state directories.
    fn outside_tree(&self) -> Tree {
        let mut all = tree(self.outside.path());
        for (name, dir) in [("config", self.sb.config_home()), ("state", self.sb.state_home())] {
            all.extend(tree(&dir).into_iter().map(|(path, content)| (format!("{name}/{path}"), content)));
        }
        all
    }

    /// Runs add-backend trusting the checkout's own profile and templates,
    /// as `--trust` does: the attack gets its best chance.
    fn run_trusted(&self, args: &[&str]) -> crate::common::Run {
        self.sb.run_in(&self.sb.root, args, &[("ADD_BACKEND_TRUST", "1")])
    }
}

/// Every file and directory under `root` (none if it does not exist).
fn tree(root: &Path) -> Tree {
    if !root.exists() {
        return Tree::new();
    }
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
    h.sb.run(&["ftp"]).fails(1, "are not trusted yet");
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
        h.sb.run(&["ftp"]).fails(1, "are not trusted yet");
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

/// The checkout's own copy of the built-in templates, one of them changed
/// to leave a mark in what it generates.
fn carry_templates(h: &Hostile) {
    let dir = h.sb.root.join(".add-backend");
    h.sb.run(&["templates", "export", dir.to_str().unwrap()]).success();
    h.sb.edit(
        ".add-backend/litestream/storage.go.tera",
        "type Storage interface {",
        "// carried\ntype Storage interface {",
    );
}

#[test]
fn a_checkout_s_own_templates_are_used_only_once_trusted() {
    let h = Hostile::new();
    carry_templates(&h);
    let before = h.sb.tree();
    h.sb.run(&["ftp"]).fails(
        1,
        ".add-backend: the checkout's own profile and templates (49 files) are not trusted yet; review them, then run 'add-backend trust' (or pass --trust for this run)",
    );
    assert!(h.sb.tree() == before, "nothing written");
    assert!(!h.sb.config_home().join("add-backend/trusted").exists(), "nothing trusted by a refused run");

    let trust = h.sb.run(&["trust"]);
    trust.success();
    assert!(trust.stderr.contains("(49 files, sha256 "), "{}", trust.stderr);
    assert!(trust.stderr.contains("  litestream/storage.go.tera\n"), "the files trusted are listed: {}", trust.stderr);
    assert!(h.sb.tree() == before, "trusting writes nothing in the checkout");
    let run = h.sb.run(&["ftp", "--dry-run"]);
    run.success();
    assert!(run.stdout.contains("+// carried"), "the trusted templates are used");

    // Any change is untrusted again.
    h.sb.edit(".add-backend/litestream/profile.toml", "target = \"litestream\"", "target = \"litestream\"\n");
    h.sb.run(&["ftp", "--dry-run"]).fails(1, "are changed since it was trusted; review them");
    h.sb.run(&["trust"]).success();
    h.sb.run(&["ftp", "--dry-run"]).success();
    // A new file too, even one no run reads.
    h.sb.write(".add-backend/notes.txt", "hi\n");
    h.sb.run(&["ftp", "--dry-run"]).fails(1, "changed since it was trusted");
}

#[test]
fn trust_for_one_run_by_flag_or_environment_and_templates_named_on_the_command_line() {
    let h = Hostile::new();
    carry_templates(&h);
    let run = h.sb.run(&["ftp", "--dry-run", "--trust"]);
    run.success();
    assert!(run.stdout.contains("+// carried"));
    let run = h.sb.run_in(&h.sb.root, &["ftp", "--dry-run"], &[("ADD_BACKEND_TRUST", "1")]);
    run.success();
    h.sb.run_in(&h.sb.root, &["ftp", "--dry-run"], &[("ADD_BACKEND_TRUST", "0")]).fails(1, "not trusted yet");
    assert!(!h.sb.config_home().join("add-backend/trusted").exists(), "--trust records nothing");

    // Templates named with --templates are the user's choice.
    let named = h.sb.root.join("../named");
    h.sb.run(&["templates", "export", named.to_str().unwrap()]).success();
    std::fs::remove_dir_all(h.sb.root.join(".add-backend")).unwrap();
    h.sb.run(&["ftp", "--dry-run", "--templates", named.to_str().unwrap()]).success();

    // Manifests alone are not a profile: nothing to trust.
    h.sb.run(&["ftp"]).success();
    h.sb.run(&["ftp"]).success();
    h.sb.run(&["trust"]).fails(1, "no profile or templates of the checkout's own; nothing to trust");
}

#[test]
fn a_template_that_is_a_symlink_or_a_special_file_is_refused_even_trusted() {
    let h = Hostile::new();
    carry_templates(&h);
    let template = h.sb.root.join(".add-backend/litestream/readme.md.tera");
    std::fs::remove_file(&template).unwrap();
    std::os::unix::fs::symlink(h.outside.path().join("secret"), &template).unwrap();
    let before = h.sb.tree();
    h.run_trusted(&["ftp"]).fails(1, "readme.md.tera: not a regular file (a symlink, FIFO or device); refusing it");
    h.sb.run(&["trust"]).fails(1, "not a regular file");
    assert!(h.sb.tree() == before);
    assert!(!h.sb.read("README.md").contains("secret"));

    std::fs::remove_file(&template).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", &template).unwrap();
    h.run_trusted(&["ftp"]).fails(1, "not a regular file");

    // A FIFO never blocks the run.
    std::fs::remove_file(&template).unwrap();
    let made = Command::new("mkfifo").arg(&template).status().unwrap();
    assert!(made.success());
    let started = std::time::Instant::now();
    h.run_trusted(&["ftp"]).fails(1, "not a regular file");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    // Nor a huge one.
    std::fs::remove_file(&template).unwrap();
    let file = std::fs::File::create(&template).unwrap();
    file.set_len(100 << 20).unwrap();
    h.run_trusted(&["ftp"]).fails(1, "104857600 bytes, more than a profile or template may be");

    // Nor the directory itself as a symlink.
    std::fs::remove_dir_all(h.sb.root.join(".add-backend")).unwrap();
    std::os::unix::fs::symlink(h.outside.path(), h.sb.root.join(".add-backend")).unwrap();
    h.run_trusted(&["ftp"]).fails(1, ".add-backend: not a directory (a symlink?); refusing it");
}

#[test]
fn a_project_file_that_is_special_huge_or_a_way_out_gets_an_error_at_once() {
    let h = Hostile::new();
    let before = h.sb.tree();
    let started = std::time::Instant::now();

    // A FIFO named like a Go file of package main: read without blocking.
    let fifo = h.sb.root.join("cmd/litestream/zz.go");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    h.sb.run(&["ftp"]).fails(1, "cmd/litestream/zz.go: not a regular file (a FIFO, device or socket)");
    std::fs::remove_file(&fifo).unwrap();

    // A symlink to a device, or to a file outside.
    std::fs::rename(h.sb.root.join("README.md"), h.sb.root.join("README.real")).unwrap();
    for target in [Path::new("/dev/zero"), &h.outside.path().join("secret")] {
        std::os::unix::fs::symlink(target, h.sb.root.join("README.md")).unwrap();
        h.sb.run(&["ftp"]).fails(1, "README.md leads outside the checkout");
        std::fs::remove_file(h.sb.root.join("README.md")).unwrap();
    }
    std::fs::rename(h.sb.root.join("README.real"), h.sb.root.join("README.md")).unwrap();

    // 100 MiB.
    let big = std::fs::File::create(h.sb.root.join("cmd/litestream/big.go")).unwrap();
    big.set_len(100 << 20).unwrap();
    h.sb.run(&["ftp"]).fails(1, "cmd/litestream/big.go: 104857600 bytes, more than add-backend reads (8388608)");
    std::fs::remove_file(h.sb.root.join("cmd/litestream/big.go")).unwrap();

    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(h.sb.tree() == before);
}

#[cfg(feature = "fault-injection")]
#[test]
fn one_checkout_by_two_spellings_has_one_lock_and_one_journal() {
    let sb = Sandbox::litestream();
    let link = sb.root.parent().unwrap().join("link");
    std::os::unix::fs::symlink(&sb.root, &link).unwrap();
    let (real, linked) = (sb.root.to_str().unwrap(), link.to_str().unwrap());
    let bin = env!("CARGO_BIN_EXE_add-backend");
    let spawn = |root: &str, name: &str| {
        Command::new(bin)
            .args(["--root", root, name, "--field", "host"])
            .env("XDG_STATE_HOME", sb.state_home())
            .env("XDG_CONFIG_HOME", sb.config_home())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut added = Vec::new();
    for pair in 0..50 {
        let (a, b) = (format!("a{pair}"), format!("b{pair}"));
        let (first, second) = (spawn(linked, &a), spawn(real, &b));
        for (child, name) in [(first, a), (second, b)] {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.success() {
                added.push(name);
            } else {
                assert!(stderr.contains("another add-backend run is using this checkout"), "{stderr}");
            }
        }
    }
    // Every run that said it added its backend did: no update was lost.
    let main = sb.read("cmd/litestream/main.go");
    for name in &added {
        assert!(main.contains(&format!("case \"{name}\":")), "{name} was lost");
        assert!(sb.root.join(format!("{name}/replica_client.go")).is_file());
    }
    assert!(added.len() >= 50, "at least one run of each pair: {}", added.len());

    // Killed under one spelling, restored under the other.
    let before = sb.tree();
    let killed = sb.run_in(&sb.root, &["--root", linked, "ftp"], &[("ADD_BACKEND_KILL_AT", "12")]);
    assert_eq!(killed.code, -1, "{}", killed.stderr);
    assert!(sb.tree() != before);
    let dry = sb.run(&["--root", real, "x1", "--dry-run"]);
    dry.fails(1, "an interrupted run left this checkout half-changed");
    let next = sb.run(&["--root", real, "remove", "a0", "--dry-run"]);
    next.fails(1, "interrupted");
    sb.run(&["--root", real, "doctor"]).fails(1, "an interrupted run left this checkout half-changed");
    let run = sb.run(&["--root", real, "ftp"]);
    run.success();
    assert!(run.stderr.starts_with("warning: an earlier run was interrupted; restored the "), "{}", run.stderr);
    assert!(sb.journals().is_empty(), "{:?}", sb.journals());
}

#[test]
fn a_template_that_never_ends_or_renders_too_much_is_stopped() {
    let h = Hostile::new();
    let dir = h.sb.root.join("../bomb/litestream");
    std::fs::create_dir_all(&dir).unwrap();
    let before = h.sb.tree();
    let templates = dir.parent().unwrap().to_str().unwrap().to_string();
    for (template, why) in [
        (
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}xxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
            "readme.md.tera: rendering took more than 2 s (a loop that does not end?); nothing was written",
        ),
        (
            "{% for i in range(end=1000) %}{% for j in range(end=300) %}xxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
            "readme.md.tera: renders 4800000 bytes, more than a template may",
        ),
    ] {
        std::fs::write(dir.join("readme.md.tera"), template).unwrap();
        let started = std::time::Instant::now();
        let run = h.sb.run(&["ftp", "--templates", &templates, "--format", "json"]);
        run.fails(1, why);
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
        assert!(run.stdout.contains("\"kind\": \"error\""), "{}", run.stdout);
        assert!(h.sb.tree() == before);
    }
}

/// `go vet ./...` on the checkout, which must pass (Go is required in CI).
fn go_vet(root: &Path) -> Result<(), String> {
    let Ok(out) = Command::new("go").args(["vet", "./..."]).current_dir(root).output() else {
        assert!(std::env::var_os("CI").is_none(), "go is needed under CI");
        return Ok(());
    };
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

#[test]
fn the_case_goes_into_the_function_s_own_switch_not_one_nested_in_an_if() {
    let sb = Sandbox::litestream();
    sb.edit(
        "cmd/litestream/main.go",
        "\tr := litestream.NewReplica(db)\n",
        "\tr := litestream.NewReplica(db)\n\n\tif c.Path == \"-\" {\n\t\tswitch c.ReplicaType() {\n\t\tcase \"file\":\n\t\t\treturn nil, fmt.Errorf(\"no path\")\n\t\tdefault:\n\t\t}\n\t}\n",
    );
    sb.run(&["ftp"]).success();
    let main = sb.read("cmd/litestream/main.go");
    let nested = &main[main.find("\tif c.Path == \"-\" {").unwrap()..];
    let nested = &nested[..nested.find("\n\t}\n").unwrap()];
    assert!(!nested.contains("ftp"), "the nested switch is left alone:\n{nested}");
    assert!(main.contains("\tcase \"ftp\":\n\t\tif r.Client, err = newFTPReplicaClientFromConfig(c, r); err != nil {"));
    go_vet(&sb.root).unwrap();
    let doctor = sb.run(&["doctor"]);
    doctor.success();
}

#[test]
fn a_package_level_name_like_the_new_package_is_refused_before_go_vet_would() {
    for (file, decl) in [
        ("cmd/litestream/extra.go", "package main\n\nvar ftp = 1\n"),
        ("cmd/litestream/extra.go", "package main\n\nconst (\n\tother = 1\n\tftp   = 2\n)\n"),
        ("cmd/litestream/main_extra_test.go", "package main\n\nvar ftp, sftp2 int\n"),
        ("internal/testingutil/extra.go", "package testingutil\n\nvar ftp = \"x\"\n"),
    ] {
        let sb = Sandbox::litestream();
        sb.write(file, decl);
        go_vet(&sb.root).unwrap();
        let before = sb.tree();
        sb.run(&["ftp"]).fails(1, "backend name \"ftp\" is taken: package ");
        assert!(sb.tree() == before, "{file}");
    }
}

#[test]
fn a_go_name_another_backend_owns_is_refused() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["ftp", "--go-name", "S3"])
        .fails(1, "Go name S3 is taken: cmd/litestream/main.go has NewS3ReplicaClientFromConfig() for another backend");
    sb.run(&["ftp", "--go-name", "File"]).fails(
        1,
        "Go name File is taken: cmd/litestream/main.go has newFileReplicaClientFromConfig() for another backend",
    );
    assert!(sb.tree() == before);
    // Its own, again, is fine.
    sb.run(&["ftp", "--go-name", "Ftp"]).success();
    sb.run(&["ftp", "--go-name", "Ftp"]).success();
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_directory_swapped_for_a_symlink_between_planning_and_writing_makes_the_write_fail_not_escape() {
    for dir in ["cmd/litestream", "internal/testingutil", "cmd"] {
        let h = Hostile::new();
        let moved = h.sb.root.parent().unwrap().join("swapped");
        let before = tree(&h.sb.root.join(dir));
        let run = h.sb.run_in(&h.sb.root, &["ftp"], &[("ADD_BACKEND_SWAP", dir)]);
        // Found before the first write: nothing to undo.
        run.fails(1, "a symlink stands on its way (swapped in since it was planned?); nothing was written");
        assert!(tree(&moved) == before, "{dir}: nothing written where the symlink led");
        // The rest of the checkout is as it was: no file of the backend.
        assert!(!h.sb.root.join("ftp").exists(), "{dir}");
    }
}

#[test]
fn a_bogus_git_file_leads_no_state_outside() {
    let h = Hostile::new();
    std::fs::remove_dir_all(h.sb.root.join(".git")).unwrap();
    let elsewhere = h.outside.path().join("gitdir");
    for target in [Path::new("/nonexistent/add-backend-test"), &elsewhere] {
        std::fs::write(h.sb.root.join(".git"), format!("gitdir: {}\n", target.display())).unwrap();
        let outside = h.outside_tree();
        let outside_files: Vec<_> = outside.keys().filter(|k| !k.starts_with("state/")).cloned().collect();
        h.sb.run(&["ftp", "--dry-run"]).success();
        h.sb.run(&["ftp"]).success();
        h.sb.run(&["remove", "ftp"]).success();
        assert!(!target.exists(), "nothing made where .git points: {}", target.display());
        let after: Vec<_> = h.outside_tree().into_keys().filter(|k| !k.starts_with("state/")).collect();
        assert_eq!(after, outside_files, "only the user's state directory is used");
    }
}

#[test]
fn the_git_directory_under_any_name_or_link_is_never_written() {
    /// How the git directory is reached, set up in a checkout's root.
    type Arrange<'a> = (&'a str, &'a dyn Fn(&Path));
    let arrange: [Arrange; 3] = [
        ("a .git file longer than 4 KiB", &|root| {
            std::fs::write(root.join(".git"), format!("gitdir: gitstore{}", "\n".repeat(5000))).unwrap();
        }),
        ("a .git symlink", &|root| std::os::unix::fs::symlink("gitstore", root.join(".git")).unwrap()),
        ("a .git file naming a link", &|root| {
            std::os::unix::fs::symlink("gitstore", root.join("link")).unwrap();
            std::fs::write(root.join(".git"), "gitdir: link\n").unwrap();
        }),
    ];
    for (how, arrange) in arrange {
        for (profile, path) in [
            (
                "[[patches]]\nfile = \"gitstore/config\"\nanchor = \"line-after\"\npresent = \"fsmonitor\"\nlines = [ { after = \"[core]\", text = \"\\tfsmonitor = \\\"touch pwned\\\"\" } ]\nwhat = \"x\"\n",
                "gitstore/config",
            ),
            (
                "[[files]]\ntemplate = \"storage.go\"\npath = \"gitstore/hooks/pre-commit\"\n",
                "gitstore/hooks/pre-commit",
            ),
        ] {
            let h = Hostile::new();
            std::fs::rename(h.sb.root.join(".git"), h.sb.root.join("gitstore")).unwrap();
            arrange(&h.sb.root);
            h.profile(profile);
            let before = h.sb.tree();
            h.run_trusted(&["ftp"]).fails(1, &format!("{path}: inside the git directory"));
            assert!(h.sb.tree() == before, "{how}: {path}");
        }
    }
}

#[cfg(feature = "fault-injection")]
#[test]
fn recovery_after_a_kill_never_follows_a_directory_swapped_for_a_symlink() {
    let h = Hostile::new();
    let killed = h.sb.run_in(&h.sb.root, &["ftp"], &[("ADD_BACKEND_KILL_AT", "24")]);
    assert_eq!(killed.code, -1, "{}", killed.stderr);
    // The directory the killed run changed files in, moved out and linked.
    let moved = h.outside.path().join("litestream");
    std::fs::rename(h.sb.root.join("cmd/litestream"), &moved).unwrap();
    std::os::unix::fs::symlink(&moved, h.sb.root.join("cmd/litestream")).unwrap();
    let before = tree(&moved);
    let run = h.sb.run(&["x2", "--dry-run"]);
    run.fails(1, "an interrupted run left this checkout half-changed");
    let run = h.sb.run(&["sftp2"]);
    assert!(run.stderr.contains("left alone, as they changed since: cmd/litestream/"), "{}", run.stderr);
    assert!(tree(&moved) == before, "nothing restored or removed where the symlink leads");
}

#[test]
fn a_backends_entry_that_is_not_the_manifests_directory_hides_nothing_from_trust() {
    for backends in ["symlink", "file"] {
        let h = Hostile::new();
        carry_templates(&h);
        let path = h.sb.root.join(".add-backend/backends");
        match backends {
            "symlink" => std::os::unix::fs::symlink("nowhere", &path).unwrap(),
            _ => std::fs::write(&path, "not a directory\n").unwrap(),
        }
        let trust = h.sb.run(&["trust"]);
        if backends == "symlink" {
            trust.fails(1, "backends: not a regular file");
            continue;
        }
        trust.success();
        assert!(trust.stderr.contains("  litestream/storage.go.tera\n"), "the templates are hashed: {}", trust.stderr);
        h.sb.edit(".add-backend/litestream/storage.go.tera", "// carried", "// carried, then changed");
        h.sb.run(&["ftp", "--dry-run"]).fails(1, "changed since it was trusted");
    }
}

#[test]
fn a_template_name_cannot_leave_the_templates() {
    for name in ["../backends/notes.md", "../../../outside/secret", "/etc/passwd", "./x.go"] {
        let h = Hostile::new();
        h.profile(&format!("[[files]]\ntemplate = \"{name}\"\npath = \"ftp/NOTES.md\"\n"));
        h.run_trusted(&["ftp", "--dry-run"])
            .fails(1, "`template` must be a template's name below the project's templates");
    }
}

#[test]
fn remove_reads_the_package_s_files_as_every_read_is_read() {
    let h = Hostile::new();
    let before = h.sb.tree();
    let started = std::time::Instant::now();
    let fifo = h.sb.root.join("internal/testingutil/zz.go");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    h.sb.run(&["remove", "sftp", "--dry-run"]).fails(1, "internal/testingutil/zz.go: not a regular file");
    std::fs::remove_file(&fifo).unwrap();
    std::fs::write(h.outside.path().join("x.go"), "var q = NewSFTPReplicaClient\n").unwrap();
    std::os::unix::fs::symlink(h.outside.path().join("x.go"), &fifo).unwrap();
    h.sb.run(&["remove", "sftp", "--dry-run"]).fails(1, "zz.go leads outside the checkout");
    std::fs::remove_file(&fifo).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(h.sb.tree() == before);
}

#[test]
fn a_manifest_of_the_project_through_a_symlink_outside_is_not_read() {
    let h = Hostile::new();
    std::fs::write(h.outside.path().join("creds"), "module SECRET_TOKEN_abc123\n").unwrap();
    std::fs::remove_file(h.sb.root.join("go.mod")).unwrap();
    std::os::unix::fs::symlink(h.outside.path().join("creds"), h.sb.root.join("go.mod")).unwrap();
    for args in [&["doctor", "--format", "json"][..], &["ftp", "--format", "json"]] {
        let run = h.sb.run(args);
        run.fails(1, "go.mod: a symlink leading outside the checkout; refusing to read it");
        assert!(!run.stdout.contains("SECRET") && !run.stderr.contains("SECRET"), "{}{}", run.stdout, run.stderr);
    }
}

#[test]
fn a_manifest_listing_a_file_twice_is_refused_before_writing() {
    let h = Hostile::new();
    h.sb.run(&["ftp"]).success();
    let path = ".add-backend/backends/ftp.json";
    let mut manifest: serde_json::Value = serde_json::from_str(&h.sb.read(path)).unwrap();
    let entry = serde_json::json!({"path": "README.md", "digest": "0"});
    manifest["created"].as_array_mut().unwrap().extend([entry.clone(), entry]);
    h.sb.write(path, &serde_json::to_string_pretty(&manifest).unwrap());
    let before = h.sb.tree();
    h.sb.run(&["remove", "ftp", "--force"]).fails(1, "lists README.md twice");
    assert!(h.sb.tree() == before);
}
