//! A write that fails at any step leaves the checkout byte-identical.
//! Needs the test-only `fault-injection` feature (`cargo test --all-features`).
#![cfg(feature = "fault-injection")]

use crate::common::Sandbox;

const ARGS: [&str; 5] = ["ftp", "--field", "host!", "--field", "port:int"];

#[test]
fn a_fault_at_every_step_of_an_apply_leaves_the_tree_unchanged() {
    let mut step = 1;
    loop {
        let sb = Sandbox::litestream();
        let before = sb.tree();
        let n = step.to_string();
        let run = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_FAIL_AT", &n)]);
        if run.code == 0 {
            break;
        }
        run.fails(3, &format!("injected fault at step {step}; nothing was changed"));
        assert!(
            ["error: cannot write ", "error: cannot create directory "].iter().any(|p| run.stderr.starts_with(p)),
            "names the file: {}",
            run.stderr
        );
        assert_eq!(sb.tree(), before, "step {step} left the tree changed");
        step += 1;
    }
    // The journal, three directories (ftp/, .add-backend/, .add-backend/backends/), then a
    // temporary file and a rename for each file.
    let sb = Sandbox::litestream();
    let plan: serde_json::Value =
        serde_json::from_str(&sb.run(&[&ARGS[..], &["--dry-run", "--format", "json"]].concat()).stdout).unwrap();
    let files = plan["files"].as_array().unwrap().iter().filter(|f| f["action"] != "none").count();
    assert_eq!(files, 12);
    assert_eq!(step - 1, 4 + 2 * files, "every step of the run was failed once");
}

#[test]
fn a_run_killed_at_any_step_is_undone_by_the_next() {
    let clean = Sandbox::litestream();
    clean.run(&ARGS).success();
    let wanted = clean.tree();

    let mut step = 1;
    loop {
        let sb = Sandbox::litestream();
        let n = step.to_string();
        let killed = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_KILL_AT", &n)]);
        if killed.code == 0 {
            break;
        }
        assert_eq!(killed.code, -1, "step {step}: killed, not exited: {}", killed.stderr);

        // Once the journal is written, a dry run cannot restore, and says how.
        let journaled = !sb.journals().is_empty();
        if journaled {
            sb.run(&[&ARGS[..], &["--dry-run"]].concat()).fails(1, "run add-backend without --dry-run to restore it");
        }
        // The next run restores, then does its work.
        let next = sb.run(&ARGS);
        next.success();
        let warned = next.stderr.starts_with("warning: an earlier run was interrupted; restored the ");
        assert_eq!(warned, journaled, "step {step}: {}", next.stderr);
        assert_eq!(sb.tree(), wanted, "after a kill at step {step} and a second run");
        step += 1;
    }
    assert!(step > 20, "every step was tried: {step}");
}

#[test]
fn a_full_disk_or_a_read_only_file_is_named_and_nothing_changes() {
    for (kind, cause) in [("nospace", "no storage space"), ("readonly", "permission denied")] {
        for step in ["1", "3", "12"] {
            let sb = Sandbox::litestream();
            let before = sb.tree();
            let run = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_FAIL_AT", step), ("ADD_BACKEND_FAIL_KIND", kind)]);
            run.fails(3, cause);
            assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
            assert_eq!(sb.tree(), before, "{kind} at step {step}");
        }
    }
}

#[test]
fn a_file_changed_between_planning_and_writing_is_not_overwritten() {
    let sb = Sandbox::litestream();
    let run = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_TOUCH", "README.md")]);
    run.fails(1, "README.md changed while add-backend was planning; run it again");
    let mut expected = Sandbox::litestream().tree();
    let readme = expected.get_mut("README.md").unwrap().as_mut().unwrap();
    readme.extend_from_slice(b"// touched\n");
    assert_eq!(sb.tree(), expected, "only the outside change is there");
}

#[test]
fn a_second_run_at_the_same_time_waits_for_no_one_and_changes_nothing() {
    let sb = Sandbox::litestream();
    // A run holds the lock on the checkout's state directory.
    let held = std::fs::File::open(sb.state_dir()).unwrap();
    held.lock().unwrap();
    let before = sb.tree();
    sb.run(&ARGS).fails(1, "another add-backend run is using this checkout");
    sb.run(&[&ARGS[..], &["--dry-run"]].concat()).fails(1, "another add-backend run is using this checkout");
    sb.run(&["doctor"]).fails(1, "another add-backend run is using this checkout");
    assert_eq!(sb.tree(), before);
    held.unlock().unwrap();
    sb.run(&ARGS).success();
}

