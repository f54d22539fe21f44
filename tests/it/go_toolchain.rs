//! The generated code passes the Go toolchain: gofmt, go vet, go build and
//! its own tests, in copies of both fixtures (the newest Litestream shape
//! and the v0.5.0 one). Without `go` on PATH these tests are skipped
//! locally; under CI (CI set to anything but "false" or "0") they fail.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{FIELDS, Sandbox};

/// Every type of setting, and two required ones.
fn fields() -> Vec<&'static str> {
    [FIELDS, &["--field", "root-dir!"]].concat()
}

pub fn have_go() -> bool {
    let found = Command::new("go").arg("version").output().is_ok_and(|o| o.status.success());
    if !found {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(!ci, "go is not on PATH, and under CI the Go checks must run");
        eprintln!("skipped: go is not on PATH");
    }
    found
}

fn run_go(dir: &Path, tool: &str, args: &[&str]) -> (Output, String) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=readonly")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out, text)
}

/// Runs `go ARGS` in `dir`, failing the test with its output.
#[track_caller]
pub fn go(dir: &Path, args: &[&str]) -> String {
    let (out, text) = run_go(dir, "go", args);
    assert!(out.status.success(), "go {args:?} failed:\n{text}");
    text
}

#[track_caller]
pub fn gofmt_lists_nothing(dir: &Path) {
    let (out, text) = run_go(dir, "gofmt", &["-l", "."]);
    assert!(out.status.success() && text.is_empty(), "gofmt -l lists:\n{text}");
}

#[test]
fn the_fixtures_themselves_build_vet_and_pass() {
    if !have_go() {
        return;
    }
    for sb in [Sandbox::litestream(), Sandbox::litestream_v0_5_0()] {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
        go(&sb.root, &["test", "./..."]);
    }
}

/// Adds several backends, with and without fields, then checks the whole
/// checkout with the Go toolchain and runs the generated tests.
fn check_generated(sb: &Sandbox) {
    sb.run(&[&["ftp"][..], &fields()].concat()).success();
    // A bucket, read from the URL's host as upstream's s3, gs, abs and oss do.
    sb.run(&["my-store", "--field", "bucket!", "--field", "region"]).success();
    // Fields named for the backend, and words Go spells its own way.
    sb.run(&[
        "webdav",
        "--go-name",
        "WebDAV",
        "--field",
        "url-base!",
        "--field",
        "username",
        "--field",
        "webdav-token:secret",
        "--field",
        "jwt",
        "--field",
        "nkey-seed",
    ])
    .success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(main.contains("\tWebDAVToken ") && main.contains("\tJWT ") && main.contains("\tNKeySeed "), "{main}");
    if sb.root.join("internal/testingutil").exists() {
        let harness = sb.read("internal/testingutil/testingutil.go");
        assert!(harness.contains("\"webdav-token\", os.Getenv(\"LITESTREAM_WEBDAV_TOKEN\")"), "{harness}");
        assert!(!harness.contains("webdav-webdav"), "{harness}");
    }
    for name in ["a1", "x", "ftp2"] {
        sb.run(&[name]).success();
    }

    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./..."]);
    go(&sb.root, &["build", "./..."]);
    let out = go(&sb.root, &["test", "-count=1", "-v", "./..."]);
    for test in [
        "TestReplicaClient_LTX/ListSortedAfterOutOfOrderWrites",
        "TestReplicaClient_LTX/CreatedAtRoundTrip",
        "TestReplicaClient_LTX/DeleteAll",
    ] {
        assert_eq!(out.matches(&format!("--- PASS: {test} ")).count(), 6, "{test} passes for each backend:\n{out}");
    }
    for test in ["Settings", "URL", "URLAndPath", "PathRequired", "HostRequired", "RootDirRequired"] {
        assert!(out.contains(&format!("--- PASS: TestNewReplicaFromConfig_FTP/{test} ")), "{test}:\n{out}");
    }
    assert!(out.contains("--- PASS: TestNewReplicaFromConfig_WebDAV/URLBaseRequired "), "{out}");
    assert!(!out.contains("--- FAIL"), "{out}");
}

#[test]
fn generated_backends_compile_and_pass_their_tests_on_the_newest_shape() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    check_generated(&sb);
    let out = go(&sb.root, &["test", "-count=1", "-v", "./ftp/", "-run", "TestReplicaClient_FromURL"]);
    assert!(out.contains("--- PASS: TestReplicaClient_FromURL"), "the URL factory is registered:\n{out}");

    // Removing one backend leaves the others building.
    sb.run(&["remove", "ftp"]).success();
    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./..."]);
}

