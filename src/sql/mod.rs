//! Plain SQL: statements split, classified and checked with `sqlparser`, kept as written.
//!
//! The text that reaches a plan is always the original statement (re-printing a parse tree
//! changes formatting); `sqlparser` is only asked whether it understands the statement.

pub mod classify;
pub mod split;

use serde::Serialize;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::ops::{Op, Step, StepKind};
use crate::source::{LineIndex, SourceFile, Span};
pub use classify::{StatementClass, StatementKind, classify};

/// One statement of a plain-SQL migration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SqlStatement {
    /// The statement as written, without its terminator.
    pub sql: String,
    pub class: StatementClass,
    /// `sqlparser` understood it (a statement it rejects is still planned verbatim).
    pub parsed: bool,
}

/// Split `file.text[range]` into plan steps, with diagnostics for what cannot be read.
pub fn read_statements(file: &SourceFile, range: Span, d: &dyn Dialect, lines: &LineIndex, diags: &mut Vec<Diagnostic>) -> Vec<Step> {
    let (raw, problems) = split::split(&file.text, range, d.sql_lexing());
    for p in problems {
        diags.push(
            Diagnostic::new(Code::UnterminatedSql, format!("unterminated {} in {}", p.what, file.path))
                .at(&file.path, Span::new(p.at, (p.at + 2).min(file.text.len())))
                .help("everything from here to the end of the section is kept as one statement; close the quote, comment or block"),
        );
    }
    // One sqlparser dialect for the whole section, not one per statement.
    let parser = d.sql_parser();
    let steps: Vec<Step> = raw
        .into_iter()
        .map(|r| statement_step(file, r.span, d, parser.as_ref(), lines, diags))
        .collect();
    note_unparsed(file, &steps, d, diags);
    steps
}

/// `file.text[range]` as one statement (goose `StatementBegin` … `StatementEnd`): trimmed,
/// its final `;` dropped.
pub fn read_block(file: &SourceFile, range: Span, d: &dyn Dialect, lines: &LineIndex, diags: &mut Vec<Diagnostic>) -> Vec<Step> {
    let body = &file.text[range.range()];
    let lead = body.len() - body.trim_start().len();
    let trimmed = body.trim();
    let trimmed = trimmed.strip_suffix(';').unwrap_or(trimmed).trim_end();
    if trimmed.is_empty() {
        return Vec::new();
    }
    let start = range.range().start + lead;
    let span = Span::new(start, start + trimmed.len());
    let steps = vec![statement_step(file, span, d, d.sql_parser().as_ref(), lines, diags)];
    note_unparsed(file, &steps, d, diags);
    steps
}

/// One `unparsed-statement` info per file: the statements the server accepts but
/// `sqlparser` cannot read, whose objects the checks treat as unknown.
fn note_unparsed(file: &SourceFile, steps: &[Step], d: &dyn Dialect, diags: &mut Vec<Diagnostic>) {
    let accepted: Vec<(&Step, &SqlStatement)> = steps
        .iter()
        .filter_map(|s| match &s.kind {
            StepKind::Op(Op::Sql(st)) if !st.parsed && d.accepts_unparsed(&st.sql) => Some((s, st)),
            _ => None,
        })
        .collect();
    let Some(&(first, st)) = accepted.first() else { return };
    if diags
        .iter()
        .any(|x| x.code == Code::UnparsedStatement && x.file.as_deref() == Some(file.path.as_str()))
    {
        return;
    }
    diags.push(
        Diagnostic::new(
            Code::UnparsedStatement,
            format!(
                "{} line {}: {} statement(s) read from their first words only (sqlparser cannot read them), the first `{}`",
                file.path,
                first.lines.0,
                accepted.len(),
                head(&st.class)
            ),
        )
        .at(&file.path, Span::new(first.span.range().start, (first.span.range().start + 1).min(first.span.range().end)))
        .help("the database accepts these statements but sqlparser cannot read them; the objects they may change are unknown to the schema checks that follow"),
    );
}

