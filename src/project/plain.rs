//! A checkout's own project, described by its profile alone: the
//! variables its templates see are those every project has — the name in
//! each casing, the fields, the parameters — and the profile's `[vars]`.
//! No code knows the project; the profile and its templates are all of it.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use serde::Serialize;

use super::Request;
use super::steps::Steps;
use crate::checkout::{Checkout, Project};
use crate::names::BackendName;
use crate::plan::Plan;
use crate::profile::Profile;
use crate::render::{self, Renderer};

/// The name's forms: `my-store` is `my-store` (type, kebab), `mystore`
/// (package, flat), `my_store` (snake), `MyStore` (pascal), `myStore`
/// (camel), `MY_STORE` (shouty) and `MyStore` (go_name, with Go's
/// initialisms: `ftp` is `FTP`, `--go-name` overrides it).
#[derive(Serialize)]
pub struct NameVars<'a> {
    r#type: &'a str,
    package: &'a str,
    go_name: &'a str,
    kebab: &'a str,
    flat: &'a str,
    snake: String,
    pascal: String,
    camel: String,
    shouty: String,
}

pub fn name_vars(name: &BackendName) -> NameVars<'_> {
    NameVars {
        r#type: &name.r#type,
        package: &name.package,
        go_name: &name.go_name,
        kebab: &name.r#type,
        flat: &name.package,
        snake: name.r#type.to_snake_case(),
        pascal: name.r#type.to_upper_camel_case(),
        camel: name.r#type.to_lower_camel_case(),
        shouty: name.r#type.to_shouty_snake_case(),
    }
}

/// One `--field NAME[:TYPE][!]`, in every casing; its type is the word
/// given (`string` by default) for the templates to map.
#[derive(Serialize)]
struct Field {
    name: String,
    snake: String,
    kebab: String,
    pascal: String,
    camel: String,
    shouty: String,
    /// The Go name, with Go's initialisms: `api_key` is `APIKey`.
    go: String,
    /// In prose: `api_key` is `API key`.
    words: String,
    r#type: String,
    required: bool,
}

#[derive(Serialize)]
struct Vars<'a> {
    #[serde(flatten)]
    name: NameVars<'a>,
    /// The Go module path, or the Cargo package name.
    module: &'a str,
    fields: Vec<Field>,
    /// Each parameter, by name, given or by default; also a variable of
    /// its own.
    params: &'a BTreeMap<String, String>,
}

fn fields(raw: &[String]) -> Result<Vec<Field>> {
    let mut fields: Vec<Field> = Vec::new();
    for spec in raw {
        let (rest, required) = spec.strip_suffix('!').map_or((spec.as_str(), false), |rest| (rest, true));
        let (name, ty) = rest.split_once(':').unwrap_or((rest, "string"));
        let word = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !word(name) || !word(ty) {
            bail!(
                "--field {spec}: give NAME, NAME:TYPE or either with `!` (required), in letters, digits, `_` and `-`"
            );
        }
        if fields.iter().any(|f| f.snake == name.to_snake_case()) {
            bail!("--field {spec}: given twice");
        }
        fields.push(Field {
            name: name.to_string(),
            snake: name.to_snake_case(),
            kebab: name.to_kebab_case(),
            pascal: name.to_upper_camel_case(),
            camel: name.to_lower_camel_case(),
            shouty: name.to_shouty_snake_case(),
            go: name.to_snake_case().split('_').map(crate::names::go_word).collect(),
            words: name.to_snake_case().split('_').map(crate::names::prose_word).collect::<Vec<_>>().join(" "),
            r#type: ty.to_string(),
            required,
        });
    }
    Ok(fields)
}

/// The Go module path, or the Cargo package name.
fn module(checkout: &Checkout) -> &str {
    match &checkout.project {
        Project::Go(module) => module,
        Project::Cargo(package) => package,
    }
}

/// Each parameter's value: given (`--set`, or as the manifest records
/// it), else its default, rendered over the name's forms; a parameter
/// with neither is an error naming its place in the profile.
fn params(profile: &Profile, name: &BackendName, given: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    let mut renderer = Renderer::new(&name_vars(name), Vec::new())?;
    let mut values = given.clone();
    for param in &profile.params {
        let value = match (given.get(&param.name), &param.default) {
            (Some(value), _) => value.clone(),
            (None, Some(default)) => renderer
                .render_str(default)
                .map_err(|e| anyhow::anyhow!("{}: default: {e:#}", profile.place_key(&["params", &param.name])))?,
            (None, None) => bail!(
                "{}: --set {}=VALUE is needed: {}; the profile gives it no default",
                profile.place_key(&["params", &param.name]),
                param.name,
                param.help
            ),
        };
        check_param(param, &value)?;
        renderer.set(&param.name, &value);
        values.insert(param.name.clone(), value);
    }
    Ok(values)
}

