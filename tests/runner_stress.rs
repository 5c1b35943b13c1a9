//! The runner under stress, on SQLite (a file in a temp dir), PostgreSQL
//! (`MIGPLAN_TEST_POSTGRES_URL`) and MariaDB (`MIGPLAN_TEST_MYSQL_URL`); a missing URL fails
//! the test, it never skips.
//!
//! * Concurrency: four `migplan upgrade head` started at once on a fresh database, many
//!   times. The lock lets one apply the history; the others wait and find nothing to do;
//!   every migration runs exactly once.
//! * Crash: a runner killed with SIGKILL while a migration runs. PostgreSQL and SQLite roll
//!   it back (the next run applies it); MariaDB commits DDL as it goes, so the next run
//!   refuses, naming the revision and the statement, until `migplan stamp`.
//!
//! Each test has its own database (`migplan_s_<name>_<pid>`, dropped afterwards) and its
//! own project written into a temp dir. `-- --nocapture` shows trial counts and times.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_migplan");
const CONCURRENCY_TRIALS: usize = 25;
const RUNNERS: usize = 4;
const CRASH_TRIALS: usize = 10;

// ---------------------------------------------------------------------------------------
// Fixtures

/// One revision file: `upgrade()` is `body`, `downgrade()` passes (never run here).
fn revision(id: &str, down: Option<&str>, message: &str, body: &str) -> (String, String) {
    let down = down.map_or("None".to_string(), |d| format!("\"{d}\""));
    let text = format!(
        "\"\"\"{message}\"\"\"\nfrom alembic import context, op\nimport sqlalchemy as sa\n\nrevision = \"{id}\"\n\
         down_revision = {down}\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n"
    );
    (format!("{id}_{}.py", message.replace(' ', "_")), text)
}

/// Five revisions; r3 takes 0.3-0.5 s on every server and r5 inserts one row (so a second
/// run of it would show).
fn concurrency_project() -> Vec<(String, String)> {
    vec![
        revision(
            "r1",
            None,
            "create accounts",
            "    op.create_table(\n        \"accounts\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n        \
             sa.Column(\"name\", sa.String(50), nullable=False),\n    )",
        ),
        revision(
            "r2",
            Some("r1"),
            "add email",
            "    op.add_column(\"accounts\", sa.Column(\"email\", sa.String(100)))",
        ),
        revision(
            "r3",
            Some("r2"),
            "slow step",
            "    op.create_table(\"slow_rows\", sa.Column(\"n\", sa.Integer()))\n    \
             name = op.get_context().dialect.name\n    \
             if name == \"postgresql\":\n        op.execute(\"SELECT pg_sleep(0.3)\")\n    \
             elif name in (\"mysql\", \"mariadb\"):\n        op.execute(\"DO SLEEP(0.3)\")\n    \
             elif name == \"sqlite\":\n        op.execute(\n            \
             \"INSERT INTO slow_rows (n) WITH RECURSIVE c(x) AS \"\n            \
             \"(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT x FROM c\"\n        )",
        ),
        revision(
            "r4",
            Some("r3"),
            "index email",
            "    op.create_index(\"ix_accounts_email\", \"accounts\", [\"email\"])",
        ),
        revision(
            "r5",
            Some("r4"),
            "first account",
            "    op.execute(\"INSERT INTO accounts (name, email) VALUES ('first', 'first@example.com')\")",
        ),
    ]
}

