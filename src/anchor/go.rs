//! Go source, located by tree-sitter-go.
//!
//! Parsing a 2,000-line `main.go` whole costs more than our entire time
//! budget, so a file is first cut into its top-level declarations: gofmt
//! starts each one at column 0 (`func `, `type `, `import (` ...). Only the
//! declarations that hold an anchor are handed to the parser. If a cut is
//! wrong (a raw string holding a line that starts with `func `), that slice
//! fails to parse cleanly and the whole file is parsed instead, so the
//! shortcut never changes an answer.

use foldhash::HashMap;
use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use anyhow::{Result, anyhow, bail};
use tree_sitter::{Node, Parser, Tree};

/// A Go source file and the top-level declarations found in it.
pub struct GoFile<'a> {
    pub path: &'a str,
    pub src: &'a str,
    decls: Rc<Vec<Decl>>,
    /// Starts of the lines that begin in code (not in a comment or a raw string).
    code_lines: Rc<Vec<usize>>,
    whole: Rc<OnceCell<Option<Tree>>>,
    /// Each piece parsed so far, by its byte range: one parse serves every
    /// query about it (a tree is reference-counted, so cheap to hand out).
    pieces: Rc<Pieces>,
}

/// The pieces of a file parsed so far, by byte range.
type Pieces = RefCell<HashMap<(usize, usize), Option<Tree>>>;

/// What a file's text gives, lexed and parsed: shared by every `GoFile`
/// of the same text in a run (a run looks at `main.go` from several
/// places: the facts, the name checks, the patches).
#[derive(Clone)]
struct Shared {
    decls: Rc<Vec<Decl>>,
    code_lines: Rc<Vec<usize>>,
    whole: Rc<OnceCell<Option<Tree>>>,
    pieces: Rc<Pieces>,
}

impl Shared {
    /// The text's, lexed once a run: the last few texts are kept (each
    /// with a copy of its text, compared whole, so a changed file is
    /// lexed again).
    fn of(src: &str) -> Shared {
        const KEEP: usize = 12;
        thread_local! {
            static SEEN: RefCell<Vec<(Box<str>, Shared)>> = const { RefCell::new(Vec::new()) };
        }
        SEEN.with_borrow_mut(|seen| {
            if let Some((_, shared)) = seen.iter().find(|(text, _)| **text == *src) {
                return shared.clone();
            }
            let shared = Shared::lexed(src);
            if seen.len() == KEEP {
                seen.remove(0);
            }
            seen.push((src.into(), shared.clone()));
            shared
        })
    }

    fn lexed(src: &str) -> Shared {
        let code_lines = code_line_starts(src);
        Shared {
            decls: Rc::new(split_decls(src, &code_lines)),
            code_lines: Rc::new(code_lines),
            whole: Rc::default(),
            pieces: Rc::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum DeclKind {
    Import,
    Func,
    /// A method; `recv` holds its receiver's type name.
    Method,
    Type,
    Var,
    Const,
}

#[derive(Debug, Clone)]
struct Decl {
    kind: DeclKind,
    /// The function, method or type name; empty for `var`, `const`, `import`.
    name: String,
    /// A method's receiver type (`ReplicaSettings` for `func (rs *ReplicaSettings) ...`).
    recv: String,
    start: usize,
    end: usize,
}

/// One line of an import block.
#[derive(Debug, Clone)]
pub struct Import {
    /// The name the file uses for the package: its alias, or the name goimports assumes.
    pub name: String,
    pub path: String,
    /// Whether it has an explicit alias (`sftpserver "github.com/pkg/sftp"`).
    pub aliased: bool,
    /// Start of the spec's line.
    pub line_start: usize,
}

/// The cases of a `switch`.
#[derive(Debug)]
pub struct Switch {
    /// Values of each `case`, as written (`"file"`, `*file.ReplicaClient`).
    pub case_values: Vec<String>,
    /// Start of the `default:` line.
    pub default_line: usize,
    /// The function called by the first statement of `default:`
    /// (`slogWith.Info`), if it is a call.
    pub default_call: Option<String>,
    /// The variable a type switch binds (`client` in `switch client := x.(type)`).
    pub alias: Option<String>,
    /// Each `case` clause: its values and its lines, up to the next clause.
    pub clauses: Vec<(Vec<String>, std::ops::Range<usize>)>,
}

/// A field of a struct type.
#[derive(Debug, Clone)]
pub struct StructField {
    pub name: String,
    pub type_text: String,
    /// The key of its `yaml:"..."` tag, if any.
    pub yaml_key: Option<String>,
}

/// A struct type declaration.
#[derive(Debug)]
pub struct Struct {
    pub fields: Vec<StructField>,
    /// Start of the line holding the closing brace.
    pub close_line: usize,
}

/// A method of an interface type, its signature as written.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodSpec {
    pub name: String,
    /// The parameter list with its parentheses: `(ctx context.Context, level int)`.
    pub params: String,
    /// The result, `(ltx.FileIterator, error)`, `error`, or empty.
    pub result: String,
    /// Each parameter's type, one per parameter name.
    pub param_types: Vec<String>,
    /// Each result's type.
    pub result_types: Vec<String>,
}

/// A function or method body.
#[derive(Debug)]
pub struct Body {
    /// Start of the line holding the closing brace.
    pub close_line: usize,
    /// Byte offset just past the closing brace.
    pub end: usize,
    /// Names of the parameters, receiver first for a method.
    pub param_names: Vec<String>,
}

impl<'a> GoFile<'a> {
    pub fn new(path: &'a str, src: &'a str) -> GoFile<'a> {
        let Shared { decls, code_lines, whole, pieces } = Shared::of(src);
        GoFile { path, src, decls, code_lines, whole, pieces }
    }

    /// As `new`, for a text asked about once (rendered Go, tidied): lexed
    /// without being kept for the rest of the run.
    pub fn once(path: &'a str, src: &'a str) -> GoFile<'a> {
        let Shared { decls, code_lines, whole, pieces } = Shared::lexed(src);
        GoFile { path, src, decls, code_lines, whole, pieces }
    }

    /// The imports of the file's (first) import block.
    pub fn imports(&self) -> Result<Vec<Import>> {
        Ok(self.import_block()?.1)
    }

    /// The byte range of the (first) import declaration, and its imports.
    /// Whether the file has an `import` declaration.
    pub fn has_imports(&self) -> bool {
        self.decls.iter().any(|d| d.kind == DeclKind::Import)
    }

    pub fn import_block(&self) -> Result<(std::ops::Range<usize>, Vec<Import>)> {
        let decl = self.import_decl()?;
        if let Some(block) = self.plain_import_block(decl) {
            return Ok(block);
        }
        self.parsed_import_block(decl)
    }

    fn parsed_import_block(&self, decl: &Decl) -> Result<(std::ops::Range<usize>, Vec<Import>)> {
        self.with_decl(decl, "import_declaration", |node, text, base| {
            let mut imports = Vec::new();
            collect(node, "import_spec", &mut |spec| {
                let path_node = spec.child_by_field_name("path")?;
                let path = node_text(path_node, text).trim_matches(['"', '`']).to_string();
                let alias = spec.child_by_field_name("name");
                let name = match alias {
                    Some(alias) => node_text(alias, text).to_string(),
                    None => assumed_name(&path).to_string(),
                };
                let line_start = super::line_start(self.src, base + spec.start_byte());
                imports.push(Import { name, path, aliased: alias.is_some(), line_start });
                Some(())
            });
            Ok((base + node.start_byte()..base + node.end_byte(), imports))
        })
    }