#[test]
fn generated_backends_compile_and_pass_their_tests_on_the_v0_5_0_shape() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream_v0_5_0();
    check_generated(&sb);
    let client = sb.read("ftp/replica_client.go");
    assert!(
        !client.contains("RegisterReplicaClientFactory")
            && !client.contains("SetLogger")
            && !client.contains("useMetadata")
    );
}

/// In-memory storage primitives: what a user writes in storage.go, here
/// to prove that the harness wiring reaches the new backend.
const MEMORY_STORAGE: &str = r##"package ftp

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

type Storage interface {
	Put(ctx context.Context, path string, r io.Reader, modTime time.Time) error
	Get(ctx context.Context, path string, offset, size int64) (io.ReadCloser, error)
	List(ctx context.Context, prefix string) ([]Object, error)
	Delete(ctx context.Context, path string) error
}

type Object struct {
	Path    string
	Size    int64
	ModTime time.Time
}

var files sync.Map

type ftpStorage struct {
	client *ReplicaClient
}

func (s *ftpStorage) Put(ctx context.Context, path string, r io.Reader, modTime time.Time) error {
	data, err := io.ReadAll(r)
	files.Store(path, Object{Path: path, Size: int64(len(data)), ModTime: modTime})
	files.Store(path+"#data", data)
	return err
}

func (s *ftpStorage) Get(ctx context.Context, path string, offset, size int64) (io.ReadCloser, error) {
	v, ok := files.Load(path + "#data")
	if !ok {
		return nil, os.ErrNotExist
	}
	data := v.([]byte)[offset:]
	if size > 0 && size < int64(len(data)) {
		data = data[:size]
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (s *ftpStorage) List(ctx context.Context, prefix string) ([]Object, error) {
	var a []Object
	files.Range(func(k, v any) bool {
		if obj, ok := v.(Object); ok && strings.HasPrefix(k.(string), prefix+"/") {
			a = append(a, obj)
		}
		return true
	})
	return a, nil
}

func (s *ftpStorage) Delete(ctx context.Context, path string) error {
	files.Delete(path)
	files.Delete(path + "#data")
	return nil
}
"##;

#[test]
fn the_shared_suite_runs_against_the_new_backend_through_the_harness() {
    if !have_go() {
        return;
    }
    for sb in [Sandbox::litestream(), Sandbox::litestream_v0_5_0()] {
        sb.run(&[&["ftp"][..], &fields()].concat()).success();
        sb.write("ftp/storage.go", MEMORY_STORAGE);
        let out = go(
            &sb.root,
            &["test", "-count=1", "-v", ".", "-integration", "-replica-clients=ftp", "-ftp-port=21", "-ftp-timeout=5s"],
        );
        for test in ["TestReplicaClient_WriteLTXFile/RoundTrip/ftp", "TestReplicaClient_LTXFiles/Sorted/ftp"] {
            assert!(out.contains(&format!("--- PASS: {test} ")), "{test}:\n{out}");
        }
        // v0.5.0's suite: os.IsNotExist, and bytes that are not LTX.
        if sb.root.ends_with("litestream-v0.5.0") {
            for test in ["TestReplicaClient_OpenLTXFile/ErrNotFound/ftp", "TestReplicaClient_OpenLTXFile/RawBytes/ftp"]
            {
                assert!(out.contains(&format!("--- PASS: {test} ")), "{test}:\n{out}");
            }
        }
        assert!(!out.contains("--- SKIP"), "{out}");
        // The backend's own tests are green with its storage written, and
        // no generated test needs deleting: the one that held the unwritten
        // storage to refusing skips.
        let own = go(&sb.root, &["test", "-count=1", "-v", "./ftp/"]);
        assert!(own.contains("--- SKIP: TestReplicaClient_LTX/StorageNotImplemented "), "{own}");
        assert!(!own.contains("--- FAIL") && own.contains("\nok "), "{own}");
    }
}

#[test]
fn a_method_the_templates_do_not_know_compiles_as_a_stub_whose_test_fails() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.edit(
        "replica_client.go",
        "\t// SetLogger sets",
        "\t// Pos reports where the replica is.\n\tPos(ctx context.Context) (ltx.TXID, error)\n\n\t// Notify's parameter names would hide the receiver and a package.\n\tNotify(ctx context.Context, c chan<- string, fmt ...string) (n int, err error)\n\n\t// SetLogger sets",
    );
    sb.run(&["ftp"]).success();
    gofmt_lists_nothing(&sb.root);
    // The fixture's own backends lack Pos; the new one alone is checked.
    go(&sb.root, &["vet", "./ftp/"]);
    let (out, text) = run_go(&sb.root, "go", &["test", "-count=1", "./ftp/"]);
    assert!(!out.status.success(), "the stub's test fails by design:\n{text}");
    assert!(text.contains("--- FAIL: TestReplicaClient_Pos"), "{text}");
    assert!(text.contains("--- FAIL: TestReplicaClient_Notify"), "{text}");
    assert!(!text.contains("--- FAIL: TestReplicaClient_LTX"), "{text}");
}

/// `remove --force` of a backend add-backend did not write (the fixture's
/// own sftp, once no test configures it) leaves a checkout that is
/// gofmt-clean, vets, builds and passes its tests.
#[test]
fn a_backend_forced_out_leaves_a_checkout_that_builds_and_passes() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream_sftp_unused();
    sb.run(&["remove", "sftp", "--force"]).success();
    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./..."]);
    go(&sb.root, &["test", "-count=1", "./..."]);
}

