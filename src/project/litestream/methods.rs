//! The `ReplicaClient` methods of the checkout, split into those the
//! templates implement and those they do not know, which become stubs.

use serde::Serialize;

use crate::anchor::go::MethodSpec;

/// The method signatures the templates implement: name, parameter types,
/// result types. `LTXFiles` is known with and without `useMetadata`.
const KNOWN: &[(&str, &[&str], &[&str])] = &[
    ("Type", &[], &["string"]),
    ("Init", &["context.Context"], &["error"]),
    ("SetLogger", &["*slog.Logger"], &[]),
    ("LTXFiles", &["context.Context", "int", "ltx.TXID"], &["ltx.FileIterator", "error"]),
    ("LTXFiles", &["context.Context", "int", "ltx.TXID", "bool"], &["ltx.FileIterator", "error"]),
    ("OpenLTXFile", &["context.Context", "int", "ltx.TXID", "ltx.TXID", "int64", "int64"], &["io.ReadCloser", "error"]),
    ("WriteLTXFile", &["context.Context", "int", "ltx.TXID", "ltx.TXID", "io.Reader"], &["*ltx.FileInfo", "error"]),
    ("DeleteLTXFiles", &["context.Context", "[]*ltx.FileInfo"], &["error"]),
    ("DeleteAll", &["context.Context"], &["error"]),
];

/// Which known methods the interface has, for the templates' conditions.
#[derive(Debug, Default, Serialize)]
#[allow(non_snake_case)]
pub struct Known {
    pub Type: bool,
    pub Init: bool,
    pub SetLogger: bool,
    pub LTXFiles: bool,
    pub OpenLTXFile: bool,
    pub WriteLTXFile: bool,
    pub DeleteLTXFiles: bool,
    pub DeleteAll: bool,
    /// `LTXFiles` takes the v0.5.2+ `useMetadata bool` parameter.
    pub use_metadata: bool,
}

/// A method the templates do not know: generated to fail, loudly.
#[derive(Debug, Serialize)]
pub struct Stub {
    pub name: String,
    /// `(ctx context.Context, seek string)` and its result, as declared.
    pub params: String,
    pub result: String,
    /// The statement its body is.
    pub body: String,
    /// Package names its signature uses.
    #[serde(skip)]
    pub packages: Vec<String>,
}

pub fn classify(methods: &[MethodSpec], backend_type: &str) -> (Known, Vec<Stub>) {
    let mut known = Known::default();
    let mut stubs = Vec::new();
    for m in methods {
        let matches = KNOWN
            .iter()
            .any(|(name, params, results)| *name == m.name && m.param_types == *params && m.result_types == *results);
        if !matches {
            stubs.push(stub(m, backend_type));
            continue;
        }
        match m.name.as_str() {
            "Type" => known.Type = true,
            "Init" => known.Init = true,
            "SetLogger" => known.SetLogger = true,
            "LTXFiles" => {
                known.LTXFiles = true;
                known.use_metadata = m.param_types.len() == 4;
            }
            "OpenLTXFile" => known.OpenLTXFile = true,
            "WriteLTXFile" => known.WriteLTXFile = true,
            "DeleteLTXFiles" => known.DeleteLTXFiles = true,
            _ => known.DeleteAll = true,
        }
    }
    (known, stubs)
}

fn stub(m: &MethodSpec, backend_type: &str) -> Stub {
    let message = format!("{backend_type}: {} is not implemented", m.name);
    let body = match m.result_types.split_last() {
        Some((last, rest)) if last == "error" => {
            let mut values: Vec<String> = rest.iter().map(|t| zero_value(t)).collect();
            values.push(format!("fmt.Errorf(\"{message}: %w\", errors.ErrUnsupported)"));
            format!("return {}", values.join(", "))
        }
        _ => format!("panic({message:?})"),
    };
    let packages = m.param_types.iter().chain(&m.result_types).flat_map(|t| qualifiers(t)).collect();
    // Parameters and results go unnamed: a declared name could hide the
    // receiver or a package the body uses.
    let params = format!("({})", m.param_types.join(", "));
    let result = match m.result_types.as_slice() {
        [] => String::new(),
        [one] if !m.result.starts_with('(') => one.clone(),
        many => format!("({})", many.join(", ")),
    };
    Stub { name: m.name.clone(), params, result, body, packages }
}

/// The zero value of a Go type, as an expression.
fn zero_value(ty: &str) -> String {
    match ty {
        "string" => "\"\"".to_string(),
        "bool" => "false".to_string(),
        "error" | "any" => "nil".to_string(),
        t if t.starts_with(['*', '[']) || t.starts_with("map[") || t.starts_with("chan ") || t.starts_with("func(") => {
            "nil".to_string()
        }
        t if t.starts_with("interface") => "nil".to_string(),
        t if [
            "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte",
            "rune", "float32", "float64",
        ]
        .contains(&t) =>
        {
            "0".to_string()
        }
        // A named type may be a struct, a number or an interface: new(T) fits all.
        t => format!("*new({t})"),
    }
}

/// Package names a type expression uses: `map[string]*ltx.FileInfo` gives `ltx`.
fn qualifiers(ty: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = ty.as_bytes();
    for (i, _) in ty.match_indices('.') {
        let start = ty[..i].rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |p| p + 1);
        if start < i && bytes[start].is_ascii_alphabetic() {
            out.push(ty[start..i].to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, params: &[&str], results: &[&str]) -> MethodSpec {
        MethodSpec {
            name: name.into(),
            params: format!(
                "({})",
                params.iter().enumerate().map(|(i, t)| format!("p{i} {t}")).collect::<Vec<_>>().join(", ")
            ),
            result: match results {
                [] => String::new(),
                [one] => one.to_string(),
                many => format!("({})", many.join(", ")),
            },
            param_types: params.iter().map(|s| s.to_string()).collect(),
            result_types: results.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn knows_every_v0_5_variant() {
        let (known, stubs) = classify(
            &[
                spec("LTXFiles", &["context.Context", "int", "ltx.TXID"], &["ltx.FileIterator", "error"]),
                spec("DeleteAll", &["context.Context"], &["error"]),
            ],
            "ftp",
        );
        assert!(known.LTXFiles && !known.use_metadata && known.DeleteAll && !known.Init);
        assert!(stubs.is_empty());
    }

    #[test]
    fn an_unknown_signature_becomes_a_stub_that_fails() {
        let (known, stubs) = classify(
            &[
                spec("LTXFiles", &["context.Context", "int", "string"], &["ltx.FileIterator", "error"]),
                spec("Pos", &[], &["litestream.Pos", "time.Time", "int", "error"]),
                spec("Close", &[], &[]),
            ],
            "ftp",
        );
        assert!(!known.LTXFiles);
        let bodies: Vec<&str> = stubs.iter().map(|s| s.body.as_str()).collect();
        assert_eq!(
            bodies,
            [
                "return *new(ltx.FileIterator), fmt.Errorf(\"ftp: LTXFiles is not implemented: %w\", errors.ErrUnsupported)",
                "return *new(litestream.Pos), *new(time.Time), 0, fmt.Errorf(\"ftp: Pos is not implemented: %w\", errors.ErrUnsupported)",
                "panic(\"ftp: Close is not implemented\")",
            ]
        );
        assert_eq!(stubs[1].packages, ["litestream", "time"]);
    }
}
