//! Tables as the operations that built them declared them (`ops::Column`s, constraints,
//! `sa.Index`es), replayed along a plan: the `copy_from=` table a batch needs to move and
//! copy a table offline, where Alembic would reflect it from a live database.
//!
//! Only what migplan read in full is known. A table created before the history, touched
//! by Python or SQL migplan does not model, or changed in a way it cannot follow becomes
//! unknown, with the reason, and a batch on it fails as Alembic's does.

use std::collections::BTreeMap;

use crate::dialect::Dialect;
use crate::graph::RevisionMap;
use crate::model::Revision;
use crate::ops::{Batch, Column, Constraint, IndexElement, IndexOpts, Op, Step, StepKind, TableRef};

/// A table's full definition, in the form `batch_alter_table(copy_from=...)` takes.
#[derive(Clone, Debug, PartialEq)]
pub struct TableShape {
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<(String, Vec<IndexElement>, IndexOpts)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Entry {
    Known(TableShape),
    /// Why its shape cannot be known.
    Unknown(String),
}

/// The tables at one point of a plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shapes {
    tables: BTreeMap<String, Entry>,
}

fn key(t: &TableRef) -> String {
    match &t.schema {
        Some(s) => format!("{}.{}", s.to_ascii_lowercase(), t.name.to_ascii_lowercase()),
        None => t.name.to_ascii_lowercase(),
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Where a change happened, for the reasons: `revision abc (versions/abc.py line 12)`.
pub struct At<'a> {
    pub rev: &'a Revision,
    pub line: u32,
}

impl At<'_> {
    fn text(&self) -> String {
        format!("revision {} ({} line {})", self.rev.id, self.rev.path, self.line)
    }
}

impl Shapes {
    /// The tables after `heads` and all their ancestors, upgraded in order.
    pub fn at(map: &RevisionMap, revisions: &[Revision], heads: &[String], d: &dyn Dialect, x_args: &[(String, String)]) -> Shapes {
        let mut s = Shapes::default();
        let targets: Vec<usize> = heads.iter().filter_map(|h| map.by_id.get(h).copied()).collect();
        if targets.is_empty() {
            return s;
        }
        let ancestors = map.ancestors(&targets, true);
        let mut order = map.topological_sort(&ancestors, &targets);
        order.reverse();
        for r in order {
            let rev = &revisions[map.node(r).rev];
            s.apply_steps(&rev.upgrade_steps, rev, d, x_args);
        }
        s
    }

    /// The full definition of `table`, or why it is not known.
    pub fn lookup(&self, table: &TableRef) -> Result<&TableShape, String> {
        match self.tables.get(&key(table)) {
            Some(Entry::Known(s)) => Ok(s),
            Some(Entry::Unknown(why)) => Err(why.clone()),
            None => Err("no revision before this one creates it (it was created outside the migration history, or dropped)".into()),
        }
    }

    /// Every table by its key (`schema.name`, lower-case): its shape, or why it is unknown.
    pub fn tables(&self) -> impl Iterator<Item = (&str, Result<&TableShape, &str>)> {
        self.tables.iter().map(|(k, e)| {
            (
                k.as_str(),
                match e {
                    Entry::Known(s) => Ok(s),
                    Entry::Unknown(why) => Err(why.as_str()),
                },
            )
        })
    }

