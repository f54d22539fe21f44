//! Templates, rendered with Tera: the built-in ones embedded in the
//! binary, each overridable by a file of the same name in a directory the
//! user names (`--templates DIR`) or the checkout carries (`.add-backend/`).
//! `templates export` writes the built-ins out in that layout to start from.

// `hoist` itself runs in build.rs (and the tests); the renderer restores.
#[cfg_attr(not(test), allow(dead_code))]
mod hoist;

use foldhash::HashMap;
use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use serde::Serialize;
use tera::{Context, Tera};

/// How an overriding template's Go output is checked: a whole file, or a
/// fragment that only parses inside the context it is inserted into. The
/// profile's anchor for the template decides which.
#[derive(Clone, Copy)]
pub enum Shape {
    File,
    /// Top-level declarations (a function, a `var` block).
    Decls,
    /// `case` arms of a switch.
    Cases,
    /// Fields of a struct.
    Fields,
    /// Statements of a function body.
    Statements,
    /// Not Go.
    Text,
}

/// Every built-in template: its name (its path under `templates/`, less
/// `.tera`) and text, embedded by build.rs from `templates/`. The
/// profiles, under their own names, go with them.
const TEMPLATES: &[(&str, &str)] = crate::built_in::BUILT_IN_TEMPLATES;

/// Each built-in template without its text (`hoist`, done by build.rs), in
/// `TEMPLATES`' order.
const HOISTED: &[Option<(&str, &[&str])>] = crate::built_in::BUILT_IN_HOISTED;

/// Where a template comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    BuiltIn,
    File(PathBuf),
}

/// The directories whose templates override the built-in ones, first
/// match winning: `--templates DIR`, then the checkout's `.add-backend/`.
pub fn override_dirs(explicit: Option<&Path>, root: Option<&Path>) -> Result<Vec<PathBuf>> {
    if let Some(dir) = explicit
        && !dir.is_dir()
    {
        bail!("--templates {}: no such directory", dir.display());
    }
    let mut dirs: Vec<PathBuf> = explicit.map(Path::to_path_buf).into_iter().collect();
    if let Some(root) = root
        && let Some(carried) = crate::trust::checked(root)?
    {
        dirs.push(carried);
    }
    // A run says once whose profile and templates it uses, when they are
    // not only the built-in ones.
    static SAID: std::sync::Once = std::sync::Once::new();
    if !dirs.is_empty() {
        SAID.call_once(|| crate::log::note(&format!("using the profile and templates in {}", dirs_shown(&dirs))));
    }
    Ok(dirs)
}

/// Where template `name` comes from, given the override directories.
pub fn origin(name: &str, dirs: &[PathBuf]) -> Origin {
    dirs.iter().map(|d| d.join(format!("{name}.tera"))).find(|p| p.is_file()).map_or(Origin::BuiltIn, Origin::File)
}

/// Every built-in template and profile with its origin, for `templates
/// list`: a profile's file name ends in `.toml`, a template's does not.
pub fn list(dirs: &[PathBuf]) -> Vec<(String, Origin)> {
    let profiles = crate::profile::BUILT_IN.iter().map(|(target, _)| {
        let origin = crate::profile::origin(target, dirs).map_or(Origin::BuiltIn, Origin::File);
        (crate::profile::file_name(target), origin)
    });
    profiles.chain(TEMPLATES.iter().map(|(name, _)| (name.to_string(), origin(name, dirs)))).collect()
}

/// Writes the built-in profiles and templates under `dir`, in the layout
/// overrides use; refuses to overwrite a file there.
pub fn export(dir: &Path) -> Result<usize> {
    let profiles = crate::profile::BUILT_IN.iter().map(|(target, text)| (crate::profile::file_name(target), *text));
    let files: Vec<(String, &str)> =
        profiles.chain(TEMPLATES.iter().map(|(name, text)| (format!("{name}.tera"), *text))).collect();
    for (name, _) in &files {
        let path = dir.join(name);
        if path.exists() {
            bail!("{} exists; export into an empty directory", path.display());
        }
    }
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a template path has a parent"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(files.len())
}

fn plain_tera() -> Tera {
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    tera.register_filter("pad", pad);
    tera
}

