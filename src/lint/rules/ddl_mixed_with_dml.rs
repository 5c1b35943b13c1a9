//! On databases where DDL commits implicitly, a migration that mixes schema changes and
//! data changes is not atomic: a failure leaves it half applied and unrecorded.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{RevisionCx, Rule, Tier};
use crate::schema::Change;

pub struct DdlMixedWithDml;

impl Rule for DdlMixedWithDml {
    fn code(&self) -> Code {
        Code::DdlMixedWithDml
    }

    /// Atomicity hygiene: the migration runs fine unless it fails half-way.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check_revision(&self, r: &RevisionCx) -> Vec<Diagnostic> {
        if !r.ddl.ddl_commits_implicitly {
            return Vec::new();
        }
        let has_ddl = r.up.iter().any(|e| e.change.is_ddl());
        let dml = r.up.iter().find(|e| matches!(e.change, Change::Data { .. }));
        let (true, Some(dml)) = (has_ddl, dml) else {
            return Vec::new();
        };
        vec![
            Diagnostic::new(
                self.code(),
                format!(
                    "revision {} mixes schema changes and data changes; {} commits each DDL statement, so a failure leaves it half applied",
                    r.revision.id,
                    crate::lint::product_name(r.dialect)
                ),
            )
            .at(&*dml.file, dml.span)
            .help("put the data change in its own migration, so each one either fully applies or can be rerun"),
        ]
    }
}
