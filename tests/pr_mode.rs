//! PR mode (`check --base REF` / `--base-dir DIR`), the check output formats, `--fail-on`,
//! and `migplan merge`, on temp git repositories built here.
//!
//! The format goldens live in tests/pr_mode/expected/ (stdout, stderr, exit status);
//! `MIGPLAN_UPDATE_GOLDENS=1` rewrites them; review them by eye.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn script(id: &str, down: Option<&str>, msg: &str) -> String {
    let down = down.map_or("None".to_string(), |d| format!("\"{d}\""));
    format!(
        "\"\"\"{msg}\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"{id}\"\ndown_revision = {down}\n\n\ndef upgrade():\n    op.create_table(\"t_{id}\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"t_{id}\")\n"
    )
}

struct Repo(PathBuf);

impl Repo {
    fn new(name: &str) -> Repo {
        let d = std::env::temp_dir().join(format!("migplan-pr-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let r = Repo(d);
        r.git(&["init", "-q", "-b", "main"]);
        r
    }
    fn git(&self, args: &[&str]) {
        let o = Command::new("git")
            .current_dir(&self.0)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.autocrlf=false"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    fn write(&self, path: &str, text: &str) {
        let p = self.0.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    fn commit(&self, msg: &str) {
        self.git(&["add", "-A", "."]);
        self.git(&["commit", "-qm", msg]);
    }
    fn migplan(&self, args: &[&str]) -> Output {
        Command::new(BIN).current_dir(&self.0).args(args).output().unwrap()
    }
    fn check_json(&self, args: &[&str]) -> (Option<i32>, serde_json::Value) {
        let mut all = vec!["-d", "versions", "check", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.migplan(&all);
        let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), v)
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PR-mode and history findings (lint rules and the schema simulation have their own
/// fixtures under tests/rules/).
fn codes(v: &serde_json::Value) -> Vec<(String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["message"].as_str().unwrap().to_string()))
        .filter(|(c, _)| !migplan::Code::from_name(c).is_some_and(|c| c.is_validation()))
        .collect()
}

/// Base a → b; main then gets c on b while the PR (branched at b) adds d on b.
fn forked() -> Repo {
    let r = Repo::new("fork");
    r.write("versions/a.py", &script("a", None, "create a"));
    r.write("versions/b.py", &script("b", Some("a"), "add b"));
    r.commit("base");
    r.git(&["checkout", "-qb", "pr"]);
    r.write("versions/d.py", &script("d", Some("b"), "the PR adds d"));
    r.commit("pr");
    r.git(&["checkout", "-q", "main"]);
    r.write("versions/c.py", &script("c", Some("b"), "main adds c"));
    r.commit("c");
    r.git(&["checkout", "-q", "pr"]);
    r
}

#[test]
fn a_fork_names_the_parent_and_both_children() {
    let r = forked();
    let (code, v) = r.check_json(&["--base", "main"]);
    assert_eq!(code, Some(1));
    let found = codes(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "forked-head");
    assert_eq!(
        found[0].1,
        "new revision d and the base's revision c share the parent b: once merged, the history has a second head"
    );
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("versions/d.py"), Some(6)),
        "at down_revision"
    );
    assert!(d["help"].as_str().unwrap().contains("migplan merge heads -m \"merge\""));
    assert_eq!(v["pr"]["new_revisions"], serde_json::json!(["d"]));
    assert_eq!(
        v["pr"]["forks"],
        serde_json::json!([{"parent": "b", "children": ["c", "d"], "new": ["d"]}])
    );
    // The base moved on (c is not in the PR): that is not the PR deleting c.
    assert!(!found.iter().any(|(c, _)| c == "edited-applied-migration"));
    // Without --base the JSON has no "pr" and the fork is invisible.
    let (code, v) = r.check_json(&[]);
    assert_eq!(code, Some(0));
    assert!(v.get("pr").is_none());
}

#[test]
fn edits_renames_and_deletions_of_applied_migrations() {
    let r = Repo::new("edit");
    r.write("versions/a.py", &script("a", None, "create a"));
    r.write("versions/b.py", &script("b", Some("a"), "add b"));
    r.write("versions/c.py", &script("c", Some("b"), "add c"));
    r.commit("base");
    r.git(&["checkout", "-qb", "pr"]);

    // CRLF line endings and trailing spaces only: not an edit.
    r.write("versions/a.py", &script("a", None, "create a").replace('\n', "   \r\n"));
    let (code, v) = r.check_json(&["--base", "main"]);
    assert_eq!((code, codes(&v)), (Some(0), vec![]));

    // A real edit.
    r.write("versions/b.py", &script("b", Some("a"), "add b").replace("t_b", "t_b2"));
    // A rename (same revision id, new file name).
    std::fs::rename(r.0.join("versions/c.py"), r.0.join("versions/c_add_c.py")).unwrap();
    let (code, v) = r.check_json(&["--base", "main"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        codes(&v),
        vec![
            (
                "edited-applied-migration".to_string(),
                "versions/b.py, a file of the applied migration b, was edited".to_string()
            ),
            (
                "edited-applied-migration".to_string(),
                "versions/c.py, a file of the applied migration c, was renamed to versions/c_add_c.py".to_string()
            ),
        ]
    );

    // A deletion (the PR removes the head migration).
    r.write("versions/b.py", &script("b", Some("a"), "add b"));
    std::fs::remove_file(r.0.join("versions/c_add_c.py")).unwrap();
    let (_, v) = r.check_json(&["--base", "main"]);
    assert_eq!(
        codes(&v),
        vec![(
            "edited-applied-migration".to_string(),
            "versions/c.py, a file of the applied migration c, was deleted".to_string()
        )]
    );
    assert!(v["diagnostics"][0]["file"].is_null(), "a deleted file has no place");
}

#[test]
fn out_of_order_version_in_a_golang_migrate_folder() {
    let r = Repo::new("order");
    for v in ["1", "2", "5"] {
        r.write(
            &format!("migrations/00000{v}_m{v}.up.sql"),
            &format!("CREATE TABLE t{v} (id int);\n"),
        );
        r.write(&format!("migrations/00000{v}_m{v}.down.sql"), &format!("DROP TABLE t{v};\n"));
    }
    r.commit("base");
    r.git(&["checkout", "-qb", "pr"]);
    r.write("migrations/000003_late.up.sql", "CREATE TABLE late (id int);\n");
    r.write("migrations/000003_late.down.sql", "DROP TABLE late;\n");
    r.write("migrations/000006_fine.up.sql", "CREATE TABLE fine (id int);\n");
    r.write("migrations/000006_fine.down.sql", "DROP TABLE fine;\n");
    let out = r.migplan(&["-d", "migrations", "check", "--base", "main", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(v["layout"], "golang-migrate");
    assert_eq!(v["pr"]["new_revisions"], serde_json::json!(["000003", "000006"]));
    let found = codes(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "out-of-order-version");
    assert!(
        found[0]
            .1
            .starts_with("new migration 000003 sorts below 000005, the newest migration of the base"),
        "{}",
        found[0].1
    );
    assert_eq!(v["diagnostics"][0]["file"], "migrations/000003_late.up.sql");
}

#[test]
fn a_base_folder_works_like_a_git_revision() {
    let r = Repo::new("dir");
    r.write("base/versions/a.py", &script("a", None, "create a"));
    r.write("base/versions/b.py", &script("b", Some("a"), "main adds b"));
    r.write("pr/versions/a.py", &script("a", None, "create a"));
    r.write("pr/versions/c.py", &script("c", Some("a"), "the PR adds c"));
    let out = r.migplan(&["-d", "pr/versions", "check", "--base-dir", "base/versions"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("new in this PR (against base/versions): c\n  c  pr/versions/c.py  the PR adds c\n"),
        "{err}"
    );
    assert!(err.contains("error[forked-head]: new revision c and the base's revision b share the parent a"));
    // A missing base is "could not run", not a finding.
    let out = r.migplan(&["-d", "pr/versions", "check", "--base-dir", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    let out = r.migplan(&["-d", "pr/versions", "check", "--base", "no-such-ref"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fail_on_sets_the_exit_status() {
    let r = Repo::new("failon");
    // A warning only: empty downgrade.
    r.write(
        "versions/a.py",
        "revision = 'a'\ndown_revision = None\n\ndef upgrade():\n    op.execute('SELECT 1')\n\ndef downgrade():\n    pass\n",
    );
    assert_eq!(r.migplan(&["-d", "versions", "check"]).status.code(), Some(0));
    assert_eq!(r.migplan(&["-d", "versions", "check", "--fail-on", "error"]).status.code(), Some(0));
    assert_eq!(
        r.migplan(&["-d", "versions", "check", "--fail-on", "warning"]).status.code(),
        Some(1)
    );
    // Check-only formats are refused elsewhere, with "could not run".
    let out = r.migplan(&["-d", "versions", "heads", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format sarif is only for `check`"));
}

#[test]
fn merge_heads_leaves_one_head() {
    let r = Repo::new("merge");
    r.write("versions/a.py", &script("a", None, "create a"));
    r.write("versions/b.py", &script("b", Some("a"), "add b"));
    r.write("versions/c.py", &script("c", Some("a"), "add c"));
    let heads = |r: &Repo| String::from_utf8_lossy(&r.migplan(&["-d", "versions", "heads"]).stdout).into_owned();
    assert_eq!(heads(&r), "b (head)\nc (head)\n");
    let out = r.migplan(&["-d", "versions", "merge", "heads", "-m", "Merge b and c!", "--rev-id", "m1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Generating versions/m1_merge_b_and_c.py ...  done\n"
    );
    assert_eq!(heads(&r), "m1 (head)\n");
    let text = std::fs::read_to_string(r.0.join("versions/m1_merge_b_and_c.py")).unwrap();
    assert!(text.starts_with("\"\"\"Merge b and c!\n\nRevision ID: m1\nRevises: b, c\nCreate Date: "));
    assert!(text.contains("down_revision: Union[str, Sequence[str], None] = ('b', 'c')\n"));
    // The merge is clean: no findings at all (merge revisions may be empty).
    let (code, v) = r.check_json(&[]);
    assert_eq!((code, codes(&v)), (Some(0), vec![]));
    // Random ids are 12 hex digits; one head means nothing to merge.
    let out = r.migplan(&["-d", "versions", "merge", "heads"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to merge"));
}

#[test]
fn merge_in_a_dag_folder_and_not_in_linear_ones() {
    let r = Repo::new("dagmerge");
    r.write("m/0001_base/metadata.yaml", "name: base\nparents: []\n");
    r.write("m/0001_base/up.sql", "CREATE TABLE a (id int);\n");
    r.write("m/0001_base/down.sql", "DROP TABLE a;\n");
    for (id, name) in [("0002", "left"), ("0003", "right")] {
        r.write(&format!("m/{id}_{name}/metadata.yaml"), &format!("name: {name}\nparents: [0001]\n"));
        r.write(&format!("m/{id}_{name}/up.sql"), &format!("CREATE TABLE {name} (id int);\n"));
        r.write(&format!("m/{id}_{name}/down.sql"), &format!("DROP TABLE {name};\n"));
    }
    let out = r.migplan(&["-d", "m", "merge", "heads", "-m", "join"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(r.0.join("m/0004_join/metadata.yaml")).unwrap(),
        "name: join\nparents: [0002, 0003]\n"
    );
    let out = r.migplan(&["-d", "m", "heads"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0004 (head)\n");

    r.write("g/1_a.up.sql", "SELECT 1;\n");
    let out = r.migplan(&["-d", "g", "merge", "heads"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("merges do not apply to golang-migrate folders"));
}

/// `alembic merge heads` and `migplan merge heads` write the same file, modulo the date
/// (skipped where the oracle's virtualenv is missing, unless MIGPLAN_REQUIRE_ORACLE is set, as
/// scripts/test does after creating target/alembic-venv).
#[test]
fn merge_matches_alembic() {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/alembic-venv/bin/alembic");
    if !venv.exists() {
        assert!(std::env::var_os("MIGPLAN_REQUIRE_ORACLE").is_none(), "no {}", venv.display());
        eprintln!("skipped: no {}", venv.display());
        return;
    }
    let r = Repo::new("oracle");
    let ours = r.0.join("ours");
    let theirs = r.0.join("theirs");
    for dir in [&ours, &theirs] {
        let o = Command::new(&venv).current_dir(&r.0).arg("init").arg(dir).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for (id, down, msg) in [("a1", None, "create a"), ("b2", Some("a1"), "add b"), ("c3", Some("a1"), "add c")] {
            std::fs::write(dir.join(format!("versions/{id}.py")), script(id, down, msg)).unwrap();
        }
        std::fs::write(dir.join("alembic.ini"), format!("[alembic]\nscript_location = {}\n", dir.display())).unwrap();
    }
    let args = ["merge", "heads", "-m", "Join the heads: b2, c3 & more", "--rev-id", "ffee00112233"];
    let o = Command::new(&venv)
        .current_dir(&theirs)
        .env("PYTHONHASHSEED", "0")
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(BIN).current_dir(&ours).args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let name = "versions/ffee00112233_join_the_heads_b2_c3_more.py";
    let undate = |p: PathBuf| -> String {
        let t = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        t.lines()
            .map(|l| if l.starts_with("Create Date: ") { "Create Date: <date>" } else { l })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(undate(ours.join(name)), undate(theirs.join(name)));
    let heads = |dir: &Path, bin: &Path| {
        String::from_utf8_lossy(&Command::new(bin).current_dir(dir).arg("heads").output().unwrap().stdout).into_owned()
    };
    assert_eq!(heads(&ours, Path::new(BIN)), "ffee00112233 (head)\n");
    assert_eq!(
        heads(&ours, &venv),
        heads(&ours, Path::new(BIN)),
        "Alembic reads our merge the same way"
    );
}

/// Every check format of `check --base main` in `r`, against the goldens in `dir`.
fn formats_match(r: &Repo, dir: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let update = std::env::var_os("MIGPLAN_UPDATE_GOLDENS").is_some();
    let mut failures = Vec::new();
    for (golden, format) in [
        ("check.txt", "text"),
        ("check.json", "json"),
        ("check.sarif", "sarif"),
        ("check.github", "github"),
        ("check.md", "markdown"),
    ] {
        let out = r.migplan(&["-d", "versions", "check", "--base", "main", "--format", format]);
        let mut got = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = String::from_utf8_lossy(&out.stderr);
        if !err.is_empty() {
            got.push_str("\n--- stderr ---\n");
            got.push_str(&err);
        }
        got.push_str(&format!("\n--- exit {} ---\n", out.status.code().unwrap_or(-1)));
        let path = dir.join(golden);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            failures.push(format!("{}\n--- want\n{want}\n--- got\n{got}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every check format on the forked repo, against goldens.
#[test]
fn formats_match_their_goldens() {
    let r = forked();
    // A warning and a note beside the fork, so every severity shows.
    r.write(
        "versions/e.py",
        "\"\"\"the PR adds e | <b>\"\"\"\nrevision = 'e'\ndown_revision = 'd'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
    );
    formats_match(&r, "tests/pr_mode/expected");
}

/// A base whose history has findings of its own (an error among them) and a PR that adds
/// one revision with one finding.
fn one_revision_pr() -> Repo {
    let r = Repo::new("one");
    // Its findings come from strict rules (bigint keys, lock timeouts).
    r.write("migplan.toml", "[rules]\npreset = \"strict\"\n");
    r.write("versions/a.py", &script("a", None, "create a"));
    r.write(
        "versions/b.py",
        "\"\"\"alter a\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"b\"\ndown_revision = \"a\"\n\n\ndef upgrade():\n    op.add_column(\"t_a\", sa.Column(\"n\", sa.BigInteger(), nullable=False))\n    op.create_index(\"ix_t_a_n\", \"t_a\", [\"n\"])\n\n\ndef downgrade():\n    op.drop_index(\"ix_t_a_n\", \"t_a\")\n    op.drop_column(\"t_a\", \"n\")\n",
    );
    r.write("versions/c.py", &script("c", Some("b"), "create c"));
    r.commit("base");
    r.git(&["checkout", "-qb", "pr"]);
    r.write("versions/d.py", &script("d", Some("c"), "the PR adds d"));
    r.commit("pr");
    r
}

/// The PR's one finding is listed; the base's are one summary line, and they do not fail
/// the check (the base's error included).
#[test]
fn a_one_revision_pr_lists_its_finding_and_summarises_the_base() {
    let r = one_revision_pr();
    let (code, v) = r.check_json(&["--base", "main"]);
    assert_eq!(code, Some(0), "{v}");
    let listed: Vec<(&str, &str, bool)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["deployed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [("prefer-bigint-primary-key", "versions/d.py", false)]);
    let hidden: Vec<(&str, u64)> = v["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["code"].as_str().unwrap(), h["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        hidden,
        [
            ("adding-not-null-column", 1),
            ("prefer-bigint-primary-key", 2),
            ("index-without-concurrently", 1),
            ("missing-lock-timeout", 1)
        ]
    );
    // --all lists the base's findings too, marked deployed; the base's error fails it.
    let (code, v) = r.check_json(&["--base", "main", "--all"]);
    assert_eq!(code, Some(1));
    let all = v["diagnostics"].as_array().unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all.iter().filter(|d| d["deployed"] == true).count(), 5);
    assert_eq!(v["hidden"], serde_json::json!([]));
    // The PR comment fits one screen before the SQL.
    let md = String::from_utf8(
        r.migplan(&["-d", "versions", "check", "--base", "main", "--format", "markdown"])
            .stdout,
    )
    .unwrap();
    let before_sql = md.split("<details>").next().unwrap();
    assert!(before_sql.lines().count() <= 40, "{before_sql}");
    formats_match(&r, "tests/pr_mode/expected/one_revision");
    // The static report shows the same.
    let out = r.migplan(&["-d", "versions", "report", "--base", "main", "--out", "out"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(r.0.join("out/report.md")).unwrap();
    assert_eq!(md.matches("| warning | ").count(), 1, "{md}");
    assert!(md.contains("**Deployed history** (already in main): 5 findings not shown:"), "{md}");
    let html = std::fs::read_to_string(r.0.join("out/index.html")).unwrap();
    assert!(html.contains("<strong>Deployed history</strong> (already in main): 5 finding(s) not shown"));
}

/// PR mode includes `check --models` when the PR touches the models: a model column added
/// without its migration is listed as `models-drift` in the PR comment; with the migration
/// nothing is; a PR touching neither models nor migrations says nothing of the models.
#[test]
fn pr_touching_models_lists_models_drift() {
    let r = Repo::new("models");
    r.write(
        "alembic.ini",
        "[alembic]\nscript_location = migrations\nprepend_sys_path = .\nsqlalchemy.url = sqlite:///scratch.db\n",
    );
    r.write(
        "migrations/env.py",
        "from alembic import context\n\nfrom app.models import metadata\n\ntarget_metadata = metadata\n\ncontext.configure(url=\"sqlite://\", target_metadata=target_metadata)\n",
    );
    r.write("app/__init__.py", "");
    let model = |extra: &str| {
        format!(
            "from sqlalchemy import Column, Integer, MetaData, String, Table\n\nmetadata = MetaData()\n\nusers = Table(\n    \"users\",\n    metadata,\n    Column(\"id\", Integer, primary_key=True),\n{extra})\n"
        )
    };
    r.write("app/models.py", &model(""));
    r.write(
        "migrations/versions/a1_users.py",
        "\"\"\"users\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"a1\"\ndown_revision = None\n\n\ndef upgrade():\n    op.create_table(\"users\", sa.Column(\"id\", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(\"id\"))\n\n\ndef downgrade():\n    op.drop_table(\"users\")\n",
    );
    r.commit("base");
    r.git(&["checkout", "-qb", "pr"]);
    let comment = |r: &Repo| {
        let out = r.migplan(&["check", "--base", "main", "--format", "markdown"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Untouched models: nothing about them.
    r.write("README.md", "docs\n");
    r.commit("docs");
    assert!(!comment(&r).contains("models-drift"), "{}", comment(&r));
    // The model gains a column, no migration: the comment lists the drift.
    r.write("app/models.py", &model("    Column(\"email\", String(200)),\n"));
    r.commit("model");
    let md = comment(&r);
    assert!(md.contains("models-drift"), "{md}");
    assert!(md.contains("users.email"), "{md}");
    // With the matching migration: nothing.
    r.write(
        "migrations/versions/b2_email.py",
        "\"\"\"email\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"b2\"\ndown_revision = \"a1\"\n\n\ndef upgrade():\n    op.add_column(\"users\", sa.Column(\"email\", sa.String(length=200), nullable=True))\n\n\ndef downgrade():\n    op.drop_column(\"users\", \"email\")\n",
    );
    r.commit("migration");
    let md = comment(&r);
    assert!(!md.contains("models-drift"), "{md}");
    assert!(md.contains("b2"), "{md}");
}
