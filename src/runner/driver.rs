//! One connection to a live database: the few things the runner asks of a server. One
//! file per server (`sqlite.rs`, `postgres.rs`, `mysql.rs`); the runner never asks which.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::dialect::Dialect;
use crate::ops::TableRef;

use super::url::DbUrl;

/// Rows as text (NULL as `None`): the runner only reads version ids and names.
pub type Rows = Vec<Vec<Option<String>>>;

/// What the server's catalogue says the schema is, names lower-cased: tables and their
/// columns, indexes, constraints. Indexes that only back a primary key or unique
/// constraint are reported as the constraint, not again as an index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSchema {
    pub tables: BTreeMap<String, BTreeSet<String>>,
    pub indexes: Vec<LiveIndex>,
    pub constraints: Vec<LiveConstraint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveIndex {
    pub table: String,
    pub name: String,
    /// Key columns in order (expressions as the server prints them).
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey { ref_table: String, ref_columns: Vec<String> },
    Check,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveConstraint {
    pub table: String,
    /// `None` where the catalogue keeps no name (SQLite) or only a fixed one (MySQL's
    /// `PRIMARY`): such constraints compare by shape alone.
    pub name: Option<String>,
    pub kind: LiveConstraintKind,
    pub columns: Vec<String>,
}

/// A column as the catalogue describes it, for `check --db`'s drift comparison: the
/// type as the server prints it (`character varying(40)`, `varchar(40)`, `VARCHAR(40)`),
/// nullability, and whether it is in the primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveColumn {
    pub table: String,
    pub name: String,
    pub type_: String,
    pub nullable: bool,
}

/// A foreign key's `ON DELETE` / `ON UPDATE` as the catalogue says (upper-case; `None` for
/// the server's default, `NO ACTION`, or MySQL's `RESTRICT`), by table and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFkActions {
    pub table: String,
    pub columns: Vec<String>,
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
}

/// Actions from rows of (table, key id, column, on delete, on update), ordered by table,
/// key and position; `default` is the server's default action.
pub fn fk_actions_from_rows(rows: &Rows, default: &str) -> Vec<LiveFkActions> {
    let action = |r: &[Option<String>], i: usize| {
        let a = field(r, i).to_uppercase();
        (!a.is_empty() && a != "NO ACTION" && a != default).then_some(a)
    };
    let mut out: Vec<LiveFkActions> = Vec::new();
    let mut last: Option<(String, String)> = None;
    for r in rows {
        let key = (field(r, 0), field(r, 1));
        if last.as_ref() == Some(&key)
            && let Some(l) = out.last_mut()
        {
            l.columns.push(field(r, 2));
            continue;
        }
        last = Some(key.clone());
        out.push(LiveFkActions {
            table: key.0,
            columns: vec![field(r, 2)],
            ondelete: action(r, 3),
            onupdate: action(r, 4),
        });
    }
    out
}

pub trait Driver {
    /// The SQL dialect plans for this server are rendered in.
    fn dialect(&self) -> &'static dyn Dialect;
    /// DDL rolls back with the transaction (PostgreSQL, SQLite; not MySQL).
    fn transactional_ddl(&self) -> bool;
    /// Run statements (one, or several separated by `;`) and discard any rows.
    fn execute(&mut self, sql: &str) -> Result<(), String>;
    fn query(&mut self, sql: &str) -> Result<Rows, String>;
    fn begin(&mut self) -> Result<(), String> {
        self.execute("BEGIN")
    }
    fn commit(&mut self) -> Result<(), String> {
        self.execute("COMMIT")
    }
    fn rollback(&mut self) -> Result<(), String> {
        self.execute("ROLLBACK")
    }
    /// The schema unqualified names resolve to now (PostgreSQL's `current_schema()`);
    /// `None` where names are not resolved through a search path.
    fn current_schema(&mut self) -> Result<Option<String>, String> {
        Ok(None)
    }
    fn table_exists(&mut self, table: &TableRef) -> Result<bool, String>;
    /// Take the one-runner-at-a-time lock, waiting up to `timeout`; the error says who
    /// holds it. Held until `unlock` or the connection ends (a killed runner frees it).
    fn lock(&mut self, timeout: Duration) -> Result<(), String>;
    fn unlock(&mut self);
    /// The tables and columns of the schema migrations write to.
    fn live_schema(&mut self) -> Result<LiveSchema, String>;
    /// The columns of the schema migrations write to, in table and position order.
    fn live_columns(&mut self) -> Result<Vec<LiveColumn>, String>;
    /// The `ON DELETE` / `ON UPDATE` of each foreign key of that schema.
    fn live_fk_actions(&mut self) -> Result<Vec<LiveFkActions>, String>;
    /// The server's own words for an error that means "this object already exists".
    fn is_already_exists(&self, message: &str) -> bool;
}

