//! `add-backend doctor`: the wiring of every backend, as a table or JSON,
//! failing when one is incomplete.

use crate::common::Sandbox;

#[test]
fn reports_every_backend_of_the_fixture_as_wired() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp", "--field", "host!"]).success();
    let run = sb.run(&["doctor"]);
    run.success();
    insta::assert_snapshot!("doctor.newest", run.stdout);
}

#[test]
fn flags_a_backend_whose_harness_arm_was_deleted() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp"]).success();
    sb.edit(
        "internal/testingutil/testingutil.go",
        "\tcase ftp.ReplicaClientType:\n\t\treturn NewFTPReplicaClient(tb)\n",
        "",
    );
    let run = sb.run(&["doctor"]);
    run.fails(4, "not wired everywhere: ftp");
    let ftp = run.stdout.lines().find(|l| l.starts_with("ftp ")).unwrap();
    assert_eq!(ftp.split_whitespace().collect::<Vec<_>>(), ["ftp", "ok", "ok", "MISSING", "ok", "ok", "ok", "ok"]);

    let json: serde_json::Value = serde_json::from_str(&sb.run(&["doctor", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["complete"], false);
    let ftp = json["backends"].as_array().unwrap().iter().find(|b| b["package"] == "ftp").unwrap();
    assert_eq!(ftp["complete"], false);
    assert_eq!(
        ftp["checks"][2],
        serde_json::json!({"name": "harness", "present": false, "file": "internal/testingutil/testingutil.go", "required": true, "known": false})
    );
    assert_eq!(
        ftp["checks"][0],
        serde_json::json!({"name": "config", "present": true, "file": "cmd/litestream/main.go", "required": true, "known": false})
    );
    // Docs are reported, never required.
    assert_eq!(ftp["checks"][5]["name"], "docs");
    assert_eq!(ftp["checks"][5]["required"], false);
}

#[test]
fn places_an_older_release_lacks_are_not_counted() {
    let sb = Sandbox::litestream_v0_5_0();
    sb.run(&["ftp"]).success();
    let run = sb.run(&["doctor"]);
    run.success();
    insta::assert_snapshot!("doctor.v0.5.0", run.stdout);
}

#[test]
fn a_backend_is_still_required_for_a_plain_run() {
    let sb = Sandbox::litestream();
    assert_eq!(sb.run(&[]).code, 2);
    assert_eq!(sb.run(&["doctor", "ftp"]).code, 2, "doctor takes no name");
}

#[test]
fn backends_are_recognised_by_what_their_code_says_not_its_spelling() {
    let sb = Sandbox::litestream();
    // Its Go name is the one its manifest records, not the one derived.
    sb.run(&["gcs", "--go-name", "GoogleCloud"]).success();
    // A constant block, and the constant as the config case.
    sb.edit(
        "sftp/replica_client.go",
        "const ReplicaClientType = \"sftp\"",
        "const (\n\tReplicaClientType = \"sftp\"\n)",
    );
    sb.edit("cmd/litestream/main.go", "\tcase \"sftp\":", "\tcase sftp.ReplicaClientType:");
    // The tree's own spelling of a name, learnt from its constructor.
    let main = sb.read("cmd/litestream/main.go");
    sb.write(
        "cmd/litestream/main.go",
        &main.replace("newSFTPReplicaClientFromConfig", "newSftpReplicaClientFromConfig"),
    );
    let harness = sb.read("internal/testingutil/testingutil.go");
    sb.write("internal/testingutil/testingutil.go", &harness.replace("NewSFTPReplicaClient", "NewSftpReplicaClient"));
    let run = sb.run(&["doctor"]);
    run.success();
    assert!(run.stdout.lines().any(|l| l.starts_with("gcs ")), "{}", run.stdout);

    // Commented-out code wires nothing.
    sb.edit("cmd/litestream/main.go", "\tcase sftp.ReplicaClientType:", "\t// case sftp.ReplicaClientType:");
    let run = sb.run(&["doctor"]);
    run.fails(4, "not wired everywhere: sftp");
    let sftp = run.stdout.lines().find(|l| l.starts_with("sftp ")).unwrap();
    assert_eq!(sftp.split_whitespace().nth(1), Some("MISSING"), "{sftp}");

    // A directory whose replica_client.go declares no type (a test double)
    // is no backend.
    std::fs::create_dir(sb.root.join("mock")).unwrap();
    sb.write(
        "mock/replica_client.go",
        "package mock\n\n// ReplicaClient is a double; see ReplicaClientType elsewhere.\ntype ReplicaClient struct{}\n",
    );
    assert!(!sb.run(&["doctor"]).stdout.contains("mock"));
}

#[test]
fn a_baseline_lets_known_gaps_pass_and_a_new_one_fail() {
    let sb = Sandbox::litestream();
    // Upstream's shape: a backend with no arm in the log switch.
    sb.edit("cmd/litestream/replicate.go", "case *sftp.ReplicaClient:", "case *sftpReplicaClientNotHere:");
    let run = sb.run(&["doctor"]);
    run.fails(4, "not wired everywhere: sftp");

    let written = sb.run(&["doctor", "--write-baseline"]);
    written.success();
    assert!(
        written.stderr.contains("wrote .add-backend/doctor-baseline.toml with 1 known gap(s)"),
        "{}",
        written.stderr
    );
    assert_eq!(
        sb.read(".add-backend/doctor-baseline.toml").lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>(),
        ["", "[[gap]]", "backend = \"sftp\"", "place = \"log\""]
    );
    let run = sb.run(&["doctor"]);
    run.success();
    let sftp = run.stdout.lines().find(|l| l.starts_with("sftp ")).unwrap();
    assert!(sftp.contains("known"), "{sftp}");
    let json: serde_json::Value = serde_json::from_str(&sb.run(&["doctor", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["complete"], false, "the report still says a place is missing");

    // A baseline is data: the checkout's templates stay trusted or not as they were.
    sb.run(&["ftp"]).success();

    // A new gap fails.
    sb.edit(
        "internal/testingutil/testingutil.go",
        "\tcase ftp.ReplicaClientType:\n\t\treturn NewFTPReplicaClient(tb)\n",
        "",
    );
    sb.run(&["doctor"]).fails(4, "not wired everywhere: ftp");

    // A known gap fixed is said to be stale.
    sb.edit("cmd/litestream/replicate.go", "case *sftpReplicaClientNotHere:", "case *sftp.ReplicaClient:");
    let run = sb.run(&["doctor"]);
    assert!(run.stderr.contains("lists gaps that are wired now (sftp log)"), "{}", run.stderr);

    // Not an examinable project: exit 1.
    std::fs::write(sb.root.join("go.mod"), "module example.com/other\n").unwrap();
    sb.run(&["doctor"]).fails(1, "is not a project add-backend knows");
}

/// The cell of `backend`'s row under `column`.
fn cell<'a>(table: &'a str, backend: &str, column: &str) -> &'a str {
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    let at = header.iter().position(|c| *c == column).unwrap_or_else(|| panic!("no column {column}: {table}"));
    let row = table.lines().find(|l| l.split_whitespace().next() == Some(backend)).unwrap();
    row.split_whitespace().nth(at).unwrap()
}

/// sccache has no doctor code of its own: its profile says how backends
/// are found and what each patch's presence is.
#[test]
fn examines_sccache_from_its_profile_alone() {
    let sb = Sandbox::fixture("sccache");
    let run = sb.run(&["doctor"]);
    run.success();
    insta::assert_snapshot!("doctor.sccache", run.stdout);

    // One cfg(any(..)) list without the backend's feature.
    sb.edit(
        "src/cache/mod.rs",
        "#[cfg(any(feature = \"webdav\", feature = \"oss\"))]",
        "#[cfg(any(feature = \"webdav\"))]",
    );
    let run = sb.run(&["doctor"]);
    run.fails(4, "not wired everywhere: oss");
    assert_eq!(cell(&run.stdout, "oss", "cfg"), "MISSING");
    assert_eq!(cell(&run.stdout, "webdav", "cfg"), "ok");

    // Known, it passes.
    sb.run(&["doctor", "--write-baseline"]).success();
    let run = sb.run(&["doctor"]);
    run.success();
    assert_eq!(cell(&run.stdout, "oss", "cfg"), "known");

    // A new gap fails: the harness's config without the backend.
    sb.edit("tests/harness/mod.rs", "            oss: None,\n", "");
    let run = sb.run(&["doctor"]);
    run.fails(4, "not wired everywhere: oss");
    assert_eq!(cell(&run.stdout, "oss", "harness"), "MISSING");

    // A backend add-backend wrote is wired everywhere.
    let sb = Sandbox::fixture("sccache");
    sb.run(&["cos", "--field", "bucket!", "--field", "endpoint"]).success();
    let run = sb.run(&["doctor"]);
    run.success();
    let cos = run.stdout.lines().find(|l| l.starts_with("cos ")).unwrap();
    assert!(cos.split_whitespace().skip(1).all(|c| c == "ok"), "{}", run.stdout);
}
