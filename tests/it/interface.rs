//! The command line as a user and a CI bot meet it: commands and their
//! typos, options in any place, help, completions, the man page, quiet and
//! verbose runs, and every JSON document checked against docs/schema.json.

use std::path::Path;
use std::process::Command;

use crate::common::Sandbox;

/// The commands add-backend has, as `--help` lists them.
const COMMANDS: &[&str] = &["add", "remove", "doctor", "templates", "completions", "man", "help"];

/// Every string one edit (a character dropped, added or changed, or two
/// neighbours swapped) from `word`, over the characters a name may hold.
fn one_edit_typos(word: &str) -> Vec<String> {
    let alphabet: Vec<char> = ('a'..='z').chain('0'..='9').chain(['-', '_']).collect();
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let mut v = chars.clone();
        v.remove(i);
        out.push(v.iter().collect());
        if i + 1 < chars.len() {
            let mut v = chars.clone();
            v.swap(i, i + 1);
            out.push(v.iter().collect());
        }
        for &c in &alphabet {
            let mut v = chars.clone();
            v[i] = c;
            out.push(v.iter().collect());
        }
    }
    for i in 0..=chars.len() {
        for &c in &alphabet {
            let mut v = chars.clone();
            v.insert(i, c);
            out.push(v.iter().collect());
        }
    }
    out.retain(|t: &String| t != word && !t.is_empty());
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_one_edit_typo_of_a_command_is_refused_and_writes_nothing() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    let mut typos: Vec<String> = COMMANDS.iter().flat_map(|c| one_edit_typos(c)).collect();
    typos.sort();
    typos.dedup();
    // A typo that starts with `-` is a flag, not a name.
    typos.retain(|t| !COMMANDS.contains(&t.as_str()) && !t.starts_with('-'));
    assert!(typos.len() > 3000, "{}", typos.len());
    let chunks: Vec<&[String]> = typos.chunks(typos.len() / 2 + 1).collect();
    std::thread::scope(|scope| {
        for chunk in chunks {
            let sb = &sb;
            scope.spawn(move || {
                for typo in chunk {
                    let run = sb.run(&[typo]);
                    assert_eq!(run.code, 2, "{typo}: {}{}", run.stdout, run.stderr);
                    assert_eq!(run.stderr.lines().count(), 1, "{typo}: {}", run.stderr);
                    assert!(run.stderr.contains("is not a command; did you mean"), "{typo}: {}", run.stderr);
                    assert!(run.stderr.contains(&format!("use 'add-backend add {typo}'")), "{}", run.stderr);
                }
            });
        }
    });
    assert_eq!(sb.tree(), before, "a typo wrote something");
}

#[test]
fn the_users_first_typo_gets_the_command_it_meant() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    sb.run(&["doctr"]).fails(
        2,
        "error: 'doctr' is not a command; did you mean 'doctor'? To add a backend of that name, use 'add-backend add doctr'",
    );
    for (word, meant) in [
        ("list", "doctor"),
        ("status", "doctor"),
        ("version", "add-backend --version"),
        ("update", "add"),
        ("completion", "completions"),
        ("mna", "man"),
        ("hlep", "help"),
    ] {
        sb.run(&[word]).fails(2, &format!("did you mean '{meant}'?"));
    }
    // A command after options is still that command, never a backend.
    sb.run(&["--dry-run", "doctor"]).fails(2, "unexpected argument '--dry-run'");
    sb.run(&["--field", "host", "remove", "ftp"]).fails(2, "unexpected argument '--field'");
    sb.run(&["--root", ".", "doctor"]).success();
    sb.run(&["--format", "json", "doctor"]).success();
    assert_eq!(sb.tree(), before);

    // Said explicitly, any name is a backend's.
    let run = sb.run(&["add", "doctr"]);
    run.success();
    assert!(run.stderr.contains("added backend doctr"), "{}", run.stderr);
    assert!(sb.root.join("doctr/replica_client.go").is_file());
    sb.run(&["add", "--", "list"]).success();
    assert!(sb.root.join("list/replica_client.go").is_file());
}

