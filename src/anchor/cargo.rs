//! Insertion points in a `Cargo.toml`, located with toml_edit (which keeps
//! every span) and written as insertions, so that formatting and comments
//! stay exactly as they were.

use anyhow::{Result, anyhow};
use toml_edit::{Document, Item};

use super::{indentation, line_end, line_start};
use crate::plan::Edit;

/// Feature `feature`, in name order among the features the `list`
/// feature (`all`) names, and `feature` appended to that list; nothing for
/// what is there already. Its dependencies are `deps`; with `like` (a
/// pattern such as `opendal/services-*`), the declaration of the last
/// listed feature with a dependency like it is copied, layout and all,
/// with that dependency replaced by the first of `deps`.
pub fn feature_edits(
    path: &str,
    src: &str,
    feature: &str,
    deps: &[String],
    list: &str,
    like: Option<&str>,
) -> Result<Vec<Edit>> {
    let doc = Document::parse(src).map_err(|e| anyhow!("{path}: {}", e.message().trim_end()))?;
    let features =
        doc.get("features").and_then(Item::as_table_like).ok_or_else(|| anyhow!("{path}: no [features] table"))?;
    let members = features
        .get(list)
        .and_then(Item::as_array)
        .ok_or_else(|| anyhow!("{path}: no `{list}` feature list in [features]"))?;
    let mut edits = Vec::new();
    if features.get(feature).is_none() {
        // Each listed feature's declaration: name, the line span of `name = [..]`.
        let mut declared: Vec<(&str, std::ops::Range<usize>)> = members
            .iter()
            .filter_map(|m| m.as_str())
            .filter_map(|name| {
                let value = features.get(name)?.span()?;
                let key = features.key(name)?.span()?;
                Some((name, line_start(src, key.start)..line_end(src, value.end - 1)))
            })
            .collect();
        declared.sort_by_key(|(_, span)| span.start);
        let last = declared.last().ok_or_else(|| anyhow!("{path}: no feature of the `{list}` list is declared"))?;
        let quoted: Vec<String> = deps.iter().map(|d| format!("{d:?}")).collect();
        let mut text = format!("{feature} = [{}]\n", quoted.join(", "));
        if let (Some(like), Some(first)) = (like, deps.first()) {
            let model = declared.iter().rev().find(|(name, _)| {
                features
                    .get(name)
                    .and_then(Item::as_array)
                    .is_some_and(|a| a.iter().filter_map(|v| v.as_str()).any(|d| crate::profile::glob(like, d)))
            });
            if let Some((name, span)) = model {
                let old = features.get(name).and_then(Item::as_array).into_iter().flatten();
                let dep = old.filter_map(|v| v.as_str()).find(|d| crate::profile::glob(like, d)).unwrap_or_default();
                let body = &src[span.clone()];
                let value_at = body.find('=').unwrap_or(0);
                text =
                    format!("{feature} {}", &body[value_at..]).replacen(&format!("{dep:?}"), &format!("{first:?}"), 1);
            }
        }
        let at = match declared.iter().find(|(name, _)| *name > feature) {
            Some((_, span)) => span.start,
            None => last.1.end,
        };
        edits.push(Edit { at, text });
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
    fn a_feature_is_declared_in_name_order_and_listed_once() {
        let deps = ["opendal/services-cos".to_string(), "reqwest".to_string()];
        let edits = feature_edits("Cargo.toml", CARGO, "cos", &deps, "all", None).unwrap();
        let (out, _) = apply_edits(CARGO, &edits);
        assert!(out.contains("    \"webdav\",\n    \"cos\",\n]"), "{out}");
        assert!(out.contains("\ncos = [\"opendal/services-cos\", \"reqwest\"]\noss = "), "{out}");
        assert!(feature_edits("Cargo.toml", &out, "cos", &deps, "all", None).unwrap().is_empty());

        let one_line = "[features]\nall = [\"a\"]\na = []\n";
        let edits = feature_edits("Cargo.toml", one_line, "b", &[], "all", None).unwrap();
        assert_eq!(apply_edits(one_line, &edits).0, "[features]\nall = [\"a\", \"b\"]\na = []\nb = []\n");
    }

    #[test]
    fn a_feature_like_another_copies_its_declaration() {
        let src = "[features]\nall = [\n  \"s3\",\n  \"redis\"\n]\ns3 = [\n  \"opendal/services-s3\",\n  \"opendal-layer-logging\",\n]\nredis = [\"url\"]\n";
        let deps = ["opendal/services-obs".to_string()];
        let edits = feature_edits("Cargo.toml", src, "obs", &deps, "all", Some("opendal/services-*")).unwrap();
        let (out, _) = apply_edits(src, &edits);
        let want = "[features]\nall = [\n  \"s3\",\n  \"redis\",\n  \"obs\"\n]\nobs = [\n  \"opendal/services-obs\",\n  \"opendal-layer-logging\",\n]\ns3 = [\n  \"opendal/services-s3\",\n  \"opendal-layer-logging\",\n]\nredis = [\"url\"]\n";
        assert_eq!(out, want);
    }
}
