//! `--require MODULE[@VERSION]`: the client library added to go.mod and
//! go.sum through `go get` on copies of them, as part of the plan (dry run,
//! manifest, re-run, remove). The refusals need no Go; the rest takes the
//! module from the Go module proxy, and fails under CI without Go.

use crate::common::Sandbox;
use crate::go_toolchain::{go, have_go};

const MULTIERROR: &str = "github.com/hashicorp/go-multierror@v1.1.1";

/// Imports the required module in the storage file, as a user does first.
fn use_multierror(sb: &Sandbox) {
    sb.edit("ftp/storage.go", "\t\"time\"\n)", "\t\"time\"\n\n\t\"github.com/hashicorp/go-multierror\"\n)");
    sb.edit(
        "ftp/storage.go",
        "func notImplemented(method string) error {\n",
        "func notImplemented(method string) error {\n\t_ = multierror.Append\n",
    );
}

#[test]
fn require_adds_the_module_as_go_get_does_and_remove_takes_exactly_it_out() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    let before = sb.tree();

    let dry = sb.run(&["ftp", "--require", MULTIERROR, "--dry-run"]);
    dry.success();
    assert!(dry.stdout.contains("+\tgithub.com/hashicorp/go-multierror v1.1.1 // indirect"), "{}", dry.stdout);
    assert!(dry.stdout.contains("+github.com/hashicorp/go-multierror v1.1.1 h1:"), "{}", dry.stdout);
    assert_eq!(sb.tree(), before, "a dry run writes nothing");

    let run = sb.run(&["ftp", "--require", MULTIERROR]);
    run.success();
    for line in [
        "insert  go.mod  require github.com/hashicorp/go-multierror v1.1.1 // indirect",
        "insert  go.mod  require github.com/hashicorp/errwrap v1.0.0 // indirect",
        "insert  go.sum  4 checksums",
    ] {
        assert!(run.stderr.contains(line), "{line:?} in:\n{}", run.stderr);
    }
    let manifest = sb.read(".add-backend/backends/ftp.json");
    assert!(manifest.contains(&format!("\"require\": [\n      \"{MULTIERROR}\"\n    ]")), "{manifest}");

    // The storage file can import it at once: the module and its checksums are there.
    use_multierror(&sb);
    go(&sb.root, &["build", "./..."]);
    go(&sb.root, &["vet", "./ftp/"]);

    // Again: required already, go is not run, nothing changes.
    let after = sb.tree();
    let again = sb.run(&["ftp", "--require", MULTIERROR]);
    again.success();
    assert!(
        again.stderr.contains("reuse  go.mod  require github.com/hashicorp/go-multierror v1.1.1 (required already)"),
        "{}",
        again.stderr
    );
    assert_eq!(sb.tree(), after);

    // Other settings re-generate the backend; the same requirement leaves
    // go.mod and go.sum as they are.
    let (go_mod, go_sum) = (sb.read("go.mod"), sb.read("go.sum"));
    sb.run(&["ftp", "--field", "host!", "--require", MULTIERROR]).success();
    assert_eq!((sb.read("go.mod"), sb.read("go.sum")), (go_mod, go_sum));

    sb.run(&["remove", "ftp", "--force"]).success();
    assert_eq!(sb.tree(), before, "remove puts go.mod and go.sum back byte for byte");
}

/// `go get` upgrades a requirement the new module needs newer: go.mod is
/// then replaced whole, and remove puts the old one back.
#[test]
fn an_upgrade_replaces_go_mod_whole_and_remove_puts_it_back() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.edit(
        "go.mod",
        "\tgopkg.in/yaml.v2 v2.4.0\n)",
        "\tgithub.com/hashicorp/go-multierror v1.0.0\n\tgopkg.in/yaml.v2 v2.4.0\n)",
    );
    let before = sb.tree();
    let run = sb.run(&["ftp", "--require", MULTIERROR]);
    run.success();
    assert!(
        run.stderr.contains("update  go.mod  upgrade github.com/hashicorp/go-multierror v1.0.0 => v1.1.1"),
        "{}",
        run.stderr
    );
    let manifest = sb.read(".add-backend/backends/ftp.json");
    assert!(manifest.contains("\"path\": \"go.mod\",") && manifest.contains("\"before\": \"module "), "{manifest}");
    sb.run(&["remove", "ftp"]).success();
    assert_eq!(sb.tree(), before);
}

