//! `check --db URL`'s `schema-drift` and `revision --autogenerate --db URL` against real
//! servers: a small Alembic project of our own is migrated by the runner, then altered by
//! hand (a column added, an index created, a column dropped); `check --db` must report
//! exactly those drifts, at those objects, and exit 1; before the change it reports none
//! and exits 0. `revision --autogenerate --db` must write the revision that brings the
//! migrations in line: applied to a fresh database (and stamped on the altered one), no
//! drift is left. The columns' types (boolean, date-time, numeric, big integer, float,
//! text, strings) read back from each catalogue must not look like drift. On SQLite the
//! revision is also compared with the real Alembic's `alembic revision --autogenerate`,
//! given the altered database reflected
//! (`MetaData.reflect`) as `target_metadata`; on PostgreSQL too, but for two artefacts of
//! reflected metadata migplan does not write (`autoincrement=False` on the added column,
//! `postgresql_include=[]` on the index), normalised away.
//!
//! Needs `MIGPLAN_TEST_POSTGRES_URL` and `MIGPLAN_TEST_MYSQL_URL` (a missing server fails);
//! the Alembic differential needs target/alembic-venv (skipped with a notice without it,
//! unless MIGPLAN_REQUIRE_ORACLE=1).

use std::path::{Path, PathBuf};
use std::process::Command;

use mysql::prelude::Queryable;

#[path = "support/oracle.rs"]
mod oracle;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

const MAKO: &str = include_str!("autogen/in_sync/migrations/script.py.mako");

const ENV_PY: &str = "from alembic import context
from sqlalchemy import MetaData, create_engine, engine_from_config, pool

config = context.config
# The hand-altered database, reflected: the live schema is the models' side.
target_metadata = MetaData()
target_metadata.reflect(bind=create_engine(config.get_main_option('altered_url')))
for t in ('alembic_version', 'migplan_history'):
    if t in target_metadata.tables:
        target_metadata.remove(target_metadata.tables[t])


def run_migrations_online():
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix='sqlalchemy.',
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
";

const A1: &str = r#""""users and posts

Revision ID: a1
Revises:
Create Date: 2026-03-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("price", sa.Numeric(10, 2), nullable=True),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_posts_title", "posts", ["title"])


def downgrade():
    op.drop_index("ix_posts_title", table_name="posts")
    op.drop_table("posts")
    op.drop_table("users")
"#;

/// What the hand changes are, and the drift each must be reported as.
const ALTER: &[&str] = &[
    "ALTER TABLE users ADD COLUMN nickname VARCHAR(30)",
    "CREATE INDEX ix_users_name ON users (name)",
    "ALTER TABLE users DROP COLUMN bio",
];
const EXPECTED: &[&str] = &[
    "column users.bio is in the migrations but not in the database",
    "column users.nickname is in the database but not in the migrations",
    "index ix_users_name on users is in the database only",
];

fn server_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => panic!("{var} is not set: these tests need a live server and never skip"),
    }
}

/// The project folder, removed at the end.
struct Project(PathBuf);