    /// An import block as gofmt writes one, read without the parser:
    /// `import (`, lines of `"path"` or `name "path"` (and blank lines),
    /// `)`. `None` for anything else (a comment, a single import, an
    /// escape in a path), which the parser then reads.
    fn plain_import_block(&self, decl: &Decl) -> Option<(std::ops::Range<usize>, Vec<Import>)> {
        let text = &self.src[decl.start..decl.end];
        let body_start = decl.start + text.find('\n')? + 1;
        if self.src[decl.start..body_start].trim_end() != "import (" {
            return None;
        }
        let mut imports = Vec::new();
        let mut at = body_start;
        loop {
            let end = super::line_end(self.src, at);
            let line = self.src[at..end].trim_end_matches(['\n', '\r']);
            if line == ")" {
                return Some((decl.start..at + 1, imports));
            }
            let spec = line.trim();
            if !spec.is_empty() {
                let (alias, quoted) = match spec.split_once(' ') {
                    Some((alias, quoted)) => (Some(alias), quoted.trim()),
                    None => (None, spec),
                };
                let path = quoted.strip_prefix('"')?.strip_suffix('"')?;
                let plain = |s: &str| {
                    !s.is_empty()
                        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | '~' | '+'))
                };
                if !plain(path) || alias.is_some_and(|a| !(a == "_" || a == "." || plain(a) && !a.contains('/'))) {
                    return None;
                }
                let name = alias.map_or_else(|| assumed_name(path).to_string(), str::to_string);
                imports.push(Import { name, path: path.to_string(), aliased: alias.is_some(), line_start: at });
            }
            if end >= decl.end {
                return None;
            }
            at = end;
        }
    }

    /// The edit that imports `path` in sorted position within its group
    /// (the standard library, or the module `own` and its packages), or
    /// `None` when the file imports it already.
    pub fn import_edit(
        &self,
        imports: &[Import],
        path: &str,
        alias: Option<&str>,
        own: &str,
    ) -> Result<Option<super::super::plan::Edit>> {
        use super::super::plan::Edit;
        if let Some(existing) = imports.iter().find(|i| i.path == path) {
            let expected = alias.unwrap_or(assumed_name(path));
            // A blank import is done by any import of the package.
            if alias != Some("_") && existing.aliased && existing.name != expected {
                let how = alias.map_or("unaliased".to_string(), |a| format!("as {a}"));
                bail!("{}: imports {path:?} as {}; expected it {how}", self.path, existing.name);
            }
            return Ok(None);
        }
        let name = alias.unwrap_or(assumed_name(path));
        if name != "_"
            && let Some(clash) = imports.iter().find(|i| i.name == name)
        {
            bail!("{}: already imports {:?} as {name}, which {path:?} would clash with", self.path, clash.path);
        }
        let spec = match alias {
            Some(alias) => format!("{alias} {path:?}"),
            None => format!("{path:?}"),
        };
        let group = |p: &str| import_group(p, own);
        let same: Vec<&Import> = imports.iter().filter(|i| group(&i.path) == group(path)).collect();
        let line = |neighbour: usize| format!("{}{spec}\n", super::indentation(self.src, neighbour));
        if let Some(next) = same.iter().find(|i| i.path.as_str() > path) {
            return Ok(Some(Edit { at: next.line_start, text: line(next.line_start) }));
        }
        if let Some(last) = same.last() {
            return Ok(Some(Edit { at: super::line_end(self.src, last.line_start), text: line(last.line_start) }));
        }
        let first = imports.first().ok_or_else(|| anyhow!("{}: the import block is empty", self.path))?;
        if group(path) == 0 {
            // A new standard-library group opens the block.
            Ok(Some(Edit { at: first.line_start, text: format!("{}\n", line(first.line_start)) }))
        } else {
            bail!("{}: no import of {own} to place {path:?} next to", self.path)
        }
    }

    /// Names of the top-level functions, in file order (methods excluded).
    pub fn func_names(&self) -> impl Iterator<Item = &str> {
        self.decls.iter().filter(|d| d.kind == DeclKind::Func).map(|d| d.name.as_str())
    }

    /// Names of the top-level functions and types, as the cheap cut sees them.
    pub fn decl_names(&self) -> impl Iterator<Item = &str> {
        self.decls.iter().filter(|d| matches!(d.kind, DeclKind::Func | DeclKind::Type)).map(|d| d.name.as_str())
    }

    /// Whether the file declares function `name`: a declaration the parser
    /// confirms, not a line inside a raw string or comment.
    pub fn has_func(&self, name: &str) -> bool {
        self.find_decl(None, name).is_some() && self.body(None, name).is_ok()
    }

    /// The text of function `name`, from `func` to its closing brace.
    pub fn func_text(&self, name: &str) -> Option<&str> {
        self.method_text(None, name)
    }

    /// The text of method `recv`.`name` (or function `name`), from `func`
    /// to its closing brace.
    pub fn method_text(&self, recv: Option<&str>, name: &str) -> Option<&str> {
        let decl = self.find_decl(recv, name)?;
        let body = self.body(recv, name).ok()?;
        Some(&self.src[decl.start..body.end])
    }

    /// What removing top-level function `name` takes out: its lines, those
    /// of its doc comment, and the blank line before them.
    pub fn func_span(&self, name: &str) -> Option<std::ops::Range<usize>> {
        let decl = self.find_decl(None, name)?;
        let body = self.body(None, name).ok()?;
        Some(self.with_lead(decl.start)..super::line_end(self.src, body.end - 1))
    }

    /// The top-level `var` declarations: the names each declares, the span
    /// it takes out (from the comment lines above it to its line's end),
    /// and its own text.
    fn var_blocks(&self) -> Vec<(Vec<String>, std::ops::Range<usize>, std::ops::Range<usize>)> {
        let blocks = self.decls.iter().filter(|d| d.kind == DeclKind::Var);
        blocks
            .filter_map(|decl| {
                let (end, names) = self
                    .with_decl(decl, "var_declaration", |node, text, base| {
                        let mut names = Vec::new();
                        collect(node, "var_spec", &mut |spec| {
                            let mut cursor = spec.walk();
                            for name in spec.children_by_field_name("name", &mut cursor) {
                                names.push(node_text(name, text).to_string());
                            }
                            Some(())
                        });
                        Ok((base + node.end_byte(), names))
                    })
                    .ok()?;
                let span = self.with_lead(decl.start)..super::line_end(self.src, end - 1);
                Some((names, span, decl.start..end))
            })
            .collect()
    }

    /// The first `var` declaration whose code holds `needle` (a flag's
    /// name, say): the names it declares, and the span that takes it out.
    pub fn var_block_containing(&self, needle: &str) -> Option<(Vec<String>, std::ops::Range<usize>)> {
        self.var_blocks()
            .into_iter()
            .find(|(_, _, own)| without_comments(&self.src[own.clone()]).contains(needle))
            .map(|(names, span, _)| (names, span))
    }

    /// The start of the comment lines directly above the line at `at`
    /// (indented or not), or `at`.
    fn comments_above(&self, at: usize) -> usize {
        let mut start = at;
        while start > 0 {
            let above = super::line_start(self.src, start - 1);
            if !self.src[above..start].trim_start().starts_with("//") {
                break;
            }
            start = above;
        }
        start
    }

    /// The start of the comment lines directly above the line at `at`, or
    /// of the blank line above them.
    fn with_lead(&self, at: usize) -> usize {
        let mut start = self.comments_above(at);
        if start > 0 {
            let above = super::line_start(self.src, start - 1);
            if self.src[above..start].trim().is_empty() {
                start = above;
            }
        }
        start
    }

    /// The first line of function `name`'s declaration: `func f(x int) (T, error) {`.
    pub fn func_header(&self, name: &str) -> Option<&str> {
        let decl = self.find_decl(None, name)?;
        Some(&self.src[decl.start..super::line_end(self.src, decl.start)])
    }

    /// Names of the methods of type `recv`.
    pub fn method_names(&self, recv: &str) -> impl Iterator<Item = &str> {
        self.decls.iter().filter(move |d| d.kind == DeclKind::Method && d.recv == recv).map(|d| d.name.as_str())
    }

    /// Whether the file declares a top-level type named `name`.
    pub fn has_type(&self, name: &str) -> bool {
        self.decls.iter().any(|d| d.kind == DeclKind::Type && d.name == name)
    }

    /// The last function whose name satisfies `pred` (a declaration the
    /// lexer or the parser confirms),
    /// and the byte offset just past its closing brace.
    pub fn last_func(&self, pred: impl Fn(&str) -> bool) -> Option<(&str, usize)> {
        let candidates: Vec<&Decl> = self.decls.iter().filter(|d| d.kind == DeclKind::Func && pred(&d.name)).collect();
        candidates.into_iter().rev().find_map(|decl| {
            let end = self.closing_brace(decl).or_else(|| self.body(None, &decl.name).ok().map(|b| b.end))?;
            Some((decl.name.as_str(), end))
        })
    }

    /// Just past the closing brace of a gofmt-formatted declaration, read
    /// from the lexer's cut without parsing: its last code line is a lone
    /// `}` at column 0, followed only by comments and blank lines. `None`
    /// for anything else, which the parser then settles.
    fn closing_brace(&self, decl: &Decl) -> Option<usize> {
        let header = &self.src[decl.start..super::line_end(self.src, decl.start)];
        if !header.trim_end().ends_with('{') {
            return None;
        }
        let first = self.code_lines.partition_point(|&at| at <= decl.start);
        let last = self.code_lines.partition_point(|&at| at < decl.end);
        let lines = &self.code_lines[first..last];
        let line = |at: usize| self.src[at..super::line_end(self.src, at)].trim_end_matches(['\r', '\n']);
        let close = lines.iter().rposition(|&at| {
            let text = line(at).trim_start();
            !text.is_empty() && !text.starts_with("//") && !text.starts_with("/*")
        })?;
        (line(lines[close]) == "}").then_some(lines[close] + 1)
    }

    /// The body of function `name`, or of method `name` of type `recv`.
    pub fn body(&self, recv: Option<&str>, name: &str) -> Result<Body> {
        let decl = self.func_decl(recv, name)?;
        let kind = if recv.is_some() { "method_declaration" } else { "function_declaration" };
        self.with_decl(decl, kind, |node, text, base| {
            let body =
                node.child_by_field_name("body").ok_or_else(|| anyhow!("{}: {name}() has no body", self.path))?;
            let mut param_names = Vec::new();
            for field in ["receiver", "parameters"] {
                if let Some(list) = node.child_by_field_name(field) {
                    collect(list, "parameter_declaration", &mut |p| {
                        let mut c = p.walk();
                        for n in p.children_by_field_name("name", &mut c) {
                            param_names.push(node_text(n, text).to_string());
                        }
                        Some(())
                    });
                }
            }
            let end = base + body.end_byte();
            Ok(Body { close_line: super::line_start(self.src, end - 1), end: base + node.end_byte(), param_names })
        })
    }

    /// The `switch <value>` statement of function `func`'s own body (not
    /// one nested in an `if` or a loop); with no value, its first
    /// expression switch.
    pub fn switch_in(&self, func: &str, value: Option<&str>) -> Result<Switch> {
        let decl = self.func_decl(None, func)?;
        let shown = value.map_or("switch".to_string(), |v| format!("`switch {v}`"));
        // gofmt indents a statement of the body by one tab.
        let line = |l: &str| {
            let Some(statement) = l.strip_prefix('\t').filter(|rest| !rest.starts_with(['\t', ' '])) else {
                return false;
            };
            match value {
                Some(v) => statement.starts_with(&format!("switch {v} {{")),
                None => statement.starts_with("switch ") && !l.contains(".(type)"),
            }
        };
        let switch = self.find_switch(decl, "expression_switch_statement", value, line, true, |stmt, text, base| {
            self.switch_cases(stmt, text, base).ok_or_else(|| {
                anyhow!("{}: the {shown} in {func}() has no `default:` arm; expected one to insert before", self.path)
            })
        })?;
        switch.ok_or_else(|| anyhow!("{}: no {shown} in {func}(); expected one to add the case to", self.path))
    }

    /// The first `switch x := <value>.(type)` in any function or method,
    /// or `None` when the file has none.
    pub fn type_switch(&self, value: &str) -> Result<Option<Switch>> {
        let needle = format!("{value}.(type)");
        let header = format!("{needle} {{");
        let funcs = self.decls.iter().filter(|d| matches!(d.kind, DeclKind::Func | DeclKind::Method));
        for decl in funcs.filter(|d| self.src[d.start..d.end].contains(&needle)) {
            let line = |l: &str| l.contains(&header);
            let found =
                self.find_switch(decl, "type_switch_statement", Some(value), line, false, |stmt, text, base| {
                    self.switch_cases(stmt, text, base).ok_or_else(|| {
                        anyhow!(
                            "{}: the `switch {needle}` has no `default:` arm; expected one to insert before",
                            self.path
                        )
                    })
                })?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Runs `f` on the switch statement of `kind` in `decl` whose value is
    /// `value` (any, when `None`), a statement of the body itself if
    /// `top_level`. Only the statement is parsed when it can be cut out:
    /// from the line `line` accepts to the closing brace gofmt puts at the
    /// same indentation. Otherwise the whole declaration is.
    fn find_switch<T>(
        &self,
        decl: &Decl,
        kind: &str,
        value: Option<&str>,
        line: impl Fn(&str) -> bool,
        top_level: bool,
        f: impl FnOnce(Node, &str, usize) -> Result<T>,
    ) -> Result<Option<T>> {
        let matches = |n: Node, text: &str| {
            n.kind() == kind
                && value.is_none_or(|v| n.child_by_field_name("value").is_some_and(|x| node_text(x, text) == v))
        };
        if let Some(span) = statement_span(self.src, &self.code_lines, decl.start..decl.end, line) {
            let slice = &self.src[span.clone()];
            // The statement without its case bodies (all the default's
            // is kept), else the whole statement.
            let skeleton = self.parse_skeleton(span.clone()).filter(|t| !t.root_node().has_error());
            if let Some(tree) = skeleton.or_else(|| self.parse_piece(span.clone()))
                && !tree.root_node().has_error()
                && let Some(node) = first_named_child(tree.root_node()).filter(|n| matches(*n, slice))
            {
                return f(node, slice, span.start).map(Some);
            }
        }
        let decl_kind = if decl.kind == DeclKind::Method { "method_declaration" } else { "function_declaration" };
        self.with_decl(decl, decl_kind, |node, text, base| {
            let in_body = |n: Node| {
                let mut parent = n.parent();
                if parent.is_some_and(|p| p.kind() == "statement_list") {
                    parent = parent.and_then(|p| p.parent());
                }
                parent.filter(|p| p.kind() == "block").and_then(|b| b.parent()) == Some(node)
            };
            match find(node, &|n| matches(n, text) && (!top_level || in_body(n))) {
                Some(stmt) => f(stmt, text, base).map(Some),
                None => Ok(None),
            }
        })
    }

    fn switch_cases(&self, stmt: Node, text: &str, base: usize) -> Option<Switch> {
        let mut case_values = Vec::new();
        let mut clauses: Vec<(Vec<String>, std::ops::Range<usize>)> = Vec::new();
        let mut default = None;
        let mut cursor = stmt.walk();
        // A clause's lines start with the comments above its `case`.
        let line_of = |node: Node| self.comments_above(super::line_start(self.src, base + node.start_byte()));
        for case in stmt.named_children(&mut cursor) {
            if matches!(case.kind(), "expression_case" | "type_case" | "default_case")
                && let Some(last) = clauses.last_mut()
                && last.1.end == 0
            {
                last.1.end = line_of(case);
            }
            match case.kind() {
                "expression_case" | "type_case" => {
                    let field = if case.kind() == "type_case" { "type" } else { "value" };
                    let mut values = Vec::new();
                    let mut c = case.walk();
                    for value in case.children_by_field_name(field, &mut c) {
                        if value.kind() == "expression_list" {
                            let mut cc = value.walk();
                            values.extend(value.named_children(&mut cc).map(|v| node_text(v, text).to_string()));
                        } else {
                            values.push(node_text(value, text).to_string());
                        }
                    }
                    case_values.extend(values.iter().cloned());
                    clauses.push((values, line_of(case)..0));
                }
                "default_case" => default = Some(case),
                _ => {}
            }
        }
        let default = default?;
        let default_call = find(default, &|n| n.kind() == "call_expression")
            .and_then(|call| call.child_by_field_name("function"))
            .map(|f| node_text(f, text).to_string());
        let alias = stmt.child_by_field_name("alias").map(|a| node_text(a, text).to_string());
        // A clause after `default:` runs to the line of the closing brace.
        let close = super::line_start(self.src, base + stmt.end_byte() - 1);
        for clause in clauses.iter_mut().filter(|c| c.1.end == 0) {
            clause.1.end = close;
        }
        Some(Switch {
            case_values,
            default_line: super::line_start(self.src, base + default.start_byte()),
            default_call,
            alias,
            clauses,
        })
    }

    /// The fields of struct type `name`.
    pub fn struct_type(&self, name: &str) -> Result<Struct> {
        let decl = self.type_decl(name)?;
        self.with_decl(decl, "type_declaration", |node, text, base| {
            let list = find(node, &|n| n.kind() == "field_declaration_list")
                .ok_or_else(|| anyhow!("{}: type {name} is not a struct", self.path))?;
            let mut fields = Vec::new();
            let mut cursor = list.walk();
            for field in list.named_children(&mut cursor).filter(|n| n.kind() == "field_declaration") {
                let type_text =
                    field.child_by_field_name("type").map(|t| node_text(t, text).to_string()).unwrap_or_default();
                let yaml_key = field.child_by_field_name("tag").and_then(|t| yaml_key(node_text(t, text)));
                let mut c = field.walk();
                let mut names: Vec<String> =
                    field.children_by_field_name("name", &mut c).map(|n| node_text(n, text).to_string()).collect();
                if names.is_empty() {
                    // An embedded field is named by its type: `*pkg.T` is `T`.
                    names.push(type_text.rsplit(['.', '*']).next().unwrap_or_default().to_string());
                }
                for name in names {
                    fields.push(StructField { name, type_text: type_text.clone(), yaml_key: yaml_key.clone() });
                }
            }
            let close_line = super::line_start(self.src, base + list.end_byte() - 1);
            Ok(Struct { fields, close_line })
        })
    }

    /// What type `name` is defined as: `int64` for `type ByteSize int64`;
    /// None for an alias (`type A = B`).
    pub fn defined_type(&self, name: &str) -> Result<Option<String>> {
        let decl = self.type_decl(name)?;
        self.with_decl(decl, "type_declaration", |node, text, _| {
            let named = |n: Node| n.child_by_field_name("name").is_some_and(|c| node_text(c, text) == name);
            let spec = find(node, &|n| n.kind() == "type_spec" && named(n));
            Ok(spec.and_then(|s| s.child_by_field_name("type")).map(|t| node_text(t, text).to_string()))
        })
    }

    /// The methods of interface type `name`, with the types this package
    /// declares qualified by `pkg` (`Pos` becomes `pkg.Pos`), as they
    /// must be written in another package.
    pub fn interface_methods(&self, name: &str, pkg: &str) -> Result<Vec<MethodSpec>> {
        let decl = self.type_decl(name)?;
        self.with_decl(decl, "type_declaration", |node, text, _| {
            let iface = find(node, &|n| n.kind() == "interface_type")
                .ok_or_else(|| anyhow!("{}: type {name} is not an interface", self.path))?;
            let mut methods = Vec::new();
            let mut cursor = iface.walk();
            for elem in iface.named_children(&mut cursor).filter(|n| n.kind() == "method_elem") {
                let name = elem.child_by_field_name("name").map(|n| node_text(n, text).to_string()).unwrap_or_default();
                let params_node = elem.child_by_field_name("parameters");
                let result_node = elem.child_by_field_name("result");
                let params = params_node.map(|n| qualified_text(n, text, pkg)).unwrap_or_default();
                let result = result_node.map(|n| qualified_text(n, text, pkg)).unwrap_or_default();
                let param_types = params_node.map(|n| declared_types(n, text, pkg)).unwrap_or_default();
                let result_types = match result_node {
                    Some(r) if r.kind() == "parameter_list" => declared_types(r, text, pkg),
                    Some(r) => vec![qualified_text(r, text, pkg)],
                    None => Vec::new(),
                };
                methods.push(MethodSpec { name, params, result, param_types, result_types });
            }
            Ok(methods)
        })
    }

    /// Byte offset past the end of the last top-level `var` declaration
    /// whose text contains `needle`.
    pub fn last_var_containing(&self, needle: &str) -> Result<Option<usize>> {
        let Some(decl) =
            self.decls.iter().rev().find(|d| d.kind == DeclKind::Var && self.src[d.start..d.end].contains(needle))
        else {
            return Ok(None);
        };
        if let Some(end) = self.var_block_end(decl) {
            return Ok(Some(end));
        }
        self.with_decl(decl, "var_declaration", |node, _, base| Ok(Some(base + node.end_byte())))
    }

    /// The end of `var (` ... `)` block `decl`, laid out as gofmt does,
    /// parsed as its header and closing parenthesis alone: its specs (a
    /// block of flags, each a call) are most of what parsing it costs,
    /// and none of what is asked (as a switch's case bodies are not read:
    /// an error inside a spec is not seen). The closing parenthesis is the
    /// lexer's match of the opening one, alone on its line. None when the
    /// block is laid out otherwise.
    fn var_block_end(&self, decl: &Decl) -> Option<usize> {
        let slice = &self.src[decl.start..decl.end];
        if !slice.starts_with("var (\n") {
            return None;
        }
        let bytes = slice.as_bytes();
        let (mut depth, mut close) = (0usize, None);
        crate::go_lex::pieces(slice, |kind, start, end| {
            if kind != crate::go_lex::Kind::Code || close.is_some() {
                return;
            }
            for (at, &byte) in bytes.iter().enumerate().take(end).skip(start) {
                match byte {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(at);
                            return;
                        }
                    }
                    _ => {}
                }
            }
        });
        let close = close?;
        if bytes[close] != b')' || !(close == 0 || bytes[close - 1] == b'\n') || !slice[close + 1..].starts_with('\n') {
            return None;
        }
        let key = (decl.start, !decl.end);
        let cached = self.pieces.borrow().get(&key).cloned();
        let tree = cached.unwrap_or_else(|| {
            // The parenthesis and the line's end, which ends the declaration.
            let tree = parse_ranges(slice, &[0..5, close..(close + 2).min(slice.len())]);
            self.pieces.borrow_mut().insert(key, tree.clone());
            tree
        })?;
        let node = first_named_child(tree.root_node()).filter(|n| n.kind() == "var_declaration")?;
        (!tree.root_node().has_error()).then(|| decl.start + node.end_byte())
    }

    /// The import declaration imports go into: the first parenthesized
    /// one (cgo's `import "C"` stands alone before it), else the first.
    fn import_decl(&self) -> Result<&Decl> {
        let imports = || self.decls.iter().filter(|d| d.kind == DeclKind::Import);
        imports()
            .find(|d| self.src[d.start..d.end].contains('('))
            .or_else(|| imports().next())
            .ok_or_else(|| anyhow!("{}: no import block found", self.path))
    }

    fn type_decl(&self, name: &str) -> Result<&Decl> {
        self.decls
            .iter()
            .find(|d| d.kind == DeclKind::Type && d.name == name)
            .ok_or_else(|| anyhow!("{}: type {name} not found", self.path))
    }

    fn func_decl(&self, recv: Option<&str>, name: &str) -> Result<&Decl> {
        self.find_decl(recv, name).ok_or_else(|| match recv {
            None => anyhow!("{}: function {name}() not found", self.path),
            Some(recv) => anyhow!("{}: method {recv}.{name}() not found", self.path),
        })
    }

    /// Function `name` (or method `recv.name`), if the file declares it:
    /// asked often of a file that does not, so no error is made (an error
    /// captures a backtrace where RUST_BACKTRACE is set).
    fn find_decl(&self, recv: Option<&str>, name: &str) -> Option<&Decl> {
        self.decls.iter().find(|d| match recv {
            None => d.kind == DeclKind::Func && d.name == name,
            Some(recv) => d.kind == DeclKind::Method && d.recv == recv && d.name == name,
        })
    }

    /// The syntax tree of `src[range]` on its own, parsed once.
    fn parse_piece(&self, range: std::ops::Range<usize>) -> Option<Tree> {
        let key = (range.start, range.end);
        if let Some(tree) = self.pieces.borrow().get(&key) {
            return tree.clone();
        }
        let tree = parse(&self.src[range]);
        self.pieces.borrow_mut().insert(key, tree.clone());
        tree
    }

    /// The switch statement at `range` (as `statement_span` cuts it) parsed
    /// with only what `switch_cases` reads included: its header, each
    /// `case` and `default` label, the default clause, the closing brace.
    /// Most of a switch that lists every backend is case bodies: left out,
    /// they cost nothing. Positions are the statement's, as a whole parse
    /// gives them. None when the statement is not laid out as gofmt does.
    fn parse_skeleton(&self, range: std::ops::Range<usize>) -> Option<Tree> {
        let key = (range.start, !range.end);
        if let Some(tree) = self.pieces.borrow().get(&key) {
            return tree.clone();
        }
        let slice = &self.src[range.clone()];
        let in_code = |at: usize| self.code_lines.binary_search(&(range.start + at)).is_ok();
        let tree = switch_skeleton(slice, in_code).and_then(|ranges| parse_ranges(slice, &ranges));
        self.pieces.borrow_mut().insert(key, tree.clone());
        tree
    }

    /// Runs `f` on the syntax node of `decl`, of kind `kind`, with the text
    /// it was parsed from and that text's offset in the file.
    fn with_decl<T>(&self, decl: &Decl, kind: &str, f: impl FnOnce(Node, &str, usize) -> Result<T>) -> Result<T> {
        let slice = &self.src[decl.start..decl.end];
        if let Some(tree) = self.parse_piece(decl.start..decl.end)
            && !tree.root_node().has_error()
            && let Some(node) = first_named_child(tree.root_node()).filter(|n| n.kind() == kind)
        {
            return f(node, slice, decl.start);
        }
        let tree = self
            .whole
            .get_or_init(|| parse(self.src))
            .as_ref()
            .ok_or_else(|| anyhow!("{}: cannot parse", self.path))?;
        let root = tree.root_node();
        let mut cursor = root.walk();
        let node = root
            .named_children(&mut cursor)
            .find(|n| n.start_byte() <= decl.start && decl.start < n.end_byte().max(n.start_byte() + 1))
            .filter(|n| n.kind() == kind)
            .ok_or_else(|| {
                anyhow!("{}:{}: expected a {kind} here", self.path, super::line_number(self.src, decl.start))
            })?;
        if node.has_error() {
            bail!("{}:{}: this declaration is not valid Go", self.path, super::line_number(self.src, decl.start));
        }
        f(node, self.src, 0)
    }
}

