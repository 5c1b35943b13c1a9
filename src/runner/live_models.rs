//! A live database as the "models" side of the comparison: `check --db`'s `schema-drift`
//! and `revision --autogenerate --db`. The catalogue's tables (read by the runner's
//! drivers) become model tables, so [`crate::autogen::compare::compare`] is the one comparison
//! for models and databases alike.
//!
//! Types are read back from the catalogue's text (`character varying(40)`, `varchar(40)`,
//! `VARCHAR(40)`) into the SQLAlchemy type that compiles to it; a type migplan does not
//! map is left as `NullType`, which the comparison does not compare (so it never claims
//! a type change it cannot see).

use crate::dialect::Dialect;
use crate::models::{ModelTable, Models};
use crate::ops::{Column, Constraint, ConstraintOpts, ForeignKeyConstraint, IndexElement, IndexOpts, SqlType, TableRef};
use crate::runner::driver::{LiveColumn, LiveConstraintKind, LiveFkActions, LiveSchema};
use crate::schema::shape::Shapes;

/// The metadata id (and module) the live tables are filed under.
const LIVE: &str = "<database>";

/// The SQLAlchemy type a catalogue's type text compiles from (upper-case class names, as
/// Alembic renders reflected types: `sa.VARCHAR(length=40)`).
pub fn live_type(text: &str) -> SqlType {
    let t = text.trim().to_ascii_lowercase();
    let (head, args, rest) = match (t.find('('), t.find(')')) {
        (Some(a), Some(b)) if a < b => (t[..a].trim().to_string(), t[a + 1..b].to_string(), t[b + 1..].trim().to_string()),
        _ => (t.clone(), String::new(), String::new()),
    };
    let nums: Vec<u32> = args.split(',').filter_map(|x| x.trim().parse().ok()).collect();
    let unsigned = rest.contains("unsigned");
    let mk = |class: &str| SqlType::new(class, class);
    let mut ty = match head.as_str() {
        "integer" | "int" | "int4" | "mediumint" if !unsigned => mk("INTEGER"),
        "bigint" | "int8" if !unsigned => mk("BIGINT"),
        "smallint" | "int2" if !unsigned => mk("SMALLINT"),
        "tinyint" if nums == [1] && !unsigned => mk("BOOLEAN"),
        "boolean" | "bool" => mk("BOOLEAN"),
        "character varying" | "varchar" | "nvarchar" => {
            let mut v = mk("VARCHAR");
            v.length = nums.first().copied();
            v
        }
        "character" | "char" | "bpchar" => {
            let mut v = mk("CHAR");
            v.length = nums.first().copied();
            v
        }
        "text" | "clob" => mk("TEXT"),
        // Synonyms for Alembic's comparison (`type_synonyms`); MySQL's catalogue says
        // `decimal` for a NUMERIC column.
        "numeric" | "decimal" if !unsigned => {
            let mut v = mk("NUMERIC");
            v.precision = nums.first().copied();
            v.scale = nums.get(1).copied();
            v
        }
        "real" => mk("REAL"),
        // `double precision` is how PostgreSQL keeps `sa.Float` (compiled `FLOAT`): floats
        // are not mapped, so they are not compared.
        "date" => mk("DATE"),
        "datetime" if nums.is_empty() => mk("DATETIME"),
        "timestamp without time zone" | "timestamp" if nums.is_empty() => mk("TIMESTAMP"),
        "timestamp with time zone" if nums.is_empty() => {
            let mut v = mk("TIMESTAMP");
            v.timezone = true;
            v
        }
        "blob" => mk("BLOB"),
        "uuid" => mk("UUID"),
        "json" => mk("JSON"),
        _ => SqlType::new("NullType", "null"),
    };
    if ty.visit == "null" {
        ty.class = "NullType".into();
    }
    ty
}

/// A type's family and arguments as the dialect compiles it: `NUMERIC`, `10,2`.
/// Alembic's `type_synonyms` (DECIMAL/NUMERIC; FLOAT/DOUBLE PRECISION) are one family.
fn family(t: &SqlType, d: &dyn Dialect) -> Option<(String, String)> {
    let text = crate::dialect::types::compile_type(d, t).ok()?;
    let text = text.to_ascii_uppercase();
    let (head, args) = match (text.find('('), text.find(')')) {
        (Some(a), Some(b)) if a < b => (text[..a].trim().to_string(), text[a + 1..b].replace(' ', "")),
        _ => (text.split(" COLLATE ").next().unwrap_or("").trim().to_string(), String::new()),
    };
    let head = match head.as_str() {
        "DECIMAL" => "NUMERIC".to_string(),
        "DOUBLE PRECISION" => "FLOAT".to_string(),
        _ => head,
    };
    Some((head, args))
}

