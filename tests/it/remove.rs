//! `add-backend remove`: the exact undo of an add, from what the add
//! recorded; refusals when what it wrote was changed since.

use crate::common::{FIELDS, Sandbox};

#[test]
fn add_then_remove_leaves_the_checkout_byte_identical() {
    for (sb, fields) in
        [(Sandbox::litestream(), &[][..]), (Sandbox::litestream(), FIELDS), (Sandbox::litestream_v0_5_0(), FIELDS)]
    {
        let before = sb.tree();
        sb.run(&[&["ftp"][..], fields].concat()).success();
        assert!(sb.root.join(".add-backend/backends/ftp.json").is_file());

        let dry = sb.run(&["remove", "ftp", "--dry-run"]);
        dry.success();
        assert!(dry.stdout.contains("--- a/ftp/storage.go\n+++ /dev/null\n"), "{}", dry.stdout);
        assert_ne!(sb.tree(), before, "a dry run removes nothing");

        let run = sb.run(&["remove", "ftp"]);
        run.success();
        assert!(run.stderr.contains("removed backend ftp"), "{}", run.stderr);
        assert_eq!(sb.tree(), before, "fields {fields:?}");
    }
}

#[test]
fn what_was_changed_since_is_refused_unless_forced() {
    let sb = Sandbox::litestream();
    let pristine = sb.tree();
    sb.run(&["ftp"]).success();
    sb.edit("ftp/storage.go", "return notImplemented(\"Put\")", "return nil");
    sb.edit("cmd/litestream/main.go", "\tcase \"ftp\":\n", "\tcase \"ftp\", \"ftps\":\n");
    let edited = sb.tree();

    sb.run(&["remove", "ftp"]).fails(
        1,
        "changed since add-backend wrote it: ftp/storage.go, case \"ftp\": in cmd/litestream/main.go; --force removes the rest anyway",
    );
    assert_eq!(sb.tree(), edited);

    let forced = sb.run(&["remove", "ftp", "--force"]);
    forced.success();
    assert!(!sb.root.join("ftp").exists(), "an edited file goes when forced");
    let main = sb.read("cmd/litestream/main.go");
    assert!(main.contains("\tcase \"ftp\", \"ftps\":\n"), "an edited insertion stays");
    assert!(!main.contains("func newFTPReplicaClientFromConfig"));
    assert_ne!(sb.tree(), pristine);
}

#[test]
fn a_backend_add_backend_did_not_write_is_refused_naming_what_force_would_remove() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let run = sb.run(&["remove", "sftp"]);
    run.fails(1, "backend sftp was not added by add-backend here (no .add-backend/backends/sftp.json); --force would remove sftp/replica_client.go; in cmd/litestream/main.go case \"sftp\", newSFTPReplicaClientFromConfig(), import \"net/url\" (no longer used), import \"github.com/benbjohnson/litestream/sftp\"; in internal/testingutil/testingutil.go the flags sftpHost, sftpUser, sftpPath, case sftp.ReplicaClientType, NewSFTPReplicaClient(), import \"github.com/benbjohnson/litestream/sftp\"; in cmd/litestream/replicate.go case *sftp.ReplicaClient, import \"github.com/benbjohnson/litestream/sftp\" (its settings and its places in README.md, docs/ARCHITECTURE.md, etc/litestream.yml and CLAUDE.md stay); it cannot come out cleanly: cmd/litestream/main_test.go uses it");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // A test configures it: forced, it still cannot come out cleanly.
    sb.run(&["remove", "sftp", "--force"]).fails(
        1,
        "backend sftp cannot come out cleanly: cmd/litestream/main_test.go uses it; add-backend does not edit that code",
    );
    sb.run(&["remove", "nosuch", "--force"]).fails(1, "and there is no nosuch backend; nothing to remove");
    assert_eq!(sb.tree(), before);
}

