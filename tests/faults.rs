//! A write that fails at any step leaves the checkout byte-identical.
//! Needs the test-only `fault-injection` feature (`cargo test --all-features`).
#![cfg(feature = "fault-injection")]

mod common;

use common::Sandbox;

const ARGS: [&str; 5] = ["ftp", "--field", "host!", "--field", "port:int"];

#[test]
fn a_fault_at_every_step_of_an_apply_leaves_the_tree_unchanged() {
    let mut step = 1;
    loop {
        let sb = Sandbox::litestream();
        let before = sb.tree();
        let n = step.to_string();
        let run = sb.run_in(&sb.root, &ARGS, &[("ADD_BACKEND_FAIL_AT", &n)]);
        if run.code == 0 {
            break;
        }
        run.fails(3, &format!("injected fault at step {step}; nothing was changed"));
        assert!(run.stderr.starts_with("error: cannot write "), "names the file: {}", run.stderr);
        assert_eq!(sb.tree(), before, "step {step} left the tree changed");
        step += 1;
    }
    // One directory (ftp/), then a temporary file and a rename for each file.
    let sb = Sandbox::litestream();
    let plan: serde_json::Value =
        serde_json::from_str(&sb.run(&[&ARGS[..], &["--dry-run", "--format", "json"]].concat()).stdout).unwrap();
    let files = plan["files"].as_array().unwrap().iter().filter(|f| f["action"] != "none").count();
    assert_eq!(files, 10);
    assert_eq!(step - 1, 1 + 2 * files, "every step of the run was failed once");
}
