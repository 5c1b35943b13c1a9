//! A migration's steps (Alembic operations and plain SQL statements) as schema changes,
//! for one dialect: conditions on the dialect are decided, types and defaults rendered as
//! that database spells them.

use super::change::{Change, ColumnDef, ConstraintDef, ConstraintKind, DataVerb, Event, IndexDef};
use crate::dialect::ddl::{column_index_name, server_default_sql};
use crate::dialect::types::compile_type;
use crate::dialect::{ConstraintRole, Dialect, ddl};
use crate::ops::{AutoIncrement, Column, Constraint, IndexElement, Op, SqlType, Step, StepKind, TableRef};

/// How a migration's steps run.
#[derive(Clone, Copy, Debug)]
pub struct RunContext {
    /// The migration runs in a transaction (its tool wraps it, the dialect has
    /// transactional DDL).
    pub in_transaction: bool,
}

/// Every change of `steps`, in order, located in `file`.
pub fn events(steps: &[Step], file: &str, d: &dyn Dialect, cx: RunContext) -> Vec<Event> {
    let mut out = Vec::new();
    let mut w = Walker {
        d,
        // One copy of the path per call, shared by its events.
        file: file.into(),
        out: &mut out,
        enums: Vec::new(),
    };
    w.steps(steps, cx.in_transaction, None);
    out
}

struct Walker<'a> {
    d: &'a dyn Dialect,
    file: std::sync::Arc<str>,
    out: &'a mut Vec<Event>,
    /// Enum types a `create_table` of this migration already created: SQLAlchemy
    /// remembers them for the run (the DDL runner's memo) and does not create them again.
    enums: Vec<String>,
}

