//! MySQL: SQLAlchemy's `MySQLDDLCompiler` / `MySQLTypeCompiler` and Alembic's `MySQLImpl`
//! (non-transactional DDL, `AUTO_INCREMENT`, inline `COMMENT`, `MODIFY` / `CHANGE` for
//! column changes, typed `DROP` of constraints). The rendering is in functions taking the
//! dialect (`visit_type`, `column_specification`, `post_create_table`, `op_statements`,
//! `create_index`), which MariaDB (`mariadb.rs`) calls with itself, so its reserved words and
//! name apply; what differs is MariaDB's own code there.

use super::ddl::{self, alter_table, format_table, quote, server_default_sql};
use super::types::{compile_type, quote_string, visit};
use super::{ColumnContext, CompileError, Compiled, Dialect};
use crate::ops::{AlterColumn, Column, IndexElement, IndexOpts, Literal, MysqlLength, Op, SqlType, TableRef};
use crate::sql::split::Lexing;

pub struct MySQL;

impl Dialect for MySQL {
    fn sql_lexing(&self) -> Lexing {
        Lexing {
            backslash_escapes: true,
            backticks: true,
            hash_comments: true,
            delimiter_command: true,
            ..Lexing::default()
        }
    }
    fn sql_parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::MySqlDialect {})
    }
    fn accepts_unparsed(&self, sql: &str) -> bool {
        accepted_head(sql)
    }
    fn name(&self) -> &'static str {
        "mysql"
    }
    fn product_name(&self) -> &'static str {
        "MySQL"
    }
    fn ddl_behaviour(&self) -> super::DdlBehaviour {
        super::DdlBehaviour {
            // UUID() and RAND() defaults are evaluated per row.
            volatile_functions: &["uuid", "rand", "uuid_short", "sysdate"],
            ddl_commits_implicitly: true,
            lock_timeout_setting: Some("lock_wait_timeout"),
            rename_column_since: Some((8, 0)),
            version_flag: super::VersionFlag::Mysql,
            unique_constraints_are_indexes: true,
            indexes_foreign_keys: true,
            ..Default::default()
        }
    }
    fn transactional_ddl(&self) -> bool {
        false
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        super::keywords::MYSQL
    }
    fn quote_char(&self) -> char {
        '`'
    }
    fn inline_comments(&self) -> bool {
        true
    }
    fn supports_native_enum(&self) -> bool {
        true
    }
    fn supports_native_boolean(&self) -> bool {
        false
    }
    fn backslash_escapes(&self) -> bool {
        true
    }

    fn visit_type(&self, name: &str, t: &SqlType) -> Option<Compiled> {
        visit_type(self, name, t)
    }

    fn column_specification(&self, col: &Column, ctx: ColumnContext) -> Compiled {
        column_specification(self, col, ctx, false)
    }

    fn post_create_table(&self, comment: Option<&str>, kwargs: &[(String, Literal)]) -> String {
        post_create_table(self, comment, kwargs)
    }

    fn op_statements(&self, op: &Op) -> Result<Vec<String>, CompileError> {
        match op {
            Op::CreateIndex {
                name: Some(name),
                table,
                elements,
                opts,
            } => Ok(vec![create_index(self, name, table, elements, opts, &VendorIndexOpts::mysql(opts))]),
            other => op_statements(self, other),
        }
    }
}

/// The `mysql_*` (or `mariadb_*`) index options SQLAlchemy reads for one dialect name
/// (`Index.get_dialect_option(dialect, ...)`).
pub struct VendorIndexOpts<'a> {
    pub length: Option<&'a MysqlLength>,
    pub prefix: Option<&'a str>,
    pub using: Option<&'a str>,
}

impl<'a> VendorIndexOpts<'a> {
    /// The `mysql_*` options.
    pub fn mysql(o: &'a IndexOpts) -> Self {
        VendorIndexOpts {
            length: o.mysql_length.as_ref(),
            prefix: o.mysql_prefix.as_deref(),
            using: o.mysql_using.as_deref(),
        }
    }
}

