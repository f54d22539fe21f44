//! A wiring report: for every backend of a checkout, each place the target
//! wires a backend and whether it is there. Rendered as a table or JSON.

use std::fmt::Write as _;

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Report {
    pub target: &'static str,
    pub backends: Vec<Backend>,
}

#[derive(Debug, Serialize)]
pub struct Backend {
    pub package: String,
    pub r#type: String,
    pub checks: Vec<Check>,
    /// Every required place is wired.
    pub complete: bool,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    /// `None` when the checkout has no such place (an older release).
    pub present: Option<bool>,
    /// Where it was found: the file, relative to the root.
    pub file: Option<String>,
    /// And the line, from 1.
    pub line: Option<usize>,
}

impl Check {
    /// A place found at byte `at` of `file`, whose text is `src`; or not.
    pub fn found(name: &'static str, src: &str, file: &str, at: Option<usize>) -> Check {
        match at {
            Some(at) => Check { name, present: Some(true), file: Some(file.to_string()), line: Some(line_of(src, at)) },
            None => Check { name, present: Some(false), file: None, line: None },
        }
    }

    /// A place the checkout does not have, or one whose place is not told.
    pub fn plain(name: &'static str, present: Option<bool>) -> Check {
        Check { name, present, file: None, line: None }
    }
}

/// The line, from 1, of byte `at` of `src`.
pub fn line_of(src: &str, at: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &src.as_bytes()[..at.min(src.len())]).count()
}

impl Report {
    pub fn complete(&self) -> bool {
        self.backends.iter().all(|b| b.complete)
    }

    /// One row a backend, one column a place: `ok`, `MISSING`, or `-` where
    /// the checkout has no such place.
    pub fn table(&self) -> String {
        let Some(first) = self.backends.first() else { return "no backends found\n".to_string() };
        let width = self.backends.iter().map(|b| b.package.len()).max().unwrap_or(0).max("backend".len());
        let mut out = format!("{:width$}", "backend");
        for check in &first.checks {
            let _ = write!(out, "  {:<11}", check.name);
        }
        out = out.trim_end().to_string() + "\n";
        for backend in &self.backends {
            let mut line = format!("{:width$}", backend.package);
            for check in &backend.checks {
                let cell = match check.present {
                    Some(true) => "ok",
                    Some(false) => "MISSING",
                    None => "-",
                };
                let _ = write!(line, "  {cell:<11}");
            }
            out += line.trim_end();
            out.push('\n');
        }
        out
    }

    pub fn json(&self) -> String {
        let value = serde_json::json!({
            "version": crate::show::SCHEMA_VERSION,
            "kind": "doctor",
            "target": self.target,
            "complete": self.complete(),
            "backends": self.backends,
        });
        serde_json::to_string_pretty(&value).expect("a JSON value always serializes") + "\n"
    }
}
