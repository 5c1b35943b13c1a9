//! SQLAlchemy's generic DDL compiler and Alembic's generic operation implementations
//! (`DefaultImpl`, `ddl/base.py`, `operations/toimpl.py`), as functions over any
//! [`Dialect`]. Dialect files override pieces through the trait.

use super::types::{compile_type, quote_string, render_literal};
use super::{ColumnContext, CompileError, Compiled, Dialect};
use crate::ops::{
    AlterColumn, AutoIncrement, Column, Constraint, ConstraintOpts, ForeignKeyConstraint, IndexElement, IndexOpts, Literal, Op, SqlExpr,
    SqlType, TableRef,
};

/// `IdentifierPreparer._requires_quotes`: reserved words, a leading digit or `$`,
/// anything but `[A-Za-z0-9_$]`, or upper-case letters.
/// As SQLAlchemy's `IdentifierPreparer._requires_quotes`: anything but a lower-case legal
/// identifier that is not a reserved word. Upper case and non-ASCII letters need quotes, so
/// only `[a-z0-9_$]` is left unquoted, and then the name is its own lower case.
pub fn requires_quotes<D: Dialect + ?Sized>(d: &D, ident: &str) -> bool {
    ident.is_empty()
        || ident.starts_with(|c: char| c.is_ascii_digit() || c == '$')
        || !ident
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'$')
        || d.reserved_words().binary_search(&ident).is_ok()
}

/// The identifier as SQL: borrowed when it needs no quotes (almost always), as most
/// callers only append it to a statement they are building.
pub fn quote<'a, D: Dialect + ?Sized>(d: &D, ident: &'a str) -> std::borrow::Cow<'a, str> {
    if requires_quotes(d, ident) {
        let q = d.quote_char();
        let mut out = String::with_capacity(ident.len() + 2);
        out.push(q);
        for c in ident.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(ident)
    }
}

/// Schema names may be dotted (`db.schema`): each part is quoted on its own.
pub fn quote_schema<D: Dialect + ?Sized>(d: &D, schema: &str) -> String {
    schema.split('.').map(|p| quote(d, p)).collect::<Vec<_>>().join(".")
}

pub fn format_table<D: Dialect + ?Sized>(d: &D, t: &TableRef) -> String {
    match &t.schema {
        Some(s) => format!("{}.{}", quote_schema(d, s), quote(d, &t.name)),
        None => quote(d, &t.name).into_owned(),
    }
}

/// `ALTER TABLE <table>`.
pub fn alter_table<D: Dialect + ?Sized>(d: &D, t: &TableRef) -> String {
    format!("ALTER TABLE {}", format_table(d, t))
}

/// A SQL expression in DDL (server defaults, checks, index elements).
pub fn render_sql_expr<D: Dialect + ?Sized>(d: &D, e: &SqlExpr, t: Option<&SqlType>) -> Compiled {
    Ok(match e {
        SqlExpr::Text(s) => resolve_marks(d, s),
        SqlExpr::Func { name, args } => {
            let args: Vec<String> = args.iter().map(|a| render_literal(d, a, None)).collect::<Result<_, _>>()?;
            match d.render_function(name, &args) {
                Some(s) => s,
                // ANSI functions render without parentheses (`AnsiFunction`).
                None if matches!(
                    name.to_lowercase().as_str(),
                    "current_date"
                        | "current_time"
                        | "current_timestamp"
                        | "current_user"
                        | "localtime"
                        | "localtimestamp"
                        | "session_user"
                        | "sysdate"
                        | "user"
                ) && args.is_empty() =>
                {
                    name.to_uppercase()
                }
                None => format!("{}({})", name, args.join(", ")),
            }
        }
        SqlExpr::Bool(b) => d.render_bool(*b).to_string(),
        SqlExpr::Null => "NULL".to_string(),
        SqlExpr::Literal(l) => render_literal(d, l, t)?,
    })
}

