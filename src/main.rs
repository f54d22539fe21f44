//! The `add-backend` binary: the library's `main` (src/lib.rs).

fn main() -> std::process::ExitCode {
    add_backend::main()
}
