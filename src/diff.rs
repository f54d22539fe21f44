//! Unified diffs of two texts, line by line: similar's Myers diff and its
//! hunk grouping, fed lines cut with memchr and numbered with a fast hash.
//!
//! The ops are those `similar::TextDiff::from_lines` computes (the same
//! steps: common prefix and suffix trimmed, Myers on the middle, `Compact`
//! and `Replace` over the whole) and the text is what its `unified_diff()`
//! prints; what differs is the cost: similar's own line tokenizer and line
//! hashing cost more than the diff itself on a large file with a few
//! insertions. Where the texts inserted are known, only the lines around
//! them are compared. A leaf: it knows nothing of plans or projects.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Index;

use similar::algorithms::{Capture, Compact, DiffHook as _, NoFinishHook, Replace};
use similar::{Algorithm, DiffOp, DiffTag};

/// Hunks of 3 lines of context, with `--- old_header` / `+++ new_header`
/// first; empty when the texts are equal.
pub fn unified(old: &str, new: &str, old_header: &str, new_header: &str) -> String {
    let (old_lines, new_lines) = (lines(old), lines(new));
    let ops = ops(&old_lines, &new_lines);
    let mut out = String::new();
    for (i, group) in similar::group_diff_ops(ops, 3).into_iter().filter(|g| !g.is_empty()).enumerate() {
        if i == 0 {
            let _ = writeln!(out, "--- {old_header}\n+++ {new_header}");
        }
        hunk(&mut out, &group, &old_lines, &new_lines);
    }
    out
}

/// Lines of context either side of an insertion compared when only the
/// insertions' surroundings are: more than a hunk's context (3), so that
/// a change the diff slides over like lines stays inside.
const MARGIN: usize = 8;

/// As [`unified`], for `new` that is `old` with texts inserted at the
/// byte ranges `inserted` of `new` (in order): only the lines around each
/// insertion are compared, the rest being the same. Where `new` is not
/// that (a plan's file changed since), the whole texts are compared.
pub fn unified_inserted(
    old: &str,
    new: &str,
    inserted: &[std::ops::Range<usize>],
    old_header: &str,
    new_header: &str,
) -> String {
    if inserted.is_empty() || !is_insertions(old, new, inserted) {
        return unified(old, new, old_header, new_header);
    }
    // The windows of `new` compared: whole lines around each insertion,
    // merged where they meet.
    let mut windows: Vec<std::ops::Range<usize>> = Vec::new();
    for range in inserted {
        let start = lines_back(new, range.start, MARGIN);
        let end = lines_forward(new, range.end, MARGIN);
        match windows.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => windows.push(start..end),
        }
    }
    // Each window's place in `old` (the insertions before it taken out)
    // and in lines, then its diff, and the lines between the same.
    let mut ops: Vec<DiffOp> = Vec::new();
    let (mut old_line, mut new_line, mut new_at, mut taken) = (0, 0, 0, 0);
    let mut window_lines: Vec<(usize, Vec<&str>, usize, Vec<&str>)> = Vec::new();
    let mut next = inserted.iter().peekable();
    for window in &windows {
        let old_start = window.start - taken;
        while next.peek().is_some_and(|r| r.end <= window.end) {
            taken += next.next().map_or(0, |r| r.len());
        }
        let old_end = window.end - taken;
        let gap = newlines(&new[new_at..window.start]);
        push(&mut ops, DiffOp::Equal { old_index: old_line, new_index: new_line, len: gap });
        // The same lines in both: between windows nothing was inserted.
        old_line += gap;
        new_line += gap;
        let (old_window, new_window) = (lines(&old[old_start..old_end]), lines(&new[window.clone()]));
        for op in self::ops(&old_window, &new_window) {
            push(&mut ops, shifted(op, old_line, new_line));
        }
        window_lines.push((old_line, old_window.clone(), new_line, new_window.clone()));
        old_line += old_window.len();
        new_line += new_window.len();
        new_at = window.end;
    }
    let rest = newlines(&new[new_at..]);
    push(&mut ops, DiffOp::Equal { old_index: old_line, new_index: new_line, len: rest });
    // The lines a hunk prints: the windows', or (a change slid past a
    // window's margin) all of them.
    let all = std::cell::OnceCell::new();
    let line_of = |old_side: bool, i: usize| -> &str {
        for (o, old_window, n, new_window) in &window_lines {
            let (first, window) = if old_side { (*o, old_window) } else { (*n, new_window) };
            if (first..first + window.len()).contains(&i) {
                return window[i - first];
            }
        }
        let (old_all, new_all) = all.get_or_init(|| (lines(old), lines(new)));
        if old_side { old_all[i] } else { new_all[i] }
    };
    let mut out = String::new();
    for (i, group) in similar::group_diff_ops(ops, 3).into_iter().filter(|g| !g.is_empty()).enumerate() {
        if i == 0 {
            let _ = writeln!(out, "--- {old_header}\n+++ {new_header}");
        }
        hunk_by(&mut out, &group, &|i| line_of(true, i), &|i| line_of(false, i));
    }
    out
}

