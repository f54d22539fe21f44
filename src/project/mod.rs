//! The projects add-backend knows: the built-in ones, recognised by the
//! manifest at their root (Litestream by its Go module path, sccache by its
//! package name), each with a provider deriving the variables its templates
//! need from the checkout; and a checkout's own, a profile under
//! `.add-backend/<name>/` whose `[detect]` matches it, with the variables
//! every project has (`plain.rs`).

mod examine;
mod foreign;
mod learn;
mod like;
pub mod litestream;
mod plain;
mod require;
pub mod sccache;
pub mod steps;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::checkout::Checkout;
use crate::manifest::{self, Settings};
use crate::plan::{FileChange, Plan, Status};

/// What the user asked for, beyond the checkout.
pub struct Request<'a> {
    pub name: &'a str,
    pub go_name: Option<&'a str>,
    /// `--field` values: `host!`, `port:int`.
    pub fields: &'a [String],
    /// `--templates DIR`: templates that override the built-in ones.
    pub templates: Option<&'a std::path::Path>,
    pub force: bool,
    /// `--set NAME=VALUE`: the parameters the project's profile declares
    /// (`service`, `title`), in name order.
    pub params: &'a std::collections::BTreeMap<String, String>,
    /// Planned on the checkout with the backend taken out, where the
    /// files it keeps are expected: not a backend that exists in part.
    pub regenerating: bool,
    /// `--like SIBLING`: modelled on that backend, with no profile.
    pub like: Option<&'a str>,
    /// `--require MODULE[@VERSION]`: Go modules to add to go.mod and go.sum.
    pub require: &'a [String],
    /// The manifest `require` was read from, re-applied: go is not run for it.
    pub require_recorded_in: Option<&'a str>,
}

