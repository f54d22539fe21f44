//! A target described as data: the TOML profile naming how a checkout is
//! recognised, the variables added to the derived ones, the files created
//! from templates and the patches made to the files the checkout has. The
//! built-in profiles are embedded; a team's own replaces one of them from
//! an override directory (`<dir>/<target>/profile.toml`).
//!
//! Read with toml_edit, keeping spans, so that every mistake is reported
//! as `file:line:column: what is wrong`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use toml_edit::{Document, Item, Table, Value};

/// Every built-in profile: its project and text, one for each
/// `templates/<project>/` (embedded by build.rs).
pub const BUILT_IN: &[(&str, &str)] = crate::built_in::BUILT_IN_PROFILES;

/// The profile file of `target` under a template directory.
pub fn file_name(target: &str) -> String {
    format!("{target}/profile.toml")
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub target: String,
    /// Where it was read from, as errors name it.
    pub source: String,
    /// The embedded one, not a team's file.
    pub built_in: bool,
    /// How a checkout of the project is recognised.
    pub detect: Detect,
    /// How the checkout's existing backends are found, for `doctor`.
    pub backends: Option<Backends>,
    /// The backend a profile was learnt from (`add-backend learn --like`),
    /// whose units of wiring its `clone` anchors find.
    pub like: Option<Model>,
    /// Variables the profile adds, each a template over the derived ones.
    pub vars: Vec<(String, String)>,
    /// The parameters an add of this project takes (`--set NAME=VALUE`).
    pub params: Vec<Param>,
    pub files: Vec<NewFile>,
    pub patches: Vec<Patch>,
    /// What the user does next, once the backend is added (templates):
    /// a checkout's own project says it here; a built-in one's provider
    /// says its own.
    pub next: Vec<String>,
    /// The profile's text, to place what `span`s point at.
    text: String,
}

/// What marks a checkout of the project: every condition given holds.
#[derive(Debug, Default, Clone)]
pub struct Detect {
    /// Paths that exist under the root; a last component with `*` matches
    /// any entry of its directory (`cmd/*.go`).
    pub files: Vec<String>,
    /// A pattern the `module` line of go.mod matches.
    pub go_module: Option<String>,
    /// A pattern the package name of Cargo.toml matches.
    pub cargo_package: Option<String>,
}

/// How `doctor` finds the backends a checkout has: each path like `path`,
/// whose `{name}` part is the backend's name, holding `containing` if
/// given, and not named in `exclude`.
#[derive(Debug, Clone)]
pub struct Backends {
    pub path: String,
    pub containing: Option<String>,
    pub exclude: Vec<String>,
    /// Name forms learnt from the tree, as it spells them: each variable
    /// is the `*` of the first word of `file` like `like` whose `*` is
    /// the backend's name in some casing (`new*Client`).
    pub learn: Vec<Learn>,
}

#[derive(Debug, Clone)]
pub struct Learn {
    pub var: String,
    pub file: String,
    pub like: String,
}

/// `[like]`: the backend a profile was learnt from, by its name and the
/// tree's spelling of it in type names (`SFTP`, `WebDAV`).
#[derive(Debug, Clone)]
pub struct Model {
    pub backend: String,
    pub go_name: String,
}

/// What `doctor` makes of a patch missing for a backend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// The backend is not wired without it.
    Required,
    /// Reported, never failing (docs upstream writes elsewhere).
    Reported,
    /// Not examined: its presence says nothing of a backend not written
    /// by add-backend (flags whose names depend on its settings).
    Skip,
}

/// A parameter: its name, what it means, and its value when not given
/// (a template; none: the project's provider derives one, or, for a
/// checkout's own project, it must be given).
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub help: String,
    pub default: Option<String>,
    /// Characters a value may not hold (it goes into Go strings, YAML,
    /// Markdown tables), besides the control characters no value may.
    pub forbid: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewFile {
    /// Template name, relative to the target's directory.
    pub template: String,
    /// Where it goes (a template).
    pub path: String,
    /// The user's once written: a re-run keeps it, even with `--force`.
    pub keep: bool,
    pub exists: Exists,
}

