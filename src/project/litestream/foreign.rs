//! Taking out a backend add-backend did not write (upstream's own `sftp`):
//! there is no manifest of what was inserted for it, so its places are
//! found the way the doctor finds them, by structure: its package, its
//! import, config `case` and constructor in main.go, its harness `case`,
//! constructor and flags, its log `case`. `remove` lists them and stops;
//! `remove --force` takes them out, unless that would leave code that no
//! longer builds or no longer means what it did: another file imports the
//! package, names its type, or calls what would go; a wired file uses the
//! package elsewhere; a `case` names it with other values. Its settings
//! and docs stay: they may be shared, and were written by hand.

use std::ops::Range;

use anyhow::{Result, bail};

use super::MODULE;
use super::facts::{self, MAIN, REPLICATE, TESTINGUTIL};
use crate::anchor::go::{GoFile, Switch, without_comments};
use crate::checkout::Checkout;
use crate::go_imports;
use crate::names::BackendName;
use crate::plan::{FileChange, Item, Plan, Status};

/// Directories no backend's users are looked for in.
const SKIPPED: &[&str] = &[".git", ".add-backend", "vendor", "node_modules", "target"];

/// One place of the backend in a wired file.
struct Place {
    what: String,
    span: Range<usize>,
    /// The top-level names it declares, which nothing else may use.
    declares: Vec<String>,
}

/// What the pieces of one wired file come to.
struct Wired {
    change: FileChange,
    /// Why it cannot come out cleanly, if it cannot.
    blockers: Vec<String>,
    /// What it declares that goes with it.
    declared: Vec<String>,
}

pub fn removal(checkout: &Checkout, name: &BackendName, force: bool) -> Result<Plan> {
    let package = &name.package;
    if checkout.read(&format!("{package}/replica_client.go"))?.is_none() {
        bail!(
            "backend {} was not added by add-backend here (no .add-backend/backends/{}.json), and there is no {package}/ backend package; nothing to remove",
            name.r#type,
            name.r#type
        );
    }
    let import = format!("{MODULE}/{package}");
    let mut files = package_files(checkout, package)?;
    let mut parts = vec![match files.as_slice() {
        [one] => one.path.clone(),
        many => format!("{package}/ ({} files)", many.len()),
    }];
    let mut blockers = Vec::new();
    let mut declared = Vec::new();
    for path in [MAIN, TESTINGUTIL, REPLICATE] {
        let Some(src) = checkout.read(path)? else { continue };
        let go = GoFile::new(path, &src);
        let Some(wired) = wired(checkout, &go, name, &import)? else { continue };
        let listed: Vec<&str> = wired.change.items.iter().map(|i| i.what.as_str()).collect();
        parts.push(format!("in {path} {}", listed.join(", ")));
        blockers.extend(wired.blockers);
        declared.extend(wired.declared.into_iter().map(|d| (path, d)));
        files.push(wired.change);
    }
    blockers.extend(users(checkout, name, &import, &declared)?);
    let elsewhere = if blockers.is_empty() {
        String::new()
    } else {
        format!("; it cannot come out cleanly: {}", blockers.join("; "))
    };
    if !force {
        bail!(
            "backend {} was not added by add-backend here (no .add-backend/backends/{}.json); --force would remove {} (its settings and docs stay){elsewhere}",
            name.r#type,
            name.r#type,
            parts.join("; ")
        );
    }
    if !blockers.is_empty() {
        bail!(
            "backend {} cannot come out cleanly: {}; add-backend does not edit that code, so take those uses out first",
            name.r#type,
            blockers.join("; ")
        );
    }
    Ok(Plan {
        target: "litestream".to_string(),
        backend: name.clone(),
        files,
        next_steps: Vec::new(),
        warnings: vec![format!(
            "{} was not written by add-backend: its settings in ReplicaSettings and its docs are left for you to take out",
            name.r#type
        )],
    })
}

/// Each file of the package's directory, to delete.
fn package_files(checkout: &Checkout, package: &str) -> Result<Vec<FileChange>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(checkout.root.join(package)).sort_by_file_name() {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&checkout.root)?.to_string_lossy().replace('\\', "/");
        let Some(content) = checkout.read(&rel)? else { continue };
        files.push(crate::manifest::deletion(rel, content.to_string(), Status::Remove));
    }
    Ok(files)
}

