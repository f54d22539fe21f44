//! The wiring doctor: every backend of a Litestream checkout, and for each
//! place a backend is wired, whether it is there.

use anyhow::Result;

use super::facts::{self, Facts, MAIN};
use crate::anchor::go::{GoFile, without_comments};
use crate::checkout::Checkout;
use crate::doctor::{Backend, Check, Report};

/// The places, in the order they are shown. `docs` is reported but never
/// makes a backend incomplete: upstream documents its backends elsewhere.
const REQUIRED: &[&str] = &["package", "url", "config", "constructor", "settings", "harness", "log"];

pub fn examine(checkout: &Checkout) -> Result<Report> {
    let facts = Facts::read(checkout)?;
    let main_src = checkout.require(MAIN, "is this a Litestream checkout?")?;
    let main = GoFile::new(MAIN, &main_src);
    let config_cases = main.switch_in("NewReplicaFromConfig", Some("c.ReplicaType()"))?.case_values;
    let settings = settings_fields(&main)?;
    let harness_cases = match &facts.testingutil {
        Some(src) => Some(GoFile::new(facts::TESTINGUTIL, src).switch_in("NewReplicaClient", None)?.case_values),
        None => None,
    };
    let log_cases = match &facts.replicate {
        Some(src) => GoFile::new(facts::REPLICATE, src).type_switch("r.Client")?.map(|s| s.case_values),
        None => None,
    };
    let docs = [checkout.read("README.md")?, checkout.read("docs/ARCHITECTURE.md")?]
        .into_iter()
        .flatten()
        .map(|s| s.to_string())
        .collect::<String>();

    let mut backends = Vec::new();
    for (package, client) in backend_packages(checkout)? {
        // A backend names its type; a test double (upstream's mock/) does not.
        let Some(r#type) = replica_client_type(&client) else { continue };
        let is_type = |v: &String| facts::names_backend(v, &r#type, &package);
        let check = |name: &'static str, present: Option<bool>| Check { name, present };
        let constructor = facts::constructors(&main, &package, "ReplicaClientFromConfig").first().copied();
        let checks = vec![
            check("package", Some(client.contains("litestream.ReplicaClient = (*ReplicaClient)(nil)"))),
            check("url", facts.url_factory.then(|| client.contains("RegisterReplicaClientFactory("))),
            check("config", Some(config_cases.iter().any(is_type))),
            check("constructor", Some(constructor.is_some())),
            check(
                "settings",
                constructor.map(|f| main.fields_read(f, "*ReplicaConfig").iter().all(|s| settings.contains(s))),
            ),
            check("harness", harness_cases.as_ref().map(|cases| cases.iter().any(is_type))),
            check("log", log_cases.as_ref().map(|cases| cases.contains(&format!("*{package}.ReplicaClient")))),
            check(
                "docs",
                Some(
                    docs.contains(&format!("add-backend {type} begin", type = r#type))
                        || docs.contains(&format!("[{package}/replica_client.go]")),
                ),
            ),
        ];
        let complete = checks.iter().all(|c| !REQUIRED.contains(&c.name) || c.present != Some(false));
        backends.push(Backend { package, r#type, checks, complete });
    }
    Ok(Report { target: "litestream", backends })
}

/// The fields a constructor can read from the replica config: those of
/// `ReplicaConfig` and of the structs inlined in it (`ReplicaSettings`,
/// and any inside that), each struct once.
fn settings_fields(main: &GoFile) -> Result<Vec<String>> {
    let mut fields = Vec::new();
    let mut structs = vec!["ReplicaConfig".to_string()];
    let mut seen = Vec::new();
    while let Some(name) = structs.pop() {
        if seen.contains(&name) || !main.has_type(&name) {
            continue;
        }
        for field in main.struct_type(&name)?.fields {
            let embedded = field.type_text.trim_start_matches('*');
            if field.name == embedded {
                structs.push(embedded.to_string());
            }
            fields.push(field.name);
        }
        seen.push(name);
    }
    Ok(fields)
}

/// Top-level directories holding a `replica_client.go`, with its text.
fn backend_packages(checkout: &Checkout) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&checkout.root)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if let Some(src) = checkout.read(&format!("{name}/replica_client.go"))? {
            found.push((name, without_comments(&src)));
        }
    }
    found.sort();
    Ok(found)
}

/// The value of the `ReplicaClientType` constant, alone or in a `const`
/// block, typed or not: `ReplicaClientType = "sftp"`.
fn replica_client_type(src: &str) -> Option<String> {
    src.match_indices("ReplicaClientType").find_map(|(at, name)| {
        let rest = src[at + name.len()..].trim_start_matches([' ', '\t']);
        let rest = rest.strip_prefix("string").unwrap_or(rest).trim_start_matches([' ', '\t']);
        let rest = rest.strip_prefix('=')?.trim_start_matches([' ', '\t']).strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_string())
    })
}
