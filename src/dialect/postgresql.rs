//! PostgreSQL: SQLAlchemy's `PGDDLCompiler` / `PGTypeCompiler` and Alembic's
//! `PostgresqlImpl` (transactional DDL, SERIAL, native ENUM types, `USING`, concurrent
//! indexes, `COMMENT ON`).

use super::ddl::{self, alter_table, format_table, quote, quote_schema, server_default_sql};
use super::types::{compile_type, visit};
use super::{ColumnContext, CompileError, Compiled, ConstraintRole, Dialect};
use crate::ops::{AlterColumn, Column, IndexElement, IndexOpts, Op, SqlType, TableRef};
use crate::sql::split::Lexing;

pub struct PostgreSQL;

impl Dialect for PostgreSQL {
    fn sql_lexing(&self) -> Lexing {
        Lexing {
            dollar_quotes: true,
            nested_block_comments: true,
            ..Lexing::default()
        }
    }
    fn bytes_literal(&self, hex: &str) -> String {
        format!("'\\x{hex}'::bytea")
    }
    fn sql_parser(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::PostgreSqlDialect {})
    }
    fn accepts_unparsed(&self, sql: &str) -> bool {
        accepted_head(&crate::sql::classify::head_words(sql, 12))
    }
    fn name(&self) -> &'static str {
        "postgresql"
    }
    fn product_name(&self) -> &'static str {
        "PostgreSQL"
    }
    fn default_schema(&self) -> Option<&'static str> {
        Some("public")
    }
    fn identifier_limit(&self) -> Option<usize> {
        Some(63)
    }
    fn implicit_index_label(&self) -> Option<&'static str> {
        Some("idx")
    }
    fn implicit_constraint_name(&self, table: &str, role: ConstraintRole, columns: &[String]) -> Option<String> {
        // The server's ChooseConstraintName / ChooseIndexName: `<table>_pkey`,
        // `<table>_<cols>_key`, `<table>_<cols>_fkey`, fitted into 63 bytes.
        let cols = columns.join("_");
        Some(match role {
            ConstraintRole::PrimaryKey => object_name(table, None, "pkey"),
            ConstraintRole::Unique => object_name(table, Some(&cols), "key"),
            ConstraintRole::ForeignKey => object_name(table, Some(&cols), "fkey"),
        })
    }
    fn ddl_behaviour(&self) -> super::DdlBehaviour {
        super::DdlBehaviour {
            concurrent_index: true,
            not_valid_constraints: true,
            set_not_null_scans: true,
            unique_using_index: true,
            enum_add_value_in_tx_since: Some((12, 0)),
            native_enum_types: true,
            fast_default_since: Some((11, 0)),
            volatile_functions: &[
                "random",
                "gen_random_uuid",
                "uuid_generate_v1",
                "uuid_generate_v4",
                "clock_timestamp",
                "timeofday",
                "nextval",
                "txid_current",
            ],
            limited_alter_table: false,
            ddl_commits_implicitly: false,
            lock_timeout_setting: Some("lock_timeout"),
            rename_column_since: None,
            warn_int_primary_keys: true,
            prefers_timestamptz: true,
            version_flag: super::VersionFlag::Postgres,
            unique_constraints_are_indexes: false,
            indexes_foreign_keys: false,
            skips_covered_unique: false,
        }
    }
    fn batch_drops_kept_constraints(&self) -> bool {
        true
    }

    fn transactional_ddl(&self) -> bool {
        true
    }
    fn reserved_words(&self) -> &'static [&'static str] {
        super::keywords::POSTGRESQL
    }
    fn supports_native_enum(&self) -> bool {
        true
    }
    fn supports_native_uuid(&self) -> bool {
        true
    }
    fn creates_enum_types(&self) -> bool {
        true
    }
    fn supports_identity_columns(&self) -> bool {
        true
    }

    fn visit_type(&self, name: &str, t: &SqlType) -> Option<Compiled> {
        let tz = |base: &str| {
            format!(
                "{}{} {} TIME ZONE",
                base,
                t.precision.map(|p| format!("({p})")).unwrap_or_default(),
                if t.timezone { "WITH" } else { "WITHOUT" }
            )
        };
        Some(Ok(match name {
            "datetime" => return Some(visit(self, "TIMESTAMP", t)),
            "TIMESTAMP" => tz("TIMESTAMP"),
            "TIME" => tz("TIME"),
            "double" => "DOUBLE PRECISION".into(),
            "FLOAT" => match t.precision {
                Some(p) if p > 0 => format!("FLOAT({p})"),
                _ => "FLOAT".into(),
            },
            "large_binary" | "BYTEA" => "BYTEA".into(),
            "uuid" => {
                return Some(if t.native_uuid {
                    Ok("UUID".into())
                } else {
                    super::types::generic_visit(self, "uuid", t)
                });
            }
            "enum" => {
                if !t.native_enum {
                    return Some(visit(self, "VARCHAR", &super::types::enum_as_varchar(t)));
                }
                return Some(visit(self, "ENUM", t));
            }
            "ENUM" => match &t.extra.name {
                Some(n) => match &t.extra.schema {
                    Some(s) => format!("{}.{}", quote_schema(self, s), quote(self, n)),
                    None => quote(self, n).into_owned(),
                },
                None => return Some(Err(CompileError("PostgreSQL ENUM type requires a name.".into()))),
            },
            "interval" | "INTERVAL" => {
                let mut s = "INTERVAL".to_string();
                if let Some(f) = &t.extra.fields {
                    s.push(' ');
                    s.push_str(f);
                }
                if let Some(p) = t.precision {
                    s.push_str(&format!(" ({p})"));
                }
                s
            }
            "BIT" => {
                if t.varying {
                    format!("BIT VARYING{}", t.length.map(|l| format!("({l})")).unwrap_or_default())
                } else {
                    format!("BIT({})", t.length.unwrap_or(1))
                }
            }
            "ARRAY" => {
                let Some(item) = &t.extra.item_type else {
                    return Some(Err(CompileError("ARRAY requires an item type".into())));
                };
                let inner = match compile_type(self, item) {
                    Ok(s) => s,
                    Err(e) => return Some(Err(e)),
                };
                let dims = "[]".repeat(t.extra.dimensions.unwrap_or(1) as usize);
                match inner.find(" COLLATE") {
                    Some(i) => format!("{}{}{}", &inner[..i], dims, &inner[i..]),
                    None => format!("{inner}{dims}"),
                }
            }
            "JSONB" => "JSONB".into(),
            "INET" => "INET".into(),
            "CIDR" => "CIDR".into(),
            "MACADDR" => "MACADDR".into(),
            "MACADDR8" => "MACADDR8".into(),
            "MONEY" => "MONEY".into(),
            "OID" => "OID".into(),
            "TSVECTOR" => "TSVECTOR".into(),
            "TSQUERY" => "TSQUERY".into(),
            "CITEXT" => "CITEXT".into(),
            "HSTORE" => "HSTORE".into(),
            "INT4RANGE" | "INT8RANGE" | "NUMRANGE" | "DATERANGE" | "TSRANGE" | "TSTZRANGE" | "REGCLASS" | "REGCONFIG" => name.into(),
            _ => return None,
        }))
    }

    fn column_specification(&self, col: &Column, ctx: ColumnContext) -> Compiled {
        let identity = col.extra.identity.is_some();
        let mut s = quote(self, &col.name).into_owned();
        if col.primary_key && ctx.is_autoincrement && !identity {
            s.push_str(if col.type_.is_big_integer() {
                " BIGSERIAL"
            } else if col.type_.is_small_integer() {
                " SMALLSERIAL"
            } else {
                " SERIAL"
            });
        } else {
            s.push(' ');
            s.push_str(&compile_type(self, &col.type_)?);
            if let Some(def) = &col.server_default {
                s.push_str(" DEFAULT ");
                s.push_str(&server_default_sql(self, def)?);
            }
        }
        if let Some(c) = &col.extra.computed {
            s.push(' ');
            s.push_str(&ddl::computed_sql(c));
        }
        if let Some(i) = &col.extra.identity {
            s.push(' ');
            s.push_str(&ddl::identity_sql(i));
        }
        let nullable = col.is_nullable();
        if !nullable && !identity {
            s.push_str(" NOT NULL");
        } else if nullable && identity && col.nullable == Some(true) {
            s.push_str(" NULL");
        }
        Ok(s)
    }

    fn op_statements(&self, op: &Op) -> Result<Vec<String>, CompileError> {
        match op {
            Op::CreateIndex {
                name: Some(name),
                table,
                elements,
                opts,
            } => Ok(vec![create_index(self, name, table, elements, opts)]),
            Op::DropIndex {
                name,
                table,
                if_exists,
                postgresql_concurrently,
            } => Ok(vec![format!(
                "DROP INDEX {}{}{}{}",
                if *postgresql_concurrently { "CONCURRENTLY " } else { "" },
                if *if_exists { "IF EXISTS " } else { "" },
                table
                    .as_ref()
                    .and_then(|t| t.schema.as_ref())
                    .map(|s| format!("{}.", quote_schema(self, s)))
                    .unwrap_or_default(),
                quote(self, name)
            )]),
            Op::AlterColumn(a) => alter_column(self, a),
            // PostgreSQL's RENAME TO takes a bare name (the table stays in its schema).
            Op::RenameTable { table, new_name } => Ok(vec![format!("{} RENAME TO {}", alter_table(self, table), quote(self, new_name))]),
            Op::CreateEnumType { name, schema, values } => {
                let vals: Vec<String> = values.iter().map(|v| super::types::quote_string(self, v)).collect();
                Ok(vec![format!(
                    "CREATE TYPE {} AS ENUM ({})",
                    enum_name(self, name, schema.as_deref()),
                    vals.join(", ")
                )])
            }
            Op::DropEnumType { name, schema } => Ok(vec![format!("DROP TYPE {}", enum_name(self, name, schema.as_deref()))]),
            other => ddl::generic_op_statements(self, other),
        }
    }

    fn version_insert_suffix(&self, table: &TableRef) -> String {
        format!(" RETURNING {}.version_num", format_table(self, table))
    }
}