fn statement_step(
    file: &SourceFile,
    span: Span,
    d: &dyn Dialect,
    parser: &dyn sqlparser::dialect::Dialect,
    lines: &LineIndex,
    diags: &mut Vec<Diagnostic>,
) -> Step {
    let sql = &file.text[span.range()];
    let parsed = match crate::schema::from_sql::parse(d, parser, sql) {
        Ok(_) => true,
        Err(e) => {
            if !sql.contains("${") && !d.accepts_unparsed(sql) {
                diags.push(parse_error(file, span, sql, &e.to_string(), d.name(), lines));
            }
            false
        }
    };
    let r = span.range();
    let first = lines.line_of(r.start) as u32 + 1;
    let last = lines.line_of(r.end.saturating_sub(1).max(r.start)) as u32 + 1;
    Step {
        span,
        lines: (first, last),
        kind: StepKind::Op(Op::Sql(SqlStatement {
            sql: sql.to_string(),
            class: classify(sql),
            parsed,
        })),
    }
}

/// A statement's head as the classifier read it (`CREATE FUNCTION f`, `DO`).
fn head(c: &StatementClass) -> String {
    let mut h = c.verb.to_ascii_uppercase();
    for w in [c.object.as_deref().map(str::to_ascii_uppercase), c.name.clone()]
        .into_iter()
        .flatten()
    {
        h.push(' ');
        h.push_str(&w);
    }
    h
}

/// `sql-parse-error`, pointing at the line and column `sqlparser` names when it names one.
fn parse_error(file: &SourceFile, span: Span, sql: &str, message: &str, dialect: &str, lines: &LineIndex) -> Diagnostic {
    let message = message.strip_prefix("sql parser error: ").unwrap_or(message);
    let span_r = span.range();
    let mut at = span_r.start;
    let mut text = message.to_string();
    if let Some(pos) = message.rfind(" at Line: ") {
        let tail = &message[pos + " at Line: ".len()..];
        let mut nums = tail.split(", Column: ").map(|s| s.trim().parse::<usize>().ok());
        if let (Some(Some(line)), Some(Some(col))) = (nums.next(), nums.next()) {
            // Line/column are 1-based within the statement; columns count characters.
            let stmt_lines: Vec<&str> = sql.split('\n').collect();
            if line >= 1 && line <= stmt_lines.len() {
                let line_start: usize = stmt_lines[..line - 1].iter().map(|l| l.len() + 1).sum();
                let col_bytes: usize = stmt_lines[line - 1].chars().take(col.saturating_sub(1)).map(char::len_utf8).sum();
                at = span_r.start + line_start + col_bytes;
            }
            text = message[..pos].to_string();
        }
    }
    let at = at.min(span_r.end);
    let file_line = lines.line_of(at) + 1;
    Diagnostic::new(
        Code::SqlParseError,
        format!(
            "{} line {}: sqlparser ({dialect}) cannot parse this statement: {text}",
            file.path, file_line
        ),
    )
    .at(&file.path, Span::new(at, (at + 1).min(span_r.end).max(at)))
    .help("the statement is kept verbatim in the plan; checks that need its structure skip it")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::postgresql::PostgreSQL;

    fn read(text: &str) -> (Vec<Step>, Vec<Diagnostic>) {
        let file = SourceFile::new("m/001_a.sql", text);
        let lines = LineIndex::new(&file.text);
        let mut diags = Vec::new();
        let steps = read_statements(&file, Span::new(0, text.len()), &PostgreSQL, &lines, &mut diags);
        (steps, diags)
    }

    #[test]
    fn accepted_statements_give_one_info_per_file() {
        let (steps, diags) = read(
            "DO $$ BEGIN PERFORM 1; END $$;\nCREATE TABLE a (id int);\nCOMMENT ON TRIGGER t ON a IS 'x';\nALTER TABLE a DELETE COLUMN id;\n",
        );
        assert_eq!(steps.len(), 4);
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::SqlParseError, Code::UnparsedStatement], "{diags:?}");
        assert!(diags[1].message.contains("line 1: 2 statement(s)"), "{}", diags[1].message);
        // A second section of the same file adds no second info.
        let file = SourceFile::new("m/001_a.sql", "DO $$ BEGIN END $$");
        let lines = LineIndex::new(&file.text);
        let mut more = diags.clone();
        read_statements(&file, Span::new(0, file.text.len()), &PostgreSQL, &lines, &mut more);
        assert_eq!(more.len(), diags.len());
    }
}
