//! rclone, the third project: a profile and templates alone
//! (templates/rclone/), run on tests/fixtures/rclone, a checkout of our own
//! shaped as the facts file describes rclone's (its backend/all imports, the
//! test_all config, the README's, docs' and menu's lists, make_manual.py).
//! The fixture has no fs package, so the generated backend is built against
//! the real rclone API in tests/fixtures/rclone-api, a module requiring a
//! released rclone.

use std::path::Path;
use std::process::Command;

use crate::common::Sandbox;
use crate::go_toolchain::have_go;

const ADD: &[&str] = &[
    "acme",
    "--title",
    "Acme Cloud",
    "--field",
    "endpoint!",
    "--field",
    "api_key:secret!",
    "--field",
    "chunk_size:int",
];

const CREATED: &[&str] = &["backend/acme/acme.go", "backend/acme/acme_test.go", "docs/content/acme.md"];

fn rclone() -> Sandbox {
    Sandbox::fixture("rclone")
}

/// The fixture as rclone is from v1.73 on: the overview page built from
/// docs/data/backends/*.yaml rather than tables.
fn rclone_with_backend_data() -> Sandbox {
    let sb = rclone();
    std::fs::create_dir_all(sb.root.join("docs/data/backends")).unwrap();
    sb.write("docs/data/backends/alpha.yaml", "backend: alpha\nname: Alpha Cloud\n");
    let overview = sb.read("docs/content/overview.md");
    let (head, _) = overview.split_once("| Name ").unwrap();
    sb.write("docs/content/overview.md", &format!("{head}{{{{< features-table >}}}}\n"));
    sb
}

#[test]
fn the_generated_files_and_the_wiring() {
    let sb = rclone();
    let run = sb.run(&[ADD, &["--dry-run"]].concat());
    run.success();
    let patches: String =
        run.stdout.split("\n--- ").filter(|d| d.starts_with("a/")).map(|d| format!("--- {d}\n")).collect();
    insta::assert_snapshot!("rclone.wiring.diff", patches);
    sb.run(ADD).success();
    for file in CREATED {
        insta::assert_snapshot!(format!("rclone.{}", file.replace('/', "__")), sb.read(file));
    }
    assert!(!sb.root.join("docs/data/backends").exists(), "a tree without backend data gets none");
}

