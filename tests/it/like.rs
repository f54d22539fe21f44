//! `--like SIBLING`: a backend modelled on one the checkout has, with no
//! profile (src/project/like/), on the Litestream fixture (the clone is
//! gofmt-clean, vets, builds and passes) and the sccache fixture (rustfmt-
//! clean, builds with only its feature and without it, its tests pass);
//! names are renamed by syntax and scope; a second run changes nothing and
//! remove puts every byte back.

use crate::common::Sandbox;
use crate::go_toolchain::{go, gofmt_lists_nothing, have_go};

fn changed_files(sb: &Sandbox, args: &[&str]) -> Vec<String> {
    let run = sb.run(&[args, &["--dry-run", "--format", "json"]].concat());
    run.success();
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut files: Vec<String> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["action"] != "none")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn a_clone_of_sftp_builds_vets_and_passes_and_comes_out_byte_for_byte() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let run = sb.run(&["ftp", "--like", "sftp"]);
    run.success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(
        main.contains("\tcase \"ftp\":\n\t\tif r.Client, err = newFTPReplicaClientFromConfig(c, r); err != nil {"),
        "{main}"
    );
    assert!(main.contains("func newFTPReplicaClientFromConfig(c *ReplicaConfig, _ *litestream.Replica) (_ *ftp.ReplicaClient, err error) {"));
    assert!(main.contains("\t\"github.com/benbjohnson/litestream/ftp\"\n"));
    let harness = sb.read("internal/testingutil/testingutil.go");
    assert!(
        harness.contains(
            "// FTP settings\nvar (\n\tftpHost = flag.String(\"ftp-host\", os.Getenv(\"LITESTREAM_FTP_HOST\"), \"\")\n"
        ),
        "{harness}"
    );
    assert!(harness.contains("\tcase ftp.ReplicaClientType:\n\t\treturn NewFTPReplicaClient(tb)\n\tdefault:"));
    assert!(sb.read("ftp/replica_client.go").lines().any(|l| l == "package ftp"));
    assert!(sb.read("docs/ARCHITECTURE.md").contains("    RC --> SFTP\n    RC --> FTP\n"));
    // A mention inside another structure is listed, not cloned.
    assert!(run.stderr.contains("mentioned, not cloned"), "{}", run.stderr);
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
        go(&sb.root, &["test", "./ftp/...", "./cmd/litestream/...", "./internal/..."]);
    }
    let added = sb.tree();
    let again = sb.run(&["ftp", "--like", "sftp"]);
    again.success();
    assert!(again.stderr.contains("already in place: nothing to do"), "{}", again.stderr);
    assert_eq!(sb.tree(), added);
    sb.run(&["remove", "ftp"]).success();
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_clone_of_s3_reaches_the_go_wiring_the_profile_makes() {
    let sb = Sandbox::litestream();
    let cloned = changed_files(&sb, &["obs", "--like", "s3"]);
    let profiled = changed_files(&sb, &["obs"]);
    for file in [
        "cmd/litestream/main.go",
        "cmd/litestream/replicate.go",
        "internal/testingutil/testingutil.go",
        "docs/ARCHITECTURE.md",
    ] {
        assert!(profiled.contains(&file.to_string()), "{file} in {profiled:?}");
        assert!(cloned.contains(&file.to_string()), "{file} not reached by the clone: {cloned:?}");
    }
    assert!(cloned.contains(&"obs/replica_client.go".to_string()));
    // The plan says what the profile would write that the clone does not.
    let dry = sb.run(&["obs", "--like", "s3", "--dry-run"]);
    dry.success();
    assert!(
        dry.stderr.contains("the litestream profile also writes obs/storage.go, obs/replica_client_test.go, cmd/litestream/obs_config_test.go, README.md, etc/litestream.yml, which the clone did not reach"),
        "{}",
        dry.stderr
    );
    sb.run(&["obs", "--like", "s3"]).success();
    // `s3` is not renamed inside other words, nor the S3 of another thing.
    let docs = sb.read("docs/ARCHITECTURE.md");
    assert!(docs.contains("    RC --> OBS\n") && docs.contains("    S3 --> Cloud[(Cloud storage)]\n"), "{docs}");
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
        go(&sb.root, &["build", "./..."]);
        go(&sb.root, &["test", "./obs/...", "./cmd/litestream/..."]);
    }
}