impl Walker<'_> {
    fn steps(&mut self, steps: &[Step], in_tx: bool, batch: Option<&TableRef>) {
        for s in steps {
            self.step(s, in_tx, batch);
        }
    }

    fn push(&mut self, step: &Step, mut change: Change, in_tx: bool, batch: bool, from_sql: bool) {
        name_implicitly(self.d, &mut change);
        self.out.push(Event {
            change,
            file: self.file.clone(),
            span: step.span,
            in_transaction: in_tx,
            batch,
            from_sql,
        });
    }

    /// Whether a `create_table` creating enum type `name` is the run's first to.
    fn first_enum(&mut self, name: &str) -> bool {
        let k = name.to_ascii_lowercase();
        if self.enums.contains(&k) {
            return false;
        }
        self.enums.push(k);
        true
    }

    fn step(&mut self, step: &Step, in_tx: bool, batch: Option<&TableRef>) {
        match &step.kind {
            StepKind::Op(op) => self.op(step, op, in_tx, batch),
            StepKind::Opaque(o) => {
                // What the operations inside may touch (they may or may not run).
                let mut maybe = Vec::new();
                Walker {
                    d: self.d,
                    file: self.file.clone(),
                    out: &mut maybe,
                    enums: self.enums.clone(),
                }
                .steps(&o.maybe, in_tx, batch);
                let mut tables: Vec<String> = o.tables.iter().map(|t| table_key(self.d, t)).collect();
                for ev in &maybe {
                    let touched = ev.change.table().into_iter().map(str::to_string);
                    let renamed = match &ev.change {
                        Change::RenameTable { table, new_name } => Some(super::rename_in_schema(table, new_name)),
                        _ => None,
                    };
                    for t in touched.chain(renamed) {
                        if !tables.contains(&t) {
                            tables.push(t);
                        }
                    }
                }
                // What the table's DDL creates with it (as `create_table` below).
                for t in &o.enum_types {
                    if let Some((name, values)) = created_enum(self.d, t)
                        && self.first_enum(&name)
                    {
                        let change = Change::CreateType {
                            name,
                            values,
                            if_not_exists: false,
                        };
                        self.push(step, change, in_tx, batch.is_some(), false);
                    }
                }
                let change = Change::Opaque {
                    excerpt: o.excerpt.clone(),
                    schema_changing: schema_changing(&o.excerpt) || !o.tables.is_empty() || maybe.iter().any(|e| e.change.is_ddl()),
                    tables,
                };
                self.push(step, change, in_tx, batch.is_some(), false);
            }
            StepKind::If { cond, then, otherwise } => {
                let branch = if cond.eval(self.d.name(), &[]) { then } else { otherwise };
                self.steps(branch, in_tx, batch);
            }
            StepKind::TryUnsupported { body, handler } => {
                let supported = body.iter().all(|s| match &s.kind {
                    StepKind::Op(op) => self.d.op_statements(op).is_ok(),
                    _ => true,
                });
                self.steps(if supported { body } else { handler }, in_tx, batch);
            }
        }
    }

    fn op(&mut self, step: &Step, op: &Op, in_tx: bool, batch: Option<&TableRef>) {
        let d = self.d;
        let in_batch = batch.is_some();
        let change = match op {
            Op::CreateTable {
                table,
                columns,
                constraints,
                if_not_exists,
                ..
            } => {
                let mut c = create_table(d, table, columns, constraints, *if_not_exists);
                if let Change::CreateTable { types, .. } = &mut c {
                    types.retain(|(name, _)| self.first_enum(name));
                }
                c
            }
            Op::DropTable { table, if_exists } => Change::DropTable {
                table: table_key(d, table),
                if_exists: *if_exists,
            },
            Op::RenameTable { table, new_name } => Change::RenameTable {
                table: table_key(d, table),
                new_name: new_name.clone(),
            },
            Op::AddColumn {
                table,
                column,
                if_not_exists,
                ..
            } => {
                let t = table_key(d, table);
                let (constraints, indexes) = column_extras(d, table, column);
                Change::AddColumn {
                    table: t,
                    column: column_def(d, column, false),
                    if_not_exists: *if_not_exists,
                    constraints,
                    indexes,
                }
            }
            Op::DropColumn { table, column, if_exists } => Change::DropColumn {
                table: table_key(d, table),
                column: column.clone(),
                if_exists: *if_exists,
            },
            Op::AlterColumn(a) => Change::AlterColumn {
                table: table_key(d, &a.table),
                column: a.column.clone(),
                type_: a.type_.as_ref().map(|t| type_sql(d, t)),
                nullable: a.nullable,
                default: a
                    .server_default
                    .as_ref()
                    .map(|o| o.as_ref().map(|e| server_default_sql(d, e).unwrap_or_default())),
                rename: a.new_column_name.clone(),
                existing_type: a.existing_type.as_ref().map(|t| type_sql(d, t)),
            },
            Op::CreateIndex {
                name,
                table,
                elements,
                opts,
            } => {
                let columns: Vec<String> = elements
                    .iter()
                    .map(|e| match e {
                        IndexElement::Column(c) => c.clone(),
                        IndexElement::Expr(x) => crate::dialect::ddl::strip_ident_marks(x),
                    })
                    .collect();
                let name = name.clone().unwrap_or_else(|| format!("ix_{}_{}", table.name, columns.join("_")));
                Change::CreateIndex {
                    index: IndexDef {
                        name,
                        table: table_key(d, table),
                        columns,
                        unique: opts.unique,
                    },
                    concurrently: opts.postgresql_concurrently,
                    if_not_exists: opts.if_not_exists,
                }
            }
            Op::DropIndex {
                name,
                table,
                if_exists,
                postgresql_concurrently,
            } => Change::DropIndex {
                name: name.clone(),
                table: table.as_ref().map(|t| table_key(d, t)),
                concurrently: *postgresql_concurrently,
                if_exists: *if_exists,
            },
            Op::AddConstraint { table, constraint } => Change::AddConstraint {
                table: table_key(d, table),
                constraint: constraint_def(d, constraint),
            },
            Op::DropConstraint {
                table, name, if_exists, ..
            } => Change::DropConstraint {
                table: table_key(d, table),
                name: name.clone(),
                if_exists: *if_exists,
            },
            Op::CreateTableComment { table, .. } | Op::DropTableComment { table } => Change::Other {
                what: format!("comment on {}", table_key(d, table)),
            },
            Op::Execute { sql } => {
                for change in super::from_sql::changes(sql, d) {
                    self.push(step, change, in_tx, in_batch, false);
                }
                return;
            }
            Op::BulkInsert { table, .. } => Change::Data {
                verb: DataVerb::Insert,
                table: Some(table_key(d, table)),
                has_where: false,
                set_columns: Vec::new(),
            },
            Op::CreateEnumType { name, schema, values } => Change::CreateType {
                name: qualified(d, schema.as_deref(), name),
                values: values.clone(),
                if_not_exists: false,
            },
            Op::DropEnumType { name, schema } => Change::DropType {
                name: qualified(d, schema.as_deref(), name),
                if_exists: false,
            },
            Op::Batch(b) => {
                self.steps(&b.steps, in_tx, Some(&b.table));
                return;
            }
            Op::AutocommitBlock { steps } => {
                self.steps(steps, false, batch);
                return;
            }
            Op::Sql(s) => {
                let changes = if s.parsed {
                    super::from_sql::changes(&s.sql, d)
                } else {
                    super::from_sql::unparsed(s, d)
                };
                for change in changes {
                    self.push(step, change, in_tx, in_batch, true);
                }
                return;
            }
        };
        self.push(step, change, in_tx, in_batch, false);
    }
}

