//! Insertion points in a `Cargo.toml`, located with toml_edit (which keeps
//! every span) and written as insertions, so that formatting and comments
//! stay exactly as they were.

use std::cell::RefCell;
use std::rc::Rc;

use anyhow::{Result, anyhow, bail};
use toml_edit::{Document, Item, TomlError};

use super::{indentation, line_end, line_start};
use crate::plan::Edit;

/// `text` parsed, once a run: a `Cargo.toml` is asked about several
/// times (its backends, a name's clashes, the feature edits), and its
/// parse costs more than any of the questions. The last few texts are
/// kept, each compared whole.
pub fn document(text: &str) -> Result<Rc<Document<String>>, TomlError> {
    const KEEP: usize = 4;
    thread_local! {
        static SEEN: RefCell<Vec<Rc<Document<String>>>> = const { RefCell::new(Vec::new()) };
    }
    if let Some(doc) = SEEN.with_borrow(|seen| seen.iter().find(|d| d.raw() == text).cloned()) {
        return Ok(doc);
    }
    let doc = Rc::new(Document::parse(text.to_string())?);
    SEEN.with_borrow_mut(|seen| {
        if seen.len() == KEEP {
            seen.remove(0);
        }
        seen.push(doc.clone());
    });
    Ok(doc)
}

/// Feature `feature`, in name order among the features the `list`
/// feature (`all`) names, and `feature` appended to that list; nothing for
/// what is there already. Its dependencies are `deps`; with `like` (a
/// pattern such as `opendal/services-*`), the declaration of listed feature
/// `model` (or else of the last listed one with a dependency like it) is
/// copied, layout and all, with that dependency replaced by the first of
/// `deps`.
pub fn feature_edits(
    path: &str,
    src: &str,
    feature: &str,
    deps: &[String],
    list: &str,
    like: Option<&str>,
    model: Option<&str>,
) -> Result<Vec<Edit>> {
    let doc = document(src).map_err(|e| anyhow!("{path}: {}", e.message().trim_end()))?;
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
            let has_like = |name: &str| {
                features
                    .get(name)
                    .and_then(Item::as_array)
                    .is_some_and(|a| a.iter().filter_map(|v| v.as_str()).any(|d| crate::glob::glob(like, d)))
            };
            let named = declared.iter().find(|(name, _)| Some(*name) == model && has_like(name));
            let model = named.or_else(|| declared.iter().rev().find(|(name, _)| has_like(name)));
            if let Some((name, span)) = model {
                let old = features.get(name).and_then(Item::as_array).into_iter().flatten();
                let dep = old.filter_map(|v| v.as_str()).find(|d| crate::glob::glob(like, d)).unwrap_or_default();
                let body = &src[span.clone()];
                let value_at = body.find('=').unwrap_or(0);
                text =
                    format!("{feature} {}", &body[value_at..]).replacen(&format!("{dep:?}"), &format!("{first:?}"), 1);
            }
        }
        // In name order among the features declared from the first backend
        // to the last (`default` among them, as a sorted table has it):
        // before the next one, and the comment lines that lead it.
        let first = declared.first().map_or(0, |(_, span)| span.start);
        let run = features.iter().filter_map(|(name, item)| {
            let start = line_start(src, features.key(name)?.span()?.start);
            (first <= start && start <= last.1.start && item.span().is_some()).then_some((name, start))
        });
        let mut run: Vec<(&str, usize)> = run.collect();
        run.sort_by_key(|(_, start)| *start);
        let at = match run.iter().find(|(name, _)| *name > feature) {
            Some((_, start)) => leading_comments(src, *start),
            None => last.1.end,
        };
        edits.push(Edit { at, text });
    }
    if !members.iter().any(|m| m.as_str() == Some(feature)) {
        let last = members.iter().last().and_then(|m| m.span()).ok_or_else(|| anyhow!("{path}: `{list}` is empty"))?;
        let array = features.get(list).and_then(Item::span).unwrap_or(last.clone());
        edits.extend(element_after(src, array, last, feature));
    }
    Ok(edits)
}

/// `feature` as an element of an array after the element at `element`:
/// on a line of its own where the array has one name per line.
fn element_after(
    src: &str,
    array: std::ops::Range<usize>,
    element: std::ops::Range<usize>,
    feature: &str,
) -> Vec<Edit> {
    if src[array].contains('\n') {
        // One name per line, as a project may write it.
        let line_end_at = line_end(src, element.end - 1);
        let comma = src[element.end..line_end_at].trim_start().starts_with(',');
        let indent = indentation(src, element.start);
        let trailing = if comma { "," } else { "" };
        if comma {
            vec![Edit { at: line_end_at, text: format!("{indent}{feature:?}{trailing}\n") }]
        } else {
            // The comma in the same insertion, which remove takes out whole.
            vec![Edit { at: element.end, text: format!(",\n{indent}{feature:?}") }]
        }
    } else {
        vec![Edit { at: element.end, text: format!(", {feature:?}") }]
    }
}

