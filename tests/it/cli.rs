//! The command's behaviour on the Litestream fixture: what it writes, what
//! it refuses, and that a refusal or a failure writes nothing.

use crate::common::Sandbox;

#[test]
fn adds_a_backend_and_reports_each_item() {
    let sb = Sandbox::litestream();
    let run = sb.run(&["ftp"]);
    run.success();
    assert!(run.stdout.is_empty(), "data only on request: {}", run.stdout);
    for line in [
        "create  ftp/replica_client.go",
        "create  ftp/storage.go",
        "create  ftp/replica_client_test.go",
        "insert  cmd/litestream/main.go  import \"github.com/benbjohnson/litestream/ftp\"",
        "insert  cmd/litestream/main.go  case \"ftp\" in NewReplicaFromConfig()",
        "insert  cmd/litestream/main.go  func newFTPReplicaClientFromConfig()",
        "insert  README.md  ftp configuration example",
        "added backend ftp",
    ] {
        assert!(run.stderr.contains(line), "{line:?} not in:\n{}", run.stderr);
    }
    let main = sb.read("cmd/litestream/main.go");
    assert!(main.contains("\t\"github.com/benbjohnson/litestream/file\"\n\t\"github.com/benbjohnson/litestream/ftp\"\n\t\"github.com/benbjohnson/litestream/s3\"\n"));
    assert!(main.contains("\tcase \"ftp\":\n\t\tif r.Client, err = newFTPReplicaClientFromConfig(c, r); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\tdefault:\n"));
    assert!(main.contains("\treturn client, nil\n}\n\n// newFTPReplicaClientFromConfig returns"));
}

#[test]
fn a_second_identical_run_changes_nothing_and_says_so() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp"]).success();
    let after_first = sb.tree();

    let run = sb.run(&["ftp"]);
    run.success();
    assert_eq!(sb.tree(), after_first);
    assert!(run.stderr.contains("backend ftp is already in place: nothing to do"), "{}", run.stderr);
    assert!(run.stderr.contains("identical  ftp/storage.go"));
    assert!(run.stderr.contains("present  cmd/litestream/main.go  case \"ftp\""));
    assert!(!run.stderr.contains("insert"));
}

#[test]
fn dry_run_prints_diffs_and_writes_nothing() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let run = sb.run(&["ftp", "--dry-run"]);
    run.success();
    assert_eq!(sb.tree(), before);
    assert!(run.stdout.contains("--- /dev/null\n+++ b/ftp/storage.go\n"));
    assert!(run.stdout.contains("--- a/cmd/litestream/main.go\n+++ b/cmd/litestream/main.go\n"));
    assert!(run.stderr.contains("dry run: nothing was written"));
    assert!(!run.stdout.contains('\u{1b}'), "no colour off a terminal");
}

