//! `learn --like SIBLING`: a profile and templates learnt from a backend
//! the checkout has, written under `.add-backend/<project>/` for a team to
//! read and edit. The clone `--like` would make is planned for a stand-in
//! name no file holds; each text of it becomes a template in which the
//! stand-in's forms are variables (`{{ package }}`, `{{ go_name }}`): the
//! model's own files `[[files]]`, each unit of wiring a `clone` patch,
//! which finds the model's unit again as `--like` does. An add with that
//! profile writes what `--like` writes.

use anyhow::{Result, bail};

use super::like::{self, Cloning};
use crate::checkout::{Checkout, Project};
use crate::names::BackendName;
use crate::plan::{FileChange, Plan, Status};

/// Letters a stand-in name is made of: none repeats, so that its forms
/// (`zqxw`, `ZqXw`, `ZQXW`, `Zqxw`) cannot overlap in a text.
const STAND_INS: &[&str] = &[
    "zqxwvyjkgbfhmpnd",
    "qjzxkwvyfbgmhpnd",
    "xzjqvkwybfgpmhnd",
    "jvqzxkwyfbgmhpnd",
    "vxqjzwkyfbgmhpnd",
    "kzvxqjwyfbgmhpnd",
    "wqvzkxjyfbgmhpnd",
    "yjwqzvkxfbgmhpnd",
];

