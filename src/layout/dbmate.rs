//! dbmate: one `{version}_{name}.sql` file per migration with `-- migrate:up` and
//! `-- migrate:down` sections; `transaction:false` on a section line runs that section
//! outside a transaction.

use super::{FolderFile, Layout, Migration, Section, int_key, line_end, lines_with_offsets, split_name, unrecognized};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub struct Dbmate;

/// A `-- migrate:up` / `-- migrate:down` line: (is_up, options).
fn marker(line: &str) -> Option<(bool, &str)> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start();
    if let Some(opts) = rest.strip_prefix("migrate:up") {
        return Some((true, opts.trim()));
    }
    rest.strip_prefix("migrate:down").map(|opts| (false, opts.trim()))
}

/// What the real dbmate (2.x) refuses in a file migplan could otherwise read: it sends each
/// section to the server as one query, so the mysql client's `DELIMITER` command reaches the
/// server as SQL (ERROR 1064); and it requires a `-- migrate:down` block in every migration.
fn refusals(f: &FolderFile, text: &str, has_down: bool, diags: &mut Vec<Diagnostic>) {
    let path = &f.file.path;
    if !has_down {
        diags.push(
            Diagnostic::new(
                Code::ToolRefusesMigration,
                format!("{path} has no `-- migrate:down` line; dbmate refuses to run it (\"dbmate requires each migration to define a down block\")"),
            )
            .at(path, Span::empty(0))
            .help("add a `-- migrate:down` line, with nothing after it if the migration cannot be undone"),
        );
    }
    for (at, line) in lines_with_offsets(text) {
        let word = line.split_whitespace().next().unwrap_or("");
        if word.eq_ignore_ascii_case("DELIMITER") {
            diags.push(
                Diagnostic::new(
                    Code::ToolRefusesMigration,
                    format!("{path}: `DELIMITER` is a command of the mysql client, not SQL; dbmate sends the section to the server as one query, which rejects it"),
                )
                .at(path, Span::new(at, line_end(text, at)))
                .help("remove the DELIMITER lines and end the routine with `END;`: sent as one query, `CREATE PROCEDURE … BEGIN … END;` is one statement to the server"),
            );
            // One per file: the first one already stops dbmate.
            break;
        }
    }
}

impl Layout for Dbmate {
    fn name(&self) -> &'static str {
        "dbmate"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        files
            .iter()
            .any(|f| f.dir().is_empty() && f.rel.ends_with(".sql") && f.text().lines().any(|l| marker(l).is_some_and(|m| m.0)))
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        let mut out = Vec::new();
        for f in files.iter().filter(|f| f.dir().is_empty() && f.rel.ends_with(".sql")) {
            let stem = f.name().trim_end_matches(".sql");
            let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                diags.push(unrecognized(f, "dbmate", "{version}_{name}.sql, the version digits"));
                continue;
            }
            let version = &stem[..digits];
            let Some(key) = int_key(f, version, diags) else { continue };
            let text = f.text();
            // (is_up, marker line start, body start, options)
            let marks: Vec<(bool, usize, usize, &str)> = lines_with_offsets(text)
                .filter_map(|(at, l)| marker(l).map(|(up, o)| (up, at, line_end(text, at), o)))
                .collect();
            let Some(up_idx) = marks.iter().position(|m| m.0) else {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidMetadata,
                        format!("{} has no `-- migrate:up` line; dbmate refuses to run it", f.file.path),
                    )
                    .at(&f.file.path, Span::empty(0))
                    .help("start the up statements with a `-- migrate:up` line and the down ones with `-- migrate:down`"),
                );
                continue;
            };
            let section = |i: usize| {
                let end = marks.get(i + 1).map_or(text.len(), |m| m.1);
                Section::range(f, Span::new(marks[i].2, end.max(marks[i].2)))
            };
            let transactional = !marks[up_idx].3.contains("transaction:false");
            for (_, at, _, opts) in &marks {
                for opt in opts.split_whitespace() {
                    if !matches!(opt, "transaction:true" | "transaction:false") {
                        diags.push(
                            Diagnostic::new(Code::InvalidMetadata, format!("{}: unknown dbmate option `{opt}`", f.file.path))
                                .at(&f.file.path, Span::new(*at, line_end(text, *at)))
                                .help("dbmate knows `transaction:false` (and `transaction:true`)"),
                        );
                    }
                }
            }
            let down_idx = marks.iter().position(|m| !m.0);
            refusals(f, text, down_idx.is_some(), diags);
            let (_, title) = split_name(stem);
            // dbmate reads the option per section; migplan takes the up section's for the
            // migration (a down with a different setting is rare).
            out.push(Migration::ordered(
                version,
                key,
                title,
                f.file,
                Some(section(up_idx)),
                down_idx.map(section),
                transactional,
            ));
        }
        out
    }
    fn no_transaction_hint(&self) -> &'static str {
        "write `-- migrate:up transaction:false` so dbmate runs this migration outside a transaction"
    }
}