/// A checkout's text that holds a terminal escape is printed without it
/// off a terminal, as add-backend's own styling is.
#[test]
fn an_escape_in_the_checkout_s_text_is_not_printed_off_a_terminal() {
    let sb = Sandbox::litestream();
    let yml = sb.read("etc/litestream.yml");
    sb.write("etc/litestream.yml", &format!("{yml}# \u{1b}]0;pwned\u{7}\u{1b}[31mred\n"));
    let run = sb.run(&["ftp", "--dry-run"]);
    run.success();
    assert!(run.stdout.contains("etc/litestream.yml") && run.stdout.contains("red"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
}

#[test]
fn dry_run_diff_applies_with_git_apply() {
    let sb = Sandbox::litestream();
    let diff = sb.run(&["ftp", "--dry-run"]).stdout.clone();
    let patch = sb.root.join("../ftp.patch");
    std::fs::write(&patch, diff).unwrap();
    let status = std::process::Command::new("git")
        .args(["apply", "--unsafe-paths", "-p1", "--directory=."])
        .arg(&patch)
        .current_dir(&sb.root)
        .status()
        .unwrap();
    assert!(status.success());

    let applied = sb.tree();
    let real = Sandbox::litestream();
    real.run(&["ftp"]).success();
    assert_eq!(applied, real.tree(), "the dry run shows exactly what a run writes");
}

#[test]
fn json_plan_lists_files_items_and_statuses() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let run = sb.run(&["my_store", "--dry-run", "--format", "json"]);
    run.success();
    assert_eq!(sb.tree(), before);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(plan["backend"], serde_json::json!({"type": "my-store", "package": "mystore", "go_name": "MyStore"}));
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["changed"], true);
    let files: Vec<(&str, &str)> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [
            ("mystore/replica_client.go", "create"),
            ("mystore/storage.go", "create"),
            ("mystore/replica_client_test.go", "create"),
            ("cmd/litestream/mystore_config_test.go", "create"),
            ("cmd/litestream/main.go", "modify"),
            ("internal/testingutil/testingutil.go", "modify"),
            ("cmd/litestream/replicate.go", "modify"),
            ("README.md", "modify"),
            ("docs/ARCHITECTURE.md", "modify"),
            ("etc/litestream.yml", "modify"),
            ("CLAUDE.md", "modify"),
            (".add-backend/backends/my-store.json", "create"),
        ]
    );
    let main = &plan["files"][4];
    assert_eq!(
        main["items"][1],
        serde_json::json!({"what": "case \"my-store\" in NewReplicaFromConfig()", "status": "insert"})
    );
    assert!(main["diff"].as_str().unwrap().contains("+\tcase \"my-store\":\n"));
    assert_eq!(plan["warnings"], serde_json::json!([]));

    sb.run(&["my_store"]).success();
    let again: serde_json::Value = serde_json::from_str(&sb.run(&["my_store", "--format", "json"]).stdout).unwrap();
    assert_eq!(again["changed"], false);
    assert!(again["files"].as_array().unwrap().iter().all(|f| f["action"] == "none"));
}

#[test]
fn runs_from_a_subdirectory_or_with_root() {
    let sb = Sandbox::litestream();
    sb.run_in(&sb.root.join("cmd/litestream"), &["ftp"], &[]).success();
    assert!(sb.root.join("ftp/replica_client.go").is_file());

    let other = Sandbox::litestream();
    let root = other.root.to_str().unwrap();
    sb.run_in(&std::env::temp_dir(), &["ftp", "--root", root], &[]).success();
    assert!(other.root.join("ftp/replica_client.go").is_file());
}

#[test]
fn bad_names_are_refused_and_nothing_is_written() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    for (name, why) in [
        ("", "it is empty"),
        ("fóo", "ASCII"),
        ("ftp/x", "not a path"),
        ("../ftp", "not a path"),
        ("..", "not a path"),
        ("1ftp", "must start with a letter"),
        ("ftp.x", "'.' is not allowed"),
        ("type", "Go keyword"),
        ("int", "predeclared Go identifier"),
        ("internal", "internal/ exists in the checkout and is not a replica backend"),
        ("cmd", "cmd/ exists in the checkout and is not a replica backend"),
        ("yaml", "already imports \"gopkg.in/yaml.v2\" as yaml"),
        ("url", "already imports \"net/url\" as url"),
        ("client", "the generated code uses client"),
        ("ltx", "the generated code uses ltx"),
        ("t", "the generated code uses t"),
        ("objects", "the generated code uses objects"),
        ("run", "package main (cmd/litestream) declares run already"),
        ("expand", "package main (cmd/litestream) declares expand already"),
        ("init", "Go cannot import a package named init"),
        ("vendor", "vendoring"),
        ("testdata", "skips testdata"),
        ("documentation", "ignores every file"),
    ] {
        sb.run(&["add", name]).fails(1, why);
        assert_eq!(sb.tree(), before, "{name:?} changed the tree");
    }
}

