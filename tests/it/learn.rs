//! `learn --like SIBLING` (src/project/learn.rs): a profile and templates
//! learnt from a backend the checkout has, written into its own
//! `.add-backend/<project>/`. An add by the learnt profile writes the tree
//! `--like` writes, on every fixture and a made-up project; it reruns to
//! nothing, comes out byte for byte, and follows an edited template;
//! doctor reads the same profile.

use crate::common::{Sandbox, Tree};

/// The tree less the checkout's own `.add-backend/` (the learnt profile,
/// the manifests: `--like` records its model there, a profile does not).
fn project_files(tree: Tree) -> Tree {
    tree.into_iter().filter(|(path, _)| !path.starts_with(".add-backend")).collect()
}

/// The paths whose content differs between two trees.
fn differing(a: &Tree, b: &Tree) -> Vec<String> {
    let mut paths: Vec<String> = a.keys().chain(b.keys()).filter(|p| a.get(*p) != b.get(*p)).cloned().collect();
    paths.dedup();
    paths
}

/// `add NAME` by the profile learnt from `model` writes what `add NAME
/// --like model` writes (on two copies of the checkout `make` makes); a
/// second add changes nothing, and remove puts every byte back. The
/// sandbox with the learnt profile, trusted, the backend removed.
fn learnt_adds_what_like_adds(make: impl Fn() -> Sandbox, model: &str, name: &str, extra: &[&str]) -> Sandbox {
    let cloned = make();
    cloned.run(&[&["add", name, "--like", model], extra].concat()).success();
    let learnt = make();
    let before = learnt.tree();
    let run = learnt.run(&["learn", "--like", model]);
    run.success();
    assert!(run.stderr.contains(&format!("learnt a profile from backend {model}")), "{}", run.stderr);
    learnt.run(&["trust"]).success();
    learnt.run(&[&["add", name], extra].concat()).success();
    let (by_like, by_profile) = (project_files(cloned.tree()), project_files(learnt.tree()));
    assert!(by_profile != project_files(before.clone()), "the learnt add wrote nothing");
    assert_eq!(differing(&by_like, &by_profile), Vec::<String>::new(), "{name} like {model}: the trees differ");
    let added = learnt.tree();
    let again = learnt.run(&[&["add", name], extra].concat());
    again.success();
    assert!(again.stderr.contains("already in place: nothing to do"), "{}", again.stderr);
    assert_eq!(learnt.tree(), added);
    learnt.run(&["remove", name]).success();
    assert_eq!(differing(&project_files(learnt.tree()), &project_files(before)), Vec::<String>::new());
    learnt
}

#[test]
fn on_the_litestream_fixture_the_learnt_profile_adds_what_like_adds() {
    let sb = learnt_adds_what_like_adds(Sandbox::litestream, "sftp", "ftp", &[]);
    // A name of two words, a longer one (gofmt's columns move), the
    // tree's spelling overridden, and another model.
    learnt_adds_what_like_adds(Sandbox::litestream, "sftp", "my-store", &[]);
    learnt_adds_what_like_adds(Sandbox::litestream, "sftp", "webdavs", &["--go-name", "WebDAVS"]);
    learnt_adds_what_like_adds(Sandbox::litestream, "s3", "wasabi", &[]);
    // The profile is one a person reads and edits: the model's texts,
    // the new name's forms as variables.
    let profile = sb.read(".add-backend/litestream/profile.toml");
    insta::assert_snapshot!("learn.litestream.profile", profile);
    let case = sb.read(".add-backend/litestream/wiring/cmd/litestream/main.go.1.tera");
    assert_eq!(
        case,
        "\tcase \"{{ package }}\":\n\t\tif r.Client, err = new{{ go_name }}ReplicaClientFromConfig(c, r); err != nil {\n\t\t\treturn nil, err\n\t\t}"
    );
    let client = sb.read(".add-backend/litestream/files/sftp/replica_client.go.tera");
    assert!(client.contains("package {{ package }}\n"), "{client}");
    // `github.com/pkg/sftp`-like paths of other modules are not the model's.
    assert!(!client.contains("github.com/pkg/{{"), "{client}");
}

