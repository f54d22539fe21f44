//! The generated code passes the Go toolchain: gofmt, go vet, go build and
//! its own tests, in a copy of the fixture. Without `go` on PATH these
//! tests are skipped locally and fail under CI=true.

mod common;

use std::path::Path;
use std::process::Command;

use common::Sandbox;

fn have_go() -> bool {
    let found = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "go is not on PATH, and CI=true requires the Go checks"
        );
        eprintln!("skipped: go is not on PATH");
    }
    found
}

/// Runs a Go command in `dir`, failing the test with its output.
#[track_caller]
fn go(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(if args[0] == "gofmt" { "gofmt" } else { "go" })
        .args(if args[0] == "gofmt" { &args[1..] } else { args })
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=readonly")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed:\n{text}");
    text
}

#[test]
fn the_fixture_itself_builds_and_vets() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    assert_eq!(go(&sb.root, &["gofmt", "-l", "."]), "");
    go(&sb.root, &["vet", "./..."]);
    go(&sb.root, &["test", "./..."]);
}

#[test]
fn generated_backends_are_gofmt_clean_vet_clean_build_and_pass_their_tests() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.run(&["ftp"]).success();
    sb.run(&["my-store"]).success();
    sb.run(&["webdav", "--go-name", "WebDAV"]).success();

    assert_eq!(
        go(&sb.root, &["gofmt", "-l", "."]),
        "",
        "gofmt -l lists no file"
    );
    go(&sb.root, &["vet", "./..."]);
    go(&sb.root, &["build", "./..."]);
    let out = go(
        &sb.root,
        &[
            "test",
            "-count=1",
            "-v",
            "./ftp/...",
            "./mystore/...",
            "./webdav/...",
            "./cmd/litestream/...",
        ],
    );
    for test in [
        "TestReplicaClient_LTX/ListSortedAfterOutOfOrderWrites",
        "TestReplicaClient_LTX/CreatedAtRoundTrip",
        "TestReplicaClient_FromURL",
    ] {
        assert_eq!(
            out.matches(&format!("--- PASS: {test} ")).count(),
            3,
            "{test} passes for each backend:\n{out}"
        );
    }
    assert!(!out.contains("--- SKIP"), "{out}");
}

#[test]
fn the_wired_constructor_builds_the_new_client_from_config() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.run(&["ftp"]).success();
    sb.write(
        "cmd/litestream/ftp_wiring_test.go",
        r#"package main

import (
	"testing"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/ftp"
)

func TestFTPWiring(t *testing.T) {
	db := litestream.NewDB("/var/lib/db")
	for _, c := range []*ReplicaConfig{{Type: "ftp", Path: "backups/db"}, {URL: "ftp://example.com/backups/db"}} {
		r, err := NewReplicaFromConfig(c, db)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Client.(*ftp.ReplicaClient).Path; got != "backups/db" {
			t.Fatalf("Path=%q", got)
		}
	}
	if _, err := NewReplicaFromConfig(&ReplicaConfig{Type: "ftp"}, db); err == nil || err.Error() != "path required for ftp replica" {
		t.Fatalf("err=%v", err)
	}
	if _, err := NewReplicaFromConfig(&ReplicaConfig{URL: "ftp://h/p", Path: "p"}, db); err == nil || err.Error() != "cannot specify url & path for ftp replica" {
		t.Fatalf("err=%v", err)
	}
}
"#,
    );
    let out = go(
        &sb.root,
        &[
            "test",
            "-count=1",
            "-run",
            "TestFTPWiring",
            "-v",
            "./cmd/litestream/",
        ],
    );
    assert!(out.contains("--- PASS: TestFTPWiring"), "{out}");
}