/// `MySQLTypeCompiler`, shared by the MySQL family (MariaDB delegates here).
pub fn visit_type<D: Dialect + ?Sized>(d: &D, name: &str, t: &SqlType) -> Option<Compiled> {
    let ext_num = |spec: String| {
        let mut s = spec;
        if t.namespace == crate::ops::types::TypeNamespace::Mysql {
            if t.unsigned {
                s.push_str(" UNSIGNED");
            }
            if t.zerofill {
                s.push_str(" ZEROFILL");
            }
        }
        s
    };
    let ext_str = |spec: String, national: bool| {
        let mut parts = Vec::new();
        if national || t.national {
            parts.push("NATIONAL".to_string());
        }
        parts.push(spec);
        if !(national || t.national)
            && let Some(c) = &t.extra.charset
        {
            parts.push(format!("CHARACTER SET {c}"));
        }
        if let Some(c) = &t.extra.collation {
            parts.push(format!("COLLATE {c}"));
        }
        parts.join(" ")
    };
    let width = |n: &str| match (t.namespace == crate::ops::types::TypeNamespace::Mysql, t.extra.display_width) {
        (true, Some(w)) => ext_num(format!("{n}({w})")),
        _ => ext_num(n.to_string()),
    };
    let numeric = |n: &str| {
        ext_num(match (t.precision, t.scale) {
            (None, _) => n.to_string(),
            (Some(p), None) => format!("{n}({p})"),
            (Some(p), Some(s)) => format!("{n}({p}, {s})"),
        })
    };
    Some(Ok(match name {
        "NUMERIC" => numeric("NUMERIC"),
        "DECIMAL" => numeric("DECIMAL"),
        "DOUBLE" => match (t.precision, t.scale) {
            (Some(p), Some(s)) => ext_num(format!("DOUBLE({p}, {s})")),
            _ => ext_num("DOUBLE".into()),
        },
        "REAL" => match (t.precision, t.scale) {
            (Some(p), Some(s)) => ext_num(format!("REAL({p}, {s})")),
            _ => ext_num("REAL".into()),
        },
        "FLOAT" => match (t.precision, t.scale) {
            (Some(p), Some(s)) if t.namespace == crate::ops::types::TypeNamespace::Mysql => ext_num(format!("FLOAT({p}, {s})")),
            (Some(p), _) => ext_num(format!("FLOAT({p})")),
            _ => ext_num("FLOAT".into()),
        },
        "INTEGER" => width("INTEGER"),
        "BIGINT" => width("BIGINT"),
        "MEDIUMINT" => width("MEDIUMINT"),
        "TINYINT" => width("TINYINT"),
        "SMALLINT" => width("SMALLINT"),
        "BIT" => t.length.map(|l| format!("BIT({l})")).unwrap_or_else(|| "BIT".into()),
        "DATETIME" => t
            .extra
            .fsp
            .filter(|f| *f > 0)
            .map(|f| format!("DATETIME({f})"))
            .unwrap_or_else(|| "DATETIME".into()),
        "TIME" => t
            .extra
            .fsp
            .filter(|f| *f > 0)
            .map(|f| format!("TIME({f})"))
            .unwrap_or_else(|| "TIME".into()),
        "TIMESTAMP" => t
            .extra
            .fsp
            .filter(|f| *f > 0)
            .map(|f| format!("TIMESTAMP({f})"))
            .unwrap_or_else(|| "TIMESTAMP".into()),
        "DATE" => "DATE".into(),
        "YEAR" => t.extra.display_width.map(|w| format!("YEAR({w})")).unwrap_or_else(|| "YEAR".into()),
        "TEXT" => ext_str(t.length.map(|l| format!("TEXT({l})")).unwrap_or_else(|| "TEXT".into()), false),
        "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" => ext_str(name.to_string(), false),
        "VARCHAR" => match t.length {
            Some(l) => ext_str(format!("VARCHAR({l})"), false),
            None => return Some(Err(CompileError(format!("VARCHAR requires a length on dialect {}", d.name())))),
        },
        "CHAR" => ext_str(t.length.map(|l| format!("CHAR({l})")).unwrap_or_else(|| "CHAR".into()), false),
        "NVARCHAR" => match t.length {
            Some(l) => ext_str(format!("VARCHAR({l})"), true),
            None => return Some(Err(CompileError(format!("NVARCHAR requires a length on dialect {}", d.name())))),
        },
        "NCHAR" => ext_str(t.length.map(|l| format!("CHAR({l})")).unwrap_or_else(|| "CHAR".into()), true),
        "UUID" => "UUID".into(),
        "VARBINARY" => format!("VARBINARY({})", t.length.unwrap_or(0)),
        "JSON" => "JSON".into(),
        "large_binary" | "BLOB" => t.length.map(|l| format!("BLOB({l})")).unwrap_or_else(|| "BLOB".into()),
        "TINYBLOB" | "MEDIUMBLOB" | "LONGBLOB" => name.to_string(),
        "enum" => {
            if !t.native_enum {
                return Some(visit(d, "VARCHAR", &super::types::enum_as_varchar(t)));
            }
            return Some(visit(d, "ENUM", t));
        }
        "ENUM" | "SET" => {
            let vals: Vec<String> = t
                .extra
                .enums
                .iter()
                .map(|e| format!("'{}'", e.replace('\'', "''").replace('\\', "\\\\")))
                .collect();
            ext_str(format!("{}({})", name, vals.join(",")), false)
        }
        "BOOLEAN" => "BOOL".into(),
        _ => return None,
    }))
}

