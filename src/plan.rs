//! Migration plans: which revisions run, in which order, and what each step does to the
//! version table — a port of Alembic's `command.upgrade/downgrade/stamp` (offline), the
//! `ScriptDirectory._upgrade_revs/_downgrade_revs/_stamp_revs` step lists and
//! `HeadMaintainer.update_to_step`. Pure: no SQL text here (see `render::sql_plan`).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::graph::{RevIdx, RevisionMap};
use crate::resolve::{CommandContext, Pos, RevArg, RevisionError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Upgrade,
    Downgrade,
    Stamp,
}

/// One change to the version table, with literal revision ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum VersionChange {
    Insert { version: String },
    Delete { version: String },
    Update { from: String, to: String },
}

/// One step of a plan: a revision's upgrade or downgrade, or a stamp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    pub direction: Direction,
    /// The revision whose `upgrade()`/`downgrade()` runs (none for a stamp).
    #[serde(skip)]
    pub revision: Option<RevIdx>,
    pub revision_id: Option<String>,
    /// For the `-- Running` line: Alembic's `from_revisions_no_deps` / `to_revisions_no_deps`.
    pub from: Vec<String>,
    pub to: Vec<String>,
    /// For stamps: Alembic's `StampStep.is_upgrade` and `branch_move`.
    #[serde(skip)]
    pub stamp_upgrade: bool,
    #[serde(skip)]
    pub branch_move: bool,
    /// `CREATE TABLE alembic_version` precedes this step (offline, starting from no heads).
    pub create_version_table: bool,
    pub version_changes: Vec<VersionChange>,
}

impl PlanStep {
    /// Alembic's `short_log`: `upgrade a, b -> c`.
    pub fn short_log(&self) -> String {
        let mut s = String::new();
        self.write_short_log(&mut s);
        s
    }

    /// [`short_log`](Self::short_log) appended to `s` (once per step of every plan).
    pub fn write_short_log(&self, s: &mut String) {
        s.push_str(match self.direction {
            Direction::Upgrade => "upgrade ",
            Direction::Downgrade => "downgrade ",
            Direction::Stamp => "stamp_revision ",
        });
        join_into(s, &self.from);
        s.push_str(" -> ");
        join_into(s, &self.to);
    }
}

fn join_into(s: &mut String, ids: &[String]) {
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(id);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub direction: Direction,
    /// The version-table heads the plan starts from.
    pub start_heads: Vec<String>,
    pub steps: Vec<PlanStep>,
    /// The heads after the last step.
    pub end_heads: Vec<String>,
}

/// A plan that cannot be made, with Alembic's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError(pub String);

fn ctx_err(e: RevisionError, ctx: &CommandContext) -> PlanError {
    PlanError(e.command_message(ctx))
}

/// Offline start heads from a range's lower end (`MigrationContext.get_current_heads` with
/// `as_sql`): `base` or nothing → none, else each revision resolved.
fn start_heads(map: &RevisionMap, start: Option<&str>) -> Result<Vec<String>, PlanError> {
    match start {
        None | Some("base") => Ok(Vec::new()),
        Some(s) => {
            let ctx = CommandContext::default();
            match map.get_revision(&RevArg::str(s)).map_err(|e| ctx_err(e, &ctx))? {
                Pos::Rev(r) => Ok(vec![map.id(r).to_string()]),
                _ => Ok(Vec::new()),
            }
        }
    }
}

/// Split `FROM:TO` the way Alembic's commands do.
pub fn split_range(target: &str) -> (Option<&str>, &str) {
    match target.split_once(':') {
        Some((a, b)) => (Some(a), b),
        None => (None, target),
    }
}