#[test]
fn on_the_sccache_fixture_the_learnt_profile_adds_what_like_adds() {
    let sb = learnt_adds_what_like_adds(|| Sandbox::fixture("sccache"), "oss", "obs", &[]);
    learnt_adds_what_like_adds(|| Sandbox::fixture("sccache"), "oss", "my-store", &[]);
    let cache = sb.read(".add-backend/sccache/files/src/cache/oss.rs.tera");
    // Another crate's names stay as they are: `opendal::services::Oss`.
    assert!(cache.contains("services::Oss"), "{cache}");
    assert!(cache.contains("{{ go_name }}"), "{cache}");
    let features = std::fs::read_dir(sb.root.join(".add-backend/sccache/wiring")).unwrap().count();
    assert!(features > 0);
    assert!(
        sb.read(".add-backend/sccache/profile.toml")
            .contains("file = \"Cargo.toml\"\nanchor = \"clone\"\nunit = \"feature oss\"")
    );
}

#[test]
fn on_the_rclone_fixture_the_learnt_profile_replaces_the_built_in_one() {
    let sb = learnt_adds_what_like_adds(|| Sandbox::fixture("rclone"), "alpha", "acme", &[]);
    let profile = sb.read(".add-backend/rclone/profile.toml");
    assert!(profile.contains("[like]\nbackend = \"alpha\""), "{profile}");
    assert!(profile.contains("path = \"backend/{name}/{name}.go\""), "{profile}");
}

#[test]
fn on_a_made_up_project_a_prefix_s_length_is_the_new_name_s() {
    let sb = learnt_adds_what_like_adds(crate::like::made_up_project, "memory", "redis", &[]);
    learnt_adds_what_like_adds(crate::like::made_up_project, "memory", "s3", &[]);
    // Named for the Go module (example.com/kv): the project has no profile.
    let store = sb.read(".add-backend/kv/files/store/memory/memory.go.tera");
    assert!(
        store.contains("if strings.HasPrefix(s, \"{{ package }}:\") {\n\t\treturn s[{{ (package | length) + 1 }}:]\n"),
        "{store}"
    );
    let profile = sb.read(".add-backend/kv/profile.toml");
    assert!(
        profile.contains("target = \"kv\"\n\n[detect]\nfiles = [\"go.mod\"]\ngo-module = \"example.com/kv\"\n"),
        "{profile}"
    );
}