impl Project {
    fn new(label: &str) -> Project {
        let dir = std::env::temp_dir().join(format!("migplan-drift-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let v = dir.join("migrations/versions");
        std::fs::create_dir_all(&v).unwrap();
        std::fs::write(dir.join("migrations/script.py.mako"), MAKO).unwrap();
        std::fs::write(dir.join("migrations/env.py"), ENV_PY).unwrap();
        std::fs::write(v.join("a1_users_posts.py"), A1).unwrap();
        std::fs::write(
            dir.join("alembic.ini"),
            "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\nsqlalchemy.url = sqlite:///unused.db\n",
        )
        .unwrap();
        Project(dir)
    }

    fn migplan(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(BIN).args(args).current_dir(&self.0).output().expect("run migplan");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.migplan(args);
        assert_eq!(code, 0, "migplan {args:?}:\n{out}{err}");
        out
    }

    /// `check --db URL --format json`: exit status and the (code, message) of each
    /// database finding (those with no file).
    fn check(&self, url: &str) -> (i32, Vec<(String, String)>) {
        let (code, out, err) = self.migplan(&["check", "--db", url, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\n{err}"));
        let mut found: Vec<(String, String)> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("schema-drift")))
            .map(|d| (d["code"].as_str().unwrap().to_string(), d["message"].as_str().unwrap().to_string()))
            .collect();
        found.sort();
        (code, found)
    }

    /// From `def upgrade` to the end of the revision `rev`.
    fn bodies(&self, rev: &str) -> String {
        let versions = self.0.join("migrations/versions");
        let file = std::fs::read_dir(&versions)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{rev}_")))
            .unwrap_or_else(|| panic!("no revision {rev}"));
        let text = std::fs::read_to_string(file).unwrap();
        text[text.find("def upgrade").unwrap()..].to_string()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Migrate, check (no drift), alter by hand with `exec`, check (exactly the drifts), then
/// `revision --autogenerate --db`: stamped on the altered database and applied to `fresh`,
/// no drift is left. Returns the revision's bodies.
fn scenario(p: &Project, url: &str, fresh: &str, exec: &mut dyn FnMut(&str)) -> String {
    scenario_with(p, url, fresh, ALTER, EXPECTED, exec)
}

fn scenario_with(p: &Project, url: &str, fresh: &str, alter: &[&str], expected: &[&str], exec: &mut dyn FnMut(&str)) -> String {
    p.ok(&["upgrade", "head", "--db", url]);
    assert_eq!(p.check(url), (0, vec![]), "a database the runner migrated has no drift");
    for sql in alter {
        exec(sql);
    }
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|m| ("schema-drift".to_string(), format!("database at a1: {m}")))
        .collect();
    assert_eq!(p.check(url), (1, want));
    let out = p.ok(&["revision", "--autogenerate", "--db", url, "-m", "sync with db", "--rev-id", "b2"]);
    assert!(out.contains("Generating"), "{out}");
    p.ok(&["stamp", "b2", "--db", url]);
    assert_eq!(
        p.check(url),
        (0, vec![]),
        "stamped at the new revision, the altered database has no drift"
    );
    p.ok(&["upgrade", "head", "--db", fresh]);
    assert_eq!(
        p.check(fresh),
        (0, vec![]),
        "the new revision applied to a fresh database builds the altered schema"
    );
    p.bodies("b2")
}

#[test]
fn sqlite_drift_and_the_revision_alembic_writes() {
    let p = Project::new("sqlite");
    let db = p.0.join("altered.db");
    let url = format!("sqlite:///{}", db.display());
    let fresh = format!("sqlite:///{}", p.0.join("fresh.db").display());
    let conn_path = db.clone();
    let ours = scenario(&p, &url, &fresh, &mut |sql| {
        let c = rusqlite::Connection::open(&conn_path).unwrap();
        c.execute_batch(sql).unwrap();
    });
    assert!(
        ours.contains("op.add_column('users', sa.Column('nickname', sa.VARCHAR(length=30), nullable=True))"),
        "{ours}"
    );

    // The real Alembic, the altered database reflected as its target_metadata, compared
    // with a scratch database at a1.
    let Some(alembic) = oracle::alembic() else { return };
    let q = Project::new("sqlite-alembic");
    std::fs::copy(&db, q.0.join("altered.db")).unwrap();
    std::fs::write(
        q.0.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\nsqlalchemy.url = sqlite:///scratch.db\naltered_url = sqlite:///altered.db\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&alembic)
            .args(args)
            .current_dir(&q.0)
            .env("PYTHONHASHSEED", "0")
            .output()
            .expect("run alembic");
        assert!(out.status.success(), "alembic {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&["upgrade", "a1"]);
    run(&["revision", "--autogenerate", "-m", "sync with db", "--rev-id", "b2"]);
    assert_eq!(ours, q.bodies("b2"));
}

#[test]
fn postgres_drift() {
    let admin = server_url("MIGPLAN_TEST_POSTGRES_URL");
    let name = format!("migplan_drift_{}", std::process::id());
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to PostgreSQL");
    for n in [&name, &format!("{name}_fresh")] {
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {n}")).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {n}")).unwrap();
    }
    let base = admin.rsplit_once('/').unwrap().0;
    let (url, fresh) = (format!("{base}/{name}"), format!("{base}/{name}_fresh"));
    let p = Project::new("pg");
    let oracle = format!("{name}_oracle");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {oracle}")).unwrap();
    c.batch_execute(&format!("CREATE DATABASE {oracle}")).unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let out = scenario(&p, &url, &fresh, &mut |sql| db.batch_execute(sql).unwrap());
        drop(db);
        // The real Alembic: the altered database reflected as target_metadata, compared
        // with a scratch database at a1.
        let alembic = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/alembic-venv/bin/alembic");
        if alembic.exists() {
            let q = Project::new("pg-alembic");
            let sa = |db: &str| format!("postgresql+psycopg2://{}/{db}", base.split_once("://").unwrap().1);
            std::fs::write(
                q.0.join("alembic.ini"),
                format!(
                    "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {}\naltered_url = {}\n",
                    sa(&oracle),
                    sa(&name)
                ),
            )
            .unwrap();
            for args in [
                &["upgrade", "a1"][..],
                &["revision", "--autogenerate", "-m", "sync with db", "--rev-id", "b2"],
            ] {
                let o = Command::new(&alembic)
                    .args(args)
                    .current_dir(&q.0)
                    .env("PYTHONHASHSEED", "0")
                    .output()
                    .unwrap();
                assert!(o.status.success(), "alembic {args:?}: {}", String::from_utf8_lossy(&o.stderr));
            }
            // Normalisation: two artefacts of reflected metadata as the models, which
            // migplan does not write: a reflected column's `autoincrement=False` in the
            // upgrade's add_column, and a reflected index's `postgresql_include=[]`.
            let theirs = q
                .bodies("b2")
                .replace(
                    "sa.VARCHAR(length=30), autoincrement=False, nullable=True",
                    "sa.VARCHAR(length=30), nullable=True",
                )
                .replace(", postgresql_include=[]", "");
            assert_eq!(out, theirs);
        } else {
            assert!(
                std::env::var_os("MIGPLAN_REQUIRE_ORACLE").is_none_or(|v| v != "1"),
                "no {}",
                alembic.display()
            );
            eprintln!("skipped the Alembic differential: no {}", alembic.display());
        }
        out
    }));
    for n in [&name, &format!("{name}_fresh"), &oracle] {
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)")).unwrap();
    }
    let bodies = result.unwrap();
    assert!(bodies.contains("op.drop_column('users', 'bio')"), "{bodies}");
}