/// Statements PostgreSQL runs that `sqlparser` cannot read, known from their first words:
/// PL/pgSQL and other routine bodies (`COST`, `SET`, `SECURITY DEFINER`...), `DO` blocks,
/// `COMMENT ON` any object, composite-type changes, `CREATE TABLE ... (LIKE ...)` and
/// PostgreSQL 18's named `CONSTRAINT n NOT NULL col`.
fn accepted_head(w: &[String]) -> bool {
    let at = |i: usize| w.get(i).map_or("", String::as_str);
    let has = |seq: &[&str]| w.windows(seq.len()).any(|x| x.iter().zip(seq).all(|(a, b)| a == b));
    // Past `CREATE [OR REPLACE] [CONSTRAINT]`: the object kind.
    let mut i = 1;
    while matches!(at(i), "OR" | "REPLACE" | "CONSTRAINT" | "TRUSTED" | "PROCEDURAL") {
        i += 1;
    }
    match (at(0), at(i)) {
        ("DO", _) => true,
        ("COMMENT", _) => at(1) == "ON",
        ("CREATE", "FUNCTION" | "PROCEDURE" | "TRIGGER" | "AGGREGATE" | "TYPE" | "LANGUAGE") => true,
        ("CREATE", "EVENT") => at(i + 1) == "TRIGGER",
        ("ALTER", "TYPE") => {
            matches!(
                (at(3), at(4)),
                ("ADD" | "DROP" | "ALTER" | "RENAME", "ATTRIBUTE") | ("OWNER", _) | ("SET", "SCHEMA")
            )
        }
        ("CREATE" | "ALTER", "TABLE") => has(&["(", "LIKE"]) || named_not_null(w),
        _ => false,
    }
}