/// `alembic upgrade [FROM:]TO --sql`.
pub fn plan_upgrade(map: &RevisionMap, target: &str) -> Result<Plan, PlanError> {
    if let Some(c) = &map.cycle {
        return Err(PlanError(c.message.clone()));
    }
    let (start, destination) = split_range(target);
    if destination.contains(':') {
        return Err(PlanError(format!("invalid revision range '{target}': use FROM:TO")));
    }
    let heads = start_heads(map, start)?;
    plan_upgrade_from(map, heads, destination)
}

/// An upgrade from the heads a database records (the runner's online `upgrade`).
pub fn plan_upgrade_from(map: &RevisionMap, heads: Vec<String>, destination: &str) -> Result<Plan, PlanError> {
    if let Some(c) = &map.cycle {
        return Err(PlanError(c.message.clone()));
    }
    let ctx = CommandContext {
        ancestor: Some("Destination %(end)s is not a valid upgrade target from current head(s)"),
        end: Some(destination),
        ..Default::default()
    };
    let revs = map
        .iterate_revisions(&RevArg::str(destination), &RevArg::Tuple(heads.clone()), true, false, true, false)
        .map_err(|e| ctx_err(e, &ctx))?;
    let order: Vec<RevIdx> = revs.into_iter().rev().collect();
    let steps = order.into_iter().map(|r| revision_step(map, r, Direction::Upgrade)).collect();
    run(map, Direction::Upgrade, heads, steps)
}

/// `alembic downgrade FROM:TO --sql` (offline downgrades need an explicit start).
pub fn plan_downgrade(map: &RevisionMap, target: &str) -> Result<Plan, PlanError> {
    if let Some(c) = &map.cycle {
        return Err(PlanError(c.message.clone()));
    }
    let (start, destination) = split_range(target);
    let Some(start) = start else {
        return Err(PlanError("downgrade with --sql requires <fromrev>:<torev>".to_string()));
    };
    let heads = start_heads(map, Some(start))?;
    plan_downgrade_from(map, heads, destination)
}

/// A downgrade from the heads a database records (the runner's online `downgrade`).
pub fn plan_downgrade_from(map: &RevisionMap, heads: Vec<String>, destination: &str) -> Result<Plan, PlanError> {
    if let Some(c) = &map.cycle {
        return Err(PlanError(c.message.clone()));
    }
    let ctx = CommandContext {
        ancestor: Some("Destination %(end)s is not a valid downgrade target from current head(s)"),
        end: Some(destination),
        ..Default::default()
    };
    let revs = map
        .iterate_revisions(&RevArg::Tuple(heads.clone()), &RevArg::str(destination), false, false, true, true)
        .map_err(|e| ctx_err(e, &ctx))?;
    let steps = revs.into_iter().map(|r| revision_step(map, r, Direction::Downgrade)).collect();
    run(map, Direction::Downgrade, heads, steps)
}

/// `alembic stamp [FROM:]REV... --sql`.
pub fn plan_stamp(map: &RevisionMap, targets: &[String]) -> Result<Plan, PlanError> {
    if let Some(c) = &map.cycle {
        return Err(PlanError(c.message.clone()));
    }
    let mut start: Option<String> = None;
    let mut dests: Vec<String> = Vec::new();
    for t in targets {
        let (s, d) = split_range(t);
        if let Some(s) = s {
            match &start {
                Some(prev) if prev != s => {
                    return Err(PlanError(
                        "Stamp operation with --sql only supports a single starting revision at a time".into(),
                    ));
                }
                _ => start = Some(s.to_string()),
            }
        }
        dests.push(d.to_string());
    }
    let heads = start_heads(map, start.as_deref())?;
    plan_stamp_from(map, heads, &dests)
}

/// A stamp from the heads a database records (the runner's online `stamp`).
pub fn plan_stamp_from(map: &RevisionMap, heads: Vec<String>, dests: &[String]) -> Result<Plan, PlanError> {
    if let Some(c) = &map.cycle {
        return Err(PlanError(c.message.clone()));
    }
    let ctx = CommandContext {
        multiple_heads: Some("Multiple heads are present; please specify a single target revision"),
        ..Default::default()
    };
    let steps = stamp_steps(map, dests, &heads).map_err(|e| ctx_err(e, &ctx))?;
    run(map, Direction::Stamp, heads, steps)
}

