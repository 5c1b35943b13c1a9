//! The comparison of `alembic/autogenerate/compare/`: tables added and removed, then each
//! table both sides have (sorted by schema and name): columns added, columns altered
//! (nullable; type, as `compare_type=True`), indexes and unique constraints, foreign keys,
//! and columns removed last. Types compare as the dialect compiles them.
//!
//! Where Alembic iterates a Python `set` (removed tables, removed columns, foreign keys)
//! the order depends on string hashing; migplan sorts removed tables and foreign keys by
//! name and keeps the migrations' order of removed columns (documented in the differential
//! test).

use super::naming::{self, Target};
use super::{AutoOp, Change, IndexSig, Name, Origin};
use crate::dialect::types::compile_type;
use crate::dialect::{ConstraintRole, Dialect};
use crate::models::{ModelTable, Models};
use crate::ops::{AutoIncrement, Column, Constraint, ConstraintOpts, ForeignKeyConstraint, IndexElement, TableRef};
use crate::schema::shape::{Shapes, TableShape};

/// What the comparison found, and the tables it had to leave out.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Comparison {
    pub changes: Vec<Change>,
    /// Tables whose migration-side shape is unknown: (table, why).
    pub skipped: Vec<(String, String)>,
}

/// What env.py's `context.configure()` turns on.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `compare_server_default=True` (compared as SQLite's implementation compares the
    /// text; other dialects ask the database, so there it is not compared).
    pub server_default: bool,
    /// `compare_type` (Alembic's default: on).
    pub types: bool,
    /// Why the history does not start from an empty database, when it does not (it changes
    /// a table no migration creates): a model table the migrations never mention may then
    /// come from that base schema, so it is left out instead of reported as new.
    pub assumed_base: Option<String>,
}

/// The default's SQL text as SQLAlchemy compiles it for the model (`str` as is) or as
/// SQLite keeps it in the table's DDL (a string quoted, a function in parentheses).
fn default_text(e: &crate::ops::SqlExpr, db: bool) -> String {
    use crate::ops::{Literal, SqlExpr};
    match e {
        SqlExpr::Literal(Literal::Str(s)) if db => format!("'{}'", s.replace('\'', "''")),
        SqlExpr::Literal(Literal::Str(s)) => s.clone(),
        SqlExpr::Text(t) => t.clone(),
        SqlExpr::Func { name, args } if args.is_empty() && name.eq_ignore_ascii_case("now") => {
            if db {
                "(CURRENT_TIMESTAMP)".into()
            } else {
                "CURRENT_TIMESTAMP".into()
            }
        }
        SqlExpr::Bool(b) => if *b { "1" } else { "0" }.into(),
        SqlExpr::Null => "NULL".into(),
        other => format!("{other:?}"),
    }
}

/// `SQLiteImpl.compare_server_default`: outer parentheses and quotes do not count.
fn sqlite_default_differs(db: Option<&crate::ops::SqlExpr>, model: Option<&crate::ops::SqlExpr>) -> bool {
    let norm = |s: String| {
        let s = match s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
            Some(inner) if !inner.is_empty() => inner.to_string(),
            _ => s,
        };
        let t = s.strip_prefix('"').unwrap_or(&s);
        let t = t.strip_suffix('"').unwrap_or(t);
        match t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
            Some(inner) if !inner.is_empty() => inner.to_string(),
            _ => s,
        }
    };
    match (db, model) {
        (None, None) => false,
        (a, b) => a.map(|e| norm(default_text(e, true))) != b.map(|e| norm(default_text(e, false))),
    }
}

/// One side's table in the form the comparison needs.
struct Side {
    table: TableRef,
    columns: Vec<Column>,
    pk: Option<(Vec<String>, Option<Name>)>,
    fks: Vec<(ForeignKeyConstraint, bool)>,
    uniques: Vec<IndexSig>,
    indexes: Vec<IndexSig>,
    checks: Vec<Constraint>,
}

