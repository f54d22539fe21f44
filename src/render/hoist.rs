//! A built-in template with its text taken out before Tera compiles it.
//!
//! Tera's lexer walks the text between tags a character at a time
//! (counting lines and columns for its error messages): about 27
//! instructions a byte, a third of what compiling the built-in templates
//! costs. So each run of text between two tags is handed to Tera as one
//! marker character, and put back in the output. The marker is a Unicode
//! private-use character, U+E000 plus the run's index: the template's
//! tags and its variables must hold none (the renderer checks its
//! variables), so every private-use character in the output is a marker.
//!
//! Whitespace control is applied here, to the text itself, as Tera's lexer
//! does: a run followed by `{{-`, `{%-` or `{#-` loses its trailing
//! whitespace, one that follows `-}}`, `-%}` or `-#}` its leading
//! whitespace. Tera then trims nothing around a marker, which has none.

/// The first marker; run `i` is `MARK + i`.
const MARK: u32 = 0xE000;
/// The last private-use character of the Basic Multilingual Plane.
const LAST: u32 = 0xF8FF;

/// A template's tags, with a marker for each run of text, and the runs
/// (build.rs hoists the built-in templates).
#[derive(Debug, PartialEq)]
pub struct Hoisted {
    pub template: String,
    pub texts: Vec<String>,
}

/// Whether `c` is a private-use character a marker could be.
pub fn is_marker_like(c: char) -> bool {
    (MARK..=LAST).contains(&u32::from(c))
}

/// Whether `text` holds a private-use character (found by the bytes that
/// lead one in UTF-8, rather than by decoding every character).
pub fn has_marker_like(text: &str) -> bool {
    memchr::memchr2_iter(0xEE, 0xEF, text.as_bytes()).any(|at| text[at..].chars().next().is_some_and(is_marker_like))
}

/// `source` with its text runs taken out, or `None` when it is not a
/// template this can take apart safely: one with a private-use character,
/// a `raw` block, a tag left open, or more runs than there are markers.
pub fn hoist(source: &str) -> Option<Hoisted> {
    if has_marker_like(source) {
        return None;
    }
    let mut template = String::with_capacity(source.len() / 3);
    let mut texts: Vec<String> = Vec::new();
    let mut rest = source;
    // Whether the tag before the current text ended with `-`.
    let mut trim_start = false;
    loop {
        let start = next_tag(rest);
        let text = &rest[..start.unwrap_or(rest.len())];
        let Some(start) = start else {
            push_text(&mut template, &mut texts, text, trim_start, false)?;
            return Some(Hoisted { template, texts });
        };
        let tag = &rest[start..];
        let dash_open = tag.as_bytes().get(2) == Some(&b'-');
        push_text(&mut template, &mut texts, text, trim_start, dash_open)?;
        let len = tag_len(tag)?;
        let tag = &tag[..len];
        if tag.starts_with("{%") && tag[2..len - 2].trim_matches(|c: char| c == '-' || c.is_whitespace()) == "raw" {
            return None;
        }
        template.push_str(tag);
        // As Tera's lexer has it: a text consumes a `-` before it; a
        // comment passes one on, and may add its own.
        // (In `{#-#}` the one `-` opens: Tera reads it so.)
        let dash_close = tag.as_bytes()[len - 3] == b'-' && !(len == 5 && dash_open);
        trim_start = if tag.starts_with("{#") { dash_close || (trim_start && text.is_empty()) } else { dash_close };
        rest = &rest[start + len..];
    }
}

