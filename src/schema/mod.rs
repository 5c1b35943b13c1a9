//! The schema a history builds, simulated in memory: tables, columns, constraints,
//! indexes, enum types, sequences and views. Changes (from Alembic ops or parsed SQL) are
//! applied one by one; operating on something missing or creating something present is a
//! finding, never a crash.
//!
//! Every mutation can be journaled (the value each object had before), which is how the
//! round trip compares "before upgrade" with "after upgrade then downgrade" without
//! copying the whole schema per revision.

pub mod change;
pub mod diff;
pub mod from_ops;
pub mod from_sql;
pub mod name_map;
pub mod render;
pub mod shape;

use std::collections::BTreeMap;
use std::sync::Arc;

use imbl::{OrdMap, OrdSet};
use serde::Serialize;

pub use name_map::NameMap;

pub use change::{Change, ColumnDef, ConstraintDef, ConstraintKind, DataVerb, Direction, Event, IndexDef};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<ColumnDef>,
    /// Constraints by name (unnamed ones by [`ConstraintDef::key`]).
    pub constraints: NameMap<ConstraintDef>,
    /// Touched by Python migplan could not read: its real shape is unknown, so findings
    /// about its columns and constraints are suppressed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| eq_ident(&c.name, name))
    }
    fn column_mut(&mut self, name: &str) -> Option<&mut ColumnDef> {
        self.columns.iter_mut().find(|c| eq_ident(&c.name, name))
    }
    pub fn primary_key(&self) -> Vec<String> {
        let from_constraint = self.constraints.values().find_map(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns } => Some(columns.clone()),
            _ => None,
        });
        from_constraint.unwrap_or_else(|| self.columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect())
    }
}

/// Names compare case-insensitively: every dialect folds unquoted identifiers, and
/// migrations rarely rely on case to tell objects apart.
pub fn eq_ident(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Types compare as the database sees them: case and spacing do not matter
/// (`numeric(10,2)` from SQL equals `NUMERIC(10, 2)` from an Alembic type).
pub fn same_type(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect() };
    norm(a) == norm(b)
}

/// The key an object is filed under.
pub fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// [`key`] for a lookup: borrowed when the name is already lower case (almost always).
fn lookup_key(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(key(name))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Table(String),
    Index(String),
    Type(String),
    Composite(String),
    Sequence(String),
    View(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Shared with the schema: journaling a table copies it only when it is changed.
    Table(Arc<Table>),
    Index(IndexDef),
    Type(Vec<String>),
    Composite(String),
    Sequence,
    View,
}

/// Persistent maps: a copy of the schema (one per branch point) costs nothing until one
/// side changes, and then only the changed path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    pub tables: OrdMap<String, Arc<Table>>,
    pub indexes: OrdMap<String, IndexDef>,
    /// Enum types and their values.
    pub types: OrdMap<String, Vec<String>>,
    /// Composite types and their attribute lists (`(id uuid, body jsonb)`).
    #[serde(skip_serializing_if = "OrdMap::is_empty")]
    pub composites: OrdMap<String, String>,
    pub sequences: OrdSet<String>,
    pub views: OrdSet<String>,
    /// Index keys by table key: finding a table's indexes must not scan every index.
    #[serde(skip)]
    /// A sorted vector per table, not a set: most tables have an index or two, and a
    /// set's first node holds room for sixty-four.
    by_table: OrdMap<String, Vec<String>>,
    /// Something opaque may have changed tables it does not name: "not found" findings
    /// would be guesses from here on.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
    #[serde(skip)]
    journal: Option<BTreeMap<Key, Option<Entry>>>,
}

/// What applying one change found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The object the change needs does not exist (`what` says which: "column users.email").
    Unknown(String),
    /// The object the change creates already exists.
    Duplicate(String),
}

impl Schema {
    // ----- journal -------------------------------------------------------------------

    /// Start recording the prior value of every object changed from now on.
    pub fn begin_journal(&mut self) {
        self.journal = Some(BTreeMap::new());
    }

    /// Stop recording; returns each changed object's value before its first change.
    pub fn take_journal(&mut self) -> BTreeMap<Key, Option<Entry>> {
        self.journal.take().unwrap_or_default()
    }

    pub fn get(&self, k: &Key) -> Option<Entry> {
        match k {
            Key::Table(n) => self.tables.get(n).map(|t| Entry::Table(t.clone())),
            Key::Index(n) => self.indexes.get(n).cloned().map(Entry::Index),
            Key::Type(n) => self.types.get(n).cloned().map(Entry::Type),
            Key::Composite(n) => self.composites.get(n).cloned().map(Entry::Composite),
            Key::Sequence(n) => self.sequences.contains(n).then_some(Entry::Sequence),
            Key::View(n) => self.views.contains(n).then_some(Entry::View),
        }
    }

    /// Put an object back to a recorded value (`None`: absent).
    pub fn restore(&mut self, k: &Key, v: Option<Entry>) {
        match (k, v) {
            (Key::Table(n), Some(Entry::Table(t))) => {
                self.tables.insert(n.clone(), t);
            }
            (Key::Table(n), _) => {
                self.tables.remove(n);
            }
            (Key::Index(n), v) => {
                self.set_index(
                    n,
                    match v {
                        Some(Entry::Index(i)) => Some(i),
                        _ => None,
                    },
                );
            }
            (Key::Type(n), Some(Entry::Type(v))) => {
                self.types.insert(n.clone(), v);
            }
            (Key::Type(n), _) => {
                self.types.remove(n);
            }
            (Key::Composite(n), Some(Entry::Composite(a))) => {
                self.composites.insert(n.clone(), a);
            }
            (Key::Composite(n), _) => {
                self.composites.remove(n);
            }
            (Key::Sequence(n), Some(_)) => {
                self.sequences.insert(n.clone());
            }
            (Key::Sequence(n), None) => {
                self.sequences.remove(n);
            }
            (Key::View(n), Some(_)) => {
                self.views.insert(n.clone());
            }
            (Key::View(n), None) => {
                self.views.remove(n);
            }
        }
    }