/// The live type, or the migrations' where they say the same: one family, and the
/// migration gave no arguments (the catalogue fills in the server's defaults) or the same
/// ones. Collations are not read from the catalogues, so they do not count.
fn reconcile(live: SqlType, sim: Option<&Column>, d: &dyn Dialect) -> SqlType {
    let Some(sim) = sim else { return live };
    match (family(&live, d), family(&sim.type_, d)) {
        (Some((lf, la)), Some((sf, sa))) if lf == sf && (sa.is_empty() || la == sa) => sim.type_.clone(),
        _ => live,
    }
}

/// The unique constraints (as column lists, lower-case) the migrations give `table`.
fn sim_uniques(sim: &Shapes, table: &str) -> Vec<Vec<String>> {
    let Some((_, Ok(shape))) = sim.tables().find(|(k, _)| *k == table) else {
        return Vec::new();
    };
    let lower = |v: &[String]| v.iter().map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>();
    let mut out: Vec<Vec<String>> = shape
        .constraints
        .iter()
        .filter_map(|c| match c {
            Constraint::Unique { columns, .. } => Some(lower(columns)),
            _ => None,
        })
        .collect();
    out.extend(
        shape
            .columns
            .iter()
            .filter(|c| c.extra.unique == Some(true))
            .map(|c| vec![c.name.to_ascii_lowercase()]),
    );
    out
}

/// The live schema as the models of one metadata. `skip`: bookkeeping tables (lower-case).
/// `sim`: the simulated schema it is compared with. Where unique constraints are unique
/// indexes (MySQL, MariaDB) the catalogue cannot tell them apart: a unique index with the
/// columns of a migration's unique constraint is that constraint; and an index MySQL made
/// for a foreign key (named after its column or the key) is left out, as Alembic's
/// `MySQLImpl.correct_for_autogen_constraints` leaves it out.
pub fn live_models(
    live: &LiveSchema,
    columns: &[LiveColumn],
    actions: &[LiveFkActions],
    skip: &[String],
    sim: &Shapes,
    d: &dyn Dialect,
) -> Models {
    let mysql = d.ddl_behaviour().unique_constraints_are_indexes;
    let mut tables = Vec::new();
    for name in live.tables.keys() {
        if skip.contains(name) {
            continue;
        }
        let uniques = if mysql { sim_uniques(sim, name) } else { Vec::new() };
        let sim_table = match sim.tables().find(|(k, _)| *k == name) {
            Some((_, Ok(t))) => Some(t),
            _ => None,
        };
        let table_cols: Vec<&str> = columns.iter().filter(|c| &c.table == name).map(|c| c.name.as_str()).collect();
        // Indexes the comparison leaves out on the migrations' side (expression keys) and
        // those whose keys are not plain columns here: not compared.
        let not_compared = |i: &crate::runner::driver::LiveIndex| {
            i.columns.iter().any(|k| !table_cols.contains(&k.as_str()))
                || sim_table.is_some_and(|t| {
                    t.indexes
                        .iter()
                        .any(|(n, els, _)| n.eq_ignore_ascii_case(&i.name) && els.iter().any(|e| matches!(e, IndexElement::Expr(_))))
                })
        };
        let fk_names: Vec<&str> = live
            .constraints
            .iter()
            .filter(|c| &c.table == name && matches!(c.kind, LiveConstraintKind::ForeignKey { .. }))
            .filter_map(|c| c.name.as_deref())
            .collect();
        let fk_made = |i: &crate::runner::driver::LiveIndex| {
            mysql && !i.unique && (i.columns.contains(&i.name) || fk_names.contains(&i.name.as_str()))
        };
        let as_unique = |i: &crate::runner::driver::LiveIndex| mysql && i.unique && uniques.contains(&i.columns);
        let pk: Vec<String> = live
            .constraints
            .iter()
            .filter(|c| &c.table == name && c.kind == LiveConstraintKind::PrimaryKey)
            .flat_map(|c| c.columns.clone())
            .collect();
        let cols: Vec<Column> = columns
            .iter()
            .filter(|c| &c.table == name)
            .map(|c| {
                let sim_col = sim_table.and_then(|t| t.columns.iter().find(|x| x.name.eq_ignore_ascii_case(&c.name)));
                let mut col = Column::new(c.name.clone(), reconcile(live_type(&c.type_), sim_col, d));
                col.primary_key = pk.contains(&c.name);
                col.nullable = Some(c.nullable && !col.primary_key);
                // Comments are not read from the catalogues: not compared.
                col.extra.set(|e| &mut e.comment, sim_col.and_then(|x| x.extra.comment.clone()));
                col
            })
            .collect();
        let mut constraints = Vec::new();
        for c in live.constraints.iter().filter(|c| &c.table == name) {
            let opts = ConstraintOpts {
                name: c.name.clone(),
                ..Default::default()
            };
            match &c.kind {
                LiveConstraintKind::PrimaryKey => constraints.push(Constraint::PrimaryKey {
                    opts,
                    columns: c.columns.clone(),
                }),
                LiveConstraintKind::Unique => constraints.push(Constraint::Unique {
                    opts,
                    columns: c.columns.clone(),
                }),
                LiveConstraintKind::ForeignKey { ref_table, ref_columns } => {
                    let act = actions.iter().find(|a| &a.table == name && a.columns == c.columns);
                    constraints.push(Constraint::ForeignKey(Box::new(ForeignKeyConstraint {
                        opts,
                        columns: c.columns.clone(),
                        ref_table: TableRef::new(ref_table.clone()),
                        ref_columns: ref_columns.clone(),
                        ondelete: act.and_then(|a| a.ondelete.clone()),
                        onupdate: act.and_then(|a| a.onupdate.clone()),
                        match_: None,
                        use_alter: false,
                    })))
                }
                // Alembic does not compare check constraints.
                LiveConstraintKind::Check => {}
            }
        }
        for i in live.indexes.iter().filter(|i| &i.table == name && as_unique(i)) {
            // Unnamed: MySQL names it after its first column; it matches by its columns.
            constraints.push(Constraint::Unique {
                opts: ConstraintOpts::default(),
                columns: i.columns.clone(),
            });
        }
        let indexes = live
            .indexes
            .iter()
            .filter(|i| &i.table == name && !fk_made(i) && !as_unique(i) && !not_compared(i))
            .map(|i| {
                (
                    i.name.clone(),
                    i.columns.iter().map(|c| IndexElement::Column(c.clone())).collect(),
                    IndexOpts {
                        unique: i.unique,
                        ..Default::default()
                    },
                )
            })
            .collect();
        tables.push(ModelTable {
            table: TableRef::new(name.clone()),
            columns: cols,
            constraints,
            indexes,
            metadata: LIVE.into(),
            file: String::new(),
            span: Default::default(),
            class_name: None,
            module: LIVE.into(),
            column_spans: Vec::new(),
            kwargs: Default::default(),
        });
    }
    Models {
        tables,
        target: vec![LIVE.into()],
        reached: [LIVE.to_string()].into_iter().collect(),
        ..Default::default()
    }
}

