//! Insertion points in a `Cargo.toml`, located with toml_edit (which keeps
//! every span) and written as insertions, so that formatting and comments
//! stay exactly as they were.

use anyhow::{Result, anyhow};
use toml_edit::{Document, Item};

use super::{indentation, line_end};
use crate::plan::Edit;

/// Feature `feature = [deps]` after the last feature named in the `list`
/// feature (`all`), and `feature` appended to that list; nothing for what
/// is there already.
pub fn feature_edits(path: &str, src: &str, feature: &str, deps: &[String], list: &str) -> Result<Vec<Edit>> {
    let doc = Document::parse(src).map_err(|e| anyhow!("{path}: {}", e.message().trim_end()))?;
    let features =
        doc.get("features").and_then(Item::as_table_like).ok_or_else(|| anyhow!("{path}: no [features] table"))?;
    let members = features
        .get(list)
        .and_then(Item::as_array)
        .ok_or_else(|| anyhow!("{path}: no `{list}` feature list in [features]"))?;
    let mut edits = Vec::new();
    if features.get(feature).is_none() {
        let last = members
            .iter()
            .filter_map(|m| m.as_str())
            .filter_map(|name| features.get(name).and_then(Item::span))
            .max_by_key(|span| span.end)
            .ok_or_else(|| anyhow!("{path}: no feature of the `{list}` list is declared to follow"))?;
        let deps: Vec<String> = deps.iter().map(|d| format!("{d:?}")).collect();
        let at = line_end(src, last.end - 1);
        edits.push(Edit { at, text: format!("{feature} = [{}]\n", deps.join(", ")) });
    }
    if !members.iter().any(|m| m.as_str() == Some(feature)) {
        let last = members.iter().last().and_then(|m| m.span()).ok_or_else(|| anyhow!("{path}: `{list}` is empty"))?;
        let array = features.get(list).and_then(Item::span).unwrap_or(last.clone());
        if src[array].contains('\n') {
            // One name per line, as sccache writes it.
            let line_end_at = line_end(src, last.end - 1);
            let comma = src[last.end..line_end_at].trim_start().starts_with(',');
            if !comma {
                edits.push(Edit { at: last.end, text: ",".to_string() });
            }
            let indent = indentation(src, last.start);
            let trailing = if comma { "," } else { "" };
            edits.push(Edit { at: line_end_at, text: format!("{indent}{feature:?}{trailing}\n") });
        } else {
            edits.push(Edit { at: last.end, text: format!(", {feature:?}") });
        }
    }
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::apply_edits;

    const CARGO: &str = include_str!("../../tests/fixtures/sccache/Cargo.toml");

    #[test]
    fn a_feature_is_declared_and_listed_once() {
        let deps = ["opendal/services-cos".to_string(), "reqwest".to_string()];
        let edits = feature_edits("Cargo.toml", CARGO, "cos", &deps, "all").unwrap();
        let (out, _) = apply_edits(CARGO, &edits);
        assert!(out.contains("    \"webdav\",\n    \"cos\",\n]"), "{out}");
        assert!(out.contains(
            "webdav = [\"opendal/services-webdav\", \"reqwest\"]\ncos = [\"opendal/services-cos\", \"reqwest\"]\n"
        ));
        assert!(feature_edits("Cargo.toml", &out, "cos", &deps, "all").unwrap().is_empty());

        let one_line = "[features]\nall = [\"a\"]\na = []\n";
        let (out, _) = apply_edits(one_line, &feature_edits("Cargo.toml", one_line, "b", &[], "all").unwrap());
        assert_eq!(out, "[features]\nall = [\"a\", \"b\"]\na = []\nb = []\n");
    }
}
