//! migplan against the committed real-Alembic outputs (tests/fixtures/*/alembic/*.stdout,
//! captured by tests/oracle/capture.py). The same comparison runs against a fresh Alembic in
//! scripts/test; this one needs no Python.
//!
//! Normalised, as FORMATS.md §5 requires: the order inside label lists `(a, b)`, in
//! `Branches into:` / `Branch names:` lines and of the child lines under a branch point
//! (Python set order); `Path:` lines (Alembic prints absolute paths). Failures: Alembic
//! prints `FAILED:` on stdout, migplan on stderr.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sort_list(items: &str) -> String {
    let mut v: Vec<&str> = items.split(", ").collect();
    v.sort_unstable();
    v.join(", ")
}

fn normalise(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut l = line.to_string();
        for key in ["Branches into: ", "Branch names: "] {
            if let Some(rest) = l.strip_prefix(key) {
                l = format!("{key}{}", sort_list(rest));
            }
        }
        if let Some(p) = l.strip_prefix("Path: ") {
            l = format!(
                "Path: {}",
                Path::new(p)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
        }
        // label lists: "(a, b)" groups that are not "(deps) ->" parents
        let mut out = String::new();
        let mut rest = l.as_str();
        while let Some(i) = rest.find('(') {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find(')') else { break };
            let inner = &rest[i + 1..i + j];
            let after = &rest[i + j + 1..];
            if inner.contains(", ") && !after.starts_with(" ->") {
                out.push_str(&format!("({})", sort_list(inner)));
            } else {
                out.push_str(&rest[i..i + j + 1]);
            }
            rest = after;
        }
        out.push_str(rest);
        lines.push(out);
    }
    // sort runs of branch child lines
    let mut result: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in lines {
        if l.starts_with(' ') && l.trim_start().starts_with("-> ") {
            run.push(l);
            continue;
        }
        run.sort();
        result.append(&mut run);
        result.push(l);
    }
    run.sort();
    result.append(&mut run);
    result.join("\n")
}

fn failed_line(text: &str) -> String {
    text.lines()
        .filter(|l| l.starts_with("FAILED:"))
        .take(1)
        .collect::<Vec<_>>()
        .join("\n")
}

struct Case {
    fixture: PathBuf,
    name: String,
    args: Vec<String>,
    stdout: String,
    rc: i32,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&root).expect("fixtures").flatten().map(|e| e.path()).collect();
    fixtures.sort();
    for fx in fixtures {
        let gold = fx.join("alembic");
        if !gold.is_dir() {
            continue;
        }
        let mut names: Vec<PathBuf> = std::fs::read_dir(&gold)
            .expect("goldens")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "cmd"))
            .collect();
        names.sort();
        for cmd in names {
            let line = std::fs::read_to_string(&cmd).expect("cmd");
            let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            let Some(at) = words.iter().position(|w| w == "alembic" || w.ends_with("/alembic")) else {
                continue;
            };
            let stem = cmd.with_extension("");
            let stdout = std::fs::read_to_string(stem.with_extension("stdout")).unwrap_or_default();
            let rc = std::fs::read_to_string(stem.with_extension("rc"))
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            out.push(Case {
                fixture: fx.clone(),
                name: format!(
                    "{}/{}",
                    fx.file_name().unwrap_or_default().to_string_lossy(),
                    stem.file_name().unwrap_or_default().to_string_lossy()
                ),
                args: words[at + 1..].to_vec(),
                stdout,
                rc,
            });
        }
    }
    out
}

#[test]
fn migplan_prints_what_alembic_prints() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "expected the committed Alembic goldens, found {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for c in &cases {
        let out = Command::new(env!("CARGO_BIN_EXE_migplan"))
            .args(&c.args)
            .current_dir(&c.fixture)
            .output()
            .expect("run migplan");
        let ok = if c.rc == 0 {
            out.status.success() && normalise(&String::from_utf8_lossy(&out.stdout)) == normalise(&c.stdout)
        } else if c.rc == 1 {
            // Alembic crashed with a traceback: migplan must fail too, with its own message.
            !out.status.success()
        } else {
            !out.status.success() && failed_line(&String::from_utf8_lossy(&out.stderr)) == failed_line(&c.stdout)
        };
        if !ok {
            failures.push(format!(
                "{} ({}):\n--- alembic (rc {})\n{}\n--- migplan (rc {:?})\n{}{}",
                c.name,
                c.args.join(" "),
                c.rc,
                c.stdout,
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
