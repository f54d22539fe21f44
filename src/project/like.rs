//! `--like SIBLING`: a backend modelled on one the checkout has, with no
//! profile. The sibling's own package is copied with the rename, and each
//! unit of wiring elsewhere whose identity is the sibling — an import
//! spec, a case clause, a top-level declaration, a spec of a `var` block,
//! a Markdown list item or a line of a fenced block — is cloned after it,
//! renamed. What a rename touches is decided by syntax: a package
//! qualifier or import path is renamed only when it is the sibling's own
//! package (`github.com/pkg/sftp` and `sftp.NewClient` in an
//! sftp package stay), a name, string or comment where the sibling's name
//! is a word part in one of its casings (`s3` is not in `s3manager`).
//! A mention outside any cloned unit is left alone and listed for review.
//!
//! Go projects, so far; the plan is an ordinary one (dry run, JSON, the
//! manifest, remove, a second run that changes nothing).

use std::collections::BTreeSet;
use std::ops::Range;

use anyhow::{Result, bail};

use super::Request;
use crate::anchor::go_units::{self, GoUnits, Piece, UnitKind};
use crate::checkout::{Checkout, Project};
use crate::names::BackendName;
use crate::plan::{Edit, FileChange, Item, Plan, Status};
use crate::words::{self, Form};

/// Directories never read: the tree's history, vendored code, test data.
const SKIPPED: &[&str] = &[".git", "vendor", "node_modules", "testdata", ".add-backend"];

/// Files of these kinds are read for wiring; a history of changes is not
/// wiring.
fn prose(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
    let history = ["changelog", "changes", "history", "news", "release"].iter().any(|h| name.starts_with(h));
    path.ends_with(".md") && !history
}

struct Clone<'a> {
    /// The names the sibling's package uses unqualified (declares): a
    /// selected name is renamed only when it is one of them.
    declared: BTreeSet<String>,
    sibling: &'a str,
    /// The sibling's package directory and import path, and the new ones.
    dir: String,
    new_dir: String,
    path: String,
    new_path: String,
    forms: Vec<Form>,
    module: &'a str,
}

pub fn plan(checkout: &Checkout, request: &Request, sibling: &str) -> Result<Plan> {
    let Project::Go(module) = &checkout.project else {
        bail!("--like {sibling}: cloning a backend works on Go projects so far; this checkout is a Cargo package");
    };
    let name = BackendName::parse(request.name, request.go_name)?;
    name.refuse_go_reserved()?;
    let sibling_name = BackendName::parse(sibling, None)?;
    let sibling = sibling_name.r#type.as_str();
    if sibling_name.package == name.package {
        bail!("--like {sibling}: the new backend must have another name than its model");
    }
    let files = go_tree(checkout)?;
    let dir = sibling_dir(checkout, &files, &sibling_name.package)?;
    // The package's own test data is its too (what the walk leaves out elsewhere).
    let mut files = files;
    for entry in walkdir::WalkDir::new(checkout.root.join(&dir)).sort_by_file_name() {
        let entry = entry?;
        let rel = entry.path().strip_prefix(&checkout.root)?.to_string_lossy().replace('\\', "/");
        if entry.file_type().is_file() && rel.split('/').any(|p| p == "testdata") && !files.contains(&rel) {
            files.push(rel);
        }
    }
    let new_dir = match dir.rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/{}", name.package),
        None => name.package.clone(),
    };
    let sibling_go = learnt_go_name(checkout, &files, sibling)?;
    let forms = words::forms(sibling, &sibling_go, &name.package, &name.go_name);
    let mut declared = BTreeSet::new();
    for file in files.iter().filter(|f| f.starts_with(&format!("{dir}/")) && f.ends_with(".go")) {
        let Some(src) = checkout.read(file)? else { continue };
        if let Some(parsed) = go_units::read(&src) {
            declared.extend(
                parsed.pieces.iter().filter(|(_, k)| *k == Piece::Name).map(|(r, _)| src[r.clone()].to_string()),
            );
        }
    }
    let clone = Clone {
        declared,
        sibling,
        path: format!("{module}/{dir}"),
        new_path: format!("{module}/{new_dir}"),
        dir,
        new_dir,
        forms,
        module,
    };
    let mut changes = Vec::new();
    let mut mentioned = Vec::new();
    for file in files.iter().filter(|f| clone.owns(f)) {
        changes.push(clone.own_file(checkout, file, request.force)?);
    }
    for file in files.iter().filter(|f| !clone.owns(f)) {
        if let Some(change) = clone.wiring(checkout, file, &mut mentioned)? {
            changes.push(change);
        }
    }
    let mut warnings = Vec::new();
    if !mentioned.is_empty() {
        warnings.push(format!(
            "mentioned, not cloned (review them: they name {sibling} among other things): {}",
            mentioned.join(", ")
        ));
    }
    let plan = Plan {
        target: format!("like {sibling}"),
        backend: name,
        files: changes,
        next_steps: vec![format!(
            "review the clone of {sibling} in {} and the wiring, then make it talk to its own service",
            clone.new_dir
        )],
        warnings,
    };
    plan.refuse_partial(request.force)?;
    Ok(plan)
}

