//! Autogenerate, differential against the real Alembic: each project under tests/autogen/
//! (models, alembic.ini, env.py importing the models, versions/) is copied twice; one copy
//! is upgraded to head on a scratch SQLite database and given to
//! `alembic revision --autogenerate`, the other to `migplan revision --autogenerate`
//! (which reads the models and simulates the schema, connecting to nothing). The
//! `upgrade()` and `downgrade()` of the two new revisions must be identical.
//!
//! Normalisation: none of the bodies. Alembic iterates Python sets for removed tables,
//! removed columns and foreign keys (order depends on string hashing, so the oracle runs
//! with PYTHONHASHSEED=0); migplan sorts removed tables and foreign keys by name and keeps
//! the migrations' column order. The fixtures keep at most one object in each such set per
//! table so the orders cannot differ.
//!
//! Needs target/alembic-venv (scripts/test creates it). When MIGPLAN_REQUIRE_ORACLE=1 a
//! missing venv fails the test; otherwise it skips with a notice.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/oracle.rs"]
mod oracle;
use oracle::alembic;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap();
        if name == "__pycache__" || name == "scratch.db" {
            continue;
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(name));
        } else {
            std::fs::copy(&p, to.join(name)).unwrap();
        }
    }
}

/// A fresh copy of `case` in a temporary folder.
fn copy(case: &str, who: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/autogen").join(case);
    let dir = std::env::temp_dir().join(format!("migplan-autogen-{}-{case}-{who}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&src, &dir);
    dir
}

/// From `def upgrade` to the end: the generated part of the script.
fn bodies_in(dir: &Path, versions: &str, rev: &str) -> String {
    let versions = dir.join(versions);
    let file = std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{rev}_")))
        .unwrap_or_else(|| panic!("no revision {rev} in {}", versions.display()));
    let text = std::fs::read_to_string(file).unwrap();
    let at = text.find("def upgrade").expect("an upgrade()");
    text[at..].to_string()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{cmd:?} failed:\n{all}");
    all
}

fn differential(case: &str) {
    differential_as(case, false, None);
}

/// With `batch`, env.py's `context.configure()` gets `render_as_batch=True` in both copies;
/// with `url`, alembic.ini's `sqlalchemy.url` is that database (Alembic upgrades it;
/// migplan only reads its dialect from it).
fn differential_as(case: &str, batch: bool, url: Option<&str>) {
    let who = format!(
        "{}-{}",
        if batch { "batch" } else { "plain" },
        if url.is_some() { "db" } else { "sqlite" }
    );
    let edit = |dir: &Path| {
        if let Some(url) = url {
            let ini = dir.join("alembic.ini");
            let text = std::fs::read_to_string(&ini).unwrap();
            std::fs::write(&ini, text.replace("sqlite:///scratch.db", url)).unwrap();
        }
        if batch {
            let env = dir.join("migrations/env.py");
            let text = std::fs::read_to_string(&env).unwrap();
            let edited = text.replace(
                "target_metadata=target_metadata)",
                "target_metadata=target_metadata, render_as_batch=True)",
            );
            assert_ne!(text, edited, "{case}: env.py has the configure() call the test edits");
            std::fs::write(&env, edited).unwrap();
        }
    };
    differential_in(case, &who, &[], "migrations/versions", edit);
}

/// Both tools on a fresh copy each of `case` (after `edit`), with `args` before the command
/// (`-c path/alembic.ini`); the new revisions in `versions` must have the same bodies, which
/// are returned (`None` without the Alembic venv).
fn differential_in(case: &str, who: &str, args: &[&str], versions: &str, edit: impl Fn(&Path)) -> Option<String> {
    differential_from(case, who, "", args, versions, edit)
}

/// [`differential_in`] with both tools run from `cwd` inside the copy; Python finds the
/// copy's top on PYTHONPATH, as an installed package is found.
fn differential_from(case: &str, who: &str, cwd: &str, args: &[&str], versions: &str, edit: impl Fn(&Path)) -> Option<String> {
    let alembic = alembic()?;
    let ora = copy(case, &format!("alembic-{who}"));
    let mig = copy(case, &format!("migplan-{who}"));
    edit(&ora);
    edit(&mig);
    let alembic_cmd = |extra: &[&str]| {
        run(Command::new(&alembic)
            .current_dir(ora.join(cwd))
            .env("PYTHONHASHSEED", "0")
            .env("PYTHONPATH", &ora)
            .args(args)
            .args(extra));
    };
    alembic_cmd(&["upgrade", "head"]);
    alembic_cmd(&["revision", "--autogenerate", "-m", "x", "--rev-id", "ora"]);
    run(Command::new(BIN)
        .current_dir(mig.join(cwd))
        .env_remove("DATABASE_URL")
        .args(args)
        .args(["revision", "--autogenerate", "-m", "x", "--rev-id", "mig"]));
    assert!(
        !mig.join(cwd).join("scratch.db").exists(),
        "migplan must not connect to the database"
    );
    let (a, b) = (bodies_in(&ora, versions, "ora"), bodies_in(&mig, versions, "mig"));
    assert_eq!(b, a, "{case}: migplan's upgrade()/downgrade() (left) differ from Alembic's (right)");
    let _ = std::fs::remove_dir_all(&ora);
    let _ = std::fs::remove_dir_all(&mig);
    Some(a)
}

/// New tables in `sorted_tables` order (a table after those its foreign keys point to), a
/// foreign key column taking its target's type, unique and index on one column.
#[test]
fn new_table_with_fk_unique_and_index() {
    differential("new_table");
}

#[test]
fn mapped_style_changes_with_naming_convention() {
    differential("mapped_changes");
}

/// `__abstract__` base columns after the class's own, `__table_args__` check and composite
/// foreign key constraints and a dialect option, `sa.Enum(PyEnum)`, a column named apart
/// from its attribute with `unique=True` (an unnamed constraint Alembic warns about).
#[test]
fn abstract_base_and_table_args() {
    differential("abstract_base");
}

/// env.py's `compare_server_default=True`: defaults changed, added, dropped, and equal
/// ones written differently (`'3'` / `3`, `now()` / `(CURRENT_TIMESTAMP)`) left alone.
#[test]
fn server_defaults_compared_when_env_py_asks() {
    differential("server_defaults");
}

/// env.py's `render_as_batch=True`: each table's operations in a batch block.
#[test]
fn render_as_batch() {
    for case in ["new_table", "mapped_changes", "abstract_base"] {
        differential_as(case, true, None);
    }
}

/// The same projects on PostgreSQL (MIGPLAN_TEST_POSTGRES_URL, else a local server if one
/// answers): reflected columns carry `autoincrement=`, unnamed constraints the server's
/// names. A database per case, dropped afterwards.
#[test]
fn postgresql() {
    if alembic().is_none() {
        return;
    }
    let required = std::env::var("MIGPLAN_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());
    let url = required
        .clone()
        .unwrap_or_else(|| "postgresql://postgres@127.0.0.1:5432/postgres".to_string());
    let mut admin = match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            assert!(required.is_none(), "MIGPLAN_TEST_POSTGRES_URL: cannot connect: {e}");
            eprintln!("skipped: no PostgreSQL at {url} ({e}); set MIGPLAN_TEST_POSTGRES_URL");
            return;
        }
    };
    let authority = url.split_once("://").unwrap().1.split(['/', '?']).next().unwrap().to_string();
    for case in ["new_table", "mapped_changes", "not_imported"] {
        let name = format!("migplan_autogen_{case}_{}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .unwrap();
        admin.batch_execute(&format!("CREATE DATABASE \"{name}\"")).unwrap();
        differential_as(case, false, Some(&format!("postgresql+psycopg2://{authority}/{name}")));
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .unwrap();
    }
}

/// An installed package's layout: alembic.ini and migrations deep inside the package, env.py
/// importing the models by the package's full name and setting `target_metadata` inside
/// `run_migrations_online()`; the Base made with `declarative_base(cls=_Base)` whose mixin
/// gives every table its timestamps; `declarative_base` imported in a `try`, the Base
/// annotated. Both tools run from the folder the package is importable from, with `-c`.
#[test]
fn installed_package_layout() {
    let ini = "inventory/db/alembic.ini";
    let body = differential_in(
        "installed_package",
        "plain",
        &["-c", ini],
        "inventory/db/migrations/versions",
        |_| {},
    );
    if let Some(body) = body {
        assert!(body.contains("op.create_table('items'"), "the models are read: {body}");
    }
}

/// The same package with both tools run from inside it (`cd inventory/db; alembic
/// upgrade head`), the package importable because it is installed: env.py is reached
/// from the working folder and again through the package's top, and is one file.
#[test]
fn installed_package_run_from_inside() {
    let body = differential_from(
        "installed_package",
        "inside",
        "inventory/db",
        &[],
        "inventory/db/migrations/versions",
        |_| {},
    );
    if let Some(body) = body {
        assert!(body.contains("op.create_table('items'"), "the models are read: {body}");
    }
}

/// On MariaDB (MIGPLAN_TEST_MYSQL_URL; Alembic through PyMySQL): new tables with foreign keys,
/// uniques and indexes as the MySQL dialect renders them. A database per run, dropped after.
/// Reverse operations that recreate a dropped table are not compared here: Alembic renders
/// the server's reflected forms (`mysql.INTEGER(display_width=11)`, its engine, charset and
/// collation), which migplan cannot know without connecting (DIVERGENCES.md).
#[test]
fn mariadb() {
    use mysql::prelude::Queryable;
    if alembic().is_none() {
        return;
    }
    let Ok(url) = std::env::var("MIGPLAN_TEST_MYSQL_URL") else {
        eprintln!("skipped: set MIGPLAN_TEST_MYSQL_URL");
        return;
    };
    let mut admin = mysql::Conn::new(mysql::Opts::from_url(&url).expect("MySQL URL")).expect("connect to MySQL");
    let authority = url.split_once("://").unwrap().1.split(['/', '?']).next().unwrap().to_string();
    let name = format!("migplan_autogen_new_table_{}", std::process::id());
    admin.query_drop(format!("DROP DATABASE IF EXISTS `{name}`")).unwrap();
    admin.query_drop(format!("CREATE DATABASE `{name}`")).unwrap();
    differential_as("new_table", false, Some(&format!("mysql+pymysql://{authority}/{name}")));
    admin.query_drop(format!("DROP DATABASE IF EXISTS `{name}`")).unwrap();
}

#[test]
fn model_module_not_imported_by_env_py() {
    differential("not_imported");
}

/// The seed's troubleshooting as findings, without Python: the model env.py never imports
/// (whose table autogenerate would drop), the model on another Base, two classes for one
/// table, the model migplan cannot read.
#[test]
fn check_models_reports_the_troubleshooting_cases() {
    let dir = copy("not_imported", "check");
    let out = Command::new(BIN)
        .current_dir(&dir)
        .args(["check", "--models", "--all", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "drift exits 1");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["file"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let has = |code: &str, file: &str, text: &str| found.iter().any(|(c, f, m)| c == code && f == file && m.contains(text));
    assert!(has("model-not-imported", "app/models/users.py", "app.models.users"), "{found:#?}");
    assert!(has("model-other-metadata", "app/models/audit.py", "AuditEntry"), "{found:#?}");
    assert!(has("model-unknown", "app/models/reports.py", "`total`"), "{found:#?}");
    assert!(has("models-drift", "migrations/env.py", "never imports that module"), "{found:#?}");
    assert!(
        has("model-duplicate-table", "app/models/users_copy.py", "declared twice"),
        "{found:#?}"
    );
    let helps: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["help"].as_str())
        .collect();
    assert!(
        helps.contains(&"add `import app.models.users  # noqa: F401` to env.py"),
        "{helps:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A history that starts from tables it does not create (JupyterHub's: `create_all()` made
/// them): a model table the migrations never mention is unknown, not a table to create.
#[test]
fn a_history_from_a_schema_made_elsewhere_leaves_unmentioned_tables_unknown() {
    let dir = copy("in_sync", "assumed");
    std::fs::write(
        dir.join("migrations/versions/c2_sessions_expiry.py"),
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"c2\"\ndown_revision = \"c1\"\n\n\ndef upgrade():\n    op.add_column(\"sessions\", sa.Column(\"expires_at\", sa.DateTime()))\n\n\ndef downgrade():\n    op.drop_column(\"sessions\", \"expires_at\")\n",
    )
    .unwrap();
    let models = dir.join("app/tables.py");
    let text = std::fs::read_to_string(&models).unwrap();
    std::fs::write(
        &models,
        format!("{text}\n\naudit_log = Table(\"audit_log\", metadata, Column(\"id\", Integer, primary_key=True))\n"),
    )
    .unwrap();
    let out = Command::new(BIN)
        .current_dir(&dir)
        .args(["check", "--models", "--all", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let model: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("model")))
        .map(|d| (d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert!(
        model.iter().any(|(c, m)| *c == "model-unknown"
            && m.contains("table audit_log is left out")
            && m.contains("change table sessions (revision c2) but none creates it")),
        "{model:#?}"
    );
    assert!(!model.iter().any(|(c, _)| *c == "models-drift"), "{model:#?}");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Core `Table(...)`s in step with the migrations: Alembic's `check` finds nothing, and
/// migplan says so and writes nothing.
#[test]
fn nothing_to_change_writes_nothing() {
    if let Some(alembic) = alembic() {
        let ora = copy("in_sync", "alembic");
        run(Command::new(&alembic).current_dir(&ora).args(["upgrade", "head"]));
        let out = run(Command::new(&alembic).current_dir(&ora).arg("check"));
        assert!(out.contains("No new upgrade operations detected"), "{out}");
        let _ = std::fs::remove_dir_all(&ora);
    }
    let dir = copy("in_sync", "migplan");
    let out = run(Command::new(BIN)
        .current_dir(&dir)
        .args(["revision", "--autogenerate", "-m", "x", "--rev-id", "mig"]));
    assert!(out.contains("No changes in schema detected"), "{out}");
    let versions: Vec<_> = std::fs::read_dir(dir.join("migrations/versions")).unwrap().collect();
    assert_eq!(versions.len(), 1, "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A tests/autogen project as the page gives it: every file, paths relative to it.
fn autogen_case(name: &str) -> Vec<migplan::source::SourceFile> {
    fn walk(root: &std::path::Path, rel: &str, out: &mut Vec<migplan::source::SourceFile>) {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(rel)).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if e.path().is_dir() {
                if name != "__pycache__" {
                    walk(root, &p, out);
                }
            } else if name != "scratch.db" {
                out.push(migplan::source::SourceFile::new(p, std::fs::read_to_string(e.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/autogen").join(name),
        "",
        &mut out,
    );
    out
}

/// The wasm API's core (`migplan::api::autogenerate`) on files, as the page gives them.
#[test]
fn api_autogenerate_from_files() {
    let date = migplan::timestamp::Timestamp::from_unix(1_700_000_000, 0);
    let o = migplan::api::AutogenOptions {
        message: Some("add orders".into()),
        ..Default::default()
    };
    let same = migplan::api::autogenerate(&autogen_case("in_sync"), &o, "abc123", &date).unwrap();
    assert!(same.revision.is_none() && same.path.is_none() && same.findings.is_empty());
    let new = migplan::api::autogenerate(&autogen_case("new_table"), &o, "abc123", &date).unwrap();
    assert_eq!(new.path.as_deref(), Some("migrations/versions/abc123_add_orders.py"));
    let text = new.revision.unwrap();
    assert!(text.contains("op.create_table('zones',"), "{text}");
    assert!(text.contains("Revises: a1\nCreate Date: 2023-11-14 22:13:20\n"), "{text}");
    assert!(new.findings.iter().all(|d| d.code == "models-drift"));
    let e = migplan::api::autogenerate(&[migplan::source::SourceFile::new("v/a.py", "x = 1\n")], &o, "abc123", &date)
        .err()
        .unwrap();
    assert!(e.contains("alembic.ini"), "{e}");
}
