//! Insertion points in Rust sources, found with tree-sitter-rust: items
//! and their attributes, `cfg(any(...))` feature lists, the members of a
//! struct or enum, struct literals and patterns, a function's tail, match
//! arms and array literals. Every edit keeps rustfmt's layout: a one-line
//! list stays on one line, a list with one member per line gets a line.

use anyhow::{Result, anyhow};
use tree_sitter::{Node, Parser, Tree};

use super::rust_items::{Wanted, wanted_pieces};
use super::{blank_line_in, indent_lines, indentation, line_end, line_start};
use crate::glob::glob;
use crate::plan::Edit;

/// The text a template renders for an insertion point: given the column
/// the text will start at (rustfmt's layout depends on it), the text,
/// unindented.
pub type Text<'t> = &'t dyn Fn(usize) -> Result<String>;

pub struct RustFile<'a> {
    pub path: &'a str,
    pub src: &'a str,
    tree: Tree,
    /// How many bytes of `src` were parsed.
    pub parsed: usize,
}

impl<'a> RustFile<'a> {
    /// The file, parsed whole.
    pub fn new(path: &'a str, src: &'a str) -> Result<RustFile<'a>> {
        RustFile::partial(path, src, &[Wanted::All])
    }

    /// The file with only its top-level items that hold what the queries
    /// to come need (`wanted`) parsed: every answer is the whole parse's,
    /// at a fraction of the cost on a large file. The items parsed must
    /// parse cleanly; if the cut was not followed (they do not), the file
    /// is parsed whole.
    pub fn partial(path: &'a str, src: &'a str, wanted: &[Wanted]) -> Result<RustFile<'a>> {
        let mut parser = Parser::new();
        parser.set_language(&tree_sitter_rust::LANGUAGE.into()).map_err(|e| anyhow!("tree-sitter-rust: {e}"))?;
        // What is read from the text must be readable so, or all is parsed.
        let readable = !wanted.contains(&Wanted::Nothing) || super::rust_items::items(src).is_some();
        let pieces = if wanted.contains(&Wanted::All) || !readable {
            Vec::new()
        } else {
            super::rust_items::hollowed(src, wanted_pieces(src, wanted), wanted)
        };
        if pieces.is_empty() && readable && !wanted.contains(&Wanted::All) {
            // Nothing to parse: an empty tree.
            let tree = parser.parse("", None).ok_or_else(|| anyhow!("{path}: cannot parse"))?;
            return Ok(RustFile { path, src, tree, parsed: 0 });
        }
        if !pieces.is_empty() && pieces.iter().map(|p| p.len()).sum::<usize>() < src.len() {
            let ranges: Vec<tree_sitter::Range> = pieces.iter().map(|p| ts_range(src, p.clone())).collect();
            if parser.set_included_ranges(&ranges).is_ok()
                && let Some(tree) = parser.parse(src, None)
                && !tree.root_node().has_error()
            {
                let parsed = pieces.iter().map(|p| p.len()).sum();
                return Ok(RustFile { path, src, tree, parsed });
            }
            crate::log::detail(|| format!("{path}: the cut parse has errors; parsing it whole"));
            parser.set_included_ranges(&[]).map_err(|e| anyhow!("tree-sitter-rust: {e}"))?;
        }
        let tree = parser.parse(src, None).ok_or_else(|| anyhow!("{path}: cannot parse"))?;
        if tree.root_node().has_error() {
            let at = first_error(tree.root_node()).map_or(0, |n| n.start_byte());
            return Err(anyhow!("{path}:{}: this file is not valid Rust", super::line_number(src, at)));
        }
        Ok(RustFile { path, src, tree, parsed: src.len() })
    }

    fn text(&self, node: Node) -> &'a str {
        &self.src[node.byte_range()]
    }

    /// Top-level items as `kind name` (`struct OSSCacheConfig`, `mod oss`,
    /// `use crate::cache::oss::OSSCache`), each with the span of its
    /// attributes and doc comments and itself.
    pub(crate) fn items(&self) -> Vec<(String, std::ops::Range<usize>)> {
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

    /// The top-level `use` declarations, in order: each one's span and
    /// argument (`opendal::layers::{HttpClientLayer, LoggingLayer}`).
    pub fn uses(&self) -> Vec<(std::ops::Range<usize>, &'a str)> {
        let root = self.tree.root_node();
        let mut cursor = root.walk();
        root.named_children(&mut cursor)
            .filter(|n| n.kind() == "use_declaration")
            .filter_map(|n| Some((n.byte_range(), self.text(n.child_by_field_name("argument")?))))
            .collect()
    }

    /// The first `let` statement whose value starts with `prefix`
    /// (`Operator::new(builder)`): its text, the name it binds and the
    /// column it starts at.
    pub fn let_starting(&self, prefix: &str) -> Option<(&'a str, &'a str, usize)> {
        let found = self.find(self.tree.root_node(), &|n| {
            n.kind() == "let_declaration"
                && n.child_by_field_name("pattern").is_some_and(|p| p.kind() == "identifier")
                && n.child_by_field_name("value").is_some_and(|v| self.text(v).starts_with(prefix))
        })?;
        let name = self.text(found.child_by_field_name("pattern")?);
        Some((self.text(found), name, found.start_byte() - line_start(self.src, found.start_byte())))
    }

    /// Where an item goes after the last top-level item matching `after`
    /// (`struct *CacheConfig`): the edit, with a blank line before it when
    /// that item is not a one-line `use` or `mod`. `None` when it is there
    /// (`present`, a pattern) or nothing matches.
    pub fn item_after(&self, after: &str, present: &str, text: Text, sorted: bool) -> Result<Option<Edit>> {
        // Read from the text, so that no item need be parsed; from the
        // parse, when the text cannot be followed.
        let items = super::rust_items::items(self.src).unwrap_or_else(|| self.items());
        if items.iter().any(|(label, _)| glob(present, label)) {
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
        let gap = |a: usize, b: usize| blank_line_in(&self.src[items[a].1.end..items[b].1.start]);
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
        let text = &text(0)?;
        if sorted && !spaced {
            // In name order within the group (items with no blank line
            // between them) holding the most matching items, as rustfmt
            // sorts a group: by path segment, so `oss` before `oss2`.
            let mut groups: Vec<Vec<usize>> = vec![vec![0]];
            for i in 1..items.len() {
                if gap(i - 1, i) {
                    groups.push(Vec::new());
                }
                groups.last_mut().expect("there is a group").push(i);
            }
            let count = |g: &Vec<usize>| g.iter().filter(|i| indices.contains(i)).count();
            let group = groups.iter().max_by_key(|g| count(g)).expect("there is a group");
            // Only among the items of its kind (`use crate::cache::`):
            // rustfmt puts `super::` before `crate::`, which no plain
            // comparison does.
            let kind = &after[..after.find('*').unwrap_or(after.len())];
            let of_kind: Vec<&(String, std::ops::Range<usize>)> =
                group.iter().map(|&i| &items[i]).filter(|(label, _)| label.starts_with(kind)).collect();
            let at = match of_kind.iter().find(|(label, _)| key_of(label) > key_of(present)) {
                Some(next) => line_start(self.src, next.1.start),
                None => line_end(self.src, of_kind.last().map_or(last.1.end, |i| i.1.end) - 1),
            };
            return Ok(Some(Edit { at, text: with_newline(text) }));
        }
        if sorted && let Some(next) = matching.iter().find(|(label, _)| key_of(label) > key_of(present)) {
            let at = line_start(self.src, next.1.start);
            return Ok(Some(Edit { at, text: format!("{}{blank}", with_newline(text)) }));
        }
        let at = line_end(self.src, last.1.end - 1);
        Ok(Some(Edit { at, text: format!("{blank}{}", with_newline(text)) }))
    }

    /// `feature = "<feature>"` added to every `cfg(any(...))` list (in an
    /// attribute or a `cfg!`) that names one of `siblings` and not it.
    ///
    /// Also the offsets of one-line lists that the feature makes longer
    /// than rustfmt keeps on one line at `max_width` (it gives an
    /// attribute's arguments 70% of it, a macro call's 60%): those it would
    /// break one feature per line, which an insertion cannot do.
    pub fn cfg_any_edits(
        &self,
        feature: &str,
        siblings: &[String],
        max_width: usize,
    ) -> Result<(Vec<Edit>, Vec<usize>)> {
        let ours = format!("feature = \"{feature}\"");
        let mut edits = Vec::new();
        let mut overlong = Vec::new();
        // `any(...)`: the identifier `any` followed by a token tree, found
        // where the text has `any(`.
        for word in at_each(self.tree.root_node(), self.src, "any(") {
            let Some(node) = word.next_sibling().filter(|n| n.kind() == "token_tree") else { continue };
            if word.kind() != "identifier" || self.text(word) != "any" || node.start_byte() != word.end_byte() {
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
                let ours = |_| Ok(ours.clone());
                edits.push(self.last_member_edit(node.start_byte(), close, &ours)?);
            } else {
                let body = &self.src[node.start_byte() + 1..close];
                let at = node.start_byte() + 1 + body.trim_end().trim_end_matches(',').len();
                let text = format!(", {ours}");
                if !fits_on_one_line(node, &self.src[..at], &self.src[at..], &text, max_width) {
                    overlong.push(at);
                }
                edits.push(Edit { at, text });
            }
        }
        edits.sort_by_key(|e| e.at);
        Ok((edits, overlong))
    }

    /// The edit adding `text` as a member of struct or enum `name`: after
    /// the last member named like one of `after` (in any case, underscores
    /// aside), else last;
    /// `None` when it has a member called `member`.
    pub fn member_edit(&self, name: &str, member: &str, after: &[String], text: Text) -> Result<Option<Edit>> {
        let item = self
            .declared(&|n| matches!(n.kind(), "struct_item" | "enum_item"), name)
            .ok_or_else(|| anyhow!("{}: no struct or enum {name}", self.path))?;
        let body = item.child_by_field_name("body").ok_or_else(|| anyhow!("{}: {name} has no body", self.path))?;
        let mut cursor = body.walk();
        let members: Vec<(usize, &str)> = body
            .named_children(&mut cursor)
            .filter_map(|m| m.child_by_field_name("name").map(|n| (m.end_byte(), self.text(n))))
            .collect();
        if members.iter().any(|(_, n)| *n == member) {
            return Ok(None);
        }
        self.member_after(body.start_byte(), body.end_byte() - 1, &members, after, text).map(Some)
    }

    /// A member added to the list between the brackets at `open` and
    /// `close`, whose members end where `members` say: after the last one
    /// named like one of `after` when another follows it, else last.
    fn member_after(
        &self,
        open: usize,
        close: usize,
        members: &[(usize, &str)],
        after: &[String],
        text: Text,
    ) -> Result<Edit> {
        // `TencentCOS` is the variant of module `tencent_cos`.
        let bare = |n: &str| n.replace('_', "").to_ascii_lowercase();
        let like = |name: &str| after.iter().any(|a| bare(a) == bare(name));
        let Some(i) = members.iter().rposition(|(_, name)| like(name)) else {
            return self.last_member_edit(open, close, text);
        };
        if i + 1 == members.len() {
            return self.last_member_edit(open, close, text);
        }
        let end = members[i].0;
        if !self.src[open..close].contains('\n') {
            let column = end - line_start(self.src, end) + 2;
            return Ok(Edit { at: end, text: format!(", {}", text(column)?.trim_end().trim_end_matches(',')) });
        }
        // One member per line: a line of its own after the sibling's.
        let indent = indentation(self.src, members[i + 1].0);
        let indent = if indent.is_empty() { indentation(self.src, end) } else { indent };
        let bare = text(indent.len())?.trim_end().trim_end_matches(',').to_string();
        Ok(Edit { at: line_end(self.src, end), text: indent_lines(&format!("{bare},"), indent) })
    }

    /// A member appended to the list between the bracket at `open` and the
    /// one at `close` (`{ a, b }` or one member per line).
    fn last_member_edit(&self, open: usize, close: usize, text: Text) -> Result<Edit> {
        let inner = &self.src[open + 1..close];
        if !inner.contains('\n') {
            let trimmed = inner.trim_end();
            let rest = trimmed.rfind("..").filter(|i| trimmed[*i..].trim() == "..");
            let column = |at: usize| at - line_start(self.src, at);
            return Ok(match rest {
                // `{ a, b, .. }`: before the rest.
                Some(i) => Edit { at: open + 1 + i, text: format!("{}, ", text(column(open + 1 + i))?.trim_end()) },
                None if trimmed.trim().is_empty() => {
                    Edit { at: close, text: format!(" {} ", text(column(close) + 1)?.trim_end()) }
                }
                None => {
                    let at = open + 1 + trimmed.trim_end_matches(',').len();
                    Edit { at, text: format!(", {}", text(column(at) + 2)?.trim_end()) }
                }
            });
        }
        // One member per line. The last one keeps the list's convention:
        // with a trailing comma (rustfmt's for fields), or without one (as
        // a `cfg(any(..))` list may be written); ours takes it over. A
        // comment after the last member stays where it is, and a final
        // `..` stays last.
        let indent = format!("{}    ", indentation(self.src, close));
        let text = text(indent.len())?;
        let bare = text.trim_end().trim_end_matches(',');
        let last = self.tree.root_node().descendant_for_byte_range(open, close + 1).and_then(|list| {
            let mut cursor = list.walk();
            let members: Vec<Node> = list
                .children(&mut cursor)
                .filter(|m| m.start_byte() > open && m.end_byte() <= close && !m.kind().ends_with("comment"))
                .filter(|m| !matches!(self.text(*m), "," | "{" | "}" | "(" | ")" | "[" | "]"))
                .collect();
            members.last().copied()
        });
        let Some(last) = last else {
            return Ok(Edit { at: line_start(self.src, close), text: indent_lines(&format!("{bare},"), &indent) });
        };
        if self.text(last) == ".." || last.kind() == "remaining_field_pattern" {
            let at = line_start(self.src, last.start_byte());
            return Ok(Edit { at, text: indent_lines(&format!("{bare},"), &indent) });
        }
        let after_last = &self.src[last.end_byte()..line_end(self.src, last.end_byte())];
        if after_last.trim_start().starts_with(',') {
            return Ok(Edit {
                at: line_end(self.src, last.end_byte()),
                text: indent_lines(&format!("{bare},"), &indent),
            });
        }
        let lines = indent_lines(bare, &indent);
        Ok(Edit { at: last.end_byte(), text: format!(",\n{}", lines.trim_end_matches('\n')) })
    }

    /// A field added to every struct literal and pattern of type `ty`
    /// (within function `func`, or anywhere; `ty` or a path ending in it),
    /// unless it has `field`: after the last field named one of `after`,
    /// else last.
    pub fn literal_edits(
        &self,
        func: Option<&str>,
        ty: &str,
        field: &str,
        after: &[String],
        text: Text,
    ) -> Result<Vec<Edit>> {
        let scope = match func {
            Some(func) => self.function(func)?,
            None => self.tree.root_node(),
        };
        let mut edits = Vec::new();
        let mut found = 0;
        // Each literal, found where the text names the type: the name's
        // node, then the literal it names (a struct expression or pattern,
        // or in a macro the braced token tree after the name).
        let mut literals = Vec::new();
        for name in at_each(scope, self.src, ty) {
            if name.kind() == "identifier" {
                literals.extend(name.next_sibling().filter(|n| n.kind() == "token_tree"));
                continue;
            }
            let named = if name.parent().is_some_and(|p| p.kind() == "scoped_type_identifier") {
                name.parent()
            } else {
                Some(name)
            };
            let literal = named.and_then(|n| n.parent().map(|p| (n, p)));
            if let Some((named, literal)) = literal {
                let field = match literal.kind() {
                    "struct_expression" => "name",
                    "struct_pattern" => "type",
                    _ => continue,
                };
                if literal.child_by_field_name(field).is_some_and(|f| f.id() == named.id()) {
                    literals.push(literal);
                }
            }
        }
        for node in literals {
            if node.kind() == "token_tree" {
                // Inside a macro (`assert_eq!(x, CacheConfigs { .. })`) there
                // are only tokens: the type's name, then a braced tree.
                let named = node.prev_sibling().is_some_and(|p| p.kind() == "identifier" && self.text(p) == ty);
                if named && self.text(node).starts_with('{') {
                    found += 1;
                    let fields = self.token_fields(node);
                    // `T { a, ..base }` takes the new field from its base.
                    let mut cursor = node.walk();
                    let based = node.children(&mut cursor).any(|t| self.text(t) == "..");
                    if !based && !fields.iter().any(|(_, name)| *name == field) {
                        edits.push(self.member_after(node.start_byte(), node.end_byte() - 1, &fields, after, text)?);
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
            let name = self.text(name);
            if name != ty && !name.strip_suffix(ty).is_some_and(|path| path.ends_with("::")) {
                continue;
            }
            found += 1;
            let list = if list_field.is_empty() { Some(node) } else { node.child_by_field_name(list_field) };
            let Some(list) = list else { continue };
            let Some(open) = self.text(list).find('{').map(|i| list.start_byte() + i) else { continue };
            let mut cursor = list.walk();
            let updates = list.named_children(&mut cursor).any(|m| m.kind() == "base_field_initializer");
            // `T { a, ..base }` takes the new field from its base.
            let members = self.member_names(list);
            if updates || members.iter().any(|(_, name)| *name == field) {
                continue;
            }
            edits.push(self.member_after(open, list.end_byte() - 1, &members, after, text)?);
        }
        if found == 0 {
            let within = func.map_or(String::new(), |f| format!(" in {f}()"));
            return Err(anyhow!("{}: no `{ty} {{ .. }}`{within}", self.path));
        }
        edits.sort_by_key(|e| e.at);
        Ok(edits)
    }

    /// The fields of a struct literal written as macro tokens, each with
    /// where its value ends: each identifier directly inside followed by
    /// `:` or `,` or the end.
    fn token_fields(&self, tree: Node) -> Vec<(usize, &'a str)> {
        let mut cursor = tree.walk();
        let children: Vec<Node> = tree.children(&mut cursor).collect();
        let mut fields = Vec::new();
        let mut expect_name = true;
        for (i, child) in children.iter().enumerate() {
            let text = self.text(*child);
            if expect_name && child.kind() == "identifier" {
                let next = children.get(i + 1).map(|n| self.text(*n));
                if matches!(next, Some(":" | "," | "}") | None) {
                    // The value runs to the next comma at this depth, or to the brace.
                    let end = children[i..]
                        .iter()
                        .find(|n| matches!(self.text(**n), "," | "}"))
                        .map_or(child.end_byte(), |n| n.start_byte());
                    let end = self.src[..end].trim_end().len();
                    fields.push((end, text));
                }
            }
            expect_name = text == "," || text == "{";
        }
        fields
    }

    /// The fields of a literal's or pattern's braces, each with its end.
    fn member_names(&self, list: Node) -> Vec<(usize, &'a str)> {
        let mut cursor = list.walk();
        list.named_children(&mut cursor)
            .filter_map(|m| {
                let name = match m.kind() {
                    "shorthand_field_initializer" | "shorthand_field_identifier" => Some(self.text(m)),
                    "field_initializer" | "field_pattern" => {
                        m.child_by_field_name("field").or_else(|| m.child_by_field_name("name")).map(|n| self.text(n))
                    }
                    "field_identifier" | "identifier" => Some(self.text(m)),
                    _ => None,
                }?;
                Some((m.end_byte(), name.trim_start_matches("ref ").trim_start_matches("mut ")))
            })
            .collect()
    }

    /// Function `name`, at the top level or in an `impl`.
    fn function(&self, name: &str) -> Result<Node<'_>> {
        self.declared(&|n| n.kind() == "function_item", name).ok_or_else(|| anyhow!("{}: no fn {name}", self.path))
    }

    /// The first item named `name` that `kind` accepts, at the top level
    /// or in a `mod`, `impl` or `trait` (never inside a function: a large
    /// file has many thousands of nodes there).
    fn declared<'t>(&'t self, kind: &dyn Fn(Node) -> bool, name: &str) -> Option<Node<'t>> {
        let mut lists = vec![self.tree.root_node()];
        while let Some(list) = lists.pop() {
            let mut cursor = list.walk();
            for item in list.named_children(&mut cursor) {
                if kind(item) && item.child_by_field_name("name").is_some_and(|x| self.text(x) == name) {
                    return Some(item);
                }
                if matches!(item.kind(), "mod_item" | "impl_item" | "trait_item")
                    && let Some(body) = item.child_by_field_name("body")
                {
                    lists.push(body);
                }
            }
        }
        None
    }

    /// Text placed in function `func`: before its tail expression, as a
    /// continuation of it or of the value of `let <after>` (`.or_else(..)`
    /// on a method chain), before its
    /// closing brace, at the end of its raw string, or after the last
    /// statement about one of `after` (`let oss = ..;`, `if oss.is_some()
    /// {..}`), spaced from it as that one is from what precedes it. `None`
    /// when the body contains `present` already.
    pub fn fn_edit(
        &self,
        func: &str,
        position: &str,
        present: &str,
        after: &[String],
        text: Text,
    ) -> Result<Option<Edit>> {
        let node = self.function(func)?;
        let body = node.child_by_field_name("body").ok_or_else(|| anyhow!("{}: fn {func} has no body", self.path))?;
        if self.text(body).contains(present) {
            return Ok(None);
        }
        let mut cursor = body.walk();
        let statements: Vec<Node> =
            body.named_children(&mut cursor).filter(|n| !n.kind().ends_with("comment")).collect();
        let tail = statements.last().filter(|n| n.kind().ends_with("expression") || n.kind() == "identifier");
        let close = body.end_byte() - 1;
        let block_indent = format!("{}    ", indentation(self.src, close));
        let indented = |indent: &str| -> Result<String> { Ok(indent_lines(&text(indent.len())?, indent)) };
        match position {
            "before-tail" => {
                let tail = tail.ok_or_else(|| anyhow!("{}: fn {func} ends in no expression", self.path))?;
                Ok(Some(Edit {
                    at: line_start(self.src, tail.start_byte()),
                    text: format!("{}\n", indented(&block_indent)?),
                }))
            }
            "chain" => {
                // On the value of `let <after>` when named, else on the tail.
                let bound = |name: &String| {
                    statements.iter().find(|n| n.kind() == "let_declaration" && self.subject(**n) == Some(name))
                };
                let tail = match after.first() {
                    Some(name) => bound(name)
                        .and_then(|n| n.child_by_field_name("value"))
                        .ok_or_else(|| anyhow!("{}: no `let {name} = ..` in {func}()", self.path))?,
                    None => *tail.ok_or_else(|| anyhow!("{}: fn {func} ends in no expression", self.path))?,
                };
                let end = tail.end_byte();
                let indent = indentation(self.src, end).to_string();
                let indent = if line_start(self.src, end) == line_start(self.src, tail.start_byte()) {
                    format!("{indent}    ")
                } else {
                    indent
                };
                Ok(Some(Edit { at: end, text: format!("\n{}", indented(&indent)?.trim_end_matches('\n')) }))
            }
            "raw-string-end" => {
                let raw = self
                    .find(body, &|n| n.kind() == "raw_string_literal")
                    .ok_or_else(|| anyhow!("{}: no raw string in {func}()", self.path))?;
                // Before the line of the closing `"#`: the string's own text, unindented.
                let at = line_start(self.src, raw.end_byte());
                Ok(Some(Edit { at, text: with_newline(&text(0)?) }))
            }
            "after-sibling" => {
                let about = |n: &Node| self.subjects(*n).iter().any(|s| after.iter().any(|a| a == s));
                let last = statements.iter().rfind(|n| about(n)).ok_or_else(|| {
                    anyhow!("{}: no statement about any of {} in {func}()", self.path, after.join(", "))
                })?;
                let indent = indentation(self.src, last.start_byte());
                let blank = if self.blank_line_before(last.start_byte()) { "\n" } else { "" };
                Ok(Some(Edit {
                    at: line_end(self.src, last.end_byte() - 1),
                    text: format!("{blank}{}", indented(indent)?),
                }))
            }
            _ => Ok(Some(Edit { at: line_start(self.src, close), text: indented(&block_indent)? })),
        }
    }

    /// What a statement is about: the name a `let` binds; the names an
    /// `if`'s condition uses (`oss` in `if oss.is_some()` and in `if let
    /// Some(oss) = oss`); else the first name an expression statement uses.
    fn subjects(&self, statement: Node) -> Vec<&'a str> {
        match statement.kind() {
            "let_declaration" => self.subject(statement).into_iter().collect(),
            "expression_statement" => {
                let condition = self
                    .find(statement, &|n| n.kind() == "if_expression")
                    .filter(|i| i.start_byte() == statement.start_byte())
                    .and_then(|i| i.child_by_field_name("condition"));
                match condition {
                    Some(condition) => {
                        descendants(condition).filter(|n| n.kind() == "identifier").map(|n| self.text(n)).collect()
                    }
                    None => {
                        self.find(statement, &|n| n.kind() == "identifier").map(|n| self.text(n)).into_iter().collect()
                    }
                }
            }
            _ => Vec::new(),
        }
    }

    /// The name a `let` statement binds, if a plain one.
    fn subject(&self, statement: Node) -> Option<&'a str> {
        (statement.kind() == "let_declaration")
            .then(|| {
                statement.child_by_field_name("pattern").filter(|p| p.kind() == "identifier").map(|p| self.text(p))
            })
            .flatten()
    }

    /// Whether the line above the one at `at` (and above the comments
    /// leading it) is blank.
    fn blank_line_before(&self, at: usize) -> bool {
        let mut lines = self.src[..line_start(self.src, at)].lines().rev();
        lines.find(|l| !l.trim_start().starts_with("//")).is_some_and(|l| l.trim().is_empty())
    }

    /// An arm placed before the catch-all arm (`_` or a binding) of the
    /// `match` in function `func` that has an arm matching `like`; `None`
    /// when an arm's pattern is `pattern` already.
    pub fn arm_edit(&self, func: &str, like: &str, pattern: &str, text: Text) -> Result<Option<Edit>> {
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
        if arms.iter().any(|a| glob(pattern, pattern_of(*a))) {
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
        let lines = indent_lines(&text(indent.len())?, indent);
        Ok(Some(Edit { at, text: lines }))
    }

    /// An element appended to the first array literal in function `func`
    /// (with `macro`, to the arguments of the first `macro!(..)` there),
    /// unless it contains `present`.
    pub fn array_edit(&self, func: &str, r#macro: Option<&str>, present: &str, text: Text) -> Result<Option<Edit>> {
        let scope = self.function(func)?;
        let list = match r#macro {
            None => self
                .find(scope, &|n| n.kind() == "array_expression")
                .ok_or_else(|| anyhow!("{}: no array literal in {func}()", self.path))?,
            Some(name) => self
                .find(scope, &|n| {
                    n.kind() == "macro_invocation"
                        && n.child_by_field_name("macro").is_some_and(|m| self.text(m) == name)
                })
                .and_then(|call| {
                    let mut cursor = call.walk();
                    call.named_children(&mut cursor).find(|n| n.kind() == "token_tree")
                })
                .ok_or_else(|| anyhow!("{}: no {name}!(..) in {func}()", self.path))?,
        };
        if self.text(list).contains(present) {
            return Ok(None);
        }
        self.last_member_edit(list.start_byte(), list.end_byte() - 1, text).map(Some)
    }

    /// The first node under `node` (itself included) that `pred` accepts,
    /// in document order.
    fn find<'t>(&self, node: Node<'t>, pred: &dyn Fn(Node<'t>) -> bool) -> Option<Node<'t>> {
        descendants(node).find(|n| n.is_named() && pred(*n))
    }
}

