//! The errors a run ends with, and the exit code each one means: the one
//! place the README's table of exit codes is a copy of.

use std::fmt;

/// The errors that end a run with an exit code of their own; any other
/// error (a plain `anyhow` one: a bad name, a missing anchor, a profile's
/// mistake) exits 1. The README's table of exit codes is a copy of `code`.
#[derive(Debug)]
pub enum Error {
    /// A command line add-backend cannot take, refused before anything is read.
    Usage(String),
    /// Writing failed: the checkout was restored, or the message says what
    /// could not be.
    Apply(Box<dyn std::error::Error + Send + Sync>),
    /// `doctor`: these backends are not wired everywhere, and their gaps
    /// are not in the baseline. The report itself was the output.
    NotWired(Vec<String>),
}

impl Error {
    pub fn code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Apply(_) => 3,
            Error::NotWired(_) => 4,
        }
    }

    /// Whether the output already said it all (a report), so that no
    /// JSON error document follows it.
    pub fn reported(&self) -> bool {
        matches!(self, Error::NotWired(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => f.write_str(message),
            Error::Apply(cause) => write!(f, "{cause}"),
            Error::NotWired(backends) => write!(f, "not wired everywhere: {}", backends.join(", ")),
        }
    }
}

impl std::error::Error for Error {}

/// The exit code of a run that failed with `err`.
pub fn code(err: &anyhow::Error) -> u8 {
    err.downcast_ref::<Error>().map_or(1, Error::code)
}

/// Whether the run reports in JSON, for an error that ends it from
/// anywhere (`exit_now`).
pub static JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Ends the process now with `message` as its error: for a watchdog that
/// cannot return an error to `main`. Only before anything is written.
pub fn exit_now(message: &str, code: u8) -> ! {
    use std::io::Write as _;
    let _ = writeln!(anstream::stderr(), "error: {message}");
    if JSON.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = std::io::stdout().write_all(json(message, code).as_bytes());
    }
    std::process::exit(i32::from(code))
}

/// Where an error is, from the `FILE[:LINE[:COLUMN]]: ` every message that
/// has a place starts with: a path (it holds a `/` or a `.`, no space) and
/// the line, if given.
pub fn location(message: &str) -> (Option<&str>, Option<u64>) {
    let Some((head, _)) = message.split_once(": ") else { return (None, None) };
    let mut parts = head.split(':');
    let file = parts.next().unwrap_or_default();
    let is_path = !file.is_empty() && !file.contains(' ') && (file.contains('/') || file.contains('.'));
    if !is_path {
        return (None, None);
    }
    let line = parts.next().and_then(|l| l.parse().ok());
    (Some(file), line)
}

/// The error as JSON (docs/schema.json, kind "error").
pub fn json(message: &str, code: u8) -> String {
    let (file, line) = location(message);
    let value = serde_json::json!({
        "version": crate::show::SCHEMA_VERSION,
        "kind": "error",
        "error": { "message": message, "file": file, "line": line, "code": code },
    });
    serde_json::to_string_pretty(&value).expect("a JSON value always serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::location;

    #[test]
    fn a_message_names_its_place_first() {
        assert_eq!(location("x/profile.toml:12:3: unknown key"), (Some("x/profile.toml"), Some(12)));
        assert_eq!(location("cmd/litestream/main.go not found; why"), (None, None));
        assert_eq!(location("README.md: not UTF-8 text"), (Some("README.md"), None));
        assert_eq!(location("backend name \"init\" cannot be used: Go"), (None, None));
        assert_eq!(location("--templates x: no such directory"), (None, None));
    }
}