#[test]
fn reads_run_beside_reads_but_never_beside_a_write() {
    let sb = Sandbox::litestream();
    // A dry run (or doctor) holds the lock shared.
    let reading = std::fs::File::open(sb.state_dir()).unwrap();
    reading.lock_shared().unwrap();
    let before = sb.tree();
    sb.run(&[&ARGS[..], &["--dry-run"]].concat()).success();
    sb.run(&["doctor"]).success();
    sb.run(&ARGS).fails(1, "another add-backend run is using this checkout");
    assert_eq!(sb.tree(), before);
    reading.unlock().unwrap();
    sb.run(&ARGS).success();
}

#[test]
fn a_dry_run_creates_nothing_so_runs_where_nothing_can_be() {
    // Where the state directory cannot be made (here a file has the name
    // of the user's state directory), a dry run still runs, as in CI with
    // a read-only home; an apply names what is in its way.
    let sb = Sandbox::litestream();
    std::fs::write(sb.state_home(), "").unwrap();
    let before = sb.tree();
    let dry = sb.run(&[&ARGS[..], &["--dry-run"]].concat());
    dry.success();
    assert!(dry.stdout.contains("+++ b/ftp/replica_client.go"), "{}", dry.stdout);
    sb.run(&["doctor"]).success();
    sb.run(&ARGS).fails(1, &format!("cannot create {}", sb.state_home().join("add-backend").display()));
    assert_eq!(sb.tree(), before);
    // A read-only checkout is the same: nothing is made in it.
    std::fs::remove_file(sb.state_home()).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&sb.root, std::fs::Permissions::from_mode(0o555)).unwrap();
    sb.run(&[&ARGS[..], &["--dry-run"]].concat()).success();
    std::fs::set_permissions(&sb.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(sb.tree(), before);
}

/// Kills a run at the rename of its twentieth step: the journal is written
/// and most files are in place.
fn killed_half_way() -> Sandbox {
    let sb = Sandbox::litestream();
    let killed = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_KILL_AT", "20")]);
    assert_eq!(killed.code, -1, "{}", killed.stderr);
    sb
}