/// Every file of the checkout a clone may read, sorted: Go sources and
/// Markdown, outside the directories never read.
fn go_tree(checkout: &Checkout) -> Result<Vec<String>> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(&checkout.root).sort_by_file_name().into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0 || !(SKIPPED.contains(&name.as_ref()) || name.starts_with('.') || name.starts_with('_'))
    });
    for entry in walker {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&checkout.root)?.to_string_lossy().replace('\\', "/");
        files.push(rel);
    }
    Ok(files)
}

/// The directory of the sibling's package: the shallowest directory named
/// `package` whose Go files declare `package <package>`.
fn sibling_dir(checkout: &Checkout, files: &[String], package: &str) -> Result<String> {
    let mut dirs: Vec<&str> = files
        .iter()
        .filter(|f| f.ends_with(".go"))
        .filter_map(|f| f.rsplit_once('/').map(|(d, _)| d))
        .filter(|d| d.rsplit('/').next() == Some(package))
        .collect();
    dirs.dedup();
    dirs.sort_by_key(|d| (d.matches('/').count(), d.to_string()));
    for dir in dirs {
        let declares = files.iter().filter(|f| f.starts_with(&format!("{dir}/")) && f.ends_with(".go")).any(|f| {
            checkout.read(f).ok().flatten().is_some_and(|src| {
                src.lines()
                    .any(|l| l.trim() == format!("package {package}") || l.starts_with(&format!("package {package} ")))
            })
        });
        if declares {
            return Ok(dir.to_string());
        }
    }
    bail!(
        "--like {package}: no directory {package}/ with a Go package {package} in the checkout; name a backend it has"
    )
}

/// The tree's own spelling of the sibling in Go names (`SFTP`, `WebDAV`):
/// of the word parts that are the sibling's name whatever their case, the
/// most frequent one that starts upper case; else the name capitalised.
fn learnt_go_name(checkout: &Checkout, files: &[String], sibling: &str) -> Result<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let lower = sibling.replace('-', "");
    for file in files.iter().filter(|f| f.ends_with(".go")) {
        let Some(src) = checkout.read(file)? else { continue };
        // ASCII case folding keeps every byte where it is.
        let folded = src.to_ascii_lowercase();
        if !folded.contains(&lower) {
            continue;
        }
        for (found, _) in folded.match_indices(&lower) {
            let Some(spelled) = src.get(found..found + lower.len()) else { continue };
            if spelled.starts_with(|c: char| c.is_uppercase()) {
                let form = [Form { from: spelled.to_string(), to: String::new(), upper: None }];
                // A few characters either side, cut where characters start.
                let s = (found.saturating_sub(4)..=found).find(|&s| src.is_char_boundary(s));
                let end = found + lower.len();
                let e = (end..=(end + 4).min(src.len())).rev().find(|&e| src.is_char_boundary(e));
                let around = s.zip(e);
                if let Some((s, e)) = around
                    && words::find(&src[s..e], &form).iter().any(|(at, _)| s + at == found)
                {
                    *counts.entry(spelled.to_string()).or_default() += 1;
                }
            }
        }
    }
    let title = {
        let mut c = lower.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    };
    Ok(counts.into_iter().max_by_key(|(spelled, n)| (*n, spelled != &title)).map_or(title, |(s, _)| s))
}

