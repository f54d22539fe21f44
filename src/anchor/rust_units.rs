//! A Rust file as `--like` reads it: the texts a rename may touch (each
//! name, string and comment, with another crate's names told apart) and
//! the units a wiring is made of, each with the text it spans: an item
//! (with its attributes and doc comments), a variant or field, a match
//! arm, a statement of a block, a field of a struct literal or pattern, a
//! link of a method chain, an element of a `cfg(any(..))` list, a table
//! of TOML in a raw string. Parsed whole with tree-sitter-rust.

use std::collections::BTreeSet;
use std::ops::Range;

use tree_sitter::Node;

use super::{line_end, line_start};

/// What a piece of text is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Piece {
    /// A name of this crate's (or a local one).
    Name,
    /// A name of another crate's: a path from it (`opendal::services::Oss`),
    /// or a name a `use` brings in from it (`Oss`).
    External,
    /// A string literal, quotes included.
    Text,
    Comment,
    /// A field or method name (`x.oss`, `b.server_side_encryption_with_s3_key()`,
    /// `oss: ..`): the sibling's only where the package declares it.
    Member,
}

/// The kinds of unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UnitKind {
    /// An item (`struct`, `fn`, `mod`, `impl`, `use` ..) at the top level or in a module.
    Item,
    /// A variant of an enum or a field of a struct.
    Member,
    /// An arm of a `match`.
    Arm,
    /// A `let` or `if` statement of a block.
    Statement,
    /// A field of a struct literal or pattern.
    Field,
    /// A link of a method chain on a line of its own (`.or_else(|| x)`).
    Link,
    /// An element of a `cfg(any(..))` list (`feature = "oss"`).
    AnyElement,
    /// A table of the TOML in a raw string (`[cache.oss]` and its keys).
    TomlTable,
    /// An argument of a macro call that has one argument a line
    /// (`concat!(..)`): a run of them is the unit, which the planner finds.
    MacroArgument,
    /// A path of a `use` list of the crate's own (`oss::OSSCache` in
    /// `use crate::cache::{oss::OSSCache, webdav::WebdavCache};`).
    UseElement,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: UnitKind,
    /// What is cloned: whole lines (from its first attribute or comment
    /// line to after its last line's newline) for a unit alone on its
    /// lines, else the node itself.
    pub span: Range<usize>,
    /// Whether `span` is whole lines.
    pub lines: bool,
    /// What names the unit: an item's or member's name, an arm's pattern,
    /// a statement's pattern or condition, a field's name, a link's
    /// arguments, an element, a table's header.
    pub head: Range<usize>,
    /// Whether the unit ends with the separator a list needs after it
    /// (`,`): a clone after one without it adds the separator first.
    pub separated: bool,
    /// A link's: what it is called on (`a.map(..)` of `.or_else(..)`); a
    /// `cfg(any(..))` element's: the list, parentheses and all.
    pub around: Option<Range<usize>>,
    /// A `use` or `mod` item's: what rustfmt orders a run of them by (the
    /// path's segments, the module's name).
    pub key: Option<Vec<String>>,
    /// A macro argument's: where its call's arguments start (the run's
    /// arguments share it).
    pub list: Option<usize>,
}

/// A `use` of the crate's own (`use super::oss_client::OssClient;`).
#[derive(Debug, Clone)]
pub struct CrateUse {
    pub span: Range<usize>,
    /// The modules it goes through, from its root (`super`, `oss_client`).
    pub modules: Vec<String>,
    /// The names it brings in (`OssClient`).
    pub names: Vec<String>,
}

#[derive(Default)]
pub struct RustUnits {
    pub uses: Vec<CrateUse>,
    pub pieces: Vec<(Range<usize>, Piece)>,
    pub units: Vec<Unit>,
    /// The names of the items (and enum variants) the file declares, at
    /// any depth.
    pub declared: BTreeSet<String>,
    /// Whether a `use` brings in all of another crate's module
    /// (`use opendal::services::*;`): a name the package does not declare
    /// may be that module's.
    pub external_glob: bool,
}

