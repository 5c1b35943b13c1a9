//! Renaming a column breaks every running instance of the application that still uses
//! the old name.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct RenamingColumn;

impl Rule for RenamingColumn {
    fn code(&self) -> Code {
        Code::RenamingColumn
    }

    /// Breaks the running application.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AlterColumn {
            table,
            column,
            rename: Some(new),
            ..
        } = &ev.change
        else {
            return None;
        };
        if !cx.is_existing(table) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("column {table}.{column} is renamed to {new}: the running application still reads and writes {column}"),
            "add the new column, write both, backfill, move readers, then drop the old one (expand and contract)",
        ))
    }
}