/// Booleans captured inside SQL text become the dialect's literals.
pub fn resolve_marks<D: Dialect + ?Sized>(d: &D, sql: &str) -> String {
    use crate::parse::py_eval::{FALSE_MARK, FUNCTION_MARK, IDENT_MARK, TRUE_MARK};
    if !sql.contains(['\u{1}', IDENT_MARK, FUNCTION_MARK]) {
        return sql.to_string();
    }
    let sql = sql
        .replace(TRUE_MARK, d.render_bool(true))
        .replace(FALSE_MARK, d.render_bool(false))
        .replace(FUNCTION_MARK, "");
    // Marked identifiers alternate with the text around them.
    sql.split(IDENT_MARK)
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                quote(d, part).into_owned()
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// SQL text as the simulated schema keeps it: identifiers unquoted, marks gone.
pub fn strip_ident_marks(sql: &str) -> String {
    sql.replace([crate::parse::py_eval::IDENT_MARK, crate::parse::py_eval::FUNCTION_MARK], "")
}

/// `get_column_default_string`: a plain string default is a quoted literal (whatever the
/// column type), anything else is SQL.
pub fn server_default_sql<D: Dialect + ?Sized>(d: &D, e: &SqlExpr) -> Compiled {
    match e {
        SqlExpr::Literal(Literal::Str(s)) => Ok(quote_string(d, s)),
        other => render_sql_expr(d, other, None),
    }
}

pub fn identity_options(i: &crate::ops::Identity) -> String {
    let mut parts = Vec::new();
    if let Some(v) = i.increment {
        parts.push(format!("INCREMENT BY {v}"));
    }
    if let Some(v) = i.start {
        parts.push(format!("START WITH {v}"));
    }
    if let Some(v) = i.minvalue {
        parts.push(format!("MINVALUE {v}"));
    }
    if let Some(v) = i.maxvalue {
        parts.push(format!("MAXVALUE {v}"));
    }
    if i.nominvalue.is_some() {
        parts.push("NO MINVALUE".into());
    }
    if i.nomaxvalue.is_some() {
        parts.push("NO MAXVALUE".into());
    }
    if let Some(v) = i.cache {
        parts.push(format!("CACHE {v}"));
    }
    if let Some(c) = i.cycle {
        parts.push(if c { "CYCLE".into() } else { "NO CYCLE".into() });
    }
    parts.join(" ")
}

pub fn identity_sql(i: &crate::ops::Identity) -> String {
    let mut s = format!("GENERATED {} AS IDENTITY", if i.always { "ALWAYS" } else { "BY DEFAULT" });
    let o = identity_options(i);
    if !o.is_empty() {
        s.push_str(&format!(" ({o})"));
    }
    s
}

pub fn computed_sql(c: &crate::ops::Computed) -> String {
    let mut s = format!("GENERATED ALWAYS AS ({})", c.sqltext);
    match c.persisted {
        Some(true) => s.push_str(" STORED"),
        Some(false) => s.push_str(" VIRTUAL"),
        None => {}
    }
    s
}

/// Inline column constraints (`column.constraints`): column-level CHECKs.
pub fn column_constraints_sql<D: Dialect + ?Sized>(d: &D, col: &Column) -> String {
    col.extra.checks.iter().map(|c| check_sql(d, c)).collect::<Vec<_>>().join(" ")
}

/// `DDLCompiler.get_column_specification`.
pub fn generic_column_specification<D: Dialect + ?Sized>(d: &D, col: &Column, _ctx: ColumnContext) -> Compiled {
    let mut s = format!("{} {}", quote(d, &col.name), compile_type(d, &col.type_)?);
    if let Some(def) = &col.server_default {
        s.push_str(" DEFAULT ");
        s.push_str(&server_default_sql(d, def)?);
    }
    if let Some(c) = &col.extra.computed {
        s.push(' ');
        s.push_str(&computed_sql(c));
    }
    let identity = col.extra.identity.is_some() && d.supports_identity_columns();
    if let Some(i) = col.extra.identity.as_ref().filter(|_| identity) {
        s.push(' ');
        s.push_str(&identity_sql(i));
    }
    if !col.is_nullable() && !identity {
        s.push_str(" NOT NULL");
    }
    Ok(s)
}

/// `visit_create_column`: the specification plus inline constraints.
pub fn create_column_sql<D: Dialect + ?Sized>(d: &D, col: &Column, ctx: ColumnContext) -> Compiled {
    let mut s = d.column_specification(col, ctx)?;
    let c = column_constraints_sql(d, col);
    if !c.is_empty() {
        s.push(' ');
        s.push_str(&c);
    }
    Ok(s)
}

/// `PrimaryKeyConstraint._autoincrement_column`: the single integer primary key column
/// eligible for autoincrement, or the one marked `autoincrement=True`.
pub fn autoincrement_column(columns: &[Column], pk: &[String]) -> Option<usize> {
    let valid = |c: &Column, explicit: bool| -> bool {
        if !(c.type_.is_integer() || c.type_.is_numeric()) {
            return explicit;
        }
        if !explicit && c.server_default.is_some() {
            return false;
        }
        if !c.extra.foreign_keys.is_empty() && !matches!(c.autoincrement, AutoIncrement::True | AutoIncrement::IgnoreFk) {
            return false;
        }
        true
    };
    let pk_cols: Vec<usize> = pk.iter().filter_map(|n| columns.iter().position(|c| &c.name == n)).collect();
    if pk_cols.len() == 1 {
        let c = &columns[pk_cols[0]];
        return match c.autoincrement {
            AutoIncrement::True => Some(pk_cols[0]),
            AutoIncrement::Auto | AutoIncrement::IgnoreFk if valid(c, false) => Some(pk_cols[0]),
            _ => None,
        };
    }
    pk_cols.into_iter().find(|&i| columns[i].autoincrement == AutoIncrement::True)
}

pub fn deferrability(o: &ConstraintOpts) -> String {
    let mut s = String::new();
    match o.deferrable {
        Some(true) => s.push_str(" DEFERRABLE"),
        Some(false) => s.push_str(" NOT DEFERRABLE"),
        None => {}
    }
    if let Some(i) = &o.initially {
        s.push_str(&format!(" INITIALLY {i}"));
    }
    s
}

pub fn preamble<D: Dialect + ?Sized>(d: &D, o: &ConstraintOpts) -> String {
    match &o.name {
        Some(n) => format!("CONSTRAINT {} ", quote(d, n)),
        None => String::new(),
    }
}

pub fn check_sql<D: Dialect + ?Sized>(d: &D, c: &crate::ops::CheckConstraint) -> String {
    format!(
        "{}CHECK ({}){}",
        preamble(d, &c.opts),
        resolve_marks(d, &c.sqltext),
        deferrability(&c.opts)
    )
}

pub fn fk_sql<D: Dialect + ?Sized>(d: &D, fk: &ForeignKeyConstraint) -> String {
    let cols: Vec<String> = fk.columns.iter().map(|c| quote(d, c).into_owned()).collect();
    let refs: Vec<String> = fk.ref_columns.iter().map(|c| quote(d, c).into_owned()).collect();
    let mut s = format!(
        "{}FOREIGN KEY({}) REFERENCES {} ({})",
        preamble(d, &fk.opts),
        cols.join(", "),
        format_table(d, &fk.ref_table),
        refs.join(", ")
    );
    if let Some(m) = &fk.match_ {
        s.push_str(&format!(" MATCH {m}"));
    }
    if let Some(x) = &fk.ondelete {
        s.push_str(&format!(" ON DELETE {x}"));
    }
    if let Some(x) = &fk.onupdate {
        s.push_str(&format!(" ON UPDATE {x}"));
    }
    s.push_str(&deferrability(&fk.opts));
    s
}

/// A table-level constraint as it appears in `CREATE TABLE` or after `ADD`.
pub fn constraint_sql<D: Dialect + ?Sized>(d: &D, c: &Constraint) -> Option<String> {
    Some(match c {
        Constraint::PrimaryKey { opts, columns } => {
            if columns.is_empty() {
                return None;
            }
            let cols: Vec<String> = columns.iter().map(|c| quote(d, c).into_owned()).collect();
            format!("{}PRIMARY KEY ({}){}", preamble(d, opts), cols.join(", "), deferrability(opts))
        }
        Constraint::Unique { opts, columns } => {
            if columns.is_empty() {
                return None;
            }
            let cols: Vec<String> = columns.iter().map(|c| quote(d, c).into_owned()).collect();
            format!("{}UNIQUE ({}){}", preamble(d, opts), cols.join(", "), deferrability(opts))
        }
        Constraint::Check(ck) => check_sql(d, ck),
        Constraint::ForeignKey(fk) => fk_sql(d, fk),
    })
}

/// The implicit constraints SQLAlchemy derives from column flags and types, in the order a
/// `Table` creates them (after every explicit constraint): `unique=True`, a type's CHECK
/// (`Enum`/`Boolean` with `create_constraint=True`), then inline `ForeignKey`s.
pub fn column_generated_constraints<D: Dialect + ?Sized>(d: &D, table: &TableRef, columns: &[Column]) -> Vec<Constraint> {
    let mut out = Vec::new();
    for c in columns {
        if c.extra.unique == Some(true) && c.extra.index != Some(true) {
            out.push(Constraint::Unique {
                opts: ConstraintOpts::default(),
                columns: vec![c.name.clone()],
            });
        }
        if let Some(ck) = type_check_constraint(d, c) {
            out.push(Constraint::Check(ck));
        }
        for fk in &c.extra.foreign_keys {
            out.push(Constraint::ForeignKey(Box::new(column_fk(table, c, fk))));
        }
    }
    out
}

pub fn column_fk(table: &TableRef, c: &Column, fk: &crate::ops::ColumnForeignKey) -> ForeignKeyConstraint {
    // 'schema.table.col' or 'table.col'
    let parts: Vec<&str> = fk.target.split('.').collect();
    let (ref_table, ref_col) = match parts.len() {
        0 | 1 => (TableRef::new(fk.target.clone()), fk.target.clone()),
        2 => (TableRef::new(parts[0]), parts[1].to_string()),
        n => (
            TableRef {
                name: parts[n - 2].to_string(),
                schema: Some(parts[..n - 2].join(".")),
            },
            parts[n - 1].to_string(),
        ),
    };
    let _ = table;
    ForeignKeyConstraint {
        opts: ConstraintOpts {
            name: fk.name.clone(),
            deferrable: fk.deferrable,
            initially: fk.initially.clone(),
        },
        columns: vec![c.name.clone()],
        ref_table,
        ref_columns: vec![ref_col],
        ondelete: fk.ondelete.clone(),
        onupdate: fk.onupdate.clone(),
        match_: fk.match_.clone(),
        use_alter: false,
    }
}

/// `Enum(create_constraint=True)` when not native, and `Boolean(create_constraint=True)`
/// when the dialect has no native boolean, get a CHECK named after the type.
pub fn type_check_constraint<D: Dialect + ?Sized>(d: &D, c: &Column) -> Option<crate::ops::CheckConstraint> {
    let t = &c.type_;
    if !t.create_constraint {
        return None;
    }
    let col = quote(d, &c.name);
    if t.is_enum() && !(t.native_enum && d.supports_native_enum()) {
        let vals: Vec<String> = t.extra.enums.iter().map(|v| quote_string(d, v)).collect();
        return Some(crate::ops::CheckConstraint {
            opts: ConstraintOpts {
                name: t.extra.name.clone(),
                ..Default::default()
            },
            sqltext: format!("{col} IN ({})", vals.join(", ")),
        });
    }
    if t.is_boolean() && !d.supports_native_boolean() {
        return Some(crate::ops::CheckConstraint {
            opts: ConstraintOpts {
                name: t.extra.name.clone(),
                ..Default::default()
            },
            sqltext: format!("{col} IN (0, 1)"),
        });
    }
    None
}

/// The CREATE TABLE statement (`visit_create_table`).
pub fn create_table_sql<D: Dialect + ?Sized>(
    d: &D,
    table: &TableRef,
    columns: &[Column],
    constraints: &[Constraint],
    comment: Option<&str>,
    kwargs: &[(String, Literal)],
    if_not_exists: bool,
) -> Compiled {
    let explicit_pk = constraints.iter().find_map(|c| match c {
        Constraint::PrimaryKey { opts, columns } => Some((opts.clone(), columns.clone())),
        _ => None,
    });
    let flagged: Vec<String> = columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
    let (pk_opts, pk_cols, implicit) = match explicit_pk {
        Some((o, c)) => (o, c, false),
        None => (ConstraintOpts::default(), flagged, true),
    };
    let autoinc = autoincrement_column(columns, &pk_cols);
    let inline_pk = match pk_cols.as_slice() {
        [one] => columns
            .iter()
            .position(|c| c.name == *one)
            .filter(|&i| d.inline_primary_key(kwargs, &columns[i])),
        _ => None,
    };
    let mut text = format!(
        "CREATE TABLE {}{} (",
        if if_not_exists { "IF NOT EXISTS " } else { "" },
        format_table(d, table)
    );
    let mut sep = "\n";
    for (i, c) in columns.iter().enumerate() {
        // A column named by the table's PRIMARY KEY renders as flagged (copied only then).
        let flagged;
        let col = if !c.primary_key && pk_cols.contains(&c.name) {
            flagged = Column {
                primary_key: true,
                ..c.clone()
            };
            &flagged
        } else {
            c
        };
        let ctx = ColumnContext {
            is_autoincrement: autoinc == Some(i),
            inline_primary_key: inline_pk == Some(i),
        };
        let spec = create_column_sql(d, col, ctx)
            .map_err(|e| CompileError(format!("(in table '{}', column '{}'): {}", table.name, c.name, e.0)))?;
        text.push_str(sep);
        text.push('\t');
        text.push_str(&spec);
        sep = ", \n";
    }
    // PRIMARY KEY first, then constraints in creation order.
    let mut pk_render = pk_cols.clone();
    if implicit {
        // `columns_autoinc_first`
        if let Some(a) = autoinc {
            let name = columns[a].name.clone();
            pk_render.retain(|c| *c != name);
            pk_render.insert(0, name);
        }
    }
    let mut all: Vec<String> = Vec::new();
    if inline_pk.is_some() {
        // declared on the column
    } else if let Some(pk) = constraint_sql(
        d,
        &Constraint::PrimaryKey {
            opts: pk_opts,
            columns: pk_render,
        },
    ) {
        all.push(pk);
    }
    let generated = column_generated_constraints(d, table, columns);
    for c in constraints.iter().chain(generated.iter()) {
        if matches!(c, Constraint::PrimaryKey { .. }) {
            continue;
        }
        if let Constraint::ForeignKey(fk) = c
            && (fk.use_alter || !d.foreign_key_allowed(table, fk))
        {
            continue;
        }
        if let Some(s) = constraint_sql(d, c) {
            all.push(s);
        }
    }
    if !all.is_empty() {
        text.push_str(sep);
        text.push('\t');
        text.push_str(&all.join(", \n\t"));
    }
    text.push_str(&format!("\n){}", d.post_create_table(comment, kwargs)));
    Ok(text)
}

/// The default index name for `Column(index=True)`: `ix_<table>_<column>`.
pub fn column_index_name(table: &TableRef, col: &str) -> String {
    format!("ix_{}_{}", table.name, col)
}

pub fn create_index_generic<D: Dialect + ?Sized>(
    d: &D,
    name: &str,
    table: &TableRef,
    elements: &[IndexElement],
    opts: &IndexOpts,
) -> String {
    let els: Vec<String> = elements
        .iter()
        .map(|e| match e {
            IndexElement::Column(c) => quote(d, c).into_owned(),
            IndexElement::Expr(x) => resolve_marks(d, x),
        })
        .collect();
    format!(
        "CREATE {}INDEX {}{} ON {} ({})",
        if opts.unique { "UNIQUE " } else { "" },
        if opts.if_not_exists { "IF NOT EXISTS " } else { "" },
        quote(d, name),
        format_table(d, table),
        els.join(", ")
    )
}

pub fn drop_index_generic<D: Dialect + ?Sized>(d: &D, name: &str, table: Option<&TableRef>, if_exists: bool) -> String {
    let schema = table
        .and_then(|t| t.schema.as_ref())
        .map(|s| format!("{}.", quote_schema(d, s)))
        .unwrap_or_default();
    format!(
        "DROP INDEX {}{}{}",
        if if_exists { "IF EXISTS " } else { "" },
        schema,
        quote(d, name)
    )
}

/// Statements for one operation with the generic (SQL-standard) compiler; dialects
/// override `op_statements` and fall back to this.
pub fn generic_op_statements<D: Dialect + ?Sized>(d: &D, op: &Op) -> Result<Vec<String>, CompileError> {
    Ok(match op {
        Op::CreateTable {
            table,
            columns,
            constraints,
            extra,
            if_not_exists,
        } => {
            let mut out = d_enum_types(d, columns, true);
            out.push(create_table_sql(
                d,
                table,
                columns,
                constraints,
                extra.comment.as_deref(),
                &extra.kwargs,
                *if_not_exists,
            )?);
            for c in columns.iter().filter(|c| c.extra.index == Some(true)) {
                let name = column_index_name(table, &c.name);
                let opts = IndexOpts {
                    unique: c.extra.unique == Some(true),
                    ..Default::default()
                };
                out.push(create_index_generic(
                    d,
                    &name,
                    table,
                    &[IndexElement::Column(c.name.clone())],
                    &opts,
                ));
            }
            if d.supports_comments() && !d.inline_comments() {
                if let Some(cm) = &extra.comment {
                    out.push(format!("COMMENT ON TABLE {} IS {}", format_table(d, table), quote_string(d, cm)));
                }
                for c in columns {
                    if let Some(cm) = &c.extra.comment {
                        out.push(format!(
                            "COMMENT ON COLUMN {}.{} IS {}",
                            format_table(d, table),
                            quote(d, &c.name),
                            quote_string(d, cm)
                        ));
                    }
                }
            }
            out
        }
        Op::DropTable { table, if_exists } => {
            vec![format!(
                "DROP TABLE {}{}",
                if *if_exists { "IF EXISTS " } else { "" },
                format_table(d, table)
            )]
        }
        Op::RenameTable { table, new_name } => {
            let new = TableRef {
                name: new_name.clone(),
                schema: table.schema.clone(),
            };
            vec![format!("{} RENAME TO {}", alter_table(d, table), format_table(d, &new))]
        }
        Op::AddColumn {
            table,
            column,
            if_not_exists,
            ..
        } => {
            let mut out = vec![format!(
                "{} ADD COLUMN {}{}",
                alter_table(d, table),
                if *if_not_exists { "IF NOT EXISTS " } else { "" },
                create_column_sql(d, column, ColumnContext::default())?
            )];
            for c in column_generated_constraints(d, table, std::slice::from_ref(column)) {
                out.extend(add_constraint_statements(d, table, &c, true)?);
            }
            if column.extra.index == Some(true) {
                let opts = IndexOpts {
                    unique: column.extra.unique == Some(true),
                    ..Default::default()
                };
                out.push(create_index_generic(
                    d,
                    &column_index_name(table, &column.name),
                    table,
                    &[IndexElement::Column(column.name.clone())],
                    &opts,
                ));
            }
            if d.supports_comments()
                && !d.inline_comments()
                && let Some(cm) = &column.extra.comment
            {
                out.push(format!(
                    "COMMENT ON COLUMN {}.{} IS {}",
                    format_table(d, table),
                    quote(d, &column.name),
                    quote_string(d, cm)
                ));
            }
            out
        }
        Op::DropColumn { table, column, if_exists } => {
            vec![format!(
                "{} DROP COLUMN {}{}",
                alter_table(d, table),
                if *if_exists { "IF EXISTS " } else { "" },
                quote(d, column)
            )]
        }
        Op::AlterColumn(a) => alter_column_generic(d, a)?,
        Op::CreateIndex {
            name,
            table,
            elements,
            opts,
        } => {
            let Some(name) = name else {
                return Err(CompileError("CREATE INDEX requires that the index have a name".into()));
            };
            vec![create_index_generic(d, name, table, elements, opts)]
        }
        Op::DropIndex {
            name, table, if_exists, ..
        } => vec![drop_index_generic(d, name, table.as_ref(), *if_exists)],
        Op::AddConstraint { table, constraint } => add_constraint_statements(d, table, constraint, false)?,
        Op::DropConstraint {
            table, name, if_exists, ..
        } => {
            vec![format!(
                "{} DROP CONSTRAINT {}{}",
                alter_table(d, table),
                if *if_exists { "IF EXISTS " } else { "" },
                quote(d, name)
            )]
        }
        Op::CreateTableComment { table, comment } => {
            vec![format!(
                "COMMENT ON TABLE {} IS {}",
                format_table(d, table),
                quote_string(d, comment)
            )]
        }
        Op::DropTableComment { table } => vec![format!("COMMENT ON TABLE {} IS NULL", format_table(d, table))],
        Op::Execute { sql } => vec![resolve_marks(d, sql.trim())],
        Op::Sql(s) => vec![s.sql.clone()],
        Op::BulkInsert { table, columns, rows } => {
            let mut out = Vec::new();
            for row in rows {
                let mut names = Vec::new();
                let mut values = Vec::new();
                // SQLAlchemy renders the VALUES in the table's column order.
                let mut ordered: Vec<&(String, Literal)> = row.iter().collect();
                ordered.sort_by_key(|(k, _)| columns.iter().position(|(c, _)| c == k).unwrap_or(usize::MAX));
                for (k, v) in ordered {
                    let t = columns.iter().find(|(c, _)| c == k).and_then(|(_, t)| t.as_ref());
                    names.push(quote(d, k));
                    values.push(render_literal(d, v, t)?);
                }
                out.push(format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    format_table(d, table),
                    names.join(", "),
                    values.join(", ")
                ));
            }
            out
        }
        Op::CreateEnumType { .. } | Op::DropEnumType { .. } => Vec::new(),
        Op::Batch(_) | Op::AutocommitBlock { .. } => Vec::new(),
    })
}