/// Paths (templates) of the checkout whose being there, or not, a file or
/// patch of the profile applies on: `if-exists`, `unless-exists`.
#[derive(Debug, Default, Clone)]
pub struct Exists {
    pub if_exists: Option<String>,
    pub unless_exists: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Patch {
    /// The file it changes (a template).
    pub file: String,
    pub anchor: Anchor,
    pub template: Option<String>,
    /// A Tera expression: the patch applies only when it is true.
    pub when: Option<String>,
    pub exists: Exists,
    /// A missing file or anchor is a warning, not an error; with
    /// `optional = "quiet"`, not even that (a list only some releases have).
    pub optional: bool,
    pub quiet: bool,
    /// Also import the standard-library packages the inserted text uses.
    pub imports: bool,
    /// How the plan names what the patch adds (a template); each anchor
    /// has a default.
    pub what: Option<String>,
    /// Where the patch is in its profile (see `Profile::place`).
    pub span: Option<Range<usize>>,
    /// Its column in `doctor`'s report; patches of one name are one place,
    /// there when all of them are. By default the file's name, less its
    /// extension.
    pub check: Option<String>,
    pub role: Role,
}

/// Where a patch goes, and how it is recognised as done already. Every
/// string is a template.
#[derive(Debug, Clone)]
pub enum Anchor {
    /// `name`: the import's name (`_` for a blank import).
    Import {
        path: String,
        name: Option<String>,
    },
    /// `present`: a field name (a pattern) that marks the fields as
    /// there; without it, presence cannot be told (doctor shows `-`).
    StructEnd {
        name: String,
        present: Option<String>,
    },
    /// `present`: a text the method's code holds once the statements are there.
    MethodEnd {
        receiver: String,
        method: String,
        present: Option<String>,
    },
    /// `case`: the values any of which marks the case as there.
    SwitchCase {
        func: String,
        switch: Option<String>,
        case: Vec<String>,
    },
    TypeSwitchCase {
        switch: String,
        case: Vec<String>,
    },
    FuncAfter {
        func: String,
        after: Vec<String>,
    },
    VarAfter {
        after: String,
        present: String,
    },
    MarkedBlock {
        style: MarkStyle,
    },
    /// Each line after the last line matching its pattern, all or none;
    /// within the first fenced block of language `within`, if given.
    LineAfter {
        present: String,
        lines: Vec<(String, String)>,
        within: Option<String>,
    },
    /// `text` appended to the first line matching `line`, or put before
    /// the last `before` on it (`]` closing a list).
    LineAppend {
        line: String,
        present: String,
        text: String,
        before: Option<String>,
    },
    /// Text put at the end of the first fenced block of language `within`
    /// that contains `containing`, before its closing fence.
    BlockEnd {
        within: String,
        containing: String,
        present: String,
    },
    /// A Markdown section after the section of the last heading matching
    /// `after` (`#### *`), unless a heading is `present`.
    MarkdownSection {
        after: String,
        present: String,
    },
    /// A top-level Rust item after the last matching `after` (`struct
    /// *CacheConfig`), or in sorted place among them; `present` is its label.
    RustItem {
        after: String,
        present: String,
        sorted: bool,
    },
    /// `feature = "<feature>"` added to every `cfg(any(..))` list naming
    /// one of `siblings` (comma-separated).
    RustCfgAny {
        feature: String,
        siblings: String,
    },
    /// A member of struct or enum `item`, unless it has `member`: after
    /// the last member named like one of `after` (comma-separated, any
    /// case), else last.
    RustMember {
        item: String,
        member: String,
        after: Option<String>,
    },
    /// A field of every struct literal and pattern of `type` (in `func`),
    /// after the last field named one of `after`, else last.
    RustLiteral {
        func: Option<String>,
        ty: String,
        field: String,
        after: Option<String>,
    },
    /// Text in function `func`: `before-tail`, `chain` (onto the tail, or
    /// the value of `let <after>`), `end`, `raw-string-end`, or
    /// `after-sibling` (after the last statement about one of `after`: `let
    /// oss = ..`, `if oss.is_some() ..`), unless the body contains `present`.
    RustFn {
        func: String,
        position: String,
        present: String,
        after: Option<String>,
    },
    /// An arm before the catch-all of the match in `func` with an arm like `like`.
    RustArm {
        func: String,
        like: String,
        pattern: String,
    },
    /// An element of the first array literal in `func`, or with `macro`
    /// (`concat`) the last arguments of the first call of that macro there.
    RustArray {
        func: String,
        present: String,
        r#macro: Option<String>,
    },
    /// An entry of a list (see `anchor::lists`): the list of `kind` after
    /// the line like `after` and holding `containing` (the `longest` of
    /// them, or the first); the entry is there
    /// when an entry holds `present` (without it: when an entry has the
    /// new one's key); it goes in order of the entries' keys (`key`: the
    /// part of an entry `*` stands for), or at the `end`, those like
    /// `first` and `last` kept before and after it.
    ListEntry {
        kind: crate::anchor::lists::Kind,
        after: Option<String>,
        containing: Option<String>,
        like: Option<String>,
        between: Vec<String>,
        longest: bool,
        present: Option<String>,
        order: crate::anchor::lists::Order,
        first: Vec<String>,
        last: Vec<String>,
        key: Option<String>,
    },
    /// Cargo.toml: feature `feature` with `deps` (or a listed feature's
    /// declaration with a dependency `like` this, copied), and its name in `list`.
    CargoFeature {
        feature: String,
        deps: Vec<String>,
        list: String,
        like: Option<String>,
        model: Option<String>,
    },
    /// In a profile learnt from a backend (`[like]`): where `--like`
    /// would clone that backend's unit `unit` (its key, in the model's
    /// names: `case clone of case "sftp":`), the template's text, as the
    /// clone's `part`th insertion (1, the first, by default). Done: the
    /// clone, or the text, is there.
    Clone {
        unit: String,
        part: usize,
    },
}

#[derive(Debug, Clone, Copy)]
pub enum MarkStyle {
    Markdown,
    Yaml,
}

const ANCHORS: &[&str] = &[
    "import",
    "struct-end",
    "method-end",
    "switch-case",
    "type-switch-case",
    "func-after",
    "var-after",
    "marked-block",
    "line-after",
    "line-append",
    "block-end",
    "markdown-section",
    "rust-item",
    "rust-cfg-any",
    "rust-member",
    "rust-literal",
    "rust-fn",
    "rust-arm",
    "rust-array",
    "cargo-feature",
    "list-entry",
    "clone",
];

impl Anchor {
    /// Whether the anchor inserts a template's text (or a line of its own).
    pub fn takes_template(&self) -> bool {
        !matches!(
            self,
            Anchor::Import { .. }
                | Anchor::LineAfter { .. }
                | Anchor::LineAppend { .. }
                | Anchor::RustCfgAny { .. }
                | Anchor::CargoFeature { .. }
        )
    }
}

/// The profile of `target`: the first `<dir>/<target>/profile.toml` of
/// `dirs`, else the built-in one.
pub fn load(target: &str, dirs: &[PathBuf]) -> Result<Profile> {
    // A run asks for its profile several times (to detect the project, to
    // check parameters, to plan): read and parse once.
    thread_local! {
        static LOADED: std::cell::RefCell<Vec<(String, Vec<PathBuf>, Profile)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let cached = LOADED.with_borrow(|loaded| {
        loaded.iter().find(|(t, d, _)| t == target && d == dirs).map(|(_, _, profile)| profile.clone())
    });
    if let Some(profile) = cached {
        return Ok(profile);
    }
    let profile = load_uncached(target, dirs)?;
    LOADED.with_borrow_mut(|loaded| loaded.push((target.to_string(), dirs.to_vec(), profile.clone())));
    Ok(profile)
}

fn load_uncached(target: &str, dirs: &[PathBuf]) -> Result<Profile> {
    if let Some(path) = dirs.iter().map(|d| d.join(file_name(target))).find(|p| p.is_file()) {
        crate::log::detail(|| format!("profile: {}", path.display()));
        let text = crate::paths::read_text(&path, false)?;
        let profile = parse(&text, &path.display().to_string())?;
        if profile.target != target {
            bail!(
                "{}: `target` is {:?}; a profile in {target}/ names the project {target:?}",
                path.display(),
                profile.target
            );
        }
        return Ok(profile);
    }
    let (_, text) = BUILT_IN.iter().find(|(t, _)| *t == target).ok_or_else(|| anyhow!("no target {target}"))?;
    crate::log::detail(|| format!("profile: built-in {}", file_name(target)));
    let mut profile = parse(text, &format!("profile {}", file_name(target)))?;
    profile.built_in = true;
    Ok(profile)
}

/// Where the profile of `target` comes from, given the override directories.
pub fn origin(target: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(file_name(target))).find(|p| p.is_file())
}

/// Reads a profile; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Profile> {
    let doc = Document::parse(text).map_err(|e| {
        let at = Loc::new(text, source).at(e.span());
        anyhow!("{at}: {}", e.message().trim_end())
    })?;
    let loc = Loc::new(text, source);
    let root = doc.as_table();
    let keys = Keys { table: root, loc: &loc, what: "the profile" };
    keys.only(&["target", "detect", "backends", "like", "vars", "params", "files", "patches", "next"])?;
    let target = keys.string("target")?.ok_or_else(|| anyhow!("{}: no `target` name", loc.at(Some(0..0))))?;

