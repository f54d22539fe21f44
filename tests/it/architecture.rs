//! The invariants ARCHITECTURE.md states about the source's layers, read
//! from the source itself: which module may use which.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of `src/` and the top-level modules it uses
/// (`crate::x`), its tests left out.
fn uses() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().map(Result::unwrap) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        let module = rel.split(['/', '.']).next().unwrap().to_string();
        if module == "main" || module == "lib" || module == "fuzz" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let used = graph.entry(module.clone()).or_default();
        let mut add = |name: &str| {
            let exists = src.join(format!("{name}.rs")).is_file() || src.join(name).is_dir();
            if name != module && exists {
                used.insert(name.to_string());
            }
        };
        // `super::super::plan` from src/anchor/go.rs is crate::plan: a chain
        // of `super`s that climbs out of the top-level module names another.
        let mut path: Vec<&str> = rel.trim_end_matches(".rs").split('/').collect();
        if path.last() == Some(&"mod") {
            path.pop();
        }
        for (at, _) in code.match_indices("super::") {
            if code[..at].ends_with("super::") {
                continue;
            }
            let mut rest = &code[at..];
            let mut depth = 0;
            while let Some(after) = rest.strip_prefix("super::") {
                rest = after;
                depth += 1;
            }
            if depth >= path.len() {
                add(&rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())]);
            }
        }
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + 7..];
            if let Some(list) = rest.strip_prefix('{') {
                for name in list[..list.find('}').unwrap()].split(',') {
                    add(name.trim().split("::").next().unwrap());
                }
            } else {
                add(&rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())]);
            }
        }
    }
    graph
}

#[test]
fn the_layers_have_no_cycle() {
    let graph = uses();
    // Kahn: repeatedly take out a module that uses none left.
    let mut left = graph.clone();
    while let Some(free) =
        left.iter().find(|(_, used)| used.iter().all(|u| !left.contains_key(u))).map(|(m, _)| m.clone())
    {
        left.remove(&free);
    }
    assert!(left.is_empty(), "modules in a cycle: {left:#?}");
}

#[test]
fn leaves_use_no_other_module_and_parsers_know_no_profile() {
    let graph = uses();
    for leaf in ["fault", "paths", "beneath", "glob", "log", "names", "go_lex", "diff", "go_mod"] {
        assert!(graph[leaf].is_empty(), "{leaf} is a leaf, but uses {:?}", graph[leaf]);
    }
    assert_eq!(graph["atomic"], BTreeSet::from(["fault".to_string()]));
    for forbidden in ["profile", "project", "checkout", "render", "trust", "manifest"] {
        assert!(!graph["anchor"].contains(forbidden), "anchor/ (the parsers) uses {forbidden}");
    }
    for sink in ["apply", "show"] {
        assert!(!graph[sink].contains("project"), "{sink} (a sink) knows the projects");
    }
    assert!(!graph["journal"].contains("apply"), "the journal calls into apply");
}

#[test]
fn no_project_is_named_outside_its_provider_and_its_templates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let projects: Vec<String> = std::fs::read_dir(root.join("templates"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("profile.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().to_lowercase())
        .collect();
    assert!(projects.len() >= 2, "{projects:?}");
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root.join("src")).into_iter().map(Result::unwrap) {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        // The providers (each project's own directory, and the registry of
        // them in src/project/mod.rs), and the property tests (test code,
        // on the fixtures). The engine's parts of src/project/ (steps,
        // examine, plain) are held to the rule like the rest.
        let provider = projects.iter().any(|p| rel.starts_with(&format!("src/project/{p}/")));
        if provider || rel == "src/project/mod.rs" || rel == "src/fuzz.rs" || !rel.ends_with(".rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        // A module's tests read the fixtures, which are named for the projects.
        let code = text.split("#[cfg(test)]").next().unwrap().to_lowercase();
        for (n, line) in code.lines().enumerate() {
            if let Some(project) = projects.iter().find(|p| line.contains(p.as_str())) {
                found.push(format!("{rel}:{}: {project}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "project names outside their providers and templates/:\n{}", found.join("\n"));
}
