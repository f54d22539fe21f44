//! Lists in documents and in code that is data — a Markdown list or table,
//! a run of like lines (HTML menu items, shortcodes), a Python list
//! literal, a YAML sequence — found by their own structure, and the place
//! a new entry takes in one: in order of the entries' keys, or last.
//!
//! A list's entries are whole lines (a YAML item with the lines indented
//! under it), so an entry is inserted, and taken out, as lines. An entry's
//! key is its visible text (a Markdown link's text, an HTML line without
//! its tags, a Python string's value, a table row's first cell), or the
//! part of it a pattern's `*` stands for; keys compare without case.

use std::ops::Range;

use crate::glob::glob;

/// The kinds of list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Items of a Markdown list (`-`, `*` or `+`), each with the lines
    /// indented under it; a blank line or a line of another kind ends it.
    MarkdownList,
    /// The body rows of a Markdown table.
    MarkdownTable,
    /// Consecutive lines like a pattern; lines like `between` patterns
    /// (headings of letter groups) may stand among them.
    Lines,
    /// The string elements of a Python list literal, one per line; a blank
    /// line or a comment ends a run of them.
    PythonList,
    /// The items of a YAML block sequence, each with the lines indented
    /// under it; comments (a commented-out item) may stand among them.
    YamlSequence,
}

pub const KINDS: &[(&str, Kind)] = &[
    ("markdown-list", Kind::MarkdownList),
    ("markdown-table", Kind::MarkdownTable),
    ("lines", Kind::Lines),
    ("python-list", Kind::PythonList),
    ("yaml-sequence", Kind::YamlSequence),
];

/// Which list of a document, and what its entries are.
pub struct Select<'a> {
    pub kind: Kind,
    /// The list comes after the first line like this (a heading, `docs = [`,
    /// `backends:`), its indentation aside.
    pub after: Option<&'a str>,
    /// The list has an entry holding this text: the first such list.
    pub containing: Option<&'a str>,
    /// `Lines`: the entries' pattern, and the lines that may stand among them.
    pub like: Option<&'a str>,
    pub between: &'a [String],
    /// Of the lists that qualify, the one with the most entries (a menu's
    /// backends, not its other items), rather than the first.
    pub longest: bool,
}

/// One entry: its lines, and the text of its first line.
#[derive(Debug, Clone)]
pub struct Entry<'d> {
    pub lines: Range<usize>,
    pub first: &'d str,
    /// Lines that are not entries stand between it and the entry before:
    /// the last of them (a letter group's heading), if any.
    pub parted: Option<&'d str>,
}

/// A list found in a document.
#[derive(Debug)]
pub struct List<'d> {
    pub kind: Kind,
    pub entries: Vec<Entry<'d>>,
}

/// Where a new entry goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Before the first entry whose key sorts after its own.
    Sorted,
    /// After the last entry.
    End,
}

/// Each line of `doc`: its start, its end (after its line ending), its
/// text without the line ending.
fn lines(doc: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::with_capacity(doc.len() / 40);
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', doc.as_bytes()).chain((!doc.ends_with('\n')).then_some(doc.len())) {
        let end = (newline + 1).min(doc.len());
        let text = &doc[start..newline];
        found.push((start, end, text.strip_suffix('\r').unwrap_or(text)));
        start = end;
    }
    if doc.is_empty() {
        found.clear();
    }
    found
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// A Markdown list item's marker and the text after it.
fn item_text(line: &str) -> Option<&str> {
    let text = line.trim_start();
    let rest = text.strip_prefix(['-', '*', '+'])?;
    rest.starts_with([' ', '\t']).then(|| rest.trim_start())
}

fn table_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.len() > 1
}

fn table_delimiter(line: &str) -> bool {
    let t = line.trim();
    table_row(t) && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t')) && t.contains('-')
}

/// A Python string literal element (`"ftp.md",`): its value.
fn python_string(line: &str) -> Option<&str> {
    python_element(line).map(|(value, _)| value)
}

