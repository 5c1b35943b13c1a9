//! `migplan check --roundtrip [--db URL]` against the real servers: a small SQL project
//! per dialect whose live schema (tables, columns, indexes, constraints) agrees with the
//! simulation after every revision, and a revision the simulation cannot see (dynamic SQL,
//! a statement the parser rejects) that the comparison must catch. The scratch database
//! the roundtrip creates on the server must be gone afterwards.
//!
//! Needs `MIGPLAN_TEST_POSTGRES_URL` and `MIGPLAN_TEST_MYSQL_URL` (a missing server fails).

use std::path::{Path, PathBuf};
use std::process::Command;

use mysql::prelude::Queryable;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

fn server_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => panic!("{var} is not set: these tests need a live server and never skip"),
    }
}

/// A project folder of sqlx migrations (`<n>_<name>.up.sql` / `.down.sql`), removed at the end.
struct Project(PathBuf);

impl Project {
    fn new(label: &str, revisions: &[(&str, &str, &str)]) -> Project {
        let dir = std::env::temp_dir().join(format!("migplan-rt-servers-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let m = dir.join("migrations");
        std::fs::create_dir_all(&m).unwrap();
        for (i, (name, up, down)) in revisions.iter().enumerate() {
            std::fs::write(m.join(format!("{}_{name}.up.sql", i + 1)), up).unwrap();
            std::fs::write(m.join(format!("{}_{name}.down.sql", i + 1)), down).unwrap();
        }
        Project(dir)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run the roundtrip; returns the JSON report and the child's pid (its scratch database
/// is named after it).
fn roundtrip(dir: &Path, dialect: &str, db: Option<&str>) -> (serde_json::Value, u32) {
    let mut args = vec!["-d", "migrations", "--layout", "sqlx", "--dialect", dialect, "check", "--roundtrip"];
    if let Some(u) = db {
        args.extend(["--db", u]);
    }
    args.extend(["--format", "json"]);
    let child = Command::new(BIN)
        .args(&args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run migplan");
    let pid = child.id();
    let out = child.wait_with_output().expect("wait for migplan");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (v, pid)
}

fn messages(v: &serde_json::Value) -> String {
    v["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["message"].as_str()).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default()
}

/// The scratch databases a migplan process left on a server (none, when it is done).
fn leftovers(url: &str, pid: u32) -> Vec<String> {
    let prefix = format!("migplan_roundtrip_{pid}_");
    let names: Vec<String> = if url.starts_with("postgres") {
        let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect to PostgreSQL");
        c.query("SELECT datname FROM pg_database", &[])
            .expect("list databases")
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect()
    } else {
        let mut c = mysql::Conn::new(mysql::Opts::from_url(url).expect("MySQL URL")).expect("connect to MySQL");
        c.query("SELECT schema_name FROM information_schema.schemata")
            .expect("list databases")
    };
    names.into_iter().filter(|n| n.starts_with(&prefix)).collect()
}

fn assert_report(v: &serde_json::Value, applied: u64, agree: u64) {
    assert_eq!(v["applied"].as_u64(), Some(applied), "{v:#}");
    assert_eq!(v["agree"].as_u64(), Some(agree), "{v:#}");
    assert!(v["failed"].is_null(), "{v:#}");
}

const PG_INIT: &str = "CREATE TABLE orgs (id SERIAL PRIMARY KEY, name TEXT NOT NULL, CONSTRAINT ck_orgs_name CHECK (name <> ''));
CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, org_id INTEGER REFERENCES orgs (id), age INTEGER CHECK (age > 0));
CREATE INDEX ix_users_org ON users (org_id);
CREATE UNIQUE INDEX ix_users_lower_email ON users (lower(email));
CREATE INDEX ix_users_age_desc ON users (age DESC);
ALTER TABLE users ADD CONSTRAINT uq_users_org_age UNIQUE (org_id, age);
";
const PG_MEMBERS: &str = "CREATE TABLE memberships (user_id INTEGER NOT NULL, org_id INTEGER NOT NULL, PRIMARY KEY (user_id, org_id),
  CONSTRAINT fk_memberships_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  FOREIGN KEY (org_id) REFERENCES orgs);
";
// What the simulation cannot see: DDL run by a function the migration calls.
const PG_HIDDEN: &str = "CREATE FUNCTION add_hidden() RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  EXECUTE 'CREATE INDEX ix_hidden ON users (age)';
  EXECUTE 'ALTER TABLE users ADD CONSTRAINT uq_hidden UNIQUE (email, age)';
END $$;
SELECT add_hidden();
DROP FUNCTION add_hidden();
";

#[test]
fn postgresql_roundtrip_compares_indexes_and_constraints_in_a_scratch_database() {
    let url = server_url("MIGPLAN_TEST_POSTGRES_URL");
    let p = Project::new(
        "pg",
        &[
            ("init", PG_INIT, "DROP TABLE users;\nDROP TABLE orgs;\n"),
            ("members", PG_MEMBERS, "DROP TABLE memberships;\n"),
        ],
    );
    let (v, pid) = roundtrip(&p.0, "postgresql", Some(&url));
    assert_report(&v, 2, 2);
    assert_eq!(v["server"], "PostgreSQL", "{v:#}");
    assert!(v["diagnostics"].as_array().is_some_and(Vec::is_empty), "{v:#}");
    assert_eq!(leftovers(&url, pid), Vec::<String>::new());

    let p = Project::new(
        "pg_hidden",
        &[
            ("init", PG_INIT, "DROP TABLE users;\nDROP TABLE orgs;\n"),
            ("members", PG_MEMBERS, "DROP TABLE memberships;\n"),
            (
                "hidden",
                PG_HIDDEN,
                "DROP INDEX ix_hidden;\nALTER TABLE users DROP CONSTRAINT uq_hidden;\n",
            ),
        ],
    );
    let (v, pid) = roundtrip(&p.0, "postgresql", Some(&url));
    assert_report(&v, 3, 2);
    let m = messages(&v);
    assert!(m.contains("after upgrading to 3"), "{m}");
    assert!(m.contains("extra index ix_hidden users(age)"), "{m}");
    assert!(m.contains("extra unique constraint uq_hidden users(email, age)"), "{m}");
    assert_eq!(leftovers(&url, pid), Vec::<String>::new());
}

#[test]
fn postgresql_roundtrip_stops_at_a_failing_upgrade_and_names_a_missing_extension() {
    let url = server_url("MIGPLAN_TEST_POSTGRES_URL");
    let p = Project::new(
        "pg_ext",
        &[
            ("init", PG_INIT, "DROP TABLE users;\nDROP TABLE orgs;\n"),
            ("ext", "CREATE EXTENSION IF NOT EXISTS migplan_no_such_extension;\n", "SELECT 1;\n"),
            ("members", PG_MEMBERS, "DROP TABLE memberships;\n"),
        ],
    );
    let (v, pid) = roundtrip(&p.0, "postgresql", Some(&url));
    assert_eq!(v["applied"].as_u64(), Some(1), "{v:#}");
    assert_eq!(v["agree"].as_u64(), Some(1), "{v:#}");
    assert_eq!(v["failed"]["revision"], "2", "{v:#}");
    assert!(v["failed"]["file"].as_str().is_some_and(|f| f.ends_with("2_ext.up.sql")), "{v:#}");
    assert!(
        v["failed"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("migplan_no_such_extension")),
        "{v:#}"
    );
    assert_eq!(v["missing_extensions"], serde_json::json!(["migplan_no_such_extension"]), "{v:#}");
    assert_eq!(leftovers(&url, pid), Vec::<String>::new());
}

const MY_INIT: &str =
    "CREATE TABLE orgs (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, CONSTRAINT ck_orgs_name CHECK (name <> ''));
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE, org_id INT, age INT CHECK (age > 0), doc JSON,
  FOREIGN KEY (org_id) REFERENCES orgs (id));
CREATE INDEX ix_users_age ON users (age);
ALTER TABLE users ADD CONSTRAINT uq_users_org_age UNIQUE (org_id, age);
";
const MY_MEMBERS: &str = "CREATE TABLE memberships (user_id INT NOT NULL, org_id INT NOT NULL, PRIMARY KEY (user_id, org_id),
  CONSTRAINT fk_memberships_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT fk_memberships_org FOREIGN KEY (org_id) REFERENCES orgs (id));
";
// What the simulation cannot read: DDL run as a prepared statement.
const MY_HIDDEN: &str = "SET @s = 'CREATE INDEX ix_hidden ON users (email, age)';
PREPARE st FROM @s;
EXECUTE st;
SET @s = 'ALTER TABLE users ADD CONSTRAINT fk_hidden FOREIGN KEY (age) REFERENCES orgs (id)';
PREPARE st FROM @s;
EXECUTE st;
";

#[test]
fn mysql_roundtrip_compares_indexes_and_constraints_in_a_scratch_database() {
    let url = server_url("MIGPLAN_TEST_MYSQL_URL");
    let p = Project::new(
        "my",
        &[
            ("init", MY_INIT, "DROP TABLE users;\nDROP TABLE orgs;\n"),
            ("members", MY_MEMBERS, "DROP TABLE memberships;\n"),
        ],
    );
    let (v, pid) = roundtrip(&p.0, "mysql", Some(&url));
    assert_report(&v, 2, 2);
    assert_eq!(v["server"], "MySQL", "{v:#}");
    assert!(v["diagnostics"].as_array().is_some_and(Vec::is_empty), "{v:#}");
    assert_eq!(leftovers(&url, pid), Vec::<String>::new());

    let p = Project::new(
        "my_hidden",
        &[
            ("init", MY_INIT, "DROP TABLE users;\nDROP TABLE orgs;\n"),
            ("members", MY_MEMBERS, "DROP TABLE memberships;\n"),
            (
                "hidden",
                MY_HIDDEN,
                "ALTER TABLE users DROP FOREIGN KEY fk_hidden;\nDROP INDEX fk_hidden ON users;\nDROP INDEX ix_hidden ON users;\n",
            ),
        ],
    );
    let (v, pid) = roundtrip(&p.0, "mysql", Some(&url));
    assert_report(&v, 3, 2);
    let m = messages(&v);
    assert!(m.contains("after upgrading to 3"), "{m}");
    assert!(m.contains("extra index ix_hidden users(email, age)"), "{m}");
    assert!(m.contains("extra foreign key fk_hidden users(age) → orgs(id)"), "{m}");
    // The index MySQL makes for the foreign key is the server's, not a difference.
    assert!(!m.contains("extra index fk_hidden"), "{m}");
    assert_eq!(leftovers(&url, pid), Vec::<String>::new());
}

const LITE_INIT: &str = "CREATE TABLE orgs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, CONSTRAINT ck_orgs_name CHECK (name <> ''));
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, org_id INTEGER REFERENCES orgs (id), age INTEGER CHECK (age > 0));
CREATE INDEX ix_users_org ON users (org_id);
CREATE UNIQUE INDEX ix_users_lower_email ON users (lower(email));
CREATE INDEX ix_users_email_nocase ON users (email COLLATE NOCASE DESC);
";
const LITE_MEMBERS: &str = "CREATE TABLE memberships (user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE, org_id INTEGER NOT NULL,
  PRIMARY KEY (user_id, org_id), CONSTRAINT fk_memberships_org FOREIGN KEY (org_id) REFERENCES orgs (id), UNIQUE (org_id, user_id));