    /// Replay steps as the plan runs them for `d` (conditions decided as the renderer does).
    pub fn apply_steps(&mut self, steps: &[Step], rev: &Revision, d: &dyn Dialect, x_args: &[(String, String)]) {
        for s in steps {
            let at = At { rev, line: s.lines.0 };
            match &s.kind {
                StepKind::Op(op) => self.apply_op(op, &at, d, x_args),
                StepKind::Opaque(o) => {
                    // What the Python may run: the tables those operations touch.
                    let mut touched = Vec::new();
                    tables_in(&o.maybe, &mut touched);
                    let why = format!("Python migplan cannot read touches it at {}: {}", at.text(), o.reason);
                    let schema_changing = crate::schema::from_ops::events(
                        std::slice::from_ref(s),
                        &rev.path,
                        d,
                        crate::schema::from_ops::RunContext { in_transaction: false },
                    )
                    .iter()
                    .any(|e| matches!(&e.change, crate::schema::Change::Opaque { schema_changing: true, .. }));
                    if touched.is_empty() && schema_changing {
                        // It may change any table.
                        for e in self.tables.values_mut() {
                            *e = Entry::Unknown(why.clone());
                        }
                    }
                    for t in touched {
                        self.tables.insert(key(&t), Entry::Unknown(why.clone()));
                    }
                }
                StepKind::If { cond, then, otherwise } => {
                    let branch = if cond.eval(d.name(), x_args) { then } else { otherwise };
                    self.apply_steps(branch, rev, d, x_args);
                }
                StepKind::TryUnsupported { body, handler } => {
                    let supported = body.iter().all(|s| match &s.kind {
                        StepKind::Op(op) => d.op_statements(op).is_ok(),
                        _ => true,
                    });
                    self.apply_steps(if supported { body } else { handler }, rev, d, x_args);
                }
            }
        }
    }

    fn unknown(&mut self, t: &TableRef, why: String) {
        self.tables.insert(key(t), Entry::Unknown(why));
    }

    fn known_mut(&mut self, t: &TableRef) -> Option<&mut TableShape> {
        match self.tables.get_mut(&key(t)) {
            Some(Entry::Known(s)) => Some(s),
            _ => None,
        }
    }

