//! The integration tests: one binary (linked once, sharing `common`), each
//! module driving the real `add-backend` binary on temporary copies of the
//! fixtures in `tests/fixtures/`. Where to look:
//!
//! - `architecture`: the layers ARCHITECTURE.md describes, read from `src/`.
//! - `common`: the sandbox (a fixture copied to a temp dir, with its own
//!   config and state directories), running the binary, and tree snapshots.
//! - `cli`: adding a backend on the Litestream fixture, what it writes and
//!   what it refuses; re-generation with other settings.
//! - `interface`: the command line itself: command typos, option order,
//!   help, completions, the man page, quiet/verbose, the JSON schema.
//! - `generated`: insta snapshots of every generated file and diff.
//! - `go_toolchain`: gofmt, go vet, go build and go test on generated code.
//! - `sccache`: the sccache fixture, built with cargo before and after an add.
//! - `rclone`: the rclone-shaped fixture (a profile and templates only), and
//!   the generated backend built against a released rclone.
//! - `own_project`: made-up Go and Rust projects described by a profile
//!   in their own `.add-backend/`, with no code of add-backend's for them.
//! - `remove`, `doctor`, `templates`: the commands of the same names.
//! - `require`: `--require`, go.mod and go.sum through `go get`.
//! - `like`: `--like SIBLING`, a backend cloned from one the checkout has:
//!   on the Litestream, rclone and sccache fixtures and made-up projects,
//!   built and tested, refusals, rerun and remove.
//! - `learn`: `learn --like SIBLING`, a profile learnt from a backend: an
//!   add by it writes what `--like` writes, on every fixture; doctor.
//! - `faults`: a failure or a kill at every filesystem step; locks; journals.
//! - `safety`: symlinks, read-only files, encodings, modes.
//! - `hostile`: what a hostile checkout could try (docs/RELIABILITY.md).

mod architecture;
mod cli;
mod common;
mod doctor;
mod faults;
mod generated;
mod go_toolchain;
mod hostile;
mod interface;
mod learn;
mod like;
mod own_project;
mod rclone;
mod remove;
mod require;
mod safety;
mod sccache;
mod templates;
