//! Every lint rule and validation code has a fixture folder under tests/rules/<code>/:
//! `migrations/` (an Alembic versions folder or a plain-SQL folder), optional `args`
//! (extra global arguments before `check`, one line, e.g. `--dialect sqlite`), optional
//! `check-args` (arguments of `check`, e.g. `--pg-version 10`), and `expected.txt`, the findings as
//! `severity code file:line message`, one a line. The rule's own code must be among
//! them, so a rule that stops firing fails here; the fixture's "fine" cases show what it
//! must not report. Update with MIGPLAN_UPDATE_GOLDENS=1 and review the diff.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

/// The words of an optional one-line arguments file.
fn words(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn snapshot(dir: &Path) -> (String, Vec<String>) {
    snapshot_with(dir, &[])
}

/// The findings of `check` in `dir`, with `more` check arguments after the fixture's own.
fn snapshot_with(dir: &Path, more: &[&str]) -> (String, Vec<String>) {
    let out = run(dir, more);
    lines_of(dir, &out.stdout, &out.stderr)
}

fn run(dir: &Path, more: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(["-d", "migrations"])
        .args(words(&dir.join("args")))
        .args(["check", "--format", "json"])
        .args(words(&dir.join("check-args")))
        .args(more)
        .current_dir(dir)
        .output()
        .expect("run migplan")
}

fn lines_of(dir: &Path, stdout: &[u8], stderr: &[u8]) -> (String, Vec<String>) {
    let v: serde_json::Value =
        serde_json::from_slice(stdout).unwrap_or_else(|e| panic!("{}: bad JSON ({e}): {}", dir.display(), String::from_utf8_lossy(stderr)));
    let mut lines = String::new();
    let mut codes = Vec::new();
    for d in v["diagnostics"].as_array().expect("diagnostics") {
        let code = d["code"].as_str().unwrap_or("").to_string();
        lines.push_str(&format!(
            "{} {} {}:{} {}\n",
            d["severity"].as_str().unwrap_or(""),
            code,
            d["file"].as_str().unwrap_or("-"),
            d["line"].as_u64().unwrap_or(0),
            d["message"].as_str().unwrap_or("")
        ));
        codes.push(code);
    }
    (lines, codes)
}

#[test]
fn every_rule_fixture_matches_its_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    let mut failures = Vec::new();
    let mut seen = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&root).expect("tests/rules").flatten().map(|e| e.path()).collect();
    entries.sort();
    for dir in entries.into_iter().filter(|p| p.is_dir()) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (text, codes) = snapshot(&dir);
        let golden = dir.join("expected.txt");
        if std::env::var_os("MIGPLAN_UPDATE_GOLDENS").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if text != want {
            failures.push(format!(
                "{name}: findings differ from expected.txt\n--- got\n{text}--- want\n{want}"
            ));
        }
        if !codes.contains(&name) {
            failures.push(format!("{name}: the fixture does not produce its own code"));
        }
        seen.push(name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every rule has a fixture.
    for rule in migplan::lint::all_rules() {
        assert!(
            seen.iter().any(|s| s == rule.code().name()),
            "no fixture for rule {}",
            rule.code().name()
        );
    }
}

#[test]
fn every_rule_is_documented_with_problem_and_fix() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md")).expect("docs/rules.md");
    for rule in migplan::lint::all_rules() {
        let name = rule.code().name();
        let at = doc
            .find(&format!("## `{name}`"))
            .unwrap_or_else(|| panic!("docs/rules.md has no section for {name}"));
        let section = &doc[at..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
        assert!(
            section.contains("**Problem.**") && section.contains("**Fix.**"),
            "{name}: needs **Problem.** and **Fix.**"
        );
    }
}
