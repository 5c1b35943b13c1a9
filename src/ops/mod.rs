//! Typed schema operations: what `upgrade()` / `downgrade()` do, read statically from
//! Alembic's `op.*` calls (and, for SQL folders, raw statements). Plain serde data; the
//! dialects in `crate::dialect` turn them into SQL.

pub mod extras;
pub mod types;

use serde::Serialize;

use crate::source::Span;
pub use types::SqlType;

/// A table name with its optional schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableRef {
    pub name: String,
    pub schema: Option<String>,
}

impl TableRef {
    pub fn new(name: impl Into<String>) -> Self {
        TableRef {
            name: name.into(),
            schema: None,
        }
    }
}

/// A SQL expression fragment as written in a migration.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SqlExpr {
    /// `sa.text("...")` or a raw string that is SQL (check constraints, `postgresql_where`).
    Text(String),
    /// `sa.func.now()` and friends: name and literal arguments.
    Func { name: String, args: Vec<Literal> },
    /// `sa.true()` / `sa.false()`.
    Bool(bool),
    /// `sa.null()`.
    Null,
    /// A literal value rendered with the column's type (`server_default='0'` is a string).
    Literal(Literal),
}

/// A Python literal as migrations write them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Literal {
    Str(String),
    Int(i128),
    /// Kept as written so `1.5` prints as `1.5`.
    Float(String),
    Bool(bool),
    None,
    /// `datetime.datetime(y, m, d, H, M, S, us)` / `datetime.date(...)`.
    DateTime {
        date: (i64, u32, u32),
        time: Option<(u32, u32, u32, u32)>,
    },
}

/// `server_default=` of a column.
pub type ServerDefault = SqlExpr;

/// `sa.Identity(...)` options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub always: bool,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub minvalue: Option<i64>,
    pub maxvalue: Option<i64>,
    pub nominvalue: Option<bool>,
    pub nomaxvalue: Option<bool>,
    pub cycle: Option<bool>,
    pub cache: Option<i64>,
}

/// `sa.Computed(sqltext, persisted=...)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Computed {
    pub sqltext: String,
    pub persisted: Option<bool>,
}

/// `autoincrement=` as SQLAlchemy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoIncrement {
    Auto,
    True,
    False,
    IgnoreFk,
}

/// An inline `sa.ForeignKey('table.col', ...)` on a column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnForeignKey {
    pub target: String,
    pub name: Option<String>,
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
    pub deferrable: Option<bool>,
    pub initially: Option<String>,
    pub match_: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    pub type_: SqlType,
    /// `None`: SQLAlchemy's default (nullable unless primary key).
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub autoincrement: AutoIncrement,
    /// Boxed: an expression is the largest part of a column and most have none.
    pub server_default: Option<Box<ServerDefault>>,
    /// What most columns leave unset (comment, unique, index, foreign keys, identity,
    /// computed, checks): allocated only when one is set.
    #[serde(flatten)]
    pub extra: extras::Extras<ColumnExtras>,
}

/// The options of [`Column`] that most columns do not set.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ColumnExtras {
    pub comment: Option<String>,
    pub unique: Option<bool>,
    pub index: Option<bool>,
    pub foreign_keys: Vec<ColumnForeignKey>,
    /// Boxed, as rare as they are large.
    pub identity: Option<Box<Identity>>,
    pub computed: Option<Box<Computed>>,
    /// Inline `sa.CheckConstraint` given as a column argument.
    pub checks: Vec<CheckConstraint>,
}

static NO_COLUMN_EXTRAS: ColumnExtras = ColumnExtras {
    comment: None,
    unique: None,
    index: None,
    foreign_keys: Vec::new(),
    identity: None,
    computed: None,
    checks: Vec::new(),
};

impl extras::Unset for ColumnExtras {
    fn unset() -> &'static Self {
        &NO_COLUMN_EXTRAS
    }
}

impl Column {
    /// What an `alter_column` sets besides the type and the name: nullability, server
    /// default and comment (the batch copy and the replayed table apply it alike).
    pub fn apply_alter(&mut self, a: &AlterColumn) {
        if let Some(n) = a.nullable {
            self.nullable = Some(n);
        }
        if let Some(def) = &a.server_default {
            self.server_default = def.clone().map(Box::new);
        }
        if let Some(c) = &a.comment {
            self.extra.set(|e| &mut e.comment, c.clone());
        }
    }

    /// A column with SQLAlchemy's defaults for everything but name and type.
    pub fn new(name: impl Into<String>, type_: SqlType) -> Self {
        Column {
            name: name.into(),
            type_,
            nullable: None,
            primary_key: false,
            autoincrement: AutoIncrement::Auto,
            server_default: None,
            extra: Default::default(),
        }
    }