/// A parameter's value is one line of text, not blank, without the
/// characters its profile forbids.
fn check_param(param: &crate::profile::Param, value: &str) -> Result<()> {
    let wrong = |why: String| -> Result<()> {
        Err(crate::error::Error::Usage(format!("--set {}={value:?}: {why}", param.name)).into())
    };
    if value.trim().is_empty() {
        return wrong("give a value".to_string());
    }
    if value.trim() != value {
        return wrong("no space at its start or end".to_string());
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return wrong(format!("one line of text, without {c:?}"));
    }
    if let Some(c) = param.forbid.as_deref().and_then(|forbid| value.chars().find(|c| forbid.contains(*c))) {
        let all: Vec<String> = param.forbid.as_deref().unwrap_or("").chars().map(String::from).collect();
        return wrong(format!("may not hold {c:?} (the profile forbids {})", all.join(" ")));
    }
    Ok(())
}

/// The renderer of a backend's variables: `Vars`, each parameter as a
/// variable of its own too, and the profile's `[vars]`.
fn renderer(vars: &Vars, profile: &Profile, dirs: Vec<std::path::PathBuf>) -> Result<Renderer> {
    let mut renderer = Renderer::new(vars, dirs)?;
    for (name, value) in vars.params {
        renderer.set(name, value);
    }
    renderer.define_all(&profile.vars, &profile.source)?;
    Ok(renderer)
}

/// The variables of a backend the checkout has, for `doctor`: its name's
/// forms, the module, and the fields and parameters its manifest records
/// if add-backend wrote it (else none, and each parameter's default).
pub fn existing_vars(
    checkout: &Checkout,
    name: &BackendName,
    profile: &Profile,
    recorded: Option<&crate::manifest::Settings>,
) -> Result<serde_json::Value> {
    let none = BTreeMap::new();
    let params = params(profile, name, recorded.map_or(&none, |s| &s.params))?;
    let fields = fields(recorded.map_or(&[][..], |s| &s.fields))?;
    let vars = Vars { name: name_vars(name), module: module(checkout), fields, params: &params };
    let mut value = serde_json::to_value(&vars)?;
    for (name, param) in &params {
        value[name] = param.clone().into();
    }
    Ok(value)
}

pub fn plan(checkout: &Checkout, project: &str, request: &Request) -> Result<Plan> {
    debug_assert!(!project.is_empty());
    let name = BackendName::parse(request.name, request.go_name)?;
    let dirs = render::override_dirs(request.templates, Some(&checkout.root))?;
    let profile = crate::profile::load(project, &dirs)?;
    let module = module(checkout);
    let params = params(&profile, &name, request.params)?;
    let vars = Vars { name: name_vars(&name), module, fields: fields(request.fields)?, params: &params };
    // A profile learnt from a backend: the clone of it, and its templates
    // rendered for it, by which its anchors and columns go.
    let cloning;
    let model_renderer;
    let model = match &profile.like {
        Some(_) if !request.fields.is_empty() => {
            return Err(crate::error::Error::Usage(format!(
                "--field: {} is learnt from a backend (learn --like), whose settings its templates write; edit them instead",
                profile.source
            ))
            .into());
        }
        Some(like) => {
            let model = BackendName { go_name: like.go_name.clone(), ..BackendName::parse(&like.backend, None)? };
            cloning = super::like::cloning(checkout, &name, &like.backend, request.force, false)
                .map_err(|e| anyhow::anyhow!("{}: [like] {}: {e:#}", profile.source, like.backend))?;
            let model_params = self::params(&profile, &model, request.params)?;
            let vars = Vars { name: name_vars(&model), module, fields: fields(request.fields)?, params: &model_params };
            model_renderer = renderer(&vars, &profile, dirs.clone())?;
            Some(super::steps::Model { cloning: Some(&cloning), renderer: &model_renderer })
        }
        None => None,
    };
    let renderer = renderer(&vars, &profile, dirs)?;
    let go = matches!(checkout.project, Project::Go(_));
    let steps = Steps {
        checkout,
        profile: &profile,
        renderer: &renderer,
        module: if go { module } else { "" },
        force: request.force,
        parsed: &[],
        check_only: false,
        model,
    };
    let next: Vec<String> = profile
        .next
        .iter()
        .map(|step| renderer.render_str(step).map_err(|e| anyhow::anyhow!("{}: {e:#}", profile.place_key(&["next"]))))
        .collect::<Result<_>>()?;
    steps.plan(name, Vec::new(), next, request.force || request.regenerating)
}