/// The project's plan, every path of which stays inside the checkout.
pub fn plan(checkout: &Checkout, request: &Request) -> Result<Plan> {
    require::check(checkout, request.require)?;
    if let Some(sibling) = request.like {
        let mut plan = like::plan(checkout, request, sibling)?;
        plan.refuse_partial(request.force)?;
        compare_with_profile(checkout, request, &mut plan);
        require::plan(checkout, request.require, request.require_recorded_in, &mut plan)?;
        let settings = Settings {
            go_name: request.go_name.map(str::to_string),
            like: Some(sibling.to_string()),
            require: request.require.to_vec(),
            ..Settings::default()
        };
        manifest::record(checkout, &mut plan, &settings, &manifest::Kept::default())?;
        for file in plan.files.iter().filter(|f| f.changes()) {
            checkout.confine(&file.path)?;
        }
        return Ok(plan);
    }
    let known = Known::of(checkout, request.templates)?;
    crate::log::detail(|| format!("project: {} at {}", known.name(), checkout.root.display()));
    refuse_unknown_params(checkout, &known, request)?;
    let name = known.parse_name(checkout, request.name, request.go_name)?;
    let asked = Settings {
        go_name: request.go_name.map(str::to_string),
        fields: request.fields.to_vec(),
        params: request.params.clone(),
        like: None,
        require: request.require.to_vec(),
    };
    let recorded = manifest::read(checkout, &name.r#type)?;
    if let Some(sibling) = recorded.as_ref().and_then(|m| m.settings.as_ref()).and_then(|s| s.like.as_deref()) {
        bail!(
            "backend {} was modelled on {sibling} (--like {sibling}): add it the same way, or remove it first",
            name.r#type
        );
    }
    let old = recorded.as_ref().and_then(|m| m.settings.clone().map(|s| (s, m.version.clone())));
    // No settings: those the backend was added with, if it was.
    let reapplied = asked.is_empty() && old.is_some();
    let unrecorded = !asked.is_empty() && recorded.as_ref().is_some_and(|m| m.settings.is_none());
    let mut settings = match &old {
        Some((settings, _)) if asked.is_empty() => settings.clone(),
        _ => asked,
    };
    // A module an earlier --require added stays the backend's (go.mod is
    // not the templates': a re-generation leaves it), asked again or not.
    // go runs only for the command line's: what the manifest records is the
    // checkout's word.
    if let Some((old, _)) = old.as_ref().filter(|_| !reapplied) {
        for spec in &old.require {
            if !settings.require.iter().any(|s| crate::go_mod::module_of(s) == crate::go_mod::module_of(spec)) {
                settings.require.push(spec.clone());
            }
        }
    }
    let command_line = request.require;
    let manifest_path = manifest::path(&name.r#type);
    let context = |err: anyhow::Error| {
        if reapplied {
            err.context(format!("the settings {manifest_path} records ({})", describe(&settings)))
        } else if unrecorded {
            err.context(format!(
                "{manifest_path} was written by an earlier add-backend and does not record the backend's settings, so it cannot be re-generated: remove it and add it again to change them"
            ))
        } else {
            err
        }
    };
    let request = Request {
        go_name: settings.go_name.as_deref(),
        fields: &settings.fields,
        params: &settings.params,
        require: if reapplied { &settings.require } else { command_line },
        require_recorded_in: reapplied.then_some(manifest_path.as_str()),
        ..*request
    };
    let plan = match old {
        Some((old, version)) if old != settings || version.as_deref() != Some(manifest::VERSION) => {
            regeneration(checkout, &known, &request, &old, &settings).map_err(context)?
        }
        _ => {
            let mut plan = known.plan(checkout, &request).map_err(context)?;
            manifest::record(checkout, &mut plan, &settings, &manifest::Kept::default())?;
            plan
        }
    };
    for file in plan.files.iter().filter(|f| f.changes()) {
        checkout.confine(&file.path)?;
    }
    Ok(plan)
}

/// In a project add-backend knows, what the clone and the profile's add
/// write differently, said as warnings: the places the profile would patch
/// that the clone did not reach, and the other way round.
fn compare_with_profile(checkout: &Checkout, request: &Request, plan: &mut Plan) {
    let Ok(known) = Known::of(checkout, request.templates) else { return };
    let profiled = Request { like: None, force: true, require: &[], ..*request };
    let Ok(profile_plan) = known.plan(checkout, &profiled) else { return };
    let paths = |p: &Plan| -> Vec<String> {
        p.files.iter().filter(|f| f.changes() && !f.path.starts_with(".add-backend/")).map(|f| f.path.clone()).collect()
    };
    let (cloned, profiled) = (paths(plan), paths(&profile_plan));
    let missed: Vec<&String> = profiled.iter().filter(|p| !cloned.contains(p)).collect();
    let extra: Vec<&String> = cloned.iter().filter(|p| !profiled.contains(p)).collect();
    let name = known.name();
    if !missed.is_empty() {
        let list: Vec<&str> = missed.iter().map(|p| p.as_str()).collect();
        plan.warnings
            .push(format!("the {name} profile also writes {}, which the clone did not reach", list.join(", ")));
    }
    if !extra.is_empty() {
        let list: Vec<&str> = extra.iter().map(|p| p.as_str()).collect();
        plan.warnings.push(format!("the clone also writes {}, which the {name} profile does not", list.join(", ")));
    }
}

/// The plan that re-generates a backend added with `old` settings with
/// `new` ones: what its manifest records taken out, in memory, then the
/// backend added to that with the new settings, as one change from the
/// checkout as it is. A file the user owns and edited stays; a text the
/// user edited in a file of the project refuses the run, naming it.
fn regeneration(checkout: &Checkout, known: &Known, request: &Request, old: &Settings, new: &Settings) -> Result<Plan> {
    let old_name = known.parse_name(checkout, request.name, old.go_name.as_deref())?;
    let mut paths = profile_paths(checkout, known.name(), &known.name_vars(&old_name), request.templates);
    if !old.require.is_empty() {
        paths.all.extend(crate::go_mod::FILES.map(str::to_string));
    }
    let allowed = |path: &str| paths.all.iter().any(|p| p == path);
    let keep = |path: &str| paths.kept.iter().any(|p| p == path);
    let carry = |path: &str| crate::go_mod::FILES.contains(&path);
    let unwired = manifest::unwire(checkout, &old_name, allowed, keep, carry)?;
    let why = if old == new { "with this version's templates" } else { "with other settings" };
    if !unwired.edited_places.is_empty() {
        bail!(
            "cannot re-generate backend {} {why}: changed since add-backend wrote them: {}; put them back as they were, or remove the backend and add it again",
            old_name.r#type,
            unwired.edited_places.join(", ")
        );
    }
    if !unwired.edited_files.is_empty() && !request.force {
        bail!(
            "cannot re-generate backend {}: changed since add-backend wrote them: {}; --force re-generates them anyway",
            old_name.r#type,
            unwired.edited_files.join(", ")
        );
    }
    let unwired_checkout = checkout.overlay(&unwired.plan.files);
    let mut plan = known.plan(&unwired_checkout, &Request { regenerating: true, ..*request })?;
    manifest::record(&unwired_checkout, &mut plan, new, &unwired.kept)?;
    for kept in &unwired.kept.files {
        plan.warnings.push(format!(
            "{} is yours and was edited, so it was kept as it is; it was written for the earlier settings ({}): check it against the new ones",
            kept.path,
            describe(old)
        ));
    }
    Ok(compose(unwired.plan, plan))
}

/// `--field host! --field port:int`, as the user gave them.
fn describe(settings: &Settings) -> String {
    let mut words: Vec<String> = settings.fields.iter().map(|f| format!("--field {f}")).collect();
    words.extend(settings.go_name.iter().map(|n| format!("--go-name {n}")));
    words.extend(settings.params.iter().map(|(name, value)| format!("--set {name}={value:?}")));
    words.extend(settings.require.iter().map(|r| format!("--require {r}")));
    if words.is_empty() { "no settings".to_string() } else { words.join(" ") }
}

/// One plan from the checkout as it is: `first`'s changes, then `then`'s
/// made on top of them. An item of `then` that replaces what `first` took
/// out says `update`.
fn compose(first: Plan, then: Plan) -> Plan {
    let mut files: Vec<FileChange> = Vec::new();
    let taken_out: Vec<&FileChange> = first.files.iter().filter(|f| f.changes()).collect();
    for mut file in then.files {
        if let Some(earlier) = taken_out.iter().find(|f| f.path == file.path) {
            file.before = earlier.before.clone();
            let unchanged = file.before.as_deref() == Some(file.after.as_str());
            for item in &mut file.items {
                item.status = match item.status {
                    _ if unchanged && file.inserted.is_empty() => Status::Identical,
                    _ if unchanged => Status::Present,
                    Status::Create | Status::Insert => Status::Update,
                    other => other,
                };
            }
        }
        files.push(file);
    }
    for earlier in first.files {
        if earlier.changes() && !files.iter().any(|f| f.path == earlier.path) {
            files.push(earlier);
        }
    }
    Plan { files, ..then }
}

/// A parameter the project's profile does not declare: a usage error
/// naming what the project takes, and which projects take that one.
fn refuse_unknown_params(checkout: &Checkout, known: &Known, request: &Request) -> Result<()> {
    let params = request.params;
    if params.is_empty() {
        return Ok(());
    }
    let declared = |project: &str, dirs: &[std::path::PathBuf]| -> Vec<String> {
        crate::profile::load(project, dirs).map(|p| p.params.into_iter().map(|p| p.name).collect()).unwrap_or_default()
    };
    // The profile the run will use: a team's declares parameters of its own.
    let dirs = crate::render::override_dirs(request.templates, Some(&checkout.root))?;
    let ours = declared(known.name(), &dirs);
    let Some(unknown) = params.keys().find(|p| !ours.contains(p)) else { return Ok(()) };
    let takes = if ours.is_empty() { "no parameters".to_string() } else { ours.join(", ") };
    let others: Vec<&str> = crate::profile::BUILT_IN
        .iter()
        .map(|(project, _)| *project)
        .filter(|p| *p != known.name() && declared(p, &[]).contains(unknown))
        .collect();
    let elsewhere = match others.as_slice() {
        [] => String::new(),
        [one] => format!("; {one} takes it"),
        [init @ .., last] => format!("; {} and {last} take it", init.join(", ")),
    };
    Err(crate::error::Error::Usage(format!(
        "--set {unknown}: {} is a {} checkout, which takes {takes}{elsewhere}",
        checkout.root.display(),
        known.name()
    ))
    .into())
}

/// A project: the name of its profile, and the provider of its variables.
pub struct Known {
    name: String,
    provider: Provider,
}

/// The built-in projects with a provider of their own; every other one
/// is its profile alone (`Provider::Plain`), found by its `[detect]`.
const PROVIDED: &[&str] = &["litestream", "sccache"];

/// What derives a project's variables from the checkout.
#[derive(Clone, Copy, PartialEq)]
enum Provider {
    Litestream,
    Sccache,
    /// A checkout's own project: the name's forms, the fields and the
    /// parameters, as every project has them.
    Plain,
}

impl Request<'_> {
    /// The value of parameter `name`, if given.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

impl Known {
    /// The project a checkout is: a built-in one by its manifest, else the
    /// first profile of the directories `templates` and the checkout's
    /// own `.add-backend/` (once trusted) whose `[detect]` matches it.
    pub fn of(checkout: &Checkout, templates: Option<&Path>) -> Result<Known> {
        use crate::checkout::Project;
        let built_in = |name: &str, provider| Ok(Known { name: name.to_string(), provider });
        // A profile learnt from a backend (`learn`) is the project's
        // profile alone, under a built-in project's name too.
        let learnt = |name: &str| -> Result<bool> {
            if !checkout.root.join(crate::trust::DIR).join(crate::profile::file_name(name)).is_file()
                && templates.is_none()
            {
                return Ok(false);
            }
            let dirs = crate::render::override_dirs(templates, Some(&checkout.root))?;
            // One that does not read is not taken for learnt: the run that
            // reads it says what is wrong with it (a removal may not need it).
            Ok(crate::profile::origin(name, &dirs).is_some()
                && crate::profile::load(name, &dirs).is_ok_and(|p| p.like.is_some()))
        };
        match Known::built_in(checkout)? {
            Some((name, Provider::Plain)) => return built_in(name, Provider::Plain),
            Some((name, provider)) => return built_in(name, if learnt(name)? { Provider::Plain } else { provider }),
            None => {}
        }
        let dirs = crate::render::override_dirs(templates, Some(&checkout.root))?;
        if let Some(name) = own_project(checkout, &dirs)? {
            return Ok(Known { name, provider: Provider::Plain });
        }
        let (manifest, what, name) = match &checkout.project {
            Project::Go(module) => ("go.mod", "module", module),
            Project::Cargo(package) => ("Cargo.toml", "package", package),
        };
        // A project that is data alone, by the module or package it detects.
        let data: Vec<String> = crate::profile::BUILT_IN
            .iter()
            .filter(|(name, _)| !PROVIDED.contains(name))
            .filter_map(|(name, _)| crate::profile::load(name, &[]).ok())
            .map(|p| match (p.detect.go_module, p.detect.cargo_package) {
                (Some(module), _) => module,
                (None, Some(package)) => format!("the {package} crate"),
                (None, None) => p.target,
            })
            .collect();
        bail!(
            "{}: {what} {name} is not a project add-backend knows (it knows {}, the {} crate, {}, and a project described by a profile in .add-backend/<name>/profile.toml whose [detect] matches the checkout; see the README)",
            checkout.root.join(manifest).display(),
            litestream::MODULE,
            sccache::PACKAGE,
            data.join(", ")
        )
    }

    /// The built-in project a checkout is, if any: by its manifest, or
    /// by the `[detect]` of a built-in profile that is data alone.
    fn built_in(checkout: &Checkout) -> Result<Option<(&'static str, Provider)>> {
        use crate::checkout::Project;
        match &checkout.project {
            Project::Go(module) if module == litestream::MODULE => {
                return Ok(Some(("litestream", Provider::Litestream)));
            }
            Project::Cargo(package) if package == sccache::PACKAGE => return Ok(Some(("sccache", Provider::Sccache))),
            _ => {}
        }
        for (name, _) in crate::profile::BUILT_IN.iter().filter(|(name, _)| !PROVIDED.contains(name)) {
            if crate::profile::load(name, &[])?.detects(&checkout.root, &checkout.project) {
                return Ok(Some((name, Provider::Plain)));
            }
        }
        Ok(None)
    }

    fn name(&self) -> &str {
        &self.name
    }

    /// A backend's name, checked as the project's language needs.
    fn parse_name(&self, checkout: &Checkout, raw: &str, go_name: Option<&str>) -> Result<crate::names::BackendName> {
        let name = crate::names::BackendName::parse(raw, go_name)?;
        match (self.provider, &checkout.project) {
            (Provider::Litestream, _) | (Provider::Plain, crate::checkout::Project::Go(_)) => {
                name.refuse_go_reserved()?
            }
            (Provider::Sccache, _) | (Provider::Plain, crate::checkout::Project::Cargo(_)) => {
                name.refuse_rust_keyword()?
            }
        }
        Ok(name)
    }

    fn plan(&self, checkout: &Checkout, request: &Request) -> Result<Plan> {
        let mut plan = match self.provider {
            Provider::Litestream => litestream::plan(checkout, request)?,
            Provider::Sccache => sccache::plan(checkout, request)?,
            Provider::Plain => plain::plan(checkout, &self.name, request)?,
        };
        require::plan(checkout, request.require, request.require_recorded_in, &mut plan)?;
        Ok(plan)
    }

    /// The variables a path of the profile may use, from the name alone.
    fn name_vars(&self, name: &crate::names::BackendName) -> serde_json::Value {
        let vars = match self.provider {
            Provider::Litestream => serde_json::to_value(litestream::name_vars(name)),
            Provider::Sccache => serde_json::to_value(sccache::name_vars(name)),
            Provider::Plain => serde_json::to_value(plain::name_vars(name)),
        };
        vars.expect("name variables always serialize")
    }

    /// The variables of a backend the checkout has, for `doctor`: those
    /// the profile's paths, anchors and `when`s use.
    /// A backend add-backend wrote has the settings its manifest records.
    fn existing_vars(
        &self,
        checkout: &Checkout,
        name: &crate::names::BackendName,
        profile: &crate::profile::Profile,
        recorded: Option<&Settings>,
        parsed: &[&crate::anchor::go::GoFile],
    ) -> Result<serde_json::Value> {
        match self.provider {
            Provider::Litestream => litestream::existing_vars(checkout, name, parsed),
            Provider::Sccache => sccache::existing_vars(checkout, name, recorded),
            Provider::Plain => plain::existing_vars(checkout, name, profile, recorded),
        }
    }

    /// The Go module whose packages form the last import group, if Go.
    fn module<'c>(&self, checkout: &'c Checkout) -> &'c str {
        match &checkout.project {
            crate::checkout::Project::Go(module) => module,
            crate::checkout::Project::Cargo(_) => "",
        }
    }
}

