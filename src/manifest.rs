//! What an add wrote, recorded so that `remove` can take exactly that back
//! out: the files it created (with a digest of their content) and each
//! text it inserted into an existing file. Kept in the checkout, at
//! `.add-backend/backends/<type>.json`, so that whoever has the checkout can
//! remove the backend.

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::checkout::Checkout;
use crate::journal::digest;
use crate::names::BackendName;
use crate::plan::{FileChange, Item, Plan, Status};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub backend: String,
    pub created: Vec<Created>,
    pub inserted: Vec<Inserted>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub path: String,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inserted {
    pub path: String,
    pub text: String,
}

pub fn path(backend_type: &str) -> String {
    format!(".add-backend/backends/{backend_type}.json")
}

/// Adds the manifest of `plan` to it, merged with one an earlier forced
/// run left, so that `remove` undoes both.
pub fn record(checkout: &Checkout, plan: &mut Plan) -> Result<()> {
    if !plan.changes() {
        return Ok(());
    }
    let rel = path(&plan.backend.r#type);
    let before = checkout.read(&rel)?;
    let mut manifest = match &before {
        Some(text) => serde_json::from_str(text).with_context(|| format!("{rel}: not a manifest add-backend wrote"))?,
        None => Manifest { backend: plan.backend.r#type.clone(), ..Manifest::default() },
    };
    for file in plan.files.iter().filter(|f| f.changes()) {
        if file.before.is_none() {
            let created = Created { path: file.path.clone(), digest: digest(file.after.as_bytes()) };
            manifest.created.retain(|c| c.path != created.path);
            manifest.created.push(created);
        } else {
            for text in &file.inserted {
                manifest.inserted.push(Inserted { path: file.path.clone(), text: text.clone() });
            }
        }
    }
    let after = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes") + "\n";
    let status = if before.is_some() { Status::Insert } else { Status::Create };
    plan.files.push(FileChange::whole(rel.clone(), before, after, vec![Item { what: rel, status }]));
    Ok(())
}

/// The plan that takes back out what the manifest of `name` records.
/// Anything changed since it was written is refused, unless `force`
/// (then an edited file goes too, and an edited insertion stays).
pub fn removal(checkout: &Checkout, name: &BackendName, force: bool) -> Result<Plan> {
    let rel = path(&name.r#type);
    let text = checkout.read(&rel)?.ok_or_else(|| {
        anyhow!("backend {} was not added by add-backend here (no {rel}); nothing to remove", name.r#type)
    })?;
    let manifest: Manifest =
        serde_json::from_str(&text).with_context(|| format!("{rel}: not a manifest add-backend wrote"))?;
    let mut files = Vec::new();
    let mut edited = Vec::new();
    for created in &manifest.created {
        let Some(current) = checkout.read(&created.path)? else { continue };
        let status = if digest(current.as_bytes()) == created.digest { Status::Remove } else { Status::Stale };
        if status == Status::Stale {
            edited.push(created.path.clone());
        }
        files.push(deletion(created.path.clone(), current, status));
    }
    let mut paths: Vec<&str> = manifest.inserted.iter().map(|i| i.path.as_str()).collect();
    paths.dedup();
    for path in paths {
        let Some(mut content) = checkout.read(path)? else { continue };
        let before = content.clone();
        let mut items = Vec::new();
        // Imports last: one another backend has come to use since stays.
        let (imports, code): (Vec<&Inserted>, Vec<&Inserted>) =
            manifest.inserted.iter().filter(|i| i.path == path).partition(|i| import_name(&i.text).is_some());
        for inserted in code.into_iter().chain(imports) {
            let what = describe(&inserted.text);
            if let Some(name) = import_name(&inserted.text)
                && path.ends_with(".go")
                && crate::go_imports::uses_package(&content.replacen(inserted.text.as_str(), "", 1), &name)
            {
                items.push(Item { what: format!("{what} (still used)"), status: Status::Present });
            } else if content.matches(inserted.text.as_str()).count() == 1 {
                content = content.replacen(inserted.text.as_str(), "", 1);
                items.push(Item { what, status: Status::Remove });
            } else {
                edited.push(format!("{what} in {path}"));
                items.push(Item { what, status: Status::Stale });
            }
        }
        files.push(FileChange::whole(path.to_string(), Some(before), content, items));
    }
    files.push(deletion(rel, text, Status::Remove));
    if !edited.is_empty() && !force {
        bail!("changed since add-backend wrote it: {}; --force removes the rest anyway", edited.join(", "));
    }
    Ok(Plan { target: "litestream", backend: name.clone(), files, next_steps: Vec::new(), warnings: Vec::new() })
}

fn deletion(path: String, current: String, status: Status) -> FileChange {
    let mut change = FileChange::whole(path.clone(), Some(current), String::new(), vec![Item { what: path, status }]);
    change.delete = true;
    change
}

/// An insertion named by its first line that says something.
fn describe(text: &str) -> String {
    text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default().to_string()
}

/// The package name an inserted import line brings in, if it is one:
/// `\t"strconv"\n` gives `strconv`.
fn import_name(text: &str) -> Option<String> {
    let line = text.trim();
    let path = line.strip_prefix('"')?.strip_suffix('"')?;
    (text.lines().filter(|l| !l.trim().is_empty()).count() == 1)
        .then(|| crate::anchor::go::assumed_name(path).to_string())
}
