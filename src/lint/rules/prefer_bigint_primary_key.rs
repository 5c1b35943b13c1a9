//! 32-bit integer primary keys run out at 2.1 billion rows (or sequence values), and
//! widening them later rewrites the table and every referencing one.

use super::is_small_int;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{Cx, Rule, Tier};
use crate::schema::{Change, ConstraintKind, Event};

pub struct PreferBigintPrimaryKey;

impl Rule for PreferBigintPrimaryKey {
    fn code(&self) -> Code {
        Code::PreferBigintPrimaryKey
    }

    /// A type preference.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check(&self, ev: &Event, cx: &Cx) -> Option<Diagnostic> {
        if !cx.ddl.warn_int_primary_keys {
            return None;
        }
        let Change::CreateTable {
            table,
            columns,
            constraints,
            ..
        } = &ev.change
        else {
            return None;
        };
        let pk: Vec<&str> = constraints
            .iter()
            .filter_map(|c| match &c.kind {
                ConstraintKind::PrimaryKey { columns } => Some(columns),
                _ => None,
            })
            .flatten()
            .map(String::as_str)
            .collect();
        if pk.len() != 1 {
            return None;
        }
        let col = columns.iter().find(|c| c.name.eq_ignore_ascii_case(pk[0]))?;
        if !is_small_int(&col.type_) {
            return None;
        }
        Some(cx.finding(
            ev,
            self.code(),
            format!(
                "primary key {table}.{} is {}: 32-bit keys run out at 2,147,483,647",
                col.name, col.type_
            ),
            "use BIGINT (`sa.BigInteger()`, BIGSERIAL or `BIGINT GENERATED ... AS IDENTITY`)",
        ))
    }
}
