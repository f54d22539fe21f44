//! `--like SIBLING`: a backend modelled on one the checkout has, with no
//! profile (src/project/like.rs), on the Litestream fixture: the clone is
//! gofmt-clean, vets, builds and passes; names are renamed by syntax and
//! scope; a second run changes nothing and remove puts every byte back.

use crate::common::Sandbox;
use crate::go_toolchain::{go, gofmt_lists_nothing, have_go};

fn changed_files(sb: &Sandbox, args: &[&str]) -> Vec<String> {
    let run = sb.run(&[args, &["--dry-run", "--format", "json"]].concat());
    run.success();
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut files: Vec<String> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["action"] != "none")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn a_clone_of_sftp_builds_vets_and_passes_and_comes_out_byte_for_byte() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let run = sb.run(&["ftp", "--like", "sftp"]);
    run.success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(
        main.contains("\tcase \"ftp\":\n\t\tif r.Client, err = newFTPReplicaClientFromConfig(c, r); err != nil {"),
        "{main}"
    );
    assert!(main.contains("func newFTPReplicaClientFromConfig(c *ReplicaConfig, _ *litestream.Replica) (_ *ftp.ReplicaClient, err error) {"));
    assert!(main.contains("\t\"github.com/benbjohnson/litestream/ftp\"\n"));
    let harness = sb.read("internal/testingutil/testingutil.go");
    assert!(
        harness.contains(
            "// FTP settings\nvar (\n\tftpHost = flag.String(\"ftp-host\", os.Getenv(\"LITESTREAM_FTP_HOST\"), \"\")\n"
        ),
        "{harness}"
    );
    assert!(harness.contains("\tcase ftp.ReplicaClientType:\n\t\treturn NewFTPReplicaClient(tb)\n\tdefault:"));
    assert!(sb.read("ftp/replica_client.go").lines().any(|l| l == "package ftp"));
    assert!(sb.read("docs/ARCHITECTURE.md").contains("    RC --> SFTP\n    RC --> FTP\n"));
    // A mention inside another structure is listed, not cloned.
    assert!(run.stderr.contains("mentioned, not cloned"), "{}", run.stderr);
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
        go(&sb.root, &["test", "./ftp/...", "./cmd/litestream/...", "./internal/..."]);
    }
    let added = sb.tree();
    let again = sb.run(&["ftp", "--like", "sftp"]);
    again.success();
    assert!(again.stderr.contains("already in place: nothing to do"), "{}", again.stderr);
    assert_eq!(sb.tree(), added);
    sb.run(&["remove", "ftp"]).success();
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_clone_of_s3_reaches_the_go_wiring_the_profile_makes() {
    let sb = Sandbox::litestream();
    let cloned = changed_files(&sb, &["obs", "--like", "s3"]);
    let profiled = changed_files(&sb, &["obs"]);
    for file in [
        "cmd/litestream/main.go",
        "cmd/litestream/replicate.go",
        "internal/testingutil/testingutil.go",
        "docs/ARCHITECTURE.md",
    ] {
        assert!(profiled.contains(&file.to_string()), "{file} in {profiled:?}");
        assert!(cloned.contains(&file.to_string()), "{file} not reached by the clone: {cloned:?}");
    }
    assert!(cloned.contains(&"obs/replica_client.go".to_string()));
    sb.run(&["obs", "--like", "s3"]).success();
    // `s3` is not renamed inside other words, nor the S3 of another thing.
    let docs = sb.read("docs/ARCHITECTURE.md");
    assert!(docs.contains("    RC --> OBS\n") && docs.contains("    S3 --> Cloud[(Cloud storage)]\n"), "{docs}");
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
        go(&sb.root, &["build", "./..."]);
    }
}

/// The sibling's package imports another package of the same name (as
/// Litestream's sftp imports github.com/pkg/sftp): its path and its
/// qualifier are that package's, and stay.
#[test]
fn another_package_of_the_sibling_s_name_is_left_as_it_is() {
    let sb = Sandbox::litestream();
    std::fs::create_dir_all(sb.root.join("internal/wire/sftp")).unwrap();
    sb.write("internal/wire/sftp/sftp.go", "// Package sftp is a wire protocol of the test.\npackage sftp\n\n// Port is the protocol's port.\nconst Port = 22\n");
    sb.edit(
        "sftp/replica_client.go",
        "\t\"github.com/benbjohnson/litestream\"\n",
        "\t\"github.com/benbjohnson/litestream\"\n\t\"github.com/benbjohnson/litestream/internal/wire/sftp\"\n",
    );
    let client = sb.read("sftp/replica_client.go");
    sb.write(
        "sftp/replica_client.go",
        &format!("{client}\n// DefaultPort is the port of an sftp server.\nconst DefaultPort = sftp.Port\n"),
    );
    sb.run(&["ftp", "--like", "sftp"]).success();
    let clone = sb.read("ftp/replica_client.go");
    assert!(clone.contains("\t\"github.com/benbjohnson/litestream/internal/wire/sftp\"\n"), "{clone}");
    assert!(clone.contains("// DefaultPort is the port of an ftp server.\nconst DefaultPort = sftp.Port\n"), "{clone}");
    assert!(clone.lines().any(|l| l == "package ftp"));
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./ftp/", "./cmd/litestream/"]);
    }
}

#[test]
fn a_sibling_the_checkout_lacks_or_a_rust_project_is_refused() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["ftp", "--like", "nosuch"]).fails(1, "--like nosuch: no directory nosuch/ with a Go package nosuch");
    sb.run(&["sftp", "--like", "sftp"]).fails(1, "another name than its model");
    sb.run(&["ftp", "--like", "sftp", "--field", "host"]).fails(2, "cannot be used with");
    assert_eq!(sb.tree(), before);
    // A name the checkout has for something else already: refused, whole.
    sb.edit(
        "cmd/litestream/main.go",
        "// ReplicaType returns",
        "func newFTPReplicaClientFromConfig() {}\n\n// ReplicaType returns",
    );
    let edited = sb.tree();
    sb.run(&["ftp", "--like", "sftp"]).fails(1, "already exists and differs");
    assert_eq!(sb.tree(), edited);
    let sb = Sandbox::litestream();
    sb.write("cmd/litestream/other.go", "package main\n\nfunc newFTPReplicaClientFromConfig() {}\n");
    let edited = sb.tree();
    sb.run(&["ftp", "--like", "sftp"]).fails(1, "already exists and differs");
    assert_eq!(sb.tree(), edited);
    let rust = Sandbox::fixture("sccache");
    rust.run(&["obs", "--like", "oss"]).fails(1, "Go projects so far");
}