/// A method the templates know, with another signature (the NATS PR's
/// parent had a four-argument OpenLTXFile): a stub, as for an unknown
/// method, and generated tests that compile without it.
#[test]
fn a_known_method_of_another_signature_compiles_and_its_stub_s_test_fails() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.edit(
        "replica_client.go",
        "OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, offset, size int64) (io.ReadCloser, error)",
        "OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID) (io.ReadCloser, error)",
    );
    let run = sb.run(&["ftp"]);
    run.success();
    assert!(
        run.stderr
            .contains("a method the templates do not know, OpenLTXFile(context.Context, int, ltx.TXID, ltx.TXID)"),
        "{}",
        run.stderr
    );
    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./ftp/"]);
    let (out, text) = run_go(&sb.root, "go", &["test", "-count=1", "./ftp/"]);
    assert!(!out.status.success(), "the stub's test fails by design:\n{text}");
    assert!(text.contains("--- FAIL: TestReplicaClient_OpenLTXFile"), "{text}");
}

/// `--url`: a server URL from the host (NATS-like, WebDAV-like), a bucket
/// from the path; each read by the generated `NewReplicaClientFromURL` and
/// by the config constructor from a replica URL, as their generated tests
/// check (the URL's parts against each field's expected value).
#[test]
fn each_url_form_is_read_by_the_generated_constructors() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.run(&["natsy", "--field", "server", "--field", "bucket!", "--url", "server=server:nats,path=bucket"]).success();
    sb.run(&[
        "dav",
        "--field",
        "server!",
        "--field",
        "user",
        "--field",
        "password:secret",
        "--url",
        "server=server:http",
    ])
    .success();
    sb.run(&["pathy", "--field", "bucket!", "--set", "url=path=bucket"]).success();
    let natsy = sb.read("natsy/replica_client.go");
    for line in ["\t\tclient.Server = \"nats://\" + host\n", "\tclient.Bucket = strings.Trim(urlPath, \"/\")\n"] {
        assert!(natsy.contains(line), "{line:?} in:\n{natsy}");
    }
    assert!(!natsy.contains("client.Path = urlPath") && !natsy.contains("path required"), "{natsy}");
    assert!(sb.read("dav/replica_client.go").contains("\t\tclient.Server = \"http://\" + host\n"));
    let config_test = sb.read("cmd/litestream/natsy_config_test.go");
    assert!(config_test.contains("\"natsy://example.com:8080/mybucket\""), "{config_test}");
    assert!(!config_test.contains("PathRequired"), "a bucket from the path makes the path optional");

    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./..."]);
    let out = go(&sb.root, &["test", "-count=1", "-v", "./natsy/", "./dav/", "./pathy/", "./cmd/litestream/"]);
    assert_eq!(out.matches("--- PASS: TestReplicaClient_FromURL ").count(), 3, "{out}");
    for backend in ["Natsy", "Dav", "Pathy"] {
        assert!(out.contains(&format!("--- PASS: TestNewReplicaFromConfig_{backend}/URL ")), "{backend}:\n{out}");
    }
    assert!(out.contains("--- PASS: TestNewReplicaFromConfig_Dav/PathRequired "), "{out}");
    assert!(!out.contains("--- FAIL"), "{out}");
}

