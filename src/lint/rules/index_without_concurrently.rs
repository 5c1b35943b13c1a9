//! Building an index blocks writes to the table for the whole build unless it is built
//! concurrently.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct IndexWithoutConcurrently;

impl Rule for IndexWithoutConcurrently {
    fn code(&self) -> Code {
        Code::IndexWithoutConcurrently
    }

    /// Fires on about half the revisions of healthy PostgreSQL projects in the corpus, whose tables are mostly small when they migrate.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        if !cx.ddl.concurrent_index {
            return None;
        }
        let (table, name) = match &ev.change {
            Change::CreateIndex {
                index,
                concurrently: false,
                ..
            } => (&index.table, index.name.clone()),
            Change::AddColumn { table, indexes, .. } if !indexes.is_empty() => (table, indexes[0].name.clone()),
            _ => return None,
        };
        if !cx.is_existing(table) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("index {name} is built on existing table {table} without CONCURRENTLY, blocking writes while it builds"),
            "create it with `postgresql_concurrently=True` inside `with op.get_context().autocommit_block():` (SQL: `CREATE INDEX CONCURRENTLY` in a migration that is not run in a transaction)",
        ))
    }
}
