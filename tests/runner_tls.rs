//! TLS for the runner against the live servers: PostgreSQL (`MIGPLAN_TEST_POSTGRES_URL`,
//! a server that serves TLS with a certificate for `localhost`, Debian's snakeoil one at
//! `/etc/ssl/certs/ssl-cert-snakeoil.pem` unless `MIGPLAN_TEST_PG_ROOTCERT` names another)
//! and MariaDB/MySQL (`MIGPLAN_TEST_MYSQL_URL`, with or without TLS: the tests ask the
//! server which and expect accordingly; with TLS, a `localhost` certificate whose CA is
//! `MIGPLAN_TEST_MYSQL_ROOTCERT`, snakeoil by default). scripts/test runs the MySQL tests
//! twice: on the shared server (TLS off here) and on a private TLS MariaDB
//! (scripts/with-tls-mariadb, which sets MIGPLAN_TEST_MYSQL_REQUIRE_TLS=1). A missing variable or server fails,
//! never skips.
//! Each test works in its own database, dropped at the end.

use std::path::{Path, PathBuf};
use std::process::Command;

use migplan::runner::driver::{Driver, connect};
use migplan::runner::url::DbUrl;
use mysql::prelude::Queryable;

const BIN: &str = env!("CARGO_BIN_EXE_migplan");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    Postgres,
    Mysql,
}

fn admin_url(server: Server) -> String {
    let var = match server {
        Server::Postgres => "MIGPLAN_TEST_POSTGRES_URL",
        Server::Mysql => "MIGPLAN_TEST_MYSQL_URL",
    };
    match std::env::var(var) {
        Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => panic!("{var} is not set: the TLS tests need a live {server:?} server and never skip"),
    }
}

/// The root certificate the PostgreSQL server's certificate chains to.
fn pg_root_cert() -> PathBuf {
    let p = std::env::var("MIGPLAN_TEST_PG_ROOTCERT").unwrap_or_else(|_| "/etc/ssl/certs/ssl-cert-snakeoil.pem".into());
    let p = PathBuf::from(p);
    assert!(
        p.is_file(),
        "{} does not exist: the PostgreSQL TLS tests need the server's root certificate",
        p.display()
    );
    p
}

/// A test's own database, dropped at the end (also when the test panics).
struct TestDb {
    server: Server,
    name: String,
    admin: DbUrl,
}

impl TestDb {
    fn create(server: Server, label: &str) -> TestDb {
        let admin = DbUrl::parse(&admin_url(server)).expect("admin URL");
        let name = format!("migplan_tls_{label}_{}", std::process::id());
        let db = TestDb { server, name, admin };
        match server {
            Server::Postgres => db.pg_admin(&format!("DROP DATABASE IF EXISTS {0} WITH (FORCE); CREATE DATABASE {0}", db.name)),
            Server::Mysql => db.my_admin(&format!("DROP DATABASE IF EXISTS {0}; CREATE DATABASE {0}", db.name)),
        }
        db
    }