/// Constraints declared without a name get the name the server will give them, which
/// later migrations drop them by; one named exactly that is the same constraint as an
/// unnamed one (a downgrade that re-adds it by that name restores it).
fn name_implicitly(d: &dyn Dialect, change: &mut Change) {
    let (table, cons): (&String, &mut [ConstraintDef]) = match change {
        Change::CreateTable { table, constraints, .. } | Change::AddColumn { table, constraints, .. } => (table, constraints),
        Change::AddConstraint { table, constraint } => (table, std::slice::from_mut(constraint)),
        _ => return,
    };
    let bare = table.rsplit('.').next().unwrap_or(table);
    for c in cons.iter_mut() {
        let (role, columns) = match &c.kind {
            ConstraintKind::PrimaryKey { columns } => (ConstraintRole::PrimaryKey, columns),
            ConstraintKind::Unique { columns } => (ConstraintRole::Unique, columns),
            ConstraintKind::ForeignKey { columns, .. } => (ConstraintRole::ForeignKey, columns),
            ConstraintKind::Check { .. } => continue,
        };
        let implicit = d.implicit_constraint_name(bare, role, columns);
        match &c.name {
            None => c.implicit_name = implicit,
            Some(n) if implicit.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(n)) => {
                c.implicit_name = c.name.take();
            }
            Some(_) => {}
        }
    }
}

/// Whether opaque Python may change the schema (as opposed to moving data).
fn schema_changing(excerpt: &str) -> bool {
    let l = excerpt.to_ascii_lowercase();
    [
        "create_table",
        "drop_table",
        "add_column",
        "drop_column",
        "alter_column",
        "rename_table",
        "create_index",
        "drop_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "drop_constraint",
        "batch_alter_table",
        "create ",
        "drop ",
        "alter ",
        "rename ",
        ".create(",
        ".drop(",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// `schema.name`, without the dialect's default schema.
pub fn qualified(d: &dyn Dialect, schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) if Some(s) != d.default_schema() => format!("{s}.{name}"),
        _ => name.to_string(),
    }
}

pub fn table_key(d: &dyn Dialect, t: &TableRef) -> String {
    qualified(d, t.schema.as_deref(), &t.name)
}

fn type_sql(d: &dyn Dialect, t: &SqlType) -> String {
    compile_type(d, t).unwrap_or_else(|_| t.class.clone())
}

fn column_def(d: &dyn Dialect, c: &Column, autoincrement: bool) -> ColumnDef {
    let generated = c.extra.identity.is_some()
        || c.extra.computed.is_some()
        || autoincrement
        || matches!(c.autoincrement, AutoIncrement::True) && c.primary_key;
    ColumnDef {
        name: c.name.clone(),
        type_: type_sql(d, &c.type_),
        nullable: c.is_nullable(),
        default: c.server_default.as_ref().map(|e| server_default_sql(d, e).unwrap_or_default()),
        primary_key: c.primary_key,
        generated,
    }
}