/// A Python string literal element: its value, and whether a comma
/// follows it (a comment may end the line).
fn python_element(line: &str) -> Option<(&str, bool)> {
    let t = line.trim();
    let quote = t.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let close = t[1..].find(quote)? + 1;
    let value = &t[1..close];
    let rest = t[close + 1..].trim_start();
    let (comma, rest) = rest.strip_prefix(',').map_or((false, rest), |r| (true, r.trim_start()));
    (value.chars().all(|c| c != '\\') && (rest.is_empty() || rest.starts_with('#'))).then_some((value, comma))
}

/// The lists of `kind` in `doc` from line `from` on, in document order;
/// lines inside fenced code blocks are no Markdown list's.
fn lists<'d>(all: &[(usize, usize, &'d str)], from: usize, select: &Select) -> Vec<List<'d>> {
    let mut found = Vec::new();
    let mut current: Vec<Entry<'d>> = Vec::new();
    let mut parted: Option<&'d str> = None;
    let mut flush = |current: &mut Vec<Entry<'d>>| {
        if !current.is_empty() {
            found.push(List { kind: select.kind, entries: std::mem::take(current) });
        }
    };
    let mut fence: Option<&str> = None;
    let mut i = from;
    while i < all.len() {
        let (start, end, line) = all[i];
        let trimmed = line.trim();
        match select.kind {
            Kind::MarkdownList | Kind::MarkdownTable => {
                let fenced = trimmed.starts_with("```") || trimmed.starts_with("~~~");
                if let Some(open) = fence {
                    if fenced && trimmed.starts_with(&open[..3]) {
                        fence = None;
                    }
                    i += 1;
                    continue;
                }
                if fenced {
                    flush(&mut current);
                    fence = Some(trimmed);
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        match select.kind {
            Kind::MarkdownList => {
                let same = current.first().map(|e| indent(e.first));
                match item_text(line) {
                    Some(_) if same.is_none_or(|n| n == indent(line)) => {
                        // The lines indented under it are the item's.
                        let mut stop = i + 1;
                        while stop < all.len() && !all[stop].2.trim().is_empty() && indent(all[stop].2) > indent(line) {
                            stop += 1;
                        }
                        current.push(Entry { lines: start..all[stop - 1].1, first: line, parted: None });
                        i = stop;
                        continue;
                    }
                    _ => flush(&mut current),
                }
            }
            Kind::MarkdownTable => {
                if table_row(line) {
                    // The body rows follow the header and the delimiter.
                    if current.is_empty() && i + 1 < all.len() && table_delimiter(all[i + 1].2) {
                        i += 2;
                        while i < all.len() && table_row(all[i].2) {
                            current.push(Entry { lines: all[i].0..all[i].1, first: all[i].2, parted: None });
                            i += 1;
                        }
                        flush(&mut current);
                        continue;
                    }
                } else {
                    flush(&mut current);
                }
            }
            Kind::Lines => {
                let like = select.like.unwrap_or("*");
                if glob(like, trimmed) {
                    current.push(Entry { lines: start..end, first: line, parted: parted.take() });
                } else if !current.is_empty() && select.between.iter().any(|b| glob(b, trimmed)) {
                    parted = Some(trimmed);
                } else {
                    parted = None;
                    flush(&mut current);
                }
            }
            Kind::PythonList => {
                if python_string(line).is_some() {
                    current.push(Entry { lines: start..end, first: line, parted: None });
                } else {
                    flush(&mut current);
                    if trimmed.starts_with(']') {
                        break;
                    }
                }
            }
            Kind::YamlSequence => {
                let item_indent = current.first().map(|e| indent(e.first));
                let is_item = trimmed.starts_with("- ") || trimmed == "-";
                if is_item && item_indent.is_none_or(|n| n == indent(line)) {
                    let mut stop = i + 1;
                    // The lines under it: more indented, or blank before more.
                    let mut last = i;
                    while stop < all.len() {
                        let next = all[stop].2;
                        if next.trim().is_empty() || next.trim_start().starts_with('#') && indent(next) <= indent(line)
                        {
                            if next.trim().is_empty() {
                                stop += 1;
                                continue;
                            }
                            break;
                        }
                        if indent(next) <= indent(line) {
                            break;
                        }
                        last = stop;
                        stop += 1;
                    }
                    current.push(Entry { lines: start..all[last].1, first: line, parted: parted.take() });
                    i = last + 1;
                    continue;
                } else if trimmed.is_empty() || trimmed.starts_with('#') {
                    // A comment (a commented-out item) among the items.
                    if !current.is_empty() && !trimmed.is_empty() {
                        parted = Some(trimmed);
                    }
                } else if !current.is_empty() || indent(line) == 0 && i > from {
                    flush(&mut current);
                    break;
                }
            }
        }
        i += 1;
    }
    flush(&mut current);
    found
}

/// The lists of `select`'s kind and place in `doc` (its `containing`
/// aside), in document order; none when the document has no line like
/// `after`.
pub fn all<'d>(doc: &'d str, select: &Select) -> Vec<List<'d>> {
    let all = lines(doc);
    let from = match select.after {
        Some(after) => match all.iter().position(|(_, _, line)| glob(after, line.trim())) {
            Some(at) => at + 1,
            None => return Vec::new(),
        },
        None => 0,
    };
    lists(&all, from, select)
}

