//! `--like` in a Cargo package: the sibling's module copied, and in each
//! Rust file the units whose identity is the sibling cloned after
//! themselves (`anchor/rust_units.rs` reads them): an item named for it, a
//! variant or field, a match arm every alternative of which names it, a
//! `let` or `if` statement about it, a field of a struct literal or
//! pattern, a link of a method chain taking it, an element of a
//! `cfg(any(..))` list, a table of TOML in a raw string; and its Cargo
//! feature, declared again under the new name and listed where it is.
//! Another crate's names (a path from a dependency, a name a `use` brings
//! in from one: `opendal::services::Oss`) are never renamed.

use std::collections::BTreeSet;
use std::ops::Range;

use anyhow::{Result, bail};

use super::{Clone, Cloned, Found, Lang, has_lines};
use crate::anchor::rust_units::{self, Piece, RustUnits, UnitKind};
use crate::anchor::{cargo, line_start};
use crate::checkout::Checkout;
use crate::names::BackendName;
use crate::plan::{Edit, Item, Status};
use crate::words;

pub(super) struct Rust {
    /// The other crates the package may name: its dependencies and the
    /// standard ones.
    crates: BTreeSet<String>,
    /// rustfmt's line width.
    width: usize,
    /// The sibling's module (`oss`).
    module: String,
    /// The names of the items and variants the package's files that name
    /// the sibling declare: a name that is none of them, in a file that
    /// brings in all of another crate's module, is that module's.
    declared: BTreeSet<String>,
    /// The files that name the sibling's module, read.
    parsed: std::collections::BTreeMap<String, std::rc::Rc<RustUnits>>,
    /// The new module and type-name spelling (`obs`, `OBS`).
    new_module: String,
    new_go: String,
}