#[test]
fn an_existing_backend_is_refused_unless_forced() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["sftp"])
        .fails(1, "backend sftp already exists and differs from what add-backend writes (sftp/replica_client.go)");
    assert_eq!(sb.tree(), before);

    sb.run(&["ftp"]).success();
    sb.edit("ftp/replica_client.go", "// Type returns", "// Type reports");
    let edited = sb.tree();
    sb.run(&["ftp"]).fails(1, "already exists and differs from what add-backend writes (ftp/replica_client.go)");
    assert_eq!(sb.tree(), edited);

    let run = sb.run(&["ftp", "--force"]);
    run.success();
    assert!(run.stderr.contains("force  ftp/replica_client.go"), "{}", run.stderr);
    assert!(sb.read("ftp/replica_client.go").contains("// Type returns"));
}

#[test]
fn the_files_the_user_is_told_to_edit_are_theirs_once_written() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp"]).success();
    sb.edit("ftp/storage.go", "return notImplemented(\"Put\")", "return nil");
    sb.edit("ftp/replica_client_test.go", "t.Run(\"StorageNotImplemented\"", "t.Run(\"Removed\"");
    let edited = sb.tree();

    let run = sb.run(&["ftp"]);
    run.success();
    assert!(run.stderr.contains("keep  ftp/storage.go"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing to do"), "{}", run.stderr);
    assert_eq!(sb.tree(), edited);

    // Restoring a deleted part keeps them too, even forced.
    std::fs::remove_file(sb.root.join("cmd/litestream/ftp_config_test.go")).unwrap();
    sb.run(&["ftp"]).fails(1, "already exists in part");
    sb.run(&["ftp", "--force"]).success();
    assert!(sb.read("ftp/storage.go").contains("return nil"));
    assert!(sb.read("ftp/replica_client_test.go").contains("t.Run(\"Removed\""));
    assert!(sb.root.join("cmd/litestream/ftp_config_test.go").is_file());
}

#[test]
fn a_backend_wired_in_part_is_refused_unless_forced() {
    let sb = Sandbox::litestream();
    sb.edit(
        "cmd/litestream/main.go",
        "\tdefault:\n\t\treturn nil, fmt.Errorf(\"unknown replica",
        "\tcase \"ftp\":\n\t\treturn nil, nil\n\tdefault:\n\t\treturn nil, fmt.Errorf(\"unknown replica",
    );
    let before = sb.tree();
    sb.run(&["ftp"]).fails(
        1,
        "backend ftp already exists in part (case \"ftp\" in NewReplicaFromConfig() in cmd/litestream/main.go)",
    );
    assert_eq!(sb.tree(), before);

    let run = sb.run(&["ftp", "--force"]);
    run.success();
    assert!(run.stderr.contains("present  cmd/litestream/main.go  case \"ftp\""), "{}", run.stderr);
    assert_eq!(sb.read("cmd/litestream/main.go").matches("case \"ftp\"").count(), 1);
}

#[test]
fn a_missing_anchor_fails_naming_the_file_and_the_anchor() {
    for (from, to, why) in [
        (
            "switch c.ReplicaType() {",
            "switch c.Type {",
            "cmd/litestream/main.go: no `switch c.ReplicaType()` in NewReplicaFromConfig()",
        ),
        (
            "\tdefault:\n\t\treturn nil, fmt.Errorf(\"unknown replica type in config: %q\", c.Type)\n",
            "",
            "has no `default:` arm",
        ),
        (
            "func NewReplicaFromConfig(",
            "func NewReplicaFromSettings(",
            "cmd/litestream/main.go: function NewReplicaFromConfig() not found",
        ),
        (
            "\t\"github.com/benbjohnson/litestream\"\n\t\"github.com/benbjohnson/litestream/file\"\n\t\"github.com/benbjohnson/litestream/s3\"\n\t\"github.com/benbjohnson/litestream/sftp\"\n",
            "",
            "no import of github.com/benbjohnson/litestream",
        ),
    ] {
        let sb = Sandbox::litestream();
        sb.edit("cmd/litestream/main.go", from, to);
        let before = sb.tree();
        sb.run(&["ftp"]).fails(1, why);
        assert_eq!(sb.tree(), before, "{why}");
    }

    let sb = Sandbox::litestream();
    std::fs::remove_file(sb.root.join("cmd/litestream/main.go")).unwrap();
    sb.run(&["ftp"]).fails(1, "cmd/litestream/main.go not found; is this a Litestream checkout?");
}

#[test]
fn an_unknown_project_is_named() {
    let sb = Sandbox::litestream();
    sb.edit("go.mod", "module github.com/benbjohnson/litestream", "module example.com/other");
    sb.run(&["ftp"]).fails(1, "module example.com/other is not a project add-backend knows");

    let empty = tempfile::tempdir().unwrap();
    let run = sb.run_in(empty.path(), &["ftp"], &[]);
    run.fails(1, "no go.mod or Cargo.toml in");

    let crate_dir = tempfile::tempdir().unwrap();
    std::fs::write(crate_dir.path().join("Cargo.toml"), "[package]\nname = \"other\"\n").unwrap();
    let run = sb.run_in(crate_dir.path(), &["ftp"], &[]);
    run.fails(1, "package other is not a project add-backend knows (it knows github.com/benbjohnson/litestream, the sccache crate, github.com/rclone/rclone, and a project described by a profile in .add-backend/<name>/profile.toml whose [detect] matches");
}

#[test]
fn usage_errors_exit_2_and_help_documents_exit_codes() {
    let sb = Sandbox::litestream();
    assert_eq!(sb.run(&[]).code, 2);
    assert_eq!(sb.run(&["ftp", "--no-such-flag"]).code, 2);
    let help = sb.run(&["--help"]);
    help.success();
    assert!(help.stdout.contains("Exit codes:\n  0  success"));
    assert!(help.stdout.contains("  3  a write failed"));
}

#[test]
fn go_name_overrides_the_derived_identifier() {
    let sb = Sandbox::litestream();
    sb.run(&["webdav", "--go-name", "WebDAV"]).success();
    assert!(sb.read("cmd/litestream/main.go").contains("func newWebDAVReplicaClientFromConfig("));
    sb.run(&["other", "--go-name", "lower"]).fails(1, "invalid --go-name \"lower\"");
}

#[test]
fn colour_is_forced_by_clicolor_force_and_vetoed_by_no_color() {
    let sb = Sandbox::litestream();
    let forced = sb.run_in(&sb.root, &["ftp", "--dry-run"], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.stdout.contains("\u{1b}[32m+"), "green additions when forced");
    let vetoed = sb.run_in(&sb.root, &["ftp", "--dry-run"], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!vetoed.stdout.contains('\u{1b}') && !vetoed.stderr.contains('\u{1b}'));
}

#[test]
fn fields_reuse_existing_settings_and_add_the_rest() {
    let sb = Sandbox::litestream();
    let run = sb.run(&["ftp", "--field", "host!", "--field", "port:int", "--field", "password:secret"]);
    run.success();
    assert!(
        run.stderr.contains("reuse  cmd/litestream/main.go  ReplicaSettings.Host reused for host"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("insert  cmd/litestream/main.go  ReplicaSettings fields port"), "{}", run.stderr);
    let main = sb.read("cmd/litestream/main.go");
    assert_eq!(main.matches("`yaml:\"host\"`").count(), 1, "host is not added twice");
    assert!(main.contains("\t// FTP settings\n\tPort *int `yaml:\"port\"`\n}"));
    assert!(main.contains("\t} else if host == \"\" {\n\t\treturn nil, fmt.Errorf(\"host required for ftp replica\")"));
    // The secret is configured, never logged.
    assert!(!sb.read("cmd/litestream/replicate.go").contains("client.Password"));

    let again = sb.run(&["ftp", "--field", "host!", "--field", "port:int", "--field", "password:secret"]);
    again.success();
    assert!(again.stderr.contains("nothing to do"), "{}", again.stderr);
}

#[test]
fn bad_fields_are_refused_and_nothing_is_written() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    for (field, why) in [
        ("url", "\"url\" is a setting of every replica already"),
        ("port:float", "unknown type \"float\""),
        ("Port", "lower case"),
        ("bucket:int", "has ReplicaSettings.Bucket string `yaml:\"bucket\"` already"),
        ("ftp", "would hide a package the generated constructor uses"),
        ("strings", "would hide a package the generated constructor uses"),
        ("len", "predeclared"),
        ("dbs", "has the key \"dbs\" in Config already"),
        ("set-defaults", "ReplicaSettings cannot have a field SetDefaults"),
        ("replica-type", "ReplicaSettings cannot have a field ReplicaType"),
        ("replica-settings", "ReplicaSettings cannot have a field ReplicaSettings"),
        ("storage", "the client has a Storage already"),
        ("init", "the client has a Init already"),
        ("delete-all", "the client has a DeleteAll already"),
        ("t:bool", "clash"),
        ("passive:bool!", "cannot be required"),
    ] {
        sb.run(&["ftp", "--field", field]).fails(1, why);
        assert_eq!(sb.tree(), before, "{field:?} changed the tree");
    }
    sb.run(&["ftp", "--field", "host", "--field", "host:int"]).fails(1, "--field \"host\" is given twice");
}

#[test]
fn presence_is_decided_by_parsing_not_by_text() {
    // A constructor inside a raw string is no constructor.
    let sb = Sandbox::litestream();
    let main = sb.read("cmd/litestream/main.go");
    sb.write("cmd/litestream/main.go", &format!("{main}\nvar doc = `\nfunc newFTPReplicaClientFromConfig() {{}}\n`\n"));
    sb.run(&["ftp"]).success();
    assert!(sb.read("cmd/litestream/main.go").contains("\n// newFTPReplicaClientFromConfig returns"));

    // One in another file of package main is one.
    let sb = Sandbox::litestream();
    sb.write("cmd/litestream/ftp.go", "package main\n\nfunc newFTPReplicaClientFromConfig() {}\n");
    let before = sb.tree();
    sb.run(&["ftp"])
        .fails(1, "already exists in part (func newFTPReplicaClientFromConfig() in cmd/litestream/main.go)");
    assert_eq!(sb.tree(), before);

    // A case written as a raw string is the same case.
    let sb = Sandbox::litestream();
    sb.edit("cmd/litestream/main.go", "\tcase \"sftp\":", "\tcase `ftp`:\n\t\treturn nil, nil\n\tcase \"sftp\":");
    sb.run(&["ftp"]).fails(1, "already exists in part (case \"ftp\" in NewReplicaFromConfig()");
}

#[test]
fn an_existing_exported_constructor_is_the_one_called() {
    let sb = Sandbox::litestream();
    sb.edit("cmd/litestream/main.go", "\tcase \"s3\":\n\t\tif r.Client, err = NewS3ReplicaClientFromConfig(c, r); err != nil {\n\t\t\treturn nil, err\n\t\t}\n", "");
    std::fs::remove_dir_all(sb.root.join("s3")).unwrap();
    sb.run(&["s3", "--force"]).success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(main.contains("\tcase \"s3\":\n\t\tif r.Client, err = NewS3ReplicaClientFromConfig(c, r); err != nil {"));
    assert_eq!(main.matches("func NewS3ReplicaClientFromConfig(").count(), 1);
    assert!(!main.contains("newS3ReplicaClientFromConfig"));
}

#[test]
fn crlf_files_get_crlf_lines() {
    let sb = Sandbox::litestream();
    let crlf = sb.read("cmd/litestream/main.go").replace('\n', "\r\n");
    sb.write("cmd/litestream/main.go", &crlf);
    sb.run(&["ftp"]).success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(main.len() > crlf.len());
    assert_eq!(main.matches('\n').count(), main.matches("\r\n").count(), "every line ends in CRLF");
}

#[test]
fn a_checkout_without_the_interface_is_refused() {
    let sb = Sandbox::litestream();
    sb.edit("replica_client.go", "type ReplicaClient interface", "type ReplicaClientV2 interface");
    let before = sb.tree();
    sb.run(&["ftp"]).fails(1, "replica_client.go: no `type ReplicaClient interface`");
    assert_eq!(sb.tree(), before);
}

#[test]
fn an_unknown_interface_method_gets_a_stub_and_a_warning() {
    let sb = Sandbox::litestream();
    sb.edit(
        "replica_client.go",
        "\t// SetLogger sets",
        "\t// Pos reports the position.\n\tPos(ctx context.Context) (ltx.TXID, error)\n\n\t// SetLogger sets",
    );
    let run = sb.run(&["ftp"]);
    run.success();
    assert!(run.stderr.contains("warning: litestream.ReplicaClient has a method the templates do not know, Pos(context.Context) (ltx.TXID, error)"), "{}", run.stderr);
    let client = sb.read("ftp/replica_client.go");
    assert!(client.contains("func (c *ReplicaClient) Pos(context.Context) (ltx.TXID, error) {\n\treturn *new(ltx.TXID), fmt.Errorf(\"ftp: Pos is not implemented: %w\", errors.ErrUnsupported)\n}"));
    assert!(sb.read("ftp/replica_client_test.go").contains("func TestReplicaClient_Pos(t *testing.T) {\n\tt.Fatal("));
}

#[test]
fn the_diagram_gets_its_node_and_edge_together_or_not_at_all() {
    let sb = Sandbox::litestream();
    let doc = sb.read("docs/ARCHITECTURE.md");
    let no_edges: String = doc.lines().filter(|l| !l.trim().starts_with("RC --> ")).map(|l| format!("{l}\n")).collect();
    sb.write("docs/ARCHITECTURE.md", &no_edges);
    let run = sb.run(&["ftp"]);
    run.success();
    assert_eq!(sb.read("docs/ARCHITECTURE.md"), no_edges, "no node without its edge");
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("by hand")).collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("no line like `*RC --> *`"), "{}", warnings[0]);

    // With both in place, a forced re-run adds neither again.
    sb.write("docs/ARCHITECTURE.md", &doc);
    sb.run(&["ftp", "--force"]).success();
    let once = sb.read("docs/ARCHITECTURE.md");
    assert_eq!(once.matches("RC --> FTP").count(), 1);
    assert_eq!(once.matches("FTP[ftp/replica_client.go]").count(), 1);
    sb.run(&["ftp", "--force"]).success();
    assert_eq!(sb.read("docs/ARCHITECTURE.md"), once);
}

