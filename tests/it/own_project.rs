//! A checkout's own project: a profile and templates in its
//! `.add-backend/<name>/`, with no Rust code of add-backend's for it. Two
//! made-up projects, written whole here: a Go module whose stores are
//! registered in a `switch` and listed in the README, and a Rust crate
//! whose caches are features, modules and arms of a `match`. Each goes
//! through add, dry run, JSON, a second run, doctor and remove.

use std::path::Path;
use std::process::Command;

use crate::common::{Run, Sandbox};

/// A sandbox holding `files`, and nothing else.
fn project(files: &[(&str, &str)]) -> Sandbox {
    let sb = Sandbox::empty("project");
    for (path, text) in files {
        let path = sb.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    sb
}

const GO_PROFILE: &str = r#"# The widgets module: a store is a package under store/, opened by name
# in registry.go's switch and listed in the README.
target = "widgets"
next = ["go test ./store/{{ package }}/... runs its tests"]

[detect]
go-module = "example.com/widgets"
files = ["registry.go", "store/*"]

[backends]
path = "store/{name}/store.go"

[params.summary]
help = "what the store keeps things in, for its doc comment"
default = "memory of its own"

[[files]]
template = "store.go"
path = "store/{{ package }}/store.go"

[[files]]
template = "store_test.go"
path = "store/{{ package }}/store_test.go"
keep = true

[[patches]]
file = "registry.go"
anchor = "import"
path = "{{ module }}/store/{{ package }}"
check = "registry"

[[patches]]
file = "registry.go"
anchor = "switch-case"
func = "Open"
switch = "kind"
case = '"{{ type }}"'
template = "case.go"
check = "registry"

[[patches]]
file = "README.md"
anchor = "line-after"
present = "- `{{ type }}`"
lines = [{ after = "- `*`: *", text = "- `{{ type }}`: {{ summary }}" }]
check = "docs"
doctor = "reported"
"#;

const GO_STORE: &str = r#"// Package {{ package }} is the {{ type }} store: it keeps values in {{ summary }}.
package {{ package }}

import "fmt"

// Store is the {{ type }} store.
type Store struct {
	values map[string][]byte
}

// New returns an empty {{ type }} store.
func New() *Store {
	return &Store{values: map[string][]byte{}}
}

// Get returns the value of key.
func (s *Store) Get(key string) ([]byte, error) {
	value, ok := s.values[key]
	if !ok {
		return nil, fmt.Errorf("{{ type }}: no %q", key)
	}
	return value, nil
}
"#;

const GO_STORE_TEST: &str = r#"package {{ package }}

import "testing"

func TestGetMissing(t *testing.T) {
	if _, err := New().Get("absent"); err == nil {
		t.Fatal("want an error for a missing key")
	}
}
"#;

const GO_CASE: &str = "case \"{{ type }}\":\n\treturn {{ package }}.New(), nil\n";

const GO_REGISTRY: &str = r#"// Package widgets opens stores by name.
package widgets

import (
	"fmt"

	"example.com/widgets/store/disk"
	"example.com/widgets/store/memory"
)

// Store keeps values by key.
type Store interface {
	Get(key string) ([]byte, error)
}

// Open returns the store named kind.
func Open(kind string) (Store, error) {
	switch kind {
	case "disk":
		return disk.New(), nil
	case "memory":
		return memory.New(), nil
	default:
		return nil, fmt.Errorf("unknown store %q", kind)
	}
}
"#;

fn store(package: &str) -> String {
    format!(
        "// Package {package} is a store.\npackage {package}\n\n// Store is a store.\ntype Store struct{{}}\n\n// New returns a store.\nfunc New() *Store {{\n\treturn &Store{{}}\n}}\n\n// Get returns nothing.\nfunc (s *Store) Get(key string) ([]byte, error) {{\n\treturn nil, nil\n}}\n"
    )
}

fn go_project() -> Sandbox {
    let (disk, memory) = (store("disk"), store("memory"));
    let sb = project(&[
        ("go.mod", "module example.com/widgets\n\ngo 1.21\n"),
        ("registry.go", GO_REGISTRY),
        ("store/disk/store.go", &disk),
        ("store/memory/store.go", &memory),
        ("README.md", "# Widgets\n\n## Stores\n\n- `disk`: files\n- `memory`: a map\n\n## License\n\nMIT\n"),
        (".add-backend/widgets/profile.toml", GO_PROFILE),
        (".add-backend/widgets/store.go.tera", GO_STORE),
        (".add-backend/widgets/store_test.go.tera", GO_STORE_TEST),
        (".add-backend/widgets/case.go.tera", GO_CASE),
    ]);
    sb.run(&["trust"]).success();
    sb
}

const RUST_PROFILE: &str = r#"target = "caches"

[detect]
cargo-package = "caches"
files = ["src/lib.rs"]

[backends]
path = "src/{name}.rs"
exclude = ["lib"]
containing = "impl crate::Cache"

[[files]]
template = "cache.rs"
path = "src/{{ snake }}.rs"

[[patches]]
file = "Cargo.toml"
anchor = "cargo-feature"
feature = "{{ kebab }}"
list = "all"
check = "feature"

[[patches]]
file = "src/lib.rs"
anchor = "rust-item"
after = "mod *"
present = "mod {{ snake }}"
sorted = true
template = "mod.rs"
check = "module"

[[patches]]
file = "src/lib.rs"
anchor = "rust-arm"
func = "open"
like = '"*"'
pattern = '"{{ kebab }}"'
template = "arm.rs"
check = "open"
"#;

const RUST_CACHE: &str = r#"//! The {{ kebab }} cache.

/// Keeps nothing yet: `get` always misses.
#[derive(Default)]
pub struct {{ pascal }};

impl crate::Cache for {{ pascal }} {
    fn get(&self, _key: &str) -> Option<Vec<u8>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::Cache as _;

    #[test]
    fn misses() {
        assert_eq!(super::{{ pascal }}.get("k"), None);
    }
}
"#;

const RUST_LIB: &str = r#"//! Caches, each behind a feature.

#[cfg(feature = "disk")]
mod disk;
#[cfg(feature = "memory")]
mod memory;

/// A cache.
pub trait Cache {
    fn get(&self, key: &str) -> Option<Vec<u8>>;
}

/// The cache named `kind`, if it is built in.
pub fn open(kind: &str) -> Option<Box<dyn Cache>> {
    match kind {
        #[cfg(feature = "disk")]
        "disk" => Some(Box::new(disk::Disk)),
        #[cfg(feature = "memory")]
        "memory" => Some(Box::new(memory::Memory)),
        _ => None,
    }
}
"#;

fn unit(name: &str, pascal: &str) -> String {
    format!(
        "#[derive(Default)]\npub struct {pascal};\n\nimpl crate::Cache for {pascal} {{\n    fn get(&self, _key: &str) -> Option<Vec<u8>> {{\n        None\n    }}\n}}\n\n// The {name} cache.\n"
    )
}

fn rust_project() -> Sandbox {
    let (disk, memory) = (unit("disk", "Disk"), unit("memory", "Memory"));
    let sb = project(&[
        (
            "Cargo.toml",
            "[package]\nname = \"caches\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\ndefault = [\"all\"]\nall = [\"disk\", \"memory\"]\ndisk = []\nmemory = []\n",
        ),
        ("src/lib.rs", RUST_LIB),
        ("src/disk.rs", &disk),
        ("src/memory.rs", &memory),
        (".add-backend/caches/profile.toml", RUST_PROFILE),
        (".add-backend/caches/cache.rs.tera", RUST_CACHE),
        (".add-backend/caches/mod.rs.tera", "#[cfg(feature = \"{{ kebab }}\")]\nmod {{ snake }};\n"),
        (
            ".add-backend/caches/arm.rs.tera",
            "#[cfg(feature = \"{{ kebab }}\")]\n\"{{ kebab }}\" => Some(Box::new({{ snake }}::{{ pascal }})),\n",
        ),
    ]);
    sb.run(&["trust"]).success();
    sb
}

/// Runs a tool in `dir`; its output on failure. Under CI a missing tool
/// fails the test; elsewhere the check is skipped.
#[track_caller]
fn tool(dir: &Path, program: &str, args: &[&str]) -> Option<String> {
    let out = match Command::new(program).args(args).current_dir(dir).env("GOTOOLCHAIN", "local").output() {
        Ok(out) => out,
        Err(_) => {
            let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
            assert!(!ci, "{program} is not on PATH, and under CI the toolchain checks must run");
            eprintln!("skipped: {program} is not on PATH");
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} {args:?} failed in {}:\n{text}", dir.display());
    Some(text)
}

/// What every project's backend goes through: a dry run that writes
/// nothing and says what the run does, JSON, the add, a second run that
/// changes nothing, and a remove that leaves the tree as it was.
fn add_dry_json_again_remove(sb: &Sandbox, add: &[&str], project: &str) -> Run {
    let before = sb.tree();
    let dry = sb.run(&[add, &["--dry-run"]].concat());
    dry.success();
    assert_eq!(sb.tree(), before, "a dry run writes nothing");
    let json = sb.run(&[add, &["--dry-run", "--format", "json"]].concat());
    json.success();
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(plan["kind"], "plan");
    assert_eq!(plan["target"], project);
    assert_eq!(plan["changed"], true);

    let run = sb.run(add);
    run.success();
    let added = sb.tree();
    assert_ne!(added, before);
    let again = sb.run(add);
    again.success();
    assert!(again.stderr.contains("nothing to do"), "{}", again.stderr);
    assert_eq!(sb.tree(), added, "a second run changes nothing");

    sb.run(&["remove", add[0]]).success();
    assert_eq!(sb.tree(), before, "remove leaves the tree byte-identical");
    sb.run(add).success();
    run
}

#[test]
fn a_go_project_described_only_by_its_profile() {
    let sb = go_project();
    let run = add_dry_json_again_remove(&sb, &["ftp", "--set", "summary=a remote server"], "widgets");
    assert!(run.stderr.contains("using the profile and templates in"), "{}", run.stderr);
    assert!(
        run.stderr.contains("added backend ftp; next:\n  - go test ./store/ftp/... runs its tests\n"),
        "{}",
        run.stderr
    );
    let registry = sb.read("registry.go");
    assert!(registry.contains("\t\"example.com/widgets/store/ftp\"\n"), "{registry}");
    assert!(registry.contains("\tcase \"ftp\":\n\t\treturn ftp.New(), nil\n\tdefault:"), "{registry}");
    assert!(sb.read("README.md").contains("- `memory`: a map\n- `ftp`: a remote server\n"));
    assert!(
        sb.read("store/ftp/store.go")
            .starts_with("// Package ftp is the ftp store: it keeps values in a remote server.")
    );

    if let Some(listed) = tool(&sb.root, "gofmt", &["-l", "."]) {
        assert!(listed.is_empty(), "gofmt -l lists:\n{listed}");
        tool(&sb.root, "go", &["vet", "./..."]);
        tool(&sb.root, "go", &["test", "./..."]);
    }

    // doctor: every store × every place; one broken by hand.
    let doctor = sb.run(&["doctor"]);
    doctor.success();
    insta::assert_snapshot!("own_project.go.doctor", doctor.stdout);
    sb.edit("registry.go", "\tcase \"memory\":\n\t\treturn memory.New(), nil\n", "");
    sb.edit("registry.go", "\t\"example.com/widgets/store/memory\"\n", "");
    let doctor = sb.run(&["doctor"]);
    doctor.fails(4, "not wired everywhere: memory");
    let memory = doctor.stdout.lines().find(|l| l.starts_with("memory ")).unwrap();
    assert_eq!(memory.split_whitespace().collect::<Vec<_>>(), ["memory", "MISSING", "ok"]);
    let json: serde_json::Value = serde_json::from_str(&sb.run(&["doctor", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["target"], "widgets");
    let memory = json["backends"].as_array().unwrap().iter().find(|b| b["package"] == "memory").unwrap();
    assert_eq!(
        memory["checks"][0],
        serde_json::json!({"name": "registry", "present": false, "file": "registry.go", "required": true, "known": false})
    );

    // A parameter the profile does not declare.
    sb.run(&["sftp", "--set", "title=x"]).fails(2, "--set title: ");

    // A store add-backend did not write: what the profile's patches would
    // have inserted for it is found, listed, and taken out when forced.
    sb.run(&["remove", "disk"]).fails(
        1,
        "backend disk was not added by add-backend here (no .add-backend/backends/disk.json); --force would remove store/disk/store.go; in registry.go case \"disk\", import \"example.com/widgets/store/disk\" (its settings and its places in README.md stay)",
    );
    let run = sb.run(&["remove", "disk", "--force"]);
    run.success();
    assert!(run.stderr.contains("its places in README.md are left for you to take out"), "{}", run.stderr);
    assert!(!sb.root.join("store/disk").exists());
    let registry = sb.read("registry.go");
    assert!(!registry.contains("disk"), "{registry}");
    if let Some(listed) = tool(&sb.root, "gofmt", &["-l", "."]) {
        assert!(listed.is_empty(), "gofmt -l lists:\n{listed}");
        tool(&sb.root, "go", &["vet", "./..."]);
    }
}

#[test]
fn a_rust_project_described_only_by_its_profile() {
    let sb = rust_project();
    let run = add_dry_json_again_remove(&sb, &["object-store"], "caches");
    assert!(run.stderr.ends_with("added backend object-store\n"), "{}", run.stderr);
    let cargo = sb.read("Cargo.toml");
    assert!(cargo.contains("all = [\"disk\", \"memory\", \"object-store\"]\n"), "{cargo}");
    assert!(cargo.contains("memory = []\nobject-store = []\n"), "{cargo}");
    let lib = sb.read("src/lib.rs");
    assert!(
        lib.contains(
            "#[cfg(feature = \"memory\")]\nmod memory;\n#[cfg(feature = \"object-store\")]\nmod object_store;\n"
        ),
        "{lib}"
    );
    assert!(
        lib.contains("        #[cfg(feature = \"object-store\")]\n        \"object-store\" => Some(Box::new(object_store::ObjectStore)),\n        _ => None,"),
        "{lib}"
    );
    // A name Rust refuses, that Go would not.
    sb.run(&["match"]).fails(1, "match is a Rust keyword");

    let cargo_bin = env!("CARGO");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-project");
    let target = target.to_str().unwrap();
    tool(&sb.root, cargo_bin, &["fmt", "--check"]);
    tool(&sb.root, cargo_bin, &["test", "--quiet", "--offline", "--target-dir", target]);
    tool(
        &sb.root,
        cargo_bin,
        &[
            "check",
            "--quiet",
            "--offline",
            "--no-default-features",
            "--features",
            "object-store",
            "--target-dir",
            target,
        ],
    );

    let doctor = sb.run(&["doctor"]);
    doctor.success();
    insta::assert_snapshot!("own_project.rust.doctor", doctor.stdout);
    sb.edit("src/lib.rs", "        #[cfg(feature = \"disk\")]\n        \"disk\" => Some(Box::new(disk::Disk)),\n", "");
    let doctor = sb.run(&["doctor"]);
    doctor.fails(4, "not wired everywhere: disk");
    let disk = doctor.stdout.lines().find(|l| l.starts_with("disk ")).unwrap();
    assert_eq!(disk.split_whitespace().collect::<Vec<_>>(), ["disk", "ok", "ok", "MISSING"]);
}

#[test]
fn a_broken_own_profile_is_placed_and_nothing_is_written() {
    let sb = go_project();
    let profile = ".add-backend/widgets/profile.toml";
    sb.edit(profile, "anchor = \"switch-case\"", "anchor = \"switch-cse\"");
    let at = sb.read(profile).lines().position(|l| l == "anchor = \"switch-cse\"").unwrap() + 1;
    let before = sb.tree();
    let run = sb.run(&["ftp", "--trust"]);
    run.fails(1, &format!("{profile}:{at}:10: unknown anchor \"switch-cse\""));
    assert_eq!(sb.tree(), before);
    sb.run(&["doctor", "--trust"]).fails(1, &format!("{profile}:{at}:10:"));

    // Changed since it was trusted: refused until trusted again.
    sb.edit(profile, "anchor = \"switch-cse\"", "anchor = \"switch-case\"\n# edited");
    sb.run(&["ftp"]).fails(1, "changed since it was trusted");
    assert_eq!(sb.tree(), before_with(&sb, profile, &before));

    // A profile that names another project than its directory.
    sb.edit(profile, "target = \"widgets\"", "target = \"gadgets\"");
    sb.run(&["ftp", "--trust"])
        .fails(1, "`target` is \"gadgets\"; a profile in widgets/ names the project \"widgets\"");

    // A [detect] the checkout does not match: no project.
    sb.edit(profile, "target = \"gadgets\"", "target = \"widgets\"");
    sb.edit(profile, "go-module = \"example.com/widgets\"", "go-module = \"example.com/gadgets\"");
    sb.run(&["ftp", "--trust"]).fails(1, "module example.com/widgets is not a project add-backend knows");
}

/// `before`, with `profile` as it is now.
fn before_with(sb: &Sandbox, profile: &str, before: &crate::common::Tree) -> crate::common::Tree {
    let mut tree = before.clone();
    tree.insert(profile.to_string(), Some(sb.read(profile).into_bytes()));
    tree
}

/// Runs add-backend in `sb` trusting its own profile for the run (a test
/// edits the profile after `trust`).
fn trusted(sb: &Sandbox, args: &[&str]) -> Run {
    sb.run(&[args, &["--trust"]].concat())
}

/// `remove --force` of a store add-backend did not write takes out the one
/// the user named, and nothing another file still uses.
#[test]
fn a_forced_remove_takes_out_only_the_named_store_and_only_when_unused() {
    let sb = go_project();
    let before = sb.tree();
    // Two stores whose names differ only by a `_`.
    let (mystore, my_store) = (store("mystore"), store("my_store"));
    std::fs::create_dir_all(sb.root.join("store/mystore")).unwrap();
    sb.write("store/mystore/store.go", &mystore);
    std::fs::create_dir_all(sb.root.join("store/my_store")).unwrap();
    sb.write("store/my_store/store.go", &my_store);
    trusted(&sb, &["remove", "my-store", "--force"]).fails(
        1,
        "store/mystore and store/my_store are each a backend of that name: remove the one you mean by its exact name",
    );
    std::fs::remove_dir_all(sb.root.join("store/mystore")).unwrap();
    sb.edit(
        "registry.go",
        "\t\"example.com/widgets/store/disk\"\n",
        "\t\"example.com/widgets/store/disk\"\n\t\"example.com/widgets/store/my_store\"\n",
    );
    sb.edit("registry.go", "\tdefault:\n", "\tcase \"my_store\":\n\t\treturn my_store.New(), nil\n\tdefault:\n");
    // Named exactly, it is the one; and registry.go, where the profile's
    // places are not found for it, still imports it.
    trusted(&sb, &["remove", "my_store", "--force"]).fails(1, "cannot come out cleanly: registry.go uses it");
    assert!(sb.root.join("store/my_store/store.go").exists());

    // A file the profile wires, using the store outside its places.
    let sb = go_project();
    sb.edit("registry.go", "\tcase \"disk\":\n\t\treturn disk.New(), nil\n", "");
    sb.write(
        "registry.go",
        &(sb.read("registry.go") + "\n// Default is the disk store.\nfunc Default() Store {\n\treturn disk.New()\n}\n"),
    );
    sb.run(&["remove", "disk", "--force"]).fails(1, "cannot come out cleanly: registry.go uses it");

    // A package named like a build directory, below the root, is searched.
    let sb = go_project();
    std::fs::create_dir_all(sb.root.join("internal/target")).unwrap();
    sb.write(
        "internal/target/target.go",
        "package target\n\nimport \"example.com/widgets/store/disk\"\n\nvar _ = disk.New\n",
    );
    sb.run(&["remove", "disk", "--force"]).fails(1, "cannot come out cleanly: internal/target/target.go uses it");

    // A package below the store's directory goes with it: its users count.
    let sb = go_project();
    std::fs::create_dir_all(sb.root.join("store/disk/codec")).unwrap();
    sb.write("store/disk/codec/codec.go", "package codec\n\n// Name names it.\nconst Name = \"c\"\n");
    std::fs::create_dir_all(sb.root.join("cmd/app")).unwrap();
    sb.write(
        "cmd/app/main.go",
        "package main\n\nimport \"example.com/widgets/store/disk/codec\"\n\nfunc main() { println(codec.Name) }\n",
    );
    sb.run(&["remove", "disk", "--force"]).fails(1, "cannot come out cleanly: cmd/app/main.go uses it");
    let _ = before;
}

/// doctor examines a store as it was added (its recorded parameters),
/// tells a missing wired file from a missing prose file, and refuses to
/// pass when its [backends] finds nothing.
#[test]
fn doctor_reads_the_recorded_settings_and_what_the_checkout_lacks() {
    let sb = go_project();
    let profile = ".add-backend/widgets/profile.toml";
    // The case value is a parameter's, by default the type.
    sb.edit(
        profile,
        "[params.summary]",
        "[params.kind]\nhelp = \"the value Open takes\"\ndefault = \"{{ type }}\"\n\n[params.summary]",
    );
    sb.edit(profile, "case = '\"{{ type }}\"'", "case = '\"{{ kind }}\"'");
    sb.write(".add-backend/widgets/case.go.tera", "case \"{{ kind }}\":\n\treturn {{ package }}.New(), nil\n");
    trusted(&sb, &["ftp", "--set", "kind=remote"]).success();
    assert!(sb.read("registry.go").contains("\tcase \"remote\":\n"));
    let doctor = trusted(&sb, &["doctor"]);
    doctor.success();
    assert!(
        doctor.stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["ftp", "ok", "ok"]),
        "{}",
        doctor.stdout
    );

    // The README gone: its places are reported as not there, never failing.
    std::fs::remove_file(sb.root.join("README.md")).unwrap();
    let doctor = trusted(&sb, &["doctor"]);
    doctor.success();
    assert!(
        doctor.stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["disk", "ok", "-"]),
        "{}",
        doctor.stdout
    );
    // registry.go gone: every store misses it.
    sb.edit(profile, "files = [\"registry.go\", \"store/*\"]", "files = [\"store/*\"]");
    std::fs::remove_file(sb.root.join("registry.go")).unwrap();
    let doctor = trusted(&sb, &["doctor"]);
    doctor.fails(4, "not wired everywhere: disk, ftp, memory");

    // A [backends] that finds nothing is a mistake, not a pass.
    sb.edit(profile, "path = \"store/{name}/store.go\"", "path = \"stores/{name}/store.go\"");
    let at = sb.read(profile).lines().position(|l| l.starts_with("path = \"stores/")).unwrap() + 1;
    trusted(&sb, &["doctor"])
        .fails(1, &format!("{profile}:{at}:8: no backend in the checkout is like \"stores/{{name}}/store.go\""));
}

/// struct-end and method-end say, with `present`, what marks their text
/// as there: a re-run adds nothing, doctor tells; without it doctor shows
/// that it cannot tell.
#[test]
fn struct_end_and_method_end_are_recognised_by_what_the_profile_says() {
    let sb = go_project();
    sb.write(
        "config.go",
        "package widgets\n\n// Config enables stores.\ntype Config struct {\n\tDisk bool\n\n\tMemory bool\n}\n\n// Enable turns every store on.\nfunc (c *Config) Enable() {\n\tc.Disk = true\n\tc.Memory = true\n}\n",
    );
    let profile = ".add-backend/widgets/profile.toml";
    let patches = "\n[[patches]]\nfile = \"config.go\"\nanchor = \"struct-end\"\nstruct = \"Config\"\npresent = \"{{ pascal }}\"\ntemplate = \"field.go\"\ncheck = \"config\"\n\n[[patches]]\nfile = \"config.go\"\nanchor = \"method-end\"\nreceiver = \"Config\"\nmethod = \"Enable\"\npresent = \"c.{{ pascal }} = true\"\ntemplate = \"enable.go\"\ncheck = \"config\"\n";
    sb.write(profile, &(sb.read(profile) + patches));
    // As the built-in templates are, indented as they go.
    sb.write(".add-backend/widgets/field.go.tera", "\n\t{{ pascal }} bool\n");
    sb.write(".add-backend/widgets/enable.go.tera", "\tc.{{ pascal }} = true\n");
    trusted(&sb, &["ftp"]).success();
    let config = sb.read("config.go");
    assert!(
        config.contains("\tMemory bool\n\n\tFtp bool\n}\n") && config.contains("\tc.Memory = true\n\tc.Ftp = true\n}"),
        "{config}"
    );
    let again = trusted(&sb, &["ftp"]);
    again.success();
    assert!(again.stderr.contains("nothing to do"), "{}", again.stderr);
    if let Some(listed) = tool(&sb.root, "gofmt", &["-l", "."]) {
        assert!(listed.is_empty(), "gofmt -l lists:\n{listed}");
    }
    let doctor = trusted(&sb, &["doctor"]);
    doctor.success();
    assert_eq!(
        doctor.stdout.lines().next().unwrap().split_whitespace().collect::<Vec<_>>(),
        ["backend", "registry", "docs", "config"]
    );
    assert!(
        doctor.stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["ftp", "ok", "ok", "ok"]),
        "{}",
        doctor.stdout
    );

    // Without `present`, whether they are there cannot be told.
    let text = sb
        .read(profile)
        .replace("present = \"{{ pascal }}\"\n", "")
        .replace("present = \"c.{{ pascal }} = true\"\n", "");
    sb.write(profile, &text);
    let doctor = trusted(&sb, &["doctor"]);
    doctor.success();
    assert!(
        doctor.stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["ftp", "ok", "ok", "-"]),
        "{}",
        doctor.stdout
    );
}