/// The crates every package may name without declaring them.
const STANDARD: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// The clone of `sibling`'s module as `name`'s.
pub(super) fn clone<'a>(
    checkout: &Checkout,
    files: Vec<String>,
    name: &BackendName,
    sibling: &'a BackendName,
) -> Result<(Clone<'a>, Vec<String>)> {
    name.refuse_rust_keyword()?;
    let module = sibling.r#type.replace('-', "_");
    let new_module = name.r#type.replace('-', "_");
    let own = module_files(checkout, &files, &module, &new_module)?;
    let manifest = checkout.require("Cargo.toml", "it is the package's manifest")?;
    let crates = crates(&manifest)?;
    let sibling_type = super::learnt_type_name(checkout, &files, &module, ".rs")?;
    let forms = words::forms(&module, &sibling_type, &new_module, &name.go_name);
    let others = peers(&manifest, &files, &own, &sibling.r#type)?;
    refuse_clashing_features(&manifest, &module, &sibling.r#type, &new_module)?;
    // The files that name it, read once: their declarations now, their
    // units when they are cloned or wired.
    let mut declared = BTreeSet::new();
    let mut parsed = std::collections::BTreeMap::new();
    let lower = module.replace('_', "");
    for file in files.iter().filter(|f| f.ends_with(".rs")) {
        let Some(src) = checkout.read(file)? else { continue };
        if src.to_ascii_lowercase().replace('_', "").contains(&lower)
            && let Some(units) = rust_units::read(&src, &crates)
        {
            declared.extend(units.declared.iter().cloned());
            parsed.insert(file.clone(), std::rc::Rc::new(units));
        }
    }
    let rust = Rust {
        crates,
        width: crate::project::rustfmt_width(checkout)?,
        module: module.clone(),
        declared,
        parsed,
        new_module: new_module.clone(),
        new_go: name.go_name.clone(),
    };
    let sibling_go = sibling_type;
    let clone =
        Clone { sibling: &sibling.r#type, sibling_go, forms, others, own, lang: Lang::Rust(rust), examining: false };
    Ok((clone, files))
}

/// A package with features has one for each backend: a sibling with none
/// is not one (`cache`, the parent module; `disk`, built in). The new
/// name may be no dependency the package has, nor a feature in another
/// spelling (`dist-client` for `dist_client`, `webdav` for `web_dav`).
fn refuse_clashing_features(manifest: &str, module: &str, sibling: &str, new: &str) -> Result<()> {
    let doc = cargo::document(manifest).map_err(|e| anyhow::anyhow!("Cargo.toml: {}", e.message().trim_end()))?;
    let same = |a: &str, b: &str| a.replace(['-', '_'], "").to_lowercase() == b.replace(['-', '_'], "").to_lowercase();
    if let Some(features) = doc.get("features").and_then(toml_edit::Item::as_table_like) {
        if !features.is_empty() && !features.iter().any(|(f, _)| same(f, sibling) || same(f, module)) {
            bail!(
                "--like {sibling}: the package has no feature {sibling}, as each of its backends has; name a backend it has"
            );
        }
        // The same name is the clone's own on a second run (or refused as
        // another feature when the declaration is not the sibling's copy).
        if let Some((f, _)) = features.iter().find(|(f, _)| same(f, new) && *f != new) {
            bail!("--like {sibling}: the package has a feature {f} already; choose another name");
        }
    }
    for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some((d, _)) =
            doc.get(kind).and_then(toml_edit::Item::as_table_like).and_then(|t| t.iter().find(|(d, _)| same(d, new)))
        {
            bail!(
                "--like {sibling}: {d} is a dependency of the package, which a feature of that name would clash with; choose another name"
            );
        }
    }
    Ok(())
}

/// The other backends: the features named for a module beside the
/// sibling's (`webdav` beside `oss` in src/cache/), each name in its
/// lower, upper and capitalised casings.
fn peers(manifest: &str, files: &[String], own: &[(String, String)], sibling: &str) -> Result<Vec<words::Form>> {
    let doc = cargo::document(manifest).map_err(|e| anyhow::anyhow!("Cargo.toml: {}", e.message().trim_end()))?;
    let Some(features) = doc.get("features").and_then(toml_edit::Item::as_table_like) else { return Ok(Vec::new()) };
    let dir = own.first().and_then(|(f, _)| f.rsplit_once('/')).map_or("", |(d, _)| d);
    let mut forms = Vec::new();
    for (feature, _) in features.iter().filter(|(f, _)| *f != sibling) {
        let module = feature.replace('-', "_");
        let at = |name: &str| if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
        if files.contains(&at(&format!("{module}.rs"))) || files.contains(&at(&format!("{module}/mod.rs"))) {
            let title = {
                let mut c = module.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            };
            forms.extend(words::forms(&module, &title, "", ""));
            // A name of words is a type's in camel case too (`MyStore`).
            let camel: String = module.split('_').map(crate::names::go_word).collect();
            if module.contains('_') && !forms.iter().any(|f| f.from == camel) {
                forms.push(words::Form { from: camel, to: String::new(), upper: None });
            }
        }
    }
    forms.sort_by_key(|f| std::cmp::Reverse(f.from.len()));
    Ok(forms)
}

/// The sibling's module: its file (`src/cache/oss.rs`) and directory
/// (`src/cache/oss/`), the shallowest a `mod` declares, each with what it
/// becomes.
fn module_files(checkout: &Checkout, files: &[String], module: &str, new: &str) -> Result<Vec<(String, String)>> {
    let file_name = format!("{module}.rs");
    // Each directory holding the module: `<parent>/oss.rs` or `<parent>/oss/mod.rs`.
    let mut parents: Vec<&str> = files
        .iter()
        .filter(|f| f.ends_with(".rs"))
        .filter_map(|file| {
            let (dir, base) = file.rsplit_once('/').unwrap_or(("", file));
            if base == file_name {
                Some(dir)
            } else if base == "mod.rs" && dir.rsplit('/').next() == Some(module) {
                Some(dir.rsplit_once('/').map_or("", |(parent, _)| parent))
            } else {
                None
            }
        })
        .collect();
    parents.sort_by_key(|p| (p.matches('/').count() + usize::from(!p.is_empty()), p.to_string()));
    let Some(parent) = parents.first().copied() else {
        bail!(
            "--like {module}: no module {module} ({module}.rs or {module}/mod.rs, declared by a `mod {module}`) in the package; name a backend it has"
        );
    };
    let at = |name: &str| if parent.is_empty() { name.to_string() } else { format!("{parent}/{name}") };
    // Its file, and its directory (`oss/mod.rs`, or `oss.rs` with `oss/helper.rs`).
    let mut found = Vec::new();
    if files.contains(&at(&file_name)) {
        found.push((at(&file_name), at(&format!("{new}.rs"))));
    }
    if files.iter().any(|f| f.starts_with(&format!("{}/", at(module)))) {
        found.push((at(module), at(new)));
    }
    // The new module there already, in the other layout, would be two.
    let new_file = at(&format!("{new}.rs"));
    let new_dir = format!("{}/", at(new));
    let exists = files.iter().find(|f| **f == new_file || f.starts_with(&new_dir));
    let writes_file = found.iter().any(|(_, n)| *n == new_file);
    if let Some(existing) = exists
        && (*existing == new_file) != writes_file
    {
        bail!("--like {module}: module {new} exists already, as {existing}; choose another name");
    }
    // A module beside it that is the new name in another spelling (`webdav` for `web_dav`).
    let folded = |name: &str| name.replace(['-', '_'], "").to_lowercase();
    let beside = files.iter().filter_map(|f| {
        let rest = if parent.is_empty() { Some(f.as_str()) } else { f.strip_prefix(&format!("{parent}/")) }?;
        let name = rest.split('/').next()?;
        Some(name.strip_suffix(".rs").unwrap_or(name)).filter(|n| *n != new && *n != "mod" && rest.ends_with(".rs"))
    });
    if let Some(other) = beside.into_iter().find(|n| folded(n) == folded(new)) {
        bail!("--like {module}: module {other} is the name {new} in another spelling; choose another name");
    }
    // Declared by a `mod` of its parent.
    let declared = files.iter().filter(|f| f.ends_with(".rs")).any(|f| {
        checkout.read(f).ok().flatten().is_some_and(|src| {
            src.lines().any(|l| {
                let l = l.trim_start().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
                l == format!("mod {module};") || l.starts_with(&format!("mod {module} "))
            })
        })
    });
    if !declared {
        bail!(
            "--like {module}: no module {module} ({module}.rs or {module}/mod.rs, declared by a `mod {module}`) in the package; name a backend it has"
        );
    }
    Ok(found)
}

/// The package's dependencies as crate names (`-` read as `_`), and the
/// standard crates.
fn crates(manifest: &str) -> Result<BTreeSet<String>> {
    let doc = cargo::document(manifest).map_err(|e| anyhow::anyhow!("Cargo.toml: {}", e.message().trim_end()))?;
    let mut crates: BTreeSet<String> = STANDARD.iter().map(|s| s.to_string()).collect();
    let mut tables: Vec<&dyn toml_edit::TableLike> = Vec::new();
    for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
        tables.extend(doc.get(kind).and_then(toml_edit::Item::as_table_like));
    }
    if let Some(targets) = doc.get("target").and_then(toml_edit::Item::as_table_like) {
        for (_, target) in targets.iter() {
            for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
                tables.extend(target.get(kind).and_then(toml_edit::Item::as_table_like));
            }
        }
    }
    for table in tables {
        crates.extend(table.iter().map(|(name, _)| name.replace('-', "_")));
    }
    Ok(crates)
}

