//! Finding the project without `-c`/`-d`: every folder under tests/discovery/ holds a small
//! repository (`repo/`), copied to a temp folder (plus the decoy files `decoys.txt` lists:
//! git ignores some of their folders), and the commands its `cases.txt` lists
//! (`<golden>: <arguments>`) are run at the copy's top; stdout, stderr and the exit status
//! must equal `expected/<golden>`. `MIGPLAN_UPDATE_GOLDENS=1` rewrites the goldens; review
//! them by eye.

#[path = "support/golden_cases.rs"]
mod golden_cases;

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A temp copy of a fixture's repository, removed on drop.
struct Repo(PathBuf);

impl Repo {
    fn of(fixture: &Path) -> Repo {
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        // Tests run in parallel, several on the same fixture: a folder per copy.
        static COPIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let d = std::env::temp_dir().join(format!("migplan-discovery-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        copy_dir(&fixture.join("repo"), &d);
        if let Ok(list) = std::fs::read_to_string(fixture.join("decoys.txt")) {
            for rel in list.lines().filter(|l| !l.trim().is_empty()) {
                let p = d.join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                let text = if rel.ends_with(".ini") {
                    "[alembic]\nscript_location = migrations\n"
                } else if rel.ends_with(".sql") {
                    "CREATE TABLE decoy (id int);\n"
                } else {
                    "# decoy\n"
                };
                std::fs::write(p, text).unwrap();
            }
        }
        // The binary prints paths from its working directory, which has no symlinks.
        Repo(std::fs::canonicalize(&d).unwrap())
    }

    fn run(&self, args: &[&str]) -> (String, Option<i32>) {
        let out = Command::new(BIN)
            .current_dir(&self.0)
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run migplan");
        (golden_cases::transcript(&out), out.status.code())
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn repositories_match_their_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/discovery");
    let mut failures = Vec::new();
    let mut count = 0;
    for fixture in golden_cases::case_folders(&root) {
        let repo = Repo::of(&fixture);
        let (n, f) = golden_cases::check_folder(&fixture, |args| {
            let argv: Vec<&str> = args.split_whitespace().collect();
            repo.run(&argv).0
        });
        count += n;
        failures.extend(f);
    }
    assert!(count >= 15, "only {count} cases ran");
    assert!(
        failures.is_empty(),
        "{} golden(s) differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn fixture(name: &str) -> Repo {
    Repo::of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/discovery").join(name))
}

fn json(out: &str) -> serde_json::Value {
    let body = out.split("\n--- stderr ---\n").next().unwrap().split("\n--- exit").next().unwrap();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn one_project_is_named_on_stderr_and_its_json_is_unchanged() {
    let repo = fixture("flask_migrate");
    let (out, code) = repo.run(&["check", "--format", "json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("\nmigplan: using migrations/alembic.ini\n"), "{out}");
    let found = json(&out);
    assert!(found.is_object() && found.get("project").is_none(), "{found}");
    // The same as naming it.
    let (named, _) = repo.run(&["-c", "migrations/alembic.ini", "check", "--format", "json"]);
    assert_eq!(json(&named), found);
}

#[test]
fn several_projects_are_checked_each_and_refused_by_single_project_commands() {
    let repo = fixture("two_envs");
    let (out, code) = repo.run(&["check", "--format", "json"]);
    assert_eq!(code, Some(0), "{out}");
    let all = json(&out);
    let projects: Vec<&str> = all.as_array().unwrap().iter().map(|p| p["project"].as_str().unwrap()).collect();
    assert_eq!(projects, ["app/migrations", "plugins/audit/migrations"]);
    // The same revision id in both environments is no duplicate.
    assert!(!out.contains("duplicate-revision"), "{out}");
    for cmd in [&["heads"][..], &["history"], &["upgrade", "head", "--sql"], &["schema"]] {
        let (out, code) = repo.run(cmd);
        assert_eq!(code, Some(2), "{cmd:?}: {out}");
        assert!(
            out.contains(
                "  app/migrations  (-d app/migrations/versions)\n  plugins/audit/migrations  (-d plugins/audit/migrations/versions)\n"
            ),
            "{out}"
        );
        assert!(out.contains("name one with its -c or -d"), "{out}");
    }
    let (out, code) = repo.run(&["check", "--format", "sarif"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(json(&out)["runs"].as_array().unwrap().len(), 2, "{out}");
}

#[test]
fn the_worst_exit_status_of_several_projects_is_returned() {
    let repo = fixture("two_envs");
    // A broken script in one environment: check fails for it, and so for the whole run.
    std::fs::write(
        repo.0.join("plugins/audit/migrations/versions/0003_broken.py"),
        "revision = '0003'\ndown_revision = 'nope'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
    )
    .unwrap();
    let (out, code) = repo.run(&["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("== app/migrations ==") && out.contains("== plugins/audit/migrations =="),
        "{out}"
    );
}

#[test]
fn decoys_in_skipped_folders_are_not_projects() {
    let repo = fixture("decoys");
    let (out, code) = repo.run(&["heads"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("migplan: using service/alembic.ini\n"), "{out}");
}

#[test]
fn serve_finds_the_project_below_its_path() {
    let repo = fixture("two_envs");
    // Several: serve refuses before binding a port.
    let (out, code) = repo.run(&["serve", ".", "--port", "0"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("migplan serve PATH/TO/PROJECT"), "{out}");
}

#[test]
fn report_writes_one_preview_per_project_titled_by_it() {
    let repo = fixture("two_envs");
    let (out, code) = repo.run(&["report", "--out", "preview"]);
    assert_eq!(code, Some(0), "{out}");
    for (folder, title) in [
        ("app_migrations", "app/migrations"),
        ("plugins_audit_migrations", "plugins/audit/migrations"),
    ] {
        let md = std::fs::read_to_string(repo.0.join("preview").join(folder).join("report.md")).unwrap();
        assert!(md.contains(title), "{folder}: {md}");
    }
}

#[test]
fn only_revisions_in_sub_folders_are_reported_unread() {
    let repo = fixture("flask_migrate");
    let helpers = repo.0.join("migrations/versions/helpers");
    std::fs::create_dir_all(&helpers).unwrap();
    std::fs::write(helpers.join("columns.py"), "def audit_columns():\n    return []\n").unwrap();
    let (out, code) = repo.run(&["heads"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("scripts-outside-version-locations"), "{out}");
    std::fs::write(
        helpers.join("3c4d_extra.py"),
        "revision = '3c4d'\ndown_revision = '2a3b4c5d6e7f'\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
    )
    .unwrap();
    let (out, _) = repo.run(&["heads"]);
    assert!(
        out.contains("warning[scripts-outside-version-locations]: 1 revision script(s) in sub-folders of migrations/versions are not read"),
        "{out}"
    );
    assert!(out.contains("`-d migrations/versions --recursive`"), "{out}");
}

#[test]
fn a_folder_told_apart_by_its_contents_is_named_by_them() {
    let repo = fixture("empty");
    let dir = repo.0.join("db/migrations");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("20240101000000_accounts.sql"),
        "-- migrate:up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE accounts;\n",
    )
    .unwrap();
    let (out, code) = repo.run(&["heads"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("migplan: using db/migrations (dbmate)\n"), "{out}");
}

#[test]
fn a_project_that_cannot_be_read_is_one_entry_among_the_others() {
    let repo = fixture("two_envs");
    std::fs::create_dir_all(repo.0.join("tools")).unwrap();
    std::fs::write(repo.0.join("tools/alembic.ini"), "[alembic]\nscript_location = nowhere\n").unwrap();
    let (out, code) = repo.run(&["check", "--format", "json"]);
    assert_eq!(code, Some(1), "{out}");
    let all = json(&out);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3, "{out}");
    assert_eq!(all[2]["project"], "tools/alembic.ini");
    assert_eq!(all[2]["diagnostics"][0]["code"], "config-error", "{out}");
    assert_eq!(all[0]["diagnostics"].as_array().unwrap().len(), 0, "{out}");
}