/// Reads `src`; `crates` are the names of the other crates it may use
/// (its dependencies, `std`, `core`, `alloc`). `None` when it does not
/// parse cleanly.
pub fn read(src: &str, crates: &BTreeSet<String>) -> Option<RustUnits> {
    let tree = parse(src)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut imported = BTreeSet::new();
    collect_external_uses(src, root, crates, &mut imported);
    let mut out = RustUnits::default();
    let reader = Reader { src, crates, imported: &imported };
    reader.walk(root, false, &mut out);
    out.pieces.sort_by_key(|(r, _)| r.start);
    out.units.sort_by_key(|u| (u.span.start, std::cmp::Reverse(u.span.end)));
    Some(out)
}

fn parse(src: &str) -> Option<tree_sitter::Tree> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_rust::LANGUAGE.into()).ok()?;
    parser.parse(src, None)
}

/// The first segment of a path node (`crate` of `crate::cache::oss`).
fn root_of<'t>(mut node: Node<'t>) -> Node<'t> {
    while let Some(path) = node.child_by_field_name("path") {
        node = path;
    }
    node
}

/// The names `use` declarations bring in from other crates: the last
/// segment of each path (or its alias), and the crate's name itself.
fn collect_external_uses(src: &str, node: Node, crates: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    if node.kind() == "use_declaration" {
        if let Some(argument) = node.child_by_field_name("argument") {
            let root = root_of(first_path(argument));
            if crates.contains(&src[root.byte_range()]) {
                leaf_names(src, argument, out);
            }
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_external_uses(src, child, crates, out);
    }
}

/// The path a use tree starts with.
fn first_path(node: Node) -> Node {
    match node.kind() {
        "scoped_use_list" | "use_as_clause" => node.child_by_field_name("path").unwrap_or(node),
        // `a::b::*`: its path, the one named child.
        "use_wildcard" => node.named_child(0).unwrap_or(node),
        _ => node,
    }
}

/// The names a use tree binds.
fn leaf_names(src: &str, node: Node, out: &mut BTreeSet<String>) {
    match node.kind() {
        "use_as_clause" => {
            if let Some(alias) = node.child_by_field_name("alias") {
                out.insert(src[alias.byte_range()].to_string());
            }
        }
        "scoped_identifier" => {
            if let Some(name) = node.child_by_field_name("name") {
                out.insert(src[name.byte_range()].to_string());
            }
        }
        "identifier" => {
            out.insert(src[node.byte_range()].to_string());
        }
        _ => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                if child.kind() != "use_wildcard" {
                    leaf_names(src, child, out);
                }
            }
        }
    }
}

struct Reader<'a> {
    src: &'a str,
    crates: &'a BTreeSet<String>,
    imported: &'a BTreeSet<String>,
}