fn table_key(t: &TableRef) -> String {
    match &t.schema {
        Some(s) => format!("{}.{}", s.to_ascii_lowercase(), t.name.to_ascii_lowercase()),
        None => t.name.to_ascii_lowercase(),
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn named(name: Option<String>, conv: bool) -> Option<Name> {
    name.map(|name| Name { name, conv })
}

/// Inline foreign keys of columns as table constraints (how SQLAlchemy builds them): the
/// rendering's own conversion, so both read `'schema.table.col'` alike.
fn inline_fks(columns: &[Column]) -> Vec<ForeignKeyConstraint> {
    let anywhere = TableRef::new("");
    columns
        .iter()
        .flat_map(|c| c.extra.foreign_keys.iter().map(|f| crate::dialect::ddl::column_fk(&anywhere, c, f)))
        .collect()
}

fn model_side(m: &ModelTable, convention: &[(String, String)]) -> Side {
    let t = &m.table.name;
    fn target<'x>(t: &'x str, cols: &'x [String]) -> Target<'x> {
        Target {
            table: t,
            columns: cols,
            referred_table: None,
            referred_columns: &[],
        }
    }
    let mut pk_cols: Vec<String> = m.columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
    let mut pk_name = None;
    let mut fks = Vec::new();
    let mut uniques = Vec::new();
    let mut checks = Vec::new();
    for c in &m.constraints {
        match c {
            Constraint::PrimaryKey { opts, columns } => {
                pk_cols = columns.clone();
                pk_name = named(opts.name.clone(), false);
            }
            Constraint::Unique { opts, columns } => uniques.push(IndexSig {
                name: named(opts.name.clone(), false).or_else(|| named(naming::apply(convention, "uq", &target(t, columns)), true)),
                columns: columns.clone(),
                unique: true,
            }),
            Constraint::ForeignKey(f) => fks.push(f.clone()),
            Constraint::Check(_) => checks.push(c.clone()),
        }
    }
    if pk_name.is_none() && !pk_cols.is_empty() {
        pk_name = named(naming::apply(convention, "pk", &target(t, &pk_cols)), true);
    }
    let mut all_fks: Vec<ForeignKeyConstraint> = inline_fks(&m.columns);
    all_fks.extend(fks.into_iter().map(|f| *f));
    let fks = all_fks
        .into_iter()
        .map(|mut f| {
            if f.opts.name.is_some() {
                return (f, false);
            }
            let tgt = Target {
                table: t,
                columns: &f.columns,
                referred_table: Some(&f.ref_table.name),
                referred_columns: &f.ref_columns,
            };
            f.opts.name = naming::apply(convention, "fk", &tgt);
            let conv = f.opts.name.is_some();
            (f, conv)
        })
        .collect();
    let mut indexes = Vec::new();
    for c in &m.columns {
        let cols = vec![c.name.clone()];
        if c.extra.index == Some(true) {
            indexes.push(IndexSig {
                name: named(naming::apply(convention, "ix", &target(t, &cols)), true),
                columns: cols,
                unique: c.extra.unique == Some(true),
            });
        } else if c.extra.unique == Some(true) {
            uniques.push(IndexSig {
                name: named(naming::apply(convention, "uq", &target(t, &cols)), true),
                columns: cols,
                unique: true,
            });
        }
    }
    for (name, els, opts) in &m.indexes {
        indexes.push(IndexSig {
            name: named(Some(name.clone()), false),
            columns: els.iter().map(element_text).collect(),
            unique: opts.unique,
        });
    }
    let columns = m.columns.iter().map(|c| strip(c, &pk_cols)).collect();
    Side {
        table: m.table.clone(),
        columns,
        pk: (!pk_cols.is_empty()).then_some((pk_cols, pk_name)),
        fks,
        uniques,
        indexes,
        checks,
    }
}

fn element_text(e: &IndexElement) -> String {
    match e {
        IndexElement::Column(c) => c.clone(),
        IndexElement::Expr(x) => x.clone(),
    }
}

/// A column as `sa.Column(...)` renders it: constraints moved to the table.
fn strip(c: &Column, pk: &[String]) -> Column {
    let mut out = Column {
        primary_key: pk.iter().any(|p| eq(p, &c.name)),
        nullable: Some(c.is_nullable() && !pk.iter().any(|p| eq(p, &c.name))),
        ..c.clone()
    };
    if c.extra.unique.is_some() || c.extra.index.is_some() || !c.extra.foreign_keys.is_empty() || !c.extra.checks.is_empty() {
        let e = &mut *out.extra;
        e.unique = None;
        e.index = None;
        e.foreign_keys.clear();
        e.checks.clear();
    }
    out
}

/// Reflected names are wrapped in `conv()` by Alembic (`_InspectorConv`): they render as
/// `op.f('...')`.
fn db_side(table: TableRef, s: &TableShape, d: &dyn Dialect) -> Side {
    let mut pk_cols: Vec<String> = s.columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
    let mut pk_name = None;
    let mut fks: Vec<(ForeignKeyConstraint, bool)> = inline_fks(&s.columns).into_iter().map(|f| (f, true)).collect();
    let mut uniques = Vec::new();
    let mut checks = Vec::new();
    for c in &s.constraints {
        match c {
            Constraint::PrimaryKey { opts, columns } => {
                pk_cols = columns.clone();
                pk_name = named(opts.name.clone(), true);
            }
            Constraint::Unique { opts, columns } => uniques.push(IndexSig {
                name: named(opts.name.clone(), true),
                columns: columns.clone(),
                unique: true,
            }),
            Constraint::ForeignKey(f) => fks.push(((**f).clone(), true)),
            Constraint::Check(_) => checks.push(c.clone()),
        }
    }
    for c in &s.columns {
        if c.extra.unique == Some(true) {
            uniques.push(IndexSig {
                name: None,
                columns: vec![c.name.clone()],
                unique: true,
            });
        }
    }
    // Reflection skips expression-based indexes (SQLAlchemy warns and leaves them out).
    let indexes = s
        .indexes
        .iter()
        .filter(|(_, els, _)| els.iter().all(|e| matches!(e, IndexElement::Column(_))))
        .map(|(name, els, opts)| IndexSig {
            name: named(Some(name.clone()), true),
            columns: els.iter().map(element_text).collect(),
            unique: opts.unique,
        })
        .collect();
    // What reflection reports as `autoincrement`: the table's `_autoincrement_column` (an
    // integer primary key alone, no foreign key, not turned off), created as SERIAL.
    let serial = match pk_cols.as_slice() {
        [one] => s.columns.iter().find(|c| eq(&c.name, one)).filter(|c| {
            c.type_.is_integer()
                && c.extra.identity.is_none()
                && match c.autoincrement {
                    AutoIncrement::Auto => {
                        c.extra.foreign_keys.is_empty() && !fks.iter().any(|(f, _)| f.columns.iter().any(|x| eq(x, &c.name)))
                    }
                    AutoIncrement::True => true,
                    _ => false,
                }
        }),
        _ => None,
    };
    // Unnamed constraints reflect with the names the server gave them (PostgreSQL's
    // `<table>_pkey`, `<table>_<cols>_key`, `<table>_<cols>_fkey`).
    let implicit = |role: ConstraintRole, cols: &[String]| {
        d.implicit_constraint_name(&table.name, role, cols)
            .map(|name| Name { name, conv: true })
    };
    let pk = (!pk_cols.is_empty()).then(|| {
        let name = pk_name.clone().or_else(|| implicit(ConstraintRole::PrimaryKey, &pk_cols));
        (pk_cols.clone(), name)
    });
    for u in uniques.iter_mut().filter(|u| u.name.is_none()) {
        u.name = implicit(ConstraintRole::Unique, &u.columns);
    }
    for (f, _) in fks.iter_mut().filter(|(f, _)| f.opts.name.is_none()) {
        f.opts.name = implicit(ConstraintRole::ForeignKey, &f.columns).map(|n| n.name);
    }
    let columns = s
        .columns
        .iter()
        .map(|c| Column {
            autoincrement: if serial.is_some_and(|x| x.name == c.name) {
                AutoIncrement::True
            } else {
                AutoIncrement::False
            },
            ..strip(c, &pk_cols)
        })
        .collect();
    Side {
        table,
        columns,
        pk,
        fks,
        uniques,
        indexes,
        checks,
    }
}

/// The table's constraints as `create_table` renders them inline.
fn inline_constraints(s: &Side) -> Vec<(Constraint, bool)> {
    let mut out = Vec::new();
    if let Some((cols, name)) = &s.pk {
        out.push((
            Constraint::PrimaryKey {
                opts: ConstraintOpts {
                    name: name.as_ref().map(|n| n.name.clone()),
                    ..Default::default()
                },
                columns: cols.clone(),
            },
            name.as_ref().is_some_and(|n| n.conv),
        ));
    }
    for (f, conv) in &s.fks {
        out.push((Constraint::ForeignKey(Box::new(f.clone())), *conv));
    }
    for u in &s.uniques {
        out.push((
            Constraint::Unique {
                opts: ConstraintOpts {
                    name: u.name.as_ref().map(|n| n.name.clone()),
                    ..Default::default()
                },
                columns: u.columns.clone(),
            },
            u.name.as_ref().is_some_and(|n| n.conv),
        ));
    }
    out.extend(s.checks.iter().map(|c| (c.clone(), false)));
    out
}

/// SQLAlchemy's `sorted_tables`: layers of tables whose foreign keys point only at earlier
/// layers, each layer in name order.
fn sorted_tables<'m>(tables: &[&'m ModelTable]) -> Vec<&'m ModelTable> {
    let mut todo: Vec<&ModelTable> = tables.to_vec();
    todo.sort_by_key(|t| table_key(&t.table));
    let deps = |t: &ModelTable| -> Vec<String> {
        let mut d: Vec<String> = inline_fks(&t.columns)
            .iter()
            .map(|f| f.ref_table.name.to_ascii_lowercase())
            .collect();
        d.extend(t.constraints.iter().filter_map(|c| match c {
            Constraint::ForeignKey(f) => Some(f.ref_table.name.to_ascii_lowercase()),
            _ => None,
        }));
        d.retain(|x| *x != t.table.name.to_ascii_lowercase());
        d
    };
    let mut out = Vec::new();
    while !todo.is_empty() {
        let pending: Vec<String> = todo.iter().map(|t| t.table.name.to_ascii_lowercase()).collect();
        let (ready, rest): (Vec<_>, Vec<_>) = todo.iter().partition(|t| deps(t).iter().all(|d| !pending.contains(d)));
        if ready.is_empty() {
            // A cycle: SQLAlchemy breaks it too; keep name order.
            out.extend(rest);
            break;
        }
        out.extend(ready);
        todo = rest;
    }
    out
}

