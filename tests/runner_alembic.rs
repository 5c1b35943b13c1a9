//! Interop with the real Alembic, both ways, on SQLite and PostgreSQL: one database is
//! migrated in turns by `alembic` and `migplan --db`, and each reads what the other wrote
//! to `alembic_version` (one row per head).
//!
//! Needs target/alembic-venv (scripts/test creates it, with psycopg2 for PostgreSQL). When
//! MIGPLAN_REQUIRE_ORACLE=1 a missing venv fails the tests; otherwise they skip with a
//! notice. PostgreSQL: MIGPLAN_TEST_POSTGRES_URL (a server that must answer), else the
//! default local server if it answers; each test creates its own database and drops it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_migplan");
const DEFAULT_PG: &str = "postgresql://postgres@127.0.0.1:5432/test";

/// The Alembic project: a1 → (b2 branch_a, c3 branch_b) → d4 merge → e5.
const ENV_PY: &str = r#"from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
url = context.get_x_argument(as_dictionary=True).get("url")
if url:
    config.set_main_option("sqlalchemy.url", url)

engine = engine_from_config(
    config.get_section(config.config_ini_section, {}),
    prefix="sqlalchemy.",
    poolclass=pool.NullPool,
)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"#;

/// (id, down_revision, branch_labels, message, upgrade body, downgrade body)
const REVISIONS: [(&str, &str, &str, &str, &str, &str); 5] = [
    (
        "a1",
        "None",
        "None",
        "create account",
        r#"    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )"#,
        r#"    op.drop_table("account")"#,
    ),
    (
        "b2",
        "\"a1\"",
        "(\"branch_a\",)",
        "create item",
        r#"    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(100)),
    )
    op.create_index("ix_item_account_id", "item", ["account_id"])"#,
        r#"    op.drop_index("ix_item_account_id", table_name="item")
    op.drop_table("item")"#,
    ),
    (
        "c3",
        "\"a1\"",
        "(\"branch_b\",)",
        "create tag",
        r#"    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("label", sa.String(30), nullable=False),
    )"#,
        r#"    op.drop_table("tag")"#,
    ),
    (
        "d4",
        "(\"b2\", \"c3\")",
        "None",
        "merge branch_a and branch_b",
        r#"    op.create_table(
        "item_tag",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
    )
    op.create_index("ix_item_tag_tag_id", "item_tag", ["tag_id"])"#,
        r#"    op.drop_index("ix_item_tag_tag_id", table_name="item_tag")
    op.drop_table("item_tag")"#,
    ),
    (
        "e5",
        "\"d4\"",
        "None",
        "add account.email",
        r#"    op.add_column("account", sa.Column("email", sa.String(120), nullable=True))"#,
        r#"    op.drop_column("account", "email")"#,
    ),
];

/// The venv's alembic, or None (after a notice) when the test should skip.
fn alembic(needs_psycopg2: bool) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/alembic-venv/bin");
    let bin = root.join("alembic");
    let required = std::env::var_os("MIGPLAN_REQUIRE_ORACLE").is_some_and(|v| v == "1");
    if !bin.exists() {
        assert!(!required, "no {} (scripts/test creates it)", bin.display());
        eprintln!("skipped: no {}", bin.display());
        return None;
    }
    if needs_psycopg2 {
        let ok = Command::new(root.join("python"))
            .args(["-c", "import psycopg2"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(!required, "the venv has no psycopg2 (scripts/test installs psycopg2-binary)");
            eprintln!("skipped: the venv has no psycopg2");
            return None;
        }
    }
    Some(bin)
}

/// The database under test.
enum Db {
    Sqlite(PathBuf),
    Postgres {
        /// The server's URL without a database (`postgresql://user@host:port`).
        server: String,
        name: String,
    },
}

impl Db {
    /// The URL both tools are given (SQLAlchemy form, with the driver for Alembic).
    fn url(&self) -> String {
        match self {
            Db::Sqlite(p) => format!("sqlite:///{}", p.display()),
            Db::Postgres { server, name } => {
                format!("postgresql+psycopg2://{}/{name}", server.split_once("://").unwrap().1)
            }
        }
    }

