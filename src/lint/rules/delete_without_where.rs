//! A DELETE without WHERE removes every row.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, DataVerb, Event};

pub struct DeleteWithoutWhere;

impl Rule for DeleteWithoutWhere {
    fn code(&self) -> Code {
        Code::DeleteWithoutWhere
    }

    /// Loses every row.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::Data {
            verb: DataVerb::Delete,
            table,
            has_where: false,
            ..
        } = &ev.change
        else {
            return None;
        };
        if table.as_deref().is_some_and(|t| !cx.is_existing(t)) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "DELETE FROM {} has no WHERE clause: every row is deleted",
                table.as_deref().unwrap_or("")
            ),
            "add the WHERE clause you mean; if emptying the table is intended, say so with an inline ignore",
        ))
    }
}
