//! `--require MODULE[@VERSION]`, for any Go checkout: what `go get` makes
//! of go.mod and go.sum (`go_mod.rs`), as changes of the plan. Where it
//! only inserted lines, they are the change, and `remove` takes exactly
//! them out; where it also changed a line (it upgrades what the new module
//! needs newer), the file is replaced whole, and `remove` puts it back
//! while it is as written.

use anyhow::{Result, anyhow, bail};

use crate::checkout::{Checkout, Project};
use crate::error::Error;
use crate::go_mod::{self, Requirement, Spec};
use crate::manifest;
use crate::plan::{Edit, FileChange, Item, Plan, Status};

/// Refuses, before anything else is planned, a `--require` that is not a
/// module path, or one for a checkout that is not Go.
pub fn check(checkout: &Checkout, raw: &[String]) -> Result<()> {
    if raw.is_empty() {
        return Ok(());
    }
    specs(raw)?;
    if let Project::Cargo(_) = checkout.project {
        return Err(Error::Usage(format!(
            "--require adds a Go module to go.mod; {} is a Cargo checkout (`cargo add` adds a crate)",
            checkout.root.display()
        ))
        .into());
    }
    Ok(())
}

fn specs(raw: &[String]) -> Result<Vec<Spec>> {
    let mut specs: Vec<Spec> = Vec::new();
    for raw in raw {
        let spec = Spec::parse(raw).map_err(Error::Usage)?;
        if specs.iter().any(|s| s.module == spec.module) {
            return Err(Error::Usage(format!("--require {}: given twice", spec.module)).into());
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// Adds to `plan` the go.mod and go.sum that `go get` makes for `raw`. A
/// module go.mod requires already (at the version asked, if one is) is
/// reused, and go is not run for it. go runs only for a module named on the
/// command line, never for one the manifest at `recorded_in` records (the
/// checkout's, so not to be trusted): then go.mod requiring the module at
/// any version is enough, and not requiring it is an error.
pub fn plan(checkout: &Checkout, raw: &[String], recorded_in: Option<&str>, plan: &mut Plan) -> Result<()> {
    if raw.is_empty() {
        return Ok(());
    }
    let specs = match recorded_in {
        // Not the user's mistake: the manifest's (exit 1, not a usage error).
        Some(manifest) => specs(raw).map_err(|e| anyhow!("{manifest}: {e}"))?,
        None => specs(raw)?,
    };
    let go_mod =
        checkout.read("go.mod")?.ok_or_else(|| anyhow!("--require: {} has no go.mod", checkout.root.display()))?;
    let go_sum = checkout.read("go.sum")?;
    let had = go_mod::requirements(&go_mod);
    let mut mod_items = Vec::new();
    let mut wanted = Vec::new();
    for spec in specs {
        match had.iter().find(|r| r.module == spec.module) {
            Some(r) if recorded_in.is_some() || spec.version.as_deref().is_none_or(|v| v == r.version) => mod_items
                .push(Item {
                    what: format!("require {} {} (required already)", r.module, r.version),
                    status: Status::Reuse,
                }),
            None if let Some(manifest) = recorded_in => bail!(
                "{manifest} records --require {spec}, which go.mod does not require now; add-backend runs go only for a --require on the command line: give it there"
            ),
            _ => wanted.push(spec),
        }
    }
    if wanted.is_empty() {
        plan.files.push(FileChange::whole("go.mod".into(), Some(go_mod.to_string()), go_mod.to_string(), mod_items));
        return Ok(());
    }
    let got = go_mod::get(&go_mod, go_sum.as_deref().map(String::as_str), &wanted)?;
    let has = go_mod::requirements(&got.go_mod);
    mod_items.extend(changed_requirements(&had, &has));
    // Asked with a query (`@latest`) and already at what it gives.
    for spec in &wanted {
        let same = |r: &&Requirement| r.module == spec.module;
        if let (Some(before), Some(now)) = (had.iter().find(same), has.iter().find(same))
            && before.version == now.version
        {
            mod_items.push(Item {
                what: format!("require {} {} (required already)", now.module, now.version),
                status: Status::Reuse,
            });
        }
    }
    let added_sums = match &go_sum {
        Some(before) => got.go_sum.lines().count().saturating_sub(before.lines().count()),
        None => got.go_sum.lines().count(),
    };
    let sum_items = if added_sums == 0 {
        Vec::new()
    } else {
        vec![Item { what: format!("{added_sums} checksums"), status: Status::Insert }]
    };
    plan.files.push(change("go.mod", Some(go_mod.to_string()), got.go_mod, mod_items));
    plan.files.push(change("go.sum", go_sum.map(|s| s.to_string()), got.go_sum, sum_items));
    let modules: Vec<&str> = wanted.iter().map(|s| s.module.as_str()).collect();
    plan.next_steps.push(format!(
        "go.mod requires {} now: import it where the storage is written; `go mod tidy` then marks it direct",
        modules.join(", ")
    ));
    Ok(())
}

/// What `go get` did to the requirements: each one added, each upgraded.
fn changed_requirements(had: &[Requirement], has: &[Requirement]) -> Vec<Item> {
    let mut items = Vec::new();
    for r in has {
        match had.iter().find(|h| h.module == r.module) {
            None => items.push(Item {
                what: format!("require {} {}{}", r.module, r.version, if r.indirect { " // indirect" } else { "" }),
                status: Status::Insert,
            }),
            Some(h) if h.version != r.version => items.push(Item {
                what: format!("upgrade {} {} => {}", r.module, h.version, r.version),
                status: Status::Update,
            }),
            Some(_) => {}
        }
    }
    items
}

/// The change from `before` to `after`: its inserted lines, if that is all
/// it is; else the whole file.
fn change(path: &str, before: Option<String>, after: String, items: Vec<Item>) -> FileChange {
    let Some(before) = before else { return FileChange::whole(path.into(), None, after, items) };
    match go_mod::insertions(&before, &after) {
        Some(insertions) => {
            let edits: Vec<Edit> = insertions.into_iter().map(|(at, text)| Edit { at, text }).collect();
            FileChange::patched(path.into(), before, &edits, items)
        }
        None => FileChange::whole(path.into(), Some(before), after, items),
    }
}

/// A removal that leaves go.mod as it is (changed since, as `go mod tidy`
/// changes it) leaves go.sum too: the requirements kept need their
/// checksums, and a checksum too many is harmless.
pub fn keep_sums_with_mod(plan: &mut Plan) {
    let changes = |path: &str| plan.files.iter().any(|f| f.path == path && f.changes());
    if changes("go.mod") || !changes("go.sum") {
        return;
    }
    for file in plan.files.iter_mut().filter(|f| f.path == "go.sum") {
        file.after = file.before.clone().unwrap_or_default();
        file.delete = false;
        file.items = vec![Item {
            what: "checksums kept: go.mod changed since, and its requirements need them".into(),
            status: Status::Keep,
        }];
    }
}

/// A removal that would take a module out of go.mod that another backend
/// was added with (its manifest records the `--require`) leaves go.mod and
/// go.sum as they are, and hands what this backend's manifest records of
/// them to that backend's, so that removing that one takes them out.
pub fn share_with_others(checkout: &Checkout, backend: &str, plan: &mut Plan) -> Result<()> {
    let Some(go_mod) = plan.files.iter().find(|f| f.path == "go.mod" && f.changes()) else { return Ok(()) };
    let after = go_mod::requirements(&go_mod.after);
    let lost: Vec<String> = go_mod::requirements(go_mod.before.as_deref().unwrap_or_default())
        .into_iter()
        .filter(|r| !after.iter().any(|a| a.module == r.module))
        .map(|r| r.module)
        .collect();
    let lost_of = |spec: &String| lost.iter().find(|m| go_mod::module_of(spec) == m.as_str()).cloned();
    let heir = manifest::others(checkout, backend)?.into_iter().find_map(|(name, m)| {
        let module = m.settings.as_ref().and_then(|s| s.require.iter().find_map(lost_of))?;
        Some((name, m, module))
    });
    let Some((heir, mut heirs, module)) = heir else { return Ok(()) };
    let Some(ours) = manifest::read(checkout, backend)? else { return Ok(()) };
    let heir_path = manifest::path(&heir);
    // Handed a settings group already, in this plan: add to that.
    if let Some(file) = plan.files.iter().find(|f| f.path == heir_path) {
        heirs = serde_json::from_str(&file.after)?;
    }
    let ours_go = |path: &str| go_mod::FILES.contains(&path);
    for replaced in ours.replaced.iter().filter(|r| ours_go(&r.path)) {
        match heirs.replaced.iter_mut().find(|r| r.path == replaced.path) {
            // Replaced after ours: what goes back is what was there before both.
            Some(theirs) => theirs.before = replaced.before.clone(),
            None => heirs.replaced.push(replaced.clone()),
        }
    }
    heirs.inserted.extend(ours.inserted.iter().filter(|i| ours_go(&i.path)).cloned());
    for file in plan.files.iter_mut().filter(|f| ours_go(&f.path)) {
        file.after = file.before.clone().unwrap_or_default();
        file.delete = false;
        file.items = vec![Item { what: format!("kept: {heir} requires {module} too"), status: Status::Keep }];
    }
    let after = serde_json::to_string_pretty(&heirs)? + "\n";
    let item = Item { what: format!("go.mod and go.sum handed to {heir}"), status: Status::Insert };
    match plan.files.iter_mut().find(|f| f.path == heir_path) {
        Some(file) => {
            file.after = after;
            file.items.push(item);
        }
        None => {
            let before = checkout.read(&heir_path)?.map(|t| t.to_string());
            plan.files.push(FileChange::whole(heir_path, before, after, vec![item]));
        }
    }
    Ok(())
}
