//! The README's "First minute with a database" block, run as written: every `migplan` line
//! of it, from a temp folder laid out like the repository's top (examples/notes copied), on
//! the SQLite file the example's alembic.ini names. Nothing in the repository is written.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/oracle.rs"]
mod oracle;
use oracle::alembic;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

/// The commands of the block after the heading, comments removed.
fn block() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let after = readme
        .split_once("### First minute with a database")
        .expect("README has the first-minute heading")
        .1;
    let code = after.split_once("```sh\n").expect("a sh block follows").1;
    let code = code.split_once("```").unwrap().0;
    code.lines()
        .map(|l| l.split_once('#').map_or(l, |(c, _)| c).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else if e.path().extension().is_none_or(|x| x != "db") {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn temp_top(name: &str) -> PathBuf {
    let top = std::env::temp_dir().join(format!("migplan-first-minute-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&top);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/notes"),
        &top.join("examples/notes"),
    );
    top
}

fn run(program: &Path, args: &[&str], cwd: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env("PYTHONHASHSEED", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} {args:?}\n{stdout}{}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The real Alembic takes over the database the first minute made, and hands it back.
#[test]
fn alembic_and_migplan_share_the_first_minute_database() {
    let Some(alembic) = alembic() else { return };
    let top = temp_top("alembic");
    let ini = ["-c", "examples/notes/alembic.ini"];
    let migplan = Path::new(BIN);
    let with = |rest: &[&'static str]| -> Vec<&'static str> { ini.iter().chain(rest).copied().collect() };
    run(migplan, &with(&["upgrade", "head"]), &top);
    assert_eq!(run(&alembic, &with(&["current"]), &top).trim(), "c5f1d8a0e7b4 (head)");
    // Alembic undoes the batch migration migplan applied (a table copy both ways).
    run(&alembic, &with(&["downgrade", "-1"]), &top);
    assert_eq!(run(migplan, &with(&["current"]), &top), "9e03b6d58f21\n");
    run(migplan, &with(&["upgrade", "head"]), &top);
    assert_eq!(run(&alembic, &with(&["current"]), &top).trim(), "c5f1d8a0e7b4 (head)");
    run(&alembic, &with(&["downgrade", "base"]), &top);
    assert_eq!(run(migplan, &with(&["current"]), &top), "");
    let _ = std::fs::remove_dir_all(&top);
}

#[test]
fn the_readme_first_minute_runs_as_written() {
    let commands = block();
    assert!(commands.len() >= 5, "{commands:?}");
    let top = temp_top("readme");
    let mut outputs = Vec::new();
    for line in &commands {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], "migplan", "{line}");
        let out = Command::new(BIN)
            .args(&words[1..])
            .current_dir(&top)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{line}\n{stdout}{stderr}");
        outputs.push((line.clone(), stdout, stderr));
    }
    let said = |verb: &str| -> &(String, String, String) {
        outputs
            .iter()
            .find(|(l, _, _)| l.contains(verb))
            .unwrap_or_else(|| panic!("no {verb} in {commands:?}"))
    };
    assert_eq!(said(" current").1, "c5f1d8a0e7b4 (head)\n");
    assert!(
        said("downgrade -1").2.contains("the database is at 9e03b6d58f21"),
        "{:?}",
        said("downgrade")
    );
    assert!(
        said("--indicate-current")
            .1
            .contains("\n4a7c2e91b0d3 -> 9e03b6d58f21 (current), tags\n"),
        "{:?}",
        said("history")
    );
    let check = said("check --db");
    assert!(check.1.contains("applied:  3\npending:  0\n"), "{check:?}");
    assert!(check.2.contains("0 errors, 0 warnings"), "{check:?}");
    // The database is the file the ini names, where the commands ran.
    assert!(top.join("notes.db").is_file());
    let _ = std::fs::remove_dir_all(&top);
}