impl Rust {
    /// `range` of `src`, renamed where the rename applies: every name,
    /// string and comment of this crate's, none of another crate's.
    fn renamed(&self, clone: &Clone, src: &str, parsed: &RustUnits, range: Range<usize>) -> String {
        let mut out = String::new();
        let mut last = range.start;
        // A piece the range cuts (a table of a raw string) counts as far as it is in it.
        let pieces = parsed.pieces.iter().filter(|(r, _)| r.start < range.end && range.start < r.end);
        let (others, their_names) = self.other_modules(clone, parsed);
        for (piece, kind) in pieces {
            let theirs = others.iter().any(|o| o.start <= piece.start && piece.end <= o.end)
                || *kind == Piece::Name && their_names.contains(&src[piece.clone()])
                || *kind == Piece::Name && self.globbed(parsed, &src[piece.clone()])
                || *kind == Piece::Member && !self.declared.contains(&src[piece.clone()]);
            if *kind == Piece::External || theirs {
                continue;
            }
            let piece = piece.start.max(range.start)..piece.end.min(range.end);
            let text = &src[piece.clone()];
            let renamed = words::rename(text, &clone.forms);
            if renamed != text {
                out.push_str(&src[last..piece.start]);
                out.push_str(&renamed);
                last = piece.end;
            }
        }
        out.push_str(&src[last..range.end]);
        out
    }

    /// Whether `name` is, in a file that brings in all of another crate's
    /// module (`use opendal::services::*;`), a type-like name the package
    /// does not declare (`Oss`): that module's.
    fn globbed(&self, parsed: &RustUnits, name: &str) -> bool {
        parsed.external_glob && name.starts_with(|c: char| c.is_uppercase()) && !self.declared.contains(name)
    }

