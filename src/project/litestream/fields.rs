//! Backend settings given with `--field NAME[:TYPE][!]`: `host!`,
//! `port:int`, `password:secret`, `passive:bool`, `timeout:duration`.
//! Each is wired end to end: the config settings, their defaults, the
//! constructor, the client, the URL form, the test harness and the docs.

use anyhow::{Result, anyhow, bail};
use heck::ToKebabCase;
use serde::Serialize;

use crate::names::{self, BackendName};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    String,
    Int,
    Bool,
    Duration,
    /// A string that is never logged.
    Secret,
    /// Strings: a YAML list, a repeated query parameter (`?tag=a&tag=b`), a
    /// comma-separated harness flag.
    List,
}

/// Where the URL form of the config fills a field from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlPart {
    Host,
    User,
    Password,
    Query,
    /// The URL's path, slashes trimmed (`nats://host:4222/bucket`); the
    /// replica's path is then not in the URL.
    Path,
    /// `SCHEME://` and the URL's host (`webdav://host:8080/dir` is the
    /// server `https://host:8080`).
    Server,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// The YAML key and query parameter: `key-path`.
    pub key: String,
    pub kind: Kind,
    pub required: bool,
    /// The client's Go field: `KeyPath`.
    pub go_name: String,
    /// The config settings' Go field; an existing one when reused.
    pub settings_name: String,
    /// A local variable: `keyPath`.
    pub var: String,
    /// Set when the settings already had this key and it is shared.
    pub reused: bool,
    pub url_part: UrlPart,
    /// The scheme of a `Server` field's value (`https`).
    pub url_scheme: String,
    /// Go type in the config settings: `*bool` so that unset differs from false.
    pub settings_type: &'static str,
    /// Go type on the client.
    pub client_type: &'static str,
    /// The zero value of `settings_type`, meaning "not set".
    pub unset: &'static str,
    /// When a reused setting points to another type than the client's
    /// (upstream's `PartSize *ByteSize` for an int): that type, which
    /// values are converted to and from (`ByteSize(n)`, `int(*v)`).
    pub convert: Option<String>,
    /// Test harness flag (`ftp-key-path`), its variable and environment variable.
    pub flag: String,
    pub flag_var: String,
    pub env: String,
    /// A sample value as Go source, for generated tests; as YAML, for
    /// docs; and as written in a replica URL.
    pub sample_go: String,
    pub sample_yaml: String,
    pub sample_url: String,
}

/// Keys `ReplicaConfig` itself has, which a backend cannot redefine.
const CONFIG_KEYS: &[&str] = &["type", "name", "path", "url"];

/// Local names the generated constructors and tests use.
const LOCALS: &[&str] = &["b", "c", "client", "d", "err", "got", "m", "n", "ok", "r", "t", "tb", "u", "v", "want"];

