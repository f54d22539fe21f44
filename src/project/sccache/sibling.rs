//! What a new sccache backend learns from a sibling: how the checkout's
//! newest HTTP backend module builds its OpenDAL operator (the chain after
//! `Operator::new(builder)?`, which changes with OpenDAL's API: layers up
//! to 0.55, an `OperationContext` and `opendal_layer_logging` in 0.58) and
//! the imports that chain needs. The new module then builds its operator
//! exactly as the checkout's own do, whatever OpenDAL it is on.

use std::collections::HashSet;

use anyhow::Result;

use crate::anchor::rust::RustFile;
use crate::checkout::Checkout;

/// The model a sibling gives.
pub struct Model {
    /// The sibling's feature: `cos` (its module is the same with `-` as `_`).
    pub feature: String,
    /// Its `use` lines in their groups, for the new module: those its
    /// operator chain and the module's own code need, the sibling's
    /// service swapped for the new one.
    pub imports: String,
    /// `let op = Operator::new(builder)?...;`, continuation lines indented
    /// for a statement at `COLUMN`.
    pub operator: String,
    /// The name it binds: `op`.
    pub operator_var: String,
}

/// Where the statement goes in the new module: the body of `build` in an `impl`.
const COLUMN: usize = 8;

/// What the new module's own code names besides the chain.
const OWN: &[&str] = &["Operator", "Result"];

/// The model of the newest of `backends` (in the `all` list's order, newest
/// last) whose module builds an operator from `builder`, preferring one
/// that uses the shared HTTP client; `None` when none does.
pub fn learn(checkout: &Checkout, backends: &[String], service: &str) -> Result<Option<Model>> {
    let mut fallback = None;
    for feature in backends.iter().rev() {
        let path = format!("src/cache/{}.rs", feature.replace('-', "_"));
        let Some(src) = checkout.read(&path)? else { continue };
        let Ok(file) = RustFile::new(&path, &src) else { continue };
        let Some((statement, var, column)) = file.let_starting("Operator::new(builder)") else { continue };
        let operator = rebase(&statement.replace("\r\n", "\n"), column);
        let mut needed: HashSet<&str> = identifiers(&operator).collect();
        needed.extend(OWN);
        needed.insert(service);
        let model = Model {
            feature: feature.clone(),
            imports: imports(&file, &needed, service),
            operator,
            operator_var: var.to_string(),
        };
        if statement.contains("set_user_agent") {
            return Ok(Some(model));
        }
        fallback = fallback.or(Some(model));
    }
    Ok(fallback)
}

/// `statement`'s continuation lines moved from `column` to `COLUMN`.
fn rebase(statement: &str, column: usize) -> String {
    let mut lines = statement.lines();
    let mut out = lines.next().unwrap_or_default().to_string();
    for line in lines {
        let relative = line.len() - line.trim_start().len();
        let indent = (relative + COLUMN).saturating_sub(column);
        out += &format!("\n{}{}", " ".repeat(indent), line.trim_start());
    }
    out
}

/// The identifiers `text` mentions.
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// The sibling's imports that name what `needed` holds (and its globs),
/// grouped as the sibling groups them; an OpenDAL service import becomes
/// one of `service`.
fn imports(file: &RustFile, needed: &HashSet<&str>, service: &str) -> String {
    let mut groups: Vec<Vec<String>> = vec![Vec::new()];
    let mut previous_end = None;
    for (span, argument) in file.uses() {
        if previous_end.is_some_and(|end| crate::anchor::blank_line_in(&file.src[end..span.start])) {
            groups.push(Vec::new());
        }
        previous_end = Some(span.end);
        let (argument, as_written) = match argument.strip_prefix("opendal::services::") {
            Some(_) => (format!("opendal::services::{service}"), false),
            None => (argument.to_string(), true),
        };
        if let Some(kept) = keep(&argument, needed) {
            // A new file's lines end in LF, whatever the sibling's do.
            let text = if as_written && kept == argument {
                file.src[span].replace("\r\n", "\n")
            } else {
                format!("use {kept};")
            };
            groups.last_mut().expect("there is a group").push(text);
        }
    }
    groups.retain(|g| !g.is_empty());
    groups.iter().map(|g| g.join("\n")).collect::<Vec<_>>().join("\n\n")
}

