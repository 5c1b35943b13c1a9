//! SQLite: SQLAlchemy's `SQLiteDDLCompiler` / `SQLiteTypeCompiler` and Alembic's
//! `SQLiteImpl` (non-transactional DDL, no ALTER of constraints outside batch mode,
//! `RENAME COLUMN`).

use super::ddl::{self, alter_table, format_table, quote, server_default_sql};
use super::types::compile_type;
use super::{ColumnContext, CompileError, Compiled, Dialect};
use crate::ops::{Column, Op, SqlType, TableRef};
use crate::sql::split::Lexing;

pub struct SQLite;

/// Alembic's message for constraint changes SQLite cannot do outside batch mode.
pub const NO_ALTER_CONSTRAINT: &str = "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode feature which allows for SQLite migrations using a copy-and-move strategy.";

impl Dialect for SQLite {
    fn sql_lexing(&self) -> Lexing {
        Lexing {
            backticks: true,
            ..Lexing::default()
        }
    }
    fn sql_parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::SQLiteDialect {})
    }
    fn sql_for_parser(&self, sql: &str) -> Option<String> {
        unsigned_first(sql)
    }
    fn accepts_unparsed(&self, sql: &str) -> bool {
        // SQLite ignores pragmas it does not know; `sqlparser` wants a literal value and
        // rejects `ON` / `OFF`.
        crate::sql::classify::head_words(sql, 1).first().is_some_and(|w| w == "PRAGMA")
    }
    fn name(&self) -> &'static str {
        "sqlite"
    }
    fn product_name(&self) -> &'static str {
        "SQLite"
    }
    fn ddl_behaviour(&self) -> super::DdlBehaviour {
        super::DdlBehaviour {
            limited_alter_table: true,
            skips_covered_unique: true,
            // SQLite 3.25 added RENAME COLUMN; every maintained release has it.
            ..Default::default()
        }
    }
    fn transactional_ddl(&self) -> bool {
        false
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        super::keywords::SQLITE
    }
    fn supports_comments(&self) -> bool {
        false
    }
    fn supports_native_boolean(&self) -> bool {
        false
    }

    fn render_bool(&self, b: bool) -> &'static str {
        if b { "1" } else { "0" }
    }

    fn render_function(&self, name: &str, args: &[String]) -> Option<String> {
        match name.to_lowercase().as_str() {
            "now" => Some("CURRENT_TIMESTAMP".into()),
            "localtimestamp" => Some("DATETIME(CURRENT_TIMESTAMP, 'localtime')".into()),
            "char_length" => Some(format!("length({})", args.join(", "))),
            _ => None,
        }
    }

    fn render_datetime(&self, date: (i64, u32, u32), time: Option<(u32, u32, u32, u32)>, is_date_only: bool) -> String {
        let (y, m, d) = date;
        if is_date_only {
            return format!("'{y:04}-{m:02}-{d:02}'");
        }
        let (h, mi, s, us) = time.unwrap_or((0, 0, 0, 0));
        format!("'{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}'")
    }

    fn visit_type(&self, name: &str, _t: &SqlType) -> Option<Compiled> {
        Some(Ok(match name {
            "large_binary" => "BLOB".into(),
            "JSON" => "JSON".into(),
            "JSONB" => "JSONB".into(),
            _ => return None,
        }))
    }

    fn column_specification(&self, col: &Column, ctx: ColumnContext) -> Compiled {
        let mut s = format!("{} {}", quote(self, &col.name), compile_type(self, &col.type_)?);
        if let Some(def) = &col.server_default {
            let d = server_default_sql(self, def)?;
            s.push_str(&wrap_expression_default(&d));
        }
        if !col.is_nullable() {
            s.push_str(" NOT NULL");
        }
        if ctx.inline_primary_key {
            s.push_str(" PRIMARY KEY AUTOINCREMENT");
        }
        if let Some(c) = &col.extra.computed {
            s.push(' ');
            s.push_str(&ddl::computed_sql(c));
        }
        Ok(s)
    }

    fn op_statements(&self, op: &Op) -> Result<Vec<String>, CompileError> {
        match op {
            Op::AddConstraint { .. } | Op::DropConstraint { .. } => Err(CompileError(NO_ALTER_CONSTRAINT.into())),
            Op::CreateIndex {
                name: Some(name),
                table,
                elements,
                opts,
            } => {
                // SQLite qualifies the index name, not the table, with the schema.
                let bare = TableRef::new(table.name.clone());
                let mut sql = ddl::create_index_generic(self, name, &bare, elements, opts);
                if let Some(s) = &table.schema {
                    let q = quote(self, name);
                    sql = sql.replacen(
                        &format!("INDEX {}{q}", if opts.if_not_exists { "IF NOT EXISTS " } else { "" }),
                        &format!(
                            "INDEX {}{}.{q}",
                            if opts.if_not_exists { "IF NOT EXISTS " } else { "" },
                            ddl::quote_schema(self, s)
                        ),
                        1,
                    );
                }
                if let Some(w) = &opts.sqlite_where {
                    sql.push_str(&format!(" WHERE {}", ddl::resolve_marks(self, w)));
                }
                Ok(vec![sql])
            }
            Op::AlterColumn(a)
                if a.new_column_name.is_some()
                    && a.nullable.is_none()
                    && a.server_default.is_none()
                    && a.type_.is_none()
                    && a.comment.is_none() =>
            {
                Ok(vec![format!(
                    "{} RENAME COLUMN {} TO {}",
                    alter_table(self, &a.table),
                    quote(self, &a.column),
                    quote(self, a.new_column_name.as_deref().unwrap_or_default())
                )])
            }
            Op::AlterColumn(a) => {
                if a.comment.is_some() {
                    return Err(CompileError(
                        "(in ALTER COLUMN comment) Compiler <SQLiteDDLCompiler> can't render element of type ColumnComment".into(),
                    ));
                }
                let mut out = ddl::alter_column_generic(
                    self,
                    &crate::ops::AlterColumn {
                        new_column_name: None,
                        ..(**a).clone()
                    },
                )?;
                if let Some(n) = &a.new_column_name {
                    out.push(format!(
                        "{} RENAME COLUMN {} TO {}",
                        alter_table(self, &a.table),
                        quote(self, &a.column),
                        quote(self, n)
                    ));
                }
                Ok(out)
            }
            Op::AddColumn { column, .. } => {
                // `unique=True` and inline ForeignKeys become constraints SQLite cannot ALTER
                // in; type-bound CHECKs are skipped (Alembic warns and moves on).
                if !column.extra.foreign_keys.is_empty() || (column.extra.unique == Some(true) && column.extra.index != Some(true)) {
                    return Err(CompileError(NO_ALTER_CONSTRAINT.into()));
                }
                let mut out = ddl::generic_op_statements(self, op)?;
                out.retain(|s| !s.contains(" ADD CONSTRAINT ") && !s.contains(" ADD CHECK "));
                Ok(out)
            }
            Op::RenameTable { table, new_name } => Ok(vec![format!(
                "{} RENAME TO {}",
                alter_table(self, table),
                format_table(self, &TableRef::new(new_name.clone()))
            )]),
            other => ddl::generic_op_statements(self, other),
        }
    }

    fn foreign_key_allowed(&self, table: &TableRef, fk: &crate::ops::ForeignKeyConstraint) -> bool {
        table.schema == fk.ref_table.schema
    }

    fn inline_primary_key(&self, kwargs: &[(String, crate::ops::Literal)], col: &Column) -> bool {
        kwargs
            .iter()
            .any(|(k, v)| k == "sqlite_autoincrement" && *v == crate::ops::Literal::Bool(true))
            && col.type_.is_integer()
            && col.extra.foreign_keys.is_empty()
    }

    fn batch_requires_recreate(&self, steps: &[crate::ops::Step]) -> bool {
        super::batch::sqlite_requires_recreate(steps)
    }

    fn version_insert_suffix(&self, _table: &TableRef) -> String {
        " RETURNING version_num".into()
    }
}