impl Reader<'_> {
    fn text(&self, node: Node) -> &str {
        &self.src[node.byte_range()]
    }

    fn is_external(&self, name: &str) -> bool {
        self.crates.contains(name) || self.imported.contains(name)
    }

    /// `external`: the node is under a path or `use` of another crate's.
    fn walk(&self, node: Node, external: bool, out: &mut RustUnits) {
        match node.kind() {
            "line_comment" | "block_comment" => {
                out.pieces.push((node.byte_range(), Piece::Comment));
                return;
            }
            "string_literal" | "raw_string_literal" => {
                out.pieces.push((node.byte_range(), Piece::Text));
                if node.kind() == "raw_string_literal" {
                    self.toml_tables(node, out);
                }
                return;
            }
            "identifier" | "type_identifier" | "field_identifier" | "shorthand_field_identifier" => {
                let text = self.text(node);
                // A bare name another crate's `use` brought in; the member
                // of a path is its path's.
                let path_member = node.parent().is_some_and(|p| {
                    matches!(p.kind(), "scoped_identifier" | "scoped_type_identifier")
                        && p.child_by_field_name("name").is_some_and(|n| n.id() == node.id())
                });
                let kind = if external || (!path_member && self.imported.contains(text) && self.local(node)) {
                    Piece::External
                } else if node.kind() == "field_identifier" {
                    // A field or method: of a type of this crate's, or not.
                    if node.parent().is_some_and(|p| p.kind() == "field_declaration") {
                        out.declared.insert(text.to_string());
                    }
                    Piece::Member
                } else {
                    Piece::Name
                };
                out.pieces.push((node.byte_range(), kind));
                return;
            }
            "scoped_identifier" | "scoped_type_identifier" | "scoped_use_list" if !external => {
                let root = root_of(node);
                if self.is_external(self.text(root)) {
                    self.children(node, true, out);
                    return;
                }
            }
            "use_declaration" => {
                let argument = node.child_by_field_name("argument");
                let root = argument.map(|a| root_of(first_path(a)));
                let external = root.is_some_and(|r| self.crates.contains(self.text(r)));
                out.external_glob |= external && argument.is_some_and(|a| self.text(a).ends_with('*'));
                self.item_unit(node, argument.map(|a| a.byte_range()), out);
                if let (Some(argument), false) = (argument, external) {
                    // The crate's own modules it goes through, and the names it brings in.
                    let path = first_path(argument);
                    let mut modules = Vec::new();
                    let mut segment = Some(path);
                    while let Some(p) = segment {
                        if let Some(name) = p.child_by_field_name("name").or((p.kind() == "identifier").then_some(p)) {
                            modules.insert(0, self.text(name).to_string());
                        }
                        segment = p.child_by_field_name("path");
                    }
                    let mut names = BTreeSet::new();
                    leaf_names(self.src, argument, &mut names);
                    // A simple path's last segment is a name, not a module.
                    if argument.kind() == "scoped_identifier" {
                        modules.pop();
                    }
                    out.uses.push(CrateUse {
                        span: argument.byte_range(),
                        modules,
                        names: names.into_iter().collect(),
                    });
                    self.use_elements(argument, out);
                }
                self.children(node, external, out);
                return;
            }
            "struct_item" | "enum_item" | "function_item" | "mod_item" | "const_item" | "static_item" | "type_item"
            | "trait_item" | "union_item" | "macro_definition" => {
                let name = node.child_by_field_name("name");
                if let Some(name) = name {
                    out.declared.insert(self.text(name).to_string());
                }
                self.item_unit(node, name.map(|n| n.byte_range()), out);
            }
            "impl_item" => {
                let ty = node.child_by_field_name("type");
                self.item_unit(node, ty.map(|t| t.byte_range()), out);
            }
            "enum_variant" | "field_declaration" => {
                if let Some(name) = node.child_by_field_name("name") {
                    if node.kind() == "enum_variant" {
                        out.declared.insert(self.text(name).to_string());
                    }
                    self.line_unit(node, UnitKind::Member, name.byte_range(), out);
                }
            }
            "match_arm" => {
                if let Some(pattern) = node.child_by_field_name("pattern") {
                    self.line_unit(node, UnitKind::Arm, pattern.byte_range(), out);
                }
            }
            "let_declaration" if self.in_block(node) => {
                // One name bound (a pattern of several is several things).
                let pattern = node.child_by_field_name("pattern");
                if let Some(pattern) = pattern.filter(|p| p.kind() == "identifier") {
                    self.line_unit(node, UnitKind::Statement, pattern.byte_range(), out);
                }
            }
            "expression_statement" if self.in_block(node) => {
                let condition = node
                    .named_child(0)
                    .filter(|e| e.kind() == "if_expression")
                    .and_then(|e| e.child_by_field_name("condition"));
                if let Some(condition) = condition {
                    self.line_unit(node, UnitKind::Statement, condition.byte_range(), out);
                }
            }
            "field_initializer" | "shorthand_field_initializer" | "field_pattern" => {
                let name = node
                    .child_by_field_name("field")
                    .or_else(|| node.child_by_field_name("name"))
                    .or_else(|| node.named_child(0));
                if let Some(name) = name {
                    self.line_unit(node, UnitKind::Field, name.byte_range(), out);
                }
            }
            "call_expression" => self.link(node, out),
            "macro_invocation" => {
                self.macro_units(node, out);
                self.macro_arguments(node, out);
            }
            "token_tree" => self.any_elements(node, out),
            _ => {}
        }
        self.children(node, external, out);
    }

    fn children(&self, node: Node, external: bool, out: &mut RustUnits) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.walk(child, external, out);
        }
    }

    /// Whether a bare name is not a field or method of a value (`x.oss`),
    /// which a `use` cannot have brought in.
    fn local(&self, node: Node) -> bool {
        node.kind() != "field_identifier" && node.kind() != "shorthand_field_identifier"
    }

    fn in_block(&self, node: Node) -> bool {
        node.parent().is_some_and(|p| p.kind() == "block")
    }

    /// An item at the top level, or in a module's or impl's body.
    fn item_unit(&self, node: Node, head: Option<Range<usize>>, out: &mut RustUnits) {
        let at_item_level = node.parent().is_some_and(|p| matches!(p.kind(), "source_file" | "declaration_list"));
        if let (true, Some(head)) = (at_item_level, head) {
            self.line_unit(node, UnitKind::Item, head.clone(), out);
            let body_less = node.kind() == "mod_item" && node.child_by_field_name("body").is_none();
            if let Some(unit) = out.units.last_mut().filter(|_| node.kind() == "use_declaration" || body_less) {
                let text = &self.src[head];
                unit.key = Some(text.split("::").map(|s| s.trim().to_string()).collect());
            }
        }
    }

    /// A unit of whole lines when it is alone on them (its attributes and
    /// comments above it included), else the node.
    fn line_unit(&self, node: Node, kind: UnitKind, head: Range<usize>, out: &mut RustUnits) {
        let src = self.src;
        let start = lead_start(src, node);
        let before = &src[line_start(src, start)..start];
        let end = node.end_byte();
        let rest_end = line_end(src, end.saturating_sub(1).max(start));
        let rest = &src[end..rest_end];
        let after = rest.trim_start().strip_prefix([',', ';']).unwrap_or(rest.trim_start());
        let alone = before.trim().is_empty() && after.trim().is_empty();
        let separated = rest.trim_start().starts_with(',')
            || src[..end].ends_with(',')
            || !matches!(kind, UnitKind::Arm | UnitKind::Field | UnitKind::Member);
        // An arm whose body is a block needs no comma.
        let separated = separated || src[..end].ends_with('}') && kind == UnitKind::Arm;
        let (span, lines) = if alone { (line_start(src, start)..rest_end, true) } else { (node.byte_range(), false) };
        out.units.push(Unit { kind, span, lines, head, separated, around: None, key: None, list: None });
    }

    /// The units in the arguments of a macro call written as expressions
    /// (`assert_eq!(a, Config { .. })`, `vec![..]`): the arguments parsed
    /// again as a call's, their lines and columns kept, and each unit found
    /// there taken back to where it is. Only arguments that hold a brace,
    /// the only units' there: a struct literal, a block, a match.
    fn macro_units(&self, node: Node, out: &mut RustUnits) {
        const OPEN: &str = "fn f() {\ng(\n";
        let Some(args) = node.named_children(&mut node.walk()).find(|c| c.kind() == "token_tree") else { return };
        let text = self.text(args);
        if !(text.starts_with('(') || text.starts_with('[')) || !text[1..].contains('{') {
            return;
        }
        let inner = args.start_byte() + 1..args.end_byte() - 1;
        let line = line_start(self.src, inner.start);
        let mut wrapper = String::with_capacity(OPEN.len() + inner.end - line + 4);
        wrapper.push_str(OPEN);
        wrapper.extend(self.src[line..inner.start].chars().map(|c| if c == '\t' { c } else { ' ' }));
        // Columns in bytes: a wide character before the arguments is spaces.
        let pad = (inner.start - line).saturating_sub(wrapper.len() - OPEN.len());
        wrapper.extend(std::iter::repeat_n(' ', pad));
        wrapper.push_str(&self.src[inner.clone()]);
        wrapper.push_str("\n);\n}\n");
        let Some(tree) = parse(&wrapper).filter(|t| !t.root_node().has_error()) else { return };
        let reader = Reader { src: &wrapper, crates: self.crates, imported: self.imported };
        let mut found = RustUnits::default();
        reader.walk(tree.root_node(), false, &mut found);
        // Wrapper offset `at` is `at + line - OPEN.len()` in the file.
        let back = |r: &Range<usize>| r.start + line - OPEN.len()..r.end + line - OPEN.len();
        for unit in found.units {
            // Not the macro's own first line, blank in the wrapper.
            let first_line = unit.lines && unit.span.start == OPEN.len();
            if unit.span.start < OPEN.len() || unit.span.end > OPEN.len() + inner.end - line || first_line {
                continue;
            }
            out.units.push(Unit {
                span: back(&unit.span),
                head: back(&unit.head),
                around: unit.around.as_ref().map(back),
                ..unit
            });
        }
    }

    /// An element `head` of a list `around` (`feature = "a"` of
    /// `any(..)`): its lines where it is alone on them (one a line, as
    /// rustfmt breaks a long list), else itself.
    fn element(&self, kind: UnitKind, head: Range<usize>, around: Range<usize>) -> Unit {
        let src = self.src;
        let rest_end = line_end(src, head.end - 1);
        let rest = src[head.end..rest_end].trim();
        let alone = src[line_start(src, head.start)..head.start].trim().is_empty()
            && rest.trim_start_matches(',').trim().is_empty();
        let (span, lines) = if alone { (line_start(src, head.start)..rest_end, true) } else { (head.clone(), false) };
        Unit {
            kind,
            span,
            lines,
            head,
            separated: !alone || rest.starts_with(','),
            around: Some(around),
            key: None,
            list: None,
        }
    }

    /// The elements of the `use` lists under `node`, each with its path's
    /// segments as its key (rustfmt orders a list by them).
    fn use_elements(&self, node: Node, out: &mut RustUnits) {
        let src = self.src;
        if node.kind() == "use_list" {
            let mut cursor = node.walk();
            for element in node.named_children(&mut cursor) {
                let head = element.byte_range();
                let mut unit = self.element(UnitKind::UseElement, head.clone(), node.byte_range());
                unit.key = Some(src[head].split("::").map(|s| s.trim().to_string()).collect());
                unit.list = Some(node.start_byte());
                out.units.push(unit);
            }
        }
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            self.use_elements(child, out);
        }
    }

    /// The arguments of a macro call written one a line: each a unit of
    /// its lines.
    fn macro_arguments(&self, node: Node, out: &mut RustUnits) {
        let src = self.src;
        let Some(args) = node.named_children(&mut node.walk()).find(|c| c.kind() == "token_tree") else { return };
        let mut cursor = args.walk();
        let tokens: Vec<Node> = args.children(&mut cursor).collect();
        let inner = tokens.get(1..tokens.len().saturating_sub(1)).unwrap_or(&[]);
        let mut units = Vec::new();
        for element in inner.split(|t| self.text(*t) == ",") {
            let (Some(first), Some(last)) = (element.first(), element.last()) else { continue };
            let (start, end) = (first.start_byte(), last.end_byte());
            let line = line_start(src, start);
            let rest_end = line_end(src, end - 1);
            let rest = src[end..rest_end].trim();
            let comma = rest.starts_with(',');
            if !src[line..start].trim().is_empty() || !rest.trim_start_matches(',').trim().is_empty() {
                return;
            }
            units.push(Unit {
                kind: UnitKind::MacroArgument,
                span: line..rest_end,
                lines: true,
                head: start..end,
                separated: comma,
                around: None,
                key: None,
                list: Some(args.start_byte()),
            });
        }
        if units.len() >= 2 {
            out.units.extend(units);
        }
    }

    /// A link of a method chain that starts its own line: `.or_else(..)`
    /// in `a.map(..)\n    .or_else(..)`, from the end of what it is
    /// called on to its closing parenthesis.
    fn link(&self, node: Node, out: &mut RustUnits) {
        let src = self.src;
        let Some(function) = node.child_by_field_name("function").filter(|f| f.kind() == "field_expression") else {
            return;
        };
        let (Some(value), Some(arguments)) =
            (function.child_by_field_name("value"), node.child_by_field_name("arguments"))
        else {
            return;
        };
        let dot = src[value.end_byte()..function.end_byte()].find('.').map(|i| value.end_byte() + i);
        let Some(dot) = dot else { return };
        if !src[line_start(src, dot)..dot].trim().is_empty() {
            return;
        }
        out.units.push(Unit {
            kind: UnitKind::Link,
            span: value.end_byte()..node.end_byte(),
            lines: false,
            head: arguments.byte_range(),
            separated: true,
            around: Some(value.byte_range()),
            key: None,
            list: None,
        });
    }

    /// The elements of a `cfg(any(..))` list (in an attribute or `cfg!`):
    /// the tokens between its commas.
    fn any_elements(&self, node: Node, out: &mut RustUnits) {
        let is_any = node.prev_sibling().is_some_and(|p| p.kind() == "identifier" && self.text(p) == "any");
        if !is_any {
            return;
        }
        let mut cursor = node.walk();
        let tokens: Vec<Node> = node.children(&mut cursor).collect();
        let inner = tokens.get(1..tokens.len().saturating_sub(1)).unwrap_or(&[]);
        for element in inner.split(|t| self.text(*t) == ",") {
            if let (Some(first), Some(last)) = (element.first(), element.last()) {
                let head = first.start_byte()..last.end_byte();
                out.units.push(self.element(UnitKind::AnyElement, head, node.byte_range()));
            }
        }
    }

    /// The tables of a raw string that holds TOML, each from its header
    /// line to its last line that is not blank.
    fn toml_tables(&self, node: Node, out: &mut RustUnits) {
        let text = self.text(node);
        let (Some(open), Some(close)) = (text.find('"'), text.rfind('"')) else { return };
        if open >= close {
            return;
        }
        let body_at = node.start_byte() + open + 1;
        for (table, header) in super::prose::toml_tables(&text[open + 1..close]) {
            out.units.push(Unit {
                kind: UnitKind::TomlTable,
                span: body_at + table.start..body_at + table.end,
                lines: true,
                head: body_at + header.start..body_at + header.end,
                separated: true,
                around: None,
                key: None,
                list: None,
            });
        }
    }
}

