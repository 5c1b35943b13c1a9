//! The real SQL tools as oracles: sqlx-cli, diesel_cli and dbmate migrate real projects in
//! turns with `migplan --db`, on live PostgreSQL and MariaDB servers.
//!
//! For each project, three databases of the test's own (`migplan_ti_<project>_<which>_<pid>`,
//! created from the server's URL and dropped at the end):
//!   alone     the tool applies every migration by itself: the reference bookkeeping;
//!   tool1st   the tool applies the first half, `migplan upgrade head` the rest;
//!   migplan1st  `migplan upgrade <mid>` applies the first half, the tool the rest.
//! After each, the tool's own status must say nothing is pending and report no checksum
//! error, and a second run of the tool must have nothing to do; then the bookkeeping rows of
//! all three must be identical (versions, descriptions, checksums, success flags), apart from
//! timestamps, durations and who applied them, and so must the bookkeeping table's columns.
//!
//! The tools are the pinned ones `scripts/install-sql-tools` installs (sqlx and diesel in
//! `$CARGO_HOME/bin`, dbmate in target/sql-tools/); a missing tool fails the tests, as does
//! a server that does not answer: nothing here skips. Servers: `MIGPLAN_TEST_POSTGRES_URL`,
//! `MIGPLAN_TEST_MYSQL_URL` (default the local servers). The projects are the corpus ones
//! (tests/corpus/manifest.toml, fetched into `$MIGPLAN_CORPUS_CACHE` if not there yet, never
//! copied into the repository) and, for dbmate, which has no real project in the corpus,
//! tests/sql_folders/dbmate_mysql.
//!
//! Not part of a plain `cargo test` (`test = false` in Cargo.toml: it needs the tools, the
//! servers and the registries); scripts/test installs the tools and runs it as
//! `cargo test --test tools_interop`.

#[allow(dead_code)]
#[path = "corpus/manifest.rs"]
mod manifest;

#[allow(dead_code)]
#[path = "corpus/fetch.rs"]
mod fetch;

use std::path::{Path, PathBuf};
use std::process::Command;

use mysql::prelude::Queryable;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------
// Servers and databases
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    Postgres,
    Mysql,
}

impl Server {
    fn dialect(self) -> &'static str {
        match self {
            Server::Postgres => "postgresql",
            Server::Mysql => "mysql",
        }
    }

    /// The server's URL (the database named in it is where test databases are made from).
    fn admin_url(self) -> String {
        let (var, default) = match self {
            Server::Postgres => ("MIGPLAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
            Server::Mysql => ("MIGPLAN_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
        };
        match std::env::var(var) {
            Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => default.to_string(),
        }
    }
}

/// `url` with its database replaced by `db` (query arguments kept).
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let auth = base.find("://").expect("URL with a scheme") + 3;
    let path = base[auth..].find('/').map_or(base.len(), |i| auth + i);
    format!("{}/{db}{}", &base[..path], query.map(|q| format!("?{q}")).unwrap_or_default())
}

/// A connection of the test's own (the same crates as the runner, none of its code).
enum Conn {
    Pg(postgres::Client),
    My(mysql::Conn),
}

