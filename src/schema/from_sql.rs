//! Plain SQL statements as schema changes, read from `sqlparser`'s syntax tree (DDL the
//! simulator models; DML, `SET` and everything else classified for the lint rules).

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterTableOperation, AlterTypeOperation, AssignmentTarget, ColumnOption, DataType, Expr,
    FromTable, ObjectName, ObjectNamePart, ObjectType, RenameTableNameKind, Set, Statement, TableConstraint, TableFactor, TableObject,
    UserDefinedTypeRepresentation,
};
use sqlparser::parser::Parser;

use super::change::{Change, ColumnDef, ConstraintDef, ConstraintKind, DataVerb, IndexDef};
use crate::dialect::Dialect;
use crate::sql::{SqlStatement, StatementKind};

/// The changes of one SQL text (one or several statements). Text `sqlparser` rejects
/// becomes one opaque change.
pub fn changes(sql: &str, d: &dyn Dialect) -> Vec<Change> {
    let parser = d.sql_parser();
    match parse(d, parser.as_ref(), sql) {
        Ok((stmts, false)) => stmts.iter().flat_map(|s| statement(s, d)).collect(),
        Ok((stmts, true)) => stmts
            .iter()
            .flat_map(|s| statement(s, d))
            .map(|mut c| {
                if let Change::DropIndex { concurrently, .. } = &mut c {
                    *concurrently = true;
                }
                c
            })
            .collect(),
        Err(_) => do_block(sql, d).unwrap_or_else(|| {
            let class = crate::sql::classify::classify(sql);
            from_class(sql, &class, d)
        }),
    }
}

/// A PostgreSQL `DO $$ ... $$` block: procedural code, usually a guard around DDL (`IF NOT
/// EXISTS (...) THEN CREATE TYPE ...`). The DDL statements inside that parse are read as
/// what may have run: enum types are created if missing, tables they touch become
/// unknown. `None`: not a `DO` block.
fn do_block(sql: &str, d: &dyn Dialect) -> Option<Vec<Change>> {
    let rest = sql.trim_start();
    let head = rest.get(..2)?;
    if !head.eq_ignore_ascii_case("do") || !rest[2..].starts_with(|c: char| c.is_whitespace() || c == '$') {
        return None;
    }
    let open = rest.find('$')?;
    let close = open + 1 + rest[open + 1..].find('$')?;
    let tag = &rest[open..=close];
    let body_end = close + 1 + rest[close + 1..].find(tag).unwrap_or(rest.len() - close - 1);
    let body = &rest[close + 1..body_end];
    let parser = d.sql_parser();
    let mut out = Vec::new();
    let mut tables: Vec<String> = Vec::new();
    let mut unread = false;
    for piece in body.split(';') {
        let lower = piece.to_ascii_lowercase();
        let Some(at) = ["create ", "alter ", "drop "]
            .iter()
            .filter_map(|k| {
                lower
                    .match_indices(k)
                    .map(|(i, _)| i)
                    .find(|&i| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())
            })
            .min()
        else {
            continue;
        };
        let Ok((stmts, _)) = parse(d, parser.as_ref(), &piece[at..]) else {
            unread = true;
            continue;
        };
        for c in stmts.iter().flat_map(|s| statement(s, d)) {
            match c {
                Change::CreateType { name, values, .. } => out.push(Change::CreateType {
                    name,
                    values,
                    if_not_exists: true,
                }),
                other => {
                    if let Some(t) = other.table()
                        && !tables.iter().any(|x| x == t)
                    {
                        tables.push(t.to_string());
                    }
                }
            }
        }
    }
    // DDL inside that could not be read, or SQL built at run time (EXECUTE): what it
    // touches is not known; the tables named are unknown, or with none, the schema.
    if unread || has_execute(body) || !tables.is_empty() {
        out.push(Change::Opaque {
            excerpt: sql.to_string(),
            tables,
            schema_changing: true,
        });
    }
    if out.is_empty() {
        out.push(Change::Other { what: "do".into() });
    }
    Some(out)
}