    /// The `use`s that go through another module named with the sibling's
    /// name in it (`super::oss_client` beside `oss`), and the names they
    /// bring in: that module's, not the sibling's.
    fn other_modules<'p>(&self, clone: &Clone, parsed: &'p RustUnits) -> (Vec<Range<usize>>, BTreeSet<&'p str>) {
        let mut spans = Vec::new();
        let mut names = BTreeSet::new();
        for used in &parsed.uses {
            if used.modules.iter().any(|m| *m != self.module && words::mentions(m, &clone.forms)) {
                spans.push(used.span.clone());
                names.extend(used.names.iter().map(String::as_str));
            }
        }
        (spans, names)
    }

    /// `file` (`src`) read for its units, once a run.
    fn read(&self, file: &str, src: &str) -> Option<std::rc::Rc<RustUnits>> {
        self.parsed.get(file).cloned().or_else(|| rust_units::read(src, &self.crates).map(std::rc::Rc::new))
    }

    /// A Rust file of the sibling's module, renamed.
    pub(super) fn own_file(&self, clone: &Clone, file: &str, src: &str) -> Result<String> {
        match self.read(file, src) {
            Some(parsed) => Ok(self.renamed(clone, src, &parsed, 0..src.len())),
            None => bail!("{file}: does not parse as Rust; cannot clone it"),
        }
    }

    /// The clones of the units of Rust file `file` whose identity is the
    /// sibling; `false` when it cannot be read.
    pub(super) fn wiring(&self, clone: &Clone, file: &str, src: &str, found: &mut Found) -> Result<bool> {
        // Another module named with the sibling's name in it (`http_client`
        // beside `http`) is not the sibling's, nor wiring for it.
        let stem = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".rs");
        let stem = if stem == "mod" { file.rsplit('/').nth(1).unwrap_or(stem) } else { stem };
        if stem != self.module && words::mentions(stem, &clone.forms) {
            found.unread = Some(format!("module {stem} is another than {}", self.module));
            return Ok(false);
        }
        let Some(parsed) = self.read(file, src) else {
            found.unread = Some("does not parse".to_string());
            return Ok(false);
        };
        let Found { cloned, covered, warnings, .. } = found;
        // Another crate's names are not the sibling, wherever they are, nor
        // another module's.
        let (others, their_names) = self.other_modules(clone, &parsed);
        let mut external: Vec<Range<usize>> = parsed
            .pieces
            .iter()
            .filter(|(r, k)| {
                *k == Piece::External
                    || *k == Piece::Name
                        && (their_names.contains(&src[r.clone()]) || self.globbed(&parsed, &src[r.clone()]))
                    || *k == Piece::Member && !self.declared.contains(&src[r.clone()])
            })
            .map(|(r, _)| r.clone())
            .collect();
        external.extend(others);
        let mentions = |range: &Range<usize>| {
            let mut text = src[range.clone()].to_string();
            for r in external.iter().filter(|r| r.start >= range.start && r.end <= range.end) {
                let (a, b) = (r.start - range.start, r.end - range.start);
                text.replace_range(a..b, &" ".repeat(b - a));
            }
            words::mentions(&text, &clone.forms)
        };
        covered.extend(external.iter().cloned());
        let names: BTreeSet<&str> =
            parsed.pieces.iter().filter(|(_, k)| *k == Piece::Name).map(|(r, _)| &src[r.clone()]).collect();
        let mut planned: Vec<(String, Item, Vec<Edit>, bool)> = Vec::new();
        for unit in &parsed.units {
            if covered.iter().any(|c| c.start <= unit.span.start && unit.span.end <= c.end && c != &unit.span) {
                continue;
            }
            if unit.kind == UnitKind::MacroArgument {
                continue;
            }
            let head = &src[unit.head.clone()];
            let identity = !words::mentions(head, &clone.others)
                && match unit.kind {
                    // Every alternative of the pattern names it.
                    UnitKind::Arm => {
                        let alternatives: Vec<&str> =
                            head.split('|').map(str::trim).filter(|a| !a.is_empty()).collect();
                        mentions(&unit.head) && alternatives.iter().all(|a| words::mentions(a, &clone.forms))
                    }
                    // Called with it on something that is not it.
                    UnitKind::Link => mentions(&unit.head) && !unit.around.as_ref().is_some_and(&mentions),
                    // A `use` of several names is not one backend's.
                    UnitKind::Item if head.contains('{') && src[unit.span.clone()].contains("use ") => false,
                    // A module, or a path through modules, named with the
                    // sibling's name in it is the sibling's only if it is
                    // its module (`http_client` beside `http` is not).
                    UnitKind::UseElement => {
                        let key = unit.key.as_deref().unwrap_or_default();
                        let modules = &key[..key.len().saturating_sub(1)];
                        mentions(&unit.head)
                            && modules.iter().all(|m| m == &self.module || !words::mentions(m, &clone.forms))
                    }
                    UnitKind::Item if unit.key.is_some() => {
                        let key = unit.key.as_deref().unwrap_or_default();
                        let modules = if src[unit.span.clone()].contains("use ") { &key[..key.len() - 1] } else { key };
                        mentions(&unit.head)
                            && modules.iter().all(|m| m == &self.module || !words::mentions(m, &clone.forms))
                    }
                    _ => mentions(&unit.head),
                };
            if !identity {
                continue;
            }
            covered.push(unit.span.clone());
            let renamed = self.renamed(clone, src, &parsed, unit.span.clone());
            let blank_before = src[..line_start(src, unit.span.start)].ends_with("\n\n");
            let (text, present) = if unit.kind == UnitKind::UseElement {
                // In the list already, wherever.
                let new = renamed.trim().trim_end_matches(',');
                let listed = parsed
                    .units
                    .iter()
                    .any(|u| u.kind == UnitKind::UseElement && u.list == unit.list && src[u.head.clone()] == *new);
                (renamed.clone(), listed)
            } else if unit.lines {
                // A table of TOML is set off by a blank line, wherever it was.
                let spaced = blank_before && matches!(unit.kind, UnitKind::Item | UnitKind::Statement)
                    || unit.kind == UnitKind::TomlTable;
                let text = if spaced { format!("\n{renamed}") } else { renamed.clone() };
                let present = has_lines(src, &text);
                (text, present)
            } else if unit.kind == UnitKind::Link {
                // After it, or (another clone went in between) elsewhere in its chain.
                let chain = |u: &rust_units::Unit| u.around.as_ref().map(|r| r.start);
                let linked = |u: &rust_units::Unit| {
                    u.kind == UnitKind::Link && chain(u) == chain(unit) && src[u.span.clone()].trim() == renamed.trim()
                };
                let present = src[unit.span.end..].starts_with(&renamed) || parsed.units.iter().any(linked);
                (renamed.clone(), present)
            } else {
                let next = src[unit.span.end..].trim_start_matches([',', ' ', '\t', '\r', '\n']);
                // After it, or (another clone went in between) elsewhere in its list.
                let listed = |u: &rust_units::Unit| {
                    u.kind == unit.kind && u.list == unit.list && src[u.span.clone()].trim() == renamed.trim()
                };
                let present =
                    next.starts_with(&renamed) || unit.kind == UnitKind::AnyElement && parsed.units.iter().any(listed);
                if !present && unit.kind == UnitKind::AnyElement {
                    self.warn_overlong(src, unit, renamed.len() + 2, warnings);
                }
                (format!(", {renamed}"), present)
            };
            // The new name is the file's already, for something else.
            let new_head = words::rename(head, &clone.forms);
            let taken = !present
                && match unit.kind {
                    UnitKind::Item => {
                        let names = parsed
                            .pieces
                            .iter()
                            .filter(|(r, k)| *k == Piece::Name && r.start >= unit.head.start && r.end <= unit.head.end);
                        names
                            .map(|(r, _)| words::rename(&src[r.clone()], &clone.forms))
                            .any(|n| parsed.declared.contains(&n) && !src[unit.head.clone()].contains(&n))
                    }
                    UnitKind::Member | UnitKind::Field | UnitKind::Arm => parsed
                        .units
                        .iter()
                        .any(|u| u.kind == unit.kind && src[u.head.clone()].trim() == new_head.trim()),
                    _ => false,
                };
            let status = match (present, taken) {
                (true, _) => Status::Present,
                (false, true) => Status::Conflict,
                (false, false) => Status::Insert,
            };
            let first_line = head.lines().next().unwrap_or_default().trim();
            let what = format!("{} clone of {first_line}", kind_word(unit.kind));
            let item = Item { what: what.clone(), status };
            let mut unit_edits = Vec::new();
            if status == Status::Insert {
                if unit.lines && !unit.separated {
                    // The last of a list without a trailing comma: one
                    // first, in the same insertion (remove takes it out whole).
                    let content_end = src[..unit.span.end].trim_end().len();
                    unit_edits.push(Edit { at: content_end, text: format!(",\n{}", text.trim_end()) });
                } else if unit.kind == UnitKind::UseElement {
                    unit_edits.push(use_element_edit(&parsed, unit, &renamed, &words_key(unit, &clone.forms)));
                } else {
                    let at = sorted_place(&parsed, unit, &words_key(unit, &clone.forms)).unwrap_or(unit.span.end);
                    unit_edits.push(Edit { at, text });
                }
            }
            // The names the clone brings in that the file has already.
            let clashes = status == Status::Insert
                && parsed.pieces.iter().any(|(r, k)| {
                    *k == Piece::Name && unit.span.start <= r.start && r.end <= unit.span.end && {
                        let renamed = words::rename(&src[r.clone()], &clone.forms);
                        renamed != src[r.clone()] && names.contains(renamed.as_str())
                    }
                });
            planned.push((what, item, unit_edits, clashes));
        }
        // A name of the clone's the file uses already, for something else
        // (a local `obs`): refused, unless the file has clones of the
        // sibling already (a second run, or --force adding what is missing).
        let cloned_before = planned.iter().any(|(_, item, _, _)| item.status == Status::Present);
        // Lines the rename made wider than rustfmt keeps (a longer name):
        // `cargo fmt` rewraps them, said once a file.
        let wide = planned.iter().flat_map(|(_, _, e, _)| e).flat_map(|e| e.text.lines()).any(|l| l.len() > self.width);
        if wide {
            warnings.push(format!(
                "a cloned line is wider than rustfmt's {} columns; `cargo fmt` rewraps it (and `remove` then takes it for an edit)",
                self.width
            ));
        }
        for (key, mut item, mut edits, clashes) in planned {
            if clashes && !cloned_before {
                item.status = Status::Conflict;
                item.what = format!("{} (the file uses its new name already)", item.what);
                edits.clear();
            }
            cloned.push(Cloned { key, item, edits });
        }
        self.argument_runs(clone, src, &parsed, &mentions, found);
        self.chains_led_by_it(clone, src, &parsed, &mentions, found);
        Ok(true)
    }

    /// A method chain that starts with the sibling and goes on with one
    /// other backend a link (`webdav.map(CacheType::Webdav)` then
    /// `.or_else(|| oss.map(CacheType::OSS))`): the first link after the
    /// sibling's (a backend the checkout had, not an earlier clone) cloned
    /// for the new backend, the other's name in it renamed, after the last.
    fn chains_led_by_it(
        &self,
        clone: &Clone,
        src: &str,
        parsed: &RustUnits,
        mentions: &dyn Fn(&Range<usize>) -> bool,
        found: &mut Found,
    ) {
        let Found { cloned, covered, .. } = found;
        let links: Vec<&rust_units::Unit> = parsed.units.iter().filter(|u| u.kind == UnitKind::Link).collect();
        // Where a chain starts: the start of its innermost receiver.
        let start = |u: &rust_units::Unit| u.around.as_ref().map_or(u.span.start, |r| r.start);
        let mut done: Vec<usize> = Vec::new();
        for link in &links {
            let chain = start(link);
            if done.contains(&chain) || covered.iter().any(|c| c.contains(&link.span.start)) {
                continue;
            }
            // The chain's head: from its start to the first link that is
            // not about the sibling (`webdav\n.map(CacheType::Webdav)`).
            let mut members: Vec<&&rust_units::Unit> = links.iter().filter(|l| start(l) == chain).collect();
            members.sort_by_key(|l| l.span.start);
            let own = members.iter().take_while(|l| mentions(&l.head)).count();
            let members = &members[own..];
            let Some(first) = members.first() else { continue };
            let head = chain..first.span.start;
            let head_text = &src[head.clone()];
            if !mentions(&head) || words::mentions(head_text, &clone.others) {
                continue;
            }
            // Each link after it names one other backend, and not the sibling.
            let others: Vec<Option<String>> = members
                .iter()
                .map(|l| {
                    let found = words::find(&src[l.head.clone()], &clone.others);
                    let names: BTreeSet<String> =
                        found.iter().map(|(_, f)| f.from.to_lowercase().replace('_', "")).collect();
                    (names.len() == 1 && !mentions(&l.head)).then(|| names.into_iter().next().unwrap_or_default())
                })
                .collect();
            let Some(last) = members.iter().max_by_key(|l| l.span.end) else { continue };
            // The chain's own words (the sibling's head), the same after a
            // clone added its link: a learnt profile finds the unit by them.
            let key =
                format!("chained call for it in the chain of {}", head_text.split_whitespace().collect::<String>());
            // A link for the new backend there already (a second run).
            let new_forms = words::forms(&self.new_module, &self.new_go, "", "");
            if members.iter().any(|l| words::mentions(&src[l.head.clone()], &new_forms)) {
                done.push(chain);
                covered.push(head);
                let what = format!("chained call for it after {}", src[last.span.clone()].trim());
                cloned.push(Cloned { key, item: Item { what, status: Status::Present }, edits: Vec::new() });
                continue;
            }
            // The new link is made from the first after the head (a backend
            // the checkout had, not an earlier clone) and goes after the last.
            let (Some(Some(other)), true) = (others.first(), others.iter().all(Option::is_some)) else { continue };
            let Some(model) = members.first() else { continue };
            done.push(chain);
            let title = {
                let mut c = other.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            };
            let shouty = other.to_uppercase();
            let forms = words::forms(other, &shouty, &self.new_module, &self.new_go);
            let forms: Vec<words::Form> = forms
                .into_iter()
                .map(|mut f| {
                    // Its type name (`CacheType::Webdav`): the new one's, as the variant's clone has it.
                    if f.from == title && title != shouty {
                        f.to = self.new_go.clone();
                    }
                    f
                })
                .collect();
            let text = words::rename(&src[model.span.clone()], &forms);
            covered.push(head);
            let present = src[last.span.end..].starts_with(&text);
            let what = format!("chained call for it after {}", src[last.span.clone()].trim());
            let status = if present { Status::Present } else { Status::Insert };
            let edits = if present { Vec::new() } else { vec![Edit { at: last.span.end, text }] };
            cloned.push(Cloned { key, item: Item { what, status }, edits });
        }
    }

    /// A warning where a `cfg(any(..))` list on one line grows wider than
    /// rustfmt keeps on one line (70 % of its width for an attribute's
    /// arguments): `cargo fmt` breaks it one a line, which an insertion
    /// cannot do.
    fn warn_overlong(&self, src: &str, unit: &rust_units::Unit, added: usize, warnings: &mut Vec<String>) {
        let Some(list) = &unit.around else { return };
        let (start, end) = (line_start(src, unit.span.start), crate::anchor::line_end(src, unit.span.end));
        let line = src[start..end].trim_end().len() + added;
        if line > self.width || list.len() - 2 + added > self.width * 70 / 100 {
            let text = src[start..end].trim();
            if !warnings.iter().any(|w| w.contains(text)) {
                warnings.push(format!(
                    "`{text}` is now wider than rustfmt keeps on one line; `cargo fmt` breaks it (and `remove` then takes it for an edit)"
                ));
            }
        }
    }

    /// In a macro call with one argument a line, the run of arguments
    /// about the sibling (`"    OSS:       ",` `cfg!(feature = "oss"),`
    /// `"\n",`), as long as the run before it about another backend is
    /// (the arguments after the mentions the same as that run's), cloned
    /// after it.
    fn argument_runs(
        &self,
        clone: &Clone,
        src: &str,
        parsed: &RustUnits,
        mentions: &dyn Fn(&Range<usize>) -> bool,
        found: &mut Found,
    ) {
        let Found { cloned, covered, .. } = found;
        let mut lists: Vec<Vec<&rust_units::Unit>> = Vec::new();
        for unit in parsed.units.iter().filter(|u| u.kind == UnitKind::MacroArgument) {
            match lists.last_mut() {
                Some(list) if list[0].list == unit.list => list.push(unit),
                _ => lists.push(vec![unit]),
            }
        }
        for list in lists {
            if covered.iter().any(|c| c.start <= list[0].span.start && list[0].span.end <= c.end) {
                continue;
            }
            let about = |u: &rust_units::Unit| mentions(&u.head);
            let Some(a) = list.iter().position(|u| about(u)) else { continue };
            let b = a + list[a..].iter().take_while(|u| about(u)).count();
            let text = |u: &rust_units::Unit| src[u.head.clone()].to_string();
            let period = (b - a..=b - a + 2).find(|&k| {
                k <= a
                    && a + k <= list.len()
                    && (0..k).all(|j| {
                        let (mine, theirs) = (list[a + j], list[a - k + j]);
                        if j < b - a {
                            !about(theirs)
                                && !words::mentions(&text(theirs), &clone.forms)
                                && text(mine).chars().next() == text(theirs).chars().next()
                        } else {
                            text(mine) == text(theirs)
                        }
                    })
            });
            let Some(k) = period else { continue };
            let run = list[a].span.start..list[a + k - 1].span.end;
            covered.push(run.clone());
            let renamed = self.renamed(clone, src, parsed, run.clone());
            // The clone of the last argument may have gained a comma since.
            let bare = renamed.trim_end().trim_end_matches(',');
            let present = has_lines(&src[run.end..], bare) || has_lines(&src[run.end..], &format!("{bare},"));
            let first = src[list[a].head.clone()].trim();
            let what = format!("macro arguments clone of {first}");
            let status = if present { Status::Present } else { Status::Insert };
            let mut edits = Vec::new();
            if !present {
                // Right after the sibling's last argument, its comma first, in
                // the same insertion (remove takes it out whole): a clone
                // added after another of the sibling's does not split it.
                let last = list[a + k - 1];
                let text = format!(",\n{}", renamed.trim_end().trim_end_matches(','));
                edits.push(Edit { at: last.head.end, text });
            }
            cloned.push(Cloned { key: what.clone(), item: Item { what, status }, edits });
        }
    }

    /// Cargo.toml: the sibling's feature declared again as the new one,
    /// and listed after it wherever it is listed.
    pub(super) fn features(&self, clone: &Clone, file: &str, src: &str, found: &mut Found) -> Result<bool> {
        // A feature named for the sibling (`oss`, `gcp-base`), and no other backend.
        let named = |name: &str| words::mentions(name, &clone.forms) && !words::mentions(name, &clone.others);
        let rename = |text: &str| words::rename(text, &clone.forms);
        let Some(clones) = cargo::clone_features(file, src, &named, &rename, clone.examining)? else {
            return Ok(false);
        };
        for unit in clones.units {
            let status = if unit.edits.is_empty() { Status::Present } else { Status::Insert };
            let item = Item { what: unit.what, status };
            found.cloned.push(Cloned { key: unit.key, item, edits: unit.edits });
        }
        found.covered.extend(clones.covered);
        Ok(true)
    }
}

