//! add-backend: find the checkout, plan the change set in memory, then
//! apply it (`apply`) or show it (`show`). The binary (`src/main.rs`) is
//! `main` here; ARCHITECTURE.md maps the modules.

mod anchor;
mod apply;
mod atomic;
mod beneath;
mod built_in {
    include!(concat!(env!("OUT_DIR"), "/built_in.rs"));
}
mod checkout;
mod cli;
mod diff;
mod doctor;
mod error;
mod fault;
#[cfg(test)]
mod fuzz;
mod glob;
mod go_imports;
mod go_lex;
mod go_mod;
mod journal;
mod log;
mod manifest;
mod names;
mod paths;
mod plan;
mod profile;
mod project;
mod render;
mod show;
mod trust;
mod words;

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{CommandFactory as _, FromArgMatches as _};

use crate::checkout::Checkout;
use crate::cli::{AddArgs, Cli, Command, Format, TemplatesAction};

/// The command line, run: what the binary does.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let json = cli::wants_json(&args);
    error::JSON.store(json, std::sync::atomic::Ordering::Relaxed);
    let result = parse(args).and_then(|cli| {
        if cli.global.trust {
            trust::assume();
        }
        log::set_level(if cli.global.quiet {
            log::QUIET
        } else if cli.global.verbose {
            log::VERBOSE
        } else {
            log::NORMAL
        });
        run(&cli)
    });
    match result {
        Ok(code) => code,
        Err(err) => {
            let code = error::code(&err);
            let message = format!("{err:#}");
            let _ = writeln!(anstream::stderr(), "error: {message}");
            if json && !err.downcast_ref::<error::Error>().is_some_and(error::Error::reported) {
                let _ = emit(std::io::stdout(), &error::json(&message, code));
            }
            ExitCode::from(code)
        }
    }
}

/// The command line, parsed; help and the version are printed here. A
/// clap error becomes one line: what is wrong, clap's tip, where to look.
fn parse(args: Vec<OsString>) -> Result<Cli> {
    // The grammar without the projects' part of the help, which reads
    // every profile: that is built only when help is shown.
    let mut grammar = Cli::command();
    let args = cli::normalize(args, &grammar)?;
    grammar.try_get_matches_from_mut(&args).and_then(|m| Cli::from_arg_matches(&m)).map_err(|e| {
        use clap::error::ErrorKind;
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
            let e = command().try_get_matches_from(&args).err().unwrap_or(e);
            let _ = e.print();
            std::process::exit(e.exit_code());
        }
        if e.kind() == ErrorKind::DisplayVersion {
            let _ = e.print();
            std::process::exit(e.exit_code());
        }
        let rendered = anstream::adapter::strip_str(&e.render().to_string()).to_string();
        // The first paragraph is the error (a list of missing arguments
        // goes on indented lines), then tips, then the usage.
        let mut paragraphs = rendered.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
        let first = paragraphs.next().unwrap_or_default().trim_start_matches("error: ");
        let mut message = first.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        let rest: Vec<&str> = paragraphs.flat_map(str::lines).map(str::trim).collect();
        for tip in rest.iter().filter_map(|l| l.strip_prefix("tip: ")) {
            message += &format!(" ({tip})");
        }
        let command = match args.get(1).and_then(|a| a.to_str()) {
            Some(sub) if Cli::command().find_subcommand(sub).is_some() => format!("add-backend {sub}"),
            _ => "add-backend".to_string(),
        };
        message += &format!("; see '{command} --help'");
        error::Error::Usage(message).into()
    })
}