fn type_differs(d: &dyn Dialect, db: &Column, model: &Column) -> bool {
    if model.type_.visit == "null" {
        return false;
    }
    match (compile_type(d, &db.type_), compile_type(d, &model.type_)) {
        (Ok(a), Ok(b)) => !crate::schema::same_type(&a, &b),
        _ => false,
    }
}

/// Compare the target metadata's tables with the simulated schema.
pub fn compare(models: &Models, shapes: &Shapes, d: &dyn Dialect, opts: &Options) -> Comparison {
    let mut out = Comparison::default();
    let model_tables = sorted_tables(&models.target_tables());
    let db: Vec<(String, Result<&TableShape, &str>)> = shapes.tables().map(|(k, v)| (k.to_string(), v)).collect();
    let unknown_model: Vec<String> = models
        .unknown
        .iter()
        .filter_map(|u| u.name.as_ref().map(|n| n.to_ascii_lowercase()))
        .collect();
    let unnamed_unknown = models.unknown.iter().any(|u| u.name.is_none());
    let origin = |m: &ModelTable| {
        Some(Origin {
            file: m.file.clone(),
            span: m.span,
        })
    };
    let mut push = |op: AutoOp, origin: Option<Origin>| out.changes.push(Change { op, origin });
    // Added tables, in sorted_tables order, each with its indexes.
    for m in &model_tables {
        let k = table_key(&m.table);
        if db.iter().any(|(dk, _)| *dk == k) {
            continue;
        }
        if let Some(why) = &opts.assumed_base {
            out.skipped.push((k, why.clone()));
            continue;
        }
        let side = model_side(m, models.naming_of(&m.metadata));
        let constraints = inline_constraints(&side);
        push(
            AutoOp::CreateTable {
                table: side.table.clone(),
                columns: side.columns.clone(),
                constraints,
                kwargs: m.kwargs.clone(),
            },
            origin(m),
        );
        let mut ixs = side.indexes.clone();
        ixs.sort_by(|a, b| a.name.as_ref().map(|n| &n.name).cmp(&b.name.as_ref().map(|n| &n.name)));
        for ix in ixs {
            push(
                AutoOp::CreateIndex {
                    table: side.table.clone(),
                    index: ix,
                },
                origin(m),
            );
        }
    }
    // Removed tables: indexes dropped first, then the table.
    for (k, shape) in &db {
        if model_tables.iter().any(|m| table_key(&m.table) == *k) || unknown_model.contains(k) {
            continue;
        }
        let Ok(shape) = shape else {
            out.skipped.push((k.clone(), "its shape in the migrations is unknown".into()));
            continue;
        };
        if unnamed_unknown {
            // A model whose table name is unknown may be this table: not dropped on a guess.
            out.skipped
                .push((k.clone(), "a model whose table name migplan cannot read may declare it".into()));
            continue;
        }
        let (schema, name) = match k.rsplit_once('.') {
            Some((s, n)) => (Some(s.to_string()), n.to_string()),
            None => (None, k.clone()),
        };
        let side = db_side(TableRef { name, schema }, shape, d);
        let mut ixs = side.indexes.clone();
        ixs.sort_by(|a, b| a.name.as_ref().map(|n| &n.name).cmp(&b.name.as_ref().map(|n| &n.name)));
        for ix in ixs {
            push(
                AutoOp::DropIndex {
                    table: side.table.clone(),
                    index: ix,
                },
                None,
            );
        }
        let constraints = inline_constraints(&side);
        push(
            AutoOp::DropTable {
                table: side.table.clone(),
                columns: side.columns.clone(),
                constraints,
            },
            None,
        );
    }
    // Tables on both sides, by (schema, name).
    let mut both: Vec<&&ModelTable> = model_tables
        .iter()
        .filter(|m| db.iter().any(|(k, _)| *k == table_key(&m.table)))
        .collect();
    both.sort_by_key(|m| (m.table.schema.clone().unwrap_or_default(), m.table.name.clone()));
    for m in both {
        let k = table_key(&m.table);
        let Some((_, shape)) = db.iter().find(|(dk, _)| *dk == k) else {
            continue;
        };
        let shape = match shape {
            Ok(s) => s,
            Err(why) => {
                out.skipped.push((k, why.to_string()));
                continue;
            }
        };
        let meta = model_side(m, models.naming_of(&m.metadata));
        let conn = db_side(m.table.clone(), shape, d);
        // Located at the column the change is about, when there is one.
        let mut push_here = |op: AutoOp| {
            let column = match &op {
                AutoOp::AddColumn { column, .. } => Some(column.name.as_str()),
                AutoOp::AlterColumn { column, .. } => Some(column.as_str()),
                AutoOp::CreateIndex { index: ix, .. } | AutoOp::AddUnique { unique: ix, .. } if ix.columns.len() == 1 => {
                    Some(ix.columns[0].as_str())
                }
                AutoOp::AddForeignKey { fk, .. } if fk.columns.len() == 1 => Some(fk.columns[0].as_str()),
                _ => None,
            };
            let origin = Some(Origin {
                file: m.file.clone(),
                span: column.map_or(m.span, |c| m.span_of_column(c)),
            });
            out.changes.push(Change { op, origin })
        };
        let table = meta.table.clone();
        for c in &meta.columns {
            if !conn.columns.iter().any(|x| eq(&x.name, &c.name)) {
                push_here(AutoOp::AddColumn {
                    table: table.clone(),
                    column: c.clone(),
                });
            }
        }
        for c in &meta.columns {
            let Some(x) = conn.columns.iter().find(|x| eq(&x.name, &c.name)) else {
                continue;
            };
            let (a, b) = (x.is_nullable(), c.is_nullable());
            let nullable = (a != b).then_some((a, b));
            let type_ = (opts.types && type_differs(d, x, c)).then(|| (x.type_.clone(), c.type_.clone()));
            let server_default = (opts.server_default
                && d.name() == "sqlite"
                && sqlite_default_differs(x.server_default.as_deref(), c.server_default.as_deref()))
            .then(|| (x.server_default.as_deref().cloned(), c.server_default.as_deref().cloned()));
            // `_compare_column_comment`, where the dialect keeps comments (not SQLite).
            let comments = d.name() != "sqlite" && (x.extra.comment.is_some() || c.extra.comment.is_some());
            let comment = (comments && x.extra.comment != c.extra.comment).then(|| (x.extra.comment.clone(), c.extra.comment.clone()));
            if nullable.is_some() || type_.is_some() || server_default.is_some() || comment.is_some() {
                push_here(AutoOp::AlterColumn {
                    table: table.clone(),
                    column: c.name.clone(),
                    existing_type: x.type_.clone(),
                    type_,
                    nullable,
                    existing_nullable: a,
                    existing_server_default: x.server_default.as_deref().cloned(),
                    server_default,
                    existing_comment: if comments { x.extra.comment.clone() } else { None },
                    comment,
                });
            }
        }
        indexes_and_uniques(&meta, &conn, &mut push_here);
        foreign_keys(&meta, &conn, &mut push_here);
        for x in &conn.columns {
            if !meta.columns.iter().any(|c| eq(&x.name, &c.name)) {
                push_here(AutoOp::DropColumn {
                    table: table.clone(),
                    column: x.clone(),
                });
            }
        }
    }
    out
}

