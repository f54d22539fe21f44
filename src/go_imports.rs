//! Tidies the import block of rendered Go, as goimports would: imports
//! that the code does not use are dropped, and the rest are sorted into
//! groups (standard library, others, the project's own module). Templates
//! can then list every import they might need, conditions and all, and
//! still produce gofmt-clean, compiling files.

use std::collections::HashSet;

use anyhow::Result;

use crate::anchor::go::GoFile;

pub fn tidy(path: &str, src: &str, own_module: &str) -> Result<String> {
    let file = GoFile::once(path, src);
    // A file that imports nothing is as its template wrote it.
    if !file.has_imports() {
        return Ok(src.to_string());
    }
    let (range, imports) = file.import_block()?;
    let used = selector_operands(&src[range.end..]);
    let mut groups: [Vec<String>; 3] = Default::default();
    let mut seen = HashSet::new();
    for import in imports {
        if !seen.insert(import.path.clone()) || !(used.contains(import.name.as_str()) || import.name == "_") {
            continue;
        }
        let group = crate::anchor::go::import_group(&import.path, own_module);
        let spec =
            if import.aliased { format!("{} {:?}", import.name, import.path) } else { format!("{:?}", import.path) };
        groups[group].push(spec);
    }
    let blocks: Vec<String> = groups
        .iter_mut()
        .filter(|g| !g.is_empty())
        .map(|g| {
            g.sort_by(|a, b| unquoted_path(a).cmp(unquoted_path(b)));
            g.iter().map(|spec| format!("\t{spec}\n")).collect()
        })
        .collect();
    let block = if blocks.is_empty() { String::new() } else { format!("import (\n{})", blocks.join("\n")) };
    Ok(format!("{}{block}{}", &src[..range.start], &src[range.end..]))
}

/// Whether Go source `src` refers to package `name` (`name.X` in code).
pub fn uses_package(src: &str, name: &str) -> bool {
    selector_operands(src).contains(name)
}

fn unquoted_path(spec: &str) -> &str {
    spec.rsplit(' ').next().unwrap_or(spec)
}

/// The identifiers written before a `.` in code (not in comments, strings
/// or runes): every package name the code uses, and some variables.
fn selector_operands(code: &str) -> HashSet<&str, foldhash::fast::FixedState> {
    let bytes = code.as_bytes();
    let mut used = HashSet::with_hasher(foldhash::fast::FixedState::with_seed(0));
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    crate::go_lex::pieces(code, |kind, start, end| {
        if kind != crate::go_lex::Kind::Code {
            return;
        }
        // Each `.` of the piece, and the identifier before it: one that
        // starts with a letter, not itself after a `.` (`b` of `a.b.c`).
        // Before the piece is a literal or a comment, not a `.`.
        for dot in memchr::memchr_iter(b'.', &bytes[start..end]).map(|n| start + n) {
            let from = (start..dot).rev().take_while(|&i| word(bytes[i])).last().unwrap_or(dot);
            if from == dot || !(bytes[from].is_ascii_alphabetic() || bytes[from] == b'_') {
                continue;
            }
            let before = (start..from).rev().find(|&i| !bytes[i].is_ascii_whitespace());
            if before.is_none_or(|i| bytes[i] != b'.') {
                used.insert(&code[from..dot]);
            }
        }
    });
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_unused_imports_and_sorts_the_rest_into_groups() {
        let src = "package x\n\nimport (\n\t\"os\"\n\t\"example.com/m/b\"\n\t\"fmt\"\n\t\"github.com/superfly/ltx\"\n\t\"strconv\"\n\t\"example.com/m\"\n\t\"net/url\"\n)\n\n// strconv.Itoa in a comment\nvar s = \"url.Parse\"\n\nfunc f() { fmt.Println(os.Args, ltx.Version, m.X, b.Y) }\n";
        let got = tidy("x.go", src, "example.com/m").unwrap();
        assert_eq!(
            got,
            "package x\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n\t\"github.com/superfly/ltx\"\n\n\t\"example.com/m\"\n\t\"example.com/m/b\"\n)\n\n// strconv.Itoa in a comment\nvar s = \"url.Parse\"\n\nfunc f() { fmt.Println(os.Args, ltx.Version, m.X, b.Y) }\n"
        );
    }

    #[test]
    fn a_file_that_imports_nothing_is_left_as_it_is() {
        let src = "package x\n\n// S is a store.\ntype S struct{}\n";
        assert_eq!(tidy("x.go", src, "example.com/m").unwrap(), src);
    }

    #[test]
    fn a_method_call_on_a_field_is_not_a_package() {
        let used = selector_operands("c.logger.Debug(x)");
        assert!(used.contains("c") && !used.contains("logger"));
    }
}