#[test]
fn recovery_never_undoes_what_was_changed_after_the_kill() {
    let sb = killed_half_way();
    sb.write("ftp/storage.go", "// user work\n");
    let main = sb.read("cmd/litestream/main.go") + "// my edit\n";
    sb.write("cmd/litestream/main.go", &main);
    std::fs::write(sb.root.join(".add-backend-notes.md"), "mine\n").unwrap();
    std::fs::write(sb.root.join("cmd/litestream/.add-backend-todo"), "mine\n").unwrap();

    let run = sb.run(&["Bad!"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error: invalid backend name"), "{}", run.stderr);
    assert!(
        run.stderr.contains("left alone, as they changed since: ftp/storage.go, cmd/litestream/main.go"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.read("ftp/storage.go"), "// user work\n");
    assert_eq!(sb.read("cmd/litestream/main.go"), main);
    assert_eq!(sb.read(".add-backend-notes.md"), "mine\n");
    assert_eq!(sb.read("cmd/litestream/.add-backend-todo"), "mine\n");
}

#[test]
fn recovery_survives_a_directory_removed_since() {
    let sb = killed_half_way();
    std::fs::remove_dir_all(sb.root.join("etc")).unwrap();
    let run = sb.run(&["Bad!"]);
    assert!(run.stderr.contains("warning: an earlier run was interrupted"), "{}", run.stderr);
    assert!(run.stderr.contains("left alone, as they changed since: etc/litestream.yml"), "{}", run.stderr);
    // The journal is gone: runs work again.
    sb.run(&["ftp", "--dry-run"]).success();
}

#[test]
fn the_state_of_a_git_worktree_stays_out_of_its_tree() {
    let sb = Sandbox::litestream();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git").args(args).current_dir(&sb.root).output().unwrap().status.success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture"]);
    let worktree = sb.root.parent().unwrap().join("worktree");
    git(&["worktree", "add", "-q", worktree.to_str().unwrap()]);
    let killed = sb.run_in(&worktree, &ARGS, &[("ADD_BACKEND_KILL_AT", "5")]);
    assert_eq!(killed.code, -1);
    // A worktree's `.git` is a file, which a checkout could forge: its
    // state goes to the user's state directory, nowhere in git's.
    assert!(!worktree.join(".add-backend.state").exists(), "the journal went into the work tree");
    assert!(!sb.root.join(".git/worktrees/worktree/add-backend").exists());
    let states: Vec<_> =
        walkdir::WalkDir::new(sb.state_home()).into_iter().flatten().filter(|e| e.file_name() == "journal").collect();
    assert_eq!(states.len(), 1, "the worktree's journal is in the user's state directory");
    let next = sb.run_in(&worktree, &ARGS, &[]);
    next.success();
    assert!(next.stderr.contains("an earlier run was interrupted"), "{}", next.stderr);
}

/// Runs `args` on a checkout `prepare` makes, failing, then killing, each
/// filesystem step in turn: a failure leaves the checkout as it was; after
/// a kill, running `args` again restores it and completes, to `wanted`.
/// Returns how many steps there were.
fn every_step_undone(prepare: &dyn Fn() -> Sandbox, args: &[&str], wanted: &crate::common::Tree) -> usize {
    let mut steps = 0;
    for hook in ["ADD_BACKEND_FAIL_AT", "ADD_BACKEND_KILL_AT"] {
        let mut step = 1;
        loop {
            let sb = prepare();
            let before = sb.tree();
            let n = step.to_string();
            let run = sb.run_in(&sb.root, args, &[(hook, &n)]);
            if run.code == 0 {
                assert_eq!(&sb.tree(), wanted);
                break;
            }
            if hook == "ADD_BACKEND_FAIL_AT" {
                run.fails(3, "nothing was changed");
                assert_eq!(sb.tree(), before, "{hook}={step}");
            } else {
                assert_eq!(run.code, -1);
                // The next run restores the killed one, then completes.
                sb.run(args).success();
                assert_eq!(&sb.tree(), wanted, "{hook}={step}");
            }
            step += 1;
        }
        steps = step - 1;
    }
    steps
}

#[test]
fn a_remove_failed_or_killed_at_any_step_is_undone() {
    let pristine = Sandbox::litestream().tree();
    let added = || {
        let sb = Sandbox::litestream();
        sb.run(&ARGS).success();
        sb
    };
    assert!(every_step_undone(&added, &["remove", "ftp"], &pristine) > 15);
}

/// The same for a backend add-backend did not write, taken out by
/// `remove --force`.
#[test]
fn a_forced_remove_of_a_backend_add_backend_did_not_write_failed_or_killed_is_undone() {
    let clean = Sandbox::litestream_sftp_unused();
    clean.run(&["remove", "sftp", "--force"]).success();
    let steps = every_step_undone(&Sandbox::litestream_sftp_unused, &["remove", "sftp", "--force"], &clean.tree());
    assert!(steps >= 8, "{steps}");
}

#[test]
fn a_journal_the_user_did_not_sign_is_never_followed() {
    // A checkout that ships git state of its own (a tarball, say), with a
    // journal that would "restore" a file outside: not signed with the
    // user's key, it is refused, and named.
    let sb = Sandbox::litestream();
    let git = std::process::Command::new("git").args(["init", "-q"]).current_dir(&sb.root).status().unwrap();
    assert!(git.success());
    let outside = sb.root.parent().unwrap().join("outside.txt");
    std::fs::write(&outside, "mine\n").unwrap();
    let digest =
        b"mine\n".iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    for forged in [
        format!("add-backend journal 2\nfile {digest:016x} 0 14 -\n../outside.txt\nend\nsig {}\n", "0".repeat(64)),
        format!("add-backend journal 1\nfile {digest:016x} 0 14 -\n../outside.txt\nend\n"),
    ] {
        std::fs::create_dir_all(sb.root.join(".git/add-backend")).unwrap();
        std::fs::write(sb.root.join(".git/add-backend/journal"), &forged).unwrap();
        // Never followed; not removed unasked either (a lost key would
        // look the same): every run says what it is, and to delete it.
        let before = sb.tree();
        sb.run(&[&ARGS[..], &["--dry-run"]].concat()).fails(1, "an interrupted run left this checkout half-changed");
        sb.run(&["sftp2"]).fails(1, "a journal of an interrupted run that your key did not sign");
        assert!(sb.tree() == before);
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "mine\n");
        std::fs::remove_file(sb.root.join(".git/add-backend/journal")).unwrap();
        sb.run(&["sftp2"]).success();
        sb.run(&["remove", "sftp2"]).success();
    }

    // State planted in the tree is not state: nothing reads it.
    let sb = Sandbox::litestream();
    std::fs::create_dir_all(sb.root.join(".add-backend.state")).unwrap();
    std::fs::write(sb.root.join(".add-backend.state/journal"), "add-backend journal 2\nend\n").unwrap();
    let run = sb.run(&ARGS);
    run.success();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(sb.root.join(".add-backend.state/journal").is_file());

    // A journal that is a symlink, or another user's, is not the user's.
    let sb = Sandbox::litestream();
    let state = sb.state_dir();
    std::os::unix::fs::symlink(&outside, state.join("journal")).unwrap();
    let run = sb.run(&ARGS);
    run.success();
    assert!(run.stderr.contains("warning: ignored and removed"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "mine\n", "the link's target is left alone");
}

/// Two checkouts nested in one git work tree (`tmp/litestream` and
/// `tmp/other`, the work tree being `tmp`): they share the git directory,
/// so its lock, but each has a journal of its own.
fn nested_pair() -> (Sandbox, std::path::PathBuf) {
    let sb = Sandbox::litestream();
    let top = sb.root.parent().unwrap().to_path_buf();
    let other = top.join("other");
    crate::common::copy_tree(&sb.root, &other);
    let git = std::process::Command::new("git").args(["init", "-q"]).current_dir(&top).status().unwrap();
    assert!(git.success());
    (sb, other)
}

#[test]
fn checkouts_nested_in_one_work_tree_share_a_lock_not_a_journal() {
    let (sb, other) = nested_pair();
    let top = sb.root.parent().unwrap();
    // One run at a time in the work tree: its git directory is what is locked.
    let held = std::fs::File::open(top.join(".git")).unwrap();
    held.lock().unwrap();
    sb.run(&ARGS).fails(1, "another add-backend run is using this checkout");
    held.unlock().unwrap();

    // A run killed in one checkout is neither undone nor cleared by a run in the other.
    let clean = Sandbox::litestream();
    clean.run(&ARGS).success();
    let killed = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_KILL_AT", "20")]);
    assert_eq!(killed.code, -1, "{}", killed.stderr);
    let journals = || {
        let dir = top.join(".git/add-backend");
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    };
    let left = journals();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with("journal-"), "a nested checkout's journal has its own name: {left:?}");
    let run = sb.run_in(&other, &ARGS, &[]);
    run.success();
    assert!(!run.stderr.contains("interrupted"), "{}", run.stderr);
    assert_eq!(journals(), left, "the other checkout's journal is left alone");
    // Its own checkout's next run restores it, then does its work.
    let next = sb.run(&ARGS);
    next.success();
    assert!(next.stderr.starts_with("warning: an earlier run was interrupted; restored the "), "{}", next.stderr);
    assert_eq!(sb.tree(), clean.tree());
    assert!(journals().is_empty());
}