/// Constraints and indexes a column declares (`unique=True`, `index=True`, `ForeignKey`,
/// inline checks).
fn column_extras(d: &dyn Dialect, table: &TableRef, c: &Column) -> (Vec<ConstraintDef>, Vec<IndexDef>) {
    let mut cons = Vec::new();
    let mut idx = Vec::new();
    let plain = |kind| ConstraintDef {
        name: None,
        kind,
        not_valid: false,
        using_index: None,
        implicit_name: None,
    };
    if c.extra.index == Some(true) {
        idx.push(IndexDef {
            name: column_index_name(table, &c.name),
            table: table_key(d, table),
            columns: vec![c.name.clone()],
            unique: c.extra.unique == Some(true),
        });
    } else if c.extra.unique == Some(true) {
        cons.push(plain(ConstraintKind::Unique {
            columns: vec![c.name.clone()],
        }));
    }
    for fk in &c.extra.foreign_keys {
        let f = ddl::column_fk(table, c, fk);
        cons.push(ConstraintDef {
            name: fk.name.clone(),
            ..constraint_def(d, &Constraint::ForeignKey(Box::new(f)))
        });
    }
    for ch in &c.extra.checks {
        cons.push(constraint_def(d, &Constraint::Check(ch.clone())));
    }
    (cons, idx)
}

fn create_table(d: &dyn Dialect, table: &TableRef, columns: &[Column], constraints: &[Constraint], if_not_exists: bool) -> Change {
    let pk_cols: Vec<String> = columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
    let auto = ddl::autoincrement_column(columns, &pk_cols);
    let mut cons = Vec::new();
    let mut indexes = Vec::new();
    let has_pk_constraint = constraints.iter().any(|c| matches!(c, Constraint::PrimaryKey { .. }));
    if !pk_cols.is_empty() && !has_pk_constraint {
        cons.push(ConstraintDef {
            name: None,
            kind: ConstraintKind::PrimaryKey { columns: pk_cols.clone() },
            not_valid: false,
            using_index: None,
            implicit_name: None,
        });
    }
    for c in constraints {
        cons.push(constraint_def(d, c));
    }
    let mut types = Vec::new();
    for c in columns {
        let (cc, ii) = column_extras(d, table, c);
        cons.extend(cc);
        indexes.extend(ii);
        if let Some(t) = created_enum(d, &c.type_) {
            types.push(t);
        }
    }
    Change::CreateTable {
        table: table_key(d, table),
        columns: columns.iter().enumerate().map(|(i, c)| column_def(d, c, auto == Some(i))).collect(),
        constraints: cons,
        indexes,
        types,
        if_not_exists,
    }
}

/// The named enum type a column's type makes `CREATE TABLE` create, on dialects that do.
fn created_enum(d: &dyn Dialect, t: &SqlType) -> Option<(String, Vec<String>)> {
    let n = t.extra.name.as_ref()?;
    (d.creates_enum_types() && t.is_enum() && t.native_enum).then(|| (qualified(d, t.extra.schema.as_deref(), n), t.extra.enums.clone()))
}

fn constraint_def(d: &dyn Dialect, c: &Constraint) -> ConstraintDef {
    let (name, kind) = match c {
        Constraint::PrimaryKey { opts, columns } => (opts.name.clone(), ConstraintKind::PrimaryKey { columns: columns.clone() }),
        Constraint::Unique { opts, columns } => (opts.name.clone(), ConstraintKind::Unique { columns: columns.clone() }),
        Constraint::Check(ch) => (ch.opts.name.clone(), ConstraintKind::Check { expr: ch.sqltext.clone() }),
        Constraint::ForeignKey(fk) => (
            fk.opts.name.clone(),
            ConstraintKind::ForeignKey {
                columns: fk.columns.clone(),
                ref_table: table_key(d, &fk.ref_table),
                ref_columns: fk.ref_columns.clone(),
            },
        ),
    };
    ConstraintDef {
        name,
        kind,
        not_valid: false,
        using_index: None,
        implicit_name: None,
    }
}
