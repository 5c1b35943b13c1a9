//! Dropping a column loses its data, and breaks a running application that still selects it.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct DroppingColumn;

impl Rule for DroppingColumn {
    fn code(&self) -> Code {
        Code::DroppingColumn
    }

    /// Loses data.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::DropColumn { table, column, .. } = &ev.change else {
            return None;
        };
        if !cx.is_existing(table) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("column {table}.{column} is dropped: its data is lost and the downgrade cannot bring it back"),
            "stop using the column in the application first (deploy), then drop it; keep a backup if the data matters",
        ))
    }
}
