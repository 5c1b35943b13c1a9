//! The real Alembic as an oracle for integration tests: the venv scripts/test makes in
//! target/alembic-venv. Without it a test skips with a notice, unless
//! MIGPLAN_REQUIRE_ORACLE=1 (scripts/test sets it), when a missing venv fails the test.

use std::path::{Path, PathBuf};

/// The venv's `alembic`, or None (after a notice) when the test should skip.
pub fn alembic() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/alembic-venv/bin/alembic");
    if bin.exists() {
        return Some(bin);
    }
    let required = std::env::var_os("MIGPLAN_REQUIRE_ORACLE").is_some_and(|v| v == "1");
    assert!(!required, "no {} (scripts/test creates it)", bin.display());
    eprintln!("skipped: no {}", bin.display());
    None
}
