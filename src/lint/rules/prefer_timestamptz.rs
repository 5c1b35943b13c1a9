//! `timestamp without time zone` stores wall-clock times with no zone, which go wrong as
//! soon as servers or users are in different zones.

use super::is_naive_timestamp;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct PreferTimestamptz;

impl Rule for PreferTimestamptz {
    fn code(&self) -> Code {
        Code::PreferTimestamptz
    }

    /// A type preference.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        if !cx.ddl.prefers_timestamptz {
            return None;
        }
        let (table, cols): (&str, Vec<(&str, &str)>) = match &ev.change {
            Change::CreateTable { table, columns, .. } => (table, columns.iter().map(|c| (c.name.as_str(), c.type_.as_str())).collect()),
            Change::AddColumn { table, column, .. } => (table, vec![(column.name.as_str(), column.type_.as_str())]),
            Change::AlterColumn {
                table,
                column,
                type_: Some(t),
                ..
            } => (table, vec![(column.as_str(), t.as_str())]),
            _ => return None,
        };
        let naive: Vec<&str> = cols.iter().filter(|(_, t)| is_naive_timestamp(t)).map(|(n, _)| *n).collect();
        if naive.is_empty() {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "{table}: {} {} TIMESTAMP WITHOUT TIME ZONE",
                naive.join(", "),
                if naive.len() == 1 { "is" } else { "are" }
            ),
            "use `sa.DateTime(timezone=True)` (TIMESTAMP WITH TIME ZONE / timestamptz)",
        ))
    }
}
