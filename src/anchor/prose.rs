//! Insertion points in prose (Markdown, YAML comments), found by the
//! document's own structure: a line like a pattern, a fenced code block,
//! a heading's section. Each returns a byte offset; CRLF documents keep
//! their line endings because offsets are taken before any `\r`.

use super::line_end;
use crate::glob::glob;

/// Each line of `doc` with the offset it starts at, without its line ending.
fn lines(doc: &str) -> impl Iterator<Item = (usize, &str)> {
    let ends = memchr::memchr_iter(b'\n', doc.as_bytes()).map(|end| end + 1);
    let ends = ends.chain((!doc.ends_with('\n') && !doc.is_empty()).then_some(doc.len()));
    let mut at = 0;
    ends.map(move |end| {
        let start = at;
        at = end;
        (start, doc[start..end].trim_end_matches(['\n', '\r']))
    })
}

/// A code fence (CommonMark: three or more backticks or tildes): its
/// character, its length and its info string.
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let text = line.trim_start_matches([' ', '\t']);
    if !text.starts_with(['`', '~']) {
        return None;
    }
    let c = text.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = text.len() - text.trim_start_matches(c).len();
    (len >= 3).then(|| (c, len, text[len..].trim()))
}

/// Each fenced block of a document: its info string, and the byte range
/// from the line after its opening fence to the start of its closing one
/// (or the end of the document).
fn fenced_blocks(doc: &str) -> Vec<(&str, std::ops::Range<usize>)> {
    fenced_blocks_in(doc, fence_candidates(doc))
}

/// Each line of `doc` that holds three backticks or tildes (a superset
/// of its fences), found by searching for them rather than line by line:
/// a long document has few.
fn fence_candidates(doc: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = doc.as_bytes();
    let mut starts: Vec<usize> = memchr::memmem::find_iter(bytes, "```")
        .chain(memchr::memmem::find_iter(bytes, "~~~"))
        .map(|at| memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts.into_iter().map(move |at| (at, doc[at..line_end(doc, at)].trim_end_matches(['\n', '\r'])))
}

/// The fenced blocks `lines` (every line of `doc` that may be a fence, in
/// order, with its offset) open and close.
fn fenced_blocks_in<'d>(
    doc: &'d str,
    lines: impl Iterator<Item = (usize, &'d str)>,
) -> Vec<(&'d str, std::ops::Range<usize>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(char, usize, &str, usize)> = None;
    for (at, line) in lines {
        match (open, fence(line)) {
            (None, Some((c, len, info))) => open = Some((c, len, info, line_end(doc, at))),
            (Some((c, len, info, start)), Some((close, n, rest))) if close == c && n >= len && rest.is_empty() => {
                blocks.push((info, start..at));
                open = None;
            }
            _ => {}
        }
    }
    if let Some((_, _, info, start)) = open {
        blocks.push((info, start..doc.len()));
    }
    blocks
}

/// The byte range inside the first fenced block of language `lang` for
/// which `accept` holds of the block's text.
fn fenced_block(doc: &str, lang: &str, accept: impl Fn(&str) -> bool) -> Option<std::ops::Range<usize>> {
    fenced_blocks(doc).into_iter().find(|(info, range)| *info == lang && accept(&doc[range.clone()])).map(|(_, r)| r)
}

/// The start of the last line matching `pattern` (indentation included)
/// in the first ```<within> fenced block of a document that has one, or
/// in all of it.
pub fn line_after(doc: &str, pattern: &str, within: Option<&str>) -> Option<usize> {
    let range = match within {
        Some(lang) => fenced_block(doc, lang, |block| lines(block).any(|(_, line)| glob(pattern, line)))?,
        None => 0..doc.len(),
    };
    lines(&doc[range.clone()]).filter(|(_, line)| glob(pattern, line)).last().map(|(at, _)| range.start + at)
}

/// Where text goes on the first line matching `pattern`: before the last
/// `before` on it when given and there, else at its end; with the line.
pub fn line_append<'d>(doc: &'d str, pattern: &str, before: Option<&str>) -> Option<(usize, &'d str)> {
    let (start, line) = lines(doc).find(|(_, line)| glob(pattern, line))?;
    let at = before.and_then(|b| line.rfind(b)).unwrap_or(line.len());
    Some((start + at, line))
}

/// The inside of the first ```<lang> block that contains `containing`:
/// text goes at its end, the start of the closing fence.
pub fn block_end(doc: &str, lang: &str, containing: &str) -> Option<std::ops::Range<usize>> {
    fenced_block(doc, lang, |text| text.contains(containing))
}

/// A Markdown heading's level and text: `#### OSS` is (4, "OSS").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.len() - line.trim_start_matches('#').len();
    let rest = &line[level..];
    (level > 0 && (rest.is_empty() || rest.starts_with(' '))).then(|| (level, rest.trim()))
}

/// The headings of a Markdown document outside its code blocks: offset,
/// level, and the whole line.
fn headings(doc: &str) -> Vec<(usize, usize, &str)> {
    let blocks = fenced_blocks(doc);
    let in_code = |at: usize| blocks.iter().any(|(_, r)| r.contains(&at));
    lines(doc).filter(|(at, _)| !in_code(*at)).filter_map(|(at, line)| Some((at, heading(line)?.0, line))).collect()
}

/// Whether the document has a heading line equal to `line`.
pub fn has_heading(doc: &str, line: &str) -> bool {
    headings(doc).iter().any(|(_, _, l)| l.trim_end() == line.trim_end())
}

