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
const STAND_INS: &[&str] = &["zqxwvyjkgbfhmpnd", "qjzxkwvyfbgmhpnd", "xzjqvkwybfgpmhnd"];

/// The plan of `learn --like sibling`: the profile and its templates,
/// created (or, with `force`, written over).
pub fn plan(checkout: &Checkout, project: &str, sibling: &str, force: bool) -> Result<Plan> {
    let model = BackendName::parse(sibling, None)?;
    let (stand_in, cloning) = stand_in_clone(checkout, &model)?;
    // A clone for a longer stand-in: a number that grows with the name
    // (`s[5:]` after `strings.HasPrefix(s, "sftp:")`) is its length.
    let longer = longer(&stand_in);
    let longer_cloning = like::cloning(checkout, &longer, &model.r#type, true)?;
    let longer_texts = texts(&longer_cloning);
    let forms = forms(&stand_in);
    let longer_forms = self::forms(&longer);
    let mut n_text = 0;
    let mut template_of = |text: &str| -> Result<String> {
        let template = templated(text, &forms);
        let other = longer_texts.get(n_text).map(|t| templated(t, &longer_forms));
        n_text += 1;
        match other {
            Some(other) if other != template => lengths(&template, &other, &stand_in, &longer),
            _ => Ok(template),
        }
    };
    let dir = format!("{}/{project}", crate::trust::DIR);
    let mut templates: Vec<(String, String)> = Vec::new();
    let mut profile = header(checkout, project, &cloning);
    profile += &backends(&cloning, &forms);

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
                templates.push((name, template_of(&edit.text)?));
            }
        }
    }
    check_round_trip(&stand_in, &cloning, &templates)?;

    let mut files = vec![created(checkout, format!("{dir}/profile.toml"), profile, force)?];
    for (name, text) in templates {
        files.push(created(checkout, format!("{dir}/{name}.tera"), text, force)?);
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
    if crate::profile::BUILT_IN.iter().any(|(built_in, _)| *built_in == name) || name.is_empty() {
        format!("{name}-project")
    } else {
        name
    }
}

/// A clone of `model` as a stand-in no file read holds in any casing. In
/// Go, the stand-in is as long as the model's name, so that the columns
/// gofmt aligns by names are the model's own in the templates.
fn stand_in_clone(checkout: &Checkout, model: &BackendName) -> Result<(BackendName, Cloning)> {
    for letters in STAND_INS {
        let stand_in = match &checkout.project {
            Project::Go(_) => {
                let length = model.package.len().min(letters.len());
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
                    .find(|g| *g != package.to_uppercase() && *g != title)
                    .unwrap_or_else(|| alternate(true));
                BackendName { r#type: package.clone(), package, go_name }
            }
            Project::Cargo(_) => {
                let (a, b) = letters.split_at(2);
                let raw = format!("{a}-{}", &b[..2]);
                BackendName::parse(&raw, Some(&format!("{}{}", capitalised(a), capitalised(&b[..2]))))?
            }
        };
        let cloning = like::cloning(checkout, &stand_in, &model.r#type, true)?;
        let folded = [stand_in.package.clone(), stand_in.r#type.clone(), stand_in.r#type.replace('-', "_")];
        let mut sources: Vec<std::rc::Rc<String>> = Vec::new();
        for (from, _) in &cloning.own {
            sources.extend(checkout.read(from)?);
        }
        let held = |text: &str| {
            let lower = text.to_ascii_lowercase();
            folded.iter().any(|f| lower.contains(f.as_str()))
        };
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
/// then each insertion's.
fn texts(cloning: &Cloning) -> Vec<&str> {
    let own = cloning.own.iter().map(|(_, change)| change.after.as_str());
    let wired =
        cloning.wired.iter().flat_map(|w| w.cloned.iter().flat_map(|c| c.edits.iter().map(|e| e.text.as_str())));
    own.chain(wired).collect()
}

/// The stand-in one letter longer.
fn longer(stand_in: &BackendName) -> BackendName {
    let letter = STAND_INS.iter().flat_map(|l| l.chars()).find(|c| !stand_in.package.contains(*c)).unwrap_or('z');
    let upper = letter.to_ascii_uppercase();
    let go_last = if stand_in.go_name.ends_with(|c: char| c.is_lowercase()) { upper } else { letter };
    BackendName {
        r#type: format!("{}{letter}", stand_in.r#type),
        package: format!("{}{letter}", stand_in.package),
        go_name: format!("{}{go_last}", stand_in.go_name),
    }
}

/// `template` where the template of a longer name's clone, `other`,
/// differs from it: the numbers that grow with the name are its length,
/// `{{ (package | length) + 1 }}`. Columns aligned by the names' lengths
/// (spaces) are not those; any other difference is not learnt.
fn lengths(template: &str, other: &str, stand_in: &BackendName, longer: &BackendName) -> Result<String> {
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
    let (mine, theirs) = (runs(template), runs(other));
    let spaceless = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
    let grows = longer.package.len() - stand_in.package.len();
    let same_shape = mine.len() == theirs.len()
        && mine.iter().zip(&theirs).all(|((d, a), (e, b))| d == e && (*d || spaceless(a) == spaceless(b)));
    if !same_shape {
        return Ok(template.to_string());
    }
    let mut out = String::new();
    for ((digit, a), (_, b)) in mine.iter().zip(&theirs) {
        let (x, y) = (a.parse::<usize>().ok(), b.parse::<usize>().ok());
        match (digit, x, y) {
            (true, Some(x), Some(y)) if x != y && y == x + grows && x >= stand_in.package.len() => {
                let more = x - stand_in.package.len();
                out += &if more == 0 {
                    "{{ package | length }}".to_string()
                } else {
                    format!("{{{{ (package | length) + {more} }}}}")
                };
            }
            (true, _, _) if a != b => {
                bail!(
                    "learn: a number of the clone ({a}) changes with the new name in a way not learnt; please report this"
                )
            }
            _ => out += a,
        }
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
fn backends(cloning: &Cloning, forms: &[(String, &str)]) -> String {
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
        return String::new();
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
    out
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
        let longer = longer(&stand_in());
        assert_eq!((longer.package.len(), longer.go_name.len()), (5, 5));
        // `s[5:]` after "zqxw:", `s[6:]` after the longer "zqxwv:"; the
        // spaces of an aligned column differ too.
        let mine = "x  := s[5:] // 2\n";
        let theirs = "x   := s[6:] // 2\n";
        assert_eq!(
            lengths(mine, theirs, &stand_in(), &longer).unwrap(),
            "x  := s[{{ (package | length) + 1 }}:] // 2\n"
        );
        assert_eq!(lengths("n = 4", "n = 5", &stand_in(), &longer).unwrap(), "n = {{ package | length }}");
        // A number that changes otherwise is not guessed at.
        assert!(lengths("n = 4", "n = 9", &stand_in(), &longer).is_err());
    }
}