    pub fn is_nullable(&self) -> bool {
        self.nullable.unwrap_or(!self.primary_key && self.extra.identity.is_none())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConstraintOpts {
    pub name: Option<String>,
    pub deferrable: Option<bool>,
    pub initially: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckConstraint {
    pub opts: ConstraintOpts,
    pub sqltext: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForeignKeyConstraint {
    pub opts: ConstraintOpts,
    pub columns: Vec<String>,
    pub ref_table: TableRef,
    pub ref_columns: Vec<String>,
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
    pub match_: Option<String>,
    pub use_alter: bool,
}

/// Table-level constraints, in the order SQLAlchemy renders them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Constraint {
    PrimaryKey { opts: ConstraintOpts, columns: Vec<String> },
    Unique { opts: ConstraintOpts, columns: Vec<String> },
    Check(CheckConstraint),
    ForeignKey(Box<ForeignKeyConstraint>),
}

/// One element of an index: a column name or an expression (`sa.text('x DESC')`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum IndexElement {
    Column(String),
    Expr(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexOpts {
    pub unique: bool,
    pub if_not_exists: bool,
    pub postgresql_where: Option<String>,
    pub postgresql_using: Option<String>,
    pub postgresql_concurrently: bool,
    pub postgresql_include: Vec<String>,
    pub postgresql_nulls_not_distinct: Option<bool>,
    /// `postgresql_ops={'col': 'gin_trgm_ops'}`.
    pub postgresql_ops: Vec<(String, String)>,
    pub mysql_length: Option<MysqlLength>,
    pub mysql_prefix: Option<String>,
    pub mysql_using: Option<String>,
    /// The same options for the `mariadb` dialect name (`mariadb_length=`...).
    pub mariadb_length: Option<MysqlLength>,
    pub mariadb_prefix: Option<String>,
    pub mariadb_using: Option<String>,
    pub sqlite_where: Option<String>,
}

static NO_INDEX_OPTS: IndexOpts = IndexOpts {
    unique: false,
    if_not_exists: false,
    postgresql_where: None,
    postgresql_using: None,
    postgresql_concurrently: false,
    postgresql_include: Vec::new(),
    postgresql_nulls_not_distinct: None,
    postgresql_ops: Vec::new(),
    mysql_length: None,
    mysql_prefix: None,
    mysql_using: None,
    mariadb_length: None,
    mariadb_prefix: None,
    mariadb_using: None,
    sqlite_where: None,
};

impl extras::Unset for IndexOpts {
    fn unset() -> &'static Self {
        &NO_INDEX_OPTS
    }
}

/// `mysql_length=` of an index: one length for all columns, or per column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MysqlLength {
    All(u32),
    PerColumn(Vec<(String, u32)>),
}

/// Dialect-specific table options (`mysql_engine='InnoDB'`, `postgresql_partition_by=`...).
pub type TableKwargs = Vec<(String, Literal)>;

/// The options of `Op::CreateTable` most tables do not set.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TableExtras {
    pub comment: Option<String>,
    pub kwargs: TableKwargs,
}

static NO_TABLE_EXTRAS: TableExtras = TableExtras {
    comment: None,
    kwargs: Vec::new(),
};

impl extras::Unset for TableExtras {
    fn unset() -> &'static Self {
        &NO_TABLE_EXTRAS
    }
}

/// `op.alter_column(...)` with every keyword Alembic takes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AlterColumn {
    pub table: TableRef,
    pub column: String,
    pub nullable: Option<bool>,
    /// `Some(None)`: `server_default=None` (drop it).
    pub server_default: Option<Option<ServerDefault>>,
    pub new_column_name: Option<String>,
    pub type_: Option<SqlType>,
    /// `Some(None)`: `comment=None` (drop it).
    pub comment: Option<Option<String>>,
    pub autoincrement: Option<bool>,
    pub existing_type: Option<SqlType>,
    pub existing_server_default: Option<ServerDefault>,
    pub existing_nullable: Option<bool>,
    pub existing_comment: Option<String>,
    pub existing_autoincrement: Option<bool>,
    pub postgresql_using: Option<String>,
}

impl Default for TableRef {
    fn default() -> Self {
        TableRef::new("")
    }
}

/// A row value for `op.bulk_insert`.
pub type Row = Vec<(String, Literal)>;