/// Parse SQL text with `sqlparser` (as the dialect rewrites it for the parser), reading
/// `DROP INDEX CONCURRENTLY` (which it takes for an index named `CONCURRENTLY`) as a plain
/// `DROP INDEX`; `true` when that keyword was taken out.
pub fn parse(
    d: &dyn Dialect,
    parser: &dyn sqlparser::dialect::Dialect,
    sql: &str,
) -> Result<(Vec<Statement>, bool), sqlparser::parser::ParserError> {
    let rewritten = d.sql_for_parser(sql);
    let sql = rewritten.as_deref().unwrap_or(sql);
    match Parser::parse_sql(parser, sql) {
        Ok(stmts) => Ok((stmts, false)),
        Err(e) => match without_drop_concurrently(sql) {
            Some(plain) => Parser::parse_sql(parser, &plain).map(|s| (s, true)).map_err(|_| e),
            None => Err(e),
        },
    }
}

/// The text without the `CONCURRENTLY` of `DROP INDEX CONCURRENTLY`, when it has one.
fn without_drop_concurrently(sql: &str) -> Option<String> {
    let words: Vec<(usize, &str)> = sql
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - sql.as_ptr() as usize, w))
        .collect();
    let at = words.windows(3).find_map(|w| {
        (w[0].1.eq_ignore_ascii_case("drop") && w[1].1.eq_ignore_ascii_case("index") && w[2].1.eq_ignore_ascii_case("concurrently"))
            .then_some(w[2].0)
    })?;
    Some(format!("{}{}", &sql[..at], &sql[at + "concurrently".len()..]))
}

/// A statement `sqlparser` rejected: what its leading keywords say (a `DO` block: the
/// DDL inside it).
pub fn unparsed(s: &SqlStatement, d: &dyn Dialect) -> Vec<Change> {
    do_block(&s.sql, d).unwrap_or_else(|| from_class(&s.sql, &s.class, d))
}

/// Whether procedural code runs SQL built at run time.
fn has_execute(body: &str) -> bool {
    body.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|w| w.eq_ignore_ascii_case("execute"))
}

fn from_class(sql: &str, class: &crate::sql::StatementClass, d: &dyn Dialect) -> Vec<Change> {
    // Named as the schema files it (`public.t` is `t`).
    let name = class.name.as_deref().map(|n| match (d.default_schema(), n.split_once('.')) {
        (Some(def), Some((schema, rest))) if schema == def => rest.to_string(),
        _ => n.to_string(),
    });
    let ddl_object = matches!(class.object.as_deref(), Some("table" | "index" | "type" | "view" | "sequence"));
    match class.kind {
        // The table exists afterwards, its shape unknown.
        StatementKind::Ddl if class.verb == "create" && class.object.as_deref() == Some("table") && name.is_some() => {
            let table = name.unwrap_or_default();
            vec![
                Change::CreateTable {
                    table: table.clone(),
                    columns: Vec::new(),
                    constraints: Vec::new(),
                    indexes: Vec::new(),
                    types: vec![],
                    if_not_exists: true,
                },
                Change::Opaque {
                    excerpt: sql.to_string(),
                    tables: vec![table],
                    schema_changing: true,
                },
            ]
        }
        StatementKind::Ddl if ddl_object => vec![Change::Opaque {
            excerpt: sql.to_string(),
            tables: name.into_iter().collect(),
            schema_changing: true,
        }],
        // A `DO` block that runs DDL: whatever it names becomes unknown (nothing named:
        // the whole schema).
        _ if class.verb == "do" && has_ddl(sql) => vec![Change::Opaque {
            excerpt: sql.to_string(),
            tables: Vec::new(),
            schema_changing: true,
        }],
        _ => vec![from_class_one(class)],
    }
}

/// Whether a block's text runs schema changes (a word-level look, not a parse).
fn has_ddl(sql: &str) -> bool {
    sql.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|w| ["create", "alter", "drop", "execute"].iter().any(|k| w.eq_ignore_ascii_case(k)))
}

fn from_class_one(class: &crate::sql::StatementClass) -> Change {
    match class.kind {
        StatementKind::Dml => Change::Data {
            verb: match class.verb.as_str() {
                "insert" => DataVerb::Insert,
                "update" => DataVerb::Update,
                "delete" => DataVerb::Delete,
                _ => DataVerb::Other,
            },
            table: None,
            // Unknown: assume the statement is filtered rather than guess a finding.
            has_where: true,
            set_columns: Vec::new(),
        },
        _ => Change::Other { what: class.verb.clone() },
    }
}