/// The backend's places in `go`, one of the files the target wires, and
/// the file without them; `None` when it has none.
fn wired(checkout: &Checkout, go: &GoFile, name: &BackendName, import: &str) -> Result<Option<Wired>> {
    let package = &name.package;
    let mut blockers = Vec::new();
    let mut places = Vec::new();
    let mut case = |switch: Switch| {
        for (values, span) in switch.clauses {
            let ours = |v: &String| facts::names_backend(v, &name.r#type, package);
            if values.iter().any(ours) {
                if values.len() == 1 {
                    places.push(Place { what: format!("case {}", values[0]), span, declares: Vec::new() });
                } else {
                    blockers.push(format!("{}: `case {}` names other values too", go.path, values.join(", ")));
                }
            }
        }
    };
    let suffix = match go.path {
        MAIN => {
            case(go.switch_in("NewReplicaFromConfig", Some("c.ReplicaType()"))?);
            "ReplicaClientFromConfig"
        }
        TESTINGUTIL => {
            case(go.switch_in("NewReplicaClient", None)?);
            "ReplicaClient"
        }
        _ => {
            if let Some(switch) = go.type_switch("r.Client")? {
                case(switch);
            }
            ""
        }
    };
    if go.path == TESTINGUTIL {
        for (names, span) in go.var_spans(package) {
            places.push(Place { what: format!("the flags {}", names.join(", ")), span, declares: names });
        }
    }
    if !suffix.is_empty() {
        for func in facts::constructors(go, package, suffix) {
            if let Some(span) = go.func_span(func) {
                places.push(Place { what: format!("{func}()"), span, declares: vec![func.to_string()] });
            }
        }
    }
    if places.is_empty() {
        return Ok(None);
    }
    // A place inside another (a case in a function that goes) goes with
    // it; two that only overlap cannot both be cut.
    places.sort_by_key(|p| (p.span.start, std::cmp::Reverse(p.span.end)));
    let mut kept: Vec<Place> = Vec::new();
    for place in places {
        match kept.last() {
            Some(outer) if place.span.end <= outer.span.end => continue,
            Some(outer) if place.span.start < outer.span.end => {
                blockers.push(format!("{}: {} and {} overlap", go.path, outer.what, place.what));
                return Ok(Some(Wired { change: unchanged(go), blockers, declared: Vec::new() }));
            }
            _ => kept.push(place),
        }
    }
    let mut after = go.src.to_string();
    for place in kept.iter().rev() {
        after.replace_range(place.span.clone(), "");
    }
    let mut items: Vec<Item> = kept.iter().map(|p| Item { what: p.what.clone(), status: Status::Remove }).collect();
    for (line, name) in crate::manifest::unused_imports(go.src, &after) {
        let what = if name == *package {
            format!("import {import:?}")
        } else {
            format!("import {} (no longer used)", line.trim())
        };
        after = after.replacen(&line, "", 1);
        items.push(Item { what, status: Status::Remove });
    }
    let declared: Vec<String> = kept.into_iter().flat_map(|p| p.declares).collect();
    let code = without_comments(&after);
    if go_imports::uses_package(&code, package) {
        blockers.push(format!("{} uses {package}. elsewhere", go.path));
    }
    for used in declared.iter().filter(|d| mentions(&code, d)) {
        blockers.push(format!("{} uses {used}, which would go", go.path));
    }
    blockers.extend(package_users(checkout, go.path, &declared)?);
    let change = FileChange::whole(go.path.to_string(), Some(go.src.to_string()), after, items);
    Ok(Some(Wired { change, blockers, declared }))
}

fn unchanged(go: &GoFile) -> FileChange {
    FileChange::whole(go.path.to_string(), Some(go.src.to_string()), go.src.to_string(), Vec::new())
}

/// The other Go files of `path`'s package that use any of `names`.
fn package_users(checkout: &Checkout, path: &str, names: &[String]) -> Result<Vec<String>> {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut found = Vec::new();
    let Ok(entries) = checkout.list(dir) else { return Ok(found) };
    for file in entries.into_iter().filter(|f| f.ends_with(".go")) {
        let rel = format!("{dir}/{file}");
        if rel == path {
            continue;
        }
        // As every read of the checkout: a regular file, capped, inside it.
        let Some(text) = checkout.read(&rel)? else { continue };
        let code = without_comments(&text);
        for used in names.iter().filter(|n| mentions(&code, n)) {
            found.push(format!("{rel} uses {used}, which would go"));
        }
    }
    Ok(found)
}

/// Whether `code` names the identifier `name`.
fn mentions(code: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(name).any(|(at, _)| !code[..at].ends_with(ident) && !code[at + name.len()..].starts_with(ident))
}

/// The Go files outside the package and the wired files that use the
/// backend: import its package, name its type or URL scheme (a test that
/// configures it), or call a harness function that would go. A mention of
/// the word for another reason counts too: refusing is the safe mistake.
fn users(checkout: &Checkout, name: &BackendName, import: &str, declared: &[(&str, String)]) -> Result<Vec<String>> {
    let package = &name.package;
    let mut needles = vec![format!("{import:?}"), format!("{}://", name.r#type), format!("{:?}", name.r#type)];
    needles.extend(declared.iter().filter(|(path, _)| *path == TESTINGUTIL).map(|(_, d)| format!("testingutil.{d}")));
    let mut found = Vec::new();
    let walk = walkdir::WalkDir::new(&checkout.root).sort_by_file_name().into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0
            || !(e.file_type().is_dir()
                && (SKIPPED.contains(&name.as_ref()) || e.depth() == 1 && name.as_ref() == package.as_str()))
    });
    for entry in walk {
        let entry = entry?;
        if !entry.file_type().is_file() || !entry.file_name().to_string_lossy().ends_with(".go") {
            continue;
        }
        let rel = entry.path().strip_prefix(&checkout.root)?.to_string_lossy().replace('\\', "/");
        if [MAIN, TESTINGUTIL, REPLICATE].contains(&rel.as_str()) {
            continue;
        }
        // Read as bytes: a file that is not UTF-8 is searched all the same;
        // a huge one is refused, naming it.
        let bytes = crate::paths::read_regular(entry.path(), crate::paths::MAX_READ, false)?;
        if needles.iter().any(|n| memchr::memmem::find(&bytes, n.as_bytes()).is_some()) {
            found.push(format!("{rel} uses it"));
        }
    }
    Ok(found)
}
