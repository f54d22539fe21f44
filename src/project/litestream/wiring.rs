//! What the wiring of `cmd/litestream/main.go` and the test harness
//! depends on, read from the checkout: where the settings live, what
//! the constructor is called, the harness's flags. The patches themselves
//! are the profile's (`templates/litestream/profile.toml`).

use anyhow::{Result, bail};

use super::facts::MAIN;
use super::fields::{Field, Kind, align};
use crate::anchor::go::GoFile;
use crate::names::BackendName;

/// Where the replica settings live: `ReplicaSettings` (v0.5.4+, merged
/// with global defaults in `SetDefaults`) or `ReplicaConfig` itself.
pub struct Settings {
    pub struct_name: &'static str,
    /// The receiver and parameter names of `SetDefaults`, when it exists.
    pub defaults: Option<(String, String)>,
}

impl Settings {
    /// Finds the settings and marks the fields they already have as reused.
    /// Without fields there is nothing to look for, and nothing is parsed.
    pub fn resolve(main: &GoFile, fields: &mut [Field]) -> Result<Settings> {
        if fields.is_empty() {
            return Ok(Settings { struct_name: "ReplicaSettings", defaults: None });
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
                let reusable = have.type_text == field.settings_type || reuse_as(main, &have.type_text, field);
                if !reusable {
                    bail!(
                        "--field {}: {MAIN} has {struct_name}.{} {} `yaml:\"{}\"` already; the {} field asked for would be {}",
                        field.key,
                        have.name,
                        have.type_text,
                        field.key,
                        serde_json::to_value(field.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
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
        let defaults = match struct_name {
            _ if all_reused => None,
            "ReplicaSettings" => match main.body(Some("ReplicaSettings"), "SetDefaults") {
                Ok(body) if body.param_names.len() == 2 => {
                    Some((body.param_names[0].clone(), body.param_names[1].clone()))
                }
                _ => None,
            },
            _ => None,
        };
        Ok(Settings { struct_name, defaults })
    }
}

/// Makes `field` reuse a setting of another type, `have`, when the
/// client's value converts to and from it: for an int, `*ByteSize` (`type
/// ByteSize int64` in the same file), `*int64` or a plain `int`; for a bool,
/// a plain `bool` (upstream's `SkipVerify`) or a type defined as one. A
/// plain type's zero value then means "not set". False for anything else.
fn reuse_as(main: &GoFile, have: &str, field: &mut Field) -> bool {
    const INTEGERS: &[&str] =
        &["int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"];
    let (elem, pointer) = match have.strip_prefix('*') {
        Some(elem) => (elem, true),
        None => (have, false),
    };
    let basic = if INTEGERS.contains(&elem) || elem == "bool" {
        elem.to_string()
    } else if elem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        match main.defined_type(elem) {
            Ok(Some(basic)) => basic,
            _ => return false,
        }
    } else {
        return false;
    };
    let unset = match field.kind {
        Kind::Int if INTEGERS.contains(&basic.as_str()) => "0",
        Kind::Bool if basic == "bool" => "false",
        _ => return false,
    };
    if !pointer {
        field.unset = unset;
    }
    if elem != field.client_type {
        field.convert = Some(elem.to_string());
    }
    true
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
