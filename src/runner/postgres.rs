//! PostgreSQL through the `postgres` crate, over the simple-query protocol (the plan's
//! statements are text, several per string at times). The runner's lock is a session-level
//! advisory lock: a killed runner's session ends and the lock with it. TLS follows libpq's
//! `sslmode` (see `tls`), on rustls.

use std::time::{Duration, Instant};

use postgres::config::SslMode as WireMode;
use postgres::{Client, NoTls, SimpleQueryMessage};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::driver::{
    Driver, LiveColumn, LiveConstraint, LiveConstraintKind, LiveSchema, Rows, columns_from_rows, field, indexes_from_rows, tables_from_rows,
};
use super::tls::{self, PgTls, SslMode};
use super::url::{DbUrl, mask_secret};
use crate::dialect::Dialect;
use crate::ops::TableRef;

/// `pg_advisory_lock` key: "migplan" in ASCII. Advisory locks are per database already.
const LOCK_KEY: i64 = 0x006d_6967_706c_616e;

pub struct Postgres {
    client: Client,
    password: Option<String>,
}

impl Postgres {
    pub fn open(url: &DbUrl) -> Result<Postgres, String> {
        let mut cfg = postgres::Config::new();
        cfg.host(url.host.as_deref().unwrap_or("localhost"));
        cfg.port(url.port.unwrap_or(5432));
        cfg.user(url.user.as_deref().unwrap_or("postgres"));
        if let Some(p) = url.secret() {
            cfg.password(p);
        }
        if !url.database.is_empty() {
            cfg.dbname(&url.database);
        }
        cfg.application_name("migplan");
        cfg.connect_timeout(Duration::from_secs(10));
        for (k, v) in &url.query {
            if k == "options" {
                cfg.options(v);
            }
        }
        let fail = |msg: String| mask_secret(&format!("cannot connect to {url}: {msg}"), url.secret());
        let opts = PgTls::from_query(&url.query, &|k| std::env::var(k).ok()).map_err(fail)?;
        let mut client = connect(&mut cfg, &opts, url.host.as_deref().unwrap_or("localhost")).map_err(fail)?;
        // A runner killed during a long statement would leave its backend running it, holding
        // the lock, until the statement ends: have the server notice the closed socket and
        // cancel (PostgreSQL 14+; older servers reject the setting, which changes nothing).
        let _ = client.batch_execute("SET client_connection_check_interval = 1000");
        Ok(Postgres {
            client,
            password: url.secret().map(str::to_string),
        })
    }
}

