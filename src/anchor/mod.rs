//! Insertion points, found by structure: parsers for Go and Rust sources,
//! toml_edit for Cargo.toml, explicit markers or the document's own
//! structure (fenced blocks, headings) for prose.

pub mod cargo;
pub mod go;
pub mod go_units;
pub mod lists;
pub mod markers;
pub mod prose;
pub mod rust;
pub mod rust_items;
pub mod rust_units;

/// Byte offset of the start of the line holding `at`.
pub fn line_start(src: &str, at: usize) -> usize {
    memchr::memrchr(b'\n', &src.as_bytes()[..at]).map_or(0, |i| i + 1)
}

/// Byte offset just past the line holding `at` (after its newline).
pub fn line_end(src: &str, at: usize) -> usize {
    memchr::memchr(b'\n', &src.as_bytes()[at..]).map_or(src.len(), |i| at + i + 1)
}

/// The whitespace that indents the line holding `at`.
pub fn indentation(src: &str, at: usize) -> &str {
    let start = line_start(src, at);
    let line = &src[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Each line of `text` indented by `indent` (blank lines left blank), each
/// ending in a newline.
pub fn indent_lines(text: &str, indent: &str) -> String {
    text.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("{indent}{l}\n") }).collect()
}

/// Whether `text` holds a blank line, whatever its line endings.
pub fn blank_line_in(text: &str) -> bool {
    text.contains("\n\n") || text.contains("\n\r\n")
}

/// 1-based line number of `at`, for messages.
pub fn line_number(src: &str, at: usize) -> usize {
    src[..at].matches('\n').count() + 1
}