/// The name a package is used by when imported without an alias, as
/// goimports assumes it: the last path element, skipping a major version
/// (`/v2`), without a `go-` prefix, cut at the first non-identifier
/// character (`yaml.v2` is `yaml`).
pub fn assumed_name(import_path: &str) -> &str {
    let mut elems = import_path.rsplit('/');
    let mut base = elems.next().unwrap_or_default();
    let is_major_version =
        |s: &str| s.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if is_major_version(base) {
        base = elems.next().unwrap_or(base);
    }
    let base = base.strip_prefix("go-").unwrap_or(base);
    let end = base.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(base.len());
    &base[..end]
}

/// The key of the `yaml` entry of a struct tag: `yaml:"access-key-id,omitempty"`.
fn yaml_key(tag: &str) -> Option<String> {
    let tag = tag.trim_matches('`');
    let rest = &tag[tag.find("yaml:\"")? + "yaml:\"".len()..];
    let value = &rest[..rest.find('"')?];
    let key = value.split(',').next().unwrap_or_default();
    (!key.is_empty()).then(|| key.to_string())
}

/// The type of each declared parameter, repeated for `a, b int`.
fn declared_types(list: Node, text: &str, pkg: &str) -> Vec<String> {
    let mut types = Vec::new();
    let mut cursor = list.walk();
    for decl in list.named_children(&mut cursor) {
        let Some(ty) = decl.child_by_field_name("type") else {
            continue;
        };
        let ty = qualified_text(ty, text, pkg);
        let ty = if decl.kind() == "variadic_parameter_declaration" { format!("...{ty}") } else { ty };
        let mut c = decl.walk();
        let names = decl.children_by_field_name("name", &mut c).count().max(1);
        types.extend(std::iter::repeat_n(ty, names));
    }
    types
}