impl Clone<'_> {
    /// `text`, read as Go, renamed where the rename applies.
    fn renamed_go(&self, src: &str, parsed: &GoUnits, range: Range<usize>) -> String {
        let own: BTreeSet<&str> =
            parsed.imports.iter().filter(|(_, p)| self.own_package(p)).map(|(n, _)| n.as_str()).collect();
        let imported: BTreeSet<&str> = parsed.imports.iter().map(|(n, _)| n.as_str()).collect();
        let mut out = String::new();
        let mut last = range.start;
        // Whether the last qualifier was another package's: its member is too.
        let mut foreign = false;
        for (piece, kind) in parsed.pieces.iter().filter(|(r, _)| r.start >= range.start && r.end <= range.end) {
            let text = &src[piece.clone()];
            if *kind == Piece::Qualifier {
                foreign = imported.contains(text) && !own.contains(text);
            }
            let renamed = match kind {
                Piece::Qualifier | Piece::Member if foreign => continue,
                Piece::Member if !self.declared.contains(text) => continue,
                Piece::ImportPath => {
                    let path = text.trim_matches(['"', '`']);
                    if !self.own_package(path) {
                        continue;
                    }
                    format!("\"{}{}\"", self.new_path, &path[self.path.len()..])
                }
                _ => words::rename(text, &self.forms),
            };
            if renamed != text {
                out.push_str(&src[last..piece.start]);
                out.push_str(&renamed);
                last = piece.end;
            }
        }
        out.push_str(&src[last..range.end]);
        out
    }

    fn own_package(&self, path: &str) -> bool {
        path == self.path || path.starts_with(&format!("{}/", self.path))
    }

    /// Whether `file` is the sibling's own: a file of its package, or a
    /// file elsewhere named for it (its docs page, `docs/content/sftp.md`).
    fn owns(&self, file: &str) -> bool {
        let name = file.rsplit('/').next().unwrap_or(file);
        let stem = name.split('.').next().unwrap_or(name);
        let text = [".md", ".yaml", ".yml", ".txt", ".toml", ".json"].iter().any(|e| name.ends_with(e));
        let named = text && (stem == self.sibling.replace('-', "") || stem == self.sibling);
        // A Go file so named elsewhere is another package's (wire/sftp/sftp.go).
        file.starts_with(&format!("{}/", self.dir)) || named && !file.ends_with(".go")
    }

    /// A file of the sibling's, copied with the rename.
    fn own_file(&self, checkout: &Checkout, file: &str, force: bool) -> Result<FileChange> {
        let src = checkout.require(file, "it is a file of the backend cloned")?;
        let target = match file.strip_prefix(&self.dir).filter(|rest| rest.starts_with('/')) {
            Some(rest) => format!("{}{}", self.new_dir, words::rename(rest, &self.forms)),
            None => {
                let (dir, name) = file.rsplit_once('/').map_or(("", file), |(d, n)| (d, n));
                let renamed = words::rename(name, &self.forms);
                if dir.is_empty() { renamed } else { format!("{dir}/{renamed}") }
            }
        };
        let content = if file.ends_with(".go") {
            match go_units::read(&src) {
                Some(parsed) => realign(&src, &self.renamed_go(&src, &parsed, 0..src.len())),
                None => bail!("{file}: does not parse as Go; cannot clone it"),
            }
        } else {
            words::rename(&src, &self.forms)
        };
        let before = checkout.read(&target)?.map(std::rc::Rc::unwrap_or_clone);
        let status = match &before {
            None => Status::Create,
            Some(existing) if *existing == content => Status::Identical,
            Some(_) if force => Status::Overwrite,
            Some(_) => Status::Conflict,
        };
        Ok(FileChange::whole(target.clone(), before, content, vec![Item { what: target, status }]))
    }

    /// The clones of the wiring units of `file` whose identity is the
    /// sibling; each other mention of it is added to `mentioned`.
    fn wiring(&self, checkout: &Checkout, file: &str, mentioned: &mut Vec<String>) -> Result<Option<FileChange>> {
        if !(file.ends_with(".go") || prose(file)) {
            return Ok(None);
        }
        let Some(src) = checkout.read(file)? else { return Ok(None) };
        if !src.to_lowercase().contains(&self.sibling.replace('-', "")) || !words::mentions(&src, &self.forms) {
            return Ok(None);
        }
        let mut edits = Vec::new();
        let mut items = Vec::new();
        let mut covered: Vec<Range<usize>> = Vec::new();
        if file.ends_with(".go") {
            let Some(parsed) = go_units::read(&src) else {
                mentioned.push(format!("{file} (does not parse)"));
                return Ok(None);
            };
            // Only a file that imports the sibling's package wires it.
            if !parsed.imports.iter().any(|(_, p)| self.own_package(p)) {
                return Ok(None);
            }
            // Another module's package of the same name is not the sibling.
            let own: BTreeSet<&str> =
                parsed.imports.iter().filter(|(_, p)| self.own_package(p)).map(|(n, _)| n.as_str()).collect();
            let imported: BTreeSet<&str> = parsed.imports.iter().map(|(n, _)| n.as_str()).collect();
            let mut foreign = false;
            for (range, kind) in &parsed.pieces {
                let text = &src[range.clone()];
                if *kind == Piece::Qualifier {
                    foreign = imported.contains(text) && !own.contains(text);
                }
                let other = match kind {
                    Piece::ImportPath => !self.own_package(text.trim_matches(['"', '`'])),
                    Piece::Qualifier | Piece::Member => foreign,
                    _ => false,
                };
                if other {
                    covered.push(range.clone());
                }
            }
            let mut imports_wanted = Vec::new();
            let mut uses_own = false;
            let mut units = parsed.units.clone();
            // Outer units first: a declaration cloned takes its cases along.
            units.sort_by_key(|u| (u.lines.start, std::cmp::Reverse(u.lines.end)));
            for unit in &units {
                if covered.iter().any(|c| c.start <= unit.lines.start && unit.lines.end <= c.end) {
                    continue;
                }
                let head = &src[unit.head.clone()];
                let identity = match unit.kind {
                    UnitKind::Import => self.own_package(head.trim_matches(['"', '`'])),
                    // Every value of the case names the sibling.
                    UnitKind::Case => {
                        // Another package's names in it are not the sibling's.
                        let mut masked = head.to_string();
                        for r in covered.iter().filter(|r| r.start >= unit.head.start && r.end <= unit.head.end) {
                            let (a, b) = (r.start - unit.head.start, r.end - unit.head.start);
                            masked.replace_range(a..b, &" ".repeat(b - a));
                        }
                        let values = masked.trim_start().trim_start_matches("case").split(',');
                        let all: Vec<&str> = values.map(str::trim).filter(|v| !v.is_empty()).collect();
                        // A clause that falls through into the next is not a
                        // unit: a clone after it would change what runs.
                        let body = src[unit.lines.clone()].trim_end();
                        !all.is_empty()
                            && all.iter().all(|v| words::mentions(v, &self.forms))
                            && !body.ends_with("fallthrough")
                    }
                    // A `var` block: every spec's name names the sibling.
                    UnitKind::Decl if !unit.names.is_empty() => {
                        unit.names.iter().all(|n| words::mentions(&src[n.clone()], &self.forms))
                    }
                    UnitKind::Decl | UnitKind::VarSpec => words::mentions(head, &self.forms),
                };
                if !identity {
                    continue;
                }
                covered.push(unit.lines.clone());
                let renamed = realign(&src[unit.lines.clone()], &self.renamed_go(&src, &parsed, unit.lines.clone()));
                if unit.kind != UnitKind::Import {
                    uses_own |= parsed.pieces.iter().any(|(r, k)| {
                        *k == Piece::Qualifier
                            && unit.lines.start <= r.start
                            && r.end <= unit.lines.end
                            && own.contains(&src[r.clone()])
                    });
                }
                let what = format!("{} clone of {}", kind_word(unit.kind), head.trim());
                if unit.kind == UnitKind::Import {
                    imports_wanted.push((unit.clone(), what));
                    continue;
                }
                let text = match unit.kind {
                    UnitKind::Decl => format!("\n{renamed}"),
                    _ => renamed,
                };
                let present = has_lines(&src, &text);
                // The new name is the file's already, for something else.
                let new_head = words::rename(head, &self.forms);
                let taken = !present
                    && (parsed
                        .units
                        .iter()
                        .any(|u| u.kind == unit.kind && src[u.head.clone()].trim() == new_head.trim())
                        || unit.kind == UnitKind::Decl && self.declared_beside(checkout, file, new_head.trim())?);
                let status = match (present, taken) {
                    (true, _) => Status::Present,
                    (false, true) => Status::Conflict,
                    (false, false) => Status::Insert,
                };
                items.push(Item { what, status });
                if status == Status::Insert {
                    edits.push(Edit { at: unit.lines.end, text });
                }
            }
            // An import of the new package, where a clone uses it or the
            // sibling's is a blank import (for its side effects).
            let used = uses_own;
            // The new package's name must not be a name the file uses already.
            let package = self.new_dir.rsplit('/').next().unwrap_or(&self.new_dir);
            let clash = !imports_wanted.is_empty()
                && parsed.pieces.iter().any(|(r, k)| matches!(k, Piece::Name) && &src[r.clone()] == package);
            if clash && (uses_own || imports_wanted.iter().any(|(u, _)| src[u.lines.clone()].trim().starts_with("_ ")))
            {
                bail!(
                    "--like: {file} already uses the name {package}, which the new package's import would shadow or be shadowed by; choose another name"
                );
            }
            for (unit, what) in imports_wanted {
                let spec = src[unit.lines.clone()].trim();
                // The spec's own name: a blank import stays blank.
                let alias = spec.split_once(' ').map(|(a, _)| a).filter(|a| !a.starts_with(['"', '`']));
                if !(used || alias == Some("_")) {
                    continue;
                }
                let alias = alias.map(|a| words::rename(a, &self.forms));
                let go = crate::anchor::go::GoFile::new(file, &src);
                let imports = go.imports()?;
                let edit = go.import_edit(&imports, &self.new_path, alias.as_deref(), self.module)?;
                items.push(Item { what, status: if edit.is_some() { Status::Insert } else { Status::Present } });
                edits.extend(edit);
            }
        } else {
            self.prose_units(&src, &mut edits, &mut items, &mut covered);
        }
        // Mentions no cloned unit holds.
        let mut line_at = 1;
        let mut last = 0;
        for (at, _) in words::find(&src, &self.forms) {
            if covered.iter().any(|c| c.contains(&at)) {
                continue;
            }
            line_at += src[last..at].matches('\n').count();
            last = at;
            mentioned.push(format!("{file}:{line_at}"));
        }
        if items.is_empty() {
            return Ok(None);
        }
        Ok(Some(FileChange::patched(file.to_string(), src.to_string(), &edits, items)))
    }

    /// Markdown: each list item that names the sibling, and each line of
    /// a fenced block that names it where another line of the block is the
    /// same but for that name (`RC --> S3` beside `RC --> SFTP`: a line of
    /// a list, not part of one example), cloned after it.
    fn prose_units(&self, src: &str, edits: &mut Vec<Edit>, items: &mut Vec<Item>, covered: &mut Vec<Range<usize>>) {
        let mut fenced = false;
        let mut block: Vec<&str> = Vec::new();
        let mut at = 0;
        let lines: Vec<&str> = src.split_inclusive('\n').collect();
        for (index, line) in lines.iter().enumerate() {
            let start = at;
            at += line.len();
            let trimmed = line.trim();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fenced = !fenced;
                // The block's lines, for the likeness of one to another.
                block = if fenced {
                    lines[index + 1..].iter().take_while(|l| !l.trim().starts_with(['`', '~'])).copied().collect()
                } else {
                    Vec::new()
                };
                continue;
            }
            let item = !fenced && (trimmed.starts_with("- ") || trimmed.starts_with("* "));
            if !(fenced || item) || !words::mentions(line, &self.forms) {
                continue;
            }
            if fenced && !self.has_like(line, &block) {
                continue;
            }
            if item {
                // An item of a list of like items (one per backend), with
                // no items under it (not the heading of a group of changes).
                let indent = |l: &str| l.len() - l.trim_start().len();
                let is_item = |l: &str| l.trim_start().starts_with("- ") || l.trim_start().starts_with("* ");
                let depth = indent(line);
                let within =
                    |l: &&&str| !l.trim().is_empty() && (indent(l) > depth || is_item(l) && indent(l) == depth);
                let before = lines[..index].iter().rev().take_while(within);
                let after = lines[index + 1..].iter().take_while(within);
                let run: Vec<&str> =
                    before.chain(after).filter(|l| is_item(l) && indent(l) == depth).copied().collect();
                let parent = lines.get(index + 1).is_some_and(|next| !next.trim().is_empty() && indent(next) > depth);
                if parent || !self.has_like_head(line, &run) {
                    continue;
                }
            }
            covered.push(start..at);
            let renamed = words::rename(line, &self.forms);
            let renamed = if renamed.ends_with('\n') { renamed } else { format!("\n{renamed}") };
            let present = has_lines(src, &renamed);
            items.push(Item {
                what: format!("clone of line `{}`", trimmed),
                status: if present { Status::Present } else { Status::Insert },
            });
            if !present {
                let sorted = if item { sorted_place(src, start, &renamed) } else { None };
                edits.push(sorted.map_or(Edit { at, text: renamed }, |(at, text)| Edit { at, text }));
            }
        }
    }
}

