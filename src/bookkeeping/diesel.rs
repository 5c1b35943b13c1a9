//! diesel's `__diesel_schema_migrations(version, run_on)`: one row per applied migration,
//! the version without dashes.

use super::{Bookkeeping, Lookup, TableDef, version_rows};
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
    fn applied_sql(&self, d: &dyn Dialect, opts: &RenderOptions) -> String {
        let def = def(opts);
        format!("SELECT {}, 'applied' FROM {}", super::q(d, "version"), super::t(d, def.table()))
    }
    fn table(&self, opts: &RenderOptions) -> crate::ops::TableRef {
        def(opts).table().clone()
    }
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, _lookup: Lookup) -> Vec<String> {
        version_rows(d, &def(opts), step)
    }
}