    pub fn apply_op(&mut self, op: &Op, at: &At, d: &dyn Dialect, x_args: &[(String, String)]) {
        match op {
            Op::CreateTable {
                table,
                columns,
                constraints,
                extra,
                if_not_exists,
                ..
            } => {
                let kwargs = &extra.kwargs;
                if *if_not_exists && self.tables.contains_key(&key(table)) {
                    return;
                }
                if !kwargs.is_empty() {
                    // Dialect options (sqlite_autoincrement...) a batch copy does not carry.
                    self.unknown(
                        table,
                        format!("it is created with table options migplan does not copy at {}", at.text()),
                    );
                    return;
                }
                let indexes = columns
                    .iter()
                    .filter(|c| c.extra.index == Some(true))
                    .map(|c| {
                        let opts = IndexOpts {
                            unique: c.extra.unique == Some(true),
                            ..Default::default()
                        };
                        (
                            format!("ix_{}_{}", table.name, c.name),
                            vec![IndexElement::Column(c.name.clone())],
                            opts,
                        )
                    })
                    .collect();
                let columns = columns
                    .iter()
                    .map(|c| {
                        let mut c = c.clone();
                        if c.extra.index.is_some() {
                            let e = &mut *c.extra;
                            e.unique = if e.index == Some(true) { None } else { e.unique };
                            e.index = None;
                        }
                        c
                    })
                    .collect();
                self.tables.insert(
                    key(table),
                    Entry::Known(TableShape {
                        columns,
                        constraints: constraints.clone(),
                        indexes,
                    }),
                );
            }
            Op::DropTable { table, .. } => {
                self.tables.remove(&key(table));
            }
            Op::RenameTable { table, new_name } => {
                if let Some(e) = self.tables.remove(&key(table)) {
                    let to = TableRef {
                        name: new_name.clone(),
                        schema: table.schema.clone(),
                    };
                    self.tables.insert(key(&to), e);
                }
                // Other tables' foreign keys to it now name the new table (SQLite rewrites them).
                for e in self.tables.values_mut() {
                    if let Entry::Known(s) = e {
                        for c in s.constraints.iter_mut() {
                            if let Constraint::ForeignKey(f) = c
                                && eq(&f.ref_table.name, &table.name)
                                && f.ref_table.schema == table.schema
                            {
                                f.ref_table.name = new_name.clone();
                            }
                        }
                    }
                }
            }
            Op::AddColumn { table, column, .. } => {
                if let Some(s) = self.known_mut(table) {
                    if column.extra.index == Some(true) {
                        let opts = IndexOpts {
                            unique: column.extra.unique == Some(true),
                            ..Default::default()
                        };
                        s.indexes.push((
                            format!("ix_{}_{}", table.name, column.name),
                            vec![IndexElement::Column(column.name.clone())],
                            opts,
                        ));
                    }
                    let mut c = column.clone();
                    if c.extra.index == Some(true) {
                        c.extra.set(|e| &mut e.unique, None);
                    }
                    c.extra.set(|e| &mut e.index, None);
                    s.columns.retain(|x| !eq(&x.name, &c.name));
                    s.columns.push(*c);
                }
            }
            Op::DropColumn { table, column, .. } => {
                if let Some(s) = self.known_mut(table) {
                    s.columns.retain(|c| !eq(&c.name, column));
                    s.constraints.retain(|c| !constraint_columns(c).iter().any(|x| eq(x, column)));
                    s.indexes
                        .retain(|(_, els, _)| !els.iter().any(|e| matches!(e, IndexElement::Column(x) if eq(x, column))));
                }
            }
            Op::AlterColumn(a) => {
                let Some(s) = self.known_mut(&a.table) else {
                    return;
                };
                let Some(col) = s.columns.iter_mut().find(|c| eq(&c.name, &a.column)) else {
                    self.unknown(&a.table, format!("it has no column '{}' to alter at {}", a.column, at.text()));
                    return;
                };
                if let Some(t) = &a.type_ {
                    col.type_ = t.clone();
                }
                col.apply_alter(a);
                // MySQL's MODIFY / CHANGE restates the whole column: Alembic gives it
                // `existing_nullable`, else NULL (alembic/ddl/mysql.py), so a type,
                // comment or name change without them makes the column nullable.
                if matches!(d.name(), "mysql" | "mariadb")
                    && a.nullable.is_none()
                    && (a.type_.is_some() || a.comment.is_some() || a.autoincrement.is_some() || a.new_column_name.is_some())
                {
                    col.nullable = Some(a.existing_nullable.unwrap_or(true));
                }
                if let Some(n) = a.new_column_name.as_ref().filter(|n| **n != a.column) {
                    col.name = n.clone();
                    let rename = |x: &mut String| {
                        if eq(x, &a.column) {
                            *x = n.clone();
                        }
                    };
                    for c in s.constraints.iter_mut() {
                        constraint_columns_mut(c).into_iter().for_each(rename);
                    }
                    for (_, els, _) in s.indexes.iter_mut() {
                        for e in els.iter_mut() {
                            if let IndexElement::Column(x) = e {
                                rename(x);
                            }
                        }
                    }
                }
            }
            Op::CreateIndex {
                name,
                table,
                elements,
                opts,
                ..
            } => {
                let Some(name) = name else {
                    self.unknown(table, format!("an index without a name is created on it at {}", at.text()));
                    return;
                };
                if let Some(s) = self.known_mut(table) {
                    s.indexes.retain(|(n, _, _)| !eq(n, name));
                    s.indexes.push((name.clone(), elements.clone(), (**opts).clone()));
                }
            }
            Op::DropIndex { name, table, .. } => {
                for (k, e) in self.tables.iter_mut() {
                    if table.as_ref().is_some_and(|t| key(t) != *k) {
                        continue;
                    }
                    if let Entry::Known(s) = e {
                        s.indexes.retain(|(n, _, _)| !eq(n, name));
                    }
                }
            }
            Op::AddConstraint { table, constraint } => {
                if let Some(s) = self.known_mut(table) {
                    if matches!(&**constraint, Constraint::PrimaryKey { .. }) {
                        s.constraints.retain(|c| !matches!(c, Constraint::PrimaryKey { .. }));
                    }
                    s.constraints.push((**constraint).clone());
                }
            }
            Op::DropConstraint { table, name, .. } => {
                let Some(s) = self.known_mut(table) else {
                    return;
                };
                let before = s.constraints.len();
                s.constraints.retain(|c| constraint_name(c).is_none_or(|n| !eq(n, name)));
                let mut found = before != s.constraints.len();
                for c in s.columns.iter_mut() {
                    let (fks, checks) = (c.extra.foreign_keys.len(), c.extra.checks.len());
                    if fks + checks == 0 {
                        continue;
                    }
                    c.extra.foreign_keys.retain(|f| f.name.as_deref().is_none_or(|n| !eq(n, name)));
                    c.extra.checks.retain(|k| k.opts.name.as_deref().is_none_or(|n| !eq(n, name)));
                    found |= fks != c.extra.foreign_keys.len() || checks != c.extra.checks.len();
                }
                if !found {
                    // An unnamed constraint, dropped by the name the server gave it
                    // (PostgreSQL's `<table>_<cols>_fkey`, `_key`, `_pkey`).
                    use crate::dialect::ConstraintRole;
                    let implicit = |c: &Constraint| {
                        let (role, cols) = match c {
                            Constraint::ForeignKey(f) if f.opts.name.is_none() => (ConstraintRole::ForeignKey, &f.columns),
                            Constraint::Unique { opts, columns } if opts.name.is_none() => (ConstraintRole::Unique, columns),
                            Constraint::PrimaryKey { opts, columns } if opts.name.is_none() => (ConstraintRole::PrimaryKey, columns),
                            _ => return false,
                        };
                        d.implicit_constraint_name(&table.name, role, cols).is_some_and(|n| eq(&n, name))
                    };
                    let before = s.constraints.len();
                    s.constraints.retain(|c| !implicit(c));
                    found = before != s.constraints.len();
                    for c in s.columns.iter_mut().filter(|c| !c.extra.foreign_keys.is_empty()) {
                        let col = vec![c.name.clone()];
                        let fk_name = d.implicit_constraint_name(&table.name, ConstraintRole::ForeignKey, &col);
                        let n = c.extra.foreign_keys.len();
                        c.extra
                            .foreign_keys
                            .retain(|f| f.name.is_some() || fk_name.as_deref().is_none_or(|x| !eq(x, name)));
                        found |= n != c.extra.foreign_keys.len();
                    }
                }
                if !found {
                    // A name the simulation never saw (a naming convention, a reflected name).
                    self.unknown(
                        table,
                        format!("constraint '{name}' is dropped at {} but migplan never saw it created", at.text()),
                    );
                }
            }
            Op::Execute { sql } => self.sql(sql, at, d),
            Op::Sql(st) => self.sql(&st.sql, at, d),
            Op::Batch(b) => self.batch(b, at, d, x_args),
            Op::AutocommitBlock { steps } => self.apply_steps(steps, at.rev, d, x_args),
            Op::CreateTableComment { .. }
            | Op::DropTableComment { .. }
            | Op::BulkInsert { .. }
            | Op::CreateEnumType { .. }
            | Op::DropEnumType { .. } => {}
        }
    }