/// The sibling's package imports another package of the same name (as
/// Litestream's sftp imports github.com/pkg/sftp): its path and its
/// qualifier are that package's, and stay.
#[test]
fn another_package_of_the_sibling_s_name_is_left_as_it_is() {
    let sb = Sandbox::litestream();
    std::fs::create_dir_all(sb.root.join("internal/wire/sftp")).unwrap();
    sb.write(
        "internal/wire/sftp/sftp.go",
        "// Package sftp is a wire protocol of the test.\npackage sftp\n\n// Port is the protocol's port.\nconst Port = 22\n\n// SFTPVersion is the protocol's version.\nconst SFTPVersion = 3\n",
    );
    sb.edit(
        "sftp/replica_client.go",
        "\t\"github.com/benbjohnson/litestream\"\n",
        "\t\"github.com/benbjohnson/litestream\"\n\t\"github.com/benbjohnson/litestream/internal/wire/sftp\"\n",
    );
    let client = sb.read("sftp/replica_client.go");
    sb.write(
        "sftp/replica_client.go",
        &format!("{client}\n// DefaultPort is the port of an sftp server.\nconst DefaultPort = sftp.Port + sftp.SFTPVersion - 3\n\n{SHADOWED}"),
    );
    sb.run(&["ftp", "--like", "sftp"]).success();
    let clone = sb.read("ftp/replica_client.go");
    assert!(clone.contains("\t\"github.com/benbjohnson/litestream/internal/wire/sftp\"\n"), "{clone}");
    assert!(
        clone.contains(
            "// DefaultPort is the port of an ftp server.\nconst DefaultPort = sftp.Port + sftp.SFTPVersion - 3\n"
        ),
        "{clone}"
    );
    assert!(clone.lines().any(|l| l == "package ftp"));
    // Where a local has the package's name, the name is the local's.
    assert!(
        clone.contains(
            &SHADOWED
                .replace("sftp :=", "ftp :=")
                .replace("sftp.Host", "ftp.Host")
                .replace("(sftp *", "(ftp *")
                .replace(", sftp :=", ", ftp :=")
        ),
        "{clone}"
    );
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./ftp/", "./cmd/litestream/"]);
    }
}

/// Locals named as the imported package (a parameter, a range variable,
/// a short declaration) shadow it where they are declared.
const SHADOWED: &str = "// HostOf is the host of a client.\nfunc HostOf(sftp *ReplicaClient) string { return sftp.Host }\n\n// FirstHost is the host of the first client, or of a new one.\nfunc FirstHost(clients []*ReplicaClient) string {\n\tfor _, sftp := range clients {\n\t\treturn sftp.Host\n\t}\n\tif sftp.Port > 0 {\n\t\tsftp := &ReplicaClient{Host: \"h\"}\n\t\treturn sftp.Host\n\t}\n\treturn \"\"\n}\n";

#[test]
fn a_sibling_the_checkout_lacks_or_a_rust_project_is_refused() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["ftp", "--like", "nosuch"]).fails(1, "--like nosuch: no directory nosuch/ with a Go package nosuch");
    sb.run(&["sftp", "--like", "sftp"]).fails(1, "another name than its model");
    // A name the checkout has as a package already.
    sb.run(&["file", "--like", "sftp"]).fails(1, "already exists and differs");
    sb.run(&["ftp", "--like", "sftp", "--field", "host"]).fails(2, "cannot be used with");
    assert_eq!(sb.tree(), before);
    // A name the checkout has for something else already: refused, whole.
    sb.edit(
        "cmd/litestream/main.go",
        "// ReplicaType returns",
        "func newFTPReplicaClientFromConfig() {}\n\n// ReplicaType returns",
    );
    let edited = sb.tree();
    sb.run(&["ftp", "--like", "sftp"]).fails(1, "already exists and differs");
    assert_eq!(sb.tree(), edited);
    let sb = Sandbox::litestream();
    sb.write("cmd/litestream/other.go", "package main\n\nfunc newFTPReplicaClientFromConfig() {}\n");
    let edited = sb.tree();
    sb.run(&["ftp", "--like", "sftp"]).fails(1, "already exists and differs");
    assert_eq!(sb.tree(), edited);
    // A name the wired code uses for something else (a local `client`).
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["client", "--like", "sftp"]).fails(1, "already uses the name client");
    assert_eq!(sb.tree(), before);
    // In a Cargo package: a module it lacks, a module or a feature it has.
    let rust = Sandbox::fixture("sccache");
    let before = rust.tree();
    rust.run(&["obs", "--like", "nosuch"]).fails(1, "--like nosuch: no module nosuch (nosuch.rs or nosuch/mod.rs");
    rust.run(&["webdav", "--like", "oss"]).fails(1, "Cargo.toml: feature webdav is declared already");
    rust.run(&["match", "--like", "oss"]).fails(1, "match is a Rust keyword");
    assert_eq!(rust.tree(), before);
    rust.edit("Cargo.toml", "oss = [", "obs = [\"opendal/services-obs\"]\noss = [");
    let edited = rust.tree();
    rust.run(&["obs", "--like", "oss"]).fails(1, "Cargo.toml: feature obs is declared already");
    assert_eq!(rust.tree(), edited);
    // A name the wired code declares already, for something else.
    let rust = Sandbox::fixture("sccache");
    rust.edit("src/config.rs", "pub enum CacheType {", "pub struct OBSCacheConfig;\n\npub enum CacheType {");
    let edited = rust.tree();
    rust.run(&["obs", "--like", "oss"]).fails(1, "already exists and differs");
    assert_eq!(rust.tree(), edited);
}

