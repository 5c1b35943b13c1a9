//! Schema changes in one normalized shape, whether they came from an Alembic `op.*` call or
//! a parsed SQL statement. The simulator applies them; the lint rules read them.

use serde::Serialize;

use crate::source::Span;

/// A column as the schema keeps it: rendered type, nullability, default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnDef {
    pub name: String,
    /// The type as the dialect spells it (`VARCHAR(50)`, `TIMESTAMP WITHOUT TIME ZONE`).
    #[serde(rename = "type")]
    pub type_: String,
    pub nullable: bool,
    pub default: Option<String>,
    #[serde(skip)]
    pub primary_key: bool,
    /// Generated (identity, serial, computed): no default needed for NOT NULL.
    #[serde(skip)]
    pub generated: bool,
}

/// What a table constraint is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
    },
    ForeignKey {
        columns: Vec<String>,
        ref_table: String,
        ref_columns: Vec<String>,
    },
    Check {
        expr: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConstraintDef {
    pub name: Option<String>,
    #[serde(flatten)]
    pub kind: ConstraintKind,
    /// PostgreSQL `NOT VALID`: existing rows are not checked.
    #[serde(skip)]
    pub not_valid: bool,
    /// `ADD CONSTRAINT ... UNIQUE USING INDEX ix`: built from an existing index.
    #[serde(skip)]
    pub using_index: Option<String>,
    /// Declared without a name: the name the server gives it (PostgreSQL's
    /// `orders_user_id_fkey`), which later migrations drop it by.
    #[serde(skip)]
    pub implicit_name: Option<String>,
}

impl ConstraintDef {
    /// The key the schema files an unnamed constraint under (`unique(a, b)`).
    pub fn key(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        match &self.kind {
            ConstraintKind::PrimaryKey { columns } => format!("primary key({})", columns.join(", ")),
            ConstraintKind::Unique { columns } => format!("unique({})", columns.join(", ")),
            ConstraintKind::ForeignKey { columns, ref_table, .. } => {
                format!("foreign key({}) → {ref_table}", columns.join(", "))
            }
            ConstraintKind::Check { expr } => format!("check({expr})"),
        }
    }

    /// Whether `name` is this constraint's name, given or implicit.
    pub fn answers_to(&self, name: &str) -> bool {
        [&self.name, &self.implicit_name]
            .into_iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(name))
    }

    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ConstraintKind::PrimaryKey { .. } => "primary key",
            ConstraintKind::Unique { .. } => "unique constraint",
            ConstraintKind::ForeignKey { .. } => "foreign key",
            ConstraintKind::Check { .. } => "check constraint",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexDef {
    pub name: String,
    pub table: String,
    /// Column names, or expressions as written.
    pub columns: Vec<String>,
    pub unique: bool,
}

/// The kind of a data statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataVerb {
    Insert,
    Update,
    Delete,
    Truncate,
    /// SELECT, COPY, CALL, MERGE...
    Other,
}

