//! The projects add-backend knows, recognised by their module path.

pub mod litestream;
pub mod steps;

use anyhow::{Result, bail};

use crate::checkout::Checkout;
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

fn target_plan(checkout: &Checkout, request: &Request) -> Result<Plan> {
    match checkout.module.as_str() {
        litestream::MODULE => litestream::plan(checkout, request),
        other => bail!(
            "{}: module {other} is not a project add-backend knows (it knows {})",
            checkout.root.join("go.mod").display(),
            litestream::MODULE
        ),
    }
}

/// The wiring report of every backend in the checkout.
pub fn doctor(checkout: &Checkout) -> Result<crate::doctor::Report> {
    match checkout.module.as_str() {
        litestream::MODULE => litestream::doctor::examine(checkout),
        other => bail!(
            "{}: module {other} is not a project add-backend knows (it knows {})",
            checkout.root.join("go.mod").display(),
            litestream::MODULE
        ),
    }
}

/// The plan that takes a backend back out, as its manifest records it.
pub fn removal(checkout: &Checkout, name: &str, force: bool) -> Result<Plan> {
    let name = crate::names::BackendName::parse(name, None)?;
    let paths = match checkout.module.as_str() {
        litestream::MODULE => litestream::writes(checkout, &name),
        _ => Vec::new(),
    };
    let allowed = |path: &str| paths.iter().any(|p| p == path);
    let plan = crate::manifest::removal(checkout, &name, force, allowed)?;
    for file in plan.files.iter().filter(|f| f.changes()) {
        checkout.confine(&file.path)?;
    }
    Ok(plan)
}