/// r1 → r2 → r3. r2 creates `crash_t`, then, with `-x long=yes` only, runs a long statement
/// (30 s on the servers, several seconds of inserts on SQLite) to be killed in.
fn crash_project() -> Vec<(String, String)> {
    vec![
        revision(
            "r1",
            None,
            "create base rows",
            "    op.create_table(\"base_rows\", sa.Column(\"id\", sa.Integer(), primary_key=True))",
        ),
        revision(
            "r2",
            Some("r1"),
            "crash table",
            "    op.create_table(\"crash_t\", sa.Column(\"n\", sa.Integer()))\n    \
             if context.get_x_argument(as_dictionary=True).get(\"long\") == \"yes\":\n        \
             name = op.get_context().dialect.name\n        \
             if name == \"postgresql\":\n            op.execute(\"SELECT pg_sleep(30)\")\n        \
             elif name in (\"mysql\", \"mariadb\"):\n            op.execute(\"DO SLEEP(30)\")\n        \
             else:\n            op.execute(\n                \
             \"INSERT INTO crash_t (n) WITH RECURSIVE c(x) AS \"\n                \
             \"(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000) SELECT x FROM c\"\n            )",
        ),
        revision(
            "r3",
            Some("r2"),
            "after crash",
            "    op.create_table(\"after_crash\", sa.Column(\"id\", sa.Integer(), primary_key=True))",
        ),
    ]
}

/// A project folder (`versions/` with the given files) in a temp dir.
struct Project(PathBuf);

