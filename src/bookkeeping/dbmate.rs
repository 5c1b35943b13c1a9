//! dbmate's `schema_migrations(version)`: one row per applied migration.

use super::{Bookkeeping, Lookup, TableDef, version_rows};
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
