//! MySQL / MariaDB through the `mysql` crate (text protocol). DDL commits implicitly
//! here, so the runner marks a migration in progress before it starts (see `audit`).
//! The lock is `GET_LOCK`, named after the database, released when the session ends.
//! TLS follows the drivers' `ssl_*` URL keys (see `tls`), on rustls.

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{ClientIdentity, Conn, OptsBuilder, SslOpts, Value};

use super::driver::{
    Driver, LiveColumn, LiveConstraint, LiveConstraintKind, LiveSchema, Rows, columns_from_rows, field, indexes_from_rows, tables_from_rows,
};
use super::tls::{self, MySslMode, MyTls, Verify};
use super::url::{DbUrl, mask_secret};
use crate::dialect::Dialect;
use crate::ops::TableRef;

pub struct Mysql {
    conn: Conn,
    /// MySQL's, or MariaDB's on a `mariadb://` URL or a server whose `VERSION()` says
    /// MariaDB (as SQLAlchemy's MySQL dialect sets `is_mariadb` on connect).
    dialect: &'static dyn Dialect,
    lock_name: String,
    password: Option<String>,
}

impl Mysql {
    pub fn open(url: &DbUrl) -> Result<Mysql, String> {
        let opts = OptsBuilder::new()
            .ip_or_hostname(Some(url.host.clone().unwrap_or_else(|| "localhost".into())))
            .tcp_port(url.port.unwrap_or(3306))
            .user(Some(url.user.clone().unwrap_or_else(|| "root".into())))
            .pass(url.secret().map(str::to_string))
            .db_name((!url.database.is_empty()).then(|| url.database.clone()))
            .tcp_connect_timeout(Some(Duration::from_secs(10)));
        let fail = |msg: String| mask_secret(&format!("cannot connect to {url}: {msg}"), url.secret());
        let tls = MyTls::from_query(&url.query).map_err(fail)?;
        let host = url.host.as_deref().unwrap_or("localhost");
        let conn = match ssl_opts(&tls).map_err(fail)? {
            None => Conn::new(opts).map_err(|e| fail(err(e)))?,
            Some(ssl) => {
                tls::install_default_provider();
                // TCP as the URL says, as libmysqlclient does for an address: the crate
                // would otherwise move a loopback connection to the Unix socket, unencrypted.
                match Conn::new(opts.clone().ssl_opts(ssl).prefer_socket(false)) {
                    Ok(c) => c,
                    // PREFERRED: plain when the server has no TLS (libmysqlclient's rule; a
                    // failed handshake is not retried in the clear).
                    Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported)) if tls.mode == MySslMode::Preferred => {
                        Conn::new(opts).map_err(|e| fail(err(e)))?
                    }
                    Err(e) => return Err(fail(connect_error(e, host, &tls))),
                }
            }
        };
        let mut conn = conn;
        let dialect = server_dialect(&url.dialect_name(), &mut conn).map_err(fail)?;
        Ok(Mysql {
            conn,
            dialect,
            lock_name: format!("migplan:{}", url.database).chars().take(64).collect(),
            password: url.secret().map(str::to_string),
        })
    }
}

/// The dialect plans for this server are rendered in, as SQLAlchemy's once connected: on a
/// MariaDB server (`VERSION()` says so: `_parse_server_version` sets `is_mariadb`) MariaDB's
/// forms for its version, under the URL's dialect name (`mariadb://` or `mysql://`); a
/// `mariadb://` URL on MySQL is refused ("... is not a MariaDB variant").
fn server_dialect(url_dialect: &str, conn: &mut Conn) -> Result<&'static dyn Dialect, String> {
    use crate::dialect::mariadb;
    let version: Option<String> = conn.query_first("SELECT VERSION()").map_err(err)?;
    let version = version.unwrap_or_default();
    let url_names_mariadb = url_dialect == mariadb::MARIADB.name();
    match mariadb::server_version(&version) {
        Some(v) => Ok(mariadb::for_server(url_names_mariadb, v)),
        None if url_names_mariadb => Err(format!("MySQL version {version} is not a MariaDB variant")),
        None => Ok(&crate::dialect::mysql::MySQL),
    }
}

