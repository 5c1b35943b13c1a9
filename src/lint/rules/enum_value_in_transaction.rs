//! `ALTER TYPE ... ADD VALUE` cannot run in a transaction block before PostgreSQL 12, and
//! from 12 the new value cannot be used until that transaction commits.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, Event};

pub struct EnumValueInTransaction;

impl Rule for EnumValueInTransaction {
    fn code(&self) -> Code {
        Code::EnumValueInTransaction
    }

    /// Refused before PostgreSQL 12.
    fn tier(&self) -> Tier {
        Tier::Default
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        let Change::AddTypeValue { name, value } = &ev.change else {
            return None;
        };
        let since = cx.ddl.enum_add_value_in_tx_since?;
        if !ev.in_transaction {
            return None;
        }
        let help = "run it in an autocommit block (`with op.get_context().autocommit_block():`), or in a migration that is not run in a transaction";
        match cx.older_than(since) {
            Some(false) => None,
            Some(true) => Some(
                cx.finding(
                    ev,
                    self.code(),
                    format!("ALTER TYPE {name} ADD VALUE '{value}' runs inside a transaction block, which the target server refuses"),
                    help,
                )
                .severity(crate::codes::Severity::Error),
            ),
            None => Some(cx.finding(
                ev,
                self.code(),
                format!(
                    "ALTER TYPE {name} ADD VALUE '{value}' runs inside a transaction block: it fails before {}, and from then on the value cannot be used until the transaction commits",
                    crate::lint::version_text(cx.dialect, since)
                ),
                help,
            )),
        }
    }
}