/// `{{ "Name:" | pad(width=10) }}`: the text with spaces after it to
/// `width` characters (at most 200), for columns gofmt aligns.
fn pad(val: &str, kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<String> {
    let width = kwargs.must_get::<usize>("width")?.min(200);
    let n = val.chars().count();
    Ok(format!("{val}{}", " ".repeat(width.saturating_sub(n))))
}

/// Renders templates, compiling each on first use: a run compiles only
/// the templates its checkout needs (compiling is most of the cost).
pub struct Renderer {
    /// Not dropped: its compiled templates' teardown (near a tenth of
    /// what compiling them cost) is the process's exit's. A run makes a
    /// renderer or two.
    tera: std::mem::ManuallyDrop<RefCell<Tera>>,
    /// The text runs of each built-in template compiled without them
    /// (`hoist`), by name.
    hoisted: RefCell<HashMap<String, &'static [&'static str]>>,
    /// Whether no variable holds a private-use character, which a hoisted
    /// template's output could not tell from its markers.
    markers_free: Cell<bool>,
    context: Context,
    dirs: Vec<PathBuf>,
}

impl Renderer {
    /// Prepares the templates, overridden from `dirs`, with `vars` as their context.
    pub fn new(vars: &impl Serialize, dirs: Vec<PathBuf>) -> Result<Renderer> {
        let tera = plain_tera();
        let context = Context::from_serialize(vars).context("template variables")?;
        let markers_free = !hoist::has_marker_like(&serde_json::to_string(vars).context("template variables")?);
        Ok(Renderer {
            tera: std::mem::ManuallyDrop::new(RefCell::new(tera)),
            hoisted: RefCell::default(),
            markers_free: Cell::new(markers_free),
            context,
            dirs,
        })
    }

    /// Adds variable `name`, the rendering of `template` (a profile's `[vars]`).
    pub fn define(&mut self, name: &str, template: &str, at: &str) -> Result<()> {
        let value = self.render_str(template).with_context(|| format!("{at}: vars.{name}"))?;
        self.set(name, &value);
        Ok(())
    }

    /// Adds a profile's `[vars]`, each the rendering of its template, in order.
    pub fn define_all(&mut self, vars: &[(String, String)], at: &str) -> Result<()> {
        vars.iter().try_for_each(|(name, template)| self.define(name, template, at))
    }

    /// Adds variable `name` with `value` as it is.
    pub fn set(&mut self, name: &str, value: &str) {
        if hoist::has_marker_like(value) {
            self.markers_free.set(false);
        }
        self.context.insert(name.to_string(), value);
    }

    /// The target's line width (its `max_width` variable), or rustfmt's 100.
    pub fn width(&self) -> usize {
        self.context.get("max_width").and_then(|v| v.as_u64()).and_then(|n| usize::try_from(n).ok()).unwrap_or(100)
    }

    /// Renders a profile's string: a path, a name, an item's description.
    pub fn render_str(&self, template: &str) -> Result<String> {
        if let Some(plain) = self.substitute(template) {
            return Ok(plain);
        }
        let _watched = self.watch(|| format!("{template:?}"));
        let out = self
            .tera
            .borrow()
            .render_str(template, &self.context, false)
            .map_err(|e| anyhow!("{template:?}: {}", one_line(&e)))?;
        capped(out, || format!("{template:?}"))
    }

    /// Times a rendering of a team's template or profile (the built-in ones
    /// are proven by the tests): one that takes longer than `MAX_RENDER`
    /// ends the run, before anything is written.
    fn watch(&self, what: impl FnOnce() -> String) -> Option<Watched> {
        (!self.dirs.is_empty()).then(|| watchdog::start(what()))
    }

    /// `template` rendered without compiling it, when it is text and bare
    /// `{{ name }}`s of string variables (most of a profile's strings are):
    /// the same output as Tera's, at a fraction of the cost.
    fn substitute(&self, template: &str) -> Option<String> {
        substitute(template, &self.context)
    }

    /// Whether the Tera expression `condition` holds (a profile's `when`).
    pub fn is_true(&self, condition: &str) -> Result<bool> {
        // A variable alone (most `when`s): its value's truth, as `if` has it.
        let name = condition.trim();
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !["true", "false", "not", "and", "or"].contains(&name)
            && let Some(value) = self.context.get(name)
        {
            return Ok(value.is_truthy());
        }
        // `if` takes an undefined variable for false; a misspelt one must
        // not silently turn a patch off, so the expression is evaluated
        // on its own first, where Tera refuses it.
        self.render_str(&format!("{{{{ {condition} }}}}")).map_err(|e| {
            anyhow!("{}", e.to_string().replace(&format!("\"{{{{ {condition} }}}}\""), &format!("{condition:?}")))
        })?;
        Ok(self.render_str(&format!("{{% if {condition} %}}true{{% endif %}}"))? == "true")
    }

