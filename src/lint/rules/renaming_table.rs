//! Renaming a table breaks every running instance of the application that uses it.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct RenamingTable;

impl Rule for RenamingTable {
    fn code(&self) -> Code {
        Code::RenamingTable
    }

    /// Breaks the running application.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::RenameTable { table, new_name } = &ev.change else {
            return None;
        };
        if !cx.is_existing(table) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("table {table} is renamed to {new_name}: the running application still uses {table}"),
            "create the new table (or a view with the old name) and move the application first",
        ))
    }
}
