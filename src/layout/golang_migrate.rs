//! golang-migrate: `{version}_{title}.up.sql` + `{version}_{title}.down.sql`. The tool sends
//! each file as it is and never wraps it in a transaction (files write their own
//! `BEGIN; … COMMIT;`).

use super::{FolderFile, Layout, Migration, read_pairs};
use crate::diagnostic::Diagnostic;

pub struct GolangMigrate;

impl Layout for GolangMigrate {
    fn name(&self) -> &'static str {
        "golang-migrate"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        files
            .iter()
            .any(|f| f.dir().is_empty() && (f.rel.ends_with(".up.sql") || f.rel.ends_with(".down.sql")))
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        read_pairs(files, self.name(), false, |_| false, diags)
    }
    fn no_transaction_hint(&self) -> &'static str {
        "golang-migrate does not wrap files in transactions; remove the BEGIN/COMMIT around this statement"
    }
}
