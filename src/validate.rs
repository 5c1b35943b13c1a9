//! Validation that knows the plan: the history is replayed revision by revision on a
//! simulated schema. Each upgrade is linted against the schema it meets, each downgrade is
//! checked to give back the schema the upgrade started from, and every head must have a
//! way down to every base.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::Analysis;
use crate::codes::{Code, Severity};
use crate::diagnostic::{Diagnostic, sort_diagnostics};
use crate::dialect::{Dialect, VersionFlag};
use crate::graph::RevIdx;
use crate::lint::config::LintConfig;
use crate::lint::{Cx, RevisionCx};
use crate::model::Revision;
use crate::parallel::{Parallel, Sequential};
use crate::render::diagnostics::FileTexts;
use crate::schema::diff::{RoundTrip, describe};
use crate::schema::from_ops::{RunContext, events};
use crate::schema::{Change, Entry, Event, Key, Problem, Schema, key};
use crate::source::Span;

/// How to validate.
pub struct ValidateOptions<'a> {
    pub dialect: &'a dyn Dialect,
    /// `migplan.toml` plus command-line overrides (severities, server versions).
    pub config: LintConfig,
    /// Revisions already applied where this plan will run (PR mode: the base's): the others
    /// are linted as one plan after them (tables they create are new). Deployed revisions,
    /// and every revision when `None`, are linted each as its own plan.
    pub deployed: Option<BTreeSet<String>>,
    /// File texts, for `migplan: irreversible` and inline ignores.
    pub texts: Option<&'a dyn FileTexts>,
    /// env.py (or the runner) sets a lock/statement timeout for every migration.
    pub env_sets_timeout: bool,
    /// Where independent per-revision work runs (the native CLI passes a thread pool).
    pub parallel: &'a dyn Parallel,
}

impl<'a> ValidateOptions<'a> {
    pub fn new(dialect: &'a dyn Dialect) -> Self {
        ValidateOptions {
            dialect,
            config: LintConfig::default(),
            deployed: None,
            texts: None,
            env_sets_timeout: false,
            parallel: &Sequential,
        }
    }
}

/// Everything `check` reports: the analysis' findings plus validation, with the
/// configured severities and inline ignores applied, sorted.
pub fn check(a: &Analysis, o: &ValidateOptions) -> Vec<Diagnostic> {
    let mut diags = a.diagnostics.clone();
    diags.extend(validate(a, o));
    let mut diags = o.config.apply(diags);
    if let Some(texts) = o.texts {
        diags = crate::lint::suppress::apply(diags, texts);
    }
    sort_diagnostics(&mut diags);
    diags
}

/// Whether env.py sets a lock or statement timeout for every migration.
pub fn env_sets_timeout(texts: &std::collections::BTreeMap<String, String>) -> bool {
    texts.iter().any(|(p, t)| {
        (p == "env.py" || p.ends_with("/env.py"))
            && (t.contains("lock_timeout") || t.contains("lock_wait_timeout") || t.contains("statement_timeout"))
    })
}

/// Revisions in the order `upgrade heads` applies them (parents first).
pub fn upgrade_order(a: &Analysis) -> Vec<RevIdx> {
    let map = &a.map;
    let all: Vec<RevIdx> = (0..map.len()).collect();
    let mut order = map.topological_sort(&all, &map.heads);
    order.reverse();
    order
}

/// The changes of one side of a revision, for a dialect.
pub fn revision_events(rev: &Revision, d: &dyn Dialect, up: bool) -> Vec<Event> {
    let (steps, file) = if up {
        (&rev.upgrade_steps, rev.path.as_str())
    } else {
        (
            &rev.downgrade_steps,
            rev.sql.as_ref().and_then(|s| s.down_path.as_deref()).unwrap_or(rev.path.as_str()),
        )
    };
    let cx = RunContext {
        in_transaction: rev.transactional && d.transactional_ddl(),
    };
    events(steps, file, d, cx)
}

/// The schema after applying `targets` and all their ancestors (in upgrade order), with
/// what went wrong on the way.
pub fn schema_at(a: &Analysis, targets: &[RevIdx], d: &dyn Dialect, parallel: &dyn Parallel) -> (Schema, Vec<Diagnostic>) {
    let map = &a.map;
    let anc = map.ancestors(targets, true);
    let mut order = map.topological_sort(&anc, targets);
    order.reverse();
    let mut sim = Simulation::new(a, d, &order, parallel);
    let mut branches = Branches::new(a, &order);
    let mut diags = Vec::new();
    // Several targets (heads on parallel branches): the schema is all of them joined, as
    // after a merge; each is kept as it is replayed (copies share structure).
    let mut at_targets: BTreeMap<RevIdx, Schema> = BTreeMap::new();
    for &r in &order {
        let rev = a.revision(r);
        branches.before(a, r, &mut sim.schema);
        for ev in sim.take_events(r).0 {
            sim.apply(&ev, rev, true, &mut diags);
        }
        branches.after(a, r, &sim.schema);
        if targets.len() > 1 && targets.contains(&r) {
            at_targets.insert(r, sim.schema.clone());
        }
    }
    if targets.len() > 1 {
        let mut parts = targets.iter().filter_map(|t| at_targets.get(t));
        if let Some(first) = parts.next() {
            let mut joined = first.clone();
            for p in parts {
                joined.merge_from(p);
            }
            return (joined, diags);
        }
    }
    (sim.schema, diags)
}

