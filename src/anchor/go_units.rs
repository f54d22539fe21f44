//! A Go file as `--like` reads it: the texts a rename may touch (each
//! identifier, string and comment, a package qualifier told apart) and the
//! units a wiring is made of (an import spec, a case clause, a top-level
//! declaration with its doc comment, a spec of a `var` block), each with
//! the lines it spans. Parsed whole with tree-sitter-go.

use std::ops::Range;

use tree_sitter::Node;

/// What a piece of text is.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// A name the file declares or uses (not a package qualifier).
    Name,
    /// The package operand of a selector, `sftp` in `sftp.Client`.
    Qualifier,
    /// The operand of a selector that is a local of an imported package's
    /// name, which shadows the package there (`sftp.c` where `sftp *SFTP`
    /// is a parameter).
    Local,
    /// What a selector selects, `Client` in `sftp.Client`: another
    /// package's name when its qualifier is that package.
    Member,
    /// The path of an import spec, quotes included.
    ImportPath,
    /// An integer that is the length of a string literal, where the code
    /// cuts that prefix off (`s = s[5:]` under `case strings.HasPrefix(s,
    /// "sftp:")`): the literal's span.
    PrefixLength(Range<usize>),
    /// A string literal elsewhere, quotes included.
    Text,
    Comment,
}

/// The kinds of unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UnitKind {
    Import,
    Case,
    Decl,
    VarSpec,
    /// A statement of a function body on a line of its own
    /// (`backends.Register(sftp.NewFactory())`).
    Statement,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: UnitKind,
    /// Whole lines: from the start of its first line (its doc comment's,
    /// for a declaration) to after its last line's newline.
    pub lines: Range<usize>,
    /// What names the unit: the case values, the declared name, the
    /// import path, the spec's names.
    pub head: Range<usize>,
    /// A `var` block's: each spec's name.
    pub names: Vec<Range<usize>>,
}

pub struct GoUnits {
    pub pieces: Vec<(Range<usize>, Piece)>,
    pub units: Vec<Unit>,
    /// Each import: its name (alias or last path part) and path.
    pub imports: Vec<(String, String)>,
}

fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(src: &str, at: usize) -> usize {
    super::line_end(src, at)
}

/// After the line a node ends on (its trailing newline aside: a case
/// clause's node may end at the start of the next line).
fn end_line(src: &str, end: usize) -> usize {
    let end = src[..end].trim_end().len();
    line_end(src, end.saturating_sub(1))
}

/// Reads `src`; `None` when it does not parse cleanly.
pub fn read(src: &str) -> Option<GoUnits> {
    let tree = super::go::parse(src)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut out = GoUnits { pieces: Vec::new(), units: Vec::new(), imports: Vec::new() };
    walk(src, root, &mut out);
    out.pieces.sort_by_key(|(r, _)| r.start);
    Some(out)
}

