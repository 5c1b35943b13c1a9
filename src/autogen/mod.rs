//! Autogenerate without Python and without a database: the models (read by
//! [`crate::models`]) compared with the schema the migrations build at head (the
//! simulation of [`crate::schema::shape`]), with Alembic's comparison rules and operation
//! order (`alembic/autogenerate/compare/`), as the operations its autogenerate emits.
//! [`render`] writes them as Alembic writes them.
//!
//! Pure: the caller gives the models, the simulated tables and the dialect.

pub mod compare;
pub mod findings;
pub mod naming;
pub mod render;

use serde::Serialize;

use crate::ops::{Column, Constraint, ForeignKeyConstraint, SqlType, TableRef};
use crate::source::Span;

/// A name as autogenerate renders it: `op.f('...')` when a naming convention made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Name {
    pub name: String,
    pub conv: bool,
}

/// An index or unique constraint as compared: name, columns, uniqueness.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexSig {
    pub name: Option<Name>,
    pub columns: Vec<String>,
    pub unique: bool,
}

/// Where the model side of a change is declared: the finding's location.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: String,
    pub span: Span,
}

/// One operation autogenerate emits, with what its reverse (the downgrade) needs. Model
/// columns and types render as declared (`sa.String(length=40)`), database ones as
/// reflected (`sa.VARCHAR(length=40)`). Plain data built once per comparison; boxing the
/// large variants would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AutoOp {
    CreateTable {
        table: TableRef,
        columns: Vec<Column>,
        /// Rendered inline: primary key, foreign keys, unique and check constraints.
        constraints: Vec<(Constraint, bool)>,
        /// Dialect options, rendered sorted by name.
        kwargs: crate::ops::TableKwargs,
    },
    DropTable {
        table: TableRef,
        columns: Vec<Column>,
        constraints: Vec<(Constraint, bool)>,
    },
    AddColumn {
        table: TableRef,
        column: Column,
    },
    DropColumn {
        table: TableRef,
        column: Column,
    },
    AlterColumn {
        table: TableRef,
        column: String,
        existing_type: SqlType,
        /// (database, model) when they differ.
        type_: Option<(SqlType, SqlType)>,
        nullable: Option<(bool, bool)>,
        existing_nullable: bool,
        /// The database column's default, rendered as reflected (`existing_server_default=`).
        existing_server_default: Option<crate::ops::SqlExpr>,
        /// (database, model) defaults when they differ (`compare_server_default`).
        server_default: Option<(Option<crate::ops::SqlExpr>, Option<crate::ops::SqlExpr>)>,
        /// The database column's comment, where the dialect has comments and either side
        /// has one; and (database, model) when they differ.
        existing_comment: Option<String>,
        comment: Option<(Option<String>, Option<String>)>,
    },
    CreateIndex {
        table: TableRef,
        index: IndexSig,
    },
    DropIndex {
        table: TableRef,
        index: IndexSig,
    },
    AddUnique {
        table: TableRef,
        unique: IndexSig,
    },
    DropUnique {
        table: TableRef,
        unique: IndexSig,
    },
    AddForeignKey {
        table: TableRef,
        fk: ForeignKeyConstraint,
        conv: bool,
    },
    DropForeignKey {
        table: TableRef,
        fk: ForeignKeyConstraint,
        conv: bool,
    },
}

/// An operation and the model declaration it comes from (none for a dropped table).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub op: AutoOp,
    pub origin: Option<Origin>,
}

/// The models compared with the schema the migrations build at `heads`.
pub fn compare_at(
    a: &crate::analysis::Analysis,
    models: &crate::models::Models,
    heads: &[String],
    d: &dyn crate::dialect::Dialect,
    x_args: &[(String, String)],
) -> compare::Comparison {
    let shapes = crate::schema::shape::Shapes::at(&a.map, &a.revisions, heads, d, x_args);
    let opts = crate::autogen::compare::Options {
        server_default: a.env.compare_server_default.unwrap_or(false),
        types: a.env.compare_type.unwrap_or(true),
        assumed_base: assumed_base(a, d),
    };
    compare::compare(models, &shapes, d, &opts)
}