    fn touch(&mut self, k: Key) {
        if self.journal.as_ref().is_some_and(|j| !j.contains_key(&k)) {
            let v = self.get(&k);
            if let Some(j) = self.journal.as_mut() {
                j.insert(k, v);
            }
        }
    }

    /// The table, journaled (as `touch`, with one lookup fewer: each is a walk down a
    /// tree of every table).
    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let k = key(name);
        let current = self.tables.get(&k)?;
        if let Some(j) = self.journal.as_mut() {
            j.entry(Key::Table(k.clone()))
                .or_insert_with(|| Some(Entry::Table(current.clone())));
        }
        self.tables.get_mut(&k).map(Arc::make_mut)
    }

    /// The table a change alters, journaled; when it is missing, `unknown-object` unless
    /// something opaque may have created it.
    fn existing_table_mut(&mut self, table: &str, report: &mut impl FnMut(Problem)) -> Option<&mut Table> {
        // A missing table is unknown exactly when the schema is uncertain (`is_unknown`).
        let uncertain = self.uncertain;
        let found = self.table_mut(table);
        if found.is_none() && !uncertain {
            report(Problem::Unknown(format!("table {table}")));
        }
        found
    }

    fn put_table(&mut self, t: Table) {
        let k = key(&t.name);
        self.touch(Key::Table(k.clone()));
        self.tables.insert(k, Arc::new(t));
    }

    fn remove_table(&mut self, name: &str) -> Option<Table> {
        let k = key(name);
        self.touch(Key::Table(k.clone()));
        self.tables.remove(&k).map(Arc::unwrap_or_clone)
    }

    /// Set or remove an index, keeping `by_table` in step.
    fn set_index(&mut self, k: &str, v: Option<IndexDef>) -> Option<IndexDef> {
        let old = match v {
            Some(i) => {
                let t = key(&i.table);
                let names = self.by_table.entry(t).or_default();
                if let Err(at) = names.binary_search_by(|n| n.as_str().cmp(k)) {
                    names.insert(at, k.to_string());
                }
                self.indexes.insert(k.to_string(), i)
            }
            None => self.indexes.remove(k),
        };
        if let Some(o) = &old {
            let t = key(&o.table);
            let still = self.indexes.get(k).is_some_and(|i| key(&i.table) == t);
            if !still && let Some(set) = self.by_table.get_mut(&t) {
                set.retain(|n| n != k);
                if set.is_empty() {
                    self.by_table.remove(&t);
                }
            }
        }
        old
    }

    fn put_index(&mut self, i: IndexDef) {
        let k = key(&i.name);
        self.touch(Key::Index(k.clone()));
        self.set_index(&k, Some(i));
    }

    fn remove_index(&mut self, name: &str) -> Option<IndexDef> {
        let k = key(name);
        self.touch(Key::Index(k.clone()));
        self.set_index(&k, None)
    }

    /// Record a table that existed before the history began: present, shape unknown. Not
    /// journaled, so undoing a revision keeps it.
    pub fn adopt(&mut self, name: &str) {
        self.tables.insert(
            key(name),
            Arc::new(Table {
                name: name.to_string(),
                unknown: true,
                ..Default::default()
            }),
        );
    }

    /// Join a merged branch's schema into this one: objects only it has are added, tables
    /// both have gain the columns and constraints only it has; where both have an object,
    /// this one's version wins.
    pub fn merge_from(&mut self, other: &Schema) {
        self.join(other, false);
    }

    /// The same join with the roles swapped: the result is `other.merge_from(self)`'s, built
    /// in place (the replay joins a merge's earlier parents into the schema it holds).
    pub fn merge_under(&mut self, other: &Schema) {
        self.join(other, true);
    }

    fn join(&mut self, other: &Schema, theirs_win: bool) {
        use imbl::ordmap::DiffItem;
        // `diff` skips the subtrees both sides still share since the branch point, so a
        // merge costs what the branches changed, not the size of the schema.
        let mut joined: Vec<(String, Arc<Table>)> = Vec::new();
        for d in self.tables.diff(&other.tables) {
            match d {
                DiffItem::Add(k, t) => joined.push((k.clone(), t.clone())),
                DiffItem::Update {
                    old: (k, mine),
                    new: (_, theirs),
                } => {
                    let (first, second) = if theirs_win { (theirs, mine) } else { (mine, theirs) };
                    let mut t = Table::clone(first);
                    for c in &second.columns {
                        if t.column(&c.name).is_none() {
                            t.columns.push(c.clone());
                        }
                    }
                    for (ck, c) in &second.constraints {
                        if !t.constraints.contains_key(ck) {
                            t.constraints.insert(ck.clone(), c.clone());
                        }
                    }
                    t.unknown |= second.unknown;
                    joined.push((k.clone(), Arc::new(t)));
                }
                DiffItem::Remove(..) => {}
            }
        }
        for (k, t) in joined {
            self.tables.insert(k, t);
        }
        let added: Vec<(String, IndexDef)> = self
            .indexes
            .diff(&other.indexes)
            .filter_map(|d| match d {
                DiffItem::Add(k, i) => Some((k.clone(), i.clone())),
                DiffItem::Update { new: (k, i), .. } if theirs_win => Some((k.clone(), i.clone())),
                _ => None,
            })
            .collect();
        for (k, i) in added {
            self.set_index(&k, Some(i));
        }
        let types: Vec<(String, Vec<String>)> = self
            .types
            .diff(&other.types)
            .filter_map(|d| match d {
                DiffItem::Add(k, v) => Some((k.clone(), v.clone())),
                DiffItem::Update { new: (k, v), .. } if theirs_win => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect();
        for (k, v) in types {
            self.types.insert(k, v);
        }
        for (k, v) in other.composites.iter() {
            if theirs_win || !self.composites.contains_key(k) {
                self.composites.insert(k.clone(), v.clone());
            }
        }
        for x in other.sequences.iter() {
            self.sequences.insert(x.clone());
        }
        for x in other.views.iter() {
            self.views.insert(x.clone());
        }
        self.uncertain |= other.uncertain;
    }

    // ----- queries -------------------------------------------------------------------

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(&*lookup_key(name)).map(|t| &**t)
    }

    /// Whether findings about `table` should be suppressed: it is unknown, or it is missing
    /// while something opaque may have created it.
    pub fn is_unknown(&self, table: &str) -> bool {
        match self.table(table) {
            Some(t) => t.unknown,
            None => self.uncertain,
        }
    }

    /// Indexes on a table.
    pub fn indexes_on(&self, table: &str) -> impl Iterator<Item = &IndexDef> {
        self.by_table
            .get(&*lookup_key(table))
            .into_iter()
            .flat_map(|names| names.iter())
            .filter_map(|n| self.indexes.get(n))
    }

    // ----- applying changes ----------------------------------------------------------

    /// Apply one change. Problems are returned for the caller to report (with the
    /// change's location); the schema is left as close to the intent as possible.
    pub fn apply(&mut self, change: &Change) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut p = |x: Problem| problems.push(x);
        match change {
            Change::CreateTable {
                table,
                columns,
                constraints,
                indexes,
                types,
                if_not_exists,
            } => {
                // A table opaque code may have created is replaced, not a duplicate.
                if self.table(table).is_some_and(|t| !t.unknown) {
                    if !if_not_exists {
                        p(Problem::Duplicate(format!("table {table}")));
                    }
                    return problems;
                }
                for (name, values) in types {
                    if self.types.contains_key(&key(name)) {
                        p(Problem::Duplicate(format!("type {name}")));
                    }
                    self.touch(Key::Type(key(name)));
                    self.types.insert(key(name), values.clone());
                }
                let mut t = Table {
                    name: table.clone(),
                    columns: columns.clone(),
                    ..Default::default()
                };
                for c in constraints {
                    t.constraints.insert(c.key(), c.clone());
                }
                self.put_table(t);
                for i in indexes {
                    if self.indexes.contains_key(&key(&i.name)) {
                        p(Problem::Duplicate(format!("index {}", i.name)));
                    }
                    self.put_index(i.clone());
                }
            }
            Change::CreatePartition {
                table,
                parent,
                if_not_exists,
                index_label,
                name_limit,
            } => {
                if self.table(table).is_some_and(|t| !t.unknown) {
                    if !if_not_exists {
                        p(Problem::Duplicate(format!("table {table}")));
                    }
                    return problems;
                }
                let Some(from) = self.table(parent).cloned() else {
                    if !self.uncertain {
                        p(Problem::Unknown(format!("table {parent}")));
                    }
                    return problems;
                };
                // The server names the partition's keys itself: they compare by shape.
                let mut t = Table {
                    name: table.clone(),
                    columns: from.columns.clone(),
                    unknown: from.unknown,
                    ..Default::default()
                };
                for c in from.constraints.values() {
                    let mut c = c.clone();
                    c.name = None;
                    c.implicit_name = None;
                    t.constraints.insert(c.key(), c);
                }
                self.put_table(t);
                let copies: Vec<IndexDef> = match index_label {
                    Some(label) => self
                        .indexes_on(parent)
                        .map(|ix| IndexDef {
                            name: implicit_index_name(table, &ix.columns, label, *name_limit),
                            table: table.clone(),
                            columns: ix.columns.clone(),
                            unique: ix.unique,
                        })
                        .collect(),
                    None => Vec::new(),
                };
                for ix in copies {
                    self.put_index(ix);
                }
            }
            Change::DropTable { table, if_exists } => {
                if self.remove_table(table).is_none() {
                    if !if_exists && !self.uncertain {
                        p(Problem::Unknown(format!("table {table}")));
                    }
                    return problems;
                }
                let owned: Vec<String> = self.indexes_on(table).map(|i| i.name.clone()).collect();
                for i in owned {
                    self.remove_index(&i);
                }
            }
            Change::RenameTable { table, new_name } => {
                let new_full = rename_in_schema(table, new_name);
                match self.table(&new_full) {
                    // A table opaque code may have created (or renamed away): replaced.
                    Some(t) if t.unknown => {
                        self.remove_table(&new_full);
                    }
                    Some(_) => {
                        p(Problem::Duplicate(format!("table {new_full}")));
                        return problems;
                    }
                    None => {}
                }
                let Some(mut t) = self.remove_table(table) else {
                    if !self.uncertain {
                        p(Problem::Unknown(format!("table {table}")));
                    }
                    return problems;
                };
                t.name = new_full.clone();
                // Foreign keys follow the table they reference, its own included.
                retarget_constraints(&mut t, table, |c| retarget_table(c, table, &new_full));
                self.put_table(t);
                self.retarget_references(table, |c| retarget_table(c, table, &new_full));
                let owned: Vec<String> = self.indexes_on(table).map(|i| i.name.clone()).collect();
                for i in owned {
                    if let Some(mut ix) = self.remove_index(&i) {
                        ix.table = new_full.clone();
                        self.put_index(ix);
                    }
                }
            }
            Change::AddColumn {
                table,
                column,
                if_not_exists,
                constraints,
                indexes,
            } => {
                let Some(t) = self.existing_table_mut(table, &mut p) else {
                    return problems;
                };
                if t.column(&column.name).is_some() {
                    if !if_not_exists && !t.unknown {
                        p(Problem::Duplicate(format!("column {table}.{}", column.name)));
                    }
                    return problems;
                }
                t.columns.push(column.clone());
                for c in constraints {
                    t.constraints.insert(c.key(), c.clone());
                }
                for i in indexes {
                    self.put_index(i.clone());
                }
            }
            Change::DropColumn { table, column, if_exists } => {
                let Some(t) = self.existing_table_mut(table, &mut p) else {
                    return problems;
                };
                let before = t.columns.len();
                t.columns.retain(|c| !eq_ident(&c.name, column));
                // On a table of unknown shape the column may well exist: what is known to
                // depend on it still goes with it.
                if t.columns.len() == before && !t.unknown {
                    if !if_exists {
                        p(Problem::Unknown(format!("column {table}.{column}")));
                    }
                    return problems;
                }
                // Constraints on the column go with it, as the databases do.
                t.constraints.retain(|_, c| !constraint_uses(c, column));
                let gone: Vec<String> = self
                    .indexes_on(table)
                    .filter(|i| i.columns.iter().any(|c| eq_ident(c, column)))
                    .map(|i| i.name.clone())
                    .collect();
                for i in gone {
                    self.remove_index(&i);
                }
            }
            Change::AlterColumn {
                table,
                column,
                type_,
                nullable,
                default,
                rename,
                ..
            } => {
                let Some(t) = self.existing_table_mut(table, &mut p) else {
                    return problems;
                };
                let unknown = t.unknown;
                if let Some(new) = rename
                    && t.column(new).is_some()
                    && !eq_ident(new, column)
                {
                    p(Problem::Duplicate(format!("column {table}.{new}")));
                    return problems;
                }
                let Some(c) = t.column_mut(column) else {
                    if !unknown {
                        p(Problem::Unknown(format!("column {table}.{column}")));
                    }
                    return problems;
                };
                if let Some(ty) = type_ {
                    c.type_ = ty.clone();
                }
                if let Some(n) = nullable {
                    c.nullable = *n;
                }
                if let Some(d) = default {
                    c.default = d.clone();
                }
                if let Some(new) = rename {
                    c.name = new.clone();
                    for con in t.constraints.values_mut() {
                        rename_constraint_column(con, column, new);
                    }
                    let renamed: Vec<String> = self
                        .indexes_on(table)
                        .filter(|i| i.columns.iter().any(|c| eq_ident(c, column)))
                        .map(|i| i.name.clone())
                        .collect();
                    for n in renamed {
                        if let Some(mut ix) = self.remove_index(&n) {
                            for c in ix.columns.iter_mut() {
                                if eq_ident(c, column) {
                                    *c = new.clone();
                                }
                            }
                            self.put_index(ix);
                        }
                    }
                    // Foreign keys naming the column on the referenced side follow it.
                    let table_name = table.clone();
                    self.retarget_references(table, |c| retarget_ref_column(c, &table_name, column, new));
                }
            }
            Change::RenameIndex { name, new_name } => {
                let new_full = rename_in_schema(name, new_name);
                if let Some(mut ix) = self.remove_index(name) {
                    if self.indexes.contains_key(&key(&new_full)) {
                        p(Problem::Duplicate(format!("index {new_full}")));
                    }
                    ix.name = new_full;
                    self.put_index(ix);
                    return problems;
                }
                // The index behind a primary key or unique constraint: PostgreSQL renames
                // the constraint with it.
                let bare = name.rsplit('.').next().unwrap_or(name);
                let bare_new = new_full.rsplit('.').next().unwrap_or(&new_full).to_string();
                let owner = self.tables.iter().find_map(|(k, t)| {
                    t.constraints
                        .iter()
                        .find(|(ck, c)| {
                            matches!(c.kind, ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. })
                                && (eq_ident(ck, bare) || c.answers_to(bare))
                        })
                        .map(|(ck, _)| (k.clone(), ck.clone()))
                        .or_else(|| primary_key_alias(t, bare).map(|ck| (k.clone(), ck)))
                });
                match owner {
                    Some((tk, ck)) => {
                        if let Some(t) = self.table_mut(&tk)
                            && let Some(mut c) = t.constraints.remove(&ck)
                        {
                            match c.name {
                                Some(_) => c.name = Some(bare_new),
                                None => c.implicit_name = Some(bare_new),
                            }
                            t.constraints.insert(c.key(), c);
                        }
                    }
                    None if !self.uncertain && !self.any_unknown_table() => p(Problem::Unknown(format!("index {name}"))),
                    None => {}
                }
            }
            Change::CreateIndex { index, if_not_exists, .. } => {
                if self.indexes.contains_key(&key(&index.name)) {
                    if !if_not_exists {
                        p(Problem::Duplicate(format!("index {}", index.name)));
                    }
                    return problems;
                }
                match self.table(&index.table) {
                    None if !self.uncertain => p(Problem::Unknown(format!("table {}", index.table))),
                    Some(t) if !t.unknown => {
                        for c in &index.columns {
                            if is_plain_identifier(c) && t.column(c).is_none() {
                                p(Problem::Unknown(format!("column {}.{c}", index.table)));
                            }
                        }
                    }
                    _ => {}
                }
                self.put_index(index.clone());
            }
            Change::DropIndex { name, if_exists, .. } => {
                if self.remove_index(name).is_none() {
                    // A constraint-backed index (MySQL drops unique keys with DROP INDEX).
                    let owner = self
                        .tables
                        .iter()
                        .find(|(_, t)| t.constraints.contains_key(name.as_str()))
                        .map(|(k, _)| k.clone());
                    if let Some(owner) = owner {
                        if let Some(t) = self.table_mut(&owner) {
                            t.constraints.remove(name.as_str());
                        }
                    } else if !if_exists && !self.uncertain && !self.any_unknown_table() {
                        p(Problem::Unknown(format!("index {name}")));
                    }
                }
            }
            Change::AddConstraint { table, constraint } => {
                let uncertain = self.is_unknown(table);
                // `... USING INDEX ix`: the index becomes the constraint's (PostgreSQL
                // renames it to the constraint), which takes its columns.
                let mut constraint = constraint.clone();
                if let Some(ix) = &constraint.using_index {
                    match self.remove_index(ix) {
                        Some(index) => match &mut constraint.kind {
                            ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns } if columns.is_empty() => {
                                *columns = index.columns;
                            }
                            _ => {}
                        },
                        None if !self.uncertain && !uncertain => p(Problem::Unknown(format!("index {ix}"))),
                        None => {}
                    }
                }
                let constraint = &constraint;
                let ref_missing = match &constraint.kind {
                    ConstraintKind::ForeignKey { ref_table, .. } => {
                        self.table(ref_table).is_none() && !self.is_unknown(ref_table) && !eq_ident(ref_table, table)
                    }
                    _ => false,
                };
                let Some(t) = self.table_mut(table) else {
                    if !uncertain {
                        p(Problem::Unknown(format!("table {table}")));
                    }
                    return problems;
                };
                let k = constraint.key();
                if t.constraints.contains_key(&k) && !t.unknown {
                    p(Problem::Duplicate(format!("constraint {k} on {table}")));
                    return problems;
                }
                if !t.unknown {
                    for c in constraint_columns(constraint) {
                        if t.column(c).is_none() {
                            p(Problem::Unknown(format!("column {table}.{c}")));
                        }
                    }
                }
                t.constraints.insert(k, constraint.clone());
                if ref_missing && let ConstraintKind::ForeignKey { ref_table, .. } = &constraint.kind {
                    p(Problem::Unknown(format!("table {ref_table}")));
                }
            }
            Change::DropConstraint { table, name, if_exists } => {
                let Some(t) = self.existing_table_mut(table, &mut p) else {
                    return problems;
                };
                let found = t
                    .constraints
                    .keys()
                    .find(|k| eq_ident(k, name))
                    .cloned()
                    .or_else(|| t.constraints.iter().find(|(_, c)| c.answers_to(name)).map(|(k, _)| k.clone()))
                    .or_else(|| primary_key_alias(t, name));
                match found {
                    Some(k) => {
                        t.constraints.remove(&k);
                    }
                    None => {
                        let unknown = t.unknown;
                        // A unique constraint may exist as a unique index of that name.
                        if self.remove_index(name).is_none() && !if_exists && !unknown {
                            p(Problem::Unknown(format!("constraint {name} on {table}")));
                        }
                    }
                }
            }
            Change::RenameConstraint { table, name, new_name } => {
                let Some(t) = self.existing_table_mut(table, &mut p) else {
                    return problems;
                };
                let found = t
                    .constraints
                    .iter()
                    .find(|(k, c)| eq_ident(k, name) || c.answers_to(name))
                    .map(|(k, _)| k.clone());
                match found.and_then(|k| t.constraints.remove(&k)) {
                    // One declared without a name keeps its key (a rename back gives back
                    // the same schema) and answers to the new name.
                    Some(mut c) => {
                        match c.name {
                            Some(_) => c.name = Some(new_name.clone()),
                            None => c.implicit_name = Some(new_name.clone()),
                        }
                        t.constraints.insert(c.key(), c);
                    }
                    None if !t.unknown => p(Problem::Unknown(format!("constraint {name} on {table}"))),
                    None => {}
                }
            }
            Change::ValidateConstraint { table, name } => {
                if let Some(t) = self.table(table)
                    && !t.unknown
                    && !t.constraints.iter().any(|(k, c)| eq_ident(k, name) || c.answers_to(name))
                {
                    p(Problem::Unknown(format!("constraint {name} on {table}")));
                }
                if let Some(t) = self.table_mut(table)
                    && let Some(c) = t.constraints.values_mut().find(|c| c.answers_to(name))
                {
                    c.not_valid = false;
                }
            }
            Change::CreateType {
                name,
                values,
                if_not_exists,
            } => {
                if self.types.contains_key(&key(name)) || self.composites.contains_key(&key(name)) {
                    if !if_not_exists {
                        p(Problem::Duplicate(format!("type {name}")));
                    }
                    return problems;
                }
                self.touch(Key::Type(key(name)));
                self.types.insert(key(name), values.clone());
            }
            Change::CreateCompositeType { name, attributes } => {
                if self.types.contains_key(&key(name)) || self.composites.contains_key(&key(name)) {
                    p(Problem::Duplicate(format!("type {name}")));
                }
                self.touch(Key::Composite(key(name)));
                self.composites.insert(key(name), attributes.clone());
            }
            Change::DropType { name, if_exists } => {
                self.touch(Key::Type(key(name)));
                self.touch(Key::Composite(key(name)));
                let enum_gone = self.types.remove(&key(name)).is_some();
                let composite_gone = self.composites.remove(&key(name)).is_some();
                if !enum_gone && !composite_gone && !if_exists && !self.uncertain {
                    p(Problem::Unknown(format!("type {name}")));
                }
            }
            Change::AddTypeValue { name, value } => {
                self.touch(Key::Type(key(name)));
                match self.types.get_mut(&key(name)) {
                    Some(v) => v.push(value.clone()),
                    None if !self.uncertain => p(Problem::Unknown(format!("type {name}"))),
                    None => {}
                }
            }
            Change::CreateSequence { name, if_not_exists } => {
                self.touch(Key::Sequence(key(name)));
                if self.sequences.insert(key(name)).is_some() && !if_not_exists {
                    p(Problem::Duplicate(format!("sequence {name}")));
                }
            }
            Change::DropSequence { name, if_exists } => {
                self.touch(Key::Sequence(key(name)));
                if self.sequences.remove(&key(name)).is_none() && !if_exists && !self.uncertain {
                    p(Problem::Unknown(format!("sequence {name}")));
                }
            }
            Change::CreateView { name, or_replace } => {
                self.touch(Key::View(key(name)));
                if self.views.insert(key(name)).is_some() && !or_replace {
                    p(Problem::Duplicate(format!("view {name}")));
                }
            }
            Change::DropView { name, if_exists } => {
                self.touch(Key::View(key(name)));
                if self.views.remove(&key(name)).is_none() && !if_exists && !self.uncertain {
                    p(Problem::Unknown(format!("view {name}")));
                }
            }
            Change::Data { table: Some(table), .. } => {
                if self.table(table).is_none() && !self.uncertain && !self.views.contains(&key(table)) {
                    p(Problem::Unknown(format!("table {table}")));
                }
            }
            Change::Opaque {
                tables, schema_changing, ..
            } => {
                for t in tables {
                    match self.table_mut(t) {
                        Some(t) => t.unknown = true,
                        // Opaque code that names a table may have created it.
                        None if *schema_changing => {
                            self.touch(Key::Table(key(t)));
                            self.adopt(t);
                        }
                        None => {}
                    }
                }
                if *schema_changing && tables.is_empty() {
                    self.uncertain = true;
                }
            }
            Change::Data { table: None, .. } | Change::SetTimeout { .. } | Change::Other { .. } => {}
        }
        problems
    }

    /// Apply `f` to the constraints of every other table that reference `target`,
    /// re-filing those whose key changes.
    fn retarget_references(&mut self, target: &str, f: impl Fn(&mut ConstraintDef) -> bool) {
        let referencing: Vec<String> = self
            .tables
            .iter()
            .filter(|(_, t)| t.constraints.values().any(|c| references(c, target)))
            .map(|(k, _)| k.clone())
            .collect();
        for k in referencing {
            if let Some(t) = self.table_mut(&k) {
                retarget_constraints(t, target, &f);
            }
        }
    }

    fn any_unknown_table(&self) -> bool {
        self.tables.values().any(|t| t.unknown)
    }
}