#[test]
fn mysql_drift() {
    let admin = server_url("MIGPLAN_TEST_MYSQL_URL");
    let name = format!("migplan_drift_{}", std::process::id());
    let mut c = mysql::Conn::new(mysql::Opts::from_url(&admin).expect("MySQL URL")).expect("connect to MySQL");
    for n in [&name, &format!("{name}_fresh")] {
        c.query_drop(format!("DROP DATABASE IF EXISTS {n}")).unwrap();
        c.query_drop(format!("CREATE DATABASE {n}")).unwrap();
    }
    let base = admin.rsplit_once('/').unwrap().0;
    let (url, fresh) = (format!("{base}/{name}"), format!("{base}/{name}_fresh"));
    let p = Project::new("mysql");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut db = mysql::Conn::new(mysql::Opts::from_url(&url).unwrap()).unwrap();
        scenario(&p, &url, &fresh, &mut |sql| db.query_drop(sql).unwrap())
    }));
    for n in [&name, &format!("{name}_fresh")] {
        c.query_drop(format!("DROP DATABASE IF EXISTS {n}")).unwrap();
    }
    let bodies = result.unwrap();
    assert!(bodies.contains("op.drop_column('users', 'bio')"), "{bodies}");
}

/// An applied revision migplan cannot read (its SQL built at run time): the tables it may
/// have touched are `schema-drift-unknown`, never claimed as drift, and `check` exits 0.
/// Alembic applies it (the runner refuses opaque steps).
#[test]
fn sqlite_opaque_step_is_unknown_not_drift() {
    let Some(alembic) = oracle::alembic() else { return };
    let p = Project::new("sqlite-opaque");
    std::fs::write(
        p.0.join("migrations/versions/a2_opaque.py"),
        "revision = 'a2'\ndown_revision = 'a1'\nfrom alembic import op\nNAME = ''.join(['ext', 'ra'])\n\
         def upgrade():\n    op.execute('CREATE TABLE ' + NAME + ' (id INTEGER PRIMARY KEY)')\n\
         def downgrade():\n    op.execute('DROP TABLE ' + NAME)\n",
    )
    .unwrap();
    // Alembic's env.py here reflects an `altered_url`: the same database will do.
    std::fs::write(
        p.0.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\nsqlalchemy.url = sqlite:///scratch.db\naltered_url = sqlite:///scratch.db\n",
    )
    .unwrap();
    let out = Command::new(&alembic).args(["upgrade", "head"]).current_dir(&p.0).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url = format!("sqlite:///{}", p.0.join("scratch.db").display());
    let (code, found) = p.check(&url);
    assert_eq!(code, 0, "{found:?}");
    assert!(found.iter().all(|(c, _)| c == "schema-drift-unknown"), "{found:?}");
    let tables: Vec<bool> = ["table extra ", "table posts ", "table users "]
        .iter()
        .map(|t| found.iter().any(|(_, m)| m.starts_with(t)))
        .collect();
    assert_eq!(tables, [true, true, true], "{found:?}");
}