fn run(cli: &Cli) -> Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let global = &cli.global;
    let format = global.format;
    let find = || {
        let mut timer = log::Timer::start();
        let checkout = Checkout::find(&cwd, global.root.as_deref());
        timer.lap("finding the checkout");
        checkout
    };
    match &cli.command {
        Command::Add(add) => {
            let params = params(add)?;
            let checkout = find()?;
            let output = Output { dry_run: add.dry_run, format, removing: false };
            change(&checkout, output, |checkout| project::plan(checkout, &request(add, &params)))?;
        }
        Command::Remove { name, dry_run, force, templates } => {
            let checkout = find()?;
            let output = Output { dry_run: *dry_run, format, removing: true };
            change(&checkout, output, |checkout| project::removal(checkout, name, *force, templates.as_deref()))?;
        }
        Command::Learn { like, dry_run, force } => {
            let checkout = find()?;
            let output = Output { dry_run: *dry_run, format, removing: false };
            change(&checkout, output, |checkout| project::learn(checkout, like, *force))?;
        }
        Command::Doctor { write_baseline, templates } => {
            return doctor(&find()?, format, *write_baseline, templates.as_deref());
        }
        Command::Templates { action } => templates(&cwd, global.root.as_deref(), format, action)?,
        Command::Trust => {
            let checkout = find()?;
            match trust::trust(&checkout.root)? {
                Some(carried) => {
                    if !log::quiet() {
                        let mut out = format!(
                            "trusted {} ({} files, sha256 {}):\n",
                            carried.dir.display(),
                            carried.files.len(),
                            &carried.digest[..16]
                        );
                        for file in &carried.files {
                            out += &format!("  {file}\n");
                        }
                        out += "a change to any of them is untrusted again\n";
                        emit(std::io::stderr(), &out)?;
                    }
                }
                None => bail!(
                    "{}: no profile or templates of the checkout's own; nothing to trust",
                    checkout.root.join(trust::DIR).display()
                ),
            }
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut command(), "add-backend", &mut out);
            emit(std::io::stdout(), &String::from_utf8_lossy(&out))?;
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command()).render(&mut out)?;
            emit(std::io::stdout(), &String::from_utf8_lossy(&out))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The command line's grammar, its help listing the projects add-backend
/// knows and the parameters each one's profile declares.
fn command() -> clap::Command {
    let command = Cli::command();
    let add = command.find_subcommand("add").expect("add is a command");
    let flag = |param: &str| add.get_arguments().any(|a| a.get_long() == Some(param));
    let mut projects = String::from("Projects (each a directory of templates/, found by its [detect] files):");
    for (name, _) in profile::BUILT_IN {
        let Ok(profile) = profile::load(name, &[]) else { continue };
        let more = if profile.params.is_empty() { "" } else { " and:" };
        projects +=
            &format!("\n  {name:<11} detected by {}; takes --field, --go-name{more}", profile.detect.files.join(", "));
        for crate::profile::Param { name: param, help, .. } in &profile.params {
            let alias = if flag(param) { format!(" (or --{param})") } else { String::new() };
            projects += &format!("\n    --set {param}=VALUE{alias}: {help}");
        }
    }
    projects += "\n  and a checkout's own: .add-backend/<name>/profile.toml, detected by its [detect] (see the README)";
    command.after_help(cli::after_help(&projects))
}

/// `--set NAME=VALUE`, and the flags that are the same as one.
fn params(add: &AddArgs) -> Result<std::collections::BTreeMap<String, String>> {
    let mut params = std::collections::BTreeMap::new();
    let aliases = [("service", &add.service), ("title", &add.title), ("url", &add.url)];
    let aliased = aliases.iter().filter_map(|(name, value)| value.as_ref().map(|v| (name.to_string(), v.clone())));
    let set = add.sets.iter().map(|set| match set.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(error::Error::Usage(format!("--set {set:?}: give NAME=VALUE, e.g. --set service=Obs"))),
    });
    for param in set.chain(aliased.map(Ok)) {
        let (name, value) = param?;
        if params.insert(name.clone(), value).is_some() {
            return Err(error::Error::Usage(format!("--set {name}: given twice")).into());
        }
    }
    Ok(params)
}

