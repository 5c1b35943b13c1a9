//! `ALTER TABLE ... RENAME COLUMN` does not exist before MySQL 8.0 (MariaDB 10.5); older
//! servers need `CHANGE old new <full definition>`.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct RenameColumnUnsupported;

impl Rule for RenameColumnUnsupported {
    fn code(&self) -> Code {
        Code::RenameColumnUnsupported
    }

    /// The server refuses it.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let since = cx.ddl.rename_column_since?;
        if !ev.from_sql || cx.older_than(since) != Some(true) {
            return None;
        }
        let Change::AlterColumn {
            table,
            column,
            rename: Some(new),
            type_: None,
            ..
        } = &ev.change
        else {
            return None;
        };
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "RENAME COLUMN {table}.{column} to {new} needs {} or later",
                crate::lint::version_text(cx.dialect, since)
            ),
            "use `ALTER TABLE ... CHANGE old new <type and options>`, or raise the target version",
        ))
    }
}