/// An object name as the schema files it: `schema.name`, without the default schema,
/// unquoted.
pub fn object_name(n: &ObjectName, d: &dyn Dialect) -> String {
    let parts: Vec<String> =
        n.0.iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(i) => fit_identifier(&i.value, d),
                other => other.to_string(),
            })
            .collect();
    match parts.as_slice() {
        [s, name] if Some(s.as_str()) == d.default_schema() => name.clone(),
        _ => parts.join("."),
    }
}

/// An identifier as the server keeps it: cut to its limit, on a character boundary.
pub fn fit_identifier(s: &str, d: &dyn Dialect) -> String {
    match d.identifier_limit() {
        Some(max) if s.len() > max => {
            let mut n = max;
            while !s.is_char_boundary(n) {
                n -= 1;
            }
            s[..n].to_string()
        }
        _ => s.to_string(),
    }
}

fn data_type(t: &DataType) -> String {
    t.to_string().to_ascii_uppercase()
}

/// Serial types and auto-increment columns fill themselves.
fn generated_type(t: &DataType) -> bool {
    let s = data_type(t);
    s.ends_with("SERIAL") || s == "SERIAL4" || s == "SERIAL8" || s == "SERIAL2"
}

fn column(c: &sqlparser::ast::ColumnDef, table: &str, pk_from_table: bool) -> (ColumnDef, Vec<ConstraintDef>) {
    let mut def = ColumnDef {
        name: c.name.value.clone(),
        type_: data_type(&c.data_type),
        nullable: true,
        default: None,
        primary_key: false,
        generated: generated_type(&c.data_type),
    };
    let _ = pk_from_table;
    let mut cons = Vec::new();
    for o in &c.options {
        let named = o.name.as_ref().map(|n| n.value.clone());
        match &o.option {
            ColumnOption::NotNull => def.nullable = false,
            ColumnOption::Null => def.nullable = true,
            ColumnOption::Default(e) => def.default = Some(e.to_string()),
            ColumnOption::PrimaryKey(_) => {
                def.primary_key = true;
                def.nullable = false;
                cons.push(ConstraintDef {
                    name: named,
                    kind: ConstraintKind::PrimaryKey {
                        columns: vec![def.name.clone()],
                    },
                    not_valid: false,
                    using_index: None,
                    implicit_name: None,
                });
            }
            ColumnOption::Unique(_) => cons.push(ConstraintDef {
                name: named,
                kind: ConstraintKind::Unique {
                    columns: vec![def.name.clone()],
                },
                not_valid: false,
                using_index: None,
                implicit_name: None,
            }),
            ColumnOption::ForeignKey(fk) => cons.push(ConstraintDef {
                name: named.or(fk.name.as_ref().map(|n| n.value.clone())),
                kind: ConstraintKind::ForeignKey {
                    columns: vec![def.name.clone()],
                    ref_table: fk.foreign_table.to_string(),
                    ref_columns: fk.referred_columns.iter().map(|i| i.value.clone()).collect(),
                },
                not_valid: false,
                using_index: None,
                implicit_name: None,
            }),
            ColumnOption::Check(ch) => cons.push(ConstraintDef {
                name: named.or(ch.name.as_ref().map(|n| n.value.clone())),
                kind: ConstraintKind::Check { expr: ch.expr.to_string() },
                not_valid: false,
                using_index: None,
                implicit_name: None,
            }),
            ColumnOption::Generated { .. } => def.generated = true,
            ColumnOption::DialectSpecific(tokens) => {
                let text: String = tokens.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ");
                if text.to_ascii_uppercase().contains("AUTO") {
                    def.generated = true;
                }
            }
            _ => {}
        }
    }
    let _ = table;
    (def, cons)
}

