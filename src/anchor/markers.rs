//! Blocks of prose between explicit markers, so that an insertion into a
//! Markdown file is findable and removable:
//!
//! ```text
//! <!-- add-backend ftp begin -->
//! ...
//! <!-- add-backend ftp end -->
//! ```
//!
//! A document may carry `<!-- add-backend insert -->` to say where new
//! blocks go; without it they go after the last block, or at the end.

pub const INSERT_MARKER: &str = "<!-- add-backend insert -->";

pub fn begin(name: &str) -> String {
    format!("<!-- add-backend {name} begin -->")
}

pub fn end(name: &str) -> String {
    format!("<!-- add-backend {name} end -->")
}

/// Whether the document already holds the block of `name`.
pub fn has_block(doc: &str, name: &str) -> bool {
    doc.contains(&begin(name))
}

/// Where a new block goes, and the newlines to put before and after it so
/// that it stands as a paragraph of its own.
pub fn insertion_point(doc: &str) -> (usize, &'static str, &'static str) {
    let (at, before) = insertion_offset(doc);
    let after = if doc[at..].is_empty() || doc[at..].starts_with('\n') {
        ""
    } else {
        "\n"
    };
    (at, before, after)
}

fn insertion_offset(doc: &str) -> (usize, &'static str) {
    if let Some(at) = doc.find(INSERT_MARKER) {
        return (super::line_start(doc, at), "");
    }
    let last_block_end = doc
        .match_indices("<!-- add-backend ")
        .map(|(at, _)| (at, super::line_end(doc, at)))
        .filter(|&(at, end)| doc[at..end].trim_end().ends_with(" end -->"))
        .last();
    let at = last_block_end.map_or(doc.len(), |(_, end)| end);
    let before = &doc[..at];
    let separator = if before.is_empty() || before.ends_with("\n\n") {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    (at, separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_blocks_go_before_the_insert_marker() {
        let doc = "# Doc\n\n<!-- add-backend insert -->\nrest\n";
        assert_eq!(insertion_point(doc), (7, "", "\n"));
    }

    #[test]
    fn new_blocks_follow_the_last_block() {
        let doc = "# Doc\n<!-- add-backend a begin -->\nA\n<!-- add-backend a end -->\nrest\n";
        let (at, before, after) = insertion_point(doc);
        assert_eq!(&doc[at..], "rest\n");
        assert_eq!((before, after), ("\n", "\n"));
    }

    #[test]
    fn otherwise_at_the_end_after_a_blank_line() {
        assert_eq!(insertion_point("# Doc\n"), (6, "\n", ""));
        assert_eq!(insertion_point("# Doc"), (5, "\n\n", ""));
        assert_eq!(insertion_point(""), (0, "", ""));
    }
}