/// Whether `new` is `old` with the texts at `inserted` put in.
fn is_insertions(old: &str, new: &str, inserted: &[std::ops::Range<usize>]) -> bool {
    let (mut old_at, mut new_at) = (0, 0);
    for range in inserted {
        if range.start < new_at || range.end > new.len() || range.start > range.end {
            return false;
        }
        let len = range.start - new_at;
        if old.get(old_at..old_at + len) != new.get(new_at..range.start) {
            return false;
        }
        (old_at, new_at) = (old_at + len, range.end);
    }
    old.get(old_at..) == new.get(new_at..)
}

/// The start of the line `n` lines before the one holding `at`.
fn lines_back(text: &str, at: usize, n: usize) -> usize {
    let mut start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    for _ in 0..n {
        if start == 0 {
            break;
        }
        start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
    start
}

/// The end of the line `n` lines after the one `at` is in (a position at
/// a line's start is in the line before it, which it ends).
fn lines_forward(text: &str, at: usize, n: usize) -> usize {
    let mut end = if at > 0 && text.as_bytes()[at - 1] == b'\n' {
        at
    } else {
        text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
    };
    for _ in 0..n {
        if end >= text.len() {
            break;
        }
        end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    }
    end
}

/// How many lines `text` holds (a last one without a line end counted).
fn newlines(text: &str) -> usize {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    ends + usize::from(!text.is_empty() && !text.ends_with('\n'))
}

/// `op` after `ops`: equal lines after equal lines are one run (hunks
/// are cut in runs of them), and an empty run is none.
fn push(ops: &mut Vec<DiffOp>, op: DiffOp) {
    match (ops.last_mut(), op) {
        (_, DiffOp::Equal { len: 0, .. }) => {}
        (Some(DiffOp::Equal { len, .. }), DiffOp::Equal { len: more, .. }) => *len += more,
        _ => ops.push(op),
    }
}

fn shifted(op: DiffOp, old: usize, new: usize) -> DiffOp {
    match op {
        DiffOp::Equal { old_index, new_index, len } => {
            DiffOp::Equal { old_index: old_index + old, new_index: new_index + new, len }
        }
        DiffOp::Delete { old_index, old_len, new_index } => {
            DiffOp::Delete { old_index: old_index + old, old_len, new_index: new_index + new }
        }
        DiffOp::Insert { old_index, new_index, new_len } => {
            DiffOp::Insert { old_index: old_index + old, new_index: new_index + new, new_len }
        }
        DiffOp::Replace { old_index, old_len, new_index, new_len } => {
            DiffOp::Replace { old_index: old_index + old, old_len, new_index: new_index + new, new_len }
        }
    }
}

/// `text`'s lines, each with its line end (the last may have none).
fn lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..=end]);
        start = end + 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// The line numbers of `lines[start..]`, each line a number equal lines
/// share (`Index` by the line's number in the whole file).
struct Ids {
    start: usize,
    ids: Vec<u32>,
}

impl Index<usize> for Ids {
    type Output = u32;
    fn index(&self, i: usize) -> &u32 {
        &self.ids[i - self.start]
    }
}