    /// Renders template `name`, a built-in one or an override's; the
    /// output of an override must be Go of `shape` if it is Go at all.
    pub fn render(&self, name: &str, shape: Shape) -> Result<String> {
        self.render_in(name, shape, &self.context)
    }

    /// Renders template `name` for text that will start at `column`, which
    /// the template reads as `column` (to break its lines where rustfmt
    /// would).
    pub fn render_at(&self, name: &str, shape: Shape, column: usize) -> Result<String> {
        let mut context = self.context.clone();
        context.insert("column", &column);
        self.render_in(name, shape, &context)
    }

    fn render_in(&self, name: &str, shape: Shape, context: &Context) -> Result<String> {
        if name.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            bail!("template {name:?}: a template's name is a plain path below the project's templates");
        }
        let index = TEMPLATES.iter().position(|(n, _)| *n == name);
        let built_in = index.map(|i| TEMPLATES[i].1);
        let origin = origin(name, &self.dirs);
        let shown = match &origin {
            Origin::BuiltIn => format!("template {name}"),
            Origin::File(path) => path.display().to_string(),
        };
        let mut tera = self.tera.borrow_mut();
        // A built-in template of text and bare variables (most of those a
        // patch inserts) is not compiled at all.
        if origin == Origin::BuiltIn
            && let Some(out) = built_in.and_then(|text| substitute(text, context))
        {
            crate::log::detail(|| format!("template {name}: built-in"));
            #[cfg(debug_assertions)]
            assert_eq!(out, whole(&mut tera, name, built_in, context).expect("renders"), "template {name}");
            return capped(out, || shown.clone());
        }
        if !tera.contains_template(name) {
            crate::log::detail(|| {
                format!("template {name}: {}", if shown.starts_with("template ") { "built-in" } else { &shown })
            });
            let text = match &origin {
                Origin::BuiltIn => built_in
                    .ok_or_else(|| anyhow!("no template {name}: neither built in nor in {}", dirs_shown(&self.dirs)))?
                    .to_string(),
                Origin::File(path) => crate::paths::read_text(path, false)?,
            };
            // A built-in template, proven by the tests, is compiled without
            // its text; a team's own as it is, so that an error names the
            // line it is on.
            let hoisted = index.filter(|_| origin == Origin::BuiltIn).and_then(|i| HOISTED[i]);
            match hoisted {
                Some((template, texts)) if tera.add_raw_template(name, template).is_ok() => {
                    self.hoisted.borrow_mut().insert(name.to_string(), texts);
                }
                _ => tera.add_raw_template(name, &text).map_err(|e| anyhow!("{shown}: {}", one_line(&e)))?,
            }
        }
        let watched = self.watch(|| shown.clone());
        let hoisted = self.hoisted.borrow();
        let out = match hoisted.get(name) {
            Some(texts) if self.markers_free.get() => match tera.render(name, context) {
                Ok(out) => {
                    let out = hoist::restore(&out, texts);
                    #[cfg(debug_assertions)]
                    assert_eq!(out, whole(&mut tera, name, built_in, context).expect("renders"), "template {name}");
                    Ok(out)
                }
                // The error as the template's own text has it.
                Err(_) => whole(&mut tera, name, built_in, context),
            },
            Some(_) => whole(&mut tera, name, built_in, context),
            None => tera.render(name, context),
        };
        let out = out.map_err(|e| anyhow!("{shown}: {}", one_line(&e)))?;
        drop(watched);
        let out = capped(out, || shown.clone())?;
        // The built-in templates are proven by the tests; a team's own are
        // checked here, before anything is written.
        if let Origin::File(_) = origin
            && name.ends_with(".go")
            && let Some(line) = invalid_go(&out, shape)
        {
            bail!("{shown}: renders code that is not valid Go (line {line} of its output)");
        }
        Ok(out)
    }
}

/// `template` rendered without compiling it, when it is text and bare
/// `{{ name }}`s of string variables of `context`: the same output as
/// Tera's, at a fraction of the cost.
fn substitute(template: &str, context: &Context) -> Option<String> {
    let bytes = template.as_bytes();
    let mut out = String::with_capacity(template.len() + 16);
    let (mut done, mut from) = (0, 0);
    // Each brace: a `{{ name }}` is replaced, a tag, a comment or a stray
    // `}}` leaves the template to Tera.
    while let Some(at) = memchr::memchr2(b'{', b'}', &bytes[from..]).map(|i| from + i) {
        match (bytes[at], bytes.get(at + 1)) {
            (b'{', Some(b'%' | b'#')) | (b'}', Some(b'}')) => return None,
            (b'{', Some(b'{')) => {
                let close = memchr::memmem::find(&bytes[at + 2..], b"}}")? + at + 2;
                let name = template[at + 2..close].trim();
                if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return None;
                }
                out.push_str(&template[done..at]);
                out.push_str(context.get(name)?.as_str()?);
                (done, from) = (close + 2, close + 2);
            }
            _ => from = at + 1,
        }
    }
    out.push_str(&template[done..]);
    Some(out)
}