fn table_constraint(c: &TableConstraint, table: &str, d: &dyn Dialect) -> Option<Result<ConstraintDef, IndexDef>> {
    let idents = |v: &[sqlparser::ast::IndexColumn]| v.iter().map(|c| index_column(&c.column.expr)).collect::<Vec<_>>();
    let def = |name: Option<&sqlparser::ast::Ident>, kind| ConstraintDef {
        name: name.map(|n| n.value.clone()),
        kind,
        not_valid: false,
        using_index: None,
        implicit_name: None,
    };
    Some(Ok(match c {
        TableConstraint::PrimaryKey(p) => def(
            p.name.as_ref(),
            ConstraintKind::PrimaryKey {
                columns: idents(&p.columns),
            },
        ),
        TableConstraint::Unique(u) => def(
            u.name.as_ref(),
            ConstraintKind::Unique {
                columns: idents(&u.columns),
            },
        ),
        TableConstraint::ForeignKey(f) => def(
            f.name.as_ref(),
            ConstraintKind::ForeignKey {
                columns: f.columns.iter().map(|i| i.value.clone()).collect(),
                ref_table: object_name(&f.foreign_table, d),
                ref_columns: f.referred_columns.iter().map(|i| i.value.clone()).collect(),
            },
        ),
        TableConstraint::Check(ch) => def(ch.name.as_ref(), ConstraintKind::Check { expr: ch.expr.to_string() }),
        // PostgreSQL promotes an existing unique index; the constraint takes the index's
        // columns (filled in by the simulation) and, unnamed, its name.
        TableConstraint::PrimaryKeyUsingIndex(u) | TableConstraint::UniqueUsingIndex(u) => ConstraintDef {
            name: Some(u.name.as_ref().unwrap_or(&u.index_name).value.clone()),
            kind: if matches!(c, TableConstraint::PrimaryKeyUsingIndex(_)) {
                ConstraintKind::PrimaryKey { columns: Vec::new() }
            } else {
                ConstraintKind::Unique { columns: Vec::new() }
            },
            not_valid: false,
            using_index: Some(u.index_name.value.clone()),
            implicit_name: None,
        },
        TableConstraint::Index(i) => {
            let columns = idents(&i.columns);
            return Some(Err(IndexDef {
                name: i
                    .name
                    .as_ref()
                    .map(|n| n.value.clone())
                    .unwrap_or_else(|| columns.first().cloned().unwrap_or_default()),
                table: table.to_string(),
                columns,
                unique: false,
            }));
        }
        _ => return None,
    }))
}

fn index_column(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        other => other.to_string(),
    }
}

fn table_factor_name(f: &TableFactor, d: &dyn Dialect) -> Option<String> {
    match f {
        TableFactor::Table { name, .. } => Some(object_name(name, d)),
        _ => None,
    }
}

