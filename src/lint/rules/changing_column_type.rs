//! Changing a column's type rewrites the table (and its indexes) under an exclusive lock,
//! except for the changes PostgreSQL makes in the catalog only: widening a VARCHAR or
//! turning it into TEXT, and raising a NUMERIC's precision (same scale) or dropping it.

use super::{is_text, numeric_args, varchar_len};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct ChangingColumnType;

impl Rule for ChangingColumnType {
    fn code(&self) -> Code {
        Code::ChangingColumnType
    }

    /// Rewrites the table under an exclusive lock.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AlterColumn {
            table,
            column,
            type_: Some(new),
            existing_type,
            ..
        } = &ev.change
        else {
            return None;
        };
        if !cx.is_existing(table) {
            return None;
        }
        let old = cx
            .schema
            .table(table)
            .and_then(|t| t.column(column))
            .map(|c| c.type_.clone())
            .or_else(|| existing_type.clone());
        if let Some(old) = &old {
            if crate::schema::same_type(old, new) {
                return None;
            }
            // Widening is a catalog change; narrowing has its own rule.
            if varchar_len(old).is_some() && (is_text(new) || varchar_len(new).is_some()) {
                return None;
            }
            if let (Some(a), Some(b)) = (numeric_args(old), numeric_args(new)) {
                let widens = match (a, b) {
                    (_, None) => true,
                    (Some((p1, s1)), Some((p2, s2))) => s1 == s2 && p2 >= p1,
                    (None, Some(_)) => false,
                };
                if widens {
                    return None;
                }
            }
        }
        let from = old.map(|o| format!(" from {o}")).unwrap_or_default();
        Some(cx.finding(
            ev,
            self.code(),
            format!("column {table}.{column} changes type{from} to {new}: the table is rewritten under an exclusive lock"),
            "add a new column, backfill it in batches, switch the application, then drop the old column",
        ))
    }
}
