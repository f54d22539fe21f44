//! A Rust source cut at its top-level items, without parsing: a lexer that
//! knows comments (nested), strings (raw ones too), character literals and
//! lifetimes, and counts brackets. Each piece runs from the end of the one
//! before (the blank lines, comments and attributes above an item go with
//! it) to the end of an item: a `;`, or a closing brace, at depth 0. A file
//! the cut cannot follow is one piece. tree-sitter then parses only the
//! pieces that hold an insertion point (`Parser::set_included_ranges`),
//! with every offset still the file's.

use std::ops::Range;

/// A piece of a file: its range, where its item ends (just past its `;`
/// or `}`) if it holds one, and its item's first `{` in code, if any.
#[derive(Clone)]
struct Piece {
    range: Range<usize>,
    end: Option<usize>,
    open: Option<usize>,
}

/// Walks the code of `src`, past its comments, strings, character
/// literals and lifetimes, handing `visit` each byte of code and its
/// offset; `visit` says where to go on (`None`: the next byte) or to stop
/// (`Some(usize::MAX)`). `false` when the lexer cannot follow the text (an
/// unclosed comment or string).
fn scan(src: &str, mut visit: impl FnMut(usize, u8) -> Option<usize>) -> bool {
    let b = src.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n + 1);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut nested = 1;
                i += 2;
                while nested > 0 {
                    match (b.get(i), b.get(i + 1)) {
                        (None, _) => return false,
                        (Some(b'/'), Some(b'*')) => (nested, i) = (nested + 1, i + 2),
                        (Some(b'*'), Some(b'/')) => (nested, i) = (nested - 1, i + 2),
                        _ => i += 1,
                    }
                }
                continue;
            }
            b'"' => {
                i += 1;
                loop {
                    match b.get(i) {
                        None => return false,
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        _ => i += 1,
                    }
                }
            }
            // r"..", r#".."#, br#".."#: a raw string, unless `r` ends a word.
            b'r' if i == 0 || !ident(b[i - 1]) || (b[i - 1] == b'b' && (i < 2 || !ident(b[i - 2]))) => {
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                let from = i + 2 + hashes;
                match memchr::memmem::find(&b[from..], &close) {
                    Some(n) => i = from + n + close.len() - 1,
                    None => return false,
                }
            }
            // A character literal ('x', '\n', 'é'), or a lifetime ('a).
            b'\'' => {
                if b.get(i + 1) == Some(&b'\\') {
                    // The escaped character is the escape's, `'\''` too.
                    match b.get(i + 3..).and_then(|rest| rest.iter().position(|c| *c == b'\'')) {
                        Some(n) => i += 3 + n,
                        None => return false,
                    }
                } else {
                    let len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                    if b.get(i + 1 + len) == Some(&b'\'') {
                        i += 1 + len;
                    }
                }
            }
            c => match visit(i, c) {
                Some(usize::MAX) => return true,
                Some(next) => {
                    i = next;
                    continue;
                }
                None => {}
            },
        }
        i += 1;
    }
    true
}

/// The pieces of `src`, cut once a run: a file is asked about by several
/// patches (and its items by each), and the cut reads all of it. The last
/// few texts are kept, each compared whole.
fn cut(src: &str) -> std::rc::Rc<Vec<Piece>> {
    use std::cell::RefCell;
    use std::rc::Rc;
    const KEEP: usize = 4;
    thread_local! {
        static SEEN: RefCell<Vec<(String, Rc<Vec<Piece>>)>> = const { RefCell::new(Vec::new()) };
    }
    if let Some(pieces) = SEEN.with_borrow(|seen| seen.iter().find(|(text, _)| text == src).map(|(_, p)| p.clone())) {
        return pieces;
    }
    let pieces = Rc::new(cut_anew(src));
    SEEN.with_borrow_mut(|seen| {
        if seen.len() == KEEP {
            seen.remove(0);
        }
        seen.push((src.to_string(), pieces.clone()));
    });
    pieces
}

