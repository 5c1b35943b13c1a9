//! Plain-SQL migration folders: every folder under tests/sql_folders/ is run through the
//! commands its `cases.txt` lists (`<golden>: <arguments>`), from inside the folder, and
//! the output (stdout, stderr, exit status) must equal `expected/<golden>`.
//! `MIGPLAN_UPDATE_GOLDENS=1` rewrites the goldens; review them by eye.

#[path = "support/golden_cases.rs"]
mod golden_cases;

use std::path::Path;
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_migplan")
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(bin()).current_dir(dir).args(args).output().expect("run migplan");
    golden_cases::transcript(&out)
}

#[test]
fn folders_match_their_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql_folders");
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in golden_cases::case_folders(&root) {
        let (n, f) = golden_cases::check_folder(&dir, |args| {
            let mut argv: Vec<&str> = args.split_whitespace().collect();
            if !argv.contains(&"-d") {
                argv.splice(0..0, ["-d", "migrations"]);
            }
            run(&dir, &argv)
        });
        count += n;
        failures.extend(f);
    }
    assert!(count > 0, "no cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} golden(s) differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Bad input too awkward to commit: each becomes a diagnostic, never a panic.
#[test]
fn bad_input_becomes_diagnostics() {
    let dir = std::env::temp_dir().join(format!("migplan-bad-sql-{}", std::process::id()));
    let m = dir.join("migrations");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("1_ok.up.sql"), "CREATE TABLE a (x int);\n").unwrap();
    std::fs::write(m.join("1_ok.down.sql"), "DROP TABLE a;\n").unwrap();
    std::fs::write(m.join("2_binary.up.sql"), b"\x00\x01\x02PK\x03\x04").unwrap();
    let mut big = String::with_capacity(21 << 20);
    while big.len() < 20 << 20 {
        big.push_str("INSERT INTO a (x) VALUES (1);\n");
    }
    std::fs::write(m.join("3_big.up.sql"), &big).unwrap();
    std::fs::write(m.join("4_dollar.up.sql"), "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n").unwrap();
    std::fs::write(m.join("99999999999999999999_overflow.up.sql"), "SELECT 1;\n").unwrap();
    std::fs::write(m.join("5_orphan.down.sql"), "DROP TABLE b;\n").unwrap();
    std::fs::write(m.join("001_again.up.sql"), "SELECT 1;\n").unwrap();
    std::fs::write(m.join("6_latin1.up.sql"), b"SELECT '\xe9t\xe9';\n").unwrap();

    let out = Command::new(bin())
        .current_dir(&dir)
        .args(["-d", "migrations", "check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check prints JSON");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for want in [
        "binary-file",
        "file-too-large",
        "unterminated-sql",
        "unparsable-version",
        "orphan-down",
        "duplicate-version",
        "invalid-encoding",
    ] {
        assert!(codes.contains(&want), "{want} missing from {codes:?}");
    }
    assert_eq!(out.status.code(), Some(1));
    // Every diagnostic names its file.
    for d in json["diagnostics"].as_array().unwrap() {
        assert!(d["file"].is_string(), "{d}");
    }
    // The plan of what could be read still renders; nothing panics.
    let out = Command::new(bin())
        .current_dir(&dir)
        .args(["-d", "migrations", "upgrade", "head", "--sql"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("-- Running upgrade  -> "), "{text}");
    assert!(text.contains("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let _ = std::fs::remove_dir_all(&dir);
}
