//! `--like SIBLING`: a backend modelled on one the checkout has, with no
//! profile. The sibling's own files (its Go package, its Rust module) are
//! copied with the rename, and each unit of wiring elsewhere whose
//! identity is the sibling is cloned after it, renamed: in Go (`go.rs`)
//! an import spec, a case clause, a top-level declaration, a spec of a
//! `var` block; in Rust (`rust.rs`) an item, a variant or field, a match
//! arm, a statement, a field of a literal, a link of a method chain, a
//! `cfg(any(..))` element, a table of TOML in a raw string, and the Cargo
//! feature; in Markdown (here) a list item or a line of a fenced block.
//! What a rename touches is decided by syntax: another package's or
//! crate's names stay (`github.com/pkg/sftp`, `opendal::services::Oss`), a
//! name, string or comment is renamed where the sibling's name is a word
//! part in one of its casings (`s3` is not in `s3manager`). A mention
//! outside any cloned unit is left alone and listed for review.
//!
//! The plan is an ordinary one (dry run, JSON, the manifest, remove, a
//! second run that changes nothing).

mod go;
mod rust;

pub(super) use go::realign;

use std::ops::Range;

use anyhow::Result;

use super::Request;
use crate::checkout::{Checkout, Project};
use crate::names::BackendName;
use crate::plan::{Edit, FileChange, Item, Plan, Status};
use crate::words::{self, Form};

/// Directories never read: the tree's history, vendored code, test data,
/// build output.
const SKIPPED: &[&str] = &[".git", "vendor", "node_modules", "testdata", ".add-backend", "target"];

/// Files of these kinds are read for wiring; a history of changes is not
/// wiring.
fn prose(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
    let history = ["changelog", "changes", "history", "news", "release"].iter().any(|h| name.starts_with(h));
    path.ends_with(".md") && !history
}

/// A clone in the making: the names and the language's own reading.
struct Clone<'a> {
    /// The sibling's name, lower case.
    sibling: &'a str,
    /// The tree's spelling of it in type names (`SFTP`, `WebDAV`, `Oss`).
    sibling_go: String,
    forms: Vec<Form>,
    /// The other backends' names, in the casings of a name: a unit that
    /// names one of them too is not the sibling's.
    others: Vec<Form>,
    /// The sibling's own files: a directory (its files under it) or a
    /// file, each with what it becomes.
    own: Vec<(String, String)>,
    lang: Lang<'a>,
    /// For `doctor`, of a backend the checkout has: what is its own
    /// already (a feature declared otherwise) is there, not refused.
    examining: bool,
}

enum Lang<'a> {
    Go(go::Go<'a>),
    Rust(rust::Rust),
}

pub fn plan(checkout: &Checkout, request: &Request, sibling: &str) -> Result<Plan> {
    let name = BackendName::parse(request.name, request.go_name)?;
    let cloning = cloning(checkout, &name, sibling, request.force, false)?;
    let sibling = &cloning.sibling;
    let mut files: Vec<FileChange> = cloning.own.into_iter().map(|(_, change)| change).collect();
    for wired in cloning.wired {
        let edits: Vec<Edit> = wired.cloned.iter().flat_map(|c| c.edits.iter().cloned()).collect();
        let items = wired.cloned.into_iter().map(|c| c.item).collect();
        files.push(FileChange::patched(wired.path, wired.src, &edits, items));
    }
    let new_home = &cloning.new_home;
    let plan = Plan {
        target: format!("like {sibling}"),
        backend: name,
        files,
        next_steps: vec![format!(
            "review the clone of {sibling} in {new_home} and the wiring, then make it talk to its own service"
        )],
        warnings: cloning.warnings,
        writes_profile: false,
    };
    Ok(plan)
}

/// A clone of a sibling, planned: its own files copied, and the units of
/// wiring of each other file that wires it. `--like` makes a plan of it;
/// `learn` a profile, and a profile learnt so its `clone` anchors' places.
pub struct Cloning {
    /// The sibling's name, lower case, and its spelling in type names.
    pub sibling: String,
    pub sibling_go: String,
    /// Each file of the sibling's (its path) and the new backend's copy.
    pub own: Vec<(String, FileChange)>,
    pub wired: Vec<Wired>,
    /// Where the new backend's files are: its directory or module.
    pub new_home: String,
    pub warnings: Vec<String>,
}

/// A file that wires the sibling, and the clones of its units.
pub struct Wired {
    pub path: String,
    pub src: String,
    pub cloned: Vec<Cloned>,
}

