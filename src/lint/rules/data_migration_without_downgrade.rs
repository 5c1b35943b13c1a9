//! An upgrade that changes existing rows whose downgrade only reverses the schema leaves
//! the data in the upgraded shape after a rollback.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{RevisionCx, Rule};
use crate::schema::{Change, DataVerb};

pub struct DataMigrationWithoutDowngrade;

impl Rule for DataMigrationWithoutDowngrade {
    fn code(&self) -> Code {
        Code::DataMigrationWithoutDowngrade
    }

    fn check_revision(&self, r: &RevisionCx) -> Vec<Diagnostic> {
        let data = r.up.iter().find(|e| match &e.change {
            Change::Data { verb, table, .. } => {
                matches!(verb, DataVerb::Update | DataVerb::Delete | DataVerb::Insert)
                    && table.as_deref().is_none_or(|t| (r.existing_before)(t))
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
            .at(&data.file, data.span)
            .help("write the reverse data change in downgrade(), or mark it `# migplan: irreversible` and say why"),
        ]
    }
}
