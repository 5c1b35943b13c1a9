//! The type compiler (SQLAlchemy's `GenericTypeCompiler` dispatch) and literal rendering
//! shared by the dialects.

use super::{CompileError, Compiled, Dialect};
use crate::ops::{Literal, SqlType};

/// Render `t` for dialect `d`: the dialect's override of the visit, else the generic one.
/// A type with `.with_variant(..., d.name())` renders the variant.
pub fn compile_type<D: Dialect + ?Sized>(d: &D, t: &SqlType) -> Compiled {
    let t = t.for_dialect(d.name());
    visit(d, &t.visit, t)
}

/// Dispatch one visit name, letting the dialect intercept every step of the chain (as
/// SQLAlchemy's `visit_string` → `visit_VARCHAR` re-dispatches through the dialect).
pub fn visit<D: Dialect + ?Sized>(d: &D, name: &str, t: &SqlType) -> Compiled {
    if let Some(r) = d.visit_type(name, t) {
        return r;
    }
    generic_visit(d, name, t)
}

fn string_type<D: Dialect + ?Sized>(d: &D, name: &str, t: &SqlType) -> String {
    let mut s = name.to_string();
    if let Some(l) = t.length.filter(|l| *l > 0) {
        s.push_str(&format!("({l})"));
    }
    if let Some(c) = &t.extra.collation {
        s.push_str(" COLLATE ");
        s.push_str(&super::ddl::quote(d, c));
    }
    s
}

pub fn generic_visit<D: Dialect + ?Sized>(d: &D, name: &str, t: &SqlType) -> Compiled {
    let num = |n: &str| match (t.precision, t.scale) {
        (None, _) => n.to_string(),
        (Some(p), None) => format!("{n}({p})"),
        (Some(p), Some(s)) => format!("{n}({p}, {s})"),
    };
    Ok(match name {
        // generic (lower-case) visits re-dispatch to the SQL-standard name
        "string" | "unicode" => return visit(d, "VARCHAR", t),
        "text" | "unicode_text" => return visit(d, "TEXT", t),
        "integer" => return visit(d, "INTEGER", t),
        "small_integer" => return visit(d, "SMALLINT", t),
        "big_integer" => return visit(d, "BIGINT", t),
        "boolean" => return visit(d, "BOOLEAN", t),
        "date" => return visit(d, "DATE", t),
        "datetime" => return visit(d, "DATETIME", t),
        "time" => return visit(d, "TIME", t),
        "float" => return visit(d, "FLOAT", t),
        "double" => return visit(d, "DOUBLE", t),
        "real" => return visit(d, "REAL", t),
        "numeric" => return visit(d, "NUMERIC", t),
        "large_binary" => return visit(d, "BLOB", t),
        "enum" => return visit(d, "VARCHAR", &enum_as_varchar(t)),
        "uuid" => {
            if !t.native_uuid || !d.supports_native_uuid() {
                let mut c = t.clone();
                c.length = Some(32);
                c.extra.set(|e| &mut e.collation, None);
                return visit(d, "CHAR", &c);
            }
            return visit(d, "UUID", t);
        }
        "interval" => {
            // Interval is a TypeDecorator over DateTime on backends without INTERVAL.
            return visit(d, "DATETIME", t);
        }
        "json" => return visit(d, "JSON", t),
        // SQL-standard names
        "FLOAT" => "FLOAT".into(),
        "DOUBLE" => "DOUBLE".into(),
        "DOUBLE_PRECISION" => "DOUBLE PRECISION".into(),
        "REAL" => "REAL".into(),
        "NUMERIC" => num("NUMERIC"),
        "DECIMAL" => num("DECIMAL"),
        "INTEGER" => "INTEGER".into(),
        "SMALLINT" => "SMALLINT".into(),
        "BIGINT" => "BIGINT".into(),
        "TIMESTAMP" => "TIMESTAMP".into(),
        "DATETIME" => "DATETIME".into(),
        "DATE" => "DATE".into(),
        "TIME" => "TIME".into(),
        "CLOB" => "CLOB".into(),
        "NCLOB" => "NCLOB".into(),
        "CHAR" => string_type(d, "CHAR", t),
        "NCHAR" => string_type(d, "NCHAR", t),
        "VARCHAR" => string_type(d, "VARCHAR", t),
        "NVARCHAR" => string_type(d, "NVARCHAR", t),
        "TEXT" => string_type(d, "TEXT", t),
        "UUID" => "UUID".into(),
        "BLOB" => "BLOB".into(),
        "BINARY" => format!("BINARY{}", t.length.map(|l| format!("({l})")).unwrap_or_default()),
        "VARBINARY" => format!("VARBINARY{}", t.length.map(|l| format!("({l})")).unwrap_or_default()),
        "BOOLEAN" => "BOOLEAN".into(),
        "JSON" => "JSON".into(),
        other => {
            return Err(CompileError(format!(
                "(in type {}) Compiler {} can't render element of type {}",
                t.class,
                d.name(),
                other
            )));
        }
    })
}

/// A non-native `Enum` renders as `VARCHAR(<longest value>)`.
pub fn enum_as_varchar(t: &SqlType) -> SqlType {
    let mut c = t.clone();
    c.length = t.enum_varchar_length();
    c
}

/// `render_literal_value` for strings: single quotes doubled (and backslashes where the
/// dialect treats them as escapes).
pub fn quote_string<D: Dialect + ?Sized>(d: &D, s: &str) -> String {
    let mut v = s.replace('\'', "''");
    if d.backslash_escapes() {
        v = v.replace('\\', "\\\\");
    }
    format!("'{v}'")
}

/// `str(datetime)` as SQLAlchemy's generic literal renders it.
pub fn render_datetime_default(date: (i64, u32, u32), time: Option<(u32, u32, u32, u32)>, is_date_only: bool) -> String {
    let (y, m, dd) = date;
    if is_date_only {
        return format!("'{y:04}-{m:02}-{dd:02}'");
    }
    let (h, mi, s, us) = time.unwrap_or((0, 0, 0, 0));
    if us > 0 {
        format!("'{y:04}-{m:02}-{dd:02} {h:02}:{mi:02}:{s:02}.{us:06}'")
    } else {
        format!("'{y:04}-{m:02}-{dd:02} {h:02}:{mi:02}:{s:02}'")
    }
}

/// A Python literal bound with `literal_binds=True` for a column of type `t`.
pub fn render_literal<D: Dialect + ?Sized>(d: &D, lit: &Literal, t: Option<&SqlType>) -> Compiled {
    Ok(match lit {
        Literal::None => "NULL".into(),
        Literal::Bool(b) => d.render_bool(*b).into(),
        Literal::Int(i) => {
            if t.is_some_and(|t| t.is_boolean()) {
                d.render_bool(*i != 0).into()
            } else {
                i.to_string()
            }
        }
        Literal::Float(f) => f.clone(),
        Literal::Str(s) => quote_string(d, s),
        Literal::DateTime { date, time } => {
            let date_only = time.is_none() || t.is_some_and(|t| t.is_date());
            d.render_datetime(*date, *time, date_only)
        }
    })
}
