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
    raw.into_iter()
        .map(|r| statement_step(file, r.span, d, parser.as_ref(), lines, diags))
        .collect()
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
    vec![statement_step(file, span, d, d.sql_parser().as_ref(), lines, diags)]
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
    let parsed = match crate::schema::from_sql::parse(parser, sql) {
        Ok(_) => true,
        Err(e) => {
            if !sql.contains("${") {
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