/// Whether the history starts from a schema it does not create: a migration changes a table
/// that no migration creates (JupyterHub's history starts from tables `create_all()` made).
/// Then a model table the migrations never mention is unknown, not missing.
pub fn assumed_base(a: &crate::analysis::Analysis, d: &dyn crate::dialect::Dialect) -> Option<String> {
    use crate::schema::Change as C;
    use std::collections::BTreeSet;
    let cx = || crate::schema::from_ops::RunContext { in_transaction: false };
    let mut created: BTreeSet<String> = BTreeSet::new();
    let mut changed: Vec<(String, &str)> = Vec::new();
    for rev in &a.revisions {
        for e in crate::schema::from_ops::events(&rev.upgrade_steps, &rev.path, d, cx()) {
            match &e.change {
                C::CreateTable { table, .. } | C::CreatePartition { table, .. } => {
                    created.insert(table.to_ascii_lowercase());
                }
                C::RenameTable { table, new_name } => {
                    created.insert(new_name.to_ascii_lowercase());
                    changed.push((table.to_ascii_lowercase(), &rev.id));
                }
                other => {
                    if let Some(t) = other.table() {
                        changed.push((t.to_ascii_lowercase(), &rev.id));
                    }
                }
            }
        }
    }
    let (table, rev) = changed.into_iter().find(|(t, _)| !created.contains(t))?;
    Some(format!(
        "the migrations change table {table} (revision {rev}) but none creates it: they start from a schema made elsewhere (e.g. `create_all()`), which may hold this table"
    ))
}

/// `String(50)`, `Numeric(10, 2)`, `Text`: a type for messages.
fn type_label(t: &SqlType) -> String {
    let args: Vec<String> = match (t.length, t.precision, t.scale) {
        (Some(l), _, _) => vec![l.to_string()],
        (None, Some(p), Some(s)) => vec![p.to_string(), s.to_string()],
        (None, Some(p), None) => vec![p.to_string()],
        _ => vec![],
    };
    if args.is_empty() {
        t.class.clone()
    } else {
        format!("{}({})", t.class, args.join(", "))
    }
}

impl AutoOp {
    /// A short description for findings (`add column orders.note`).
    pub fn describe(&self) -> String {
        let t = |t: &TableRef| match &t.schema {
            Some(s) => format!("{s}.{}", t.name),
            None => t.name.clone(),
        };
        let n = |n: &Option<Name>| n.as_ref().map_or("(unnamed)".to_string(), |n| n.name.clone());
        match self {
            AutoOp::CreateTable { table, .. } => format!("table {} is in the models but no migration creates it", t(table)),
            AutoOp::DropTable { table, .. } => format!("table {} is created by the migrations but not in the models", t(table)),
            AutoOp::AddColumn { table, column } => {
                format!("column {}.{} is in the models but not in the migrations", t(table), column.name)
            }
            AutoOp::DropColumn { table, column } => {
                format!("column {}.{} is in the migrations but not in the models", t(table), column.name)
            }
            AutoOp::AlterColumn {
                table,
                column,
                type_,
                nullable,
                server_default,
                comment,
                ..
            } => {
                let mut what = Vec::new();
                if let Some((a, b)) = nullable {
                    what.push(format!(
                        "nullable {} in the migrations, {} in the models",
                        if *a { "true" } else { "false" },
                        if *b { "true" } else { "false" }
                    ));
                }
                if server_default.is_some() {
                    what.push("server default differs".to_string());
                }
                if comment.is_some() {
                    what.push("comment differs".to_string());
                }
                if let Some((a, b)) = type_ {
                    what.push(format!("type {} in the migrations, {} in the models", type_label(a), type_label(b)));
                }
                format!("column {}.{column} differs: {}", t(table), what.join("; "))
            }
            AutoOp::CreateIndex { table, index } => format!("index {} on {} is in the models only", n(&index.name), t(table)),
            AutoOp::DropIndex { table, index } => format!("index {} on {} is in the migrations only", n(&index.name), t(table)),
            AutoOp::AddUnique { table, unique } => format!("unique constraint {} on {} is in the models only", n(&unique.name), t(table)),
            AutoOp::DropUnique { table, unique } => {
                format!("unique constraint {} on {} is in the migrations only", n(&unique.name), t(table))
            }
            AutoOp::AddForeignKey { table, fk, .. } => format!(
                "foreign key {}({}) → {} is in the models only",
                t(table),
                fk.columns.join(", "),
                fk.ref_table.name
            ),
            AutoOp::DropForeignKey { table, fk, .. } => format!(
                "foreign key {}({}) → {} is in the migrations only",
                t(table),
                fk.columns.join(", "),
                fk.ref_table.name
            ),
        }
    }
}
