//! Atlas versioned migrations: `{version}_{name}.sql` files in order, forward-only, with
//! an `atlas.sum` integrity file that must match the folder, and `-- atlas:txmode`
//! directives.

use base64::Engine;
use sha2::{Digest, Sha256};

use super::{FolderFile, Layout, Migration, Section, lines_with_offsets, parse_dotted_version, split_name};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub struct Atlas;

/// The value of `-- atlas:<name> <value>` in the file's leading comment block.
fn directive<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let Some(c) = t.strip_prefix("--") else { break };
        if let Some(v) = c.trim_start().strip_prefix("atlas:").and_then(|r| r.strip_prefix(name)) {
            return Some(v.trim());
        }
    }
    None
}

/// Atlas's `NewHashFile`: a running SHA-256 over each file's name and bytes, in name order;
/// each file's hash is the running sum after it. Returns (total, per-file).
pub fn hash_folder(files: &[(&str, &str)]) -> (String, Vec<(String, String)>) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut h = Sha256::new();
    let mut per_file = Vec::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        if directive(text, "sum").is_some_and(|v| v == "ignore") {
            continue;
        }
        h.update(text.as_bytes());
        per_file.push((name.to_string(), b64.encode(h.clone().finalize())));
    }
    (sum_of(&per_file), per_file)
}

/// The `atlas.sum` Atlas writes for these files (in name order): the total, then one line
/// per file.
pub fn sum_file(files: &[(&str, &str)]) -> String {
    let (total, per_file) = hash_folder(files);
    let mut out = format!("h1:{total}\n");
    for (name, hash) in per_file {
        out.push_str(&format!("{name} h1:{hash}\n"));
    }
    out
}

fn sum_of(entries: &[(String, String)]) -> String {
    let mut total = Sha256::new();
    for (n, hash) in entries {
        total.update(n.as_bytes());
        total.update(hash.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(total.finalize())
}

fn verify_sum(sum: &FolderFile, sql: &[&FolderFile], diags: &mut Vec<Diagnostic>) {
    let text = sum.text();
    let path = &sum.file.path;
    let mut recorded: Vec<(String, String, Span)> = Vec::new();
    let mut total: Option<(String, Span)> = None;
    for (at, line) in lines_with_offsets(text) {
        let span = Span::new(at, at + line.len());
        if line.trim().is_empty() {
            continue;
        }
        if total.is_none() {
            total = Some((line.trim().trim_start_matches("h1:").to_string(), span));
            continue;
        }
        match line.split_once(" h1:") {
            Some((n, h)) => recorded.push((n.trim().to_string(), h.trim().to_string(), span)),
            None => diags.push(
                Diagnostic::new(Code::AtlasSumMismatch, format!("{path}: line is not `<file> h1:<hash>`"))
                    .at(path, span)
                    .help("regenerate the file with `atlas migrate hash`"),
            ),
        }
    }
    let mut names: Vec<(&str, &str)> = sql.iter().map(|f| (f.name(), f.text())).collect();
    names.sort();
    let (_, computed) = hash_folder(&names);
    let recorded_pairs: Vec<(String, String)> = recorded.iter().map(|(n, h, _)| (n.clone(), h.clone())).collect();
    if let Some((t, span)) = &total
        && *t != sum_of(&recorded_pairs)
    {
        diags.push(
            Diagnostic::new(
                Code::AtlasSumMismatch,
                format!("{path}: the total sum does not match the file lines (edited by hand?)"),
            )
            .at(path, *span)
            .help("regenerate the file with `atlas migrate hash`"),
        );
    }
    // The hash runs through the files in order, so after the first difference every later
    // hash differs too: name added and removed files, and the first edited one.
    let mut changed = Vec::new();
    let mut explained = false;
    let mut all: Vec<&str> = computed
        .iter()
        .map(|c| c.0.as_str())
        .chain(recorded.iter().map(|r| r.0.as_str()))
        .collect();
    all.sort();
    all.dedup();
    for n in all {
        let now = computed.iter().find(|c| c.0 == n);
        let then = recorded.iter().find(|r| r.0 == n);
        match (now, then) {
            (Some(_), None) => {
                changed.push(format!("{n} was added"));
                explained = true;
            }
            (None, Some(_)) => {
                changed.push(format!("{n} was removed"));
                explained = true;
            }
            (Some(c), Some(r)) if c.1 != r.1 && !explained => {
                changed.push(format!("{n} was edited"));
                explained = true;
            }
            _ => {}
        }
    }
    if !changed.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::AtlasSumMismatch,
                format!("{path} does not match the folder: {}", changed.join("; ")),
            )
            .at(path, total.map_or(Span::empty(0), |t| t.1))
            .help("Atlas refuses to run a folder whose files changed after `atlas migrate hash`; if the change is intended, run it again"),
        );
    }
}