/// One connection as `sslmode` says: `prefer` tries TLS then plain, `allow` plain then
/// TLS (each retry only after the server answered, not when it cannot be reached).
fn connect(cfg: &mut postgres::Config, opts: &PgTls, host: &str) -> Result<Client, String> {
    let plain = |cfg: &mut postgres::Config| {
        cfg.ssl_mode(WireMode::Disable);
        cfg.connect(NoTls)
    };
    if opts.mode == SslMode::Disable {
        return plain(cfg).map_err(|e| err(&e));
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let (config, roots) = opts.client_config(home.as_deref())?;
    let vocabulary = opts.vocabulary(&roots);
    let connector = MakeRustlsConnect::new(config);
    let encrypted = |cfg: &mut postgres::Config, wire: WireMode| {
        cfg.ssl_mode(wire);
        cfg.connect(connector.clone())
    };
    let explain = |e: &postgres::Error| connect_error(e, host, opts, &vocabulary);
    let retry = |e: &postgres::Error| is_tls(e) || e.as_db_error().is_some();
    match opts.mode {
        SslMode::Allow => match plain(cfg) {
            Err(first) if retry(&first) => {
                encrypted(cfg, WireMode::Require).map_err(|e| format!("{} (and without TLS first: {})", explain(&e), err(&first)))
            }
            other => other.map_err(|e| err(&e)),
        },
        // The server's "no TLS here" answer is handled by tokio-postgres's Prefer itself.
        SslMode::Prefer => match encrypted(cfg, WireMode::Prefer) {
            Err(first) if retry(&first) => plain(cfg).map_err(|e| format!("{} (and with TLS first: {})", err(&e), explain(&first))),
            other => other.map_err(|e| explain(&e)),
        },
        // require, verify-ca, verify-full (disable returned above).
        _ => encrypted(cfg, WireMode::Require).map_err(|e| explain(&e)),
    }
}

/// tokio-postgres's TLS error kind ("error performing TLS handshake: …").
fn is_tls(e: &postgres::Error) -> bool {
    e.to_string().starts_with("error performing TLS handshake")
}

/// A TLS failure in words (which check failed, what to set); other errors as `err`.
fn connect_error(e: &postgres::Error, host: &str, opts: &PgTls, v: &tls::Vocabulary) -> String {
    if is_tls(e) {
        if let Some(r) = tls::find_rustls(e) {
            return tls::explain(r, host, v);
        }
        if e.to_string().contains("server does not support TLS") {
            return format!(
                "the server does not support TLS (sslmode={}): turn ssl on in the server's postgresql.conf, \
                 or set sslmode=prefer or sslmode=disable to connect unencrypted",
                opts.mode.name()
            );
        }
    }
    err(e)
}

/// The server's message (with its detail and hint), not just "db error".
fn err(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                s.push_str(&format!("\nDETAIL: {d}"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!("\nHINT: {h}"));
            }
            s
        }
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(&format!(": {inner}"));
                src = inner.source();
            }
            s
        }
    }
}