/// Where a section goes after that of the last heading matching `pattern`
/// (`#### *`): where the next heading of its level or above starts, or the
/// end of the document; `None` without such a heading.
pub fn section_end(doc: &str, pattern: &str) -> Option<usize> {
    let all = headings(doc);
    let last = all.iter().rposition(|(_, _, line)| glob(pattern, line))?;
    let level = all[last].1;
    Some(all[last + 1..].iter().find(|(_, l, _)| *l <= level).map_or(doc.len(), |(at, _, _)| *at))
}

/// The tables of `text` when it is TOML with tables (a fenced `toml`
/// block, a raw string): each from its header line to its last line that
/// is not blank (whole lines), with the span of its header.
pub fn toml_tables(text: &str) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    if !text.lines().any(|l| l.trim_start().starts_with('[')) || text.parse::<toml_edit::DocumentMut>().is_err() {
        return Vec::new();
    }
    let mut tables: Vec<(usize, usize, usize)> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') && !trimmed.starts_with("[[") {
            let header_end = at + line.find(']').map_or(line.len(), |i| i + 1);
            tables.push((at, header_end, at));
        }
        if let Some(last) = tables.last_mut()
            && !trimmed.is_empty()
        {
            last.2 = at + line.len();
        }
        at += line.len();
    }
    // Whole lines only: the last one ends in a newline.
    tables.into_iter().filter(|(_, _, end)| text[..*end].ends_with('\n')).map(|(s, h, e)| (s..e, s..h)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_found_by_search_are_the_fences_found_line_by_line() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut docs: Vec<String> = walkdir::WalkDir::new(root.join("tests/fixtures"))
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        assert!(docs.len() >= 3 && docs.iter().any(|d| d.contains("```")), "{}", docs.len());
        docs.extend(
            [
                "```",
                "text ``` not at the start\n  ```go\ncode\n  ```  \n",
                "~~~~sh\n```\n~~~\n~~~~\r\nafter\r\n```toml\n[a]",
                "\t```\n````\n``\n```x y\n```\n",
                "a\n```\n```\n```\n",
            ]
            .map(String::from),
        );
        for doc in &docs {
            // And every doc cut short, at each fence's end and within one.
            let cuts = memchr::memmem::find_iter(doc.as_bytes(), "``").flat_map(|at| [at + 1, at + 2, at + 3]);
            for end in cuts.chain([doc.len()]).filter(|&end| end <= doc.len() && doc.is_char_boundary(end)) {
                let doc = &doc[..end];
                assert_eq!(fenced_blocks(doc), fenced_blocks_in(doc, lines(doc)), "{doc:?}");
            }
        }
    }

    #[test]
    fn a_line_goes_in_the_first_block_of_its_language_that_has_its_like() {
        let doc = "```bash\nmake\n```\n\n```bash\ngo test -integration s3\ngo test -integration gcs\n```\n";
        let at = line_after(doc, "go test -integration *", Some("bash")).unwrap();
        assert!(doc[at..].starts_with("go test -integration gcs"));
        assert_eq!(line_after(doc, "cargo *", Some("bash")), None);
    }

    const DOC: &str = "# Doc\n\n## file\n\n```toml\n[cache.oss]\nbucket = \"b\"\n```\n\n## env\n\n### cache configs\n\n#### webdav\n\n* `SCCACHE_WEBDAV_ENDPOINT`\n\n#### OSS\n\n* `SCCACHE_OSS_BUCKET`\n\n```sh\n# not a heading\n```\n\n## other\n";

    #[test]
    fn a_section_ends_at_the_next_heading_of_its_level_or_above() {
        let at = section_end(DOC, "#### *").unwrap();
        assert!(DOC[at..].starts_with("## other"), "{}", &DOC[at..]);
        let no_end = "#### a\n\ntext\n";
        assert_eq!(section_end(no_end, "#### *"), Some(no_end.len()));
        assert_eq!(section_end(DOC, "##### *"), None);
        assert!(has_heading(DOC, "#### OSS") && !has_heading(DOC, "# not a heading"));
    }

    #[test]
    fn tildes_fence_a_block_too() {
        let doc = "#### a\n\n~~~sh\n# not a heading\n```\n# still not\n~~~\n\n## b\n";
        assert!(!has_heading(doc, "# not a heading") && !has_heading(doc, "# still not"));
        assert!(doc[section_end(doc, "#### *").unwrap()..].starts_with("## b"));
        let doc = "```toml\n[cache.a]\n````\n";
        assert_eq!(block_end(doc, "toml", "[cache.").map(|r| r.end), Some(doc.len() - 5), "a longer fence closes it");
    }

    #[test]
    fn a_block_ends_before_its_closing_fence() {
        let at = block_end(DOC, "toml", "[cache.").unwrap().end;
        assert!(DOC[..at].ends_with("bucket = \"b\"\n") && DOC[at..].starts_with("```\n"));
        assert_eq!(block_end(DOC, "toml", "[dist]"), None);
        let crlf = DOC.replace('\n', "\r\n");
        let at = block_end(&crlf, "toml", "[cache.").unwrap().end;
        assert!(crlf[at..].starts_with("```\r\n"));
    }

    #[test]
    fn text_is_appended_to_a_line_or_put_before_its_closing_bracket() {
        let doc = "cargo build [--features=a|b]\r\nnames: `a`, `b`\n";
        let (at, line) = line_append(doc, "*--features=*", Some("]")).unwrap();
        assert_eq!((&doc[at..at + 1], line), ("]", "cargo build [--features=a|b]"));
        let (at, _) = line_append(doc, "names: *", Some("]")).unwrap();
        assert_eq!(&doc[at..at + 1], "\n");
        assert!(line_append(doc, "absent*", None).is_none());
    }
}