/// One operation of a migration. Plain data built once per file; boxing the large
/// variants would only add indirection to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    CreateTable {
        table: TableRef,
        columns: Vec<Column>,
        constraints: Vec<Constraint>,
        /// The table comment and dialect keywords (`mysql_engine=`...), which most
        /// `create_table` calls do not give: allocated only when one is.
        #[serde(flatten)]
        extra: extras::Extras<TableExtras>,
        if_not_exists: bool,
    },
    DropTable {
        table: TableRef,
        if_exists: bool,
    },
    RenameTable {
        table: TableRef,
        new_name: String,
    },
    AddColumn {
        table: TableRef,
        /// Boxed: a column is four times the size of every other operation.
        column: Box<Column>,
        if_not_exists: bool,
        /// `batch_op.add_column(..., insert_before=/insert_after=)`: column order in a recreate.
        insert_before: Option<String>,
        insert_after: Option<String>,
    },
    DropColumn {
        table: TableRef,
        column: String,
        if_exists: bool,
    },
    AlterColumn(Box<AlterColumn>),
    CreateIndex {
        name: Option<String>,
        table: TableRef,
        elements: Vec<IndexElement>,
        /// Allocated only when an option differs from SQLAlchemy's defaults (most indexes
        /// set none: a boxed one was 272 bytes of every `create_index`).
        opts: extras::Extras<IndexOpts>,
    },
    DropIndex {
        name: String,
        table: Option<TableRef>,
        if_exists: bool,
        postgresql_concurrently: bool,
    },
    AddConstraint {
        table: TableRef,
        /// Boxed: the largest field of any operation.
        constraint: Box<Constraint>,
    },
    DropConstraint {
        table: TableRef,
        name: String,
        type_: Option<String>,
        if_exists: bool,
    },
    CreateTableComment {
        table: TableRef,
        comment: String,
    },
    DropTableComment {
        table: TableRef,
    },
    /// `op.execute(...)`: SQL text as it will be emitted (bind parameters already inlined).
    Execute {
        sql: String,
    },
    /// `op.bulk_insert(table, rows)`: one INSERT per row offline.
    BulkInsert {
        table: TableRef,
        columns: Vec<(String, Option<SqlType>)>,
        rows: Vec<Row>,
    },
    /// `sa.Enum(..., name=...).create(op.get_bind())` / `.drop(...)`, PostgreSQL types.
    CreateEnumType {
        name: String,
        schema: Option<String>,
        values: Vec<String>,
    },
    DropEnumType {
        name: String,
        schema: Option<String>,
    },
    /// `with op.batch_alter_table(...)`: operations on one table.
    Batch(Box<Batch>),
    /// A statement of a plain-SQL migration, emitted exactly as written.
    Sql(crate::sql::SqlStatement),
    /// `with op.get_context().autocommit_block():`
    AutocommitBlock {
        steps: Vec<Step>,
    },
}

/// `op.batch_alter_table(table, recreate=..., copy_from=..., ...)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Batch {
    pub table: TableRef,
    pub recreate: String,
    /// The table's full definition when given (`copy_from=`), needed to recreate on SQLite.
    pub copy_from: Option<(Vec<Column>, Vec<Constraint>)>,
    /// `sa.Index(...)` objects of the `copy_from` table (re-created after a move and copy).
    pub copy_indexes: Vec<(String, Vec<IndexElement>, IndexOpts)>,
    /// `copy_from=` was passed but is built by Python migplan cannot evaluate: the reason
    /// and the `with` block's source.
    pub copy_from_opaque: Option<(String, String)>,
    pub steps: Vec<Step>,
}

/// Something that could not be read statically: shown in the plan, never dropped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Opaque {
    pub reason: String,
    pub excerpt: String,
    /// The operations inside the construct that may or may not run (the body of an `if` on
    /// something only Python knows, the rest of a function after such an early `return`):
    /// never rendered, but what they touch becomes unknown in the simulated schema.
    #[serde(skip)]
    pub maybe: Vec<Step>,
    /// Tables an operation call migplan cannot read fully still names by literal
    /// (`op.create_table('t', <unreadable column>)`): they may exist from here on, shape
    /// unknown.
    #[serde(skip)]
    pub tables: Vec<TableRef>,
    /// Enum types of the columns such a `create_table` can read: created with the table.
    #[serde(skip)]
    pub enum_types: Vec<SqlType>,
    /// What Alembic's offline mode (`--sql`) prints for the construct when that is known
    /// although the online run is not: the body of a `try` whose handler catches only
    /// errors a database raises (nothing fails without one). Empty: shown as a comment.
    #[serde(skip)]
    pub offline: Vec<Step>,
}

