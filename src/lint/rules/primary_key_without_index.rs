//! Adding a primary key to an existing table builds its index (and checks NOT NULL) while
//! blocking writes.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, ConstraintKind, Event};

pub struct PrimaryKeyWithoutIndex;

impl Rule for PrimaryKeyWithoutIndex {
    fn code(&self) -> Code {
        Code::PrimaryKeyWithoutIndex
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
        let ConstraintKind::PrimaryKey { columns } = &constraint.kind else {
            return None;
        };
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "a primary key ({}) is added to existing table {table}, building its index while blocking writes",
                columns.join(", ")
            ),
            "CREATE UNIQUE INDEX CONCURRENTLY first, then `ALTER TABLE ... ADD CONSTRAINT name PRIMARY KEY USING INDEX index_name`",
        ))
    }
}
