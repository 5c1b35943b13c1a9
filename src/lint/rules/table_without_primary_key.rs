//! A table without a primary key cannot be replicated logically, and its rows cannot be
//! updated or deleted one at a time by most ORMs. A key added later in the same migration
//! counts.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{RevisionCx, Rule, Tier};
use crate::schema::{Change, ConstraintKind, key};

pub struct TableWithoutPrimaryKey;

impl Rule for TableWithoutPrimaryKey {
    fn code(&self) -> Code {
        Code::TableWithoutPrimaryKey
    }

    /// Schema hygiene.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check_revision(&self, r: &RevisionCx) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (i, ev) in r.up.iter().enumerate() {
            let Change::CreateTable {
                table,
                constraints,
                columns,
                ..
            } = &ev.change
            else {
                continue;
            };
            if columns.is_empty() || constraints.iter().any(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. })) {
                continue;
            }
            let added_later = r.up[i + 1..].iter().any(|e| {
                matches!(&e.change, Change::AddConstraint { table: t, constraint }
                    if key(t) == key(table) && matches!(constraint.kind, ConstraintKind::PrimaryKey { .. }))
            });
            if added_later {
                continue;
            }
            out.push(
                Diagnostic::new(self.code(), format!("table {table} is created without a primary key"))
                    .at(&*ev.file, ev.span)
                    .help("add a primary key (a surrogate `id` column, or the natural key's columns)"),
            );
        }
        out
    }
}
