//! `SET NOT NULL` scans the whole table under an exclusive lock to prove no row is null.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct SettingNotNull;

impl Rule for SettingNotNull {
    fn code(&self) -> Code {
        Code::SettingNotNull
    }

    /// Scans the table under an exclusive lock.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AlterColumn {
            table,
            column,
            nullable: Some(false),
            ..
        } = &ev.change
        else {
            return None;
        };
        if !cx.ddl.set_not_null_scans || !cx.is_existing(table) {
            return None;
        }
        let was_nullable = cx.schema.table(table).and_then(|t| t.column(column)).is_none_or(|c| c.nullable);
        if !was_nullable {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!("column {table}.{column} is set NOT NULL on an existing table: the whole table is scanned under an exclusive lock"),
            "add `CHECK (column IS NOT NULL) NOT VALID`, validate it, then SET NOT NULL (the check lets it skip the scan) and drop the check",
        ))
    }
}
