//! A migration that changes many existing tables at once is hard to review, to roll back
//! and to deploy; one migration per feature keeps each change small.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::lint::{RevisionCx, Rule, Tier};
use crate::schema::Change;

/// More existing tables than this in one migration is a finding.
const MAX_TABLES: usize = 5;

pub struct TooManyTables;

impl Rule for TooManyTables {
    fn code(&self) -> Code {
        Code::TooManyTables
    }

    /// Review hygiene.
    fn tier(&self) -> Tier {
        Tier::Strict
    }

    fn check_revision(&self, r: &RevisionCx) -> Vec<Diagnostic> {
        let mut tables: Vec<String> = Vec::new();
        let mut first = None;
        for e in r.up {
            if matches!(e.change, Change::CreateTable { .. }) || !e.change.is_ddl() {
                continue;
            }
            if let Some(t) = e.change.table()
                && (r.existing_before)(t)
                && !tables.iter().any(|x| x.eq_ignore_ascii_case(t))
            {
                tables.push(t.to_string());
                first.get_or_insert(e);
            }
        }
        if tables.len() <= MAX_TABLES {
            return Vec::new();
        }
        // At the first change to an existing table.
        let at = first.map(|e| (e.file.clone(), e.span));
        let d = Diagnostic::new(
            self.code(),
            format!(
                "revision {} changes {} existing tables ({})",
                r.revision.id,
                tables.len(),
                tables.join(", ")
            ),
        )
        .help("split it into one migration per feature, so each can be reviewed, deployed and rolled back on its own");
        vec![match at {
            Some((f, s)) => d.at(&*f, s),
            None => d.in_file(&r.revision.path),
        }]
    }
}