/// sccache's oss cloned as obs: the module copied (OpenDAL's `Oss`, a name
/// of another crate's, kept), every unit of wiring cloned (the feature
/// and its place in `all`, the `mod` and `use` in rustfmt's order, each
/// `cfg(any(..))` list, the config struct, the enum variant, the fields,
/// the match arms, the env statements, the chained fallback, the
/// `concat!` lines, the file-config test's TOML table and expected value,
/// the README items and the docs section); rustfmt-clean, it compiles
/// with only its feature and without it, and the tests pass.
#[test]
fn a_clone_of_oss_on_the_sccache_fixture_is_formatted_builds_alone_and_passes() {
    use crate::sccache::cargo;
    let sb = Sandbox::fixture("sccache");
    let before = sb.tree();
    let run = sb.run(&["obs", "--like", "oss"]);
    run.success();
    let module = sb.read("src/cache/obs.rs");
    assert!(module.contains("use opendal::services::Oss;\n"), "{module}");
    assert!(module.contains("let mut builder = Oss::default().bucket(bucket).root(key_prefix);"));
    assert!(module.contains("pub struct OBSCache;\n\nimpl OBSCache {"));
    let manifest = sb.read("Cargo.toml");
    assert!(manifest.contains("  \"oss\",\n  \"obs\",\n]"), "{manifest}");
    assert!(manifest.contains("dist-client = []\nobs = [\n  \"opendal/services-oss\",\n"), "{manifest}");
    let cache = sb.read("src/cache/cache.rs");
    assert!(cache.contains("#[cfg(feature = \"obs\")]\nuse crate::cache::obs::OBSCache;\n#[cfg(feature = \"oss\")]\nuse crate::cache::oss::OSSCache;\n"), "{cache}");
    assert!(cache.contains("#[cfg(any(feature = \"webdav\", feature = \"oss\", feature = \"obs\"))]"));
    let config = sb.read("src/config.rs");
    assert!(config.contains("    OSS(OSSCacheConfig),\n    OBS(OBSCacheConfig),\n"), "{config}");
    assert!(config.contains(
        "            .or_else(|| oss.map(CacheType::OSS))\n            .or_else(|| obs.map(CacheType::OBS));"
    ));
    assert!(config.contains("\n[cache.obs]\nbucket = \"name\"\n"));
    assert!(config.contains("                obs: Some(OBSCacheConfig {\n"));
    // The destructuring of every cache is not the sibling's: its field is.
    assert_eq!(config.matches("let CacheConfigs {").count(), 2, "{config}");
    let help = sb.read("src/cmdline.rs");
    assert!(help.contains("            cfg!(feature = \"oss\"),\n            \"\\n\",\n            \"    OBS:       \",\n            cfg!(feature = \"obs\"),\n            \"\\n\"\n"), "{help}");
    assert!(sb.read("README.md").contains("  * [Alibaba OSS](docs/OSS.md)\n  * [Alibaba OBS](docs/OBS.md)\n"));
    assert!(sb.read("docs/Configuration.md").contains("\n#### OBS\n\n* `SCCACHE_OBS_BUCKET`\n"));
    assert!(sb.read("docs/OBS.md").starts_with("# OBS\n"));
    cargo(&sb.root, &["fmt", "--check"]);
    cargo(&sb.root, &["check", "--quiet", "--no-default-features", "--features", "obs"]);
    let tests = cargo(&sb.root, &["test", "--no-default-features", "--features", "obs"]);
    assert!(tests.contains("test config::full_toml_parse ... ok"), "{tests}");
    cargo(&sb.root, &["check", "--quiet", "--no-default-features"]);
    let added = sb.tree();
    let again = sb.run(&["obs", "--like", "oss"]);
    again.success();
    assert!(again.stderr.contains("already in place: nothing to do"), "{}", again.stderr);
    assert_eq!(sb.tree(), added);
    sb.run(&["remove", "obs"]).success();
    assert_eq!(sb.tree(), before);
}