/// Atlas's `golang-migrate` dir format (`--dir-format golang-migrate`, what ent writes):
/// `{version}_{name}.up.sql` / `.down.sql` pairs, of which Atlas reads only the `.up.sql`
/// files, in name order (sqltool's `GolangMigrateDir`).
fn is_golang_migrate_format(sql: &[&FolderFile]) -> bool {
    sql.iter().any(|f| f.name().ends_with(".up.sql"))
}

/// Whether Atlas runs the file in a transaction (`-- atlas:txmode`).
fn transactional(file: &crate::source::SourceFile, diags: &mut Vec<Diagnostic>) -> bool {
    match directive(&file.text, "txmode") {
        None | Some("file") | Some("all") => true,
        Some("none") => false,
        Some(other) => {
            diags.push(
                Diagnostic::new(Code::InvalidMetadata, format!("{}: unknown `atlas:txmode {other}`", file.path))
                    .at(&file.path, Span::empty(0))
                    .help("Atlas knows txmode none, file and all"),
            );
            true
        }
    }
}

impl Layout for Atlas {
    fn name(&self) -> &'static str {
        "atlas"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        files.iter().any(|f| f.rel == "atlas.sum")
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        let sql: Vec<&FolderFile> = files.iter().filter(|f| f.dir().is_empty() && f.rel.ends_with(".sql")).collect();
        let golang_migrate = is_golang_migrate_format(&sql);
        if let Some(sum) = files.iter().find(|f| f.rel == "atlas.sum") {
            // In that format Atlas's migration files, and so its atlas.sum, are the `.up.sql` only.
            let summed: Vec<&FolderFile> = sql
                .iter()
                .copied()
                .filter(|f| !golang_migrate || f.name().ends_with(".up.sql"))
                .collect();
            verify_sum(sum, &summed, diags);
        }
        if golang_migrate {
            // The `.down.sql` files are golang-migrate's way back: kept as each migration's down.
            let mut out = super::read_pairs(files, "atlas", false, |_| true, diags);
            for m in &mut out {
                m.transactional = m.transactional && transactional(m.file, diags);
            }
            return out;
        }
        let mut out = Vec::new();
        for f in sql {
            let stem = f.name().trim_end_matches(".sql");
            let (version, title) = split_name(stem);
            let key = match parse_dotted_version(version) {
                Ok(k) => k,
                Err(why) => {
                    diags.push(super::bad_version(f, version, &why));
                    continue;
                }
            };
            out.push(Migration {
                version: version.to_string(),
                key,
                title: title.to_string(),
                file: f.file,
                up: Some(Section::whole(f)),
                down: None,
                parents: None,
                transactional: transactional(f.file, diags) && !super::no_transaction_marker(&f.file.text),
                repeatable: false,
                forward_only: true,
            });
        }
        out
    }
    fn no_transaction_hint(&self) -> &'static str {
        "add `-- atlas:txmode none` at the top of the file (followed by a blank line) so Atlas runs it outside a transaction"
    }
    fn version_key(&self, version: &str) -> Option<super::VersionKey> {
        parse_dotted_version(version).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_hash_changes_every_later_entry() {
        let (total, files) = hash_folder(&[("1_a.sql", "CREATE TABLE a (x int);\n"), ("2_b.sql", "DROP TABLE a;\n")]);
        let (total2, files2) = hash_folder(&[("1_a.sql", "CREATE TABLE a (y int);\n"), ("2_b.sql", "DROP TABLE a;\n")]);
        assert_ne!(files[1].1, files2[1].1);
        assert_ne!(total, total2);
        assert_eq!(files[0].1.len(), 44); // base64 of 32 bytes
    }

    #[test]
    fn golang_migrate_format_sums_and_runs_the_up_files_only() {
        use crate::source::SourceFile;
        let up = "CREATE TABLE a (x int);\n";
        let sum = sum_file(&[("1_a.up.sql", up)]);
        let sources = [
            SourceFile::new("1_a.up.sql", up),
            SourceFile::new("1_a.down.sql", "DROP TABLE a;\n"),
            SourceFile::new("atlas.sum", sum),
        ];
        let view: Vec<FolderFile> = sources
            .iter()
            .map(|f| FolderFile {
                rel: &f.path,
                file: f,
                too_large: false,
            })
            .collect();
        let mut diags = Vec::new();
        let migs = Atlas.read(&view, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(migs.len(), 1);
        assert_eq!(migs[0].version, "1");
        assert_eq!(migs[0].title, "a");
        assert_eq!(migs[0].down.as_ref().map(|d| d.file.path.as_str()), Some("1_a.down.sql"));
    }
}
