//! A team's own templates and profile: exported, edited, found in the
//! checkout's `.add-backend/` or given with `--templates`, and checked
//! before anything is written.

use crate::common::{Run, Sandbox};

/// Runs add-backend trusting the checkout's own profile and templates,
/// which these tests write (trust itself: tests/hostile.rs).
fn trusted(sb: &Sandbox, args: &[&str]) -> Run {
    sb.run_in(&sb.root, args, &[("ADD_BACKEND_TRUST", "1")])
}

/// The built-in templates exported into the checkout's `.add-backend/`.
fn with_exported_templates() -> Sandbox {
    let sb = Sandbox::litestream();
    let dir = sb.root.join(".add-backend");
    trusted(&sb, &["templates", "export", dir.to_str().unwrap()]).success();
    sb
}

#[test]
fn an_exported_and_edited_template_is_the_one_used() {
    let sb = with_exported_templates();
    sb.edit(
        ".add-backend/litestream/replica_client.go.tera",
        "// Package {{ package }} replicates LTX files to {{ go_name }}.",
        "// Package {{ package }} is our team's {{ go_name }} backend.",
    );
    trusted(&sb, &["ftp"]).success();
    assert!(sb.read("ftp/replica_client.go").starts_with("// Package ftp is our team's FTP backend.\n"));
    // The rest are the built-in ones, exported unchanged.
    assert!(sb.read("ftp/storage.go").contains("type Storage interface"));
}