/// Native enum types a dialect creates around a table (PostgreSQL's `CREATE TYPE`).
fn d_enum_types<D: Dialect + ?Sized>(d: &D, columns: &[Column], create: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for c in columns {
        for t in std::iter::once(&c.type_).chain(c.type_.extra.item_type.as_deref()) {
            if t.is_enum()
                && t.native_enum
                && d.creates_enum_types()
                && let Some(name) = &t.extra.name
            {
                let key = format!("{:?}.{}", t.extra.schema, name);
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let full = match &t.extra.schema {
                    Some(s) => format!("{}.{}", quote_schema(d, s), quote(d, name)),
                    None => quote(d, name).into_owned(),
                };
                if create {
                    let vals: Vec<String> = t.extra.enums.iter().map(|v| quote_string(d, v)).collect();
                    out.push(format!("CREATE TYPE {} AS ENUM ({})", full, vals.join(", ")));
                } else {
                    out.push(format!("DROP TYPE {full}"));
                }
            }
        }
    }
    out
}

/// `ALTER TABLE t ADD <constraint>`; `implicit` marks constraints derived from column
/// flags (dialects that cannot ALTER constraints skip those with a warning).
pub fn add_constraint_statements<D: Dialect + ?Sized>(
    d: &D,
    table: &TableRef,
    c: &Constraint,
    implicit: bool,
) -> Result<Vec<String>, CompileError> {
    let _ = implicit;
    Ok(constraint_sql(d, c)
        .map(|s| format!("{} ADD {}", alter_table(d, table), s))
        .into_iter()
        .collect())
}