impl Conn {
    fn open(server: Server, url: &str) -> Conn {
        match server {
            Server::Postgres => {
                Conn::Pg(postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| {
                    panic!("cannot connect to PostgreSQL at {url}: {e} (set MIGPLAN_TEST_POSTGRES_URL to a live server)")
                }))
            }
            Server::Mysql => {
                let opts = mysql::Opts::from_url(url).unwrap_or_else(|e| panic!("bad MySQL URL {url}: {e}"));
                Conn::My(mysql::Conn::new(opts).unwrap_or_else(|e| {
                    panic!("cannot connect to MySQL/MariaDB at {url}: {e} (set MIGPLAN_TEST_MYSQL_URL to a live server)")
                }))
            }
        }
    }

    fn try_exec(&mut self, sql: &str) -> Result<(), String> {
        match self {
            Conn::Pg(c) => c.batch_execute(sql).map_err(|e| format!("{e:?}")),
            Conn::My(c) => c.query_drop(sql).map_err(|e| e.to_string()),
        }
    }

    fn exec(&mut self, sql: &str) {
        if let Err(e) = self.try_exec(sql) {
            panic!("{sql}: {e}");
        }
    }

    /// Rows of a query whose columns are all text (NULL shown as `NULL`).
    fn rows(&mut self, sql: &str) -> Vec<Vec<String>> {
        match self {
            Conn::Pg(c) => c
                .query(sql, &[])
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.get::<_, Option<String>>(i).unwrap_or_else(|| "NULL".into()))
                        .collect()
                })
                .collect(),
            Conn::My(c) => c
                .query::<mysql::Row, _>(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .into_iter()
                .map(|r| {
                    r.unwrap()
                        .into_iter()
                        .map(|v| match v {
                            mysql::Value::NULL => "NULL".to_string(),
                            mysql::Value::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
                            other => other.as_sql(true),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// A test's own database: created here, dropped at the end (also when the test panics).
struct TestDb {
    server: Server,
    name: String,
    url: String,
    admin: String,
}

impl TestDb {
    fn create(server: Server, label: &str) -> TestDb {
        let name: String = format!("migplan_ti_{label}_{}", std::process::id())
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(63)
            .collect();
        let admin = server.admin_url();
        let mut c = Conn::open(server, &admin);
        match server {
            Server::Postgres => {
                c.exec(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                c.exec(&format!("CREATE DATABASE {name}"));
            }
            Server::Mysql => {
                c.exec(&format!("DROP DATABASE IF EXISTS {name}"));
                c.exec(&format!("CREATE DATABASE {name} CHARACTER SET utf8mb4"));
            }
        }
        TestDb {
            server,
            url: with_database(&admin, &name),
            name,
            admin,
        }
    }

    fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        Conn::open(self.server, &self.url).rows(sql)
    }

    /// The bookkeeping table's columns: name, type, nullable.
    fn columns(&self, table: &str) -> Vec<String> {
        let schema = match self.server {
            Server::Postgres => "current_schema()".to_string(),
            Server::Mysql => format!("'{}'", self.name),
        };
        self.rows(&format!(
            "SELECT CAST(column_name AS CHAR(64)), CAST(column_type_text AS CHAR(64)), CAST(is_nullable AS CHAR(3)) FROM \
             (SELECT column_name, {ty} AS column_type_text, is_nullable, ordinal_position FROM information_schema.columns \
              WHERE table_schema = {schema} AND table_name = '{table}') c ORDER BY column_name",
            ty = match self.server {
                Server::Postgres => "data_type",
                Server::Mysql => "column_type",
            }
        ))
        .into_iter()
        .map(|r| r.join(" "))
        .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let sql = match self.server {
            Server::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            Server::Mysql => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        // Best effort: a failed drop must not hide the test's own panic.
        let r = std::panic::catch_unwind(|| Conn::open(self.server, &self.admin).try_exec(&sql));
        if !matches!(r, Ok(Ok(()))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// A directory removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("migplan-tools-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
}

// ---------------------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------------------

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    cmd: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "`{}` failed:\n--- stdout\n{}\n--- stderr\n{}",
            self.cmd,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `cmd` in `cwd` (a folder of the test's own, so no `.env` or `diesel.toml` of the
/// repository is picked up), with no `DATABASE_URL` from the environment.
fn run(cmd: &mut Command, cwd: &Path) -> Run {
    cmd.current_dir(cwd).env_remove("DATABASE_URL");
    let shown = format!(
        "{} {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        cmd: shown,
    }
}

// ---------------------------------------------------------------------------------------
// The tools
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Sqlx,
    Diesel,
    Dbmate,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Sqlx => "sqlx",
            Tool::Diesel => "diesel",
            Tool::Dbmate => "dbmate",
        }
    }

    /// The pinned version, as scripts/install-sql-tools says.
    fn pin(self) -> String {
        let var = match self {
            Tool::Sqlx => "SQLX_VERSION=",
            Tool::Diesel => "DIESEL_VERSION=",
            Tool::Dbmate => "DBMATE_VERSION=",
        };
        let script = std::fs::read_to_string(repo().join("scripts/install-sql-tools")).unwrap();
        script
            .lines()
            .find_map(|l| l.strip_prefix(var))
            .unwrap_or_else(|| panic!("scripts/install-sql-tools pins no {var}"))
            .trim()
            .to_string()
    }

    /// The installed binary, which must be the pinned version.
    fn bin(self) -> PathBuf {
        let bin = match self {
            Tool::Dbmate => repo().join("target/sql-tools/dbmate/node_modules/.bin/dbmate"),
            _ => {
                let home = std::env::var_os("CARGO_HOME")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
                home.join("bin").join(self.name())
            }
        };
        assert!(
            bin.exists(),
            "{} is not installed at {}: run scripts/install-sql-tools (scripts/test does)",
            self.name(),
            bin.display()
        );
        let version = run(Command::new(&bin).arg("--version"), &std::env::temp_dir()).ok().stdout;
        let pin = self.pin();
        assert!(
            version.lines().any(|l| l.trim_end().ends_with(&format!(" {pin}"))),
            "{} is {version:?}, not the pinned {pin}: run scripts/install-sql-tools",
            bin.display()
        );
        bin
    }

    fn command(self, args: &[&str], dir: &Path, url: &str) -> Command {
        let mut c = Command::new(self.bin());
        match self {
            Tool::Sqlx => {
                c.args(["migrate"])
                    .args(args)
                    .arg("--source")
                    .arg(dir)
                    .args(["--database-url", url]);
            }
            Tool::Diesel => {
                c.args(["migration"])
                    .args(args)
                    .arg("--migration-dir")
                    .arg(dir)
                    .args(["--database-url", url]);
            }
            Tool::Dbmate => {
                c.args(["--url", url, "--migrations-dir"])
                    .arg(dir)
                    .arg("--no-dump-schema")
                    .args(args);
            }
        }
        c
    }

    /// Applies every pending migration of `dir`.
    fn up(self, dir: &Path, url: &str, cwd: &Path) -> Run {
        let args: &[&str] = match self {
            Tool::Sqlx | Tool::Diesel => &["run"],
            Tool::Dbmate => &["migrate"],
        };
        run(&mut self.command(args, dir, url), cwd).ok()
    }

    /// Applies the migrations of `dir` up to and including `first_half`'s last: sqlx with
    /// `--target-version`, diesel and dbmate (which apply all that is pending) on a copy of
    /// the folder holding only those.
    fn up_to(self, p: &ProjectDir, first_half: &[Migration], url: &str, cwd: &Path) {
        match self {
            Tool::Sqlx => {
                let v = &first_half.last().unwrap().tool_version;
                run(&mut self.command(&["run", "--target-version", v], &p.dir, url), cwd).ok();
            }
            Tool::Diesel | Tool::Dbmate => {
                let half = cwd.join("first-half");
                let _ = std::fs::remove_dir_all(&half);
                std::fs::create_dir_all(&half).unwrap();
                for m in first_half {
                    for entry in &m.entries {
                        copy_tree(&p.dir.join(entry), &half.join(entry));
                    }
                }
                self.up(&half, url, cwd);
            }
        }
    }

    /// The tool's own status: every migration of the folder applied, none pending, no
    /// checksum error; and a second run finds nothing to do.
    fn assert_all_applied(self, p: &ProjectDir, url: &str, cwd: &Path) {
        let n = p.migrations.len();
        match self {
            Tool::Sqlx => {
                // `VERSION/installed DESCRIPTION`, `VERSION/pending …`, and
                // `installed (different checksum)` on a mismatch.
                let r = run(&mut self.command(&["info"], &p.dir, url), cwd).ok();
                let out = r.all();
                let installed = out.lines().filter(|l| l.contains("/installed")).count();
                assert!(
                    installed == n && !out.contains("/pending") && !out.contains("different checksum"),
                    "sqlx migrate info should show all {n} installed with their checksums:\n{out}"
                );
            }
            Tool::Diesel => {
                let r = run(&mut self.command(&["pending"], &p.dir, url), cwd).ok();
                assert_eq!(r.stdout.trim(), "false", "diesel migration pending should say false:\n{}", r.all());
                let r = run(&mut self.command(&["list"], &p.dir, url), cwd).ok();
                let applied = r.stdout.lines().filter(|l| l.trim_start().starts_with("[X]")).count();
                assert!(
                    applied == n && !r.stdout.contains("[ ]"),
                    "diesel migration list should show all {n} applied:\n{}",
                    r.all()
                );
            }
            Tool::Dbmate => {
                let r = run(&mut self.command(&["status", "--exit-code"], &p.dir, url), cwd).ok();
                assert!(
                    r.stdout.contains(&format!("Applied: {n}")) && r.stdout.contains("Pending: 0"),
                    "dbmate status should show all {n} applied:\n{}",
                    r.all()
                );
            }
        }
        // Nothing left to do (sqlx also verifies every applied migration's checksum here).
        let again = self.up(&p.dir, url, cwd);
        let out = again.all();
        let applied_again = match self {
            Tool::Sqlx => out.contains("Applied "),
            Tool::Diesel => out.contains("Running migration"),
            Tool::Dbmate => out.contains("Applying:"),
        };
        assert!(!applied_again, "a second `{}` applied migrations again:\n{out}", again.cmd);
    }

    /// The bookkeeping table.
    fn table(self) -> &'static str {
        match self {
            Tool::Sqlx => "_sqlx_migrations",
            Tool::Diesel => "__diesel_schema_migrations",
            Tool::Dbmate => "schema_migrations",
        }
    }

    /// The bookkeeping rows, without the timestamps, durations and applying user.
    fn rows(self, db: &TestDb) -> Vec<String> {
        let sql = match (self, db.server) {
            (Tool::Sqlx, Server::Postgres) => {
                "SELECT version::text, description, success::text, encode(checksum, 'hex') \
                 FROM _sqlx_migrations ORDER BY version"
            }
            (Tool::Sqlx, Server::Mysql) => {
                "SELECT CAST(version AS CHAR), description, CAST(success AS CHAR), LOWER(HEX(checksum)) \
                 FROM _sqlx_migrations ORDER BY version"
            }
            (Tool::Diesel, _) => "SELECT version FROM __diesel_schema_migrations ORDER BY version",
            (Tool::Dbmate, _) => "SELECT version FROM schema_migrations ORDER BY version",
        };
        db.rows(sql).into_iter().map(|r| r.join(" | ")).collect()
    }
}

// ---------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------

/// One migration: the folder entries it is made of, its version as the tool records it
/// and migplan's revision id for it.
#[derive(Clone, Debug)]
struct Migration {
    entries: Vec<String>,
    tool_version: String,
    revision: String,
}

struct ProjectDir {
    name: String,
    dir: PathBuf,
    layout: &'static str,
    server: Server,
    migrations: Vec<Migration>,
}

/// A corpus project's migrations folder, fetched and unpacked into the cache if needed.
fn corpus_dir(name: &str) -> PathBuf {
    let projects = manifest::load(&repo().join("tests/corpus/manifest.toml")).unwrap();
    let p = projects
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no project {name} in tests/corpus/manifest.toml"));
    let top = fetch::unpacked(&fetch::cache_dir(), p).unwrap_or_else(|e| panic!("corpus project {name}: {e}"));
    let dir = top.join(p.dir.as_deref().expect("a migrations folder"));
    assert!(dir.is_dir(), "corpus project {name}: no folder {}", dir.display());
    dir
}

/// The migrations of `dir` in order, as `tool` names them, with migplan's revision ids
/// (from `migplan history`, matched by version).
fn project(name: &str, tool: Tool, server: Server, dir: PathBuf) -> ProjectDir {
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut migrations: Vec<Migration> = Vec::new();
    for n in names {
        // sqlx: VERSION_DESC.sql or VERSION_DESC.up.sql / .down.sql; dbmate: VERSION_DESC.sql;
        // diesel: a folder YYYY-MM-DD-HHMMSS_desc, recorded without the dashes.
        let version = match tool {
            Tool::Sqlx | Tool::Dbmate => n.split('_').next().unwrap().to_string(),
            Tool::Diesel => n.split('_').next().unwrap().replace('-', ""),
        };
        match migrations.last_mut() {
            Some(m) if m.tool_version == version => m.entries.push(n),
            _ => migrations.push(Migration {
                entries: vec![n],
                tool_version: version,
                revision: String::new(),
            }),
        }
    }
    // sqlx applies in the order of the versions as numbers (`1_initial.sql` and
    // `2_….sql` before `20250901090000_….sql`); diesel and dbmate as strings.
    if tool == Tool::Sqlx {
        migrations.sort_by_key(|m| m.tool_version.parse::<i64>().expect("a numeric sqlx version"));
    }
    let layout = tool.name();
    let history = run(
        Command::new(BIN)
            .arg("-d")
            .arg(&dir)
            .args(["--layout", layout, "--dialect", server.dialect(), "history"]),
        &std::env::temp_dir(),
    )
    .ok()
    .stdout;
    let ids = revision_ids(&history);
    assert_eq!(
        ids.len(),
        migrations.len(),
        "migplan history of {} has {} revisions, the folder {} migrations:\n{history}",
        dir.display(),
        ids.len(),
        migrations.len()
    );
    for m in &mut migrations {
        m.revision = ids
            .iter()
            .find(|id| id.replace('-', "") == m.tool_version || id.split('_').next() == Some(m.tool_version.as_str()))
            .unwrap_or_else(|| panic!("no migplan revision for version {} in:\n{history}", m.tool_version))
            .clone();
    }
    ProjectDir {
        name: name.to_string(),
        dir,
        layout,
        server,
        migrations,
    }
}

/// The revision ids of `migplan history` lines (`<down> -> <id>[ (head)], <message>`).
fn revision_ids(history: &str) -> Vec<String> {
    history
        .lines()
        .filter_map(|l| l.split_once(" -> "))
        .map(|(_, rest)| rest.split([' ', ',']).next().unwrap().to_string())
        .collect()
}

fn migplan(p: &ProjectDir, db: &TestDb, target: &str, cwd: &Path) -> Run {
    let mut c = Command::new(BIN);
    c.arg("-d").arg(&p.dir).args([
        "--layout",
        p.layout,
        "--dialect",
        p.server.dialect(),
        "upgrade",
        target,
        "--db",
        &db.url,
    ]);
    run(&mut c, cwd).ok()
}

// ---------------------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------------------

fn interop(tool: Tool, p: &ProjectDir) {
    let n = p.migrations.len();
    assert!(n >= 2, "{}: {n} migrations, the test needs two or more", p.name);
    let (first, _) = p.migrations.split_at(n / 2);
    let mid = &first.last().unwrap().revision;
    let work = TempDir::new(&p.name);

    // The tool alone: the reference.
    let alone = TestDb::create(p.server, &format!("{}_alone", p.name));
    tool.up(&p.dir, &alone.url, &work.0);
    tool.assert_all_applied(p, &alone.url, &work.0);
    let reference = tool.rows(&alone);
    assert_eq!(reference.len(), n, "{} alone recorded {reference:#?}", tool.name());

    // The tool applies the first half, migplan the rest.
    let tool1st = TestDb::create(p.server, &format!("{}_tool1st", p.name));
    tool.up_to(p, first, &tool1st.url, &work.0);
    assert_eq!(
        tool.rows(&tool1st),
        reference[..first.len()],
        "{} applied the first half",
        tool.name()
    );
    migplan(p, &tool1st, "head", &work.0);
    tool.assert_all_applied(p, &tool1st.url, &work.0);
    assert_eq!(
        tool.rows(&tool1st),
        reference,
        "{}: bookkeeping after {} then migplan differs from {} alone",
        p.name,
        tool.name(),
        tool.name()
    );

    // migplan applies the first half, the tool the rest.
    let migplan1st = TestDb::create(p.server, &format!("{}_migplan1st", p.name));
    migplan(p, &migplan1st, mid, &work.0);
    assert_eq!(
        tool.rows(&migplan1st),
        reference[..first.len()],
        "{}: bookkeeping after migplan upgrade {mid} differs from {}'s for the same migrations",
        p.name,
        tool.name()
    );
    tool.up(&p.dir, &migplan1st.url, &work.0);
    tool.assert_all_applied(p, &migplan1st.url, &work.0);
    assert_eq!(
        tool.rows(&migplan1st),
        reference,
        "{}: bookkeeping after migplan then {} differs from {} alone",
        p.name,
        tool.name(),
        tool.name()
    );

    // The table migplan created is the one the tool creates.
    assert_eq!(
        migplan1st.columns(tool.table()),
        alone.columns(tool.table()),
        "{}: the {} table migplan created differs from {}'s",
        p.name,
        tool.table(),
        tool.name()
    );
    eprintln!(
        "{}: {} and migplan agree on {n} migrations ({} rows, split after {mid})",
        p.name,
        tool.name(),
        reference.len()
    );
}

#[test]
fn sqlx_atuin_server_postgres() {
    let p = project(
        "atuin_server_postgres",
        Tool::Sqlx,
        Server::Postgres,
        corpus_dir("atuin-server-postgres"),
    );
    interop(Tool::Sqlx, &p);
}

#[test]
fn sqlx_sqlxmq_reversible() {
    let p = project("sqlxmq", Tool::Sqlx, Server::Postgres, corpus_dir("sqlxmq"));
    interop(Tool::Sqlx, &p);
}

#[test]
fn diesel_fang_postgres() {
    let p = project("fang_postgres", Tool::Diesel, Server::Postgres, corpus_dir("fang-postgres"));
    interop(Tool::Diesel, &p);
}

#[test]
fn diesel_backie() {
    let p = project("backie", Tool::Diesel, Server::Postgres, corpus_dir("backie"));
    interop(Tool::Diesel, &p);
}

/// The dbmate fixture, as written (dbmate runs it), or with one of the two things the real
/// dbmate refuses (see `dbmate_and_migplan_refuse_the_same_files`):
/// - `with_delimiter`: 20240106090000_balance_procedure.sql's routine wrapped in the `mysql`
///   client's `DELIMITER //` … `END //` / `DELIMITER ;`: dbmate sends a section to MySQL as
///   one multi-statement query, where `DELIMITER` is a syntax error;
/// - `without_down`: 20240108120000_backfill_notes.sql without its (empty) `-- migrate:down`
///   block: dbmate requires one in every migration.
fn dbmate_fixture(tmp: &Path, with_delimiter: bool, without_down: bool) -> PathBuf {
    let dir = tmp.join("migrations");
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo().join("tests/sql_folders/dbmate_mysql/db/migrations"), &dir);
    let mut rewritten = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let mut out = text.clone();
        if with_delimiter && text.contains("CREATE PROCEDURE") {
            out = out
                .replace("CREATE PROCEDURE", "DELIMITER //\nCREATE PROCEDURE")
                .replacen("\nEND;\n", "\nEND //\nDELIMITER ;\n", 1);
        }
        if without_down && text.contains("-- migrate:up transaction:false") {
            out = out.replace("\n-- migrate:down\n", "\n");
        }
        if out != text {
            rewritten.push(e.file_name().to_string_lossy().into_owned());
            std::fs::write(e.path(), out).unwrap();
        }
    }
    rewritten.sort();
    let expected: Vec<&str> = [
        (with_delimiter, "20240106090000_balance_procedure.sql"),
        (without_down, "20240108120000_backfill_notes.sql"),
    ]
    .into_iter()
    .filter_map(|(on, f)| on.then_some(f))
    .collect();
    assert_eq!(rewritten, expected, "the files rewritten into what dbmate refuses");
    dir
}

#[test]
fn dbmate_mysql_fixture() {
    let tmp = TempDir::new("dbmate_fixture");
    let dir = dbmate_fixture(&tmp.0, false, false);
    let p = project("dbmate_mysql", Tool::Dbmate, Server::Mysql, dir);
    interop(Tool::Dbmate, &p);
}

/// The real dbmate refuses a `DELIMITER` block (MySQL rejects `DELIMITER //`, and dbmate
/// stops there with that migration's first statement — an `ALTER TABLE` MySQL commits at
/// once — applied and not recorded) and a migration without a `-- migrate:down` block.
/// migplan says so before running anything (`tool-refuses-migration`) and refuses to run.
#[test]
fn dbmate_and_migplan_refuse_the_same_files() {
    let work = TempDir::new("dbmate_refuses");
    let refused = |dir: &Path, label: &str, says: &str, recorded: &[&str]| {
        let db = TestDb::create(Server::Mysql, label);
        let r = run(&mut Tool::Dbmate.command(&["migrate"], dir, &db.url), &work.0);
        assert!(
            r.code != Some(0) && r.stderr.contains(says),
            "dbmate should refuse with {says:?}; got {:?}:\n{}",
            r.code,
            r.all()
        );
        assert_eq!(Tool::Dbmate.rows(&db), recorded, "what dbmate recorded before it stopped");

        let db = TestDb::create(Server::Mysql, &format!("{label}_migplan"));
        let mut c = Command::new(BIN);
        c.arg("-d")
            .arg(dir)
            .args(["--layout", "dbmate", "--dialect", "mysql", "upgrade", "head", "--db", &db.url]);
        let r = run(&mut c, &work.0);
        assert!(
            r.code != Some(0) && r.all().contains("error[tool-refuses-migration]"),
            "migplan should refuse too; got {:?}:\n{}",
            r.code,
            r.all()
        );
        let tables = db.rows("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()");
        assert_eq!(tables, vec![vec!["0".to_string()]], "migplan refuses before running anything");
    };
    let tmp = TempDir::new("dbmate_delimiter_copy");
    refused(
        &dbmate_fixture(&tmp.0, true, false),
        "dbmate_delimiter",
        "near 'DELIMITER //",
        &["20240105103000"],
    );
    let tmp = TempDir::new("dbmate_refuses_copy");
    refused(
        &dbmate_fixture(&tmp.0, false, true),
        "dbmate_no_down",
        "dbmate requires each migration to define a down block",
        &["20240105103000", "20240106090000", "20240107120000"],
    );
}

#[test]
fn sqlx_apalis_postgres() {
    let p = project("apalis_postgres", Tool::Sqlx, Server::Postgres, corpus_dir("apalis-postgres"));
    interop(Tool::Sqlx, &p);
}

#[test]
fn sqlx_torrust_tracker_mysql() {
    let p = project("torrust_mysql", Tool::Sqlx, Server::Mysql, corpus_dir("torrust-tracker-mysql"));
    interop(Tool::Sqlx, &p);
}

#[test]
fn sqlx_pg_task() {
    let p = project("pg_task", Tool::Sqlx, Server::Postgres, corpus_dir("pg_task"));
    interop(Tool::Sqlx, &p);
}

#[test]
fn sqlx_cala_ledger() {
    let p = project("cala_ledger", Tool::Sqlx, Server::Postgres, corpus_dir("cala-ledger"));
    interop(Tool::Sqlx, &p);
}

/// Versions `1`, `2`, then timestamps: sqlx orders them as numbers.
#[test]
fn sqlx_cdk_mint_postgres() {
    let p = project("cdk_mint_postgres", Tool::Sqlx, Server::Postgres, corpus_dir("cdk-mint-postgres"));
    interop(Tool::Sqlx, &p);
}
