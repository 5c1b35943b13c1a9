//! SQL dialects: how each database spells the operations of a plan.
//!
//! One trait, one file per dialect, no `match` on a dialect name anywhere else. The trait's
//! default methods are SQLAlchemy's generic DDL compiler (plus Alembic's `ddl/base.py`
//! constructs); each dialect overrides what its SQLAlchemy and Alembic implementations
//! override. Every method returns the statements exactly as Alembic's offline mode prints
//! them (without the terminator), or a [`CompileError`] with SQLAlchemy's message.

pub mod batch;
pub mod ddl;
pub mod keywords;
pub mod mariadb;
pub mod mysql;
pub mod postgresql;
pub mod sqlite;
pub mod types;

use crate::ops::{Column, Literal, Op, SqlType, TableRef};

/// A construct this dialect cannot render (SQLAlchemy's `CompileError`, or Alembic's
/// `NotImplementedError` for SQLite ALTERs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError(pub String);

pub type Compiled = Result<String, CompileError>;

/// Where a column is being rendered: inside `CREATE TABLE` (with the table's autoincrement
/// column known) or alone (`ADD COLUMN`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ColumnContext {
    /// This column is the table's `_autoincrement_column`.
    pub is_autoincrement: bool,
    /// The primary key is declared on the column itself (SQLite's `sqlite_autoincrement`).
    pub inline_primary_key: bool,
}

/// Which `--*-version` flag gives this database's server version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VersionFlag {
    #[default]
    None,
    Postgres,
    Mysql,
}

/// What the lint rules need to know about how a database runs DDL: locks, rewrites,
/// what it cannot do. The rules ask these questions instead of naming databases.
#[derive(Clone, Copy, Debug, Default)]
pub struct DdlBehaviour {
    /// `CREATE/DROP INDEX CONCURRENTLY` exists (and plain index builds block writes).
    pub concurrent_index: bool,
    /// `ADD CONSTRAINT ... NOT VALID` then `VALIDATE CONSTRAINT` avoids the long lock.
    pub not_valid_constraints: bool,
    /// `SET NOT NULL` scans the whole table under an exclusive lock.
    pub set_not_null_scans: bool,
    /// Unique constraints can be attached to an existing index (`USING INDEX`).
    pub unique_using_index: bool,
    /// Named enum types whose `ADD VALUE` is restricted in transactions: the server
    /// version from which it may run inside one (`None`: never restricted).
    pub enum_add_value_in_tx_since: Option<(u32, u32)>,
    pub native_enum_types: bool,
    /// From this version a column added with a non-volatile default is not rewritten.
    pub fast_default_since: Option<(u32, u32)>,
    /// Functions whose default forces a rewrite of every row.
    pub volatile_functions: &'static [&'static str],
    /// `ALTER TABLE` can only add columns and rename (SQLite): everything else needs
    /// Alembic's batch mode (move and copy).
    pub limited_alter_table: bool,
    /// DDL commits implicitly, so mixing it with data changes leaves half-applied
    /// migrations on failure (MySQL).
    pub ddl_commits_implicitly: bool,
    /// The setting that bounds how long DDL waits for a lock.
    pub lock_timeout_setting: Option<&'static str>,
    /// `ALTER TABLE ... RENAME COLUMN` needs at least this version.
    pub rename_column_since: Option<(u32, u32)>,
    /// Integer primary keys should be 64-bit (32-bit ones run out on busy tables).
    pub warn_int_primary_keys: bool,
    /// `timestamp` without time zone is a trap (PostgreSQL's `timestamptz` advice).
    pub prefers_timestamptz: bool,
    pub version_flag: VersionFlag,
    /// A unique constraint is kept as a unique index of the same name (MySQL, MariaDB).
    pub unique_constraints_are_indexes: bool,
    /// The server indexes a foreign key's columns itself when no index serves it.
    pub indexes_foreign_keys: bool,
    /// No second index is built for a UNIQUE the primary key or another UNIQUE already
    /// covers (SQLite), so the catalogue does not show it.
    pub skips_covered_unique: bool,
}

/// What a constraint is, for the name a server gives one declared without a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintRole {
    PrimaryKey,
    Unique,
    ForeignKey,
}