/// Parallel branches each see only their own ancestors' schema: the replay keeps a copy
/// of the schema after each revision whose children do not directly follow it in the
/// order (branch points, parents of merges replayed earlier), and starts a revision from
/// its parents'.
struct Branches {
    keep: BTreeSet<RevIdx>,
    saved: BTreeMap<RevIdx, Schema>,
    /// Children not yet replayed, per saved revision: its copy is dropped after the last.
    pending: BTreeMap<RevIdx, usize>,
    last: Option<RevIdx>,
}

impl Branches {
    fn new(a: &Analysis, order: &[RevIdx]) -> Self {
        let map = &a.map;
        let mut keep = BTreeSet::new();
        for (i, &r) in order.iter().enumerate() {
            let children = &map.node(r).all_nextrev;
            // A child replayed right after starts from the schema the replay holds (a merge
            // joins its other parents' copies into it).
            let follows = children.len() == 1 && order.get(i + 1) == Some(&children[0]);
            if !children.is_empty() && !follows {
                keep.insert(r);
            }
        }
        Branches {
            keep,
            saved: BTreeMap::new(),
            pending: BTreeMap::new(),
            last: None,
        }
    }

    /// Put the schema `r` starts from in `schema`: its parents' joined, the first parent's
    /// objects winning where they differ (`Schema::merge_from`).
    fn before(&mut self, a: &Analysis, r: RevIdx, schema: &mut Schema) {
        let node = a.map.node(r);
        if node.down.len() != node.down_ids.len() || a.revision(r).down_revision_unknown {
            // A parent that is missing or unreadable: what it built is unknown, so nothing
            // may be reported as missing from here on.
            schema.uncertain = true;
            return;
        }
        let parents = node.normalized_down();
        match self.last.and_then(|l| parents.iter().position(|&p| p == l)) {
            // The last revision replayed is a parent: the schema held is its own, and the
            // others are joined around it in parent order (the join is associative).
            Some(at) => {
                for p in &parents[at + 1..] {
                    if let Some(s) = self.saved.get(p) {
                        schema.merge_from(s);
                    }
                }
                for p in parents[..at].iter().rev() {
                    if let Some(s) = self.saved.get(p) {
                        schema.merge_under(s);
                    }
                }
            }
            None => {
                let mut merged: Option<Schema> = None;
                for p in &parents {
                    match (&mut merged, self.saved.get(p)) {
                        (None, Some(_)) => merged = self.copy_of(*p),
                        (Some(m), Some(s)) => m.merge_from(s),
                        // Not replayed (outside the targets): nothing known of it.
                        (_, None) => {}
                    }
                }
                *schema = merged.unwrap_or_default();
            }
        }
        self.release(&parents);
    }

    /// A saved schema to start from: moved out when this is its last child (a copy would
    /// share its nodes with the saved one until that is dropped, and every change made
    /// meanwhile would copy them).
    fn copy_of(&mut self, p: RevIdx) -> Option<Schema> {
        if self.pending.get(&p) == Some(&1) {
            self.pending.remove(&p);
            self.saved.remove(&p)
        } else {
            self.saved.get(&p).cloned()
        }
    }

    /// One more child of each parent has started; drop copies nobody needs any more.
    fn release(&mut self, parents: &[RevIdx]) {
        for p in parents {
            if let Some(n) = self.pending.get_mut(p) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.pending.remove(p);
                    self.saved.remove(p);
                }
            }
        }
    }

    fn after(&mut self, a: &Analysis, r: RevIdx, schema: &Schema) {
        if self.keep.contains(&r) {
            self.saved.insert(r, schema.clone());
            self.pending.insert(r, a.map.node(r).all_nextrev.len());
        }
        self.last = Some(r);
    }
}

/// The replay state shared by `schema_at` and `validate`.
struct Simulation<'a> {
    schema: Schema,
    /// Each revision's upgrade and downgrade events, by revision index, built a window of
    /// the order at a time as the replay reaches them and taken when replayed (holding
    /// every revision's at once was a sixth of `check`'s peak memory at 100,000).
    events: Vec<Option<(Vec<Event>, Vec<Event>)>>,
    /// Tables some migration creates, once asked for: a missing table outside this set
    /// existed before the history began.
    created_anywhere: Option<BTreeSet<String>>,
    adopted: BTreeSet<String>,
    a: &'a Analysis,
    d: &'a dyn Dialect,
    parallel: &'a dyn Parallel,
    /// The replay order, and how much of it has had its events built.
    order: Vec<RevIdx>,
    built: usize,
}

