//! goose: `{version}_{name}.sql` with `-- +goose Up` / `-- +goose Down` annotations,
//! `-- +goose StatementBegin` … `StatementEnd` around statements that contain semicolons,
//! and `-- +goose NO TRANSACTION`.

use super::{FolderFile, Layout, Migration, Section, int_key, line_end, lines_with_offsets, split_name, unrecognized};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub struct Goose;

/// The annotation of a `-- +goose X` line, upper-cased.
fn annotation(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix("--")?.trim_start().strip_prefix("+goose")?;
    Some(rest.trim().to_ascii_uppercase())
}

impl Layout for Goose {
    fn name(&self) -> &'static str {
        "goose"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        files
            .iter()
            .any(|f| f.dir().is_empty() && f.rel.ends_with(".sql") && f.text().lines().any(|l| annotation(l).is_some_and(|a| a == "UP")))
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        let mut out = Vec::new();
        for f in files.iter().filter(|f| f.dir().is_empty() && f.rel.ends_with(".sql")) {
            let stem = f.name().trim_end_matches(".sql");
            let (version, title) = split_name(stem);
            if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
                diags.push(unrecognized(f, "goose", "{version}_{name}.sql"));
                continue;
            }
            let Some(key) = int_key(f, version, diags) else { continue };
            let text = f.text();
            let mut up: Option<Section> = None;
            let mut down: Option<Section> = None;
            let mut current: Option<bool> = None; // Some(true) up, Some(false) down
            let mut transactional = true;
            let mut region_start = 0;
            let mut block_start: Option<(usize, usize)> = None; // (line start, body start)
            let close = |sec: &mut Option<Section<'a>>, span: Span, whole: bool| {
                if let Some(s) = sec {
                    if !span.range().is_empty() {
                        s.parts.push((span, whole));
                    }
                    s.span = Span::new(s.span.range().start, span.range().end.max(s.span.range().end));
                }
            };
            for (at, line) in lines_with_offsets(text) {
                let Some(a) = annotation(line) else { continue };
                let next = line_end(text, at);
                match a.as_str() {
                    "UP" | "DOWN" => {
                        let sec = if current == Some(true) { &mut up } else { &mut down };
                        if current.is_some() {
                            close(sec, Span::new(region_start, at), false);
                        }
                        current = Some(a == "UP");
                        let fresh = Section {
                            file: f.file,
                            span: Span::new(next, next),
                            parts: Vec::new(),
                        };
                        if a == "UP" {
                            up = Some(fresh);
                        } else {
                            down = Some(fresh);
                        }
                        region_start = next;
                    }
                    "STATEMENTBEGIN" => {
                        let sec = if current == Some(true) { &mut up } else { &mut down };
                        if current.is_some() {
                            close(sec, Span::new(region_start, at), false);
                        }
                        block_start = Some((at, next));
                    }
                    "STATEMENTEND" => match block_start.take() {
                        Some((_, body)) => {
                            let sec = if current == Some(true) { &mut up } else { &mut down };
                            if current.is_some() {
                                close(sec, Span::new(body, at), true);
                            }
                            region_start = next;
                        }
                        None => diags.push(
                            Diagnostic::new(
                                Code::InvalidMetadata,
                                format!("{}: `-- +goose StatementEnd` without a StatementBegin", f.file.path),
                            )
                            .at(&f.file.path, Span::new(at, next))
                            .help("goose fails on this file; pair every StatementEnd with a StatementBegin"),
                        ),
                    },
                    "NO TRANSACTION" => transactional = false,
                    a if a.starts_with("ENVSUB") => {}
                    other => diags.push(
                        Diagnostic::new(
                            Code::InvalidMetadata,
                            format!("{}: unknown goose annotation `+goose {other}`", f.file.path),
                        )
                        .at(&f.file.path, Span::new(at, next))
                        .help("goose knows Up, Down, StatementBegin, StatementEnd, NO TRANSACTION and ENVSUB"),
                    ),
                }
            }
            if let Some((at, _)) = block_start {
                diags.push(
                    Diagnostic::new(
                        Code::UnterminatedSql,
                        format!("{}: `-- +goose StatementBegin` is never ended", f.file.path),
                    )
                    .at(&f.file.path, Span::new(at, line_end(text, at)))
                    .help("add `-- +goose StatementEnd` after the statement"),
                );
            }
            let sec = if current == Some(true) { &mut up } else { &mut down };
            if current.is_some() {
                let from = block_start.map_or(region_start, |b| b.1);
                close(sec, Span::new(from, text.len()), block_start.is_some());
            }
            if up.is_none() {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidMetadata,
                        format!("{} has no `-- +goose Up` annotation; goose refuses it", f.file.path),
                    )
                    .at(&f.file.path, Span::empty(0))
                    .help("start the up statements with `-- +goose Up`"),
                );
                continue;
            }
            out.push(Migration::ordered(version, key, title, f.file, up, down, transactional));
        }
        out
    }
    fn no_transaction_hint(&self) -> &'static str {
        "add `-- +goose NO TRANSACTION` at the top of the file so goose runs it outside a transaction"
    }
}