/// `CONSTRAINT name NOT NULL` (PostgreSQL 18 names NOT NULL constraints).
fn named_not_null(w: &[String]) -> bool {
    w.windows(4).any(|x| x[0] == "CONSTRAINT" && x[2] == "NOT" && x[3] == "NULL")
}

fn enum_name(d: &PostgreSQL, name: &str, schema: Option<&str>) -> String {
    match schema {
        Some(s) => format!("{}.{}", quote_schema(d, s), quote(d, name)),
        None => quote(d, name).into_owned(),
    }
}

fn create_index(d: &PostgreSQL, name: &str, table: &TableRef, elements: &[IndexElement], o: &IndexOpts) -> String {
    let mut s = String::from("CREATE ");
    if o.unique {
        s.push_str("UNIQUE ");
    }
    s.push_str("INDEX ");
    if o.postgresql_concurrently {
        s.push_str("CONCURRENTLY ");
    }
    if o.if_not_exists {
        s.push_str("IF NOT EXISTS ");
    }
    s.push_str(&format!("{} ON {} ", quote(d, name), format_table(d, table)));
    if let Some(u) = &o.postgresql_using {
        s.push_str(&format!("USING {} ", u.to_lowercase()));
    }
    let els: Vec<String> = elements
        .iter()
        .map(|e| match e {
            IndexElement::Column(c) => match o.postgresql_ops.iter().find(|(k, _)| k == c) {
                Some((_, ops)) => format!("{} {}", quote(d, c), ops),
                None => quote(d, c).into_owned(),
            },
            IndexElement::Expr(x) => ddl::resolve_marks(d, x),
        })
        .collect();
    s.push_str(&format!("({})", els.join(", ")));
    if !o.postgresql_include.is_empty() {
        let inc: Vec<String> = o.postgresql_include.iter().map(|c| quote(d, c).into_owned()).collect();
        s.push_str(&format!(" INCLUDE ({})", inc.join(", ")));
    }
    match o.postgresql_nulls_not_distinct {
        Some(true) => s.push_str(" NULLS NOT DISTINCT"),
        Some(false) => s.push_str(" NULLS DISTINCT"),
        None => {}
    }
    if let Some(w) = &o.postgresql_where {
        s.push_str(&format!(" WHERE {w}"));
    }
    s
}