/// Of `lists` (from `all`), the one `select` names, if any.
pub fn pick<'l, 'd>(doc: &str, lists: &'l [List<'d>], select: &Select) -> Option<&'l List<'d>> {
    let mut qualified = lists.iter().filter(|l| select.containing.is_none_or(|text| has(doc, l, text))).enumerate();
    if select.longest {
        // The first of the longest.
        qualified.max_by_key(|(i, l)| (l.entries.len(), std::cmp::Reverse(*i))).map(|(_, l)| l)
    } else {
        qualified.next().map(|(_, l)| l)
    }
}

/// The list `select` names in `doc`, if the document has it.
#[cfg(test)]
pub fn find<'d>(doc: &'d str, select: &Select) -> Option<List<'d>> {
    let lists = all(doc, select);
    let index = pick(doc, &lists, select).map(|l| lists.iter().position(|x| std::ptr::eq(x, l)).unwrap())?;
    lists.into_iter().nth(index)
}

/// Whether an entry of any of `lists` holds `text`: the local filesystem
/// kept apart at the end of a menu is in it, as a virtual backend in the
/// second list of a page.
pub fn listed(doc: &str, lists: &[List], text: &str) -> bool {
    // Most often the document does not hold it at all.
    doc.contains(text) && lists.iter().any(|list| has(doc, list, text))
}

/// `[text](url)` as `text`, throughout.
fn link_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let Some(end) = after[close + 2..].find(')') else { break };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        rest = &after[close + 2 + end + 1..];
    }
    out.push_str(rest);
    out
}

/// `text` without its HTML tags.
fn without_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The part of `text` the `*` of `pattern` (one star) stands for.
fn captured<'t>(pattern: &str, text: &'t str) -> Option<&'t str> {
    let (before, after) = pattern.split_once('*')?;
    let start = text.find(before)? + before.len();
    let rest = &text[start..];
    let end = if after.is_empty() { rest.len() } else { rest.find(after)? };
    Some(&rest[..end])
}

/// The key an entry of `kind` whose first line is `first` sorts by.
pub fn key(kind: Kind, first: &str, pattern: Option<&str>) -> String {
    if let Some(part) = pattern.and_then(|p| captured(p, first)) {
        return part.trim().to_lowercase();
    }
    let visible = match kind {
        Kind::MarkdownList => link_text(item_text(first).unwrap_or(first)),
        Kind::MarkdownTable => {
            let cells = first.trim().trim_start_matches('|');
            link_text(cells.split('|').next().unwrap_or(""))
        }
        Kind::Lines => without_tags(first.trim()),
        Kind::PythonList => python_string(first).unwrap_or(first).to_string(),
        Kind::YamlSequence => first.trim().trim_start_matches('-').to_string(),
    };
    visible.trim().to_lowercase()
}