    let detect = match root.get("detect") {
        None => Detect::default(),
        Some(item) => {
            let table = keys.table(item, "detect")?;
            let detect = Keys { table: &table, loc: &loc, what: "[detect]" };
            detect.only(&["files", "go-module", "cargo-package"])?;
            let files = detect.strings("files")?;
            if let Some(bad) = files.iter().find(|f| !plain_path(f)) {
                return Err(detect.wrong("files", &format!("paths below the root (not {bad:?})")));
            }
            Detect { files, go_module: detect.string("go-module")?, cargo_package: detect.string("cargo-package")? }
        }
    };

    let backends = match root.get("backends") {
        None => None,
        Some(item) => Some(backends(&*keys.table(item, "backends")?, &loc)?),
    };

    let like = match root.get("like") {
        None => None,
        Some(item) => {
            let table = keys.table(item, "like")?;
            let like = Keys { table: &table, loc: &loc, what: "[like]" };
            like.only(&["backend", "go-name"])?;
            Some(Model { backend: like.required("backend")?, go_name: like.required("go-name")? })
        }
    };

    let mut vars = Vec::new();
    if let Some(item) = root.get("vars") {
        for (name, value) in keys.table(item, "vars")?.iter() {
            let text =
                value.as_str().ok_or_else(|| anyhow!("{}: vars.{name} must be a string", loc.at(value.span())))?;
            vars.push((name.to_string(), text.to_string()));
        }
    }

