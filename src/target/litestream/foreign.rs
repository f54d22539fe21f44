//! Taking out a backend add-backend did not write (upstream's own `sftp`):
//! there is no manifest of what was inserted for it, so its places are
//! found the way the doctor finds them, by structure: its package, its
//! import, config `case` and constructor in main.go, its harness `case`,
//! constructor and flags, its log `case`. `remove` lists them and stops;
//! `remove --force` takes them out, unless code add-backend does not edit
//! imports the package or names its type too (then it cannot come out
//! cleanly). Its settings and docs stay: they may be shared, and were
//! written by hand.

use std::ops::Range;

use anyhow::{Result, bail};

use super::MODULE;
use super::facts::{MAIN, REPLICATE, TESTINGUTIL};
use crate::anchor::go::{GoFile, Switch};
use crate::checkout::Checkout;
use crate::go_imports;
use crate::names::BackendName;
use crate::plan::{FileChange, Item, Plan, Status};

/// Directories no backend's importers are looked for in.
const SKIPPED: &[&str] = &[".git", ".add-backend", "vendor", "node_modules", "target"];

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
    for path in [MAIN, TESTINGUTIL, REPLICATE] {
        let Some(src) = checkout.read(path)? else { continue };
        let go = GoFile::new(path, &src);
        let places = places(&go, name, path)?;
        if places.is_empty() {
            continue;
        }
        let (after, items) = without(&go, &places, &import, package);
        parts.push(format!("in {path} {}", items.iter().map(|i| i.what.as_str()).collect::<Vec<_>>().join(", ")));
        files.push(FileChange::whole(path.to_string(), Some(src.clone()), after, items));
    }
    let importers = users(checkout, name, &import)?;
    let elsewhere = if importers.is_empty() {
        String::new()
    } else {
        format!("; it is used in {} too, which add-backend does not edit", importers.join(", "))
    };
    if !force {
        bail!(
            "backend {} was not added by add-backend here (no .add-backend/backends/{}.json); --force would remove {} (its settings and docs stay){elsewhere}",
            name.r#type,
            name.r#type,
            parts.join("; ")
        );
    }
    if !importers.is_empty() {
        bail!(
            "backend {} cannot come out cleanly: it is used in {} (its package imported, or {:?} or {}:// named), which add-backend does not edit; take those uses out first",
            name.r#type,
            importers.join(", "),
            name.r#type,
            name.r#type
        );
    }
    Ok(Plan {
        target: "litestream",
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
        let mut change = FileChange::whole(
            rel.clone(),
            Some(content),
            String::new(),
            vec![Item { what: rel, status: Status::Remove }],
        );
        change.delete = true;
        files.push(change);
    }
    Ok(files)
}

/// The places of backend `name` in one of the files the target wires: what
/// each is called, and its lines.
fn places(go: &GoFile, name: &BackendName, path: &str) -> Result<Vec<(String, Range<usize>)>> {
    let package = &name.package;
    let client = format!("*{package}.ReplicaClient");
    let is_ours = |values: &[String]| {
        values.len() == 1 && {
            let v = values[0].trim_matches(['"', '`']);
            v == name.r#type || v == format!("{package}.ReplicaClientType") || values[0] == client
        }
    };
    let case = |switch: Switch| -> Vec<(String, Range<usize>)> {
        switch
            .clauses
            .into_iter()
            .filter(|(values, _)| is_ours(values))
            .map(|(values, span)| (format!("case {}", values[0]), span))
            .collect()
    };
    let mut found = Vec::new();
    match path {
        MAIN => found.extend(case(go.switch_in("NewReplicaFromConfig", Some("c.ReplicaType()"))?)),
        TESTINGUTIL => {
            found.extend(case(go.switch_in("NewReplicaClient", None)?));
            let flags = go.var_spans(package);
            found.extend(flags.into_iter().map(|span| (format!("its {package}* flags"), span)));
        }
        _ => found.extend(go.type_switch("r.Client")?.map(case).unwrap_or_default()),
    }
    // A constructor is known by what it returns, whatever its name's casing.
    let constructors: Vec<String> = go
        .func_names()
        .filter(|f| {
            go.func_header(f).is_some_and(|h| h.contains(&format!("{client},")) || h.contains(&format!("{client} {{")))
        })
        .map(str::to_string)
        .collect();
    for func in constructors {
        if let Some(span) = go.func_span(&func) {
            found.push((format!("{func}()"), span));
        }
    }
    Ok(found)
}

/// `go`'s text without `places`, and without the imports nothing uses then
/// (the package's, and any only the removed code used).
fn without(go: &GoFile, places: &[(String, Range<usize>)], import: &str, package: &str) -> (String, Vec<Item>) {
    let mut spans: Vec<&Range<usize>> = places.iter().map(|(_, span)| span).collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.start));
    let mut after = go.src.to_string();
    for span in spans {
        after.replace_range(span.clone(), "");
    }
    let mut items: Vec<Item> =
        places.iter().map(|(what, _)| Item { what: what.clone(), status: Status::Remove }).collect();
    for (line, name) in crate::manifest::unused_imports(go.src, &after) {
        let what = if name == package {
            format!("import {import:?}")
        } else {
            format!("import {} (no longer used)", line.trim())
        };
        after = after.replacen(&line, "", 1);
        items.push(Item { what, status: Status::Remove });
    }
    if go_imports::uses_package(&after, package) {
        items.push(Item { what: format!("{package}. still used here"), status: Status::Stale });
    }
    (after, items)
}

/// The Go files outside the package and the wired files that use the
/// backend: import its package, or name its type or URL scheme (a test
/// that configures it). A mention of the word for another reason counts
/// too: refusing is the safe mistake.
fn users(checkout: &Checkout, name: &BackendName, import: &str) -> Result<Vec<String>> {
    let package = &name.package;
    let needles = [format!("{import:?}"), format!("{}://", name.r#type), format!("{:?}", name.r#type)];
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
        // Read as bytes: a file that is not UTF-8 imports nothing of ours.
        let bytes = std::fs::read(entry.path())?;
        if needles.iter().any(|n| memchr::memmem::find(&bytes, n.as_bytes()).is_some()) {
            found.push(rel);
        }
    }
    Ok(found)
}
