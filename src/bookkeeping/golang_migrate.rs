//! golang-migrate's `schema_migrations(version, dirty)`: a single row holding the current
//! version, replaced after every migration (no row at all below the first one).

use super::{Bookkeeping, Lookup, TableDef, int_version, q, t};
use crate::dialect::{CompileError, Dialect};
use crate::plan::PlanStep;
use crate::render::sql_plan::RenderOptions;

#[derive(Debug)]
pub struct GolangMigrate;

fn def(opts: &RenderOptions) -> TableDef {
    TableDef::new(opts, "schema_migrations")
        .col("version", "BigInteger", "big_integer", None, false)
        .col("dirty", "Boolean", "boolean", None, false)
        .primary_key(&["version"])
}

impl Bookkeeping for GolangMigrate {
    fn name(&self) -> &'static str {
        "golang-migrate"
    }
    fn create(&self, d: &dyn Dialect, opts: &RenderOptions) -> Result<Vec<String>, CompileError> {
        def(opts).create(d)
    }
    fn applied_sql(&self, d: &dyn Dialect, opts: &RenderOptions) -> String {
        let def = def(opts);
        let dirty = q(d, "dirty");
        format!(
            "SELECT {}, CASE WHEN {dirty} THEN 'dirty' ELSE 'head' END FROM {}",
            q(d, "version"),
            t(d, def.table())
        )
    }
    fn table(&self, opts: &RenderOptions) -> crate::ops::TableRef {
        def(opts).table().clone()
    }
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, _lookup: Lookup) -> Vec<String> {
        let def = def(opts);
        let table = t(d, def.table());
        let mut out = vec![format!("DELETE FROM {table}")];
        // The version after the step: the newest of the heads it leaves.
        if let Some(v) = step.to.iter().max_by_key(|v| int_version(v).parse::<u64>().unwrap_or(0)) {
            out.push(format!(
                "INSERT INTO {table} ({}, {}) VALUES ({}, {})",
                q(d, "version"),
                q(d, "dirty"),
                int_version(v),
                d.render_bool(false)
            ));
        }
        out
    }
}
