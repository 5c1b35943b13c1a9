//! Version bookkeeping: the table each migration tool keeps of what it applied, and the
//! statements a plan adds to it. One trait, one file per tool; `alembic` is the default,
//! so a plan of a SQL folder keeps `alembic_version` unless `--bookkeeping` names its tool.

pub mod alembic;
pub mod dbmate;
pub mod diesel;
pub mod flyway;
pub mod golang_migrate;
pub mod goose;
pub mod sqlx;

use crate::dialect::ddl::{format_table, quote};
use crate::dialect::types::quote_string;
use crate::dialect::{CompileError, Dialect};
use crate::model::Revision;
use crate::ops::{AutoIncrement, Column, Constraint, ConstraintOpts, Op, SqlExpr, SqlType, TableRef};
use crate::plan::{Direction, PlanStep, VersionChange};
use crate::render::sql_plan::RenderOptions;

/// Finds a revision by id (for the details a tool records: title, checksum, file).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<&'a Revision>;

/// One tool's version table. See the module docs.
pub trait Bookkeeping: Sync + std::fmt::Debug {
    /// The name users pass to `--bookkeeping`.
    fn name(&self) -> &'static str;
    /// Statements that create the table, before a plan's first step from an empty database.
    fn create(&self, d: &dyn Dialect, opts: &RenderOptions) -> Result<Vec<String>, CompileError>;
    /// A query the runner reads back what was applied with: rows of (version, state), in
    /// the order they were recorded. State `head`: the row is a current head (Alembic,
    /// golang-migrate); `applied` / `undone`: a log entry adding or removing the version;
    /// `dirty`: a migration that started and did not finish.
    fn applied_sql(&self, d: &dyn Dialect, opts: &RenderOptions) -> String;
    /// The table this tool keeps (to find out whether it exists yet).
    fn table(&self, opts: &RenderOptions) -> TableRef;
    /// Statements that record one step, after its migration ran.
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, lookup: Lookup) -> Vec<String>;
    /// Statements that record a repeatable migration (only Flyway has them).
    fn record_repeatable(&self, _d: &dyn Dialect, _opts: &RenderOptions, _r: &crate::layout::Repeatable) -> Vec<String> {
        Vec::new()
    }
}

pub const BOOKKEEPINGS: &[&dyn Bookkeeping] = &[
    &alembic::Alembic,
    &golang_migrate::GolangMigrate,
    &dbmate::Dbmate,
    &sqlx::Sqlx,
    &diesel::Diesel,
    &flyway::Flyway,
    &goose::Goose,
];

pub fn bookkeeping_by_name(name: &str) -> Option<&'static dyn Bookkeeping> {
    BOOKKEEPINGS.iter().copied().find(|b| b.name() == name)
}

pub fn bookkeeping_names() -> Vec<&'static str> {
    BOOKKEEPINGS.iter().map(|b| b.name()).collect()
}

/// A row to add or remove, for tools that keep one row per applied migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowChange {
    Insert(String),
    Delete(String),
}

/// The rows a step adds and removes: an upgrade adds its revision, a downgrade removes it,
/// a stamp follows Alembic's version changes.
pub fn row_changes(step: &PlanStep) -> Vec<RowChange> {
    match (step.direction, &step.revision_id) {
        (Direction::Upgrade, Some(id)) => vec![RowChange::Insert(id.clone())],
        (Direction::Downgrade, Some(id)) => vec![RowChange::Delete(id.clone())],
        _ => step
            .version_changes
            .iter()
            .map(|c| match c {
                VersionChange::Insert { version } => RowChange::Insert(version.clone()),
                VersionChange::Delete { version } => RowChange::Delete(version.clone()),
                VersionChange::Update { from, to } => {
                    if step.stamp_upgrade {
                        RowChange::Insert(to.clone())
                    } else {
                        RowChange::Delete(from.clone())
                    }
                }
            })
            .collect(),
    }
}

/// `INSERT` / `DELETE` of the string `version` column, for tools keeping a row per applied
/// migration and nothing else about it (dbmate, diesel).
pub(crate) fn version_rows(d: &dyn Dialect, def: &TableDef, step: &PlanStep) -> Vec<String> {
    let table = t(d, def.table());
    let col = q(d, "version");
    row_changes(step)
        .into_iter()
        .map(|c| match c {
            RowChange::Insert(v) => format!("INSERT INTO {table} ({col}) VALUES ({})", s(d, &v)),
            RowChange::Delete(v) => format!("DELETE FROM {table} WHERE {col} = {}", s(d, &v)),
        })
        .collect()
}

/// Helpers for the tools' table definitions, rendered by the dialect like any table.
pub struct TableDef {
    table: TableRef,
    columns: Vec<Column>,
    primary_key: Vec<String>,
}

impl TableDef {
    pub fn new(opts: &RenderOptions, default_name: &str) -> Self {
        TableDef {
            table: TableRef {
                name: if opts.version_table == "alembic_version" {
                    default_name.to_string()
                } else {
                    opts.version_table.clone()
                },
                schema: opts.version_table_schema.clone(),
            },
            columns: Vec::new(),
            primary_key: Vec::new(),
        }
    }
    pub fn col(mut self, name: &str, class: &str, visit: &str, length: Option<u32>, nullable: bool) -> Self {
        let mut t = SqlType::new(class, visit);
        t.length = length;
        self.columns.push(Column {
            nullable: Some(nullable),
            autoincrement: AutoIncrement::False,
            ..Column::new(name, t)
        });
        self
    }
    pub fn timezone(mut self) -> Self {
        if let Some(c) = self.columns.last_mut() {
            c.type_.timezone = true;
        }
        self
    }
    pub fn default_now(mut self) -> Self {
        if let Some(c) = self.columns.last_mut() {
            c.server_default = Some(Box::new(SqlExpr::Text("CURRENT_TIMESTAMP".into())));
        }
        self
    }
    pub fn serial(mut self) -> Self {
        if let Some(c) = self.columns.last_mut() {
            c.autoincrement = AutoIncrement::True;
            c.primary_key = true;
        }
        self
    }
    pub fn primary_key(mut self, cols: &[&str]) -> Self {
        self.primary_key = cols.iter().map(|s| s.to_string()).collect();
        for c in &mut self.columns {
            if self.primary_key.contains(&c.name) {
                c.primary_key = true;
            }
        }
        self
    }
    pub fn table(&self) -> &TableRef {
        &self.table
    }
    pub fn create(&self, d: &dyn Dialect) -> Result<Vec<String>, CompileError> {
        let op = Op::CreateTable {
            table: self.table.clone(),
            columns: self.columns.clone(),
            constraints: vec![Constraint::PrimaryKey {
                opts: ConstraintOpts::default(),
                columns: self.primary_key.clone(),
            }],
            extra: Default::default(),
            if_not_exists: true,
        };
        d.op_statements(&op)
    }
}

/// `"table"` as the dialect quotes it.
pub fn t(d: &dyn Dialect, table: &TableRef) -> String {
    format_table(d, table)
}

pub fn q(d: &dyn Dialect, name: &str) -> String {
    quote(d, name).into_owned()
}

pub fn s(d: &dyn Dialect, value: &str) -> String {
    quote_string(d, value)
}

/// An integer version as the tools store it (`0001` → `1`).
pub fn int_version(v: &str) -> String {
    let trimmed = v.trim_start_matches('0');
    if trimmed.is_empty() { "0".into() } else { trimmed.into() }
}