#[test]
fn exporting_never_overwrites() {
    let sb = with_exported_templates();
    let dir = sb.root.join(".add-backend");
    let before = sb.tree();
    trusted(&sb, &["templates", "export", dir.to_str().unwrap()]).fails(1, "exists; export into an empty directory");
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_broken_template_fails_before_anything_is_written_with_its_file_and_line() {
    let sb = with_exported_templates();
    sb.edit(".add-backend/litestream/storage.go.tera", "type Storage interface {", "type Storage interface { {% if %}");
    let before = sb.tree();
    let run = trusted(&sb, &["ftp"]);
    run.fails(1, ".add-backend/litestream/storage.go.tera: line 15, column 32: ");
    assert!(run.stderr.contains("Found `%}` but expected"), "{}", run.stderr);
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_template_that_renders_invalid_go_is_named() {
    let sb = with_exported_templates();
    sb.edit(".add-backend/litestream/main_case.go.tera", "case \"{{ type }}\":", "case \"{{ type }}\" {");
    let before = sb.tree();
    trusted(&sb, &["ftp"])
        .fails(1, ".add-backend/litestream/main_case.go.tera: renders code that is not valid Go (line 1");
    assert_eq!(sb.tree(), before);
}

#[test]
fn list_says_where_each_template_comes_from_and_templates_dir_comes_first() {
    let sb = with_exported_templates();
    std::fs::remove_file(sb.root.join(".add-backend/litestream/readme.md.tera")).unwrap();
    let own = tempfile::tempdir().unwrap();
    std::fs::create_dir(own.path().join("litestream")).unwrap();
    std::fs::write(own.path().join("litestream/storage.go.tera"), "package {{ package }}\n").unwrap();

    let run = trusted(&sb, &["templates", "list", "--templates", own.path().to_str().unwrap()]);
    run.success();
    let from = |name: &str| {
        let line = run.stdout.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap();
        line.split_whitespace().last().unwrap().to_string()
    };
    assert_eq!(from("litestream/readme.md"), "built-in");
    assert!(from("litestream/replica_client.go").ends_with(".add-backend/litestream/replica_client.go.tera"));
    assert_eq!(from("litestream/storage.go"), own.path().join("litestream/storage.go.tera").display().to_string());
    assert!(from("litestream/profile.toml").ends_with(".add-backend/litestream/profile.toml"));
    let litestream = run.stdout.lines().filter(|l| l.starts_with("litestream/")).count();
    assert_eq!(litestream, 16, "the profile and 15 templates");
    assert!(run.stdout.lines().any(|l| l.starts_with("sccache/profile.toml ")), "{}", run.stdout);
}

#[test]
fn a_missing_templates_directory_or_a_file_without_package_is_refused() {
    let sb = Sandbox::litestream();
    trusted(&sb, &["ftp", "--templates", "/no/such/dir"]).fails(1, "--templates /no/such/dir: no such directory");

    let sb = with_exported_templates();
    sb.write(".add-backend/litestream/storage.go.tera", "import \"errors\"\n\nvar ErrX = errors.New(\"x\")\n");
    let before = sb.tree();
    trusted(&sb, &["ftp"]).fails(1, "storage.go.tera: renders code that is not valid Go (line 1");
    assert_eq!(sb.tree(), before);
}

#[test]
fn an_edited_profile_moves_a_file_adds_one_and_drops_a_patch() {
    let sb = with_exported_templates();
    let pristine = sb.tree();
    let profile = ".add-backend/litestream/profile.toml";
    // A file under another name, a team's own file from a template only
    // they have, and no README example nor log case.
    sb.edit(profile, "path = \"{{ package }}/storage.go\"", "path = \"{{ package }}/{{ package }}_storage.go\"");
    sb.edit(
        profile,
        "[[patches]]\nfile = \"README.md\"\nanchor = \"marked-block\"\nstyle = \"markdown\"\ntemplate = \"readme.md\"\ncheck = \"example\"\ndoctor = \"reported\"\nwhat = \"{{ type }} configuration example\"\n",
        "[[files]]\ntemplate = \"owners.md\"\npath = \"{{ package }}/OWNERS.md\"\n",
    );
    for anchor in ["import", "type-switch-case"] {
        sb.edit(
            profile,
            &format!("[[patches]]\nfile = \"cmd/litestream/replicate.go\"\nanchor = \"{anchor}\""),
            &format!("[[dropped]]\nfile = \"cmd/litestream/replicate.go\"\nanchor = \"{anchor}\""),
        );
    }
    let text = sb.read(profile);
    let kept: Vec<&str> = text.split("\n\n").filter(|block| !block.starts_with("[[dropped]]")).collect();
    sb.write(profile, &kept.join("\n\n"));
    sb.write(".add-backend/litestream/owners.md.tera", "# {{ go_name }} backend\n\nOwned by the storage team.\n");
    let (readme, replicate) = (sb.read("README.md"), sb.read("cmd/litestream/replicate.go"));

    trusted(&sb, &["ftp"]).success();
    assert!(sb.read("ftp/ftp_storage.go").contains("type ftpStorage struct"));
    assert!(!sb.root.join("ftp/storage.go").exists());
    assert_eq!(sb.read("ftp/OWNERS.md"), "# FTP backend\n\nOwned by the storage team.\n");
    assert_eq!(sb.read("README.md"), readme, "the dropped patch is not made");
    assert_eq!(sb.read("cmd/litestream/replicate.go"), replicate, "the dropped patches are not made");
    let again = trusted(&sb, &["ftp"]);
    again.success();
    assert!(again.stderr.contains("nothing to do"), "{}", again.stderr);

    // doctor reads the same profile: no log place, no README example, and
    // the new backend wired in every place that is left.
    let doctor = trusted(&sb, &["doctor"]);
    doctor.success();
    let header: Vec<&str> = doctor.stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["backend", "config", "constructor", "harness", "docs", "example", "agents"]);
    let ftp = doctor.stdout.lines().find(|l| l.starts_with("ftp ")).unwrap();
    assert_eq!(ftp.split_whitespace().collect::<Vec<_>>(), ["ftp", "ok", "ok", "ok", "ok", "ok", "ok"]);

    // And so does remove: the checkout is as it was, but the edited profile.
    trusted(&sb, &["remove", "ftp"]).success();
    let mut after = sb.tree();
    let mut before = pristine;
    for tree in [&mut after, &mut before] {
        tree.retain(|path, _| !path.starts_with(".add-backend"));
    }
    assert_eq!(after, before);
}

#[test]
fn a_broken_profile_is_refused_with_its_line_and_column_and_nothing_written() {
    let sb = with_exported_templates();
    let profile = ".add-backend/litestream/profile.toml";
    let before = sb.tree();
    sb.edit(profile, "anchor = \"type-switch-case\"", "anchor = \"type-switch\"");
    let at = sb.read(profile).lines().position(|l| l == "anchor = \"type-switch\"").unwrap() + 1;
    let edited = sb.tree();
    trusted(&sb, &["ftp"])
        .fails(1, &format!("{profile}:{at}:10: unknown anchor \"type-switch\"; expected one of import, struct-end"));
    assert_eq!(sb.tree(), edited);

    // Not TOML at all: toml_edit's own message, placed.
    sb.edit(profile, "[vars]", "[vars");
    let at = sb.read(profile).lines().position(|l| l == "[vars").unwrap() + 1;
    trusted(&sb, &["ftp"]).fails(1, &format!("{profile}:{at}:"));
    // A key no anchor knows.
    sb.edit(profile, "[vars", "[vars]");
    sb.edit(profile, "func = \"NewReplicaFromConfig\"", "fun = \"NewReplicaFromConfig\"");
    let at = sb.read(profile).lines().position(|l| l == "fun = \"NewReplicaFromConfig\"").unwrap() + 1;
    trusted(&sb, &["ftp"]).fails(1, &format!("{profile}:{at}:1: unknown key `fun` in [[patches]]"));
    assert_eq!(sb.tree().len(), before.len(), "no file added or removed by any of the runs");
}

#[test]
fn a_profile_whose_detect_files_are_missing_refuses_the_checkout() {
    let sb = with_exported_templates();
    sb.edit(
        ".add-backend/litestream/profile.toml",
        "files = [\"go.mod\", \"replica_client.go\"]",
        "files = [\"go.mod\", \"db.go\"]",
    );
    let before = sb.tree();
    trusted(&sb, &["ftp"]).fails(1, "db.go not found in ");
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_misspelt_when_or_template_in_a_profile_is_an_error_placed_in_it() {
    let sb = with_exported_templates();
    let profile = ".add-backend/litestream/profile.toml";
    sb.edit(profile, "when = \"has_harness\"", "when = \"has_harnes\"");
    let at = sb.read(profile).lines().position(|l| l == "when = \"has_harnes\"").unwrap();
    // The error names the [[patches]] table the line belongs to.
    let table =
        sb.read(profile).lines().take(at).collect::<Vec<_>>().iter().rposition(|l| *l == "[[patches]]").unwrap() + 1;
    let before = sb.tree();
    trusted(&sb, &["ftp"]).fails(1, &format!("{profile}:{table}:1: when: "));
    assert!(trusted(&sb, &["ftp"]).stderr.contains("has_harnes"));
    assert_eq!(sb.tree(), before);

    sb.edit(profile, "when = \"has_harnes\"", "when = \"has_harness\"");
    sb.edit(profile, "template = \"main_case.go\"", "template = \"main_cse.go\"");
    let at = sb.read(profile).lines().position(|l| l == "template = \"main_cse.go\"").unwrap();
    let table =
        sb.read(profile).lines().take(at).collect::<Vec<_>>().iter().rposition(|l| *l == "[[patches]]").unwrap() + 1;
    let before = sb.tree();
    trusted(&sb, &["ftp"]).fails(1, &format!("{profile}:{table}:1: no template litestream/main_cse.go"));
    assert!(sb.tree() == before, "nothing written");
}

#[test]
fn a_profile_path_leading_out_of_the_checkout_is_refused() {
    let sb = with_exported_templates();
    let before_edit = sb.tree();
    sb.edit(
        ".add-backend/litestream/profile.toml",
        "path = \"{{ package }}/storage.go\"",
        "path = \"zz/../../escape.go\"",
    );
    let before = sb.tree();
    trusted(&sb, &["ftp"]).fails(1, "zz/../../escape.go: a path to write must lead down from the checkout's root");
    assert_eq!(sb.tree(), before);
    assert!(!sb.root.parent().unwrap().join("escape.go").exists());
    assert_eq!(before.len(), before_edit.len());
}

#[test]
fn an_import_a_patch_adds_is_not_added_again_by_the_next() {
    let sb = with_exported_templates();
    sb.edit(
        ".add-backend/litestream/profile.toml",
        "[[patches]]\nfile = \"cmd/litestream/main.go\"\nanchor = \"import\"\n",
        "[[patches]]\nfile = \"cmd/litestream/main.go\"\nanchor = \"import\"\npath = \"strconv\"\n\n[[patches]]\nfile = \"cmd/litestream/main.go\"\nanchor = \"import\"\n",
    );
    assert!(!sb.read("cmd/litestream/main.go").contains("\"strconv\""));
    // The port's constructor code uses strconv too.
    trusted(&sb, &["ftp", "--field", "port:int"]).success();
    assert_eq!(sb.read("cmd/litestream/main.go").matches("\t\"strconv\"\n").count(), 1);
}

#[test]
fn remove_works_whatever_becomes_of_the_checkouts_profile() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    trusted(&sb, &["ftp"]).success();
    let dir = sb.root.join(".add-backend");
    trusted(&sb, &["templates", "export", dir.to_str().unwrap()]).success();
    sb.edit(".add-backend/litestream/profile.toml", "target = \"litestream\"", "target = \"litestream\"\nbogus = 1");
    trusted(&sb, &["remove", "ftp"]).success();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_team_profile_s_files_and_parameters_go_with_the_backend_it_added() {
    let sb = Sandbox::litestream();
    let pristine = sb.tree();
    let own = tempfile::tempdir().unwrap();
    let dir = own.path().to_str().unwrap();
    sb.run(&["templates", "export", dir]).success();
    let profile = own.path().join("litestream/profile.toml");
    let text = std::fs::read_to_string(&profile).unwrap();
    let text = text.replacen(
        "[[files]]",
        "[params.team]\nhelp = \"the team that owns the backend\"\n\n[[files]]\ntemplate = \"extra.go\"\npath = \"{{ package }}/extra.go\"\n\n[[files]]",
        1,
    );
    std::fs::write(&profile, text).unwrap();
    std::fs::write(
        own.path().join("litestream/extra.go.tera"),
        "package {{ package }}\n\nimport (\n\t\"fmt\"\n)\n\n// Team says who owns the backend.\nvar Team = fmt.Sprint(\"storage\")\n",
    )
    .unwrap();

    sb.run(&["ftp", "--templates", dir, "--set", "team=storage"]).success();
    assert!(sb.root.join("ftp/extra.go").is_file());
    // Re-generated with the same profile, then removed with it.
    sb.run(&["ftp", "--templates", dir, "--set", "team=storage", "--field", "host"]).success();
    sb.run(&["remove", "ftp"]).fails(1, "names ftp/extra.go, which add-backend never writes");
    sb.run(&["remove", "ftp", "--templates", dir]).success();
    assert!(sb.tree() == pristine);
}
