//! Snapshots of what add-backend writes into the Litestream fixture: each
//! generated file, and the dry-run diff of the whole change. Review a
//! changed snapshot as you would the code it shows.

mod common;

use common::Sandbox;

#[test]
fn generated_package_files() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp"]).success();
    for file in [
        "ftp/replica_client.go",
        "ftp/storage.go",
        "ftp/replica_client_test.go",
    ] {
        insta::assert_snapshot!(file.replace('/', "__"), sb.read(file));
    }
}

#[test]
fn dry_run_diff() {
    let sb = Sandbox::litestream();
    let run = sb.run(&["ftp", "--dry-run"]);
    run.success();
    insta::assert_snapshot!("ftp.diff", run.stdout);
}

#[test]
fn dry_run_diff_of_a_multi_word_name() {
    let sb = Sandbox::litestream();
    let run = sb.run(&["my_store", "--dry-run"]);
    run.success();
    // The package files differ from ftp's only by name; the wiring is the spec here.
    let wiring = run
        .stdout
        .split("--- a/")
        .skip(1)
        .map(|d| format!("--- a/{d}"))
        .collect::<String>();
    insta::assert_snapshot!("my_store.wiring.diff", wiring);
}
