//! goose's `goose_db_version(id, version_id, is_applied, tstamp)`: a row per applied
//! migration, plus the version-0 row goose writes when it creates the table.

use super::{Bookkeeping, Lookup, RowChange, TableDef, int_version, q, row_changes, t};
use crate::dialect::{CompileError, Dialect};
use crate::plan::PlanStep;
use crate::render::sql_plan::RenderOptions;

#[derive(Debug)]
pub struct Goose;

fn def(opts: &RenderOptions) -> TableDef {
    TableDef::new(opts, "goose_db_version")
        .col("id", "Integer", "integer", None, false)
        .serial()
        .col("version_id", "BigInteger", "big_integer", None, false)
        .col("is_applied", "Boolean", "boolean", None, false)
        .col("tstamp", "DateTime", "datetime", None, true)
        .default_now()
        .primary_key(&["id"])
}

fn insert(d: &dyn Dialect, table: &str, version: &str) -> String {
    format!(
        "INSERT INTO {table} ({}, {}) VALUES ({}, {})",
        q(d, "version_id"),
        q(d, "is_applied"),
        version,
        d.render_bool(true)
    )
}

impl Bookkeeping for Goose {
    fn name(&self) -> &'static str {
        "goose"
    }
    fn create(&self, d: &dyn Dialect, opts: &RenderOptions) -> Result<Vec<String>, CompileError> {
        let def = def(opts);
        let mut out = def.create(d)?;
        out.push(insert(d, &t(d, def.table()), "0"));
        Ok(out)
    }
    fn applied_sql(&self, d: &dyn Dialect, opts: &RenderOptions) -> String {
        let def = def(opts);
        let v = q(d, "version_id");
        format!(
            "SELECT {v}, 'applied' FROM {} WHERE {v} > 0 ORDER BY {}",
            t(d, def.table()),
            q(d, "id")
        )
    }
    fn table(&self, opts: &RenderOptions) -> crate::ops::TableRef {
        def(opts).table().clone()
    }
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, _lookup: Lookup) -> Vec<String> {
        let table = t(d, def(opts).table());
        row_changes(step)
            .into_iter()
            .map(|c| match c {
                RowChange::Insert(v) => insert(d, &table, &int_version(&v)),
                RowChange::Delete(v) => format!("DELETE FROM {table} WHERE {} = {}", q(d, "version_id"), int_version(&v)),
            })
            .collect()
    }
}