/// The pieces of `src`; one for the whole file when the cut cannot follow it.
fn cut_anew(src: &str) -> Vec<Piece> {
    let b = src.as_bytes();
    let mut pieces = Vec::new();
    let (mut start, mut depth) = (0usize, 0i64);
    let mut open = None;
    let mut broken = false;
    let whole = || vec![Piece { range: 0..src.len(), end: None, open: None }];
    let followed = scan(src, |i, c| {
        match c {
            b'{' if depth == 0 && open.is_none() => (depth, open) = (1, Some(i)),
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth -= 1;
                if depth < 0 {
                    broken = true;
                    return Some(usize::MAX);
                }
                if depth == 0 && c == b'}' {
                    // `static S: T = T { .. };` goes on to its `;`.
                    let next = b[i + 1..].iter().position(|c| !c.is_ascii_whitespace()).map(|n| i + 1 + n);
                    if next.is_none_or(|n| b[n] != b';' && b[n] != b'.' && b[n] != b',' && b[n] != b'?') {
                        let end = super::line_end(src, i + 1);
                        pieces.push(Piece { range: start..end, end: Some(i + 1), open: open.take() });
                        start = end;
                        return Some(end);
                    }
                }
            }
            b';' if depth == 0 => {
                let end = super::line_end(src, i + 1);
                pieces.push(Piece { range: start..end, end: Some(i + 1), open: open.take() });
                start = end;
                return Some(end);
            }
            _ => {}
        }
        None
    });
    if !followed || broken || depth != 0 {
        return whole();
    }
    if start < src.len() {
        pieces.push(Piece { range: start..src.len(), end: None, open: None });
    }
    pieces
}

/// The top-level items of `src` as `kind name` (`struct OSSCacheConfig`,
/// `mod oss`, `use crate::cache::oss::OSSCache`), each with its span from
/// its first attribute or doc comment to its end: read from the text, as
/// tree-sitter's parse of the whole file gives them (a property test holds
/// the two to each other). `None` when the cut cannot follow the file.
pub fn items(src: &str) -> Option<Vec<(String, Range<usize>)>> {
    let b = src.as_bytes();
    let mut items = Vec::new();
    let mut lead: Option<usize> = None;
    for Piece { range: piece, end, .. } in cut(src).iter().cloned() {
        let Some(end) = end else {
            // No item: what is left of the file is comments.
            lead = comments(src, piece.start, piece.end, lead)?.1;
            continue;
        };
        let (at, after) = comments(src, piece.start, end, lead)?;
        lead = after;
        let text = &src[at..end];
        // Every node takes the lead, an item without a label too.
        let start = lead.take().unwrap_or(at);
        match label(text) {
            Some(label) => items.push((label, start..end)),
            None if text.starts_with('#') || b.get(at) == Some(&b'/') => return None,
            None => {}
        }
        // Comments after the item, on its line.
        lead = comments(src, end, piece.end, lead)?.1;
    }
    Some(items)
}

