//! The change set: every file the run would create or modify, computed in
//! memory before anything is written. The two sinks, `apply` and `show`,
//! read the same plan, so a dry run shows exactly what a real run writes.

use serde::Serialize;

use crate::names::BackendName;

#[derive(Debug, Serialize)]
pub struct Plan {
    pub target: String,
    pub backend: BackendName,
    pub files: Vec<FileChange>,
    /// What the user should do after the files are written.
    pub next_steps: Vec<String>,
    /// What the run could not do as well as it should, said before writing.
    pub warnings: Vec<String>,
    /// It writes a checkout's own profile (`learn`): the one plan that may.
    #[serde(skip)]
    pub writes_profile: bool,
}

#[derive(Debug, Serialize)]
pub struct FileChange {
    /// Path relative to the checkout root, with `/` separators.
    pub path: String,
    /// The file as read while planning; `None` when it does not exist.
    #[serde(skip)]
    pub before: Option<String>,
    #[serde(skip)]
    pub after: String,
    pub items: Vec<Item>,
    /// The texts inserted into an existing file, as written.
    #[serde(skip)]
    pub inserted: Vec<String>,
    /// Where they are in `after`, in order: its diff compares only the
    /// lines around them (if `after` is still `before` with them put in).
    #[serde(skip)]
    pub spans: Vec<std::ops::Range<usize>>,
    /// The file is removed (by `remove`).
    #[serde(skip)]
    pub delete: bool,
}

/// One thing a run adds: a file, an import, a `case` arm...
#[derive(Debug, Serialize)]
pub struct Item {
    pub what: String,
    pub status: Status,
}

/// An item's status, shown by the same word in text and in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A new file.
    Create,
    /// Text inserted into an existing file.
    Insert,
    /// The file already exists with exactly the content we would write.
    Identical,
    /// Already in the file; left alone.
    Present,
    /// The file exists with other content; written only with `--force`.
    Conflict,
    /// A conflicting file that `--force` overwrites.
    Overwrite,
    /// An existing setting the backend shares, as OSS shares S3's `bucket`.
    Reuse,
    /// A file the user owns once written (`storage.go`): kept as it is.
    Keep,
    /// Already there, but not as the templates write it now (other settings).
    Stale,
    /// Taken out, by `remove`.
    Remove,
    /// Written again for other settings, by a re-generation.
    Update,
}

impl Status {
    /// The word that shows the status, Rails-generator style.
    pub fn word(self) -> &'static str {
        match self {
            Status::Create => "create",
            Status::Insert => "insert",
            Status::Identical => "identical",
            Status::Present => "present",
            Status::Conflict => "conflict",
            Status::Overwrite => "force",
            Status::Reuse => "reuse",
            Status::Keep => "keep",
            Status::Stale => "differs",
            Status::Remove => "remove",
            Status::Update => "update",
        }
    }

    /// Whether the item changes the checkout.
    pub fn writes(self) -> bool {
        matches!(self, Status::Create | Status::Insert | Status::Overwrite | Status::Remove | Status::Update)
    }

    /// Whether the item was found already in place.
    pub fn exists(self) -> bool {
        matches!(self, Status::Identical | Status::Present | Status::Conflict | Status::Overwrite | Status::Keep)
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.word())
    }
}

impl FileChange {
    pub fn changes(&self) -> bool {
        if self.delete {
            return self.before.is_some();
        }
        self.before.as_deref() != Some(self.after.as_str())
    }

    /// A new file, or an existing one replaced whole.
    pub fn whole(path: String, before: Option<String>, after: String, items: Vec<Item>) -> FileChange {
        FileChange { path, before, after, items, inserted: Vec::new(), spans: Vec::new(), delete: false }
    }

    /// A file written whole as `content`: created, the same as it is, or
    /// (one item, the path) written over with `force`, else a conflict.
    pub fn written(path: String, before: Option<String>, content: String, force: bool) -> FileChange {
        let status = match &before {
            None => Status::Create,
            Some(existing) if *existing == content => Status::Identical,
            Some(_) if force => Status::Overwrite,
            Some(_) => Status::Conflict,
        };
        FileChange::whole(path.clone(), before, content, vec![Item { what: path, status }])
    }

    /// An existing file with `edits` applied, recording what they insert.
    pub fn patched(path: String, before: String, edits: &[Edit], items: Vec<Item>) -> FileChange {
        let (after, inserted, spans) = apply_edits_at(&before, edits);
        FileChange { path, before: Some(before), after, items, inserted, spans, delete: false }
    }
}