    /// A batch block: built from its `copy_from` when it recreates the table, then its
    /// operations one by one.
    pub fn batch(&mut self, b: &Batch, at: &At, d: &dyn Dialect, x_args: &[(String, String)]) {
        let recreate = match b.recreate.as_str() {
            "always" => true,
            "never" => false,
            _ => d.batch_requires_recreate(&b.steps),
        };
        if recreate && let Some((why, _)) = &b.copy_from_opaque {
            self.unknown(
                &b.table,
                format!("it is recreated from a copy_from= migplan cannot read at {}: {why}", at.text()),
            );
            return;
        }
        // A recreate from an explicit copy_from builds the table from it.
        if recreate && let Some((columns, constraints)) = &b.copy_from {
            self.tables.insert(
                key(&b.table),
                Entry::Known(TableShape {
                    columns: columns.clone(),
                    constraints: constraints.clone(),
                    indexes: b.copy_indexes.clone(),
                }),
            );
        }
        self.apply_steps(&b.steps, at.rev, d, x_args);
    }

    /// SQL migplan parses: the tables whose definition it changes become unknown (the
    /// simulation models them as text, not as the columns a copy needs).
    fn sql(&mut self, sql: &str, at: &At, d: &dyn Dialect) {
        for c in crate::schema::from_sql::changes(sql, d) {
            let why = format!("SQL changes it at {}", at.text());
            match &c {
                crate::schema::Change::Opaque { .. } => {
                    for e in self.tables.values_mut() {
                        *e = Entry::Unknown(format!("SQL migplan cannot parse runs at {}", at.text()));
                    }
                }
                crate::schema::Change::RenameTable { table, new_name } => {
                    self.tables.insert(table.to_ascii_lowercase(), Entry::Unknown(why.clone()));
                    let to = crate::schema::rename_in_schema(table, new_name).to_ascii_lowercase();
                    self.tables.insert(to, Entry::Unknown(why));
                }
                c if c.is_ddl() => {
                    if let Some(t) = c.table() {
                        self.tables.insert(t.to_ascii_lowercase(), Entry::Unknown(why));
                    }
                }
                _ => {}
            }
        }
    }
}