fn walk(src: &str, node: Node, out: &mut GoUnits) {
    let text = |n: Node| &src[n.byte_range()];
    match node.kind() {
        "import_spec" => {
            if let Some(path) = node.child_by_field_name("path") {
                out.pieces.push((path.byte_range(), Piece::ImportPath));
                let path_text = text(path).trim_matches(['"', '`']).to_string();
                let name = match node.child_by_field_name("name") {
                    Some(name) => text(name).to_string(),
                    None => super::go::assumed_name(&path_text).to_string(),
                };
                out.imports.push((name, path_text));
                out.units.push(Unit {
                    kind: UnitKind::Import,
                    lines: line_start(src, node.start_byte())..end_line(src, node.end_byte()),
                    head: path.byte_range(),
                    names: Vec::new(),
                });
            }
            if let Some(name) = node.child_by_field_name("name") {
                out.pieces.push((name.byte_range(), Piece::Name));
            }
            return;
        }
        "comment" => {
            out.pieces.push((node.byte_range(), Piece::Comment));
            return;
        }
        "interpreted_string_literal" | "raw_string_literal" => {
            out.pieces.push((node.byte_range(), Piece::Text));
            return;
        }
        "identifier" | "type_identifier" | "field_identifier" | "package_identifier" => {
            out.pieces.push((node.byte_range(), Piece::Name));
            return;
        }
        "selector_expression" | "qualified_type" => {
            let operand = node.child_by_field_name("operand").or_else(|| node.child_by_field_name("package"));
            if let Some(operand) = operand.filter(|o| matches!(o.kind(), "identifier" | "package_identifier")) {
                let name = text(operand);
                let local = out.imports.iter().any(|(n, _)| n == name) && shadowed(src, node, name);
                out.pieces.push((operand.byte_range(), if local { Piece::Local } else { Piece::Qualifier }));
                let member = node.child_by_field_name("field").or_else(|| node.child_by_field_name("name"));
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    if Some(child.id()) == member.map(|m| m.id()) {
                        out.pieces.push((child.byte_range(), Piece::Member));
                    } else if child.id() != operand.id() {
                        walk(src, child, out);
                    }
                }
                return;
            }
        }
        "expression_case" | "type_case" => {
            let values = node.child_by_field_name("value").or_else(|| node.child_by_field_name("type"));
            let head_end = values.map_or(node.start_byte(), |_| {
                // The values run from `case` to the colon.
                src[node.start_byte()..node.end_byte()].find(':').map_or(node.end_byte(), |i| node.start_byte() + i)
            });
            out.units.push(Unit {
                kind: UnitKind::Case,
                lines: line_start(src, node.start_byte())..end_line(src, node.end_byte()),
                head: node.start_byte()..head_end,
                names: Vec::new(),
            });
        }
        "function_declaration" | "method_declaration" | "type_declaration" | "const_declaration"
            if node.parent().is_some_and(|p| p.kind() == "source_file") =>
        {
            let name = match node.kind() {
                "type_declaration" => node.named_child(0).and_then(|s| s.child_by_field_name("name")),
                "const_declaration" => node.named_child(0).and_then(|s| s.child_by_field_name("name")),
                _ => node.child_by_field_name("name"),
            };
            // A grouped `const (..)` or `type (..)`: each spec's name.
            let mut names = Vec::new();
            if matches!(node.kind(), "type_declaration" | "const_declaration") {
                let mut cursor = node.walk();
                for spec in node.named_children(&mut cursor) {
                    names.extend(spec.child_by_field_name("name").map(|n| n.byte_range()));
                }
            }
            if names.len() < 2 {
                names.clear();
            }
            if let Some(name) = name {
                out.units.push(Unit {
                    kind: UnitKind::Decl,
                    lines: doc_start(src, node)..end_line(src, node.end_byte()),
                    head: name.byte_range(),
                    names,
                });
            }
        }
        "var_declaration" if node.parent().is_some_and(|p| p.kind() == "source_file") => {
            let mut names = Vec::new();
            collect_spec_names(node, &mut names);
            if let Some(first) = names.first().cloned() {
                out.units.push(Unit {
                    kind: UnitKind::Decl,
                    lines: doc_start(src, node)..end_line(src, node.end_byte()),
                    head: first,
                    names,
                });
            }
        }
        "expression_statement" | "assignment_statement" => {
            let lines = line_start(src, node.start_byte())..end_line(src, node.end_byte());
            let one_line = !text(node).contains('\n');
            let alone = src[lines.clone()].trim() == text(node).trim();
            if one_line && alone && node.parent().is_some_and(|p| matches!(p.kind(), "statement_list" | "block")) {
                out.units.push(Unit { kind: UnitKind::Statement, lines, head: node.byte_range(), names: Vec::new() });
            }
        }
        "slice_expression" => {
            if let Some(literal) = prefix_cut(src, node)
                && let Some(start) = node.child_by_field_name("start")
            {
                out.pieces.push((start.byte_range(), Piece::PrefixLength(literal)));
            }
        }
        "var_spec" => {
            // A spec of a parenthesized block, alone on its lines.
            let declaration =
                node.parent().and_then(|p| if p.kind() == "var_spec_list" { p.parent() } else { Some(p) });
            let in_block = declaration.is_some_and(|p| p.kind() == "var_declaration" && text(p).contains('('));
            if in_block && let Some(name) = node.child_by_field_name("name") {
                out.units.push(Unit {
                    kind: UnitKind::VarSpec,
                    lines: doc_start(src, node)..end_line(src, node.end_byte()),
                    head: name.byte_range(),
                    names: Vec::new(),
                });
            }
        }
        _ => {}
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(src, child, out);
    }
}