/// One parsed statement as changes (ALTER TABLE with several actions gives several).
pub fn statement(s: &Statement, d: &dyn Dialect) -> Vec<Change> {
    match s {
        Statement::CreateTable(ct) => {
            let table = object_name(&ct.name, d);
            let mut columns = Vec::new();
            let mut constraints = Vec::new();
            let mut indexes = Vec::new();
            for c in &ct.columns {
                let (def, cons) = column(c, &table, false);
                columns.push(def);
                constraints.extend(cons);
            }
            for c in &ct.constraints {
                match table_constraint(c, &table, d) {
                    Some(Ok(con)) => constraints.push(con),
                    Some(Err(ix)) => indexes.push(ix),
                    None => {}
                }
            }
            // Primary-key columns are NOT NULL whether or not they say so.
            let pk: Vec<String> = constraints
                .iter()
                .filter_map(|c| match &c.kind {
                    ConstraintKind::PrimaryKey { columns } => Some(columns.clone()),
                    _ => None,
                })
                .flatten()
                .collect();
            for c in columns.iter_mut() {
                if pk.iter().any(|p| super::eq_ident(p, &c.name)) {
                    c.nullable = false;
                    c.primary_key = true;
                }
            }
            if let Some(parent) = &ct.partition_of {
                return vec![Change::CreatePartition {
                    table,
                    parent: object_name(parent, d),
                    if_not_exists: ct.if_not_exists,
                    index_label: d.implicit_index_label().map(str::to_string),
                    name_limit: d.identifier_limit(),
                }];
            }
            if ct.query.is_some() {
                return vec![Change::Opaque {
                    excerpt: s.to_string(),
                    tables: vec![table.clone()],
                    schema_changing: true,
                }];
            }
            let create = Change::CreateTable {
                table: table.clone(),
                columns,
                constraints,
                indexes,
                types: vec![],
                if_not_exists: ct.if_not_exists || ct.or_replace,
            };
            // Columns copied from another table (`LIKE`, `CLONE`): the shape is unknown.
            if ct.like.is_some() || ct.clone.is_some() {
                return vec![
                    create,
                    Change::Opaque {
                        excerpt: s.to_string(),
                        tables: vec![table],
                        schema_changing: true,
                    },
                ];
            }
            vec![create]
        }
        Statement::AlterTable(at) => {
            let table = object_name(&at.name, d);
            at.operations.iter().flat_map(|op| alter_table_op(&table, op, d)).collect()
        }
        Statement::CreateIndex(ci) => {
            let table = object_name(&ci.table_name, d);
            let columns: Vec<String> = ci.columns.iter().map(|c| index_column(&c.column.expr)).collect();
            let name = ci
                .name
                .as_ref()
                .map(|n| object_name(n, d))
                .unwrap_or_else(|| format!("{}_{}_idx", table.rsplit('.').next().unwrap_or(&table), columns.join("_")));
            vec![Change::CreateIndex {
                index: IndexDef {
                    name,
                    table,
                    columns,
                    unique: ci.unique,
                },
                concurrently: ci.concurrently,
                if_not_exists: ci.if_not_exists,
            }]
        }
        Statement::Drop {
            object_type,
            if_exists,
            names,
            table,
            ..
        } => names
            .iter()
            .map(|n| {
                let name = object_name(n, d);
                let if_exists = *if_exists;
                match object_type {
                    ObjectType::Table => Change::DropTable { table: name, if_exists },
                    ObjectType::View | ObjectType::MaterializedView => Change::DropView { name, if_exists },
                    ObjectType::Index => Change::DropIndex {
                        name,
                        table: table.as_ref().map(|t| object_name(t, d)),
                        concurrently: s.to_string().to_ascii_uppercase().contains(" CONCURRENTLY "),
                        if_exists,
                    },
                    ObjectType::Sequence => Change::DropSequence { name, if_exists },
                    ObjectType::Type => Change::DropType { name, if_exists },
                    other => Change::Other {
                        what: format!("drop {other}"),
                    },
                }
            })
            .collect(),
        Statement::CreateView(v) => vec![Change::CreateView {
            name: object_name(&v.name, d),
            or_replace: v.or_replace || v.if_not_exists,
        }],
        Statement::CreateType { name, representation } => match representation {
            Some(UserDefinedTypeRepresentation::Enum { labels }) => vec![Change::CreateType {
                name: object_name(name, d),
                values: labels.iter().map(|l| l.value.clone()).collect(),
                if_not_exists: false,
            }],
            Some(UserDefinedTypeRepresentation::Composite { attributes }) => vec![Change::CreateCompositeType {
                name: object_name(name, d),
                attributes: format!("({})", attributes.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")),
            }],
            _ => vec![Change::Other {
                what: "create type".into(),
            }],
        },
        Statement::AlterType(at) => {
            let name = object_name(&at.name, d);
            match &at.operation {
                AlterTypeOperation::AddValue(v) => vec![Change::AddTypeValue {
                    name,
                    value: v.value.value.clone(),
                }],
                _ => vec![Change::Other { what: "alter type".into() }],
            }
        }
        Statement::CreateSequence { name, if_not_exists, .. } => vec![Change::CreateSequence {
            name: object_name(name, d),
            if_not_exists: *if_not_exists,
        }],
        Statement::AlterIndex { name, operation } => match operation {
            AlterIndexOperation::RenameIndex { index_name } => vec![Change::RenameIndex {
                name: object_name(name, d),
                new_name: object_name(index_name, d),
            }],
        },
        Statement::RenameTable(rs) => rs
            .iter()
            .map(|r| Change::RenameTable {
                table: object_name(&r.old_name, d),
                new_name: object_name(&r.new_name, d),
            })
            .collect(),
        Statement::Truncate(t) => t
            .table_names
            .iter()
            .map(|n| Change::Data {
                verb: DataVerb::Truncate,
                table: Some(object_name(&n.name, d)),
                has_where: false,
                set_columns: Vec::new(),
            })
            .collect(),
        Statement::Update(u) => vec![Change::Data {
            verb: DataVerb::Update,
            table: table_factor_name(&u.table.relation, d),
            has_where: u.selection.is_some(),
            set_columns: u
                .assignments
                .iter()
                .flat_map(|a| match &a.target {
                    AssignmentTarget::ColumnName(n) => vec![n],
                    AssignmentTarget::Tuple(v) => v.iter().collect(),
                })
                .map(|n| {
                    n.0.last()
                        .map(|p| p.to_string().trim_matches(['"', '`']).to_string())
                        .unwrap_or_default()
                })
                .collect(),
        }],
        Statement::Delete(del) => {
            let from = match &del.from {
                FromTable::WithFromKeyword(v) | FromTable::WithoutKeyword(v) => v,
            };
            vec![Change::Data {
                verb: DataVerb::Delete,
                table: from.first().and_then(|t| table_factor_name(&t.relation, d)),
                has_where: del.selection.is_some(),
                set_columns: Vec::new(),
            }]
        }
        Statement::Insert(i) => vec![Change::Data {
            verb: DataVerb::Insert,
            table: match &i.table {
                TableObject::TableName(n) => Some(object_name(n, d)),
                _ => None,
            },
            has_where: false,
            set_columns: Vec::new(),
        }],
        Statement::Set(Set::SingleAssignment { variable, .. }) => {
            let name = variable.to_string().to_ascii_lowercase();
            // PostgreSQL's lock_timeout / statement_timeout, MySQL's lock_wait_timeout.
            if ["lock_timeout", "lock_wait_timeout", "statement_timeout"]
                .iter()
                .any(|t| name.ends_with(t))
            {
                vec![Change::SetTimeout { name }]
            } else {
                vec![Change::Other { what: "set".into() }]
            }
        }
        Statement::Query(_) => vec![Change::Data {
            verb: DataVerb::Other,
            table: None,
            has_where: true,
            set_columns: Vec::new(),
        }],
        other => {
            let text = other.to_string();
            let class = crate::sql::classify::classify(&text);
            from_class(&text, &class, d)
        }
    }
}

fn alter_table_op(table: &str, op: &AlterTableOperation, d: &dyn Dialect) -> Vec<Change> {
    let t = || table.to_string();
    match op {
        AlterTableOperation::AddColumn {
            if_not_exists, column_def, ..
        } => {
            let (column, constraints) = column(column_def, table, false);
            vec![Change::AddColumn {
                table: t(),
                column,
                if_not_exists: *if_not_exists,
                constraints,
                indexes: vec![],
            }]
        }
        AlterTableOperation::DropColumn {
            column_names, if_exists, ..
        } => column_names
            .iter()
            .map(|c| Change::DropColumn {
                table: t(),
                column: c.value.clone(),
                if_exists: *if_exists,
            })
            .collect(),
        AlterTableOperation::AddConstraint { constraint, not_valid } => match table_constraint(constraint, table, d) {
            Some(Ok(mut c)) => {
                c.not_valid = *not_valid;
                vec![Change::AddConstraint { table: t(), constraint: c }]
            }
            Some(Err(index)) => vec![Change::CreateIndex {
                index,
                concurrently: false,
                if_not_exists: false,
            }],
            None => vec![Change::Other {
                what: "add constraint".into(),
            }],
        },
        AlterTableOperation::DropConstraint { name, if_exists, .. } => vec![Change::DropConstraint {
            table: t(),
            name: name.value.clone(),
            if_exists: *if_exists,
        }],
        AlterTableOperation::RenameConstraint { old_name, new_name } => vec![Change::RenameConstraint {
            table: t(),
            name: old_name.value.clone(),
            new_name: new_name.value.clone(),
        }],
        AlterTableOperation::DropForeignKey { name, .. } => vec![Change::DropConstraint {
            table: t(),
            name: name.value.clone(),
            if_exists: false,
        }],
        AlterTableOperation::DropPrimaryKey { .. } => vec![Change::DropConstraint {
            table: t(),
            name: "primary".into(),
            if_exists: false,
        }],
        AlterTableOperation::DropIndex { name } => vec![Change::DropIndex {
            name: name.value.clone(),
            table: Some(t()),
            concurrently: false,
            if_exists: false,
        }],
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => vec![alter(table, &old_column_name.value, |a| {
            a.rename = Some(new_column_name.value.clone())
        })],
        AlterTableOperation::RenameTable { table_name } => {
            let n = match table_name {
                RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => object_name(n, d),
            };
            vec![Change::RenameTable { table: t(), new_name: n }]
        }
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            data_type,
            options,
            ..
        } => {
            let (nullable, default) = mysql_options(options);
            vec![alter(table, &old_name.value, |a| {
                a.type_ = Some(self::data_type(data_type));
                a.nullable = Some(nullable);
                a.default = Some(default);
                if old_name.value != new_name.value {
                    a.rename = Some(new_name.value.clone());
                }
            })]
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            ..
        } => {
            let (nullable, default) = mysql_options(options);
            vec![alter(table, &col_name.value, |a| {
                a.type_ = Some(self::data_type(data_type));
                a.nullable = Some(nullable);
                a.default = Some(default);
            })]
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let c = &column_name.value;
            vec![match op {
                AlterColumnOperation::SetNotNull => alter(table, c, |a| a.nullable = Some(false)),
                AlterColumnOperation::DropNotNull => alter(table, c, |a| a.nullable = Some(true)),
                AlterColumnOperation::SetDefault { value } => alter(table, c, |a| a.default = Some(Some(value.to_string()))),
                AlterColumnOperation::DropDefault => alter(table, c, |a| a.default = Some(None)),
                AlterColumnOperation::SetDataType { data_type, .. } => alter(table, c, |a| a.type_ = Some(self::data_type(data_type))),
                _ => Change::Other {
                    what: "alter column".into(),
                },
            }]
        }
        AlterTableOperation::ValidateConstraint { name } => vec![Change::ValidateConstraint {
            table: t(),
            name: name.value.clone(),
        }],
        other => vec![Change::Other {
            what: format!("alter table: {other}"),
        }],
    }
}