/// A range of `src` as tree-sitter takes it: bytes, and rows and columns.
fn ts_range(src: &str, range: std::ops::Range<usize>) -> tree_sitter::Range {
    let point = |at: usize| {
        let row = memchr::memchr_iter(b'\n', &src.as_bytes()[..at]).count();
        tree_sitter::Point { row, column: at - line_start(src, at) }
    };
    tree_sitter::Range {
        start_byte: range.start,
        end_byte: range.end,
        start_point: point(range.start),
        end_point: point(range.end),
    }
}

/// Whether rustfmt keeps the one-line `any(..)` list `list` on one line
/// once `text` is inserted into it, between `before` and `after`. Measured
/// against rustfmt 1.9 at its default heuristics: in an attribute, the
/// list's arguments take at most 70% of `max_width`, and the line with one
/// column for each list it is nested in (`cfg(`, `not(`) at most all of it;
/// in a `cfg!` call, the call's arguments 60% and the line all of it.
fn fits_on_one_line(list: Node, before: &str, after: &str, text: &str, max_width: usize) -> bool {
    let mut outer = list;
    let mut depth = 0;
    while let Some(parent) = outer.parent().filter(|p| p.kind() == "token_tree") {
        outer = parent;
        depth += 1;
    }
    let line = before.len() - line_start(before, before.len()) + after.find('\n').unwrap_or(after.len()) + text.len();
    let line = line - usize::from(after[..after.find('\n').unwrap_or(after.len())].ends_with('\r'));
    if outer.parent().is_some_and(|p| p.kind() == "attribute") {
        let arguments = list.byte_range().len() - 2 + text.len();
        arguments <= max_width * 70 / 100 && line + depth <= max_width
    } else {
        let arguments = outer.byte_range().len() - 2 + text.len();
        arguments <= max_width * 60 / 100 && line <= max_width
    }
}