/// Revisions whose events are built at once during a replay (`validate` holds the window
/// it replays and the next one, built beside it).
const EVENT_WINDOW: usize = 1024;

/// The tables an upgrade's events create. Only upgrades create: what a downgrade
/// re-creates or renames back existed before that upgrade (before the history, when no
/// upgrade creates it).
fn created_tables(up: &[Event]) -> Vec<String> {
    up.iter()
        .filter_map(|e| match &e.change {
            Change::CreateTable { table, .. } => Some(key(table)),
            Change::RenameTable { table, new_name } => Some(key(&crate::schema::rename_in_schema(table, new_name))),
            _ => None,
        })
        .collect()
}

impl<'a> Simulation<'a> {
    fn new(a: &'a Analysis, d: &'a dyn Dialect, order: &[RevIdx], parallel: &'a dyn Parallel) -> Self {
        Simulation {
            schema: Schema::default(),
            // Sized on the first `take_events`: `validate` hands events to its replay itself.
            events: Vec::new(),
            created_anywhere: None,
            adopted: BTreeSet::new(),
            a,
            d,
            parallel,
            order: order.to_vec(),
            built: 0,
        }
    }

    /// The tables some upgrade creates, asked for only when a change meets a missing
    /// table (a healthy history never does): every upgrade's events are built for it
    /// and dropped (in parallel: revisions' events do not depend on each other).
    fn created_anywhere(&mut self) -> &BTreeSet<String> {
        let (a, d) = (self.a, self.d);
        self.created_anywhere.get_or_insert_with(|| {
            crate::parallel::map(self.parallel, &self.order, |&r| {
                created_tables(&revision_events(a.revision(r), d, true))
            })
            .into_iter()
            .flatten()
            .collect()
        })
    }

    /// The events of `r`, moved out: each revision is replayed once, in `order`.
    fn take_events(&mut self, r: RevIdx) -> (Vec<Event>, Vec<Event>) {
        if self.events.is_empty() {
            self.events.resize_with(self.a.map.len(), || None);
        }
        while self.events.get(r).is_some_and(Option::is_none) && self.built < self.order.len() {
            let end = (self.built + EVENT_WINDOW).min(self.order.len());
            let window = window_events(self.a, self.d, self.parallel, &self.order[self.built..end]);
            for (&w, ev) in self.order[self.built..end].iter().zip(window) {
                self.events[w] = Some(ev);
            }
            self.built = end;
        }
        self.events.get_mut(r).and_then(Option::take).unwrap_or_default()
    }

    /// Apply one change, reporting what does not exist or already exists.
    fn apply(&mut self, ev: &Event, rev: &Revision, upgrade: bool, diags: &mut Vec<Diagnostic>) {
        // Only opaque code that names no table needs a copy (with the known tables it names).
        let filled;
        let change = match &ev.change {
            Change::Opaque { excerpt, tables, .. } if tables.is_empty() => {
                let mut c = ev.change.clone();
                if let Change::Opaque { tables, .. } = &mut c {
                    *tables = named_tables(&self.schema, excerpt);
                }
                filled = c;
                &filled
            }
            c => c,
        };
        if !matches!(change, Change::CreateTable { .. })
            && let Some(t) = change.table()
            && self.schema.table(t).is_none()
        {
            let k = key(t);
            if !self.schema.views.contains(&k) && !self.created_anywhere().contains(&k) {
                // Created before the history began (a project adopted on an existing
                // database): known to exist, shape unknown.
                self.schema.adopt(t);
                if self.adopted.insert(k) {
                    diags.push(
                        Diagnostic::new(
                            Code::UnknownObject,
                            format!("table {t} is not created by any migration; migplan assumes it existed before the first one"),
                        )
                        .severity(Severity::Info)
                        .at(&*ev.file, ev.span)
                        .help("if it should exist, check its name; its columns are not checked"),
                    );
                }
            }
        }
        for p in self.schema.apply(change) {
            let side = if upgrade { "upgrade" } else { "downgrade" };
            let (code, msg, help) = match p {
                Problem::Unknown(what) => (
                    Code::UnknownObject,
                    format!("{what} does not exist when the {side} of {} runs", rev.id),
                    "the migration that creates it comes later in the history, or the name is misspelled",
                ),
                Problem::Duplicate(what) => (
                    Code::DuplicateObject,
                    format!("{what} already exists when the {side} of {} runs", rev.id),
                    "an earlier migration already creates it: drop one of the two, or use IF NOT EXISTS",
                ),
            };
            diags.push(Diagnostic::new(code, msg).at(&*ev.file, ev.span).help(help));
        }
    }
}

