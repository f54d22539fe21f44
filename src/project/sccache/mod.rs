//! sccache (github.com/mozilla/sccache): a cache backend is a module over
//! an OpenDAL service behind a Cargo feature of its name, configured in
//! `src/config.rs` (file and environment), built in `src/cache/cache.rs`,
//! named as a level in `src/cache/multilevel.rs`, listed by `--help` and
//! documented. The profile (`templates/sccache/profile.toml`) holds every
//! place; this module derives the names and checks the request.

mod opendal;
mod sibling;

use anyhow::{Result, bail};
use heck::{ToKebabCase, ToShoutySnakeCase, ToUpperCamelCase};
use serde::Serialize;
use toml_edit::Item;

use super::Request;
use crate::checkout::Checkout;
use crate::names::BackendName;
use crate::plan::Plan;
use crate::profile;
use crate::project::steps::Steps;
use crate::render::{self, Renderer};

/// The package name a Cargo.toml of sccache declares.
pub const PACKAGE: &str = "sccache";

/// Modules of `src/cache` that are not backends, and Rust's keywords:
/// a backend module cannot take these names.
const RESERVED: &[&str] = &[
    "cache",
    "multilevel",
    "http_client",
    "disk",
    "readonly",
    "utils",
    "mod",
    "as",
    "async",
    "await",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "yield",
];

/// One `--field`: a setting of the backend's config.
#[derive(Serialize)]
struct Field {
    /// The config key and struct field: `key_prefix`.
    name: String,
    required: bool,
    /// `key_prefix`: a `String` that defaults to empty, the operator's root.
    prefix: bool,
    /// `SCCACHE_COS_KEY_PREFIX`
    env: String,
    /// The OpenDAL builder method that takes it.
    method: String,
    /// `String` or `Option<String>`.
    rust_type: &'static str,
    /// How config_from_env reads it: `string_from_env_var("SCCACHE_COS_ENDPOINT")`.
    env_read: String,
    /// A value for the tests.
    sample: String,
}

#[derive(Serialize)]
struct Vars<'a> {
    r#type: &'a str,
    /// The module and the `CacheConfigs` field: `cos`.
    module: String,
    /// The Cargo feature: `cos`.
    feature: &'a str,
    /// The type-name part: `COS` (`COSCache`, `CacheType::COS`).
    prefix: &'a str,
    /// The OpenDAL service type (`Cos`) and its Cargo feature (`services-cos`).
    service: String,
    /// The backend's name in prose: `Tencent Cloud Object Storage`, or `COS`.
    title: String,
    service_feature: String,
    /// `SCCACHE_COS`
    env: String,
    fields: Vec<Field>,
    /// The required field whose environment variable turns the backend on.
    gate: String,
    gate_env: String,
    /// Its line in `--help`'s feature listing: `    COS:       `.
    help_label: String,
    /// `build`'s parameters and the arguments the storage passes, each on
    /// one line when rustfmt would keep them there (lines up to 100).
    build_params: String,
    build_params_inline: bool,
    build_args: String,
    /// The builder, given every setting that is always there
    /// (`Cos::default().bucket(bucket).root(key_prefix)`), as calls that
    /// rustfmt keeps on one line (`builder_inline`) or puts one per line.
    builder_calls: Vec<String>,
    builder_inline: bool,
    /// Whether optional settings follow, so the builder is `mut`.
    builder_mut: bool,
    /// The features of the backends the checkout has, comma-separated
    /// (`webdav,oss`), and their modules and `CacheConfigs` fields (a
    /// feature's `-` is a `_` there).
    backends: String,
    backend_modules: String,
    /// The backend whose module and feature the new one follows (see
    /// `sibling.rs`), its imports and its operator statement; empty when
    /// the checkout has none, and the templates' own are used.
    sibling: String,
    sibling_imports: String,
    sibling_operator: String,
    operator_var: String,
    /// rustfmt's line width in the checkout (`max_width`, 100 by default);
    /// with `column`, where a template's text starts, it decides where a
    /// template breaks its lines.
    max_width: usize,
}