impl Plan {
    pub fn changes(&self) -> bool {
        self.files.iter().any(FileChange::changes)
    }

    /// A backend that exists in part is refused unless forced: adding the
    /// missing parts to something a person wrote is rarely what they meant.
    pub fn refuse_partial(&self, force: bool) -> anyhow::Result<()> {
        let conflicts: Vec<&str> =
            self.items().filter(|(_, i)| i.status == Status::Conflict).map(|(_, i)| i.what.as_str()).collect();
        if !conflicts.is_empty() {
            anyhow::bail!(
                "backend {} already exists and differs from what add-backend writes ({}); --force overwrites",
                self.backend.r#type,
                conflicts.join(", ")
            );
        }
        // Overwriting generated files while keeping wiring written for them
        // before (a constructor, a harness) would pair a new client with old
        // code: the wiring is not regenerated, so refuse instead.
        let overwritten: Vec<&str> =
            self.items().filter(|(_, i)| i.status == Status::Overwrite).map(|(_, i)| i.what.as_str()).collect();
        let kept_wiring: Vec<String> =
            self.items().filter(|(_, i)| i.status == Status::Stale).map(|(f, i)| describe(f, i)).collect();
        if !overwritten.is_empty() && !kept_wiring.is_empty() {
            anyhow::bail!(
                "--force would replace {} but keep {}, which differ from what the templates write now; changing an existing backend's settings is not supported",
                overwritten.join(", "),
                kept_wiring.join(", ")
            );
        }
        let existing: Vec<String> =
            self.items().filter(|(_, i)| i.status.exists()).map(|(f, i)| describe(f, i)).collect();
        let partial = !existing.is_empty() && self.items().any(|(_, i)| i.status.writes());
        if partial && !force {
            anyhow::bail!(
                "backend {} already exists in part ({}); --force adds the missing parts",
                self.backend.r#type,
                existing.join(", ")
            );
        }
        Ok(())
    }

    pub fn items(&self) -> impl Iterator<Item = (&FileChange, &Item)> {
        self.files.iter().flat_map(|f| f.items.iter().map(move |i| (f, i)))
    }
}

fn describe(file: &FileChange, item: &Item) -> String {
    if file.path == item.what { item.what.clone() } else { format!("{} in {}", item.what, file.path) }
}

/// A text to insert at a byte offset of a file's original content.
#[derive(Debug, Clone)]
pub struct Edit {
    pub at: usize,
    pub text: String,
}

/// Applies edits recorded against `original`, and returns each text as
/// inserted. Edits at one offset keep the order they were given in. In a
/// file with CRLF line endings the inserted lines get CRLF too.
#[cfg(test)]
pub fn apply_edits(original: &str, edits: &[Edit]) -> (String, Vec<String>) {
    let (out, inserted, _) = apply_edits_at(original, edits);
    (out, inserted)
}

/// As [`apply_edits`], with where each text went in the result.
fn apply_edits_at(original: &str, edits: &[Edit]) -> (String, Vec<String>, Vec<std::ops::Range<usize>>) {
    let crlf = memchr::memchr(b'\r', original.as_bytes()).is_some() && original.contains("\r\n");
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.at);
    let mut out = String::with_capacity(original.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut inserted = Vec::with_capacity(edits.len());
    let mut spans = Vec::with_capacity(edits.len());
    let mut pos = 0;
    for edit in sorted {
        out.push_str(&original[pos..edit.at]);
        let text = if crlf { edit.text.replace("\r\n", "\n").replace('\n', "\r\n") } else { edit.text.clone() };
        if !text.is_empty() {
            spans.push(out.len()..out.len() + text.len());
        }
        out.push_str(&text);
        inserted.push(text);
        pos = edit.at;
    }
    out.push_str(&original[pos..]);
    (out, inserted, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_against_the_original_offsets() {
        let edits =
            [Edit { at: 3, text: "X".into() }, Edit { at: 0, text: "<".into() }, Edit { at: 3, text: "Y".into() }];
        assert_eq!(apply_edits("abcdef", &edits), ("<abcXYdef".to_string(), vec!["<".into(), "X".into(), "Y".into()]));
    }

    #[test]
    fn inserted_lines_follow_crlf_line_endings() {
        let edits = [Edit { at: 3, text: "x\ny\n".into() }];
        assert_eq!(apply_edits("a\r\nb\r\n", &edits).0, "a\r\nx\r\ny\r\nb\r\n");
        assert_eq!(apply_edits("a\nb\n", &[Edit { at: 2, text: "x\n".into() }]).0, "a\nx\nb\n");
    }
}
