//! The other sink: shows a plan as a status list, unified diffs or JSON.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde_json::json;

use crate::plan::{FileChange, Plan, Status};

/// One line per item, Rails-generator style: `  create  ftp/storage.go`.
pub fn summary(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    for file in &plan.files {
        for item in &file.items {
            let word = item.status.word();
            let color = match item.status {
                Status::Create | Status::Insert => AnsiColor::Green,
                Status::Identical | Status::Present | Status::Reuse | Status::Keep => AnsiColor::Blue,
                Status::Conflict | Status::Remove => AnsiColor::Red,
                Status::Overwrite | Status::Stale | Status::Update => AnsiColor::Yellow,
            };
            let style = Style::new().fg_color(Some(color.into())).bold();
            if item.what == file.path {
                writeln!(out, "{style}{word:>10}{style:#}  {}", file.path)?;
            } else {
                writeln!(out, "{style}{word:>10}{style:#}  {}  {}", file.path, item.what)?;
            }
        }
    }
    Ok(())
}

/// Unified diffs of every file the plan changes, `git apply`-able.
pub fn diff(plan: &Plan) -> String {
    plan.files.iter().filter(|f| f.changes()).map(file_diff).collect()
}

fn file_diff(file: &FileChange) -> String {
    let before = file.before.as_deref().unwrap_or("");
    let old_header = if file.before.is_some() { format!("a/{}", file.path) } else { "/dev/null".to_string() };
    let new_header = if file.delete { "/dev/null".to_string() } else { format!("b/{}", file.path) };
    crate::diff::unified_inserted(before, &file.after, &file.spans, &old_header, &new_header)
}

/// Colours a diff for a terminal; `anstream` drops the colour elsewhere.
pub fn colorize_diff(diff: &str) -> String {
    diff.lines()
        .map(|line| {
            let color = match line.as_bytes().first() {
                _ if line.starts_with("+++") || line.starts_with("---") => None,
                Some(b'+') => Some(AnsiColor::Green),
                Some(b'-') => Some(AnsiColor::Red),
                Some(b'@') => Some(AnsiColor::Cyan),
                _ => None,
            };
            match color {
                Some(c) => {
                    let style = Style::new().fg_color(Some(c.into()));
                    format!("{style}{line}{style:#}\n")
                }
                None => format!("{line}\n"),
            }
        })
        .collect()
}

/// The version of the JSON documents add-backend prints (docs/schema.json):
/// raised when a field changes meaning or goes; a new field does not raise it.
pub const SCHEMA_VERSION: u32 = 1;

/// The plan as JSON: what each file gets, each item's status, the diff.
pub fn json(plan: &Plan, dry_run: bool, removing: bool) -> String {
    let files: Vec<_> = plan
        .files
        .iter()
        .map(|f| {
            let action = match (&f.before, f.changes()) {
                (_, false) => "none",
                (_, true) if f.delete => "delete",
                (None, true) => "create",
                (Some(_), true) => "modify",
            };
            json!({ "path": f.path, "action": action, "items": f.items, "diff": file_diff(f) })
        })
        .collect();
    let value = json!({
        "version": SCHEMA_VERSION,
        "kind": "plan",
        "command": match (removing, plan.writes_profile) {
            (true, _) => "remove",
            (false, true) => "learn",
            (false, false) => "add",
        },
        "target": plan.target,
        "backend": plan.backend,
        "dry_run": dry_run,
        "changed": plan.changes(),
        "files": files,
        "next_steps": plan.next_steps,
        "warnings": plan.warnings,
    });
    serde_json::to_string_pretty(&value).expect("a JSON value always serializes") + "\n"
}
