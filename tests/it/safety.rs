//! Whatever the input, add-backend writes only inside the checkout, keeps
//! the text it does not add byte for byte, and refuses what it cannot edit
//! faithfully.

use crate::common::Sandbox;

#[test]
fn a_symlinked_directory_cannot_lead_a_write_outside_the_checkout() {
    let sb = Sandbox::litestream();
    let outside = tempfile::tempdir().unwrap();
    std::fs::rename(sb.root.join("cmd/litestream"), outside.path().join("litestream")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("litestream"), sb.root.join("cmd/litestream")).unwrap();
    let main = std::fs::read(outside.path().join("litestream/main.go")).unwrap();
    let before = sb.tree();

    sb.run(&["ftp"]).fails(1, "leads outside the checkout, to ");
    assert_eq!(sb.tree(), before);
    assert_eq!(std::fs::read(outside.path().join("litestream/main.go")).unwrap(), main);
}

#[test]
fn a_backend_directory_linked_elsewhere_is_refused() {
    let sb = Sandbox::litestream();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("storage.go"), "package ftp\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), sb.root.join("ftp")).unwrap();
    sb.run(&["ftp", "--force"]).fails(1, "ftp/storage.go leads outside the checkout, to ");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1, "nothing written outside");
}

#[test]
fn a_symlinked_file_is_not_replaced() {
    let sb = Sandbox::litestream();
    std::fs::rename(sb.root.join("README.md"), sb.root.join("README.real.md")).unwrap();
    std::os::unix::fs::symlink("README.real.md", sb.root.join("README.md")).unwrap();
    let before = sb.tree();
    sb.run(&["ftp"]).fails(1, "README.md is a symlink; refusing to replace it");
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_file_that_is_not_utf8_is_refused() {
    let sb = Sandbox::litestream();
    let mut main = std::fs::read(sb.root.join("cmd/litestream/main.go")).unwrap();
    main.extend_from_slice(b"// \xff\xfe latin-1\n");
    std::fs::write(sb.root.join("cmd/litestream/main.go"), main).unwrap();
    let before = sb.tree();
    sb.run(&["ftp"]).fails(1, "cmd/litestream/main.go: not UTF-8 text; refusing to edit it");
    assert_eq!(sb.tree(), before);
}

#[test]
fn only_the_inserted_bytes_differ_and_a_bom_stays() {
    let sb = Sandbox::litestream();
    let readme = format!("\u{feff}{}", sb.read("README.md"));
    sb.write("README.md", &readme);
    let before = sb.tree();
    sb.run(&["ftp", "--field", "host!", "--field", "port:int"]).success();
    let after = sb.tree();
    for (path, old) in &before {
        let (Some(old), Some(Some(new))) = (old, after.get(path)) else { continue };
        // Only insertions: the old bytes are a subsequence of the new, in order.
        let mut rest = new.iter();
        assert!(old.iter().all(|b| rest.any(|n| n == b)), "{path}: bytes removed or changed");
    }
    assert!(sb.read("README.md").starts_with('\u{feff}'), "the BOM stays first");
}

#[test]
fn nothing_a_user_types_reaches_go_source_unescaped() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    for args in [
        vec!["ftp\""],
        vec!["ftp`"],
        vec!["ftp/*"],
        vec!["ftp\n"],
        vec!["ftp", "--field", "host\""],
        vec!["ftp", "--field", "host*/"],
        vec!["ftp", "--field", "host:string\"!"],
        vec!["ftp", "--go-name", "FTP\")"],
    ] {
        let run = sb.run(&args);
        assert_eq!(run.code, 1, "{args:?} accepted: {}", run.stderr);
        assert_eq!(sb.tree(), before, "{args:?}");
    }
}

#[test]
fn a_read_only_file_or_directory_fails_cleanly_for_an_unprivileged_user() {
    use std::os::unix::fs::PermissionsExt;
    let as_root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let have_setpriv =
        std::process::Command::new("setpriv").arg("--version").output().is_ok_and(|o| o.status.success());
    if as_root && !have_setpriv {
        eprintln!("skipped: root, and no setpriv to drop privileges");
        return;
    }
    for read_only in ["README.md", "cmd/litestream"] {
        let sb = Sandbox::litestream();
        std::fs::create_dir_all(sb.state_home()).unwrap();
        std::fs::create_dir_all(sb.config_home()).unwrap();
        // Let an unprivileged user reach and write the checkout, but for the one path.
        for entry in walkdir::WalkDir::new(sb.root.parent().unwrap()) {
            let entry = entry.unwrap();
            let mode = if entry.file_type().is_dir() { 0o777 } else { 0o666 };
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let target = sb.root.join(read_only);
        let mode = if target.is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
        let before = sb.tree();

        let bin = env!("CARGO_BIN_EXE_add-backend");
        let mut cmd = if as_root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
            c
        } else {
            std::process::Command::new(bin)
        };
        let out = cmd
            .arg("ftp")
            .current_dir(&sb.root)
            .env("XDG_STATE_HOME", sb.state_home())
            .env("XDG_CONFIG_HOME", sb.config_home())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{read_only}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let why = if read_only == "README.md" { "README.md is read-only" } else { "Permission denied" };
        assert!(stderr.starts_with("error: ") && stderr.contains(why), "{read_only}: {stderr}");
        assert_eq!(sb.tree(), before, "{read_only}");
    }
}

#[test]
fn a_changed_file_keeps_its_mode_exactly() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::litestream();
    // Modes the umask would keep (0600, 0640) and ones it would take bits
    // from (0664, 0777), on files the run changes.
    let modes = [
        ("cmd/litestream/main.go", 0o600),
        ("internal/testingutil/testingutil.go", 0o640),
        ("README.md", 0o664),
        ("etc/litestream.yml", 0o777),
    ];
    for (path, mode) in modes {
        std::fs::set_permissions(sb.root.join(path), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let before = sb.read("README.md");
    sb.run(&["ftp"]).success();
    assert_ne!(sb.read("README.md"), before, "the file was rewritten");
    for (path, mode) in modes {
        let now = std::fs::metadata(sb.root.join(path)).unwrap().permissions().mode() & 0o7777;
        assert_eq!(now, mode, "{path}: {now:o}, not {mode:o}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_changed_file_keeps_its_mode_under_a_default_acl() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::litestream();
    // A default ACL u::rwx,g::---,o::r-x on the directory: a file created
    // there gets its mode masked by the ACL, not by the umask.
    let mut acl = 2u32.to_le_bytes().to_vec();
    for (tag, perm) in [(0x01u16, 7u16), (0x04, 0), (0x20, 5)] {
        acl.extend_from_slice(&tag.to_le_bytes());
        acl.extend_from_slice(&perm.to_le_bytes());
        acl.extend_from_slice(&u32::MAX.to_le_bytes());
    }
    let dir = sb.root.join("cmd/litestream");
    if let Err(e) = rustix::fs::setxattr(&dir, "system.posix_acl_default", &acl, rustix::fs::XattrFlags::empty()) {
        eprintln!("skipped: this file system takes no default ACL ({e})");
        return;
    }
    let path = dir.join("main.go");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    sb.run(&["ftp"]).success();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o644, "{mode:o}");
    // A file the run creates there follows the ACL, as any new file would.
    let created = std::fs::metadata(dir.join("ftp_config_test.go")).unwrap().permissions().mode() & 0o7777;
    assert_eq!(created, 0o604, "{created:o}");
}
