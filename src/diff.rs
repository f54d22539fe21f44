//! Unified diffs of two texts, line by line: similar's Myers diff and its
//! hunk grouping, fed lines cut with memchr and numbered with a fast hash.
//!
//! The ops are those `similar::TextDiff::from_lines` computes (the same
//! steps: common prefix and suffix trimmed, Myers on the middle, `Compact`
//! and `Replace` over the whole) and the text is what its `unified_diff()`
//! prints; what differs is the cost: similar's own line tokenizer and line
//! hashing cost more than the diff itself on a large file with a few
//! insertions. A leaf: it knows nothing of plans or projects.

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
            old[old_range].iter().for_each(|l| line(out, ' ', l));
            continue;
        }
        old[old_range].iter().for_each(|l| line(out, '-', l));
        new[new_range].iter().for_each(|l| line(out, '+', l));
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
