//! Litestream (github.com/benbjohnson/litestream): a replica backend is a
//! package implementing `litestream.ReplicaClient`, built from config in
//! `cmd/litestream/main.go`, tested through `internal/testingutil`, logged
//! in `cmd/litestream/replicate.go` and documented in the docs.

mod facts;
mod fields;
mod methods;
mod wiring;

use anyhow::{Result, bail};
use serde::Serialize;

use super::Request;
use crate::anchor::go::{GoFile, Import};
use crate::checkout::Checkout;
use crate::names::BackendName;
use crate::plan::{Item, Plan, Status};
use crate::profile;
use crate::project::steps::Steps;
use crate::render::{self, Renderer};
use facts::{Facts, MAIN};
use fields::{Field, Kind};
use methods::{Known, Stub};

pub const MODULE: &str = "github.com/benbjohnson/litestream";

/// Names the generated code already gives to other packages or
/// variables, and names Go gives a meaning of its own.
const RESERVED: &[(&str, &str)] = &[
    ("init", "Go cannot import a package named init"),
    ("documentation", "Go ignores every file of a package named documentation"),
    ("vendor", "a vendor/ directory switches the module to vendoring"),
    ("testdata", "the go tool skips testdata/ directories"),
];

/// Identifiers of the generated files (packages, variables, parameters):
/// a package of the same name would be hidden by them.
const GENERATED_NAMES: &[&str] = &[
    "a",
    "b",
    "bytes",
    "c",
    "client",
    "context",
    "cr",
    "createdat",
    "ctx",
    "d",
    "data",
    "dir",
    "err",
    "errors",
    "f",
    "filename",
    "fmt",
    "got",
    "hdr",
    "id",
    "info",
    "infos",
    "io",
    "itr",
    "level",
    "litestream",
    "ltx",
    "main",
    "missing",
    "n",
    "neighbour",
    "obj",
    "objects",
    "ok",
    "os",
    "p",
    "path",
    "prefix",
    "r",
    "rand",
    "rc",
    "rd",
    "s",
    "seek",
    "slog",
    "sort",
    "strconv",
    "strings",
    "sync",
    "t",
    "t0",
    "tb",
    "testing",
    "time",
    "typ",
    "u",
    "url",
    "v",
    "want",
    "written",
];

/// The files of the generated package; a directory holding any of them
/// is (part of) a backend.
const PACKAGE_FILES: &[&str] = &["replica_client.go", "storage.go", "replica_client_test.go"];

/// The variables every template sees.
#[derive(Serialize)]
struct Vars<'a> {
    r#type: &'a str,
    package: &'a str,
    go_name: &'a str,
    module: &'a str,
    /// `newFTPReplicaClientFromConfig`
    constructor: String,
    /// Where the settings go: `ReplicaSettings`, or `ReplicaConfig` before v0.5.4.
    settings_struct: &'a str,
    /// The keys of the new settings, comma-separated.
    new_keys: String,
    /// Whether the checkout has the integration harness, and the log switch.
    has_harness: bool,
    has_log_switch: bool,
    fields: &'a [Field],
    /// The fields the config settings gain (not reused).
    new_fields: Vec<&'a Field>,
    required: Vec<&'a Field>,
    /// Fields worth logging (not secrets).
    logged: Vec<&'a Field>,
    /// gofmt-aligned declarations: client struct fields, settings fields, harness flags.
    client_decls: Vec<String>,
    settings_decls: Vec<String>,
    flag_decls: Vec<String>,
    /// The fields the URL's host and userinfo fill, if any.
    url_host: Option<&'a Field>,
    url_user: Option<&'a Field>,
    url_password: Option<&'a Field>,
    /// The field the URL's path fills, if any: the replica's path is then
    /// not in the URL, and may be empty.
    url_path: Option<&'a Field>,
    /// `ftp://[user[:password]@]host/path?port=...`, for comments.
    url_format: String,
    /// A URL that sets every field, for tests.
    sample_url: String,
    known: Known,
    stubs: Vec<Stub>,
    /// Import paths the stubs' signatures need.
    stub_imports: Vec<String>,
    url_factory: bool,
    /// `rs` and `src` of `func (rs *ReplicaSettings) SetDefaults(src *ReplicaSettings)`.
    defaults_recv: String,
    defaults_src: String,
    /// The call that logs in replicate.go's switch (`slogWith.Info`) and its client variable.
    log_call: String,
    log_client: String,
}

