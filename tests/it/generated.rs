//! Snapshots of what add-backend writes: each generated file and the diff
//! of each patched one, on both fixture shapes, and the whole dry-run diff
//! of a plain backend. Review a changed snapshot as you would the code it
//! shows.

use crate::common::{FIELDS, Sandbox};

const CREATED: &[&str] =
    &["ftp/replica_client.go", "ftp/storage.go", "ftp/replica_client_test.go", "cmd/litestream/ftp_config_test.go"];

#[test]
fn dry_run_diff() {
    let sb = Sandbox::litestream();
    let run = sb.run(&["ftp", "--dry-run"]);
    run.success();
    insta::assert_snapshot!("ftp.diff", run.stdout);
}

/// The created files, one snapshot each, and the patches as one diff.
fn snapshot_with_fields(shape: &str, sb: Sandbox) {
    let run = sb.run(&[&["ftp", "--dry-run"], FIELDS].concat());
    run.success();
    let patches: String =
        run.stdout.split("\n--- ").filter(|d| d.starts_with("a/")).map(|d| format!("--- {d}\n")).collect();
    insta::assert_snapshot!(format!("{shape}.fields.wiring.diff"), patches);

    sb.run(&[&["ftp"], FIELDS].concat()).success();
    for file in CREATED {
        insta::assert_snapshot!(format!("{shape}.fields.{}", file.replace('/', "__")), sb.read(file));
    }
}

#[test]
fn with_fields_on_the_newest_shape() {
    snapshot_with_fields("newest", Sandbox::litestream());
}

#[test]
fn with_fields_on_the_v0_5_0_shape() {
    snapshot_with_fields("v0.5.0", Sandbox::litestream_v0_5_0());
}

/// What the checkout has is read from its code: a URL factory declared
/// only inside a comment or a raw string is not one.
#[test]
fn a_url_factory_only_in_a_comment_or_a_string_is_not_used() {
    for hidden in [
        "\n/*\nfunc RegisterReplicaClientFactory(typ string, fn any) {}\n*/\n",
        "\nvar doc = `\nfunc RegisterReplicaClientFactory(typ string, fn any) {}\n`\n",
    ] {
        let sb = Sandbox::litestream_v0_5_0();
        let text = sb.read("litestream.go") + hidden;
        sb.write("litestream.go", &text);
        sb.run(&["ftp"]).success();
        assert!(!sb.read("ftp/replica_client.go").contains("RegisterReplicaClientFactory"), "{hidden:?}");
    }
    // Declared in code, it is.
    let sb = Sandbox::litestream_v0_5_0();
    let text = sb.read("litestream.go") + "\nfunc RegisterReplicaClientFactory(typ string, fn any) {}\n";
    sb.write("litestream.go", &text);
    sb.run(&["ftp"]).success();
    assert!(sb.read("ftp/replica_client.go").contains("RegisterReplicaClientFactory"));
}