#[test]
fn a_second_run_changes_nothing_and_remove_puts_every_byte_back() {
    let sb = rclone();
    let before = sb.tree();
    sb.run(ADD).success();
    let added = sb.tree();
    let again = sb.run(ADD);
    again.success();
    assert!(again.stderr.contains("already in place: nothing to do"), "{}", again.stderr);
    assert_eq!(sb.tree(), added);
    sb.run(&["remove", "acme"]).success();
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_tree_with_backend_data_gets_its_yaml_and_no_table_rows() {
    let sb = rclone_with_backend_data();
    let overview = sb.read("docs/content/overview.md");
    let before = sb.tree();
    sb.run(ADD).success();
    assert_eq!(sb.read("docs/content/overview.md"), overview);
    insta::assert_snapshot!("rclone.docs__data__backends__acme.yaml", sb.read("docs/data/backends/acme.yaml"));
    sb.run(&["remove", "acme"]).success();
    assert_eq!(sb.tree(), before);
}

/// Asserts that in `file` the first line holding `before` is followed by a
/// line holding `new` and then one holding `after`.
#[track_caller]
fn in_order(sb: &Sandbox, file: &str, before: &str, new: &str, after: &str) {
    let text = sb.read(file);
    let lines: Vec<&str> = text.lines().collect();
    let b = lines.iter().position(|l| l.contains(before)).unwrap_or_else(|| panic!("{file}: no {before:?}:\n{text}"));
    let holds = |at: usize, needle: &str| lines.get(at).is_some_and(|l| l.contains(needle));
    assert!(
        holds(b + 1, new) && holds(b + 2, after),
        "{file}: {new:?} is not between {before:?} and {after:?}:\n{text}"
    );
}

#[test]
fn each_list_takes_the_entry_where_its_order_puts_it() {
    // First in every list (the providers' page's start="true", which its
    // shortcode does not read, stays where it is).
    let sb = rclone();
    sb.run(&["aardvark", "--title", "Aardvark Drive"]).success();
    assert!(sb.read("README.md").contains(
        "## Storage providers\n\n- Aardvark Drive [:page_facing_up:](https://rclone.org/aardvark/)\n- Alpha Cloud ["
    ));
    let docs = sb.read("docs/content/docs.md");
    assert!(docs.contains("for\n\n- [Aardvark Drive](/aardvark/)\n- [Alpha Cloud](/alpha/)\n"), "{docs}");
    in_order(&sb, "docs/content/_index.md", "provider_list", "\"Aardvark Drive\"", "\"Alpha Cloud\"");
    in_order(&sb, "docs/layouts/chrome/navbar.html", "A &ndash; L", "Aardvark Drive", "Alpha Cloud");
    in_order(&sb, "docs/content/overview.md", "| ---", "| Aardvark Drive ", "| Alpha Cloud ");
    in_order(&sb, "docs/content/overview.md", "|-----", "| Aardvark Drive ", "| Alpha Cloud ");
    in_order(&sb, "bin/make_manual.py", "# Keep these", "\"aardvark.md\"", "\"alpha.md\"");
    in_order(&sb, "backend/all/all.go", "// Active", "backend/aardvark\"", "backend/alpha\"");

    // Between two entries, and in a menu, in the letter group of the
    // entry before it, not after the next group's heading.
    let sb = rclone();
    sb.run(&["kilo", "--title", "Kilo Store"]).success();
    in_order(&sb, "README.md", "Alpha Cloud", "Kilo Store", "- Memory ");
    in_order(&sb, "docs/content/docs.md", "[Joiner]", "[Kilo Store]", "[Memory]");
    in_order(&sb, "docs/content/_index.md", "\"Alpha Cloud\"", "\"Kilo Store\"", "\"Memory\"");
    in_order(&sb, "docs/layouts/chrome/navbar.html", "Joiner", "Kilo Store", "M &ndash; Z");
    in_order(&sb, "docs/content/overview.md", "| Alpha Cloud ", "| Kilo Store ", "| Memory ");
    in_order(&sb, "bin/make_manual.py", "\"joiner.md\"", "\"kilo.md\"", "\"memory.md\"");
    in_order(&sb, "backend/all/all.go", "backend/joiner\"", "backend/kilo\"", "backend/local\"");

    // Last, before the local filesystem, which every list keeps last
    // though its name sorts before this one.
    let sb = rclone();
    sb.run(&["zulu", "--title", "Zulu Cloud"]).success();
    in_order(&sb, "README.md", "Zeta Store", "Zulu Cloud", "The local filesystem");
    in_order(&sb, "docs/content/docs.md", "[Zeta Store]", "[Zulu Cloud]", "[The local filesystem]");
    in_order(&sb, "docs/content/_index.md", "\"Zeta Store\"", "\"Zulu Cloud\"", "\"The local filesystem\"");
    in_order(&sb, "docs/layouts/chrome/navbar.html", "Zeta Store", "Zulu Cloud", "dropdown-divider");
    in_order(&sb, "docs/content/overview.md", "| Zeta Store ", "| Zulu Cloud ", "| The local filesystem ");
    assert!(sb.read("bin/make_manual.py").contains("    \"zulu.md\",\n\n    \"local.md\","));
    assert!(
        sb.read("backend/all/all.go").contains("backend/zeta\"\n\t_ \"github.com/rclone/rclone/backend/zulu\"\n)\n")
    );

    // The test_all entry goes at the end of the backends, as upstream's do.
    let config = sb.read("fstest/test_all/config.yaml");
    assert!(
        config.ends_with(
            "   remote:   \"TestZeta:\"\n   fastlist: false\n - backend:  \"zulu\"\n   remote:   \"TestZulu:\"\n   fastlist: false\n"
        ),
        "{config}"
    );
}

#[test]
fn doctor_finds_every_backend_and_a_baseline_takes_its_known_gaps() {
    let sb = rclone();
    let run = sb.run(&["doctor"]);
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    for backend in ["alpha", "joiner", "local", "memory", "zeta"] {
        assert!(run.stdout.lines().any(|l| l.starts_with(backend)), "{backend}:\n{}", run.stdout);
    }
    // The joining backend is tested through others, as upstream's are.
    let joiner = run.stdout.lines().find(|l| l.starts_with("joiner")).unwrap();
    assert_eq!(
        joiner.split_whitespace().collect::<Vec<_>>(),
        ["joiner", "ok", "MISSING", "ok", "ok", "ok", "ok", "ok"]
    );
    assert!(run.stderr.contains("not wired everywhere: joiner"), "{}", run.stderr);
    sb.run(&["doctor", "--write-baseline"]).success();
    sb.run(&["doctor"]).success();
    sb.run(ADD).success();
    sb.run(&["doctor"]).success();
    // A new gap fails: the menu entry of the new backend taken out.
    sb.edit(
        "docs/layouts/chrome/navbar.html",
        "<a class=\"dropdown-item\" href=\"/acme/\">",
        "<a class=\"dropdown-item\" href=\"/acme-old/\">",
    );
    let run = sb.run(&["doctor"]);
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("acme"), "{}", run.stderr);
}

#[test]
fn wrong_fields_are_refused_naming_them_and_nothing_is_written() {
    let sb = rclone();
    let before = sb.tree();
    sb.run(&["acme", "--field", "size:float"]).fails(1, "--field size:float");
    sb.run(&["acme", "--field", "verbose:bool!"]).fails(1, "cannot be required");
    sb.run(&["acme", "--field", "enc"]).fails(1, "--field enc: the backend has rclone's standard encoding option");
    // The title goes into Go strings, YAML, Markdown and HTML: one line, of
    // characters that need no escaping in any of them.
    sb.run(&["acme", "--title", "Acme \"Q\""]).fails(2, "--set title=\"Acme \\\"Q\\\"\": may not hold '\"'");
    sb.run(&["acme", "--title", "Acme | Pipe"]).fails(2, "may not hold '|'");
    sb.run(&["acme", "--title", "Acme\nCloud"]).fails(2, "one line of text");
    sb.run(&["acme", "--title", " "]).fails(2, "give a value");
    assert_eq!(sb.tree(), before);
}

