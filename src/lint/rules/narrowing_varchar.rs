//! Shortening a VARCHAR fails on any longer value already stored, and rewrites the table.

use super::varchar_len;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct NarrowingVarchar;

impl Rule for NarrowingVarchar {
    fn code(&self) -> Code {
        Code::NarrowingVarchar
    }

    /// Fails on longer stored values.
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
        let old = cx
            .schema
            .table(table)
            .and_then(|t| t.column(column))
            .map(|c| c.type_.clone())
            .or_else(|| existing_type.clone())?;
        let (Some(a), Some(b)) = (varchar_len(&old), varchar_len(new)) else {
            return None;
        };
        if b >= a || !cx.is_existing(table) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("column {table}.{column} narrows from {old} to {new}: values longer than {b} make it fail"),
            "check the longest stored value first; prefer a CHECK (char_length(...) <= n) constraint added NOT VALID",
        ))
    }
}