    let mut params = Vec::new();
    if let Some(item) = root.get("params") {
        for (name, value) in keys.table(item, "params")?.iter() {
            let table =
                table_of(value).ok_or_else(|| anyhow!("{}: params.{name} must be a table", loc.at(value.span())))?;
            let param = Keys { table: &table, loc: &loc, what: "a parameter" };
            param.only(&["help", "default", "forbid"])?;
            let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid {
                bail!("{}: a parameter's name is lower case letters, digits and `_`: {name:?}", loc.at(value.span()));
            }
            params.push(Param {
                name: name.to_string(),
                help: param.required("help")?,
                default: param.string("default")?,
                forbid: param.string("forbid")?,
            });
        }
    }

    let mut files = Vec::new();
    for table in keys.array_of_tables("files")? {
        let k = Keys { table, loc: &loc, what: "[[files]]" };
        k.only(&["template", "path", "keep", "if-exists", "unless-exists"])?;
        let template =
            k.template("template")?.ok_or_else(|| anyhow!("{}: [[files]] needs `template`", k.at_table()))?;
        files.push(NewFile { template, path: k.required("path")?, keep: k.bool("keep")?, exists: exists(&k)? });
    }

    let mut patches = Vec::new();
    for table in keys.array_of_tables("patches")? {
        let patch = patch(table, &loc)?;
        if like.is_none() && matches!(patch.anchor, Anchor::Clone { .. }) {
            bail!(
                "{}: anchor \"clone\" is for a profile learnt from a backend, which has a [like] table",
                loc.at(patch.span.clone())
            );
        }
        patches.push(patch);
    }
    Ok(Profile {
        target,
        source: source.to_string(),
        built_in: false,
        detect,
        backends,
        like,
        vars,
        params,
        files,
        patches,
        next: keys.strings("next")?,
        text: text.to_string(),
    })
}

/// A path of the profile's own: relative, with no `.` or `..` part.
fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
}

fn backends(table: &Table, loc: &Loc) -> Result<Backends> {
    let k = Keys { table, loc, what: "[backends]" };
    k.only(&["path", "containing", "exclude", "learn"])?;
    let path = k.required("path")?;
    // The first part with `{name}` has it once; a later part may repeat it.
    let hole = path.split('/').find(|part| part.contains("{name}"));
    if hole.is_none_or(|part| part.matches("{name}").count() != 1) || !plain_path(&path) {
        return Err(k.wrong(
            "path",
            "a path below the root with `{name}` once in a part (\"{name}/client.go\", \"backend/{name}/{name}.go\")",
        ));
    }
    let mut learn = Vec::new();
    if let Some(item) = table.get("learn") {
        let learnt = item.as_table_like().ok_or_else(|| k.wrong("learn", "a table"))?;
        for (var, value) in learnt.iter() {
            let wrong =
                || anyhow!("{}: learn.{var} must be {{ file = \"...\", like = \"...*...\" }}", loc.at(value.span()));
            if var != "go_name" {
                bail!("{}: only go_name is learnt from the tree, not {var}", loc.at(value.span()));
            }
            let entry = value.as_table_like().ok_or_else(wrong)?;
            let get = |key: &str| entry.get(key).and_then(Item::as_str).map(str::to_string);
            match (get("file"), get("like"), entry.len()) {
                (Some(file), Some(like), 2) if like.matches('*').count() == 1 && plain_path(&file) => {
                    learn.push(Learn { var: var.to_string(), file, like });
                }
                _ => return Err(wrong()),
            }
        }
    }
    Ok(Backends { path, containing: k.string("containing")?, exclude: k.strings("exclude")?, learn })
}

#[derive(PartialEq)]
enum Optional {
    No,
    Yes,
    Quiet,
}

fn exists(k: &Keys) -> Result<Exists> {
    let path = |key: &str| -> Result<Option<String>> {
        let value = k.string(key)?;
        if value.as_deref().is_some_and(|p| !plain_path(p.trim_end_matches('/'))) {
            return Err(k.wrong(key, "a path below the root"));
        }
        Ok(value)
    };
    Ok(Exists { if_exists: path("if-exists")?, unless_exists: path("unless-exists")? })
}

