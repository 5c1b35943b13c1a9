//! Adding a foreign key or check constraint validates every row under a lock that blocks
//! writes; `NOT VALID` then `VALIDATE CONSTRAINT` splits it into two cheap steps.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, ConstraintKind, Event};

pub struct ConstraintWithoutNotValid;

impl Rule for ConstraintWithoutNotValid {
    fn code(&self) -> Code {
        Code::ConstraintWithoutNotValid
    }

    /// Checks every row under a lock that blocks writes.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AddConstraint { table, constraint } = &ev.change else {
            return None;
        };
        if !cx.ddl.not_valid_constraints || constraint.not_valid || !cx.is_existing(table) {
            return None;
        }
        if !matches!(constraint.kind, ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("{} {} is added to existing table {table} without NOT VALID: every row is checked under a lock", constraint.kind_name(), constraint.key()),
            "add it with NOT VALID (`op.execute(\"ALTER TABLE ... ADD CONSTRAINT ... NOT VALID\")`), then `VALIDATE CONSTRAINT` in a later migration",
        ))
    }
}