/// The name of the checkout's own project: the first `<dir>/<name>/profile.toml`
/// of `dirs`, `<name>` not a built-in project, whose `[detect]` matches.
fn own_project(checkout: &Checkout, dirs: &[PathBuf]) -> Result<Option<String>> {
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|name| !crate::profile::BUILT_IN.iter().any(|(built_in, _)| built_in == name))
            .filter(|name| dir.join(crate::profile::file_name(name)).is_file())
            .collect();
        names.sort();
        for name in names {
            let profile = crate::profile::load(&name, std::slice::from_ref(dir))?;
            if profile.detects(&checkout.root, &checkout.project) {
                return Ok(Some(name));
            }
        }
    }
    Ok(None)
}

/// The wiring report of every backend in the checkout, by the profile
/// `templates` (`--templates`) or the checkout's own overrides.
pub fn doctor(checkout: &Checkout, templates: Option<&Path>) -> Result<crate::doctor::Report> {
    let known = Known::of(checkout, templates)?;
    examine::report(checkout, &known, templates)
}

/// The paths an add may write for a backend.
struct Paths {
    /// Every file created or patched.
    all: Vec<String>,
    /// The files the user owns once written (`keep`).
    kept: Vec<String>,
}

/// Every path an add may write by `target`'s built-in profile and by the
/// one `templates` (`--templates`) or the checkout's own overrides it with
/// (if it reads and may be used): the files they create and
/// patch, rendered with `vars` (the name's forms). The manifest may name no
/// other; a path that needs more than the name to render is none of them.
fn profile_paths(
    checkout: &Checkout,
    target: &str,
    vars: &impl serde::Serialize,
    templates: Option<&std::path::Path>,
) -> Paths {
    let overrides = crate::render::override_dirs(templates, Some(&checkout.root)).unwrap_or_default();
    let mut paths = Paths { all: Vec::new(), kept: Vec::new() };
    for dirs in [Vec::new(), overrides] {
        let Ok(profile) = crate::profile::load(target, &dirs) else { continue };
        let Ok(mut renderer) = crate::render::Renderer::new(vars, dirs) else { continue };
        for (var, template) in &profile.vars {
            let _ = renderer.define(var, template, &profile.source);
        }
        let kept = profile.files.iter().filter(|f| f.keep).map(|f| &f.path);
        paths.kept.extend(kept.filter_map(|p| renderer.render_str(p).ok()));
        let files = profile.files.iter().map(|f| &f.path);
        let all = files.chain(profile.patches.iter().map(|p| &p.file));
        paths.all.extend(all.filter_map(|p| renderer.render_str(p).ok()));
    }
    paths
}

