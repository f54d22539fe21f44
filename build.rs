//! Embeds every project under `templates/`: each `templates/<project>/`
//! with a `profile.toml` is a project, and each `*.tera` file in it one of
//! its templates. No list is kept by hand; a new directory is a new
//! project's data.

use std::fmt::Write as _;
use std::path::Path;

/// The templates are also embedded compiled-ready: without their text
/// (src/render/hoist.rs), which Tera would lex a character at a time.
#[allow(dead_code)]
#[path = "src/render/hoist.rs"]
mod hoist;

fn main() {
    // Read when the script runs, not when it is compiled: one compiled
    // script may serve several copies of the crate (`cargo package`'s).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut projects: Vec<String> = Vec::new();
    let mut templates: Vec<(String, String)> = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root).expect("templates/ is there").map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.join("profile.toml").is_file()) {
        println!("cargo:rerun-if-changed={}", dir.display());
        let project = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = walk(&dir);
        files.sort();
        for file in files {
            let rel = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            if let Some(name) = rel.strip_suffix(".tera") {
                templates.push((name.to_string(), file.display().to_string()));
            }
        }
        projects.push(project);
    }
    let mut out = String::from("/// Every built-in profile: its project and text (build.rs, from templates/).\n");
    out += "pub const BUILT_IN_PROFILES: &[(&str, &str)] = &[\n";
    for project in &projects {
        let path = root.join(project).join("profile.toml");
        writeln!(out, "    ({project:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    out += "];\n\n/// Every built-in template: its name (its path under templates/, less\n/// `.tera`) and text (build.rs, from templates/).\n";
    out += "pub const BUILT_IN_TEMPLATES: &[(&str, &str)] = &[\n";
    for (name, path) in &templates {
        writeln!(out, "    ({name:?}, include_str!({path:?})),").unwrap();
    }
    out += "];\n\n/// Every built-in template without its text, as `render::hoist` takes it\n/// out (build.rs): its tags with a marker for each run, and the runs; in\n/// `BUILT_IN_TEMPLATES`' order. `None` for one that cannot be.\n";
    out += "pub const BUILT_IN_HOISTED: &[Option<(&str, &[&str])>] = &[\n";
    for (name, path) in &templates {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        match hoist::hoist(&text) {
            Some(h) => writeln!(out, "    // {name}\n    Some(({:?}, &{:?})),", h.template, h.texts).unwrap(),
            None => writeln!(out, "    // {name}\n    None,").unwrap(),
        }
    }
    out += "];\n";
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("built_in.rs");
    std::fs::write(dest, out).unwrap();
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
