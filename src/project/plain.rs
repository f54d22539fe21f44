//! A checkout's own project, described by its profile alone: the
//! variables its templates see are those every project has — the name in
//! each casing, the fields, the parameters — and the profile's `[vars]`.
//! No code knows the project; the profile and its templates are all of it.

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
    /// Each parameter, by name; also a variable of its own.
    params: &'a std::collections::BTreeMap<String, String>,
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

/// The variables of a backend the checkout has, for `doctor`: its name's
/// forms, the module, no fields, and each parameter's default.
pub fn existing_vars(checkout: &Checkout, name: &BackendName, profile: &Profile) -> Result<serde_json::Value> {
    let none = std::collections::BTreeMap::new();
    let vars = Vars { name: name_vars(name), module: module(checkout), fields: Vec::new(), params: &none };
    let mut renderer = Renderer::new(&vars, Vec::new())?;
    let mut value = serde_json::to_value(&vars)?;
    for param in &profile.params {
        let default = param.default.as_deref().map(|d| renderer.render_str(d)).transpose()?.unwrap_or_default();
        renderer.set(&param.name, &default);
        value[&param.name] = default.into();
    }
    Ok(value)
}

pub fn plan(checkout: &Checkout, project: &str, request: &Request) -> Result<Plan> {
    debug_assert!(!project.is_empty());
    let name = BackendName::parse(request.name, request.go_name)?;
    let dirs = render::override_dirs(request.templates, Some(&checkout.root))?;
    let profile = crate::profile::load(project, &dirs)?;
    let module = module(checkout);
    let fields = fields(request.fields)?;
    let vars = Vars { name: name_vars(&name), module, fields, params: request.params };
    let mut renderer = Renderer::new(&vars, dirs)?;
    for param in &profile.params {
        let value = match (request.param(&param.name), &param.default) {
            (Some(value), _) => value.to_string(),
            (None, Some(default)) => renderer.render_str(default)?,
            (None, None) => bail!(
                "--set {}=VALUE is needed: {} ({}); the profile gives it no default",
                param.name,
                param.help,
                profile.source
            ),
        };
        renderer.set(&param.name, &value);
    }
    renderer.define_all(&profile.vars, &profile.source)?;
    let go = matches!(checkout.project, Project::Go(_));
    let steps = Steps {
        checkout,
        profile: &profile,
        renderer: &renderer,
        module: if go { module } else { "" },
        force: request.force,
        parsed: &[],
        check_only: false,
    };
    let next = profile.next.iter().map(|step| renderer.render_str(step)).collect::<Result<Vec<_>>>()?;
    steps.plan(name, Vec::new(), next, request.force || request.regenerating)
}
