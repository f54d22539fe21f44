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
