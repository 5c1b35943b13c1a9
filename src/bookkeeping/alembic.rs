//! Alembic's `alembic_version` table (the default): one row per head.

use super::{Bookkeeping, Lookup};
use crate::dialect::{CompileError, Dialect};
use crate::plan::PlanStep;
use crate::render::sql_plan::{RenderOptions, version_change_sql, version_table_create};

#[derive(Debug)]
pub struct Alembic;

impl Bookkeeping for Alembic {
    fn name(&self) -> &'static str {
        "alembic"
    }
    fn create(&self, d: &dyn Dialect, opts: &RenderOptions) -> Result<Vec<String>, CompileError> {
        Ok(vec![version_table_create(d, opts)?])
    }
    fn applied_sql(&self, d: &dyn Dialect, opts: &RenderOptions) -> String {
        let t = crate::bookkeeping::t(d, &crate::render::sql_plan::version_table_ref(opts));
        format!("SELECT version_num, 'head' FROM {t}")
    }
    fn table(&self, opts: &RenderOptions) -> crate::ops::TableRef {
        crate::render::sql_plan::version_table_ref(opts)
    }
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, _lookup: Lookup) -> Vec<String> {
        // `statement()` adds the terminator back.
        step.version_changes
            .iter()
            .map(|c| {
                let mut sql = version_change_sql(d, opts, c);
                sql.truncate(sql.trim_end_matches(';').len());
                sql
            })
            .collect()
    }
}