/// Renders built-in template `name` compiled from its whole text, under a
/// name of its own (a hoisted template's output is restored from markers,
/// which cannot be when a variable holds a private-use character).
fn whole(tera: &mut Tera, name: &str, text: Option<&str>, context: &Context) -> tera::TeraResult<String> {
    let whole = format!("{name}\0whole");
    if !tera.contains_template(&whole) {
        tera.add_raw_template(&whole, text.unwrap_or_default())?;
    }
    tera.render(&whole, context)
}

/// The largest text a template may render.
const MAX_OUTPUT: usize = 4 << 20;

/// How long one rendering may take.
const MAX_RENDER: std::time::Duration = std::time::Duration::from_secs(2);

fn capped(out: String, what: impl FnOnce() -> String) -> Result<String> {
    if out.len() > MAX_OUTPUT {
        bail!("{}: renders {} bytes, more than a template may ({MAX_OUTPUT})", what(), out.len());
    }
    Ok(out)
}

use watchdog::Watched;

/// Ends a run whose rendering does not end: Tera has no limit of its own
/// on loops, so a thread watches the clock. Planning writes nothing, so
/// ending the process then leaves the checkout as it was.
mod watchdog {
    use std::sync::Mutex;
    use std::time::Instant;

    static CURRENT: Mutex<Option<(Instant, String)>> = Mutex::new(None);
    static STARTED: std::sync::Once = std::sync::Once::new();

    /// A rendering being watched, until dropped.
    pub struct Watched;

    pub fn start(what: String) -> Watched {
        STARTED.call_once(|| {
            std::thread::spawn(|| {
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    let current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some((since, what)) = current.as_ref()
                        && since.elapsed() > super::MAX_RENDER
                    {
                        let message = format!(
                            "{what}: rendering took more than {} s (a loop that does not end?); nothing was written",
                            super::MAX_RENDER.as_secs()
                        );
                        crate::error::exit_now(&message, 1);
                    }
                }
            });
        });
        *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), what));
        Watched
    }

    impl Drop for Watched {
        fn drop(&mut self) {
            *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
}

fn dirs_shown(dirs: &[PathBuf]) -> String {
    if dirs.is_empty() {
        return "any template directory (none is in use)".to_string();
    }
    dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(" or ")
}

/// A Tera error on one line: where, and what.
fn one_line(e: &tera::Error) -> String {
    match e.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            format!("line {}, column {}: {}", span.start_line, span.start_col + 1, report.message())
        }
        _ => {
            let text = std::error::Error::source(e).map(|s| format!("{e}: {s}")).unwrap_or_else(|| e.to_string());
            let first = text.lines().next().unwrap_or_default();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    }
}