/// One statement of a migration body, with where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub span: Span,
    /// 1-based first and last line of the statement.
    pub lines: (u32, u32),
    pub kind: StepKind,
}

#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepKind {
    Op(Op),
    /// Boxed: rare in most histories and the largest kind of step.
    Opaque(Box<Opaque>),
    /// `if` on something decidable without a database: the dialect's name, offline mode.
    If {
        cond: Cond,
        then: Vec<Step>,
        otherwise: Vec<Step>,
    },
    /// `try: ... except NotImplementedError:` — the handler runs where the dialect cannot
    /// render the body (Alembic raises NotImplementedError there too).
    TryUnsupported {
        body: Vec<Step>,
        handler: Vec<Step>,
    },
}

/// A condition decided when the plan is rendered for a dialect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "cond", content = "args", rename_all = "snake_case")]
pub enum Cond {
    Const(bool),
    DialectIs(String),
    /// `context.get_x_argument(as_dictionary=True).get(key) == value`.
    XArgIs(String, String),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

impl Cond {
    /// Decide the condition for a dialect and the `-x key=value` arguments of the run.
    pub fn eval(&self, dialect: &str, x_args: &[(String, String)]) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::DialectIs(d) => d == dialect,
            Cond::XArgIs(k, v) => x_args.iter().any(|(xk, xv)| xk == k && xv == v),
            Cond::Not(c) => !c.eval(dialect, x_args),
            Cond::And(cs) => cs.iter().all(|c| c.eval(dialect, x_args)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(dialect, x_args)),
        }
    }
}

impl Op {
    /// A one-line description for people (`create_table users`, `add_column users.email`).
    pub fn describe(&self) -> String {
        let t = |t: &TableRef| match &t.schema {
            Some(s) => format!("{s}.{}", t.name),
            None => t.name.clone(),
        };
        match self {
            Op::CreateTable { table, columns, .. } => format!("create_table {} ({} columns)", t(table), columns.len()),
            Op::DropTable { table, .. } => format!("drop_table {}", t(table)),
            Op::RenameTable { table, new_name } => format!("rename_table {} → {new_name}", t(table)),
            Op::AddColumn { table, column, .. } => format!("add_column {}.{}", t(table), column.name),
            Op::DropColumn { table, column, .. } => format!("drop_column {}.{column}", t(table)),
            Op::AlterColumn(a) => format!("alter_column {}.{}", t(&a.table), a.column),
            Op::CreateIndex { name, table, .. } => format!("create_index {} on {}", name.as_deref().unwrap_or("(unnamed)"), t(table)),
            Op::DropIndex { name, .. } => format!("drop_index {name}"),
            Op::AddConstraint { table, .. } => format!("add constraint on {}", t(table)),
            Op::DropConstraint { table, name, .. } => format!("drop_constraint {name} on {}", t(table)),
            Op::CreateTableComment { table, .. } => format!("comment on {}", t(table)),
            Op::DropTableComment { table } => format!("drop comment on {}", t(table)),
            Op::Execute { sql } => format!("execute: {}", first_line(sql)),
            Op::BulkInsert { table, rows, .. } => format!("bulk_insert {} ({} rows)", t(table), rows.len()),
            Op::CreateEnumType { name, .. } => format!("create enum type {name}"),
            Op::DropEnumType { name, .. } => format!("drop enum type {name}"),
            Op::Batch(b) => format!("batch_alter_table {} ({} operations)", t(&b.table), b.steps.len()),
            Op::AutocommitBlock { steps } => format!("autocommit block ({} operations)", steps.len()),
            Op::Sql(s) => match (&s.class.object, &s.class.name) {
                (Some(o), Some(n)) => format!("{} {o} {n}", s.class.verb),
                _ => first_line(&s.sql),
            },
        }
    }
}

fn first_line(s: &str) -> String {
    let line = s.trim().lines().next().unwrap_or("");
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(80).collect::<String>())
    } else {
        line.to_string()
    }
}

impl Step {
    /// Descriptions of this step and the steps inside it.
    pub fn describe(&self) -> Vec<String> {
        match &self.kind {
            StepKind::Op(op) => vec![op.describe()],
            StepKind::Opaque(o) => vec![format!("opaque (needs Python): {}", o.reason)],
            StepKind::If { then, otherwise, .. } => then
                .iter()
                .chain(otherwise)
                .flat_map(|s| s.describe())
                .map(|d| format!("if …: {d}"))
                .collect(),
            StepKind::TryUnsupported { body, .. } => body.iter().flat_map(|s| s.describe()).collect(),
        }
    }
}
