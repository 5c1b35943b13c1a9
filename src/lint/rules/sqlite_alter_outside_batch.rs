//! SQLite's ALTER TABLE can add, rename and drop columns but not alter them or their
//! constraints; Alembic does those by moving and copying the table in batch mode.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct SqliteAlterOutsideBatch;

impl Rule for SqliteAlterOutsideBatch {
    fn code(&self) -> Code {
        Code::SqliteAlterOutsideBatch
    }

    /// SQLite refuses it.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        if !cx.ddl.limited_alter_table || ev.batch {
            return None;
        }
        let what = match &ev.change {
            Change::AlterColumn {
                table,
                column,
                type_,
                nullable,
                default,
                ..
            } if type_.is_some() || nullable.is_some() || default.is_some() => {
                format!("alter column {table}.{column}")
            }
            Change::AddConstraint { table, constraint } => format!("add a {} to {table}", constraint.kind_name()),
            Change::DropConstraint { table, name, .. } => format!("drop constraint {name} from {table}"),
            _ => return None,
        };
        Some(cx.finding(
            ev,
            self.code(),
            format!("SQLite's ALTER TABLE cannot {what}: the migration fails"),
            "do it inside `with op.batch_alter_table(...) as batch_op:` (Alembic recreates the table), or recreate the table by hand",
        ))
    }
}
