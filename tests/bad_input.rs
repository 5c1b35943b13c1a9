//! Broken projects (tests/fixtures/broken/*): every problem is a diagnostic with a file and a
//! line, never a panic. `check --format json` output is compared with `check.json` beside each
//! fixture; regenerate with `MIGPLAN_UPDATE_GOLDENS=1 cargo test --test bad_input` and review
//! the diff by eye.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn broken(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken").join(name)
}

fn check_json(dir: &Path) -> (Output, Value) {
    let out = Command::new(BIN)
        .args(["check", "--format", "json"])
        .current_dir(dir)
        .output()
        .expect("run migplan");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json from {}: {e}\n{}", dir.display(), String::from_utf8_lossy(&out.stdout)));
    (out, v)
}

/// Every diagnostic except `multiple-heads` names a file and a line.
fn assert_located(v: &Value) {
    for d in v["diagnostics"].as_array().expect("diagnostics") {
        if d["code"] == "multiple-heads" {
            continue;
        }
        assert!(
            d["file"].is_string() && d["line"].as_u64().is_some_and(|l| l >= 1),
            "diagnostic without file/line: {d}"
        );
    }
}

/// The codes of the findings about reading the history (the schema simulation and lint
/// rules have their own fixtures under tests/rules/).
fn codes(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .filter(|c| !migplan::Code::from_name(c).is_some_and(|c| c.is_validation()))
        .collect()
}

fn golden(name: &str, expect_errors: bool) -> Value {
    let dir = broken(name);
    let (out, v) = check_json(&dir);
    assert_eq!(
        out.status.code(),
        Some(if expect_errors { 1 } else { 0 }),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    assert_located(&v);
    let path = dir.join("check.json");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if std::env::var_os("MIGPLAN_UPDATE_GOLDENS").is_some() {
        std::fs::write(&path, &text).expect("write golden");
    }
    let want =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing golden {}; run with MIGPLAN_UPDATE_GOLDENS=1", path.display()));
    assert_eq!(text, want, "{name}: check.json differs from the golden");
    v
}

#[test]
fn syntax_error() {
    let v = golden("syntax_error", true);
    assert!(codes(&v).contains(&"python-syntax-error".to_string()));
    // the revision is still read from the broken file
    assert_eq!(v["revisions"], 3);
}

#[test]
fn binary_file() {
    let v = golden("binary_file", true);
    assert_eq!(codes(&v), vec!["binary-file"]);
}

#[test]
fn empty_file() {
    let v = golden("empty_file", false);
    assert_eq!(codes(&v), vec!["not-a-revision"]);
}

#[test]
fn self_loop() {
    let v = golden("self_loop", true);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "revision-cycle");
    assert!(d["message"].as_str().unwrap().starts_with("Self-loop is detected in revisions ("));
}

#[test]
fn cycle() {
    let v = golden("cycle", true);
    assert!(codes(&v).contains(&"revision-cycle".to_string()));
    // order-dependent commands refuse, with Alembic's message
    let out = Command::new(BIN).arg("history").current_dir(broken("cycle")).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FAILED: Cycle is detected in revisions ("));
}

#[test]
fn missing_parent() {
    let v = golden("missing_parent", true);
    assert!(v["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "missing-revision"
        && d["message"].as_str().unwrap().starts_with("Can't locate revision identified by '")));
}

#[test]
fn duplicate_id() {
    let v = golden("duplicate_id", true);
    let dups: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "duplicate-revision")
        .collect();
    assert_eq!(dups.len(), 2, "both files are reported");
    assert_ne!(dups[0]["file"], dups[1]["file"]);
}

#[test]
fn duplicate_label() {
    let v = golden("duplicate_label", true);
    assert!(codes(&v).contains(&"duplicate-branch-label".to_string()));
}

#[test]
fn non_literal() {
    let v = golden("non_literal", false);
    assert_eq!(codes(&v).iter().filter(|c| *c == "non-literal-revision-attribute").count(), 2);
}

#[test]
fn invalid_id() {
    let v = golden("invalid_id", true);
    assert_eq!(codes(&v).iter().filter(|c| *c == "invalid-revision-id").count(), 2);
}