#[test]
fn a_clone_of_oss_reaches_every_file_the_sccache_profile_patches() {
    let sb = Sandbox::fixture("sccache");
    let cloned = changed_files(&sb, &["obs", "--like", "oss"]);
    let profiled = changed_files(&sb, &["obs", "--field", "bucket!"]);
    let missed: Vec<&String> =
        profiled.iter().filter(|f| !cloned.contains(f) && !f.starts_with(".add-backend/")).collect();
    assert!(missed.is_empty(), "the profile writes {missed:?}, the clone does not ({cloned:?})");
    let dry = sb.run(&["obs", "--like", "oss", "--dry-run"]);
    assert!(!dry.stderr.contains("which the clone did not reach"), "{}", dry.stderr);
    // A cfg(any(..)) list grown past what rustfmt keeps on one line: said.
    let long = sb.run(&["tencent-cloud-object-storage", "--like", "oss", "--dry-run"]);
    long.success();
    assert!(
        long.stderr.contains("src/cache/mod.rs: `#[cfg(any(feature = \"webdav\", feature = \"oss\"))]` is now wider than rustfmt keeps on one line; `cargo fmt` breaks it"),
        "{}",
        long.stderr
    );
}

/// A Go module of our own, with no profile: stores under `store/`, opened
/// by name in a registry switch, listed in a features list and the README.
pub(crate) fn made_up_project() -> Sandbox {
    let sb = Sandbox::empty("kv");
    let files: &[(&str, &str)] = &[
        ("go.mod", "module example.com/kv\n\ngo 1.24\n"),
        (
            "store/memory/memory.go",
            "// Package memory keeps values in memory.\npackage memory\n\nimport \"strings\"\n\n// Name is the store's name.\nconst Name = \"memory\"\n\n// Key is what follows \"memory:\" in s, if s starts with it.\nfunc Key(s string) string {\n\tif strings.HasPrefix(s, \"memory:\") {\n\t\treturn s[7:]\n\t}\n\treturn \"\"\n}\n\n// MemoryStore is the memory store.\ntype MemoryStore struct{ values map[string]string }\n\n// NewMemoryStore returns an empty memory store.\nfunc NewMemoryStore() *MemoryStore { return &MemoryStore{values: map[string]string{}} }\n\n// Get returns the value of key.\nfunc (s *MemoryStore) Get(key string) string { return s.values[key] }\n\n// Put sets the value of key.\nfunc (s *MemoryStore) Put(key, value string) { s.values[key] = value }\n",
        ),
        (
            "store/memory/memory_test.go",
            "package memory\n\nimport \"testing\"\n\nfunc TestMemoryStore(t *testing.T) {\n\ts := NewMemoryStore()\n\ts.Put(\"a\", \"memory\")\n\tif s.Get(\"a\") != \"memory\" {\n\t\tt.Fatal(\"memory store lost a value\")\n\t}\n\tif Key(\"memory:k\") != \"k\" {\n\t\tt.Fatal(\"the key of memory:k is not k\")\n\t}\n}\n",
        ),
        (
            "store/disk/disk.go",
            "// Package disk keeps values in files.\npackage disk\n\n// Name is the store's name.\nconst Name = \"disk\"\n\n// DiskStore is the disk store.\ntype DiskStore struct{}\n\n// Get returns the value of key.\nfunc (DiskStore) Get(key string) string { return \"\" }\n\n// Put sets the value of key.\nfunc (DiskStore) Put(key, value string) {}\n",
        ),
        (
            "registry.go",
            "// Package kv opens stores by name.\npackage kv\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/kv/store/disk\"\n\t\"example.com/kv/store/memory\"\n)\n\n// Store is what every store does.\ntype Store interface {\n\tGet(key string) string\n\tPut(key, value string)\n}\n\n// Open returns the store of that kind.\nfunc Open(kind string) (Store, error) {\n\tswitch kind {\n\tcase \"disk\":\n\t\treturn disk.DiskStore{}, nil\n\tcase \"memory\":\n\t\treturn memory.NewMemoryStore(), nil\n\tdefault:\n\t\treturn nil, fmt.Errorf(\"unknown store %q\", kind)\n\t}\n}\n\n// Kinds lists the stores.\nvar Kinds = []string{\"disk\", \"memory\"}\n\n// Names lists the stores' names, as their packages have them.\nfunc Names() []string {\n\tvar names []string\n\tnames = append(names, disk.Name)\n\tnames = append(names, memory.Name)\n\treturn names\n}\n",
        ),
        (
            "registry_test.go",
            "package kv\n\nimport \"testing\"\n\nfunc TestOpenMemory(t *testing.T) {\n\tif _, err := Open(\"memory\"); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n",
        ),
        ("README.md", "# kv\n\nStores:\n\n- `disk`: files\n- `memory`: memory of its own\n"),
    ];
    for (path, text) in files {
        let path = sb.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    sb
}

#[test]
fn a_project_with_no_profile_gets_a_clone_that_builds_and_passes() {
    let sb = made_up_project();
    // Test data of the sibling's package, which the clone's tests read.
    std::fs::create_dir_all(sb.root.join("store/memory/testdata")).unwrap();
    sb.write("store/memory/testdata/seed.txt", "memory seed\n");
    let before = sb.tree();
    let run = sb.run(&["redis", "--like", "memory"]);
    run.success();
    let registry = sb.read("registry.go");
    assert!(registry.contains("\tcase \"memory\":\n\t\treturn memory.NewMemoryStore(), nil\n\tcase \"redis\":\n\t\treturn redis.NewRedisStore(), nil\n"), "{registry}");
    assert!(registry.contains("\t\"example.com/kv/store/memory\"\n\t\"example.com/kv/store/redis\"\n"), "{registry}");
    // A statement of a run of like ones, one a store.
    assert!(
        registry.contains("\tnames = append(names, memory.Name)\n\tnames = append(names, redis.Name)\n"),
        "{registry}"
    );
    assert!(sb.read("README.md").contains("- `memory`: memory of its own\n- `redis`: redis of its own\n"));
    assert!(sb.read("store/redis/redis.go").contains("func NewRedisStore() *RedisStore"));
    // A prefix cut off by its length: the new prefix's length.
    assert!(sb.read("store/redis/redis.go").contains("\tif strings.HasPrefix(s, \"redis:\") {\n\t\treturn s[6:]\n"));
    assert_eq!(sb.read("store/redis/testdata/seed.txt"), "redis seed\n");
    // The list of kinds names others too: listed for review, not cloned.
    assert!(run.stderr.contains("mentioned, not cloned") && run.stderr.contains("registry.go:"), "{}", run.stderr);
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
        go(&sb.root, &["test", "./..."]);
    }
    sb.run(&["remove", "redis"]).success();
    assert_eq!(sb.tree(), before);
}