impl Project {
    fn new(name: &str, files: &[(String, String)]) -> Project {
        let d = std::env::temp_dir().join(format!("migplan-stress-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("versions")).unwrap();
        for (file, text) in files {
            std::fs::write(d.join("versions").join(file), text).unwrap();
        }
        Project(d)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(&self.0)
            .arg("-d")
            .arg("versions")
            .args(args)
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).spawn().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run and require exit 0.
fn ok(p: &Project, args: &[&str]) -> Output {
    let o = p.run(args);
    assert!(o.status.success(), "migplan {args:?} failed:\n{}", stderr(&o));
    o
}

// ---------------------------------------------------------------------------------------
// Servers

#[derive(Clone, Copy, Debug, PartialEq)]
enum Server {
    Sqlite,
    Postgres,
    Mariadb,
}

type Rows = Vec<Vec<Option<String>>>;

enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
    Mariadb(mysql::Conn),
}

impl Conn {
    /// Every value as text (NULL as `None`).
    fn rows(&mut self, sql: &str) -> Rows {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let n = st.column_count();
                let mut rows = st.query([]).unwrap();
                let mut out = Vec::new();
                while let Some(r) = rows.next().unwrap() {
                    out.push(
                        (0..n)
                            .map(|i| match r.get_ref(i).unwrap() {
                                rusqlite::types::ValueRef::Null => None,
                                rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                                    Some(String::from_utf8_lossy(t).into_owned())
                                }
                            })
                            .collect(),
                    );
                }
                out
            }
            Conn::Postgres(c) => c
                .simple_query(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .into_iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
                    _ => None,
                })
                .collect(),
            Conn::Mariadb(c) => {
                use mysql::prelude::Queryable;
                let rows: Vec<mysql::Row> = c.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.into_iter()
                    .map(|r| {
                        r.unwrap()
                            .into_iter()
                            .map(|v| match v {
                                mysql::Value::NULL => None,
                                mysql::Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                                mysql::Value::Int(i) => Some(i.to_string()),
                                mysql::Value::UInt(u) => Some(u.to_string()),
                                other => Some(format!("{other:?}")),
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    fn exec(&mut self, sql: &str) {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
            Conn::Postgres(c) => c.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
            Conn::Mariadb(c) => {
                use mysql::prelude::Queryable;
                c.query_drop(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        }
    }

    /// The first column of the first row, as a number.
    fn count(&mut self, sql: &str) -> i64 {
        let rows = self.rows(sql);
        rows.first()
            .and_then(|r| r.first().cloned().flatten())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{sql}: no number in {rows:?}"))
    }
}

fn env_url(var: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| panic!("{var} is not set: the runner tests need that server (.ci/run sets it)"))
}

/// `scheme://user@host:port/db?query` naming another database.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").expect("a URL") + 3;
    let path = base[authority..].find('/').map_or(base.len(), |i| authority + i);
    format!("{}/{db}{}", &base[..path], query.map(|q| format!("?{q}")).unwrap_or_default())
}

/// One test's database: a file in a temp dir, or `migplan_s_<name>_<pid>` on a server.
struct Target {
    server: Server,
    name: String,
    /// The `--db` URL.
    url: String,
    /// The server's URL from the environment (for CREATE/DROP DATABASE).
    admin: String,
    dir: PathBuf,
}

impl Target {
    fn new(server: Server, name: &str) -> Target {
        let name = format!("migplan_s_{name}_{}", std::process::id());
        let dir = std::env::temp_dir().join(format!("{name}_db"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (url, admin) = match server {
            Server::Sqlite => (format!("sqlite:///{}", dir.join("test.db").display()), String::new()),
            Server::Postgres => {
                let admin = env_url("MIGPLAN_TEST_POSTGRES_URL");
                (with_database(&admin, &name), admin)
            }
            Server::Mariadb => {
                let admin = env_url("MIGPLAN_TEST_MYSQL_URL");
                (with_database(&admin, &name), admin)
            }
        };
        Target {
            server,
            name,
            url,
            admin,
            dir,
        }
    }

    fn sqlite_file(&self) -> PathBuf {
        self.dir.join("test.db")
    }

    /// A fresh, empty database.
    fn reset(&self) {
        self.drop_database();
        match self.server {
            Server::Sqlite => {}
            Server::Postgres => self.admin().exec(&format!("CREATE DATABASE \"{}\"", self.name)),
            Server::Mariadb => self.admin().exec(&format!("CREATE DATABASE `{}`", self.name)),
        }
    }

    fn drop_database(&self) {
        match self.server {
            Server::Sqlite => {
                for suffix in ["", "-journal", "-wal", "-shm", "-migplan.lock"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.sqlite_file().display()));
                }
            }
            // FORCE: a killed runner's session may linger.
            Server::Postgres => self
                .admin()
                .exec(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)),
            Server::Mariadb => self.admin().exec(&format!("DROP DATABASE IF EXISTS `{}`", self.name)),
        }
    }

    /// A connection to the server (not to this database).
    fn admin(&self) -> Conn {
        match self.server {
            Server::Sqlite => self.connect(),
            Server::Postgres => {
                Conn::Postgres(postgres::Client::connect(&self.admin, postgres::NoTls).unwrap_or_else(|e| panic!("{}: {e}", self.admin)))
            }
            Server::Mariadb => Conn::Mariadb(
                mysql::Conn::new(mysql::Opts::from_url(&self.admin).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", self.admin)),
            ),
        }
    }

    fn connect(&self) -> Conn {
        match self.server {
            Server::Sqlite => {
                let c = rusqlite::Connection::open(self.sqlite_file()).unwrap();
                c.busy_timeout(Duration::from_secs(10)).unwrap();
                Conn::Sqlite(c)
            }
            Server::Postgres => {
                Conn::Postgres(postgres::Client::connect(&self.url, postgres::NoTls).unwrap_or_else(|e| panic!("{}: {e}", self.url)))
            }
            Server::Mariadb => {
                Conn::Mariadb(mysql::Conn::new(mysql::Opts::from_url(&self.url).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", self.url)))
            }
        }
    }

    fn table_exists(&self, c: &mut Conn, table: &str) -> bool {
        let sql = match self.server {
            Server::Sqlite => format!("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
            Server::Postgres => format!("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '{table}'"),
            Server::Mariadb => {
                format!("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{table}'")
            }
        };
        c.count(&sql) > 0
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        // Not while panicking because a server is unreachable (a second panic aborts).
        if self.server == Server::Sqlite || !std::thread::panicking() {
            self.drop_database();
        } else {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.drop_database()));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The version table's rows.
fn versions(c: &mut Conn) -> Vec<String> {
    c.rows("SELECT version_num FROM alembic_version")
        .into_iter()
        .map(|r| r[0].clone().unwrap_or_default())
        .collect()
}

/// `migplan_history` as (revision, direction, finished?) in order.
fn history(c: &mut Conn) -> Vec<(String, String, bool)> {
    c.rows("SELECT revision, direction, finished FROM migplan_history ORDER BY id")
        .into_iter()
        .map(|r| (r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default(), r[2].is_some()))
        .collect()
}

fn upgrades(revs: &[&str]) -> Vec<(String, String, bool)> {
    revs.iter().map(|r| (r.to_string(), "upgrade".to_string(), true)).collect()
}

// ---------------------------------------------------------------------------------------
// The fixtures render what the tests rely on

#[test]
fn each_dialect_renders_its_own_slow_step() {
    let p = Project::new("render", &concurrency_project());
    let c = Project::new("render-crash", &crash_project());
    for (dialect, slow, long) in [
        ("postgresql", "SELECT pg_sleep(0.3);", "SELECT pg_sleep(30);"),
        ("mysql", "DO SLEEP(0.3);", "DO SLEEP(30);"),
        (
            "sqlite",
            "INSERT INTO slow_rows (n) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT x FROM c;",
            "INSERT INTO crash_t (n) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000) SELECT x FROM c;",
        ),
    ] {
        let sql = String::from_utf8(ok(&p, &["--dialect", dialect, "upgrade", "head", "--sql"]).stdout).unwrap();
        assert_eq!(sql.matches(slow).count(), 1, "{dialect}:\n{sql}");
        assert_eq!(sql.matches("-- Running upgrade").count(), 5, "{dialect}:\n{sql}");
        for other in ["pg_sleep", "SLEEP(", "WITH RECURSIVE"] {
            assert_eq!(
                sql.matches(other).count(),
                usize::from(slow.contains(other)),
                "{dialect}: {other}\n{sql}"
            );
        }
        let long_sql = |x: &[&str]| {
            let mut args = x.to_vec();
            args.extend(["--dialect", dialect, "upgrade", "head", "--sql"]);
            String::from_utf8(ok(&c, &args).stdout).unwrap()
        };
        let with = long_sql(&["-x", "long=yes"]);
        let without = long_sql(&[]);
        assert_eq!(with.matches(long).count(), 1, "{dialect}:\n{with}");
        assert!(
            !without.contains(long) && without.contains("CREATE TABLE crash_t"),
            "{dialect}:\n{without}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Concurrency

fn concurrent_upgrades(server: Server, label: &str) {
    let start = Instant::now();
    let p = Project::new(&format!("conc-{label}"), &concurrency_project());
    let t = Target::new(server, &format!("conc_{label}"));
    let url = t.url.as_str();
    let mut slowest = Duration::ZERO;
    // Runners that found nothing to do yet ran past the slow step: they waited for the lock
    // (alone, one takes well under 0.2 s). Shows the trials really overlap.
    let mut waited = 0;
    for trial in 1..=CONCURRENCY_TRIALS {
        t.reset();
        let began = Instant::now();
        let children: Vec<Child> = (0..RUNNERS).map(|_| p.spawn(&["--db", url, "upgrade", "head"])).collect();
        let (outs, took) = wait_all(children, began);
        slowest = slowest.max(began.elapsed());
        let all: String = outs
            .iter()
            .enumerate()
            .map(|(i, o)| format!("--- runner {i} ({}):\n{}", o.status, stderr(o)))
            .collect();
        let ctx = format!("{label} trial {trial}:\n{all}");
        assert!(outs.iter().all(|o| o.status.success()), "{ctx}");
        assert!(!all.contains("FAILED") && !all.contains("ERROR"), "{ctx}");
        let appliers: Vec<String> = outs.iter().map(stderr).filter(|e| e.contains("Running upgrade")).collect();
        assert_eq!(appliers.len(), 1, "exactly one runner applies: {ctx}");
        waited += outs
            .iter()
            .zip(&took)
            .filter(|(o, d)| !stderr(o).contains("Running upgrade") && **d >= Duration::from_millis(300))
            .count();
        assert_eq!(appliers[0].matches("INFO  [migplan] Running upgrade").count(), 5, "{ctx}");
        assert!(appliers[0].contains("5 step(s) in"), "{ctx}");
        let idle = outs
            .iter()
            .map(stderr)
            .filter(|e| e.contains("Nothing to do: the database is at r5"))
            .count();
        assert_eq!(idle, RUNNERS - 1, "the others find nothing to do: {ctx}");

        let mut c = t.connect();
        assert_eq!(versions(&mut c), ["r5"], "{ctx}");
        assert_eq!(history(&mut c), upgrades(&["r1", "r2", "r3", "r4", "r5"]), "{ctx}");
        assert_eq!(c.count("SELECT count(*) FROM accounts"), 1, "r5 ran once: {ctx}");
        if server == Server::Sqlite {
            assert_eq!(c.count("SELECT count(*) FROM slow_rows"), 2_000_000, "{ctx}");
        }
    }
    let losers = CONCURRENCY_TRIALS * (RUNNERS - 1);
    eprintln!(
        "runner_stress: {label} concurrency: {CONCURRENCY_TRIALS} trials x {RUNNERS} runners, all passed, in {:.1} s \
         (slowest trial {:.2} s; {waited} of the {losers} idle runners waited for the lock)",
        start.elapsed().as_secs_f64(),
        slowest.as_secs_f64()
    );
    assert!(
        waited * 2 >= losers,
        "{label}: only {waited} of {losers} idle runners overlapped the applying one"
    );
}

/// Wait for every child, noting how long after `began` each one ended.
fn wait_all(mut children: Vec<Child>, began: Instant) -> (Vec<Output>, Vec<Duration>) {
    let mut ended: Vec<Option<Duration>> = vec![None; children.len()];
    while ended.iter().any(Option::is_none) {
        for (c, e) in children.iter_mut().zip(ended.iter_mut()) {
            if e.is_none() && c.try_wait().unwrap().is_some() {
                *e = Some(began.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Their output is a few lines: it waits in the pipes.
    let outs = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    (outs, ended.into_iter().map(Option::unwrap_or_default).collect())
}

#[test]
fn sqlite_concurrent_upgrades_apply_each_migration_once() {
    concurrent_upgrades(Server::Sqlite, "sqlite");
}

#[test]
fn postgres_concurrent_upgrades_apply_each_migration_once() {
    concurrent_upgrades(Server::Postgres, "postgres");
}

#[test]
fn mariadb_concurrent_upgrades_apply_each_migration_once() {
    concurrent_upgrades(Server::Mariadb, "mariadb");
}

// ---------------------------------------------------------------------------------------
// Crash

/// A runner whose stderr is read line by line as it comes.
struct Watched {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watched {
    fn spawn(p: &Project, args: &[&str]) -> Watched {
        let mut child = p.spawn(args);
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watched {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// Wait for a stderr line containing `text`; panics (after killing the runner) when the
    /// runner ends or `within` passes first.
    fn wait_for(&mut self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(e) => {
                    let _ = self.child.kill();
                    let status = self.child.wait().unwrap();
                    panic!("no line with {text:?} ({e:?}; runner {status}):\n{}", self.seen.join("\n"));
                }
            }
        }
    }

    fn kill(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the runner ended before it was killed:\n{}",
            self.seen.join("\n")
        );
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

/// Poll until `sql` counts at least one row.
fn poll(c: &mut Conn, sql: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if c.count(sql) > 0 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Start `upgrade head` with the long r2 on a database at r1, wait until r2 really runs,
/// then kill -9 the runner.
fn start_and_kill(p: &Project, t: &Target, ctx: &str) {
    ok(p, &["--db", &t.url, "upgrade", "r1"]);
    let mut w = Watched::spawn(p, &["--db", &t.url, "-x", "long=yes", "upgrade", "head"]);
    w.wait_for("Running upgrade r1 -> r2", Duration::from_secs(30));
    let running = match t.server {
        Server::Sqlite => {
            // No way to see a statement from outside: give the CREATE TABLE its few
            // milliseconds and the INSERT (seconds long) time to be well under way.
            std::thread::sleep(Duration::from_millis(800));
            true
        }
        Server::Postgres => poll(
            &mut t.admin(),
            &format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND state = 'active' \
                 AND query LIKE 'SELECT pg_sleep(30)%'",
                t.name
            ),
            Duration::from_secs(20),
        ),
        Server::Mariadb => poll(
            &mut t.admin(),
            &format!(
                "SELECT count(*) FROM information_schema.processlist WHERE db = '{}' AND info LIKE 'DO SLEEP(30)%'",
                t.name
            ),
            Duration::from_secs(20),
        ),
    };
    if !running {
        let _ = w.child.kill();
        panic!("{ctx}: the long statement never showed up as running:\n{}", w.seen.join("\n"));
    }
    w.kill();
}

/// PostgreSQL and SQLite: the killed migration left nothing; the next run (waiting for
/// the lock while the server notices the dead session) applies r2 and r3.
fn killed_upgrade_rolls_back(server: Server, label: &str) {
    let start = Instant::now();
    let p = Project::new(&format!("crash-{label}"), &crash_project());
    let t = Target::new(server, &format!("crash_{label}"));
    let url = t.url.as_str();
    let mut reruns: Vec<f64> = Vec::new();
    for trial in 1..=CRASH_TRIALS {
        let ctx = format!("{label} crash trial {trial}");
        t.reset();
        start_and_kill(&p, &t, &ctx);
        // On SQLite, every other trial lets the runner meet the dead run's write-ahead log
        // (the runner logs ahead while it holds the database) and the stale lock note
        // first; the others look at the database before the runner does.
        let runner_first = server == Server::Sqlite && trial % 2 == 0;
        if server == Server::Sqlite {
            let db = t.sqlite_file().display().to_string();
            assert!(Path::new(&format!("{db}-wal")).exists(), "{ctx}: the dead run's write-ahead log");
            assert!(
                Path::new(&format!("{db}-migplan.lock")).exists(),
                "{ctx}: the dead runner's lock note"
            );
        }
        if !runner_first {
            let mut c = t.connect();
            assert_eq!(versions(&mut c), ["r1"], "{ctx}");
            assert!(!t.table_exists(&mut c, "crash_t"), "{ctx}: r2's table was rolled back");
            assert_eq!(history(&mut c), upgrades(&["r1"]), "{ctx}: no mark left behind");
        }
        let began = Instant::now();
        let o = p.run(&["--db", url, "upgrade", "head"]);
        reruns.push(began.elapsed().as_secs_f64());
        let err = stderr(&o);
        assert!(o.status.success(), "{ctx}: the next run fails:\n{err}");
        assert!(
            err.contains("Running upgrade r1 -> r2") && err.contains("Running upgrade r2 -> r3"),
            "{ctx}:\n{err}"
        );
        let mut c = t.connect();
        assert_eq!(versions(&mut c), ["r3"], "{ctx}");
        assert_eq!(history(&mut c), upgrades(&["r1", "r2", "r3"]), "{ctx}");
        assert_eq!(c.count("SELECT count(*) FROM crash_t"), 0, "{ctx}: the killed inserts are gone");
        if server == Server::Sqlite {
            let db = t.sqlite_file().display().to_string();
            assert!(
                !Path::new(&format!("{db}-migplan.lock")).exists(),
                "{ctx}: the lock note is removed"
            );
            // The journal mode the file had before the killed run is back.
            let mode = rusqlite::Connection::open(&db)
                .and_then(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0)))
                .unwrap_or_default();
            assert_eq!(mode, "delete", "{ctx}: journal mode restored");
        }
    }
    let max = reruns.iter().copied().fold(0.0, f64::max);
    eprintln!(
        "runner_stress: {label} crash: {CRASH_TRIALS} trials killed mid-migration, all rolled back and re-applied, in \
         {:.1} s (next run took {:.2}-{max:.2} s, lock wait included)",
        start.elapsed().as_secs_f64(),
        reruns.iter().copied().fold(f64::MAX, f64::min),
    );
}

#[test]
fn sqlite_killed_upgrade_rolls_back() {
    killed_upgrade_rolls_back(Server::Sqlite, "sqlite");
}

#[test]
fn postgres_killed_upgrade_rolls_back() {
    killed_upgrade_rolls_back(Server::Postgres, "postgres");
}

/// MariaDB commits r2's CREATE TABLE at once: the kill leaves r2 marked in progress at
/// its second statement; the next run refuses and says how to recover; `check --db` says
/// so too; after the documented recovery (drop the half-made table, `stamp r1`) it runs.
#[test]
fn mariadb_killed_upgrade_is_refused_until_stamped() {
    let start = Instant::now();
    let p = Project::new("crash-mariadb", &crash_project());
    let t = Target::new(Server::Mariadb, "crash_mariadb");
    let url = t.url.as_str();
    let mut refusals: Vec<f64> = Vec::new();
    for trial in 1..=CRASH_TRIALS {
        let ctx = format!("mariadb crash trial {trial}");
        t.reset();
        start_and_kill(&p, &t, &ctx);
        {
            let mut c = t.connect();
            assert_eq!(versions(&mut c), ["r1"], "{ctx}");
            assert!(t.table_exists(&mut c, "crash_t"), "{ctx}: DDL commits at once here");
            let open = c.rows("SELECT revision, progress FROM migplan_history WHERE finished IS NULL");
            assert_eq!(open.len(), 1, "{ctx}: {open:?}");
            assert_eq!(open[0][0].as_deref(), Some("r2"), "{ctx}");
            assert!(
                open[0][1].as_deref().unwrap_or("").starts_with("statement 2 of 3"),
                "{ctx}: {open:?}"
            );
        }

        // The next run waits for the dead session's lock, then refuses.
        let began = Instant::now();
        let o = p.run(&["--db", url, "upgrade", "head"]);
        refusals.push(began.elapsed().as_secs_f64());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{ctx}:\n{err}");
        for needed in [
            "refusing to run",
            "revision r2",
            "statement 2 of 3",
            "DO SLEEP(30)",
            "migplan stamp r2",
            "`migplan stamp` its parent revision",
        ] {
            assert!(err.contains(needed), "{ctx}: no {needed:?} in:\n{err}");
        }
        assert!(!err.contains("Running upgrade"), "{ctx}: nothing runs:\n{err}");

        let o = p.run(&["--db", url, "check", "--format", "json"]);
        assert_eq!(o.status.code(), Some(1), "{ctx}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{ctx}: {e}: {}", stderr(&o)));
        let progress: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "migration-in-progress")
            .map(|d| d["message"].as_str().unwrap())
            .collect();
        assert_eq!(progress.len(), 1, "{ctx}: {v}");
        assert!(
            progress[0].contains("revision r2") && progress[0].contains("statement 2 of 3"),
            "{ctx}: {v}"
        );

        // The recovery the message describes: undo r2's first statement, stamp the parent.
        t.connect().exec("DROP TABLE crash_t");
        let o = ok(&p, &["--db", url, "stamp", "r1"]);
        assert!(stderr(&o).contains("closing the unfinished upgrade of r2"), "{ctx}: {}", stderr(&o));
        let mut c = t.connect();
        assert_eq!(
            c.count("SELECT count(*) FROM migplan_history WHERE finished IS NULL"),
            0,
            "{ctx}: the stamp closes the mark"
        );
        let o = ok(&p, &["--db", url, "upgrade", "head"]);
        assert!(stderr(&o).contains("Running upgrade r2 -> r3"), "{ctx}: {}", stderr(&o));
        assert_eq!(versions(&mut c), ["r3"], "{ctx}");
        let h = history(&mut c);
        let done: Vec<_> = h.iter().filter(|r| r.1 == "upgrade").cloned().collect();
        assert_eq!(done, upgrades(&["r1", "r2", "r3"]), "{ctx}: {h:?}");
        assert!(h.iter().all(|r| r.2), "{ctx}: {h:?}");
        assert_eq!(h.len(), 4, "{ctx}: and the closed mark: {h:?}");
    }
    let max = refusals.iter().copied().fold(0.0, f64::max);
    eprintln!(
        "runner_stress: mariadb crash: {CRASH_TRIALS} trials killed mid-migration, all refused then recovered by stamp, \
         in {:.1} s (the refusing run took {:.2}-{max:.2} s, lock wait included)",
        start.elapsed().as_secs_f64(),
        refusals.iter().copied().fold(f64::MAX, f64::min),
    );
}
