//! Go source, located by tree-sitter-go.
//!
//! Parsing a 2,000-line `main.go` whole costs more than our entire time
//! budget, so a file is first cut into its top-level declarations: gofmt
//! starts each one at column 0 (`func `, `type `, `import (` ...). Only the
//! declarations that hold an anchor are handed to the parser. If a cut is
//! wrong (a raw string holding a line that starts with `func `), that slice
//! fails to parse cleanly and the whole file is parsed instead, so the
//! shortcut never changes an answer.

use std::cell::OnceCell;

use anyhow::{Result, anyhow, bail};
use tree_sitter::{Node, Parser, Tree};

/// A Go source file and the top-level declarations found in it.
pub struct GoFile<'a> {
    pub path: &'a str,
    pub src: &'a str,
    decls: Vec<Decl>,
    whole: OnceCell<Option<Tree>>,
}

#[derive(Debug, Clone, PartialEq)]
enum DeclKind {
    Import,
    Func,
    Other,
}

#[derive(Debug, Clone)]
struct Decl {
    kind: DeclKind,
    /// Function name (not for methods), else empty.
    name: String,
    start: usize,
    end: usize,
}

/// One line of an import block.
#[derive(Debug, Clone)]
pub struct Import {
    /// The name the file uses for the package: its alias, or the last path element.
    pub name: String,
    pub path: String,
    /// Start of the spec's line.
    pub line_start: usize,
}

/// The cases of a `switch`.
#[derive(Debug)]
pub struct Switch {
    /// Values of each `case`, as written (`"file"`).
    pub case_values: Vec<String>,
    /// Start of the `default:` line.
    pub default_line: usize,
}

impl<'a> GoFile<'a> {
    pub fn new(path: &'a str, src: &'a str) -> GoFile<'a> {
        GoFile {
            path,
            src,
            decls: split_decls(src),
            whole: OnceCell::new(),
        }
    }

    /// The imports of the file's (first) import block.
    pub fn imports(&self) -> Result<Vec<Import>> {
        let decl = self
            .decls
            .iter()
            .find(|d| d.kind == DeclKind::Import)
            .ok_or_else(|| anyhow!("{}: no import block found", self.path))?;
        self.with_decl(decl, "import_declaration", |node, text, base| {
            let mut imports = Vec::new();
            collect(node, "import_spec", &mut |spec| {
                let path_node = spec.child_by_field_name("path")?;
                let path = node_text(path_node, text)
                    .trim_matches(['"', '`'])
                    .to_string();
                let name = match spec.child_by_field_name("name") {
                    Some(alias) => node_text(alias, text).to_string(),
                    None => assumed_name(&path).to_string(),
                };
                let line_start = super::line_start(self.src, base + spec.start_byte());
                imports.push(Import {
                    name,
                    path,
                    line_start,
                });
                Some(())
            });
            Ok(imports)
        })
    }

    /// Names of the top-level functions, in file order (methods excluded).
    pub fn func_names(&self) -> impl Iterator<Item = &str> {
        self.decls
            .iter()
            .filter(|d| d.kind == DeclKind::Func)
            .map(|d| d.name.as_str())
    }

    /// Byte offset just past the closing brace of function `name`.
    pub fn func_end(&self, name: &str) -> Result<usize> {
        let decl = self.func_decl(name)?;
        self.with_decl(decl, "function_declaration", |node, _, base| {
            Ok(base + node.end_byte())
        })
    }

    /// The `switch <value>` statement inside function `func`.
    pub fn switch_in(&self, func: &str, value: &str) -> Result<Switch> {
        let decl = self.func_decl(func)?;
        self.with_decl(decl, "function_declaration", |node, text, base| {
            let mut found = None;
            collect(node, "expression_switch_statement", &mut |stmt| {
                let v = stmt.child_by_field_name("value")?;
                if found.is_none() && node_text(v, text) == value {
                    found = Some(stmt);
                }
                Some(())
            });
            let stmt = found.ok_or_else(|| {
                anyhow!("{}: no `switch {value}` in {func}(); expected one to add the case to", self.path)
            })?;
            let mut case_values = Vec::new();
            let mut default_line = None;
            let mut cursor = stmt.walk();
            for case in stmt.named_children(&mut cursor) {
                match case.kind() {
                    "expression_case" => {
                        if let Some(values) = case.child_by_field_name("value") {
                            let mut c = values.walk();
                            case_values.extend(values.named_children(&mut c).map(|v| node_text(v, text).to_string()));
                        }
                    }
                    "default_case" => default_line = Some(super::line_start(self.src, base + case.start_byte())),
                    _ => {}
                }
            }
            let default_line = default_line.ok_or_else(|| {
                anyhow!("{}: the `switch {value}` in {func}() has no `default:` arm; expected one to insert before", self.path)
            })?;
            Ok(Switch { case_values, default_line })
        })
    }

    fn func_decl(&self, name: &str) -> Result<&Decl> {
        self.decls
            .iter()
            .find(|d| d.kind == DeclKind::Func && d.name == name)
            .ok_or_else(|| anyhow!("{}: function {name}() not found", self.path))
    }

    /// Runs `f` on the syntax node of `decl`, of kind `kind`, with the text
    /// it was parsed from and that text's offset in the file.
    fn with_decl<T>(
        &self,
        decl: &Decl,
        kind: &str,
        f: impl FnOnce(Node, &str, usize) -> Result<T>,
    ) -> Result<T> {
        let slice = &self.src[decl.start..decl.end];
        if let Some(tree) = parse(slice)
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
            .find(|n| {
                n.start_byte() <= decl.start && decl.start < n.end_byte().max(n.start_byte() + 1)
            })
            .filter(|n| n.kind() == kind)
            .ok_or_else(|| {
                anyhow!(
                    "{}:{}: expected a {kind} here",
                    self.path,
                    super::line_number(self.src, decl.start)
                )
            })?;
        if node.has_error() {
            bail!(
                "{}:{}: this declaration is not valid Go",
                self.path,
                super::line_number(self.src, decl.start)
            );
        }
        f(node, self.src, 0)
    }
}