/// After `go mod tidy` changed go.mod, a forced remove leaves it, and
/// go.sum with it: the requirements kept need their checksums.
#[test]
fn a_remove_that_keeps_an_edited_go_mod_keeps_go_sum() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.run(&["ftp", "--require", MULTIERROR]).success();
    let sums = sb.read("go.sum");
    sb.edit("go.mod", "go-multierror v1.1.1 // indirect", "go-multierror v1.1.1");
    let edited = sb.read("go.mod");
    sb.run(&["remove", "ftp"]).fails(1, "changed since add-backend wrote it: go.mod");
    let run = sb.run(&["remove", "ftp", "--force"]);
    run.success();
    assert!(run.stderr.contains("keep  go.sum  checksums kept"), "{}", run.stderr);
    assert_eq!((sb.read("go.mod"), sb.read("go.sum")), (edited, sums));
}

#[test]
fn a_module_the_proxy_does_not_have_is_go_s_one_line_error_and_nothing_is_written() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["ftp", "--require", "example.invalid/no/such/module@v1.0.0"])
        .fails(1, "--require example.invalid/no/such/module@v1.0.0: go get failed: ");
    assert_eq!(sb.tree(), before);
}

#[test]
fn bad_requires_are_refused_before_anything_is_read() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    for (spec, message) in [
        ("-modfile=/tmp/x", "a module path starts with a letter or digit"),
        ("github.com/a b", "a module path is letters, digits"),
        ("github.com/../x", "no empty, . or .. element"),
        ("all", "starts with a host name"),
        ("github.com/a/b@", "a version is v1.2.3, latest"),
        ("github.com/a/b@none", "@none takes a module out"),
    ] {
        sb.run(&["ftp", &format!("--require={spec}")]).fails(2, message);
    }
    sb.run(&["ftp", "--require", "github.com/a/b", "--require", "github.com/a/b@v1.0.0"])
        .fails(2, "--require github.com/a/b: given twice");
    assert_eq!(sb.tree(), before);

    let cargo = Sandbox::fixture("sccache");
    let before = cargo.tree();
    cargo.run(&["obs", "--require", "github.com/a/b"]).fails(2, "is a Cargo checkout (`cargo add` adds a crate)");
    assert_eq!(cargo.tree(), before);
}

#[test]
fn without_go_on_path_require_says_so_and_writes_nothing() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let empty = sb.root.parent().unwrap().join("no-go-here");
    std::fs::create_dir_all(&empty).unwrap();
    sb.run_in(&sb.root, &["ftp", "--require", MULTIERROR], &[("PATH", empty.to_str().unwrap())]).fails(
        1,
        "the go command is not on PATH; install Go, or run `go get github.com/hashicorp/go-multierror@v1.1.1` yourself",
    );
    assert_eq!(sb.tree(), before);
}

/// The requirements a manifest records are the checkout's word, not the
/// user's: a run without settings re-applies them only as far as go.mod
/// has them already, and never runs go for them (here go is not even on
/// PATH: a run that tried would say so).
#[test]
fn a_manifest_s_recorded_requirements_never_run_go() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.run(&["ftp", "--require", MULTIERROR]).success();
    let no_go = sb.root.parent().unwrap().join("no-go-here");
    std::fs::create_dir_all(&no_go).unwrap();
    let path = [("PATH", no_go.to_str().unwrap())];

    let added = sb.tree();
    let again = sb.run_in(&sb.root, &["ftp"], &path);
    again.success();
    assert!(
        again.stderr.contains("reuse  go.mod  require github.com/hashicorp/go-multierror v1.1.1"),
        "{}",
        again.stderr
    );
    assert_eq!(sb.tree(), added);

    // A manifest that records a module go.mod does not have (planted, or
    // go.mod edited since): refused, nothing run, nothing written.
    sb.edit(".add-backend/backends/ftp.json", MULTIERROR, "example.com/planted@v1.0.0");
    let planted = sb.tree();
    sb.run_in(&sb.root, &["ftp"], &path).fails(
        1,
        ".add-backend/backends/ftp.json records --require example.com/planted@v1.0.0, which go.mod does not require now; add-backend runs go only for a --require on the command line",
    );
    assert_eq!(sb.tree(), planted);
}