/// On the rclone fixture: the package and its docs page copied, the blank
/// import cloned in its sorted place, and each list entry in the list's
/// order when the list is in order (the local filesystem kept last).
#[test]
fn a_clone_on_the_rclone_fixture_keeps_sorted_lists_sorted() {
    let sb = Sandbox::fixture("rclone");
    let before = sb.tree();
    sb.run(&["acme", "--like", "zeta"]).success();
    assert!(sb.read("backend/acme/acme.go").contains("package acme\n"));
    assert!(sb.read("docs/content/acme.md").contains("title: \"acme\""));
    assert!(
        sb.read("backend/all/all.go").contains(
            "\t_ \"github.com/rclone/rclone/backend/acme\"\n\t_ \"github.com/rclone/rclone/backend/alpha\"\n"
        )
    );
    assert!(
        sb.read("README.md").contains(
            "## Storage providers\n\n- Acme Store [:page_facing_up:](https://rclone.org/acme/)\n- Alpha Cloud"
        )
    );
    assert!(sb.read("docs/content/docs.md").contains("for\n\n- [Acme Store](/acme/)\n- [Alpha Cloud](/alpha/)\n"));
    sb.run(&["remove", "acme"]).success();
    assert_eq!(sb.tree(), before);
}

/// What a hostile review found: text lower-casing changes the length of,
/// capitals, and a new name that extends the sibling's.
#[test]
fn odd_text_capitals_and_a_longer_name() {
    let sb = Sandbox::litestream();
    let replica = sb.read("replica.go");
    sb.write("replica.go", &format!("{replica}// İİİéSFTP日本\n"));
    sb.run(&["ftp", "--like", "sftp"]).success();
    sb.run(&["remove", "ftp"]).success();

    sb.run(&["wasabi", "--like", "s3"]).success();
    let harness = sb.read("internal/testingutil/testingutil.go");
    assert!(harness.contains("os.Getenv(\"LITESTREAM_WASABI_BUCKET\")"), "{harness}");
    assert!(harness.contains("func NewWasabiReplicaClient("), "{harness}");
    sb.run(&["remove", "wasabi"]).success();

    let before = sb.tree();
    sb.run(&["sftp2", "--like", "sftp"]).success();
    let added = sb.tree();
    let again = sb.run(&["sftp2", "--like", "sftp"]);
    again.success();
    assert!(again.stderr.contains("nothing to do"), "{}", again.stderr);
    assert_eq!(sb.tree(), added);
    if have_go() {
        go(&sb.root, &["vet", "./..."]);
    }
    sb.run(&["remove", "sftp2"]).success();
    assert_eq!(sb.tree(), before);
}