#[test]
fn a_failure_after_the_last_rename_says_what_is_left_and_the_next_run_cleans_it_without_undoing() {
    let clean = Sandbox::litestream();
    clean.run(&ARGS).success();
    for failing in ["files", "all"] {
        let sb = Sandbox::litestream();
        let run = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_FAIL_CLEANUP", failing)]);
        run.success();
        assert!(
            run.stderr.contains("warning: the backend is written, but these temporary files of the originals are left: cmd/litestream/.add-backend-"),
            "{failing}: {}",
            run.stderr
        );
        let temps = |sb: &Sandbox| {
            sb.tree().into_keys().filter(|p| p.contains("/.add-backend-") || p.starts_with(".add-backend-")).count()
        };
        assert!(temps(&sb) > 0, "{failing}: the originals are left");
        // The next run, whatever it does, removes them and keeps the add.
        let next = sb.run(&["sftp2", "--dry-run"]);
        if failing == "files" {
            next.success();
            let apply = sb.run(&["ftp"]);
            apply.success();
            assert!(
                apply.stderr.contains("an earlier run completed, but left temporary files; removed "),
                "{}",
                apply.stderr
            );
            assert_eq!(temps(&sb), 0);
            assert!(sb.tree() == clean.tree(), "the add stays, the temporary files go");
        } else {
            // The journal could not be marked done: it went, so the next
            // run undoes nothing, and the files are named to delete.
            assert!(run.stderr.contains("; delete them\n"), "{}", run.stderr);
            assert!(sb.journals().is_empty(), "{:?}", sb.journals());
            next.success();
            let again = sb.run(&ARGS);
            again.success();
            assert!(!again.stderr.contains("interrupted"), "{}", again.stderr);
            let without_temps = |tree: crate::common::Tree| -> crate::common::Tree {
                tree.into_iter().filter(|(p, _)| !p.contains(".add-backend-")).collect()
            };
            assert!(without_temps(sb.tree()) == clean.tree(), "the add stays");
        }
    }
}