-- SQLite makes no index for a UNIQUE the primary key already is: still no difference.
CREATE TABLE api_keys (id TEXT NOT NULL UNIQUE, label TEXT, PRIMARY KEY (id));
";

#[test]
fn sqlite_roundtrip_compares_indexes_and_constraints() {
    let p = Project::new(
        "lite",
        &[
            ("init", LITE_INIT, "DROP TABLE users;\nDROP TABLE orgs;\n"),
            ("members", LITE_MEMBERS, "DROP TABLE api_keys;\nDROP TABLE memberships;\n"),
        ],
    );
    let (v, _) = roundtrip(&p.0, "sqlite", None);
    assert_report(&v, 2, 2);
    assert_eq!(v["server"], "SQLite", "{v:#}");
    assert!(v["diagnostics"].as_array().is_some_and(Vec::is_empty), "{v:#}");

    // `ISNULL` (SQLite's postfix operator) is past the parser: the index is unseen.
    let p = Project::new(
        "lite_hidden",
        &[
            ("init", LITE_INIT, "DROP TABLE users;\nDROP TABLE orgs;\n"),
            ("members", LITE_MEMBERS, "DROP TABLE api_keys;\nDROP TABLE memberships;\n"),
            (
                "hidden",
                "CREATE INDEX ix_hidden ON users (email) WHERE age ISNULL;\n",
                "DROP INDEX ix_hidden;\n",
            ),
        ],
    );
    let (v, _) = roundtrip(&p.0, "sqlite", None);
    assert_report(&v, 3, 2);
    let m = messages(&v);
    assert!(m.contains("extra index ix_hidden users(email)"), "{m}");
}