/// `_compare_indexes_and_uniques`: by name where named, unnamed uniques by columns.
fn indexes_and_uniques(meta: &Side, conn: &Side, push: &mut impl FnMut(AutoOp)) {
    let table = meta.table.clone();
    #[derive(Clone)]
    enum Obj {
        Ix(IndexSig),
        Uq(IndexSig),
    }
    let by_name = |s: &Side| -> Vec<(String, Obj)> {
        let mut v: Vec<(String, Obj)> = s
            .uniques
            .iter()
            .filter_map(|u| u.name.as_ref().map(|n| (n.name.clone(), Obj::Uq(u.clone()))))
            .chain(
                s.indexes
                    .iter()
                    .filter_map(|i| i.name.as_ref().map(|n| (n.name.clone(), Obj::Ix(i.clone())))),
            )
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let (mnames, cnames) = (by_name(meta), by_name(conn));
    let unnamed_meta: Vec<&IndexSig> = meta.uniques.iter().filter(|u| u.name.is_none()).collect();
    let same_cols = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq(x, y));
    let removed = |o: &Obj, push: &mut dyn FnMut(AutoOp)| match o {
        Obj::Ix(i) => push(AutoOp::DropIndex {
            table: table.clone(),
            index: i.clone(),
        }),
        Obj::Uq(u) => push(AutoOp::DropUnique {
            table: table.clone(),
            unique: u.clone(),
        }),
    };
    let added = |o: &Obj, push: &mut dyn FnMut(AutoOp)| match o {
        Obj::Ix(i) => push(AutoOp::CreateIndex {
            table: table.clone(),
            index: i.clone(),
        }),
        Obj::Uq(u) => push(AutoOp::AddUnique {
            table: table.clone(),
            unique: u.clone(),
        }),
    };
    for (n, o) in &cnames {
        if mnames.iter().any(|(m, _)| m == n) {
            continue;
        }
        if let Obj::Uq(u) = o
            && unnamed_meta.iter().any(|m| same_cols(&m.columns, &u.columns))
        {
            continue;
        }
        removed(o, push);
    }
    for (n, mo) in &mnames {
        let Some((_, co)) = cnames.iter().find(|(c, _)| c == n) else {
            continue;
        };
        match (co, mo) {
            (Obj::Ix(a), Obj::Ix(b)) | (Obj::Uq(a), Obj::Uq(b)) => {
                if !same_cols(&a.columns, &b.columns) || a.unique != b.unique {
                    removed(co, push);
                    added(mo, push);
                }
            }
            _ => {
                removed(co, push);
                added(mo, push);
            }
        }
    }
    for (n, o) in &mnames {
        if !cnames.iter().any(|(c, _)| c == n) {
            added(o, push);
        }
    }
    for u in unnamed_meta {
        if !conn.uniques.iter().any(|c| same_cols(&c.columns, &u.columns)) {
            added(&Obj::Uq(u.clone()), push);
        }
    }
}

