//! What a database says was applied, read back through the migration tool's own table,
//! and the questions asked of it: which heads, what is unknown, which revision the live
//! schema matches, whether a previous run left a migration unfinished.

use std::collections::{BTreeMap, BTreeSet};

use super::RunError;
use super::audit::{self, InProgress};
use super::driver::{Driver, LiveConstraintKind, LiveSchema};
use crate::analysis::Analysis;
use crate::bookkeeping::int_version;
use crate::dialect::Dialect;
use crate::graph::RevIdx;
use crate::render::sql_plan::RenderOptions;
use crate::resolve::{CommandContext, Pos, RevArg};

#[derive(Debug, Clone, Default)]
pub struct DbState {
    /// The version table exists.
    pub table_exists: bool,
    /// The heads the database is at (revision ids as the files spell them).
    pub heads: Vec<String>,
    /// Every revision applied: the heads and their ancestors.
    pub applied: BTreeSet<String>,
    /// Versions the database records that no migration file defines.
    pub unknown: Vec<String>,
    /// Versions the tool itself marks as failed half-way (golang-migrate `dirty`, sqlx
    /// `success = false`).
    pub dirty: Vec<String>,
}

impl DbState {
    /// Unknown or dirty versions stop every run: planning from them would be a guess.
    pub fn refuse_problems(&self) -> Result<(), RunError> {
        if !self.unknown.is_empty() {
            return Err(RunError(format!(
                "the database records revision(s) {} that no migration file here defines: the files are older than the \
                 database (check out the branch that has them) or a migration was deleted. Nothing was run; \
                 `migplan stamp --purge REV` replaces what the version table records with a revision these files know.",
                self.unknown.join(", ")
            )));
        }
        if !self.dirty.is_empty() {
            return Err(RunError(format!(
                "the version table marks {} as dirty: a previous run failed half-way through it. Nothing was run; fix \
                 the schema by hand, then `migplan stamp --purge` the revision it matches.",
                self.dirty.join(", ")
            )));
        }
        Ok(())
    }
}

/// Find the revision a version stored by a tool stands for (`1` for `0001_x.sql`).
fn revision_for<'a>(a: &'a Analysis, numeric: &BTreeMap<String, &'a str>, v: &str) -> Option<&'a str> {
    if let Some((id, _)) = a.map.by_id.get_key_value(v) {
        return Some(id.as_str());
    }
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return numeric.get(&int_version(v)).copied();
    }
    None
}

pub fn read(db: &mut dyn Driver, a: &Analysis, opts: &RenderOptions) -> Result<DbState, String> {
    let mut st = DbState::default();
    let book = opts.bookkeeping;
    if !db.table_exists(&book.table(opts))? {
        return Ok(st);
    }
    st.table_exists = true;
    let rows = db.query(&book.applied_sql(db.dialect(), opts))?;
    let numeric: BTreeMap<String, &str> = a
        .map
        .by_id
        .keys()
        .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))
        .map(|id| (int_version(id), id.as_str()))
        .collect();
    let mut heads: Vec<String> = Vec::new();
    let mut log: Vec<String> = Vec::new();
    for r in rows {
        let v = r.first().cloned().flatten().unwrap_or_default();
        let state = r.get(1).cloned().flatten().unwrap_or_default();
        let Some(id) = revision_for(a, &numeric, &v) else {
            if !st.unknown.contains(&v) {
                st.unknown.push(v);
            }
            continue;
        };
        let id = id.to_string();
        match state.as_str() {
            "head" => heads.push(id),
            "applied" => {
                log.retain(|x| x != &id);
                log.push(id);
            }
            "undone" => log.retain(|x| x != &id),
            _ => st.dirty.push(id),
        }
    }
    let idx = |id: &String| a.map.by_id.get(id).copied();
    if heads.is_empty() && !log.is_empty() {
        // A log of applied versions: the heads are those no other applied one descends from.
        let set: Vec<RevIdx> = log.iter().filter_map(idx).collect();
        let parents: Vec<RevIdx> = set.iter().flat_map(|&r| a.map.node(r).normalized_down()).collect();
        let below: BTreeSet<RevIdx> = a.map.ancestors(&parents, true).into_iter().collect();
        heads = set
            .iter()
            .filter(|r| !below.contains(r))
            .map(|&r| a.map.id(r).to_string())
            .collect();
    }
    let head_idx: Vec<RevIdx> = heads.iter().filter_map(idx).collect();
    st.applied = a
        .map
        .ancestors(&head_idx, true)
        .into_iter()
        .map(|r| a.map.id(r).to_string())
        .collect();
    st.heads = heads;
    Ok(st)
}

