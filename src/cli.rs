//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success: the backend was added, is already in place, or the dry run planned it
  1  nothing was written: the name, the checkout or an anchor is wrong, or the backend exists;
     for doctor: a backend is not wired everywhere it should be
  2  usage error: unknown flag or missing NAME
  3  a write failed; every file already written was restored";

/// Adds a storage backend to a project checkout, wired end to end: the new
/// package from templates, plus the imports, config arm, constructor and
/// docs it needs in the project's existing files.
#[derive(Parser, Debug)]
#[command(
    name = "add-backend",
    version,
    after_help = EXIT_CODES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The backend's name: ftp, my-store or my_store. It becomes the Go
    /// package (mystore), the replica type and URL scheme (my-store) and the
    /// Go identifier part (MyStore). `doctor`, `remove` and `templates` are commands.
    #[arg(required = true)]
    pub name: Option<String>,

    /// Show the change as unified diffs (or JSON with --format json) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// How to report the plan on stdout: text (diffs on --dry-run) or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Overwrite generated files that differ, and add the missing parts of a backend that exists in part.
    #[arg(long)]
    pub force: bool,

    /// A setting of the backend, wired from config to client, harness and docs:
    /// NAME[:TYPE][!], TYPE one of string (default), int, bool, duration, secret
    /// (a string never logged), `!` for required. Repeat for each: --field host! --field port:int
    #[arg(long = "field", value_name = "NAME[:TYPE][!]")]
    pub fields: Vec<String>,

    /// The identifier part of the backend's type names, when the derived one is wrong
    /// (Litestream: WebDAV for webdav, in NewWebDAVReplicaClient; sccache: COS in COSCache).
    #[arg(long, visible_alias = "type-name", value_name = "IDENT")]
    pub go_name: Option<String>,

    /// sccache: the OpenDAL service the backend is built on (the type in
    /// opendal::services, e.g. Cos); by default the identifier part, capitalised.
    #[arg(long, value_name = "TYPE")]
    pub service: Option<String>,

    /// sccache: the backend's name in the docs (the README's links, the
    /// heading of its page): "Tencent Cloud Object Storage"; by default the
    /// identifier part (COS).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// The checkout's root; by default the nearest directory above the current one with a
    /// go.mod or a Cargo.toml.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Templates that override the built-in ones, by name (see `templates list`); the
    /// checkout's own `.add-backend/` is used too, after this.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lists every backend of the checkout and, for each place the target
    /// wires a backend, whether it is there. Exits 1 when one is missing: a
    /// check for a project's CI.
    Doctor {
        /// text (a table) or json.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,

        /// The checkout's root; by default the nearest directory above the current one with a go.mod.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },

    /// Takes a backend add-backend added back out: the files it created and
    /// every text it inserted, as recorded in `.add-backend/backends/`.
    /// Refuses, naming them, if any was changed since, unless --force.
    Remove {
        /// The backend's name, as given when it was added.
        name: String,

        /// Show the change as unified diffs (or JSON with --format json) and write nothing.
        #[arg(long)]
        dry_run: bool,

        /// Remove edited files too; leave edited insertions in place.
        #[arg(long)]
        force: bool,

        /// How to report the plan on stdout: text (diffs on --dry-run) or json.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,

        /// The checkout's root; by default the nearest directory above the current one with a go.mod.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },

    /// Works with the templates: write the built-in ones out to edit, or
    /// list which one a run would use, and from where.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum TemplatesAction {
    /// Writes the built-in templates into DIR, in the layout that overrides
    /// use, refusing to overwrite any file: put them in a checkout's
    /// `.add-backend/`, or pass `--templates DIR`.
    Export { dir: PathBuf },

    /// Lists every template and where a run would take it from.
    List {
        /// Templates that override the built-in ones.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,

        /// The checkout whose `.add-backend/` counts; by default the nearest with a go.mod, if any.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}