/// Where a node's lead starts: the attributes and comments right above it
/// (siblings on the lines before, no blank line between), else itself.
fn lead_start(src: &str, node: Node) -> usize {
    let mut start = node.start_byte();
    let mut prev = node.prev_sibling();
    while let Some(p) = prev.filter(|p| matches!(p.kind(), "attribute_item" | "line_comment" | "block_comment")) {
        let between = &src[p.end_byte()..start];
        // The comment's own newline is in its node; one line break at most.
        if between.matches('\n').count() + usize::from(src[..p.end_byte()].ends_with('\n')) > 1
            || !between.trim().is_empty()
            || !src[line_start(src, p.start_byte())..p.start_byte()].trim().is_empty()
        {
            break;
        }
        start = p.start_byte();
        prev = p.prev_sibling();
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r##"use opendal::services::Oss;
#[cfg(feature = "oss")]
use crate::cache::oss::OSSCache;

/// The config.
#[derive(Debug)]
pub struct OSSCacheConfig {
    pub bucket: String,
}

pub enum CacheType {
    Webdav(W),
    /// Alibaba's.
    OSS(OSSCacheConfig),
}

#[cfg(any(feature = "webdav", feature = "oss"))]
fn f(c: CacheType) {
    let b = Oss::default();
    let t = webdav
        .map(CacheType::Webdav)
        .or_else(|| oss.map(CacheType::OSS));
    match c {
        #[cfg(feature = "oss")]
        CacheType::OSS(c) => {
            OSSCache::build(&c.bucket);
        }
        _ => {}
    }
    // ======= OSS =======
    let oss = Some(1);

    if oss.is_some() {
        x.oss = oss;
    }
    let c = CacheConfigs { disk, oss: None };
    const T: &str = r#"
[cache.oss]
bucket = "b"
"#;
}
"##;

    fn crates() -> BTreeSet<String> {
        ["opendal", "std"].iter().map(|s| s.to_string()).collect()
    }

    fn units(kind: UnitKind) -> Vec<String> {
        let read = read(SRC, &crates()).unwrap();
        read.units.iter().filter(|u| u.kind == kind).map(|u| SRC[u.span.clone()].to_string()).collect()
    }

    #[test]
    fn units_of_each_kind() {
        let items = units(UnitKind::Item);
        assert!(items.contains(&"#[cfg(feature = \"oss\")]\nuse crate::cache::oss::OSSCache;\n".to_string()));
        assert!(items.iter().any(|i| i.starts_with("/// The config.\n#[derive(Debug)]\npub struct OSSCacheConfig {")));
        assert!(units(UnitKind::Member).contains(&"    /// Alibaba's.\n    OSS(OSSCacheConfig),\n".to_string()));
        let arm = "        #[cfg(feature = \"oss\")]\n        CacheType::OSS(c) => {\n            OSSCache::build(&c.bucket);\n        }\n";
        assert!(units(UnitKind::Arm).contains(&arm.to_string()));
        let statements = units(UnitKind::Statement);
        assert!(statements.contains(&"    // ======= OSS =======\n    let oss = Some(1);\n".to_string()));
        assert!(statements.contains(&"    if oss.is_some() {\n        x.oss = oss;\n    }\n".to_string()));
        assert!(units(UnitKind::Field).contains(&"oss: None".to_string()), "inline: the node");
        assert!(units(UnitKind::Link).contains(&"\n        .or_else(|| oss.map(CacheType::OSS))".to_string()));
        assert_eq!(units(UnitKind::AnyElement), ["feature = \"webdav\"", "feature = \"oss\""]);
        assert_eq!(units(UnitKind::TomlTable), ["[cache.oss]\nbucket = \"b\"\n"]);
    }

    #[test]
    fn units_in_macro_arguments_are_where_they_are() {
        let src = "fn t() {\n    assert_eq!(\n        x,\n        Configs {\n            webdav: None,\n            oss: Some(1),\n        }\n    );\n    let s = concat!(\n        \"a\",\n        cfg!(feature = \"oss\"),\n        \"b\"\n    );\n    #[cfg(any(\n        feature = \"webdav\",\n        feature = \"oss\"\n    ))]\n    f();\n}\n";
        let read = read(src, &crates()).unwrap();
        let of = |kind: UnitKind| -> Vec<&str> {
            read.units.iter().filter(|u| u.kind == kind).map(|u| &src[u.span.clone()]).collect()
        };
        // A struct literal in assert_eq!'s arguments: its fields, in place.
        assert_eq!(of(UnitKind::Field), ["            webdav: None,\n", "            oss: Some(1),\n"]);
        // The arguments of a macro written one a line; the last has no comma.
        let arguments = of(UnitKind::MacroArgument);
        assert_eq!(
            arguments[arguments.len() - 3..],
            ["        \"a\",\n", "        cfg!(feature = \"oss\"),\n", "        \"b\"\n"]
        );
        let last = read.units.iter().rfind(|u| u.kind == UnitKind::MacroArgument).unwrap();
        assert!(!last.separated);
        // A cfg(any(..)) list one a line: each element its line.
        let elements: Vec<&str> = of(UnitKind::AnyElement);
        assert_eq!(elements, ["        feature = \"webdav\",\n", "        feature = \"oss\"\n"]);
        assert!(!read.units.iter().rfind(|u| u.kind == UnitKind::AnyElement).unwrap().separated);
    }

    #[test]
    fn another_crates_names_are_told_apart() {
        let read = read(SRC, &crates()).unwrap();
        let of = |kind: Piece| -> Vec<&str> {
            read.pieces.iter().filter(|(_, k)| *k == kind).map(|(r, _)| &SRC[r.clone()]).collect()
        };
        let external = of(Piece::External);
        assert!(external.starts_with(&["opendal", "services", "Oss"]), "{external:?}");
        assert!(external.contains(&"Oss"), "the name the use brought in, used bare");
        let names = of(Piece::Name);
        assert!(names.contains(&"OSSCache") && names.contains(&"OSS") && names.contains(&"oss"));
        let used = read.uses.iter().find(|u| u.names == ["OSSCache"]).unwrap();
        assert_eq!(used.modules, ["cache", "oss"]);
        assert!(read.declared.contains("OSSCacheConfig") && read.declared.contains("f"));
    }
}
