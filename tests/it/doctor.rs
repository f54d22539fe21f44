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
    assert_eq!(
        ftp.split_whitespace().collect::<Vec<_>>(),
        ["ftp", "ok", "ok", "ok", "ok", "ok", "MISSING", "ok", "ok"]
    );

    let json: serde_json::Value = serde_json::from_str(&sb.run(&["doctor", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["complete"], false);
    let ftp = json["backends"].as_array().unwrap().iter().find(|b| b["package"] == "ftp").unwrap();
    assert_eq!(ftp["complete"], false);
    assert_eq!(
        ftp["checks"][5],
        serde_json::json!({"name": "harness", "present": false, "file": null, "line": null, "known": false})
    );
    assert_eq!(
        ftp["checks"][2],
        serde_json::json!({"name": "config", "present": true, "file": "cmd/litestream/main.go", "line": 180, "known": false})
    );
}

#[test]
fn flags_a_backend_whose_constructor_reads_a_setting_the_config_lacks() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp", "--field", "host!", "--field", "port:int"]).success();
    sb.edit("cmd/litestream/main.go", "	Port int `yaml:\"port\"`\n", "");
    let run = sb.run(&["doctor"]);
    run.fails(4, "not wired everywhere: ftp");
    let ftp = run.stdout.lines().find(|l| l.starts_with("ftp ")).unwrap();
    assert_eq!(ftp.split_whitespace().nth(5), Some("MISSING"), "{ftp}");
    // A backend without settings of its own reads none the config lacks.
    let file = run.stdout.lines().find(|l| l.starts_with("file ")).unwrap();
    assert_eq!(file.split_whitespace().nth(5), Some("ok"), "{file}");
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
    sb.run(&["gcs", "--go-name", "GoogleCloud"]).success();
    // A constant block, and the constant as the config case.
    sb.edit(
        "sftp/replica_client.go",
        "const ReplicaClientType = \"sftp\"",
        "const (\n\tReplicaClientType = \"sftp\"\n)",
    );
    sb.edit("cmd/litestream/main.go", "\tcase \"sftp\":", "\tcase sftp.ReplicaClientType:");
    sb.run(&["doctor"]).success();

    // Commented-out code wires nothing.
    sb.edit(
        "sftp/replica_client.go",
        "\tlitestream.RegisterReplicaClientFactory(\"sftp\", NewReplicaClientFromURL)",
        "\t// litestream.RegisterReplicaClientFactory(\"sftp\", NewReplicaClientFromURL)",
    );
    let run = sb.run(&["doctor"]);
    run.fails(4, "not wired everywhere: sftp");
    let sftp = run.stdout.lines().find(|l| l.starts_with("sftp ")).unwrap();
    assert_eq!(sftp.split_whitespace().nth(2), Some("MISSING"), "{sftp}");
}

/// A setting may live in a struct inlined in the settings; what a string
/// or a method call mentions is no setting.
#[test]
fn settings_are_found_in_inlined_structs_and_only_in_code() {
    let sb = Sandbox::litestream();
    sb.edit(
        "cmd/litestream/main.go",
        "\tEndpoint        string `yaml:\"endpoint\"`\n",
        "\tEndpointSettings `yaml:\",inline\"`\n",
    );
    let main = sb.read("cmd/litestream/main.go");
    sb.write(
        "cmd/litestream/main.go",
        &(main + "\ntype EndpointSettings struct {\n\tEndpoint string `yaml:\"endpoint\"`\n}\n"),
    );
    sb.edit(
        "cmd/litestream/main.go",
        "\tclient.Endpoint = c.Endpoint\n",
        "\tclient.Endpoint = c.Endpoint\n\t_ = \"see c.Nope\"\n\t_ = c.ReplicaType()\n",
    );
    let run = sb.run(&["doctor"]);
    run.success();
    let s3 = run.stdout.lines().find(|l| l.starts_with("s3 ")).unwrap();
    assert_eq!(s3.split_whitespace().nth(5), Some("ok"), "{s3}");
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