pub fn plan(checkout: &Checkout, request: &Request) -> Result<Plan> {
    let name = BackendName::parse(request.name, request.go_name)?;
    name.refuse_go_reserved()?;
    let dirs = render::override_dirs(request.templates, Some(&checkout.root))?;
    let profile = profile::load("litestream", &dirs)?;
    profile.require_detected(&checkout.root)?;
    let facts = Facts::read(checkout)?;
    let main_src = checkout.require(MAIN, "is this a Litestream checkout?")?;
    let main = GoFile::new(MAIN, &main_src);
    let main_imports = main.imports()?;
    check_name_is_free(checkout, &name, &main_imports, facts::main_package_declares(checkout, &main, &name.package)?)?;
    if facts.testingutil.is_some()
        && facts.harness_file == facts::TESTINGUTIL
        && facts::package_declares(checkout, "internal/testingutil", None, &name.package)?
    {
        bail!(
            "backend name {:?} is taken: package testingutil (internal/testingutil) declares {} already",
            name.package,
            name.package
        );
    }
    check_go_name_is_free(&main, facts.testingutil.as_deref().map(|src| (facts.harness_file, src)), &name)?;

    let mut fields = fields::parse_all(request.fields, &name, request.param("url"))?;
    // The constructor's locals may shadow packages it does not use (as
    // upstream's `user` shadows os/user), not those it does.
    for field in &fields {
        if ["fmt", "litestream", "strconv", "strings", "time", "url", name.package.as_str()]
            .contains(&field.var.as_str())
        {
            bail!(
                "--field {}: its variable {} would hide a package the generated constructor uses",
                field.key,
                field.var
            );
        }
    }
    // A client field must not take the name of a client member or method.
    for field in &fields {
        let members = ["Path", "Storage", "Logger"];
        if members.contains(&field.go_name.as_str()) || facts.methods.iter().any(|m| m.name == field.go_name) {
            bail!("--field {}: the client has a {} already", field.key, field.go_name);
        }
    }
    let settings = wiring::Settings::resolve(&main, &mut fields)?;
    let (known, stubs) = methods::classify(&facts.methods, &name.r#type);
    let mut warnings: Vec<String> = stubs
        .iter()
        .map(|s| {
            format!(
                "litestream.ReplicaClient has a method the templates do not know, {}{} {}; {}/replica_client.go gets a stub that fails, and a test that fails until it is written",
                s.name, s.params, s.result, name.package
            )
        })
        .collect();
    let mut stub_imports: Vec<String> = stubs
        .iter()
        .flat_map(|s| &s.packages)
        .filter_map(|p| {
            facts.interface_imports.get(p).cloned().or_else(|| (p == "litestream").then(|| MODULE.to_string()))
        })
        .collect();
    stub_imports.sort();
    stub_imports.dedup();

    let replicate = facts.replicate.as_deref().map(|src| GoFile::new(facts::REPLICATE, src));
    let testingutil = facts.testingutil.as_deref().map(|src| GoFile::new(facts.harness_file, src));
    let log_switch = match &replicate {
        Some(file) => file.type_switch("r.Client")?,
        None => None,
    };
    let vars = Vars {
        r#type: &name.r#type,
        package: &name.package,
        go_name: &name.go_name,
        module: MODULE,
        constructor: wiring::constructor_name(&main, &name),
        settings_struct: settings.struct_name,
        new_keys: fields.iter().filter(|f| !f.reused).map(|f| f.key.as_str()).collect::<Vec<_>>().join(", "),
        has_harness: facts.testingutil.is_some(),
        has_log_switch: log_switch.is_some(),
        new_fields: fields.iter().filter(|f| !f.reused).collect(),
        required: fields.iter().filter(|f| f.required).collect(),
        logged: fields.iter().filter(|f| f.kind != Kind::Secret).collect(),
        client_decls: fields::align(
            &fields.iter().map(|f| vec![f.go_name.clone(), f.client_type.to_string()]).collect::<Vec<_>>(),
        ),
        settings_decls: fields::align(
            &fields
                .iter()
                .filter(|f| !f.reused)
                .map(|f| vec![f.settings_name.clone(), f.settings_type.to_string(), format!("`yaml:\"{}\"`", f.key)])
                .collect::<Vec<_>>(),
        ),
        flag_decls: wiring::flag_decls(&name, &fields),
        url_host: fields.iter().find(|f| f.url_part == fields::UrlPart::Host),
        url_user: fields.iter().find(|f| f.url_part == fields::UrlPart::User),
        url_password: fields.iter().find(|f| f.url_part == fields::UrlPart::Password),
        url_path: fields.iter().find(|f| f.url_part == fields::UrlPart::Path),
        url_format: fields::url_format(&name.r#type, &fields),
        sample_url: fields::sample_url(&name.r#type, &fields),
        fields: &fields,
        known,
        stubs,
        stub_imports,
        url_factory: facts.url_factory,
        defaults_recv: settings.defaults.as_ref().map(|d| d.0.clone()).unwrap_or_default(),
        defaults_src: settings.defaults.as_ref().map(|d| d.1.clone()).unwrap_or_default(),
        log_call: log_switch.as_ref().and_then(|s| s.default_call.clone()).unwrap_or_else(|| "slog.Info".to_string()),
        log_client: log_switch.as_ref().and_then(|s| s.alias.clone()).unwrap_or_else(|| "client".to_string()),
    };
    let mut renderer = Renderer::new(&vars, dirs)?;
    renderer.define_all(&profile.vars, &profile.source)?;
    let parsed: Vec<&GoFile> = [Some(&main), replicate.as_ref(), testingutil.as_ref()].into_iter().flatten().collect();
    let steps = Steps {
        checkout,
        profile: &profile,
        renderer: &renderer,
        module: MODULE,
        force: request.force,
        parsed: &parsed,
        check_only: false,
        model: None,
    };
    if facts.testingutil.is_none() {
        warnings.push(format!(
            "no {} (nor {}) with NewReplicaClient: the integration harness is not wired",
            facts::TESTINGUTIL,
            facts::ROOT_HARNESS
        ));
    }
    let next_steps = vec![
        format!(
            "write the four storage primitives in {}/storage.go (go get a client library for {} first)",
            name.package, name.go_name
        ),
        format!(
            "go test ./{}/... ./cmd/litestream/... checks the LTX layer and the config; go vet ./... && go build ./... the wiring",
            name.package
        ),
    ];
    let mut plan = steps.plan(name.clone(), warnings, next_steps, request.force || request.regenerating)?;
    if let Some(main) = plan.files.iter_mut().find(|f| f.path == MAIN) {
        for field in vars.fields.iter().filter(|f| f.reused) {
            main.items.push(Item {
                what: format!("{}.{} reused for {}", settings.struct_name, field.settings_name, field.key),
                status: Status::Reuse,
            });
        }
    }
    Ok(plan)
}

/// The variables of a backend the checkout has, for `doctor`: those the
/// profile's paths, anchors and `when`s use. It has no new settings.
pub fn existing_vars(checkout: &Checkout, name: &BackendName, parsed: &[&GoFile]) -> Result<serde_json::Value> {
    // The files the caller parsed already (doctor, once for every backend).
    let shared = |path: &str| parsed.iter().find(|g| g.path == path).copied();
    let main_src;
    let own_main;
    let main = match shared(MAIN) {
        Some(main) => main,
        None => {
            main_src = checkout.require(MAIN, "is this a Litestream checkout?")?;
            own_main = GoFile::new(MAIN, &main_src);
            &own_main
        }
    };
    let settings = wiring::Settings::resolve(main, &mut Vec::new())?;
    // Read and lexed once a run, whoever asks.
    let has_harness = facts::harness(checkout)?.1.is_some();
    let log_switch = match (shared(facts::REPLICATE), checkout.read(facts::REPLICATE)?) {
        (_, Some(src)) if !src.contains("r.Client.(type)") => false,
        (Some(go), _) => go.type_switch("r.Client")?.is_some(),
        (None, Some(src)) => GoFile::new(facts::REPLICATE, &src).type_switch("r.Client")?.is_some(),
        (None, None) => false,
    };
    Ok(serde_json::json!({
        "type": name.r#type,
        "package": name.package,
        "go_name": name.go_name,
        "module": MODULE,
        "constructor": wiring::constructor_name(main, name),
        "settings_struct": settings.struct_name,
        "new_keys": "",
        "new_fields": [],
        "defaults_recv": "",
        "has_harness": has_harness,
        "has_log_switch": log_switch,
    }))
}

/// The variables a path of the profile may use, from the name alone.
#[derive(Serialize)]
pub struct NameVars<'a> {
    r#type: &'a str,
    package: &'a str,
    go_name: &'a str,
    module: &'a str,
}

pub fn name_vars(name: &BackendName) -> NameVars<'_> {
    NameVars { r#type: &name.r#type, package: &name.package, go_name: &name.go_name, module: MODULE }
}

/// A Go name whose constructor or harness constructor another backend has
/// already (`--go-name S3`): the wiring would call that backend's code.
fn check_go_name_is_free(main: &GoFile, harness: Option<(&str, &String)>, name: &BackendName) -> Result<()> {
    let constructor = wiring::constructor_name(main, name);
    if main.has_func(&constructor)
        && !facts::constructors(main, &name.package, "ReplicaClientFromConfig").contains(&constructor.as_str())
    {
        bail!(
            "Go name {} is taken: {MAIN} has {constructor}() for another backend; give the new one its own (--go-name)",
            name.go_name
        );
    }
    if let Some((path, src)) = harness {
        let harness = GoFile::new(path, src);
        let function = format!("New{}ReplicaClient", name.go_name);
        let ours = format!("*{}.ReplicaClient", name.package);
        if harness.func_header(&function).is_some_and(|h| !h.contains(&ours)) {
            bail!(
                "Go name {} is taken: {} has {function}() for another backend; give the new one its own (--go-name)",
                name.go_name,
                path
            );
        }
    }
    Ok(())
}

/// A package name that would collide with an import or a declaration of
/// package main, a name of the generated code, or a directory that is not
/// a backend.
fn check_name_is_free(checkout: &Checkout, name: &BackendName, imports: &[Import], main_declares: bool) -> Result<()> {
    let pkg = name.package.as_str();
    let own_path = format!("{MODULE}/{pkg}");
    if let Some(import) = imports.iter().find(|i| i.name == pkg && i.path != own_path) {
        bail!("backend name {pkg:?} is taken: {MAIN} already imports {:?} as {pkg}", import.path);
    }
    if let Some((_, why)) = RESERVED.iter().find(|(n, _)| *n == pkg) {
        bail!("backend name {pkg:?} cannot be used: {why}");
    }
    if GENERATED_NAMES.contains(&pkg) {
        bail!("backend name {pkg:?} is taken: the generated code uses {pkg} for another package or variable");
    }
    if main_declares {
        bail!("backend name {pkg:?} is taken: package main (cmd/litestream) declares {pkg} already");
    }
    let dir = checkout.root.join(pkg);
    if dir.exists() && !PACKAGE_FILES.iter().any(|f| dir.join(f).is_file()) {
        bail!("backend name {pkg:?} is taken: {pkg}/ exists in the checkout and is not a replica backend");
    }
    Ok(())
}
