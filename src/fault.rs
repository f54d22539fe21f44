//! Test-only fault injection, built with the `fault-injection` feature
//! (nothing, in a normal build): a leaf every writer calls at each step.
//! - `ADD_BACKEND_FAIL_AT=N` fails the N-th filesystem step of an apply,
//!   with `ADD_BACKEND_FAIL_KIND` (`nospace`, `readonly`, else a plain error);
//! - `ADD_BACKEND_KILL_AT=N` kills the process at the N-th step, running
//!   no destructor, as SIGKILL would;
//! - `ADD_BACKEND_TOUCH=FILE` changes FILE between planning and applying;
//! - `ADD_BACKEND_SWAP=DIR` swaps directory DIR for a symlink to it, moved
//!   out of the checkout, between planning and applying.
//!
//! Undoing is counted too, so a test can also fail the restore.

#[cfg(feature = "fault-injection")]
pub fn point() -> std::io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static STEP: AtomicUsize = AtomicUsize::new(0);
    let step = STEP.fetch_add(1, Ordering::SeqCst) + 1;
    let at = |var: &str| std::env::var(var).ok().and_then(|n| n.parse::<usize>().ok()) == Some(step);
    if at("ADD_BACKEND_KILL_AT") {
        std::process::abort();
    }
    if !at("ADD_BACKEND_FAIL_AT") {
        return Ok(());
    }
    Err(match std::env::var("ADD_BACKEND_FAIL_KIND").as_deref() {
        Ok("nospace") => std::io::Error::from(std::io::ErrorKind::StorageFull),
        Ok("readonly") => std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        _ => std::io::Error::other(format!("injected fault at step {step}")),
    })
}

/// `ADD_BACKEND_FAIL_CLEANUP=all` fails every step of the clean-up
/// after the last rename (`what`: `journal`, marking it done; `files`,
/// removing the originals); `=files` or `=journal`, that step only.
#[cfg(feature = "fault-injection")]
pub fn cleanup(what: &str) -> std::io::Result<()> {
    match std::env::var("ADD_BACKEND_FAIL_CLEANUP") {
        Ok(v) if v == "all" || v == what => Err(std::io::Error::other("injected clean-up fault")),
        _ => Ok(()),
    }
}

#[cfg(not(feature = "fault-injection"))]
pub fn cleanup(_: &str) -> std::io::Result<()> {
    Ok(())
}

#[cfg(feature = "fault-injection")]
pub fn before_apply(root: &std::path::Path) {
    // A local attacker's race: directory DIR moved out of the checkout
    // and a symlink to it put in its place, once the plan is made.
    if let Ok(dir) = std::env::var("ADD_BACKEND_SWAP") {
        let away = root.parent().expect("the checkout has a parent").join("swapped");
        std::fs::rename(root.join(&dir), &away).expect("the test's directory can be moved");
        std::os::unix::fs::symlink(&away, root.join(&dir)).expect("the test's symlink can be made");
    }
    if let Ok(file) = std::env::var("ADD_BACKEND_TOUCH") {
        let path = root.join(file);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str("// touched\n");
        std::fs::write(path, text).expect("the test's file can be written");
    }
}

#[cfg(not(feature = "fault-injection"))]
pub fn point() -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(feature = "fault-injection"))]
pub fn before_apply(_: &std::path::Path) {}