/// `schema.old` renamed to `new` stays in its schema.
pub fn rename_in_schema(table: &str, new_name: &str) -> String {
    match table.rsplit_once('.') {
        Some((s, _)) if !new_name.contains('.') => format!("{s}.{new_name}"),
        _ => new_name.to_string(),
    }
}

/// `<table>_<columns>_<label>` within `limit` bytes, taking characters off the longer of
/// the table name and the column part first (expressions count as `expr`).
fn implicit_index_name(table: &str, columns: &[String], label: &str, limit: Option<usize>) -> String {
    let bare = table.rsplit('.').next().unwrap_or(table);
    let cols: Vec<&str> = columns
        .iter()
        .map(|c| if is_plain_identifier(c) { c.as_str() } else { "expr" })
        .collect();
    let cols = cols.join("_");
    let name = crate::dialect::object_name(bare, Some(&cols), label, limit);
    match table.rsplit_once('.') {
        Some((schema, _)) => format!("{schema}.{name}"),
        None => name,
    }
}

fn references(c: &ConstraintDef, target: &str) -> bool {
    matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, .. } if eq_ident(ref_table, target))
}

/// Change the constraints of `t` that reference `target` with `f` (which says whether it
/// changed one), keeping each filed under its key.
fn retarget_constraints(t: &mut Table, target: &str, f: impl Fn(&mut ConstraintDef) -> bool) {
    let keys: Vec<String> = t
        .constraints
        .iter()
        .filter(|(_, c)| references(c, target))
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        if let Some(mut c) = t.constraints.remove(&k) {
            f(&mut c);
            t.constraints.insert(c.key(), c);
        }
    }
}