/// The clone of `sibling` as backend `name`; `examining` (for `doctor`)
/// a backend the checkout has.
pub fn cloning(
    checkout: &Checkout,
    name: &BackendName,
    sibling: &str,
    force: bool,
    examining: bool,
) -> Result<Cloning> {
    let sibling_name = BackendName::parse(sibling, None)?;
    if sibling_name.package == name.package {
        anyhow::bail!("--like {sibling}: the new backend must have another name than its model");
    }
    let files = tree(checkout)?;
    let (mut clone, files) = match &checkout.project {
        Project::Go(module) => go::clone(checkout, files, name, &sibling_name, module)?,
        Project::Cargo(_) => rust::clone(checkout, files, name, &sibling_name)?,
    };
    clone.examining = examining;
    let sibling = clone.sibling;
    let mut own = Vec::new();
    let mut wired = Vec::new();
    let mut mentioned = Vec::new();
    let mut warnings = Vec::new();
    for file in files.iter().filter(|f| clone.owns(f)) {
        own.push((file.clone(), clone.own_file(checkout, file, force)?));
    }
    for file in files.iter().filter(|f| !clone.owns(f)) {
        if let Some(found) = clone.wiring(checkout, file, &mut mentioned, &mut warnings)? {
            wired.push(found);
        }
    }
    if !mentioned.is_empty() {
        warnings.push(format!(
            "mentioned, not cloned (review them: they name {sibling} among other things): {}",
            mentioned.join(", ")
        ));
    }
    let new_home = clone.own.first().map_or_else(String::new, |(_, new)| new.clone());
    Ok(Cloning { sibling: sibling.to_string(), sibling_go: clone.sibling_go.clone(), own, wired, new_home, warnings })
}