fn ops<'t>(old: &[&'t str], new: &[&'t str]) -> Vec<DiffOp> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    let mut d = Compact::new(Replace::new(Capture::new()), old, new);
    if prefix > 0 {
        let _ = d.equal(0, 0, prefix);
    }
    if prefix < old_end && prefix < new_end {
        // Myers compares numbers: a line's number is the first it got.
        let mut seen: HashMap<&'t str, u32, foldhash::fast::FixedState> =
            HashMap::with_capacity_and_hasher(old_end - prefix, foldhash::fast::FixedState::with_seed(0));
        let mut number = |line: &'t str| {
            let next = seen.len() as u32;
            *seen.entry(line).or_insert(next)
        };
        let old_ids = Ids { start: prefix, ids: old[prefix..old_end].iter().map(|&l| number(l)).collect() };
        let new_ids = Ids { start: prefix, ids: new[prefix..new_end].iter().map(|&l| number(l)).collect() };
        let mut middle = NoFinishHook::new(&mut d);
        let _ = similar::algorithms::diff_deadline(
            Algorithm::Myers,
            &mut middle,
            &old_ids,
            prefix..old_end,
            &new_ids,
            prefix..new_end,
            None,
        );
    } else if prefix < old_end {
        let _ = d.delete(prefix, old_end - prefix, prefix);
    } else if prefix < new_end {
        let _ = d.insert(prefix, prefix, new_end - prefix);
    }
    if suffix > 0 {
        let _ = d.equal(old_end, new_end, suffix);
    }
    let _ = d.finish();
    d.into_inner().into_inner().into_ops()
}

/// One hunk: its `@@` line, then each line with its mark.
fn hunk(out: &mut String, ops: &[DiffOp], old: &[&str], new: &[&str]) {
    hunk_by(out, ops, &|i| old[i], &|i| new[i]);
}

/// As [`hunk`], each line had by its number.
fn hunk_by<'t>(out: &mut String, ops: &[DiffOp], old: &dyn Fn(usize) -> &'t str, new: &dyn Fn(usize) -> &'t str) {
    let (first, last) = (ops[0], ops[ops.len() - 1]);
    let _ = writeln!(
        out,
        "@@ -{} +{} @@",
        Range(first.old_range().start, last.old_range().end),
        Range(first.new_range().start, last.new_range().end)
    );
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            old_range.for_each(|i| line(out, ' ', old(i)));
            continue;
        }
        old_range.for_each(|i| line(out, '-', old(i)));
        new_range.for_each(|i| line(out, '+', new(i)));
    }
}