/// Resolve a user's revision argument to exactly one revision.
pub fn resolve_one(a: &Analysis, rev: &str) -> Result<RevIdx, RunError> {
    let pos = a
        .map
        .get_revisions(&RevArg::str(rev))
        .map_err(|e| RunError(e.command_message(&CommandContext::default())))?;
    let revs: Vec<RevIdx> = pos.into_iter().filter_map(Pos::rev).collect();
    match revs.as_slice() {
        [r] => Ok(*r),
        [] => Err(RunError(format!("'{rev}' names no revision"))),
        _ => Err(RunError(format!("'{rev}' names {} revisions; name one", revs.len()))),
    }
}

/// The checksum of a revision's file(s) as they are now.
pub fn revision_checksum(a: &Analysis, r: RevIdx, texts: &BTreeMap<String, String>) -> Option<String> {
    let rev = &a.revisions[a.map.node(r).rev];
    let up = texts.get(&rev.path)?;
    let down = rev.sql.as_ref().and_then(|s| s.down_path.as_ref()).and_then(|p| texts.get(p));
    Some(audit::checksum(std::iter::once(up.as_str()).chain(down.map(String::as_str))))
}

/// The message for a migration a previous run left unfinished.
pub fn in_progress_message(o: &InProgress, a: &Analysis) -> String {
    let file = a
        .map
        .by_id
        .get(&o.revision)
        .map(|&r| format!(" ({})", a.revisions[a.map.node(r).rev].path))
        .unwrap_or_default();
    let reached = match &o.progress {
        Some(p) => format!("it was running {p}"),
        None => "it had not started its first statement".into(),
    };
    format!(
        "refusing to run: the {} of revision {}{file}, started {} by {}, did not finish — {reached}.\n\
         This server commits each DDL statement on its own (or the migration ran outside a transaction), so the \
         statements before that one are applied and the ones after it are not; that one itself may have completed \
         (the server finishes a statement it was running when the runner died unless it notices first), so look \
         before redoing it. Recover: finish or undo the migration by hand, \
         then run `migplan stamp {}` (if it is now fully applied) or `migplan stamp` its parent revision; the stamp \
         closes this mark in {}.",
        o.direction,
        o.revision,
        o.started,
        o.applied_by,
        o.revision,
        audit::TABLE
    )
}

pub enum Match {
    Exact(String),
    /// The nearest revision and what differs.
    Closest(String, String),
    None,
}

/// What differs between the live schema (tables, columns, indexes, constraints) and the
/// simulation at `heads`, the bookkeeping tables aside (empty: they match).
pub fn schema_difference(a: &Analysis, d: &dyn Dialect, heads: &[RevIdx], live: &LiveSchema, opts: &RenderOptions) -> Vec<String> {
    let (schema, _) = crate::validate::schema_at(a, heads, d, &crate::cli::parallel::Rayon);
    let mut live = live.clone();
    let bookkeeping = [opts.bookkeeping.table(opts).name.to_lowercase(), audit::TABLE.to_string()];
    live.tables.retain(|t, _| !bookkeeping.contains(t));
    let sim = tables_of(&schema);
    let mut out = difference(&live.tables, &sim);
    // Indexes and constraints of tables on both sides: a missing table was said already.
    let both = |t: &str| live.tables.contains_key(t) && sim.contains_key(t);
    let unknown: BTreeSet<String> = schema.tables.values().filter(|t| t.unknown).map(|t| table_name(&t.name)).collect();
    let keep = |i: &Item| both(&i.table) && !unknown.contains(&i.table);
    let behaviour = d.ddl_behaviour();
    let sim_items: Vec<Item> = simulated_items(&schema, behaviour.unique_constraints_are_indexes)
        .into_iter()
        .filter(|i| keep(i))
        .collect();
    let live_items: Vec<Item> = live_items(&live).into_iter().filter(|i| keep(i)).collect();
    out.extend(compare_items(&sim_items, &live_items, &live, &behaviour));
    out
}