/// `list` settings (`[]string`): a YAML list, a repeated query parameter,
/// a comma-separated harness flag; required means at least one.
#[test]
fn a_list_setting_is_read_from_config_the_url_and_the_harness() {
    if !have_go() {
        return;
    }
    let sb = Sandbox::litestream();
    sb.run(&["tagged", "--field", "tags:list", "--field", "zones:list!", "--field", "host"]).success();
    let main = sb.read("cmd/litestream/main.go");
    assert!(main.contains("\tZones []string `yaml:\"zones\"`\n"), "{main}");
    assert!(main.contains("if v := u.Query()[\"zones\"]; len(v) > 0 && len(zones) == 0 {"), "{main}");
    let harness = sb.read("internal/testingutil/testingutil.go");
    assert!(harness.contains("c.Zones = strings.Split(*taggedZones, \",\")"), "{harness}");
    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./..."]);
    let out = go(&sb.root, &["test", "-count=1", "-v", "./tagged/", "./cmd/litestream/"]);
    for test in [
        "TestReplicaClient_FromURL",
        "TestNewReplicaFromConfig_Tagged/Settings",
        "TestNewReplicaFromConfig_Tagged/URL",
        "TestNewReplicaFromConfig_Tagged/ZonesRequired",
    ] {
        assert!(out.contains(&format!("--- PASS: {test} ")), "{test}:\n{out}");
    }
    assert!(!out.contains("--- FAIL"), "{out}");
}

/// Settings upstream declares as `*int`, `*bool` and `[]string`
/// (`Concurrency`, `TLS`, `RootCAs` on main) are reused by `int`, `bool`
/// and `list` fields of those keys, not refused, and the result builds.
#[test]
fn optional_ints_bools_and_lists_reuse_upstreams_fields() {
    let sb = Sandbox::litestream();
    sb.edit(
        "cmd/litestream/main.go",
        "\tKeyPath  string `yaml:\"key-path\"`\n}",
        "\tKeyPath  string `yaml:\"key-path\"`\n\n\t// NATS settings\n\tTLS         *bool    `yaml:\"tls\"`\n\tRootCAs     []string `yaml:\"root-cas\"`\n\tConcurrency *int     `yaml:\"concurrency\"`\n}",
    );
    let run = sb.run(&[
        "zz",
        "--field",
        "concurrency:int",
        "--field",
        "root-cas:list",
        "--field",
        "tls:bool",
        "--field",
        "zone",
    ]);
    run.success();
    for (field, key) in [("Concurrency", "concurrency"), ("RootCAs", "root-cas"), ("TLS", "tls")] {
        assert!(
            run.stderr.contains(&format!("reuse  cmd/litestream/main.go  ReplicaSettings.{field} reused for {key}")),
            "{}",
            run.stderr
        );
    }
    if !have_go() {
        return;
    }
    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./zz/", "./cmd/litestream/"]);
    let out = go(&sb.root, &["test", "-count=1", "./zz/", "./cmd/litestream/"]);
    assert!(!out.contains("FAIL"), "{out}");
}

/// A setting upstream has under the key, of another type the value
/// converts to and from, is reused: `PartSize *ByteSize` (a type of this
/// file defined as int64) and `*int64` for ints, a plain `bool` as
/// `SkipVerify` for a bool (false then means unset). The config test sets
/// each through YAML and the URL, and passes.
#[test]
fn settings_of_convertible_types_are_reused_and_converted() {
    let sb = Sandbox::litestream();
    sb.edit(
        "cmd/litestream/main.go",
        "\tKeyPath  string `yaml:\"key-path\"`\n}",
        "\tKeyPath  string `yaml:\"key-path\"`\n\n\t// S3 settings\n\tPartSize   *ByteSize `yaml:\"part-size\"`\n\tMaxParts   *int64    `yaml:\"max-parts\"`\n\tSkipVerify bool      `yaml:\"skip-verify\"`\n}\n\n// ByteSize is a size in bytes.\ntype ByteSize int64",
    );
    let run = sb.run(&[
        "zz",
        "--field",
        "part-size:int",
        "--field",
        "max-parts:int",
        "--field",
        "skip-verify:bool",
        "--field",
        "zone",
    ]);
    run.success();
    for (field, key) in [("PartSize", "part-size"), ("MaxParts", "max-parts"), ("SkipVerify", "skip-verify")] {
        assert!(
            run.stderr.contains(&format!("reuse  cmd/litestream/main.go  ReplicaSettings.{field} reused for {key}")),
            "{}",
            run.stderr
        );
    }
    let main = sb.read("cmd/litestream/main.go");
    for line in [
        "\t\t\tm := ByteSize(n)\n\t\t\tpartSize = &m\n",
        "\t\tclient.PartSize = int(*partSize)\n",
        "\t\tclient.MaxParts = int(*maxParts)\n",
        "v != \"\" && !skipVerify {",
        "\t\t\tskipVerify = b\n",
        "\tclient.SkipVerify = skipVerify\n",
    ] {
        assert!(main.contains(line), "{line:?} in:\n{main}");
    }
    if !have_go() {
        return;
    }
    gofmt_lists_nothing(&sb.root);
    go(&sb.root, &["vet", "./zz/", "./cmd/litestream/"]);
    let out = go(
        &sb.root,
        &[
            "test",
            "-count=1",
            "-v",
            "./zz/",
            "./cmd/litestream/",
            "-run",
            "TestNewReplicaFromConfig_Zz|TestReplicaClient_FromURL",
        ],
    );
    for test in ["TestNewReplicaFromConfig_Zz/Settings", "TestNewReplicaFromConfig_Zz/URL", "TestReplicaClient_FromURL"]
    {
        assert!(out.contains(&format!("--- PASS: {test} ")), "{test}:\n{out}");
    }
    assert!(!out.contains("FAIL"), "{out}");
    sb.run(&["remove", "zz"]).success();
    gofmt_lists_nothing(&sb.root);
}

