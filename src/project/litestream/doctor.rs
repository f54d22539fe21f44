//! The wiring doctor: every backend of a Litestream checkout, and for each
//! place a backend is wired, whether it is there.

use anyhow::Result;

use super::facts::{self, Facts, MAIN};
use crate::anchor::go::{GoFile, Switch, without_comments};
use crate::checkout::Checkout;
use crate::doctor::{Backend, Check, Report};

/// The places reported but never making a backend incomplete: upstream
/// documents its backends elsewhere.
const OPTIONAL: &[&str] = &["docs"];

pub fn examine(checkout: &Checkout) -> Result<Report> {
    let facts = Facts::read(checkout)?;
    let main_src = checkout.require(MAIN, "is this a Litestream checkout?")?;
    let main = GoFile::new(MAIN, &main_src);
    let config = main.switch_in("NewReplicaFromConfig", Some("c.ReplicaType()"))?;
    let settings = settings_fields(&main)?;
    let testingutil = facts.testingutil.as_deref().map(|src| GoFile::new(facts::TESTINGUTIL, src));
    let harness = match &testingutil {
        Some(file) => Some(file.switch_in("NewReplicaClient", None)?),
        None => None,
    };
    let replicate = facts.replicate.as_deref().map(|src| GoFile::new(facts::REPLICATE, src));
    let log = match &replicate {
        Some(file) => file.type_switch("r.Client")?,
        None => None,
    };
    let docs: Vec<(&str, std::rc::Rc<String>)> = ["README.md", "docs/ARCHITECTURE.md"]
        .into_iter()
        .filter_map(|path| checkout.read(path).ok().flatten().map(|src| (path, src)))
        .collect();

    let mut backends = Vec::new();
    for (package, client) in backend_packages(checkout)? {
        // A backend names its type; a test double (upstream's mock/) does not.
        let Some(r#type) = replica_client_type(&client) else { continue };
        let is_type = |v: &String| facts::names_backend(v, &r#type, &package);
        let client_path = format!("{package}/replica_client.go");
        // Found in the code, placed in the file as written.
        let written = checkout.read(&client_path)?.unwrap_or_default();
        let in_client = |name, needle: &str| {
            let at = client.contains(needle).then(|| written.find(needle)).flatten();
            Check::found(name, &written, &client_path, at)
        };
        // The clause of `switch` that has a value `matches`, in `file`.
        let clause = |name, switch: Option<&Switch>, file: Option<&GoFile>, matches: &dyn Fn(&String) -> bool| match (
            switch, file,
        ) {
            (Some(switch), Some(file)) => {
                let at = switch.clauses.iter().find(|(values, _)| values.iter().any(matches)).map(|c| c.1.start);
                Check::found(name, file.src, file.path, at)
            }
            _ => Check::plain(name, None),
        };
        let constructor = facts::constructors(&main, &package, "ReplicaClientFromConfig").first().copied();
        // Where its `func` keyword is, in main.go.
        let constructor_at = constructor.and_then(|f| main.func_start(f));
        let log_type = format!("*{package}.ReplicaClient");
        let doc_marks = [format!("add-backend {type} begin", type = r#type), format!("[{package}/replica_client.go]")];
        let doc = docs
            .iter()
            .find_map(|(path, src)| doc_marks.iter().find_map(|m| src.find(m.as_str())).map(|at| (path, src, at)));
        let checks = vec![
            in_client("package", "litestream.ReplicaClient = (*ReplicaClient)(nil)"),
            if facts.url_factory {
                in_client("url", "RegisterReplicaClientFactory(")
            } else {
                Check::plain("url", None)
            },
            clause("config", Some(&config), Some(&main), &is_type),
            Check::found("constructor", &main_src, MAIN, constructor_at),
            match constructor {
                Some(f) => {
                    let wired = main.fields_read(f, "*ReplicaConfig").iter().all(|s| settings.contains(s));
                    if wired {
                        Check::found("settings", &main_src, MAIN, constructor_at)
                    } else {
                        Check::plain("settings", Some(false))
                    }
                }
                None => Check::plain("settings", None),
            },
            clause("harness", harness.as_ref(), testingutil.as_ref(), &is_type),
            clause("log", log.as_ref(), replicate.as_ref(), &|v: &String| *v == log_type),
            match doc {
                Some((path, src, at)) => Check::found("docs", src, path, Some(at)),
                None => Check::plain("docs", Some(false)),
            },
        ];
        let complete = checks.iter().all(|c| OPTIONAL.contains(&c.name) || c.present != Some(false));
        backends.push(Backend { package, r#type, checks, complete, optional: OPTIONAL });
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