/// A case that falls through into the next is no unit of its own: a
/// clone after it would change what the switch runs.
#[test]
fn a_case_that_falls_through_is_not_cloned() {
    let sb = made_up_project();
    sb.edit(
        "registry.go",
        "\tcase \"memory\":\n\t\treturn memory.NewMemoryStore(), nil\n",
        "\tcase \"memory\":\n\t\t_ = memory.NewMemoryStore()\n\t\tfallthrough\n\tcase \"mem\":\n\t\treturn memory.NewMemoryStore(), nil\n",
    );
    let run = sb.run(&["redis", "--like", "memory"]);
    run.success();
    assert!(!sb.read("registry.go").contains("case \"redis\""), "{}", sb.read("registry.go"));
    assert!(run.stderr.contains("registry.go:"), "listed for review: {}", run.stderr);
}

/// A line cloned in a list indented less than another list's lines is
/// also in those longer lines, as text: remove takes out the lines it
/// inserted, and puts every byte back.
#[test]
fn lines_cloned_at_two_indentations_come_out_byte_for_byte() {
    let sb = Sandbox::fixture("sccache");
    let lists = "#[cfg(any(\n    feature = \"webdav\",\n    feature = \"oss\",\n))]\npub fn remote() -> bool {\n    #[cfg(any(\n        feature = \"webdav\",\n        feature = \"oss\",\n    ))]\n    return true;\n    #[allow(unreachable_code)]\n    false\n}\n";
    let module = sb.read("src/cache/mod.rs");
    sb.write("src/cache/mod.rs", &format!("{module}\n{lists}"));
    let before = sb.tree();
    sb.run(&["obs", "--like", "oss"]).success();
    let module = sb.read("src/cache/mod.rs");
    assert!(module.contains("\n    feature = \"oss\",\n    feature = \"obs\",\n))]\n"), "{module}");
    assert!(module.contains("\n        feature = \"oss\",\n        feature = \"obs\",\n    ))]\n"), "{module}");
    sb.run(&["remove", "obs"]).success();
    assert_eq!(sb.tree(), before);
}

