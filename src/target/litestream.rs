//! Litestream (github.com/benbjohnson/litestream): a replica backend is a
//! package implementing `litestream.ReplicaClient`, built from config in
//! `cmd/litestream/main.go` and documented in the README.

use anyhow::{Result, anyhow, bail};
use serde::Serialize;

use super::Request;
use crate::anchor::{self, go::GoFile, go::Import, markers};
use crate::checkout::Checkout;
use crate::names::BackendName;
use crate::plan::{Edit, FileChange, Item, Plan, Status, apply_edits};
use crate::render::Renderer;

pub const MODULE: &str = "github.com/benbjohnson/litestream";

const MAIN: &str = "cmd/litestream/main.go";
const README: &str = "README.md";

/// The files of the new package: template, then file name.
const PACKAGE_FILES: &[(&str, &str)] = &[
    ("litestream/replica_client.go", "replica_client.go"),
    ("litestream/storage.go", "storage.go"),
    (
        "litestream/replica_client_test.go",
        "replica_client_test.go",
    ),
];

/// Names the generated code already gives to other packages or variables.
const RESERVED: &[&str] = &[
    "bytes",
    "c",
    "client",
    "context",
    "err",
    "errors",
    "fmt",
    "io",
    "litestream",
    "ltx",
    "main",
    "os",
    "path",
    "r",
    "slog",
    "sort",
    "strings",
    "sync",
    "testing",
    "time",
    "url",
];

/// The variables every template sees.
#[derive(Serialize)]
struct Vars<'a> {
    r#type: &'a str,
    package: &'a str,
    go_name: &'a str,
    module: &'a str,
    /// `newFTPReplicaClientFromConfig`
    constructor: String,
    /// `ftpStorage`, the unexported Storage implementation.
    storage_type: String,
}

pub fn plan(checkout: &Checkout, request: &Request) -> Result<Plan> {
    let name = BackendName::parse(request.name, request.go_name)?;
    let main_src = checkout.require(MAIN, "is this a Litestream checkout?")?;
    let main = GoFile::new(MAIN, &main_src);
    let imports = main.imports()?;
    check_name_is_free(checkout, &name, &imports)?;

    let vars = Vars {
        r#type: &name.r#type,
        package: &name.package,
        go_name: &name.go_name,
        module: MODULE,
        constructor: format!("new{}ReplicaClientFromConfig", name.go_name),
        storage_type: format!("{}Storage", name.package),
    };
    let renderer = Renderer::new(&vars)?;

    let mut files = Vec::new();
    for (template, file) in PACKAGE_FILES {
        let path = format!("{}/{file}", name.package);
        files.push(new_file(
            checkout,
            path,
            renderer.render(template)?,
            request.force,
        )?);
    }
    files.push(patch_main(&main, &imports, &vars, &renderer)?);
    files.push(patch_readme(checkout, &name, &renderer)?);

    let plan = Plan {
        target: "litestream",
        next_steps: vec![
            format!(
                "write the four storage primitives in {}/storage.go (go get a {} client library first)",
                name.package, name.go_name
            ),
            format!(
                "go test ./{}/... checks the LTX layer; go vet ./... && go build ./... the wiring",
                name.package
            ),
        ],
        backend: name,
        files,
    };
    refuse_partial_backend(&plan, request.force)?;
    Ok(plan)
}

/// A package name that would collide with an import of `main.go`, a
/// variable of the generated code, or a directory that is not a backend.
fn check_name_is_free(checkout: &Checkout, name: &BackendName, imports: &[Import]) -> Result<()> {
    let pkg = name.package.as_str();
    let own_path = format!("{MODULE}/{pkg}");
    if let Some(import) = imports.iter().find(|i| i.name == pkg && i.path != own_path) {
        bail!(
            "backend name {pkg:?} is taken: {MAIN} already imports {:?} as {pkg}",
            import.path
        );
    }
    if RESERVED.contains(&pkg) {
        bail!(
            "backend name {pkg:?} is taken: the generated code uses {pkg} for another package or variable"
        );
    }
    let dir = checkout.root.join(pkg);
    if dir.exists() && !dir.join("replica_client.go").is_file() {
        bail!(
            "backend name {pkg:?} is taken: {pkg}/ exists in the checkout and is not a replica backend"
        );
    }
    Ok(())
}

fn new_file(checkout: &Checkout, path: String, content: String, force: bool) -> Result<FileChange> {
    let before = checkout.read(&path)?;
    let status = match &before {
        None => Status::Create,
        Some(existing) if *existing == content => Status::Identical,
        Some(_) if force => Status::Overwrite,
        Some(_) => Status::Conflict,
    };
    Ok(FileChange {
        items: vec![Item {
            what: path.clone(),
            status,
        }],
        path,
        before,
        after: content,
    })
}