/// A change found against the live database, for people: the models' side is the
/// database here (`column users.nickname is in the database but not in the migrations`).
pub fn describe(op: &crate::autogen::AutoOp) -> String {
    op.describe().replace("in the models", "in the database")
}

/// What `check --db` reports: one `schema-drift` per operation, and `schema-drift-unknown`
/// for each table the comparison left out. `uncertain`: something opaque ran in the
/// applied revisions, so a table only one side has may be its doing: not claimed as drift.
pub fn drift_findings(cmp: &crate::autogen::compare::Comparison, uncertain: bool, where_: &str) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::autogen::AutoOp;
    use crate::codes::Code;
    use crate::diagnostic::Diagnostic;
    let mut out = Vec::new();
    for c in &cmp.changes {
        // Only the current schema's tables are read from the catalogue: a table the
        // migrations put in another schema is not compared.
        if let AutoOp::DropTable { table, .. } = &c.op
            && table.schema.is_some()
        {
            out.push(Diagnostic::new(
                Code::SchemaDriftUnknown,
                format!(
                    "table {}.{} is not compared with the database: only the current schema's tables are read",
                    table.schema.as_deref().unwrap_or(""),
                    table.name
                ),
            ));
            continue;
        }
        let table_level = matches!(c.op, AutoOp::CreateTable { .. } | AutoOp::DropTable { .. });
        if uncertain && table_level {
            out.push(Diagnostic::new(
                Code::SchemaDriftUnknown,
                format!(
                    "{}: not claimed as drift, an opaque step of the applied revisions may have done it",
                    describe(&c.op)
                ),
            ));
            continue;
        }
        out.push(
            Diagnostic::new(Code::SchemaDrift, format!("{where_}: {}", describe(&c.op)))
                .help("`migplan revision --autogenerate --db URL` writes the revision that brings the migrations in line with the database, or undo the change by hand"),
        );
    }
    for (t, why) in &cmp.skipped {
        out.push(Diagnostic::new(
            Code::SchemaDriftUnknown,
            format!("table {t} is not compared with the database: its simulated schema is unknown ({why})"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_types_map_to_the_types_that_compile_to_them() {
        let v = live_type("character varying(40)");
        assert_eq!((v.visit.as_str(), v.length), ("VARCHAR", Some(40)));
        assert_eq!(live_type("varchar(40)").length, Some(40));
        assert_eq!(live_type("int(11)").visit, "INTEGER");
        assert_eq!(live_type("INTEGER").visit, "INTEGER");
        assert!(live_type("timestamp with time zone").timezone);
        let n = live_type("numeric(10,2)");
        assert_eq!((n.precision, n.scale), (Some(10), Some(2)));
        assert_eq!(live_type("decimal(10,2)").visit, "NUMERIC");
        assert_eq!(live_type("double precision").visit, "null");
        assert_eq!(live_type("int unsigned").visit, "null");
        assert_eq!(live_type("tsvector").visit, "null");
    }
}