/// What a hostile review found, refused or done right: a module named with
/// the sibling's name in it is another's; a module with a directory of its
/// own beside its file is copied whole; a name the package or a wired file
/// has already is refused; a sibling that is not a backend is refused; a
/// clone reformatted by `cargo fmt` still comes out with `remove`.
#[test]
fn a_rust_clone_keeps_to_the_sibling_and_refuses_what_clashes() {
    // A helper named with the sibling's name in it (`http_client` beside `http`).
    let sb = Sandbox::fixture("sccache");
    sb.run(&["obs", "--like", "oss"]).success();
    let module = sb.read("src/cache/mod.rs");
    assert!(!module.contains("obs_client"), "{module}");
    let before = {
        let sb = Sandbox::fixture("sccache");
        sb.edit(
            "src/cache/mod.rs",
            "pub(crate) mod http_client;",
            "pub(crate) mod http_client;\npub(crate) mod oss_client;",
        );
        sb.write("src/cache/oss_client.rs", "//! What OSS and others share.\n\npub struct OssClient;\n");
        sb.edit(
            "src/cache/oss.rs",
            "use super::http_client::set_user_agent;",
            "use super::http_client::set_user_agent;\n#[allow(unused_imports)]\nuse super::oss_client::OssClient;",
        );
        sb.run(&["obs", "--like", "oss"]).success();
        let module = sb.read("src/cache/mod.rs");
        assert!(!module.contains("obs_client"), "{module}");
        assert!(sb.read("src/cache/oss_client.rs").ends_with("pub struct OssClient;\n"));
        sb.read("src/cache/obs.rs")
    };
    assert!(before.contains("use super::oss_client::OssClient;"), "the other module's path stays: {before}");

    // A name brought in by another crate's glob (`use opendal::services::*`):
    // not declared in the package, it is that crate's.
    let sb = Sandbox::fixture("sccache");
    sb.edit("src/cache/oss.rs", "use opendal::services::Oss;", "use opendal::services::*;");
    // A method of another crate's type named for it is that type's.
    sb.edit(
        "src/cache/oss.rs",
        "builder = builder.skip_signature();",
        "builder = builder.skip_signature().with_oss_key();",
    );
    sb.run(&["obs", "--like", "oss"]).success();
    let module = sb.read("src/cache/obs.rs");
    assert!(module.contains("let mut builder = Oss::default()") && module.contains("pub struct OBSCache;"), "{module}");
    assert!(module.contains("builder.skip_signature().with_oss_key();"), "{module}");
    // A field the package declares is renamed where it is read.
    assert!(sb.read("src/config.rs").contains("self.obs = obs;"));

    // A module with its directory beside its file (`oss.rs` and `oss/helper.rs`).
    let sb = Sandbox::fixture("sccache");
    sb.edit("src/cache/oss.rs", "use crate::errors::*;", "use crate::errors::*;\n\nmod helper;");
    std::fs::create_dir_all(sb.root.join("src/cache/oss")).unwrap();
    sb.write("src/cache/oss/helper.rs", "//! A helper of the OSS cache.\n");
    sb.run(&["obs", "--like", "oss"]).success();
    assert_eq!(sb.read("src/cache/obs/helper.rs"), "//! A helper of the OBS cache.\n");

    // Names the package has: a dependency, a feature in the other spelling,
    // a module in the other layout; a sibling with no feature of its name.
    let sb = Sandbox::fixture("sccache");
    let before = sb.tree();
    sb.run(&["reqwest", "--like", "oss"]).fails(1, "reqwest is a dependency of the package");
    sb.run(&["dist_client", "--like", "oss"]).fails(1, "the package has a feature dist-client already");
    sb.run(&["cache", "--like", "disk"]).fails(1, "--like disk: the package has no feature disk");
    assert_eq!(sb.tree(), before);
    std::fs::create_dir_all(sb.root.join("src/cache/obs")).unwrap();
    sb.write("src/cache/obs/mod.rs", "//! Somebody's.\n");
    let edited = sb.tree();
    sb.run(&["obs", "--like", "oss"]).fails(1, "module obs exists already, as src/cache/obs/mod.rs");
    assert_eq!(sb.tree(), edited);

    // A local of the new name in a wired function.
    let sb = Sandbox::fixture("sccache");
    sb.edit(
        "src/config.rs",
        "    // ======= Local =======",
        "    let obs = \"observability\";\n    let _ = obs;\n\n    // ======= Local =======",
    );
    let edited = sb.tree();
    sb.run(&["obs", "--like", "oss"]).fails(1, "the file uses its new name already");
    assert_eq!(sb.tree(), edited);

    // A `use` list naming several backends: the clone's path in its sorted place.
    let sb = Sandbox::fixture("sccache");
    let cache = sb.read("src/cache/cache.rs");
    let cache = cache.replace("#[cfg(feature = \"oss\")]\nuse crate::cache::oss::OSSCache;\n", "").replace(
        "#[cfg(feature = \"webdav\")]\nuse crate::cache::webdav::WebdavCache;\n",
        "#[allow(unused_imports)]\nuse crate::cache::{oss::OSSCache, webdav::WebdavCache};\n",
    );
    sb.write("src/cache/cache.rs", &cache);
    let before = sb.tree();
    sb.run(&["obs", "--like", "oss"]).success();
    let cache = sb.read("src/cache/cache.rs");
    assert!(cache.contains("use crate::cache::{obs::OBSCache, oss::OSSCache, webdav::WebdavCache};\n"), "{cache}");
    let again = sb.run(&["obs", "--like", "oss"]);
    assert!(again.stderr.contains("already in place: nothing to do"), "{}", again.stderr);
    sb.run(&["remove", "obs"]).success();
    assert_eq!(sb.tree(), before);

    // Reformatted by rustfmt (a longer name rewraps lines): remove names
    // what rustfmt changed, and --force takes out the rest.
    let sb = Sandbox::fixture("sccache");
    let run = sb.run(&["webdav2", "--like", "webdav"]);
    run.success();
    assert!(run.stderr.contains("src/config.rs: a cloned line is wider than rustfmt's 100 columns"), "{}", run.stderr);
    // A chain led by the sibling goes on to the new backend, as it does to the others.
    let config = sb.read("src/config.rs");
    assert!(
        config.contains("            .or_else(|| oss.map(CacheType::OSS))\n            .or_else(|| webdav2.map(CacheType::Webdav2));"),
        "{config}"
    );
    crate::sccache::cargo(&sb.root, &["check", "--quiet", "--no-default-features", "--features", "webdav2"]);
    crate::sccache::cargo(&sb.root, &["fmt"]);
    let run = sb.run(&["remove", "webdav2"]);
    run.fails(1, "changed since add-backend wrote it:");
    assert!(run.stderr.contains("\"webdav2\" => self.webdav2.clone()"), "{}", run.stderr);
    sb.run(&["remove", "webdav2", "--force"]).success();
    assert!(!sb.root.join("src/cache/webdav2.rs").exists());
    assert!(!sb.read("src/cache/mod.rs").contains("webdav2"));
}