/// Behaviour of one SQL dialect. See the module docs.
pub trait Dialect: Sync {
    /// SQLAlchemy's dialect name (`postgresql`, `mysql`, `mariadb`, `sqlite`).
    fn name(&self) -> &'static str;
    /// The database's name as its users write it (`PostgreSQL`, `MariaDB`).
    fn product_name(&self) -> &'static str;
    /// Alembic's `transactional_ddl`: offline plans are wrapped in `BEGIN;`/`COMMIT;`.
    fn transactional_ddl(&self) -> bool;
    fn reserved_words(&self) -> &'static [&'static str];
    fn quote_char(&self) -> char {
        '"'
    }
    /// `supports_comments` and `inline_comments` (MySQL puts comments in the DDL).
    fn supports_comments(&self) -> bool {
        true
    }
    fn inline_comments(&self) -> bool {
        false
    }
    fn supports_native_enum(&self) -> bool {
        false
    }
    /// Named enum types created around tables (`CREATE TYPE ... AS ENUM`, PostgreSQL).
    fn creates_enum_types(&self) -> bool {
        false
    }
    fn supports_native_boolean(&self) -> bool {
        true
    }
    fn supports_native_uuid(&self) -> bool {
        false
    }
    fn supports_identity_columns(&self) -> bool {
        false
    }
    /// Whether string literals need backslashes doubled (MySQL's default SQL mode).
    fn backslash_escapes(&self) -> bool {
        false
    }

    /// A dialect's own rendering of a type visit, or `None` for the generic one.
    fn visit_type(&self, _visit: &str, _t: &SqlType) -> Option<Compiled> {
        None
    }

    /// A dialect's own spelling of `sa.func.<name>(args)` (SQLite: `now()` is
    /// `CURRENT_TIMESTAMP`), or `None` for the generic `name(args)`.
    fn render_function(&self, _name: &str, _args: &[String]) -> Option<String> {
        None
    }

    /// `render_literal_value` for booleans.
    fn render_bool(&self, b: bool) -> &'static str {
        if b { "true" } else { "false" }
    }

    /// `render_literal_value` for `datetime` / `date` values.
    fn render_datetime(&self, date: (i64, u32, u32), time: Option<(u32, u32, u32, u32)>, is_date_only: bool) -> String {
        types::render_datetime_default(date, time, is_date_only)
    }

    /// The column's DDL (`get_column_specification`).
    fn column_specification(&self, col: &Column, ctx: ColumnContext) -> Compiled {
        ddl::generic_column_specification(self, col, ctx)
    }

    /// Table options after `)` (`post_create_table`).
    fn post_create_table(&self, _comment: Option<&str>, _kwargs: &[(String, Literal)]) -> String {
        String::new()
    }

    /// All statements for one operation.
    fn op_statements(&self, op: &Op) -> Result<Vec<String>, CompileError> {
        ddl::generic_op_statements(self, op)
    }

    /// Whether a foreign key can appear in this table's DDL (SQLite cannot reference a table
    /// in another schema, and leaves the constraint out).
    fn foreign_key_allowed(&self, _table: &TableRef, _fk: &crate::ops::ForeignKeyConstraint) -> bool {
        true
    }

    /// Whether the single-column primary key is declared inline on the column instead of as a
    /// table constraint (`sqlite_autoincrement=True`).
    fn inline_primary_key(&self, _kwargs: &[(String, Literal)], _col: &Column) -> bool {
        false
    }

    /// Whether a move and copy first drops the old table's named constraints that the copy
    /// keeps (`prep_table_for_batch`: PostgreSQL constraint names are per schema).
    fn batch_drops_kept_constraints(&self) -> bool {
        false
    }

    /// Whether `batch_alter_table` with `recreate="auto"` must move and copy the table.
    fn batch_requires_recreate(&self, _steps: &[crate::ops::Step]) -> bool {
        false
    }

    /// A binary literal from hex digits (`X'00ff'`; PostgreSQL spells bytea differently).
    fn bytes_literal(&self, hex: &str) -> String {
        format!("X'{hex}'")
    }

    /// How plain SQL files for this database are split into statements.
    fn sql_lexing(&self) -> crate::sql::split::Lexing;

    /// The `sqlparser` dialect that checks plain SQL statements.
    fn sql_parser(&self) -> Box<dyn sqlparser::dialect::Dialect>;

    /// The text `sqlparser` should read in place of a statement the server accepts but
    /// `sqlparser` misreads (the plan keeps the original). `None`: read it as written.
    fn sql_for_parser(&self, _sql: &str) -> Option<String> {
        None
    }

    /// The server accepts this statement although `sqlparser` cannot read it (a construct
    /// known from its head: routine bodies, `DO` blocks...). It is then classified from its
    /// head rather than reported as `sql-parse-error`.
    fn accepts_unparsed(&self, _sql: &str) -> bool {
        false
    }

    /// The schema unqualified names live in (`public`), so `public.users` is `users`.
    fn default_schema(&self) -> Option<&'static str> {
        None
    }

    /// The longest identifier in bytes the server keeps: longer ones are cut to it
    /// (PostgreSQL's NAMEDATALEN - 1). `None`: kept whole, or refused.
    fn identifier_limit(&self) -> Option<usize> {
        None
    }

    /// The label of the name the server gives an index it makes itself (a partition's
    /// copy of its parent's index: `<table>_<columns>_idx`); `None`: unknown.
    fn implicit_index_label(&self) -> Option<&'static str> {
        None
    }

    /// The name the server gives a constraint on `table` (unqualified) declared without
    /// one, when it names them predictably; `None`: it does not, or migplan cannot know.
    fn implicit_constraint_name(&self, _table: &str, _role: ConstraintRole, _columns: &[String]) -> Option<String> {
        None
    }

    /// How this database runs schema changes, for the lint rules.
    fn ddl_behaviour(&self) -> DdlBehaviour {
        DdlBehaviour::default()
    }

    /// `INSERT INTO alembic_version ...` suffix (PostgreSQL/SQLite use RETURNING).
    fn version_insert_suffix(&self, table: &TableRef) -> String {
        let _ = table;
        String::new()
    }
}