/// The plan of `learn --like sibling`: the profile and its templates,
/// created (or, with `force`, written over).
pub fn plan(checkout: &Checkout, project: &str, sibling: &str, force: bool) -> Result<Plan> {
    let model = BackendName::parse(sibling, None)?;
    let (stand_in, cloning) = stand_in_clone(checkout, &model)?;
    // Clones for longer stand-ins: a number that grows with the name
    // (`s[5:]` after `strings.HasPrefix(s, "sftp:")`) is its length.
    let [by_package, by_go_name] = longer(&stand_in);
    let grown = [
        ("package", stand_in.package.len(), by_package.package.len() - stand_in.package.len(), &by_package),
        ("go_name", stand_in.go_name.len(), by_go_name.go_name.len() - stand_in.go_name.len(), &by_go_name),
    ];
    let mut grown_texts = Vec::new();
    for (_, _, _, name) in &grown {
        let cloning = like::cloning(checkout, name, &model.r#type, true, false)?;
        let forms = forms(name);
        grown_texts.push(texts(&cloning).into_iter().map(|t| templated(t, &forms)).collect::<Vec<String>>());
    }
    let forms = forms(&stand_in);
    let mut n_text = 0;
    let mut template_of = |text: &str| -> Result<String> {
        let template = templated(text, &forms);
        let others: Vec<(&str, usize, usize, String)> = grown
            .iter()
            .zip(&grown_texts)
            .filter_map(|((var, length, by, _), texts)| Some((*var, *length, *by, texts.get(n_text)?.clone())))
            .collect();
        n_text += 1;
        if others.iter().all(|(_, _, _, t)| *t == template) {
            return Ok(template);
        }
        lengths(&template, &others)
    };
    let dir = format!("{}/{project}", crate::trust::DIR);
    let mut templates: Vec<(String, String)> = Vec::new();
    let mut profile = header(checkout, project, &cloning);
    profile += &backends(checkout, &cloning, &forms)?;

    // The model's own files.
    for (from, change) in &cloning.own {
        let name = format!("files/{from}");
        let content = template_of(&change.after)?;
        let path = templated(&change.path, &forms);
        profile += &format!("\n[[files]]\ntemplate = {}\npath = {}\n", quoted(&name), quoted(&path));
        templates.push((name, content));
    }
    // Each unit of wiring: one patch an insertion.
    for wired in &cloning.wired {
        let mut n = 0;
        for cloned in &wired.cloned {
            if cloned.item.status != Status::Insert {
                bail!(
                    "learn --like {sibling}: {}: {} is there already for the stand-in name {}",
                    wired.path,
                    cloned.item.what,
                    stand_in.package
                );
            }
            for (part, edit) in cloned.edits.iter().enumerate() {
                n += 1;
                let name = format!("wiring/{}.{n}", wired.path);
                profile += &format!(
                    "\n[[patches]]\nfile = {}\nanchor = \"clone\"\nunit = {}\n",
                    quoted(&wired.path),
                    quoted(&cloned.key)
                );
                if part > 0 {
                    profile += &format!("part = {}\n", part + 1);
                }
                profile += &format!("template = {}\n", quoted(&name));
                let (_, unit, _) = like::framed(&edit.text);
                templates.push((name, template_of(unit)?));
            }
        }
    }
    check_round_trip(&stand_in, &cloning, &templates)?;

    let mut files = vec![created(checkout, format!("{dir}/profile.toml"), profile, force)?];
    for (name, text) in templates {
        files.push(created(checkout, format!("{dir}/{name}.tera"), text, force)?);
    }
    // Written over (--force), a profile learnt before takes its templates
    // the new one does not name along; a team's own profile keeps them.
    let learnt_before = checkout
        .read(&format!("{dir}/profile.toml"))?
        .and_then(|text| crate::anchor::cargo::document(&text).ok())
        .is_some_and(|doc| doc.get("like").is_some());
    if force && learnt_before {
        let mut stale = Vec::new();
        for entry in walkdir::WalkDir::new(checkout.root.join(&dir)).follow_root_links(false).sort_by_file_name() {
            let entry = entry?;
            let rel = entry.path().strip_prefix(&checkout.root)?.to_string_lossy().replace('\\', "/");
            if entry.file_type().is_file() && rel.ends_with(".tera") && !files.iter().any(|f| f.path == rel) {
                stale.push(rel);
            }
        }
        for rel in stale {
            if let Some(current) = checkout.read(&rel)? {
                files.push(crate::manifest::deletion(rel, std::rc::Rc::unwrap_or_clone(current), Status::Remove));
            }
        }
    }
    let conflicts: Vec<&str> = files
        .iter()
        .filter(|f| f.items.iter().any(|i| i.status == Status::Conflict))
        .map(|f| f.path.as_str())
        .collect();
    if !conflicts.is_empty() {
        bail!(
            "learn --like {sibling}: {} there already, and different; --force writes over them",
            conflicts.join(", ")
        );
    }
    Ok(Plan {
        target: format!("learn {sibling}"),
        backend: model,
        files,
        next_steps: vec![
            format!("read {dir}/profile.toml and its templates, edit them as the project's backends should be"),
            "run `add-backend trust` once they are as you want them, then `add-backend NAME` adds a backend by them"
                .to_string(),
        ],
        warnings: cloning.warnings,
        writes_profile: true,
    })
}

/// The name the profile of a checkout is learnt under: the project's, if
/// add-backend knows it, else its module's (or package's) last word.
pub fn project_name(checkout: &Checkout, known: Option<&str>) -> String {
    if let Some(known) = known {
        return known.to_string();
    }
    let name = match &checkout.project {
        Project::Go(module) => {
            let mut parts = module.rsplit('/');
            let last = parts.next().unwrap_or(module);
            // A major version (`/v2`) is not the project's name.
            let versioned = last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
            if versioned { parts.next().unwrap_or(last) } else { last }
        }
        Project::Cargo(package) => package,
    };
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    // Not a built-in project's, nor the directory of add-backend's records.
    let taken = crate::profile::BUILT_IN.iter().any(|(built_in, _)| *built_in == name) || name == "backends";
    if taken || name.is_empty() || name.starts_with('.') { format!("{name}-project") } else { name }
}

/// A clone of `model` as a stand-in no file read holds in any casing. In
/// Go, the stand-in is as long as the model's name (two letters at least),
/// so that the columns gofmt aligns by names are the model's own in the
/// templates.
fn stand_in_clone(checkout: &Checkout, model: &BackendName) -> Result<(BackendName, Cloning)> {
    for letters in STAND_INS {
        let stand_in = match &checkout.project {
            Project::Go(_) => {
                // Two letters at least: a Go name of one is a casing of the name.
                let length = model.package.len().clamp(2, letters.len());
                let package = letters[..length].to_string();
                let title = capitalised(&package);
                let alternate = |upper_first: bool| -> String {
                    package
                        .chars()
                        .enumerate()
                        .map(|(i, c)| if (i % 2 == 0) == upper_first { c.to_ascii_uppercase() } else { c })
                        .collect()
                };
                let go_name = [alternate(true), alternate(false)]
                    .into_iter()
                    .find(|g| *g != package.to_uppercase() && *g != title && *g != package)
                    .unwrap_or_else(|| alternate(true));
                BackendName { r#type: package.clone(), package, go_name }
            }
            Project::Cargo(_) => {
                let (a, b) = letters.split_at(2);
                let raw = format!("{a}-{}", &b[..2]);
                BackendName::parse(&raw, Some(&format!("{}{}", capitalised(a), capitalised(&b[..2]))))?
            }
        };
        let folded = |name: &str| name.replace(['-', '_'], "").to_lowercase();
        if folded(&stand_in.r#type) == folded(&model.r#type) {
            continue;
        }
        let cloning = like::cloning(checkout, &stand_in, &model.r#type, true, false)?;
        let mut sources: Vec<std::rc::Rc<String>> = Vec::new();
        for (from, _) in &cloning.own {
            sources.extend(checkout.read(from)?);
        }
        // Any of its forms anywhere in a file read: taken.
        let forms = forms(&stand_in);
        let held = |text: &str| forms.iter().any(|(form, _)| text.contains(form.as_str()));
        if sources.iter().any(|s| held(s)) || cloning.wired.iter().any(|w| held(&w.src)) {
            continue;
        }
        return Ok((stand_in, cloning));
    }
    bail!("learn --like {}: every stand-in name is in the checkout's files already", model.r#type)
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Each form of the stand-in a clone may write, and the variable that
/// writes the new name's form in its place: longest first.
fn forms(stand_in: &BackendName) -> Vec<(String, &'static str)> {
    let snake = stand_in.r#type.replace('-', "_");
    let mut forms: Vec<(String, &'static str)> = Vec::new();
    // Where two forms are one text (a name of one word), the first here
    // is the one: a Go clone writes the package's forms.
    for (text, expression) in [
        (stand_in.go_name.clone(), "{{ go_name }}"),
        (stand_in.package.clone(), "{{ package }}"),
        (stand_in.package.to_uppercase(), "{{ package | upper }}"),
        (capitalised(&stand_in.package), "{{ package | capitalize }}"),
        (stand_in.r#type.clone(), "{{ type }}"),
        (snake.clone(), "{{ snake }}"),
        (snake.to_uppercase(), "{{ snake | upper }}"),
        (capitalised(&snake), "{{ snake | capitalize }}"),
    ] {
        if !forms.iter().any(|(t, _)| *t == text) {
            forms.push((text, expression));
        }
    }
    forms.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    forms
}

/// `text` as a template: what Tera would read as its own syntax written
/// as text, and each form of the stand-in its variable.
fn templated(text: &str, forms: &[(String, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    'scan: while at < text.len() {
        let rest = &text[at..];
        // The stand-in is in no file (`stand_in_clone`): wherever it is, the clone wrote it.
        for (form, expression) in forms {
            if rest.starts_with(form.as_str()) {
                out += expression;
                at += form.len();
                continue 'scan;
            }
        }
        for opening in ["{{", "{%", "{#"] {
            if rest.starts_with(opening) {
                out += &format!("{{{{ \"{opening}\" }}}}");
                at += opening.len();
                continue 'scan;
            }
        }
        // A `{` before a variable would open a tag with it (`{{{`).
        if rest.starts_with('{') && forms.iter().any(|(form, _)| rest[1..].starts_with(form.as_str())) {
            out += "{{ \"{\" }}";
            at += 1;
            continue 'scan;
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        at += c.len_utf8();
    }
    out
}

/// The texts of a clone, in the order of its templates: each own file's,
/// then each insertion's unit (its frame aside).
fn texts(cloning: &Cloning) -> Vec<&str> {
    let own = cloning.own.iter().map(|(_, change)| change.after.as_str());
    let wired = cloning
        .wired
        .iter()
        .flat_map(|w| w.cloned.iter().flat_map(|c| c.edits.iter().map(|e| like::framed(&e.text).1)));
    own.chain(wired).collect()
}

/// Stand-ins longer than `stand_in`: by a letter in its name (`package`,
/// `type`), and by two in its Go name alone.
fn longer(stand_in: &BackendName) -> [BackendName; 2] {
    let mut letters = STAND_INS.iter().flat_map(|l| l.chars()).filter(|c| !stand_in.package.contains(*c));
    let (a, b, c) = (letters.next().unwrap_or('z'), letters.next().unwrap_or('q'), letters.next().unwrap_or('x'));
    let package = BackendName {
        r#type: format!("{}{a}", stand_in.r#type),
        package: format!("{}{a}", stand_in.package),
        go_name: stand_in.go_name.clone(),
    };
    let go_name =
        BackendName { go_name: format!("{}{}{c}", stand_in.go_name, b.to_ascii_uppercase()), ..stand_in.clone() };
    [package, go_name]
}

/// `template` where the templates of longer stand-ins' clones differ
/// from it: a number that grows with a name (each of `grown`: its
/// variable, its length for the stand-in, by how much the longer one is
/// longer, and the longer one's template) is that name's length times
/// something plus something, `{{ (package | length) + 1 }}`. Columns
/// aligned by the names' lengths (spaces) are not numbers; any other
/// difference is not learnt.
fn lengths(template: &str, grown: &[(&str, usize, usize, String)]) -> Result<String> {
    let runs = |t: &str| -> Vec<(bool, String)> {
        let mut runs: Vec<(bool, String)> = Vec::new();
        for c in t.chars() {
            let digit = c.is_ascii_digit();
            match runs.last_mut() {
                Some((d, run)) if *d == digit => run.push(c),
                _ => runs.push((digit, c.to_string())),
            }
        }
        runs
    };
    let mine = runs(template);
    let spaceless = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
    let theirs: Vec<Vec<(bool, String)>> = grown.iter().map(|(_, _, _, t)| runs(t)).collect();
    let same_shape = theirs.iter().all(|other| {
        other.len() == mine.len()
            && mine.iter().zip(other).all(|((d, a), (e, b))| d == e && (*d || spaceless(a) == spaceless(b)))
    });
    if !same_shape {
        return Ok(template.to_string());
    }
    let mut out = String::new();
    for (i, (digit, a)) in mine.iter().enumerate() {
        let changed: Vec<usize> = (0..grown.len()).filter(|&g| theirs[g][i].1 != *a).collect();
        if !digit || changed.is_empty() {
            out += a;
            continue;
        }
        let not_learnt = || {
            anyhow::anyhow!(
                "learn: a number of the clone ({a}) changes with the new name in a way not learnt; please report this"
            )
        };
        let [g] = changed[..] else { return Err(not_learnt()) };
        let (var, length, by, _) = &grown[g];
        let (x, y) =
            (a.parse::<i64>().map_err(|_| not_learnt())?, theirs[g][i].1.parse::<i64>().map_err(|_| not_learnt())?);
        let (length, by) = (*length as i64, *by as i64);
        if (y - x) % by != 0 || y <= x {
            return Err(not_learnt());
        }
        let times = (y - x) / by;
        let plus = x - times * length;
        let scaled = if times == 1 { format!("({var} | length)") } else { format!("({var} | length) * {times}") };
        out += &match plus {
            0 if times == 1 => format!("{{{{ {var} | length }}}}"),
            0 => format!("{{{{ {scaled} }}}}"),
            p if p > 0 => format!("{{{{ {scaled} + {p} }}}}"),
            p => format!("{{{{ {scaled} - {} }}}}", -p),
        };
    }
    Ok(out)
}

/// Each template, rendered for the stand-in, is the text it was made
/// from: else learning would write a profile that adds something else.
fn check_round_trip(stand_in: &BackendName, cloning: &Cloning, templates: &[(String, String)]) -> Result<()> {
    let vars = super::plain::name_vars(stand_in);
    let renderer = crate::render::Renderer::new(&vars, Vec::new())?;
    for ((name, template), text) in templates.iter().zip(texts(cloning)) {
        let rendered = renderer
            .render_str(template)
            .map_err(|_| anyhow::anyhow!("learn: template {name} is not one Tera reads; please report this"))?;
        if rendered != text {
            bail!("learn: template {name} does not render the text it was learnt from; please report this");
        }
    }
    Ok(())
}

/// The profile's head: what it is, how the project is detected, the model.
fn header(checkout: &Checkout, project: &str, cloning: &Cloning) -> String {
    let sibling = &cloning.sibling;
    let detect = match &checkout.project {
        Project::Go(module) => format!("files = [\"go.mod\"]\ngo-module = {}", quoted(module)),
        Project::Cargo(package) => format!("files = [\"Cargo.toml\"]\ncargo-package = {}", quoted(package)),
    };
    format!(
        "# Learnt by `add-backend learn --like {sibling}`: a backend added by this profile is\n\
         # written as {sibling} is. Each template is a text of the clone `--like {sibling}`\n\
         # makes, the new name's forms its variables: {{{{ package }}}} (the name as one lower-case\n\
         # word), {{{{ go_name }}}} (its spelling in type names), {{{{ snake }}}}, {{{{ type }}}}, with\n\
         # `upper` and `capitalize` for its other casings. Edit them as this project's backends\n\
         # should be; then `add-backend trust`, and `add-backend NAME` adds one.\n\
         #\n\
         # A `clone` patch puts its template's text where `--like {sibling}` clones the unit\n\
         # `unit` (named as {sibling}'s): after it, or in its sorted place. It is done when\n\
         # the text is there.\n\
         \n\
         target = {}\n\
         \n\
         [detect]\n\
         {detect}\n\
         \n\
         # The backend this profile was learnt from, and the tree's spelling of it in type names.\n\
         [like]\n\
         backend = {}\n\
         go-name = {}\n",
        quoted(project),
        quoted(sibling),
        quoted(&cloning.sibling_go)
    )
}

/// `[backends]`, how `doctor` finds the backends: a path like the
/// model's first own file (its file named for it, if it has one), and
/// the tree's spelling of each in type names, from a Go declaration named
/// for the model (`newSFTPReplicaClientFromConfig`).
fn backends(checkout: &Checkout, cloning: &Cloning, forms: &[(String, &str)]) -> Result<String> {
    let as_name = |path: &str| {
        let mut path = templated(path, forms);
        for (_, expression) in forms {
            path = path.replace(expression, "{name}");
        }
        path
    };
    let paths: Vec<String> = cloning.own.iter().map(|(_, change)| as_name(&change.path)).collect();
    let code = |p: &&String| (p.ends_with(".go") && !p.ends_with("_test.go")) || p.ends_with(".rs");
    let named = paths.iter().filter(code).find(|p| p.rsplit('/').next().is_some_and(|f| f.starts_with("{name}.")));
    let Some(path) = named.or_else(|| paths.iter().find(code)).filter(|p| p.contains("{name}")) else {
        return Ok(String::new());
    };
    let mut out = format!(
        "\n# How `doctor` finds the backends the checkout has: each path like this one,\n# {{name}} the backend's name.\n[backends]\npath = {}\n",
        quoted(path)
    );
    let declaration = cloning.wired.iter().find_map(|w| {
        let names = w.cloned.iter().filter_map(|c| c.key.strip_prefix("declaration clone of "));
        let named = names.map(|n| n.split_whitespace().next().unwrap_or(n)).find(|n| n.contains(&cloning.sibling_go));
        named.filter(|_| w.path.ends_with(".go")).map(|n| (w.path.as_str(), n.replacen(&cloning.sibling_go, "*", 1)))
    });
    if let Some((file, like)) = declaration {
        out += &format!("learn = {{ go_name = {{ file = {}, like = {} }} }}\n", quoted(file), quoted(&like));
    }
    // In a package with features, a module like it with no feature of its
    // name is not a backend (the parent module, one built in).
    if let Project::Cargo(_) = checkout.project
        && let Some(manifest) = checkout.read("Cargo.toml")?
    {
        let folded = |name: &str| name.replace(['-', '_'], "").to_lowercase();
        let doc = crate::anchor::cargo::document(&manifest).ok();
        let features: Vec<String> = doc
            .as_ref()
            .and_then(|d| d.get("features")?.as_table_like().map(|t| t.iter().map(|(f, _)| folded(f)).collect()))
            .unwrap_or_default();
        let (head, tail) = path.split_once("{name}").unwrap_or((path, ""));
        let mut exclude: Vec<String> = like::tree(checkout)?
            .iter()
            .filter_map(|f| f.strip_prefix(head)?.strip_suffix(tail).map(str::to_string))
            .filter(|name| !name.contains('/') && !features.contains(&folded(name)))
            .collect();
        exclude.sort();
        if !features.is_empty() && !exclude.is_empty() {
            let list: Vec<String> = exclude.iter().map(|e| quoted(e)).collect();
            out += &format!(
                "# Modules like it with no feature of their name: not backends.\nexclude = [{}]\n",
                list.join(", ")
            );
        }
    }
    Ok(out)
}

fn quoted(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_string()
}

/// A file of the profile, created; one there already is the same, or is
/// written over with `force`.
fn created(checkout: &Checkout, path: String, content: String, force: bool) -> Result<FileChange> {
    let before = checkout.read(&path)?.map(std::rc::Rc::unwrap_or_clone);
    Ok(FileChange::written(path, before, content, force))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stand_in() -> BackendName {
        BackendName { r#type: "zqxw".into(), package: "zqxw".into(), go_name: "ZqXw".into() }
    }

    #[test]
    fn tera_s_own_syntax_stays_text_and_the_stand_in_s_forms_become_variables() {
        let text = "m := map[string]int{{\"zqxw\": 1}} // {% {# ZQXW Zqxw ZqXw}\nuse crate::zqxw::{ZqXwCache};\n";
        let template = templated(text, &forms(&stand_in()));
        assert_eq!(
            template,
            "m := map[string]int{{ \"{{\" }}\"{{ package }}\": 1}} // {{ \"{%\" }} {{ \"{#\" }} {{ package | upper }} {{ package | capitalize }} {{ go_name }}}\nuse crate::{{ package }}::{{ \"{\" }}{{ go_name }}Cache};\n"
        );
        let renderer = crate::render::Renderer::new(&super::super::plain::name_vars(&stand_in()), Vec::new()).unwrap();
        assert_eq!(renderer.render_str(&template).unwrap(), text);
    }

    #[test]
    fn a_number_that_grows_with_the_name_is_its_length_and_a_column_is_not_one() {
        let [package, go_name] = longer(&stand_in());
        assert_eq!((package.package.len(), package.go_name.len()), (5, 4));
        assert_eq!((go_name.package.len(), go_name.go_name.len()), (4, 6));
        let grown = |p: &str, g: &str| vec![("package", 4, 1, p.to_string()), ("go_name", 4, 2, g.to_string())];
        // `s[5:]` after "zqxw:", `s[6:]` after the longer "zqxwz:"; the
        // spaces of an aligned column differ too.
        let template = lengths("x  := s[5:] // 2\n", &grown("x   := s[6:] // 2\n", "x  := s[5:] // 2\n")).unwrap();
        assert_eq!(template, "x  := s[{{ (package | length) + 1 }}:] // 2\n");
        // After "ZqXw:", the Go name's; after "zqxw+zqxw:", twice the name's.
        assert_eq!(lengths("s[5:]", &grown("s[5:]", "s[7:]")).unwrap(), "s[{{ (go_name | length) + 1 }}:]");
        assert_eq!(lengths("s[10:]", &grown("s[12:]", "s[10:]")).unwrap(), "s[{{ (package | length) * 2 + 2 }}:]");
        assert_eq!(lengths("n = 4", &grown("n = 5", "n = 4")).unwrap(), "n = {{ package | length }}");
        // A number that grows with both is not guessed at.
        assert!(lengths("n = 4", &grown("n = 5", "n = 6")).is_err());
    }
}
