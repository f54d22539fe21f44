//! The second target: an sccache-shaped crate over the real opendal. The
//! fixture builds before generation; after `add-backend cos`, the crate is
//! rustfmt-clean, compiles with only the new feature and without it, and its
//! tests (the file-config test the generator extended among them) pass.
//! Snapshots show each created file and the diff of each patched one.

mod common;

use std::path::Path;
use std::process::Command;

use common::Sandbox;

const COS: &[&str] = &["cos", "--service", "Cos", "--field", "bucket!", "--field", "endpoint", "--field", "key_prefix"];

/// Runs cargo in `dir` with a target directory shared by these tests, so
/// that opendal is compiled once; panics with cargo's output on failure.
fn cargo(dir: &Path, args: &[&str]) -> String {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sccache-fixture");
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "cargo {} failed in {}:\n{text}", args.join(" "), dir.display());
    text
}

#[test]
fn the_fixture_builds_and_passes_its_tests_before_generation() {
    let sb = Sandbox::fixture("sccache");
    cargo(&sb.root, &["fmt", "--check"]);
    cargo(&sb.root, &["test", "--quiet"]);
    cargo(&sb.root, &["check", "--quiet", "--no-default-features"]);
}

#[test]
fn a_generated_backend_is_formatted_compiles_alone_and_passes_the_tests() {
    let sb = Sandbox::fixture("sccache");
    sb.run(COS).success();
    cargo(&sb.root, &["fmt", "--check"]);
    cargo(&sb.root, &["check", "--quiet", "--no-default-features", "--features", "cos"]);
    let tests = cargo(&sb.root, &["test", "--no-default-features", "--features", "cos"]);
    assert!(tests.contains("test config::tests::test_parse_file_config ... ok"), "{tests}");
    // Off, the feature leaves nothing behind that fails to compile.
    cargo(&sb.root, &["check", "--quiet", "--no-default-features"]);
    // With every backend, clippy has nothing to say about the new one.
    cargo(&sb.root, &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);

    let again = sb.run(COS);
    again.success();
    assert!(again.stderr.contains("backend cos is already in place: nothing to do"), "{}", again.stderr);
}

#[test]
fn snapshots_of_the_created_files_and_the_patches() {
    let sb = Sandbox::fixture("sccache");
    let before = sb.tree();
    let run = sb.run(&[COS, &["--dry-run"]].concat());
    run.success();
    assert_eq!(sb.tree(), before, "a dry run writes nothing");
    let patches: String =
        run.stdout.split("\n--- ").filter(|d| d.starts_with("a/")).map(|d| format!("--- {d}\n")).collect();
    insta::assert_snapshot!("sccache.cos.wiring.diff", patches);

    sb.run(COS).success();
    for file in ["src/cache/cos.rs", "docs/COS.md"] {
        insta::assert_snapshot!(format!("sccache.cos.{}", file.replace('/', "__")), sb.read(file));
    }
}

#[test]
fn bad_requests_are_refused_before_anything_is_written() {
    let sb = Sandbox::fixture("sccache");
    let before = sb.tree();
    sb.run(&["cos", "--field", "endpoint"]).fails(1, "an sccache backend needs a required setting (NAME!");
    sb.run(&["cos", "--field", "bucket!", "--field", "port:int"])
        .fails(1, "--field port:int: sccache settings are strings");
    sb.run(&["cos", "--field", "Bucket!"]).fails(1, "a setting is a snake_case Rust field name");
    sb.run(&["multilevel", "--field", "bucket!"]).fails(1, "multilevel is a Rust keyword or a module of src/cache");
    sb.run(&["cos", "--service", "services-cos", "--field", "bucket!"])
        .fails(1, "--service \"services-cos\": give the OpenDAL service's type name");
    sb.edit("src/config.rs", "pub enum CacheType {", "pub enum CacheKind {");
    let edited = sb.tree();
    sb.run(COS).fails(1, "src/config.rs: no struct or enum CacheType");
    assert_eq!(sb.tree(), edited);
    assert_eq!(edited.len(), before.len());
}

#[test]
fn remove_takes_a_generated_backend_back_out() {
    let sb = Sandbox::fixture("sccache");
    let before = sb.tree();
    sb.run(COS).success();
    sb.run(&["remove", "cos"]).success();
    assert!(sb.tree() == before, "byte-identical after add and remove");
}
