//! The `add-backend` binary: the library's `main` (src/lib.rs).

/// mimalloc rather than the C library's allocator, as ruff, uv and
/// Deno ship: a run makes some 12,000 short-lived allocations (Tera's
/// compiled templates, tree-sitter's nodes, the plan's strings), and
/// mimalloc's fast paths take 8 % off the instructions of a whole dry
/// run (benches/targets.sh). Without transparent huge pages
/// (`no_thp`): a run's heap is about 1.5 MiB, and a huge page would more than
/// double the process's resident memory for nothing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    add_backend::main()
}
