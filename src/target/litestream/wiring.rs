//! The patches to the checkout's Go files: `cmd/litestream/main.go`, the
//! test harness `internal/testingutil/testingutil.go` and the log switch
//! of `cmd/litestream/replicate.go`. Each finds its anchors by parsing and
//! records what it adds, or that it is there already.

use std::collections::HashSet;

use anyhow::{Result, anyhow, bail};

use super::MODULE;
use super::Vars;
use super::facts::{MAIN, REPLICATE, TESTINGUTIL};
use super::fields::{Field, Kind, align};
use crate::anchor::{self, go::GoFile, go::Import, go::Switch};
use crate::names::BackendName;
use crate::plan::{Edit, FileChange, Item, Status};
use crate::render::Renderer;

/// Where the replica settings live: `ReplicaSettings` (v0.5.4+, merged
/// with global defaults in `SetDefaults`) or `ReplicaConfig` itself.
pub struct Settings {
    pub struct_name: &'static str,
    close_line: usize,
    /// The receiver and parameter names of `SetDefaults`, when it exists.
    pub defaults: Option<(String, String)>,
    defaults_close: usize,
}

impl Settings {
    /// Finds the settings and marks the fields they already have as reused.
    /// Without fields there is nothing to look for, and nothing is parsed.
    pub fn resolve(main: &GoFile, fields: &mut [Field]) -> Result<Settings> {
        if fields.is_empty() {
            return Ok(Settings { struct_name: "ReplicaSettings", close_line: 0, defaults: None, defaults_close: 0 });
        }
        let struct_name = if main.has_type("ReplicaSettings") { "ReplicaSettings" } else { "ReplicaConfig" };
        let existing = main.struct_type(struct_name)?;
        // Names a setting cannot take: the keys and fields of the structs
        // the settings are inlined into, and the methods of both.
        let mut taken_keys = Vec::new();
        let mut taken_names: Vec<String> = Vec::new();
        for host in ["ReplicaConfig", "Config"].into_iter().filter(|h| *h != struct_name && main.has_type(h)) {
            let host_struct = main.struct_type(host)?;
            if host != "ReplicaConfig" && !host_struct.fields.iter().any(|f| f.name == struct_name) {
                continue;
            }
            taken_keys.extend(host_struct.fields.iter().filter_map(|f| f.yaml_key.clone().map(|k| (k, host))));
            taken_names.extend(host_struct.fields.iter().map(|f| f.name.clone()));
        }
        for recv in [struct_name, "ReplicaConfig"] {
            taken_names.extend(main.method_names(recv).map(str::to_string));
        }
        for field in fields.iter_mut() {
            if let Some((_, host)) = taken_keys.iter().find(|(k, _)| *k == field.key) {
                bail!("--field {}: {MAIN} has the key {:?} in {host} already", field.key, field.key);
            }
            if taken_names.contains(&field.settings_name) {
                bail!(
                    "--field {}: {struct_name} cannot have a field {}: the name is taken there",
                    field.key,
                    field.settings_name
                );
            }
            if let Some(have) = existing.fields.iter().find(|f| f.yaml_key.as_deref() == Some(field.key.as_str())) {
                if have.type_text != field.settings_type {
                    bail!(
                        "--field {}: {MAIN} has {struct_name}.{} {} `yaml:\"{}\"` already; a {:?} field would need {}",
                        field.key,
                        have.name,
                        have.type_text,
                        field.key,
                        field.kind,
                        field.settings_type
                    );
                }
                field.settings_name = have.name.clone();
                field.reused = true;
            } else if let Some(have) = existing.fields.iter().find(|f| f.name == field.settings_name) {
                bail!(
                    "--field {}: {MAIN} has {struct_name}.{} for the key {:?} already",
                    field.key,
                    have.name,
                    have.yaml_key.as_deref().unwrap_or("")
                );
            }
        }
        let all_reused = fields.iter().all(|f| f.reused);
        let (defaults, defaults_close) = match struct_name {
            _ if all_reused => (None, 0),
            "ReplicaSettings" => match main.body(Some("ReplicaSettings"), "SetDefaults") {
                Ok(body) if body.param_names.len() == 2 => {
                    (Some((body.param_names[0].clone(), body.param_names[1].clone())), body.close_line)
                }
                _ => (None, 0),
            },
            _ => (None, 0),
        };
        Ok(Settings { struct_name, close_line: existing.close_line, defaults, defaults_close })
    }
}

/// `newFTPReplicaClientFromConfig`, or the exported form if the checkout
/// has that one already (as upstream has `NewS3ReplicaClientFromConfig`).
pub fn constructor_name(main: &GoFile, name: &BackendName) -> String {
    let exported = format!("New{}ReplicaClientFromConfig", name.go_name);
    if main.has_func(&exported) { exported } else { format!("new{}ReplicaClientFromConfig", name.go_name) }
}

