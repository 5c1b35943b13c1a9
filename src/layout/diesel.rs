//! diesel: one folder per migration, `{version}_{name}/up.sql` + `down.sql`, the version
//! usually a timestamp (`2024-01-05-103000`, stored without dashes); `metadata.toml` may set
//! `run_in_transaction = false`.

use super::{FolderFile, Layout, Migration, Section, VersionKey, split_name};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub struct Diesel;

/// diesel's `version_from_string`: the folder name up to its first `_`, dashes removed.
/// Any text is a version (`2024-12-05-110700-payment_id` → `20241205110700payment`).
pub fn version_of(folder: &str) -> String {
    folder.split('_').next().unwrap_or("").replace('-', "")
}

/// The name shown for a folder: what follows its dashed timestamp, so that
/// `2024-12-05-110700-payment_id` reads as `payment_id` (diesel itself shows the folder name).
fn title_of(folder: &str) -> &str {
    let rest = folder.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
    if rest.len() == folder.len() {
        return split_name(folder).1;
    }
    rest.strip_prefix(['_', '-']).unwrap_or(rest)
}

/// diesel orders migrations by `MigrationVersion`, a string: byte order, not numeric
/// (`2023100610000` sorts between `20230620134300` and `20231103161500`).
fn key_of(version: &str) -> VersionKey {
    VersionKey::Text(version.to_string())
}

/// Migration folders: the directories directly holding an `up.sql` (diesel skips hidden ones).
pub fn migration_dirs<'a>(files: &[FolderFile<'a>]) -> Vec<&'a str> {
    let mut dirs: Vec<&str> = files
        .iter()
        .filter(|f| f.name() == "up.sql" && !f.dir().is_empty() && !f.dir().contains('/') && !f.dir().starts_with('.'))
        .map(|f| f.dir())
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

fn run_in_transaction(meta: Option<&FolderFile>, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(meta) = meta else { return true };
    match meta.text().parse::<toml::Table>() {
        Ok(t) => match t.get("run_in_transaction") {
            None => true,
            Some(toml::Value::Boolean(b)) => *b,
            Some(_) => {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidMetadata,
                        format!("{}: `run_in_transaction` must be true or false", meta.file.path),
                    )
                    .at(&meta.file.path, Span::empty(0)),
                );
                true
            }
        },
        Err(e) => {
            let span = e.span().map_or(Span::empty(0), |r| Span::new(r.start, r.end));
            diags.push(
                Diagnostic::new(
                    Code::InvalidMetadata,
                    format!("{} is not valid TOML: {}", meta.file.path, e.message()),
                )
                .at(&meta.file.path, span)
                .help("diesel fails to read this migration's metadata"),
            );
            true
        }
    }
}

impl Layout for Diesel {
    fn name(&self) -> &'static str {
        "diesel"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        !migration_dirs(files).is_empty()
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        let mut out = Vec::new();
        for dir in migration_dirs(files) {
            let get = |name: &str| files.iter().find(|f| f.dir() == dir && f.name() == name);
            let Some(up) = get("up.sql") else { continue };
            let title = title_of(dir);
            let version = version_of(dir);
            out.push(Migration {
                key: key_of(&version),
                version,
                title: title.to_string(),
                file: up.file,
                up: Some(Section::whole(up)),
                down: get("down.sql").map(Section::whole),
                parents: None,
                transactional: run_in_transaction(get("metadata.toml"), diags),
                repeatable: false,
                forward_only: false,
            });
        }
        out
    }
    fn no_transaction_hint(&self) -> &'static str {
        "add `run_in_transaction = false` to the migration's metadata.toml"
    }
    fn version_key(&self, version: &str) -> Option<VersionKey> {
        Some(key_of(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn versions_are_diesels() {
        assert_eq!(version_of("2024-01-05-103000_create_users"), "20240105103000");
        assert_eq!(version_of("2022-12-07-110000"), "20221207110000");
        assert_eq!(version_of("2024-12-05-110700-payment_id"), "20241205110700payment");
        assert_eq!(version_of("2023-10-06-10000_drop_mmr"), "2023100610000");
        assert_eq!(title_of("2024-12-05-110700-payment_id"), "payment_id");
        assert_eq!(title_of("2022-12-07-110000"), "");
        assert_eq!(title_of("v1_users"), "users");
    }

    #[test]
    fn folders_order_as_text() {
        let names = [
            "2023-11-03-161500_b/up.sql",
            "2023-10-06-10000_drop/up.sql",
            "2023-06-20-134300_a/up.sql",
            "2024-12-05-110700-payment_id/up.sql",
            "2024-05-13-101400_c/up.sql",
            ".git/up.sql",
        ];
        let sources: Vec<SourceFile> = names.iter().map(|n| SourceFile::new(*n, "SELECT 1;")).collect();
        let view: Vec<FolderFile> = sources
            .iter()
            .map(|f| FolderFile {
                rel: &f.path,
                file: f,
                too_large: false,
            })
            .collect();
        let mut diags = Vec::new();
        let mut migs = Diesel.read(&view, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        migs.sort_by(|a, b| a.key.cmp(&b.key));
        let order: Vec<&str> = migs.iter().map(|m| m.version.as_str()).collect();
        assert_eq!(
            order,
            [
                "20230620134300",
                "2023100610000",
                "20231103161500",
                "20240513101400",
                "20241205110700payment"
            ]
        );
    }
}
