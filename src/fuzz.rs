//! Property tests over what users and checkouts can feed the tool: names,
//! fields, and Go sources mangled at random. The property is always the
//! same: an answer or a clear error, never a panic; and a plan is only
//! ever computed, never written.

use proptest::prelude::*;

use crate::anchor::go::GoFile;
use crate::checkout::Checkout;
use crate::names::BackendName;
use crate::project::{self, Request};

/// Go text that confuses cheap cuts: braces, strings, comments, keywords.
fn go_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{".to_string()),
        Just("}\n".to_string()),
        Just("`".to_string()),
        Just("\"".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        Just("//".to_string()),
        Just("\nfunc ".to_string()),
        Just("\ntype X struct {\n".to_string()),
        Just("\nimport (\n".to_string()),
        Just("\tswitch c.ReplicaType() {\n".to_string()),
        Just("\tdefault:\n".to_string()),
        Just("\tcase \"ftp\":\n".to_string()),
        Just("\r\n".to_string()),
        "[ -~\t\n]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

/// `src` with fragments inserted and ranges deleted at random places.
fn mangled(src: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), go_fragment()), 1..6).prop_map(
        move |edits| {
            let mut text = src.to_string();
            for (at, len, fragment) in edits {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + len.index(40)).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(at..end, &fragment);
            }
            text
        },
    )
}

/// Rust items and text that confuse a cut at items: braces in strings,
/// raw strings, comments and character literals, the names of the
/// functions and types the queries look for, nested items.
fn rust_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("const X: &str = r#\"} fn merge( {\"#;\n".to_string()),
        Just("// } fn into_fallback(\n".to_string()),
        Just("/* { /* } */ fn config_from_env() { */\n".to_string()),
        Just("static C: char = '}';\nstatic D: char = '\\'';\n".to_string()),
        Just("fn lifetimes<'a>(x: &'a str) -> &'a str {\n    x\n}\n".to_string()),
        Just("impl Z {\n    fn merge(&self) {}\n}\n".to_string()),
        Just("mod m {\n    struct CacheConfigs {}\n    fn build_single_cache() {}\n}\n".to_string()),
        Just("#[cfg(any(feature = \"oss\", feature = \"webdav\"))]\nfn z() {}\n".to_string()),
        Just("struct XCacheConfig;\n".to_string()),
        Just("use crate::cache::z::ZCache;\n".to_string()),
        Just("}\n".to_string()),
        Just("{\n".to_string()),
        Just("\"\n".to_string()),
    ]
}

/// `src` with Rust fragments inserted at the start of random lines.
fn mangled_rust(src: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec((any::<prop::sample::Index>(), rust_fragment()), 1..5).prop_map(move |edits| {
        let mut text = src.to_string();
        for (at, fragment) in edits {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .filter(|i| *i <= text.len())
                .collect();
            let at = starts[at.index(starts.len())];
            text.insert_str(at, &fragment);
        }
        text
    })
}