/// `args` after `add ftp`.
fn add_ftp(args: &[&'static str]) -> Vec<&'static str> {
    [&["add", "ftp"][..], args].concat()
}

#[test]
fn an_add_with_other_settings_re_generates_the_backend_as_a_fresh_add_would() {
    let sb = Sandbox::litestream();
    let pristine = sb.tree();
    sb.run(&add_ftp(&["--field", "host!", "--field", "port:int", "--field", "password:secret"])).success();
    let new = ["--field", "host!", "--field", "user", "--field", "timeout:duration"];
    let run = sb.run(&add_ftp(&new));
    run.success();
    for line in [
        "update  ftp/replica_client.go",
        "update  cmd/litestream/main.go  func newFTPReplicaClientFromConfig()",
        "update  cmd/litestream/main.go  ReplicaSettings fields timeout",
        "identical  ftp/storage.go",
    ] {
        assert!(run.stderr.contains(line), "{line:?} not in:\n{}", run.stderr);
    }
    let fresh = Sandbox::litestream();
    fresh.run(&add_ftp(&new)).success();
    assert!(sb.tree() == fresh.tree(), "a re-generation writes what a fresh add with its settings writes");

    // The same settings again, or none (the recorded ones): nothing to do.
    for args in [add_ftp(&new), add_ftp(&[])] {
        let run = sb.run(&args);
        run.success();
        assert!(run.stderr.contains("already in place: nothing to do"), "{args:?}: {}", run.stderr);
    }
    assert!(sb.tree() == fresh.tree());
    sb.run(&["remove", "ftp"]).success();
    assert!(sb.tree() == pristine, "remove after a re-generation restores the checkout");
}

#[test]
fn a_re_generation_keeps_the_user_s_edits_or_refuses_naming_them() {
    let sb = Sandbox::litestream();
    sb.run(&add_ftp(&["--field", "host!"])).success();
    sb.edit("ftp/storage.go", "return notImplemented(\"Put\")", "return nil");
    let run = sb.run(&add_ftp(&["--field", "host!", "--field", "port:int"]));
    run.success();
    assert!(run.stderr.contains("keep  ftp/storage.go"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: ftp/storage.go is yours and was edited, so it was kept as it is; it was written for the earlier settings (--field host!)"),
        "{}",
        run.stderr
    );
    assert!(sb.read("ftp/storage.go").contains("return nil"));
    let fresh = Sandbox::litestream();
    fresh.run(&add_ftp(&["--field", "host!", "--field", "port:int"])).success();
    let others = |tree: crate::common::Tree| -> crate::common::Tree {
        tree.into_iter().filter(|(path, _)| path != "ftp/storage.go" && !path.ends_with("ftp.json")).collect()
    };
    assert!(others(sb.tree()) == others(fresh.tree()), "all but the user's file as a fresh add writes it");

    // Wiring edited by hand cannot be re-generated, even forced.
    sb.edit("cmd/litestream/main.go", "host required for ftp replica", "ftp needs a host");
    let edited = sb.tree();
    for force in [&[][..], &["--force"]] {
        sb.run(&[&add_ftp(&["--field", "host!"])[..], force].concat()).fails(
            1,
            "cannot re-generate backend ftp with other settings: changed since add-backend wrote them: // newFTPReplicaClientFromConfig returns",
        );
        assert!(sb.tree() == edited);
    }
    sb.edit("cmd/litestream/main.go", "ftp needs a host", "host required for ftp replica");

    // A generated file edited by hand is re-generated only when forced.
    sb.edit("ftp/replica_client.go", "// Type returns", "// Type reports");
    sb.run(&add_ftp(&["--field", "host!"])).fails(
        1,
        "cannot re-generate backend ftp: changed since add-backend wrote them: ftp/replica_client.go; --force re-generates them anyway",
    );
    sb.run(&add_ftp(&["--field", "host!", "--force"])).success();
    assert!(sb.read("ftp/replica_client.go").contains("// Type returns"));
    assert!(!sb.read("cmd/litestream/main.go").contains("Port"));
}

#[test]
fn a_backend_added_by_another_version_is_re_generated_with_its_recorded_settings() {
    let sb = Sandbox::litestream();
    sb.run(&add_ftp(&["--field", "host!", "--go-name", "Ftp"])).success();
    let templates = sb.root.join("../templates");
    sb.run(&["templates", "export", templates.to_str().unwrap()]).success();
    let template = templates.join("litestream/replica_client.go.tera");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, text.replacen("// Type returns", "// Type returns (newer templates)", 1)).unwrap();
    let manifest = sb.read(".add-backend/backends/ftp.json");
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(manifest.contains(&version), "{manifest}");

    // The same version: the files differ from what the templates write now.
    sb.run(&["ftp", "--templates", templates.to_str().unwrap()]).fails(1, "already exists and differs");
    sb.write(".add-backend/backends/ftp.json", &manifest.replace(&version, "\"version\": \"0.0.1\""));
    let run = sb.run(&["ftp", "--templates", templates.to_str().unwrap()]);
    run.success();
    assert!(run.stderr.contains("update  ftp/replica_client.go"), "{}", run.stderr);
    assert!(sb.read("ftp/replica_client.go").contains("// Type returns (newer templates)"));
    assert!(
        sb.read("cmd/litestream/main.go").contains("func newFtpReplicaClientFromConfig("),
        "the recorded --go-name"
    );
    let recorded: serde_json::Value = serde_json::from_str(&sb.read(".add-backend/backends/ftp.json")).unwrap();
    assert_eq!(recorded["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(recorded["settings"], serde_json::json!({"go_name": "Ftp", "fields": ["host!"]}));
}

#[test]
fn a_settings_group_another_backend_still_uses_stays_recorded_through_a_re_generation() {
    for order in [["webdav", "ftp"], ["ftp", "webdav"]] {
        // The same two backends, ftp re-generated in one checkout only.
        let (sb, plain) = (Sandbox::litestream(), Sandbox::litestream());
        for s in [&sb, &plain] {
            s.run(&add_ftp(&["--field", "region2"])).success();
            s.run(&["webdav", "--field", "region2"]).success();
        }
        sb.run(&add_ftp(&["--field", "host!"])).success();
        let manifest = sb.read(".add-backend/backends/ftp.json");
        assert!(manifest.contains("Region2 string"), "the group webdav uses is still ftp's: {manifest}");
        for backend in order {
            sb.run(&["remove", backend]).success();
            plain.run(&["remove", backend]).success();
        }
        assert!(sb.tree() == plain.tree(), "{order:?}: removals leave what they leave without the re-generation");
    }
}

#[test]
fn a_url_mapping_that_cannot_hold_is_refused_before_anything_is_written() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let base = ["zz", "--field", "bucket!", "--field", "port:int", "--field", "host", "--url"];
    for (url, message) in [
        ("foo=bucket", "--url \"foo=bucket\": \"foo\" is not a part of the URL add-backend maps: host, path or server"),
        ("path", "--url \"path\": \"path\" is not PART=FIELD (host=FIELD, path=FIELD or server=FIELD[:SCHEME])"),
        ("path=nope", "--url \"path=nope\": there is no --field nope"),
        (
            "path=port",
            "--url \"path=port\": --field port is not a string; only a string setting can be taken from the URL",
        ),
        ("server=bucket:Bad", "--url \"server=bucket:Bad\": \"Bad\" is not a URL scheme"),
        (
            "server=bucket",
            "--url \"server=bucket\": --field host comes from the URL's host already; one setting a part",
        ),
        ("path=bucket,path=bucket", "--url \"path=bucket,path=bucket\": --field bucket is mapped twice"),
    ] {
        sb.run(&[&base[..], &[url]].concat()).fails(1, message);
    }
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_setting_of_another_type_under_the_same_key_is_refused_naming_both() {
    let sb = Sandbox::litestream();
    sb.edit(
        "cmd/litestream/main.go",
        "\tKeyPath  string `yaml:\"key-path\"`\n}",
        "\tKeyPath  string `yaml:\"key-path\"`\n\tPartSize *float64 `yaml:\"part-size\"`\n}",
    );
    let before = sb.tree();
    sb.run(&["zz", "--field", "part-size:int"]).fails(
        1,
        "--field part-size: cmd/litestream/main.go has ReplicaSettings.PartSize *float64 `yaml:\"part-size\"` already; the int field asked for would be *int",
    );
    sb.run(&["zz", "--field", "key-path:bool"]).fails(
        1,
        "--field key-path: cmd/litestream/main.go has ReplicaSettings.KeyPath string `yaml:\"key-path\"` already; the bool field asked for would be *bool",
    );
    assert_eq!(sb.tree(), before);
}
