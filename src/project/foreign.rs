//! Taking out a backend add-backend did not write (upstream's own), in a
//! Go project: there is no manifest of what was inserted for it, so its
//! places are what the profile's patches would have inserted for it, found
//! by structure with the backend's own variables, as `doctor` finds them:
//! its files (the `[backends]` directory or file, and the profile's
//! `[[files]]`), and in each patched Go file its `case` (of a `switch-case`
//! or `type-switch-case`), its functions (`func-after`), its `var` block
//! (`var-after`) and the imports that then go unused. `remove` lists them
//! and stops; `remove --force` takes them out, unless that would leave code
//! that no longer builds or no longer means what it did: another file
//! imports the package, names its type, or calls what would go; a wired
//! file uses the package elsewhere; a `case` names it with other values.
//! Its settings and its places in prose stay: they may be shared, and were
//! written by hand.

use std::ops::Range;

use anyhow::{Result, bail};

use super::Known;
use crate::anchor::go::{GoFile, Switch, without_comments};
use crate::checkout::{Checkout, Project};
use crate::go_imports;
use crate::names::BackendName;
use crate::plan::{FileChange, Item, Plan, Status};
use crate::profile::{Anchor, Profile};
use crate::render::Renderer;

/// Directories no backend's users are looked for in: anywhere, and at the
/// root only (deeper down, a Go package may have such a name).
const NEVER: &[&str] = &[".git", ".add-backend"];
const AT_THE_ROOT: &[&str] = &["vendor", "node_modules", "target"];

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

/// The places of one Go file the profile patches, for the backend.
#[derive(Default)]
struct Patches {
    switches: Vec<(String, Option<String>, Vec<String>)>,
    type_switches: Vec<(String, Vec<String>)>,
    funcs: Vec<String>,
    vars: Vec<String>,
    imports: Vec<String>,
}