    fn pg_admin(&self, sql: &str) {
        let mut c = postgres::Client::connect(self.admin.expose(), postgres::NoTls).expect("connect to PostgreSQL");
        for s in sql.split("; ") {
            c.batch_execute(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    fn my_admin(&self, sql: &str) {
        let opts = mysql::Opts::from_url(self.admin.expose()).expect("MySQL URL");
        let mut c = mysql::Conn::new(opts).expect("connect to MySQL");
        for s in sql.split("; ") {
            c.query_drop(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    /// This database's URL with `host` and `query` (the admin URL's user and password).
    fn url(&self, host: &str, query: &str) -> String {
        let a = &self.admin;
        let scheme = match self.server {
            Server::Postgres => "postgresql",
            Server::Mysql => "mysql",
        };
        let user = a.user.clone().unwrap_or_default();
        let auth = match a.secret() {
            Some(p) => format!("{user}:{p}@"),
            None if user.is_empty() => String::new(),
            None => format!("{user}@"),
        };
        let port = a.port.map(|p| format!(":{p}")).unwrap_or_default();
        let q = if query.is_empty() { String::new() } else { format!("?{query}") };
        format!("{scheme}://{auth}{host}{port}/{}{q}", self.name)
    }

    /// The admin URL's host (127.0.0.1 in the usual setup).
    fn host(&self) -> String {
        self.admin.host.clone().unwrap_or_else(|| "localhost".into())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let r = std::panic::catch_unwind(|| match self.server {
            Server::Postgres => self.pg_admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)),
            Server::Mysql => self.my_admin(&format!("DROP DATABASE IF EXISTS {}", self.name)),
        });
        if r.is_err() {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

fn open(url: &str) -> Result<Box<dyn Driver>, String> {
    connect(&DbUrl::parse(url).expect("URL"))
}

/// The second column of the first row (`SHOW …`'s value).
fn shown(db: &mut dyn Driver, sql: &str) -> String {
    let rows = db.query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.first().and_then(|r| r.get(1)).cloned().flatten().unwrap_or_default()
}

/// Whether this PostgreSQL session is encrypted, as the server sees it.
fn pg_ssl(url: &str) -> bool {
    let mut db = open(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let rows = db.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").unwrap();
    match rows.first().and_then(|r| r.first()).cloned().flatten().as_deref() {
        Some("t") => true,
        Some("f") => false,
        other => panic!("pg_stat_ssl says {other:?}"),
    }
}

fn pg_fails(url: &str) -> String {
    match open(url) {
        Ok(_) => panic!("{url}: connected, expected a TLS failure"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------

#[test]
fn pg_require_is_encrypted() {
    let db = TestDb::create(Server::Postgres, "require");
    assert!(pg_ssl(&db.url(&db.host(), "sslmode=require")));
}

#[test]
fn pg_prefer_is_encrypted_on_a_tls_server() {
    let db = TestDb::create(Server::Postgres, "prefer");
    assert!(pg_ssl(&db.url(&db.host(), "sslmode=prefer")));
}

#[test]
fn pg_disable_and_allow_are_plain_when_the_server_accepts_it() {
    let db = TestDb::create(Server::Postgres, "disable");
    assert!(!pg_ssl(&db.url(&db.host(), "sslmode=disable")));
    assert!(!pg_ssl(&db.url(&db.host(), "sslmode=allow")));
}

#[test]
fn pg_verify_full_with_the_root_cert_and_the_certificate_s_name() {
    let db = TestDb::create(Server::Postgres, "verify_full");
    let root = pg_root_cert();
    assert!(pg_ssl(
        &db.url("localhost", &format!("sslmode=verify-full&sslrootcert={}", root.display()))
    ));
}

#[test]
fn pg_verify_full_by_ip_names_the_certificate_s_host() {
    let db = TestDb::create(Server::Postgres, "verify_full_ip");
    let root = pg_root_cert();
    let e = pg_fails(&db.url("127.0.0.1", &format!("sslmode=verify-full&sslrootcert={}", root.display())));
    assert!(
        e.contains(
            "the certificate is for `localhost`, not `127.0.0.1` (sslmode=verify-full checks the host name; \
             use verify-ca or connect to localhost)"
        ),
        "{e}"
    );
    // verify-ca checks the chain, not the name.
    assert!(pg_ssl(
        &db.url("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={}", root.display()))
    ));
}

#[test]
fn pg_verify_ca_without_a_root_cert_is_an_unknown_issuer() {
    let db = TestDb::create(Server::Postgres, "verify_ca");
    let e = pg_fails(&db.url(&db.host(), "sslmode=verify-ca"));
    assert!(
        e.contains("the server's certificate is not trusted: unknown issuer")
            && e.contains("the system's CA bundle")
            && e.contains("set sslrootcert=FILE")
            && e.contains("sslmode=require to encrypt without verifying"),
        "{e}"
    );
}

/// libpq: with a root certificate file, `require` checks the chain like verify-ca.
#[test]
fn pg_require_with_a_root_cert_checks_the_chain() {
    let db = TestDb::create(Server::Postgres, "require_root");
    let dir = std::env::temp_dir().join(format!("migplan-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Some other CA: the first of the system bundle.
    let bundle = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").expect("the system CA bundle");
    let end = bundle.find("-----END CERTIFICATE-----").expect("a certificate") + "-----END CERTIFICATE-----".len();
    let other = dir.join("other-ca.pem");
    std::fs::write(&other, format!("{}\n", &bundle[..end])).unwrap();
    let e = pg_fails(&db.url(&db.host(), &format!("sslmode=require&sslrootcert={}", other.display())));
    assert!(
        e.contains("unknown issuer") && e.contains("sslmode=require checks it against sslrootcert"),
        "{e}"
    );
    assert!(pg_ssl(
        &db.url(&db.host(), &format!("sslmode=require&sslrootcert={}", pg_root_cert().display()))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pg_bad_options_are_errors_naming_the_key() {
    let db = TestDb::create(Server::Postgres, "bad");
    let e = pg_fails(&db.url(&db.host(), "sslmode=verify_full"));
    assert!(e.contains("invalid sslmode value \"verify_full\""), "{e}");
    let e = pg_fails(&db.url(&db.host(), "sslmode=verify-ca&sslrootcert=/nonexistent/root.crt"));
    assert!(e.contains("sslrootcert: cannot read /nonexistent/root.crt"), "{e}");
}

fn migplan(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runner/golang_migrate"))
        .env_remove("DATABASE_URL")
        .env_remove("PGSSLMODE")
        .env_remove("PGSSLROOTCERT")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run migplan");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), all)
}

/// The CLI end to end: an upgrade over verify-full, `PGSSLMODE`/`PGSSLROOTCERT` used
/// unless the URL says otherwise, and the password masked in a TLS error.
#[test]
fn pg_cli_over_tls_and_the_environment() {
    let db = TestDb::create(Server::Postgres, "cli");
    let root = pg_root_cert();
    let root = root.to_str().unwrap();
    let url = db.url("localhost", &format!("sslmode=verify-full&sslrootcert={root}"));
    let (ok, out) = migplan(&["-d", "migrations", "--db", &url, "upgrade", "head"], &[]);
    assert!(ok, "{out}");
    let mut c = open(&db.url(&db.host(), "sslmode=disable")).unwrap();
    assert!(c.query("SELECT 1 FROM books").is_ok());

    let by_ip = db.url("127.0.0.1", "");
    let env = [("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", root)];
    let (ok, out) = migplan(&["-d", "migrations", "--db", &by_ip, "current"], &env);
    assert!(!ok && out.contains("the certificate is for `localhost`, not `127.0.0.1`"), "{out}");
    let (ok, out) = migplan(&["-d", "migrations", "--db", &format!("{by_ip}?sslmode=require"), "current"], &env);
    assert!(ok, "the URL's sslmode wins over PGSSLMODE: {out}");
    let (ok, out) = migplan(&["-d", "migrations", "--db", &db.url("localhost", ""), "current"], &env);
    assert!(ok, "{out}");

    let secret = db
        .url("127.0.0.1", "sslmode=verify-ca")
        .replacen("://postgres@", "://postgres:hunter2@", 1);
    let (ok, out) = migplan(&["-d", "migrations", "--db", &secret, "current"], &[]);
    assert!(!ok && out.contains("unknown issuer") && out.contains("postgres:***@"), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
}

// ---------------------------------------------------------------------------------------
// MySQL / MariaDB
// ---------------------------------------------------------------------------------------

/// Whether the server offers TLS (`have_ssl` YES), asked on a plain connection. With
/// MIGPLAN_TEST_MYSQL_REQUIRE_TLS=1 (scripts/with-tls-mariadb: a private TLS server) it must.
fn mysql_has_tls(db: &TestDb) -> bool {
    let mut c = open(&db.url(&db.host(), "ssl_mode=DISABLED")).unwrap();
    let tls = shown(c.as_mut(), "SHOW VARIABLES LIKE 'have_ssl'") == "YES";
    let required = std::env::var_os("MIGPLAN_TEST_MYSQL_REQUIRE_TLS").is_some_and(|v| v == "1");
    assert!(tls || !required, "MIGPLAN_TEST_MYSQL_REQUIRE_TLS=1, but the server has no TLS");
    tls
}

/// The session's cipher ("" when plain).
fn mysql_cipher(url: &str) -> String {
    let mut c = open(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    shown(c.as_mut(), "SHOW SESSION STATUS LIKE 'Ssl_cipher'")
}

#[test]
fn mysql_preferred_and_disabled() {
    let db = TestDb::create(Server::Mysql, "preferred");
    let tls = mysql_has_tls(&db);
    // No key: PREFERRED, encrypted exactly when the server can.
    assert_eq!(!mysql_cipher(&db.url(&db.host(), "")).is_empty(), tls);
    assert_eq!(!mysql_cipher(&db.url(&db.host(), "ssl-mode=preferred")).is_empty(), tls);
    assert!(mysql_cipher(&db.url(&db.host(), "ssl_mode=DISABLED")).is_empty());
}

#[test]
fn mysql_required_needs_a_tls_server() {
    let db = TestDb::create(Server::Mysql, "required");
    let url = db.url(&db.host(), "ssl_mode=REQUIRED").replacen("://root@", "://root:hunter2@", 1);
    if mysql_has_tls(&db) {
        assert!(!mysql_cipher(&db.url(&db.host(), "ssl_mode=REQUIRED")).is_empty());
        return;
    }
    let e = open(&url).err().expect("REQUIRED on a server without TLS fails");
    assert!(
        e.contains("the server does not support TLS (ssl_mode=REQUIRED)") && e.contains("ssl_mode=PREFERRED"),
        "{e}"
    );
    assert!(!e.contains("hunter2") && e.contains("root:***@"), "{e}");
    let e = open(&db.url(&db.host(), "ssl_verify_cert=true")).err().expect("fails");
    assert!(
        e.contains("the server does not support TLS (ssl_mode=VERIFY_CA, from ssl_verify_cert=true)"),
        "{e}"
    );
}

/// The CA of the MySQL server's certificate (for a `localhost` certificate, like the
/// PostgreSQL one), when the server has TLS.
fn mysql_root_cert() -> String {
    std::env::var("MIGPLAN_TEST_MYSQL_ROOTCERT").unwrap_or_else(|_| "/etc/ssl/certs/ssl-cert-snakeoil.pem".into())
}

#[test]
fn mysql_verifying_modes() {
    let db = TestDb::create(Server::Mysql, "verify");
    let root = mysql_root_cert();
    let full = format!("ssl_mode=VERIFY_IDENTITY&ssl_ca={root}");
    if !mysql_has_tls(&db) {
        let e = open(&db.url("localhost", &full))
            .err()
            .expect("VERIFY_IDENTITY on a server without TLS fails");
        assert!(e.contains("the server does not support TLS (ssl_mode=VERIFY_IDENTITY)"), "{e}");
        return;
    }
    assert!(!mysql_cipher(&db.url("localhost", &full)).is_empty());
    let e = open(&db.url("127.0.0.1", &full)).err().expect("the certificate is for localhost");
    assert!(
        e.contains(
            "the certificate is for `localhost`, not `127.0.0.1` (ssl_mode=VERIFY_IDENTITY checks the host name; \
             use ssl_mode=VERIFY_CA or connect to localhost)"
        ),
        "{e}"
    );
    assert!(!mysql_cipher(&db.url("127.0.0.1", &format!("ssl_mode=VERIFY_CA&ssl_ca={root}"))).is_empty());
    let e = open(&db.url("127.0.0.1", "ssl_verify_cert=true"))
        .err()
        .expect("not in the system's CAs");
    assert!(e.contains("unknown issuer") && e.contains("set ssl_ca=FILE"), "{e}");
    assert!(!mysql_cipher(&db.url("127.0.0.1", "ssl_mode=REQUIRED")).is_empty());
}

#[test]
fn mysql_bad_options_are_errors_naming_the_key() {
    let db = TestDb::create(Server::Mysql, "bad");
    let e = open(&db.url(&db.host(), "ssl-mode=ON")).err().expect("fails");
    assert!(e.contains("invalid ssl-mode value \"ON\""), "{e}");
    let e = open(&db.url(&db.host(), "ssl_mode=REQUIRED&ssl_ca=/nonexistent/ca.pem"))
        .err()
        .expect("fails");
    assert!(e.contains("ssl_ca: cannot read /nonexistent/ca.pem"), "{e}");
}
