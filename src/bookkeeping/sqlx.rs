//! sqlx's `_sqlx_migrations`: a row per applied migration with its description and the
//! SHA-384 checksum sqlx verifies on the next run.

use super::{Bookkeeping, Lookup, RowChange, TableDef, int_version, q, row_changes, s, t};
use crate::dialect::{CompileError, Dialect};
use crate::plan::PlanStep;
use crate::render::sql_plan::RenderOptions;

#[derive(Debug)]
pub struct Sqlx;

fn def(opts: &RenderOptions) -> TableDef {
    TableDef::new(opts, "_sqlx_migrations")
        .col("version", "BigInteger", "big_integer", None, false)
        .col("description", "Text", "text", None, false)
        // TIMESTAMP as sqlx creates it: TIMESTAMPTZ on PostgreSQL, TIMESTAMP on MySQL and
        // SQLite (not DATETIME).
        .col("installed_on", "TIMESTAMP", "TIMESTAMP", None, false)
        .timezone()
        .default_now()
        .col("success", "Boolean", "boolean", None, false)
        .col("checksum", "LargeBinary", "large_binary", None, false)
        .col("execution_time", "BigInteger", "big_integer", None, false)
        .primary_key(&["version"])
}

impl Bookkeeping for Sqlx {
    fn name(&self) -> &'static str {
        "sqlx"
    }
    fn create(&self, d: &dyn Dialect, opts: &RenderOptions) -> Result<Vec<String>, CompileError> {
        def(opts).create(d)
    }
    fn applied_sql(&self, d: &dyn Dialect, opts: &RenderOptions) -> String {
        let def = def(opts);
        format!(
            "SELECT {v}, CASE WHEN {} THEN 'applied' ELSE 'dirty' END FROM {} ORDER BY {v}",
            q(d, "success"),
            t(d, def.table()),
            v = q(d, "version"),
        )
    }
    fn table(&self, opts: &RenderOptions) -> crate::ops::TableRef {
        def(opts).table().clone()
    }
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, lookup: Lookup) -> Vec<String> {
        let table = t(d, def(opts).table());
        row_changes(step)
            .into_iter()
            .map(|c| match c {
                RowChange::Insert(v) => {
                    let src = lookup(&v).and_then(|r| r.sql.as_ref());
                    let description = src.map_or(String::new(), |s| s.title.replace('_', " "));
                    let checksum = src.map_or(String::new(), |s| s.sha384.clone());
                    format!(
                        "INSERT INTO {table} ({}, {}, {}, {}, {}) VALUES ({}, {}, {}, {}, -1)",
                        q(d, "version"),
                        q(d, "description"),
                        q(d, "success"),
                        q(d, "checksum"),
                        q(d, "execution_time"),
                        int_version(&v),
                        s(d, &description),
                        d.render_bool(true),
                        d.bytes_literal(&checksum),
                    )
                }
                RowChange::Delete(v) => format!("DELETE FROM {table} WHERE {} = {}", q(d, "version"), int_version(&v)),
            })
            .collect()
    }
}