/// The first line of `out` that does not parse as Go of `shape`, if any.
fn invalid_go(out: &str, shape: Shape) -> Option<usize> {
    let (before, after) = match shape {
        Shape::Text => return None,
        Shape::File => ("", ""),
        Shape::Decls => ("package p\n", ""),
        Shape::Cases => ("package p\nfunc _() {\nswitch {\n", "\n}\n}\n"),
        Shape::Fields => ("package p\ntype _ struct {\n", "\n}\n"),
        Shape::Statements => ("package p\nfunc _() {\n", "\n}\n"),
    };
    let text = format!("{before}{out}{after}");
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
    let tree = parser.parse(&text, None)?;
    let root = tree.root_node();
    // tree-sitter accepts a file without a package clause; Go does not.
    let mut cursor = root.walk();
    let first = root.named_children(&mut cursor).find(|n| n.kind() != "comment");
    if matches!(shape, Shape::File) && first.is_none_or(|n| n.kind() != "package_clause") {
        return Some(1);
    }
    if !root.has_error() {
        return None;
    }
    let mut error = None;
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            error = Some(node.start_position().row);
            break;
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    let prefix_lines = before.matches('\n').count();
    Some(error.unwrap_or(0).saturating_sub(prefix_lines) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_parses_and_is_compiled_without_its_text() {
        for ((name, source), built) in TEMPLATES.iter().zip(HOISTED) {
            plain_tera().add_raw_template(name, source).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            // Its renderings are checked against the whole template's in
            // every test run (render_in, in a debug build).
            let hoisted = hoist::hoist(source).unwrap_or_else(|| panic!("{name}: not hoisted"));
            assert_eq!(
                *built,
                Some((hoisted.template.as_str(), &hoisted.texts.iter().map(String::as_str).collect::<Vec<_>>()[..])),
                "{name}: build.rs's"
            );
            plain_tera().add_raw_template(name, &hoisted.template).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
        assert_eq!(TEMPLATES.len(), HOISTED.len());
    }

    #[test]
    fn a_template_of_bare_variables_renders_as_tera_does_whatever_they_hold() {
        // The smallest built-in template of text and bare variables (not
        // compiled: `substitute`), with a private-use character too.
        fn bare(source: &str) -> Option<Vec<&str>> {
            let names: Vec<&str> =
                source.split("{{").skip(1).filter_map(|t| t.split_once("}}")).map(|t| t.0.trim()).collect();
            (!source.contains("{%") && names.iter().all(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')))
                .then_some(names)
        }
        let (name, source, names) = TEMPLATES
            .iter()
            .filter_map(|(name, source)| Some((*name, *source, bare(source)?)))
            .filter(|(_, _, names)| !names.is_empty())
            .min_by_key(|(_, source, _)| source.len())
            .expect("a template of bare variables");
        let mut renderer = Renderer::new(&serde_json::json!({}), Vec::new()).unwrap();
        for value in ["v", "v\u{E000}\u{E001}"] {
            names.iter().for_each(|n| renderer.set(n, value));
            let out = renderer.render(name, Shape::Text).unwrap();
            let mut whole = plain_tera();
            whole.add_raw_template("whole", source).unwrap();
            assert_eq!(out, whole.render("whole", &renderer.context).unwrap(), "{name} with {value:?}");
            assert!(out.contains(value), "{out}");
        }
    }

    #[test]
    fn plain_substitution_renders_what_tera_renders() {
        #[derive(Serialize)]
        struct Vars {
            package: String,
            flag: bool,
        }
        let r = Renderer::new(&Vars { package: "ftp".into(), flag: true }, Vec::new()).unwrap();
        for template in [
            "{{ package }}/x.go",
            "a{{package}}b{{ package }}",
            "plain",
            "{{ flag }}",
            "{{ package | upper }}",
            "{ a } {x}}} {{ package }}",
            "a }} b {{ package }}",
            "{{ package }} {% if flag %}y{% endif %} {# c #}",
            "{{{ package }}",
            "{{ \"}}\" }}",
            "{",
            "}",
            "",
        ] {
            match r.tera.borrow().render_str(template, &r.context, false) {
                Ok(tera) => assert_eq!(r.render_str(template).unwrap(), tera, "{template}"),
                Err(_) => assert!(r.render_str(template).is_err(), "{template}"),
            }
        }
        assert!(r.substitute("{{ package }}").is_some());
        assert!(r.substitute("{{ flag }}").is_none() && r.substitute("{{ package | upper }}").is_none());
        assert!(r.render_str("{{ missing }}").is_err(), "an unknown name is Tera's error");
    }

    #[test]
    fn a_condition_naming_an_unknown_variable_is_refused() {
        #[derive(Serialize)]
        struct Vars {
            yes: bool,
            none: Vec<u8>,
            some: Vec<u8>,
            empty: String,
        }
        let vars = Vars { yes: true, none: vec![], some: vec![1], empty: String::new() };
        let r = Renderer::new(&vars, Vec::new()).unwrap();
        assert!(r.is_true("yes").unwrap() && r.is_true("some and yes").unwrap());
        assert!(!r.is_true("none").unwrap() && !r.is_true("some and empty").unwrap());
        let err = r.is_true("yess").unwrap_err().to_string();
        assert!(err.contains("yess"), "{err}");
    }

    #[test]
    fn go_fragments_are_checked_in_their_context() {
        assert_eq!(invalid_go("case \"x\":\n\treturn nil\n", Shape::Cases), None);
        assert_eq!(invalid_go("Port int `yaml:\"port\"`\n", Shape::Fields), None);
        assert_eq!(invalid_go("func f() {}\n", Shape::Decls), None);
        assert_eq!(invalid_go("func f() {\n\treturn (\n}\n", Shape::Decls), Some(2));
        assert_eq!(invalid_go("# not go", Shape::Text), None);
        assert_eq!(invalid_go("package p\n", Shape::File), None);
        assert_eq!(invalid_go("// c\nimport \"errors\"\n", Shape::File), Some(1), "no package clause");
    }
}
