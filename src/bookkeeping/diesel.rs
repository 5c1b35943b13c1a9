//! diesel's `__diesel_schema_migrations(version, run_on)`: one row per applied migration,
//! the version without dashes.

use super::{Bookkeeping, Lookup, RowChange, TableDef, q, row_changes, s, t};
use crate::dialect::{CompileError, Dialect};
use crate::plan::PlanStep;
use crate::render::sql_plan::RenderOptions;

#[derive(Debug)]
pub struct Diesel;

fn def(opts: &RenderOptions) -> TableDef {
    TableDef::new(opts, "__diesel_schema_migrations")
        .col("version", "String", "string", Some(50), false)
        .col("run_on", "DateTime", "datetime", None, false)
        .default_now()
        .primary_key(&["version"])
}

impl Bookkeeping for Diesel {
    fn name(&self) -> &'static str {
        "diesel"
    }
    fn create(&self, d: &dyn Dialect, opts: &RenderOptions) -> Result<Vec<String>, CompileError> {
        def(opts).create(d)
    }
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, _lookup: Lookup) -> Vec<String> {
        let table = t(d, def(opts).table());
        let col = q(d, "version");
        row_changes(step)
            .into_iter()
            .map(|c| match c {
                RowChange::Insert(v) => format!("INSERT INTO {table} ({col}) VALUES ({})", s(d, &v)),
                RowChange::Delete(v) => format!("DELETE FROM {table} WHERE {col} = {}", s(d, &v)),
            })
            .collect()
    }
}