/// Databases `<prefix>_<pid>` and `<prefix>_<pid>_fresh` on the server `admin` points at,
/// made for `f(url, fresh)` and dropped after it, whatever it does.
fn with_databases<T>(admin: &str, prefix: &str, f: impl FnOnce(&str, &str) -> T) -> T {
    let name = format!("{prefix}_{}", std::process::id());
    let names = [name.clone(), format!("{name}_fresh")];
    let pg = admin.starts_with("postgres");
    let run = |sql: &str| {
        if pg {
            let mut c = postgres::Client::connect(admin, postgres::NoTls).expect("connect to PostgreSQL");
            c.batch_execute(sql).unwrap();
        } else {
            let mut c = mysql::Conn::new(mysql::Opts::from_url(admin).unwrap()).expect("connect to MySQL");
            c.query_drop(sql).unwrap();
        }
    };
    for n in &names {
        run(&format!("DROP DATABASE IF EXISTS {n}"));
        run(&format!("CREATE DATABASE {n}"));
    }
    let base = admin.rsplit_once('/').unwrap().0;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        f(&format!("{base}/{}", names[0]), &format!("{base}/{}", names[1]))
    }));
    for n in &names {
        run(&format!("DROP DATABASE IF EXISTS {n}{}", if pg { " WITH (FORCE)" } else { "" }));
    }
    result.unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// A table created, a unique constraint added, a foreign key dropped, a column made NOT
/// NULL and one widened, by hand.
#[test]
fn postgres_more_drifts() {
    let admin = server_url("MIGPLAN_TEST_POSTGRES_URL");
    with_databases(&admin, "migplan_drift_more", |url, fresh| {
        let p = Project::new("pg-more");
        let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let bodies = scenario_with(
            &p,
            url,
            fresh,
            &[
                "CREATE TABLE tags (id INTEGER PRIMARY KEY, label VARCHAR(20) NOT NULL)",
                "ALTER TABLE posts ADD CONSTRAINT uq_posts_title UNIQUE (title)",
                "ALTER TABLE posts DROP CONSTRAINT posts_user_id_fkey",
                "ALTER TABLE users ALTER COLUMN name SET NOT NULL",
                "ALTER TABLE users ALTER COLUMN email TYPE VARCHAR(200)",
            ],
            &[
                "column users.email differs: type String(100) in the migrations, VARCHAR(200) in the database",
                "column users.name differs: nullable true in the migrations, false in the database",
                "foreign key posts(user_id) → users is in the migrations only",
                "table tags is in the database but no migration creates it",
                "unique constraint uq_posts_title on posts is in the database only",
            ],
            &mut |sql| db.batch_execute(sql).unwrap(),
        );
        assert!(
            bodies.contains("op.drop_constraint(op.f('posts_user_id_fkey'), 'posts', type_='foreignkey')"),
            "{bodies}"
        );
    });
}

/// The same on MySQL/MariaDB, but for the foreign key: dropped by hand, its name is the
/// server's (`posts_ibfk_1`), which the simulation does not know, so the revision could
/// not name it. A unique constraint is a unique index there, and reported as one.
#[test]
fn mysql_more_drifts() {
    let admin = server_url("MIGPLAN_TEST_MYSQL_URL");
    with_databases(&admin, "migplan_drift_more", |url, fresh| {
        let p = Project::new("mysql-more");
        let mut db = mysql::Conn::new(mysql::Opts::from_url(url).unwrap()).unwrap();
        scenario_with(
            &p,
            url,
            fresh,
            &[
                "CREATE TABLE tags (id INTEGER PRIMARY KEY, label VARCHAR(20) NOT NULL)",
                "ALTER TABLE posts ADD CONSTRAINT uq_posts_title UNIQUE (title)",
                "ALTER TABLE users MODIFY name VARCHAR(50) NOT NULL",
                "ALTER TABLE users MODIFY email VARCHAR(200) NOT NULL",
            ],
            &[
                "column users.email differs: type String(100) in the migrations, VARCHAR(200) in the database",
                "column users.name differs: nullable true in the migrations, false in the database",
                "index uq_posts_title on posts is in the database only",
                "table tags is in the database but no migration creates it",
            ],
            &mut |sql| db.query_drop(sql).unwrap(),
        );
    });
}
