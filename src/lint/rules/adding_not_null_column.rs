//! A NOT NULL column without a default, added to a table that has rows, fails: the
//! existing rows would have no value.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct AddingNotNullColumn;

impl Rule for AddingNotNullColumn {
    fn code(&self) -> Code {
        Code::AddingNotNullColumn
    }

    /// Fails as soon as the table has rows.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AddColumn { table, column, .. } = &ev.change else {
            return None;
        };
        if column.nullable || column.default.is_some() || column.generated || !cx.is_existing(table) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "column {table}.{} is added NOT NULL without a default to an existing table",
                column.name
            ),
            "add it nullable (or with a server default), backfill the rows, then make it NOT NULL in a later migration",
        ))
    }
}