#[test]
fn missing_functions() {
    let v = golden("missing_functions", true);
    let c = codes(&v);
    for want in ["missing-upgrade", "missing-downgrade", "empty-downgrade"] {
        assert!(c.contains(&want.to_string()), "{want} in {c:?}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("migplan-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A 5 MB revision (a seed-data migration) next to a normal one: read fine, no finding.
#[test]
fn big_file() {
    let dir = temp_dir("big");
    copy_dir(&broken("big_file"), &dir);
    let mut text = String::from(
        "\"\"\"seed postal codes\n\nRevision ID: d74dbe36ee7a\nRevises: 2a4fd0dfd4db\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'd74dbe36ee7a'\ndown_revision = '2a4fd0dfd4db'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    t = sa.table('postal_codes', sa.column('code', sa.String), sa.column('city', sa.String))\n    op.bulk_insert(t, [\n",
    );
    let mut i = 0u64;
    while text.len() < 5_000_000 {
        text.push_str(&format!("        {{'code': '{:05}', 'city': 'City number {}'}},\n", i % 100_000, i));
        i += 1;
    }
    text.push_str("    ])\n\n\ndef downgrade():\n    op.execute('DELETE FROM postal_codes')\n");
    std::fs::write(dir.join("versions/d74dbe36ee7a_seed_postal_codes.py"), text).unwrap();
    let (out, v) = check_json(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(v["revisions"], 2);
    assert_eq!(v["heads"], serde_json::json!(["d74dbe36ee7a"]));
    let _ = std::fs::remove_dir_all(&dir);
}

/// CRLF line endings and a BOM: the same answers as LF files, positions still right.
#[test]
fn crlf_and_bom_report_correct_lines() {
    let dir = temp_dir("crlf");
    std::fs::create_dir_all(dir.join("versions")).unwrap();
    let text = "\u{feff}\"\"\"first\r\n\r\nRevision ID: aaaa00000001\r\n\"\"\"\r\nrevision = 'aaaa00000001'\r\ndown_revision = None\r\n\r\ndef upgrade():\r\n    op.execute('x')\r\n\r\ndef downgrade():\r\n    pass\r\n";
    std::fs::write(dir.join("versions/aaaa00000001_first.py"), text).unwrap();
    let out = Command::new(BIN)
        .args(["-d", "versions", "check", "--format", "json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "empty-downgrade")
        .unwrap();
    assert_eq!(d["code"], "empty-downgrade");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(11), Some(5)));
    let h = Command::new(BIN)
        .args(["-d", "versions", "history"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&h.stdout), "<base> -> aaaa00000001 (head), first\n");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Missing config sections and paths fail with Alembic's message, not a panic.
#[test]
fn config_problems() {
    let dir = temp_dir("cfg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("alembic.ini"), "[loggers]\nkeys = root\n").unwrap();
    let out = Command::new(BIN)
        .args(["check", "--format", "json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "config-error");
    assert_eq!(v["diagnostics"][0]["file"], "alembic.ini");
    std::fs::write(dir.join("alembic.ini"), "[alembic]\nscript_location = nowhere\n").unwrap();
    let out = Command::new(BIN).arg("heads").current_dir(&dir).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("FAILED: Path doesn't exist:"));
    // An ini with an empty [alembic] and no script folder beside it: still Alembic's error.
    std::fs::write(dir.join("alembic.ini"), "[alembic]\n\n[loggers]\nkeys = root\n").unwrap();
    let out = Command::new(BIN).arg("heads").current_dir(&dir).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("No 'script_location' key found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same ini inside its migrations folder (Flask-Migrate's layout) names that folder.
    let m = dir.join("migrations");
    std::fs::create_dir_all(m.join("versions")).unwrap();
    std::fs::rename(dir.join("alembic.ini"), m.join("alembic.ini")).unwrap();
    std::fs::write(m.join("env.py"), "from alembic import context\n").unwrap();
    std::fs::write(
        m.join("versions/1a2b3c4d5e6f_start.py"),
        "revision = '1a2b3c4d5e6f'\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["-c", "migrations/alembic.ini", "heads"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1a2b3c4d5e6f (head)");
    // A folder that is not there still reports the layout it was asked to be read as.
    let out = Command::new(BIN)
        .args(["-d", "nowhere", "--layout", "atlas", "check", "--format", "json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["layout"], "atlas");
    assert_eq!(v["diagnostics"][0]["code"], "config-error");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `script_location = package:path` (an importable package's resource): the package is the
/// nearest folder above the ini holding it, whatever the working directory.
#[test]
fn package_location_above_the_ini() {
    let dir = temp_dir("pkgloc");
    let scripts = dir.join("shop/db/migrations/main");
    let ini_dir = dir.join("shop/db/engines/sqlite");
    std::fs::create_dir_all(scripts.join("versions")).unwrap();
    std::fs::create_dir_all(&ini_dir).unwrap();
    std::fs::write(
        ini_dir.join("alembic.ini"),
        "[alembic]\nscript_location = shop.db:migrations/main\n",
    )
    .unwrap();
    std::fs::write(scripts.join("env.py"), "from alembic import context\n").unwrap();
    std::fs::write(
        scripts.join("versions/6f5e4d3c2b1a_start.py"),
        "revision = '6f5e4d3c2b1a'\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["-c", "alembic.ini", "heads"])
        .current_dir(&ini_dir)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "6f5e4d3c2b1a (head)",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