/// Where an item goes in the Markdown list that holds the item at `at`,
/// when that list is in order of its items' keys (the last aside, which a
/// list may keep apart: the local filesystem): its sorted place.
fn sorted_place(src: &str, at: usize, text: &str) -> Option<(usize, String)> {
    use crate::anchor::lists;
    let select = lists::Select {
        kind: lists::Kind::MarkdownList,
        after: None,
        containing: None,
        like: None,
        between: &[],
        longest: false,
    };
    let all = lists::all(src, &select);
    let list = all.iter().find(|l| l.entries.iter().any(|e| e.lines.start == at))?;
    let keys: Vec<String> = list.entries.iter().map(|e| lists::key(lists::Kind::MarkdownList, e.first, None)).collect();
    let body = &keys[..keys.len().saturating_sub(1)];
    if body.len() < 3 || body.windows(2).any(|w| w[0] > w[1]) {
        return None;
    }
    let last = list.entries.last().map(|e| e.first.trim().to_string()).into_iter().collect::<Vec<_>>();
    let last = if keys.last() < body.last() { last } else { Vec::new() };
    let placing = lists::Placing { order: lists::Order::Sorted, first: &[], last: &last, key: None };
    Some(lists::insertion(src, list, text.trim_start_matches('\n'), &placing))
}

