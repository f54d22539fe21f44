//! The projects add-backend knows, recognised by the manifest at their
//! root: Litestream by its Go module path, sccache by its package name.

pub mod litestream;
pub mod sccache;
pub mod steps;

use anyhow::{Result, bail};

use crate::checkout::{Checkout, Project};
use crate::plan::Plan;

/// What the user asked for, beyond the checkout.
pub struct Request<'a> {
    pub name: &'a str,
    pub go_name: Option<&'a str>,
    /// `--field` values: `host!`, `port:int`.
    pub fields: &'a [String],
    /// `--templates DIR`: templates that override the built-in ones.
    pub templates: Option<&'a std::path::Path>,
    pub force: bool,
    /// `--service`: the OpenDAL service an sccache backend is built on.
    pub service: Option<&'a str>,
    /// `--title`: the backend's name in an sccache checkout's docs.
    pub title: Option<&'a str>,
}

/// The target's plan, every path of which stays inside the checkout.
pub fn plan(checkout: &Checkout, request: &Request) -> Result<Plan> {
    let mut plan = target_plan(checkout, request)?;
    crate::manifest::record(checkout, &mut plan)?;
    for file in plan.files.iter().filter(|f| f.changes()) {
        checkout.confine(&file.path)?;
    }
    Ok(plan)
}

/// The projects add-backend knows.
enum Target {
    Litestream,
    Sccache,
}

/// The target a checkout is, by its manifest.
fn target_of(checkout: &Checkout) -> Result<Target> {
    match &checkout.project {
        Project::Go(module) if module == litestream::MODULE => Ok(Target::Litestream),
        Project::Cargo(package) if package == sccache::PACKAGE => Ok(Target::Sccache),
        Project::Go(other) => bail!(
            "{}: module {other} is not a project add-backend knows (it knows {} and the {} crate)",
            checkout.root.join("go.mod").display(),
            litestream::MODULE,
            sccache::PACKAGE
        ),
        Project::Cargo(other) => bail!(
            "{}: package {other} is not a project add-backend knows (it knows {} and the {} crate)",
            checkout.root.join("Cargo.toml").display(),
            litestream::MODULE,
            sccache::PACKAGE
        ),
    }
}

fn target_plan(checkout: &Checkout, request: &Request) -> Result<Plan> {
    match target_of(checkout)? {
        Target::Litestream => litestream::plan(checkout, request),
        Target::Sccache => sccache::plan(checkout, request),
    }
}

/// The wiring report of every backend in the checkout.
pub fn doctor(checkout: &Checkout) -> Result<crate::doctor::Report> {
    match target_of(checkout)? {
        Target::Litestream => litestream::doctor::examine(checkout),
        Target::Sccache => bail!("doctor knows Litestream's wiring only, so far; sccache's is not examined"),
    }
}

/// Every path an add may write by `target`'s built-in profile and by the
/// checkout's own (if it has one that reads): the files they create and
/// patch, rendered with `vars` (the name's forms). The manifest may name no
/// other; a path that needs more than the name to render is none of them.
fn profile_paths(checkout: &Checkout, target: &str, vars: &impl serde::Serialize) -> Vec<String> {
    let carried = crate::render::override_dirs(None, Some(&checkout.root)).unwrap_or_default();
    let mut paths = Vec::new();
    for dirs in [Vec::new(), carried] {
        let Ok(profile) = crate::profile::load(target, &dirs) else { continue };
        let Ok(mut renderer) = crate::render::Renderer::new(vars, dirs) else { continue };
        for (var, template) in &profile.vars {
            let _ = renderer.define(var, template, &profile.source);
        }
        let files = profile.files.iter().map(|f| &f.path);
        paths.extend(files.chain(profile.patches.iter().map(|p| &p.file)).filter_map(|p| renderer.render_str(p).ok()));
    }
    paths
}

/// The plan that takes a backend back out, as its manifest records it.
pub fn removal(checkout: &Checkout, name: &str, force: bool) -> Result<Plan> {
    let name = crate::names::BackendName::parse(name, None)?;
    let (target, paths) = match target_of(checkout)? {
        Target::Litestream => ("litestream", profile_paths(checkout, "litestream", &litestream::name_vars(&name))),
        Target::Sccache => ("sccache", profile_paths(checkout, "sccache", &sccache::name_vars(&name))),
    };
    let allowed = |path: &str| paths.iter().any(|p| p == path);
    let manifested = checkout.read(&crate::manifest::path(&name.r#type))?.is_some();
    let mut plan = match target {
        "litestream" if !manifested => litestream::foreign::removal(checkout, &name, force)?,
        _ => crate::manifest::removal(checkout, &name, force, allowed)?,
    };
    plan.target = target;
    for file in plan.files.iter().filter(|f| f.changes()) {
        checkout.confine(&file.path)?;
    }
    Ok(plan)
}