#[test]
fn options_before_and_after_a_command_behave_the_same() {
    let sb = Sandbox::litestream();
    let root = sb.root.to_str().unwrap();
    let elsewhere = std::env::temp_dir();
    let spellings: &[&[&str]] = &[
        &["ftp", "--dry-run", "--format", "json", "--root", root],
        &["--format", "json", "--root", root, "ftp", "--dry-run"],
        &["--dry-run", "--format=json", "add", "--root", root, "ftp"],
        &["add", "ftp", "--dry-run", "--format", "json", "--root", root],
    ];
    let outputs: Vec<String> = spellings
        .iter()
        .map(|args| {
            let run = sb.run_in(&elsewhere, args, &[]);
            run.success();
            run.stdout.clone()
        })
        .collect();
    assert!(outputs.iter().all(|o| *o == outputs[0]), "{outputs:#?}");
    assert!(outputs[0].contains("\"kind\": \"plan\""));

    let doctor: Vec<String> = [&["doctor", "--format", "json"][..], &["--format", "json", "doctor"]]
        .iter()
        .map(|args| sb.run(args).stdout.clone())
        .collect();
    assert_eq!(doctor[0], doctor[1]);
    assert!(doctor[0].contains("\"kind\": \"doctor\""));

    sb.run(&["ftp"]).success();
    let dry: Vec<String> =
        [&["remove", "ftp", "--dry-run"][..], &["--dry-run", "remove", "ftp"], &["-q", "remove", "--dry-run", "ftp"]]
            .iter()
            .map(|args| sb.run(args).stdout.clone())
            .collect();
    assert!(dry.iter().all(|d| *d == dry[0] && d.contains("--- a/ftp/storage.go")), "{dry:#?}");
}

#[test]
fn help_lists_commands_projects_examples_and_where_to_read_more() {
    let sb = Sandbox::litestream();
    let help = sb.run(&["--help"]);
    help.success();
    for needle in [
        "Commands:",
        "completions",
        "litestream  detected by go.mod, replica_client.go; takes --field, --go-name and:\n    --set url=VALUE (or --url): ",
        "sccache     detected by Cargo.toml, src/config.rs, src/cache/mod.rs; takes --field, --go-name and:",
        "    --set service=VALUE (or --service): the OpenDAL service",
        "    --set title=VALUE (or --title): the backend's name in the docs",
        "Exit codes:\n  0  success",
        "  3  a write failed",
        "Examples:\n  add-backend ftp --dry-run",
        "README",
    ] {
        assert!(help.stdout.contains(needle), "{needle:?} not in:\n{}", help.stdout);
    }
    for command in ["add", "remove", "doctor", "templates", "completions"] {
        let run = sb.run(&[command, "--help"]);
        run.success();
        assert!(run.stdout.contains("Examples:\n  add-backend "), "{command}: {}", run.stdout);
    }
    assert!(sb.run(&["help", "add"]).stdout.contains("--field <NAME[:TYPE][!]>"));
    let no_args = sb.run(&[]);
    assert_eq!(no_args.code, 2);
    assert!(no_args.stderr.contains("Usage: add-backend [OPTIONS] <COMMAND>"), "{}", no_args.stderr);
    let version = sb.run(&["--version"]);
    version.success();
    assert_eq!(version.stdout, format!("add-backend {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_usage_error_is_one_line_with_clap_s_tip_and_where_to_look() {
    let sb = Sandbox::litestream();
    sb.run(&["ftp", "--feild", "host"]).fails(
        2,
        "error: unexpected argument '--feild' found (a similar argument exists: '--field'); see 'add-backend add --help'",
    );
    sb.run(&["doctor", "ftp"]).fails(2, "see 'add-backend doctor --help'");
    sb.run(&["ftp", "--format", "xml"]).fails(2, "invalid value 'xml' for '--format <FORMAT>'");
    sb.run(&["-q", "-v", "ftp"]).fails(2, "cannot be used with");
    sb.run(&["add"])
        .fails(2, "error: the following required arguments were not provided: <NAME>; see 'add-backend add --help'");
    sb.run(&["completions", "tcsh"]).fails(2, "see 'add-backend completions --help'");
}

#[test]
fn a_flag_of_another_project_is_refused_naming_it() {
    let sb = Sandbox::litestream();
    let before = sb.tree();
    for args in [&["--service", "Ftp"][..], &["--set", "service=Ftp"], &["--title", "FTP"]] {
        let (param, takers) = if args.contains(&"--title") {
            ("title", "rclone and sccache take it")
        } else {
            ("service", "sccache takes it")
        };
        sb.run(&[&["ftp"][..], args].concat()).fails(
            2,
            &format!("--set {param}: {} is a litestream checkout, which takes url; {takers}", sb.root.display()),
        );
    }
    sb.run(&["ftp", "--set", "nope=1"]).fails(2, "--set nope: ");
    sb.run(&["ftp", "--set", "nope"]).fails(2, "--set \"nope\": give NAME=VALUE");
    sb.run(&["ftp", "--set", "title=A", "--title", "B"]).fails(2, "--set title: given twice");
    assert_eq!(sb.tree(), before);
    // On sccache, --set and the flags are the same request.
    let (flags, set) = (Sandbox::fixture("sccache"), Sandbox::fixture("sccache"));
    flags.run(&["obs", "--service", "Obs", "--title", "Huawei OBS", "--field", "bucket!"]).success();
    set.run(&["obs", "--set", "service=Obs", "--set", "title=Huawei OBS", "--field", "bucket!"]).success();
    assert!(flags.tree() == set.tree());
    let manifest: serde_json::Value = serde_json::from_str(&set.read(".add-backend/backends/obs.json")).unwrap();
    assert_eq!(manifest["settings"]["params"], serde_json::json!({"service": "Obs", "title": "Huawei OBS"}));
    set.run(&["obs", "--set", "region=x", "--field", "bucket!"]).fails(2, "which takes service, title");
}

#[test]
fn quiet_prints_errors_only_and_verbose_says_what_it_read_and_used() {
    let sb = Sandbox::litestream();
    let quiet = sb.run(&["-q", "ftp"]);
    quiet.success();
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), ("", ""));
    sb.run(&["--quiet", "ftp", "--go-name", "lower"]).fails(1, "invalid --go-name");

    let other = Sandbox::litestream();
    let verbose = other.run(&["sftp2", "--verbose", "--dry-run"]);
    verbose.success();
    for needle in [
        "verbose: project: litestream at ",
        "verbose: profile: built-in litestream/profile.toml",
        "verbose: template litestream/replica_client.go: built-in",
        "verbose: read cmd/litestream/main.go (",
        "verbose: planning took ",
        "dry run: nothing was written",
    ] {
        assert!(verbose.stderr.contains(needle), "{needle:?} not in:\n{}", verbose.stderr);
    }
}