pub fn removal(
    checkout: &Checkout,
    known: &Known,
    raw: &str,
    name: &BackendName,
    force: bool,
    templates: Option<&std::path::Path>,
) -> Result<Plan> {
    let manifest = crate::manifest::path(&name.r#type);
    let not_ours = format!("backend {} was not added by add-backend here (no {manifest})", name.r#type);
    let Project::Go(module) = &checkout.project else {
        bail!("{not_ours}; add-backend takes out a backend it did not write only in a Go project");
    };
    let dirs = crate::render::override_dirs(templates, Some(&checkout.root))?;
    let profile = crate::profile::load(known.name(), &dirs)?;
    let Some(spec) = &profile.backends else {
        bail!("{not_ours}, and {} has no [backends] saying where a backend is; nothing to remove", profile.source);
    };
    // The backend as the tree has it, its directory or file: spelt as the
    // user typed it, or in one of the name's forms, but only one of them.
    let mut found: Vec<(String, bool)> = Vec::new();
    for form in [raw, &name.r#type, &name.package, &name.r#type.replace('-', "_")] {
        let (path, is_dir) = own_path(&spec.path, form);
        let real = checkout.root.join(&path).symlink_metadata();
        if real.as_ref().is_ok_and(|m| !m.file_type().is_symlink()) && !found.iter().any(|(p, _)| *p == path) {
            found.push((path, is_dir || real.is_ok_and(|m| m.is_dir())));
        }
    }
    let (own, is_dir) = match found.as_slice() {
        [] => {
            let (path, _) = own_path(&spec.path, &name.package);
            bail!("{not_ours}, and there is no {path} backend; nothing to remove");
        }
        [(path, _), ..] if path == &own_path(&spec.path, raw).0 => found[0].clone(),
        [one] => one.clone(),
        many => {
            let all: Vec<&str> = many.iter().map(|(p, _)| p.as_str()).collect();
            bail!(
                "{not_ours}; {} are each a backend of that name: remove the one you mean by its exact name",
                all.join(" and ")
            );
        }
    };
    let (name, _) = super::examine::identity(checkout, spec, name)?;
    let vars = known.existing_vars(checkout, &name, &profile, None, &[])?;
    let mut renderer = Renderer::new(&vars, dirs)?;
    renderer.define_all(&profile.vars, &profile.source)?;

    let mut files = if is_dir { dir_files(checkout, &own)? } else { Vec::new() };
    for path in std::iter::once(own.clone()).filter(|_| !is_dir).chain(created(&profile, &renderer)) {
        if !files.iter().any(|f: &FileChange| f.path == path)
            && let Some(content) = checkout.read(&path)?
        {
            files.push(crate::manifest::deletion(path, content.to_string(), Status::Remove));
        }
    }
    let mut parts = vec![match files.as_slice() {
        [one] => one.path.clone(),
        many if is_dir => format!("{own}/ ({} files)", many.len()),
        many => many.iter().map(|f| f.path.as_str()).collect::<Vec<_>>().join(", "),
    }];
    let Found { go: wired_files, left } = patches(&profile, &renderer)?;
    // The package its directory is, as the module imports it.
    let own_import = is_dir.then(|| format!("{module}/{own}"));
    let mut blockers = Vec::new();
    let mut declared = Vec::new();
    let mut wired_paths = Vec::new();
    for (path, patches) in &wired_files {
        let Some(src) = checkout.read(path)? else { continue };
        let go = GoFile::new(path, &src);
        // A wired file with no place of the backend's is searched for its
        // uses as any other file is.
        let Some(wired) = wired(checkout, &go, &name, patches)? else { continue };
        wired_paths.push(path.clone());
        let listed: Vec<&str> = wired.change.items.iter().map(|i| i.what.as_str()).collect();
        parts.push(format!("in {path} {}", listed.join(", ")));
        blockers.extend(wired.blockers);
        declared.extend(wired.declared.into_iter().map(|d| (path.clone(), d)));
        files.push(wired.change);
    }
    let skip: Vec<&str> = wired_paths.iter().map(String::as_str).collect();
    blockers.extend(users(checkout, &name, &own, own_import.as_deref(), &declared, &skip)?);
    // What it has where add-backend cannot tell it from what others have.
    let stay = match left.as_slice() {
        [] => "its settings".to_string(),
        [one] => format!("its settings and its places in {one}"),
        [many @ .., last] => format!("its settings and its places in {} and {last}", many.join(", ")),
    };
    let elsewhere = if blockers.is_empty() {
        String::new()
    } else {
        format!("; it cannot come out cleanly: {}", blockers.join("; "))
    };
    if !force {
        bail!("{not_ours}; --force would remove {} ({stay} stay){elsewhere}", parts.join("; "));
    }
    if !blockers.is_empty() {
        bail!(
            "backend {} cannot come out cleanly: {}; add-backend does not edit that code, so take those uses out first",
            name.r#type,
            blockers.join("; ")
        );
    }
    Ok(Plan {
        target: profile.target.clone(),
        backend: name.clone(),
        files,
        next_steps: Vec::new(),
        warnings: vec![format!("{} was not written by add-backend: {stay} are left for you to take out", name.r#type)],
        writes_profile: false,
    })
}

/// The backend's own path by the `[backends]` path, for the name's `form`:
/// its directory (`sftp`, when the name is a directory of the path), or
/// its file (`src/cache/oss.rs`).
fn own_path(pattern: &str, form: &str) -> (String, bool) {
    let parts: Vec<&str> = pattern.split('/').collect();
    let hole = parts.iter().position(|p| p.contains("{name}")).expect("a [backends] path has {name}, as read");
    let own = parts[..=hole].join("/").replace("{name}", form);
    (own, hole + 1 < parts.len())
}

/// The files the profile creates, for the backend.
fn created(profile: &Profile, renderer: &Renderer) -> Vec<String> {
    profile.files.iter().filter_map(|f| renderer.render_str(&f.path).ok()).collect()
}

/// The Go files the profile patches, each with its places for the
/// backend; and the other files it patches, whose places stay.
struct Found {
    go: Vec<(String, Patches)>,
    left: Vec<String>,
}

/// What the profile patches for the backend, by file.
fn patches(profile: &Profile, renderer: &Renderer) -> Result<Found> {
    let mut go: Vec<(String, Patches)> = Vec::new();
    let mut left: Vec<String> = Vec::new();
    for patch in &profile.patches {
        let placed = |e: anyhow::Error| anyhow::anyhow!("{}: {e:#}", profile.place(patch));
        if let Some(when) = &patch.when
            && !renderer.is_true(when).map_err(|e| anyhow::anyhow!("{}: when: {e:#}", profile.place(patch)))?
        {
            continue;
        }
        let file = renderer.render_str(&patch.file).map_err(placed)?;
        let r = |s: &String| renderer.render_str(s).map_err(placed);
        let all = |list: &[String]| list.iter().map(r).collect::<Result<Vec<_>>>();
        if !file.ends_with(".go") {
            if !left.contains(&file) {
                left.push(file);
            }
            continue;
        }
        let at = match go.iter().position(|(f, _)| *f == file) {
            Some(at) => at,
            None => {
                go.push((file, Patches::default()));
                go.len() - 1
            }
        };
        let places = &mut go[at].1;
        match &patch.anchor {
            Anchor::Import { path, .. } => places.imports.push(r(path)?),
            Anchor::SwitchCase { func, switch, case } => {
                places.switches.push((r(func)?, switch.as_ref().map(r).transpose()?, all(case)?))
            }
            Anchor::TypeSwitchCase { switch, case } => places.type_switches.push((r(switch)?, all(case)?)),
            Anchor::FuncAfter { func, .. } => places.funcs.push(r(func)?),
            Anchor::VarAfter { present, .. } => places.vars.push(r(present)?),
            _ => {}
        }
    }
    Ok(Found { go, left })
}

/// Each file of the backend's directory, to delete.
fn dir_files(checkout: &Checkout, dir: &str) -> Result<Vec<FileChange>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(checkout.root.join(dir)).sort_by_file_name() {
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

/// The backend's places in `go`, one of the Go files the profile patches,
/// and the file without them; `None` when it has none.
fn wired(checkout: &Checkout, go: &GoFile, name: &BackendName, patches: &Patches) -> Result<Option<Wired>> {
    let package = &name.package;
    let mut blockers = Vec::new();
    let mut places = Vec::new();
    let mut case = |switch: Switch, cases: &[String]| {
        let unquoted = |v: &str| v.trim_matches(['"', '`']).to_string();
        for (values, span) in switch.clauses {
            let ours = |v: &String| cases.iter().any(|c| c == v || unquoted(c) == unquoted(v));
            if values.iter().any(ours) {
                if values.len() == 1 {
                    places.push(Place { what: format!("case {}", values[0]), span, declares: Vec::new() });
                } else {
                    blockers.push(format!("{}: `case {}` names other values too", go.path, values.join(", ")));
                }
            }
        }
    };
    for (func, switch, cases) in &patches.switches {
        if let Ok(found) = go.switch_in(func, switch.as_deref()) {
            case(found, cases);
        }
    }
    for (switch, cases) in &patches.type_switches {
        if let Some(found) = go.type_switch(switch)? {
            case(found, cases);
        }
    }
    for present in &patches.vars {
        if let Some((names, span)) = go.var_block_containing(present) {
            places.push(Place { what: format!("the flags {}", names.join(", ")), span, declares: names });
        }
    }
    for func in &patches.funcs {
        if let Some(span) = go.func_span(func) {
            places.push(Place { what: format!("{func}()"), span, declares: vec![func.clone()] });
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
    for (line, import_name) in crate::manifest::unused_imports(go.src, &after) {
        let path = line.trim().trim_matches('"');
        let what = if patches.imports.iter().any(|i| i == path) || import_name == *package {
            format!("import {:?}", line.trim().trim_matches('"'))
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
        let rel = if dir.is_empty() { file } else { format!("{dir}/{file}") };
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

/// The Go files outside the backend and the wired files that use it:
/// import its package, name its type or URL scheme (a test that configures
/// it), or call a function of a wired file's package that would go. A
/// mention of the word for another reason counts too: refusing is the
/// safe mistake.
fn users(
    checkout: &Checkout,
    name: &BackendName,
    own: &str,
    own_import: Option<&str>,
    declared: &[(String, String)],
    wired: &[&str],
) -> Result<Vec<String>> {
    // Its package, and any package below it (which goes with it).
    let mut needles: Vec<String> = own_import.iter().flat_map(|i| [format!("\"{i}\""), format!("\"{i}/")]).collect();
    needles.extend([format!("{}://", name.r#type), format!("{:?}", name.r#type)]);
    for (path, function) in declared {
        // Called from another package: `testingutil.NewSFTPReplicaClient`.
        let package = path.rsplit('/').nth(1).unwrap_or_default();
        if !package.is_empty() && package != "main" && !path.starts_with("cmd/") {
            needles.push(format!("{package}.{function}"));
        }
    }
    let mut found = Vec::new();
    let walk = walkdir::WalkDir::new(&checkout.root).sort_by_file_name().into_iter().filter_entry(|e| {
        let rel = e.path().strip_prefix(&checkout.root).map(|p| p.to_string_lossy().replace('\\', "/"));
        let name = e.file_name().to_string_lossy();
        let skipped = NEVER.contains(&name.as_ref()) || e.depth() == 1 && AT_THE_ROOT.contains(&name.as_ref());
        e.depth() == 0 || !(e.file_type().is_dir() && (skipped || rel.is_ok_and(|r| r == own)))
    });
    for entry in walk {
        let entry = entry?;
        if !entry.file_type().is_file() || !entry.file_name().to_string_lossy().ends_with(".go") {
            continue;
        }
        let rel = entry.path().strip_prefix(&checkout.root)?.to_string_lossy().replace('\\', "/");
        if wired.contains(&rel.as_str()) || rel == own {
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