/// The string literal whose length a slice's start is, where the slice
/// cuts that prefix off its operand (`s[5:]`) under a `case` or `if` that
/// tests it (`strings.HasPrefix(s, "sftp:")`).
fn prefix_cut(src: &str, slice: Node) -> Option<Range<usize>> {
    let operand = &src[slice.child_by_field_name("operand")?.byte_range()];
    let start = slice.child_by_field_name("start").filter(|s| s.kind() == "int_literal")?;
    let n: usize = src[start.byte_range()].parse().ok()?;
    let mut at = slice.parent();
    while let Some(node) = at {
        let test = match node.kind() {
            "expression_case" => node.child_by_field_name("value"),
            "if_statement" => node.child_by_field_name("condition"),
            "function_declaration" | "method_declaration" | "func_literal" => return None,
            _ => None,
        };
        if let Some(test) = test {
            let text = &src[test.byte_range()];
            let call = "strings.HasPrefix(";
            if let Some(i) = text.find(call) {
                let args = &text[i + call.len()..];
                let (first, rest) = args.split_once(',')?;
                let rest = rest.trim_start();
                if first.trim() == operand && rest.starts_with('"') {
                    let close = rest[1..].find('"')? + 1;
                    let literal = &rest[..=close];
                    let from = test.start_byte() + i + call.len() + (args.len() - rest.len());
                    return (literal.len() - 2 == n).then_some(from..from + literal.len());
                }
            }
        }
        at = node.parent();
    }
    None
}

/// Whether `name` is declared as a local where `node` is: a parameter or
/// receiver of an enclosing function, a variable of an enclosing block
/// declared before it, or one an enclosing `if`, `for` or `switch`
/// header declares.
fn shadowed(src: &str, node: Node, name: &str) -> bool {
    let at = node.start_byte();
    let declares = |n: Node| -> bool {
        // The names a declaration binds: identifiers on its left.
        let left = match n.kind() {
            "short_var_declaration" => n.child_by_field_name("left"),
            "var_declaration" | "var_spec" | "parameter_declaration" | "range_clause" => Some(n),
            _ => None,
        };
        let Some(left) = left else { return false };
        let mut cursor = left.walk();
        match left.kind() {
            "expression_list" => left.named_children(&mut cursor).any(|c| &src[c.byte_range()] == name),
            "range_clause" => left
                .child_by_field_name("left")
                .is_some_and(|l| l.named_children(&mut l.walk()).any(|c| &src[c.byte_range()] == name)),
            _ => {
                let mut names = Vec::new();
                collect_bound(left, &mut names);
                names.iter().any(|r| &src[r.clone()] == name)
            }
        }
    };
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "function_declaration" | "method_declaration" | "func_literal" => {
                for field in ["receiver", "parameters", "result"] {
                    if let Some(list) = parent.child_by_field_name(field) {
                        let mut cursor = list.walk();
                        if list.named_children(&mut cursor).any(declares) {
                            return true;
                        }
                    }
                }
                if parent.kind() != "func_literal" {
                    return false;
                }
            }
            "block" | "statement_list" => {
                let mut cursor = parent.walk();
                let earlier = parent.named_children(&mut cursor).filter(|c| c.end_byte() <= at);
                if earlier.into_iter().any(|c| declares(c) || c.kind() == "var_declaration" && declares(c)) {
                    return true;
                }
            }
            "if_statement" | "for_statement" | "expression_switch_statement" | "type_switch_statement" => {
                let header = ["initializer", "body"].iter().filter_map(|f| parent.child_by_field_name(f)).next();
                let mut cursor = parent.walk();
                let in_header = parent
                    .named_children(&mut cursor)
                    .filter(|c| Some(c.id()) != header.filter(|h| h.kind() == "block").map(|h| h.id()))
                    .any(|c| c.end_byte() <= at && declares(c) || c.kind() == "range_clause" && declares(c));
                if in_header {
                    return true;
                }
            }
            _ => {}
        }
        current = parent;
    }
    false
}