const MAIN: &str = include_str!("../tests/fixtures/litestream/cmd/litestream/main.go");
const TESTINGUTIL: &str = include_str!("../tests/fixtures/litestream/internal/testingutil/testingutil.go");
const SCCACHE_CONFIG: &str = include_str!("../tests/fixtures/sccache/src/config.rs");
const SCCACHE_CACHE: &str = include_str!("../tests/fixtures/sccache/src/cache/cache.rs");
const SCCACHE_CARGO: &str = include_str!("../tests/fixtures/sccache/Cargo.toml");
const SCCACHE_DOCS: &str = include_str!("../tests/fixtures/sccache/docs/Configuration.md");

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_name_is_accepted_cleanly_or_refused(raw in any::<String>(), go_name in proptest::option::of("[A-Za-z0-9\"`/ ]{0,8}")) {
        if let Ok(name) = BackendName::parse(&raw, go_name.as_deref()) {
            let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
            prop_assert!(name.r#type.chars().all(|c| lower(c) || c == '-'));
            prop_assert!(name.package.chars().all(lower));
            prop_assert!(name.go_name.chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn any_go_text_is_queried_without_panicking(src in mangled(MAIN)) {
        let file = GoFile::new("main.go", &src);
        let _ = file.imports();
        let _ = file.switch_in("NewReplicaFromConfig", Some("c.ReplicaType()"));
        let _ = file.switch_in("NewReplicaFromConfig", None);
        let _ = file.struct_type("ReplicaSettings");
        let _ = file.body(Some("ReplicaSettings"), "SetDefaults");
        let _ = file.last_func(|f| f.ends_with("ReplicaClientFromConfig"));
        let _ = file.type_switch("r.Client");
        let _ = file.last_var_containing("flag.");
        let _ = crate::go_imports::tidy("main.go", &src, "github.com/benbjohnson/litestream");
    }

    #[test]
    fn any_rust_text_is_queried_without_panicking(config in mangled(SCCACHE_CONFIG), cache in mangled(SCCACHE_CACHE)) {
        use crate::anchor::rust::RustFile;
        let text = |column: usize| Ok(format!("x{column}"));
        let siblings = ["oss".to_string(), "webdav".to_string()];
        if let Ok(file) = RustFile::new("config.rs", &config) {
            let _ = file.item_after("struct *CacheConfig", "struct XCacheConfig", &text, false);
            let _ = file.member_edit("CacheType", "X", &siblings, &text);
            let _ = file.member_edit("CacheConfigs", "x", &[], &text);
            let _ = file.literal_edits(None, "CacheConfigs", "x", &siblings, &text);
            for position in ["before-tail", "chain", "end", "raw-string-end", "after-sibling"] {
                let _ = file.fn_edit("into_fallback", position, "CacheType::X)", &["cache_type".to_string()], &text);
                let _ = file.fn_edit("config_from_env", position, "SCCACHE_X", &siblings, &text);
                let _ = file.fn_edit("full_toml_parse", position, "[cache.x]", &[], &text);
            }
            let _ = file.arm_edit("get_cache_levels", "\"*\"", "\"x\"", &text);
            let _ = file.let_starting("Operator::new(builder)");
        }
        if let Ok(file) = RustFile::new("cache.rs", &cache) {
            let _ = file.cfg_any_edits("x", &siblings, 100);
            let _ = file.arm_edit("build_single_cache", "CacheType::*(c)", "CacheType::X(c)", &text);
            let _ = file.item_after("use crate::cache::*::*Cache", "use crate::cache::x::XCache", &text, true);
            let _ = file.array_edit("build_single_cache", Some("debug"), "x", &text);
            let _ = file.uses();
        }
        let _ = crate::anchor::cargo::feature_edits("Cargo.toml", &config, "x", &[], "all", Some("opendal/services-*"), Some("oss"));
    }

    #[test]
    fn any_prose_is_queried_without_panicking(doc in mangled(SCCACHE_DOCS)) {
        use crate::anchor::prose;
        let _ = prose::line_after(&doc, "\\* [*](docs/*.md)", Some("toml"));
        let _ = prose::line_append(&doc, "*Valid names: *", Some("]"));
        let _ = prose::block_end(&doc, "toml", "[cache.");
        let _ = prose::section_end(&doc, "#### *");
        let _ = prose::has_heading(&doc, "#### X");
    }

    /// The fast matcher agrees with the definition: each `*` one or more
    /// characters, `\*` a star, over characters (not bytes).
    #[test]
    fn glob_matches_as_defined(pattern in "[a\\*é\\\\]{0,8}", name in "[a*é\\\\]{0,10}") {
        fn defined(p: &[char], n: &[char]) -> bool {
            match p {
                [] => n.is_empty(),
                ['\\', '*', rest @ ..] => n.first() == Some(&'*') && defined(rest, &n[1..]),
                ['*', rest @ ..] => (1..=n.len()).any(|k| defined(rest, &n[k..])),
                [c, rest @ ..] => n.first() == Some(c) && defined(rest, &n[1..]),
            }
        }
        let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
        prop_assert_eq!(crate::glob::glob(&pattern, &name), defined(&p, &n), "{:?} {:?}", pattern, name);
    }

    #[test]
    fn arbitrary_text_is_queried_without_panicking(src in any::<String>()) {
        let file = GoFile::new("x.go", &src);
        let _ = file.imports();
        let _ = file.interface_methods("ReplicaClient", "litestream");
        let _ = file.switch_in("F", None);
        let _ = file.type_switch("r.Client");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// The whole planner on a checkout whose main.go and harness are
    /// mangled: a plan or an error, and the checkout untouched.
    #[test]
    fn the_planner_survives_mangled_checkouts(main in mangled(MAIN), harness in mangled(TESTINGUTIL), field in "[a-z:!_-]{0,10}") {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        copy_fixture_of("litestream", root);
        std::fs::write(root.join("cmd/litestream/main.go"), &main).unwrap();
        std::fs::write(root.join("internal/testingutil/testingutil.go"), &harness).unwrap();
        let before = snapshot(root);
        let checkout = Checkout::find(root, Some(root)).unwrap();
        let fields = vec![field];
        let _ = project::plan(&checkout, &Request { name: "ftp", go_name: None, fields: &fields, templates: None, force: true, params: &Default::default(), regenerating: false, like: None, require: &[], require_recorded_in: None });
        prop_assert!(snapshot(root) == before, "planning wrote to the checkout");
    }

    /// The same for sccache: its config.rs, cache.rs and Cargo.toml mangled.
    #[test]
    fn the_sccache_planner_survives_mangled_checkouts(
        config in mangled(SCCACHE_CONFIG),
        cache in mangled(SCCACHE_CACHE),
        cargo in mangled(SCCACHE_CARGO),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        copy_fixture_of("sccache", root);
        std::fs::write(root.join("src/config.rs"), &config).unwrap();
        std::fs::write(root.join("src/cache/cache.rs"), &cache).unwrap();
        std::fs::write(root.join("Cargo.toml"), &cargo).unwrap();
        let before = snapshot(root);
        let Ok(checkout) = Checkout::find(root, Some(root)) else { return Ok(()) };
        let fields = vec!["bucket!".to_string(), "endpoint".to_string()];
        let request = Request { name: "cos", go_name: None, fields: &fields, templates: None, force: true, params: &Default::default(), regenerating: false, like: None, require: &[], require_recorded_in: None };
        let _ = project::plan(&checkout, &request);
        prop_assert!(snapshot(root) == before, "planning wrote to the checkout");
    }
}

proptest! {
    // Each case parses two large files whole and cut, a dozen times: fewer
    // cases, in the test build (`PROPTEST_CASES=1000` in a release build
    // for a deeper run).
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Parsing only the items a query needs answers every query as
    /// parsing the whole file does, whatever the file holds.
    #[test]
    fn a_cut_parse_answers_as_the_whole_parse(config in mangled_rust(SCCACHE_CONFIG), cache in mangled_rust(SCCACHE_CACHE)) {
        use crate::anchor::rust::RustFile;
        use crate::anchor::rust_items::Wanted::{self, *};
        let text = |column: usize| Ok(format!("x{column}"));
        let siblings = ["oss".to_string(), "webdav".to_string()];
        let same = |src: &str, wanted: Vec<Wanted>, query: &dyn Fn(&RustFile) -> String| -> Result<(), TestCaseError> {
            let Ok(whole) = RustFile::new("f.rs", src) else { return Ok(()) };
            let cut = RustFile::partial("f.rs", src, &wanted).unwrap();
            prop_assert_eq!(query(&whole), query(&cut), "wanting {:?}", wanted);
            Ok(())
        };
        // As the steps ask (`Steps::wanted`): a function, of whose nested
        // blocks only those holding what the anchor reads there.
        let within = |name: &str, needles: &[&str]| {
            vec![Inside(Box::new(Function(name.to_string())), needles.iter().map(|n| n.to_string()).collect())]
        };
        same(&config, vec![Nothing], &|f| {
            format!("{:?}", f.item_after("struct *CacheConfig", "struct XCacheConfig", &text, false).map_err(|e| e.to_string()))
        })?;
        same(&config, vec![Declares("CacheType".into())], &|f| {
            format!("{:?}", f.member_edit("CacheType", "X", &siblings, &text).map_err(|e| e.to_string()))
        })?;
        same(&config, vec![Declares("CacheConfigs".into())], &|f| {
            format!("{:?}", f.member_edit("CacheConfigs", "x", &siblings, &text).map_err(|e| e.to_string()))
        })?;
        same(&config, vec![Inside(Box::new(Word("CacheConfigs".into())), vec!["CacheConfigs".into()])], &|f| {
            format!("{:?}", f.literal_edits(None, "CacheConfigs", "x", &siblings, &text).map_err(|e| e.to_string()))
        })?;
        for func in ["into_fallback", "merge", "config_from_env"] {
            same(&config, within(func, &["CacheConfigs"]), &|f| {
                format!("{:?}", f.literal_edits(Some(func), "CacheConfigs", "x", &siblings, &text).map_err(|e| e.to_string()))
            })?;
        }
        for (func, position, present) in [
            ("into_fallback", "chain", "CacheType::X)"),
            ("merge", "after-sibling", "self.x ="),
            ("config_from_env", "after-sibling", "let x ="),
            ("full_toml_parse", "raw-string-end", "[cache.x]"),
        ] {
            let after = if position == "chain" { vec!["cache_type".to_string()] } else { siblings.to_vec() };
            let raw = ["r#\"", " r\"", "(r\"", "[r\"", ",r\"", "=r\"", "\tr\"", "\nr\"", "{r\""];
            let needles: &[&str] = if position == "raw-string-end" { &raw } else { &[] };
            same(&config, within(func, needles), &|f| {
                format!("{:?}", f.fn_edit(func, position, present, &after, &text).map_err(|e| e.to_string()))
            })?;
        }
        let any = AllOf(vec![Text("any(".into()), AnyOf(vec![Text("\"oss\"".into()), Text("\"webdav\"".into())])]);
        same(&cache, vec![Inside(Box::new(any), vec!["any(".into()])], &|f| format!("{:?}", f.cfg_any_edits("x", &siblings, 100).map_err(|e| e.to_string())))?;
        same(&cache, within("build_single_cache", &["CacheType::"]), &|f| {
            format!("{:?}", f.arm_edit("build_single_cache", "CacheType::*(c)", "CacheType::X(c)", &text).map_err(|e| e.to_string()))
        })?;
        same(&cache, vec![Nothing], &|f| {
            format!("{:?}", f.item_after("use crate::cache::*::*Cache", "use crate::cache::x::*", &text, true).map_err(|e| e.to_string()))
        })?;
    }

    /// The items read from the text are those of the whole parse.
    #[test]
    fn items_read_from_the_text_are_the_parse_s(config in mangled_rust(SCCACHE_CONFIG), cache in mangled_rust(SCCACHE_CACHE)) {
        use crate::anchor::rust::RustFile;
        for src in [&config, &cache] {
            let Ok(whole) = RustFile::new("f.rs", src) else { continue };
            if let Some(read) = crate::anchor::rust_items::items(src) {
                prop_assert_eq!(read, whole.items());
            }
        }
    }

}

fn copy_fixture_of(name: &str, to: &std::path::Path) {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn snapshot(root: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            (e.path().to_path_buf(), if e.file_type().is_file() { std::fs::read(e.path()).unwrap() } else { vec![] })
        })
        .collect()
}
