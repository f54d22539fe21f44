//! The second target: an sccache-shaped crate (main's shape, 2026) over the
//! real opendal 0.58. The fixture builds before generation; after
//! `add-backend cos`, the crate is rustfmt-clean, compiles with only the
//! new feature and without it, clippy has nothing to say, and its tests
//! (the file-config test the generator extended among them) pass.
//! Snapshots show each created file and the diff of each patched one.

use std::path::Path;
use std::process::Command;

use crate::common::Sandbox;

const COS: &[&str] = &[
    "cos",
    "--service",
    "Cos",
    "--title",
    "Tencent Cloud Object Storage",
    "--field",
    "bucket!",
    "--field",
    "endpoint",
    "--field",
    "key_prefix",
];

/// A long name and more settings: the lines rustfmt breaks differently.
const LONG: &[&str] = &[
    "tencent-cos-v5",
    "--service",
    "Cos",
    "--field",
    "bucket!",
    "--field",
    "key_prefix",
    "--field",
    "endpoint",
    "--field",
    "secret_id",
    "--field",
    "secret_key",
];

/// Runs cargo in `dir` with a target directory shared by these tests, so
/// that opendal is compiled once; panics with cargo's output on failure.
pub fn cargo(dir: &Path, args: &[&str]) -> String {
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
    cargo(&sb.root, &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
}

#[test]
fn a_generated_backend_is_formatted_compiles_alone_and_passes_the_tests() {
    let sb = Sandbox::fixture("sccache");
    let run = sb.run(COS);
    run.success();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    cargo(&sb.root, &["fmt", "--check"]);
    cargo(&sb.root, &["check", "--quiet", "--no-default-features", "--features", "cos"]);
    let tests = cargo(&sb.root, &["test", "--no-default-features", "--features", "cos"]);
    assert!(tests.contains("test config::full_toml_parse ... ok"), "{tests}");
    // Off, the feature leaves nothing behind that fails to compile.
    cargo(&sb.root, &["check", "--quiet", "--no-default-features"]);
    // With every backend, clippy has nothing to say about the new one.
    cargo(&sb.root, &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);

    let again = sb.run(COS);
    again.success();
    assert!(again.stderr.contains("backend cos is already in place: nothing to do"), "{}", again.stderr);
}

#[test]
fn a_long_name_with_more_settings_is_formatted_and_compiles() {
    let sb = Sandbox::fixture("sccache");
    sb.run(LONG).success();
    cargo(&sb.root, &["fmt", "--check"]);
    let tests = cargo(&sb.root, &["test", "--no-default-features", "--features", "tencent-cos-v5"]);
    assert!(tests.contains("test config::full_toml_parse ... ok"), "{tests}");
    let module = sb.read("src/cache/tencent_cos_v5.rs");
    assert!(module.contains("builder = builder.secret_id(secret_id);"), "{module}");
}

/// rustfmt breaks a line by its width, which the name decides: for every
/// length of name, with one setting, a few and many, the patched sources
/// are exactly as rustfmt lays them out, or the run said which line is not.
#[test]
fn every_length_of_name_is_laid_out_as_rustfmt_lays_it_out() {
    let shapes: [&[&str]; 3] = [
        &["--field", "bucket!"],
        &["--field", "bucket!", "--field", "endpoint", "--field", "key_prefix"],
        &[
            "--field",
            "bucket!",
            "--field",
            "key_prefix",
            "--field",
            "secret_id",
            "--field",
            "endpoint",
            "--field",
            "secret_key",
            "--field",
            "security_token",
        ],
    ];
    // Every case in one sandbox of its own, all checked by one rustfmt run
    // over their crates' roots (rustfmt follows the modules from there).
    let cases = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    let mut roots = Vec::new();
    for length in 1..=26 {
        let name = "q".repeat(length);
        for fields in shapes {
            let sb = Sandbox::fixture("sccache");
            let run = sb.run(&[&[name.as_str(), "--service", "Cos"], fields].concat());
            run.success();
            let case = cases.path().join(format!("{name}-{}", fields.len() / 2));
            for part in ["src", "tests", ".rustfmt.toml"] {
                let from = sb.root.join(part);
                if from.is_dir() {
                    crate::common::copy_tree(&from, &case.join(part));
                } else {
                    std::fs::create_dir_all(&case).unwrap();
                    std::fs::copy(&from, case.join(part)).unwrap();
                }
            }
            roots.extend([case.join("src/lib.rs"), case.join("tests/system.rs")]);
            runs.push((
                name.clone(),
                fields.len() / 2,
                case,
                run.stderr.matches("is now wider than rustfmt keeps on one line").count(),
            ));
        }
    }
    let fmt = Command::new("rustfmt").args(["--check", "--edition", "2024"]).args(&roots).output().unwrap();
    let out = String::from_utf8_lossy(&fmt.stdout);
    assert!(fmt.status.success() || !out.is_empty(), "rustfmt failed: {}", String::from_utf8_lossy(&fmt.stderr));
    let mut unannounced = Vec::new();
    for (name, settings, case, warned) in runs {
        let prefix = format!("Diff in {}/", case.display());
        let diffs = out.lines().filter(|l| l.starts_with(&prefix)).count();
        if diffs > 0 && warned == 0 {
            unannounced.push(format!("{name} with {settings} settings: {diffs} lines"));
        }
        if name.len() <= 15 {
            assert_eq!((diffs, warned), (0, 0), "{name} with {settings} settings:\n{out}");
        }
    }
    assert!(unannounced.is_empty(), "not as rustfmt lays them out, unannounced: {unannounced:?}");
}

/// A backend whose feature has a dash (`tencent-cos`) is a sibling like
/// any other: its module is `tencent_cos`, and the next one goes after it.
#[test]
fn a_dashed_feature_is_a_sibling_by_its_module() {
    let sb = Sandbox::fixture("sccache");
    sb.run(&["tencent-cos", "--service", "Cos", "--field", "bucket!"]).success();
    sb.run(&["obs", "--service", "Obs", "--field", "bucket!"]).success();
    let config = sb.read("src/config.rs");
    assert!(config.contains("    TencentCOS(TencentCOSCacheConfig),\n    OBS(OBSCacheConfig),\n}"), "{config}");
    assert!(
        config.contains("    pub tencent_cos: Option<TencentCOSCacheConfig>,\n    pub obs: Option<OBSCacheConfig>,\n")
    );
    assert!(config.contains("        None\n    };\n\n    // ======= OBS =======\n"), "{config}");
    let cargo_toml = sb.read("Cargo.toml");
    assert!(cargo_toml.contains("obs = [\n  \"opendal/services-obs\",\n  \"opendal-layer-logging\","), "{cargo_toml}");
}

/// Docs that end without a newline get whole lines, and lose them again.
#[test]
fn docs_without_a_final_newline_get_whole_lines() {
    let sb = Sandbox::fixture("sccache");
    for doc in ["README.md", "docs/Configuration.md"] {
        let text = sb.read(doc);
        sb.write(doc, text.trim_end());
    }
    let before = sb.tree();
    sb.run(COS).success();
    let readme = sb.read("README.md");
    assert!(
        readme.ends_with("* [Alibaba OSS](docs/OSS.md)\n* [Tencent Cloud Object Storage](docs/COS.md)\n"),
        "{readme}"
    );
    let config = sb.read("docs/Configuration.md");
    assert!(config.ends_with("* `SCCACHE_OSS_RW_MODE`\n\n#### Tencent Cloud Object Storage\n\n* `SCCACHE_COS_BUCKET`\n* `SCCACHE_COS_ENDPOINT`\n* `SCCACHE_COS_KEY_PREFIX`\n* `SCCACHE_COS_RW_MODE`\n"), "{config}");
    sb.run(&["remove", "cos"]).success();
    assert!(sb.tree() == before, "byte-identical after add and remove");
}

/// A checkout whose rustfmt width is not the default is told that lines
/// are broken as at 100.
#[test]
fn another_rustfmt_width_is_warned_of() {
    let sb = Sandbox::fixture("sccache");
    sb.write(".rustfmt.toml", "edition = \"2024\"\nmax_width = 80\n");
    let run = sb.run(&[COS, &["--dry-run"]].concat());
    run.success();
    assert!(run.stderr.contains("warning: this checkout sets rustfmt's max_width to 80"), "{}", run.stderr);
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

/// The new module builds its operator as the checkout's own modules do:
/// here, as they did on OpenDAL 0.55, through layers and `finish()`.
#[test]
fn the_module_follows_its_siblings_opendal_idiom() {
    let sb = Sandbox::fixture("sccache");
    for module in ["src/cache/oss.rs", "src/cache/webdav.rs"] {
        sb.edit(
            module,
            "use opendal::OperationContext;\nuse opendal::Operator;",
            "use opendal::Operator;\nuse opendal::layers::{HttpClientLayer, LoggingLayer};",
        );
        sb.edit(module, "use opendal_layer_logging::LoggingLayer;\n", "");
        sb.edit(
            module,
            "            .with_context(OperationContext::new().with_http_transport(set_user_agent()))\n            .layer(LoggingLayer::default());",
            "            .layer(HttpClientLayer::new(set_user_agent()))\n            .layer(LoggingLayer::default())\n            .finish();",
        );
    }
    sb.run(COS).success();
    let module = sb.read("src/cache/cos.rs");
    let want =
        "use opendal::Operator;\nuse opendal::layers::{HttpClientLayer, LoggingLayer};\nuse opendal::services::Cos;\n";
    assert!(module.contains(want), "{module}");
    assert!(
        module.contains(
            "        let op = Operator::new(builder)?\n            .layer(HttpClientLayer::new(set_user_agent()))\n            .layer(LoggingLayer::default())\n            .finish();\n        Ok(op)\n"
        ),
        "{module}"
    );
    assert!(!module.contains("OperationContext"), "{module}");
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
    sb.run(&["cos", "--title", "[COS]", "--field", "bucket!"]).fails(1, "--title \"[COS]\": give the backend's name");
    sb.run(&["cos", "--field", "bucket!", "--field", "rw_mode"]).fails(1, "every cache config has rw_mode already");
    for (name, what) in
        [("all", "a feature"), ("dist-client", "a feature"), ("reqwest", "a dependency"), ("opendal", "a dependency")]
    {
        sb.run(&[name, "--field", "bucket!"])
            .fails(1, &format!("backend name {name:?} is taken: Cargo.toml has {what} of that name already"));
    }
    sb.edit("src/config.rs", "pub enum CacheType {", "pub enum CacheKind {");
    let edited = sb.tree();
    sb.run(COS).fails(1, "src/config.rs: no struct or enum CacheType");
    assert_eq!(sb.tree(), edited);
    assert_eq!(edited.len(), before.len());
}

#[test]
fn remove_takes_a_generated_backend_back_out() {
    for request in [COS, LONG] {
        let sb = Sandbox::fixture("sccache");
        let before = sb.tree();
        sb.run(request).success();
        sb.run(&["remove", request[0]]).success();
        assert!(sb.tree() == before, "{}: byte-identical after add and remove", request[0]);
    }
}

#[test]
fn an_add_with_other_settings_re_generates_the_backend_as_a_fresh_add_would() {
    let sb = Sandbox::fixture("sccache");
    let pristine = sb.tree();
    sb.run(COS).success();
    let other: &[&str] = &["cos", "--service", "Cos", "--title", "COS", "--field", "bucket!", "--field", "secret_id"];
    let run = sb.run(other);
    run.success();
    assert!(run.stderr.contains("update  src/cache/cos.rs"), "{}", run.stderr);
    let fresh = Sandbox::fixture("sccache");
    fresh.run(other).success();
    assert!(sb.tree() == fresh.tree(), "a re-generation writes what a fresh add with its settings writes");
    let again = sb.run(&["cos"]);
    again.success();
    assert!(again.stderr.contains("nothing to do"), "the recorded settings: {}", again.stderr);
    sb.run(&["remove", "cos"]).success();
    assert!(sb.tree() == pristine, "remove after a re-generation restores the checkout");
}

#[test]
fn a_backend_added_with_a_go_name_is_removed_by_its_recorded_name() {
    let sb = Sandbox::fixture("sccache");
    let pristine = sb.tree();
    sb.run(&["gdrive", "--go-name", "GDrive", "--service", "Gdrive", "--field", "root!"]).success();
    assert!(sb.root.join("docs/GDrive.md").is_file());
    sb.run(&["remove", "gdrive"]).success();
    assert!(sb.tree() == pristine);
}

/// Only a Go project's backends add-backend did not write are taken out;
/// sccache's own are refused, naming why, and nothing is written.
#[test]
fn a_backend_add_backend_did_not_write_is_refused() {
    let sb = Sandbox::fixture("sccache");
    let before = sb.tree();
    sb.run(&["remove", "oss", "--force"]).fails(
        1,
        "backend oss was not added by add-backend here (no .add-backend/backends/oss.json); add-backend takes out a backend it did not write only in a Go project",
    );
    assert_eq!(sb.tree(), before);
}

/// A large file is parsed only in the items that hold an insertion
/// point (the answers are the whole parse's: src/fuzz.rs's property tests).
#[test]
fn only_the_items_that_hold_an_insertion_point_are_parsed() {
    let sb = Sandbox::fixture("sccache");
    let run = sb.run(&[COS, &["--dry-run", "-v"]].concat());
    run.success();
    let parsed = |file: &str| -> (usize, usize) {
        let line = run
            .stderr
            .lines()
            .find(|l| l.ends_with(&format!(" bytes of {file}")))
            .unwrap_or_else(|| panic!("{}", run.stderr));
        let words: Vec<&str> = line.split_whitespace().collect();
        (words[2].parse().unwrap(), words[4].parse().unwrap())
    };
    let (config, whole) = parsed("src/config.rs");
    assert!(config * 2 < whole, "{config} of {whole} bytes of config.rs parsed");
    let (mod_rs, whole) = parsed("src/cache/mod.rs");
    assert!(mod_rs < whole, "{mod_rs} of {whole} bytes of mod.rs parsed");
}

/// The fidelity issue's item 14: an add with the same fields in another
/// order (--force, as its report did) re-generates build() and its call
/// site together, and the crate compiles.
#[test]
fn fields_in_another_order_re_generate_build_and_its_call_site_together() {
    let sb = Sandbox::fixture("sccache");
    sb.run(&["cos", "--field", "bucket!", "--field", "endpoint"]).success();
    sb.run(&["cos", "--field", "endpoint", "--field", "bucket!", "--force"]).success();
    assert!(sb.read("src/cache/cos.rs").contains("pub fn build(endpoint: Option<&str>, bucket: &str)"));
    assert!(sb.read("src/cache/cache.rs").contains("COSCache::build(c.endpoint.as_deref(), &c.bucket)"));
    cargo(&sb.root, &["check", "--quiet", "--no-default-features", "--features", "cos"]);
}

/// A cargo home holding the source of an `Acme` OpenDAL service whose
/// builder has `root` and `endpoint` (and a private method, an associated
/// function and a trait's method, none of them a setting), laid out as a
/// crate of its own (opendal 0.55+) or as a module of opendal (before).
fn cargo_home_with_acme(split: bool) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let index = home.path().join("registry/src/index.crates.io-test");
    let (dir, exports) = if split {
        (index.join("opendal-service-acme-0.58.2/src"), "lib.rs")
    } else {
        (index.join("opendal-0.58.2/src/services/acme"), "mod.rs")
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(exports), "mod backend;\n\npub use backend::AcmeBuilder as Acme;\n").unwrap();
    let backend = "pub struct AcmeBuilder {\n    root: String,\n}\n\n\
        impl AcmeBuilder {\n    pub fn new() -> Self {\n        AcmeBuilder { root: String::new() }\n    }\n\n    \
        pub fn root(mut self, root: &str) -> Self {\n        self.root = root.into();\n        self\n    }\n\n    \
        pub fn endpoint(self, _endpoint: &str) -> Self {\n        self\n    }\n\n    \
        fn bucket_inner(self) -> Self {\n        self\n    }\n}\n\n\
        impl Builder for AcmeBuilder {\n    fn bucket(self) -> Self {\n        self\n    }\n}\n";
    std::fs::write(dir.join("backend.rs"), backend).unwrap();
    home
}

#[test]
fn a_setting_the_services_builder_has_no_method_for_is_refused_with_the_methods_it_has() {
    for (split, source) in [(true, "opendal-service-acme 0.58.2"), (false, "opendal 0.58.2")] {
        let home = cargo_home_with_acme(split);
        let env = [("CARGO_HOME", home.path().to_str().unwrap())];
        let sb = Sandbox::fixture("sccache");
        let before = sb.tree();
        let run = sb.run_in(&sb.root, &["acme", "--service", "Acme", "--field", "bucket!"], &env);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            run.stderr,
            format!(
                "error: --field bucket: opendal::services::Acme ({source}) has no builder method bucket(); its methods are root, endpoint\n"
            )
        );
        assert_eq!(sb.tree(), before, "nothing written");
        // key_prefix is the builder's root.
        let run =
            sb.run_in(&sb.root, &["acme", "--service", "Acme", "--field", "endpoint!", "--field", "key_prefix"], &env);
        run.success();
        assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    }
    // No source to read: said, and not refused.
    let empty = tempfile::tempdir().unwrap();
    let sb = Sandbox::fixture("sccache");
    let run = sb.run_in(
        &sb.root,
        &["acme", "--service", "Acme", "--field", "bucket!"],
        &[("CARGO_HOME", empty.path().to_str().unwrap())],
    );
    run.success();
    assert!(
        run.stderr.contains(
            "warning: the --field settings are not checked against opendal::services::Acme's builder: opendal-service-acme 0.58.2 is not in the cargo registry"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_release_older_than_the_templates_is_refused_by_its_version() {
    for (version, refused) in [("0.14.0", true), ("0.15.2", true), ("0.16.0", false), ("1.0.0", false)] {
        let sb = Sandbox::fixture("sccache");
        sb.edit("Cargo.toml", "version = \"0.17.0\"", &format!("version = \"{version}\""));
        let before = sb.tree();
        let run = sb.run(COS);
        if refused {
            assert_eq!(run.code, 1, "{version}: {}", run.stderr);
            assert_eq!(
                run.stderr,
                format!(
                    "error: sccache {version} is older than add-backend supports: it writes backends for sccache 0.16, 0.17, 0.18 and main (Cargo.toml [package] version 0.16 or later)\n"
                )
            );
            assert_eq!(sb.tree(), before, "{version}: nothing written");
        } else {
            run.success();
        }
    }
}
