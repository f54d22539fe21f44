//! `doctor`'s examination, one for every project: the backends the
//! checkout has, found as the profile's `[backends]` says, each against
//! every patch of the same profile `add` runs, asked only whether it is
//! there. A patch's `check` names its column (patches of one name are one
//! place); its `doctor` role says whether its absence fails.

use anyhow::{Result, bail};

use super::Known;
use super::steps::{Presence, Steps};
use crate::anchor::go::GoFile;
use crate::checkout::Checkout;
use crate::doctor::{Backend, Check, Report};
use crate::names::BackendName;
use crate::profile::{Backends, Profile, Role};
use crate::render::Renderer;

pub fn report(checkout: &Checkout, known: &Known, templates: Option<&std::path::Path>) -> Result<Report> {
    let dirs = crate::render::override_dirs(templates, Some(&checkout.root))?;
    let profile = crate::profile::load(known.name(), &dirs)?;
    let Some(spec) = &profile.backends else {
        bail!("{}: no [backends] table, so doctor cannot tell which backends the checkout has", profile.source);
    };
    let columns = columns(&profile);
    let mut backends = Vec::new();
    let names = backend_names(checkout, spec)?;
    if names.is_empty() {
        bail!(
            "{}: no backend in the checkout is like {:?}, so doctor has nothing to examine; is [backends] right?",
            profile.place_key(&["backends", "path"]),
            spec.path
        );
    }
    // Every backend's name and settings first, then the Go files their
    // patches are in, read and parsed once for all of them.
    let mut examined = Vec::new();
    for found in names {
        let Ok(plain) = BackendName::parse(&found, None) else {
            crate::log::detail(|| format!("doctor: {found} is not a backend's name; skipped"));
            continue;
        };
        let (name, recorded) = identity(checkout, spec, &plain)?;
        examined.push((found, name, recorded));
    }
    let mut go_paths: Vec<String> = Vec::new();
    for (_, name, _) in &examined {
        let Ok(mut renderer) = Renderer::new(&known.name_vars(name), Vec::new()) else { continue };
        let _ = renderer.define_all(&profile.vars, &profile.source);
        for patch in &profile.patches {
            if let Ok(path) = renderer.render_str(&patch.file)
                && path.ends_with(".go")
                && !go_paths.contains(&path)
            {
                go_paths.push(path);
            }
        }
    }
    let mut sources = Vec::new();
    for path in go_paths {
        crate::paths::refuse_forbidden(&checkout.root, &path)?;
        if let Some(src) = checkout.read(&path)? {
            sources.push((path, src));
        }
    }
    let go_files: Vec<GoFile> = sources.iter().map(|(path, src)| GoFile::new(path, src)).collect();
    let parsed: Vec<&GoFile> = go_files.iter().collect();
    for (found, name, recorded) in examined {
        let vars = known.existing_vars(checkout, &name, &profile, recorded.as_ref(), &parsed)?;
        let mut renderer = Renderer::new(&vars, dirs.clone())?;
        renderer.define_all(&profile.vars, &profile.source)?;
        // A profile learnt from a backend: each other backend's clone of
        // it says where its units are, and whether they are there.
        // One the model cannot be cloned as (a module that is no backend,
        // `mod.rs`; a name the wiring uses for something else) is not one.
        let cloning = match &profile.like {
            Some(like) if BackendName::parse(&like.backend, None)?.package != name.package => {
                match super::like::cloning(checkout, &name, &like.backend, true, true) {
                    Ok(cloning) => Some(cloning),
                    Err(e) => {
                        crate::log::detail(|| format!("doctor: {found} is not a backend like {}: {e:#}", like.backend));
                        continue;
                    }
                }
            }
            _ => None,
        };
        let model =
            profile.like.as_ref().map(|_| super::steps::Model { cloning: cloning.as_ref(), renderer: &renderer });
        let steps = Steps {
            checkout,
            profile: &profile,
            renderer: &renderer,
            module: known.module(checkout),
            force: false,
            parsed: &parsed,
            check_only: true,
            model,
        };
        let presence = steps.presence().map_err(|e| anyhow::anyhow!("{e:#} (examining backend {found})"))?;
        let checks = columns
            .iter()
            .map(|(column, required)| {
                let mine = profile.patches.iter().zip(&presence).filter(|(p, _)| check_name(p) == *column);
                let mine: Vec<&Presence> = mine.filter(|(p, _)| p.role != Role::Skip).map(|(_, found)| found).collect();
                let missing = mine.iter().find_map(|p| if let Presence::Missing(file) = p { Some(file) } else { None });
                let present = mine.iter().find_map(|p| if let Presence::Present(file) = p { Some(file) } else { None });
                let (present, file) = match (missing, present) {
                    (Some(file), _) => (Some(false), Some(file.clone())),
                    (None, Some(file)) => (Some(true), Some(file.clone())),
                    (None, None) => (None, None),
                };
                Check { name: column.clone(), present, file, required: *required, known: false }
            })
            .collect();
        backends.push(Backend::new(found, name.r#type, checks));
    }
    Ok(Report { target: known.name().to_string(), backends })
}

/// A backend of the checkout, named as its manifest records it, with the
/// settings it records, if add-backend wrote it; else as the tree spells
/// it (`learn`).
pub(super) fn identity(
    checkout: &Checkout,
    spec: &Backends,
    plain: &BackendName,
) -> Result<(BackendName, Option<crate::manifest::Settings>)> {
    let recorded = crate::manifest::read(checkout, &plain.r#type)?.and_then(|m| m.settings);
    let go_name = match recorded.as_ref().and_then(|s| s.go_name.clone()) {
        Some(go_name) => Some(go_name),
        None => learn(checkout, spec, plain)?,
    };
    let name = match go_name.as_deref().map(|g| BackendName::parse(&plain.r#type, Some(g))) {
        Some(Ok(name)) => name,
        _ => plain.clone(),
    };
    Ok((name, recorded))
}

/// A patch's column in the report.
fn check_name(patch: &crate::profile::Patch) -> String {
    match &patch.check {
        Some(name) => name.clone(),
        None => {
            let file = patch.file.rsplit('/').next().unwrap_or(&patch.file);
            file.split('.').next().unwrap_or(file).to_string()
        }
    }
}

/// The report's columns, in the order the profile first names them, each
/// required when one of its patches is.
fn columns(profile: &Profile) -> Vec<(String, bool)> {
    let mut columns: Vec<(String, bool)> = Vec::new();
    for patch in profile.patches.iter().filter(|p| p.role != Role::Skip) {
        let name = check_name(patch);
        let required = patch.role == Role::Required;
        match columns.iter_mut().find(|(c, _)| *c == name) {
            Some((_, r)) => *r |= required,
            None => columns.push((name, required)),
        }
    }
    columns
}

/// The backends the checkout has: each path like the profile's `path`
/// (`{name}/client.go`, `src/store/{name}.rs`, `backend/{name}/{name}.go`),
/// its first `{name}` part the name, holding `containing` if given, not `exclude`d; sorted.
fn backend_names(checkout: &Checkout, spec: &Backends) -> Result<Vec<String>> {
    let parts: Vec<&str> = spec.path.split('/').collect();
    let hole = parts.iter().position(|p| p.contains("{name}")).expect("a [backends] path has {name}, as read");
    let dir = parts[..hole].join("/");
    let (before, after) = parts[hole].split_once("{name}").expect("the part has {name}");
    let rest = &parts[hole + 1..];
    let Ok(entries) = checkout.list(&dir) else { return Ok(Vec::new()) };
    let mut names = Vec::new();
    for entry in entries {
        if entry.starts_with('.') || entry.len() <= before.len() + after.len() {
            continue;
        }
        let Some(name) = entry.strip_prefix(before).and_then(|n| n.strip_suffix(after)) else { continue };
        if spec.exclude.iter().any(|e| e == name) {
            continue;
        }
        // A later part may name it again (`backend/{name}/{name}.go`).
        let rest: Vec<String> = rest.iter().map(|p| p.replace("{name}", name)).collect();
        let path: Vec<&str> =
            [dir.as_str(), entry.as_str()].into_iter().chain(rest.iter().map(String::as_str)).collect();
        let path = path.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("/");
        // A backend is a file or directory of the checkout's own: not a
        // symlink, wherever it leads.
        let own = |p: &str| checkout.root.join(p).symlink_metadata().is_ok_and(|m| !m.file_type().is_symlink());
        let entry_path = [dir.as_str(), entry.as_str()].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>();
        if !own(&entry_path.join("/")) || !own(&path) {
            continue;
        }
        let is_file = checkout.root.join(&path).symlink_metadata().is_ok_and(|m| m.is_file());
        if !is_file && (spec.containing.is_some() || !rest.is_empty()) {
            continue;
        }
        if let Some(needle) = &spec.containing {
            let Some(src) = checkout.read(&path)? else { continue };
            let code = if path.ends_with(".go") { crate::anchor::go::without_comments(&src) } else { src.to_string() };
            if !code.contains(needle.as_str()) {
                continue;
            }
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// The Go name the tree spells the backend with, if the profile learns
/// it: the `*` of the first word of the file like the pattern whose `*`
/// is the name in some casing (`newWebDAVClient` for `new*Client`).
fn learn(checkout: &Checkout, spec: &Backends, name: &BackendName) -> Result<Option<String>> {
    let Some(learn) = spec.learn.iter().find(|l| l.var == "go_name") else { return Ok(None) };
    let Some(src) = checkout.read(&learn.file)? else { return Ok(None) };
    let (before, after) = learn.like.split_once('*').expect("a learn pattern has one *, as read");
    let folded =
        |s: &str| s.chars().filter(|c| *c != '-' && *c != '_').flat_map(char::to_lowercase).collect::<String>();
    let wanted = folded(&name.r#type);
    Ok(words(&src)
        .filter_map(|word| word.strip_prefix(before)?.strip_suffix(after))
        .find(|spelt| !spelt.is_empty() && folded(spelt) == wanted)
        .map(str::to_string))
}

/// The words of a text: identifiers, with the `::` and `.` that join
/// them into paths (`Kind::Webdav`, `c.Type`).
fn words(src: &str) -> impl Iterator<Item = &str> {
    let bytes = src.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !ident(bytes[at]) {
            at += 1;
        }
        if at == bytes.len() {
            return None;
        }
        let start = at;
        loop {
            while at < bytes.len() && ident(bytes[at]) {
                at += 1;
            }
            let joint = if bytes[at..].starts_with(b"::") { 2 } else { usize::from(bytes[at..].starts_with(b".")) };
            if joint > 0 && bytes.get(at + joint).is_some_and(|b| ident(*b)) {
                at += joint;
            } else {
                break;
            }
        }
        Some(&src[start..at])
    })
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn words_keep_their_paths() {
        let found: Vec<&str> = words("match t { Kind::Webdav(c) => c.Type(), x.. }").collect();
        assert_eq!(found, ["match", "t", "Kind::Webdav", "c", "c.Type", "x"]);
    }
}