/// `go mod tidy`, as the next step says, with the module imported.
fn tidy(sb: &Sandbox) {
    let out = std::process::Command::new("go")
        .args(["mod", "tidy"])
        .current_dir(&sb.root)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The fixture with its indirect requirement in a block, where go get only
/// inserts lines.
fn block_fixture() -> Sandbox {
    let sb = Sandbox::litestream();
    sb.edit(
        "go.mod",
        "require github.com/pierrec/lz4/v4 v4.1.23 // indirect",
        "require (\n\tgithub.com/pierrec/lz4/v4 v4.1.23 // indirect\n)",
    );
    sb
}

/// A re-generation leaves go.mod and go.sum as they are (they are not the
/// templates'): after `go mod tidy` (lines inserted, or the file replaced
/// whole), with other settings, asked with --require or not, and with an
/// older add-backend's manifest (no go run: it is not on PATH); the tree
/// builds each time, and removing the backend at the end keeps go.mod, as
/// tidy changed it, with its checksums.
#[test]
fn a_re_generation_leaves_go_mod_and_go_sum_as_they_are() {
    if !have_go() {
        return;
    }
    for sb in [Sandbox::litestream(), block_fixture()] {
        sb.run(&["ftp", "--field", "host!", "--require", MULTIERROR]).success();
        use_multierror(&sb);
        tidy(&sb);
        let (go_mod, go_sum) = (sb.read("go.mod"), sb.read("go.sum"));
        let same = |sb: &Sandbox| assert_eq!((sb.read("go.mod"), sb.read("go.sum")), (go_mod.clone(), go_sum.clone()));

        sb.run(&["ftp", "--field", "host!", "--field", "port:int", "--require", MULTIERROR, "--force"]).success();
        same(&sb);
        go(&sb.root, &["build", "./..."]);
        sb.run(&["ftp", "--field", "host!", "--force"]).success();
        same(&sb);
        go(&sb.root, &["build", "./..."]);
        let manifest = sb.read(".add-backend/backends/ftp.json");
        assert!(manifest.contains(MULTIERROR), "the requirement stays the backend's:\n{manifest}");

        // An older add-backend's manifest: re-applied with this one's templates.
        let no_go = sb.root.parent().unwrap().join("no-go-here");
        std::fs::create_dir_all(&no_go).unwrap();
        sb.write(
            ".add-backend/backends/ftp.json",
            &manifest.replace("\"version\": \"0.1.0\"", "\"version\": \"0.0.9\""),
        );
        sb.run_in(&sb.root, &["ftp", "--force"], &[("PATH", no_go.to_str().unwrap())]).success();
        same(&sb);

        sb.run(&["remove", "ftp", "--force"]).success();
        same(&sb);
        go(&sb.root, &["build", "./..."]);
    }
}

/// Two backends added with the same module: removing the first leaves
/// the module to the second (its manifest takes go.mod and go.sum over);
/// removing that one then puts the checkout back byte for byte.
#[test]
fn a_module_two_backends_require_stays_until_both_are_removed() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["ftp", "--field", "host!", "--require", MULTIERROR]).success();
    let required = sb.read("go.mod");
    sb.run(&["dav", "--field", "host!", "--require", MULTIERROR]).success();
    let removed = sb.run(&["remove", "ftp"]);
    removed.success();
    assert!(
        removed.stderr.contains("keep  go.mod  kept: dav requires github.com/hashicorp/go-multierror too"),
        "{}",
        removed.stderr
    );
    assert!(removed.stderr.contains("go.mod and go.sum handed to dav"), "{}", removed.stderr);
    assert_eq!(sb.read("go.mod"), required);
    sb.run(&["dav"]).success();
    sb.run(&["remove", "dav"]).success();
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_go_mod_that_replaces_a_module_with_a_directory_is_said_plainly() {
    let sb = Sandbox::litestream();
    sb.edit("go.mod", "go 1.24\n", "go 1.24\n\nreplace github.com/superfly/ltx => ./third_party/ltx\n");
    let before = sb.tree();
    sb.run(&["ftp", "--require", MULTIERROR]).fails(
        1,
        "go.mod replaces github.com/superfly/ltx with a directory, which go get on a copy of go.mod cannot see; run `go get github.com/hashicorp/go-multierror@v1.1.1` yourself",
    );
    assert_eq!(sb.tree(), before);
}
