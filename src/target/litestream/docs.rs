//! The documentation a backend gets: a configuration example in the
//! README and in `etc/litestream.yml` (between markers), and its node in
//! the architecture diagram of `docs/ARCHITECTURE.md`.

use anyhow::Result;

use crate::anchor::{self, markers};
use crate::checkout::Checkout;
use crate::names::BackendName;
use crate::plan::{Edit, FileChange, Item, Status};
use crate::render::Renderer;

const README: &str = "README.md";
const ARCHITECTURE: &str = "docs/ARCHITECTURE.md";
const EXAMPLE_CONFIG: &str = "etc/litestream.yml";

pub fn readme(checkout: &Checkout, name: &BackendName, renderer: &Renderer) -> Result<FileChange> {
    let doc = checkout.require(README, "the configuration example goes there")?;
    let block = renderer.render("litestream/readme.md")?;
    Ok(marked_block(README, doc, markers::MARKDOWN, name, &block, format!("{} configuration example", name.r#type)))
}

pub fn example_config(checkout: &Checkout, name: &BackendName, renderer: &Renderer) -> Result<Option<FileChange>> {
    let Some(doc) = checkout.read(EXAMPLE_CONFIG)? else {
        return Ok(None);
    };
    let block = renderer.render("litestream/litestream.yml")?;
    Ok(Some(marked_block(
        EXAMPLE_CONFIG,
        doc,
        markers::YAML,
        name,
        &block,
        format!("{} example, commented", name.r#type),
    )))
}

fn marked_block(
    path: &str,
    doc: String,
    style: markers::Comment,
    name: &BackendName,
    block: &str,
    what: String,
) -> FileChange {
    let present = style.has_block(&doc, &name.r#type);
    let mut edits = Vec::new();
    if !present {
        let (at, text) = style.insertion(&doc, &name.r#type, block);
        edits.push(Edit { at, text });
    }
    let items = vec![Item { what, status: if present { Status::Present } else { Status::Insert } }];
    FileChange::patched(path.to_string(), doc, &edits, items)
}

/// The backend's node and its `RC -->` edge in the mermaid diagram, each
/// after the last of its kind. A diagram without them is left alone.
pub fn architecture(checkout: &Checkout, name: &BackendName, warnings: &mut Vec<String>) -> Result<Option<FileChange>> {
    let Some(doc) = checkout.read(ARCHITECTURE)? else {
        return Ok(None);
    };
    let node = format!("{}[{}/replica_client.go]", name.go_name, name.package);
    let present = doc.contains(&format!("[{}/replica_client.go]", name.package));
    let mut edits = Vec::new();
    if !present {
        let Some(diagram) = mermaid_block(&doc) else {
            warnings.push(format!("{ARCHITECTURE} has no mermaid diagram; add {node} by hand"));
            return Ok(None);
        };
        let lines = || lines_in(&doc, diagram.clone());
        let last_node = lines().filter(|(_, l)| l.trim().ends_with("/replica_client.go]")).last();
        let last_edge = lines().filter(|(_, l)| l.trim().starts_with("RC --> ")).last();
        let (Some((node_at, _)), Some((edge_at, _))) = (last_node, last_edge) else {
            warnings.push(format!("{ARCHITECTURE}: no backend node and `RC -->` edge to follow; add {node} by hand"));
            return Ok(None);
        };
        for (at, line) in [(node_at, node.clone()), (edge_at, format!("RC --> {}", name.go_name))] {
            let indent = anchor::indentation(&doc, at);
            edits.push(Edit { at: anchor::line_end(&doc, at), text: format!("{indent}{line}\n") });
        }
    }
    let status = if present { Status::Present } else { Status::Insert };
    let items = vec![Item { what: format!("node {node} in the diagram"), status }];
    Ok(Some(FileChange::patched(ARCHITECTURE.to_string(), doc, &edits, items)))
}

/// The byte range of the first ```mermaid fenced block's body.
fn mermaid_block(doc: &str) -> Option<std::ops::Range<usize>> {
    let open = doc.find("```mermaid")?;
    let start = anchor::line_end(doc, open);
    let end = start + doc[start..].find("\n```").map_or(doc.len() - start, |i| i + 1);
    Some(start..end)
}

/// Each line start in `range`, with its line.
fn lines_in(doc: &str, range: std::ops::Range<usize>) -> impl Iterator<Item = (usize, &str)> {
    let base = range.start;
    doc[range].split_inclusive('\n').scan(base, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}
