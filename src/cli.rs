//! The command line: its grammar (clap), the bare `add-backend NAME`
//! shorthand for `add-backend add NAME`, and the guard that keeps a
//! mistyped command from becoming a backend of that name.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::Error;

/// The main help's text after the options: the projects (given by the
/// caller, from their profiles), the exit codes, examples.
pub fn after_help(projects: &str) -> String {
    format!("{projects}\n\n{EXIT_CODES}\n\n{MAIN_HELP}")
}

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success: the backend was added, is already in place, or the dry run planned it
  1  nothing was written: the name, the checkout or an anchor is wrong, or the backend exists;
     for doctor: the checkout cannot be examined
  2  usage error: unknown command or flag, a flag of another project, a missing NAME,
     or a NAME that looks like a mistyped command
  3  a write failed; every file already written was restored
  4  doctor: a backend is not wired everywhere it should be (and the baseline does not say so)";

const MAIN_HELP: &str = "\
Examples:
  add-backend ftp --dry-run                  show what adding an ftp backend would change
  add-backend ftp --field host! --field port:int
  add-backend add doctr                      a backend whose name looks like a command
  add-backend remove ftp                     take a backend add-backend wrote back out
  add-backend doctor --format json           every backend and where it is wired, for CI

`add-backend NAME` is short for `add-backend add NAME`. Global options
(--root, --format, -q, -v) go before or after the command.

The README (README.md in the package, and its page on docs.rs/add-backend)
says what each project's backends get, how to use templates of your own,
and the JSON output's schema (docs/schema.json).";

const ADD_HELP: &str = "\
Examples:
  add-backend add ftp                                  write and wire the ftp backend
  add-backend add ftp --dry-run                        show the change as unified diffs
  add-backend add ftp --field host! --field port:int   with settings (again: re-generates)
  add-backend add webdav --go-name WebDAV              NewWebDAVReplicaClient, not NewWebdav...
  add-backend add obs --set service=Obs --set title=\"Huawei Cloud OBS\"";

const REMOVE_HELP: &str = "\
Examples:
  add-backend remove ftp --dry-run     what would come out
  add-backend remove ftp               take it out; refused if edited since
  add-backend remove sftp --force      also a backend add-backend did not write";

const DOCTOR_HELP: &str = "\
Exits 0 when every backend is wired (gaps in .add-backend/doctor-baseline.toml aside),
4 when one is not, 1 when the checkout cannot be examined.

Examples:
  add-backend doctor                   a table: backend x place, ok / MISSING / known / -
  add-backend doctor --format json     the same with each place's file and line
  add-backend doctor --write-baseline  accept today's gaps; a new one fails";

const TEMPLATES_HELP: &str = "\
Examples:
  add-backend templates export .add-backend   the built-in templates, to edit
  add-backend templates list                  which template a run takes, from where";

const LEARN_HELP: &str = "\
The profile is .add-backend/<project>/profile.toml (the project's name if add-backend knows it,
else the last word of its Go module or its Cargo package's name), its templates beside it.

Examples:
  add-backend learn --like sftp --dry-run   the profile and templates, as diffs
  add-backend learn --like sftp             write them; review, then `add-backend trust`
  add-backend ftp                           a backend by the learnt profile";

const TRUST_HELP: &str = "\
A checkout's .add-backend/ is code that add-backend runs for you: its profile says which
files to write and where. Like direnv's `allow`, trust records a digest of its content
(sha256) against the checkout's real path in your configuration directory.

Examples:
  git diff HEAD@{1} -- .add-backend && add-backend trust   review what changed, then trust it
  add-backend ftp --trust                                  trust it for one run (CI)";

const COMPLETIONS_HELP: &str = "\
Examples:
  add-backend completions bash > ~/.local/share/bash-completion/completions/add-backend
  add-backend completions zsh > ~/.zfunc/_add-backend
  add-backend completions fish > ~/.config/fish/completions/add-backend.fish";

/// Adds a storage backend to a project checkout, wired end to end: the new
/// module from templates, plus the imports, config arm, constructor, test
/// harness and docs it needs in the project's existing files.
#[derive(Parser, Debug)]
#[command(
    name = "add-backend",
    version,
    after_help = format!("{EXIT_CODES}\n\n{MAIN_HELP}"),
    subcommand_required = true,
    arg_required_else_help = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after its name.