/// The text of `node` with each unqualified, non-predeclared type name
/// prefixed by `pkg.`.
fn qualified_text(node: Node, text: &str, pkg: &str) -> String {
    let mut out = String::new();
    let mut pos = node.start_byte();
    // A walk that does not go into a `pkg.Type`, whose name is qualified
    // already (asking each name for its parent would walk from the root).
    let mut cursor = node.walk();
    loop {
        let here = cursor.node();
        if here.kind() == "type_identifier" && crate::names::go_reserved(node_text(here, text)).is_none() {
            out.push_str(&text[pos..here.start_byte()]);
            out.push_str(pkg);
            out.push('.');
            pos = here.start_byte();
        }
        if here.kind() != "qualified_type" && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                out.push_str(&text[pos..node.end_byte()]);
                return out;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                out.push_str(&text[pos..node.end_byte()]);
                return out;
            }
        }
    }
}

/// The byte ranges of switch statement `slice` that its skeleton keeps
/// (see `parse_skeleton`): whole lines, a label's up to the one ending in
/// its colon. `in_code`: whether a line starting there is code (not in a
/// raw string or comment).
fn switch_skeleton(slice: &str, in_code: impl Fn(usize) -> bool) -> Option<Vec<std::ops::Range<usize>>> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in slice.split_inclusive('\n') {
        lines.push(at..at + line.len());
        at += line.len();
    }
    let first = &slice[lines.first()?.clone()];
    let indent = &first[..first.len() - first.trim_start().len()];
    let label = |r: &std::ops::Range<usize>| {
        let rest = slice[r.clone()].strip_prefix(indent)?;
        let kind = if rest.starts_with("case ") {
            "case"
        } else if rest.starts_with("default:") {
            "default"
        } else {
            return None;
        };
        in_code(r.start).then_some(kind)
    };
    let close = lines.len() - 1;
    let mut keep: Vec<std::ops::Range<usize>> = vec![lines[0].clone()];
    let mut i = 1;
    while i < close {
        let Some(kind) = label(&lines[i]) else {
            i += 1;
            continue;
        };
        // A label may run over lines; it ends at a line ending in `:`.
        let mut end = i;
        while !slice[lines[end].clone()].split("//").next()?.trim_end().ends_with(':') {
            end += 1;
            if end >= close {
                return None;
            }
        }
        if kind == "default" {
            end += 1;
            while end < close && label(&lines[end]).is_none() {
                end += 1;
            }
            end -= 1;
        }
        keep.push(lines[i].start..lines[end].end);
        i = end + 1;
    }
    keep.push(lines[close].clone());
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(keep.len());
    for r in keep {
        match merged.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => merged.push(r),
        }
    }
    Some(merged)
}