fn revision_step(map: &RevisionMap, r: RevIdx, direction: Direction) -> PlanStep {
    let n = map.node(r);
    let (from, to) = match direction {
        Direction::Upgrade => (n.down_ids.clone(), vec![n.id.clone()]),
        _ => (vec![n.id.clone()], n.down_ids.clone()),
    };
    PlanStep {
        direction,
        revision: Some(r),
        revision_id: Some(n.id.clone()),
        from,
        to,
        stamp_upgrade: false,
        branch_move: false,
        create_version_table: false,
        version_changes: Vec::new(),
    }
}

fn stamp_step(from: Vec<String>, to: Vec<String>, upgrade: bool, branch_move: bool) -> PlanStep {
    PlanStep {
        direction: Direction::Stamp,
        revision: None,
        revision_id: None,
        from,
        to,
        stamp_upgrade: upgrade,
        branch_move,
        create_version_table: false,
        version_changes: Vec::new(),
    }
}

/// `ScriptDirectory._stamp_revs`.
fn stamp_steps(map: &RevisionMap, dests: &[String], heads: &[String]) -> Result<Vec<PlanStep>, RevisionError> {
    let head_revs: Vec<RevIdx> = map
        .get_revisions(&RevArg::Tuple(heads.to_vec()))?
        .into_iter()
        .filter_map(Pos::rev)
        .collect();
    let dests: Vec<String> = if dests.is_empty() { vec!["base".into()] } else { dests.to_vec() };
    let mut filtered: Vec<RevIdx> = Vec::new();
    for d in &dests {
        if !d.is_empty() {
            for h in map.filter_for_lineage(&head_revs, Some(d), true)? {
                if !filtered.contains(&h) {
                    filtered.push(h);
                }
            }
        }
    }
    let mut dest_pos: Vec<Pos> = map.get_revisions(&RevArg::Tuple(dests.clone()))?;
    if dest_pos.is_empty() {
        dest_pos.push(Pos::Nothing);
    }
    let mut steps = Vec::new();
    for dest in dest_pos {
        let Pos::Rev(dest) = dest else {
            // 'base': a branch delete for every applicable head
            for &h in &filtered {
                steps.push(stamp_step(vec![map.id(h).to_string()], vec![], false, true));
            }
            continue;
        };
        if filtered.contains(&dest) {
            continue;
        }
        let descendants: BTreeSet<RevIdx> = map.descendants(&[dest], true).into_iter().collect();
        let ancestors: BTreeSet<RevIdx> = map.ancestors(&[dest], true).into_iter().collect();
        let todo: Vec<String> = filtered.iter().map(|&h| map.id(h).to_string()).collect();
        let to = vec![map.id(dest).to_string()];
        if filtered.iter().any(|h| descendants.contains(h)) {
            steps.push(stamp_step(todo, to, false, false));
        } else if filtered.iter().any(|h| ancestors.contains(h)) {
            steps.push(stamp_step(todo, to, true, false));
        } else {
            steps.push(stamp_step(vec![], to, true, true));
        }
    }
    Ok(steps)
}

/// Simulate `MigrationContext.run_migrations` offline: the version table is created before
/// a step that starts from no heads, then `HeadMaintainer.update_to_step` runs per step.
fn run(map: &RevisionMap, direction: Direction, start: Vec<String>, mut steps: Vec<PlanStep>) -> Result<Plan, PlanError> {
    let mut heads: Vec<String> = start.clone();
    for step in &mut steps {
        step.create_version_table = heads.is_empty();
        step.version_changes = Maintainer { map, step }.update(&mut heads)?;
    }
    Ok(Plan {
        direction,
        start_heads: start,
        steps,
        end_heads: heads,
    })
}