/// `_mysql_get_column_specification`; `force_nullable` is MariaDB's
/// `_force_column_to_nullable` (neither `NOT NULL` nor `NULL`).
pub fn column_specification<D: Dialect + ?Sized>(d: &D, col: &Column, ctx: ColumnContext, force_nullable: bool) -> Compiled {
    let mut parts = vec![quote(d, &col.name).into_owned(), compile_type(d, &col.type_)?];
    if let Some(c) = &col.extra.computed {
        parts.push(ddl::computed_sql(c));
    }
    let is_timestamp = col.type_.visit == "TIMESTAMP";
    let nullable = col.is_nullable();
    if !nullable && !force_nullable {
        parts.push("NOT NULL".into());
    } else if nullable && is_timestamp {
        parts.push("NULL".into());
    }
    if let Some(c) = &col.extra.comment {
        parts.push(format!("COMMENT {}", quote_string(d, c)));
    }
    if ctx.is_autoincrement && (col.server_default.is_none() || col.extra.identity.is_some()) {
        parts.push("AUTO_INCREMENT".into());
    } else if let Some(def) = &col.server_default {
        let def = server_default_sql(d, def)?;
        parts.push(functional_default(&def));
    }
    Ok(parts.join(" "))
}

/// `post_create_table`: the table options SQLAlchemy takes from the kwargs prefixed with
/// the dialect's own name (`mysql_engine` on mysql://, `mariadb_engine` on mariadb://).
pub fn post_create_table<D: Dialect + ?Sized>(d: &D, comment: Option<&str>, kwargs: &[(String, Literal)]) -> String {
    let prefix = format!("{}_", d.name());
    let mut opts: Vec<(String, String)> = Vec::new();
    for (k, v) in kwargs {
        if let Some(rest) = k.strip_prefix(prefix.as_str()) {
            let val = match v {
                Literal::Str(s) => s.clone(),
                Literal::Int(i) => i.to_string(),
                Literal::Float(f) => f.clone(),
                Literal::Bool(b) => {
                    if *b {
                        "1".into()
                    } else {
                        "0".into()
                    }
                }
                _ => continue,
            };
            opts.push((rest.to_uppercase(), val));
        }
    }
    if let Some(c) = comment {
        opts.push(("COMMENT".into(), c.to_string()));
    }
    // CHARSET before COLLATE, as SQLAlchemy's topological sort orders them.
    opts.sort_by_key(|(k, _)| if k == "COLLATE" { 1 } else { 0 });
    let mut out = Vec::new();
    for (k, v) in opts {
        let string_valued = matches!(
            k.as_str(),
            "COMMENT" | "DATA_DIRECTORY" | "INDEX_DIRECTORY" | "PASSWORD" | "CONNECTION"
        );
        let v = if string_valued { quote_string(d, &v) } else { v };
        let k = if matches!(
            k.as_str(),
            "DATA_DIRECTORY" | "INDEX_DIRECTORY" | "DEFAULT_CHARACTER_SET" | "CHARACTER_SET" | "DEFAULT_CHARSET" | "DEFAULT_COLLATE"
        ) {
            k.replace('_', " ")
        } else {
            k
        };
        let joiner = if matches!(k.as_str(), "TABLESPACE" | "DEFAULT CHARACTER SET" | "CHARACTER SET" | "COLLATE") {
            " "
        } else {
            "="
        };
        out.push(format!("{k}{joiner}{v}"));
    }
    out.join(" ")
}