/// From `from`, the comments, blank space and attributes before the next
/// item (up to `to`): where the item starts, and the lead (the first outer
/// attribute or `///` comment since the last other node: a plain comment,
/// an inner attribute or an item takes it, as tree-sitter's nodes do in
/// `RustFile::items`).
fn comments(src: &str, from: usize, to: usize, mut lead: Option<usize>) -> Option<(usize, Option<usize>)> {
    let b = src.as_bytes();
    let mut i = from;
    while i < to {
        match b[i] {
            c if c.is_ascii_whitespace() => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                if src[i..].starts_with("///") {
                    lead.get_or_insert(i);
                } else {
                    lead = None;
                }
                i = memchr::memchr(b'\n', &b[i..to]).map_or(to, |n| i + n + 1);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                lead = None;
                let mut nested = 1;
                i += 2;
                while nested > 0 {
                    match (b.get(i), b.get(i + 1)) {
                        (None, _) => return None,
                        (Some(b'/'), Some(b'*')) => (nested, i) = (nested + 1, i + 2),
                        (Some(b'*'), Some(b'/')) => (nested, i) = (nested - 1, i + 2),
                        _ => i += 1,
                    }
                }
            }
            b'#' => {
                let inner = b.get(i + 1) == Some(&b'!');
                let open = i + 1 + usize::from(inner);
                if b.get(open) != Some(&b'[') {
                    return Some((i, lead));
                }
                // The attribute's closing bracket, strings within it skipped.
                let mut depth = 0;
                let mut j = open;
                loop {
                    match b.get(j)? {
                        b'[' => depth += 1,
                        b']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'"' => {
                            j += 1;
                            while *b.get(j)? != b'"' {
                                j += if b[j] == b'\\' { 2 } else { 1 };
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if inner {
                    lead = None;
                } else {
                    lead.get_or_insert(i);
                }
                i = j + 1;
            }
            _ => return Some((i, lead)),
        }
    }
    Some((to, lead))
}

/// What a query of the file needs parsed: the pieces whose text holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// Every piece: what cannot be told from the text.
    All,
    /// No piece: what is read from the text alone (`items`).
    Nothing,
    /// A word, whole (`CacheConfigs`).
    Word(String),
    /// The declaration of struct, enum or union `name`, wherever it is.
    Declares(String),
    /// Function `name`'s declaration: `fn name(` or `fn name<`. In an
    /// `impl`, `mod` or `trait`, only that function of it is parsed.
    Function(String),
    /// A text anywhere (`any(`).
    Text(String),
    /// Every one of them.
    AllOf(Vec<Wanted>),
    /// Any one of them.
    AnyOf(Vec<Wanted>),
    /// What the first wants, of which only the braces nested in it that
    /// hold one of the texts (or follow it, as a literal its type) need parsing: not
    /// the arms' bodies of a `match` a query reads the arms of. See
    /// [`hollowed`].
    Inside(Box<Wanted>, Vec<String>),
}

/// An item's label as tree-sitter's parse gives it (`struct S`, `fn f`,
/// `mod m`, `use a::b`), read from its text: its keyword and name, or a
/// `use`'s argument as written.
fn label(text: &str) -> Option<String> {
    let (keyword, rest) = declaration(text)?;
    let rest = rest.trim_start();
    match keyword {
        "use" => Some(format!("use {}", rest[..rest.find(';')?].trim_end())),
        // tree-sitter gives an `impl` no name.
        "impl" => Some("impl ".to_string()),
        "struct" | "enum" | "fn" | "mod" | "trait" => {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            Some(format!("{keyword} {}", &rest[..end]))
        }
        _ => None,
    }
}

/// The word an item's declaration starts with, after its attributes,
/// comments, visibility and qualifiers (`pub(crate) async fn` is `fn`).
pub fn leading_keyword(text: &str) -> Option<&str> {
    declaration(text).map(|(keyword, _)| keyword)
}

/// An item's keyword (see `leading_keyword`) and the text after it.
fn declaration(text: &str) -> Option<(&str, &str)> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if rest.starts_with("/*") {
            rest = &rest[rest.find("*/")? + 2..];
        } else if rest.starts_with("#[") || rest.starts_with("#![") {
            let mut depth = 0;
            let end = rest.char_indices().find_map(|(i, c)| {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ => return None,
                }
                (depth == 0).then_some(i)
            })?;
            rest = &rest[end + 1..];
        } else {
            let word_end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let word = &rest[..word_end];
            match word {
                "pub" => {
                    rest = rest[3..].trim_start();
                    if rest.starts_with('(') {
                        rest = &rest[rest.find(')')? + 1..];
                    }
                }
                "async" | "unsafe" | "default" | "extern" => {
                    rest = rest[word.len()..].trim_start();
                    // `extern "C" fn`, `unsafe extern "C" fn`.
                    if rest.starts_with('"') {
                        rest = &rest[rest[1..].find('"')? + 2..];
                    }
                }
                // `const fn`, `const unsafe fn`: a function; `const X` is a constant.
                "const"
                    if ["fn", "unsafe", "async", "extern"].iter().any(|q| {
                        let after = rest[5..].trim_start();
                        after.starts_with(q) && !after[q.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    }) =>
                {
                    rest = &rest[5..]
                }
                "" => return None,
                _ => return Some((word, &rest[word_end..])),
            }
        }
    }
}

impl Wanted {
    pub(crate) fn in_text(&self, text: &str) -> bool {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        let word = |w: &str, then: &dyn Fn(&str) -> bool| {
            text.match_indices(w).any(|(at, _)| !text[..at].ends_with(ident) && then(&text[at + w.len()..]))
        };
        match self {
            Wanted::All => true,
            Wanted::Nothing => false,
            Wanted::Word(w) => !w.is_empty() && word(w, &|rest| !rest.starts_with(ident)),
            // The name is rarer than its keyword: found first, then the
            // keyword before it.
            Wanted::Function(name) => named(text, name, &["fn"], &|rest| rest.trim_start().starts_with(['(', '<'])),
            Wanted::Text(t) => text.contains(t.as_str()),
            Wanted::Declares(name) => named(text, name, &["struct", "enum", "union"], &|rest| !rest.starts_with(ident)),
            Wanted::AllOf(all) => all.iter().all(|w| w.in_text(text)),
            Wanted::AnyOf(any) => any.iter().any(|w| w.in_text(text)),
            Wanted::Inside(wanted, _) => wanted.in_text(text),
        }
    }

    /// The texts a query looks for in nested blocks; `None` when it reads
    /// all of them.
    fn needles(&self) -> Option<&[String]> {
        match self {
            Wanted::Inside(_, needles) => Some(needles),
            _ => None,
        }
    }
}