impl Clone<'_> {
    /// Whether another Go file of `file`'s directory (its package) declares
    /// function or type `name` at its top level.
    fn declared_beside(&self, checkout: &Checkout, file: &str, name: &str) -> Result<bool> {
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        let names = checkout.list(dir).unwrap_or_default();
        for other in names.iter().filter(|n| n.ends_with(".go")) {
            let path = if dir.is_empty() { other.clone() } else { format!("{dir}/{other}") };
            if path == file {
                continue;
            }
            if let Some(src) = checkout.read(&path)?
                && crate::anchor::go::top_level_names(&src).contains(&name)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether another item of `run` starts as `line` does up to where it
    /// names the sibling (`- [` of `- [SFTP](/sftp/)`), naming something else.
    fn has_like_head(&self, line: &str, run: &[&str]) -> bool {
        let Some((first, _)) = words::find(line, &self.forms).into_iter().next() else { return false };
        let head = &line[..first];
        run.iter().any(|other| *other != line && other.starts_with(head) && !words::mentions(other, &self.forms))
    }

    /// Whether a line of `block` other than `line` is the same but where
    /// `line` names the sibling (the same start before the first mention
    /// and the same end after the last).
    fn has_like(&self, line: &str, block: &[&str]) -> bool {
        let found = words::find(line, &self.forms);
        let (Some((first, _)), Some((last, form))) = (found.first(), found.last()) else { return false };
        let (head, tail) = (&line[..*first], &line[last + form.from.len()..]);
        block.iter().any(|other| {
            *other != line
                && other.len() > head.len() + tail.len()
                && other.starts_with(head)
                && other.ends_with(tail)
                && !words::mentions(other, &self.forms)
        })
    }
}

/// A line of an aligned section, as gofmt writes struct fields, `var` and
/// `const` specs and keyed elements: its indentation, its first name (a
/// `:` after it included), and where the rest starts.
fn cells(line: &str) -> Option<(&str, &str, usize)> {
    let body = line.trim_start_matches('\t');
    let indent = &line[..line.len() - body.len()];
    let name_len = body.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    if name_len == 0 {
        return None;
    }
    let name_len = if body[name_len..].starts_with(':') { name_len + 1 } else { name_len };
    let after = &body[name_len..];
    let spaces = after.len() - after.trim_start_matches(' ').len();
    let rest = &after[spaces..];
    (spaces >= 1 && !rest.is_empty() && !rest.starts_with("//") && !after.starts_with('\t'))
        .then(|| (indent, &body[..name_len], indent.len() + name_len + spaces))
}

/// `renamed` (`original` with names renamed, line for line) with each
/// aligned section whose first names changed padded again, as gofmt pads
/// it: the rest of every line at one column past the longest name.
fn realign(original: &str, renamed: &str) -> String {
    let old: Vec<&str> = original.split_inclusive('\n').collect();
    let new: Vec<&str> = renamed.split_inclusive('\n').collect();
    if old.len() != new.len() {
        return renamed.to_string();
    }
    let mut out: Vec<String> = new.iter().map(|l| l.to_string()).collect();
    let mut i = 0;
    while i < old.len() {
        let Some((indent, _, column)) = cells(old[i].trim_end_matches(['\n', '\r'])) else {
            i += 1;
            continue;
        };
        // The section: the lines after it with that indentation, aligned at that column.
        let mut end = i + 1;
        while end < old.len()
            && cells(old[end].trim_end_matches(['\n', '\r']))
                .is_some_and(|(ind, _, col)| ind == indent && col == column)
        {
            end += 1;
        }
        let changed = (i..end).any(|k| {
            let (o, n) = (cells(old[k].trim_end_matches(['\n', '\r'])), cells(new[k].trim_end_matches(['\n', '\r'])));
            o.map(|c| c.1) != n.map(|c| c.1)
        });
        if end - i >= 2 && changed {
            let parsed: Option<Vec<(&str, &str, usize)>> =
                (i..end).map(|k| cells(new[k].trim_end_matches(['\n', '\r']))).collect();
            if let Some(parsed) = parsed {
                let width = parsed.iter().map(|(_, name, _)| name.chars().count()).max().unwrap_or(0);
                for (k, (indent, name, rest_at)) in (i..end).zip(parsed) {
                    let rest = &new[k][rest_at..];
                    let pad = " ".repeat(width + 1 - name.chars().count());
                    out[k] = format!("{indent}{name}{pad}{rest}");
                }
            }
        }
        i = end;
    }
    out.concat()
}

/// Whether `text` (its leading newlines aside) is in `src` from the start
/// of a line: `ftpHost = ..` is not in `sftpHost = ..`.
fn has_lines(src: &str, text: &str) -> bool {
    let text = text.trim_start_matches(['\n', '\r']).trim_end();
    !text.is_empty() && src.match_indices(text).any(|(at, _)| at == 0 || src[..at].ends_with('\n'))
}

fn kind_word(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Import => "import",
        UnitKind::Case => "case",
        UnitKind::Decl => "declaration",
        UnitKind::VarSpec => "var",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_a_renamed_name_led_is_padded_again() {
        let old = "type T struct {\n\tmu         sync.Mutex\n\tsftpClient *sftp.Client // the client\n\tlogger     *slog.Logger\n\n\tHost string\n}\n";
        let new = old.replace("sftpClient", "ftpClient");
        let want = "type T struct {\n\tmu        sync.Mutex\n\tftpClient *sftp.Client // the client\n\tlogger    *slog.Logger\n\n\tHost string\n}\n";
        assert_eq!(realign(old, &new), want);
        // Longer: every line moves out.
        let new = old.replace("sftpClient", "webdavClient");
        assert!(realign(old, &new).contains("\tmu           sync.Mutex\n\twebdavClient *sftp.Client"));
        // Keys of a literal, and a section no rename touched.
        let old = "x := T{\n\tsftpHost: h,\n\tport:     p,\n}\ny := 1\nz := 2\n";
        assert_eq!(
            realign(old, &old.replace("sftpHost", "ftpHost")),
            "x := T{\n\tftpHost: h,\n\tport:    p,\n}\ny := 1\nz := 2\n"
        );
    }
}