/// `MySQLImpl` / `MySQLDDLCompiler` operations shared by the MySQL family, in MySQL's
/// spelling; each dialect handles `CreateIndex` (its index options) first, and MariaDB
/// the drop of a check constraint.
pub fn op_statements<D: Dialect + ?Sized>(d: &D, op: &Op) -> Result<Vec<String>, CompileError> {
    match op {
        Op::DropIndex {
            name, table, if_exists, ..
        } => match table {
            Some(t) => Ok(vec![format!(
                "DROP INDEX {}{} ON {}",
                if *if_exists { "IF EXISTS " } else { "" },
                quote(d, name),
                format_table(d, t)
            )]),
            None => Err(CompileError("DROP INDEX on MySQL requires the table name (table_name=...)".into())),
        },
        Op::DropConstraint { table, name, type_, .. } => {
            let what = match type_.as_deref() {
                Some("foreignkey") => format!("FOREIGN KEY {}", quote(d, name)),
                Some("primary") => "PRIMARY KEY ".trim_end().to_string(),
                Some("unique") => format!("INDEX {}", quote(d, name)),
                Some("check") => format!("CHECK {}", quote(d, name)),
                _ => {
                    return Err(CompileError(
                        "No generic 'DROP CONSTRAINT' in MySQL - please specify constraint type".into(),
                    ));
                }
            };
            Ok(vec![format!("{} DROP {}", alter_table(d, table), what)])
        }
        Op::AlterColumn(a) => alter_column(d, a),
        Op::CreateTableComment { table, comment } => Ok(vec![format!("{} COMMENT {}", alter_table(d, table), quote_string(d, comment))]),
        Op::DropTableComment { table } => Ok(vec![format!("{} COMMENT ''", alter_table(d, table))]),
        other => ddl::generic_op_statements(d, other),
    }
}

/// Statements MySQL runs that `sqlparser` cannot read, known from their first words:
/// stored routines, triggers and events (`BEGIN ... END` bodies, `DEFINER=`), and
/// prepared statements.
pub fn accepted_head(sql: &str) -> bool {
    let c = crate::sql::classify::classify(sql);
    match c.verb.as_str() {
        "create" => matches!(c.object.as_deref(), Some("procedure" | "function" | "trigger" | "event")),
        "prepare" | "execute" | "deallocate" => true,
        _ => false,
    }
}