/// How a new entry is placed among a list's.
pub struct Placing<'a> {
    pub order: Order,
    /// Patterns of the entries kept before every other (a list's opening
    /// entry) and after every other (the local filesystem).
    pub first: &'a [String],
    pub last: &'a [String],
    /// See `key`.
    pub key: Option<&'a str>,
}

/// The key of a new entry whose text is `text`.
pub fn new_key(kind: Kind, text: &str, key_pattern: Option<&str>) -> String {
    key(kind, text.lines().next().unwrap_or(""), key_pattern)
}

/// Whether an entry of `list` has `key`.
pub fn has_key(list: &List, key_of_new: &str, key_pattern: Option<&str>) -> bool {
    list.entries.iter().any(|e| key(list.kind, e.first, key_pattern) == key_of_new)
}

/// Where a new entry goes in `list`, and the text to insert there: `text`
/// (its lines at the indentation the template gives them) indented as the
/// entry it goes next to, a table row's cells padded as that row's are.
pub fn insertion(doc: &str, list: &List, text: &str, placing: &Placing) -> (usize, String) {
    let Placing { order, first, last, key: key_pattern } = *placing;
    let entries = &list.entries;
    let text = text.trim_end_matches(['\n', '\r']);
    let new_key = new_key(list.kind, text, key_pattern);
    let kept_last = |e: &Entry| last.iter().any(|p| glob(p, e.first.trim()));
    let kept_first = |e: &Entry| first.iter().any(|p| glob(p, e.first.trim()));
    let opening = entries.iter().rposition(kept_first).map_or(0, |i| i + 1);
    let before = match order {
        Order::End => {
            let tail = entries.iter().rev().take_while(|e| kept_last(e)).count();
            (tail > 0).then(|| entries.len() - tail)
        }
        Order::Sorted => (opening..entries.len())
            .find(|&i| kept_last(&entries[i]) || key(list.kind, entries[i].first, key_pattern) > new_key),
    };
    // Where it goes, the entry it goes next to, and whether after it.
    let (at, neighbour, after) = match before {
        Some(0) => (entries[0].lines.start, &entries[0], false),
        Some(i) => {
            let (prev, next) = (&entries[i - 1], &entries[i]);
            // A letter group's heading parts the two ("M – Z"): the new
            // entry stays in the group before unless its key reaches the
            // heading's first letter or digit.
            let opens = next.parted.and_then(|heading| without_tags(heading).chars().find(|c| c.is_alphanumeric()));
            let opens = opens.map(|c| c.to_lowercase().collect::<String>());
            match opens {
                Some(letter) if new_key.as_str() < letter.as_str() => (prev.lines.end, prev, true),
                _ => (next.lines.start, next, false),
            }
        }
        None => {
            let last = entries.last().expect("a list has an entry");
            (last.lines.end, last, true)
        }
    };
    // After a Python element with no comma (the list's last): the comma
    // goes after it, and the new element ends the list without one.
    if list.kind == Kind::PythonList
        && after
        && let Some((value, false)) = python_element(neighbour.first)
    {
        let quote_end = neighbour.first.find(value).unwrap_or(0) + value.len() + 1;
        let at = neighbour.lines.start + quote_end;
        let element = text.lines().next().unwrap_or("").trim().trim_end_matches(',');
        let indentation = &neighbour.first[..indent(neighbour.first)];
        return (at, format!(",\n{indentation}{element}"));
    }
    let indentation = &neighbour.first[..indent(neighbour.first)];
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(indentation);
        match list.kind {
            Kind::MarkdownTable => out.push_str(&padded_like(line.trim_start(), neighbour.first.trim())),
            // The list's own bullet: another would start another list.
            Kind::MarkdownList if out.matches('\n').count() == 0 && item_text(line).is_some() => {
                let bullet = neighbour.first.trim_start().chars().next().unwrap_or('-');
                out.push(bullet);
                out.push_str(&line.trim_start()[1..]);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    // After a last line that has no line ending, the new one starts a line.
    if at == doc.len() && !doc.is_empty() && !doc.ends_with('\n') {
        out.insert(0, '\n');
        out.pop();
    }
    (at, out)
}

/// A table row with as many cells as `like` (the last one repeated, or
/// the extra ones dropped), each padded with spaces to the width of the
/// same cell of `like` where it is narrower.
fn padded_like(row: &str, like: &str) -> String {
    let widths: Vec<usize> = like.trim_matches('|').split('|').map(|c| c.chars().count()).collect();
    let mut cells: Vec<&str> = row.trim().trim_matches('|').split('|').collect();
    let last = cells.last().copied().unwrap_or(" ");
    cells.resize(widths.len().max(1), last);
    let mut out = String::from("|");
    for (i, cell) in cells.iter().enumerate() {
        let width = widths.get(i).copied().unwrap_or(0);
        let mut cell = cell.to_string();
        let n = cell.chars().count();
        if n < width && cell.starts_with(' ') {
            cell.push_str(&" ".repeat(width - n));
        }
        out.push_str(&cell);
        out.push('|');
    }
    out
}

/// Whether an entry of `list` holds `text`.
pub fn has(doc: &str, list: &List, text: &str) -> bool {
    list.entries.iter().any(|e| doc[e.lines.clone()].contains(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(kind: Kind) -> Select<'static> {
        Select { kind, after: None, containing: None, like: None, between: &[], longest: false }
    }

    fn insert(doc: &str, select: &Select, text: &str, order: Order, last: &[String], key: Option<&str>) -> String {
        let list = find(doc, select).expect("the list is there");
        let placing = Placing { order, first: &[], last, key };
        let (at, text) = insertion(doc, &list, text, &placing);
        format!("{}{text}{}", &doc[..at], &doc[at..])
    }

    #[test]
    fn a_markdown_item_goes_by_its_link_text_with_the_local_filesystem_last() {
        let doc = "Intro\n\n- [Alpha](/alpha/)\n- [Gamma](/gamma/)\n- [The local filesystem](/local/)\n\nMore\n";
        let last = vec!["*(/local/)".to_string()];
        let s = select(Kind::MarkdownList);
        let add = |name: &str| insert(doc, &s, &format!("- [{name}](/x/)\n"), Order::Sorted, &last, None);
        assert!(add("Beta").contains("- [Alpha](/alpha/)\n- [Beta](/x/)\n- [Gamma]"));
        assert!(add("aardvark").contains("Intro\n\n- [aardvark](/x/)\n- [Alpha]"));
        assert!(add("Zeta").contains("- [Gamma](/gamma/)\n- [Zeta](/x/)\n- [The local"));
        assert!(add("Tz").contains("- [Gamma](/gamma/)\n- [Tz](/x/)\n- [The local"));
    }

    #[test]
    fn a_list_is_chosen_by_an_entry_it_holds_and_a_line_before_it() {
        let doc = "# A\n\n- one\n- two\n\n# B\n\n- [x](/s3/)\n- [y](/y/)\n";
        let s = Select { containing: Some("(/s3/)"), ..select(Kind::MarkdownList) };
        assert_eq!(find(doc, &s).unwrap().entries.len(), 2);
        assert!(find(doc, &s).unwrap().entries[0].first.contains("s3"));
        let s = Select { after: Some("# B"), ..select(Kind::MarkdownList) };
        assert!(find(doc, &s).unwrap().entries[0].first.contains("s3"));
        let s = Select { containing: Some("(/none/)"), ..select(Kind::MarkdownList) };
        assert!(find(doc, &s).is_none());
    }

    #[test]
    fn a_list_in_a_fenced_block_is_not_one() {
        let doc = "```\n- [a](/s3/)\n```\n- [b](/s3/)\n";
        let s = Select { containing: Some("(/s3/)"), ..select(Kind::MarkdownList) };
        assert!(find(doc, &s).unwrap().entries[0].first.contains("[b]"));
    }

    #[test]
    fn a_table_row_goes_by_its_first_cell_padded_as_its_neighbours() {
        let doc = "| Name   | Hash |\n|--------|------|\n| Alpha  | MD5  |\n| Gamma  | -    |\n";
        let out = insert(doc, &select(Kind::MarkdownTable), "| Beta | ? |\n", Order::Sorted, &[], None);
        assert!(out.contains("| Alpha  | MD5  |\n| Beta   | ?    |\n| Gamma"), "{out}");
    }

    #[test]
    fn like_lines_keep_their_letter_groups() {
        let doc = "<div>\n  <span>A</span>\n  <a href=\"/a/\">Alpha</a>\n  <span>C</span>\n  <a href=\"/c/\">Chi</a>\n  <hr>\n  <a href=\"/local/\">Local</a>\n</div>\n";
        let between = vec!["<span>*</span>".to_string()];
        let s = Select { like: Some("<a href=*"), between: &between, ..select(Kind::Lines) };
        assert_eq!(find(doc, &s).unwrap().entries.len(), 2, "the local line is past the <hr>");
        let menu = format!("<a href=\"/overview/\">Overview</a>\n<hr>\n{doc}");
        assert_eq!(find(&menu, &s).unwrap().entries.len(), 1, "the first");
        let s = Select { longest: true, ..s };
        assert!(find(&menu, &s).unwrap().entries[0].first.contains("Alpha"), "the longest");
        let add = |name: &str| insert(doc, &s, &format!("<a href=\"/x/\">{name}</a>\n"), Order::Sorted, &[], None);
        assert!(add("Apex").contains("Alpha</a>\n  <a href=\"/x/\">Apex</a>\n  <span>C"));
        // The group of C starts at C: B is in the group before.
        assert!(add("Beta").contains("Alpha</a>\n  <a href=\"/x/\">Beta</a>\n  <span>C"));
        assert!(add("Cat").contains("<span>C</span>\n  <a href=\"/x/\">Cat</a>\n  <a href=\"/c/\">Chi"));
        assert!(add("Delta").contains("Chi</a>\n  <a href=\"/x/\">Delta</a>\n  <hr>"));
    }

    #[test]
    fn a_key_pattern_takes_the_part_its_star_stands_for() {
        let doc = "{{< provider name=\"Beta\" home=\"a\" >}}\n{{< provider name=\"Delta\" home=\"b\" >}}\n";
        let s = Select { like: Some("{{< provider *"), ..select(Kind::Lines) };
        let out =
            insert(doc, &s, "{{< provider name=\"Charlie\" home=\"c\" >}}\n", Order::Sorted, &[], Some("name=\"*\""));
        assert!(out.contains("\"Beta\" home=\"a\" >}}\n{{< provider name=\"Charlie\""));
        assert_eq!(key(Kind::Lines, "{{< provider name=\"Zed Z\" x >}}", Some("name=\"*\"")), "zed z");
    }

    #[test]
    fn an_entry_kept_first_stays_first() {
        let doc = "<a>Beta start</a>\n<a>Delta</a>\n";
        let s = Select { like: Some("<a>*"), ..select(Kind::Lines) };
        let list = find(doc, &s).unwrap();
        let first = vec!["*start*".to_string()];
        let placing = Placing { order: Order::Sorted, first: &first, last: &[], key: None };
        assert_eq!(insertion(doc, &list, "<a>Alpha</a>", &placing).0, "<a>Beta start</a>\n".len());
        let only = "<a>Beta start</a>\n";
        let list = find(only, &s).unwrap();
        assert_eq!(insertion(only, &list, "<a>Alpha</a>", &placing).0, only.len());
        assert!(has_key(&list, &new_key(Kind::Lines, "<a>beta START</a>\n", None), None));
    }

    #[test]
    fn a_python_list_run_between_blank_lines() {
        let doc = "docs = [\n    \"index.md\",\n    \"docs.md\",\n\n    # by name\n    \"alpha.md\",\n    \"gamma.md\",\n\n    \"local.md\",\n]\n";
        let s = Select { after: Some("docs = ["), containing: Some("\"gamma.md\""), ..select(Kind::PythonList) };
        let out = insert(doc, &s, "\"beta.md\",\n", Order::Sorted, &[], None);
        assert!(out.contains("    \"alpha.md\",\n    \"beta.md\",\n    \"gamma.md\",\n\n    \"local.md\""), "{out}");
        let out = insert(doc, &s, "\"zeta.md\",\n", Order::Sorted, &[], None);
        assert!(out.contains("    \"gamma.md\",\n    \"zeta.md\",\n\n"), "{out}");
    }

    #[test]
    fn a_python_list_without_a_last_comma_or_with_comments() {
        let doc = "docs = [\n    \"a.md\",  # first\n    \"m.md\"\n]\n";
        let s = Select { after: Some("docs = ["), ..select(Kind::PythonList) };
        assert_eq!(find(doc, &s).unwrap().entries.len(), 2);
        let out = insert(doc, &s, "\"z.md\",\n", Order::Sorted, &[], None);
        assert_eq!(out, "docs = [\n    \"a.md\",  # first\n    \"m.md\",\n    \"z.md\"\n]\n");
        let out = insert(doc, &s, "\"b.md\",\n", Order::Sorted, &[], None);
        assert_eq!(out, "docs = [\n    \"a.md\",  # first\n    \"b.md\",\n    \"m.md\"\n]\n");
    }

    #[test]
    fn a_markdown_item_takes_the_list_s_bullet_and_a_row_its_cells() {
        let doc = "*\t[Alpha](/a/)\n* [Gamma](/g/)\n";
        let out = insert(doc, &select(Kind::MarkdownList), "- [Beta](/b/)\n", Order::Sorted, &[], None);
        assert_eq!(out, "*\t[Alpha](/a/)\n* [Beta](/b/)\n* [Gamma](/g/)\n");
        let doc = "| Name | A |\n|---|---|\n| Alpha | x |\n";
        let out = insert(doc, &select(Kind::MarkdownTable), "| Beta | ? | ? | ? |\n", Order::Sorted, &[], None);
        assert_eq!(out, "| Name | A |\n|---|---|\n| Alpha | x |\n| Beta  | ? |\n");
    }

    #[test]
    fn a_yaml_item_goes_last_with_its_lines_indented_as_the_items_are() {
        let doc = "tests:\n - path: x\nbackends:\n - backend:  \"local\"\n   remote:   \"\"\n # - backend: \"old\"\n - backend:  \"b\"\n   ignore:\n     - TestX\n";
        let s = Select { after: Some("backends:"), ..select(Kind::YamlSequence) };
        let list = find(doc, &s).unwrap();
        assert_eq!(list.entries.len(), 2);
        let out = insert(doc, &s, "- backend:  \"acme\"\n  remote:   \"TestAcme:\"\n", Order::End, &[], None);
        assert!(out.ends_with("     - TestX\n - backend:  \"acme\"\n   remote:   \"TestAcme:\"\n"), "{out}");
    }

    #[test]
    fn a_yaml_sequence_ends_at_the_next_key() {
        let doc = "backends:\n - backend: \"a\"\n   remote: \"A:\"\nother:\n - x\n";
        let s = Select { after: Some("backends:"), ..select(Kind::YamlSequence) };
        let out = insert(doc, &s, "- backend: \"b\"\n", Order::End, &[], None);
        assert_eq!(out, "backends:\n - backend: \"a\"\n   remote: \"A:\"\n - backend: \"b\"\nother:\n - x\n");
    }

    #[test]
    fn a_last_line_without_its_newline() {
        let doc = "- [a](/a/)";
        let out = insert(doc, &select(Kind::MarkdownList), "- [b](/b/)\n", Order::Sorted, &[], None);
        assert_eq!(out, "- [a](/a/)\n- [b](/b/)");
    }
}
