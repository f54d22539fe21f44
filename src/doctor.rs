//! A wiring report: for every backend of a checkout, each place the target
//! wires a backend and whether it is there. Rendered as a table or JSON.
//! A baseline (`.add-backend/doctor-baseline.toml`, written by `doctor
//! --write-baseline`) lists known gaps, as linters' baselines do: they are
//! reported, and do not fail; a new gap does.

use std::fmt::Write as _;

use anyhow::{Result, anyhow, bail};
use serde::Serialize;

/// Where a checkout keeps its doctor baseline.
pub const BASELINE: &str = ".add-backend/doctor-baseline.toml";

#[derive(Debug, Serialize)]
pub struct Report {
    pub target: String,
    pub backends: Vec<Backend>,
}

#[derive(Debug, Serialize)]
pub struct Backend {
    /// Its name, as the checkout has it (the directory, the module).
    pub package: String,
    pub r#type: String,
    pub checks: Vec<Check>,
    /// Every required place is wired.
    pub complete: bool,
}

#[derive(Debug, Serialize)]
pub struct Check {
    /// The place: a patch's `check`, or its file's name.
    pub name: String,
    /// `None` when the checkout has no such place (an older release), or
    /// the profile applies none of its patches to the backend.
    pub present: Option<bool>,
    /// The file the place is in, relative to the root.
    pub file: Option<String>,
    /// Whether its absence makes the backend incomplete (docs may not).
    pub required: bool,
    /// Missing, but listed in the baseline: reported, not failing.
    pub known: bool,
}

impl Backend {
    pub fn new(package: String, r#type: String, checks: Vec<Check>) -> Backend {
        let complete = checks.iter().all(|c| !c.required || c.present != Some(false));
        Backend { package, r#type, checks, complete }
    }
}

/// The gaps a checkout knows of: `(backend, place)`.
#[derive(Debug, Default, PartialEq)]
pub struct Baseline {
    pub gaps: Vec<(String, String)>,
}

impl Baseline {
    /// Reads a baseline: `[[gap]]` tables of `backend` and `place`.
    pub fn parse(text: &str) -> Result<Baseline> {
        let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            anyhow!("{BASELINE}: {}", e.to_string().lines().next().unwrap_or_default())
        })?;
        let mut baseline = Baseline::default();
        let Some(gaps) = doc.get("gap") else { return Ok(baseline) };
        let gaps =
            gaps.as_array_of_tables().ok_or_else(|| anyhow!("{BASELINE}: `gap` is not a list of [[gap]] tables"))?;
        for gap in gaps.iter() {
            let field = |key: &str| gap.get(key).and_then(|v| v.as_str()).map(str::to_string);
            match (field("backend"), field("place")) {
                (Some(backend), Some(place)) => baseline.gaps.push((backend, place)),
                _ => bail!("{BASELINE}: a [[gap]] needs a `backend` and a `place`"),
            }
        }
        Ok(baseline)
    }

    /// The baseline of every gap of `report`.
    pub fn of(report: &Report) -> Baseline {
        let gaps = report
            .backends
            .iter()
            .flat_map(|b| b.checks.iter().filter(|c| c.present == Some(false) && c.required).map(move |c| (b, c)))
            .map(|(b, c)| (b.package.clone(), c.name.to_string()))
            .collect();
        Baseline { gaps }
    }

    pub fn render(&self) -> String {
        let mut out = String::from(
            "# The gaps `add-backend doctor` knows of: reported, not failing. A new gap fails.\n# Written by `add-backend doctor --write-baseline`.\n",
        );
        for (backend, place) in &self.gaps {
            let _ = write!(out, "\n[[gap]]\nbackend = {backend:?}\nplace = {place:?}\n");
        }
        out
    }
}

impl Report {
    pub fn complete(&self) -> bool {
        self.backends.iter().all(|b| b.complete)
    }

    /// Marks the gaps `baseline` lists as known; returns the entries that
    /// are no longer gaps.
    pub fn apply(&mut self, baseline: &Baseline) -> Vec<String> {
        for backend in &mut self.backends {
            for check in &mut backend.checks {
                check.known = check.present == Some(false)
                    && baseline.gaps.iter().any(|(b, p)| *b == backend.package && *p == check.name);
            }
        }
        let current = Baseline::of(self);
        baseline.gaps.iter().filter(|g| !current.gaps.contains(g)).map(|(b, p)| format!("{b} {p}")).collect()
    }

    /// The backends with a required place missing that the baseline does
    /// not list.
    pub fn new_gaps(&self) -> Vec<String> {
        self.backends
            .iter()
            .filter(|b| b.checks.iter().any(|c| c.present == Some(false) && !c.known && c.required))
            .map(|b| b.package.clone())
            .collect()
    }

    /// One row a backend, one column a place: `ok`, `MISSING`, or `-` where
    /// the checkout has no such place.
    pub fn table(&self) -> String {
        let Some(first) = self.backends.first() else { return "no backends found\n".to_string() };
        let width = self.backends.iter().map(|b| b.package.len()).max().unwrap_or(0).max("backend".len());
        // A column is as wide as its name, and as `MISSING`.
        let widths: Vec<usize> = first.checks.iter().map(|c| c.name.len().max("MISSING".len())).collect();
        let mut out = format!("{:width$}", "backend");
        for (check, width) in first.checks.iter().zip(&widths) {
            let _ = write!(out, "  {:<width$}", check.name);
        }
        out = out.trim_end().to_string() + "\n";
        for backend in &self.backends {
            let mut line = format!("{:width$}", backend.package);
            for (check, width) in backend.checks.iter().zip(&widths) {
                let cell = match check.present {
                    Some(true) => "ok",
                    Some(false) if check.known => "known",
                    Some(false) if !check.required => "missing",
                    Some(false) => "MISSING",
                    None => "-",
                };
                let _ = write!(line, "  {cell:<width$}");
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
