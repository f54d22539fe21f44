//! `--like` in a Go project: the sibling's package copied, and in each Go
//! file that imports it, the units whose identity is the sibling (an
//! import spec, a case clause every value of which names it, a top-level
//! declaration, a `var` block or spec named for it) cloned after
//! themselves. A package qualifier or import path is renamed only when it
//! is the sibling's own package.

use std::collections::BTreeSet;
use std::ops::Range;

use anyhow::{Result, bail};

use super::{Clone, Cloned, Found, Lang, has_lines};
use crate::anchor::go_units::{self, GoUnits, Piece, UnitKind};
use crate::checkout::Checkout;
use crate::names::BackendName;
use crate::plan::{Edit, Item, Status};
use crate::words;

pub(super) struct Go<'a> {
    /// The names the sibling's package uses unqualified (declares): a
    /// selected name is renamed only when it is one of them.
    declared: BTreeSet<String>,
    /// The sibling's package directory and import path, and the new ones.
    new_dir: String,
    path: String,
    new_path: String,
    module: &'a str,
}

/// The clone of `sibling`'s package as `name`'s, and the files to read
/// (the package's test data added).
pub(super) fn clone<'a>(
    checkout: &Checkout,
    files: Vec<String>,
    name: &BackendName,
    sibling: &'a BackendName,
    module: &'a str,
) -> Result<(Clone<'a>, Vec<String>)> {
    name.refuse_go_reserved()?;
    let dir = sibling_dir(checkout, &files, &sibling.package)?;
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
    let sibling_type = sibling.r#type.as_str();
    let sibling_go = super::learnt_type_name(checkout, &files, sibling_type, ".go")?;
    let forms = words::forms(sibling_type, &sibling_go, &name.package, &name.go_name);
    let mut declared = BTreeSet::new();
    for file in files.iter().filter(|f| f.starts_with(&format!("{dir}/")) && f.ends_with(".go")) {
        let Some(src) = checkout.read(file)? else { continue };
        if let Some(parsed) = go_units::read(&src) {
            declared.extend(
                parsed.pieces.iter().filter(|(_, k)| *k == Piece::Name).map(|(r, _)| src[r.clone()].to_string()),
            );
        }
    }
    let go = Go {
        declared,
        path: format!("{module}/{dir}"),
        new_path: format!("{module}/{new_dir}"),
        new_dir: new_dir.clone(),
        module,
    };
    let clone = Clone {
        sibling: sibling_type,
        sibling_go,
        forms,
        others: Vec::new(),
        own: vec![(dir, new_dir)],
        lang: Lang::Go(go),
        examining: false,
    };
    Ok((clone, files))
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

impl Go<'_> {
    /// `text`, read as Go, renamed where the rename applies.
    fn renamed_go(&self, clone: &Clone, src: &str, parsed: &GoUnits, range: Range<usize>) -> String {
        let own: BTreeSet<&str> =
            parsed.imports.iter().filter(|(_, p)| self.own_package(p)).map(|(n, _)| n.as_str()).collect();
        let imported: BTreeSet<&str> = parsed.imports.iter().map(|(n, _)| n.as_str()).collect();
        let mut out = String::new();
        let mut last = range.start;
        // Whether the last qualifier was another package's: its member is too.
        let mut foreign = false;
        for (piece, kind) in parsed.pieces.iter().filter(|(r, _)| r.start >= range.start && r.end <= range.end) {
            let text = &src[piece.clone()];
            match kind {
                Piece::Qualifier => foreign = imported.contains(text) && !own.contains(text),
                Piece::Local => foreign = false,
                _ => {}
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
                // The length of a prefix the rename changes (`s[5:]` of "sftp:").
                Piece::PrefixLength(literal) => {
                    let renamed = words::rename(&src[literal.clone()], &clone.forms);
                    (renamed.len() - 2).to_string()
                }
                _ => words::rename(text, &clone.forms),
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

    /// A Go file of the sibling's package, renamed.
    pub(super) fn own_file(&self, clone: &Clone, file: &str, src: &str) -> Result<String> {
        match go_units::read(src) {
            Some(parsed) => Ok(realign(src, &self.renamed_go(clone, src, &parsed, 0..src.len()))),
            None => bail!("{file}: does not parse as Go; cannot clone it"),
        }
    }

    /// The clones of the units of Go file `file` whose identity is the
    /// sibling; `false` when the file does not wire it (does not import
    /// its package) or cannot be read.
    pub(super) fn wiring(
        &self,
        clone: &Clone,
        checkout: &Checkout,
        file: &str,
        src: &str,
        found: &mut Found,
    ) -> Result<bool> {
        let Found { cloned, covered, .. } = found;
        let Some(parsed) = go_units::read(src) else {
            found.unread = Some("does not parse".to_string());
            return Ok(false);
        };
        // Only a file that imports the sibling's package wires it.
        if !parsed.imports.iter().any(|(_, p)| self.own_package(p)) {
            return Ok(false);
        }
        // Another module's package of the same name is not the sibling.
        let own: BTreeSet<&str> =
            parsed.imports.iter().filter(|(_, p)| self.own_package(p)).map(|(n, _)| n.as_str()).collect();
        let imported: BTreeSet<&str> = parsed.imports.iter().map(|(n, _)| n.as_str()).collect();
        let mut foreign = false;
        for (range, kind) in &parsed.pieces {
            let text = &src[range.clone()];
            match kind {
                Piece::Qualifier => foreign = imported.contains(text) && !own.contains(text),
                Piece::Local => foreign = false,
                _ => {}
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
                        && all.iter().all(|v| words::mentions(v, &clone.forms))
                        && !body.ends_with("fallthrough")
                }
                // A `var` block: every spec's name names the sibling.
                UnitKind::Decl if !unit.names.is_empty() => {
                    unit.names.iter().all(|n| words::mentions(&src[n.clone()], &clone.forms))
                }
                UnitKind::Decl | UnitKind::VarSpec => words::mentions(head, &clone.forms),
                // One of a run of like statements, one a backend.
                UnitKind::Statement => {
                    let (before, after) = neighbours(src, unit.lines.clone());
                    words::mentions(head, &clone.forms)
                        && [before, after].into_iter().flatten().any(|l| clone.has_like(head, &[l]))
                }
            };
            if !identity {
                continue;
            }
            covered.push(unit.lines.clone());
            let renamed = realign(&src[unit.lines.clone()], &self.renamed_go(clone, src, &parsed, unit.lines.clone()));
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
            let present = has_lines(src, &text);
            // The new name is the file's already, for something else.
            let new_head = words::rename(head, &clone.forms);
            let taken = !present
                && (parsed.units.iter().any(|u| u.kind == unit.kind && src[u.head.clone()].trim() == new_head.trim())
                    || unit.kind == UnitKind::Decl && self.declared_beside(checkout, file, new_head.trim())?);
            let status = match (present, taken) {
                (true, _) => Status::Present,
                (false, true) => Status::Conflict,
                (false, false) => Status::Insert,
            };
            let mut edits = Vec::new();
            if status == Status::Insert {
                let at = match unit.kind {
                    UnitKind::Statement => sorted_statement(clone, src, unit.lines.clone(), &text),
                    _ => unit.lines.end,
                };
                edits.push(Edit { at, text });
            }
            cloned.push(Cloned { key: what.clone(), item: Item { what, status }, edits });
        }
        // An import of the new package, where a clone uses it or the
        // sibling's is a blank import (for its side effects).
        let used = uses_own;
        // The new package's name must not be a name the file uses already.
        let package = self.new_dir.rsplit('/').next().unwrap_or(&self.new_dir);
        let clash = !imports_wanted.is_empty()
            && parsed.pieces.iter().any(|(r, k)| matches!(k, Piece::Name) && &src[r.clone()] == package);
        if clash && (uses_own || imports_wanted.iter().any(|(u, _)| src[u.lines.clone()].trim().starts_with("_ "))) {
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
            let alias = alias.map(|a| words::rename(a, &clone.forms));
            let go = crate::anchor::go::GoFile::new(file, src);
            let imports = go.imports()?;
            let edit = go.import_edit(&imports, &self.new_path, alias.as_deref(), self.module)?;
            let status = if edit.is_some() { Status::Insert } else { Status::Present };
            cloned.push(Cloned { key: what.clone(), item: Item { what, status }, edits: edit.into_iter().collect() });
        }
        Ok(true)
    }
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
pub(in crate::project) fn realign(original: &str, renamed: &str) -> String {
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

fn kind_word(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Import => "import",
        UnitKind::Case => "case",
        UnitKind::Decl => "declaration",
        UnitKind::VarSpec => "var",
        UnitKind::Statement => "statement",
    }
}

/// The lines before and after the whole lines `lines`, trimmed.
fn neighbours(src: &str, lines: Range<usize>) -> (Option<&str>, Option<&str>) {
    let before = src[..lines.start].strip_suffix('\n').map(|b| b.rsplit('\n').next().unwrap_or(b).trim());
    let after = src[lines.end..].split('\n').next().filter(|_| lines.end < src.len()).map(str::trim);
    (before, after)
}

/// Where the clone `text` of the statement at `lines` goes: in a run of
/// like statements in order (`backends.Register(azure..)`,
/// `backends.Register(b2..)`), its sorted place; else after the sibling's.
fn sorted_statement(clone: &Clone, src: &str, lines: Range<usize>, text: &str) -> usize {
    let line = src[lines.clone()].trim();
    // The run: like lines either side.
    let mut starts = vec![lines.start];
    let mut at = lines.start;
    while let Some(prev) = src[..at].strip_suffix('\n') {
        let start = prev.rfind('\n').map_or(0, |i| i + 1);
        if !clone.has_like(line, &[src[start..at].trim()]) {
            break;
        }
        starts.insert(0, start);
        at = start;
    }
    let mut at = lines.end;
    while at < src.len() {
        let end = src[at..].find('\n').map_or(src.len(), |i| at + i + 1);
        if !clone.has_like(line, &[src[at..end].trim()]) {
            break;
        }
        starts.push(at);
        at = end;
    }
    let run_end = at;
    let texts: Vec<&str> =
        starts.iter().map(|&s| src[s..src[s..].find('\n').map_or(src.len(), |i| s + i)].trim()).collect();
    if texts.len() < 3 || texts.windows(2).any(|w| w[0] > w[1]) {
        return lines.end;
    }
    let new = text.trim();
    starts.iter().zip(&texts).find(|(_, t)| **t > new).map_or(run_end, |(s, _)| *s)
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
