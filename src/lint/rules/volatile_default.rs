//! A new column whose default must be computed per row (`random()`, `gen_random_uuid()`),
//! or any default before the server's fast-default version, rewrites the whole table.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct VolatileDefault;

impl Rule for VolatileDefault {
    fn code(&self) -> Code {
        Code::VolatileDefault
    }

    /// Rewrites every row under an exclusive lock.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AddColumn { table, column, .. } = &ev.change else {
            return None;
        };
        let default = column.default.as_deref()?;
        if !cx.is_existing(table) {
            return None;
        }
        let lower = default.to_ascii_lowercase();
        let volatile = cx.ddl.volatile_functions.iter().find(|f| lower.contains(&format!("{f}(")));
        let old_server = cx.ddl.fast_default_since.and_then(|v| cx.older_than(v)) == Some(true);
        let why = match (volatile, old_server) {
            (Some(f), _) => format!("its default calls {f}(), evaluated for every existing row"),
            (None, true) => "the target server adds every default by rewriting the table".to_string(),
            _ => return None,
        };
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "column {table}.{} is added with default {default}: {why}, under an exclusive lock",
                column.name
            ),
            "add the column without a default (or with a constant one), backfill in batches, then set the default",
        ))
    }
}