#[derive(Args, Debug)]
pub struct Global {
    /// The checkout's root; by default the nearest directory above the current one with a
    /// go.mod or a Cargo.toml.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// How to report on stdout: text (a status list; diffs on --dry-run; a table for
    /// doctor) or json (docs/schema.json), errors included; completions and man print
    /// their own formats.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Print errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also print what was read, which profile and templates were used and from where, and
    /// how long each step took.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Use the checkout's own profile and templates (its .add-backend/) in this run without
    /// `add-backend trust`: for a CI job that chose to.
    #[arg(long, global = true, env = "ADD_BACKEND_TRUST", value_parser = clap::builder::BoolishValueParser::new())]
    pub trust: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Writes a backend and wires it in (`add-backend NAME` for short). Run again with other
    /// settings, it re-generates the backend with them; with none, with those it was added with.
    #[command(after_help = ADD_HELP)]
    Add(AddArgs),

    /// Takes a backend add-backend added back out: the files it created and
    /// every text it inserted, as recorded in `.add-backend/backends/`.
    /// Refuses, naming them, if any was changed since, unless --force.
    #[command(after_help = REMOVE_HELP)]
    Remove {
        /// The backend's name, as given when it was added.
        name: String,

        /// Show the change as unified diffs (or JSON with --format json) and write nothing.
        #[arg(long)]
        dry_run: bool,

        /// Remove edited files too; leave edited insertions in place.
        #[arg(long)]
        force: bool,

        /// The templates directory the backend was added with (`add --templates DIR`): its
        /// profile says which files are the backend's.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },

    /// Lists every backend of the checkout and, for each place the project
    /// wires a backend, whether it is there. Exits 4 when one is missing (and
    /// the baseline does not list it): a check for a project's CI.
    #[command(after_help = DOCTOR_HELP)]
    Doctor {
        /// Record every gap found now in .add-backend/doctor-baseline.toml: later runs report
        /// them as `known` and fail (exit 4) only on a new one.
        #[arg(long)]
        write_baseline: bool,
        /// Read the profile from DIR (as `add --templates DIR` did), before the checkout's
        /// own .add-backend/.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },

    /// Works with the templates: write the built-in ones out to edit, or
    /// list which one a run would use, and from where.
    #[command(after_help = TEMPLATES_HELP)]
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },

    /// Writes a profile and templates learnt from a backend the checkout has into its
    /// .add-backend/, for a team to edit: the backend's own files and each unit of wiring
    /// `--like` clones, the new name's forms their variables. An add by them writes what
    /// `add NAME --like SIBLING` writes.
    #[command(after_help = LEARN_HELP)]
    Learn {
        /// The backend to learn from: one the checkout has.
        #[arg(long, value_name = "SIBLING", required = true)]
        like: String,

        /// Show the profile and templates as unified diffs (or JSON with --format json) and
        /// write nothing.
        #[arg(long)]
        dry_run: bool,

        /// Write over a learnt profile or template that is there and differs.
        #[arg(long)]
        force: bool,
    },

    /// Trusts the checkout's own profile and templates (its .add-backend/) as they are now:
    /// until then, and after any change to them, a run refuses them. Review them first.
    #[command(after_help = TRUST_HELP)]
    Trust,

    /// Prints a shell completion script on stdout.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },

    /// Prints the manual page (roff) on stdout: `add-backend man | man -l -`.
    Man,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The backend's name: ftp, my-store or my_store. It becomes the Go
    /// package (mystore), the replica type and URL scheme (my-store) and the
    /// Go identifier part (MyStore).
    pub name: String,

    /// Show the change as unified diffs (or JSON with --format json) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Overwrite generated files that differ, and add the missing parts of a backend that exists in part.
    #[arg(long)]
    pub force: bool,

    /// A setting of the backend, wired from config to client, harness and docs:
    /// NAME[:TYPE][!], TYPE one of string (default), int, bool, duration, secret, list
    /// (a string never logged), `!` for required. Repeat for each: --field host! --field port:int
    #[arg(long = "field", value_name = "NAME[:TYPE][!]")]
    pub fields: Vec<String>,

    /// The identifier part of the backend's type names, when the derived one is wrong
    /// (WebDAV for webdav, as in NewWebDAVReplicaClient; COS for cos, as in COSCache).
    #[arg(long, visible_alias = "type-name", value_name = "IDENT")]
    pub go_name: Option<String>,

    /// A parameter the project's profile declares (see the projects below): NAME=VALUE.
    /// Repeat for each: --set service=Obs --set title="Huawei Cloud OBS"
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,

    /// The same as --set service=TYPE.
    #[arg(long, value_name = "TYPE")]
    pub service: Option<String>,

    /// The same as --set title=TEXT.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// The same as --set url=SPEC: which part of a replica URL fills which --field
    /// (host=FIELD, path=FIELD, server=FIELD[:SCHEME], comma-separated), where the project takes it.
    #[arg(long, value_name = "SPEC")]
    pub url: Option<String>,

    /// Templates that override the built-in ones, by name (see `templates list`); the
    /// checkout's own `.add-backend/` is used too, after this.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// A Go module the backend's storage will import, added to go.mod and go.sum by
    /// `go get` on copies of them (Go checkouts). Repeat for each: --require github.com/jlaffaye/ftp@v0.2.0
    #[arg(long = "require", value_name = "MODULE[@VERSION]")]
    pub requires: Vec<String>,

    /// Model the backend on SIBLING, one the checkout has, with no profile: its package
    /// copied with the rename, and each unit of wiring that is SIBLING's cloned (Go projects).
    #[arg(long, value_name = "SIBLING", conflicts_with_all = ["fields", "sets", "service", "title", "url", "templates"])]
    pub like: Option<String>,
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
    },
}

