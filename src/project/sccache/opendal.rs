//! The OpenDAL service a backend is built on: the methods of its builder,
//! read from the source cargo has unpacked of the opendal the checkout's
//! Cargo.lock locks, so that a `--field` the builder has no method for is
//! refused before anything is written, not by `cargo check` after.
//!
//! Since opendal 0.55 each service is a crate of its own
//! (`opendal-service-cos`, its builder re-exported as `Cos`); before, every
//! service is a module of opendal (`src/services/cos`). Both are looked
//! for under `$CARGO_HOME/registry/src/*/`. Nothing is downloaded and
//! nothing is run: when the source is not there, the plan says so.

use std::path::{Path, PathBuf};

use anyhow::Result;
use heck::{ToKebabCase, ToSnakeCase};

use crate::anchor::rust::inherent_methods;
use crate::checkout::Checkout;

/// What is known of a service's builder.
pub enum Builder {
    /// Its `pub` methods that take `self`, and where they were read
    /// (`opendal-service-cos 0.58.2`).
    Methods { source: String, methods: Vec<String> },
    /// Why they could not be read.
    Unknown(String),
}

/// The builder of `opendal::services::{service}` as the checkout locks it.
pub fn builder(checkout: &Checkout, service: &str) -> Result<Builder> {
    let Some(lock) = checkout.read("Cargo.lock")? else {
        return Ok(Builder::Unknown(
            "the checkout has no Cargo.lock, so which opendal it builds with is not known".into(),
        ));
    };
    let krate = format!("opendal-service-{}", service.to_kebab_case());
    let Some(version) = locked(&lock, &krate).or_else(|| locked(&lock, "opendal")) else {
        return Ok(Builder::Unknown("Cargo.lock locks no opendal".into()));
    };
    let Some(registry) = cargo_home().map(|home| home.join("registry").join("src")) else {
        return Ok(Builder::Unknown("no cargo home (CARGO_HOME, or ~/.cargo) to look for its source in".into()));
    };
    let mut indexes: Vec<PathBuf> = std::fs::read_dir(&registry)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    indexes.sort();
    // The locked version, else another release of the same minor version
    // (a builder's methods change no more often), the newest first.
    let minor: String = version.split('.').take(2).collect::<Vec<_>>().join(".") + ".";
    let mut versions = vec![version.clone()];
    for index in &indexes {
        let names = std::fs::read_dir(index).map(|e| e.filter_map(|e| e.ok()).collect::<Vec<_>>()).unwrap_or_default();
        for entry in names {
            let name = entry.file_name().to_string_lossy().into_owned();
            let other = name.strip_prefix(&format!("{krate}-")).or_else(|| name.strip_prefix("opendal-"));
            if let Some(other) = other.filter(|v| v.starts_with(&minor) && !versions.iter().any(|x| x == v)) {
                versions.push(other.to_string());
            }
        }
    }
    versions[1..].sort_by(|a, b| b.cmp(a));
    for version in &versions {
        for index in &indexes {
            // Each service its own crate, or a module of opendal.
            for (dir, source) in [
                (index.join(format!("{krate}-{version}")).join("src"), format!("{krate} {version}")),
                (
                    index.join(format!("opendal-{version}")).join("src").join("services").join(service.to_snake_case()),
                    format!("opendal {version}"),
                ),
            ] {
                if let Some(methods) = methods_in(&dir, service) {
                    return Ok(Builder::Methods { source, methods });
                }
            }
        }
    }
    Ok(Builder::Unknown(format!(
        "{krate} {version} is not in the cargo registry ({}); `cargo fetch` after adding the feature unpacks it",
        registry.display()
    )))
}

/// The version `Cargo.lock` (`lock`) locks of package `name`: its
/// `[[package]]` table cut out at the table headers, then read by
/// toml_edit; `None` if it has none, or one that is not a plain version.
fn locked(lock: &str, name: &str) -> Option<String> {
    let needle = format!("\nname = \"{name}\"\n");
    let at = memchr::memmem::find(lock.as_bytes(), needle.as_bytes())?;
    let start = lock[..at].rfind("[[package]]")?;
    let end = lock[at..].find("\n[").map_or(lock.len(), |n| at + n + 1);
    let doc = crate::anchor::cargo::document(&lock[start..end]).ok()?;
    let table = doc.get("package")?.as_array_of_tables()?.get(0)?;
    let version = table.get("version")?.as_str()?;
    let plain = !version.is_empty() && version.chars().all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c));
    (table.get("name")?.as_str()? == name && plain).then(|| version.to_string())
}

fn cargo_home() -> Option<PathBuf> {
    match std::env::var_os("CARGO_HOME") {
        Some(home) if !home.is_empty() => Some(PathBuf::from(home)),
        _ => directories::BaseDirs::new().map(|dirs| dirs.home_dir().join(".cargo")),
    }
}

/// The `pub` methods taking `self` of the builder that `dir`'s crate or
/// module exports as `service` (`pub use backend::CosBuilder as Cos;`, or
/// `{service}Builder`), from the `.rs` files of `dir`.
fn methods_in(dir: &Path, service: &str) -> Option<Vec<String>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let read = |path: &Path| crate::paths::read_text(path, true).ok();
    let texts: Vec<String> = files.iter().filter_map(|p| read(p)).collect();
    // Only a file that holds the words is cut into items (most of a
    // service's source is neither its export nor its builder).
    let alias = format!(" as {service}");
    let exported = texts.iter().filter(|text| text.contains(&alias)).find_map(|text| {
        crate::anchor::rust_items::items(text)?.into_iter().find_map(|(label, _)| {
            let (path, alias) = label.strip_prefix("use ")?.split_once(" as ")?;
            (alias.trim() == service).then(|| path.rsplit("::").next().unwrap_or(path).trim().to_string())
        })
    });
    let ty = exported.unwrap_or_else(|| format!("{service}Builder"));
    let mut methods: Vec<String> = Vec::new();
    let mut found = false;
    for text in texts.iter().filter(|text| text.contains(&ty)) {
        if let Some(all) = inherent_methods(text, &ty) {
            found = true;
            methods.extend(all.into_iter().filter(|m| m.public && m.takes_self).map(|m| m.name));
        }
    }
    found.then_some(methods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_version_is_read_from_the_packages_table() {
        let lock = "version = 4\n\n[[package]]\nname = \"opendal\"\nversion = \"0.58.2\"\nsource = \"registry\"\n\n[[package]]\nname = \"opendal-core\"\nversion = \"0.58.1\"\n";
        assert_eq!(locked(lock, "opendal").as_deref(), Some("0.58.2"));
        assert_eq!(locked(lock, "opendal-core").as_deref(), Some("0.58.1"));
        assert_eq!(locked(lock, "opendal-service-cos"), None);
        let odd = "[[package]]\nname = \"opendal\"\nversion = \"../../etc\"\n";
        assert_eq!(locked(odd, "opendal"), None, "a version that is not one is not a path");
    }
}