/// Known tables whose names appear as words in opaque Python (looked up word by word, so
/// a large schema costs nothing extra).
fn named_tables(s: &Schema, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
        if w.is_empty() {
            continue;
        }
        let k = w.to_ascii_lowercase();
        let found = s.tables.get(&k).or_else(|| s.tables.get(k.rsplit('.').next().unwrap_or(&k)));
        if let Some(t) = found
            && !out.contains(&t.name)
        {
            out.push(t.name.clone());
        }
    }
    out
}

/// Why a revision cannot be undone, with where it says so.
fn irreversible(rev: &Revision, texts: Option<&dyn FileTexts>) -> Option<(String, Span, String)> {
    let down_file = rev.sql.as_ref().and_then(|s| s.down_path.clone()).unwrap_or(rev.path.clone());
    for file in [&rev.path, &down_file] {
        if let Some(text) = texts.and_then(|t| t.text(file))
            && let Some(at) = memchr::memmem::find(text.as_bytes(), b"migplan: irreversible")
        {
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            return Some((file.clone(), Span::new(at, end), "it is marked `migplan: irreversible`".into()));
        }
    }
    rev.downgrade_steps.iter().find_map(|s| match &s.kind {
        crate::ops::StepKind::Opaque(o) if o.excerpt.trim_start().starts_with("raise") => {
            let what = o.excerpt.trim().lines().next().unwrap_or("").to_string();
            Some((rev.path.clone(), s.span, format!("its downgrade() does `{what}`")))
        }
        _ => None,
    })
}

/// The server version the rules use for this dialect.
fn server_version(d: &dyn Dialect, c: &LintConfig) -> Option<(u32, u32)> {
    match d.ddl_behaviour().version_flag {
        VersionFlag::Postgres => c.pg_version,
        VersionFlag::Mysql => c.mysql_version,
        VersionFlag::None => None,
    }
}

/// The validation findings of a whole history (the analysis' own are not repeated).
pub fn validate(a: &Analysis, o: &ValidateOptions) -> Vec<Diagnostic> {
    // A cyclic history has no order to replay; the cycle is the finding.
    if a.map.cycle.is_some() || a.diagnostics.iter().any(|d| d.code == Code::RevisionCycle) {
        return Vec::new();
    }
    let d = o.dialect;
    let order = upgrade_order(a);
    let mut sim = Simulation::new(a, d, &order, o.parallel);
    let mut diags = Vec::new();
    let ddl = d.ddl_behaviour();
    let version = server_version(d, &o.config);
    // Tables the revisions after the deployed ones create (they run as one plan).
    let mut plan_tables: BTreeSet<String> = BTreeSet::new();
    // The preset and `[rules]` decide which rules run at all.
    let rules = o.config.rules_on();
    let mut blockers: BTreeMap<RevIdx, String> = BTreeMap::new();

    let mut branches = Branches::new(a, &order);
    // One revision's replay: lint its upgrade on the schema it meets, apply it, check its
    // downgrade gives that schema back.
    let mut replay = |r: RevIdx, up: Vec<Event>, down: Vec<Event>| {
        let rev = a.revision(r);
        branches.before(a, r, &mut sim.schema);
        // A deployed revision (or any, when none are known) is linted as its own plan: the
        // findings are counted for the reader even when they are not listed.
        let own_plan = o.deployed.as_ref().is_none_or(|s| s.contains(&rev.id));
        let mut own_tables: BTreeSet<String> = BTreeSet::new();
        let new_tables = if own_plan { &mut own_tables } else { &mut plan_tables };
        // Tables this revision creates: the rest of `new_tables` was new before it.
        let mut added_now: BTreeSet<String> = BTreeSet::new();

        // Upgrade: lint each change against the schema it meets, then apply it.
        sim.schema.begin_journal();
        let mut timeout_set = o.env_sets_timeout;
        for ev in &up {
            if let Change::SetTimeout { .. } = ev.change {
                timeout_set = true;
            }
            let cx = Cx {
                dialect: d,
                ddl,
                server_version: version,
                schema: &sim.schema,
                new_tables,
                timeout_set,
                revision: rev,
            };
            for rule in &rules {
                if let Some(f) = rule.check(ev, &cx) {
                    diags.push(f);
                }
            }
            sim.apply(ev, rev, true, &mut diags);
            match &ev.change {
                Change::CreateTable { table, .. } if new_tables.insert(key(table)) => {
                    added_now.insert(key(table));
                }
                Change::RenameTable { table, new_name } if new_tables.contains(&key(table)) => {
                    let k = key(&crate::schema::rename_in_schema(table, new_name));
                    if new_tables.insert(k.clone()) {
                        added_now.insert(k);
                    }
                }
                _ => {}
            }
        }
        let up_journal = sim.schema.take_journal();

        {
            let existing_before = |t: &str| -> bool {
                let k = key(t);
                if new_tables.contains(&k) && !added_now.contains(&k) {
                    return false;
                }
                match up_journal.get(&Key::Table(k.clone())) {
                    Some(before) => before.is_some(),
                    None => sim.schema.tables.contains_key(&k),
                }
            };
            let rcx = RevisionCx {
                dialect: d,
                ddl,
                revision: rev,
                up: &up,
                down: &down,
                existing_before: &existing_before,
                timeout_in_env: o.env_sets_timeout,
            };
            for rule in &rules {
                diags.extend(rule.check_revision(&rcx));
            }
        }

        // Downgrade: replay it, compare, and put the upgraded state back.
        let merge_or_empty = rev.is_merge() || (rev.upgrade.empty && rev.downgrade.empty);
        let irrev = irreversible(rev, o.texts);
        if let Some((file, span, why)) = &irrev {
            diags.push(
                Diagnostic::new(Code::IrreversibleDowngrade, format!("revision {} cannot be undone: {why}", rev.id))
                    .at(file, *span)
                    .help("downgrades through it fail; if it is really irreversible, say why in the downgrade's docstring"),
            );
            blockers.insert(r, "irreversible".into());
        } else if !rev.downgrade.present && !merge_or_empty {
            blockers.insert(r, "no downgrade".into());
        } else if rev.downgrade.empty && !merge_or_empty && !up.is_empty() {
            blockers.insert(r, "empty downgrade".into());
        }
        if irrev.is_none() && rev.downgrade.present && !rev.downgrade.empty {
            let opaque = up
                .iter()
                .chain(&down)
                .any(|e| matches!(e.change, Change::Opaque { schema_changing: true, .. }));
            sim.schema.begin_journal();
            let mut down_diags = Vec::new();
            for ev in &down {
                sim.apply(ev, rev, false, &mut down_diags);
            }
            let down_journal = sim.schema.take_journal();
            diags.extend(down_diags);
            if !opaque {
                diags.extend(round_trip(rev, &sim.schema, &up_journal, &down_journal));
            }
            for (k, v) in down_journal {
                sim.schema.restore(&k, v);
            }
        }
        branches.after(a, r, &sim.schema);
    };
    // The replay is one thread's work; building the next window's events (parsing their
    // SQL) runs beside it on another.
    let windows: Vec<&[RevIdx]> = order.chunks(EVENT_WINDOW).collect();
    let mut ready = windows.first().map(|w| window_events(a, d, o.parallel, w)).unwrap_or_default();
    for (i, window) in windows.iter().enumerate() {
        let mut events = std::mem::take(&mut ready).into_iter();
        let mut next = Vec::new();
        o.parallel.join(
            &mut || {
                for (&r, (up, down)) in window.iter().zip(events.by_ref()) {
                    replay(r, up, down);
                }
            },
            &mut || {
                if let Some(w) = windows.get(i + 1) {
                    next = window_events(a, d, o.parallel, w);
                }
            },
        );
        ready = next;
    }
    // The final schema holds every table of the history: freeing it node by node was 8%
    // of the replay's instructions at 20,000 revisions (callgrind).
    o.parallel.discard(Box::new(std::mem::take(&mut sim.schema)));
    diags.extend(down_paths(a, &blockers));
    diags
}