#[test]
fn completions_are_generated_for_every_shell_and_parse() {
    let sb = Sandbox::litestream();
    let ci = std::env::var_os("CI").is_some();
    for (shell, check) in [
        ("bash", Some(["bash", "-n"])),
        ("zsh", Some(["zsh", "-n"])),
        ("fish", Some(["fish", "--no-execute"])),
        ("powershell", None),
        ("elvish", None),
    ] {
        let run = sb.run(&["completions", shell]);
        run.success();
        for word in ["add-backend", "doctor", "remove", "--field", "--dry-run"] {
            assert!(run.stdout.contains(word), "{shell}: no {word}");
        }
        let Some([program, flag]) = check else { continue };
        if which(program).is_none() {
            assert!(!ci, "{program} is needed to check the {shell} completions (.ci/run installs it)");
            continue;
        }
        let script = sb.root.join(format!("../completions.{shell}"));
        std::fs::write(&script, &run.stdout).unwrap();
        let out = Command::new(program).arg(flag).arg(&script).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    }
    sb.run(&["completions", "tcsh"]).fails(2, "invalid value 'tcsh'");
}

#[test]
fn the_man_page_renders() {
    let sb = Sandbox::litestream();
    let run = sb.run(&["man"]);
    run.success();
    assert!(run.stdout.starts_with(".ie \\n(.g .ds Aq"), "{}", &run.stdout[..80]);
    if which("groff").is_none() {
        assert!(std::env::var_os("CI").is_none(), "groff is needed to render the man page (.ci/run installs it)");
        return;
    }
    let page = sb.root.join("../add-backend.1");
    std::fs::write(&page, &run.stdout).unwrap();
    let out = Command::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).arg(&page).output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new("groff").args(["-man", "-Tascii"]).arg(&page).output().unwrap();
    // Without the overstrikes that make bold: `N\x08N` is a bold N.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&out.stdout).chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    for needle in ["NAME", "add-backend", "SUBCOMMANDS", "completions", "--verbose"] {
        assert!(text.contains(needle), "{needle:?} not in the rendered page:\n{text}");
    }
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(program)).find(|p| p.is_file())
}

/// The published schema, compiled.
fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// `stdout` is one JSON document of `kind` that the schema accepts.
#[track_caller]
fn valid(schema: &jsonschema::Validator, stdout: &str, kind: &str) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let errors: Vec<String> = schema.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{stdout}");
    assert_eq!(value["kind"], kind);
    assert_eq!(value["version"], 1);
    value
}

