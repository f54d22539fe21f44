//! The wiring doctor: every backend of a Litestream checkout, and for each
//! place a backend is wired, whether it is there.

use anyhow::Result;

use super::facts::{self, Facts, MAIN};
use crate::anchor::go::GoFile;
use crate::checkout::Checkout;
use crate::doctor::{Backend, Check, Report};

/// The places, in the order they are shown. `docs` is reported but never
/// makes a backend incomplete: upstream documents its backends elsewhere.
const REQUIRED: &[&str] = &["package", "url", "config", "constructor", "harness", "log"];

pub fn examine(checkout: &Checkout) -> Result<Report> {
    let facts = Facts::read(checkout)?;
    let main_src = checkout.require(MAIN, "is this a Litestream checkout?")?;
    let main = GoFile::new(MAIN, &main_src);
    let config_cases = main.switch_in("NewReplicaFromConfig", Some("c.ReplicaType()"))?.case_values;
    let constructors: Vec<String> = main.func_names().map(str::to_ascii_lowercase).collect();
    let harness_cases = match &facts.testingutil {
        Some(src) => Some(GoFile::new(facts::TESTINGUTIL, src).switch_in("NewReplicaClient", None)?.case_values),
        None => None,
    };
    let log_cases = match &facts.replicate {
        Some(src) => GoFile::new(facts::REPLICATE, src).type_switch("r.Client")?.map(|s| s.case_values),
        None => None,
    };
    let docs =
        [checkout.read("README.md")?, checkout.read("docs/ARCHITECTURE.md")?].into_iter().flatten().collect::<String>();

    let mut backends = Vec::new();
    for (package, client) in backend_packages(checkout)? {
        // A backend names its type; a test double (upstream's mock/) does not.
        let Some(r#type) = replica_client_type(&client) else { continue };
        let literal = |v: &str| v.trim_matches(['"', '`']) == r#type;
        let check = |name: &'static str, present: Option<bool>| Check { name, present };
        let checks = vec![
            check("package", Some(client.contains("litestream.ReplicaClient = (*ReplicaClient)(nil)"))),
            check("url", facts.url_factory.then(|| client.contains("RegisterReplicaClientFactory("))),
            check("config", Some(config_cases.iter().any(|v| literal(v)))),
            check(
                "constructor",
                Some(constructors.contains(&format!("new{}replicaclientfromconfig", package.replace('-', "")))),
            ),
            check(
                "harness",
                harness_cases
                    .as_ref()
                    .map(|cases| cases.iter().any(|v| *v == format!("{package}.ReplicaClientType") || literal(v))),
            ),
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

/// Top-level directories holding a `replica_client.go`, with its text.
fn backend_packages(checkout: &Checkout) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&checkout.root)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if let Some(src) = checkout.read(&format!("{name}/replica_client.go"))? {
            found.push((name, src));
        }
    }
    found.sort();
    Ok(found)
}

/// The value of `const ReplicaClientType = "..."`.
fn replica_client_type(src: &str) -> Option<String> {
    let rest = &src[src.find("const ReplicaClientType = \"")? + "const ReplicaClientType = \"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}