/// Every node under `node`, itself first, in document order: one cursor
/// walked, nothing allocated (a large file has many thousands).
fn descendants<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let current = cursor.node();
        if !cursor.goto_first_child() {
            // The cursor cannot leave `node`: at its top, the walk is over.
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    done = true;
                    break;
                }
            }
        }
        Some(current)
    })
}

/// A function of an inherent `impl`.
#[derive(Debug, PartialEq)]
pub struct Method {
    pub name: String,
    /// Declared `pub` (not `pub(crate)`): callable from another crate.
    pub public: bool,
    /// Takes `self` in some form: a method, not an associated function.
    pub takes_self: bool,
}

/// The functions of every inherent `impl TY` (not a trait's) in `src`,
/// each such `impl` cut out of the file and parsed alone; `None` when the
/// file cannot be cut into items or has no such `impl`.
pub fn inherent_methods(src: &str, ty: &str) -> Option<Vec<Method>> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_rust::LANGUAGE.into()).ok()?;
    let word = Wanted::Word(ty.to_string());
    let mut methods = Vec::new();
    let mut found = false;
    for (label, range) in super::rust_items::items(src)? {
        let text = &src[range];
        if label != "impl " || !word.in_text(text) {
            continue;
        }
        // The signatures: the functions' bodies read as `{}`.
        let ranges: Vec<tree_sitter::Range> = super::rust_items::without_bodies(text)
            .unwrap_or_else(|| std::iter::once(0..text.len()).collect())
            .into_iter()
            .map(|r| ts_range(text, r))
            .collect();
        parser.set_included_ranges(&ranges).ok()?;
        let Some(tree) = parser.parse(text, None) else { continue };
        let mut cursor = tree.root_node().walk();
        for item in tree.root_node().named_children(&mut cursor).filter(|n| n.kind() == "impl_item") {
            let own = item.child_by_field_name("trait").is_none()
                && item.child_by_field_name("type").is_some_and(|t| text[t.byte_range()].split('<').next() == Some(ty));
            let Some(body) = item.child_by_field_name("body").filter(|_| own) else { continue };
            found = true;
            let mut cursor = body.walk();
            for f in body.named_children(&mut cursor).filter(|n| n.kind() == "function_item") {
                let Some(name) = f.child_by_field_name("name") else { continue };
                let mut c = f.walk();
                let public =
                    f.children(&mut c).any(|n| n.kind() == "visibility_modifier" && &text[n.byte_range()] == "pub");
                let takes_self = f.child_by_field_name("parameters").is_some_and(|p| {
                    let mut c = p.walk();
                    p.named_children(&mut c).any(|n| n.kind() == "self_parameter")
                });
                methods.push(Method { name: text[name.byte_range()].to_string(), public, takes_self });
            }
        }
    }
    found.then_some(methods)
}