/// SQLite wraps an expression default in parentheses: `DEFAULT (now())`, but leaves
/// literals and single words alone (`DEFAULT 'x'`, `DEFAULT 0`, `DEFAULT true`).
/// Integer types written `UNSIGNED BIGINT` (SQLite takes any words as a type name and
/// gives them integer affinity), swapped to `BIGINT UNSIGNED` for `sqlparser`. The length
/// does not change, so the error positions `sqlparser` reports stay right.
fn unsigned_first(sql: &str) -> Option<String> {
    const INTS: &[&str] = &["BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT", "MEDIUMINT"];
    let b = sql.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out: Option<String> = None;
    let mut i = 0;
    while let Some(p) = sql[i..].find(['u', 'U']).map(|p| p + i) {
        i = p + 1;
        let end = p + "UNSIGNED".len();
        // `end` may fall inside a multi-byte character.
        if end > b.len() || !sql.is_char_boundary(end) || !sql[p..end].eq_ignore_ascii_case("UNSIGNED") || (p > 0 && is_word(b[p - 1])) {
            continue;
        }
        let ws = sql[end..].len() - sql[end..].trim_start().len();
        if ws == 0 {
            continue;
        }
        let t = end + ws;
        let t_end = t + sql[t..].bytes().take_while(|&c| is_word(c)).count();
        if !INTS.iter().any(|k| sql[t..t_end].eq_ignore_ascii_case(k)) {
            continue;
        }
        let text = out.get_or_insert_with(|| sql.to_string());
        let swapped = format!("{}{}{}", &sql[t..t_end], &sql[end..t], &sql[p..end]);
        text.replace_range(p..t_end, &swapped);
        i = t_end;
    }
    out
}