/// Tables the operations in `steps` name.
fn tables_in(steps: &[Step], out: &mut Vec<TableRef>) {
    for s in steps {
        match &s.kind {
            StepKind::Op(op) => match op {
                Op::CreateTable { table, .. }
                | Op::DropTable { table, .. }
                | Op::AddColumn { table, .. }
                | Op::DropColumn { table, .. }
                | Op::CreateIndex { table, .. }
                | Op::AddConstraint { table, .. }
                | Op::DropConstraint { table, .. } => out.push(table.clone()),
                Op::RenameTable { table, new_name } => {
                    out.push(table.clone());
                    out.push(TableRef {
                        name: new_name.clone(),
                        schema: table.schema.clone(),
                    });
                }
                Op::AlterColumn(a) => out.push(a.table.clone()),
                Op::DropIndex { table: Some(t), .. } => out.push(t.clone()),
                Op::Batch(b) => {
                    out.push(b.table.clone());
                    tables_in(&b.steps, out);
                }
                Op::AutocommitBlock { steps } => tables_in(steps, out),
                _ => {}
            },
            StepKind::Opaque(o) => tables_in(&o.maybe, out),
            StepKind::If { then, otherwise, .. } => {
                tables_in(then, out);
                tables_in(otherwise, out);
            }
            StepKind::TryUnsupported { body, handler } => {
                tables_in(body, out);
                tables_in(handler, out);
            }
        }
    }
}

fn constraint_name(c: &Constraint) -> Option<&str> {
    match c {
        Constraint::PrimaryKey { opts, .. } | Constraint::Unique { opts, .. } => opts.name.as_deref(),
        Constraint::Check(k) => k.opts.name.as_deref(),
        Constraint::ForeignKey(f) => f.opts.name.as_deref(),
    }
}

fn constraint_columns(c: &Constraint) -> Vec<String> {
    match c {
        Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => columns.clone(),
        Constraint::ForeignKey(f) => f.columns.clone(),
        Constraint::Check(_) => Vec::new(),
    }
}