/// Words people type as commands that add-backend does not have, with
/// what they most likely wanted.
const COMMAND_WORDS: &[(&str, &str)] = &[
    ("list", "doctor"),
    ("status", "doctor"),
    ("check", "doctor"),
    ("show", "doctor"),
    ("info", "doctor"),
    ("version", "--version"),
    ("update", "add"),
    ("upgrade", "add"),
    ("generate", "add"),
    ("new", "add"),
    ("init", "templates export"),
    ("config", "templates"),
    ("delete", "remove"),
    ("uninstall", "remove"),
    ("completion", "completions"),
    ("manual", "man"),
];

/// The arguments clap parses: `add` put in front of a bare NAME, and the
/// command moved in front of any option given before it (so that
/// `--dry-run remove ftp` means `remove --dry-run ftp`). A bare NAME that
/// is, or is one edit from, a command or a command-like word is refused.
pub fn normalize(args: Vec<OsString>, command: &clap::Command) -> Result<Vec<OsString>, Error> {
    let takes_value = value_options(command);
    let mut first = None;
    let mut i = 1;
    let asks = |arg: &str| {
        matches!(arg, "--help" | "--version")
            || (arg.starts_with('-') && !arg.starts_with("--") && arg[1..].contains(['h', 'V']))
    };
    while i < args.len() {
        // Lossy: a non-UTF-8 value (`--root=<bytes>`) is still a value.
        let arg = args[i].to_string_lossy();
        let arg = arg.as_ref();
        if asks(arg) {
            // Help or the version, whatever follows: clap prints it.
            return Ok(args);
        }
        if arg == "--" {
            break;
        } else if arg.starts_with("--") {
            if !arg.contains('=') && takes_value.iter().any(|o| o == arg) {
                i += 1;
            }
        } else if arg.starts_with('-') && arg.len() > 1 {
            // A cluster of short flags; a value-taking one last takes the next argument.
            let last = format!("-{}", &arg[arg.len() - 1..]);
            if takes_value.contains(&last) {
                i += 1;
            }
        } else {
            first = Some(i);
            break;
        }
        i += 1;
    }
    let mut args = args;
    match first {
        Some(at) => {
            let word = args[at].to_string_lossy().into_owned();
            let is_command =
                command.get_subcommands().any(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word))
                    || word == "help";
            if is_command {
                if word != "help" {
                    let command = args.remove(at);
                    args.insert(1, command);
                }
            } else {
                refuse_command_like(&word, command)?;
                args.insert(1, "add".into());
            }
        }
        None => {
            let asks =
                args.iter().skip(1).any(|a| ["-h", "--help", "-V", "--version"].contains(&&*a.to_string_lossy()));
            if args.len() > 1 && !asks {
                args.insert(1, "add".into());
            }
        }
    }
    Ok(args)
}

/// Every spelling of an option that takes a value, in any command.
fn value_options(command: &clap::Command) -> Vec<String> {
    let mut out = Vec::new();
    for arg in command.get_arguments() {
        if arg.is_positional() || !arg.get_action().takes_values() {
            continue;
        }
        out.extend(arg.get_long_and_visible_aliases().into_iter().flatten().map(|l| format!("--{l}")));
        out.extend(arg.get_short_and_visible_aliases().into_iter().flatten().map(|s| format!("-{s}")));
    }
    for sub in command.get_subcommands() {
        out.extend(value_options(sub));
    }
    out
}