fn retarget_table(c: &mut ConstraintDef, from: &str, to: &str) -> bool {
    match &mut c.kind {
        ConstraintKind::ForeignKey { ref_table, .. } if eq_ident(ref_table, from) => {
            *ref_table = to.to_string();
            true
        }
        _ => false,
    }
}

fn retarget_ref_column(c: &mut ConstraintDef, table: &str, from: &str, to: &str) -> bool {
    let mut changed = false;
    if let ConstraintKind::ForeignKey {
        ref_table, ref_columns, ..
    } = &mut c.kind
        && eq_ident(ref_table, table)
    {
        for x in ref_columns.iter_mut().filter(|x| eq_ident(x, from)) {
            *x = to.to_string();
            changed = true;
        }
    }
    changed
}

fn is_plain_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn constraint_columns(c: &ConstraintDef) -> &[String] {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns } | ConstraintKind::ForeignKey { columns, .. } => columns,
        ConstraintKind::Check { .. } => &[],
    }
}

fn constraint_uses(c: &ConstraintDef, column: &str) -> bool {
    constraint_columns(c).iter().any(|x| eq_ident(x, column))
}

fn rename_constraint_column(c: &mut ConstraintDef, from: &str, to: &str) {
    let cols = match &mut c.kind {
        ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns } | ConstraintKind::ForeignKey { columns, .. } => columns,
        ConstraintKind::Check { .. } => return,
    };
    for x in cols.iter_mut() {
        if eq_ident(x, from) {
            *x = to.to_string();
        }
    }
}