impl Field {
    /// Parses one `--field` value for backend `backend`.
    pub fn parse(spec: &str, backend: &BackendName) -> Result<Field> {
        let invalid = |why: String| anyhow!("invalid --field {spec:?}: {why}");
        let (rest, required) = match spec.strip_suffix('!') {
            Some(rest) => (rest, true),
            None => (spec, false),
        };
        let (name, kind) = match rest.split_once(':') {
            Some((name, kind)) => (name, kind),
            None => (rest, "string"),
        };
        let kind = match kind {
            "string" => Kind::String,
            "int" => Kind::Int,
            "bool" => Kind::Bool,
            "duration" => Kind::Duration,
            "secret" => Kind::Secret,
            "list" => Kind::List,
            other => {
                return Err(invalid(format!(
                    "unknown type {other:?}; use string, int, bool, duration, secret or list"
                )));
            }
        };
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_lowercase())
            || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(invalid(
                "a field name is lower case letters, digits, '-' or '_', starting with a letter".into(),
            ));
        }
        let key = name.to_kebab_case();
        if CONFIG_KEYS.contains(&key.as_str()) {
            return Err(invalid(format!("{key:?} is a setting of every replica already")));
        }
        let words: Vec<&str> = key.split('-').collect();
        // A key that starts with the backend's name (`webdav-url`) spells
        // that part as the backend's Go name does (`WebDAVURL`), and is not
        // prefixed with it again in the flag and the environment.
        let own: Vec<&str> = backend.r#type.split('-').collect();
        let prefixed = words.len() > own.len() && words[..own.len()] == own[..];
        let rest = if prefixed { &words[own.len()..] } else { &words[..] };
        let rest_go: String = rest.iter().map(|w| names::go_word(w)).collect();
        let go_name = if prefixed { format!("{}{rest_go}", backend.go_name) } else { rest_go.clone() };
        let var = words[0].to_string() + &words[1..].iter().map(|w| names::go_word(w)).collect::<String>();
        if let Some(what) = names::go_reserved(&var) {
            return Err(invalid(format!("its variable {var} would be {what}")));
        }
        if LOCALS.contains(&var.as_str()) {
            return Err(invalid(format!("its variable {var} would clash with one of the generated constructor's")));
        }
        if kind == Kind::Bool && required {
            return Err(invalid("a bool setting cannot be required: false is a value".into()));
        }
        let textual = matches!(kind, Kind::String | Kind::Secret);
        let url_part = match key.as_str() {
            "host" if textual => UrlPart::Host,
            "user" | "username" if textual => UrlPart::User,
            "password" if textual => UrlPart::Password,
            _ => UrlPart::Query,
        };
        let sample_url = match kind {
            _ if url_part == UrlPart::Host => "example.com".to_string(),
            Kind::String | Kind::Secret => format!("{key}-value"),
            Kind::Int => "42".to_string(),
            Kind::Bool => "true".to_string(),
            Kind::Duration => "1m".to_string(),
            Kind::List => "a".to_string(),
        };
        let (settings_type, client_type, unset, sample_go) = match kind {
            Kind::String | Kind::Secret => ("string", "string", "\"\"", format!("{sample_url:?}")),
            // Optional as upstream's `Concurrency *int`: an explicit 0 is not unset.
            Kind::Int => ("*int", "int", "nil", "42".to_string()),
            Kind::Bool => ("*bool", "bool", "nil", "true".to_string()),
            Kind::Duration => ("*time.Duration", "time.Duration", "nil", "time.Minute".to_string()),
            Kind::List => ("[]string", "[]string", "nil", "[]string{\"a\", \"b\"}".to_string()),
        };
        let sample_yaml = match kind {
            Kind::Secret => {
                format!("${{{}_{}}}", backend.r#type.to_uppercase().replace('-', "_"), rest.join("_").to_uppercase())
            }
            Kind::Int => "42".to_string(),
            Kind::Bool => "true".to_string(),
            Kind::Duration => "1m".to_string(),
            Kind::String => sample_url.clone(),
            Kind::List => "[a, b]".to_string(),
        };
        let screaming = |s: &str| s.to_uppercase().replace('-', "_");
        let unprefixed = rest.join("-");
        Ok(Field {
            flag: format!("{}-{unprefixed}", backend.r#type),
            flag_var: backend.package.clone() + &rest_go,
            env: format!("LITESTREAM_{}_{}", screaming(&backend.r#type), screaming(&unprefixed)),
            settings_name: go_name.clone(),
            key,
            kind,
            required,
            go_name,
            var,
            reused: false,
            url_part,
            url_scheme: String::new(),
            settings_type,
            client_type,
            unset,
            convert: None,
            sample_go,
            sample_yaml,
            sample_url,
        })
    }
}

/// Parses every `--field`, refusing duplicates.
pub fn parse_all(specs: &[String], backend: &BackendName, url: Option<&str>) -> Result<Vec<Field>> {
    let mut fields: Vec<Field> = Vec::new();
    for spec in specs {
        let field = Field::parse(spec, backend)?;
        if fields.iter().any(|f| f.key == field.key) {
            bail!("--field {:?} is given twice", field.key);
        }
        if let Some(twin) = fields.iter().find(|f| f.go_name == field.go_name) {
            bail!("--field {:?} and --field {:?} would both be {}", twin.key, field.key, field.go_name);
        }
        if field.url_part != UrlPart::Query
            && let Some(twin) = fields.iter().find(|f| f.url_part == field.url_part)
        {
            bail!(
                "--field {:?} and --field {:?} would both come from the URL's {:?}; keep one",
                twin.key,
                field.key,
                field.url_part
            );
        }
        fields.push(field);
    }
    if let Some(url) = url {
        map_url(&mut fields, url)?;
    }
    // Without a host, a bucket is the URL's host, as upstream's s3, gs, abs
    // and oss read it (`oss://bucket/db`).
    let host_taken = fields.iter().any(|f| matches!(f.url_part, UrlPart::Host | UrlPart::Server));
    if !host_taken
        && let Some(bucket) = fields.iter_mut().find(|f| {
            f.key == "bucket" && f.url_part == UrlPart::Query && matches!(f.kind, Kind::String | Kind::Secret)
        })
    {
        bucket.url_part = UrlPart::Host;
        bucket.sample_url = "mybucket".to_string();
        bucket.sample_go = "\"mybucket\"".to_string();
        bucket.sample_yaml = "mybucket".to_string();
    }
    Ok(fields)
}

/// `--url host=FIELD,path=FIELD,server=FIELD[:SCHEME]`: which part of the
/// replica URL fills which setting, beyond the defaults (a `host` field
/// takes the host, `user`/`password` the userinfo, a `bucket` the host when
/// nothing else does, every other setting a query parameter).
fn map_url(fields: &mut [Field], spec: &str) -> Result<()> {
    let bad = |why: String| anyhow::anyhow!("--url {spec:?}: {why}");
    let mut seen: Vec<String> = Vec::new();
    for item in spec.split(',').map(str::trim) {
        let Some((part, target)) = item.split_once('=') else {
            return Err(bad(format!("{item:?} is not PART=FIELD (host=FIELD, path=FIELD or server=FIELD[:SCHEME])")));
        };
        let (key, scheme) = match (part, target.split_once(':')) {
            ("server", Some((key, scheme))) => (key, scheme),
            ("server", None) => (target, "https"),
            (_, _) => (target, ""),
        };
        let part = match part {
            "host" => UrlPart::Host,
            "path" => UrlPart::Path,
            "server" => UrlPart::Server,
            _ => return Err(bad(format!("{part:?} is not a part of the URL add-backend maps: host, path or server"))),
        };
        let scheme_ok = scheme.is_empty()
            || scheme.starts_with(|c: char| c.is_ascii_lowercase())
                && scheme.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+.-".contains(c));
        if !scheme_ok {
            return Err(bad(format!("{scheme:?} is not a URL scheme")));
        }
        let key = key.to_kebab_case();
        let Some(at) = fields.iter().position(|f| f.key == key) else {
            return Err(bad(format!("there is no --field {key}")));
        };
        let host = |p: UrlPart| matches!(p, UrlPart::Host | UrlPart::Server);
        if let Some(other) =
            fields.iter().enumerate().find(|(i, f)| *i != at && (f.url_part == part || host(part) && host(f.url_part)))
        {
            return Err(bad(format!(
                "--field {} comes from the URL's {} already; one setting a part",
                other.1.key,
                if host(part) { "host" } else { "path" }
            )));
        }
        if seen.contains(&key) {
            return Err(bad(format!("--field {key} is mapped twice")));
        }
        seen.push(key.clone());
        let field = &mut fields[at];
        if !matches!(field.kind, Kind::String | Kind::Secret) {
            return Err(bad(format!("--field {key} is not a string; only a string setting can be taken from the URL")));
        }
        field.url_part = part;
        field.url_scheme = scheme.to_string();
        let sample = match part {
            UrlPart::Host => "example.com".to_string(),
            UrlPart::Path => "mybucket".to_string(),
            _ => "example.com:8080".to_string(),
        };
        let value = if part == UrlPart::Server { format!("{scheme}://{sample}") } else { sample.clone() };
        field.sample_go = format!("{value:?}");
        field.sample_yaml = value;
        field.sample_url = sample;
    }
    Ok(())
}

/// The URL form, for a doc comment: `ftp://[user[:password]@]host/path?port=...`.
pub fn url_format(backend_type: &str, fields: &[Field]) -> String {
    let has = |p: UrlPart| fields.iter().find(|f| f.url_part == p).map(|f| f.key.as_str());
    let userinfo = match (has(UrlPart::User), has(UrlPart::Password)) {
        (None, None) => String::new(),
        (user, password) => {
            format!("[{}{}@]", user.unwrap_or(""), password.map(|p| format!("[:{p}]")).unwrap_or_default())
        }
    };
    let query: Vec<String> =
        fields.iter().filter(|f| f.url_part == UrlPart::Query).map(|f| format!("{}=...", f.key)).collect();
    let query = if query.is_empty() { String::new() } else { format!("[?{}]", query.join("&")) };
    let host = has(UrlPart::Host).or(has(UrlPart::Server).map(|_| "host")).unwrap_or("");
    let path = has(UrlPart::Path).unwrap_or("path");
    format!("{backend_type}://{userinfo}{host}/{path}{query}")
}

/// A replica URL that sets every field: userinfo, host, path and query.
pub fn sample_url(backend_type: &str, fields: &[Field]) -> String {
    let part = |p: UrlPart| fields.iter().find(|f| f.url_part == p).map(|f| f.sample_url.as_str());
    let userinfo = match (part(UrlPart::User), part(UrlPart::Password)) {
        (None, None) => String::new(),
        (user, password) => format!("{}{}@", user.unwrap_or(""), password.map(|p| format!(":{p}")).unwrap_or_default()),
    };
    let query: Vec<String> = fields
        .iter()
        .filter(|f| f.url_part == UrlPart::Query)
        .map(|f| match f.kind {
            Kind::List => format!("{0}=a&{0}=b", f.key),
            _ => format!("{}={}", f.key, f.sample_url),
        })
        .collect();
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    let host = part(UrlPart::Host).or(part(UrlPart::Server)).unwrap_or("");
    let path = part(UrlPart::Path).unwrap_or("backups/db");
    format!("{backend_type}://{userinfo}{host}/{path}{query}")
}

/// Pads the first cells of each row so that the last ones line up, as
/// gofmt aligns consecutive struct fields and `var` specs.
pub fn align(rows: &[Vec<String>]) -> Vec<String> {
    let cells = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cells).map(|i| rows.iter().filter(|r| i + 1 < r.len()).map(|r| r[i].len()).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[i] - cell.len() + 1));
                }
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftp() -> BackendName {
        BackendName::parse("ftp", None).unwrap()
    }

    #[test]
    fn parses_name_type_and_required() {
        let f = Field::parse("key_path:secret!", &ftp()).unwrap();
        assert_eq!((f.key.as_str(), f.kind, f.required), ("key-path", Kind::Secret, true));
        assert_eq!((f.go_name.as_str(), f.var.as_str()), ("KeyPath", "keyPath"));
        assert_eq!(
            (f.flag.as_str(), f.flag_var.as_str(), f.env.as_str()),
            ("ftp-key-path", "ftpKeyPath", "LITESTREAM_FTP_KEY_PATH")
        );
        let f = Field::parse("access-key-id", &ftp()).unwrap();
        assert_eq!((f.go_name.as_str(), f.var.as_str(), f.kind), ("AccessKeyID", "accessKeyID", Kind::String));
        assert_eq!(Field::parse("host", &ftp()).unwrap().url_part, UrlPart::Host);
    }

    /// A field named for the backend takes the backend's Go name, and is
    /// not prefixed twice; initialisms and mixed-case words are Go's.
    #[test]
    fn a_field_named_for_its_backend_is_spelt_as_the_backend_is() {
        let webdav = BackendName::parse("webdav", Some("WebDAV")).unwrap();
        let f = Field::parse("webdav-url", &webdav).unwrap();
        assert_eq!((f.go_name.as_str(), f.var.as_str()), ("WebDAVURL", "webdavURL"));
        assert_eq!(
            (f.flag.as_str(), f.flag_var.as_str(), f.env.as_str()),
            ("webdav-url", "webdavURL", "LITESTREAM_WEBDAV_URL")
        );
        let f = Field::parse("webdav-token:secret", &webdav).unwrap();
        assert_eq!(f.sample_yaml, "${WEBDAV_TOKEN}");
        let nats = BackendName::parse("nats", None).unwrap();
        assert_eq!(Field::parse("jwt", &nats).unwrap().go_name, "JWT");
        assert_eq!(Field::parse("nkey-seed", &nats).unwrap().go_name, "NKeySeed");
        assert_eq!(Field::parse("tls-ca-id", &nats).unwrap().go_name, "TLSCaID");
        // A word that only starts like the backend's name is no prefix.
        let f = Field::parse("webdavish", &webdav).unwrap();
        assert_eq!((f.go_name.as_str(), f.flag.as_str()), ("Webdavish", "webdav-webdavish"));
    }

    /// A bucket is the URL's host, unless a host is a field of its own.
    #[test]
    fn a_bucket_is_the_url_s_host_unless_there_is_a_host() {
        let parsed = |specs: &[&str]| {
            let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
            parse_all(&specs, &ftp(), None).unwrap()
        };
        let fields = parsed(&["bucket!", "region"]);
        assert_eq!(fields[0].url_part, UrlPart::Host);
        assert_eq!(sample_url("oss", &fields), "oss://mybucket/backups/db?region=region-value");
        let fields = parsed(&["host!", "bucket"]);
        assert_eq!((fields[0].url_part, fields[1].url_part), (UrlPart::Host, UrlPart::Query));
    }

    #[test]
    fn refuses_what_would_not_compile_or_clash() {
        for (spec, why) in [
            ("port:float", "unknown type \"float\""),
            ("Port", "lower case"),
            ("", "lower case"),
            ("url", "setting of every replica"),
            ("path", "setting of every replica"),
            ("type", "setting of every replica"),
            ("len:int", "predeclared"),
            ("default", "Go keyword"),
            ("client", "clash"),
            ("t:bool", "clash"),
            ("passive:bool!", "cannot be required"),
        ] {
            let err = Field::parse(spec, &ftp()).unwrap_err().to_string();
            assert!(err.contains(why), "{spec:?}: {err}");
        }
        let dup = parse_all(&["host".into(), "host:int".into()], &ftp(), None).unwrap_err().to_string();
        assert!(dup.contains("given twice"), "{dup}");
        let twins = parse_all(&["port2".into(), "port-2".into()], &ftp(), None).unwrap_err().to_string();
        assert!(twins.contains("would both be Port2"), "{twins}");
        let users = parse_all(&["user".into(), "username".into()], &ftp(), None).unwrap_err().to_string();
        assert!(users.contains("would both come from the URL's User"), "{users}");
        // Only text comes from the URL's host or userinfo.
        assert_eq!(Field::parse("username:int", &ftp()).unwrap().url_part, UrlPart::Query);
    }

    #[test]
    fn a_sample_url_sets_every_field() {
        let fields = parse_all(
            &["host".into(), "user".into(), "password:secret".into(), "port:int".into(), "passive:bool".into()],
            &ftp(),
            None,
        )
        .unwrap();
        assert_eq!(
            sample_url("ftp", &fields),
            "ftp://user-value:password-value@example.com/backups/db?port=42&passive=true"
        );
        assert_eq!(sample_url("ftp", &[]), "ftp:///backups/db");
        assert_eq!(url_format("ftp", &fields), "ftp://[user[:password]@]host/path[?port=...&passive=...]");
    }

    #[test]
    fn aligns_like_gofmt() {
        let rows = vec![
            vec!["Host".to_string(), "string".to_string(), "`yaml:\"host\"`".to_string()],
            vec!["Passive".to_string(), "*bool".to_string(), "`yaml:\"passive\"`".to_string()],
        ];
        assert_eq!(align(&rows), ["Host    string `yaml:\"host\"`", "Passive *bool  `yaml:\"passive\"`"]);
    }
}