/// Every file of the checkout a clone may read, sorted, outside the
/// directories never read.
pub(in crate::project) fn tree(checkout: &Checkout) -> Result<Vec<String>> {
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

/// The tree's own spelling of the sibling in type names (`SFTP`,
/// `WebDAV`, `OSS`) in its files ending in `extension`: of the word parts
/// that are the sibling's name whatever their case, the most frequent one
/// that starts upper case; else the name capitalised.
fn learnt_type_name(checkout: &Checkout, files: &[String], sibling: &str, extension: &str) -> Result<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let lower = sibling.replace(['-', '_'], "");
    for file in files.iter().filter(|f| f.ends_with(extension)) {
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
    /// Whether `file` is the sibling's own: a file of its package or
    /// module, or a text file elsewhere named for it (its docs page,
    /// `docs/content/sftp.md`, `docs/OSS.md`).
    fn owns(&self, file: &str) -> bool {
        let name = file.rsplit('/').next().unwrap_or(file);
        let stem = name.split('.').next().unwrap_or(name);
        let text = [".md", ".yaml", ".yml", ".txt", ".toml", ".json"].iter().any(|e| name.ends_with(e));
        let named = text
            && (stem.eq_ignore_ascii_case(&self.sibling.replace(['-', '_'], ""))
                || stem.eq_ignore_ascii_case(self.sibling));
        self.own.iter().any(|(own, _)| file == own || file.starts_with(&format!("{own}/"))) || named
    }

    /// A file of the sibling's, copied with the rename.
    fn own_file(&self, checkout: &Checkout, file: &str, force: bool) -> Result<FileChange> {
        let src = checkout.require(file, "it is a file of the backend cloned")?;
        let home = self.own.iter().find(|(own, _)| file == own || file.starts_with(&format!("{own}/")));
        let target = match home {
            Some((own, new)) => format!("{new}{}", words::rename(&file[own.len()..], &self.forms)),
            None => {
                let (dir, name) = file.rsplit_once('/').map_or(("", file), |(d, n)| (d, n));
                let renamed = words::rename(name, &self.forms);
                if dir.is_empty() { renamed } else { format!("{dir}/{renamed}") }
            }
        };
        let content = match &self.lang {
            Lang::Go(go) if file.ends_with(".go") => go.own_file(self, file, &src)?,
            Lang::Rust(rust) if file.ends_with(".rs") => rust.own_file(self, file, &src)?,
            _ => words::rename(&src, &self.forms),
        };
        let before = checkout.read(&target)?.map(std::rc::Rc::unwrap_or_clone);
        Ok(FileChange::written(target, before, content, force))
    }

    /// The clones of the wiring units of `file` whose identity is the
    /// sibling; each other mention of it is added to `mentioned`.
    fn wiring(
        &self,
        checkout: &Checkout,
        file: &str,
        mentioned: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Wired>> {
        let code = match self.lang {
            Lang::Go(_) => file.ends_with(".go"),
            Lang::Rust(_) => file.ends_with(".rs") || file == "Cargo.toml",
        };
        if !(code || prose(file)) {
            return Ok(None);
        }
        let Some(src) = checkout.read(file)? else { return Ok(None) };
        let lower = self.sibling.replace(['-', '_'], "");
        if !src.to_lowercase().replace(['-', '_'], "").contains(&lower) || !words::mentions(&src, &self.forms) {
            return Ok(None);
        }
        let mut found = Found::default();
        let read = match &self.lang {
            Lang::Go(go) if file.ends_with(".go") => go.wiring(self, checkout, file, &src, &mut found)?,
            Lang::Rust(rust) if file.ends_with(".rs") => rust.wiring(self, file, &src, &mut found)?,
            Lang::Rust(rust) if file == "Cargo.toml" => rust.features(self, file, &src, &mut found)?,
            _ if prose(file) => {
                self.prose_units(&src, &mut found);
                true
            }
            _ => false,
        };
        warnings.extend(found.warnings.iter().map(|w| format!("{file}: {w}")));
        if !read {
            if let Some(why) = found.unread {
                mentioned.push(format!("{file} ({why})"));
            }
            return Ok(None);
        }
        // Mentions no cloned unit holds.
        let mut line_at = 1;
        let mut last = 0;
        for (at, _) in words::find(&src, &self.forms) {
            if found.covered.iter().any(|c| c.contains(&at)) {
                continue;
            }
            line_at += src[last..at].matches('\n').count();
            last = at;
            mentioned.push(format!("{file}:{line_at}"));
        }
        if found.cloned.is_empty() {
            return Ok(None);
        }
        // A key the file holds twice is told apart by its count.
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for cloned in &mut found.cloned {
            let n = seen.entry(cloned.key.clone()).or_default();
            *n += 1;
            if *n > 1 {
                cloned.key = format!("{} ({n})", cloned.key);
            }
        }
        Ok(Some(Wired { path: file.to_string(), src: src.to_string(), cloned: found.cloned }))
    }
}

/// What the units of one file come to.
#[derive(Default)]
struct Found {
    cloned: Vec<Cloned>,
    /// What the clones and the other names hold: a mention there is
    /// accounted for.
    covered: Vec<Range<usize>>,
    /// Why a file that mentions the sibling was not read.
    unread: Option<String>,
    /// What the user should know about a clone in it.
    warnings: Vec<String>,
}

impl Clone<'_> {
    /// Markdown: each list item that names the sibling, and each line of
    /// a fenced block that names it where another line of the block is the
    /// same but for that name (`RC --> S3` beside `RC --> SFTP`: a line of
    /// a list, not part of one example), cloned after it.
    fn prose_units(&self, src: &str, found: &mut Found) {
        self.sections(src, found);
        let Found { cloned, covered, .. } = found;
        let mut fenced = false;
        let mut block: Vec<&str> = Vec::new();
        let mut at = 0;
        let lines: Vec<&str> = src.split_inclusive('\n').collect();
        // The end of a block of TOML read as tables.
        let mut tables_end = 0;
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
                if fenced {
                    let len = block.iter().map(|l| l.len()).sum::<usize>();
                    let tables = crate::anchor::prose::toml_tables(&src[at..at + len]);
                    if !tables.is_empty() {
                        tables_end = at + len;
                        self.toml_tables(src, at, &tables, cloned, covered);
                    }
                }
                continue;
            }
            if start < tables_end || covered.iter().any(|c| c.contains(&start)) {
                continue;
            }
            if !fenced && self.code_span_list(start, line, cloned, covered) {
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
            let mut edits = Vec::new();
            if !present {
                let sorted = if item { sorted_place(src, start, &renamed) } else { None };
                edits.push(sorted.map_or(Edit { at, text: renamed }, |(at, text)| Edit { at, text }));
            }
            let what = format!("clone of line `{}`", trimmed);
            let status = if present { Status::Present } else { Status::Insert };
            cloned.push(Cloned { key: what.clone(), item: Item { what, status }, edits });
        }
    }

    /// Markdown sections (ATX headings) whose heading names the sibling
    /// and no other backend, where another heading of the same level in
    /// the same section names something else (`#### OSS` beside `####
    /// webdav`): each cloned after itself, heading and all. Only where the
    /// other backends are known.
    fn sections(&self, src: &str, found: &mut Found) {
        if self.others.is_empty() {
            return;
        }
        // Each heading: its level, the start of its line, its text.
        let mut headings: Vec<(usize, usize, &str)> = Vec::new();
        let mut fenced = false;
        let mut at = 0;
        for line in src.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if trimmed.trim_start().starts_with("```") || trimmed.trim_start().starts_with("~~~") {
                fenced = !fenced;
            }
            let level = trimmed.len() - trimmed.trim_start_matches('#').len();
            if !fenced && (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
                headings.push((level, at, trimmed[level..].trim()));
            }
            at += line.len();
        }
        for (index, (level, start, text)) in headings.iter().enumerate() {
            if !words::mentions(text, &self.forms) || words::mentions(text, &self.others) {
                continue;
            }
            let end = headings[index + 1..].iter().find(|(l, _, _)| l <= level).map_or(src.len(), |(_, s, _)| *s);
            // Its neighbours: the headings of its level up to the enclosing one's.
            let enclosing = |(l, _, _): &&(usize, usize, &str)| l < level;
            let before = headings[..index].iter().rev().take_while(|h| !enclosing(h));
            let after = headings[index + 1..].iter().take_while(|h| !enclosing(h));
            let like = before.chain(after).any(|(l, _, t)| l == level && !words::mentions(t, &self.forms));
            if !like {
                continue;
            }
            let section = &src[*start..end];
            found.covered.push(*start..end);
            // After the sections that follow it and are it with another
            // backend's name (clones of it added before): a clone added
            // after another does not split the other's text.
            let all: Vec<Form> = self.forms.iter().chain(&self.others).cloned().collect();
            let masked = |text: &str| -> String {
                let mut out = String::with_capacity(text.len());
                let mut last = 0;
                for (at, form) in words::find(text, &all) {
                    out.push_str(&text[last..at]);
                    out.push('\0');
                    last = at + form.from.len();
                }
                out.push_str(&text[last..]);
                out.trim_end().to_string()
            };
            let (mut place, mut last_section) = (end, section);
            let mut next = headings.iter().position(|(_, s, _)| *s == end);
            while let Some(k) = next.filter(|&k| headings[k].0 == *level) {
                let after = headings[k + 1..].iter().position(|(l, _, _)| l <= level).map(|i| k + 1 + i);
                let section_end = after.map_or(src.len(), |i| headings[i].1);
                let other = &src[headings[k].1..section_end];
                if masked(other) != masked(section) {
                    break;
                }
                (place, last_section, next) = (section_end, other, after);
            }
            let mut text = words::rename(section, &self.forms);
            let at = if place == src.len() && !last_section.ends_with("\n\n") {
                text = format!("{}{text}", if last_section.ends_with('\n') { "\n" } else { "\n\n" });
                src.len()
            } else {
                place
            };
            let present = has_lines(src, &text);
            let what = format!("clone of section {}", section.lines().next().unwrap_or_default());
            let status = if present { Status::Present } else { Status::Insert };
            let edits = if present { Vec::new() } else { vec![Edit { at, text }] };
            found.cloned.push(Cloned { key: what.clone(), item: Item { what, status }, edits });
        }
    }

    /// In a line of prose, a list of code spans that names the backends
    /// (`` `disk`, `webdav`, `oss` ``): the new name after the sibling's.
    /// Only where the other backends are known, and one of them is listed.
    fn code_span_list(
        &self,
        start: usize,
        line: &str,
        cloned: &mut Vec<Cloned>,
        covered: &mut Vec<Range<usize>>,
    ) -> bool {
        if self.others.is_empty() || !line.contains('`') {
            return false;
        }
        let own = format!("`{}`", self.sibling);
        let Some(at) = line.find(&format!("{own},")).or_else(|| line.find(&format!(", {own}")).map(|i| i + 2)) else {
            return false;
        };
        // The run of `x`, `y` around it.
        let is_span =
            |s: &str| s.len() > 2 && s.starts_with('`') && s.ends_with('`') && !s[1..s.len() - 1].contains('`');
        let run_start = line[..at]
            .rfind(|c: char| !(c == ',' || c == ' ' || c == '`' || c.is_alphanumeric() || c == '-' || c == '_'));
        let run_start = run_start.map_or(0, |i| i + 1);
        let run_end = at
            + line[at..]
                .find(|c: char| !(c == ',' || c == ' ' || c == '`' || c.is_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(line[at..].len());
        let elements: Vec<&str> =
            line[run_start..run_end].split(',').map(str::trim).filter(|e| !e.is_empty()).collect();
        if elements.len() < 2
            || !elements.iter().all(|e| is_span(e))
            || !elements.iter().any(|e| words::mentions(e, &self.others))
        {
            return false;
        }
        let new = words::rename(&own, &self.forms);
        covered.push(start + at..start + at + own.len());
        let present = elements.contains(&new.as_str());
        let status = if present { Status::Present } else { Status::Insert };
        let edits =
            if present { Vec::new() } else { vec![Edit { at: start + at + own.len(), text: format!(", {new}") }] };
        // What the line says before the list: the same once the new name is in it.
        let key = format!("{own} in a list of code spans after `{}`", line[..run_start].trim());
        cloned.push(Cloned { key, item: Item { what: format!("{new} after {own}"), status }, edits });
        true
    }

    /// The tables of a block of TOML at `at` whose header names the
    /// sibling (and no other backend), each cloned after itself.
    fn toml_tables(
        &self,
        src: &str,
        at: usize,
        tables: &[(Range<usize>, Range<usize>)],
        cloned: &mut Vec<Cloned>,
        covered: &mut Vec<Range<usize>>,
    ) {
        for (table, header) in tables {
            let (table, header) = (at + table.start..at + table.end, &src[at + header.start..at + header.end]);
            if !words::mentions(header, &self.forms) || words::mentions(header, &self.others) {
                continue;
            }
            covered.push(table.clone());
            let text = format!("\n{}", words::rename(&src[table.clone()], &self.forms));
            let present = has_lines(src, &text);
            let what = format!("clone of TOML table {header}");
            let status = if present { Status::Present } else { Status::Insert };
            let edits = if present { Vec::new() } else { vec![Edit { at: table.end, text }] };
            cloned.push(Cloned { key: what.clone(), item: Item { what, status }, edits });
        }
    }

    /// Whether another item of `run` starts as `line` does up to where it
    /// names the sibling (`- [` of `- [SFTP](/sftp/)`), naming something else.
    /// Where the other backends are known, an item that names none of
    /// them is like another that starts with the same marks before its
    /// first word (`* [Alibaba OSS](docs/OSS.md)` beside `* [Local](..)`).
    fn has_like_head(&self, line: &str, run: &[&str]) -> bool {
        let Some((first, _)) = words::find(line, &self.forms).into_iter().next() else { return false };
        let head = &line[..first];
        let marks = |l: &str| l.find(char::is_alphanumeric).map_or(l.len(), |i| i);
        let loose = !self.others.is_empty() && !words::mentions(line, &self.others);
        run.iter().any(|other| {
            *other != line
                && !words::mentions(other, &self.forms)
                && (other.starts_with(head) || loose && other[..marks(other)] == line[..marks(line)])
        })
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

/// One unit of wiring cloned: what it is and its edits (none where the
/// clone is there already, or cannot be made).
pub struct Cloned {
    /// The sibling's unit, in its own names (`case clone of case "sftp":`):
    /// the same whatever the new name, so that a profile learnt from the
    /// clone finds the unit again.
    pub key: String,
    pub item: Item,
    pub edits: Vec<Edit>,
}

/// A clone's text as its frame and its unit: the separators before it
/// (`,\n    `, `, `, a blank line) and after it (a comma, the line end),
/// which depend on where the unit goes (last in a list or not), and the
/// unit's own text between, which does not. A profile learnt from a clone
/// keeps the unit's text; the frame is the clone's where it goes.
pub(in crate::project) fn framed(text: &str) -> (&str, &str, &str) {
    let separator = |c: char| c == ',' || c.is_whitespace();
    // The unit's first line keeps its indentation (the sibling's, wherever
    // it goes): the frame ends at a line end, or after a comma on the line.
    let lead = text.len() - text.trim_start_matches(separator).len();
    let start = match (text[..lead].rfind('\n'), text[..lead].contains(',')) {
        (Some(n), _) => n + 1,
        (None, true) => lead,
        (None, false) => 0,
    };
    let end = start + text[start..].trim_end_matches(separator).len();
    (&text[..start], &text[start..end], &text[end..])
}

/// Whether `text` (its leading newlines aside) is in `src` from the start
/// of a line: `ftpHost = ..` is not in `sftpHost = ..`.
pub(super) fn has_lines(src: &str, text: &str) -> bool {
    let text = text.trim_start_matches(['\n', '\r']).trim_end();
    // Whole lines: `- zq` is not in `- zqx`.
    let ends_line = |end: usize| src[end..].is_empty() || src[end..].starts_with(['\n', '\r']);
    !text.is_empty()
        && src.match_indices(text).any(|(at, _)| (at == 0 || src[..at].ends_with('\n')) && ends_line(at + text.len()))
}
