//! The one small lexer for Go source that is not parsed: where code is,
//! and where comments and literals (strings, raw strings, runes) are, so
//! that a line inside a block comment or a raw string is never taken for a
//! declaration, nor a word in a string for a package. A leaf.

/// What a piece of Go source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Code,
    /// `// ...` (up to its newline, which is code) or `/* ... */`.
    Comment,
    /// `"..."`, `'.'` (up to a newline, if unterminated) or `` `...` ``.
    Literal,
}

/// Calls `f` for each piece of `src`, in order and covering it whole, with
/// its kind and byte range. Allocates nothing.
pub fn pieces(src: &str, mut f: impl FnMut(Kind, usize, usize)) {
    let b = src.as_bytes();
    let (mut i, mut code_from, mut next_tick) = (0, 0, 0);
    while i < b.len() {
        let (kind, end) = match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                (Kind::Comment, memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n))
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                (Kind::Comment, memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |n| i + 2 + n + 2))
            }
            b'`' => (Kind::Literal, memchr::memchr(b'`', &b[i + 1..]).map_or(b.len(), |n| i + 1 + n + 1)),
            quote @ (b'"' | b'\'') => {
                let mut j = i + 1;
                while j < b.len() && b[j] != quote && b[j] != b'\n' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j < b.len() && b[j] == quote {
                    j += 1;
                }
                (Kind::Literal, j.min(b.len()))
            }
            _ => {
                // Most bytes are plain code: skip to the next byte that may
                // start a lexeme (memchr3 for three of them; the backtick,
                // rarer, is looked for again only once passed).
                if next_tick <= i {
                    next_tick = memchr::memchr(b'`', &b[i..]).map_or(b.len(), |n| i + n);
                }
                i = memchr::memchr3(b'/', b'"', b'\'', &b[i + 1..]).map_or(b.len(), |n| i + 1 + n).min(next_tick);
                continue;
            }
        };
        if code_from < i {
            f(Kind::Code, code_from, i);
        }
        f(kind, i, end);
        i = end;
        code_from = end;
    }
    if code_from < b.len() {
        f(Kind::Code, code_from, b.len());
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, pieces};

    #[test]
    fn code_comments_and_literals_cover_the_source() {
        let src = "a := \"x // y\" // c\n/* b\n */ `r\n` + '\\'' + \"open\nz";
        let mut got = Vec::new();
        pieces(src, |kind, start, end| got.push((kind, &src[start..end])));
        assert_eq!(
            got,
            [
                (Kind::Code, "a := "),
                (Kind::Literal, "\"x // y\""),
                (Kind::Code, " "),
                (Kind::Comment, "// c"),
                (Kind::Code, "\n"),
                (Kind::Comment, "/* b\n */"),
                (Kind::Code, " "),
                (Kind::Literal, "`r\n`"),
                (Kind::Code, " + "),
                (Kind::Literal, "'\\''"),
                (Kind::Code, " + "),
                (Kind::Literal, "\"open"),
                (Kind::Code, "\nz"),
            ]
        );
        let mut whole = String::new();
        pieces(src, |_, start, end| whole.push_str(&src[start..end]));
        assert_eq!(whole, src);
        pieces("\"\\", |_, start, end| assert!(start <= end && end <= 2));
    }
}