fn patch_main(
    main: &GoFile,
    imports: &[Import],
    vars: &Vars,
    renderer: &Renderer,
) -> Result<FileChange> {
    let mut items = Vec::new();
    let mut edits = Vec::new();

    let import_path = format!("{MODULE}/{}", vars.package);
    items.push(Item {
        what: format!("import {import_path:?}"),
        status: present_or_insert(imports.iter().any(|i| i.path == import_path)),
    });
    if !imports.iter().any(|i| i.path == import_path) {
        edits.push(import_edit(main, imports, &import_path)?);
    }

    let switch = main.switch_in("NewReplicaFromConfig", "c.ReplicaType()")?;
    let has_case = switch
        .case_values
        .iter()
        .any(|v| v.trim_matches('"') == vars.r#type);
    items.push(Item {
        what: format!("case {:?} in NewReplicaFromConfig()", vars.r#type),
        status: present_or_insert(has_case),
    });
    if !has_case {
        let indent = anchor::indentation(main.src, switch.default_line);
        edits.push(Edit {
            at: switch.default_line,
            text: indent_lines(&renderer.render("litestream/main_case.go")?, indent),
        });
    }

    let exported = format!("N{}", &vars.constructor[1..]);
    let has_constructor = main
        .func_names()
        .any(|f| f == vars.constructor || f == exported);
    items.push(Item {
        what: format!("func {}()", vars.constructor),
        status: present_or_insert(has_constructor),
    });
    if !has_constructor {
        let last = main
            .func_names()
            .filter(|f| {
                f.ends_with("ReplicaClientFromConfig")
                    && (f.starts_with("new") || f.starts_with("New"))
            })
            .last()
            .ok_or_else(|| {
                anyhow!(
                    "{MAIN}: no new…ReplicaClientFromConfig function to place {}() after",
                    vars.constructor
                )
            })?;
        let text = renderer.render("litestream/main_constructor.go")?;
        edits.push(Edit {
            at: main.func_end(last)?,
            text: format!("\n\n{}", text.trim_end()),
        });
    }

    Ok(FileChange {
        path: MAIN.to_string(),
        before: Some(main.src.to_string()),
        after: apply_edits(main.src, &edits),
        items,
    })
}

/// The new import, in sorted position among the checkout's own packages.
fn import_edit(main: &GoFile, imports: &[Import], import_path: &str) -> Result<Edit> {
    let own: Vec<&Import> = imports
        .iter()
        .filter(|i| i.path == MODULE || i.path.starts_with(&format!("{MODULE}/")))
        .collect();
    let line = |import: &Import| {
        format!(
            "{}{import_path:?}\n",
            anchor::indentation(main.src, import.line_start)
        )
    };
    if let Some(next) = own.iter().find(|i| i.path.as_str() > import_path) {
        return Ok(Edit {
            at: next.line_start,
            text: line(next),
        });
    }
    let last = own
        .last()
        .ok_or_else(|| anyhow!("{MAIN}: no import of {MODULE} to place {import_path:?} next to"))?;
    Ok(Edit {
        at: anchor::line_end(main.src, last.line_start),
        text: line(last),
    })
}

fn patch_readme(
    checkout: &Checkout,
    name: &BackendName,
    renderer: &Renderer,
) -> Result<FileChange> {
    let doc = checkout.require(README, "the configuration example goes there")?;
    let present = markers::has_block(&doc, &name.r#type);
    let mut edits = Vec::new();
    if !present {
        let (at, before, after) = markers::insertion_point(&doc);
        let block = renderer.render("litestream/readme.md")?;
        edits.push(Edit {
            at,
            text: format!(
                "{before}{}\n{}{}\n{after}",
                markers::begin(&name.r#type),
                ensure_newline(&block),
                markers::end(&name.r#type)
            ),
        });
    }
    Ok(FileChange {
        path: README.to_string(),
        items: vec![Item {
            what: format!("{} configuration example", name.r#type),
            status: present_or_insert(present),
        }],
        after: apply_edits(&doc, &edits),
        before: Some(doc),
    })
}

/// A backend that exists in part is refused unless forced: adding the
/// missing parts to something a person wrote is rarely what they meant.
fn refuse_partial_backend(plan: &Plan, force: bool) -> Result<()> {
    let conflicts: Vec<&str> = plan
        .items()
        .filter(|(_, i)| i.status == Status::Conflict)
        .map(|(_, i)| i.what.as_str())
        .collect();
    if !conflicts.is_empty() {
        bail!(
            "backend {} already exists and differs from what add-backend writes ({}); --force overwrites",
            plan.backend.r#type,
            conflicts.join(", ")
        );
    }
    let existing: Vec<String> = plan
        .items()
        .filter(|(_, i)| i.status.exists())
        .map(|(f, i)| describe(f, i))
        .collect();
    let partial = !existing.is_empty() && plan.items().any(|(_, i)| i.status.writes());
    if partial && !force {
        bail!(
            "backend {} already exists in part ({}); --force adds the missing parts",
            plan.backend.r#type,
            existing.join(", ")
        );
    }
    Ok(())
}

fn describe(file: &FileChange, item: &Item) -> String {
    if file.path == item.what {
        item.what.clone()
    } else {
        format!("{} in {}", item.what, file.path)
    }
}

fn present_or_insert(present: bool) -> Status {
    if present {
        Status::Present
    } else {
        Status::Insert
    }
}

fn indent_lines(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{indent}{l}\n")
            }
        })
        .collect()
}

fn ensure_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}