/// A tree before internal/testingutil keeps the harness in the root
/// package's tests: the flags, the case and the constructor go there, the
/// shared suite runs against the new backend through it, and remove puts
/// the file back.
#[test]
fn the_harness_in_the_root_tests_is_wired_where_it_is() {
    let sb = Sandbox::litestream_root_harness();
    let pristine = sb.tree();
    sb.run(&[&["ftp"][..], &fields()].concat()).success();
    let root = sb.read("replica_client_test.go");
    for wired in [
        "\tcase ftp.ReplicaClientType:\n\t\treturn NewFTPReplicaClient(tb)\n",
        "func NewFTPReplicaClient(tb testing.TB) *ftp.ReplicaClient {",
        "\tftpPath ",
    ] {
        assert!(root.contains(wired), "{wired:?} in:\n{root}");
    }
    assert!(!sb.root.join("internal").join("testingutil").exists());
    if have_go() {
        gofmt_lists_nothing(&sb.root);
        go(&sb.root, &["vet", "./..."]);
        let generated = sb.read("ftp/storage.go");
        sb.write("ftp/storage.go", MEMORY_STORAGE);
        let out = go(
            &sb.root,
            &["test", "-count=1", "-v", ".", "-integration", "-replica-clients=ftp", "-ftp-port=21", "-ftp-timeout=5s"],
        );
        assert!(out.contains("--- PASS: TestReplicaClient_WriteLTXFile/RoundTrip/ftp "), "{out}");
        sb.write("ftp/storage.go", &generated);
    }
    sb.run(&["remove", "ftp"]).success();
    assert!(sb.tree() == pristine, "byte-identical after remove");
}

/// An eventually consistent store: the generated tests' laggy storage shows
/// writes late and hides deletes late (counted in calls), and the LTX layer
/// waits for it within its bounds — run under the race detector, with
/// concurrent writes, on both shapes.
#[test]
fn the_ltx_layer_waits_for_an_eventually_consistent_store_under_race() {
    if !have_go() {
        return;
    }
    for sb in [Sandbox::litestream(), Sandbox::litestream_v0_5_0()] {
        sb.run(&["ftp"]).success();
        let out = go(
            &sb.root,
            &["test", "-race", "-count=1", "-v", "./ftp/", "-run", "TestReplicaClient_EventualConsistency"],
        );
        for sub in [
            "ConcurrentWritesAreListedAndReadable",
            "ListedButNotYetReadableIsReadAgain",
            "MissingIsReportedAtOnce",
            "GivesUpWhenTheStoreNeverShowsIt",
            "ChecksOff",
            "MissingStaysMissingWhenListingFails",
            "AnOlderFileOfTheNameDoesNotCount",
            "DeletedFilesAreNoLongerListed",
            "DeleteAllWaitsUntilNothingIsListed",
        ] {
            assert!(out.contains(&format!("--- PASS: TestReplicaClient_EventualConsistency/{sub} ")), "{sub}:\n{out}");
        }
        assert!(!out.contains("DATA RACE") && !out.contains("--- FAIL"), "{out}");
    }
}
