//! add-backend: find the checkout, plan the change set in memory, then
//! apply it (`apply`) or show it (`show`).

mod anchor;
mod apply;
mod checkout;
mod cli;
mod doctor;
#[cfg(test)]
mod fuzz;
mod go_imports;
mod journal;
mod manifest;
mod names;
mod plan;
mod profile;
mod render;
mod show;
mod target;

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Parser as _;

use crate::checkout::Checkout;
use crate::cli::{Cli, Command, Format, TemplatesAction};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(anstream::stderr(), "error: {err:#}");
            let code = if err.is::<apply::ApplyError>() { 3 } else { 1 };
            ExitCode::from(code)
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let cwd = std::env::current_dir()?;
    match &cli.command {
        Some(Command::Doctor { format, root }) => return doctor(&Checkout::find(&cwd, root.as_deref())?, *format),
        Some(Command::Templates { action }) => return templates(&cwd, action),
        Some(Command::Remove { name, dry_run, force, format, root }) => {
            let checkout = Checkout::find(&cwd, root.as_deref())?;
            let output = Output { dry_run: *dry_run, format: *format, removing: true };
            return change(&checkout, output, |checkout| target::removal(checkout, name, *force));
        }
        None => {}
    }
    let checkout = Checkout::find(&cwd, cli.root.as_deref())?;
    let request = target::Request {
        name: cli.name.as_deref().unwrap_or_default(),
        go_name: cli.go_name.as_deref(),
        fields: &cli.fields,
        templates: cli.templates.as_deref(),
        force: cli.force,
        service: cli.service.as_deref(),
        title: cli.title.as_deref(),
    };
    let output = Output { dry_run: cli.dry_run, format: cli.format, removing: false };
    change(&checkout, output, |checkout| target::plan(checkout, &request))
}

/// How a run that changes the checkout reports.
#[derive(Clone, Copy)]
struct Output {
    dry_run: bool,
    format: Format,
    removing: bool,
}

/// Plans a change of the checkout, then applies or shows it.
fn change(checkout: &Checkout, output: Output, plan: impl FnOnce(&Checkout) -> Result<plan::Plan>) -> Result<()> {
    // A run holds the lock from before it reads anything; one that may
    // write first finishes what an interrupted run left half-done.
    let access = if output.dry_run { journal::Access::Read } else { journal::Access::Write };
    let guard = journal::lock(&checkout.root, access)?;
    if output.dry_run {
        if guard.pending() {
            bail!(
                "an interrupted run left this checkout half-changed; run add-backend without --dry-run to restore it"
            );
        }
    } else if let Some(recovery) = guard.recover(&checkout.root)? {
        let mut message = if recovery.discarded {
            "warning: an earlier run was interrupted while writing its journal, before it changed anything; discarded the journal".to_string()
        } else {
            format!(
                "warning: an earlier run was interrupted; restored the {} file(s) it had changed",
                recovery.restored
            )
        };
        if !recovery.left.is_empty() {
            message += &format!("; left alone, as they changed since: {}", recovery.left.join(", "));
        }
        let _ = writeln!(anstream::stderr(), "{message}");
    }
    let plan = plan(checkout)?;
    if output.dry_run || !plan.changes() {
        return report(output, &plan);
    }
    apply::apply(&checkout.root, &plan, &guard)?;
    // The checkout is changed now: failing to print the report must not
    // claim otherwise through the exit code.
    if let Err(err) = report(output, &plan) {
        let _ =
            writeln!(anstream::stderr(), "warning: the change was made, but the report could not be printed: {err:#}");
    }
    Ok(())
}

fn templates(cwd: &std::path::Path, action: &TemplatesAction) -> Result<()> {
    match action {
        TemplatesAction::Export { dir } => {
            let n = render::export(dir)?;
            writeln!(
                anstream::stderr(),
                "wrote {n} files (profile and templates) under {}; edit them, then put them in a checkout's .add-backend/ or pass --templates",
                dir.display()
            )?;
        }
        TemplatesAction::List { templates, root } => {
            let root = match root {
                Some(root) => Some(Checkout::find(cwd, Some(root))?.root),
                None => Checkout::find(cwd, None).ok().map(|c| c.root),
            };
            let dirs = render::override_dirs(templates.as_deref(), root.as_deref())?;
            let mut out = String::new();
            for (name, origin) in render::list(&dirs) {
                let from = match origin {
                    render::Origin::BuiltIn => "built-in".to_string(),
                    render::Origin::File(path) => path.display().to_string(),
                };
                out += &format!("{name:<40} {from}\n");
            }
            emit(std::io::stdout(), &out)?;
        }
    }
    Ok(())
}

/// The wiring report on stdout; an error when a backend is incomplete.
fn doctor(checkout: &Checkout, format: Format) -> Result<()> {
    // Held until the report is out: no run may write while it reads.
    let guard = journal::lock(&checkout.root, journal::Access::Read)?;
    if guard.pending() {
        bail!("an interrupted run left this checkout half-changed; run add-backend NAME to restore it first");
    }
    let report = target::doctor(checkout)?;
    let text = if format == Format::Json { report.json() } else { report.table() };
    emit(std::io::stdout(), &text)?;
    let incomplete: Vec<&str> = report.backends.iter().filter(|b| !b.complete).map(|b| b.package.as_str()).collect();
    if !incomplete.is_empty() {
        bail!("not wired everywhere: {}", incomplete.join(", "));
    }
    Ok(())
}

/// Data (diffs, JSON) on stdout; status and messages on stderr. Each is
/// written in one piece.
fn report(output: Output, plan: &plan::Plan) -> Result<()> {
    let mut out = String::new();
    let mut err = Vec::new();
    for warning in &plan.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    if output.format == Format::Json {
        out = show::json(plan, output.dry_run);
    } else {
        if output.dry_run {
            let diff = show::diff(plan);
            let colored = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            out = if colored { show::colorize_diff(&diff) } else { diff };
        }
        show::summary(plan, &mut err)?;
        let backend = &plan.backend.r#type;
        if !plan.changes() {
            writeln!(err, "backend {backend} is already in place: nothing to do")?;
        } else if output.dry_run {
            writeln!(err, "dry run: nothing was written")?;
        } else if output.removing {
            writeln!(err, "removed backend {backend}")?;
        } else {
            writeln!(err, "added backend {backend}; next:")?;
            for step in &plan.next_steps {
                writeln!(err, "  - {step}")?;
            }
        }
    }
    emit(std::io::stdout(), &out)?;
    emit(std::io::stderr(), &String::from_utf8_lossy(&err))?;
    Ok(())
}

/// Writes `text` in one piece, with its colours only where the stream
/// shows them (a terminal, and NO_COLOR unset; CLICOLOR_FORCE forces them).
fn emit<S: anstream::stream::RawStream>(mut stream: S, text: &str) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    if anstream::AutoStream::choice(&stream) == anstream::ColorChoice::Never {
        stream.write_all(anstream::adapter::strip_str(text).to_string().as_bytes())?;
    } else {
        stream.write_all(text.as_bytes())?;
    }
    stream.flush()
}
