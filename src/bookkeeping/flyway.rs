//! Flyway's `flyway_schema_history`: a row per applied script with its rank, checksum and
//! type; an undo adds an `UNDO_SQL` row rather than deleting the versioned one.

use super::{Bookkeeping, Lookup, RowChange, TableDef, q, row_changes, s, t};
use crate::dialect::{CompileError, Dialect};
use crate::plan::PlanStep;
use crate::render::sql_plan::RenderOptions;

#[derive(Debug)]
pub struct Flyway;

fn def(opts: &RenderOptions) -> TableDef {
    TableDef::new(opts, "flyway_schema_history")
        .col("installed_rank", "Integer", "integer", None, false)
        .col("version", "String", "string", Some(50), true)
        .col("description", "String", "string", Some(200), true)
        .col("type", "String", "string", Some(20), false)
        .col("script", "String", "string", Some(1000), false)
        .col("checksum", "Integer", "integer", None, true)
        .col("installed_by", "String", "string", Some(100), false)
        .col("installed_on", "DateTime", "datetime", None, false)
        .default_now()
        .col("execution_time", "Integer", "integer", None, false)
        .col("success", "Boolean", "boolean", None, false)
        .primary_key(&["installed_rank"])
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// One history row; `version` is `None` for repeatables.
pub fn history_row(
    d: &dyn Dialect,
    opts: &RenderOptions,
    version: Option<&str>,
    title: &str,
    kind: &str,
    script: &str,
    checksum: i32,
) -> String {
    let table = t(d, def(opts).table());
    let cols = [
        "installed_rank",
        "version",
        "description",
        "type",
        "script",
        "checksum",
        "installed_by",
        "execution_time",
        "success",
    ]
    .iter()
    .map(|c| q(d, c))
    .collect::<Vec<_>>()
    .join(", ");
    format!(
        "INSERT INTO {table} ({cols}) SELECT COALESCE(MAX({}), 0) + 1, {}, {}, {}, {}, {checksum}, {}, 0, {} FROM {table}",
        q(d, "installed_rank"),
        version.map_or("NULL".to_string(), |v| s(d, v)),
        s(d, &title.replace('_', " ")),
        s(d, kind),
        s(d, file_name(script)),
        s(d, "migplan"),
        d.render_bool(true),
    )
}

impl Bookkeeping for Flyway {
    fn name(&self) -> &'static str {
        "flyway"
    }
    fn create(&self, d: &dyn Dialect, opts: &RenderOptions) -> Result<Vec<String>, CompileError> {
        def(opts).create(d)
    }
    fn applied_sql(&self, d: &dyn Dialect, opts: &RenderOptions) -> String {
        let def = def(opts);
        format!(
            "SELECT {v}, CASE WHEN {ty} = 'UNDO_SQL' THEN 'undone' ELSE 'applied' END FROM {} WHERE {} AND {v} IS NOT NULL ORDER BY {}",
            super::t(d, def.table()),
            super::q(d, "success"),
            super::q(d, "installed_rank"),
            v = super::q(d, "version"),
            ty = super::q(d, "type"),
        )
    }
    fn table(&self, opts: &RenderOptions) -> crate::ops::TableRef {
        def(opts).table().clone()
    }
    fn record(&self, d: &dyn Dialect, opts: &RenderOptions, step: &PlanStep, lookup: Lookup) -> Vec<String> {
        row_changes(step)
            .into_iter()
            .filter_map(|c| {
                let (v, kind) = match &c {
                    RowChange::Insert(v) => (v, "SQL"),
                    RowChange::Delete(v) => (v, "UNDO_SQL"),
                };
                let src = lookup(v).and_then(|r| r.sql.as_ref())?;
                let script = match c {
                    RowChange::Insert(_) => src.up_path.as_deref(),
                    RowChange::Delete(_) => src.down_path.as_deref(),
                }
                .unwrap_or("");
                let checksum = if kind == "SQL" { src.crc32 } else { 0 };
                Some(history_row(d, opts, Some(v), &src.title, kind, script, checksum))
            })
            .collect()
    }
    fn record_repeatable(&self, d: &dyn Dialect, opts: &RenderOptions, r: &crate::layout::Repeatable) -> Vec<String> {
        vec![history_row(d, opts, None, &r.title, "SQL", &r.path, r.checksum)]
    }
}