    fn rows(&self, sql: &str) -> Vec<String> {
        match self {
            Db::Sqlite(p) => {
                let c = rusqlite::Connection::open(p).unwrap();
                let mut st = c.prepare(sql).unwrap();
                st.query_map([], |r| r.get::<_, String>(0))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            }
            Db::Postgres { server, name } => {
                let mut c = postgres::Client::connect(&format!("{server}/{name}"), postgres::NoTls).unwrap();
                c.query(sql, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)).collect()
            }
        }
    }

    /// The rows of `alembic_version`, sorted.
    fn versions(&self) -> Vec<String> {
        let mut v = self.rows("SELECT version_num FROM alembic_version");
        v.sort();
        v
    }

    /// The tables (lowercase, sorted).
    fn tables(&self) -> Vec<String> {
        let sql = match self {
            Db::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            Db::Postgres { .. } => "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        };
        self.rows(sql)
    }

    fn columns(&self, table: &str) -> Vec<String> {
        let sql = match self {
            Db::Sqlite(_) => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY name"),
            Db::Postgres { .. } => format!(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name = '{table}' ORDER BY 1"
            ),
        };
        self.rows(&sql)
    }

    fn indexes(&self) -> Vec<String> {
        let sql = match self {
            Db::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%' ORDER BY name",
            Db::Postgres { .. } => {
                "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'ix_%' ORDER BY 1"
            }
        };
        self.rows(sql)
    }

    /// The revisions migplan recorded in its audit table, in order (`upgrade c3`).
    fn audit(&self) -> Vec<String> {
        self.rows("SELECT direction || ' ' || revision FROM migplan_history WHERE finished IS NOT NULL ORDER BY id")
    }
}

