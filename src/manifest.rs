//! What an add wrote, recorded so that `remove` can take exactly that back
//! out: the files it created (with a digest of their content), those it
//! replaced (with what they held), and each text it inserted into an
//! existing file. Kept in the checkout, at `.add-backend/backends/<type>.json`,
//! so that whoever has the checkout can remove the backend.

use std::rc::Rc;

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::checkout::Checkout;
use crate::go_imports;
use crate::journal::digest;
use crate::names::BackendName;
use crate::plan::{FileChange, Item, Plan, Status};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub backend: String,
    /// The add-backend that wrote it; absent before 0.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The settings the backend was added with; absent before 0.1, when a
    /// backend could not be re-generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    pub created: Vec<Created>,
    #[serde(default)]
    pub replaced: Vec<Replaced>,
    pub inserted: Vec<Inserted>,
}

/// The arguments of an add, besides the name: what a re-run without any
/// applies again, and what a re-run with others is compared with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_name: Option<String>,
    #[serde(default)]
    pub fields: Vec<String>,
    /// `--set NAME=VALUE` (`--service`, `--title`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, String>,
    /// `--like SIBLING`: the backend was modelled on SIBLING, with no profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub like: Option<String>,
    /// `--require MODULE[@VERSION]`: Go modules added to go.mod and go.sum.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require: Vec<String>,
}

impl Settings {
    /// No setting given at all.
    pub fn is_empty(&self) -> bool {
        *self == Settings::default()
    }
}

/// The version of add-backend a manifest records.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub path: String,
    pub digest: String,
}

/// A file `--force` overwrote: what it held before, to put back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replaced {
    pub path: String,
    pub digest: String,
    pub before: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inserted {
    pub path: String,
    pub text: String,
}

pub fn path(backend_type: &str) -> String {
    format!("{MANIFEST_DIR}/{backend_type}.json")
}

/// Where each backend's manifest is.
const MANIFEST_DIR: &str = ".add-backend/backends";

/// Line endings do not count: a checkout may turn LF into CRLF (git's
/// autocrlf) between the add and the remove.
fn lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn same_content(a: &str, digest_b: &str) -> bool {
    crate::journal::is_digest_of(digest_b, lf(a).as_bytes())
}

/// Every other backend's manifest in the checkout, by name.
pub fn others(checkout: &Checkout, backend_type: &str) -> Result<Vec<(String, Manifest)>> {
    let Ok(entries) = checkout.list(MANIFEST_DIR) else { return Ok(Vec::new()) };
    let mut names: Vec<&str> = entries.iter().filter_map(|e| e.strip_suffix(".json")).collect();
    names.retain(|o| *o != backend_type);
    names.sort_unstable();
    let mut out = Vec::new();
    for name in names {
        if let Some(manifest) = read(checkout, name)? {
            out.push((name.to_string(), manifest));
        }
    }
    Ok(out)
}

/// The manifest of backend `backend_type`, if the checkout has one.
pub fn read(checkout: &Checkout, backend_type: &str) -> Result<Option<Manifest>> {
    let rel = path(backend_type);
    let Some(text) = checkout.read(&rel)? else { return Ok(None) };
    let manifest = serde_json::from_str(&text).with_context(|| format!("{rel}: not a manifest add-backend wrote"))?;
    Ok(Some(manifest))
}

