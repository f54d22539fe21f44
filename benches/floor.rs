//! The floor of a dry run: read the files the run reads, write nothing.
//!
//! `bash benches/bench.sh` builds this alone with rustc (statically linked
//! on Linux, as add-backend's release is) and hands it the files
//! `add-backend NAME --dry-run -v` says it read, in that order. Whatever a
//! dry run costs beyond this is add-backend's own work: parsing, planning,
//! rendering, diffing.
//!
//!     floor FILE...

use std::io::Write as _;

fn main() {
    let mut bytes = 0;
    for path in std::env::args_os().skip(1) {
        match std::fs::read(&path) {
            Ok(content) => bytes += content.len(),
            Err(e) => {
                eprintln!("floor: {}: {e}", path.to_string_lossy());
                std::process::exit(1);
            }
        }
    }
    // One write to stdout, as a dry run prints its diff.
    let _ = writeln!(std::io::stdout(), "{bytes}");
}
