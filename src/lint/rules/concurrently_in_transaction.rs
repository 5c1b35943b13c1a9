//! `CREATE/DROP INDEX CONCURRENTLY` cannot run inside a transaction block, and Alembic
//! runs migrations in one unless told otherwise. (Plain SQL files get
//! `non-transactional-statement` for the same problem.)

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct ConcurrentlyInTransaction;

impl Rule for ConcurrentlyInTransaction {
    fn code(&self) -> Code {
        Code::ConcurrentlyInTransaction
    }

    /// The database refuses it.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        if ev.from_sql || !ev.in_transaction || !cx.ddl.concurrent_index {
            return None;
        }
        let name = match &ev.change {
            Change::CreateIndex {
                index, concurrently: true, ..
            } => &index.name,
            Change::DropIndex {
                name, concurrently: true, ..
            } => name,
            _ => return None,
        };
        Some(cx.finding(
            ev,
            self.code(),
            format!("index {name} is built or dropped CONCURRENTLY inside the migration's transaction; the database refuses it"),
            "wrap the operation in `with op.get_context().autocommit_block():`",
        ))
    }
}