/// `DefaultImpl.alter_column` order: nullable, server default, type, comment, name.
pub fn alter_column_generic<D: Dialect + ?Sized>(d: &D, a: &AlterColumn) -> Result<Vec<String>, CompileError> {
    let mut out = Vec::new();
    let head = format!("{} ALTER COLUMN {}", alter_table(d, &a.table), quote(d, &a.column));
    if let Some(n) = a.nullable {
        out.push(format!("{head} {}", if n { "DROP NOT NULL" } else { "SET NOT NULL" }));
    }
    if let Some(def) = &a.server_default {
        match def {
            Some(e) => out.push(format!("{head} SET DEFAULT {}", server_default_sql(d, e)?)),
            None => out.push(format!("{head} DROP DEFAULT")),
        }
    }
    if let Some(t) = &a.type_ {
        out.push(format!("{head} TYPE {}", compile_type(d, t)?));
    }
    if let Some(c) = &a.comment {
        out.push(match c {
            Some(c) => format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                format_table(d, &a.table),
                quote(d, &a.column),
                quote_string(d, c)
            ),
            None => format!("COMMENT ON COLUMN {}.{} IS NULL", format_table(d, &a.table), quote(d, &a.column)),
        });
    }
    if let Some(n) = &a.new_column_name {
        out.push(format!(
            "{} RENAME {} TO {}",
            alter_table(d, &a.table),
            quote(d, &a.column),
            quote(d, n)
        ));
    }
    Ok(out)
}

/// PostgreSQL-style native enum create/drop, for dialects that have them.
pub fn enum_type_statements<D: Dialect + ?Sized>(d: &D, columns: &[Column], create: bool) -> Vec<String> {
    d_enum_types(d, columns, create)
}
