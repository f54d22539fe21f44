//! Insertion points in Rust sources, found with tree-sitter-rust: items
//! and their attributes, `cfg(any(...))` feature lists, the members of a
//! struct or enum, struct literals and patterns, a function's tail, match
//! arms and array literals. Every edit keeps rustfmt's layout: a one-line
//! list stays on one line, a list with one member per line gets a line.

use anyhow::{Result, anyhow};
use tree_sitter::{Node, Parser, Tree};

use super::{indent_lines, indentation, line_end, line_start};
use crate::plan::Edit;
use crate::profile::glob;

pub struct RustFile<'a> {
    pub path: &'a str,
    pub src: &'a str,
    tree: Tree,
}

impl<'a> RustFile<'a> {
    pub fn new(path: &'a str, src: &'a str) -> Result<RustFile<'a>> {
        let mut parser = Parser::new();
        parser.set_language(&tree_sitter_rust::LANGUAGE.into()).map_err(|e| anyhow!("tree-sitter-rust: {e}"))?;
        let tree = parser.parse(src, None).ok_or_else(|| anyhow!("{path}: cannot parse"))?;
        if tree.root_node().has_error() {
            let at = first_error(tree.root_node()).map_or(0, |n| n.start_byte());
            return Err(anyhow!("{path}:{}: this file is not valid Rust", super::line_number(src, at)));
        }
        Ok(RustFile { path, src, tree })
    }

    fn text(&self, node: Node) -> &'a str {
        &self.src[node.byte_range()]
    }

    /// Top-level items as `kind name` (`struct OSSCacheConfig`, `mod oss`,
    /// `use crate::cache::oss::OSSCache`), each with the span of its
    /// attributes and doc comments and itself.
    fn items(&self) -> Vec<(String, std::ops::Range<usize>)> {
        let root = self.tree.root_node();
        let mut items = Vec::new();
        let mut lead: Option<usize> = None;
        let mut cursor = root.walk();
        for node in root.named_children(&mut cursor) {
            let kind = node.kind();
            if kind == "attribute_item" || kind == "line_comment" && self.text(node).starts_with("///") {
                lead.get_or_insert(node.start_byte());
                continue;
            }
            let start = lead.take().unwrap_or(node.start_byte());
            let label = match kind {
                "struct_item" | "enum_item" | "function_item" | "mod_item" | "trait_item" | "impl_item" => {
                    let keyword = kind.trim_end_matches("_item").replace("function", "fn");
                    let name = node.child_by_field_name("name").map_or("", |n| self.text(n));
                    format!("{keyword} {name}")
                }
                "use_declaration" => {
                    let arg = node.child_by_field_name("argument").map_or("", |n| self.text(n));
                    format!("use {arg}")
                }
                _ => continue,
            };
            items.push((label, start..node.end_byte()));
        }
        items
    }

    /// Where an item goes after the last top-level item matching `after`
    /// (`struct *CacheConfig`): the edit, with a blank line before it when
    /// that item is not a one-line `use` or `mod`. `None` when it is there
    /// (`present`) or nothing matches.
    pub fn item_after(&self, after: &str, present: &str, text: &str, sorted: bool) -> Result<Option<Edit>> {
        let items = self.items();
        if items.iter().any(|(label, _)| label == present) {
            return Ok(None);
        }
        let matching: Vec<&(String, std::ops::Range<usize>)> =
            items.iter().filter(|(label, _)| glob(after, label)).collect();
        let Some(last) = matching.last() else {
            return Err(anyhow!("{}: no item like `{after}` to place `{present}` after", self.path));
        };
        // Spaced as the matching items are among themselves (blank lines
        // between them, or none); a lone one, as it is from its neighbours.
        let index = |item: &(String, std::ops::Range<usize>)| items.iter().position(|i| i.1 == item.1).unwrap_or(0);
        let gap = |a: usize, b: usize| self.src[items[a].1.end..items[b].1.start].contains("\n\n");
        let indices: Vec<usize> = matching.iter().map(|m| index(m)).collect();
        let pair = indices.windows(2).find(|w| w[1] == w[0] + 1);
        let spaced = match pair {
            Some(w) => gap(w[0], w[1]),
            None => {
                let i = indices[0];
                (i + 1 < items.len() && gap(i, i + 1)) || (i > 0 && gap(i - 1, i))
            }
        };
        let blank = if spaced { "\n" } else { "" };
        if sorted && let Some(next) = matching.iter().find(|(label, _)| label.as_str() > present) {
            let at = line_start(self.src, next.1.start);
            return Ok(Some(Edit { at, text: format!("{}{blank}", with_newline(text)) }));
        }
        let at = line_end(self.src, last.1.end - 1);
        Ok(Some(Edit { at, text: format!("{blank}{}", with_newline(text)) }))
    }

    /// `feature = "<feature>"` added to every `cfg(any(...))` list (in an
    /// attribute or a `cfg!`) that names one of `siblings` and not it.
    pub fn cfg_any_edits(&self, feature: &str, siblings: &[String]) -> Vec<Edit> {
        let ours = format!("feature = \"{feature}\"");
        let mut edits = Vec::new();
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
            if node.kind() != "token_tree" {
                continue;
            }
            // `any(...)`: the identifier `any` followed by this token tree.
            let Some(prev) = node.prev_sibling() else { continue };
            if self.text(prev) != "any" {
                continue;
            }
            let list = self.text(node);
            let names_sibling = siblings.iter().any(|s| list.contains(&format!("feature = \"{s}\"")));
            if !names_sibling || list.contains(&ours) {
                continue;
            }
            let close = node.end_byte() - 1;
            if list.contains('\n') {
                // One feature per line, as rustfmt breaks a long list.
                edits.push(self.last_member_edit(node.start_byte(), close, &ours));
            } else {
                let body = &self.src[node.start_byte() + 1..close];
                let at = node.start_byte() + 1 + body.trim_end().trim_end_matches(',').len();
                edits.push(Edit { at, text: format!(", {ours}") });
            }
        }
        edits.sort_by_key(|e| e.at);
        edits
    }

    /// The edit adding `text` as the last member of struct or enum `name`,
    /// or `None` when it has a member called `member`.
    pub fn member_edit(&self, name: &str, member: &str, text: &str) -> Result<Option<Edit>> {
        let item = self
            .find(self.tree.root_node(), &|n| {
                matches!(n.kind(), "struct_item" | "enum_item")
                    && n.child_by_field_name("name").is_some_and(|x| self.text(x) == name)
            })
            .ok_or_else(|| anyhow!("{}: no struct or enum {name}", self.path))?;
        let body = item.child_by_field_name("body").ok_or_else(|| anyhow!("{}: {name} has no body", self.path))?;
        let mut cursor = body.walk();
        let names: Vec<&str> = body
            .named_children(&mut cursor)
            .filter_map(|m| m.child_by_field_name("name").map(|n| self.text(n)))
            .collect();
        if names.contains(&member) {
            return Ok(None);
        }
        Ok(Some(self.last_member_edit(body.start_byte(), body.end_byte() - 1, text)))
    }

    /// A member appended to the list between the bracket at `open` and the
    /// one at `close` (`{ a, b }` or one member per line).
    fn last_member_edit(&self, open: usize, close: usize, text: &str) -> Edit {
        let inner = &self.src[open + 1..close];
        if !inner.contains('\n') {
            let trimmed = inner.trim_end();
            let rest = trimmed.rfind("..").filter(|i| trimmed[*i..].trim() == "..");
            return match rest {
                // `{ a, b, .. }`: before the rest.
                Some(i) => Edit { at: open + 1 + i, text: format!("{text}, ") },
                None if trimmed.trim().is_empty() => Edit { at: close, text: format!(" {text} ") },
                None => {
                    let at = open + 1 + trimmed.trim_end_matches(',').len();
                    Edit { at, text: format!(", {text}") }
                }
            };
        }
        // One member per line. The last one keeps the list's convention:
        // with a trailing comma (rustfmt's for fields), or without one (as
        // a `cfg(any(..))` list may be written); ours takes it over.
        let indent = format!("{}    ", indentation(self.src, close));
        let bare = text.trim_end().trim_end_matches(',');
        let before = self.src[open + 1..line_start(self.src, close)].trim_end();
        let trailing = before.is_empty() || before.ends_with([',', '{', '[', '(']);
        let text = if trailing { format!("{bare},") } else { bare.to_string() };
        let lines = indent_lines(&text, &indent);
        if !trailing {
            let at = open + 1 + before.len();
            return Edit { at, text: format!(",\n{}", lines.trim_end_matches('\n')) };
        }
        Edit { at: line_start(self.src, close), text: lines }
    }

    /// A field added to every struct literal and pattern of type `ty`
    /// (within function `func`, or anywhere), unless it has `field`.
    pub fn literal_edits(&self, func: Option<&str>, ty: &str, field: &str, text: &str) -> Result<Vec<Edit>> {
        let scope = match func {
            Some(func) => self.function(func)?,
            None => self.tree.root_node(),
        };
        let mut edits = Vec::new();
        let mut found = 0;
        let mut stack = vec![scope];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
            if node.kind() == "token_tree" {
                // Inside a macro (`assert_eq!(x, CacheConfigs { .. })`) there
                // are only tokens: the type's name, then a braced tree.
                let named = node.prev_sibling().is_some_and(|p| p.kind() == "identifier" && self.text(p) == ty);
                if named && self.text(node).starts_with('{') {
                    found += 1;
                    if !self.token_fields(node).contains(&field) {
                        edits.push(self.last_member_edit(node.start_byte(), node.end_byte() - 1, text));
                    }
                }
                continue;
            }
            let (name_field, list_field) = match node.kind() {
                "struct_expression" => ("name", "body"),
                "struct_pattern" => ("type", ""),
                _ => continue,
            };
            let Some(name) = node.child_by_field_name(name_field) else { continue };
            if self.text(name) != ty {
                continue;
            }
            found += 1;
            let list = if list_field.is_empty() { Some(node) } else { node.child_by_field_name(list_field) };
            let Some(list) = list else { continue };
            let Some(open) = self.text(list).find('{').map(|i| list.start_byte() + i) else { continue };
            let mut cursor = list.walk();
            let updates = list.named_children(&mut cursor).any(|m| m.kind() == "base_field_initializer");
            // `T { a, ..base }` takes the new field from its base.
            if updates || self.member_names(list).contains(&field) {
                continue;
            }
            edits.push(self.last_member_edit(open, list.end_byte() - 1, text));
        }
        if found == 0 {
            let within = func.map_or(String::new(), |f| format!(" in {f}()"));
            return Err(anyhow!("{}: no `{ty} {{ .. }}`{within}", self.path));
        }
        edits.sort_by_key(|e| e.at);
        Ok(edits)
    }

    /// The field names of a struct literal written as macro tokens: each
    /// identifier directly inside followed by `:` or `,` or the end.
    fn token_fields(&self, tree: Node) -> Vec<&'a str> {
        let mut cursor = tree.walk();
        let children: Vec<Node> = tree.children(&mut cursor).collect();
        let mut names = Vec::new();
        let mut expect_name = true;
        for (i, child) in children.iter().enumerate() {
            let text = self.text(*child);
            if expect_name && child.kind() == "identifier" {
                let next = children.get(i + 1).map(|n| self.text(*n));
                if matches!(next, Some(":" | "," | "}") | None) {
                    names.push(text);
                }
            }
            expect_name = text == "," || text == "{";
        }
        names
    }

    /// The field names of a literal's or pattern's braces.
    fn member_names(&self, list: Node) -> Vec<&'a str> {
        let mut cursor = list.walk();
        list.named_children(&mut cursor)
            .filter_map(|m| match m.kind() {
                "shorthand_field_initializer" | "shorthand_field_identifier" => Some(self.text(m)),
                "field_initializer" | "field_pattern" => {
                    m.child_by_field_name("field").or_else(|| m.child_by_field_name("name")).map(|n| self.text(n))
                }
                "field_identifier" | "identifier" => Some(self.text(m)),
                _ => None,
            })
            .map(|t| t.trim_start_matches("ref ").trim_start_matches("mut "))
            .collect()
    }

    /// Function `name`, at the top level or in an `impl`.
    fn function(&self, name: &str) -> Result<Node<'_>> {
        self.find(self.tree.root_node(), &|n| {
            n.kind() == "function_item" && n.child_by_field_name("name").is_some_and(|x| self.text(x) == name)
        })
        .ok_or_else(|| anyhow!("{}: no fn {name}", self.path))
    }

    /// Text placed in function `func`: before its tail expression, as a
    /// continuation of it (`.or_else(..)` on a method chain), or before its
    /// closing brace. `None` when the body contains `present` already.
    pub fn fn_edit(&self, func: &str, position: &str, present: &str, text: &str) -> Result<Option<Edit>> {
        let node = self.function(func)?;
        let body = node.child_by_field_name("body").ok_or_else(|| anyhow!("{}: fn {func} has no body", self.path))?;
        if self.text(body).contains(present) {
            return Ok(None);
        }
        let mut cursor = body.walk();
        let last = body.named_children(&mut cursor).filter(|n| n.kind() != "line_comment").last();
        let tail = last.filter(|n| n.kind().ends_with("expression") || n.kind() == "identifier");
        let close = body.end_byte() - 1;
        let block_indent = format!("{}    ", indentation(self.src, close));
        let indented = |indent: &str| indent_lines(text, indent);
        match position {
            "before-tail" => {
                let tail = tail.ok_or_else(|| anyhow!("{}: fn {func} ends in no expression", self.path))?;
                Ok(Some(Edit {
                    at: line_start(self.src, tail.start_byte()),
                    text: format!("{}\n", indented(&block_indent)),
                }))
            }
            "chain" => {
                let tail = tail.ok_or_else(|| anyhow!("{}: fn {func} ends in no expression", self.path))?;
                let end = tail.end_byte();
                let indent = indentation(self.src, end).to_string();
                let indent = if line_start(self.src, end) == line_start(self.src, tail.start_byte()) {
                    format!("{indent}    ")
                } else {
                    indent
                };
                Ok(Some(Edit { at: end, text: format!("\n{}", indented(&indent).trim_end_matches('\n')) }))
            }
            "raw-string-end" => {
                let raw = self
                    .find(body, &|n| n.kind() == "raw_string_literal")
                    .ok_or_else(|| anyhow!("{}: no raw string in {func}()", self.path))?;
                // Before the line of the closing `"#`: the string's own text, unindented.
                let at = line_start(self.src, raw.end_byte());
                Ok(Some(Edit { at, text: with_newline(text) }))
            }
            _ => Ok(Some(Edit { at: line_start(self.src, close), text: indented(&block_indent) })),
        }
    }

    /// An arm placed before the catch-all arm (`_` or a binding) of the
    /// `match` in function `func` that has an arm matching `like`; `None`
    /// when an arm's pattern is `pattern` already.
    pub fn arm_edit(&self, func: &str, like: &str, pattern: &str, text: &str) -> Result<Option<Edit>> {
        let scope = self.function(func)?;
        fn arms_of(m: Node<'_>) -> Vec<Node<'_>> {
            let Some(body) = m.child_by_field_name("body") else { return Vec::new() };
            let mut cursor = body.walk();
            body.named_children(&mut cursor).filter(|a| a.kind() == "match_arm").collect()
        }
        let pattern_of = |arm: Node| arm.child_by_field_name("pattern").map_or("", |p| self.text(p)).trim();
        let matched = self
            .find(scope, &|n| n.kind() == "match_expression" && arms_of(n).iter().any(|a| glob(like, pattern_of(*a))))
            .ok_or_else(|| anyhow!("{}: no `match` in {func}() with an arm like `{like}`", self.path))?;
        let arms = arms_of(matched);
        if arms.iter().any(|a| pattern_of(*a) == pattern) {
            return Ok(None);
        }
        let catch_all = arms
            .iter()
            .find(|a| {
                let p = pattern_of(**a);
                p == "_" || !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
            .ok_or_else(|| anyhow!("{}: the match in {func}() has no catch-all arm to go before", self.path))?;
        let at = line_start(self.src, catch_all.start_byte());
        let indent = indentation(self.src, catch_all.start_byte());
        let lines = indent_lines(text, indent);
        Ok(Some(Edit { at, text: lines }))
    }

    /// An element appended to the first array literal in function `func`,
    /// unless the array contains `present`.
    pub fn array_edit(&self, func: &str, present: &str, text: &str) -> Result<Option<Edit>> {
        let scope = self.function(func)?;
        let array = self
            .find(scope, &|n| n.kind() == "array_expression")
            .ok_or_else(|| anyhow!("{}: no array literal in {func}()", self.path))?;
        if self.text(array).contains(present) {
            return Ok(None);
        }
        Ok(Some(self.last_member_edit(array.start_byte(), array.end_byte() - 1, text)))
    }

    /// The first node under `node` (itself included) that `pred` accepts,
    /// in document order.
    fn find<'t>(&self, node: Node<'t>, pred: &dyn Fn(Node<'t>) -> bool) -> Option<Node<'t>> {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if pred(n) {
                return Some(n);
            }
            let mut cursor = n.walk();
            let children: Vec<Node> = n.named_children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        None
    }
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') { text.to_string() } else { format!("{text}\n") }
}

fn first_error(node: Node) -> Option<Node> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().filter(|c| c.has_error() || c.is_missing()).find_map(first_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::apply_edits;

    const CONFIG: &str = include_str!("../../tests/fixtures/sccache/src/config.rs");
    const MOD: &str = include_str!("../../tests/fixtures/sccache/src/cache/mod.rs");
    const CACHE: &str = include_str!("../../tests/fixtures/sccache/src/cache/cache.rs");
    const CMDLINE: &str = include_str!("../../tests/fixtures/sccache/src/cmdline.rs");

    fn applied(src: &str, edits: Vec<Edit>) -> String {
        apply_edits(src, &edits).0
    }

    #[test]
    fn items_go_after_their_kind_or_in_sorted_place() {
        let f = RustFile::new("config.rs", CONFIG).unwrap();
        let e = f.item_after("struct *CacheConfig", "struct COSCacheConfig", "pub struct COSCacheConfig;", false);
        let out = applied(CONFIG, e.unwrap().into_iter().collect());
        assert!(
            out.contains(
                "    pub password: Option<String>,\n}\n\npub struct COSCacheConfig;\n\n/// The cache a build uses."
            ),
            "{out}"
        );
        assert!(f.item_after("struct *CacheConfig", "struct OSSCacheConfig", "x", false).unwrap().is_none());

        let m = RustFile::new("mod.rs", MOD).unwrap();
        let e = m.item_after("mod *", "mod cos", "#[cfg(feature = \"cos\")]\npub mod cos;", true).unwrap().unwrap();
        let out = applied(MOD, vec![e]);
        assert!(out.contains("pub mod cache;\n#[cfg(feature = \"cos\")]\npub mod cos;\n#[cfg(any("), "{out}");
    }

    #[test]
    fn a_list_one_per_line_keeps_its_comma_convention() {
        let src = "#[cfg(any(\n    feature = \"a\",\n    feature = \"b\"\n))]\nmod m;\n";
        let f = RustFile::new("x.rs", src).unwrap();
        let out = applied(src, f.cfg_any_edits("c", &["a".to_string()]));
        assert_eq!(out, "#[cfg(any(\n    feature = \"a\",\n    feature = \"b\",\n    feature = \"c\"\n))]\nmod m;\n");
        let trailing = "#[cfg(any(\n    feature = \"a\",\n))]\nmod m;\n";
        let f = RustFile::new("x.rs", trailing).unwrap();
        let out = applied(trailing, f.cfg_any_edits("c", &["a".to_string()]));
        assert_eq!(out, "#[cfg(any(\n    feature = \"a\",\n    feature = \"c\",\n))]\nmod m;\n");
    }

    #[test]
    fn feature_lists_gain_the_feature_once() {
        let f = RustFile::new("cache.rs", CACHE).unwrap();
        let edits = f.cfg_any_edits("cos", &["oss".to_string(), "webdav".to_string()]);
        assert_eq!(edits.len(), 6);
        let out = applied(CACHE, edits);
        assert!(out.contains(
            "#[cfg(any(feature = \"oss\", feature = \"webdav\", feature = \"cos\"))]\nuse opendal::Operator;"
        ));
        let again = RustFile::new("cache.rs", &out).unwrap();
        assert!(again.cfg_any_edits("cos", &["oss".to_string()]).is_empty());
    }

    #[test]
    fn members_literals_and_patterns_gain_a_field() {
        let f = RustFile::new("config.rs", CONFIG).unwrap();
        let variant = f.member_edit("CacheType", "COS", "COS(COSCacheConfig),").unwrap().unwrap();
        let field = f.member_edit("CacheConfigs", "cos", "pub cos: Option<COSCacheConfig>,").unwrap().unwrap();
        assert!(f.member_edit("CacheType", "OSS", "x").unwrap().is_none());
        let patterns = f.literal_edits(Some("into_fallback"), "CacheConfigs", "cos", "cos").unwrap();
        let literal = f.literal_edits(Some("config_from_env"), "CacheConfigs", "cos", "cos").unwrap();
        let out = applied(CONFIG, [vec![variant, field], patterns, literal].concat());
        assert!(out.contains("    Webdav(WebdavCacheConfig),\n    COS(COSCacheConfig),\n}"), "{out}");
        assert!(out.contains("    pub webdav: Option<WebdavCacheConfig>,\n    pub cos: Option<COSCacheConfig>,\n}"));
        assert!(out.contains("let CacheConfigs { oss, webdav, cos } = self;"));
        assert!(out.contains("    CacheConfigs { oss, webdav, cos }\n}"));
    }

    #[test]
    fn a_literal_with_a_base_takes_the_field_from_it() {
        let src = "fn f() -> C {\n    C { a: 1, ..Default::default() }\n}\nfn g(c: C) {\n    let C { a, .. } = c;\n}\n";
        let f = RustFile::new("x.rs", src).unwrap();
        assert!(f.literal_edits(Some("f"), "C", "b", "b: 2").unwrap().is_empty());
        let out = applied(src, f.literal_edits(Some("g"), "C", "b", "b").unwrap());
        assert!(out.contains("let C { a, b, .. } = c;"), "{out}");
    }

    #[test]
    fn a_function_gains_a_chained_call_statements_and_an_arm() {
        let f = RustFile::new("config.rs", CONFIG).unwrap();
        let chain =
            f.fn_edit("into_fallback", "chain", "CacheType::COS", ".or_else(|| cos.map(CacheType::COS))").unwrap();
        let end = f.fn_edit("merge", "end", "self.cos", "if cos.is_some() {\n    self.cos = cos;\n}").unwrap();
        let tail =
            f.fn_edit("config_from_env", "before-tail", "COS ===", "// ======= COS =======\nlet cos = None;").unwrap();
        let out = applied(CONFIG, [chain, end, tail].into_iter().flatten().collect());
        assert!(out.contains("            .or_else(|| webdav.map(CacheType::Webdav))\n            .or_else(|| cos.map(CacheType::COS))\n    }"), "{out}");
        assert!(out.contains("            self.webdav = webdav;\n        }\n        if cos.is_some() {\n            self.cos = cos;\n        }\n    }"), "{out}");
        assert!(out.contains("        None\n    };\n\n    // ======= COS =======\n    let cos = None;\n\n    CacheConfigs { oss, webdav }"), "{out}");

        let c = RustFile::new("cache.rs", CACHE).unwrap();
        let arm = c
            .arm_edit(
                "storage_from_config",
                "Some(CacheType::*(c))",
                "Some(CacheType::COS(c))",
                "Some(CacheType::COS(c)) => {}",
            )
            .unwrap()
            .unwrap();
        let out = applied(CACHE, vec![arm]);
        assert!(
            out.contains(
                "        Some(CacheType::COS(c)) => {}\n        #[allow(unreachable_patterns)]\n        _ => {}"
            ),
            "{out}"
        );
    }

    #[test]
    fn an_array_gains_an_element() {
        let f = RustFile::new("cmdline.rs", CMDLINE).unwrap();
        let e =
            f.array_edit("features", "\"cos\"", "(\"    COS:       \", cfg!(feature = \"cos\")),").unwrap().unwrap();
        let out = applied(CMDLINE, vec![e]);
        assert!(
            out.contains(
                "cfg!(feature = \"webdav\")),\n        (\"    COS:       \", cfg!(feature = \"cos\")),\n    ];"
            ),
            "{out}"
        );
    }
}