/// Adds the manifest of `plan`, made with `settings`, to it, merged with
/// what an earlier run left that is still in the checkout, so that
/// `remove` undoes both. `carried`: what of an earlier add a re-generation
/// kept (the user's edited files, texts other code still uses), as it was
/// recorded.
pub fn record(checkout: &Checkout, plan: &mut Plan, settings: &Settings, carried: &Kept) -> Result<()> {
    if !plan.changes() {
        return Ok(());
    }
    let rel = path(&plan.backend.r#type);
    let before = checkout.read(&rel)?;
    let mut manifest = read(checkout, &plan.backend.r#type)?
        .unwrap_or_else(|| Manifest { backend: plan.backend.r#type.clone(), ..Manifest::default() });
    manifest.version = Some(VERSION.to_string());
    manifest.settings = Some(settings.clone());
    // A file an earlier add created stays the backend's own, to remove
    // with it, even when edited since and overwritten now with --force:
    // putting the edit back alone would leave a package that does not build.
    let created_before: Vec<String> = manifest.created.iter().map(|c| c.path.clone()).collect();
    // Entries of an earlier run that the checkout no longer holds are stale.
    manifest.created.retain(|c| checkout.read(&c.path).ok().flatten().is_some_and(|now| same_content(&now, &c.digest)));
    for text in &carried.inserted {
        if checkout.read(&text.path)?.is_some_and(|now| lf(&now).contains(lf(&text.text).as_ref())) {
            manifest.inserted.push(text.clone());
        }
    }
    for kept in &carried.files {
        if !manifest.created.iter().any(|c| c.path == kept.path) {
            manifest.created.push(kept.clone());
        }
    }
    for kept in &carried.replaced {
        if !manifest.replaced.iter().any(|r| r.path == kept.path) {
            manifest.replaced.push(kept.clone());
        }
    }
    manifest
        .inserted
        .retain(|i| checkout.read(&i.path).ok().flatten().is_some_and(|now| lf(&now).contains(lf(&i.text).as_ref())));
    for file in plan.files.iter().filter(|f| f.changes()) {
        // A file patched is recorded by its insertions; only a whole one by its digest.
        let after = || digest(lf(&file.after).as_bytes());
        let ours = file.inserted.is_empty() && created_before.contains(&file.path);
        match &file.before {
            _ if file.before.is_none() || ours => {
                manifest.created.retain(|c| c.path != file.path);
                manifest.created.push(Created { path: file.path.clone(), digest: after() });
            }
            Some(before) if file.inserted.is_empty() => {
                // Replaced again: what it held first is what goes back.
                let first = manifest.replaced.iter().find(|r| r.path == file.path).map(|r| r.before.clone());
                manifest.replaced.retain(|r| r.path != file.path);
                let before = first.unwrap_or_else(|| before.clone());
                manifest.replaced.push(Replaced { path: file.path.clone(), digest: after(), before });
            }
            _ => {
                // A text inserted n times (the same feature in several
                // cfg lists) is listed n times; a later run that inserts it
                // again where it went missing does not add to the count.
                for text in &file.inserted {
                    let inserted = Inserted { path: file.path.clone(), text: text.clone() };
                    let now = file.inserted.iter().filter(|t| *t == text).count();
                    let listed = manifest.inserted.iter().filter(|i| **i == inserted).count();
                    if listed < now {
                        manifest.inserted.push(inserted);
                    }
                }
            }
        }
    }
    // In the order the plan has the files, whichever run created them.
    let order = |c: &Created| plan.files.iter().position(|f| f.path == c.path).unwrap_or(usize::MAX);
    manifest.created.sort_by_key(order);
    let after = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes") + "\n";
    let status = if before.is_some() { Status::Insert } else { Status::Create };
    plan.files.push(FileChange::whole(
        rel.clone(),
        before.map(Rc::unwrap_or_clone),
        after,
        vec![Item { what: rel, status }],
    ));
    Ok(())
}

/// The plan that takes back out what the manifest of `name` records.
/// Anything changed since it was written is refused, unless `force`
/// (then an edited file goes too, and an edited insertion stays). What
/// another backend has come to use (an import, a setting) stays.
/// `allowed` says which paths the target ever creates or patches for a
/// backend: a manifest naming any other is refused.
pub fn removal(checkout: &Checkout, name: &BackendName, force: bool, allowed: impl Fn(&str) -> bool) -> Result<Plan> {
    let mut unwired = unwire(checkout, name, allowed, |_| false, |_| false)?;
    let edited = [unwired.edited_files, unwired.edited_places].concat();
    if !edited.is_empty() && !force {
        bail!("changed since add-backend wrote it: {}; --force removes the rest anyway", edited.join(", "));
    }
    hand_over(checkout, name, &unwired.kept.inserted, &mut unwired.plan)?;
    Ok(unwired.plan)
}

/// Gives what a removal keeps because another backend added since uses
/// it (a settings group whose field that backend reused) to that
/// backend's manifest, so that removing it in turn takes the group out: in
/// whichever order two backends sharing a setting are removed, nothing is
/// left. A text no other backend's code uses (the user's own code does)
/// stays nobody's, as before.
fn hand_over(checkout: &Checkout, name: &BackendName, kept: &[Inserted], plan: &mut Plan) -> Result<()> {
    if kept.is_empty() {
        return Ok(());
    }
    let mut given = vec![false; kept.len()];
    for (other, mut manifest) in others(checkout, &name.r#type)? {
        let other = other.as_str();
        let mut items = Vec::new();
        for (text, given) in kept.iter().zip(given.iter_mut()).filter(|(_, g)| !**g) {
            // A group's fields are declared in one of its texts (the
            // struct's); its defaults go with it.
            let header = group(&text.text);
            let fields: Vec<&str> = kept
                .iter()
                .filter(|k| {
                    k.path == text.path && (header.is_some() && group(&k.text) == header || k.text == text.text)
                })
                .flat_map(|k| declared_fields(&k.text))
                .collect();
            let uses = |i: &Inserted| i.path == text.path && fields.iter().any(|f| uses_field(&i.text, f));
            if manifest.inserted.iter().any(uses) {
                manifest.inserted.push(Inserted { path: text.path.clone(), text: lf(&text.text).into_owned() });
                items
                    .push(Item { what: format!("{} handed to {other}", describe(&text.text)), status: Status::Insert });
                *given = true;
            }
        }
        if items.is_empty() {
            continue;
        }
        let rel = path(other);
        let before = checkout.read(&rel)?.map(|t| t.to_string());
        let after = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes") + "\n";
        plan.files.push(FileChange::whole(rel, before, after, items));
    }
    Ok(())
}

/// What the manifest of a backend records, taken back out, and what of it
/// was changed since.
pub struct Unwired {
    /// Every recorded file and text taken out; an edited file too, an
    /// edited text not.
    pub plan: Plan,
    /// Files it created or replaced that were edited since.
    pub edited_files: Vec<String>,
    /// Texts it inserted that were edited since: `what in path`.
    pub edited_places: Vec<String>,
    /// What stays of it.
    pub kept: Kept,
}

/// What a backend's removal leaves in place, still its own.
#[derive(Debug, Default)]
pub struct Kept {
    /// Files it created that the user owns and edited.
    pub files: Vec<Created>,
    /// Texts it inserted that other code still uses (a settings group),
    /// and those in the files carried over.
    pub inserted: Vec<Inserted>,
    /// Files it replaced whole, in the files carried over.
    pub replaced: Vec<Replaced>,
}

/// Takes out what the manifest of `name` records; a file it created that
/// was edited since and that `keep` names stays as it is. What it records
/// of the files `carry` names is not taken out, whatever became of them,
/// but carried over in `kept` (go.mod and go.sum, which a re-generation
/// leaves as they are).
pub fn unwire(
    checkout: &Checkout,
    name: &BackendName,
    allowed: impl Fn(&str) -> bool,
    keep: impl Fn(&str) -> bool,
    carry: impl Fn(&str) -> bool,
) -> Result<Unwired> {
    let rel = path(&name.r#type);
    let text = checkout.read(&rel)?.ok_or_else(|| {
        anyhow!("backend {} was not added by add-backend here (no {rel}); nothing to remove", name.r#type)
    })?;
    let manifest: Manifest =
        serde_json::from_str(&text).with_context(|| format!("{rel}: not a manifest add-backend wrote"))?;
    let named = manifest.created.iter().map(|c| &c.path).chain(manifest.replaced.iter().map(|r| &r.path));
    if let Some(bad) = named.clone().chain(manifest.inserted.iter().map(|i| &i.path)).find(|p| !allowed(p)) {
        bail!("{rel} names {bad}, which add-backend never writes for backend {}; refusing", name.r#type);
    }
    let mut whole: Vec<&String> = named.collect();
    whole.sort();
    if let Some(twice) = whole.windows(2).find(|w| w[0] == w[1]) {
        bail!(
            "{rel} lists {} twice among the files it created or replaced; not a manifest add-backend wrote",
            twice[0]
        );
    }

    let mut files = Vec::new();
    let mut edited_files = Vec::new();
    let mut kept = Kept::default();
    kept.replaced.extend(manifest.replaced.iter().filter(|r| carry(&r.path)).cloned());
    kept.inserted.extend(manifest.inserted.iter().filter(|i| carry(&i.path)).cloned());
    let mut manifest = manifest;
    manifest.replaced.retain(|r| !carry(&r.path));
    manifest.inserted.retain(|i| !carry(&i.path));
    for created in &manifest.created {
        let Some(current) = checkout.read(&created.path)? else { continue };
        let status = if same_content(&current, &created.digest) { Status::Remove } else { Status::Stale };
        if status == Status::Stale {
            if keep(&created.path) {
                kept.files.push(created.clone());
                continue;
            }
            edited_files.push(created.path.clone());
        }
        files.push(deletion(created.path.clone(), current.to_string(), status));
    }
    for replaced in &manifest.replaced {
        let Some(current) = checkout.read(&replaced.path)? else { continue };
        if !same_content(&current, &replaced.digest) {
            edited_files.push(replaced.path.clone());
            continue;
        }
        let items = vec![Item { what: format!("{} (put back)", replaced.path), status: Status::Remove }];
        files.push(FileChange::whole(replaced.path.clone(), Some(current.to_string()), replaced.before.clone(), items));
    }
    let mut edited_places = Vec::new();
    let mut paths: Vec<&str> = Vec::new();
    for inserted in &manifest.inserted {
        if !paths.contains(&inserted.path.as_str()) {
            paths.push(&inserted.path);
        }
    }
    for path in paths {
        let Some(before) = checkout.read(path)? else { continue };
        let crlf = before.contains("\r\n");
        let texts: Vec<String> = manifest
            .inserted
            .iter()
            .filter(|i| i.path == path)
            .map(|i| if crlf { lf(&i.text).replace('\n', "\r\n") } else { lf(&i.text).into_owned() })
            .collect();
        let mut still_used = Vec::new();
        let (after, items) = take_out(path, &before, &texts, &mut edited_places, &mut still_used);
        kept.inserted.extend(still_used.into_iter().map(|text| Inserted { path: path.to_string(), text }));
        files.push(FileChange::whole(path.to_string(), Some(before.to_string()), after, items));
    }
    files.push(deletion(rel, text.to_string(), Status::Remove));
    let plan =
        // The project is the caller's to name.
        Plan { target: String::new(), backend: name.clone(), files, next_steps: Vec::new(), warnings: Vec::new(), writes_profile: false };
    Ok(Unwired { plan, edited_files, edited_places, kept })
}

/// `before` without the inserted `texts`; for Go, keeping a settings
/// group (with its defaults) whose fields other code still uses, and
/// dropping the imports only the removed code used.
fn take_out(
    path: &str,
    before: &str,
    texts: &[String],
    edited: &mut Vec<String>,
    still_used: &mut Vec<String>,
) -> (String, Vec<Item>) {
    let go = path.ends_with(".go");
    let mut content = before.to_string();
    let mut items = Vec::new();
    // Imports are not taken out as texts (see the end); settings groups go
    // after the code that uses them.
    let texts: Vec<&String> = texts.iter().filter(|t| !(go && import_name(t).is_some())).collect();
    let (grouped, plain): (Vec<&String>, Vec<&String>) = texts.into_iter().partition(|t| go && group(t).is_some());
    // Longer texts first: a clone may hold another's text (the same table
    // with a blank line before it), which is then there once more.
    let mut plain = plain;
    plain.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut seen: Vec<&String> = Vec::new();
    for text in plain.iter().copied() {
        if seen.contains(&text) {
            continue;
        }
        seen.push(text);
        let times = plain.iter().filter(|t| **t == text).count();
        take(&mut content, text, times, path, &mut items, edited);
    }
    let mut headers: Vec<&str> = grouped.iter().filter_map(|t| group(t)).collect();
    // Each group once, wherever its texts stand among the others'.
    headers.sort_unstable();
    headers.dedup();
    for header in headers {
        let members: Vec<&String> = grouped.iter().copied().filter(|t| group(t) == Some(header)).collect();
        let mut without = content.clone();
        for text in &members {
            without = without.replacen(text.as_str(), "", 1);
        }
        let used = members.iter().flat_map(|t| declared_fields(t)).any(|f| uses_field(&without, f));
        for text in members {
            if used {
                items.push(Item { what: format!("{} (still used)", describe(text)), status: Status::Present });
                still_used.push(text.clone());
            } else {
                take(&mut content, text, 1, path, &mut items, edited);
            }
        }
    }
    if go {
        // An import the removed code alone used goes, whoever added it.
        for (line, name) in unused_imports(before, &content) {
            content = content.replacen(&line, "", 1);
            items.push(Item { what: format!("\"{name}\" (no longer used)"), status: Status::Remove });
        }
    }
    (content, items)
}

/// Takes an inserted text out of `content`, if it is there exactly as many
/// times as it was inserted.
fn take(content: &mut String, text: &str, times: usize, path: &str, items: &mut Vec<Item>, edited: &mut Vec<String>) {
    let what = describe(text);
    // Lines inserted whole: where the text is also in longer lines (more
    // indented ones), the places that start a line are its.
    let at_lines: Vec<usize> = if text.ends_with('\n') && !text.starts_with('\n') {
        content.match_indices(text).map(|(at, _)| at).filter(|&at| at == 0 || content[..at].ends_with('\n')).collect()
    } else {
        Vec::new()
    };
    if content.matches(text).count() == times {
        *content = content.replace(text, "");
        items.push(Item { what, status: Status::Remove });
    } else if !at_lines.is_empty() && at_lines.len() == times {
        for at in at_lines.into_iter().rev() {
            content.replace_range(at..at + text.len(), "");
        }
        items.push(Item { what, status: Status::Remove });
    } else {
        edited.push(format!("{what} in {path}"));
        items.push(Item { what, status: Status::Stale });
    }
}

/// Import lines of `after` whose package `before` used and `after` does not.
pub fn unused_imports(before: &str, after: &str) -> Vec<(String, String)> {
    let file = crate::anchor::go::GoFile::new("x.go", after);
    let Ok((range, imports)) = file.import_block() else { return Vec::new() };
    let (body_before, body_after) = (before, &after[range.end..]);
    imports
        .into_iter()
        .filter(|i| !i.aliased && i.name != "_")
        .filter(|i| go_imports::uses_package(body_before, &i.name) && !go_imports::uses_package(body_after, &i.name))
        .map(|i| (after[i.line_start..crate::anchor::line_end(after, i.line_start)].to_string(), i.name))
        .collect()
}

/// The names of the struct fields a text declares: `\tPort int `yaml:"port"``.
fn declared_fields(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains("`yaml:\""))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .collect()
}

fn uses_field(src: &str, field: &str) -> bool {
    let needle = format!(".{field}");
    src.match_indices(&needle)
        .any(|(at, _)| !src[at + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// The `// FTP settings` header a settings group and its defaults share.
fn group(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| l.starts_with("// ") && l.ends_with(" settings"))
}

pub fn deletion(path: String, current: String, status: Status) -> FileChange {
    let mut change = FileChange::whole(path.clone(), Some(current), String::new(), vec![Item { what: path, status }]);
    change.delete = true;
    change
}

/// An insertion named by its first line that says something.
fn describe(text: &str) -> String {
    // A list element's insertion starts with its separator (`, feature = ".."`).
    let words = |l: &&str| l.chars().any(char::is_alphanumeric);
    let line = text.lines().map(|l| l.trim().trim_start_matches(',').trim()).find(words);
    line.unwrap_or_else(|| text.trim()).to_string()
}

/// The package name an inserted import line brings in, if it is one:
/// `\t"strconv"\n` gives `strconv`.
fn import_name(text: &str) -> Option<String> {
    let line = text.trim();
    let path = line.strip_prefix('"')?.strip_suffix('"')?;
    (text.lines().filter(|l| !l.trim().is_empty()).count() == 1)
        .then(|| crate::anchor::go::assumed_name(path).to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_insertion_is_named_by_its_first_line_that_says_something() {
        assert_eq!(super::describe(",\n    feature = \"cos2\""), "feature = \"cos2\"");
        assert_eq!(super::describe(", feature = \"cos2\""), "feature = \"cos2\"");
        assert_eq!(super::describe("\n#[cfg(feature = \"x\")]\nmod x;\n"), "#[cfg(feature = \"x\")]");
        assert_eq!(super::describe(", "), ",");
    }
}