fn constraint_columns_mut(c: &mut Constraint) -> Vec<&mut String> {
    match c {
        Constraint::PrimaryKey { columns, .. } | Constraint::Unique { columns, .. } => columns.iter_mut().collect(),
        Constraint::ForeignKey(f) => f.columns.iter_mut().collect(),
        Constraint::Check(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::sqlite::SQLite;
    use crate::source::SourceFile;

    fn script(rev: &str, down: &str, up: &str) -> SourceFile {
        crate::source::test_script(rev, down, up, "pass")
    }

    fn shapes(files: &[SourceFile], head: &str) -> Shapes {
        let a = crate::analysis::analyze(files, None);
        Shapes::at(&a.map, &a.revisions, &[head.to_string()], &SQLite, &[])
    }

    fn names(s: &Shapes, t: &str) -> Vec<String> {
        match s.lookup(&TableRef::new(t)) {
            Ok(t) => t.columns.iter().map(|c| c.name.clone()).collect(),
            Err(why) => vec![why],
        }
    }

    #[test]
    fn a_table_is_replayed_through_plain_and_batch_operations() {
        let files = [
            script(
                "a",
                "None",
                "op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('c', sa.Text(), index=True), sa.Column('d', sa.Text()))",
            ),
            script(
                "b",
                "'a'",
                "op.add_column('t', sa.Column('e', sa.Integer()))\n    with op.batch_alter_table('t') as batch_op:\n        batch_op.drop_column('d')\n        batch_op.alter_column('e', new_column_name='f')",
            ),
        ];
        assert_eq!(names(&shapes(&files, "a"), "t"), ["id", "c", "d"]);
        let s = shapes(&files, "b");
        assert_eq!(names(&s, "t"), ["id", "c", "f"]);
        // `index=True` is kept as the index reflection would find, not as a column flag.
        let t = s
            .lookup(&TableRef::new("t"))
            .ok()
            .map(|t| (t.indexes.len(), t.columns[1].extra.index));
        assert_eq!(t, Some((1, None)));
    }

    /// PostgreSQL names an unnamed foreign key `<table>_<cols>_fkey`: dropped by that name
    /// (as `revision --autogenerate --db` writes it), the table stays known.
    #[test]
    fn an_unnamed_constraint_is_dropped_by_the_servers_name() {
        let files = [
            script(
                "a",
                "None",
                "op.create_table('u', sa.Column('id', sa.Integer(), primary_key=True))\n    op.create_table('p', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('u_id', sa.Integer()), sa.ForeignKeyConstraint(['u_id'], ['u.id']))",
            ),
            script("b", "'a'", "op.drop_constraint('p_u_id_fkey', 'p', type_='foreignkey')"),
        ];
        let a = crate::analysis::analyze(&files, None);
        let s = Shapes::at(
            &a.map,
            &a.revisions,
            &["b".to_string()],
            &crate::dialect::postgresql::PostgreSQL,
            &[],
        );
        let p = s.lookup(&TableRef::new("p")).expect("p stays known");
        assert!(p.constraints.iter().all(|c| !matches!(c, Constraint::ForeignKey(_))));
        // Elsewhere the name means nothing: the table becomes unknown, as before.
        assert!(names(&shapes(&files, "b"), "p")[0].contains("'p_u_id_fkey' is dropped"));
    }

    #[test]
    fn tables_migplan_cannot_follow_are_unknown_with_the_reason() {
        let files = [
            script(
                "a",
                "None",
                "op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n    op.create_table('u', sa.Column('id', sa.Integer(), primary_key=True))\n    op.create_table('w', sa.Column('id', sa.Integer(), primary_key=True))",
            ),
            script(
                "b",
                "'a'",
                "op.execute('ALTER TABLE t ADD COLUMN x INTEGER')\n    op.drop_constraint('fk_from_a_convention', 'u', type_='foreignkey')\n    helper(op)",
            ),
        ];
        let s = shapes(&files, "b");
        assert!(
            names(&s, "t")[0].starts_with("SQL changes it at revision b"),
            "{:?}",
            names(&s, "t")
        );
        assert!(
            names(&s, "u")[0].contains("'fk_from_a_convention' is dropped"),
            "{:?}",
            names(&s, "u")
        );
        assert!(names(&s, "nowhere")[0].contains("outside the migration history"));
        // An opaque call that changes nothing by its text leaves the others known.
        assert_eq!(names(&s, "w"), ["id"]);
    }
}