fn patch(table: &Table, loc: &Loc) -> Result<Patch> {
    let k = Keys { table, loc, what: "[[patches]]" };
    let kind = k.required("anchor")?;
    let specific: &[&str] = match kind.as_str() {
        "import" => &["path", "name"],
        "struct-end" => &["struct", "present"],
        "method-end" => &["receiver", "method", "present"],
        "switch-case" => &["func", "switch", "case"],
        "type-switch-case" => &["switch", "case"],
        "func-after" => &["func", "after"],
        "var-after" => &["after", "present"],
        "marked-block" => &["style"],
        "line-after" => &["present", "lines", "within"],
        "line-append" => &["line", "present", "text", "before"],
        "block-end" => &["within", "containing", "present"],
        "markdown-section" => &["after", "present"],
        "rust-item" => &["after", "present", "sorted"],
        "rust-cfg-any" => &["feature", "siblings"],
        "rust-member" => &["item", "member", "after"],
        "rust-literal" => &["func", "type", "field", "after"],
        "rust-fn" => &["func", "position", "present", "after"],
        "rust-arm" => &["func", "like", "pattern"],
        "rust-array" => &["func", "present", "macro"],
        "cargo-feature" => &["feature", "deps", "list", "like", "model"],
        "list-entry" => {
            &["kind", "after", "containing", "like", "between", "longest", "present", "order", "first", "last", "key"]
        }
        "clone" => &["unit", "part"],
        other => {
            let at = loc.at(table.get("anchor").and_then(Item::span));
            bail!("{at}: unknown anchor {other:?}; expected one of {}", ANCHORS.join(", "))
        }
    };
    let common = [
        "file",
        "anchor",
        "template",
        "when",
        "if-exists",
        "unless-exists",
        "optional",
        "imports",
        "what",
        "check",
        "doctor",
    ];
    k.only(&[&common[..], specific].concat())?;
    let anchor = match kind.as_str() {
        "import" => {
            let name = k.string("name")?;
            let ident = |n: &str| {
                n.starts_with(|c: char| c.is_alphabetic() || c == '_')
                    && n.chars().all(|c| c.is_alphanumeric() || c == '_')
            };
            if name.as_deref().is_some_and(|n| !ident(n) && !n.contains("{{")) {
                return Err(k.wrong("name", "a Go identifier, or `_` for a blank import"));
            }
            Anchor::Import { path: k.required("path")?, name }
        }
        "struct-end" => Anchor::StructEnd { name: k.required("struct")?, present: k.string("present")? },
        "method-end" => Anchor::MethodEnd {
            receiver: k.required("receiver")?,
            method: k.required("method")?,
            present: k.string("present")?,
        },
        "switch-case" => {
            Anchor::SwitchCase { func: k.required("func")?, switch: k.string("switch")?, case: k.one_or_more("case")? }
        }
        "type-switch-case" => Anchor::TypeSwitchCase { switch: k.required("switch")?, case: k.one_or_more("case")? },
        "func-after" => Anchor::FuncAfter { func: k.required("func")?, after: k.one_or_more("after")? },
        "var-after" => Anchor::VarAfter { after: k.required("after")?, present: k.required("present")? },
        "marked-block" => {
            let style = match k.required("style")?.as_str() {
                "markdown" => MarkStyle::Markdown,
                "yaml" => MarkStyle::Yaml,
                other => {
                    let at = loc.at(table.get("style").and_then(Item::span));
                    bail!("{at}: unknown style {other:?}; expected markdown or yaml")
                }
            };
            Anchor::MarkedBlock { style }
        }
        "line-after" => {
            let Some(item) = table.get("lines") else {
                bail!("{}: line-after needs `lines`, a list of {{ after = ..., text = ... }}", k.at_table());
            };
            let wrong =
                || anyhow!("{}: `lines` must be a list of {{ after = \"...\", text = \"...\" }}", loc.at(item.span()));
            let array = item.as_array().ok_or_else(wrong)?;
            let mut lines = Vec::new();
            for value in array.iter() {
                let line = value.as_inline_table().ok_or_else(wrong)?;
                let get =
                    |key: &str| line.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
                match (get("after"), get("text"), line.len()) {
                    (Some(after), Some(text), 2) => lines.push((after, text)),
                    _ => return Err(wrong()),
                }
            }
            if lines.is_empty() {
                return Err(wrong());
            }
            Anchor::LineAfter { present: k.required("present")?, lines, within: k.string("within")? }
        }
        "line-append" => Anchor::LineAppend {
            line: k.required("line")?,
            present: k.required("present")?,
            text: k.required("text")?,
            before: k.string("before")?,
        },
        "block-end" => Anchor::BlockEnd {
            within: k.required("within")?,
            containing: k.required("containing")?,
            present: k.required("present")?,
        },
        "markdown-section" => Anchor::MarkdownSection { after: k.required("after")?, present: k.required("present")? },
        "rust-item" => {
            Anchor::RustItem { after: k.required("after")?, present: k.required("present")?, sorted: k.bool("sorted")? }
        }
        "rust-cfg-any" => Anchor::RustCfgAny { feature: k.required("feature")?, siblings: k.required("siblings")? },
        "rust-member" => {
            Anchor::RustMember { item: k.required("item")?, member: k.required("member")?, after: k.string("after")? }
        }
        "rust-literal" => Anchor::RustLiteral {
            func: k.string("func")?,
            ty: k.required("type")?,
            field: k.required("field")?,
            after: k.string("after")?,
        },
        "rust-fn" => {
            let position = k.required("position")?;
            if !["before-tail", "chain", "end", "raw-string-end", "after-sibling"].contains(&position.as_str()) {
                return Err(k.wrong("position", "before-tail, chain, end, raw-string-end or after-sibling"));
            }
            let after = k.string("after")?;
            if position == "after-sibling" && after.is_none() {
                bail!("{}: position \"after-sibling\" needs `after`, the names of the siblings", k.at_table());
            }
            Anchor::RustFn { func: k.required("func")?, position, present: k.required("present")?, after }
        }
        "rust-arm" => {
            Anchor::RustArm { func: k.required("func")?, like: k.required("like")?, pattern: k.required("pattern")? }
        }
        "rust-array" => Anchor::RustArray {
            func: k.required("func")?,
            present: k.required("present")?,
            r#macro: k.string("macro")?,
        },
        "cargo-feature" => Anchor::CargoFeature {
            feature: k.required("feature")?,
            deps: k.strings("deps")?,
            list: k.required("list")?,
            like: k.string("like")?,
            model: k.string("model")?,
        },
        "list-entry" => {
            use crate::anchor::lists::{KINDS, Order};
            let kind = k.required("kind")?;
            let Some((_, kind)) = KINDS.iter().find(|(name, _)| *name == kind) else {
                let names: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
                return Err(k.wrong("kind", &format!("one of {}", names.join(", "))));
            };
            let order = match k.string("order")?.as_deref() {
                None | Some("sorted") => Order::Sorted,
                Some("end") => Order::End,
                Some(_) => return Err(k.wrong("order", "\"sorted\" (the default) or \"end\"")),
            };
            let (after, containing) = (k.string("after")?, k.string("containing")?);
            let longest = k.bool("longest")?;
            if after.is_none() && containing.is_none() && !longest {
                bail!("{}: list-entry needs `after`, `containing` or `longest` to say which list", k.at_table());
            }
            let like = k.string("like")?;
            if *kind == crate::anchor::lists::Kind::Lines && like.is_none() {
                bail!("{}: kind \"lines\" needs `like`, the pattern of its lines", k.at_table());
            }
            let key = k.string("key")?;
            if key.as_deref().is_some_and(|p| p.matches('*').count() != 1) {
                return Err(k.wrong("key", "a pattern with one `*`, the part of an entry it sorts by"));
            }
            Anchor::ListEntry {
                kind: *kind,
                after,
                containing,
                like,
                between: k.strings("between")?,
                longest,
                present: k.string("present")?,
                order,
                first: k.strings("first")?,
                last: k.strings("last")?,
                key,
            }
        }
        "clone" => {
            let part = match k.value("part") {
                None => 1,
                Some(value) => value
                    .as_integer()
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| k.wrong("part", "a whole number from 1"))?,
            };
            Anchor::Clone { unit: k.required("unit")?, part }
        }
        other => bail!("{}: unknown anchor {other:?}", k.at_table()),
    };
    let template = k.template("template")?;
    if anchor.takes_template() && template.is_none() {
        bail!("{}: anchor {kind:?} needs a `template`", k.at_table());
    }
    if !anchor.takes_template() && template.is_some() {
        let at = loc.at(table.get("template").and_then(Item::span));
        bail!("{at}: anchor {kind:?} inserts no template");
    }
    let optional = match table.get("optional") {
        Some(item) if item.as_str() == Some("quiet") => Optional::Quiet,
        Some(item) if item.as_bool().is_some() => {
            if item.as_bool() == Some(true) {
                Optional::Yes
            } else {
                Optional::No
            }
        }
        Some(_) => return Err(k.wrong("optional", "true, false or \"quiet\"")),
        None => Optional::No,
    };
    let role = match k.string("doctor")?.as_deref() {
        None | Some("required") => Role::Required,
        Some("reported") => Role::Reported,
        Some("skip") => Role::Skip,
        Some(_) => return Err(k.wrong("doctor", "\"required\", \"reported\" or \"skip\"")),
    };
    Ok(Patch {
        check: k.string("check")?,
        role,
        file: k.required("file")?,
        anchor,
        template,
        when: k.string("when")?,
        exists: exists(&k)?,
        optional: optional != Optional::No,
        quiet: optional == Optional::Quiet,
        imports: k.bool("imports")?,
        what: k.string("what")?,
        span: k.table_span(),
    })
}