/// MySQL 8 requires expression defaults in parentheses: `DEFAULT (now())`, but not
/// literals, `CURRENT_TIMESTAMP`-style words or `ON UPDATE` clauses.
fn functional_default(d: &str) -> String {
    let lower = d.to_lowercase();
    let quoted_or_paren = d.trim_start().starts_with(['\'', '"', '(']);
    let on_update = lower
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w[0] == "on" && w[1] == "update");
    let now_n = {
        let t = lower.trim_start();
        (t.starts_with("now(") || t.starts_with("current_timestamp("))
            && t.split('(').nth(1).is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    };
    let first_line = d.split('\n').next().unwrap_or("");
    let has_non_word = first_line.chars().any(|c| !(c.is_alphanumeric() || c == '_'));
    if !quoted_or_paren && !on_update && !now_n && has_non_word {
        format!("DEFAULT ({d})")
    } else {
        format!("DEFAULT {d}")
    }
}

pub fn create_index<D: Dialect + ?Sized>(
    d: &D,
    name: &str,
    table: &TableRef,
    elements: &[IndexElement],
    o: &IndexOpts,
    v: &VendorIndexOpts,
) -> String {
    let cols: Vec<(Option<&str>, String)> = elements
        .iter()
        .map(|e| match e {
            IndexElement::Column(c) => (Some(c.as_str()), quote(d, c).into_owned()),
            // SQLAlchemy groups a function element: `((lower(sku)))` on MySQL.
            IndexElement::Expr(x) if x.starts_with(crate::parse::py_eval::FUNCTION_MARK) => {
                (None, format!("({})", ddl::resolve_marks(d, x)))
            }
            IndexElement::Expr(x) => (None, ddl::resolve_marks(d, x)),
        })
        .collect();
    let mut s = String::from("CREATE ");
    if o.unique {
        s.push_str("UNIQUE ");
    }
    if let Some(p) = v.prefix {
        s.push_str(&format!("{p} "));
    }
    s.push_str("INDEX ");
    if o.if_not_exists {
        s.push_str("IF NOT EXISTS ");
    }
    s.push_str(&format!("{} ON {} ", quote(d, name), format_table(d, table)));
    let rendered: Vec<String> = match v.length {
        None => cols.into_iter().map(|(_, r)| r).collect(),
        Some(MysqlLength::All(n)) => cols.into_iter().map(|(_, r)| format!("{r}({n})")).collect(),
        Some(MysqlLength::PerColumn(m)) => cols
            .into_iter()
            .map(|(name, r)| match name.and_then(|n| m.iter().find(|(k, _)| k == n)) {
                Some((_, n)) => format!("{r}({n})"),
                None => r,
            })
            .collect(),
    };
    s.push_str(&format!("({})", rendered.join(", ")));
    if let Some(u) = v.using {
        s.push_str(&format!(" USING {}", quote(d, u)));
    }
    s
}