impl Driver for Postgres {
    fn dialect(&self) -> &'static dyn Dialect {
        &crate::dialect::postgresql::PostgreSQL
    }
    fn transactional_ddl(&self) -> bool {
        true
    }
    fn execute(&mut self, sql: &str) -> Result<(), String> {
        self.client
            .batch_execute(sql)
            .map_err(|e| mask_secret(&err(&e), self.password.as_deref()))
    }
    fn query(&mut self, sql: &str) -> Result<Rows, String> {
        let msgs = self.client.simple_query(sql).map_err(|e| err(&e))?;
        Ok(msgs
            .into_iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
                _ => None,
            })
            .collect())
    }
    fn current_schema(&mut self) -> Result<Option<String>, String> {
        let rows = self.query("SELECT current_schema()")?;
        Ok(rows.first().and_then(|r| r.first().cloned().flatten()))
    }
    fn table_exists(&mut self, table: &TableRef) -> Result<bool, String> {
        let name = format!(
            "{}{}",
            table
                .schema
                .as_ref()
                .map(|s| format!("\"{}\".", s.replace('"', "\"\"")))
                .unwrap_or_default(),
            format_args!("\"{}\"", table.name.replace('"', "\"\""))
        );
        let rows = self.query(&format!("SELECT to_regclass('{}') IS NOT NULL", name.replace('\'', "''")))?;
        Ok(rows.first().and_then(|r| r.first().cloned().flatten()).as_deref() == Some("t"))
    }
    fn lock(&mut self, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            let rows = self.query(&format!("SELECT pg_try_advisory_lock({LOCK_KEY})"))?;
            if rows.first().and_then(|r| r.first().cloned().flatten()).as_deref() == Some("t") {
                return Ok(());
            }
            if start.elapsed() >= timeout {
                let who = self
                    .query(&format!(
                        "SELECT a.pid, a.usename, a.application_name, coalesce(host(a.client_addr), 'local'), \
                         to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                         WHERE l.locktype = 'advisory' AND l.granted AND l.objid = {} AND l.classid = {}",
                        LOCK_KEY & 0xffff_ffff,
                        LOCK_KEY >> 32
                    ))
                    .ok()
                    .and_then(|rows| rows.into_iter().next())
                    .map(|r| {
                        let f = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
                        format!(
                            "held by backend pid {} (user {}, application {}, from {}, connected since {})",
                            f(0),
                            f(1),
                            f(2),
                            f(3),
                            f(4)
                        )
                    })
                    .unwrap_or_else(|| "held by another session".into());
                return Err(format!("could not take migplan's advisory lock within {timeout:.0?}: {who}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    fn unlock(&mut self) {
        let _ = self.execute(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"));
    }
    fn live_columns(&mut self) -> Result<Vec<LiveColumn>, String> {
        let rows = self.query(
            "SELECT t.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull \
             FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             WHERE ns.nspname = current_schema() AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY t.relname, a.attnum",
        )?;
        Ok(columns_from_rows(&rows))
    }
    fn live_fk_actions(&mut self) -> Result<Vec<super::driver::LiveFkActions>, String> {
        let rows = self.query(
            "SELECT t.relname, c.conname, a.attname, \
             CASE c.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END, \
             CASE c.confupdtype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY u(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = u.attnum \
             WHERE ns.nspname = current_schema() AND c.contype = 'f' ORDER BY t.relname, c.conname, u.ord",
        )?;
        Ok(super::driver::fk_actions_from_rows(&rows, "NO ACTION"))
    }
    fn live_schema(&mut self) -> Result<LiveSchema, String> {
        let rows = self.query(
            "SELECT t.table_name, c.column_name FROM information_schema.tables t \
             LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name \
             WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
        )?;
        let tables = tables_from_rows(rows);
        // Key columns only (not INCLUDE); indexes behind a primary key, unique or exclusion
        // constraint of the same table are that constraint.
        let index_rows = self.query(
            "SELECT t.relname, i.relname, ix.indisunique, pg_get_indexdef(ix.indexrelid, k.n, true) \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts) AS k(n) \
             WHERE ns.nspname = current_schema() AND t.relkind IN ('r', 'p') \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid \
                             AND c.conrelid = ix.indrelid AND c.contype IN ('p', 'u', 'x')) \
             ORDER BY t.relname, i.relname, k.n",
        )?;
        // Column lists joined with the unit separator: no identifier contains it.
        let cons_rows = self.query(
            "SELECT t.relname, c.conname, c.contype, \
             (SELECT string_agg(a.attname, chr(31) ORDER BY u.ord) FROM unnest(c.conkey) WITH ORDINALITY u(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = u.attnum), \
             rt.relname, \
             (SELECT string_agg(a.attname, chr(31) ORDER BY u.ord) FROM unnest(c.confkey) WITH ORDINALITY u(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = u.attnum) \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             LEFT JOIN pg_class rt ON rt.oid = c.confrelid \
             WHERE ns.nspname = current_schema() AND c.contype IN ('p', 'u', 'f', 'c') AND t.relkind IN ('r', 'p') \
             ORDER BY t.relname, c.conname",
        )?;
        let list = |s: String| -> Vec<String> { s.split('\u{1f}').filter(|c| !c.is_empty()).map(str::to_string).collect() };
        let constraints = cons_rows
            .iter()
            .filter_map(|r| {
                let kind = match field(r, 2).as_str() {
                    "p" => LiveConstraintKind::PrimaryKey,
                    "u" => LiveConstraintKind::Unique,
                    "f" => LiveConstraintKind::ForeignKey {
                        ref_table: field(r, 4),
                        ref_columns: list(field(r, 5)),
                    },
                    "c" => LiveConstraintKind::Check,
                    _ => return None,
                };
                Some(LiveConstraint {
                    table: field(r, 0),
                    name: Some(field(r, 1)),
                    kind,
                    columns: list(field(r, 3)),
                })
            })
            .collect();
        Ok(LiveSchema {
            tables,
            indexes: indexes_from_rows(&index_rows),
            constraints,
        })
    }
    fn is_already_exists(&self, message: &str) -> bool {
        message.contains("already exists")
    }
}