/// `text` parsed with only `ranges` of it included (whole lines); all of
/// it when there are none.
fn parse_ranges(text: &str, ranges: &[std::ops::Range<usize>]) -> Option<Tree> {
    let point = |at: usize| {
        let row = memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count();
        let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
        tree_sitter::Point { row, column }
    };
    let included: Vec<tree_sitter::Range> = ranges
        .iter()
        .map(|r| tree_sitter::Range {
            start_byte: r.start,
            end_byte: r.end,
            start_point: point(r.start),
            end_point: point(r.end),
        })
        .collect();
    // One parser serves every parse of a run: making one costs about as
    // much as parsing a small piece.
    thread_local! {
        static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
    }
    PARSER.with_borrow_mut(|parser| {
        if parser.is_none() {
            let mut new = Parser::new();
            new.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
            *parser = Some(new);
        }
        let parser = parser.as_mut()?;
        // No ranges: the whole text (an earlier parse's are reset).
        parser.set_included_ranges(&included).ok()?;
        parser.parse(text, None)
    })
}

pub(crate) fn parse(text: &str) -> Option<Tree> {
    parse_ranges(text, &[])
}

fn first_named_child(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).find(|n| n.kind() != "comment")
}

fn node_text<'t>(node: Node, text: &'t str) -> &'t str {
    &text[node.byte_range()]
}

