//! TRUNCATE deletes every row and takes an exclusive lock.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, DataVerb, Event};

pub struct TruncateTable;

impl Rule for TruncateTable {
    fn code(&self) -> Code {
        Code::TruncateTable
    }

    /// Loses every row.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::Data {
            verb: DataVerb::Truncate,
            table,
            ..
        } = &ev.change
        else {
            return None;
        };
        let t = table.as_deref().unwrap_or("a table");
        if table.as_deref().is_some_and(|t| !cx.is_existing(t)) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("TRUNCATE {t} deletes every row; no downgrade brings them back"),
            "delete only the rows the migration means to, or move the data aside first",
        ))
    }
}