fn request<'a>(add: &'a AddArgs, params: &'a std::collections::BTreeMap<String, String>) -> project::Request<'a> {
    project::Request {
        name: &add.name,
        go_name: add.go_name.as_deref(),
        fields: &add.fields,
        templates: add.templates.as_deref(),
        force: add.force,
        params,
        regenerating: false,
        like: add.like.as_deref(),
        require: &add.requires,
        require_recorded_in: None,
    }
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
        let mut message = if recovery.done {
            format!("warning: an earlier run completed, but left temporary files; removed {} of them", recovery.cleaned)
        } else if let Some(journal) = &recovery.forged {
            format!(
                "warning: ignored and removed {journal}: a journal not written by add-backend for this user, so not followed"
            )
        } else {
            format!(
                "warning: an earlier run was interrupted; restored the {} file(s) it had changed",
                recovery.restored
            )
        };
        if !recovery.left.is_empty() {
            message += &format!("; left alone, as they changed since: {}", recovery.left.join(", "));
        }
        if !log::quiet() {
            let _ = writeln!(anstream::stderr(), "{message}");
        }
    }
    let mut timer = log::Timer::start();
    let plan = plan(checkout)?;
    timer.lap("planning");
    if output.dry_run || !plan.changes() {
        return report(output, &plan);
    }
    apply::apply(&checkout.root, &plan, &guard)?;
    timer.lap("writing");
    // The checkout is changed now: failing to print the report must not
    // claim otherwise through the exit code.
    if let Err(err) = report(output, &plan) {
        let _ =
            writeln!(anstream::stderr(), "warning: the change was made, but the report could not be printed: {err:#}");
    }
    Ok(())
}

fn templates(
    cwd: &std::path::Path,
    root: Option<&std::path::Path>,
    format: Format,
    action: &TemplatesAction,
) -> Result<()> {
    match action {
        TemplatesAction::Export { dir } => {
            let n = render::export(dir)?;
            if format == Format::Json {
                let value = serde_json::json!({
                    "version": show::SCHEMA_VERSION, "kind": "export", "dir": dir, "files": n,
                });
                emit(std::io::stdout(), &(serde_json::to_string_pretty(&value)? + "\n"))?;
            } else if !log::quiet() {
                writeln!(
                    anstream::stderr(),
                    "wrote {n} files (profile and templates) under {}; edit them, then put them in a checkout's .add-backend/ or pass --templates",
                    dir.display()
                )?;
            }
        }
        TemplatesAction::List { templates } => {
            let root = match root {
                Some(root) => Some(Checkout::find(cwd, Some(root))?.root),
                None => Checkout::find(cwd, None).ok().map(|c| c.root),
            };
            let dirs = render::override_dirs(templates.as_deref(), root.as_deref())?;
            let mut out = String::new();
            let mut listed = Vec::new();
            for (name, origin) in render::list(&dirs) {
                let from = match origin {
                    render::Origin::BuiltIn => "built-in".to_string(),
                    render::Origin::File(path) => path.display().to_string(),
                };
                out += &format!("{name:<40} {from}\n");
                listed.push(serde_json::json!({ "name": name, "from": from }));
            }
            if format == Format::Json {
                let value = serde_json::json!({
                    "version": show::SCHEMA_VERSION, "kind": "templates", "templates": listed,
                });
                out = serde_json::to_string_pretty(&value)? + "\n";
            }
            emit(std::io::stdout(), &out)?;
        }
    }
    Ok(())
}

