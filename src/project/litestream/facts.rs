//! What a Litestream checkout has, read from its sources rather than
//! assumed: v0.5.x releases differ in the `ReplicaClient` method set, in
//! whether backends register a URL factory, in where replica settings
//! live, and in which test harness and log switch exist.

use std::collections::BTreeMap;
use std::rc::Rc;

use anyhow::{Result, anyhow};

use crate::anchor::go::{GoFile, MethodSpec, top_level_names, top_level_value_names};
use crate::checkout::Checkout;

pub const INTERFACE_FILE: &str = "replica_client.go";
pub const MAIN: &str = "cmd/litestream/main.go";
pub const REPLICATE: &str = "cmd/litestream/replicate.go";
pub const TESTINGUTIL: &str = "internal/testingutil/testingutil.go";
/// Where trees before internal/testingutil (2025) keep the same harness:
/// the root package's tests.
pub const ROOT_HARNESS: &str = "replica_client_test.go";

pub struct Facts {
    /// The methods of `litestream.ReplicaClient`, signatures qualified for
    /// use outside package litestream.
    pub methods: Vec<MethodSpec>,
    /// Import paths of the packages the interface's signatures name, by name.
    pub interface_imports: BTreeMap<String, String>,
    /// Whether backends register a URL factory (`RegisterReplicaClientFactory`, v0.5.4+).
    pub url_factory: bool,
    /// The test harness, when the checkout has one: the file with
    /// `func NewReplicaClient`, `TESTINGUTIL` or else `ROOT_HARNESS`.
    pub testingutil: Option<Rc<String>>,
    pub harness_file: &'static str,
    /// `cmd/litestream/replicate.go`, when it logs each client type.
    pub replicate: Option<Rc<String>>,
}

/// Whether package main (every file of `cmd/litestream`) declares `name`
/// at top level, as a function, type, variable or constant.
pub fn main_package_declares(checkout: &Checkout, main: &GoFile, name: &str) -> Result<bool> {
    Ok(main.decl_names().any(|n| n == name)
        || top_level_value_names(main.src).contains(&name)
        || package_declares(checkout, "cmd/litestream", Some("main.go"), name)?)
}

/// Whether a Go file of directory `dir` but `except` declares `name` at
/// top level (a function, type, variable or constant); false if there is
/// no such directory. Only a file that has the word anywhere is cut into
/// its names, so a package of many files costs a search of each.
pub fn package_declares(checkout: &Checkout, dir: &str, except: Option<&str>, name: &str) -> Result<bool> {
    let files = match checkout.list(dir) {
        Ok(files) => files,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(anyhow!("{dir}: cannot list: {e}")),
    };
    let finder = memchr::memmem::Finder::new(name.as_bytes());
    for file_name in files {
        if !file_name.ends_with(".go") || Some(file_name.as_str()) == except {
            continue;
        }
        let has = |bytes: &[u8]| crate::anchor::go::has_identifier(bytes, &finder);
        if let Some(src) = checkout.read_if(&format!("{dir}/{file_name}"), has)?
            && (top_level_names(&src).contains(&name) || top_level_value_names(&src).contains(&name))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The file that holds the integration harness (`func NewReplicaClient`)
/// and its text: internal/testingutil's, or, where the tree has none, the
/// root package's tests'.
pub fn harness(checkout: &Checkout) -> Result<(&'static str, Option<Rc<String>>)> {
    let has = |path: &str, src: &str| GoFile::new(path, src).func_names().any(|f| f == "NewReplicaClient");
    match checkout.read(TESTINGUTIL)? {
        Some(src) => Ok((TESTINGUTIL, Some(src).filter(|s| has(TESTINGUTIL, s)))),
        None => Ok((ROOT_HARNESS, checkout.read(ROOT_HARNESS)?.filter(|s| has(ROOT_HARNESS, s)))),
    }
}

impl Facts {
    pub fn read(checkout: &Checkout) -> Result<Facts> {
        let src = checkout.require(INTERFACE_FILE, "is this a Litestream checkout?")?;
        let file = GoFile::new(INTERFACE_FILE, &src);
        if !file.has_type("ReplicaClient") {
            return Err(anyhow!(
                "{INTERFACE_FILE}: no `type ReplicaClient interface`; cannot tell which methods a backend needs"
            ));
        }
        let methods = file.interface_methods("ReplicaClient", "litestream")?;
        let interface_imports = file.imports()?.into_iter().map(|i| (i.name, i.path)).collect();

        let url_factory = ["replica_url.go", "litestream.go"].iter().try_fold(false, |found, rel| {
            Ok::<_, anyhow::Error>(
                found
                    || checkout.read(rel)?.is_some_and(|src| {
                        // `func RegisterReplicaClientFactory` at a line's start, in
                        // code (not in a comment or a raw string).
                        let decl = "\nfunc RegisterReplicaClientFactory";
                        memchr::memmem::find_iter(src.as_bytes(), decl).any(|at| {
                            let next = src.as_bytes().get(at + decl.len()).copied().unwrap_or(b'\n');
                            matches!(next, b'(' | b'[' | b' ') && crate::anchor::go::line_starts_in_code(&src, at + 1)
                        })
                    }),
            )
        })?;
        let (harness_file, testingutil) = harness(checkout)?;
        let replicate = checkout.read(REPLICATE)?.filter(|src| src.contains("r.Client.(type)"));
        Ok(Facts { methods, interface_imports, url_factory, testingutil, harness_file, replicate })
    }
}

/// The functions of `go` named `*<suffix>` (`newSFTPReplicaClientFromConfig`,
/// `NewSFTPReplicaClient`) whose results are a `*<package>.ReplicaClient`:
/// a constructor is known by what it returns, whatever its name's casing.
pub fn constructors<'g>(go: &'g GoFile, package: &str, suffix: &str) -> Vec<&'g str> {
    let client = format!("*{package}.ReplicaClient");
    go.func_names()
        .filter(|f| f.ends_with(suffix))
        .filter(|f| {
            go.func_header(f).is_some_and(|header| {
                // The results follow the parameter list's closing parenthesis.
                let results = header.find(')').map_or("", |close| &header[close..]);
                results.contains(&format!("{client},")) || results.contains(&format!("{client} {{"))
            })
        })
        .collect()
}