/// What of `use <argument>;` names something `needed` holds: all of it, a
/// part of a `{..}` list, or nothing.
fn keep(argument: &str, needed: &HashSet<&str>) -> Option<String> {
    let name = |item: &str| item.rsplit([':', ' ']).next().unwrap_or(item).to_string();
    if argument.ends_with('*') || argument.starts_with("opendal::services::") {
        return Some(argument.to_string());
    }
    let Some((prefix, list)) = argument.split_once('{') else {
        return needed.contains(name(argument).as_str()).then(|| argument.to_string());
    };
    if list.contains('{') {
        return Some(argument.to_string());
    }
    let items: Vec<&str> = list.trim_end_matches('}').split(',').map(str::trim).filter(|i| !i.is_empty()).collect();
    let kept: Vec<&str> = items.iter().copied().filter(|i| needed.contains(name(i).as_str())).collect();
    match kept.as_slice() {
        [] => None,
        _ if kept.len() == items.len() => Some(argument.to_string()),
        [one] => Some(format!("{prefix}{one}")),
        many => Some(format!("{prefix}{{{}}}", many.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needed<'a>(names: &[&'a str]) -> HashSet<&'a str> {
        names.iter().copied().collect()
    }

    #[test]
    fn a_module_keeps_the_imports_its_chain_needs_with_its_own_service() {
        let src = "use opendal::Operator;\nuse opendal::layers::{HttpClientLayer, LoggingLayer, RetryLayer};\nuse opendal::services::Oss;\nuse reqsign::Signer;\n\nuse crate::errors::*;\n\nuse super::http_client::set_user_agent;\n\nfn build() -> Result<Operator> {\n    let mut builder = Oss::default();\n    builder = builder.bucket(\"b\");\n        let op = Operator::new(builder)?\n            .layer(HttpClientLayer::new(set_user_agent()))\n            .layer(LoggingLayer::default())\n            .finish();\n    Ok(op)\n}\n";
        let file = RustFile::new("oss.rs", src).unwrap();
        let (statement, var, column) = file.let_starting("Operator::new(builder)").unwrap();
        assert_eq!((var, column), ("op", 8));
        let operator = rebase(&statement.replace("\r\n", "\n"), column);
        assert!(operator.starts_with("let op = Operator::new(builder)?\n            .layer(HttpClientLayer"));
        let mut names: HashSet<&str> = identifiers(&operator).collect();
        names.extend(["Operator", "Result", "Obs"]);
        assert_eq!(
            imports(&file, &names, "Obs"),
            "use opendal::Operator;\nuse opendal::layers::{HttpClientLayer, LoggingLayer};\nuse opendal::services::Obs;\n\nuse crate::errors::*;\n\nuse super::http_client::set_user_agent;"
        );
    }

    #[test]
    fn a_list_keeps_what_is_needed() {
        let n = needed(&["A", "C"]);
        assert_eq!(keep("x::{A, B}", &n).as_deref(), Some("x::A"));
        assert_eq!(keep("x::{A, C}", &n).as_deref(), Some("x::{A, C}"));
        assert_eq!(keep("x::{B}", &n), None);
        assert_eq!(keep("x::B as A", &n).as_deref(), Some("x::B as A"));
        assert_eq!(keep("crate::errors::*", &n).as_deref(), Some("crate::errors::*"));
        assert_eq!(keep("x::{A, y::{B}}", &n).as_deref(), Some("x::{A, y::{B}}"));
    }

    #[test]
    fn continuation_lines_move_with_the_statement() {
        assert_eq!(rebase("let op = a\n        .b();", 4), "let op = a\n            .b();");
        assert_eq!(rebase("let op = a;", 12), "let op = a;");
    }
}
