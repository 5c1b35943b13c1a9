//! Dropping a table loses its data.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct DroppingTable;

impl Rule for DroppingTable {
    fn code(&self) -> Code {
        Code::DroppingTable
    }

    /// Loses data.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::DropTable { table, .. } = &ev.change else {
            return None;
        };
        if !cx.is_existing(table) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("table {table} is dropped: its rows are lost and the downgrade can only recreate it empty"),
            "stop using the table first; rename it aside (or back it up) and drop it in a later release",
        ))
    }
}