#[test]
fn force_takes_out_a_backend_add_backend_did_not_write_when_nothing_else_uses_it() {
    let sb = Sandbox::litestream_sftp_unused();
    let dry = sb.run(&["remove", "sftp", "--force", "--dry-run"]);
    dry.success();
    assert!(dry.stdout.contains("-\tcase \"sftp\":\n"), "{}", dry.stdout);
    let run = sb.run(&["remove", "sftp", "--force"]);
    run.success();
    assert!(
        run.stderr.contains(
            "its settings and its places in README.md, docs/ARCHITECTURE.md, etc/litestream.yml and CLAUDE.md are left for you"
        ),
        "{}",
        run.stderr
    );
    assert!(!sb.root.join("sftp").exists(), "the package directory goes");
    for file in ["cmd/litestream/main.go", "internal/testingutil/testingutil.go", "cmd/litestream/replicate.go"] {
        assert!(!sb.read(file).contains("sftp."), "{file} still uses sftp");
    }
    let doctor = sb.run(&["doctor"]);
    doctor.success();
    assert!(!doctor.stdout.contains("sftp"), "{}", doctor.stdout);
}

#[test]
fn what_another_backend_came_to_use_stays_and_goes_with_it() {
    for order in [["ftp", "nfs"], ["nfs", "ftp"]] {
        let sb = Sandbox::litestream();
        let pristine = sb.tree();
        sb.run(&["ftp", "--field", "host!", "--field", "port:int"]).success();
        // nfs reuses ftp's port setting and finds strconv imported already.
        sb.run(&["nfs", "--field", "host", "--field", "port:int", "--field", "retries:int"]).success();
        let first = sb.run(&["remove", order[0]]);
        first.success();
        let main = sb.read("cmd/litestream/main.go");
        if order[0] == "ftp" {
            assert!(first.stderr.contains("// FTP settings (still used)"), "{}", first.stderr);
            // ...and nfs's to take out with it.
            assert!(first.stderr.contains("// FTP settings handed to nfs"), "{}", first.stderr);
            assert!(main.contains("\tPort *int `yaml:\"port\"`") && main.contains("\t\"strconv\"\n"));
        }
        sb.run(&["remove", order[1]]).success();
        let last = sb.read("cmd/litestream/main.go");
        assert!(!last.contains("\"strconv\""), "no import left unused ({order:?})");
        assert!(sb.tree() == pristine, "byte-identical in either order ({order:?}):\n{last}");
    }
}

#[test]
fn a_manifest_naming_files_add_backend_never_writes_is_refused() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp"]).success();
    let manifest = sb.read(".add-backend/backends/ftp.json").replacen("\"ftp/storage.go\"", "\"go.mod\"", 1);
    sb.write(".add-backend/backends/ftp.json", &manifest);
    let before = sb.tree();
    sb.run(&["remove", "ftp", "--force"]).fails(1, "names go.mod, which add-backend never writes for backend ftp");
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_forced_re_add_and_a_file_it_replaced_are_undone_too() {
    let sb = Sandbox::litestream();
    std::fs::create_dir(sb.root.join("ftp")).unwrap();
    sb.write("ftp/replica_client.go", "package ftp\n");
    let pristine = sb.tree();
    sb.run(&["ftp", "--force"]).success();
    sb.edit("cmd/litestream/main.go", "\tcase \"ftp\":\n\t\tif r.Client, err = newFTPReplicaClientFromConfig(c, r); err != nil {\n\t\t\treturn nil, err\n\t\t}\n", "");
    sb.run(&["ftp", "--force"]).success();
    sb.run(&["remove", "ftp"]).success();
    assert_eq!(sb.tree(), pristine, "the replaced file is put back, the case removed once");
}

#[test]
fn line_endings_changed_since_the_add_do_not_matter() {
    let sb = Sandbox::litestream();
    let pristine = sb.tree();
    sb.run(&["ftp", "--field", "port:int"]).success();
    let to_crlf = |rel: &str| {
        let text = sb.read(rel);
        sb.write(rel, &text.replace('\n', "\r\n"));
    };
    for rel in ["cmd/litestream/main.go", "ftp/storage.go", "README.md"] {
        to_crlf(rel);
    }
    sb.run(&["remove", "ftp"]).success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(
        !main.contains("newFTPReplicaClientFromConfig") && main.matches('\n').count() == main.matches("\r\n").count()
    );
    assert!(!sb.root.join("ftp").exists());
    assert_eq!(sb.tree().len(), pristine.len());
}