/// A table, written `[key]` or inline (`key = { .. }`, its values keeping
/// their places).
fn table_of(item: &Item) -> Option<std::borrow::Cow<'_, Table>> {
    match item {
        Item::Table(table) => Some(std::borrow::Cow::Borrowed(table)),
        Item::Value(Value::InlineTable(inline)) => {
            let mut table = inline.clone().into_table();
            table.set_implicit(true);
            Some(std::borrow::Cow::Owned(table))
        }
        _ => None,
    }
}

/// Turns byte offsets into `source:line:column`.
struct Loc<'a> {
    text: &'a str,
    source: &'a str,
}

impl<'a> Loc<'a> {
    fn new(text: &'a str, source: &'a str) -> Loc<'a> {
        Loc { text, source }
    }

    fn at(&self, span: Option<Range<usize>>) -> String {
        let Some(span) = span else { return self.source.to_string() };
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{column}", self.source)
    }
}

/// The keys of one table, read with their places for errors.
struct Keys<'a> {
    table: &'a Table,
    loc: &'a Loc<'a>,
    what: &'a str,
}

impl Keys<'_> {
    fn table_span(&self) -> Option<Range<usize>> {
        // A table's span starts at its header; the first key is near enough
        // when the table has none (an inline table, say).
        self.table.span().or_else(|| self.table.iter().next().and_then(|(k, _)| self.table.key(k)?.span()))
    }

    fn at_table(&self) -> String {
        self.loc.at(self.table_span())
    }

    /// Refuses a key not in `allowed`, with the place of the first stranger.
    fn only(&self, allowed: &[&str]) -> Result<()> {
        for (key, _) in self.table.iter() {
            if !allowed.contains(&key) {
                let at = self.loc.at(self.table.key(key).and_then(|k| k.span()));
                bail!("{at}: unknown key `{key}` in {}; expected one of {}", self.what, allowed.join(", "));
            }
        }
        Ok(())
    }

    fn value(&self, key: &str) -> Option<&Value> {
        self.table.get(key).and_then(Item::as_value)
    }

    fn wrong(&self, key: &str, expected: &str) -> anyhow::Error {
        let at = self.loc.at(self.table.get(key).and_then(Item::span));
        anyhow!("{at}: `{key}` must be {expected}")
    }

    fn string(&self, key: &str) -> Result<Option<String>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(item) => item
                .as_value()
                .and_then(Value::as_str)
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| self.wrong(key, "a string")),
        }
    }

    fn required(&self, key: &str) -> Result<String> {
        let value = self.string(key)?.ok_or_else(|| anyhow!("{}: {} needs `{key}`", self.at_table(), self.what))?;
        if value.trim().is_empty() {
            return Err(self.wrong(key, "a string that is not empty"));
        }
        Ok(value)
    }

    /// A template's name: a plain path below the project's templates
    /// (`replica_client.go`, `docs/page.md`), never `..`, `.` or absolute.
    fn template(&self, key: &str) -> Result<Option<String>> {
        let Some(name) = self.string(key)? else { return Ok(None) };
        let plain = !name.is_empty()
            && name.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'));
        if !plain {
            return Err(self.wrong(key, "a template's name below the project's templates (no `..`, `.` or `/` first)"));
        }
        Ok(Some(name))
    }

    fn bool(&self, key: &str) -> Result<bool> {
        match self.table.get(key) {
            None => Ok(false),
            Some(_) => self.value(key).and_then(Value::as_bool).ok_or_else(|| self.wrong(key, "true or false")),
        }
    }

    /// A string, or a list of them, none empty; at least one.
    fn one_or_more(&self, key: &str) -> Result<Vec<String>> {
        let values = match self.table.get(key) {
            Some(item) if item.is_str() => vec![self.required(key)?],
            _ => self.strings(key)?,
        };
        if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
            bail!("{}: {} needs `{key}`, a string or a list of them", self.at_table(), self.what);
        }
        Ok(values)
    }

    fn strings(&self, key: &str) -> Result<Vec<String>> {
        let Some(item) = self.table.get(key) else { return Ok(Vec::new()) };
        let array = item.as_array().ok_or_else(|| self.wrong(key, "a list of strings"))?;
        array
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| self.wrong(key, "a list of strings")))
            .collect()
    }

    /// A table, written `[key]` or inline (`key = { .. }`).
    fn table<'t>(&self, item: &'t Item, key: &str) -> Result<std::borrow::Cow<'t, Table>> {
        table_of(item).ok_or_else(|| self.wrong(key, "a table"))
    }

    fn array_of_tables(&self, key: &str) -> Result<Vec<&Table>> {
        match self.table.get(key) {
            None => Ok(Vec::new()),
            Some(item) => {
                let array = item.as_array_of_tables().ok_or_else(|| self.wrong(key, &format!("[[{key}]] tables")))?;
                Ok(array.iter().collect())
            }
        }
    }
}