/// `HeadMaintainer` + the `RevisionStep` / `StampStep` predicates it consults. Heads are a
/// Python set in Alembic; we keep insertion order, which changes nothing but which parent
/// row an un-merge updates (any choice has the same net effect).
struct Maintainer<'a> {
    map: &'a RevisionMap,
    step: &'a PlanStep,
}

fn minus(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

impl Maintainer<'_> {
    fn is_upgrade(&self) -> bool {
        match self.step.direction {
            Direction::Upgrade => true,
            Direction::Downgrade => false,
            Direction::Stamp => self.step.stamp_upgrade,
        }
    }

    fn rev_id(&self) -> String {
        self.step.revision_id.clone().unwrap_or_default()
    }

    /// `_normalized_down_revisions` of the step's revision, as ids.
    fn downrevs(&self) -> Vec<String> {
        match self.step.revision {
            Some(r) => self
                .map
                .node(r)
                .normalized_down()
                .into_iter()
                .map(|d| self.map.id(d).to_string())
                .collect(),
            None => Vec::new(),
        }
    }

    fn step_from_revisions(&self) -> Vec<String> {
        match self.step.revision {
            None => self.step.from.clone(),
            Some(_) if self.is_upgrade() => self.downrevs(),
            Some(_) => vec![self.rev_id()],
        }
    }

    fn step_to_revisions(&self) -> Vec<String> {
        match self.step.revision {
            None => self.step.to.clone(),
            Some(_) if self.is_upgrade() => vec![self.rev_id()],
            Some(_) => self.downrevs(),
        }
    }

    fn ancestor_ids(&self, of: &[String]) -> Vec<String> {
        let idx: Vec<RevIdx> = of.iter().filter_map(|h| self.map.by_id.get(h).copied()).collect();
        self.map
            .ancestors(&idx, true)
            .into_iter()
            .map(|a| self.map.id(a).to_string())
            .collect()
    }

    fn unmerge_to_revisions(&self, heads: &[String]) -> Vec<String> {
        let to = self.step_to_revisions();
        let other = minus(heads, &[self.rev_id()]);
        if !other.is_empty() {
            minus(&to, &self.ancestor_ids(&other))
        } else {
            let mut anc = Vec::new();
            for t in &to {
                anc.extend(self.ancestor_ids(std::slice::from_ref(t)).into_iter().filter(|a| a != t));
            }
            minus(&to, &anc)
        }
    }

    fn should_delete_branch(&self, heads: &[String]) -> bool {
        match self.step.revision {
            None => !self.is_upgrade() && self.step.branch_move,
            Some(_) => {
                !self.is_upgrade()
                    && heads.contains(&self.rev_id())
                    && (self.downrevs().is_empty() || self.unmerge_to_revisions(heads).is_empty())
            }
        }
    }

    fn should_create_branch(&self, heads: &[String]) -> bool {
        match self.step.revision {
            None => {
                self.is_upgrade()
                    && (self.step.branch_move || !minus(&self.step.from, heads).is_empty())
                    && !minus(&self.step.to, heads).is_empty()
            }
            Some(_) => {
                let down = self.downrevs();
                self.is_upgrade() && (down.is_empty() || !down.iter().any(|d| heads.contains(d)))
            }
        }
    }

    fn should_merge_branches(&self, heads: &[String]) -> bool {
        match self.step.revision {
            None => self.step.from.len() > 1,
            Some(_) => {
                let down = self.downrevs();
                self.is_upgrade() && down.len() > 1 && down.iter().filter(|d| heads.contains(d)).count() > 1
            }
        }
    }

    fn should_unmerge_branches(&self, heads: &[String]) -> bool {
        match self.step.revision {
            None => self.step.to.len() > 1,
            Some(_) => !self.is_upgrade() && heads.contains(&self.rev_id()) && self.downrevs().len() > 1,
        }
    }

    fn update(&self, heads: &mut Vec<String>) -> Result<Vec<VersionChange>, PlanError> {
        let mut changes = Vec::new();
        let fail = |what: &str| PlanError(format!("cannot {what} the version table at step {}", self.step.short_log()));
        let insert = |heads: &mut Vec<String>, changes: &mut Vec<VersionChange>, v: String| -> Result<(), PlanError> {
            if heads.contains(&v) {
                return Err(fail(&format!("insert '{v}' (already present) into")));
            }
            heads.push(v.clone());
            changes.push(VersionChange::Insert { version: v });
            Ok(())
        };
        let delete = |heads: &mut Vec<String>, changes: &mut Vec<VersionChange>, v: String| -> Result<(), PlanError> {
            let Some(i) = heads.iter().position(|h| *h == v) else {
                return Err(fail(&format!("delete '{v}' (not a current head) from")));
            };
            heads.remove(i);
            changes.push(VersionChange::Delete { version: v });
            Ok(())
        };
        let update = |heads: &mut Vec<String>, changes: &mut Vec<VersionChange>, from: String, to: String| -> Result<(), PlanError> {
            let Some(i) = heads.iter().position(|h| *h == from) else {
                return Err(fail(&format!("update '{from}' (not a current head) in")));
            };
            if heads.contains(&to) {
                return Err(fail(&format!("update to '{to}' (already present) in")));
            }
            heads[i] = to.clone();
            changes.push(VersionChange::Update { from, to });
            Ok(())
        };
        let one = |v: &[String]| v.first().cloned().ok_or_else(|| fail("update"));
        if self.should_delete_branch(heads) {
            let v = if self.step.revision.is_some() {
                self.rev_id()
            } else {
                one(&self.step.from)?
            };
            delete(heads, &mut changes, v)?;
        } else if self.should_create_branch(heads) {
            let v = if self.step.revision.is_some() {
                self.rev_id()
            } else {
                one(&self.step.to)?
            };
            insert(heads, &mut changes, v)?;
        } else if self.should_merge_branches(heads) {
            let mut from = self.step_from_revisions();
            if self.step.revision.is_some() {
                let other = minus(heads, &from);
                if !other.is_empty() {
                    from = minus(&from, &self.ancestor_ids(&other));
                }
            }
            let last = from.pop().ok_or_else(|| fail("merge"))?;
            for d in from {
                delete(heads, &mut changes, d)?;
            }
            update(heads, &mut changes, last, one(&self.step_to_revisions())?)?;
        } else if self.should_unmerge_branches(heads) {
            let (from0, mut to) = if self.step.revision.is_some() {
                (self.rev_id(), self.unmerge_to_revisions(heads))
            } else {
                (one(&self.step.from)?, self.step.to.clone())
            };
            let last = to.pop().ok_or_else(|| fail("un-merge"))?;
            for i in to {
                insert(heads, &mut changes, i)?;
            }
            update(heads, &mut changes, from0, last)?;
        } else {
            let (from, to) = match self.step.revision {
                None => (one(&self.step.from)?, one(&self.step.to)?),
                Some(_) => {
                    let down = self.downrevs();
                    let down_revision = if down.len() != 1 {
                        let present: Vec<&String> = down.iter().filter(|d| heads.contains(d)).collect();
                        if present.len() != 1 {
                            return Err(PlanError(format!(
                                "Can't do an UPDATE because downrevision is ambiguous (step {})",
                                self.step.short_log()
                            )));
                        }
                        present[0].clone()
                    } else {
                        down[0].clone()
                    };
                    if self.is_upgrade() {
                        (down_revision, self.rev_id())
                    } else {
                        (self.rev_id(), down_revision)
                    }
                }
            };
            update(heads, &mut changes, from, to)?;
        }
        Ok(changes)
    }
}