/// The upgrade and downgrade events of each revision of `window`, in its order.
fn window_events(a: &Analysis, d: &dyn Dialect, p: &dyn Parallel, window: &[RevIdx]) -> Vec<(Vec<Event>, Vec<Event>)> {
    crate::parallel::map(p, window, |&w| {
        let rev = a.revision(w);
        (revision_events(rev, d, true), revision_events(rev, d, false))
    })
}

/// `downgrade-mismatch` findings: objects whose state after upgrade-then-downgrade
/// differs from before the upgrade.
fn round_trip(
    rev: &Revision,
    after_down: &Schema,
    up_journal: &BTreeMap<Key, Option<Entry>>,
    down_journal: &BTreeMap<Key, Option<Entry>>,
) -> Vec<Diagnostic> {
    let keys: BTreeSet<&Key> = up_journal.keys().chain(down_journal.keys()).collect();
    let file = rev.sql.as_ref().and_then(|s| s.down_path.clone()).unwrap_or(rev.path.clone());
    let span = if rev.sql.is_some() { Span::empty(0) } else { rev.downgrade.span };
    let mut out = Vec::new();
    for k in keys {
        let now = after_down.get(k);
        let after_up = match down_journal.get(k) {
            Some(v) => v.clone(),
            None => now.clone(),
        };
        let before = match up_journal.get(k) {
            Some(v) => v.clone(),
            None => after_up.clone(),
        };
        let rt = RoundTrip {
            key: k,
            before: &before,
            after_up: &after_up,
            after_down: &now,
        };
        for sentence in describe(&rt) {
            out.push(
                Diagnostic::new(Code::DowngradeMismatch, format!("downgrade of {} {sentence}", rev.id))
                    .at(&file, span)
                    .help("make downgrade() undo exactly what upgrade() does, so `downgrade -1` then `upgrade +1` works"),
            );
        }
    }
    out
}