fn line(out: &mut String, mark: char, text: &str) {
    out.push(mark);
    out.push_str(text);
    if !text.ends_with(['\r', '\n']) {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// A hunk's range as unified diffs write it: `start,len`, `start` alone
/// for one line, and an empty range at the line before it.
struct Range(usize, usize);

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let len = self.1.saturating_sub(self.0);
        match len {
            1 => write!(f, "{}", self.0 + 1),
            0 => write!(f, "{},0", self.0),
            _ => write!(f, "{},{}", self.0 + 1, len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What similar's own line diff prints.
    fn similar_unified(old: &str, new: &str) -> String {
        similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header("a/f", "b/f").to_string()
    }

    fn check(old: &str, new: &str) {
        assert_eq!(unified(old, new, "a/f", "b/f"), similar_unified(old, new), "old {old:?}\nnew {new:?}");
    }

    #[test]
    fn same_text_as_similar() {
        let base: String = (0..300).map(|i| format!("line {}\n", i % 7)).collect();
        check("", "");
        check("", "a\nb\n");
        check("a\nb\n", "");
        check("a\nb", "a\nb\nc");
        check("a\nb\nc", "a\nb");
        check("a\r\nb\r\n", "a\r\nc\r\n");
        check(&base, &base);
        check(&base, &format!("x\n{base}"));
        check(&base, &format!("{base}}}\n"));
        let mid = base.replacen("line 3\n", "line 3\n}\n\nnew\n}\n", 5);
        check(&base, &mid);
        check(&mid, &base);
        let small: String = (0..40).map(|i| format!("{}\n", i % 3)).collect();
        check(&small, &small.replacen("1\n", "1\n2\n", 2));
    }

    /// `old` with a unified diff applied (its hunks in order, checked).
    fn patched(old: &str, diff: &str) -> String {
        let old_lines = lines(old);
        let mut out = String::new();
        let mut at = 0;
        let mut last = "";
        for l in lines(diff).into_iter().skip(2) {
            if let Some(header) = l.strip_prefix("@@ -") {
                let start: usize = header.split([',', ' ']).next().unwrap().parse().unwrap();
                let len_zero = header.split(' ').next().unwrap().ends_with(",0");
                let start = if len_zero { start } else { start - 1 };
                old_lines[at..start].iter().for_each(|l| out.push_str(l));
                at = start;
            } else if l.starts_with("\\ No newline") {
                if last == "+" {
                    out.pop();
                }
            } else {
                let (mark, text) = l.split_at(1);
                last = mark;
                match mark {
                    " " | "-" => {
                        assert_eq!(old_lines[at].trim_end_matches('\n'), text.trim_end_matches('\n'));
                        at += 1;
                        if mark == " " {
                            out.push_str(old_lines[at - 1]);
                        }
                    }
                    _ => out.push_str(text),
                }
            }
        }
        old_lines[at..].iter().for_each(|l| out.push_str(l));
        out
    }

    #[test]
    fn insertions_diffed_around_them_alone_make_a_diff_that_applies() {
        // Every file of the fixtures with texts inserted: whole lines,
        // parts of lines, lines like their neighbours (which a diff may
        // slide), at the start and the end, near each other and far apart.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let (mut count, mut same) = (0, 0);
        for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file())
        {
            let Ok(old) = std::fs::read_to_string(entry.path()) else { continue };
            let starts: Vec<usize> = std::iter::once(0)
                .chain(old.match_indices('\n').map(|(i, _)| i + 1))
                .filter(|&i| i <= old.len())
                .collect();
            for step in [2usize, 7, 40, 1000] {
                let mut at: Vec<(usize, String)> = Vec::new();
                for (k, &start) in starts.iter().enumerate().filter(|(k, _)| k % step == 1 % step) {
                    let line_end = old[start..].find('\n').map_or(old.len(), |i| start + i + 1);
                    let text = match k % 4 {
                        0 => old[start..line_end].to_string(),
                        1 => "\tinserted line\n}\n\n".to_string(),
                        2 => ", part".to_string(),
                        _ => "\n".to_string(),
                    };
                    let place = if k % 4 == 2 { start + (line_end - start) / 2 } else { start };
                    if old.is_char_boundary(place) {
                        at.push((place, text));
                    }
                }
                at.push((old.len(), "end\n".to_string()));
                let mut new = String::new();
                let mut spans = Vec::new();
                let mut pos = 0;
                for (place, text) in &at {
                    new.push_str(&old[pos..*place]);
                    spans.push(new.len()..new.len() + text.len());
                    new.push_str(text);
                    pos = *place;
                }
                new.push_str(&old[pos..]);
                let windowed = unified_inserted(&old, &new, &spans, "a/f", "b/f");
                let what = format!("{} with every {step}th line", entry.path().display());
                assert_eq!(patched(&old, &windowed), new, "{what}: {windowed}");
                same += usize::from(windowed == unified(&old, &new, "a/f", "b/f"));
                count += 1;
            }
        }
        assert!(count > 50, "only {count} files compared");
        // Where inserted lines are like those around them, the whole
        // texts' diff may slide them elsewhere; each is right.
        assert!(same * 10 >= count * 9, "only {same} of {count} the same as the whole texts' diff");
        // Texts that are not the insertions: the whole texts compared.
        let wrong: Vec<std::ops::Range<usize>> = std::iter::once(2..3).collect();
        assert_eq!(unified_inserted("a\nb\n", "a\nc\n", &wrong, "a", "b"), unified("a\nb\n", "a\nc\n", "a", "b"));
    }

    #[test]
    fn same_text_as_similar_on_mangled_files() {
        // Every file of the fixtures against copies with lines inserted,
        // removed and changed at places spread through the file.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut count = 0;
        for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file())
        {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            for step in [3usize, 17, 101] {
                let mut mangled = String::new();
                for (i, l) in lines.iter().enumerate() {
                    match i % step {
                        0 => mangled.push_str(&format!("{l}}}\n\n")),
                        1 if step > 3 => {}
                        2 if step > 17 => mangled.push_str("changed\n"),
                        _ => mangled.push_str(l),
                    }
                }
                check(&text, &mangled);
                check(&mangled, &text);
                count += 1;
            }
        }
        assert!(count > 50, "only {count} files compared");
    }
}