/// An index or constraint reduced to what both sides can say: its kind, table, name
/// (`None`: the catalogue keeps none, or the migration gave none) and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    kind: &'static str,
    table: String,
    name: Option<String>,
    /// `t(a, b)`, `t(a) → r(id)`, `t(a) unique`; just `t` for checks (compared by name).
    shape: String,
}

/// `public."Users"` → `users`: the live side reports the current schema's tables bare.
fn table_name(t: &str) -> String {
    let t = t.rsplit('.').next().unwrap_or(t);
    ident(t)
}

fn ident(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '"' | '`' | '[' | ']'))
        .collect::<String>()
        .to_lowercase()
}

/// Index columns compare with the server's spelling of expressions in mind: case,
/// spaces, quotes, parentheses and PostgreSQL's `::type` casts do not count.
fn key_part(s: &str) -> String {
    // The catalogues give a key's expression without its collation (`email COLLATE
    // NOCASE`: SQLite's pragma) or order (`changed_at DESC`).
    let mut s = s.trim().to_string();
    if let Some(i) = s.to_ascii_lowercase().rfind(" collate ") {
        let rest = s[i + 9..].trim_start();
        let word = rest.split_whitespace().next().unwrap_or("");
        if !word.contains(['(', ')', ',']) {
            s = format!("{}{}", &s[..i], &rest[word.len()..]);
        }
    }
    for suffix in [" nulls first", " nulls last", " desc", " asc"] {
        let t = s.trim_end();
        if t.len() > suffix.len() && t.is_char_boundary(t.len() - suffix.len()) && t[t.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
        {
            s = t[..t.len() - suffix.len()].to_string();
        }
    }
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            while chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '_' || *n == ' ') {
                chars.next();
            }
            continue;
        }
        if !(c.is_whitespace() || matches!(c, '"' | '`' | '[' | ']' | '(' | ')')) {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn cols(c: &[String]) -> String {
    c.iter().map(|c| key_part(c)).collect::<Vec<_>>().join(", ")
}

/// A table in another schema than the connection's (`reporting.daily_rollups`): the live
/// side reads the current schema only, so such tables are not compared.
fn elsewhere(t: &str) -> bool {
    t.rsplit_once('.')
        .is_some_and(|(s, _)| !matches!(ident(s).as_str(), "public" | "main"))
}

fn tables_of(schema: &crate::schema::Schema) -> Tables {
    schema
        .tables
        .values()
        .filter(|t| !elsewhere(&t.name))
        .map(|t| (table_name(&t.name), t.columns.iter().map(|c| c.name.to_lowercase()).collect()))
        .collect()
}

type Tables = BTreeMap<String, BTreeSet<String>>;

fn simulated(a: &Analysis, d: &dyn Dialect, heads: &[RevIdx]) -> Tables {
    let (schema, _) = crate::validate::schema_at(a, heads, d, &crate::cli::parallel::Rayon);
    tables_of(&schema)
}

fn difference(live: &Tables, sim: &Tables) -> Vec<String> {
    let mut out = Vec::new();
    for (t, cols) in sim {
        match live.get(t) {
            None => out.push(format!("table {t} missing")),
            Some(l) => {
                out.extend(cols.difference(l).map(|c| format!("column {t}.{c} missing")));
                out.extend(l.difference(cols).map(|c| format!("extra column {t}.{c}")));
            }
        }
    }
    out.extend(live.keys().filter(|t| !sim.contains_key(*t)).map(|t| format!("extra table {t}")));
    out
}

fn simulated_items(schema: &crate::schema::Schema, unique_as_index: bool) -> Vec<Item> {
    use crate::schema::ConstraintKind as K;
    let mut out = Vec::new();
    let pk_of = |t: &str| -> Vec<String> {
        schema
            .tables
            .values()
            .find(|x| table_name(&x.name) == t)
            .map(|x| x.primary_key())
            .unwrap_or_default()
    };
    for t in schema.tables.values().filter(|t| !elsewhere(&t.name)) {
        let table = table_name(&t.name);
        let name = |c: &crate::schema::ConstraintDef| c.name.as_deref().map(ident);
        let mut has_pk = false;
        for c in t.constraints.values() {
            let item = match &c.kind {
                K::PrimaryKey { columns } => {
                    has_pk = true;
                    Item {
                        kind: "primary key",
                        table: table.clone(),
                        name: name(c),
                        shape: format!("{table}({})", cols(columns)),
                    }
                }
                // MySQL keeps a unique constraint as a unique index of the same name.
                K::Unique { columns } if unique_as_index => Item {
                    kind: "index",
                    table: table.clone(),
                    name: name(c),
                    shape: format!("{table}({}) unique", cols(columns)),
                },
                K::Unique { columns } => Item {
                    kind: "unique constraint",
                    table: table.clone(),
                    name: name(c),
                    shape: format!("{table}({})", cols(columns)),
                },
                K::ForeignKey {
                    columns,
                    ref_table,
                    ref_columns,
                } => {
                    let target = table_name(ref_table);
                    // `REFERENCES t` alone means t's primary key.
                    let refs = if ref_columns.is_empty() {
                        pk_of(&target)
                    } else {
                        ref_columns.clone()
                    };
                    Item {
                        kind: "foreign key",
                        table: table.clone(),
                        name: name(c),
                        shape: format!("{table}({}) → {target}({})", cols(columns), cols(&refs)),
                    }
                }
                K::Check { .. } => Item {
                    kind: "check constraint",
                    table: table.clone(),
                    name: name(c),
                    shape: table.clone(),
                },
            };
            out.push(item);
        }
        let pk: Vec<String> = t.columns.iter().filter(|c| c.primary_key).map(|c| c.name.clone()).collect();
        if !has_pk && !pk.is_empty() {
            out.push(Item {
                kind: "primary key",
                table: table.clone(),
                name: None,
                shape: format!("{table}({})", cols(&pk)),
            });
        }
    }
    for ix in schema.indexes.values().filter(|ix| !elsewhere(&ix.table)) {
        let table = table_name(&ix.table);
        out.push(Item {
            kind: "index",
            name: Some(ident(&ix.name)),
            shape: format!("{table}({}){}", cols(&ix.columns), if ix.unique { " unique" } else { "" }),
            table,
        });
    }
    out
}

fn live_items(live: &LiveSchema) -> Vec<Item> {
    let mut out: Vec<Item> = live
        .indexes
        .iter()
        .map(|ix| Item {
            kind: "index",
            table: ix.table.clone(),
            name: Some(ix.name.clone()),
            shape: format!("{}({}){}", ix.table, cols(&ix.columns), if ix.unique { " unique" } else { "" }),
        })
        .collect();
    for c in &live.constraints {
        let t = &c.table;
        let (kind, shape) = match &c.kind {
            LiveConstraintKind::PrimaryKey => ("primary key", format!("{t}({})", cols(&c.columns))),
            LiveConstraintKind::Unique => ("unique constraint", format!("{t}({})", cols(&c.columns))),
            LiveConstraintKind::ForeignKey { ref_table, ref_columns } => (
                "foreign key",
                format!("{t}({}) → {ref_table}({})", cols(&c.columns), cols(ref_columns)),
            ),
            LiveConstraintKind::Check => ("check constraint", t.clone()),
        };
        out.push(Item {
            kind,
            table: t.clone(),
            name: c.name.clone(),
            shape,
        });
    }
    out
}

/// Pair the simulated items with the live ones: by name where the simulation has one and
/// the catalogue keeps names, else by shape (names the server made up never count); what
/// is left on either side differs.
fn compare_items(sim: &[Item], live: &[Item], schema: &LiveSchema, behaviour: &crate::dialect::DdlBehaviour) -> Vec<String> {
    // SQLite builds no second index for a UNIQUE the primary key or another UNIQUE already
    // covers (`id TEXT UNIQUE, PRIMARY KEY (id)`): such a constraint is there.
    let covered = |s: &Item| {
        behaviour.skips_covered_unique
            && s.kind == "unique constraint"
            && live
                .iter()
                .any(|l| matches!(l.kind, "primary key" | "unique constraint") && l.shape == s.shape)
    };
    let mut taken = vec![false; live.len()];
    let mut out = Vec::new();
    let describe = |i: &Item| match &i.name {
        Some(n) if i.kind == "check constraint" => format!("check constraint {n} on {}", i.table),
        Some(n) => format!("{} {n} {}", i.kind, i.shape),
        None if i.kind == "check constraint" => format!("an unnamed check constraint on {}", i.table),
        None => format!("{} {}", i.kind, i.shape),
    };
    let mut unmatched: Vec<&Item> = Vec::new();
    for s in sim.iter().filter(|s| s.name.is_some()) {
        let by_name = live
            .iter()
            .enumerate()
            .position(|(k, l)| !taken[k] && l.kind == s.kind && l.table == s.table && l.name == s.name);
        match by_name {
            Some(k) => {
                taken[k] = true;
                if live[k].shape != s.shape {
                    out.push(format!(
                        "{} {} differs: live {}, simulated {}",
                        s.kind,
                        s.name.as_deref().unwrap_or(""),
                        live[k].shape,
                        s.shape
                    ));
                }
            }
            None => unmatched.push(s),
        }
    }
    // Named in the migration but not found by that name: the catalogue may keep no name.
    for s in unmatched {
        let by_shape = (0..live.len()).find(|&k| !taken[k] && live[k].name.is_none() && live[k].kind == s.kind && live[k].shape == s.shape);
        match by_shape {
            Some(k) => taken[k] = true,
            None if covered(s) => {}
            None => out.push(format!("{} missing", describe(s))),
        }
    }
    for s in sim.iter().filter(|s| s.name.is_none()) {
        match (0..live.len()).find(|&k| !taken[k] && live[k].kind == s.kind && live[k].shape == s.shape) {
            Some(k) => taken[k] = true,
            None if covered(s) => {}
            None => out.push(format!("{} missing", describe(s))),
        }
    }
    for (k, l) in live.iter().enumerate() {
        if taken[k] {
            continue;
        }
        // MySQL indexes a foreign key's columns itself when no index serves it.
        let fk_index = behaviour.indexes_foreign_keys
            && l.kind == "index"
            && schema.indexes.iter().any(|ix| {
                Some(&ix.name) == l.name.as_ref()
                    && ix.table == l.table
                    && !ix.unique
                    && schema
                        .constraints
                        .iter()
                        .any(|c| c.table == ix.table && matches!(c.kind, LiveConstraintKind::ForeignKey { .. }) && c.columns == ix.columns)
            });
        if !fk_index {
            out.push(format!("extra {}", describe(l)));
        }
    }
    out
}

/// Which revision's simulated schema the live tables and columns match (bookkeeping
/// tables aside). Histories past 2,000 revisions are not searched: each probe simulates.
pub fn matching_revision(a: &Analysis, d: &dyn Dialect, live: &LiveSchema, opts: &RenderOptions) -> Match {
    let mut live = live.tables.clone();
    live.remove(&opts.bookkeeping.table(opts).name.to_lowercase());
    live.remove(audit::TABLE);
    if live.is_empty() || a.map.nodes.len() > 2000 {
        return Match::None;
    }
    let Ok(order) = a.map.walk_revisions("base", "heads") else {
        return Match::None;
    };
    let mut best: Option<(usize, String, Vec<String>)> = None;
    for r in order {
        let diff = difference(&live, &simulated(a, d, &[r]));
        if diff.is_empty() {
            return Match::Exact(a.map.id(r).to_string());
        }
        if best.as_ref().is_none_or(|b| diff.len() < b.0) {
            best = Some((diff.len(), a.map.id(r).to_string(), diff));
        }
    }
    match best {
        Some((_, id, diff)) => {
            let shown: Vec<String> = diff.iter().take(5).cloned().collect();
            let more = diff.len().saturating_sub(5);
            let text = if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            };
            Match::Closest(id, text)
        }
        None => Match::None,
    }
}
