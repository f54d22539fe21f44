//! add-backend: find the checkout, plan the change set in memory, then
//! apply it (`apply`) or show it (`show`).

mod anchor;
mod apply;
mod checkout;
mod cli;
mod go_imports;
mod names;
mod plan;
mod render;
mod show;
mod target;

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser as _;

use crate::checkout::Checkout;
use crate::cli::{Cli, Format};

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
    let checkout = Checkout::find(&cwd, cli.root.as_deref())?;
    let request = target::Request {
        name: &cli.name,
        go_name: cli.go_name.as_deref(),
        fields: &cli.fields,
        force: cli.force,
    };
    let plan = target::plan(&checkout, &request)?;
    if cli.dry_run || !plan.changes() {
        return report(cli, &plan);
    }
    apply::apply(&checkout.root, &plan)?;
    // The checkout is changed now: failing to print the report must not
    // claim otherwise through the exit code.
    if let Err(err) = report(cli, &plan) {
        let _ = writeln!(
            anstream::stderr(),
            "warning: the backend was added, but the report could not be printed: {err:#}"
        );
    }
    Ok(())
}

/// Data (diffs, JSON) on stdout; status and messages on stderr.
fn report(cli: &Cli, plan: &plan::Plan) -> Result<()> {
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    for warning in &plan.warnings {
        writeln!(stderr, "warning: {warning}")?;
    }
    if cli.format == Format::Json {
        write!(stdout, "{}", show::json(plan, cli.dry_run))?;
        return Ok(stdout.flush()?);
    }
    if cli.dry_run {
        write!(stdout, "{}", show::colorize_diff(&show::diff(plan)))?;
        stdout.flush()?;
    }
    show::summary(plan, &mut stderr)?;
    let backend = &plan.backend.r#type;
    if !plan.changes() {
        writeln!(
            stderr,
            "backend {backend} is already in place: nothing to do"
        )?;
    } else if cli.dry_run {
        writeln!(stderr, "dry run: nothing was written")?;
    } else {
        writeln!(stderr, "added backend {backend}; next:")?;
        for step in &plan.next_steps {
            writeln!(stderr, "  - {step}")?;
        }
    }
    Ok(())
}