/// Look a dialect up by SQLAlchemy name or URL scheme (`postgresql+psycopg2`, `mariadb`).
pub fn dialect_from_name(name: &str) -> Option<&'static dyn Dialect> {
    let base = name.split('+').next().unwrap_or(name).to_ascii_lowercase();
    match base.as_str() {
        "postgresql" | "postgres" | "pg" => Some(&postgresql::PostgreSQL),
        "mysql" => Some(&mysql::MySQL),
        "mariadb" => Some(&mariadb::MARIADB),
        "sqlite" => Some(&sqlite::SQLite),
        _ => None,
    }
}

/// The dialect of an SQLAlchemy URL (`postgresql://user@host/db` → postgresql).
pub fn dialect_from_url(url: &str) -> Option<&'static dyn Dialect> {
    let scheme = url.split("://").next()?;
    dialect_from_name(scheme)
}

pub const DIALECT_NAMES: &[&str] = &["postgresql", "mysql", "mariadb", "sqlite"];

/// `name1_name2_label` (or `name1_label`) within `max` bytes, taking characters off the
/// longer of the two names first: how PostgreSQL names what it creates implicitly
/// (`makeObjectName`), for constraints and for a partition's copies of its parent's indexes.
pub fn object_name(name1: &str, name2: Option<&str>, label: &str, max: Option<usize>) -> String {
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    if let Some(max) = max {
        let avail = max.saturating_sub(label.len() + 1 + usize::from(name2.is_some()));
        while n1 + n2 > avail {
            if n1 > n2 {
                n1 -= 1;
            } else {
                n2 -= 1;
            }
        }
    }
    let clip = |s: &str, mut n: usize| -> String {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    match name2 {
        Some(n) => format!("{}_{}_{label}", clip(name1, n1), clip(n, n2)),
        None => format!("{}_{label}", clip(name1, n1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mariadb_urls_name_their_own_dialect() {
        let name = |u: &str| dialect_from_url(u).map(|d| d.name());
        assert_eq!(name("mariadb://root@h/db"), Some("mariadb"));
        assert_eq!(name("mariadb+pymysql://root@h/db"), Some("mariadb"));
        assert_eq!(name("mysql+pymysql://root@h/db"), Some("mysql"));
        assert_eq!(dialect_from_name("MariaDB").map(|d| d.product_name()), Some("MariaDB"));
        for n in DIALECT_NAMES {
            assert_eq!(dialect_from_name(n).map(|d| d.name()), Some(*n));
        }
    }
}
