//! `migplan report`: the static PR preview against a base (a folder, or a git revision).

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn script(id: &str, down: Option<&str>, msg: &str) -> String {
    let down = down.map_or("None".to_string(), |d| format!("\"{d}\""));
    format!(
        "\"\"\"{msg}\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\nrevision = \"{id}\"\ndown_revision = {down}\n\ndef upgrade():\n    op.create_table(\"t_{id}\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\ndef downgrade():\n    op.drop_table(\"t_{id}\")\n"
    )
}

fn write(dir: &Path, files: &[(&str, String)]) {
    std::fs::create_dir_all(dir.join("versions")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join("versions").join(name), text).unwrap();
    }
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("migplan-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_fork_against_a_base_folder_is_explained() {
    let root = tmp("dir");
    // The base has moved on (b2 on a1); the PR adds c3 on a1 too.
    write(
        &root.join("base"),
        &[
            ("a1.py", script("a1", None, "create a")),
            ("b2.py", script("b2", Some("a1"), "main adds b")),
        ],
    );
    write(
        &root.join("pr"),
        &[
            ("a1.py", script("a1", None, "create a")),
            ("b2.py", script("b2", Some("a1"), "main adds b")),
            ("c3.py", script("c3", Some("a1"), "the PR adds <c>")),
        ],
    );
    let out = Command::new(BIN)
        .current_dir(&root)
        .args([
            "-d",
            "pr/versions",
            "report",
            "--base-dir",
            "base/versions",
            "--out",
            "out",
            "--title",
            "PR #7",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(root.join("out/index.html")).unwrap();
    assert!(
        html.contains("<strong>Fork:</strong> <code>b2</code> and <code>c3</code> all revise <code>a1</code>"),
        "{html}"
    );
    assert!(html.contains(r#"class="node error new head" data-rev="c3""#), "{html}");
    assert!(html.contains("the PR adds &lt;c&gt;"));
    let md = std::fs::read_to_string(root.join("out/report.md")).unwrap();
    assert!(md.contains("#### New in this PR (against `base/versions`)"), "{md}");
    assert!(md.contains("| `c3` | `a1` | `pr/versions/c3.py` | the PR adds &lt;c&gt; |"), "{md}");
    assert!(md.contains("> **Fork**: `b2` and `c3` all revise `a1`"), "{md}");
    assert!(md.contains("| error | `forked-head` | `pr/versions/c3.py:5` |"), "{md}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn new_revisions_against_a_git_revision() {
    let root = tmp("git");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .current_dir(&root)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    write(&root, &[("a1.py", script("a1", None, "create a"))]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    write(&root, &[("b2.py", script("b2", Some("a1"), "add b"))]);
    let out = Command::new(BIN)
        .current_dir(&root)
        .args(["-d", "versions", "report", "--base", "HEAD", "--out", "out"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(root.join("out/report.md")).unwrap();
    assert!(md.contains("| `b2` | `a1` | `versions/b2.py` | add b |"), "{md}");
    assert!(!md.contains("Fork"));
    let html = std::fs::read_to_string(root.join("out/index.html")).unwrap();
    assert!(html.contains("CREATE TABLE t_b2"), "the plan of the new revision is in the report");
    assert!(
        !html.contains("CREATE TABLE t_a1"),
        "and only that: the plan starts at the base's head"
    );
    assert!(html.contains("upgrade a1:heads"));
    let _ = std::fs::remove_dir_all(&root);
}