#[test]
fn every_json_document_follows_the_published_schema() {
    let schema = schema();
    let sb = Sandbox::litestream();
    let json = ["--format", "json"];
    let with = |args: &[&'static str]| [args, &json[..]].concat();

    let dry = sb.run(&with(&["ftp", "--dry-run", "--field", "host!"]));
    dry.success();
    let plan = valid(&schema, &dry.stdout, "plan");
    assert_eq!((plan["command"].as_str(), plan["dry_run"].as_bool()), (Some("add"), Some(true)));

    let add = sb.run(&with(&["ftp", "--field", "host!"]));
    add.success();
    valid(&schema, &add.stdout, "plan");
    let again = valid(&schema, &sb.run(&with(&["ftp"])).stdout, "plan");
    assert_eq!(again["changed"], false);
    let regenerated = valid(&schema, &sb.run(&with(&["ftp", "--field", "port:int"])).stdout, "plan");
    let statuses: Vec<&str> = regenerated["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["items"].as_array().unwrap())
        .filter_map(|i| i["status"].as_str())
        .collect();
    assert!(statuses.contains(&"update"), "{statuses:?}");

    let doctor = sb.run(&with(&["doctor"]));
    doctor.success();
    let report = valid(&schema, &doctor.stdout, "doctor");
    let ftp = report["backends"].as_array().unwrap().iter().find(|b| b["package"] == "ftp").unwrap();
    // Each place that is there names its file.
    assert!(ftp["checks"].as_array().unwrap().iter().all(|c| c["present"] != true || c["file"].as_str().is_some()));

    // A broken backend: the report, alone on stdout, and exit 4.
    sb.edit("cmd/litestream/replicate.go", "case *ftp.ReplicaClient:", "case *ftp.ReplicaClientX:");
    let broken = sb.run(&with(&["doctor"]));
    assert_eq!(broken.code, 4);
    assert_eq!(valid(&schema, &broken.stdout, "doctor")["complete"], false);
    sb.edit("cmd/litestream/replicate.go", "case *ftp.ReplicaClientX:", "case *ftp.ReplicaClient:");

    // learn: the profile and templates it would write, as a plan.
    let learn = sb.run(&with(&["learn", "--like", "sftp", "--dry-run"]));
    learn.success();
    let learnt = valid(&schema, &learn.stdout, "plan");
    assert_eq!((learnt["command"].as_str(), learnt["target"].as_str()), (Some("learn"), Some("learn sftp")));

    let remove_dry = sb.run(&with(&["remove", "ftp", "--dry-run"]));
    remove_dry.success();
    assert_eq!(valid(&schema, &remove_dry.stdout, "plan")["command"], "remove");
    let remove = sb.run(&with(&["remove", "ftp"]));
    remove.success();
    valid(&schema, &remove.stdout, "plan");

    valid(&schema, &sb.run(&with(&["templates", "list"])).stdout, "templates");
    let export = sb.root.join("../exported");
    let exported = sb.run(&["--format", "json", "templates", "export", export.to_str().unwrap()]);
    exported.success();
    valid(&schema, &exported.stdout, "export");

    // Errors, each with the exit code it exits with.
    for (args, code, file) in [
        (with(&["doctr"]), 2, None),
        (with(&["ftp", "--no-such-flag"]), 2, None),
        (with(&["ftp", "--service", "X"]), 2, None),
        (with(&["add", "type"]), 1, None),
        (with(&["remove", "nosuch"]), 1, None),
        (with(&["ftp", "--templates", "/nonexistent"]), 1, None),
    ] {
        let run = sb.run(&args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        let error = valid(&schema, &run.stdout, "error");
        assert_eq!(error["error"]["code"], code);
        assert_eq!(error["error"]["file"].as_str(), file);
        assert_eq!(format!("error: {}\n", error["error"]["message"].as_str().unwrap()), run.stderr, "same message");
    }

    // An error in a profile names its file and line.
    let profile_dir = sb.root.join(".add-backend/litestream");
    std::fs::create_dir_all(&profile_dir).unwrap();
    std::fs::write(profile_dir.join("profile.toml"), "target = \"litestream\"\n\n[nope]\n").unwrap();
    let run = sb.run(&with(&["ftp"]));
    let error = valid(&schema, &run.stdout, "error");
    assert!(error["error"]["message"].as_str().unwrap().contains("not trusted yet"), "{error}");
    assert!(error["error"]["file"].as_str().unwrap().ends_with(".add-backend"), "{error}");
    let run = sb.run(&with(&["ftp", "--trust"]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let error = valid(&schema, &run.stdout, "error");
    assert!(error["error"]["file"].as_str().unwrap().ends_with(".add-backend/litestream/profile.toml"), "{error}");
    assert_eq!(error["error"]["line"], 3, "{error}");

    let sccache = Sandbox::fixture("sccache");
    let run = sccache.run(&["obs", "--service", "Obs", "--field", "bucket!", "--dry-run", "--format", "json"]);
    run.success();
    assert_eq!(valid(&schema, &run.stdout, "plan")["target"], "sccache");
}
