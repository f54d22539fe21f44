//! `--require MODULE[@VERSION]`: a Go module added to a checkout's go.mod
//! and go.sum the way Go adds one, by `go get`, but run in a private
//! directory that holds copies of those two files and nothing else of the
//! checkout, so that the run stays a plan until it is applied. The
//! checkout's go.mod cannot choose the toolchain (`GOTOOLCHAIN=local`), a
//! workspace (`GOWORK=off`) or a vendor directory (`-mod=mod`). A leaf: it
//! takes texts and returns texts.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

/// The files `--require` may change, at the checkout's root.
pub const FILES: [&str; 2] = ["go.mod", "go.sum"];

/// How long `go get` may take (it may download from the module proxy).
const TIMEOUT: Duration = Duration::from_secs(300);

/// The module of a `--require` as given: `MODULE` of `MODULE@VERSION`.
pub fn module_of(raw: &str) -> &str {
    raw.split_once('@').map_or(raw, |(module, _)| module)
}

/// One `--require`: a module path and, if given, the version to get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub module: String,
    pub version: Option<String>,
}

impl Spec {
    /// Parses `MODULE[@VERSION]`, refusing what `go get` would take as a
    /// flag or could not be a module path.
    pub fn parse(raw: &str) -> Result<Spec, String> {
        let (module, version) = match raw.split_once('@') {
            Some((module, version)) => (module, Some(version)),
            None => (raw, None),
        };
        let bad = |why: &str| format!("--require {raw:?}: {why}");
        let path_char = |c: char| c.is_ascii_alphanumeric() || "._~/-+".contains(c);
        if module.is_empty() || !module.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(bad("a module path starts with a letter or digit (github.com/jlaffaye/ftp)"));
        }
        if !module.chars().all(path_char) || module.len() > 300 {
            return Err(bad("a module path is letters, digits and . _ ~ / - +"));
        }
        if module.split('/').any(|part| part.is_empty() || part == "." || part == "..") || module.contains("...") {
            return Err(bad("a module path has no empty, . or .. element, and no ... pattern"));
        }
        // As go asks of a module it downloads: a host name first. Not `std`,
        // `cmd`, `all` or `tool`, which go takes for packages of its own.
        if !module.split('/').next().is_some_and(|host| host.contains('.')) {
            return Err(bad("a module path starts with a host name, with a dot (github.com/...)"));
        }
        if let Some(version) = version {
            let version_char = |c: char| c.is_ascii_alphanumeric() || "._+-".contains(c);
            if version.is_empty() || version.starts_with('-') || !version.chars().all(version_char) {
                return Err(bad("a version is v1.2.3, latest, upgrade, patch or a commit"));
            }
            if version == "none" {
                return Err(bad("@none takes a module out; add-backend only adds (remove the backend instead)"));
            }
        }
        Ok(Spec { module: module.to_string(), version: version.map(str::to_string) })
    }

    /// The argument `go get` takes.
    fn arg(&self) -> String {
        match &self.version {
            Some(version) => format!("{}@{version}", self.module),
            None => self.module.clone(),
        }
    }
}

impl std::fmt::Display for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.arg())
    }
}

/// A `require` of a go.mod: module, version, and whether `// indirect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub module: String,
    pub version: String,
    pub indirect: bool,
}

/// Each spec of directive `verb` in a go.mod, read by its grammar: `verb
/// ...` lines and `verb ( ... )` blocks; its words, unquoted, and its
/// line's comment.
fn directives(go_mod: &str, verb: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in go_mod.lines() {
        let (code, comment) = line.split_once("//").unwrap_or((line, ""));
        // `require(` is `require (`.
        let code = code.replace('(', " ( ").replace(')', " ) ");
        let words: Vec<&str> = code.split_whitespace().collect();
        let spec = match words.as_slice() {
            [")"] if in_block => {
                in_block = false;
                continue;
            }
            [first, "("] if *first == verb => {
                in_block = true;
                continue;
            }
            [first, rest @ ..] if *first == verb && !rest.is_empty() => rest,
            rest if in_block && !rest.is_empty() => rest,
            _ => continue,
        };
        out.push((spec.iter().map(|w| w.trim_matches('"').to_string()).collect(), comment.to_string()));
    }
    out
}