/// Who is applying: `user@host (pid N)`, for the audit table and lock messages. Worked
/// out once per process (it reads three files; the audit row of every migration needs it).
pub fn applied_by() -> String {
    static WHO: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    WHO.get_or_init(who).clone()
}

fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(login_name)
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host} (pid {})", std::process::id())
}

#[cfg(target_os = "wasi")]
pub fn connect(_url: &DbUrl) -> Result<Box<dyn Driver>, String> {
    Err(crate::cli::wasi::NEEDS_NATIVE.to_string())
}

#[cfg(not(target_os = "wasi"))]
pub fn connect(url: &DbUrl) -> Result<Box<dyn Driver>, String> {
    use super::url::Backend;
    match url.backend {
        Backend::Sqlite => Ok(Box::new(super::sqlite::Sqlite::open(url)?)),
        Backend::Postgres => Ok(Box::new(super::postgres::Postgres::open(url)?)),
        Backend::Mysql => Ok(Box::new(super::mysql::Mysql::open(url)?)),
    }
}

/// A lowercase `(table, columns)` map from rows of (table, column-or-NULL).
pub fn tables_from_rows(rows: Rows) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::<String, BTreeSet<String>>::new();
    for r in rows {
        let Some(Some(t)) = r.first() else { continue };
        let cols = out.entry(t.to_lowercase()).or_default();
        if let Some(Some(c)) = r.get(1) {
            cols.insert(c.to_lowercase());
        }
    }
    out
}

/// Columns from rows of (table, column, type, nullable `1`/`t`/`YES`).
pub fn columns_from_rows(rows: &Rows) -> Vec<LiveColumn> {
    rows.iter()
        .map(|r| LiveColumn {
            table: field(r, 0),
            name: field(r, 1),
            type_: r.get(2).cloned().flatten().unwrap_or_default(),
            nullable: matches!(field(r, 3).as_str(), "1" | "t" | "true" | "yes"),
        })
        .collect()
}

/// Field `i` of a catalogue row as lower-case text ("" for NULL).
pub fn field(r: &[Option<String>], i: usize) -> String {
    r.get(i).cloned().flatten().unwrap_or_default().to_lowercase()
}

/// Indexes from rows of (table, index, unique, column) ordered by table, index and key
/// position: one index per run of equal (table, index).
pub fn indexes_from_rows(rows: &Rows) -> Vec<LiveIndex> {
    let mut out: Vec<LiveIndex> = Vec::new();
    for r in rows {
        let (table, name) = (field(r, 0), field(r, 1));
        let unique = matches!(field(r, 2).as_str(), "t" | "1" | "true");
        match out.last_mut() {
            Some(last) if last.table == table && last.name == name => last.columns.push(field(r, 3)),
            _ => out.push(LiveIndex {
                table,
                name,
                columns: vec![field(r, 3)],
                unique,
            }),
        }
    }
    out
}

/// The login name of this process's uid, from /etc/passwd (no libc call needed).
fn login_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2] == uid).then(|| f[0].to_string())
    })
}
