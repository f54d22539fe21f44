//! A backend's name as the user typed it, validated, and every casing the
//! target needs: `my-store` gives the type `my-store`, the package
//! `mystore` and the Go identifier part `MyStore`.

use anyhow::{Result, bail};
use heck::ToKebabCase;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct BackendName {
    /// The replica type and URL scheme: lower kebab case (`my-store`). A URL
    /// scheme may hold `-` but not `_`, so kebab is the one casing that
    /// works in both the `type:` key and the URL form.
    pub r#type: String,
    /// The Go package and directory: the words joined, lower case (`mystore`).
    pub package: String,
    /// The exported Go form (`MyStore`, `FTP`), with Go's initialisms upper-case.
    pub go_name: String,
}

/// Words Go style writes in capitals inside identifiers: the golint list
/// plus the storage services backends are named after.
const INITIALISMS: &[&str] = &[
    "abs", "acl", "api", "ascii", "b2", "cos", "cpu", "css", "dns", "eof", "ftp", "ftps", "gcs", "gs", "guid", "hdfs",
    "html", "http", "https", "id", "ip", "ipfs", "json", "jwt", "kv", "nats", "nfs", "obs", "oss", "r2", "rpc", "s3",
    "sftp", "sla", "smb", "smtp", "sql", "ssh", "tcp", "tls", "ttl", "udp", "ui", "uid", "uri", "url", "utf8", "uuid",
    "vm", "xml",
];

const GO_KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

const GO_PREDECLARED: &[&str] = &[
    "any",
    "append",
    "bool",
    "byte",
    "cap",
    "clear",
    "close",
    "comparable",
    "complex",
    "complex128",
    "complex64",
    "copy",
    "delete",
    "error",
    "false",
    "float32",
    "float64",
    "imag",
    "int",
    "int16",
    "int32",
    "int64",
    "int8",
    "iota",
    "len",
    "make",
    "max",
    "min",
    "new",
    "nil",
    "panic",
    "print",
    "println",
    "real",
    "recover",
    "rune",
    "string",
    "true",
    "uint",
    "uint16",
    "uint32",
    "uint64",
    "uint8",
    "uintptr",
];

impl BackendName {
    /// Validates `raw` (`ftp`, `my-store`, `my_store`, `MyStore`) and derives
    /// its casings. `go_name` overrides the derived Go form (`WebDAV`).
    pub fn parse(raw: &str, go_name: Option<&str>) -> Result<BackendName> {
        let invalid = |why: &str| anyhow::anyhow!("invalid backend name {raw:?}: {why}");
        if raw.is_empty() {
            return Err(invalid("it is empty"));
        }
        if !raw.is_ascii() {
            return Err(invalid("use ASCII letters, digits, '-' or '_'"));
        }
        if raw.contains(['/', '\\']) || raw.contains("..") {
            return Err(invalid("a name is not a path; give just the backend's name, e.g. ftp"));
        }
        if let Some(c) = raw.chars().find(|c| !c.is_ascii_alphanumeric() && !matches!(c, '-' | '_')) {
            return Err(invalid(&format!("{c:?} is not allowed; use letters, digits, '-' or '_'")));
        }
        if !raw.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(invalid("it must start with a letter"));
        }
        if raw.ends_with(['-', '_']) || raw.contains("--") || raw.contains("__") {
            return Err(invalid("separators go between words"));
        }

        let r#type = raw.to_kebab_case();
        let words: Vec<&str> = r#type.split('-').collect();
        let package = words.concat();

        let go_name = match go_name {
            Some(name) => {
                if !name.starts_with(|c: char| c.is_ascii_uppercase())
                    || !name.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    bail!("invalid --go-name {name:?}: it must be an exported Go identifier, e.g. WebDAV");
                }
                name.to_string()
            }
            None => words.iter().map(|w| go_word(w)).collect(),
        };
        Ok(BackendName { r#type, package, go_name })
    }
}

