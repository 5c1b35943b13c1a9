//! A table without a primary key cannot be replicated logically, and its rows cannot be
//! updated or deleted one at a time by most ORMs.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule};
use crate::schema::{Change, ConstraintKind, Event};

pub struct TableWithoutPrimaryKey;

impl Rule for TableWithoutPrimaryKey {
    fn code(&self) -> Code {
        Code::TableWithoutPrimaryKey
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::CreateTable {
            table,
            constraints,
            columns,
            ..
        } = &ev.change
        else {
            return None;
        };
        if columns.is_empty() || constraints.iter().any(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. })) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("table {table} is created without a primary key"),
            "add a primary key (a surrogate `id` column, or the natural key's columns)",
        ))
    }
}