/// Where the next `{{`, `{%` or `{#` begins.
fn next_tag(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = memchr::memchr(b'{', &bytes[from..]) {
        let at = from + at;
        if matches!(bytes.get(at + 1), Some(b'{' | b'%' | b'#')) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The length of the tag `tag` begins with, its closing delimiter
/// included; a quoted string in it may hold the delimiter. `None` if it
/// is not closed.
fn tag_len(tag: &str) -> Option<usize> {
    let bytes = tag.as_bytes();
    let close: &[u8] = match bytes[1] {
        b'{' => b"}}",
        b'%' => b"%}",
        _ => return memchr::memmem::find(&bytes[2..], b"#}").map(|at| at + 4),
    };
    // Most tags hold no string: their end is the first closing delimiter.
    let end = memchr::memchr_iter(close[1], &bytes[3..]).map(|at| at + 2).find(|&at| bytes[at] == close[0])?;
    if memchr::memchr3(b'"', b'\'', b'`', &bytes[2..end]).is_none() {
        return Some(end + 2);
    }
    let mut i = 2;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ if bytes[i..].starts_with(close) => return Some(i + 2),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Adds text run `text`, trimmed as the tags around it say, as a marker.
fn push_text(template: &mut String, texts: &mut Vec<String>, text: &str, start: bool, end: bool) -> Option<()> {
    let text = if start { text.trim_start() } else { text };
    let text = if end { text.trim_end() } else { text };
    if text.is_empty() {
        return Some(());
    }
    let marker = char::from_u32(MARK + u32::try_from(texts.len()).ok()?).filter(|&c| is_marker_like(c))?;
    template.push(marker);
    texts.push(text.to_string());
    Some(())
}

/// `output`, rendered from a hoisted template, with each marker replaced
/// by its text.
pub fn restore(output: &str, texts: &[&str]) -> String {
    let mut out = String::with_capacity(output.len() + texts.iter().map(|t| t.len()).sum::<usize>());
    let bytes = output.as_bytes();
    let mut done = 0;
    let mut from = 0;
    // A private-use character of the Basic Multilingual Plane is three
    // bytes in UTF-8, led by 0xEE or 0xEF.
    while let Some(at) = memchr::memchr2(0xEE, 0xEF, &bytes[from..]) {
        let at = from + at;
        let c = output[at..].chars().next().expect("a lead byte starts a character");
        from = at + c.len_utf8();
        if let Some(text) = is_marker_like(c).then(|| texts.get((u32::from(c) - MARK) as usize)).flatten() {
            out.push_str(&output[done..at]);
            out.push_str(text);
            done = from;
        }
    }
    out.push_str(&output[done..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera_renders(source: &str) -> String {
        let mut tera = tera::Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        tera.add_raw_template("t", source).unwrap();
        let mut context = tera::Context::new();
        context.insert("name", "ftp");
        context.insert("items", &["a", "b"]);
        context.insert("on", &true);
        tera.render("t", &context).unwrap()
    }

    #[test]
    fn a_hoisted_template_renders_what_tera_renders() {
        for source in [
            "",
            "plain text, no tag\n",
            "{{ name }}",
            "a {{ name }} b\n",
            "x\n  {%- if on %}\n  yes\n  {% endif -%}\n  after",
            "{% for i in items -%}\n  {{ i }},\n{%- endfor %}\nend",
            "a {# a comment #} b {#- trimmed -#}   c",
            "{{ \"}}\" }} and {{ '%}' }} {% if name == \"{%\" %}no{% else %}{{ name | upper }}{% endif %}",
            "{{ \"a \\\" }} b\" }}tail",
            "{ not a tag } {x} %} #}\n",
            "{% set x = \"v\" %}{{ x }}\t\n{%- if not on %}off{% else -%}\n\n on{% endif %}",
            "{{- name -}}  \n {{ name }}  {{- name }}",
            "{% if on %}{# c -#}   kept? {% endif %}",
            "{% if on -%}{# c #}   kept {% endif %}",
            "{% if on -%}text{# c #}   more {% endif %}",
            "a {#-#}   b {#--#}  c",
            "{{ 'a\\'}}' }} {{ \"b\\\"}}\" }}",
            "{% if on -%}{# c #}{# d #}  \n more {% endif %}",
        ] {
            let hoisted = hoist(source).unwrap_or_else(|| panic!("{source:?} not hoisted"));
            let texts: Vec<&str> = hoisted.texts.iter().map(String::as_str).collect();
            let out = restore(&tera_renders(&hoisted.template), &texts);
            assert_eq!(out, tera_renders(source), "{source:?} -> {hoisted:?}");
        }
    }

    #[test]
    fn what_cannot_be_taken_apart_safely_is_not() {
        assert_eq!(hoist("a {% raw %}{{ x }}{% endraw %}"), None);
        assert_eq!(hoist("a {%- raw -%}{{ x }}{% endraw %}"), None);
        assert_eq!(hoist("an open {{ tag"), None);
        assert_eq!(hoist("an open {# comment"), None);
        assert_eq!(hoist("a private-use \u{E000} character"), None);
        assert_eq!(hoist("{{ \"\u{F000}\" }}"), None);
    }

    #[test]
    fn only_markers_are_restored() {
        let texts = ["zero", "one"];
        assert_eq!(restore("\u{E001}|\u{E000}|\u{E002}|\u{FFFD}|é", &texts), "one|zero|\u{E002}|\u{FFFD}|é");
    }
}