/// `_compare_foreign_keys`: by columns, target and options.
fn foreign_keys(meta: &Side, conn: &Side, push: &mut impl FnMut(AutoOp)) {
    let sig = |f: &ForeignKeyConstraint| {
        (
            f.columns.iter().map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>(),
            f.ref_table.name.to_ascii_lowercase(),
            f.ref_table.schema.clone(),
            f.ref_columns.iter().map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>(),
            f.ondelete.as_ref().map(|s| s.to_ascii_uppercase()),
            f.onupdate.as_ref().map(|s| s.to_ascii_uppercase()),
        )
    };
    let mut removed: Vec<&(ForeignKeyConstraint, bool)> = conn
        .fks
        .iter()
        .filter(|(c, _)| !meta.fks.iter().any(|(m, _)| sig(m) == sig(c)))
        .collect();
    removed.sort_by_key(|(f, _)| sig(f));
    for (f, conv) in removed {
        push(AutoOp::DropForeignKey {
            table: meta.table.clone(),
            fk: f.clone(),
            conv: *conv,
        });
    }
    let mut added: Vec<&(ForeignKeyConstraint, bool)> = meta
        .fks
        .iter()
        .filter(|(m, _)| !conn.fks.iter().any(|(c, _)| sig(m) == sig(c)))
        .collect();
    added.sort_by_key(|(f, _)| sig(f));
    for (f, conv) in added {
        push(AutoOp::AddForeignKey {
            table: meta.table.clone(),
            fk: f.clone(),
            conv: *conv,
        });
    }
}