/// The `mysql` crate's TLS options for `tls` (None: plain). Without `ssl_ca` the verifying
/// modes trust the system's CA bundle (the crate adds webpki-roots to any root file).
fn ssl_opts(tls: &MyTls) -> Result<Option<SslOpts>, String> {
    if tls.mode == MySslMode::Disabled {
        return Ok(None);
    }
    for (key, path) in [("ssl_ca", &tls.ca), ("ssl_cert", &tls.cert), ("ssl_key", &tls.key)] {
        if let Some(p) = path
            && !p.is_file()
        {
            return Err(format!("{key}: cannot read {}: no such file", p.display()));
        }
    }
    let verify = tls.mode.verify();
    let root = match (&tls.ca, verify) {
        (_, Verify::None) => None,
        (Some(ca), _) => Some(ca.clone()),
        (None, _) => tls::system_bundle(),
    };
    let identity = match (&tls.cert, &tls.key) {
        (Some(c), Some(k)) => Some(ClientIdentity::new(c.clone(), k.clone())),
        _ => None,
    };
    Ok(Some(
        SslOpts::default()
            .with_root_cert_path(root)
            .with_client_identity(identity)
            .with_danger_accept_invalid_certs(verify == Verify::None)
            .with_danger_skip_domain_validation(verify != Verify::Full),
    ))
}

/// A TLS failure in words (which check failed, what to set); other errors as `err`.
fn connect_error(e: mysql::Error, host: &str, tls: &MyTls) -> String {
    let rustls_error = match &e {
        mysql::Error::TlsError(t) => tls::find_rustls(t),
        mysql::Error::IoError(io) => tls::find_rustls(io),
        // The handshake runs on the first packet read, so its errors come through the codec.
        mysql::Error::CodecError(codec) => tls::find_rustls(codec),
        _ => None,
    };
    if let Some(r) = rustls_error {
        let msg = tls::explain(r, host, &tls.vocabulary());
        return match tls.implied_by() {
            Some(origin) => format!("{msg} (ssl_mode={} comes from {origin})", tls.mode.name()),
            None => msg,
        };
    }
    if let mysql::Error::DriverError(mysql::DriverError::TlsNotSupported) = e {
        return format!(
            "the server does not support TLS ({}): enable it on the server (ssl_cert and ssl_key in its my.cnf), \
             or set ssl_mode=PREFERRED or ssl_mode=DISABLED to connect unencrypted",
            tls.label()
        );
    }
    if let mysql::Error::TlsError(t) = &e {
        return format!("TLS setup failed: {t} ({})", tls.label());
    }
    err(e)
}

fn text(v: Value) -> Option<String> {
    match v {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Double(f) => Some(f.to_string()),
        other => Some(other.as_sql(true).trim_matches('\'').to_string()),
    }
}