/// One schema change. Names are the schema's keys: `table` or `schema.table`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    CreateTable {
        table: String,
        columns: Vec<ColumnDef>,
        constraints: Vec<ConstraintDef>,
        /// Indexes the table's DDL creates with it (`index=True`, MySQL `KEY`).
        indexes: Vec<IndexDef>,
        /// Enum types created with the table (`sa.Enum(name=...)` on PostgreSQL).
        types: Vec<(String, Vec<String>)>,
        if_not_exists: bool,
    },
    /// `CREATE TABLE table PARTITION OF parent ...`: the parent's columns and keys, and
    /// a copy of each of its indexes named `<table>_<columns>_<index_label>` cut to
    /// `name_limit` bytes.
    CreatePartition {
        table: String,
        parent: String,
        if_not_exists: bool,
        index_label: Option<String>,
        name_limit: Option<usize>,
    },
    DropTable {
        table: String,
        if_exists: bool,
    },
    RenameTable {
        table: String,
        new_name: String,
    },
    AddColumn {
        table: String,
        column: ColumnDef,
        if_not_exists: bool,
        /// Constraints and indexes declared on the column (`unique=True`, `REFERENCES`).
        constraints: Vec<ConstraintDef>,
        indexes: Vec<IndexDef>,
    },
    DropColumn {
        table: String,
        column: String,
        if_exists: bool,
    },
    AlterColumn {
        table: String,
        column: String,
        type_: Option<String>,
        nullable: Option<bool>,
        /// `Some(None)`: drop the default.
        default: Option<Option<String>>,
        rename: Option<String>,
        /// The type Alembic was told the column had (`existing_type=`), for narrowing.
        existing_type: Option<String>,
    },
    CreateIndex {
        index: IndexDef,
        concurrently: bool,
        if_not_exists: bool,
    },
    DropIndex {
        name: String,
        table: Option<String>,
        concurrently: bool,
        if_exists: bool,
    },
    /// `ALTER INDEX name RENAME TO new_name` (stays in its schema).
    RenameIndex {
        name: String,
        new_name: String,
    },
    AddConstraint {
        table: String,
        constraint: ConstraintDef,
    },
    DropConstraint {
        table: String,
        name: String,
        if_exists: bool,
    },
    ValidateConstraint {
        table: String,
        name: String,
    },
    RenameConstraint {
        table: String,
        name: String,
        new_name: String,
    },
    CreateType {
        name: String,
        values: Vec<String>,
        /// Created only if missing (inside a guarded `DO` block): never a duplicate.
        if_not_exists: bool,
    },
    /// `CREATE TYPE name AS (attributes)`.
    CreateCompositeType {
        name: String,
        /// The attribute list as written (`(id uuid, body jsonb)`).
        attributes: String,
    },
    DropType {
        name: String,
        if_exists: bool,
    },
    AddTypeValue {
        name: String,
        value: String,
    },
    CreateSequence {
        name: String,
        if_not_exists: bool,
    },
    DropSequence {
        name: String,
        if_exists: bool,
    },
    CreateView {
        name: String,
        or_replace: bool,
    },
    DropView {
        name: String,
        if_exists: bool,
    },
    Data {
        verb: DataVerb,
        table: Option<String>,
        has_where: bool,
        /// The columns an UPDATE sets (empty when unknown or not an UPDATE).
        set_columns: Vec<String>,
    },
    /// `SET lock_timeout` / `SET statement_timeout` (name lower-case).
    SetTimeout {
        name: String,
    },
    /// Something whose effect on the schema cannot be known statically. `tables`: the known
    /// tables its text names, which become unknown; `schema_changing`: it may change
    /// tables it does not name.
    Opaque {
        excerpt: String,
        tables: Vec<String>,
        schema_changing: bool,
    },
    /// A statement with no effect migplan models (functions, grants, comments...).
    Other {
        what: String,
    },
}

/// Which function of a migration a change belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// A change with where it is and how it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub change: Change,
    /// Shared by the events of one script: a copy per event was a sixth of their memory.
    pub file: std::sync::Arc<str>,
    pub span: Span,
    /// Runs inside a transaction block (the migration is transactional, outside an
    /// autocommit block, on a dialect with transactional DDL).
    pub in_transaction: bool,
    /// Inside `op.batch_alter_table` (SQLite's move-and-copy).
    pub batch: bool,
    /// Came from a plain SQL statement (not an Alembic operation).
    pub from_sql: bool,
}

impl Change {
    /// The table this change alters or creates, if it is about one table.
    pub fn table(&self) -> Option<&str> {
        match self {
            Change::CreateTable { table, .. }
            | Change::CreatePartition { table, .. }
            | Change::DropTable { table, .. }
            | Change::RenameTable { table, .. }
            | Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::AddConstraint { table, .. }
            | Change::DropConstraint { table, .. }
            | Change::ValidateConstraint { table, .. }
            | Change::RenameConstraint { table, .. } => Some(table),
            Change::CreateIndex { index, .. } => Some(&index.table),
            Change::DropIndex { table, .. } => table.as_deref(),
            Change::Data { table, .. } => table.as_deref(),
            _ => None,
        }
    }

    /// DDL that changes the structure of an existing object (what takes strong locks).
    pub fn is_ddl(&self) -> bool {
        !matches!(
            self,
            Change::Data { .. } | Change::SetTimeout { .. } | Change::Opaque { .. } | Change::Other { .. }
        )
    }

    pub fn is_data(&self) -> bool {
        matches!(self, Change::Data { .. })
    }
}
