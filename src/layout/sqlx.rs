//! sqlx: `{version}_{description}.sql` (irreversible) or `.up.sql` + `.down.sql`
//! (reversible). Each migration runs in a transaction unless its first line is
//! `-- no-transaction`.

use super::{FolderFile, Layout, Migration, read_pairs};
use crate::diagnostic::Diagnostic;

pub struct Sqlx;

fn no_transaction(f: &FolderFile) -> bool {
    f.text().lines().next().is_some_and(|l| l.trim() == "-- no-transaction")
}

impl Layout for Sqlx {
    fn name(&self) -> &'static str {
        "sqlx"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        files.iter().any(|f| {
            f.dir().is_empty()
                && f.rel.ends_with(".sql")
                && f.name()
                    .split('_')
                    .next()
                    .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        })
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        read_pairs(files, self.name(), true, |f| !no_transaction(f), diags)
    }
    fn no_transaction_hint(&self) -> &'static str {
        "make `-- no-transaction` the first line of the file so sqlx runs it outside a transaction"
    }
}
