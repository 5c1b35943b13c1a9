//! dbmate's `schema_migrations(version)`: one row per applied migration.

use super::{Bookkeeping, Lookup, RowChange, TableDef, q, row_changes, s, t};
use crate::dialect::{CompileError, Dialect};
use crate::plan::PlanStep;
use crate::render::sql_plan::RenderOptions;

#[derive(Debug)]
pub struct Dbmate;

fn def(opts: &RenderOptions) -> TableDef {
    TableDef::new(opts, "schema_migrations")
        .col("version", "String", "string", Some(128), false)
        .primary_key(&["version"])
}

impl Bookkeeping for Dbmate {
    fn name(&self) -> &'static str {
        "dbmate"
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