/// `drop_constraint('users_pkey', type_='primary')` names the primary key PostgreSQL's
/// way even when the table declared it without a name.
fn primary_key_alias(t: &Table, name: &str) -> Option<String> {
    let default_name = format!("{}_pkey", t.name.rsplit('.').next().unwrap_or(&t.name));
    if eq_ident(name, &default_name) || eq_ident(name, "primary") {
        return t
            .constraints
            .iter()
            .find(|(_, c)| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
            .map(|(k, _)| k.clone());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            type_: "INTEGER".into(),
            nullable: true,
            default: None,
            primary_key: false,
            generated: false,
        }
    }

    fn create(table: &str, cols: &[&str]) -> Change {
        Change::CreateTable {
            table: table.into(),
            columns: cols.iter().map(|c| col(c)).collect(),
            constraints: vec![],
            indexes: vec![],
            types: vec![],
            if_not_exists: false,
        }
    }

    #[test]
    fn merge_under_is_merge_from_with_the_roles_swapped() {
        let index = |name: &str, col: &str| Change::CreateIndex {
            index: IndexDef {
                name: name.into(),
                table: "users".into(),
                columns: vec![col.into()],
                unique: false,
            },
            concurrently: false,
            if_not_exists: false,
        };
        let add = |c: &str| Change::AddColumn {
            table: "users".into(),
            column: col(c),
            if_not_exists: false,
            constraints: vec![],
            indexes: vec![],
        };
        let mut base = Schema::default();
        base.apply(&create("users", &["id"]));
        // Two branches that both change `users` and create an index of the same name.
        let mut a = base.clone();
        for c in [add("a"), create("only_a", &["id"]), index("ix_users", "a")] {
            assert!(a.apply(&c).is_empty());
        }
        let mut b = base.clone();
        for c in [add("b"), create("only_b", &["id"]), index("ix_users", "b"), index("ix_b", "b")] {
            assert!(b.apply(&c).is_empty());
        }
        let mut expected = a.clone();
        expected.merge_from(&b);
        let mut joined = b.clone();
        joined.merge_under(&a);
        assert_eq!(joined, expected);
        assert_eq!(joined.by_table, expected.by_table);
        let cols: Vec<&str> = joined.table("users").unwrap().columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cols, ["id", "a", "b"]);
        assert_eq!(joined.indexes.get("ix_users").unwrap().columns, ["a"]);
    }

    #[test]
    fn missing_and_duplicate_objects_are_problems() {
        let mut s = Schema::default();
        assert!(s.apply(&create("users", &["id"])).is_empty());
        assert_eq!(s.apply(&create("users", &["id"])), vec![Problem::Duplicate("table users".into())]);
        let drop = Change::DropColumn {
            table: "users".into(),
            column: "email".into(),
            if_exists: false,
        };
        assert_eq!(s.apply(&drop), vec![Problem::Unknown("column users.email".into())]);
    }

    #[test]
    fn journal_restores_exactly() {
        let mut s = Schema::default();
        s.apply(&create("users", &["id"]));
        let before = s.clone();
        s.begin_journal();
        s.apply(&Change::DropTable {
            table: "users".into(),
            if_exists: false,
        });
        s.apply(&create("orders", &["id"]));
        let j = s.take_journal();
        for (k, v) in j {
            s.restore(&k, v);
        }
        assert_eq!(s, before);
    }

    #[test]
    fn dropping_a_column_of_an_unknown_table_drops_its_index() {
        let mut s = Schema::default();
        s.adopt("runs");
        s.apply(&Change::CreateIndex {
            index: IndexDef {
                name: "ix_runs_pool".into(),
                table: "runs".into(),
                columns: vec!["pool_id".into()],
                unique: false,
            },
            concurrently: false,
            if_not_exists: false,
        });
        let drop = Change::DropColumn {
            table: "runs".into(),
            column: "pool_id".into(),
            if_exists: false,
        };
        assert!(s.apply(&drop).is_empty());
        assert!(s.indexes.is_empty());
    }

    #[test]
    fn renaming_onto_a_table_that_only_may_exist_is_no_duplicate() {
        let mut s = Schema::default();
        s.apply(&create("items", &["id"]));
        // A guarded drop of a legacy table of that name: whether it is still there is unknown.
        s.adopt("item");
        let rename = Change::RenameTable {
            table: "items".into(),
            new_name: "item".into(),
        };
        assert!(s.apply(&rename).is_empty());
        assert!(s.table("item").is_some_and(|t| !t.unknown && t.column("id").is_some()));
        s.apply(&create("other", &["id"]));
        let onto_known = Change::RenameTable {
            table: "other".into(),
            new_name: "item".into(),
        };
        assert_eq!(s.apply(&onto_known), vec![Problem::Duplicate("table item".into())]);
    }

    #[test]
    fn a_renamed_constraint_answers_to_its_new_name() {
        let mut s = Schema::default();
        s.apply(&Change::CreateTable {
            table: "book".into(),
            columns: vec![col("id"), col("shelf_id")],
            constraints: vec![ConstraintDef {
                name: None,
                kind: ConstraintKind::ForeignKey {
                    columns: vec!["shelf_id".into()],
                    ref_table: "book".into(),
                    ref_columns: vec!["id".into()],
                },
                not_valid: false,
                using_index: None,
                implicit_name: Some("book_shelf_id_fkey".into()),
            }],
            indexes: vec![],
            types: vec![],
            if_not_exists: false,
        });
        let rename = |from: &str, to: &str| Change::RenameConstraint {
            table: "book".into(),
            name: from.into(),
            new_name: to.into(),
        };
        assert!(s.apply(&rename("book_shelf_id_fkey", "book_rack_fkey")).is_empty());
        assert_eq!(
            s.apply(&rename("book_shelf_id_fkey", "x")),
            vec![Problem::Unknown("constraint book_shelf_id_fkey on book".into())]
        );
        let drop = Change::DropConstraint {
            table: "book".into(),
            name: "book_rack_fkey".into(),
            if_exists: false,
        };
        assert!(s.apply(&drop).is_empty());
    }

    #[test]
    fn composite_types_exist_until_dropped() {
        let mut s = Schema::default();
        let create = Change::CreateCompositeType {
            name: "parcel_t".into(),
            attributes: "(id uuid, weight int)".into(),
        };
        assert!(s.apply(&create).is_empty());
        assert_eq!(s.apply(&create), vec![Problem::Duplicate("type parcel_t".into())]);
        let drop = Change::DropType {
            name: "parcel_t".into(),
            if_exists: false,
        };
        assert!(s.apply(&drop).is_empty());
        assert_eq!(s.apply(&drop), vec![Problem::Unknown("type parcel_t".into())]);
    }

    #[test]
    fn a_type_created_if_missing_is_no_duplicate() {
        let mut s = Schema::default();
        let create = |if_not_exists| Change::CreateType {
            name: "tier".into(),
            values: vec!["free".into()],
            if_not_exists,
        };
        assert!(s.apply(&create(false)).is_empty());
        assert!(s.apply(&create(true)).is_empty());
        assert_eq!(s.apply(&create(false)), vec![Problem::Duplicate("type tier".into())]);
    }

    #[test]
    fn opaque_changes_silence_guesses() {
        let mut s = Schema::default();
        s.apply(&create("users", &["id"]));
        s.apply(&Change::Opaque {
            excerpt: "op.execute(sql_for('users'))".into(),
            tables: vec!["users".into()],
            schema_changing: true,
        });
        let drop = Change::DropColumn {
            table: "users".into(),
            column: "email".into(),
            if_exists: false,
        };
        assert!(s.apply(&drop).is_empty());
    }

    fn run(s: &mut Schema, sql: &str) -> Vec<Problem> {
        from_sql::changes(sql, &crate::dialect::postgresql::PostgreSQL)
            .iter()
            .flat_map(|c| s.apply(c))
            .collect()
    }

    fn fk_targets(s: &Schema, table: &str) -> Vec<(String, Vec<String>)> {
        s.table(table)
            .map(|t| {
                t.constraints
                    .values()
                    .filter_map(|c| match &c.kind {
                        ConstraintKind::ForeignKey {
                            ref_table, ref_columns, ..
                        } => Some((ref_table.clone(), ref_columns.clone())),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn foreign_keys_follow_a_renamed_table_and_column() {
        let mut s = Schema::default();
        let p = run(
            &mut s,
            "CREATE TABLE shelf (slot int PRIMARY KEY, up int REFERENCES shelf (slot)); \
             CREATE TABLE jar (id int, shelf_slot int REFERENCES shelf (slot)); \
             ALTER TABLE shelf RENAME TO cupboard; \
             ALTER TABLE cupboard RENAME COLUMN slot TO place",
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(fk_targets(&s, "jar"), vec![("cupboard".to_string(), vec!["place".to_string()])]);
        assert_eq!(
            fk_targets(&s, "cupboard"),
            vec![("cupboard".to_string(), vec!["place".to_string()])]
        );
    }

    #[test]
    fn renamed_indexes_and_constraint_indexes() {
        let mut s = Schema::default();
        let p = run(
            &mut s,
            "CREATE TABLE kettle (id int PRIMARY KEY, spout int, CONSTRAINT kettle_spout_uq UNIQUE (spout)); \
             CREATE INDEX kettle_spout_ix ON kettle (spout); \
             ALTER INDEX kettle_spout_ix RENAME TO kettle_spout_idx; \
             ALTER INDEX kettle_spout_uq RENAME TO kettle_spout_unique; \
             ALTER INDEX kettle_pkey RENAME TO kettle_id_pk",
        );
        assert!(p.is_empty(), "{p:?}");
        assert!(s.indexes.contains_key("kettle_spout_idx") && !s.indexes.contains_key("kettle_spout_ix"));
        let t = s.table("kettle").map(|t| t.constraints.clone()).unwrap_or_default();
        assert!(t.values().any(|c| c.answers_to("kettle_spout_unique")));
        assert!(t.values().any(|c| c.answers_to("kettle_id_pk")));
        assert_eq!(
            run(&mut s, "ALTER INDEX no_such_ix RENAME TO other"),
            vec![Problem::Unknown("index no_such_ix".into())]
        );
    }

    #[test]
    fn long_names_are_cut_to_the_identifier_limit() {
        let mut s = Schema::default();
        let long = format!("ix_{}", "teapot_".repeat(12));
        let p = run(
            &mut s,
            &format!("CREATE TABLE teapot (lid int); CREATE INDEX {long} ON teapot (lid)"),
        );
        assert!(p.is_empty(), "{p:?}");
        assert!(s.indexes.contains_key(&long[..63]));
        assert!(run(&mut s, &format!("DROP INDEX {long}")).is_empty());
        assert!(s.indexes.is_empty());
    }

    #[test]
    fn a_partition_takes_its_parents_columns_keys_and_indexes() {
        let mut s = Schema::default();
        let p = run(
            &mut s,
            "CREATE TABLE ticks (seq bigint NOT NULL, clock_hand int, PRIMARY KEY (seq)) PARTITION BY RANGE (seq); \
             CREATE INDEX ticks_hand ON ticks (clock_hand); \
             CREATE TABLE ticks_early PARTITION OF ticks FOR VALUES FROM (0) TO (1000); \
             CREATE TABLE ticks_rest PARTITION OF ticks DEFAULT",
        );
        assert!(p.is_empty(), "{p:?}");
        for part in ["ticks_early", "ticks_rest"] {
            let t = s.table(part).cloned().unwrap_or_default();
            let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(cols, ["seq", "clock_hand"]);
            assert_eq!(t.primary_key(), vec!["seq".to_string()]);
            assert!(s.indexes.contains_key(&format!("{part}_clock_hand_idx")), "{:?}", s.indexes);
        }
        assert_eq!(
            run(&mut s, "CREATE TABLE orphan PARTITION OF nowhere DEFAULT"),
            vec![Problem::Unknown("table nowhere".into())]
        );
    }

    #[test]
    fn implicit_index_names_fit_the_limit() {
        let long = "a".repeat(70);
        let name = implicit_index_name(&long, &["b".into()], "idx", Some(63));
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_b_idx"));
        assert_eq!(implicit_index_name("s.t", &["lower(x)".into()], "idx", None), "s.t_expr_idx");
    }
}