/// Names that are word parts of other words, and new names that exist in
/// another spelling: renamed where they are the sibling's word, else
/// refused whole.
#[test]
fn a_short_sibling_is_renamed_only_as_a_word_and_a_name_in_another_spelling_is_refused() {
    let sb = made_up_project();
    std::fs::create_dir_all(sb.root.join("store/gs")).unwrap();
    sb.write(
        "store/gs/gs.go",
        "// Package gs keeps values in a GS bucket.\npackage gs\n\nimport \"strings\"\n\n// Name is the store's name.\nconst Name = \"gs\"\n\n// GSStore is the gs store; its args are gsutil's flags.\ntype GSStore struct{ args []string }\n\n// NewGSStore returns a gs store run with args.\nfunc NewGSStore(args ...string) *GSStore { return &GSStore{args: args} }\n\n// Get returns the value of key.\nfunc (s *GSStore) Get(key string) string { return strings.Join(s.args, \",\") }\n\n// Put sets the value of key.\nfunc (s *GSStore) Put(key, value string) {}\n",
    );
    sb.edit(
        "registry.go",
        "\t\"example.com/kv/store/disk\"\n",
        "\t\"example.com/kv/store/disk\"\n\t\"example.com/kv/store/gs\"\n",
    );
    sb.edit("registry.go", "\tcase \"memory\":", "\tcase \"gs\":\n\t\treturn gs.NewGSStore(), nil\n\tcase \"memory\":");
    sb.run(&["oss", "--like", "gs"]).success();
    let clone = sb.read("store/oss/oss.go");
    assert!(
        clone.contains(
            "// OSSStore is the oss store; its args are gsutil's flags.\ntype OSSStore struct{ args []string }\n"
        ),
        "{clone}"
    );
    assert!(clone.contains("func NewOSSStore(args ...string) *OSSStore { return &OSSStore{args: args} }"), "{clone}");
    assert!(sb.read("registry.go").contains("\tcase \"oss\":\n\t\treturn oss.NewOSSStore(), nil\n"));
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
    }
    // The new name is a store's already, in another casing or spelling.
    let before = sb.tree();
    sb.run(&["Memory", "--like", "disk"]).fails(1, "already exists");
    sb.run(&["mem-ory", "--like", "disk"]).fails(1, "already exists");
    assert_eq!(sb.tree(), before);
    let rust = Sandbox::fixture("sccache");
    let before = rust.tree();
    rust.run(&["web-dav", "--like", "oss"]).fails(1, "module webdav is the name web_dav in another spelling");
    rust.run(&["Web_Dav", "--like", "oss"]).fails(1, "another spelling");
    assert_eq!(rust.tree(), before);
}

/// Found by a second hostile review: clones of one model where a name has
/// two words (`my-store`, whose type is `MyStore`): a chain the model leads
/// gets each its own link, and they come out in any order.
#[test]
fn clones_with_a_name_of_two_words_link_and_come_out_in_any_order() {
    let sb = Sandbox::fixture("sccache");
    let before = sb.tree();
    sb.run(&["my-store", "--like", "webdav"]).success();
    sb.run(&["s3x", "--like", "webdav"]).success();
    let config = sb.read("src/config.rs");
    assert!(
        config.contains("            .or_else(|| my_store.map(CacheType::MyStore))\n            .or_else(|| s3x.map(CacheType::S3x));"),
        "{config}"
    );
    sb.run(&["remove", "my-store"]).success();
    sb.run(&["remove", "s3x"]).success();
    assert_eq!(sb.tree(), before);
    // A section at the end of a document: the second clone's goes after the first's.
    sb.run(&["my-store", "--like", "oss"]).success();
    sb.run(&["b2", "--like", "oss"]).success();
    sb.run(&["remove", "my-store"]).success();
    sb.run(&["remove", "b2"]).success();
    assert_eq!(sb.tree(), before);
}
