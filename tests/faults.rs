//! A write that fails at any step leaves the checkout byte-identical.
//! Needs the test-only `fault-injection` feature (`cargo test --all-features`).
#![cfg(feature = "fault-injection")]

mod common;

use common::Sandbox;

#[test]
fn a_fault_at_every_step_of_an_apply_leaves_the_tree_unchanged() {
    let mut step = 1;
    loop {
        let sb = Sandbox::litestream();
        let before = sb.tree();
        let n = step.to_string();
        let run = sb.run_in(&sb.root, &["ftp"], &[("ADD_BACKEND_FAIL_AT", &n)]);
        if run.code == 0 {
            break;
        }
        run.fails(
            3,
            &format!("injected fault at step {step}; nothing was changed"),
        );
        assert!(
            run.stderr.starts_with("error: cannot write "),
            "names the file: {}",
            run.stderr
        );
        assert_eq!(sb.tree(), before, "step {step} left the tree changed");
        step += 1;
    }
    // One directory, then a temp file and a rename for each of five files.
    assert_eq!(step, 12, "a full run has 11 steps");
}
