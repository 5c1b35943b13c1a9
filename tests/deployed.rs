//! Deployed vs new outside PR mode: `migplan baseline`, `[check] baseline`, `--since`,
//! `--all`, and findings grouped by code when a code has more than ten.

use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

/// A revision whose table has an INTEGER key: one `prefer-bigint-primary-key` each (a strict
/// rule).
fn script(id: &str, down: Option<&str>) -> String {
    let down = down.map_or("None".to_string(), |d| format!("\"{d}\""));
    format!(
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"{id}\"\ndown_revision = {down}\n\n\ndef upgrade():\n    op.create_table(\"t_{id}\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"t_{id}\")\n"
    )
}

struct Project(PathBuf);

impl Project {
    fn new(name: &str) -> Project {
        let d = std::env::temp_dir().join(format!("migplan-deployed-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("versions")).unwrap();
        Project(d)
    }
    fn rev(&self, id: &str, down: Option<&str>) {
        std::fs::write(self.0.join(format!("versions/{id}.py")), script(id, down)).unwrap();
    }
    /// a1 → a2 → … → aN.
    fn chain(&self, n: usize) {
        for i in 1..=n {
            let down = (i > 1).then(|| format!("a{}", i - 1));
            self.rev(&format!("a{i}"), down.as_deref());
        }
    }
    /// `check` runs with `--preset strict`: the findings these tests count come from a
    /// strict rule.
    fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["-d", "versions"];
        match args.split_first() {
            Some((&"check", rest)) => {
                all.extend(["check", "--preset", "strict"]);
                all.extend_from_slice(rest);
            }
            _ => all.extend_from_slice(args),
        }
        Command::new(BIN).current_dir(&self.0).args(all).output().unwrap()
    }
    fn stderr(&self, args: &[&str]) -> String {
        String::from_utf8(self.run(args).stderr).unwrap()
    }
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }
    fn toml(&self) -> String {
        std::fs::read_to_string(self.0.join("migplan.toml")).unwrap()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn files(v: &serde_json::Value) -> Vec<&str> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap_or(""))
        .collect()
}

#[test]
fn after_a_baseline_only_new_revisions_are_listed() {
    let p = Project::new("base");
    p.chain(3);
    let out = p.run(&["baseline"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.starts_with("migplan.toml: [check] baseline = [\"a3\"]\n3 revision(s) deployed"),
        "{said}"
    );
    assert_eq!(p.toml(), "[check]\nbaseline = [\"a3\"]\n");

    // Nothing new: nothing listed, three counted.
    let v = p.json(&[]);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(
        v["hidden"],
        serde_json::json!([{"code": "prefer-bigint-primary-key", "severity": "warning", "count": 3}])
    );
    let text = p.stderr(&["check"]);
    assert_eq!(
        text,
        "deployed history (at or before the baseline in migplan.toml): 3 findings not shown (`--all` shows them)\n  3 warning[prefer-bigint-primary-key]\nchecked 3 revision(s) in 3 file(s) (alembic): 0 errors, 0 warnings, 0 notes\n"
    );

    // A new revision: only its finding.
    p.rev("b1", Some("a3"));
    let v = p.json(&[]);
    assert_eq!(files(&v), ["versions/b1.py"]);
    assert_eq!(v["diagnostics"][0]["deployed"], false);
    // --all: everything, as before the baseline.
    let v = p.json(&["--all"]);
    assert_eq!(files(&v), ["versions/a1.py", "versions/a2.py", "versions/a3.py", "versions/b1.py"]);
    let deployed: Vec<bool> = v["diagnostics"].as_array().unwrap().iter().map(|d| d["deployed"] == true).collect();
    assert_eq!(deployed, [true, true, true, false]);
}

#[test]
fn baseline_records_the_revisions_named() {
    let p = Project::new("named");
    p.chain(3);
    let out = p.run(&["baseline", "a2"]);
    assert!(out.status.success());
    assert_eq!(p.toml(), "[check]\nbaseline = [\"a2\"]\n");
    assert_eq!(files(&p.json(&[])), ["versions/a3.py"]);
    // A name that is no revision: nothing written.
    let out = p.run(&["baseline", "zz"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("FAILED: zz: "));
    assert_eq!(p.toml(), "[check]\nbaseline = [\"a2\"]\n");
}

#[test]
fn several_heads_are_several_entries_and_multiple_heads_is_still_listed() {
    let p = Project::new("heads");
    p.rev("a", None);
    p.rev("b", Some("a"));
    p.rev("c", Some("a"));
    assert!(p.run(&["baseline"]).status.success());
    assert_eq!(p.toml(), "[check]\nbaseline = [\"b\", \"c\"]\n");
    let v = p.json(&[]);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["multiple-heads"]);
}

#[test]
fn the_rest_of_migplan_toml_is_kept() {
    let p = Project::new("keep");
    p.chain(2);
    let before = "# team settings\n[rules]\nprefer-bigint-primary-key = \"error\"  # we mean it\n\n[check]\nfail-on = \"warning\"\nbaseline = [\n  \"a1\",\n]\npg-version = 15\n";
    std::fs::write(p.0.join("migplan.toml"), before).unwrap();
    assert!(p.run(&["baseline"]).status.success());
    assert_eq!(
        p.toml(),
        "# team settings\n[rules]\nprefer-bigint-primary-key = \"error\"  # we mean it\n\n[check]\nfail-on = \"warning\"\nbaseline = [\"a2\"]\npg-version = 15\n"
    );
    // The configured severity applies to the counts, and counted findings do not fail.
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("  2 error[prefer-bigint-primary-key]\n"));
    p.rev("b1", Some("a2"));
    assert_eq!(p.run(&["check"]).status.code(), Some(1));
}