/// The key of a `use` or `mod` item's clone.
fn words_key(unit: &rust_units::Unit, forms: &[words::Form]) -> Option<Vec<String>> {
    unit.key.as_ref().map(|key| key.iter().map(|s| words::rename(s, forms)).collect())
}

/// Where the clone of a `use` or `mod` item goes when the run of such
/// items it is in (one after another, no blank line between) is in
/// rustfmt's order: before the first whose key is greater, else after
/// the last.
fn sorted_place(parsed: &RustUnits, unit: &rust_units::Unit, key: &Option<Vec<String>>) -> Option<usize> {
    let key = key.as_ref()?;
    let keyed: Vec<&rust_units::Unit> =
        parsed.units.iter().filter(|u| u.kind == UnitKind::Item && u.lines && u.key.is_some()).collect();
    let at = keyed.iter().position(|u| u.span == unit.span)?;
    let (mut first, mut last) = (at, at);
    while first > 0 && keyed[first - 1].span.end == keyed[first].span.start {
        first -= 1;
    }
    while last + 1 < keyed.len() && keyed[last].span.end == keyed[last + 1].span.start {
        last += 1;
    }
    let run = &keyed[first..=last];
    let order = |u: &&rust_units::Unit| rustfmt_order(u.key.as_deref().unwrap_or_default());
    if run.windows(2).any(|w| order(&w[0]) > order(&w[1])) {
        return None;
    }
    let key = rustfmt_order(key);
    Some(run.iter().find(|u| order(u) > key).map_or(run[run.len() - 1].span.end, |u| u.span.start))
}

