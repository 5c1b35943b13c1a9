//! An UPDATE without WHERE rewrites every row of the table in one transaction.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, DataVerb, Event};

pub struct UpdateWithoutWhere;

impl Rule for UpdateWithoutWhere {
    fn code(&self) -> Code {
        Code::UpdateWithoutWhere
    }

    /// Rewrites every row, locking them all.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::Data {
            verb: DataVerb::Update,
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
                "UPDATE {} has no WHERE clause: every row is rewritten and locked in one transaction",
                table.as_deref().unwrap_or("")
            ),
            "add the WHERE clause you mean (e.g. `WHERE col IS NULL`), and backfill large tables in batches",
        ))
    }
}