/// Calls `f` on every descendant of `node` (and `node`) of kind `kind`,
/// in document order. Iterative: a deeply nested expression must not
/// overflow the stack.
fn collect<'t>(node: Node<'t>, kind: &str, f: &mut impl FnMut(Node<'t>) -> Option<()>) {
    let mut cursor = node.walk();
    loop {
        if cursor.node().kind() == kind {
            f(cursor.node());
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The span of a block statement inside `range`: from the first line that
/// `first` accepts to the line holding only `}` at the same indentation.
fn statement_span(
    src: &str,
    code_lines: &[usize],
    range: std::ops::Range<usize>,
    first: impl Fn(&str) -> bool,
) -> Option<std::ops::Range<usize>> {
    let in_code = |at: usize| code_lines.binary_search(&at).is_ok();
    let from = code_lines.partition_point(|&at| at < range.start);
    let lines = code_lines[from..].iter().copied().take_while(|&at| at < range.end);
    let (start, indent) =
        lines.map(|at| (at, &src[at..super::line_end(src, at)])).find(|(_, l)| first(l)).map(|(at, l)| {
            let indent = &l[..l.len() - l.trim_start().len()];
            (at, indent)
        })?;
    let mut offset = start;
    for l in src[start..].split_inclusive('\n') {
        let line_start = offset;
        offset += l.len();
        if l.trim_end().strip_prefix(indent) == Some("}") && in_code(line_start) {
            return Some(start..offset);
        }
    }
    None
}

/// The first node, in document order, under `node` that satisfies `pred`.
fn find<'t>(node: Node<'t>, pred: &dyn Fn(Node<'t>) -> bool) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    loop {
        if cursor.node().is_named() && pred(cursor.node()) {
            return Some(cursor.node());
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                return None;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// Cuts `src` at each line that gofmt starts a top-level declaration with,
/// among the lines that begin in code.
fn split_decls(src: &str, code_lines: &[usize]) -> Vec<Decl> {
    let mut decls: Vec<Decl> = Vec::new();
    // Most lines start with a tab, a brace or a comment: rejected on their first byte.
    let candidates = code_lines
        .iter()
        .copied()
        .filter(|&at| matches!(src.as_bytes().get(at), Some(b'i' | b'f' | b't' | b'v' | b'c')));
    for start in candidates {
        let line = &src[start..super::line_end(src, start)];
        if let Some((kind, recv, name)) = decl_header(line) {
            if let Some(last) = decls.last_mut() {
                last.end = start;
            }
            decls.push(Decl { kind, name, recv, start, end: src.len() });
        }
    }
    decls
}

/// Starts of the lines that begin in code (the lexer's): a line inside a
/// block comment or a raw string is never taken for a declaration or a
/// statement, however much it looks like one.
fn code_line_starts(src: &str) -> Vec<usize> {
    let mut starts = vec![0];
    crate::go_lex::pieces(src, |kind, start, end| {
        if kind == crate::go_lex::Kind::Code {
            starts.extend(memchr::memchr_iter(b'\n', &src.as_bytes()[start..end]).map(|n| start + n + 1));
        }
    });
    starts
}

/// `src` without its comments (strings and raw strings kept as they are),
/// for questions about code that a commented-out line must not answer.
pub fn without_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    crate::go_lex::pieces(src, |kind, start, end| {
        if kind != crate::go_lex::Kind::Comment {
            out.push_str(&src[start..end]);
        }
    });
    out
}

/// Whether the line starting at `at` starts in code (not inside a block
/// comment or a raw string), lexing only the text before it.
pub fn line_starts_in_code(src: &str, at: usize) -> bool {
    let mut code = true;
    if at > 0 {
        crate::go_lex::pieces(&src[..at], |kind, _, end| {
            if end == at {
                code = kind == crate::go_lex::Kind::Code;
            }
        });
    }
    code
}

/// The functions and types a file declares at top level, found without
/// cutting it into declarations: a cheaper look for files only searched
/// for names.
pub fn top_level_names(src: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for keyword in ["\nfunc ", "\ntype "] {
        for at in memchr::memmem::find_iter(src.as_bytes(), keyword) {
            let rest = &src[at + keyword.len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            if end > 0 {
                names.push(&rest[..end]);
            }
        }
    }
    names
}

/// The group gofmt-and-goimports put import `path` in, in order: 0 the
/// standard library (no dot in its first element), 1 other modules, 2 the
/// module `own` and its packages.
pub fn import_group(path: &str, own: &str) -> usize {
    if path == own || path.starts_with(own) && path[own.len()..].starts_with('/') {
        2
    } else if path.split('/').next().is_some_and(|first| !first.contains('.')) {
        0
    } else {
        1
    }
}

/// Whether `name` occurs in `src` as a whole identifier (not inside a
/// longer one: `ftp` is not in `sftp`), anywhere, comments and strings
/// included: a cheap test before a file is searched for declarations.
pub fn has_identifier(bytes: &[u8], finder: &memchr::memmem::Finder) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    finder.find_iter(bytes).any(|at| {
        let end = at + finder.needle().len();
        let before = at > 0 && ident(bytes[at - 1]);
        let after = bytes.get(end).is_some_and(|&b| ident(b));
        !before && !after
    })
}

/// The names a file declares at top level with `var` and `const`, alone
/// (`var a, b = 1, 2`) or in a block (`const (` ... `)`), found without
/// parsing, as gofmt lays them out.
pub fn top_level_value_names(src: &str) -> Vec<&str> {
    // `a, b int = ...`: the names before the type or `=`.
    fn names_of<'s>(spec: &'s str, out: &mut Vec<&'s str>) {
        let mut rest = spec.trim_start();
        loop {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            out.push(&rest[..end]);
            match rest[end..].trim_start().strip_prefix(',') {
                Some(more) => rest = more.trim_start(),
                None => break,
            }
        }
    }
    let mut names = Vec::new();
    for keyword in ["var", "const"] {
        let mut starts: Vec<usize> =
            memchr::memmem::find_iter(src.as_bytes(), format!("\n{keyword}").as_bytes()).map(|at| at + 1).collect();
        if src.starts_with(keyword) {
            starts.push(0);
        }
        for at in starts {
            let rest = &src[at + keyword.len()..];
            if let Some(block) = rest.strip_prefix(" (\n").or_else(|| rest.strip_prefix("(\n")) {
                let body = &block[..block.find("\n)").map_or(block.len(), |e| e + 1)];
                for line in body.lines() {
                    // A spec at the block's own indentation, not a value's continuation.
                    if let Some(spec) = line.strip_prefix('\t').filter(|l| !l.starts_with(['\t', ' ', '/', ')'])) {
                        names_of(spec, &mut names);
                    }
                }
            } else if rest.starts_with([' ', '\t']) {
                names_of(rest.lines().next().unwrap_or_default(), &mut names);
            }
        }
    }
    names
}

/// Recognises the first line of a top-level declaration: its kind, a
/// method's receiver type, and the declared name.
fn decl_header(line: &str) -> Option<(DeclKind, String, String)> {
    let keyword = ["import", "func", "type", "var", "const"]
        .into_iter()
        .find(|k| line.strip_prefix(k).is_some_and(|rest| rest.starts_with([' ', '(', '\t'])))?;
    let rest = line[keyword.len()..].trim_start();
    let ident = |s: &str| s[..s.find(|c: char| !c.is_alphanumeric() && c != '_').unwrap_or(s.len())].to_string();
    Some(match keyword {
        "import" => (DeclKind::Import, String::new(), String::new()),
        "var" => (DeclKind::Var, String::new(), String::new()),
        "const" => (DeclKind::Const, String::new(), String::new()),
        "type" => (DeclKind::Type, String::new(), ident(rest)),
        _ => match rest.strip_prefix('(') {
            Some(receiver) => {
                let close = receiver.find(')')?;
                let recv_type = receiver[..close].split_whitespace().last().unwrap_or_default().trim_start_matches('*');
                let recv = ident(recv_type);
                (DeclKind::Method, recv, ident(receiver[close + 1..].trim_start()))
            }
            None => (DeclKind::Func, String::new(), ident(rest)),
        },
    })
}

#[cfg(test)]
mod value_names_tests {
    use super::top_level_value_names;

    #[test]
    fn vars_and_consts_alone_and_in_blocks() {
        let src = "package main\n\nvar ftp = 1\nvar a, b int\nconst (\n\tc = iota\n\td, e = 1, 2\n\t// f\n\tg string = \"x\" +\n\t\t\"y\"\n)\nvar (\n\th = func() {\n\t\tvar inner int\n\t}\n)\nfunc f() {\n\tvar local int\n}\n";
        let mut names = top_level_value_names(src);
        names.sort();
        assert_eq!(names, ["a", "b", "c", "d", "e", "ftp", "g", "h"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "package main

import (
\t\"fmt\"

\tyaml \"gopkg.in/yaml.v2\"
\t\"example.com/x/file\"
)

var s = `
func fake() {
`

func (r *T) Method() {}

// New builds.
func New(t string) error {
\tswitch t {
\tcase \"a\", \"b\":
\t\treturn nil
\tdefault:
\t\treturn fmt.Errorf(\"no\")
\t}
}

func last() {}
";

    #[test]
    fn an_identifier_is_found_whole_only() {
        let finder = memchr::memmem::Finder::new("ftp");
        assert!(!has_identifier(b"import \"github.com/pkg/sftp\"\nvar ftps, xftp_ int\n", &finder));
        assert!(has_identifier(b"x := ftp.New()", &finder));
        assert!(has_identifier(b"ftp", &finder));
        assert!(has_identifier(b"sftp ftp\n", &finder));
        assert!(!has_identifier("ftpé".as_bytes(), &finder), "a letter past ASCII continues the word");
    }

    #[test]
    fn finds_imports_with_their_names() {
        let f = GoFile::new("x.go", SRC);
        let got: Vec<(String, String)> = f.imports().unwrap().into_iter().map(|i| (i.name, i.path)).collect();
        assert_eq!(
            got,
            [("fmt", "fmt"), ("yaml", "gopkg.in/yaml.v2"), ("file", "example.com/x/file")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }

    #[test]
    fn lines_in_comments_and_raw_strings_are_not_code() {
        let src = "a\n/* x\nfunc f() {}\n*/\nb := `\nswitch x {\n`\n// c\ns := \"`\"\nr := '`'\nend\n";
        let starts = code_line_starts(src);
        let code: Vec<&str> =
            starts.iter().filter(|&&at| at < src.len()).map(|&at| &src[at..super::super::line_end(src, at)]).collect();
        assert_eq!(code, ["a\n", "/* x\n", "b := `\n", "// c\n", "s := \"`\"\n", "r := '`'\n", "end\n"]);
    }

    #[test]
    fn comments_go_and_strings_stay() {
        assert_eq!(without_comments("a // b\nc /* d */ e \"// f\" `/* g */`\n"), "a \nc  e \"// f\" `/* g */`\n");
    }

    #[test]
    fn a_switch_inside_a_comment_is_not_the_switch() {
        let src = "package p\n\nfunc F(t string) {\n\t/*\n\tswitch t {\n\tdefault:\n\t}\n\t*/\n\tswitch t {\n\tcase \"a\":\n\tdefault:\n\t}\n}\n";
        let f = GoFile::new("x.go", src);
        let sw = f.switch_in("F", Some("t")).unwrap();
        assert_eq!(sw.case_values, ["\"a\""]);
    }

    #[test]
    fn assumes_package_names_as_goimports_does() {
        assert_eq!(assumed_name("gopkg.in/yaml.v2"), "yaml");
        assert_eq!(assumed_name("github.com/mattn/go-shellwords"), "shellwords");
        assert_eq!(assumed_name("github.com/nats-io/nats.go"), "nats");
        assert_eq!(assumed_name("github.com/jackc/pgx/v5"), "pgx");
        assert_eq!(assumed_name("net/url"), "url");
    }

    #[test]
    fn finds_switch_cases_and_default() {
        let f = GoFile::new("x.go", SRC);
        let sw = f.switch_in("New", Some("t")).unwrap();
        assert_eq!(sw.case_values, ["\"a\"", "\"b\""]);
        assert!(SRC[sw.default_line..].starts_with("\tdefault:"));
        assert_eq!(f.switch_in("New", None).unwrap().case_values, sw.case_values);
        let err = f.switch_in("New", Some("u")).unwrap_err().to_string();
        assert!(err.contains("no `switch u` in New()"), "{err}");
    }

    #[test]
    fn last_func_ends_after_the_closing_brace() {
        let f = GoFile::new("x.go", SRC);
        let (name, end) = f.last_func(|n| n == "New" || n == "fake").unwrap();
        assert_eq!(name, "New", "the raw string's phantom is no function");
        assert!(SRC[..end].ends_with("\t}\n}"));
        assert!(f.last_func(|n| n == "missing").is_none());
    }

    #[test]
    fn the_cut_finds_the_closing_brace_the_parser_does() {
        let main = include_str!("../../tests/fixtures/litestream/cmd/litestream/main.go");
        let mut settled = 0;
        for src in [SRC, main, "func f() {\n}\n\n/* trailing\n} */\n", "func g() { return }\n"] {
            let f = GoFile::new("x.go", src);
            for decl in f.decls.iter().filter(|d| d.kind == DeclKind::Func) {
                let parsed = f.body(None, &decl.name).map(|b| b.end).ok();
                if let Some(cut) = f.closing_brace(decl) {
                    assert_eq!(Some(cut), parsed, "{}", decl.name);
                    settled += 1;
                }
            }
        }
        assert!(settled >= 10, "the cut settles gofmt's functions: {settled}");
        let one_line = GoFile::new("x.go", "func g() { return }\n");
        assert_eq!(one_line.closing_brace(&one_line.decls[0]), None, "left to the parser");
    }

    #[test]
    fn a_declaration_inside_a_raw_string_is_none() {
        let f = GoFile::new("x.go", SRC);
        assert!(!f.func_names().any(|n| n == "fake"));
        assert!(!f.has_func("fake"));
        assert!(f.has_func("New") && f.has_func("last"));
        assert_eq!(f.body(Some("T"), "Method").unwrap().param_names, ["r"]);
    }

    #[test]
    fn a_switch_parsed_without_its_case_bodies_reads_as_the_whole_statement() {
        let odd = "package p\n\nfunc f(x string) error {\n\tswitch x {\n\t// a comment\n\tcase \"a\",\n\t\t\"b\":\n\t\tif x == \"}\" {\n\t\t\treturn nil\n\t\t}\n\tdefault:\n\t\treturn g(x)\n\tcase `c`: // why\n\t\ts := `\n\tcase \"z\":\n`\n\t\t_ = s\n\t}\n\treturn nil\n}\n";
        let files = [
            include_str!("../../tests/fixtures/litestream/cmd/litestream/main.go"),
            include_str!("../../tests/fixtures/litestream/internal/testingutil/testingutil.go"),
            include_str!("../../tests/fixtures/litestream/cmd/litestream/replicate.go"),
            include_str!("../../tests/fixtures/litestream-v0.5.0/cmd/litestream/main.go"),
            odd,
        ];
        let mut compared = 0;
        for src in files {
            let f = GoFile::new("x.go", src);
            for decl in f.decls.iter().filter(|d| matches!(d.kind, DeclKind::Func | DeclKind::Method)) {
                let first = |l: &str| l.trim_start().starts_with("switch ");
                let Some(span) = statement_span(f.src, &f.code_lines, decl.start..decl.end, first) else { continue };
                let slice = &f.src[span.clone()];
                let whole = f.parse_piece(span.clone()).unwrap();
                let skeleton = f.parse_skeleton(span.clone()).expect("gofmt's layout is cut");
                assert!(!skeleton.root_node().has_error(), "{slice}");
                let read = |t: &Tree| {
                    first_named_child(t.root_node())
                        .and_then(|n| f.switch_cases(n, slice, span.start))
                        .map(|s| format!("{s:?}"))
                };
                assert!(read(&whole).is_some(), "{slice}");
                assert_eq!(read(&skeleton), read(&whole), "{slice}");
                compared += 1;
            }
        }
        assert!(compared >= 5, "{compared}");
    }

    #[test]
    fn a_var_block_parsed_without_its_specs_ends_where_the_whole_one_does() {
        let odd = "package p\n\nvar (\n\ta = f(\")\")\n\t// )\n\tb = `\n)\n`\n)\n\nvar (\n\tc = 1\n) // trailing\n\nvar d = 2\n";
        let files = [
            include_str!("../../tests/fixtures/litestream/internal/testingutil/testingutil.go"),
            include_str!("../../tests/fixtures/litestream/cmd/litestream/main.go"),
            include_str!("../../tests/fixtures/litestream-v0.5.0/cmd/litestream/main.go"),
            odd,
            // Not gofmt's layout: a `)` alone at the start of a line closes a call.
            "package p\n\nvar (\n\ta = f(\"a\",\ng(),\n)\n\tb = 1\n)\n\nvar (\n\tc = []int{\n1,\n}\n)\n",
        ];
        // And each with one line dropped, or one line `)` (or a backquote)
        // put in, around its var blocks.
        let mut mangled: Vec<String> = Vec::new();
        for src in &files[..1] {
            let lines: Vec<&str> = src.split_inclusive('\n').collect();
            let first = lines.iter().position(|l| l.starts_with("var (")).unwrap_or(0);
            for i in first..(first + 40).min(lines.len()) {
                let mut dropped = lines.clone();
                dropped.remove(i);
                mangled.push(dropped.concat());
                for extra in [")\n", "`\n", "\t/*\n", "*/\n"] {
                    let mut added = lines.clone();
                    added.insert(i, extra);
                    mangled.push(added.concat());
                }
            }
        }
        let (mut cut, mut whole) = (0, 0);
        for src in files.iter().copied().chain(mangled.iter().map(String::as_str)) {
            let f = GoFile::new("x.go", src);
            for decl in f.decls.iter().filter(|d| d.kind == DeclKind::Var) {
                let parsed = f.with_decl(decl, "var_declaration", |node, _, base| Ok(base + node.end_byte())).ok();
                match f.var_block_end(decl) {
                    // A block the parser cannot read whole (a spec in error)
                    // still has the end its lines give it, as a switch's
                    // case bodies are not read either; else the same end.
                    Some(end) => {
                        if parsed.is_some() {
                            assert_eq!(Some(end), parsed, "{}", &f.src[decl.start..decl.end]);
                            cut += 1;
                        }
                    }
                    None => whole += 1,
                }
            }
        }
        assert!(cut >= 3 && whole >= 2, "{cut} cut, {whole} whole");
    }

    #[test]
    fn a_plain_import_block_reads_as_the_parser_reads_it() {
        let files = [
            include_str!("../../tests/fixtures/litestream/cmd/litestream/main.go"),
            include_str!("../../tests/fixtures/litestream/internal/testingutil/testingutil.go"),
            include_str!("../../tests/fixtures/litestream/cmd/litestream/replicate.go"),
            include_str!("../../tests/fixtures/litestream-v0.5.0/cmd/litestream/main.go"),
            "package p\n\nimport (\n\t\"a/b\"\n\n\tx \"c.com/d\"\n\t_ \"e\"\n\t. \"f\"\n)\n\nfunc g() {}\n",
        ];
        for src in files.iter().map(|s| s.to_string()).chain(files.iter().map(|s| s.replace('\n', "\r\n"))) {
            let f = GoFile::new("x.go", &src);
            let decl = f.import_decl().unwrap();
            let plain = f.plain_import_block(decl).expect("gofmt's form is read without the parser");
            let parsed = f.parsed_import_block(decl).unwrap();
            assert_eq!(plain.0, parsed.0);
            let fields = |i: &Import| (i.name.clone(), i.path.clone(), i.aliased, i.line_start);
            assert_eq!(plain.1.iter().map(fields).collect::<Vec<_>>(), parsed.1.iter().map(fields).collect::<Vec<_>>());
        }
        // A comment or a single import is the parser's.
        for src in ["package p\n\nimport (\n\t\"a\" // why\n)\n", "package p\n\nimport \"a\"\n"] {
            let f = GoFile::new("x.go", src);
            assert!(f.plain_import_block(f.import_decl().unwrap()).is_none(), "{src}");
            assert!(f.import_block().is_ok());
        }
    }
}