/// The plan of `learn --like sibling`: a profile and templates learnt
/// from that backend, under `.add-backend/<project>/` (the project's name
/// if add-backend knows it, else the module's or package's).
pub fn learn(checkout: &Checkout, sibling: &str, force: bool) -> Result<Plan> {
    let project = learn::project_name(checkout, Known::built_in(checkout)?.map(|(name, _)| name));
    let plan = learn::plan(checkout, &project, sibling, force)?;
    for file in plan.files.iter().filter(|f| f.changes()) {
        checkout.confine_to(&file.path, true)?;
    }
    Ok(plan)
}

/// The plan that takes a backend back out, as its manifest records it.
pub fn removal(checkout: &Checkout, raw: &str, force: bool, templates: Option<&std::path::Path>) -> Result<Plan> {
    let name = crate::names::BackendName::parse(raw, None)?;
    let settings = manifest::read(checkout, &name.r#type)?.and_then(|m| m.settings);
    // go.mod and go.sum are a backend's only when it was added with `--require`.
    let required = settings.as_ref().is_some_and(|s| !s.require.is_empty());
    // Modelled on a sibling: the files the clone touches, as a clone of it
    // now finds them, are those remove may (not whatever the manifest says).
    if let Some(settings) = settings.as_ref().filter(|s| s.like.is_some()) {
        let sibling = settings.like.as_deref().unwrap_or_default();
        let request = Request {
            name: raw,
            go_name: settings.go_name.as_deref(),
            fields: &[],
            templates: None,
            force: true,
            params: &Default::default(),
            regenerating: false,
            like: Some(sibling),
            require: &[],
            require_recorded_in: None,
        };
        let clone = like::plan(checkout, &request, sibling)?;
        let name = clone.backend.clone();
        let allowed =
            |path: &str| clone.files.iter().any(|f| f.path == path) || required && crate::go_mod::FILES.contains(&path);
        let mut plan = crate::manifest::removal(checkout, &name, force, allowed)?;
        require::keep_sums_with_mod(&mut plan);
        require::share_with_others(checkout, &name.r#type, &mut plan)?;
        plan.target = format!("like {sibling}");
        for file in plan.files.iter().filter(|f| f.changes()) {
            checkout.confine(&file.path)?;
        }
        return Ok(plan);
    }
    // Named as it was added: a --go-name changes the paths of some files.
    let recorded = settings.and_then(|s| s.go_name);
    let name = match recorded {
        Some(go_name) => crate::names::BackendName::parse(&name.r#type, Some(&go_name))?,
        None => name,
    };
    let project = Known::of(checkout, templates)?;
    let target = project.name();
    let paths = profile_paths(checkout, target, &project.name_vars(&name), templates);
    let allowed = |path: &str| paths.all.iter().any(|p| p == path) || required && crate::go_mod::FILES.contains(&path);
    let manifested = checkout.read(&crate::manifest::path(&name.r#type))?.is_some();
    let mut plan = if manifested {
        crate::manifest::removal(checkout, &name, force, allowed)?
    } else {
        foreign::removal(checkout, &project, raw, &name, force, templates)?
    };
    require::keep_sums_with_mod(&mut plan);
    require::share_with_others(checkout, &name.r#type, &mut plan)?;
    plan.target = target.to_string();
    for file in plan.files.iter().filter(|f| f.changes()) {
        checkout.confine(&file.path)?;
    }
    Ok(plan)
}

/// rustfmt's line width in the checkout (`max_width` of its
/// `.rustfmt.toml` or `rustfmt.toml`, the first rustfmt finds; 100 by
/// default).
pub(crate) fn rustfmt_width(checkout: &Checkout) -> Result<usize> {
    for name in [".rustfmt.toml", "rustfmt.toml"] {
        let Some(text) = checkout.read(name)? else { continue };
        let doc =
            crate::anchor::cargo::document(&text).map_err(|e| anyhow::anyhow!("{name}: {}", e.message().trim_end()))?;
        if let Some(width) = doc.get("max_width").and_then(toml_edit::Item::as_integer) {
            return usize::try_from(width).map_err(|_| anyhow::anyhow!("{name}: max_width {width} is not a width"));
        }
        return Ok(100);
    }
    Ok(100)
}