/// `no-down-path`: heads whose way down to base crosses a revision that cannot be undone.
fn down_paths(a: &Analysis, blockers: &BTreeMap<RevIdx, String>) -> Vec<Diagnostic> {
    if blockers.is_empty() {
        return Vec::new();
    }
    let map = &a.map;
    let mut out = Vec::new();
    for &h in &map.heads {
        let anc = map.ancestors(&[h], true);
        // Downgrade order: the head first, so the first blocker listed is where it stops.
        let order = map.topological_sort(&anc, &[h]);
        let hit: Vec<String> = order
            .iter()
            .filter_map(|r| blockers.get(r).map(|why| format!("{} ({why})", map.id(*r))))
            .collect();
        if hit.is_empty() {
            continue;
        }
        let rev = a.revision(h);
        let shown: Vec<&str> = hit.iter().take(3).map(String::as_str).collect();
        let more = if hit.len() > 3 {
            format!(" and {} more", hit.len() - 3)
        } else {
            String::new()
        };
        out.push(
            Diagnostic::new(
                Code::NoDownPath,
                format!("`downgrade base` from head {} stops at {}{more}", map.id(h), shown.join(", ")),
            )
            .at(&rev.path, rev.spans.revision)
            .help("give each of those revisions a working downgrade(), or accept that this history cannot be rolled back past them"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::postgresql::PostgreSQL;
    use crate::source::SourceFile;

    use crate::source::test_script as script;

    fn codes(files: &[SourceFile]) -> Vec<(String, String)> {
        let a = crate::analysis::analyze(files, None);
        validate(&a, &ValidateOptions::new(&PostgreSQL))
            .into_iter()
            .filter(|d| matches!(d.code, Code::UnknownObject | Code::DuplicateObject | Code::DowngradeMismatch))
            .map(|d| (d.code.name().to_string(), d.message))
            .collect()
    }

    #[test]
    fn parallel_branches_see_only_their_own_ancestors() {
        let files = [
            script(
                "a",
                "None",
                "op.create_table('t', sa.Column('id', sa.BigInteger(), primary_key=True), sa.Column('c', sa.Text()))",
                "op.drop_table('t')",
            ),
            // Branch 1 drops c; branch 2 (applied after it in the order) still has c.
            script(
                "b1",
                "'a'",
                "op.drop_column('t', 'c')",
                "op.add_column('t', sa.Column('c', sa.Text()))",
            ),
            script(
                "b2",
                "'a'",
                "op.alter_column('t', 'c', nullable=False)",
                "op.alter_column('t', 'c', nullable=True)",
            ),
            // The merge sees both branches' tables.
            script(
                "m",
                "('b1', 'b2')",
                "op.create_index('ix_t_id', 't', ['id'])",
                "op.drop_index('ix_t_id')",
            ),
        ];
        assert_eq!(codes(&files), vec![]);
    }

    #[test]
    fn what_an_undecidable_guard_may_skip_is_unknown_not_missing() {
        // `if legacy(): return` before the creates: whether they ran only Python knows.
        let files = [
            SourceFile::new(
                "v/a.py",
                "from alembic import op\nimport sqlalchemy as sa\nfrom app import legacy\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    if legacy(op):\n        return\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n    op.create_table('u', sa.Column('id', sa.Integer(), primary_key=True))\ndef downgrade():\n    op.drop_table('u')\n    op.drop_table('t')\n",
            ),
            // A later revision creating `u` again is not a duplicate either: it may not exist.
            script(
                "b",
                "'a'",
                "op.add_column('t', sa.Column('x', sa.Text()))",
                "op.drop_column('t', 'x')",
            ),
            script("c", "'b'", "op.drop_column('t', 'nope')", "pass"),
        ];
        let found = codes(&files);
        assert!(found.iter().all(|(c, _)| c != "duplicate-object"), "{found:?}");
        // Known facts are still checked elsewhere: only the tables the guard covers are unknown.
        assert!(
            !found
                .iter()
                .any(|(_, m)| m.contains("table t does not exist") || m.contains("table u")),
            "{found:?}"
        );
    }

    /// A history longer than two event windows: what a late revision creates is known
    /// from the first replayed one on, and every revision's events are replayed once.
    #[test]
    fn the_replay_builds_events_window_by_window() {
        let n = EVENT_WINDOW * 2 + 10;
        let id = |i: usize| format!("r{i:05}");
        let down = |i: usize| if i == 0 { "None".to_string() } else { format!("'{}'", id(i - 1)) };
        let late = EVENT_WINDOW * 2 + 5;
        let mut files: Vec<SourceFile> = (0..n)
            .map(|i| {
                let up = match i {
                    // Drops a table the last window creates: missing here, not adopted.
                    3 => format!("op.drop_table('t{late}')"),
                    // Drops a table no revision creates: assumed to predate the history.
                    7 => "op.drop_table('legacy')".to_string(),
                    _ => format!("op.create_table('t{i}', sa.Column('id', sa.Integer(), primary_key=True))"),
                };
                script(&id(i), &down(i), &up, "pass")
            })
            .collect();
        // A late revision altering a table the first window created: found.
        files.push(script(&id(n), &down(n), "op.add_column('t1', sa.Column('x', sa.Text()))", "pass"));
        let found = codes(&files);
        let unknown: Vec<&String> = found.iter().filter(|(c, _)| c == "unknown-object").map(|(_, m)| m).collect();
        assert_eq!(unknown.len(), 2, "{found:?}");
        assert!(
            unknown.iter().any(|m| m.contains(&format!("t{late}")) && !m.contains("assumes")),
            "{unknown:?}"
        );
        assert!(unknown.iter().any(|m| m.contains("legacy") && m.contains("assumes")), "{unknown:?}");
        // Every window was replayed: the schema at the head holds every table created.
        let a = crate::analysis::analyze(&files, None);
        let head = a.map.heads[0];
        let (schema, _) = schema_at(&a, &[head], &PostgreSQL, &crate::parallel::Sequential);
        assert_eq!(schema.tables.len(), n - 2, "tables at head");
    }

    #[test]
    fn a_table_only_a_downgrade_renames_back_predates_the_history() {
        let files = [script(
            "a",
            "None",
            "op.rename_table('legacy', 'modern')",
            "op.rename_table('modern', 'legacy')",
        )];
        let found = codes(&files);
        // Only the note that it is assumed to predate the first migration.
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("assumes it existed before the first one"), "{found:?}");
    }

    #[test]
    fn renaming_back_what_a_guarded_rename_may_have_renamed_is_not_a_duplicate() {
        let files = [
            script(
                "a",
                "None",
                "op.create_table('old', sa.Column('id', sa.Integer(), primary_key=True))",
                "op.drop_table('old')",
            ),
            SourceFile::new(
                "v/b.py",
                "from alembic import op\nfrom app import legacy\nrevision = 'b'\ndown_revision = 'a'\ndef upgrade():\n    if legacy(op):\n        return\n    op.rename_table('old', 'new')\ndef downgrade():\n    op.rename_table('new', 'old')\n",
            ),
        ];
        assert_eq!(codes(&files), vec![]);
    }

    #[test]
    fn what_an_undecidable_guard_covers_leaves_other_tables_known() {
        let files = [
            script(
                "a",
                "None",
                "op.create_table('known', sa.Column('id', sa.Integer(), primary_key=True))",
                "op.drop_table('known')",
            ),
            SourceFile::new(
                "v/b.py",
                "from alembic import op\nimport sqlalchemy as sa\nfrom app import legacy\nrevision = 'b'\ndown_revision = 'a'\ndef upgrade():\n    if legacy(op):\n        op.create_table('maybe', sa.Column('id', sa.Integer()))\ndef downgrade():\n    pass\n",
            ),
            script("c", "'b'", "op.drop_column('known', 'nope')", "pass"),
        ];
        let found = codes(&files);
        assert!(
            found.iter().any(|(c, m)| c == "unknown-object" && m.contains("column known.nope")),
            "{found:?}"
        );
    }

    #[test]
    fn an_unreadable_create_table_still_names_its_table() {
        // The column type is the project's own: the call is opaque, but the table it
        // creates may exist from then on, and nothing else becomes uncertain.
        let files = [
            SourceFile::new(
                "v/a.py",
                "from alembic import op\nimport sqlalchemy as sa\nfrom app import types\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    op.create_table('bins', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('tags', types.Tags()))\n    op.create_table('crates', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('bin_id', sa.Integer()))\ndef downgrade():\n    op.drop_table('crates')\n    op.drop_table('bins')\n",
            ),
            script(
                "b",
                "'a'",
                "op.create_foreign_key(None, 'crates', 'bins', ['bin_id'], ['id'])\n    op.create_foreign_key(None, 'crates', 'shelves', ['bin_id'], ['id'])",
                "pass",
            ),
        ];
        let found = codes(&files);
        assert!(!found.iter().any(|(_, m)| m.contains("table bins")), "{found:?}");
        assert!(
            found.iter().any(|(c, m)| c == "unknown-object" && m.contains("table shelves")),
            "{found:?}"
        );
    }

    #[test]
    fn a_renamed_table_of_unknown_shape_keeps_its_indexes_until_dropped() {
        // Created by an unreadable call, indexed, renamed, dropped; the downgrade builds
        // the index again: it died with its table, so that is no duplicate.
        let files = [
            SourceFile::new(
                "v/a.py",
                "from alembic import op\nimport sqlalchemy as sa\nfrom app import types\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    op.create_table('old_q', sa.Column('id', types.Key(), primary_key=True), sa.Column('at', sa.Integer()))\n    op.create_index('ix_q_at', 'old_q', ['at'])\ndef downgrade():\n    op.drop_table('old_q')\n",
            ),
            script("b", "'a'", "op.rename_table('old_q', 'q')", "op.rename_table('q', 'old_q')"),
            script(
                "c",
                "'b'",
                "op.drop_table('q')",
                "op.create_table('q', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('at', sa.Integer()))\n    op.create_index('ix_q_at', 'q', ['at'])",
            ),
        ];
        let found = codes(&files);
        assert!(!found.iter().any(|(c, _)| c == "duplicate-object"), "{found:?}");
    }

    #[test]
    fn enum_types_come_with_create_table_once_per_run() {
        // Two tables share a named enum (SQLAlchemy creates it once per run); the second
        // table's call is unreadable, yet the type exists for the later ALTER TYPE.
        let files = [
            SourceFile::new(
                "v/a.py",
                "from alembic import op\nimport sqlalchemy as sa\nfrom app import types\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    op.create_table('jobs', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('phase', sa.Enum('NEW', 'DONE', name='phase')))\n    op.create_table('steps', sa.Column('id', types.Key(), primary_key=True), sa.Column('phase', sa.Enum('NEW', 'DONE', name='phase')))\ndef downgrade():\n    op.drop_table('steps')\n    op.drop_table('jobs')\n    op.execute('DROP TYPE phase')\n",
            ),
            script("b", "'a'", "op.execute(\"ALTER TYPE phase ADD VALUE 'LATE'\")", "pass"),
        ];
        let found = codes(&files);
        assert!(!found.iter().any(|(_, m)| m.contains("type phase")), "{found:?}");
    }

    #[test]
    fn an_unreadable_create_table_creates_its_readable_enum() {
        let files = [
            SourceFile::new(
                "v/a.py",
                "from alembic import op\nimport sqlalchemy as sa\nfrom app import types\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    op.create_table('steps', sa.Column('id', types.Key(), primary_key=True), sa.Column('phase', sa.Enum('NEW', 'DONE', name='phase')))\ndef downgrade():\n    op.drop_table('steps')\n    op.execute('DROP TYPE phase')\n",
            ),
            script("b", "'a'", "op.execute(\"ALTER TYPE phase ADD VALUE 'LATE'\")", "pass"),
        ];
        let found = codes(&files);
        assert!(!found.iter().any(|(_, m)| m.contains("type phase")), "{found:?}");
    }

    #[test]
    fn constraints_declared_without_a_name_answer_to_the_name_the_server_gives() {
        let files = [
            script(
                "a",
                "None",
                "op.execute('CREATE TABLE shelf (id int PRIMARY KEY); CREATE TABLE book (id int, shelf_id int REFERENCES shelf (id), isbn text UNIQUE)')",
                "op.execute('DROP TABLE book; DROP TABLE shelf')",
            ),
            script(
                "b",
                "'a'",
                "op.execute('ALTER TABLE book DROP CONSTRAINT book_shelf_id_fkey')\n    op.drop_constraint('book_isbn_key', 'book')\n    op.execute('ALTER TABLE book DROP CONSTRAINT book_isbn_fkey')",
                "pass",
            ),
        ];
        let found = codes(&files);
        let unknown: Vec<&str> = found
            .iter()
            .filter(|(c, _)| c == "unknown-object")
            .map(|(_, m)| m.as_str())
            .collect();
        assert_eq!(
            unknown,
            vec!["constraint book_isbn_fkey on book does not exist when the upgrade of b runs"],
            "{found:?}"
        );
    }

    #[test]
    fn re_adding_a_constraint_by_the_name_the_server_gave_it_restores_it() {
        let files = [
            script(
                "a",
                "None",
                "op.execute('CREATE TABLE shelf (id int PRIMARY KEY); CREATE TABLE book (id int, shelf_id int REFERENCES shelf (id))')",
                "op.execute('DROP TABLE book; DROP TABLE shelf')",
            ),
            script(
                "b",
                "'a'",
                "op.execute('ALTER TABLE book DROP CONSTRAINT book_shelf_id_fkey')",
                "op.execute('ALTER TABLE book ADD CONSTRAINT book_shelf_id_fkey FOREIGN KEY (shelf_id) REFERENCES shelf (id)')",
            ),
        ];
        assert_eq!(codes(&files), vec![]);
    }

    #[test]
    fn round_trip_names_what_the_downgrade_leaves() {
        let files = [
            script(
                "a",
                "None",
                "op.create_table('t', sa.Column('id', sa.BigInteger(), primary_key=True))",
                "op.drop_table('t')",
            ),
            script("b", "'a'", "op.add_column('t', sa.Column('status', sa.Text()))", "pass"),
            script(
                "c",
                "'b'",
                "op.add_column('t', sa.Column('kind', sa.Text()))",
                "op.drop_column('t', 'status')",
            ),
        ];
        assert_eq!(
            codes(&files),
            vec![
                (
                    "downgrade-mismatch".to_string(),
                    "downgrade of c leaves column t.kind that upgrade added".to_string()
                ),
                (
                    "downgrade-mismatch".to_string(),
                    "downgrade of c drops column t.status, which existed before the upgrade".to_string()
                ),
            ]
        );
    }
}