#[test]
fn learning_again_changes_nothing_and_a_file_edited_since_is_kept_unless_forced() {
    let sb = Sandbox::litestream();
    sb.run(&["learn", "--like", "sftp"]).success();
    let learnt = sb.tree();
    let again = sb.run(&["learn", "--like", "sftp"]);
    again.success();
    assert!(again.stderr.contains("the profile learnt from backend sftp is already in place"), "{}", again.stderr);
    assert_eq!(sb.tree(), learnt);
    let template = ".add-backend/litestream/wiring/cmd/litestream/main.go.1.tera";
    sb.edit(template, "\tcase", "\t// ours\n\tcase");
    let edited = sb.tree();
    sb.run(&["learn", "--like", "sftp"])
        .fails(1, "main.go.1.tera there already, and different; --force writes over them");
    assert_eq!(sb.tree(), edited);
    sb.run(&["learn", "--like", "sftp", "--force"]).success();
    assert_eq!(sb.tree(), learnt);
    // Learnt again from another model, the first one's templates go.
    sb.run(&["learn", "--like", "s3", "--force"]).success();
    assert!(!sb.root.join(".add-backend/litestream/files/sftp").exists());
    assert!(sb.read(".add-backend/litestream/profile.toml").contains("[like]\nbackend = \"s3\""));
    sb.run(&["learn", "--like", "sftp", "--force"]).success();
    assert_eq!(sb.tree(), learnt);
    // A dry run shows the files, and writes nothing.
    let fresh = Sandbox::litestream();
    let before = fresh.tree();
    let dry = fresh.run(&["learn", "--like", "sftp", "--dry-run"]);
    dry.success();
    assert!(dry.stdout.contains("+++ b/.add-backend/litestream/profile.toml"), "{}", dry.stdout);
    assert_eq!(fresh.tree(), before);
    // What learn writes is the learnt profile's, and nothing else.
    let json = fresh.run(&["learn", "--like", "sftp", "--dry-run", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    for file in plan["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        assert!(
            path.starts_with(".add-backend/litestream/") && (path.ends_with(".tera") || path.ends_with("profile.toml")),
            "{path}"
        );
    }
    fresh.run(&["learn"]).fails(2, "--like");
    fresh.run(&["learn", "--like", "nosuch"]).fails(1, "nosuch");
    assert_eq!(fresh.tree(), before);
}

#[test]
fn an_edited_template_is_what_the_add_writes_and_a_rerun_finds_it() {
    let sb = Sandbox::litestream();
    sb.run(&["learn", "--like", "sftp"]).success();
    sb.edit(
        ".add-backend/litestream/wiring/cmd/litestream/main.go.1.tera",
        "\tcase \"{{ package }}\":\n",
        "\tcase \"{{ package }}\": // {{ go_name }}, learnt from sftp\n",
    );
    // Untrusted, the checkout's own profile is not used.
    sb.run(&["ftp"]).fails(1, "trust");
    sb.run(&["trust"]).success();
    sb.run(&["ftp"]).success();
    assert!(sb.read("cmd/litestream/main.go").contains("\tcase \"ftp\": // FTP, learnt from sftp\n"));
    let added = sb.tree();
    sb.run(&["ftp"]).success();
    assert_eq!(sb.tree(), added);
}

#[test]
fn doctor_reads_the_learnt_profile() {
    let sb = Sandbox::litestream();
    sb.run(&["learn", "--like", "sftp"]).success();
    sb.run(&["trust"]).success();
    sb.run(&["ftp"]).success();
    let json: serde_json::Value = serde_json::from_str(&sb.run(&["doctor", "--format", "json"]).stdout).unwrap();
    let backends = json["backends"].as_array().unwrap();
    let row = |name: &str| backends.iter().find(|b| b["package"] == name).unwrap_or_else(|| panic!("{name}: {json}"));
    // The model and a backend the profile added are wired everywhere.
    assert_eq!(row("sftp")["complete"], true, "{json}");
    assert_eq!(row("ftp")["complete"], true, "{json}");
    // A clone's case taken out is missing, in its file's column.
    sb.edit("cmd/litestream/replicate.go", "\tcase *ftp.ReplicaClient:\n", "\tcase *ftp.ReplicaClient, nil:\n");
    let json: serde_json::Value = serde_json::from_str(&sb.run(&["doctor", "--format", "json"]).stdout).unwrap();
    let ftp = json["backends"].as_array().unwrap().iter().find(|b| b["package"] == "ftp").unwrap().clone();
    let replicate = ftp["checks"].as_array().unwrap().iter().find(|c| c["name"] == "replicate").unwrap();
    assert_eq!(replicate["present"], false, "{ftp}");
}

#[test]
fn a_clone_anchor_needs_a_learnt_profile_and_the_model_s_unit() {
    let sb = Sandbox::litestream();
    sb.run(&["learn", "--like", "sftp"]).success();
    let profile = ".add-backend/litestream/profile.toml";
    let text = sb.read(profile);
    sb.edit(profile, "[like]\nbackend = \"sftp\"\ngo-name = \"SFTP\"\n", "");
    sb.run(&["trust"]).success();
    sb.run(&["ftp"]).fails(1, "anchor \"clone\" is for a profile learnt from a backend");
    assert!(text.contains("unit = 'case clone of case \"sftp\"'"), "{text}");
    sb.write(profile, &text.replace("unit = 'case clone of case \"sftp\"'", "unit = 'case clone of case \"nosuch\"'"));
    sb.run(&["trust"]).success();
    let before = sb.tree();
    sb.run(&["ftp"]).fails(1, "no unit `case clone of case \"nosuch\"` of sftp");
    assert_eq!(sb.tree(), before);
}

/// A profile, its own learnt one too, may name no file under
/// `.add-backend/`: not a profile (which learn alone writes), nor
/// add-backend's records of the backends.
#[test]
fn a_profile_may_not_write_a_profile_though_learn_may() {
    for path in [".add-backend/litestream/profile.toml", ".add-backend/backends/{{ package }}.json"] {
        let sb = Sandbox::litestream();
        sb.run(&["learn", "--like", "sftp"]).success();
        let profile = ".add-backend/litestream/profile.toml";
        let text = sb.read(profile);
        let file = format!("[[files]]\ntemplate = \"files/sftp/replica_client.go\"\npath = \"{path}\"\n\n[[files]]");
        sb.write(profile, &text.replacen("[[files]]", &file, 1));
        sb.run(&["trust"]).success();
        let before = sb.tree();
        sb.run(&["ftp"]).fails(1, "no profile may write there");
        assert_eq!(sb.tree(), before);
    }
}

/// Found by a hostile review: more than one backend by a learnt profile,
/// where the model is last in a list (its separators are the clone's
/// place's, not the template's), or leads a method chain.
#[test]
fn backend_after_backend_by_a_learnt_profile_is_what_like_adds() {
    for model in ["oss", "webdav"] {
        let cloned = Sandbox::fixture("sccache");
        let learnt = Sandbox::fixture("sccache");
        let before = learnt.tree();
        learnt.run(&["learn", "--like", model]).success();
        learnt.run(&["trust"]).success();
        for name in ["b2", "r2"] {
            cloned.run(&["add", name, "--like", model]).success();
            learnt.run(&["add", name]).success();
        }
        assert_eq!(differing(&project_files(cloned.tree()), &project_files(learnt.tree())), Vec::<String>::new());
        let added = learnt.tree();
        learnt.run(&["add", "b2"]).success();
        assert_eq!(learnt.tree(), added, "a second add of b2 like {model}");
        // Learning again after the adds learns the same profile.
        learnt.run(&["learn", "--like", model]).success();
        assert_eq!(learnt.tree(), added);
        // Taken out in either order (a clone added after another of the
        // model's does not split the other's text).
        let order = if model == "oss" { ["b2", "r2"] } else { ["r2", "b2"] };
        for name in order {
            learnt.run(&["remove", name]).success();
        }
        assert_eq!(differing(&project_files(learnt.tree()), &project_files(before.clone())), Vec::<String>::new());
    }
}

#[test]
fn doctor_of_a_learnt_profile_examines_the_backends_alone() {
    let sb = Sandbox::fixture("sccache");
    sb.run(&["learn", "--like", "oss"]).success();
    let profile = sb.read(".add-backend/sccache/profile.toml");
    assert!(
        profile.contains("exclude = [\"cache\", \"disk\", \"http_client\", \"mod\", \"multilevel\", \"utils\"]"),
        "{profile}"
    );
    sb.run(&["trust"]).success();
    let json: serde_json::Value = serde_json::from_str(&sb.run(&["doctor", "--format", "json"]).stdout).unwrap();
    let names: Vec<&str> =
        json["backends"].as_array().unwrap().iter().map(|b| b["package"].as_str().unwrap()).collect();
    assert_eq!(names, ["oss", "webdav"], "{json}");
    // rclone: backend/all is no backend (the model cannot be cloned as it).
    let rclone = Sandbox::fixture("rclone");
    rclone.run(&["learn", "--like", "alpha"]).success();
    rclone.run(&["trust"]).success();
    let json: serde_json::Value = serde_json::from_str(&rclone.run(&["doctor", "--format", "json"]).stdout).unwrap();
    let names: Vec<&str> =
        json["backends"].as_array().unwrap().iter().map(|b| b["package"].as_str().unwrap()).collect();
    assert!(names.contains(&"alpha") && !names.contains(&"all"), "{json}");
}

#[test]
fn a_short_model_or_one_named_like_a_stand_in_is_learnt_too() {
    let make = || {
        let sb = Sandbox::litestream();
        sb.run(&["k", "--like", "sftp"]).success();
        sb.run(&["zq", "--like", "sftp"]).success();
        sb
    };
    learnt_adds_what_like_adds(make, "k", "ab", &[]);
    learnt_adds_what_like_adds(make, "zq", "ftp", &[]);
}

#[test]
fn what_a_learnt_profile_may_not_do() {
    let sb = Sandbox::litestream();
    sb.run(&["learn", "--like", "sftp"]).success();
    // Its settings are its templates'.
    sb.run(&["trust"]).success();
    sb.run(&["nfs", "--field", "region!"]).fails(2, "is learnt from a backend (learn --like)");
    // A template that renders nothing inserts nothing, and says so.
    let template = ".add-backend/litestream/wiring/cmd/litestream/main.go.1.tera";
    sb.write(template, "{# nothing #}");
    sb.run(&["trust"]).success();
    let before = sb.tree();
    sb.run(&["ftp"]).fails(1, "renders nothing");
    assert_eq!(sb.tree(), before);
}