/// The pieces of `Change::AlterColumn` a statement sets.
#[derive(Default)]
struct Alter {
    type_: Option<String>,
    nullable: Option<bool>,
    default: Option<Option<String>>,
    rename: Option<String>,
}

fn alter(table: &str, column: &str, f: impl FnOnce(&mut Alter)) -> Change {
    let mut a = Alter::default();
    f(&mut a);
    Change::AlterColumn {
        table: table.to_string(),
        column: column.to_string(),
        type_: a.type_,
        nullable: a.nullable,
        default: a.default,
        rename: a.rename,
        existing_type: None,
    }
}

/// MySQL's `CHANGE`/`MODIFY` restate the whole column: nullability and default.
fn mysql_options(options: &[ColumnOption]) -> (bool, Option<String>) {
    let mut nullable = true;
    let mut default = None;
    for o in options {
        match o {
            ColumnOption::NotNull | ColumnOption::PrimaryKey(_) => nullable = false,
            ColumnOption::Null => nullable = true,
            ColumnOption::Default(e) => default = Some(e.to_string()),
            _ => {}
        }
    }
    (nullable, default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::postgresql::PostgreSQL;

    #[test]
    fn reads_ddl_into_changes() {
        let c = changes(
            "CREATE TABLE public.users (id serial PRIMARY KEY, email varchar(200) NOT NULL DEFAULT '')",
            &PostgreSQL,
        );
        let Change::CreateTable {
            table,
            columns,
            constraints,
            ..
        } = &c[0]
        else {
            panic!("{c:?}")
        };
        assert_eq!(table, "users");
        assert_eq!(columns[1].type_, "VARCHAR(200)");
        assert!(!columns[1].nullable);
        assert!(columns[0].generated);
        assert!(matches!(constraints[0].kind, ConstraintKind::PrimaryKey { .. }));
        let c = changes(
            "ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES orgs (id) NOT VALID",
            &PostgreSQL,
        );
        assert!(matches!(&c[0], Change::AddConstraint { constraint, .. } if constraint.not_valid));
        let c = changes("UPDATE users SET a = 1", &PostgreSQL);
        assert!(matches!(
            &c[0],
            Change::Data {
                verb: DataVerb::Update,
                has_where: false,
                ..
            }
        ));
        let c = changes("SET lock_timeout = '2s'", &PostgreSQL);
        assert!(matches!(&c[0], Change::SetTimeout { .. }));
        let c = changes("SET lock_wait_timeout = 5", &crate::dialect::mysql::MySQL);
        assert!(matches!(&c[0], Change::SetTimeout { .. }), "{c:?}");
    }

    #[test]
    fn reads_drop_index_concurrently_and_using_index() {
        let c = changes("DROP INDEX CONCURRENTLY IF EXISTS ix_a", &PostgreSQL);
        assert!(
            matches!(&c[..], [Change::DropIndex { name, concurrently: true, if_exists: true, .. }] if name == "ix_a"),
            "{c:?}"
        );
        let c = changes("DROP INDEX ix_a", &PostgreSQL);
        assert!(matches!(&c[..], [Change::DropIndex { concurrently: false, .. }]), "{c:?}");
        let c = changes("ALTER TABLE t ADD CONSTRAINT pk_t PRIMARY KEY USING INDEX ix_t", &PostgreSQL);
        assert!(
            matches!(&c[..], [Change::AddConstraint { constraint, .. }]
                if constraint.name.as_deref() == Some("pk_t") && constraint.using_index.as_deref() == Some("ix_t")),
            "{c:?}"
        );
        let c = changes("ALTER TABLE t ADD UNIQUE USING INDEX ix_t", &PostgreSQL);
        assert!(
            matches!(&c[..], [Change::AddConstraint { constraint, .. }] if constraint.name.as_deref() == Some("ix_t")),
            "{c:?}"
        );
        let c = changes("UPDATE t SET a = 1, \"B\" = 2 WHERE c", &PostgreSQL);
        assert!(
            matches!(&c[..], [Change::Data { set_columns, .. }] if set_columns == &["a", "B"]),
            "{c:?}"
        );
    }

    #[test]
    fn unread_statements_make_what_they_touch_unknown() {
        // A table copied with LIKE exists afterwards, its shape unknown.
        let c = changes("CREATE TABLE IF NOT EXISTS jobs.copy (LIKE public.jobs INCLUDING ALL)", &PostgreSQL);
        assert!(
            matches!(&c[..], [Change::CreateTable { table, .. }, Change::Opaque { tables, .. }] if table == "jobs.copy" && tables == &["jobs.copy"]),
            "{c:?}"
        );
        // A DO block running SQL built at run time may change anything.
        let c = changes(
            "DO $$ BEGIN EXECUTE format('CREATE TABLE %I (id int)', 'made'); END $$",
            &PostgreSQL,
        );
        assert!(
            matches!(&c[..], [Change::Opaque { tables, schema_changing: true, .. }] if tables.is_empty()),
            "{c:?}"
        );
        let c = changes("create table public.copy (like public.jobs)", &PostgreSQL);
        assert!(matches!(&c[..], [Change::CreateTable { table, .. }, _] if table == "copy"), "{c:?}");
        let c = changes("DO $$ BEGIN RAISE NOTICE 'checked'; END $$", &PostgreSQL);
        assert!(matches!(&c[..], [Change::Other { .. }]), "{c:?}");
        // SQLite's `UNSIGNED BIGINT` columns are read.
        let c = changes("CREATE TABLE coins (n UNSIGNED BIGINT NOT NULL)", &crate::dialect::sqlite::SQLite);
        assert!(
            matches!(&c[..], [Change::CreateTable { columns, .. }] if columns[0].type_ == "BIGINT UNSIGNED" && !columns[0].nullable),
            "{c:?}"
        );
    }

    #[test]
    fn reads_the_ddl_inside_a_do_block() {
        let sql = "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'tier') THEN\n    CREATE TYPE shop.tier AS ENUM ('free', 'pro');\n  END IF;\n  ALTER TABLE shop.plans ADD CONSTRAINT plans_tier_chk CHECK (price > 0);\nEXCEPTION WHEN duplicate_object THEN null;\nEND $$";
        let c = changes(sql, &PostgreSQL);
        assert!(
            matches!(&c[..], [Change::CreateType { name, if_not_exists: true, .. }, Change::Opaque { tables, .. }] if name == "shop.tier" && tables == &["shop.plans"]),
            "{c:?}"
        );
        assert!(matches!(
            &changes("DO $$ BEGIN PERFORM 1; END $$", &PostgreSQL)[..],
            [Change::Other { .. }]
        ));
    }
}