/// The wiring report on stdout; exit 4 when a backend is not wired and
/// the baseline does not list the gap (the report, JSON or not, says which:
/// no second document follows it). With `write_baseline`, the gaps found
/// are recorded as known instead.
fn doctor(
    checkout: &Checkout,
    format: Format,
    write_baseline: bool,
    templates: Option<&std::path::Path>,
) -> Result<ExitCode> {
    // Held until the report is out: no run may write while it reads.
    let access = if write_baseline { journal::Access::Write } else { journal::Access::Read };
    let guard = journal::lock(&checkout.root, access)?;
    if guard.pending() {
        bail!("an interrupted run left this checkout half-changed; run add-backend NAME to restore it first");
    }
    let mut report = project::doctor(checkout, templates)?;
    if write_baseline {
        let baseline = doctor::Baseline::of(&report);
        write_checkout_file(&checkout.root, doctor::BASELINE, &baseline.render())?;
        if !log::quiet() {
            writeln!(
                anstream::stderr(),
                "wrote {} with {} known gap(s); commit it, and doctor fails only on a new one",
                doctor::BASELINE,
                baseline.gaps.len()
            )?;
        }
    }
    let baseline = match checkout.read(doctor::BASELINE)? {
        Some(text) => doctor::Baseline::parse(&text)?,
        None => doctor::Baseline::default(),
    };
    let stale = report.apply(&baseline);
    let text = if format == Format::Json { report.json() } else { report.table() };
    emit(std::io::stdout(), &text)?;
    if !stale.is_empty() && !log::quiet() {
        let _ = writeln!(
            anstream::stderr(),
            "warning: {} lists gaps that are wired now ({}); doctor --write-baseline updates it",
            doctor::BASELINE,
            stale.join(", ")
        );
    }
    let new_gaps = report.new_gaps();
    if !new_gaps.is_empty() {
        return Err(error::Error::NotWired(new_gaps).into());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the tool's own file `rel` (under `.add-backend/`) in the
/// checkout in one rename, through directories opened without following
/// symlinks.
fn write_checkout_file(root: &std::path::Path, rel: &str, content: &str) -> Result<()> {
    let beneath = beneath::Beneath::new(root);
    if let Some((dir, _)) = rel.rsplit_once('/') {
        let path = beneath.path(dir)?;
        if !path.is_dir() {
            std::fs::create_dir(&path).map_err(|e| anyhow::anyhow!("cannot create {dir}: {e}"))?;
        }
    }
    atomic::write_atomically(&beneath.path(rel)?, content).map_err(|e| anyhow::anyhow!("cannot write {rel}: {e:#}"))
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
        out = show::json(plan, output.dry_run, output.removing);
    } else {
        if output.dry_run {
            let diff = show::diff(plan);
            let colored = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            out = if colored { show::colorize_diff(&diff) } else { diff };
        }
        show::summary(plan, &mut err)?;
        let backend = &plan.backend.r#type;
        if !plan.changes() && plan.writes_profile {
            writeln!(err, "the profile learnt from backend {backend} is already in place: nothing to do")?;
        } else if !plan.changes() {
            writeln!(err, "backend {backend} is already in place: nothing to do")?;
        } else if output.dry_run {
            writeln!(err, "dry run: nothing was written")?;
        } else if output.removing {
            writeln!(err, "removed backend {backend}")?;
        } else {
            let next = if plan.next_steps.is_empty() { "" } else { "; next:" };
            let done = if plan.writes_profile { "learnt a profile from backend" } else { "added backend" };
            writeln!(err, "{done} {backend}{next}")?;
            for step in &plan.next_steps {
                writeln!(err, "  - {step}")?;
            }
        }
    }
    if log::quiet() {
        err.clear();
    }
    emit(std::io::stdout(), &out)?;
    // The document is out: a status line that cannot be printed changes
    // nothing, and must not add an error document after it.
    let _ = emit(std::io::stderr(), &String::from_utf8_lossy(&err));
    Ok(())
}

/// Writes `text` in one piece, with its colours only where the stream
/// shows them (a terminal, and NO_COLOR unset; CLICOLOR_FORCE forces them).
fn emit<S: anstream::stream::RawStream>(mut stream: S, text: &str) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    // Text without an escape (ESC, or an 8-bit CSI byte) has nothing to
    // strip (most output: scanning for one is cheaper than stripping).
    let styled = memchr::memchr2(0x1b, 0x9b, text.as_bytes()).is_some();
    if styled && anstream::AutoStream::choice(&stream) == anstream::ColorChoice::Never {
        stream.write_all(anstream::adapter::strip_str(text).to_string().as_bytes())?;
    } else {
        stream.write_all(text.as_bytes())?;
    }
    stream.flush()
}