/// The server's own words: `ERROR 1050 (42S01): Table 't' already exists`.
fn err(e: mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(m) => format!("ERROR {} ({}): {}", m.code, m.state, m.message),
        other => other.to_string(),
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

impl Driver for Mysql {
    fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }
    fn transactional_ddl(&self) -> bool {
        false
    }
    fn execute(&mut self, sql: &str) -> Result<(), String> {
        self.conn
            .query_drop(sql)
            .map_err(|e| mask_secret(&err(e), self.password.as_deref()))
    }
    fn query(&mut self, sql: &str) -> Result<Rows, String> {
        let rows: Vec<mysql::Row> = self.conn.query(sql).map_err(err)?;
        Ok(rows.into_iter().map(|r| r.unwrap().into_iter().map(text).collect()).collect())
    }
    fn table_exists(&mut self, table: &TableRef) -> Result<bool, String> {
        let schema = table.schema.as_deref().map(quote).unwrap_or_else(|| "DATABASE()".into());
        let rows = self.query(&format!(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = {schema} AND table_name = {}",
            quote(&table.name)
        ))?;
        Ok(!rows.is_empty())
    }
    fn lock(&mut self, timeout: Duration) -> Result<(), String> {
        let name = quote(&self.lock_name);
        let rows = self.query(&format!("SELECT GET_LOCK({name}, {})", timeout.as_secs_f64().max(0.0)))?;
        if rows.first().and_then(|r| r.first().cloned().flatten()).as_deref() == Some("1") {
            return Ok(());
        }
        let who = self
            .query(&format!(
                "SELECT p.id, p.user, p.host, p.time FROM information_schema.processlist p WHERE p.id = IS_USED_LOCK({name})"
            ))
            .ok()
            .and_then(|rows| rows.into_iter().next())
            .map(|r| {
                let f = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
                format!("held by connection {} ({}@{}, for {} s)", f(0), f(1), f(2), f(3))
            })
            .unwrap_or_else(|| "held by another session".into());
        Err(format!("could not take the lock {} within {timeout:.0?}: {who}", self.lock_name))
    }
    fn unlock(&mut self) {
        let name = quote(&self.lock_name);
        let _ = self.execute(&format!("DO RELEASE_LOCK({name})"));
    }
    fn live_columns(&mut self) -> Result<Vec<LiveColumn>, String> {
        let rows = self.query(
            "SELECT c.table_name, c.column_name, c.column_type, c.is_nullable FROM information_schema.columns c \
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position",
        )?;
        Ok(columns_from_rows(&rows))
    }
    fn live_fk_actions(&mut self) -> Result<Vec<super::driver::LiveFkActions>, String> {
        let rows = self.query(
            "SELECT rc.table_name, rc.constraint_name, k.column_name, rc.delete_rule, rc.update_rule \
             FROM information_schema.referential_constraints rc JOIN information_schema.key_column_usage k \
             ON k.constraint_schema = rc.constraint_schema AND k.table_name = rc.table_name AND k.constraint_name = rc.constraint_name \
             WHERE rc.constraint_schema = DATABASE() ORDER BY rc.table_name, rc.constraint_name, k.ordinal_position",
        )?;
        Ok(super::driver::fk_actions_from_rows(&rows, "RESTRICT"))
    }
    fn live_schema(&mut self) -> Result<LiveSchema, String> {
        let rows = self.query(
            "SELECT t.table_name, c.column_name FROM information_schema.tables t \
             LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name \
             WHERE t.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'",
        )?;
        let tables = tables_from_rows(rows);
        // Every unique constraint is a unique index here, and is reported as one; the
        // primary key is a constraint.
        let index_rows = self.query(
            "SELECT table_name, index_name, non_unique = 0, column_name FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND index_name <> 'PRIMARY' \
             ORDER BY table_name, index_name, seq_in_index",
        )?;
        // MariaDB's JSON columns carry a `json_valid` check named after the column: the
        // type's, not the migration's.
        let cons_rows = self.query(
            "SELECT tc.table_name, tc.constraint_name, tc.constraint_type, k.column_name, \
             k.referenced_table_name, k.referenced_column_name \
             FROM information_schema.table_constraints tc \
             LEFT JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema \
               AND k.table_name = tc.table_name AND k.constraint_name = tc.constraint_name \
             WHERE tc.constraint_schema = DATABASE() \
               AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY', 'CHECK') \
               AND NOT (tc.constraint_type = 'CHECK' AND EXISTS (SELECT 1 FROM information_schema.check_constraints cc \
                 WHERE cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name \
                 AND cc.check_clause LIKE 'json_valid(%')) \
             ORDER BY tc.table_name, tc.constraint_name, k.ordinal_position",
        )?;
        let mut constraints: Vec<LiveConstraint> = Vec::new();
        for r in &cons_rows {
            let (table, name, col) = (field(r, 0), field(r, 1), field(r, 3));
            if let Some(last) = constraints.last_mut()
                && last.table == table
                && last.name.as_deref().unwrap_or("primary") == name
            {
                if let LiveConstraintKind::ForeignKey { ref_columns, .. } = &mut last.kind {
                    ref_columns.push(field(r, 5));
                }
                last.columns.push(col);
                continue;
            }
            let kind = match field(r, 2).as_str() {
                "primary key" => LiveConstraintKind::PrimaryKey,
                "foreign key" => LiveConstraintKind::ForeignKey {
                    ref_table: field(r, 4),
                    ref_columns: vec![field(r, 5)],
                },
                _ => LiveConstraintKind::Check,
            };
            constraints.push(LiveConstraint {
                table,
                // Always `PRIMARY`: the name a migration gives is not kept.
                name: (kind != LiveConstraintKind::PrimaryKey).then_some(name),
                columns: if col.is_empty() { Vec::new() } else { vec![col] },
                kind,
            });
        }
        Ok(LiveSchema {
            tables,
            indexes: indexes_from_rows(&index_rows),
            constraints,
        })
    }
    fn is_already_exists(&self, message: &str) -> bool {
        message.contains("already exists") || message.contains("Duplicate key name")
    }
}
