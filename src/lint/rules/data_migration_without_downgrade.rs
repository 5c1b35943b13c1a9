//! An upgrade that changes existing rows whose downgrade only reverses the schema leaves
//! the data in the upgraded shape after a rollback.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{RevisionCx, Rule, Tier};
use crate::schema::{Change, DataVerb, key};

pub struct DataMigrationWithoutDowngrade;

impl Rule for DataMigrationWithoutDowngrade {
    fn code(&self) -> Code {
        Code::DataMigrationWithoutDowngrade
    }

    /// Reversibility hygiene: the upgrade itself is fine.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check_revision(&self, r: &RevisionCx) -> Vec<Diagnostic> {
        // Columns this upgrade adds: filling them (the usual backfill) changes no data the
        // downgrade must give back, since it drops them again.
        let added = |table: &str, col: &str| {
            r.up.iter().any(|e| {
                matches!(&e.change, Change::AddColumn { table: t, column, .. }
                    if key(t) == key(table) && column.name.eq_ignore_ascii_case(col))
            })
        };
        let data = r.up.iter().find(|e| match &e.change {
            Change::Data {
                verb, table, set_columns, ..
            } => {
                let backfill = *verb == DataVerb::Update
                    && !set_columns.is_empty()
                    && table.as_deref().is_some_and(|t| set_columns.iter().all(|c| added(t, c)));
                matches!(verb, DataVerb::Update | DataVerb::Delete | DataVerb::Insert)
                    && table.as_deref().is_none_or(|t| (r.existing_before)(t))
                    && !backfill
            }
            _ => false,
        });
        let Some(data) = data else {
            return Vec::new();
        };
        if !r.revision.downgrade.present || r.revision.downgrade.empty || r.down.is_empty() {
            return Vec::new(); // missing-downgrade / empty-downgrade say it already
        }
        if r.down
            .iter()
            .any(|e| matches!(e.change, Change::Data { .. } | Change::Opaque { .. }))
        {
            return Vec::new();
        }
        vec![
            Diagnostic::new(
                self.code(),
                format!("revision {} changes existing rows but its downgrade changes no data", r.revision.id),
            )
            .at(&*data.file, data.span)
            .help("write the reverse data change in downgrade(), or mark it `# migplan: irreversible` and say why"),
        ]
    }
}
