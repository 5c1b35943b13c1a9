//! `DROP INDEX` takes an exclusive lock on the table; `DROP INDEX CONCURRENTLY` does not.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event, key};

pub struct DropIndexWithoutConcurrently;

impl Rule for DropIndexWithoutConcurrently {
    fn code(&self) -> Code {
        Code::DropIndexWithoutConcurrently
    }

    /// The lock is held only for a moment (queueing behind it is missing-lock-timeout's matter), and it fires on a fifth of the corpus' PostgreSQL revisions.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::DropIndex {
            name,
            table,
            concurrently: false,
            ..
        } = &ev.change
        else {
            return None;
        };
        if !cx.ddl.concurrent_index {
            return None;
        }
        let owner = table
            .clone()
            .or_else(|| cx.schema.indexes.get(&key(name)).map(|i| i.table.clone()))?;
        if !cx.is_existing(&owner) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("index {name} on existing table {owner} is dropped without CONCURRENTLY, locking the table"),
            "drop it with `postgresql_concurrently=True` inside an autocommit block (SQL: `DROP INDEX CONCURRENTLY` outside a transaction)",
        ))
    }
}
