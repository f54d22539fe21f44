//! `add-backend remove`: the exact undo of an add, from what the add
//! recorded; refusals when what it wrote was changed since.

mod common;

use common::{FIELDS, Sandbox};

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
fn a_backend_add_backend_did_not_write_is_not_touched() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["remove", "s3"])
        .fails(1, "backend s3 was not added by add-backend here (no .add-backend/backends/s3.json)");
    sb.run(&["remove", "s3", "--force"]).fails(1, "was not added by add-backend");
    assert_eq!(sb.tree(), before);
}

#[test]
fn an_import_another_backend_came_to_use_stays() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp", "--field", "port:int"]).success();
    sb.run(&["nfs", "--field", "retries:int"]).success();
    let run = sb.run(&["remove", "ftp"]);
    run.success();
    assert!(run.stderr.contains("present  cmd/litestream/main.go  \"strconv\" (still used)"), "{}", run.stderr);
    let main = sb.read("cmd/litestream/main.go");
    assert!(main.contains("\t\"strconv\"\n") && main.contains("newNFSReplicaClientFromConfig"));
    assert!(!main.contains("newFTPReplicaClientFromConfig"));
}
