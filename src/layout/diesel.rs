//! diesel: one folder per migration, `{version}_{name}/up.sql` + `down.sql`, the version
//! a timestamp (`2024-01-05-103000`, stored without dashes); `metadata.toml` may set
//! `run_in_transaction = false`.

use super::{FolderFile, Layout, Migration, Section, parse_int_version, split_name};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub struct Diesel;

/// Migration folders: the directories directly holding an `up.sql`.
pub fn migration_dirs<'a>(files: &[FolderFile<'a>]) -> Vec<&'a str> {
    let mut dirs: Vec<&str> = files
        .iter()
        .filter(|f| f.name() == "up.sql" && !f.dir().is_empty() && !f.dir().contains('/'))
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
            let (raw_version, title) = split_name(dir);
            let version: String = raw_version.chars().filter(|c| *c != '-').collect();
            let key = match parse_int_version(&version) {
                Ok(k) => k,
                Err(why) => {
                    diags.push(super::bad_version(up, raw_version, &why));
                    continue;
                }
            };
            out.push(Migration {
                version,
                key,
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
}