impl Profile {
    /// `source:line:column` of the value at `path` (`["params", "x"]`), or
    /// of the profile when it is not there: for messages about it, so the
    /// text is read again only for an error.
    pub fn place_key(&self, path: &[&str]) -> String {
        let loc = Loc::new(&self.text, &self.source);
        let Ok(doc) = Document::parse(self.text.as_str()) else { return self.source.clone() };
        let mut item = doc.as_item();
        for key in path {
            match item.get(key) {
                Some(next) => item = next,
                None => return self.source.clone(),
            }
        }
        loc.at(item.span())
    }

    /// `source:line:column` of a patch, for messages about it.
    pub fn place(&self, patch: &Patch) -> String {
        Loc::new(&self.text, &self.source).at(patch.span.clone())
    }

    /// Refuses a checkout that lacks a file the profile detects its target by.
    pub fn require_detected(&self, root: &Path) -> Result<()> {
        match self.detect.files.iter().find(|f| !file_exists(root, f)) {
            Some(missing) => bail!(
                "{missing} not found in {}; a {} checkout has it ({} [detect])",
                root.display(),
                self.target,
                self.source
            ),
            None => Ok(()),
        }
    }

    /// Whether the checkout at `root`, whose manifest says `project`, is
    /// one of this profile's: a profile that detects nothing detects none.
    pub fn detects(&self, root: &Path, project: &crate::checkout::Project) -> bool {
        use crate::checkout::Project;
        let Detect { files, go_module, cargo_package } = &self.detect;
        if files.is_empty() && go_module.is_none() && cargo_package.is_none() {
            return false;
        }
        let named = |pattern: &Option<String>, name: Option<&str>| match pattern {
            None => true,
            Some(pattern) => name.is_some_and(|name| crate::glob::glob(pattern, name)),
        };
        let (module, package) = match project {
            Project::Go(module) => (Some(module.as_str()), None),
            Project::Cargo(package) => (None, Some(package.as_str())),
        };
        named(go_module, module) && named(cargo_package, package) && files.iter().all(|f| file_exists(root, f))
    }
}