#[track_caller]
fn go(dir: &Path, tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=readonly")
        // rclone's quick-test mode: the integration suite skips without a remote.
        .env("RCLONE_CONFIG", "/notfound")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} {args:?} failed:\n{text}");
    text
}

/// The generated package, its location aside, in a module that requires
/// a released rclone: gofmt-clean, vetted, built, its unit tests passing
/// and its integration entry compiled (and skipped, with no remote).
#[test]
fn the_generated_backend_builds_and_passes_against_the_real_rclone_api() {
    if !have_go() {
        return;
    }
    for (name, fields) in [
        ("acme", &ADD[1..]),
        ("plainstore", &[][..]),
        (
            "every",
            &[
                "--field",
                "user",
                "--field",
                "token:secret",
                "--field",
                "limit:int!",
                "--field",
                "fast:bool",
                "--field",
                "chunk:size",
                "--field",
                "wait:duration!",
            ][..],
        ),
    ] {
        let sb = rclone();
        sb.run(&[&[name][..], fields].concat()).success();
        let module = tempfile::tempdir().unwrap();
        crate::common::copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rclone-api"),
            &module.path().join("m"),
        );
        let dir = module.path().join("m");
        crate::common::copy_tree(&sb.root.join("backend").join(name), &dir.join(name));
        let listed = go(&dir, "gofmt", &["-l", "."]);
        assert!(listed.is_empty(), "gofmt -l lists:\n{listed}");
        go(&dir, "go", &["vet", "./..."]);
        go(&dir, "go", &["build", "./..."]);
        let tested = go(&dir, "go", &["test", "-v", "./..."]);
        assert!(tested.contains("--- PASS: TestNewFs"), "{tested}");
        assert!(tested.contains("--- SKIP: TestIntegration"), "{tested}");
    }
}

/// The files a dry run reads, from its `-v` log.
fn files_read(sb: &Sandbox) -> Vec<String> {
    let run = sb.run(&[ADD, &["--dry-run", "-v"]].concat());
    run.success();
    let mut read: Vec<String> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("verbose: read "))
        .map(|l| l.split(" (").next().unwrap().trim_end_matches(": none").to_string())
        .collect();
    read.sort();
    read
}

#[test]
fn a_run_reads_the_files_it_patches_however_many_backends_there_are() {
    let small = rclone();
    let large = rclone();
    // Seventy backends more, each a package of its own, as upstream has.
    let mut imports = String::new();
    for i in 0..70 {
        let name = format!("extra{i:02}");
        std::fs::create_dir_all(large.root.join("backend").join(&name)).unwrap();
        large.write(
            &format!("backend/{name}/{name}.go"),
            &format!("package {name}\n\nfunc init() {{\n\tfs.Register(&fs.RegInfo{{Name: \"{name}\"}})\n}}\n"),
        );
        imports += &format!("\t_ \"github.com/rclone/rclone/backend/{name}\"\n");
    }
    large.edit(
        "backend/all/all.go",
        "\t_ \"github.com/rclone/rclone/backend/joiner\"\n",
        &format!("{imports}\t_ \"github.com/rclone/rclone/backend/joiner\"\n"),
    );
    assert_eq!(files_read(&large), files_read(&small));
    assert!(files_read(&small).contains(&"docs/content/docs.md".to_string()));
}

/// The proof that the engine is general: rclone is a profile and its
/// templates, and no Rust names it (the architecture test holds the rest
/// of src/ to that).
#[test]
fn rclone_is_data_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(root.join("templates/rclone/profile.toml").is_file());
    assert!(!root.join("src/project/rclone").exists());
    let registry = std::fs::read_to_string(root.join("src/project/mod.rs")).unwrap();
    assert!(!registry.to_lowercase().contains("rclone"), "src/project/mod.rs names rclone");
}

/// A built-in template is compiled with its text runs as private-use
/// characters (src/render/hoist.rs): a value holding such characters is
/// rendered from the whole template, as it is, not taken for runs.
#[test]
fn a_title_holding_private_use_characters_is_written_as_it_is() {
    let sb = rclone();
    let plain = sb.run(&["acme", "--title", "Acme XY Cloud", "--dry-run"]);
    plain.success();
    let marked = sb.run(&["acme", "--title", "Acme \u{E000}\u{E001} Cloud", "--dry-run"]);
    marked.success();
    assert!(marked.stdout.contains("interface to Acme \u{E000}\u{E001} Cloud"), "{}", marked.stdout);
    // The same output, but the title (and so the created files' digests).
    let without_digests = |out: &str| out.lines().filter(|l| !l.contains("\"digest\"")).collect::<Vec<_>>().join("\n");
    assert_eq!(without_digests(&marked.stdout.replace("\u{E000}\u{E001}", "XY")), without_digests(&plain.stdout));
}
