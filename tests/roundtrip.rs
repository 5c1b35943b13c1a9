//! `migplan check --roundtrip`: the history applied to a scratch SQLite database, compared
//! with the simulated schema after every step, undone to base and applied again.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN).args(args).current_dir(dir).output().expect("run migplan");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn script(id: &str, down: &str, upgrade: &str, downgrade: &str) -> String {
    format!(
        "\"\"\"{id}\n\nRevision ID: {id}\nRevises: {down}\nCreate Date: 2026-01-01 00:00:00\n\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '{id}'\ndown_revision = {}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n",
        if down.is_empty() { "None".to_string() } else { format!("'{down}'") }
    )
}

#[test]
fn a_clean_history_round_trips() {
    let (code, out, err) = run(&fixture("sql_batch_sqlite"), &["-d", "versions", "check", "--roundtrip"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("0 problem(s)"), "{out}{err}");
}

#[test]
fn a_downgrade_that_leaves_a_column_is_found_and_a_failing_statement_is_named() {
    let tmp = std::env::temp_dir().join(format!("migplan-roundtrip-test-{}", std::process::id()));
    let versions = tmp.join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        versions.join("a1_create.py"),
        script(
            "a1",
            "",
            "op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))",
            "op.drop_table('t')",
        ),
    )
    .unwrap();
    // The downgrade forgets the table it should drop.
    std::fs::write(
        versions.join("b2_notes.py"),
        script(
            "b2",
            "a1",
            "op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True))",
            "pass",
        ),
    )
    .unwrap();
    let (code, out, err) = run(&tmp, &["-d", "versions", "check", "--roundtrip"]);
    // Left behind after downgrade base, and upgrading again then fails on it.
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("warning[roundtrip-mismatch]: after downgrade base"), "{err}");
    assert!(err.contains("extra table notes"), "{err}");
    assert!(err.contains("error[roundtrip-failed]: upgrade heads after downgrade base"), "{err}");
    assert!(err.contains("already exists"), "{err}");
    std::fs::write(
        versions.join("b2_notes.py"),
        script(
            "b2",
            "a1",
            "op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True))",
            "op.drop_table('notes')",
        ),
    )
    .unwrap();

    // A statement SQLite rejects: the error names revision, file, line and SQLite's words.
    std::fs::write(
        versions.join("c3_bad.py"),
        script("c3", "b2", "op.execute('CREATE EXTENSION pg_trgm')", "pass"),
    )
    .unwrap();
    let (code, _, err) = run(&tmp, &["-d", "versions", "check", "--roundtrip"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("roundtrip-failed"), "{err}");
    assert!(err.contains("c3_bad.py:18"), "{err}");
    assert!(err.contains("syntax error"), "{err}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_postgresql_only_history_fails_with_the_statement() {
    let (code, _, err) = run(&fixture("branchy"), &["-d", "versions", "check", "--roundtrip"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("CREATE EXTENSION IF NOT EXISTS pg_trgm"), "{err}");
}