pub fn wrap_expression_default(d: &str) -> String {
    let starts_quoted = d.trim_start().starts_with(['\'', '"', '(']);
    let first_line = d.split('\n').next().unwrap_or("");
    let has_non_word = first_line.chars().any(|c| !(c.is_alphanumeric() || c == '_'));
    if !starts_quoted && has_non_word {
        format!(" DEFAULT ({d})")
    } else {
        format!(" DEFAULT {d}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_u_before_multibyte_text_is_no_panic() {
        // Found by the layout_load fuzz target: a `u` 7 bytes before the end of a character.
        assert_eq!(unsigned_first("uuuuuuuű"), None);
        assert_eq!(unsigned_first("uÅ±UUUű unsigned int").as_deref(), Some("uÅ±UUUű int unsigned"));
    }

    #[test]
    fn unsigned_integer_types_read_type_first() {
        let sql = "CREATE TABLE coins (height unsigned bigint NOT NULL DEFAULT 0, n INT)";
        let fixed = unsigned_first(sql).unwrap();
        assert_eq!(fixed, "CREATE TABLE coins (height bigint unsigned NOT NULL DEFAULT 0, n INT)");
        assert_eq!(fixed.len(), sql.len());
        assert!(sqlparser::parser::Parser::parse_sql(SQLite.sql_parser().as_ref(), &fixed).is_ok());
        assert_eq!(unsigned_first("CREATE TABLE t (unsigned_n INT, m BIGINT UNSIGNED)"), None);
    }

    #[test]
    fn pragmas_are_accepted() {
        assert!(SQLite.accepts_unparsed("PRAGMA foreign_keys = OFF"));
        assert!(SQLite.accepts_unparsed("pragma legacy_alter_table=on"));
        assert!(!SQLite.accepts_unparsed("CREATE TABL t (a)"));
    }
}