/// The harness's flag declarations, aligned as gofmt aligns a `var` block.
pub fn flag_decls(name: &BackendName, fields: &[Field]) -> Vec<String> {
    let flag = |var: String, flag: String, env: String, kind: Kind| {
        let value = match kind {
            Kind::Bool => format!("= flag.Bool({flag:?}, os.Getenv({env:?}) == \"true\", \"\")"),
            _ => format!("= flag.String({flag:?}, os.Getenv({env:?}), \"\")"),
        };
        vec![var, value]
    };
    let mut rows: Vec<Vec<String>> =
        fields.iter().map(|f| flag(f.flag_var.clone(), f.flag.clone(), f.env.clone(), f.kind)).collect();
    let env_type = name.r#type.to_uppercase().replace('-', "_");
    rows.push(flag(
        format!("{}Path", name.package),
        format!("{}-path", name.r#type),
        format!("LITESTREAM_{env_type}_PATH"),
        Kind::String,
    ));
    align(&rows)
}

pub fn main_go(
    main: &GoFile,
    imports: &[Import],
    main_names: &[String],
    settings: &Settings,
    vars: &Vars,
    renderer: &Renderer,
) -> Result<FileChange> {
    let mut patch = Patch::new(main);

    let own = format!("{MODULE}/{}", vars.package);
    let import = main.import_edit(imports, &own, MODULE)?;
    patch.add(format!("import {own:?}"), import.into_iter().collect());

    if !vars.new_fields.is_empty() {
        let what = format!("{} fields {}", settings.struct_name, keys(&vars.new_fields));
        let text = renderer.render("litestream/main_settings.go")?;
        patch.add(what, vec![Edit { at: settings.close_line, text }]);
        if settings.defaults.is_some() {
            let text = renderer.render("litestream/main_defaults.go")?;
            patch.add(
                format!("SetDefaults for {}", keys(&vars.new_fields)),
                vec![Edit { at: settings.defaults_close, text }],
            );
        }
    }
    for field in vars.fields.iter().filter(|f| f.reused) {
        patch.items.push(Item {
            what: format!("{}.{} reused for {}", settings.struct_name, field.settings_name, field.key),
            status: Status::Reuse,
        });
    }

    let switch = main.switch_in("NewReplicaFromConfig", Some("c.ReplicaType()"))?;
    let has_case = switch.case_values.iter().any(|v| v.trim_matches(['"', '`']) == vars.r#type);
    let case =
        if has_case { vec![] } else { vec![arm(main.src, &switch, renderer.render("litestream/main_case.go")?)] };
    patch.add(format!("case {:?} in NewReplicaFromConfig()", vars.r#type), case);

    // Declared in main.go (confirmed by parsing) or in another file of package main.
    let elsewhere = main_names.iter().filter(|n| **n == vars.constructor).count()
        > main.func_names().filter(|n| *n == vars.constructor).count();
    let has_constructor = main.has_func(&vars.constructor) || elsewhere;
    let rendered = renderer.render("litestream/main_constructor.go")?;
    let stale = main.func_text(&vars.constructor).is_some_and(|text| differs(text, &rendered));
    let mut constructor = Vec::new();
    if !has_constructor {
        let (_, end) = main
            .last_func(|f| f.ends_with("ReplicaClientFromConfig") && (f.starts_with("new") || f.starts_with("New")))
            .ok_or_else(|| {
                anyhow!("{MAIN}: no new…ReplicaClientFromConfig function to place {}() after", vars.constructor)
            })?;
        constructor.push(Edit { at: end, text: format!("\n\n{}", rendered.trim_end()) });
        constructor.extend(std_import_edits(main, imports, &rendered, &mut HashSet::new())?);
    }
    patch.add_checked(format!("func {}()", vars.constructor), constructor, stale);
    Ok(patch.finish(MAIN))
}

pub fn testingutil(src: &str, vars: &Vars, renderer: &Renderer) -> Result<FileChange> {
    let file = GoFile::new(TESTINGUTIL, src);
    let imports = file.imports()?;
    let mut patch = Patch::new(&file);

    let own = format!("{MODULE}/{}", vars.package);
    patch.add(format!("import {own:?}"), file.import_edit(&imports, &own, MODULE)?.into_iter().collect());

    let mut imported = HashSet::new();
    let path_flag = format!("\"{}-path\"", vars.r#type);
    let mut flags = Vec::new();
    if file.last_var_containing(&path_flag)?.is_none() {
        let after = file.last_var_containing("flag.")?.ok_or_else(|| {
            anyhow!("{TESTINGUTIL}: no `var` block of flags to place the {} flags after", vars.r#type)
        })?;
        let text = renderer.render("litestream/testingutil_flags.go")?;
        flags.extend(std_import_edits(&file, &imports, &text, &mut imported)?);
        flags.push(Edit { at: after, text: format!("\n\n{}", text.trim_end()) });
    }
    patch.add(format!("flags -{}-*", vars.r#type), flags);

    let switch = file.switch_in("NewReplicaClient", None)?;
    let value = format!("{}.ReplicaClientType", vars.package);
    let case = if switch.case_values.contains(&value) {
        vec![]
    } else {
        vec![arm(file.src, &switch, renderer.render("litestream/testingutil_case.go")?)]
    };
    patch.add(format!("case {value} in NewReplicaClient()"), case);

    let mut constructor = Vec::new();
    let rendered = renderer.render("litestream/testingutil_constructor.go")?;
    let stale = file.func_text(&vars.harness_constructor).is_some_and(|text| differs(text, &rendered));
    if !file.has_func(&vars.harness_constructor) {
        let (_, end) = file
            .last_func(|f| f.starts_with("New") && f.ends_with("ReplicaClient") && f != "NewReplicaClient")
            .ok_or_else(|| {
                anyhow!("{TESTINGUTIL}: no New…ReplicaClient(tb) to place {}() after", vars.harness_constructor)
            })?;
        constructor.push(Edit { at: end, text: format!("\n\n{}", rendered.trim_end()) });
        if imports.iter().any(|i| i.name == "rand" && i.path.starts_with("math/rand")) {
            imported.insert("math/rand/v2");
        }
        constructor.extend(std_import_edits(&file, &imports, &rendered, &mut imported)?);
    }
    patch.add_checked(format!("func {}()", vars.harness_constructor), constructor, stale);
    Ok(patch.finish(TESTINGUTIL))
}

pub fn replicate(src: &str, switch: &Switch, vars: &Vars, renderer: &Renderer) -> Result<FileChange> {
    let file = GoFile::new(REPLICATE, src);
    let imports = file.imports()?;
    let mut patch = Patch::new(&file);
    let own = format!("{MODULE}/{}", vars.package);
    patch.add(format!("import {own:?}"), file.import_edit(&imports, &own, MODULE)?.into_iter().collect());
    let value = format!("*{}.ReplicaClient", vars.package);
    let case = if switch.case_values.contains(&value) {
        vec![]
    } else {
        vec![arm(file.src, switch, renderer.render("litestream/replicate_case.go")?)]
    };
    patch.add(format!("case {value} in the log switch"), case);
    Ok(patch.finish(REPLICATE))
}

/// A `case` arm, indented like the `default:` it goes before.
fn arm(src: &str, switch: &Switch, text: String) -> Edit {
    let indent = anchor::indentation(src, switch.default_line);
    let text = text.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("{indent}{l}\n") }).collect();
    Edit { at: switch.default_line, text }
}

/// Imports of the standard-library packages `text` uses that the file
/// lacks, skipping those in `done` (and adding to it).
fn std_import_edits(
    file: &GoFile,
    imports: &[Import],
    text: &str,
    done: &mut HashSet<&'static str>,
) -> Result<Vec<Edit>> {
    let mut edits = Vec::new();
    for path in std_imports(text) {
        if done.insert(path) {
            edits.extend(file.import_edit(imports, path, MODULE)?);
        }
    }
    Ok(edits)
}

/// Standard-library packages a rendered snippet uses: `strconv.Atoi` needs "strconv".
fn std_imports(text: &str) -> Vec<&'static str> {
    const KNOWN: &[(&str, &str)] = &[
        ("fmt.", "fmt"),
        ("flag.", "flag"),
        ("os.", "os"),
        ("path.", "path"),
        ("rand.", "math/rand/v2"),
        ("strconv.", "strconv"),
        ("strings.", "strings"),
        ("time.", "time"),
        ("url.", "net/url"),
    ];
    KNOWN
        .iter()
        .filter(|(use_, _)| {
            text.match_indices(use_).any(|(at, _)| {
                at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric() && text.as_bytes()[at - 1] != b'.'
            })
        })
        .map(|(_, path)| *path)
        .collect()
}

/// Whether a function in the checkout differs from its rendered template
/// (whose leading doc comment is not part of the function).
fn differs(existing: &str, rendered: &str) -> bool {
    let doc: usize = rendered.lines().take_while(|l| l.starts_with("//")).map(|l| l.len() + 1).sum();
    existing.trim_end() != rendered[doc.min(rendered.len())..].trim_end()
}

fn keys(fields: &[&Field]) -> String {
    fields.iter().map(|f| f.key.as_str()).collect::<Vec<_>>().join(", ")
}

/// The edits to one file and an item for each thing they add.
struct Patch<'f> {
    file: &'f GoFile<'f>,
    items: Vec<Item>,
    edits: Vec<Edit>,
}

impl<'f> Patch<'f> {
    fn new(file: &'f GoFile<'f>) -> Patch<'f> {
        Patch { file, items: Vec::new(), edits: Vec::new() }
    }

    /// Records item `what`: present when it needs no edit.
    fn add(&mut self, what: String, edits: Vec<Edit>) {
        let status = if edits.is_empty() { Status::Present } else { Status::Insert };
        self.items.push(Item { what, status });
        self.edits.extend(edits);
    }

    /// Like `add`, for an item whose presence was compared with what the
    /// templates write: `stale` when it differs.
    fn add_checked(&mut self, what: String, edits: Vec<Edit>, stale: bool) {
        if stale && edits.is_empty() {
            self.items.push(Item { what, status: Status::Stale });
        } else {
            self.add(what, edits);
        }
    }

    fn finish(self, path: &str) -> FileChange {
        FileChange::patched(path.to_string(), self.file.src.to_string(), &self.edits, self.items)
    }
}
