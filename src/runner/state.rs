//! What a database says was applied, read back through the migration tool's own table,
//! and the questions asked of it: which heads, what is unknown, which revision the live
//! schema matches, whether a previous run left a migration unfinished.

use std::collections::{BTreeMap, BTreeSet};

use super::RunError;
use super::audit::{self, InProgress};
use super::driver::{Driver, LiveSchema};
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

/// What differs between the live tables/columns and the simulation at `heads`, the
/// bookkeeping tables aside (empty: they match).
pub fn schema_difference(a: &Analysis, d: &dyn Dialect, heads: &[RevIdx], live: &LiveSchema, opts: &RenderOptions) -> Vec<String> {
    let mut live = live.clone();
    live.remove(&opts.bookkeeping.table(opts).name.to_lowercase());
    live.remove(audit::TABLE);
    difference(&live, &simulated(a, d, heads))
}

fn simulated(a: &Analysis, d: &dyn Dialect, heads: &[RevIdx]) -> LiveSchema {
    let (schema, _) = crate::validate::schema_at(a, heads, d, &crate::cli::parallel::Rayon);
    schema
        .tables
        .values()
        .map(|t| (t.name.to_lowercase(), t.columns.iter().map(|c| c.name.to_lowercase()).collect()))
        .collect()
}

fn difference(live: &LiveSchema, sim: &LiveSchema) -> Vec<String> {
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

/// Which revision's simulated schema the live tables and columns match (bookkeeping
/// tables aside). Histories past 2,000 revisions are not searched: each probe simulates.
pub fn matching_revision(a: &Analysis, d: &dyn Dialect, live: &LiveSchema, opts: &RenderOptions) -> Match {
    let mut live = live.clone();
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