/// A profile's parameters: inline tables, defaults in `params`, and every
/// mistake placed.
#[test]
fn parameters_take_their_defaults_and_their_mistakes_are_placed() {
    let sb = go_project();
    let profile = ".add-backend/widgets/profile.toml";
    sb.edit(
        profile,
        "[params.summary]\nhelp = \"what the store keeps things in, for its doc comment\"\ndefault = \"memory of its own\"\n",
        "[params]\nsummary = { help = \"what it keeps things in\", default = \"memory of its own\" }\n",
    );
    sb.edit(profile, "text = \"- `{{ type }}`: {{ summary }}\"", "text = \"- `{{ type }}`: {{ params.summary }}\"");
    trusted(&sb, &["ftp"]).success();
    assert!(sb.read("README.md").contains("- `ftp`: memory of its own\n"));

    sb.edit(profile, "default = \"memory of its own\" }", "default = \"{{ nosuch }}\" }");
    let at = sb.read(profile).lines().position(|l| l.starts_with("summary = {")).unwrap() + 1;
    trusted(&sb, &["sftp"]).fails(1, &format!("{profile}:{at}:11: default: "));
    sb.edit(profile, ", default = \"{{ nosuch }}\" }", " }");
    trusted(&sb, &["sftp"])
        .fails(1, &format!("{profile}:{at}:11: --set summary=VALUE is needed: what it keeps things in"));
    trusted(&sb, &["sftp", "--set", "summary=x"]).success();

    sb.edit(profile, "next = [\"go test", "next = [\"{{ nosuch }} go test");
    let at = sb.read(profile).lines().position(|l| l.starts_with("next = ")).unwrap() + 1;
    trusted(&sb, &["s3", "--set", "summary=x"]).fails(1, &format!("{profile}:{at}:8: "));
}

/// A directory of backends that leads outside the checkout is not listed:
/// the names of what lies there are no backends of the checkout's.
#[cfg(unix)]
#[test]
fn a_backends_directory_leading_outside_is_not_listed() {
    let sb = go_project();
    let outside = sb.root.parent().unwrap().join("outside");
    std::fs::create_dir_all(outside.join("secret-name")).unwrap();
    std::fs::write(outside.join("secret-name/store.go"), "package x\n").unwrap();
    std::fs::rename(sb.root.join("store"), sb.root.parent().unwrap().join("store-moved")).unwrap();
    std::os::unix::fs::symlink(&outside, sb.root.join("store")).unwrap();
    let run = sb.run(&["doctor"]);
    run.fails(1, "no backend in the checkout is like");
    assert!(!run.stdout.contains("secret-name") && !run.stderr.contains("secret-name"), "{}{}", run.stdout, run.stderr);
}