/// `PostgresqlImpl.alter_column`: the type change (with `USING`) comes first.
fn alter_column(d: &PostgreSQL, a: &AlterColumn) -> Result<Vec<String>, CompileError> {
    if a.postgresql_using.is_some() && a.type_.is_none() {
        return Err(CompileError("postgresql_using must be used with the type_ parameter".into()));
    }
    let mut out = Vec::new();
    if let Some(t) = &a.type_ {
        let mut s = format!(
            "{} ALTER COLUMN {} TYPE {}",
            alter_table(d, &a.table),
            quote(d, &a.column),
            compile_type(d, t)?
        );
        if let Some(u) = &a.postgresql_using {
            s.push_str(&format!(" USING {u}"));
        }
        out.push(s);
    }
    let mut rest = a.clone();
    rest.type_ = None;
    out.extend(ddl::alter_column_generic(d, &rest)?);
    Ok(out)
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label` within NAMEDATALEN - 1 bytes.
fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    super::object_name(name1, name2, label, Some(63))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Our own statements, shaped like the constructs real migrations use.
    #[test]
    fn accepts_constructs_sqlparser_cannot_read() {
        let d = PostgreSQL;
        for sql in [
            "create or replace function bump() returns trigger as $b$ begin return new; end; $b$ language plpgsql stable cost 50",
            "DO $$ BEGIN CREATE TYPE mood AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN null; END $$",
            "do $$ begin perform 1; end $$",
            "COMMENT ON TRIGGER touch_trg ON items IS 'keeps stamp fresh'",
            "ALTER TYPE \"app\".\"pair\" ADD ATTRIBUTE \"slot\" integer",
            "create table if not exists copy.items (like public.items including all)",
            "ALTER TABLE items ADD CONSTRAINT items_name_nn NOT NULL name",
        ] {
            assert!(d.accepts_unparsed(sql), "{sql}");
        }
    }

    #[test]
    fn keeps_statements_the_server_rejects() {
        let d = PostgreSQL;
        for sql in [
            "ALTER TABLE items DELETE COLUMN note",
            "ALTER TABLE items DROP COLUMN IF EXISTS note TEXT",
            "ALTER TABLE items ALTER COLUMN note SET NOT NULL DEFAULT ''",
            "DROP INDEX IF EXIST items_ix",
            "ALTER TYPE mood ADD VALUES 'b'",
            "SELEC 1",
        ] {
            assert!(!d.accepts_unparsed(sql), "{sql}");
        }
    }

    #[test]
    fn implicit_names_are_cut_as_the_server_cuts_them() {
        let fk = |t: &str, c: &str| PostgreSQL.implicit_constraint_name(t, ConstraintRole::ForeignKey, &[c.to_string()]);
        assert_eq!(fk("orders", "user_id").as_deref(), Some("orders_user_id_fkey"));
        // 29 + 29 characters: the second loses one (as the server named it).
        assert_eq!(
            fk("warehouse_dispatch_tracker_eu", "stage_12_final_checker_run_id").as_deref(),
            Some("warehouse_dispatch_tracker_eu_stage_12_final_checker_run_i_fkey")
        );
        let pk = PostgreSQL.implicit_constraint_name("orders", ConstraintRole::PrimaryKey, &[]);
        assert_eq!(pk.as_deref(), Some("orders_pkey"));
        let uq = PostgreSQL.implicit_constraint_name("orders", ConstraintRole::Unique, &["a".into(), "b".into()]);
        assert_eq!(uq.as_deref(), Some("orders_a_b_key"));
    }
}