/// Whether `path` exists under `root`; a last part with `*` matches any
/// entry of its directory.
fn file_exists(root: &Path, path: &str) -> bool {
    let (dir, last) = path.rsplit_once('/').map_or(("", path), |(d, l)| (d, l));
    if !last.contains('*') {
        return root.join(path).exists();
    }
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else { return false };
    entries.flatten().any(|e| e.file_name().to_str().is_some_and(|name| crate::glob::glob(last, name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_profiles_read() {
        for (target, text) in BUILT_IN {
            let profile = parse(text, target).unwrap();
            assert_eq!(profile.target, *target);
            assert!(!profile.files.is_empty() && !profile.patches.is_empty());
        }
    }

    #[test]
    fn mistakes_are_placed() {
        let err = |text: &str| parse(text, "p.toml").unwrap_err().to_string();
        assert_eq!(
            err("target = \"x\"\n[[patches]]\nfile = \"a\"\nanchor = \"swich\"\n").split(';').next().unwrap(),
            "p.toml:4:10: unknown anchor \"swich\""
        );
        assert!(err("target = \"x\"\nfiels = 1\n").starts_with("p.toml:2:1: unknown key `fiels` in the profile"));
        assert!(
            err("target = \"x\"\n[[files]]\npath = 3\ntemplate = \"t\"\n")
                .starts_with("p.toml:3:8: `path` must be a string")
        );
        assert!(err("target = \"x\"\n[[files]]\npath = \"p\"\n").starts_with("p.toml:2:1: [[files]] needs `template`"));
        assert!(
            err("target = \"x\"\n[[patches]\n").starts_with("p.toml:2:"),
            "{}",
            err("target = \"x\"\n[[patches]\n")
        );
        let no_template =
            "target = \"x\"\n[[patches]]\nfile = \"a\"\nanchor = \"switch-case\"\nfunc = \"f\"\ncase = \"1\"\n";
        assert!(err(no_template).contains("needs a `template`"));
        // [backends], [detect] and a patch's doctor role.
        assert!(
            err("target = \"x\"\n[backends]\npath = \"store/x.go\"\n").starts_with("p.toml:3:8: `path` must be a path"),
            "{}",
            err("target = \"x\"\n[backends]\npath = \"store/x.go\"\n")
        );
        assert!(err("target = \"x\"\n[backends]\npath = \"../{name}/x.go\"\n").starts_with("p.toml:3:8:"));
        assert!(err("target = \"x\"\n[backends]\npath = \"{name}{name}/x.go\"\n").starts_with("p.toml:3:8:"));
        assert!(err("target = \"x\"\n[backends]\npath = \"x.go\"\n").starts_with("p.toml:3:8:"));
        assert!(parse("target = \"x\"\n[backends]\npath = \"b/{name}/{name}.go\"\n", "p.toml").is_ok());
        assert!(
            err("target = \"x\"\n[backends]\npath = \"{name}/x.go\"\nlearn = { type = { file = \"a\", like = \"*\" } }\n")
                .contains("only go_name is learnt")
        );
        assert!(
            err("target = \"x\"\n[detect]\nfiles = [\"/etc/passwd\"]\n").starts_with("p.toml:3:9: `files` must be")
        );
        assert!(err("target = \"x\"\n[detect]\nmodule = \"m\"\n").starts_with("p.toml:3:1: unknown key `module`"));
        let role =
            "target = \"x\"\n[[patches]]\nfile = \"a.go\"\nanchor = \"import\"\npath = \"p\"\ndoctor = \"maybe\"\n";
        assert!(
            err(role).starts_with("p.toml:6:10: `doctor` must be \"required\", \"reported\" or \"skip\""),
            "{}",
            err(role)
        );
    }
}