/// The ranges of an item's `text` (an `impl`) to parse for the signatures
/// of what it declares: all but the insides of the blocks in its body
/// (function bodies, read as `{}`). `None` when the lexer cannot follow it.
pub fn without_bodies(text: &str) -> Option<Vec<Range<usize>>> {
    let mut depth = 0usize;
    let mut holes = Vec::new();
    let mut open = 0;
    let followed = scan(text, |i, c| {
        match c {
            b'{' => {
                depth += 1;
                if depth == 2 {
                    open = i + 1;
                }
            }
            b'}' => {
                if depth == 2 {
                    holes.push(open..i);
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        None
    });
    if !followed || depth != 0 {
        return None;
    }
    let mut ranges = Vec::new();
    let mut at = 0;
    for hole in holes {
        ranges.push(at..hole.start);
        at = hole.end;
    }
    ranges.push(at..text.len());
    Some(ranges)
}

/// `pieces` (ranges of `src` to parse) without the insides of the braces
/// no query of the pieces needs: where every query a piece holds is an
/// [`Wanted::Inside`], each pair of braces nested in its item's body (an
/// arm's body, an `if`'s, a literal's fields, a macro's tokens) that holds
/// none of their texts, and whose path right before holds none either (a
/// literal of the type a query reads), is left out but for the braces. tree-sitter then reads `{}` there, which parses wherever braces
/// do.
pub fn hollowed(src: &str, pieces: Vec<Range<usize>>, wanted: &[Wanted]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let text = &src[piece.clone()];
        let mut needles: Vec<&str> = Vec::new();
        let mut hollow = true;
        for w in wanted.iter().filter(|w| w.in_text(text)) {
            match w.needles() {
                Some(n) => needles.extend(n.iter().map(String::as_str)),
                None => hollow = false,
            }
        }
        if !hollow {
            out.push(piece);
            continue;
        }
        let mut holes: Vec<Range<usize>> = Vec::new();
        let mut open: Vec<(usize, bool)> = Vec::new();
        let followed = scan(text, |i, c| {
            match c {
                b'{' => {
                    // What the braces are of: the path right before them
                    // (a literal's type, `config::CacheConfigs`).
                    let before = text[..i].trim_end();
                    let path = &before[before
                        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .map_or(0, |at| at + 1)..];
                    open.push((i, !path.is_empty() && needles.iter().any(|n| path.contains(n))));
                }
                b'}' => {
                    let Some((at, named)) = open.pop() else { return Some(usize::MAX) };
                    let inside = &text[at + 1..i];
                    // Nested in the item's own body (depth 2 and more).
                    if !named && !open.is_empty() && !needles.iter().any(|n| inside.contains(n)) {
                        holes.push(at + 1..i);
                    }
                }
                _ => {}
            }
            None
        });
        if !followed || !open.is_empty() || holes.is_empty() {
            out.push(piece);
            continue;
        }
        // Outer holes first; one inside another is in it.
        holes.sort_by_key(|h| h.start);
        let mut at = 0;
        for hole in holes {
            if hole.start < at {
                continue;
            }
            out.push(piece.start + at..piece.start + hole.start);
            at = hole.end;
        }
        out.push(piece.start + at..piece.end);
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Whether `text` has `name` as a word right after one of `keywords`
/// (and white space), followed by what `then` accepts.
fn named(text: &str, name: &str, keywords: &[&str], then: &dyn Fn(&str) -> bool) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    !name.is_empty()
        && text.match_indices(name).any(|(at, _)| {
            let before = &text[..at];
            let spaced = before.trim_end_matches([' ', '\t', '\n', '\r']);
            spaced.len() < before.len()
                && keywords.iter().any(|k| spaced.strip_suffix(k).is_some_and(|head| !head.ends_with(ident)))
                && then(&text[at + name.len()..])
                && !text[at + name.len()..].starts_with(ident)
        })
}

/// The ranges of `src` to parse for `wanted`: each piece any of it is in;
/// of an `impl`, `mod` or `trait`, its head (attributes and all, to its
/// `{`), the pieces of its body any of it is in, and its closing brace,
/// when any of that holds one.
pub fn wanted_pieces(src: &str, wanted: &[Wanted]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let holds = |text: &str| wanted.iter().any(|w| w.in_text(text));
    for Piece { range: piece, end, open } in cut(src).iter().cloned() {
        let text = &src[piece.clone()];
        // What holds nothing wanted, inside or out, is not looked into.
        if !holds(text) {
            continue;
        }
        let container = matches!(leading_keyword(text), Some("impl" | "mod" | "trait"));
        // The inside of its body: from after its `{` to before the `}`
        // that ends it; cut into pieces, they are those of a file.
        let body = match (open, end) {
            (Some(open), Some(end)) if container && src.as_bytes()[end - 1] == b'}' => Some(open + 1..end - 1),
            _ => None,
        };
        match body {
            Some(inner) => {
                let inside = wanted_pieces(&src[inner.clone()], wanted);
                if inside.is_empty() && !holds(&src[piece.start..inner.start]) {
                    continue;
                }
                ranges.push(piece.start..inner.start);
                ranges.extend(inside.into_iter().map(|r| inner.start + r.start..inner.start + r.end));
                ranges.push(inner.end..piece.end);
            }
            None => ranges.push(piece),
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces of `src`, in order.
    fn pieces(src: &str) -> Vec<Range<usize>> {
        cut(src).iter().map(|piece| piece.range.clone()).collect()
    }

    #[test]
    fn items_are_cut_at_their_end_whatever_their_strings_and_comments_hold() {
        let src = "use a::b;\n\n/// doc }\n#[cfg(x)]\nstruct S {\n    a: u8, // }\n}\n\nconst C: &str = r#\"}\"#;\nstatic T: X = X { c: '}', d: '\\'', e: '\\\\' };\nfn f<'a>(x: &'a str) -> char {\n    /* } /* } */ */\n    '{'\n}\nmacro_rules! m { () => {} }\n";
        let cut: Vec<&str> = pieces(src).into_iter().map(|r| &src[r]).collect();
        assert_eq!(
            cut,
            [
                "use a::b;\n",
                "\n/// doc }\n#[cfg(x)]\nstruct S {\n    a: u8, // }\n}\n",
                "\nconst C: &str = r#\"}\"#;\n",
                "static T: X = X { c: '}', d: '\\'', e: '\\\\' };\n",
                "fn f<'a>(x: &'a str) -> char {\n    /* } /* } */ */\n    '{'\n}\n",
                "macro_rules! m { () => {} }\n",
            ]
        );
        assert_eq!(pieces(src).iter().map(|r| r.len()).sum::<usize>(), src.len());
    }

    #[test]
    fn what_the_cut_cannot_follow_is_one_piece() {
        for src in ["fn f() {", "fn f() }", "const S: &str = \"x;", "/* x", "const R: &str = r#\"x\";"] {
            assert_eq!(pieces(src), vec![0..src.len()], "{src:?}");
        }
    }

    #[test]
    fn a_query_wants_the_pieces_that_hold_it() {
        let src = "fn merge(x: u8) {}\nfn merged() {}\nimpl S {\n    fn into_fallback<T>(self) {}\n}\nstruct CacheConfigs {}\n#[cfg(any(feature = \"a\"))]\nmod a;\n";
        let texts =
            |w: &[Wanted]| wanted_pieces(src, w).into_iter().map(|r| src[r].trim().to_string()).collect::<Vec<_>>();
        assert_eq!(texts(&[Wanted::Function("merge".into())]), ["fn merge(x: u8) {}"]);
        // Of an impl, its head, the function and its closing brace.
        assert_eq!(
            wanted_pieces(src, &[Wanted::Function("into_fallback".into())])
                .into_iter()
                .map(|r| &src[r])
                .collect::<String>(),
            "impl S {\n    fn into_fallback<T>(self) {}\n}\n"
        );
        assert_eq!(texts(&[Wanted::Word("CacheConfigs".into())]), ["struct CacheConfigs {}"]);
        assert_eq!(texts(&[Wanted::Declares("CacheConfigs".into())]), ["struct CacheConfigs {}"]);
        assert_eq!(texts(&[Wanted::Text("any(".into())]), ["#[cfg(any(feature = \"a\"))]\nmod a;"]);
        let all: String = wanted_pieces(src, &[Wanted::All]).into_iter().map(|r| &src[r]).collect();
        assert_eq!(all, src);
    }

    #[test]
    fn an_item_is_labelled_as_tree_sitter_labels_it() {
        let labels = |text: &str| label(text);
        assert_eq!(labels("/// a struct\n#[derive(X)]\npub(crate) struct S<T> {}"), Some("struct S".into()));
        assert_eq!(labels("pub const unsafe fn f() {}"), Some("fn f".into()));
        assert_eq!(labels("use crate::a::{\n    b,\n};"), Some("use crate::a::{\n    b,\n}".into()));
        assert_eq!(labels("#[cfg(feature = \"x\")]\npub mod x;"), Some("mod x".into()));
        assert_eq!(labels("impl<T> S<T> {}"), Some("impl ".into()));
        assert_eq!(labels("const C: u8 = 1;"), None);
    }
}