pub fn plan(checkout: &Checkout, request: &Request) -> Result<Plan> {
    let name = BackendName::parse(request.name, request.go_name)?;
    let dirs = render::override_dirs(request.templates, Some(&checkout.root))?;
    let profile = profile::load("sccache", &dirs)?;
    profile.require_detected(&checkout.root)?;
    require_supported(checkout)?;

    let module = name.r#type.replace('-', "_");
    if RESERVED.contains(&module.as_str()) {
        bail!("backend name {:?} cannot be used: {module} is a Rust keyword or a module of src/cache", name.r#type);
    }
    let backends = backends(checkout)?;
    if !backends.contains(&name.r#type)
        && let Some(clash) = cargo_name_clash(checkout, &name.r#type)?
    {
        bail!("backend name {:?} is taken: Cargo.toml has {clash} of that name already", name.r#type);
    }
    let env = format!("SCCACHE_{}", module.to_shouty_snake_case());
    let fields = fields(request.fields, &module, &env)?;
    let Some(gate) = fields.iter().find(|f| f.required && !f.prefix) else {
        bail!(
            "--field: an sccache backend needs a required setting (NAME!, e.g. --field bucket!): its {env}_* variable turns the backend on"
        );
    };
    let service = request.param("service").map_or_else(|| name.go_name.to_upper_camel_case(), str::to_string);
    if !service.chars().all(|c| c.is_ascii_alphanumeric()) || !service.starts_with(|c: char| c.is_ascii_uppercase()) {
        bail!("--service {service:?}: give the OpenDAL service's type name, as in opendal::services::Cos");
    }
    let mut warnings = Vec::new();
    match opendal::builder(checkout, &service)? {
        opendal::Builder::Methods { source, methods } => {
            if let Some(f) = fields.iter().find(|f| !methods.contains(&f.method)) {
                bail!(
                    "--field {}: opendal::services::{service} ({source}) has no builder method {}(); its methods are {}",
                    f.name,
                    f.method,
                    methods.join(", ")
                );
            }
        }
        opendal::Builder::Unknown(why) => warnings.push(format!(
            "the --field settings are not checked against opendal::services::{service}'s builder: {why}"
        )),
    }
    let title = request.param("title").unwrap_or(&name.go_name);
    if title.trim().is_empty() || title.contains(['\n', '\r', '[', ']', '`']) {
        bail!("--title {title:?}: give the backend's name as the docs write it, on one line, without [ ] or `");
    }
    let params: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name, if f.rust_type == "String" { "&str" } else { "Option<&str>" }))
        .collect();
    let args: Vec<String> = fields
        .iter()
        .map(|f| if f.rust_type == "String" { format!("&c.{}", f.name) } else { format!("c.{}.as_deref()", f.name) })
        .collect();
    let (build_params, build_args) = (params.join(", "), args.join(", "));
    let model = sibling::learn(checkout, &backends, &service)?;
    let max_width = crate::project::rustfmt_width(checkout)?;
    let build_params_inline = format!("    pub fn build({build_params}) -> Result<Operator> {{").len() <= max_width;
    let builder_calls: Vec<String> =
        fields.iter().filter(|f| f.rust_type == "String").map(|f| format!(".{}({})", f.method, f.name)).collect();
    let chain = format!("{service}::default(){}", builder_calls.concat());
    // rustfmt's chain width is 60% of the line's.
    let builder_inline =
        chain.len() <= max_width * 60 / 100 && format!("        let mut builder = {chain};").len() <= max_width;
    let builder_mut = fields.iter().any(|f| f.rust_type != "String");
    let vars = Vars {
        builder_calls,
        builder_inline,
        builder_mut,
        build_params,
        build_params_inline,
        build_args,
        r#type: &name.r#type,
        feature: &name.r#type,
        prefix: &name.go_name,
        service_feature: service.to_kebab_case(),
        title: title.to_string(),
        service,
        env,
        gate: gate.name.clone(),
        gate_env: gate.env.clone(),
        // Padded to upstream's column, and a space from the value whatever its length.
        help_label: format!("    {:<10} ", format!("{}:", name.go_name)),
        fields,
        backend_modules: backends.iter().map(|b| b.replace('-', "_")).collect::<Vec<_>>().join(","),
        backends: backends.join(","),
        module,
        sibling: model.as_ref().map(|m| m.feature.clone()).unwrap_or_default(),
        sibling_imports: model.as_ref().map(|m| m.imports.clone()).unwrap_or_default(),
        sibling_operator: model.as_ref().map(|m| m.operator.clone()).unwrap_or_default(),
        operator_var: model.map_or_else(|| "op".to_string(), |m| m.operator_var),
        max_width,
    };
    let mut renderer = Renderer::new(&vars, dirs)?;
    renderer.define_all(&profile.vars, &profile.source)?;
    if max_width != 100 {
        warnings.push(format!(
            "this checkout sets rustfmt's max_width to {max_width}; the templates break lines as rustfmt does at 100 (its default, and sccache's), so `cargo fmt` may re-break some"
        ));
    }
    let steps = Steps {
        checkout,
        profile: &profile,
        renderer: &renderer,
        module: "",
        force: request.force,
        parsed: &[],
        check_only: false,
        model: None,
    };
    let next_steps = vec![
        format!("cargo check --no-default-features --features {} checks the new module against OpenDAL", name.r#type),
        format!("cargo test --no-default-features --features {} config runs the config tests", name.r#type),
    ];
    steps.plan(name, warnings, next_steps, request.force || request.regenerating)
}

/// The oldest release the templates are written for: 0.16 added the
/// helpers they call (`string_from_env_var`, `cache_mode_from_env_var`,
/// the three-argument `RemoteStorage::new`), and 0.14 has no
/// `multilevel.rs` and builds a cache in `storage_from_config`.
const OLDEST: (u64, u64) = (0, 16);
const SUPPORTED: &str = "0.16, 0.17, 0.18 and main";

/// Refuses a checkout whose `[package] version` is older than `OLDEST`,
/// naming the releases add-backend writes for. A version it cannot read is
/// let through: what the profile looks for then decides.
fn require_supported(checkout: &Checkout) -> Result<()> {
    let text = checkout.require("Cargo.toml", "is this an sccache checkout?")?;
    let doc =
        crate::anchor::cargo::document(&text).map_err(|e| anyhow::anyhow!("Cargo.toml: {}", e.message().trim_end()))?;
    let Some(version) = doc.get("package").and_then(|p| p.get("version")).and_then(Item::as_str) else { return Ok(()) };
    let mut parts = version.split(['.', '-', '+']).map(|p| p.parse::<u64>());
    if let (Some(Ok(major)), Some(Ok(minor))) = (parts.next(), parts.next())
        && (major, minor) < OLDEST
    {
        bail!(
            "sccache {version} is older than add-backend supports: it writes backends for sccache {SUPPORTED} (Cargo.toml [package] version {}.{} or later)",
            OLDEST.0,
            OLDEST.1
        );
    }
    Ok(())
}

/// The backends the checkout has: the features the `all` feature lists
/// that turn on an OpenDAL service (`dist-client` is listed too, and is none).
fn backends(checkout: &Checkout) -> Result<Vec<String>> {
    let text = checkout.require("Cargo.toml", "is this an sccache checkout?")?;
    let doc =
        crate::anchor::cargo::document(&text).map_err(|e| anyhow::anyhow!("Cargo.toml: {}", e.message().trim_end()))?;
    let features = doc.get("features");
    let all = features.and_then(|f| f.get("all")).and_then(Item::as_array);
    let Some(all) = all else { bail!("Cargo.toml: no `all` feature listing the cache backends") };
    let service = |feature: &str| {
        let deps = features.and_then(|f| f.get(feature)).and_then(Item::as_array);
        deps.is_some_and(|deps| deps.iter().any(|d| d.as_str().is_some_and(|d| d.starts_with("opendal/services-"))))
    };
    Ok(all.iter().filter_map(|v| v.as_str()).filter(|f| service(f)).map(str::to_string).collect())
}

/// What the feature a backend named `feature` adds would clash with: a
/// feature of that name (`all`, `dist-server`), or a dependency (whose
/// optional ones are features too: `reqwest`, `url`).
fn cargo_name_clash(checkout: &Checkout, feature: &str) -> Result<Option<&'static str>> {
    let text = checkout.require("Cargo.toml", "is this an sccache checkout?")?;
    let doc =
        crate::anchor::cargo::document(&text).map_err(|e| anyhow::anyhow!("Cargo.toml: {}", e.message().trim_end()))?;
    if doc.get("features").and_then(|f| f.get(feature)).is_some() {
        return Ok(Some("a feature"));
    }
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut deps: Vec<&Item> = tables.iter().filter_map(|t| doc.get(t)).collect();
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (_, target) in targets.iter() {
            deps.extend(tables.iter().filter_map(|t| target.get(t)));
        }
    }
    let named = |deps: &Item| deps.as_table_like().is_some_and(|t| t.iter().any(|(name, _)| name == feature));
    Ok(deps.into_iter().any(named).then_some("a dependency"))
}

/// The `--field` values: `NAME[:string][!]`, snake_case names.
fn fields(raw: &[String], module: &str, env: &str) -> Result<Vec<Field>> {
    let mut fields: Vec<Field> = Vec::new();
    for spec in raw {
        let (spec, required) = match spec.strip_suffix('!') {
            Some(rest) => (rest, true),
            None => (spec.as_str(), false),
        };
        let (name, ty) = spec.split_once(':').unwrap_or((spec, "string"));
        if ty != "string" {
            bail!("--field {spec}: sccache settings are strings; {ty:?} is not supported here");
        }
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid || RESERVED.contains(&name) {
            bail!("--field {spec}: a setting is a snake_case Rust field name, not a keyword (e.g. bucket, key_prefix)");
        }
        if fields.iter().any(|f| f.name == name) {
            bail!("--field {spec}: given twice");
        }
        if name == "rw_mode" {
            bail!("--field {spec}: every cache config has rw_mode already (READ_ONLY or READ_WRITE)");
        }
        let prefix = name == "key_prefix";
        if prefix && required {
            bail!("--field {spec}: key_prefix defaults to empty and cannot be required");
        }
        let var = format!("{env}_{}", name.to_shouty_snake_case());
        fields.push(Field {
            name: name.to_string(),
            required,
            prefix,
            env: var.clone(),
            method: if prefix { "root".to_string() } else { name.to_string() },
            rust_type: if required || prefix { "String" } else { "Option<String>" },
            env_read: match (prefix, required) {
                (true, _) => format!("key_prefix_from_env_var(\"{var}\")"),
                (_, true) => format!("string_from_env_var(\"{var}\").unwrap_or_default()"),
                _ => format!("string_from_env_var(\"{var}\")"),
            },
            sample: if prefix {
                format!("{module}prefix")
            } else {
                format!("{}-{}", module.replace('_', "-"), name.replace('_', "-"))
            },
        });
    }
    Ok(fields)
}

/// The variables a path of the profile may use, from the name alone.
#[derive(Serialize)]
pub struct NameVars<'a> {
    r#type: &'a str,
    module: String,
    feature: &'a str,
    prefix: &'a str,
}

/// The variables of a backend the checkout has, for `doctor`: those the
/// profile's paths and anchors use. Its siblings are the other backends.
pub fn existing_vars(
    checkout: &Checkout,
    name: &BackendName,
    recorded: Option<&crate::manifest::Settings>,
) -> Result<serde_json::Value> {
    let others: Vec<String> = backends(checkout)?.into_iter().filter(|b| *b != name.r#type).collect();
    let module = name.r#type.replace('-', "_");
    let param = |key: &str| recorded.and_then(|s| s.params.get(key)).cloned();
    Ok(serde_json::json!({
        "type": name.r#type,
        "module": module,
        "feature": name.r#type,
        "prefix": name.go_name,
        "service": param("service").unwrap_or_else(|| name.go_name.clone()),
        "service_feature": name.r#type,
        "title": param("title").unwrap_or_else(|| name.go_name.clone()),
        "env": format!("SCCACHE_{}", module.to_shouty_snake_case()),
        "backends": others.join(","),
        "backend_modules": others.iter().map(|b| b.replace('-', "_")).collect::<Vec<_>>().join(","),
        "sibling": "",
        "max_width": crate::project::rustfmt_width(checkout)?,
    }))
}

pub fn name_vars(name: &BackendName) -> NameVars<'_> {
    NameVars {
        r#type: &name.r#type,
        module: name.r#type.replace('-', "_"),
        feature: &name.r#type,
        prefix: &name.go_name,
    }
}