/// What a clone of the sibling's features inserts: each feature whose
/// name is the sibling's (`oss`, or `gcp` and `gcp-base`: `named` says)
/// declared again under its new name (`rename`), its layout, the comments
/// above it and its dependencies as they are but for the features of its
/// own it names (`gcp-base` in `gcp`, renamed; another crate's,
/// `opendal/services-oss`, and optional dependencies stay); placed in
/// name order where the features around it are sorted, else after it;
/// and each new name after the old one in every feature that lists the
/// old. Each edit with what it is (no edits for what is there already),
/// and the spans of the sibling's declarations and listings. `Ok(None)`
/// when the manifest declares no such feature.
pub fn clone_features(
    path: &str,
    src: &str,
    named: &dyn Fn(&str) -> bool,
    rename: &dyn Fn(&str) -> String,
    lenient: bool,
) -> Result<Option<FeatureClone>> {
    let doc = document(src).map_err(|e| anyhow!("{path}: {}", e.message().trim_end()))?;
    let Some(features) = doc.get("features").and_then(Item::as_table_like) else { return Ok(None) };
    let siblings: Vec<&str> = features.iter().map(|(name, _)| name).filter(|name| named(name)).collect();
    if siblings.is_empty() {
        return Ok(None);
    }
    // A feature of the package's own, by name, that is the sibling's.
    let ours = |dep: &str| !dep.contains(['/', ':']) && features.contains_key(dep) && named(dep);
    let mut out = Vec::new();
    let mut covered = Vec::new();
    // The features declared, by where they start.
    let mut keys: Vec<(&str, usize)> = features
        .iter()
        .filter_map(|(name, _)| Some((name, line_start(src, features.key(name)?.span()?.start))))
        .collect();
    keys.sort_by_key(|(_, at)| *at);
    let names: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
    let sorted = names.len() >= 3 && names.windows(2).all(|w| w[0] <= w[1]);
    for sibling in &siblings {
        let feature = rename(sibling);
        let (Some(value), Some(key)) = (features.get(sibling), features.key(sibling)) else { continue };
        let (Some(value_span), Some(key_span)) = (value.span(), key.span()) else { continue };
        let declaration = line_start(src, key_span.start)..line_end(src, value_span.end - 1);
        covered.push(declaration.clone());
        let start = leading_comments(src, declaration.start);
        let comments = &src[start..declaration.start];
        // The value with each of our features it names renamed.
        let mut body = src[key_span.end..declaration.end].to_string();
        if let Some(array) = value.as_array() {
            let mut renames: Vec<(std::ops::Range<usize>, String)> = array
                .iter()
                .filter(|v| v.as_str().is_some_and(ours))
                .filter_map(|v| Some((v.span()?, format!("{:?}", rename(v.as_str()?)))))
                .collect();
            renames.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
            for (span, text) in renames {
                body.replace_range(span.start - key_span.end..span.end - key_span.end, &text);
            }
        }
        let lead = &src[declaration.start..key_span.start];
        let comments = rename(comments);
        let text = format!("{comments}{lead}{feature}{body}");
        let what = format!("feature {feature}, a copy of {sibling}");
        let key = format!("feature {sibling}");
        match features.get(&feature) {
            Some(_) => {
                let existing =
                    features.key(&feature).and_then(|k| k.span()).zip(features.get(&feature).and_then(Item::span));
                let same = existing.is_some_and(|(k, v)| {
                    src[line_start(src, k.start)..line_end(src, v.end - 1)] == text[comments.len()..]
                });
                if !same && !lenient {
                    bail!("{path}: feature {feature} is declared already, as something other than a copy of {sibling}");
                }
                out.push(FeatureUnit { key, what, edits: Vec::new() });
            }
            None => {
                let at = match keys.iter().find(|(name, _)| *name > feature.as_str()).filter(|_| sorted) {
                    Some((_, at)) => leading_comments(src, *at),
                    None => declaration.end,
                };
                out.push(FeatureUnit { key, what, edits: vec![Edit { at, text }] });
            }
        }
    }
    for (name, item) in features.iter().filter(|(name, _)| !siblings.contains(name)) {
        let Some(array) = item.as_array() else { continue };
        for element in array.iter().filter(|v| v.as_str().is_some_and(ours)) {
            let Some(old) = element.as_str() else { continue };
            let feature = rename(old);
            covered.extend(element.span());
            let what = format!("{feature} in feature {name}");
            let key = format!("{old} in feature {name}");
            if array.iter().any(|v| v.as_str() == Some(feature.as_str())) {
                out.push(FeatureUnit { key, what, edits: Vec::new() });
                continue;
            }
            let (Some(array_span), Some(element_span)) = (item.span(), element.span()) else { continue };
            out.push(FeatureUnit { key, what, edits: element_after(src, array_span, element_span, &feature) });
        }
    }
    Ok(Some(FeatureClone { units: out, covered }))
}

