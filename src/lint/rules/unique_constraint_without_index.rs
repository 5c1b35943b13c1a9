//! `ADD CONSTRAINT ... UNIQUE` builds its index while blocking writes; building a unique
//! index concurrently and attaching it (`USING INDEX`) does not.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, ConstraintKind, Event};

pub struct UniqueConstraintWithoutIndex;

impl Rule for UniqueConstraintWithoutIndex {
    fn code(&self) -> Code {
        Code::UniqueConstraintWithoutIndex
    }

    /// Builds an index while blocking writes.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AddConstraint { table, constraint } = &ev.change else {
            return None;
        };
        if !cx.ddl.unique_using_index || constraint.using_index.is_some() || !cx.is_existing(table) {
            return None;
        }
        let ConstraintKind::Unique { columns } = &constraint.kind else {
            return None;
        };
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "unique constraint {} on existing table {table} ({}) builds its index while blocking writes",
                constraint.key(),
                columns.join(", ")
            ),
            "CREATE UNIQUE INDEX CONCURRENTLY first, then `ALTER TABLE ... ADD CONSTRAINT name UNIQUE USING INDEX index_name`",
        ))
    }
}