/// A bare NAME equal to, or one edit (a letter added, dropped, changed or
/// two swapped) from, a command or a command-like word.
fn refuse_command_like(name: &str, command: &clap::Command) -> Result<(), Error> {
    let lower = name.to_lowercase();
    let commands = command.get_subcommands().map(|c| (c.get_name(), c.get_name())).chain([("help", "help")]);
    let near = |word: &str| strsim::osa_distance(&lower, word) <= 1;
    let Some((_, meant)) = commands.chain(COMMAND_WORDS.iter().copied()).find(|(word, _)| near(word)) else {
        return Ok(());
    };
    let meant = if meant.starts_with('-') { format!("add-backend {meant}") } else { meant.to_string() };
    Err(Error::Usage(format!(
        "'{name}' is not a command; did you mean '{meant}'? To add a backend of that name, use 'add-backend add {name}'"
    )))
}

/// Whether the arguments ask for JSON, read before they are parsed, so
/// that a usage error can be reported in the format asked for.
pub fn wants_json(args: &[OsString]) -> bool {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).take_while(|a| *a != "--").collect();
    args.windows(2).any(|w| w[0] == "--format" && w[1] == "json") || args.contains(&"--format=json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn normalized(args: &[&str]) -> Result<Vec<String>, String> {
        let args = std::iter::once("add-backend").chain(args.iter().copied()).map(OsString::from).collect();
        normalize(args, &Cli::command())
            .map(|v| v.into_iter().skip(1).map(|a| a.into_string().unwrap()).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_bare_name_is_an_add_and_a_command_goes_first() {
        assert_eq!(normalized(&["ftp", "--dry-run"]).unwrap(), ["add", "ftp", "--dry-run"]);
        assert_eq!(normalized(&["--dry-run", "ftp"]).unwrap(), ["add", "--dry-run", "ftp"]);
        assert_eq!(normalized(&["--field", "doctor", "ftp"]).unwrap(), ["add", "--field", "doctor", "ftp"]);
        assert_eq!(normalized(&["--format", "json", "doctor"]).unwrap(), ["doctor", "--format", "json"]);
        assert_eq!(normalized(&["--format=json", "doctor"]).unwrap(), ["doctor", "--format=json"]);
        assert_eq!(normalized(&["--dry-run", "remove", "ftp"]).unwrap(), ["remove", "--dry-run", "ftp"]);
        assert_eq!(normalized(&["-q", "--root", "x", "add", "doctr"]).unwrap(), ["add", "-q", "--root", "x", "doctr"]);
        assert_eq!(normalized(&["--", "doctor"]).unwrap(), ["add", "--", "doctor"]);
        assert_eq!(normalized(&["--help"]).unwrap(), ["--help"]);
        assert_eq!(normalized(&["-qh"]).unwrap(), ["-qh"]);
        assert_eq!(normalized(&["-V", "doctr"]).unwrap(), ["-V", "doctr"]);
        assert_eq!(normalized(&["ftp", "--help"]).unwrap(), ["add", "ftp", "--help"]);
        assert_eq!(normalized(&[]).unwrap(), Vec::<String>::new());
        assert_eq!(normalized(&["--dry-run"]).unwrap(), ["add", "--dry-run"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_value_that_is_not_utf8_is_still_a_value() {
        use std::os::unix::ffi::OsStringExt as _;
        let root = OsString::from_vec(b"--root=/tmp/\xff".to_vec());
        let args = vec!["add-backend".into(), root.clone(), "doctr".into()];
        assert!(normalize(args, &Cli::command()).unwrap_err().to_string().contains("'doctr' is not a command"));
        let args = vec!["add-backend".into(), "--root".into(), OsString::from_vec(b"\xff".to_vec()), "doctr".into()];
        assert!(normalize(args, &Cli::command()).is_err());
    }

    #[test]
    fn a_name_like_a_command_is_refused_with_what_was_meant() {
        let err = normalized(&["doctr"]).unwrap_err();
        assert_eq!(
            err,
            "'doctr' is not a command; did you mean 'doctor'? To add a backend of that name, use 'add-backend add doctr'"
        );
        assert!(normalized(&["version"]).unwrap_err().contains("did you mean 'add-backend --version'?"));
        assert!(normalized(&["lsit"]).unwrap_err().contains("did you mean 'doctor'?"));
        assert!(normalized(&["Remove"]).unwrap_err().contains("did you mean 'remove'?"));
        for name in ["ftp", "sftp", "s3", "gcs", "abs", "webdav", "nats", "oss", "cos", "obs", "gha", "azure", "r2"] {
            assert!(normalized(&[name]).is_ok(), "{name} is a backend name");
        }
    }
}