/// The names a `var` declaration or a parameter binds.
fn collect_bound(node: Node, names: &mut Vec<Range<usize>>) {
    match node.kind() {
        "parameter_declaration" | "var_spec" => {
            let mut cursor = node.walk();
            for name in node.children_by_field_name("name", &mut cursor) {
                names.push(name.byte_range());
            }
        }
        _ => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect_bound(child, names);
            }
        }
    }
}

/// The names of the `var_spec`s under `node`.
fn collect_spec_names(node: Node, names: &mut Vec<Range<usize>>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "var_spec" => names.extend(child.child_by_field_name("name").map(|n| n.byte_range())),
            "var_spec_list" => collect_spec_names(child, names),
            _ => {}
        }
    }
}

/// The start of the line of `node`'s doc comment (the comment lines right
/// above it), or of its own first line.
fn doc_start(src: &str, node: Node) -> usize {
    let mut start = line_start(src, node.start_byte());
    let mut prev = node.prev_sibling();
    while let Some(p) = prev.filter(|p| p.kind() == "comment") {
        let p_end_line = line_end(src, p.end_byte());
        if p_end_line != start || !src[line_start(src, p.start_byte())..p.start_byte()].trim().is_empty() {
            break;
        }
        start = line_start(src, p.start_byte());
        prev = p.prev_sibling();
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/m/sftp\"\n)\n\nvar (\n\t// host\n\tsftpHost = \"\"\n\tother = 1\n)\n\n// newSFTP makes one.\nfunc newSFTP() *sftp.Client {\n\tswitch x {\n\tcase \"sftp\":\n\t\treturn nil\n\tdefault:\n\t}\n\treturn nil\n}\n";

    #[test]
    fn units_and_pieces() {
        let g = read(SRC).unwrap();
        let kinds: Vec<(UnitKind, &str)> = g.units.iter().map(|u| (u.kind, &SRC[u.head.clone()])).collect();
        assert!(kinds.contains(&(UnitKind::Import, "\"example.com/m/sftp\"")));
        assert!(kinds.contains(&(UnitKind::VarSpec, "sftpHost")));
        assert!(kinds.contains(&(UnitKind::Decl, "newSFTP")));
        assert!(kinds.contains(&(UnitKind::Case, "case \"sftp\"")));
        let decl = g.units.iter().find(|u| u.kind == UnitKind::Decl && &SRC[u.head.clone()] == "newSFTP").unwrap();
        assert!(SRC[decl.lines.clone()].starts_with("// newSFTP makes one.\nfunc"));
        assert!(SRC[decl.lines.clone()].ends_with("return nil\n}\n"));
        let block = g.units.iter().find(|u| u.kind == UnitKind::Decl && !u.names.is_empty()).unwrap();
        assert_eq!(block.names.iter().map(|n| &SRC[n.clone()]).collect::<Vec<_>>(), ["sftpHost", "other"]);
        let case = g.units.iter().find(|u| u.kind == UnitKind::Case).unwrap();
        assert_eq!(&SRC[case.lines.clone()], "\tcase \"sftp\":\n\t\treturn nil\n", "not the default: after it");
        let spec = g.units.iter().find(|u| u.kind == UnitKind::VarSpec && &SRC[u.head.clone()] == "sftpHost").unwrap();
        assert_eq!(&SRC[spec.lines.clone()], "\t// host\n\tsftpHost = \"\"\n");
        let qualifier = g.pieces.iter().find(|(_, p)| *p == Piece::Qualifier).unwrap();
        assert_eq!(&SRC[qualifier.0.clone()], "sftp");
        assert!(g.imports.contains(&("sftp".to_string(), "example.com/m/sftp".to_string())));
    }
}
