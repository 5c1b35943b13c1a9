//! Plan-aware lint rules: each rule reads one schema change (or one whole revision) with
//! the schema as it stands at that point, so a table created earlier in the same plan is
//! known to be new and locks nothing.
//!
//! A rule is one file in `rules/` plus its code in `crate::codes`, its fixture under
//! `tests/rules/` and its entry in docs/rules.md.

pub mod config;
pub mod rules;
pub mod suppress;

use std::collections::BTreeSet;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::dialect::{DdlBehaviour, Dialect};
use crate::model::Revision;
use crate::schema::{Event, Schema, key};

/// What a rule sees of one change.
pub struct Cx<'a> {
    pub dialect: &'a dyn Dialect,
    pub ddl: DdlBehaviour,
    /// The target server's version (`--pg-version` / `--mysql-version`), when given.
    pub server_version: Option<(u32, u32)>,
    /// The schema just before this change.
    pub schema: &'a Schema,
    /// Tables created by this plan so far (schema keys): changing them locks nothing
    /// anyone is using.
    pub new_tables: &'a BTreeSet<String>,
    /// A lock or statement timeout is in effect (set earlier in the migration or in env.py).
    pub timeout_set: bool,
    pub revision: &'a Revision,
}

impl Cx<'_> {
    /// The table exists and was not created by this plan: other sessions are using it.
    pub fn is_existing(&self, table: &str) -> bool {
        !self.new_tables.contains(&key(table)) && self.schema.table(table).is_some()
    }

    /// A finding at the change's location.
    pub fn finding(&self, ev: &Event, code: Code, message: String, help: &str) -> Diagnostic {
        Diagnostic::new(code, message).at(&*ev.file, ev.span).help(help)
    }

    /// Whether the server is known to be older than `v`.
    pub fn older_than(&self, v: (u32, u32)) -> Option<bool> {
        self.server_version.map(|s| s < v)
    }
}

/// What a revision-level rule sees.
pub struct RevisionCx<'a> {
    pub dialect: &'a dyn Dialect,
    pub ddl: DdlBehaviour,
    pub revision: &'a Revision,
    pub up: &'a [Event],
    pub down: &'a [Event],
    /// Tables that existed before this revision and were not created by this plan.
    pub existing_before: &'a dyn Fn(&str) -> bool,
    /// env.py (or the runner) sets a lock timeout for every migration.
    pub timeout_in_env: bool,
}

/// Which preset turns a rule on. `Default` rules fire where a migration will likely fail,
/// lose data or lock a busy table for long; `Strict` rules are style and hygiene. The split
/// is measured on the corpus (docs/rules.md shows each rule's rate; tests/rules.rs keeps a
/// default rule from firing on a large share of healthy migrations).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    #[default]
    Default,
    Strict,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Default => "default",
            Tier::Strict => "strict",
        }
    }

    pub fn from_name(s: &str) -> Option<Tier> {
        match s {
            "default" => Some(Tier::Default),
            "strict" => Some(Tier::Strict),
            _ => None,
        }
    }
}

pub trait Rule: Sync {
    fn code(&self) -> Code;
    /// The preset that turns the rule on (no default: each rule states it).
    fn tier(&self) -> Tier;
    /// A finding about one change of an upgrade.
    fn check(&self, _ev: &Event, _cx: &Cx) -> Option<Diagnostic> {
        None
    }
    /// Findings about a revision as a whole.
    fn check_revision(&self, _r: &RevisionCx) -> Vec<Diagnostic> {
        Vec::new()
    }
}

/// The database's name as its users write it.
pub fn product_name(d: &dyn Dialect) -> &'static str {
    d.product_name()
}

/// A server version as its users write it: `PostgreSQL 12` (one number from 10 on),
/// `MySQL 8.0`.
pub fn version_text(d: &dyn Dialect, v: (u32, u32)) -> String {
    if d.name() == "postgresql" && v.0 >= 10 {
        format!("{} {}", product_name(d), v.0)
    } else {
        format!("{} {}.{}", product_name(d), v.0, v.1)
    }
}

/// Every rule, in documentation order.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// The rule of a code, if it is one.
pub fn rule_of(code: Code) -> Option<&'static dyn Rule> {
    all_rules().iter().copied().find(|r| r.code() == code)
}

/// Whether a code is one of the lint rules.
pub fn is_rule(code: Code) -> bool {
    all_rules().iter().any(|r| r.code() == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{mysql::MySQL, postgresql::PostgreSQL};

    #[test]
    fn names_versions_as_users_write_them() {
        assert_eq!(version_text(&PostgreSQL, (12, 0)), "PostgreSQL 12");
        assert_eq!(version_text(&PostgreSQL, (9, 6)), "PostgreSQL 9.6");
        assert_eq!(version_text(&MySQL, (8, 0)), "MySQL 8.0");
    }
}