/// The node at each place `needle` is in the text of `scope` whose span is
/// exactly the needle's word (`any` of `any(`), in order: found from the
/// text, so no subtree is walked (a large function has many thousands of
/// nodes).
fn at_each<'t>(scope: Node<'t>, src: &str, needle: &str) -> Vec<Node<'t>> {
    let range = scope.byte_range();
    let text = &src.as_bytes()[range.clone()];
    let word = needle.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
    let mut out: Vec<Node<'t>> = Vec::new();
    for at in memchr::memmem::find_iter(text, needle.as_bytes()) {
        let at = range.start + at;
        let found = scope.descendant_for_byte_range(at, at + word.len().max(1));
        if let Some(node) = found.filter(|n| n.byte_range() == (at..at + word.len()))
            && out.last().is_none_or(|last| last.id() != node.id())
        {
            out.push(node);
        }
    }
    out
}

/// An item's label as rustfmt orders it: by path segment.
fn key_of(label: &str) -> Vec<&str> {
    label.split("::").collect()
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
    const MULTILEVEL: &str = include_str!("../../tests/fixtures/sccache/src/cache/multilevel.rs");
    const CMDLINE: &str = include_str!("../../tests/fixtures/sccache/src/cmdline.rs");
    const HARNESS: &str = include_str!("../../tests/fixtures/sccache/tests/harness/mod.rs");

    #[test]
    fn each_place_of_a_needle_is_the_node_of_its_word() {
        let mut seen = std::collections::BTreeSet::new();
        for src in [CONFIG, MOD, CACHE, MULTILEVEL, CMDLINE, HARNESS] {
            let file = RustFile::partial("x.rs", src, &[Wanted::All]).unwrap();
            let root = file.tree.root_node();
            for (needle, word) in
                [("CacheConfigs", "CacheConfigs"), ("any(", "any"), ("CacheType", "CacheType"), ("zzz", "zzz")]
            {
                let want: Vec<usize> = descendants(root)
                    .filter(|n| n.child_count() == 0 && &src[n.byte_range()] == word)
                    .filter(|n| src[n.start_byte()..].starts_with(needle))
                    .map(|n| n.id())
                    .collect();
                let got: Vec<usize> = at_each(root, src, needle).iter().map(|n| n.id()).collect();
                assert_eq!(got, want, "{needle}");
                if !got.is_empty() {
                    seen.insert(needle);
                }
            }
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["CacheConfigs", "CacheType", "any("]);
    }

    fn applied(src: &str, edits: Vec<Edit>) -> String {
        apply_edits(src, &edits).0
    }

    /// A template that renders `text`, whatever the column.
    fn fixed(text: &str) -> impl Fn(usize) -> Result<String> + '_ {
        move |_| Ok(text.to_string())
    }

    fn siblings() -> Vec<String> {
        vec!["webdav".to_string(), "oss".to_string()]
    }

    #[test]
    fn items_go_after_their_kind_or_in_sorted_place() {
        let f = RustFile::new("config.rs", CONFIG).unwrap();
        let text = fixed("pub struct COSCacheConfig;");
        let e = f.item_after("struct *CacheConfig", "struct COSCacheConfig", &text, false).unwrap();
        let out = applied(CONFIG, e.into_iter().collect());
        assert!(
            out.contains("    pub rw_mode: CacheModeConfig,\n}\n\npub struct COSCacheConfig;\n\n#[derive(Clone, Debug, PartialEq, Eq)]\npub enum CacheType"),
            "{out}"
        );
        assert!(f.item_after("struct *CacheConfig", "struct OSSCacheConfig", &text, false).unwrap().is_none());

        let m = RustFile::new("mod.rs", MOD).unwrap();
        let decl = fixed("#[cfg(feature = \"cos\")]\npub mod cos;");
        let e = m.item_after("mod *", "mod cos", &decl, true).unwrap().unwrap();
        let out = applied(MOD, vec![e]);
        assert!(out.contains("pub mod cache;\n#[cfg(feature = \"cos\")]\npub mod cos;\npub mod disk;"), "{out}");
    }

    #[test]
    fn a_list_one_per_line_keeps_its_comma_convention() {
        let src = "#[cfg(any(\n    feature = \"a\",\n    feature = \"b\"\n))]\nmod m;\n";
        let f = RustFile::new("x.rs", src).unwrap();
        let out = applied(src, f.cfg_any_edits("c", &["a".to_string()], 100).unwrap().0);
        assert_eq!(out, "#[cfg(any(\n    feature = \"a\",\n    feature = \"b\",\n    feature = \"c\"\n))]\nmod m;\n");
        let trailing = "#[cfg(any(\n    feature = \"a\",\n))]\nmod m;\n";
        let f = RustFile::new("x.rs", trailing).unwrap();
        let out = applied(trailing, f.cfg_any_edits("c", &["a".to_string()], 100).unwrap().0);
        assert_eq!(out, "#[cfg(any(\n    feature = \"a\",\n    feature = \"c\",\n))]\nmod m;\n");
    }

    #[test]
    fn feature_lists_gain_the_feature_once_in_not_any_too() {
        let f = RustFile::new("multilevel.rs", MULTILEVEL).unwrap();
        let (edits, overlong) = f.cfg_any_edits("cos", &siblings(), 100).unwrap();
        assert_eq!((edits.len(), overlong.len()), (4, 0));
        let out = applied(MULTILEVEL, edits);
        assert!(out.contains("#[cfg(not(any(feature = \"webdav\", feature = \"oss\", feature = \"cos\")))]"), "{out}");
        let again = RustFile::new("multilevel.rs", &out).unwrap();
        assert!(again.cfg_any_edits("cos", &siblings(), 100).unwrap().0.is_empty());
    }

    #[test]
    fn a_one_line_list_is_measured_as_rustfmt_measures_it() {
        // The longest lists rustfmt 1.9 keeps on one line, found by running it.
        let attr = |indent: usize, not: bool, k: usize| {
            let list = format!("any(feature = \"webdav\", feature = \"oss\", feature = \"{}\")", "q".repeat(k));
            let attr = if not { format!("#[cfg(not({list}))]") } else { format!("#[cfg({list})]") };
            format!("{}{attr}\nfn f() {{}}\n", " ".repeat(indent))
        };
        for (indent, not, longest) in [(4, false, 21), (4, true, 21), (20, false, 17), (20, true, 11)] {
            for (k, fits) in [(longest - 1, true), (longest, true), (longest + 1, false)] {
                let (full, feature) = (attr(indent, not, k), "q".repeat(k));
                let src = full.replace(&format!(", feature = \"{feature}\""), "");
                let file = RustFile::new("x.rs", &src).unwrap();
                let (edits, overlong) = file.cfg_any_edits(&feature, &["oss".to_string()], 100).unwrap();
                assert_eq!(applied(&src, edits), full);
                assert_eq!(overlong.is_empty(), fits, "indent {indent}, not {not}, k {k}");
            }
        }
        let call = |k: usize| {
            format!(
                "fn g() -> bool {{\n    cfg!(any(feature = \"webdav\", feature = \"oss\", feature = \"{}\"))\n}}\n",
                "z".repeat(k)
            )
        };
        for (k, fits) in [(6, true), (7, false)] {
            let full = call(k);
            let src = full.replace(&format!(", feature = \"{}\"", "z".repeat(k)), "");
            let file = RustFile::new("x.rs", &src).unwrap();
            assert_eq!(
                file.cfg_any_edits(&"z".repeat(k), &["oss".to_string()], 100).unwrap().1.is_empty(),
                fits,
                "cfg! k {k}"
            );
        }
    }

    #[test]
    fn a_one_line_list_grown_past_rustfmt_width_is_reported() {
        let f = RustFile::new("multilevel.rs", MULTILEVEL).unwrap();
        // At column 16, with "huawei-cloud-obs", the line and its two lists are 101 wide.
        let (edits, overlong) = f.cfg_any_edits("huawei-cloud-obs", &siblings(), 100).unwrap();
        assert_eq!(edits.len(), 4);
        assert_eq!(overlong.len(), 1);
        assert!(MULTILEVEL[..overlong[0]].ends_with("#[cfg(not(any(feature = \"webdav\", feature = \"oss\""));
        assert_eq!(f.cfg_any_edits("huawei-cloud-obs", &siblings(), 120).unwrap().1.len(), 0);
    }

    #[test]
    fn members_go_after_the_last_sibling() {
        let f = RustFile::new("config.rs", CONFIG).unwrap();
        let variant = f.member_edit("CacheType", "COS", &siblings(), &fixed("COS(COSCacheConfig),")).unwrap().unwrap();
        let field = f.member_edit("CacheConfigs", "cos", &siblings(), &fixed("pub cos: Option<COSCacheConfig>,"));
        assert!(f.member_edit("CacheType", "OSS", &siblings(), &fixed("x")).unwrap().is_none());
        let patterns =
            f.literal_edits(Some("into_fallback"), "CacheConfigs", "cos", &siblings(), &fixed("cos")).unwrap();
        let literal = f.literal_edits(Some("config_from_env"), "CacheConfigs", "cos", &siblings(), &fixed("cos"));
        let out = applied(CONFIG, [vec![variant, field.unwrap().unwrap()], patterns, literal.unwrap()].concat());
        assert!(out.contains("    OSS(OSSCacheConfig),\n    COS(COSCacheConfig),\n}"), "{out}");
        assert!(
            out.contains("    pub cos: Option<COSCacheConfig>,\n    /// Multi-level cache configuration\n"),
            "{out}"
        );
        assert!(
            out.contains("            oss,\n            cos,\n            multilevel: _,\n        } = self;"),
            "{out}"
        );
        assert!(out.contains("        oss,\n        cos,\n        multilevel,\n    };"), "{out}");
        // Without a sibling among them, last.
        let last = f.member_edit("CacheConfigs", "cos", &[], &fixed("pub cos: Option<COSCacheConfig>,")).unwrap();
        let out = applied(CONFIG, last.into_iter().collect());
        assert!(out.contains("    pub multilevel: Option<MultiLevelConfig>,\n    pub cos: Option<COSCacheConfig>,\n}"));
    }

    #[test]
    fn a_literal_in_a_macro_or_under_a_path_gains_the_field_after_its_sibling() {
        let f = RustFile::new("config.rs", CONFIG).unwrap();
        let text = fixed("cos: None,");
        let edits = f.literal_edits(Some("full_toml_parse"), "CacheConfigs", "cos", &siblings(), &text).unwrap();
        let out = applied(CONFIG, edits);
        assert!(out.contains("                    rw_mode: CacheModeConfig::ReadOnly,\n                }),\n                cos: None,\n                multilevel: None,"), "{out}");
        let h = RustFile::new("harness.rs", HARNESS).unwrap();
        let edits = h.literal_edits(None, "CacheConfigs", "cos", &siblings(), &fixed("cos: None")).unwrap();
        let out = applied(HARNESS, edits);
        assert!(out.contains("            oss: None,\n            cos: None,\n            multilevel: None,"), "{out}");
    }

    #[test]
    fn a_member_goes_after_a_comment_and_before_a_final_rest() {
        let src = "enum E {\n    A(u8), // the newest\n}\nfn f(c: C) {\n    let C {\n        alpha_alpha_alpha,\n        ..\n    } = c;\n    assert_eq!(x, C {\n        a: 1,\n        ..Default::default()\n    });\n}\n";
        let f = RustFile::new("x.rs", src).unwrap();
        let variant = f.member_edit("E", "B", &[], &fixed("B(u8),")).unwrap().unwrap();
        let pattern = f.literal_edits(Some("f"), "C", "b", &[], &fixed("b")).unwrap();
        assert_eq!(pattern.len(), 1, "the literal in the macro takes b from its base");
        let out = applied(src, [vec![variant], pattern].concat());
        assert!(out.contains("    A(u8), // the newest\n    B(u8),\n}"), "{out}");
        assert!(out.contains("        alpha_alpha_alpha,\n        b,\n        ..\n    } = c;"), "{out}");
    }

    #[test]
    fn a_statement_is_about_what_its_condition_names() {
        let src = "fn merge(&mut self, other: Self) {\n    if let Some(oss) = other.oss {\n        self.oss = Some(oss);\n    }\n    done();\n}\n";
        let f = RustFile::new("x.rs", src).unwrap();
        let edit = f.fn_edit("merge", "after-sibling", "self.cos", &["oss".to_string()], &fixed("x();")).unwrap();
        let out = applied(src, edit.into_iter().collect());
        assert!(out.contains("    }\n    x();\n    done();"), "{out}");
    }

    #[test]
    fn a_literal_with_a_base_takes_the_field_from_it() {
        let src = "fn f() -> C {\n    C { a: 1, ..Default::default() }\n}\nfn g(c: C) {\n    let C { a, .. } = c;\n}\n";
        let f = RustFile::new("x.rs", src).unwrap();
        assert!(f.literal_edits(Some("f"), "C", "b", &[], &fixed("b: 2")).unwrap().is_empty());
        let out = applied(src, f.literal_edits(Some("g"), "C", "b", &[], &fixed("b")).unwrap());
        assert!(out.contains("let C { a, b, .. } = c;"), "{out}");
        let out = applied(src, f.literal_edits(Some("g"), "C", "b", &["a".to_string()], &fixed("b")).unwrap());
        assert!(out.contains("let C { a, b, .. } = c;"), "{out}");
    }

    #[test]
    fn a_function_gains_a_chained_call_statements_and_arms() {
        let f = RustFile::new("config.rs", CONFIG).unwrap();
        let binding = ["cache_type".to_string()];
        let chain = f.fn_edit(
            "into_fallback",
            "chain",
            "CacheType::COS",
            &binding,
            &fixed(".or_else(|| cos.map(CacheType::COS))"),
        );
        let merge = "if cos.is_some() {\n    self.cos = cos;\n}";
        let end = f.fn_edit("merge", "after-sibling", "self.cos", &siblings(), &fixed(merge)).unwrap();
        let env = "// ======= COS =======\nlet cos = None;";
        let block = f.fn_edit("config_from_env", "after-sibling", "COS ===", &siblings(), &fixed(env)).unwrap();
        let out = applied(CONFIG, [chain.unwrap(), end, block].into_iter().flatten().collect());
        assert!(
            out.contains(
                "            .or_else(|| oss.map(CacheType::OSS))\n            .or_else(|| cos.map(CacheType::COS));\n"
            ),
            "{out}"
        );
        assert!(out.contains("            self.oss = oss;\n        }\n        if cos.is_some() {\n            self.cos = cos;\n        }\n\n        if multilevel"), "{out}");
        // After the OSS block and the check that follows it, spaced as they are.
        assert!(
            out.contains(
                "must not be set.\");\n    }\n\n    // ======= COS =======\n    let cos = None;\n\n    // ======= Local"
            ),
            "{out}"
        );
        let err = f.fn_edit("merge", "after-sibling", "x", &["gcs".to_string()], &fixed("x")).unwrap_err();
        assert_eq!(err.to_string(), "config.rs: no statement about any of gcs in merge()");

        let c = RustFile::new("cache.rs", CACHE).unwrap();
        let columns = std::cell::RefCell::new(Vec::new());
        let text = |column| {
            columns.borrow_mut().push(column);
            Ok("CacheType::COS(c) => {}".to_string())
        };
        let arm = c.arm_edit("build_single_cache", "CacheType::*(c)", "CacheType::COS(c)", &text).unwrap().unwrap();
        let out = applied(CACHE, vec![arm]);
        assert!(
            out.contains("        CacheType::COS(c) => {}\n        #[allow(unreachable_patterns)]\n        _ => {"),
            "{out}"
        );
        assert_eq!(*columns.borrow(), [8], "the template is told where its text starts");
        let levels = RustFile::new("multilevel.rs", MULTILEVEL).unwrap();
        let arm = levels.arm_edit("from_config", "\"*\"", "\"cos\"", &fixed("\"cos\" => None,")).unwrap().unwrap();
        let out = applied(MULTILEVEL, vec![arm]);
        assert!(out.contains("                        \"cos\" => None,\n                        _ => {"), "{out}");
    }

    #[test]
    fn a_macro_call_gains_arguments_in_its_convention() {
        let f = RustFile::new("cmdline.rs", CMDLINE).unwrap();
        let text = fixed("\"    COS:       \",\ncfg!(feature = \"cos\"),\n\"\\n\"");
        let e = f.array_edit("get_clap_command", Some("concat"), "feature = \"cos\"", &text).unwrap().unwrap();
        let out = applied(CMDLINE, vec![e]);
        assert!(
            out.contains("cfg!(feature = \"oss\"),\n            \"\\n\",\n            \"    COS:       \",\n            cfg!(feature = \"cos\"),\n            \"\\n\"\n        ))"),
            "{out}"
        );
        assert!(f.array_edit("get_clap_command", Some("concat"), "feature = \"oss\"", &text).unwrap().is_none());
        let err = f.array_edit("get_clap_command", Some("vec"), "x", &text).unwrap_err().to_string();
        assert_eq!(err, "cmdline.rs: no vec!(..) in get_clap_command()");
    }

    #[test]
    fn an_array_gains_an_element() {
        let src = "fn features() -> [u8; 2] {\n    [\n        1,\n        2,\n    ]\n}\n";
        let f = RustFile::new("x.rs", src).unwrap();
        let out = applied(src, vec![f.array_edit("features", None, "3", &fixed("3")).unwrap().unwrap()]);
        assert_eq!(out, "fn features() -> [u8; 2] {\n    [\n        1,\n        2,\n        3,\n    ]\n}\n");
    }
}
