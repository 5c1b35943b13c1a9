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
        let top = || files.iter().filter(|f| f.dir().is_empty() && f.rel.ends_with(".sql"));
        let pair = |f: &FolderFile| f.rel.ends_with(".up.sql") || f.rel.ends_with(".down.sql");
        // Numbered single files next to the pairs make it an sqlx folder.
        top().any(pair)
            && !top().any(|f| {
                !pair(f)
                    && f.name()
                        .split('_')
                        .next()
                        .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            })
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        read_pairs(files, self.name(), false, |_| false, diags)
    }
    fn no_transaction_hint(&self) -> &'static str {
        "golang-migrate does not wrap files in transactions; remove the BEGIN/COMMIT around this statement"
    }
}