/// The name a package is used by when imported without an alias, as
/// goimports assumes it: the last path element, skipping a major version
/// (`/v2`), without a `go-` prefix, cut at the first non-identifier
/// character (`yaml.v2` is `yaml`).
fn assumed_name(import_path: &str) -> &str {
    let mut elems = import_path.rsplit('/');
    let mut base = elems.next().unwrap_or_default();
    let is_major_version = |s: &str| {
        s.strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if is_major_version(base) {
        base = elems.next().unwrap_or(base);
    }
    let base = base.strip_prefix("go-").unwrap_or(base);
    let end = base
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(base.len());
    &base[..end]
}

fn parse(text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
    parser.parse(text, None)
}

fn first_named_child(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .find(|n| n.kind() != "comment")
}

fn node_text<'t>(node: Node, text: &'t str) -> &'t str {
    &text[node.byte_range()]
}

/// Calls `f` on every descendant of `node` (and `node`) of kind `kind`.
fn collect<'t>(node: Node<'t>, kind: &str, f: &mut impl FnMut(Node<'t>) -> Option<()>) {
    if node.kind() == kind {
        f(node);
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        collect(child, kind, f);
    }
}

/// Cuts `src` at each line that gofmt starts a top-level declaration with.
fn split_decls(src: &str) -> Vec<Decl> {
    let mut decls: Vec<Decl> = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let kind = if starts_decl(line, "import") {
            Some(DeclKind::Import)
        } else if starts_decl(line, "func") {
            Some(DeclKind::Func)
        } else if ["type", "var", "const"]
            .iter()
            .any(|k| starts_decl(line, k))
        {
            Some(DeclKind::Other)
        } else {
            None
        };
        if let Some(kind) = kind {
            if let Some(last) = decls.last_mut() {
                last.end = offset;
            }
            let name = if kind == DeclKind::Func {
                func_name(line)
            } else {
                String::new()
            };
            decls.push(Decl {
                kind,
                name,
                start: offset,
                end: src.len(),
            });
        }
        offset += line.len();
    }
    decls
}

fn starts_decl(line: &str, keyword: &str) -> bool {
    line.strip_prefix(keyword)
        .is_some_and(|rest| rest.starts_with([' ', '(', '\t']))
}

/// The name in `func Name(`; empty for a method (`func (r *T) Name(`).
fn func_name(line: &str) -> String {
    let rest = line["func".len()..].trim_start();
    rest.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
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
    fn finds_imports_with_their_names() {
        let f = GoFile::new("x.go", SRC);
        let got: Vec<(String, String)> = f
            .imports()
            .unwrap()
            .into_iter()
            .map(|i| (i.name, i.path))
            .collect();
        assert_eq!(
            got,
            [
                ("fmt", "fmt"),
                ("yaml", "gopkg.in/yaml.v2"),
                ("file", "example.com/x/file")
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
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
        let sw = f.switch_in("New", "t").unwrap();
        assert_eq!(sw.case_values, ["\"a\"", "\"b\""]);
        assert!(SRC[sw.default_line..].starts_with("\tdefault:"));
        let err = f.switch_in("New", "u").unwrap_err().to_string();
        assert!(err.contains("no `switch u` in New()"), "{err}");
    }

    #[test]
    fn func_end_is_after_the_closing_brace() {
        let f = GoFile::new("x.go", SRC);
        let end = f.func_end("New").unwrap();
        assert!(SRC[..end].ends_with("\t}\n}"));
        assert!(
            f.func_end("missing")
                .unwrap_err()
                .to_string()
                .contains("missing() not found")
        );
    }

    #[test]
    fn a_misleading_raw_string_falls_back_to_a_full_parse() {
        let f = GoFile::new("x.go", SRC);
        // The cheap cut sees `func fake` inside the raw string; the parser does not.
        assert!(f.func_names().any(|n| n == "fake"));
        assert!(f.func_end("fake").is_err());
        assert_eq!(
            f.func_names().filter(|n| n.is_empty()).count(),
            1,
            "one method"
        );
    }
}