/// The clone `renamed` of the `use` list element `unit`: in its sorted
/// place when the list is in rustfmt's order (before the first element
/// whose path is greater), else after it; on a line of its own where the
/// list has one a line.
fn use_element_edit(parsed: &RustUnits, unit: &rust_units::Unit, renamed: &str, key: &Option<Vec<String>>) -> Edit {
    let list: Vec<&rust_units::Unit> =
        parsed.units.iter().filter(|u| u.kind == UnitKind::UseElement && u.list == unit.list).collect();
    let order = |u: &&rust_units::Unit| rustfmt_order(u.key.as_deref().unwrap_or_default());
    let sorted = list.windows(2).all(|w| order(&w[0]) <= order(&w[1]));
    let new = rustfmt_order(key.as_deref().unwrap_or_default());
    let before = list.iter().find(|u| order(u) > new).filter(|_| sorted);
    let text = renamed.trim().trim_end_matches(',');
    let indent = &renamed[..renamed.len() - renamed.trim_start().len()];
    match before {
        Some(next) if unit.lines => Edit { at: next.span.start, text: format!("{indent}{text},\n") },
        Some(next) => Edit { at: next.head.start, text: format!("{text}, ") },
        None => {
            let last = if sorted { list.last().map_or(unit, |u| *u) } else { unit };
            match (unit.lines, last.separated && unit.lines) {
                (true, true) => Edit { at: last.span.end, text: format!("{indent}{text},\n") },
                (true, false) => Edit { at: last.head.end, text: format!(",\n{indent}{text}") },
                _ => Edit { at: last.head.end, text: format!(", {text}") },
            }
        }
    }
}

/// A path's segments as rustfmt orders imports: `self`, `super` and
/// `crate` paths first, in that order.
fn rustfmt_order(key: &[String]) -> (u8, Vec<String>) {
    let rank = match key.first().map(String::as_str) {
        Some("self") => 0,
        Some("super") => 1,
        Some("crate") => 2,
        _ => 3,
    };
    (rank, key.to_vec())
}

fn kind_word(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Item => "item",
        UnitKind::Member => "member",
        UnitKind::Arm => "arm",
        UnitKind::Statement => "statement",
        UnitKind::Field => "field",
        UnitKind::Link => "chained call",
        UnitKind::AnyElement => "cfg(any) element",
        UnitKind::TomlTable => "TOML table",
        UnitKind::MacroArgument => "macro arguments",
        UnitKind::UseElement => "use",
    }
}