/// What [`clone_features`] makes.
pub struct FeatureClone {
    /// Each clone, with its edits (none when it is there already).
    pub units: Vec<FeatureUnit>,
    pub covered: Vec<std::ops::Range<usize>>,
}

/// One feature cloned, or one listing of it.
pub struct FeatureUnit {
    /// What it clones, in the sibling's names (`feature oss`, `oss in
    /// feature all`): the same whatever the new name.
    pub key: String,
    pub what: String,
    pub edits: Vec<Edit>,
}

/// The start of the comment lines directly above the line at `at`, or `at`.
fn leading_comments(src: &str, at: usize) -> usize {
    let mut start = at;
    while start > 0 {
        let above = line_start(src, start - 1);
        if !src[above..start].trim_start().starts_with('#') {
            break;
        }
        start = above;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::apply_edits;

    const CARGO: &str = include_str!("../../tests/fixtures/sccache/Cargo.toml");

    #[test]
    fn a_feature_is_declared_in_name_order_and_listed_once() {
        let deps = ["opendal/services-cos".to_string(), "reqwest".to_string()];
        let edits = feature_edits("Cargo.toml", CARGO, "cos", &deps, "all", None, None).unwrap();
        let (out, _) = apply_edits(CARGO, &edits);
        assert!(out.contains("  \"oss\",\n  \"cos\",\n]"), "{out}");
        assert!(
            out.contains("\ndefault = [\"all\"]\ncos = [\"opendal/services-cos\", \"reqwest\"]\n# Distributed"),
            "{out}"
        );
        assert!(feature_edits("Cargo.toml", &out, "cos", &deps, "all", None, None).unwrap().is_empty());

        let one_line = "[features]\nall = [\"a\"]\na = []\n";
        let edits = feature_edits("Cargo.toml", one_line, "b", &[], "all", None, None).unwrap();
        assert_eq!(apply_edits(one_line, &edits).0, "[features]\nall = [\"a\", \"b\"]\na = []\nb = []\n");
    }

    /// In a table sorted by name, `default` among the backends (sccache
    /// main): a name that sorts before it goes before it.
    #[test]
    fn a_feature_goes_in_name_order_among_every_feature_of_the_backends_run() {
        let src = "[features]\nall = [\"azure\", \"cos\", \"gcs\"]\nazure = []\ncos = []\ndefault = [\"all\"]\ngcs = []\n# later\ndist = []\n";
        let placed = |feature: &str| {
            let edits = feature_edits("Cargo.toml", src, feature, &[], "all", None, None).unwrap();
            apply_edits(src, &edits).0
        };
        assert!(placed("cosmos").contains("\ncos = []\ncosmos = []\ndefault = [\"all\"]\n"), "{}", placed("cosmos"));
        assert!(placed("dropbox").contains("\ndefault = [\"all\"]\ndropbox = []\ngcs = []\n"), "{}", placed("dropbox"));
        assert!(placed("zip").contains("\ngcs = []\nzip = []\n# later\n"), "{}", placed("zip"));
        assert!(placed("aaa").contains("]\naaa = []\nazure = []\n"), "{}", placed("aaa"));
    }

    #[test]
    fn the_model_feature_is_the_one_copied() {
        let deps = ["opendal/services-cos".to_string()];
        let like = Some("opendal/services-*");
        let edits = feature_edits("Cargo.toml", CARGO, "cos", &deps, "all", like, Some("webdav")).unwrap();
        let (out, _) = apply_edits(CARGO, &edits);
        assert!(out.contains("cos = [\n  \"opendal/services-cos\",\n  \"opendal-layer-logging\",\n"), "{out}");
    }

    #[test]
    fn a_feature_like_another_copies_its_declaration() {
        let src = "[features]\nall = [\n  \"s3\",\n  \"redis\"\n]\ns3 = [\n  \"opendal/services-s3\",\n  \"opendal-layer-logging\",\n]\nredis = [\"url\"]\n";
        let deps = ["opendal/services-obs".to_string()];
        let edits = feature_edits("Cargo.toml", src, "obs", &deps, "all", Some("opendal/services-*"), None).unwrap();
        let (out, _) = apply_edits(src, &edits);
        let want = "[features]\nall = [\n  \"s3\",\n  \"redis\",\n  \"obs\"\n]\nobs = [\n  \"opendal/services-obs\",\n  \"opendal-layer-logging\",\n]\ns3 = [\n  \"opendal/services-s3\",\n  \"opendal-layer-logging\",\n]\nredis = [\"url\"]\n";
        assert_eq!(out, want);
    }

    #[test]
    fn a_feature_goes_before_the_comment_of_the_next_one() {
        let src = "[features]\nall = [\"b\", \"d\"]\nb = []\n# D does d.\n# Really.\nd = []\n";
        let edits = feature_edits("Cargo.toml", src, "c", &[], "all", None, None).unwrap();
        let (out, _) = apply_edits(src, &edits);
        assert_eq!(out, "[features]\nall = [\"b\", \"d\", \"c\"]\nb = []\nc = []\n# D does d.\n# Really.\nd = []\n");
    }
}