/// `MySQLImpl.alter_column`: one `CHANGE` (rename, or a DateTime-affinity column),
/// one `MODIFY`, or `ALTER COLUMN ... SET/DROP DEFAULT`.
fn alter_column<D: Dialect + ?Sized>(d: &D, a: &AlterColumn) -> Result<Vec<String>, CompileError> {
    // `_is_mysql_allowed_functional_default` tests `server_default is not None`, and an
    // omitted `server_default` is `False`: every DATETIME/TIMESTAMP alter takes `CHANGE`
    // unless `server_default=None` is passed.
    let functional =
        a.type_.as_ref().or(a.existing_type.as_ref()).is_some_and(|t| t.is_datetime()) && !matches!(a.server_default, Some(None));
    let colspec = |a: &AlterColumn| -> Compiled {
        let Some(t) = a.type_.as_ref().or(a.existing_type.as_ref()) else {
            return Err(CompileError(
                "All MySQL CHANGE/MODIFY COLUMN operations require the existing type.".into(),
            ));
        };
        let nullable = a.nullable.or(a.existing_nullable).unwrap_or(true);
        let mut s = format!("{} {}", compile_type(d, t)?, if nullable { "NULL" } else { "NOT NULL" });
        if a.autoincrement.or(a.existing_autoincrement).unwrap_or(false) {
            s.push_str(" AUTO_INCREMENT");
        }
        let default = match &a.server_default {
            Some(x) => x.clone(),
            None => a.existing_server_default.clone(),
        };
        if let Some(def) = default {
            s.push_str(&format!(" DEFAULT {}", server_default_sql(d, &def)?));
        }
        let comment = match &a.comment {
            Some(c) => c.clone(),
            None => a.existing_comment.clone(),
        };
        if let Some(c) = comment {
            s.push_str(&format!(" COMMENT {}", quote_string(d, &c)));
        }
        Ok(s)
    };
    if a.new_column_name.is_some() || functional {
        let new = a.new_column_name.clone().unwrap_or_else(|| a.column.clone());
        return Ok(vec![format!(
            "{} CHANGE {} {} {}",
            alter_table(d, &a.table),
            quote(d, &a.column),
            quote(d, &new),
            colspec(a)?
        )]);
    }
    if a.nullable.is_some() || a.type_.is_some() || a.autoincrement.is_some() || a.comment.is_some() {
        return Ok(vec![format!(
            "{} MODIFY {} {}",
            alter_table(d, &a.table),
            quote(d, &a.column),
            colspec(a)?
        )]);
    }
    if let Some(def) = &a.server_default {
        let head = format!("{} ALTER COLUMN {}", alter_table(d, &a.table), quote(d, &a.column));
        return Ok(vec![match def {
            Some(e) => format!("{head} SET DEFAULT {}", server_default_sql(d, e)?),
            None => format!("{head} DROP DEFAULT"),
        }]);
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_index_elements_are_grouped() {
        let f = format!(
            "{}lower({}sku{})",
            crate::parse::py_eval::FUNCTION_MARK,
            crate::parse::py_eval::IDENT_MARK,
            crate::parse::py_eval::IDENT_MARK
        );
        let els = [
            IndexElement::Expr(f),
            IndexElement::Expr("name(8)".into()),
            IndexElement::Column("id".into()),
        ];
        let o = IndexOpts::default();
        let sql = create_index(&MySQL, "ix", &TableRef::new("products"), &els, &o, &VendorIndexOpts::mysql(&o));
        // SQLAlchemy's MySQL compiler wraps a function element, not `sa.text()`.
        assert_eq!(sql, "CREATE INDEX ix ON products ((lower(sku)), name(8), id)");
    }

    #[test]
    fn datetime_alters_take_change_unless_the_default_is_dropped() {
        let base = AlterColumn {
            table: TableRef::new("services"),
            column: "created_at".into(),
            existing_type: Some(SqlType::new("DateTime", "datetime")),
            type_: Some(SqlType::new("DATETIME", "DATETIME")),
            ..Default::default()
        };
        let sql = alter_column(&MySQL, &base).unwrap();
        assert_eq!(sql, vec!["ALTER TABLE services CHANGE created_at created_at DATETIME NULL"]);
        let dropped = AlterColumn {
            server_default: Some(None),
            ..base.clone()
        };
        assert_eq!(
            alter_column(&MySQL, &dropped).unwrap(),
            vec!["ALTER TABLE services MODIFY created_at DATETIME NULL"]
        );
        let text = AlterColumn {
            existing_type: Some(SqlType::new("String", "string")),
            type_: Some(SqlType::new("Text", "text")),
            ..base
        };
        assert_eq!(
            alter_column(&MySQL, &text).unwrap(),
            vec!["ALTER TABLE services MODIFY created_at TEXT NULL"]
        );
    }

    #[test]
    fn accepts_routines_and_prepared_statements() {
        for sql in [
            "CREATE DEFINER=`app`@`%` PROCEDURE bump(IN n INT)\nBEGIN\n  UPDATE counters SET v = v + n;\nEND",
            "create trigger stamp before update on items for each row set new.changed = now()",
            "PREPARE stmt FROM @ddl",
            "EXECUTE stmt",
            "DEALLOCATE PREPARE stmt",
        ] {
            assert!(MySQL.accepts_unparsed(sql), "{sql}");
        }
        assert!(!MySQL.accepts_unparsed("ALTER TABLE items ADD COLUMN"));
    }
}