/// Forced, a backend add-backend did not write still does not come out
/// when what would go is used by what would stay: a helper in a wired file,
/// a `case` that names it among other values, a call from another file of
/// the package. The comment above its `case` goes with it; the one above
/// the next clause stays.
#[test]
fn force_refuses_what_would_leave_code_that_no_longer_builds() {
    let append = |sb: &Sandbox, file: &str, text: &str| sb.write(file, &(sb.read(file) + text));
    let helper = "\nfunc asSFTP(r *litestream.Replica) *sftp.ReplicaClient {\n\tswitch client := r.Client.(type) {\n\tcase *sftp.ReplicaClient:\n\t\treturn client\n\tdefault:\n\t\treturn nil\n\t}\n}\n";
    let probe = "package main\n\nfunc probe(c *ReplicaConfig) error {\n\t_, err := newSFTPReplicaClientFromConfig(c, nil)\n\treturn err\n}\n";
    type Change<'a> = &'a dyn Fn(&Sandbox);
    let cases: [(Change, &str); 3] = [
        (&|sb| append(sb, "cmd/litestream/replicate.go", helper), "cmd/litestream/replicate.go uses sftp. elsewhere"),
        (
            &|sb| sb.edit("cmd/litestream/main.go", "\tcase \"sftp\":", "\tcase \"sftp\", \"ssh\":"),
            "`case \"sftp\", \"ssh\"` names other values too",
        ),
        (
            &|sb| sb.write("cmd/litestream/probe.go", probe),
            "cmd/litestream/probe.go uses newSFTPReplicaClientFromConfig, which would go",
        ),
    ];
    for (change, refusal) in cases {
        let sb = Sandbox::litestream_sftp_unused();
        change(&sb);
        let before = sb.tree();
        sb.run(&["remove", "sftp", "--force"]).fails(1, refusal);
        assert_eq!(sb.tree(), before, "{refusal}");
    }

    let sb = Sandbox::litestream_sftp_unused();
    sb.edit("cmd/litestream/main.go", "\tcase \"sftp\":", "\t// SFTP: experimental.\n\tcase \"sftp\":");
    sb.edit(
        "cmd/litestream/main.go",
        "\tdefault:\n\t\treturn nil, fmt.Errorf(\"unknown replica type",
        "\t// Anything else is an error.\n\tdefault:\n\t\treturn nil, fmt.Errorf(\"unknown replica type",
    );
    sb.run(&["remove", "sftp", "--force"]).success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(!main.contains("experimental") && main.contains("\t// Anything else is an error.\n\tdefault:"), "{main}");
}

#[test]
fn a_file_edited_then_overwritten_with_force_goes_with_its_backend() {
    let sb = Sandbox::litestream();
    let pristine = sb.tree();
    sb.run(&["ftp"]).success();
    sb.edit("ftp/replica_client.go", "// Type returns", "// Type reports");
    sb.run(&["ftp", "--force"]).success();
    sb.run(&["remove", "ftp"]).success();
    assert!(!sb.root.join("ftp").exists(), "no half package is left to not build");
    assert!(sb.tree() == pristine);
}

/// A manifest written before digests were XXH3's holds FNV-1a's: remove
/// still recognises the files the add wrote by them, and a file changed
/// since by them too.
#[test]
fn a_manifest_with_the_earlier_digests_is_still_read() {
    fn fnv(content: &[u8]) -> String {
        let hash =
            content.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        format!("{hash:016x}")
    }
    for edited in [false, true] {
        let sb = Sandbox::litestream();
        let before = sb.tree();
        sb.run(&["ftp"]).success();
        let manifest = ".add-backend/backends/ftp.json";
        let mut json: serde_json::Value = serde_json::from_str(&sb.read(manifest)).unwrap();
        let created = json["created"].as_array_mut().expect("the add created files");
        for file in created.iter_mut() {
            assert!(file["digest"].as_str().unwrap().starts_with("xxh3:"), "{file}");
            let path = file["path"].as_str().unwrap().to_string();
            file["digest"] = fnv(sb.read(&path).as_bytes()).into();
        }
        sb.write(manifest, &serde_json::to_string_pretty(&json).unwrap());
        if edited {
            sb.edit("ftp/storage.go", "return notImplemented(\"Put\")", "return nil");
            sb.run(&["remove", "ftp"]).fails(1, "changed since add-backend wrote it: ftp/storage.go");
        } else {
            sb.run(&["remove", "ftp"]).success();
            assert_eq!(sb.tree(), before);
        }
    }
}