impl BackendName {
    /// Refuses a name whose package would be a Go keyword, or shadow a
    /// predeclared identifier.
    pub fn refuse_go_reserved(&self) -> Result<()> {
        let package = &self.package;
        if GO_KEYWORDS.contains(&package.as_str()) {
            bail!("invalid backend name {:?}: {package:?} is a Go keyword and cannot name a package", self.r#type);
        }
        if GO_PREDECLARED.contains(&package.as_str()) {
            bail!(
                "invalid backend name {:?}: {package:?} is a predeclared Go identifier; a package of that name would shadow it",
                self.r#type
            );
        }
        Ok(())
    }

    /// Refuses a name whose module would be a Rust keyword.
    pub fn refuse_rust_keyword(&self) -> Result<()> {
        let module = self.r#type.replace('-', "_");
        if RUST_KEYWORDS.contains(&module.as_str()) {
            bail!("invalid backend name {:?}: {module} is a Rust keyword", self.r#type);
        }
        Ok(())
    }
}

/// Rust's keywords, strict and reserved, that a module cannot be named.
pub const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `word` is a Go keyword or predeclared identifier, which a new
/// package or variable must not be named.
pub fn go_reserved(word: &str) -> Option<&'static str> {
    if GO_KEYWORDS.contains(&word) {
        Some("a Go keyword")
    } else if GO_PREDECLARED.contains(&word) {
        Some("a predeclared Go identifier")
    } else {
        None
    }
}

/// Words Go code writes in a case of their own: `NKey`, `OAuth`,
/// `WebDAV`.
const MIXED: &[(&str, &str)] = &[("nkey", "NKey"), ("oauth", "OAuth"), ("webdav", "WebDAV")];

/// One word of a name in prose: an initialism in capitals (`API`), a
/// mixed-case word as Go writes it (`OAuth`), any other as it is.
pub fn prose_word(word: &str) -> String {
    if INITIALISMS.contains(&word) {
        return word.to_ascii_uppercase();
    }
    MIXED.iter().find(|(w, _)| *w == word).map_or_else(|| word.to_string(), |(_, mixed)| mixed.to_string())
}

/// One word of an identifier in Go style: `ftp` is `FTP`, `store` is `Store`.
pub fn go_word(word: &str) -> String {
    if INITIALISMS.contains(&word) {
        return word.to_ascii_uppercase();
    }
    if let Some((_, mixed)) = MIXED.iter().find(|(w, _)| *w == word) {
        return mixed.to_string();
    }
    let mut chars = word.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn casings(raw: &str) -> (String, String, String) {
        let n = BackendName::parse(raw, None).unwrap();
        (n.r#type, n.package, n.go_name)
    }

    #[test]
    fn derives_every_casing() {
        let own = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(casings("ftp"), own("ftp", "ftp", "FTP"));
        assert_eq!(casings("my-store"), own("my-store", "mystore", "MyStore"));
        assert_eq!(casings("my_store"), own("my-store", "mystore", "MyStore"));
        assert_eq!(casings("MyStore"), own("my-store", "mystore", "MyStore"));
        assert_eq!(casings("backup-sftp"), own("backup-sftp", "backupsftp", "BackupSFTP"));
        assert_eq!(casings("s3"), own("s3", "s3", "S3"));
        assert_eq!(casings("dropbox"), own("dropbox", "dropbox", "Dropbox"));
    }

    #[test]
    fn go_name_override() {
        assert_eq!(BackendName::parse("webdav", Some("WebDAV")).unwrap().go_name, "WebDAV");
        assert!(BackendName::parse("webdav", Some("webDAV")).is_err());
    }

    #[test]
    fn rejects_with_the_reason() {
        for (raw, why) in [
            ("", "empty"),
            ("fóo", "ASCII"),
            ("a/b", "not a path"),
            ("..", "not a path"),
            ("1ftp", "start with a letter"),
            ("ftp!", "'!' is not allowed"),
            ("ftp-", "separators"),
        ] {
            let err = BackendName::parse(raw, None).unwrap_err().to_string();
            assert!(err.contains(why), "{raw:?}: {err}");
        }
        for (raw, why) in [("func", "Go keyword"), ("string", "predeclared"), ("new", "predeclared")] {
            let err = BackendName::parse(raw, None).unwrap().refuse_go_reserved().unwrap_err().to_string();
            assert!(err.contains(why), "{raw:?}: {err}");
        }
        // Each language refuses its own words only: `go` and `copy` are
        // Rust modules, `match` a Go package.
        assert!(BackendName::parse("go", None).unwrap().refuse_rust_keyword().is_ok());
        assert!(BackendName::parse("copy", None).unwrap().refuse_rust_keyword().is_ok());
        assert!(BackendName::parse("match", None).unwrap().refuse_go_reserved().is_ok());
        assert!(BackendName::parse("match", None).unwrap().refuse_rust_keyword().is_err());
    }
}