#[test]
fn a_baseline_naming_a_missing_revision_is_an_error_naming_the_file() {
    let p = Project::new("stale");
    p.chain(1);
    std::fs::write(p.0.join("migplan.toml"), "[check]\nbaseline = [\"gone\"]\n").unwrap();
    let out = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("FAILED: migplan.toml: [check] baseline: gone: "), "{err}");
}

#[test]
fn since_counts_what_is_at_or_before_it() {
    let p = Project::new("since");
    p.chain(3);
    let v = p.json(&["--since", "a2"]);
    assert_eq!(files(&v), ["versions/a3.py"]);
    assert_eq!(v["hidden"][0]["count"], 2);
    let text = p.stderr(&["check", "--since", "a2"]);
    assert!(
        text.contains(
            "deployed history (at or before a2): 2 findings not shown (`--all` shows them)\n  2 warning[prefer-bigint-primary-key]\n"
        ),
        "{text}"
    );
    assert!(!text.contains("hint:"), "{text}");
    assert_eq!(files(&p.json(&["--since", "a2", "--all"])).len(), 3);
}

#[test]
fn a_code_with_more_than_ten_findings_is_grouped() {
    let p = Project::new("group");
    p.chain(12);
    let text = p.stderr(&["check"]);
    assert_eq!(text.matches("warning[prefer-bigint-primary-key]: ").count(), 3, "{text}");
    assert!(
        text.contains("… and 9 more warning[prefer-bigint-primary-key] (`--all` shows them)\nhint: `migplan baseline`"),
        "{text}"
    );
    assert!(
        text.ends_with("checked 12 revision(s) in 12 file(s) (alembic): 0 errors, 12 warnings, 0 notes\n"),
        "{text}"
    );
    let all = p.stderr(&["check", "--all"]);
    assert_eq!(all.matches("warning[prefer-bigint-primary-key]: ").count(), 12);
    assert!(!all.contains("more warning"));
    // What is new after deployed revisions is listed in full, however much.
    let since = p.stderr(&["check", "--since", "a1"]);
    assert_eq!(since.matches("warning[prefer-bigint-primary-key]: ").count(), 11, "{since}");
    // Ten are listed in full.
    std::fs::remove_file(p.0.join("versions/a12.py")).unwrap();
    std::fs::remove_file(p.0.join("versions/a11.py")).unwrap();
    assert_eq!(p.stderr(&["check"]).matches("warning[prefer-bigint-primary-key]: ").count(), 10);
    // Machine formats list every finding.
    assert_eq!(p.json(&[])["diagnostics"].as_array().unwrap().len(), 10);
}

#[test]
fn what_the_database_applied_is_deployed() {
    let p = Project::new("db");
    // SQLite's rules: a table without a primary key in each (prefer-bigint is PostgreSQL's).
    for (id, down) in [("a1", None), ("a2", Some("a1")), ("a3", Some("a2"))] {
        let text = script(id, down).replace(", primary_key=True", "");
        std::fs::write(p.0.join(format!("versions/{id}.py")), text).unwrap();
    }
    let url = format!("sqlite:///{}", p.0.join("app.db").display());
    let up = p.run(&["--db", &url, "upgrade", "a2"]);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));

    // a1 and a2 ran: their findings are counted; a3's is listed with what the database says.
    let out = p.run(&["check", "--db", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, format!("database: {url}\ncurrent:  a2\napplied:  2\npending:  1\n"));
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.contains("warning[table-without-primary-key]"), "{text}");
    assert!(text.contains("versions/a3.py"), "{text}");
    assert!(!text.contains("versions/a1.py") && !text.contains("versions/a2.py"), "{text}");
    assert!(
        text.contains("info[pending-migration]: 1 revision(s) not applied yet: a3"),
        "{text}"
    );
    assert!(
        text.contains("deployed history (applied in the database): 2 findings not shown (`--all` shows them)"),
        "{text}"
    );

    let v = p.json(&["--db", &url]);
    assert_eq!(
        v["database"],
        serde_json::json!({"url": url, "current": ["a2"], "applied": ["a1", "a2"], "pending": ["a3"], "unknown": []})
    );
    let mut listed = files(&v);
    listed.sort();
    assert_eq!(listed, ["", "versions/a3.py"]);
    assert_eq!(v["hidden"][0]["count"], 2);

    // An applied revision edited afterwards breaks the project: listed, and the check fails.
    let a1 = p.0.join("versions/a1.py");
    let text = std::fs::read_to_string(&a1).unwrap().replace("t_a1", "t_a1_renamed");
    std::fs::write(&a1, text).unwrap();
    let out = p.run(&["check", "--db", &url]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(
        text.contains("error[checksum-mismatch]") && text.contains("versions/a1.py"),
        "{text}"
    );

    // A database that cannot be opened: check cannot run (exit 2), and says why.
    let out = p.run(&["check", "--db", "postgresql://nobody:secret@127.0.0.1:1/none"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.starts_with("FAILED: ") && !text.contains("secret"), "{text}");
}