/// A project directory and its database; removed (the database dropped) at the end.
struct Fixture {
    dir: PathBuf,
    db: Db,
    alembic: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Db::Postgres { server, name } = &self.db
            && let Ok(mut c) = postgres::Client::connect(&format!("{server}/postgres"), postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn project_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("migplan-runner-alembic-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("versions")).unwrap();
    dir
}

fn sqlite(test: &str) -> Option<Fixture> {
    let alembic = alembic(false)?;
    let dir = project_dir(test);
    let db = Db::Sqlite(dir.join("app.db"));
    Some(Fixture::new(dir, db, alembic))
}

fn postgres(test: &str) -> Option<Fixture> {
    let alembic = alembic(true)?;
    let required = std::env::var("MIGPLAN_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());
    let url = required.clone().unwrap_or_else(|| DEFAULT_PG.to_string());
    let mut admin = match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            assert!(required.is_none(), "MIGPLAN_TEST_POSTGRES_URL: cannot connect: {e}");
            eprintln!("skipped: no PostgreSQL at {DEFAULT_PG} ({e}); set MIGPLAN_TEST_POSTGRES_URL");
            return None;
        }
    };
    let (scheme, rest) = url.split_once("://").unwrap();
    let authority = rest.split(['/', '?']).next().unwrap();
    let server = format!("{scheme}://{authority}");
    let name = format!("migplan_alembic_{test}_{}", std::process::id());
    // Two calls: several statements in one string run as one transaction, which these refuse.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .unwrap();
    admin.batch_execute(&format!("CREATE DATABASE \"{name}\"")).unwrap();
    let dir = project_dir(test);
    Some(Fixture::new(dir, Db::Postgres { server, name }, alembic))
}

fn show(o: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The revision ids of `current` output, one per line (`e5 (head)` → `e5`); Alembic prints
/// several heads in set order, so compare as sets.
fn ids(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

impl Fixture {
    fn new(dir: PathBuf, db: Db, alembic: PathBuf) -> Fixture {
        let f = Fixture { dir, db, alembic };
        std::fs::write(
            f.dir.join("alembic.ini"),
            format!("[alembic]\nscript_location = %(here)s\nsqlalchemy.url = {}\n", f.db.url()),
        )
        .unwrap();
        std::fs::write(f.dir.join("env.py"), ENV_PY).unwrap();
        f
    }

    /// Write the revision files named (the project grows as a branch merges).
    fn revisions(&self, which: &[&str]) {
        for (id, down, labels, msg, up, downgrade) in REVISIONS {
            if !which.contains(&id) {
                continue;
            }
            let text = format!(
                "\"\"\"{msg}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
                 revision = \"{id}\"\ndown_revision = {down}\nbranch_labels = {labels}\ndepends_on = None\n\n\n\
                 def upgrade():\n{up}\n\n\ndef downgrade():\n{downgrade}\n"
            );
            std::fs::write(self.dir.join(format!("versions/{id}.py")), text).unwrap();
        }
    }

    fn all_revisions(&self) {
        self.revisions(&["a1", "b2", "c3", "d4", "e5"]);
    }

    /// Run Alembic; it must succeed. Returns stdout.
    fn alembic(&self, args: &[&str]) -> String {
        let o = Command::new(&self.alembic)
            .current_dir(&self.dir)
            .env("PYTHONHASHSEED", "0")
            .args(["-c", "alembic.ini", "-x"])
            .arg(format!("url={}", self.db.url()))
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "alembic {args:?}: {}", show(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Run migplan against the database; it must succeed. Returns stdout.
    fn migplan(&self, args: &[&str]) -> String {
        let o = Command::new(BIN)
            .current_dir(&self.dir)
            .env_remove("DATABASE_URL")
            .args(["-c", "alembic.ini", "--db", &self.db.url()])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "migplan {args:?}: {}", show(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// After migplan wrote: the version rows and what Alembic reads from them name
    /// `expected` (Alembic runs take ~0.6 s, so each tool reads what the other wrote).
    fn alembic_reads(&self, expected: &[&str]) {
        let want = set(expected);
        assert_eq!(self.db.versions(), want.iter().cloned().collect::<Vec<_>>(), "alembic_version rows");
        assert_eq!(ids(&self.alembic(&["current"])), want, "alembic current");
    }

    /// After Alembic wrote: the version rows and what migplan reads from them.
    fn migplan_reads(&self, expected: &[&str]) {
        let want = set(expected);
        assert_eq!(self.db.versions(), want.iter().cloned().collect::<Vec<_>>(), "alembic_version rows");
        assert_eq!(ids(&self.migplan(&["current"])), want, "migplan current");
    }

    /// The schema at e5, whoever migrated it.
    fn at_head(&self) {
        let mut want = vec!["account", "alembic_version", "item", "item_tag", "tag"];
        if self.db.tables().contains(&"migplan_history".to_string()) {
            want.push("migplan_history");
            want.sort();
        }
        assert_eq!(self.db.tables(), want);
        assert_eq!(self.db.columns("account"), ["email", "id", "name"]);
        assert_eq!(self.db.indexes(), ["ix_item_account_id", "ix_item_tag_tag_id"]);
    }

    /// Only the bookkeeping tables are left.
    fn at_base(&self) {
        assert_eq!(self.db.tables(), ["alembic_version", "migplan_history"]);
        assert!(self.db.versions().is_empty());
    }
}

/// Alembic migrates half-way; migplan continues from Alembic's row; Alembic sees the head
/// and downgrades everything migplan ran.
fn alembic_then_migplan(f: Fixture) {
    f.all_revisions();
    f.alembic(&["upgrade", "b2"]);
    f.migplan_reads(&["b2"]);
    f.migplan(&["upgrade", "heads"]);
    f.at_head();
    assert_eq!(
        f.db.audit(),
        ["upgrade c3", "upgrade d4", "upgrade e5"],
        "migplan ran only what was missing"
    );
    assert_eq!(f.alembic(&["current"]).trim(), "e5 (head)");
    f.alembic(&["downgrade", "base"]);
    f.at_base();
    f.migplan_reads(&[]);
}

/// migplan migrates first; Alembic agrees and steps back one; migplan agrees and finishes.
fn migplan_then_alembic(f: Fixture) {
    f.all_revisions();
    f.migplan(&["upgrade", "heads"]);
    f.at_head();
    f.alembic_reads(&["e5"]);
    f.alembic(&["downgrade", "-1"]);
    assert_eq!(f.db.columns("account"), ["id", "name"]);
    f.migplan_reads(&["d4"]);
    // Alembic undid e5 (dropping the column migplan added); migplan runs it again.
    f.migplan(&["upgrade", "heads"]);
    f.at_head();
    f.migplan(&["downgrade", "a1"]);
    f.alembic_reads(&["a1"]);
    assert_eq!(f.db.tables(), ["account", "alembic_version", "migplan_history"]);
    f.alembic(&["upgrade", "heads"]);
    f.at_head();
    f.migplan_reads(&["e5"]);
    f.migplan(&["downgrade", "base"]);
    f.at_base();
    f.alembic_reads(&[]);
}

/// Two heads as two rows, written by either tool and read by the other; the merge arrives
/// later and joins rows the other tool wrote.
fn two_heads(f: Fixture) {
    f.revisions(&["a1", "b2", "c3"]);
    f.alembic(&["upgrade", "branch_a@head"]);
    f.migplan_reads(&["b2"]);
    // migplan adds the other branch as a second row beside Alembic's.
    f.migplan(&["upgrade", "heads"]);
    assert_eq!(f.db.audit(), ["upgrade c3"]);
    f.alembic_reads(&["b2", "c3"]);
    // Alembic removes migplan's head and keeps its own, then writes two rows itself.
    f.alembic(&["downgrade", "branch_b@-1"]);
    f.migplan_reads(&["b2"]);
    f.alembic(&["upgrade", "branch_b@head"]);
    f.migplan_reads(&["b2", "c3"]);
    // One branch back by migplan, re-applied by Alembic.
    f.migplan(&["downgrade", "branch_a@-1"]);
    assert_eq!(f.db.tables(), ["account", "alembic_version", "migplan_history", "tag"]);
    f.alembic_reads(&["c3"]);
    f.alembic(&["upgrade", "heads"]);
    f.migplan_reads(&["b2", "c3"]);
    // The merge arrives: migplan joins the two rows Alembic wrote, Alembic continues.
    f.revisions(&["d4", "e5"]);
    f.migplan(&["upgrade", "d4"]);
    assert_eq!(f.alembic(&["current"]).trim(), "d4 (mergepoint)");
    f.alembic(&["upgrade", "heads"]);
    f.at_head();
    f.migplan_reads(&["e5"]);
    // Back below the merge: each tool splits it into the two rows the other reads.
    f.migplan(&["downgrade", "b2"]);
    f.alembic_reads(&["b2", "c3"]);
    f.alembic(&["upgrade", "heads"]);
    f.alembic(&["downgrade", "b2"]);
    f.migplan_reads(&["b2", "c3"]);
    f.migplan(&["upgrade", "heads"]);
    f.at_head();
    f.alembic(&["downgrade", "base"]);
    f.at_base();
    f.migplan_reads(&[]);
}

#[test]
fn sqlite_alembic_then_migplan() {
    if let Some(f) = sqlite("s1") {
        alembic_then_migplan(f);
    }
}

#[test]
fn sqlite_migplan_then_alembic() {
    if let Some(f) = sqlite("s2") {
        migplan_then_alembic(f);
    }
}

#[test]
fn sqlite_two_heads() {
    if let Some(f) = sqlite("s3") {
        two_heads(f);
    }
}

#[test]
fn postgres_alembic_then_migplan() {
    if let Some(f) = postgres("p1") {
        alembic_then_migplan(f);
    }
}

#[test]
fn postgres_migplan_then_alembic() {
    if let Some(f) = postgres("p2") {
        migplan_then_alembic(f);
    }
}

#[test]
fn postgres_two_heads() {
    if let Some(f) = postgres("p3") {
        two_heads(f);
    }
}