/// The requirements of a go.mod: `require M V` lines and blocks.
pub fn requirements(go_mod: &str) -> Vec<Requirement> {
    directives(go_mod, "require")
        .into_iter()
        .filter_map(|(words, comment)| match <[String; 2]>::try_from(words) {
            Ok([module, version]) => Some(Requirement {
                module,
                version,
                indirect: comment.split([';', ' ']).any(|w| w.trim() == "indirect"),
            }),
            Err(_) => None,
        })
        .collect()
}

/// The first `replace` of a go.mod with a directory (`=> ./third_party/x`),
/// which `go get` on a copy elsewhere cannot see: the replaced module.
pub fn local_replace(go_mod: &str) -> Option<String> {
    directives(go_mod, "replace").into_iter().find_map(|(words, _)| {
        let arrow = words.iter().position(|w| w == "=>")?;
        let target = words.get(arrow + 1)?;
        let local = target.starts_with("./") || target.starts_with("../") || target.starts_with('/') || target == ".";
        local.then(|| words[0].clone())
    })
}

/// go.mod and go.sum after `go get SPECS`, run on copies of them.
pub struct Got {
    pub go_mod: String,
    pub go_sum: String,
}

/// Runs `go get` on copies of `go_mod` and `go_sum` in a private
/// directory, and returns what it made of them.
pub fn get(go_mod: &str, go_sum: Option<&str>, specs: &[Spec]) -> Result<Got> {
    let wanted: Vec<String> = specs.iter().map(Spec::arg).collect();
    if let Some(module) = local_replace(go_mod) {
        bail!(
            "--require {}: go.mod replaces {module} with a directory, which go get on a copy of go.mod cannot see; run `go get {}` yourself",
            wanted.join(" "),
            wanted.join(" ")
        );
    }
    let dir = tempfile::Builder::new().prefix("add-backend-require-").tempdir().context("cannot make a directory")?;
    std::fs::write(dir.path().join("go.mod"), go_mod)?;
    std::fs::write(dir.path().join("go.sum"), go_sum.unwrap_or(""))?;
    let log_path = dir.path().join("go-get.log");
    let log = std::fs::File::create(&log_path)?;
    let mut command = Command::new("go");
    // Its own process group, so that a time-out stops what go started too (git).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .arg("get")
        .args(&wanted)
        .current_dir(dir.path())
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GO111MODULE", "on")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => anyhow!(
                "--require {}: the go command is not on PATH; install Go, or run `go get {}` yourself",
                wanted.join(" "),
                wanted.join(" ")
            ),
            _ => anyhow!("--require {}: cannot run go: {err}", wanted.join(" ")),
        })?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            #[cfg(target_os = "linux")]
            if let Some(group) = i32::try_from(child.id()).ok().and_then(rustix::process::Pid::from_raw) {
                let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            bail!("--require {}: go get did not finish in {} s", wanted.join(" "), TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if !status.success() {
        bail!("--require {}: go get failed: {}", wanted.join(" "), last_line(&log_path));
    }
    Ok(Got { go_mod: read(&dir.path().join("go.mod"))?, go_sum: read(&dir.path().join("go.sum"))? })
}

fn read(path: &Path) -> Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

/// The line of go's output that says what went wrong: a panic's, else its
/// first that is neither progress nor indented (go's headline: the details
/// and advice follow it).
fn last_line(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let progress = ["go: downloading ", "go: finding ", "go: added ", "go: upgraded ", "go: extracting "];
    let line = lines
        .iter()
        .find(|l| l.starts_with("panic:"))
        .or_else(|| {
            lines.iter().find(|l| !l.starts_with(char::is_whitespace) && !progress.iter().any(|p| l.starts_with(p)))
        })
        .map(|l| l.trim())
        .unwrap_or("(it said nothing)");
    line.chars().filter(|c| !c.is_control()).take(400).collect()
}

/// When `after` is `before` with whole lines inserted and nothing else
/// changed: each insertion, as the byte offset in `before` of the line it
/// goes before and the lines inserted there. None when a line changed or
/// went away.
pub fn insertions(before: &str, after: &str) -> Option<Vec<(usize, String)>> {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    // A last line without its newline that gains one is a change.
    let mut offsets = Vec::with_capacity(old.len() + 1);
    let mut at = 0;
    for line in &old {
        offsets.push(at);
        at += line.len();
    }
    offsets.push(at);
    let mut out = Vec::new();
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
        match op {
            similar::DiffOp::Equal { .. } => {}
            similar::DiffOp::Insert { old_index, new_index, new_len } => {
                if old_index == old.len() && !before.is_empty() && !before.ends_with('\n') {
                    return None;
                }
                out.push((offsets[old_index], new[new_index..new_index + new_len].concat()));
            }
            similar::DiffOp::Delete { .. } | similar::DiffOp::Replace { .. } => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_is_a_module_path_and_a_version_and_nothing_go_would_take_for_a_flag() {
        assert_eq!(
            Spec::parse("github.com/jlaffaye/ftp@v0.2.0"),
            Ok(Spec { module: "github.com/jlaffaye/ftp".into(), version: Some("v0.2.0".into()) })
        );
        assert_eq!(Spec::parse("cloud.google.com/go/storage").map(|s| s.version), Ok(None));
        for (raw, why) in [
            ("-x", "starts with a letter or digit"),
            ("github.com/a b", "letters, digits"),
            ("github.com/a;rm", "letters, digits"),
            ("github.com//a", "no empty"),
            ("github.com/../a", "no empty, . or .."),
            ("github.com/x/...", "no ... pattern"),
            ("std", "starts with a host name"),
            ("all", "starts with a host name"),
            ("example/x", "starts with a host name"),
            ("github.com/a@", "a version is"),
            ("github.com/a@-u", "a version is"),
            ("github.com/a@v1 x", "a version is"),
            ("github.com/a@none", "@none takes a module out"),
        ] {
            let err = Spec::parse(raw).unwrap_err();
            assert!(err.contains(why) && err.contains(&format!("{raw:?}")), "{raw}: {err}");
        }
    }

    #[test]
    fn requirements_are_read_from_lines_and_blocks() {
        let go_mod = "module m\n\ngo 1.24\n\nrequire(\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v0.2.0 // indirect\n)\n\nrequire github.com/e/f v4.1.23 // indirect\n// require github.com/g/h v1.0.0\n";
        let got: Vec<(String, String, bool)> =
            requirements(go_mod).into_iter().map(|r| (r.module, r.version, r.indirect)).collect();
        assert_eq!(
            got,
            [
                ("github.com/a/b".to_string(), "v1.0.0".to_string(), false),
                ("github.com/c/d".to_string(), "v0.2.0".to_string(), true),
                ("github.com/e/f".to_string(), "v4.1.23".to_string(), true),
            ]
        );
    }

    #[test]
    fn a_replace_with_a_directory_is_found() {
        assert_eq!(
            local_replace("module m\nreplace github.com/a/b => ./third_party/b\n"),
            Some("github.com/a/b".into())
        );
        assert_eq!(
            local_replace("module m\nreplace (\n\tgithub.com/a/b v1.0.0 => ../b\n)\n"),
            Some("github.com/a/b".into())
        );
        assert_eq!(local_replace("module m\nreplace github.com/a/b => github.com/c/b v1.0.0\n"), None);
        assert_eq!(local_replace("module m\n// replace github.com/a/b => ./b\n"), None);
    }

    #[test]
    fn go_s_error_is_the_line_that_says_what_went_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        for (text, line) in [
            (
                "go: downloading x v1\nverifying x@v1: checksum mismatch\n\tdownloaded: h1:A\n\nSECURITY ERROR\nThis download does NOT match.\n\nFor more information, see 'go help module-auth'.\n",
                "verifying x@v1: checksum mismatch",
            ),
            (
                "go: downloading x v1\ngo: x@v1: reading https://proxy/x: 404 Not Found\n",
                "go: x@v1: reading https://proxy/x: 404 Not Found",
            ),
            ("panic: runtime error\n\ngoroutine 1\nqueue.go:56 +0x1cd\n", "panic: runtime error"),
        ] {
            std::fs::write(&log, text).unwrap();
            assert_eq!(last_line(&log), line);
        }
    }

    #[test]
    fn insertions_are_whole_lines_or_none() {
        let before = "a\nb\nd\n";
        assert_eq!(insertions(before, "a\nb\nc\nd\ne\n"), Some(vec![(4, "c\n".into()), (6, "e\n".into())]));
        assert_eq!(insertions(before, before), Some(vec![]));
        assert_eq!(insertions(before, "a\nB\nd\n"), None);
        assert_eq!(insertions(before, "a\nd\n"), None);
        assert_eq!(insertions("a", "a\nb\n"), None);
        // Put back in order, the insertions give `after`.
        let after = "x\na\nb\ny\nz\nd\n";
        let mut text = before.to_string();
        for (at, lines) in insertions(before, after).unwrap().into_iter().rev() {
            text.insert_str(at, &lines);
        }
        assert_eq!(text, after);
    }
}
