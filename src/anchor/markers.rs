//! Blocks of prose between explicit markers, so that an insertion into a
//! document is findable and removable:
//!
//! ```text
//! <!-- add-backend ftp begin -->          # add-backend ftp begin
//! ...                                     ...
//! <!-- add-backend ftp end -->            # add-backend ftp end
//! ```
//!
//! A document may carry an `add-backend insert` marker to say where new
//! blocks go; without it they go after the last block, or at the end.

/// How a document writes a comment line.
#[derive(Clone, Copy)]
pub struct Comment {
    pub open: &'static str,
    pub close: &'static str,
}

pub const MARKDOWN: Comment = Comment { open: "<!--", close: " -->" };
pub const YAML: Comment = Comment { open: "#", close: "" };

impl Comment {
    pub fn begin(self, name: &str) -> String {
        format!("{} add-backend {name} begin{}", self.open, self.close)
    }

    pub fn end(self, name: &str) -> String {
        format!("{} add-backend {name} end{}", self.open, self.close)
    }

    pub fn insert_marker(self) -> String {
        format!("{} add-backend insert{}", self.open, self.close)
    }

    /// Whether the document already holds the block of `name`.
    pub fn has_block(self, doc: &str, name: &str) -> bool {
        let begin = self.begin(name);
        // A line that is the marker, whitespace around it aside.
        memchr::memmem::find_iter(doc.as_bytes(), &begin).any(|at| {
            let line = &doc[super::line_start(doc, at)..super::line_end(doc, at)];
            line.trim() == begin
        })
    }

    /// `block` wrapped in markers, placed in `doc`: the offset to insert at
    /// and the text, with the blank lines that make it a paragraph of its own.
    pub fn insertion(self, doc: &str, name: &str, block: &str) -> (usize, String) {
        let at = self.insertion_offset(doc);
        let before = &doc[..at];
        let lead = if before.is_empty() || before.ends_with("\n\n") {
            ""
        } else if before.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        let trail = if doc[at..].is_empty() || doc[at..].starts_with('\n') { "" } else { "\n" };
        let block = if block.ends_with('\n') { block.to_string() } else { format!("{block}\n") };
        (at, format!("{lead}{}\n{block}{}\n{trail}", self.begin(name), self.end(name)))
    }

    fn insertion_offset(self, doc: &str) -> usize {
        let marker = self.insert_marker();
        if let Some(at) = doc.find(&marker) {
            return super::line_start(doc, at);
        }
        let end_suffix = format!(" end{}", self.close);
        let prefix = format!("{} add-backend ", self.open);
        // The line after the last that starts with the prefix and ends
        // with the end marker's suffix: found where the prefix is.
        memchr::memmem::find_iter(doc.as_bytes(), &prefix)
            .filter(|&at| at == 0 || doc.as_bytes()[at - 1] == b'\n')
            .map(|at| super::line_end(doc, at))
            .filter(|&end| doc[..end].trim_end().ends_with(&end_suffix))
            .last()
            .unwrap_or(doc.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_found_by_search_are_the_lines_a_scan_finds() {
        let by_lines = |style: Comment, doc: &str, name: &str| {
            let has = doc.lines().any(|l| l.trim() == style.begin(name));
            let (end_suffix, prefix) = (format!(" end{}", style.close), format!("{} add-backend ", style.open));
            let mut offset = 0;
            let mut last_end = None;
            for line in doc.split_inclusive('\n') {
                offset += line.len();
                let l = line.trim_end();
                if l.starts_with(&prefix) && l.ends_with(&end_suffix) {
                    last_end = Some(offset);
                }
            }
            (has, last_end.unwrap_or(doc.len()))
        };
        for (style, doc) in [
            (MARKDOWN, "# Doc\n<!-- add-backend a begin -->\nA\n<!-- add-backend a end -->\r\nrest\n"),
            (
                MARKDOWN,
                "x <!-- add-backend a begin -->\n  <!-- add-backend a begin -->  \n<!-- add-backend a end --> y\n",
            ),
            (MARKDOWN, "<!-- add-backend b end -->"),
            (YAML, "a: 1\n# add-backend a begin\n# x\n# add-backend a end\n#  add-backend a end\nb: 2\n"),
            (YAML, "# add-backend \n# add-backend end\n\t# add-backend a begin\n"),
            (YAML, ""),
        ] {
            for name in ["a", "b"] {
                assert_eq!(
                    (style.has_block(doc, name), style.insertion_offset(doc)),
                    by_lines(style, doc, name),
                    "{doc:?}"
                );
            }
        }
    }

    #[test]
    fn new_blocks_go_before_the_insert_marker() {
        let doc = "# Doc\n\n<!-- add-backend insert -->\nrest\n";
        let (at, text) = MARKDOWN.insertion(doc, "ftp", "FTP\n");
        assert_eq!(at, 7);
        assert_eq!(text, "<!-- add-backend ftp begin -->\nFTP\n<!-- add-backend ftp end -->\n\n");
    }

    #[test]
    fn new_blocks_follow_the_last_block() {
        let doc = "# Doc\n<!-- add-backend a begin -->\nA\n<!-- add-backend a end -->\nrest\n";
        let (at, text) = MARKDOWN.insertion(doc, "b", "B");
        assert_eq!(&doc[at..], "rest\n");
        assert_eq!(text, "\n<!-- add-backend b begin -->\nB\n<!-- add-backend b end -->\n\n");
    }

    #[test]
    fn otherwise_at_the_end_after_a_blank_line() {
        assert_eq!(
            YAML.insertion("a: 1\n", "ftp", "# x\n"),
            (5, "\n# add-backend ftp begin\n# x\n# add-backend ftp end\n".to_string())
        );
        assert_eq!(
            YAML.insertion("a: 1", "ftp", "# x\n").1,
            "\n\n# add-backend ftp begin\n# x\n# add-backend ftp end\n"
        );
        assert_eq!(YAML.insertion("", "ftp", "# x\n").1, "# add-backend ftp begin\n# x\n# add-backend ftp end\n");
    }

    #[test]
    fn finds_an_existing_block() {
        assert!(MARKDOWN.has_block("x\n<!-- add-backend ftp begin -->\n", "ftp"));
        assert!(!MARKDOWN.has_block("x\n<!-- add-backend ftps begin -->\n", "ftp"));
    }
}
