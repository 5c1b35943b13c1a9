//! The native runner: applies the plans the core computes to a live database (SQLite,
//! PostgreSQL, MySQL/MariaDB), keeping the migration tool's own version table so Alembic
//! (or golang-migrate, dbmate…) can take over again, plus migplan's audit table.
//!
//! Safety, in order of a run: one runner at a time (the driver's lock, held for the
//! whole run); refuse when a previous run left a migration unfinished; refuse plans with
//! steps only Python can run; each migration and its bookkeeping commit together where
//! the server has transactional DDL; elsewhere the migration is marked in progress, with
//! the statement it reached, until it finishes.

pub mod audit;
pub mod driver;
/// The live database as the models side of autogenerate's comparison.
pub mod live_models;
pub mod migrator;
pub mod state;
pub mod url;
// The drivers need sockets and C (SQLite): native only. Under wasm32-wasip1 the CLI refuses
// every command that would connect before it gets here (cli/wasi.rs).
#[cfg(not(target_os = "wasi"))]
pub mod mysql;
#[cfg(not(target_os = "wasi"))]
pub mod postgres;
#[cfg(not(target_os = "wasi"))]
pub mod sqlite;
#[cfg(not(target_os = "wasi"))]
pub mod tls;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::analysis::Analysis;
use crate::graph::RevIdx;
use crate::plan::{Direction, Plan, plan_downgrade_from, plan_stamp_from, plan_upgrade_from};
use crate::render::sql_plan::{PlanStatement, RenderOptions, RenderedPlan, render_plan};
use audit::Audit;
use driver::Driver;
use state::DbState;

/// What the runner reports while it works (a progress bar, plain lines, or nothing).
pub trait Reporter {
    /// Step `index` of `total` starts: Alembic's `Running upgrade a -> b, message`.
    fn step_started(&mut self, index: usize, total: usize, label: &str);
    fn step_finished(&mut self, index: usize, elapsed: Duration);
    fn note(&mut self, text: &str);
}

/// Reports nothing (library use, tests).
pub struct Quiet;

impl Reporter for Quiet {
    fn step_started(&mut self, _: usize, _: usize, _: &str) {}
    fn step_finished(&mut self, _: usize, _: Duration) {}
    fn note(&mut self, _: &str) {}
}

/// A run's outcome: the steps applied and the heads the database records now.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub steps: Vec<String>,
    pub heads: Vec<String>,
    /// Milliseconds per step, in order.
    pub timings: Vec<u128>,
}

pub struct Runner<'a> {
    pub analysis: &'a Analysis,
    /// File texts by path, for checksums (files missing here get no checksum).
    pub texts: &'a BTreeMap<String, String>,
    pub db: Box<dyn Driver>,
    /// Version table, bookkeeping tool, `-x` arguments.
    pub render: RenderOptions,
    pub lock_timeout: Duration,
}

/// Where the runner stopped a plan before running it, or what failed while running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for RunError {
    fn from(s: String) -> Self {
        RunError(url::mask(&s))
    }
}

impl<'a> Runner<'a> {
    fn audit(&self) -> Audit {
        Audit::new(self.db.dialect(), &self.render)
    }

    /// Run `f` holding the lock; the lock is released whatever `f` returns.
    fn locked<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, RunError>) -> Result<T, RunError> {
        self.db.lock(self.lock_timeout)?;
        let out = f(self);
        self.db.unlock();
        out
    }

    /// The version table and the audit table, created when missing. Returns whether the
    /// version table existed before.
    fn ensure_tables(&mut self) -> Result<bool, RunError> {
        self.pin_schema()?;
        let d = self.db.dialect();
        let existed = self.db.table_exists(&self.render.bookkeeping.table(&self.render))?;
        if !existed {
            for sql in self.render.bookkeeping.create(d, &self.render).map_err(|e| RunError(e.0))? {
                self.db.execute(&sql)?;
            }
        }
        self.audit().ensure(self.db.as_mut())?;
        Ok(existed)
    }

    /// Qualify the runner's own tables with the schema they live in now: a migration that
    /// changes `search_path` must not lose them.
    fn pin_schema(&mut self) -> Result<(), RunError> {
        if self.render.version_table_schema.is_none() {
            self.render.version_table_schema = self.db.current_schema()?;
        }
        Ok(())
    }

    pub fn read_state(&mut self) -> Result<DbState, RunError> {
        self.pin_schema()?;
        state::read(self.db.as_mut(), self.analysis, &self.render).map_err(RunError::from)
    }

    /// The heads the database records (`migplan current`); nothing is created.
    pub fn current(&mut self) -> Result<DbState, RunError> {
        self.read_state()
    }

    /// `upgrade TARGET`, `downgrade TARGET` or `stamp TARGET...` against the database.
    pub fn run(&mut self, direction: Direction, targets: &[String], purge: bool, reporter: &mut dyn Reporter) -> Result<Applied, RunError> {
        self.locked(|r| r.run_locked(direction, targets, purge, reporter))
    }

    fn run_locked(
        &mut self,
        direction: Direction,
        targets: &[String],
        purge: bool,
        reporter: &mut dyn Reporter,
    ) -> Result<Applied, RunError> {
        // Everything that can refuse runs before anything is created or changed.
        let audit = self.audit();
        let open = if audit.exists(self.db.as_mut())? {
            audit.in_progress(self.db.as_mut())?
        } else {
            Vec::new()
        };
        if direction == Direction::Stamp {
            // A stamp is how an interrupted migration is recovered: say what it closes.
            for o in &open {
                reporter.note(&format!(
                    "closing the unfinished {} of {} (started {} by {})",
                    o.direction, o.revision, o.started, o.applied_by
                ));
            }
        } else if let Some(o) = open.first() {
            return Err(RunError(state::in_progress_message(o, self.analysis)));
        }
        let mut st = self.read_state()?;
        if purge {
            // `stamp --purge` starts from an empty table, whatever it held.
            st = DbState {
                table_exists: st.table_exists,
                ..DbState::default()
            };
        }
        st.refuse_problems()?;
        let existed = st.table_exists;
        let map = &self.analysis.map;
        let plan = match direction {
            Direction::Upgrade => plan_upgrade_from(map, st.heads.clone(), first(targets)),
            Direction::Downgrade => plan_downgrade_from(map, st.heads.clone(), first(targets)),
            Direction::Stamp => plan_stamp_from(map, st.heads.clone(), targets),
        }
        .map_err(|e| RunError(e.0))?;
        let rendered = self.render_online(&plan)?;
        if direction == Direction::Upgrade && !self.analysis.repeatables.is_empty() {
            // Flyway re-applies a repeatable when its checksum changes; the runner does not
            // track those yet, and says so rather than skipping them silently.
            reporter.note(&format!(
                "warning: {} repeatable migration(s) (R__*.sql) are not applied by migplan's runner: run Flyway for them",
                self.analysis.repeatables.len()
            ));
        }
        self.ensure_tables()?;
        if purge && existed {
            let table = crate::bookkeeping::t(self.db.dialect(), &self.render.bookkeeping.table(&self.render));
            self.db.execute(&format!("DELETE FROM {table}"))?;
        }
        let out = self.execute(&plan, &rendered, existed, reporter)?;
        if direction == Direction::Stamp && !open.is_empty() {
            audit.close_open(self.db.as_mut(), "by stamp")?;
        }
        Ok(out)
    }

    /// The plan as the runner executes it: one transaction per migration, the version
    /// table already there. Refused when a step cannot be rendered or needs Python.
    pub fn render_online(&self, plan: &Plan) -> Result<RenderedPlan, RunError> {
        let mut plan = plan.clone();
        for s in &mut plan.steps {
            s.create_version_table = false;
        }
        let opts = RenderOptions {
            transaction_per_migration: true,
            force_transactions: self.db.transactional_ddl(),
            ..self.render.clone()
        };
        let a = self.analysis;
        // Alembic calls upgrade()/downgrade() and stops (AttributeError) where a script has
        // none; running nothing and moving the version on would hide that.
        for s in &plan.steps {
            let Some(r) = s.revision else { continue };
            let rev = &a.revisions[a.map.node(r).rev];
            let (name, f) = match s.direction {
                Direction::Upgrade => ("upgrade", &rev.upgrade),
                Direction::Downgrade => ("downgrade", &rev.downgrade),
                Direction::Stamp => continue,
            };
            if rev.sql.is_none() && !f.present {
                return Err(RunError(format!(
                    "refusing to run: revision {} ({}) has no {name}() function, so Alembic would stop there; nothing was applied",
                    a.map.id(r),
                    rev.path
                )));
            }
        }
        let rendered = render_plan(&plan, &a.map, &a.revisions, self.db.dialect(), &opts, &crate::cli::parallel::Rayon);
        if let Some(e) = &rendered.error {
            // The failing step is the last one that emitted anything (its `-- Running` line).
            let at = rendered
                .statements
                .last()
                .and_then(|s| s.step)
                .and_then(|i| plan.steps.get(i))
                .and_then(|s| s.revision)
                .filter(|_| !e.contains("at revision"))
                .map(|r| format!("\n  at revision {} ({})", a.map.id(r), a.revisions[a.map.node(r).rev].path))
                .unwrap_or_default();
            return Err(RunError(format!(
                "the plan cannot be rendered for {}: {e}{at}\nnothing was applied",
                self.db.dialect().name()
            )));
        }
        let mut opaque: Vec<&PlanStatement> = rendered.statements.iter().filter(|s| s.kind == "opaque").collect();
        // A `try` body is listed once, at its first statement.
        let mut seen = std::collections::BTreeSet::new();
        opaque.extend(
            rendered
                .statements
                .iter()
                .filter(|s| s.kind == "offline-only" && seen.insert((s.file.clone(), s.step))),
        );
        if !opaque.is_empty() {
            let mut msg = format!(
                "refusing to run: {} step(s) of this plan are Python migplan cannot run; nothing was applied",
                opaque.len()
            );
            for s in &opaque {
                let first_line = s.sql.lines().next().unwrap_or("");
                let what = if s.kind == "offline-only" {
                    format!("a `try` whose `except` block runs when a statement fails, from: {first_line}")
                } else {
                    first_line
                        .trim_start_matches("-- migplan: opaque Python step not rendered: ")
                        .to_string()
                };
                msg.push_str(&format!(
                    "\n  {}:{}: {}",
                    s.file.as_deref().unwrap_or("?"),
                    s.line.unwrap_or(0),
                    what
                ));
            }
            msg.push_str("\nRun these revisions with Alembic (`alembic upgrade REV`, then `migplan` continues from there), or rewrite the steps as op.* calls or literal SQL.");
            return Err(RunError(msg));
        }
        Ok(rendered)
    }

    fn checksum_of(&self, r: RevIdx) -> Option<String> {
        state::revision_checksum(self.analysis, r, self.texts)
    }

    fn execute(
        &mut self,
        plan: &Plan,
        rendered: &RenderedPlan,
        version_table_existed: bool,
        reporter: &mut dyn Reporter,
    ) -> Result<Applied, RunError> {
        let audit = self.audit();
        let total = plan.steps.len();
        let mut applied = Applied::default();
        // Each step's statements, grouped once (not a scan of the whole plan per step).
        let mut by_step: Vec<Vec<&PlanStatement>> = vec![Vec::new(); total];
        for s in rendered.statements.iter().filter(|s| s.kind != "comment") {
            if let Some(v) = s.step.and_then(|i| by_step.get_mut(i)) {
                v.push(s);
            }
        }
        for (i, step) in plan.steps.iter().enumerate() {
            let stmts = std::mem::take(&mut by_step[i]);
            let rev = step.revision;
            let label = match rev {
                Some(r) => format!(
                    "{}, {}",
                    step.short_log()
                        .replacen("upgrade", "Running upgrade", 1)
                        .replacen("downgrade", "Running downgrade", 1),
                    self.analysis.revisions[self.analysis.map.node(r).rev].message()
                ),
                None => format!("Running {}", step.short_log()),
            };
            reporter.step_started(i, total, &label);
            let started_at = Instant::now();
            let started = audit::now();
            let revision_id = step.revision_id.clone().unwrap_or_else(|| step.to.join(","));
            let direction = match step.direction {
                Direction::Upgrade => "upgrade",
                Direction::Downgrade => "downgrade",
                Direction::Stamp => "stamp",
            };
            let checksum = rev.and_then(|r| self.checksum_of(r));
            let is_tx = |s: &PlanStatement, text: &str| s.kind == "transaction" && s.sql == text;
            let single_tx = stmts.len() >= 2
                && is_tx(stmts[0], "BEGIN;")
                && is_tx(stmts[stmts.len() - 1], "COMMIT;")
                && !stmts[1..stmts.len() - 1].iter().any(|s| s.kind == "transaction");
            let work: Vec<&PlanStatement> = if single_tx {
                stmts[1..stmts.len() - 1].to_vec()
            } else {
                stmts.clone()
            };
            let countable = work.iter().filter(|s| s.kind != "transaction").count();
            if single_tx {
                // Round trips are most of the runner's cost on a server: the plan's BEGIN
                // goes with the first statement, and the bookkeeping, the audit row and the
                // COMMIT go together. Statements stay one per call, so errors name theirs.
                let (begin, commit) = (&stmts[0].sql, &stmts[stmts.len() - 1].sql);
                let (versions, migration): (Vec<&PlanStatement>, Vec<&PlanStatement>) =
                    work.iter().partition(|s| s.kind == "version-table");
                let mut opening = Some(begin.as_str());
                for (k, s) in migration.iter().enumerate() {
                    let sql = match opening.take() {
                        Some(b) => format!("{b}\n{}", s.sql),
                        None => s.sql.clone(),
                    };
                    if let Err(e) = self.db.execute(&sql) {
                        let _ = self.db.rollback();
                        return Err(self.statement_error(plan, i, s, k + 1, countable, &e, version_table_existed, false));
                    }
                }
                let done = audit::now();
                let ms = started_at.elapsed().as_millis();
                let mut tail: Vec<String> = opening.map(str::to_string).into_iter().collect();
                tail.extend(versions.iter().map(|s| s.sql.clone()));
                tail.push(format!(
                    "{};",
                    audit.insert(&revision_id, direction, checksum.as_deref(), &started, Some((&done, ms)))
                ));
                tail.push(commit.clone());
                if let Err(e) = self.db.execute(&tail.join("\n")) {
                    let _ = self.db.rollback();
                    return Err(RunError(format!(
                        "recording {revision_id} in the version table failed, so the migration was rolled back: {}",
                        url::mask(&e)
                    )));
                }
            } else {
                // Not one transaction: mark it in progress first, so a crash is visible.
                self.db
                    .execute(&audit.insert(&revision_id, direction, checksum.as_deref(), &started, None))?;
                let id = audit
                    .last_open(self.db.as_mut(), &revision_id)?
                    .ok_or_else(|| RunError(format!("could not read back the in-progress mark of {revision_id}")))?;
                let mut in_tx = false;
                let mut n = 0;
                let last = work.len().saturating_sub(1);
                for (k, s) in work.iter().enumerate() {
                    if s.kind == "transaction" {
                        if s.sql == "BEGIN;" {
                            self.db.begin()?;
                            in_tx = true;
                        } else {
                            if k == last {
                                // Close the mark inside the last transaction.
                                self.db
                                    .execute(&audit.finish(&id, &audit::now(), started_at.elapsed().as_millis()))?;
                            }
                            self.db.commit()?;
                            in_tx = false;
                        }
                        continue;
                    }
                    n += 1;
                    let first_line = s.sql.lines().next().unwrap_or("").trim();
                    let shown: String = first_line.chars().take(120).collect();
                    let at = format!(
                        "statement {n} of {countable}{}: `{shown}{}`",
                        match (&s.file, s.line) {
                            (Some(f), Some(l)) if s.kind == "migration" => format!(" ({f} line {l})"),
                            _ if s.kind == "version-table" => " (the version table update)".into(),
                            _ => String::new(),
                        },
                        if shown.len() < s.sql.trim().len() { " …" } else { "" }
                    );
                    self.db.execute(&audit.progress(&id, &at))?;
                    if let Err(e) = self.db.execute(&s.sql) {
                        if in_tx {
                            let _ = self.db.rollback();
                        }
                        return Err(self.statement_error(plan, i, s, n, countable, &e, version_table_existed, true));
                    }
                }
                if !work.last().is_some_and(|s| is_tx(s, "COMMIT;")) {
                    self.db
                        .execute(&audit.finish(&id, &audit::now(), started_at.elapsed().as_millis()))?;
                }
            }
            let elapsed = started_at.elapsed();
            reporter.step_finished(i, elapsed);
            applied.steps.push(label);
            applied.timings.push(elapsed.as_millis());
        }
        applied.heads = self.read_state()?.heads;
        Ok(applied)
    }

    #[allow(clippy::too_many_arguments)]
    fn statement_error(
        &mut self,
        plan: &Plan,
        step: usize,
        s: &PlanStatement,
        n: usize,
        total: usize,
        message: &str,
        version_table_existed: bool,
        partial: bool,
    ) -> RunError {
        let st = &plan.steps[step];
        let who = st.revision_id.clone().unwrap_or_else(|| st.short_log());
        let place = match (&s.file, s.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            _ => "the version table".into(),
        };
        let mut msg = format!(
            "{} of revision {who} failed at statement {n} of {total} ({place}):\n  {}\nthe server said: {}",
            match st.direction {
                Direction::Upgrade => "upgrade",
                Direction::Downgrade => "downgrade",
                Direction::Stamp => "stamp",
            },
            s.sql.lines().collect::<Vec<_>>().join("\n  "),
            url::mask(message.trim())
        );
        if partial {
            msg.push_str(&format!(
                "\nthis migration does not run in one transaction here, so statements before this one stay applied; \
                 it is marked in progress in {}: finish or undo it by hand, then `migplan stamp` the revision it matches",
                audit::TABLE
            ));
        } else {
            msg.push_str("\nthe migration was rolled back; the database is at the revision before it");
        }
        if step == 0 && !version_table_existed && self.db.is_already_exists(message) {
            msg.push_str(&self.stamp_suggestion());
        }
        RunError(msg)
    }

    /// The seed's troubleshooting case: tables exist but no version table. Compare the live
    /// schema with the simulated schema at each revision and name the one that matches.
    pub fn stamp_suggestion(&mut self) -> String {
        let Ok(live) = self.db.live_schema() else {
            return String::new();
        };
        match state::matching_revision(self.analysis, self.db.dialect(), &live, &self.render) {
            state::Match::Exact(id) => format!(
                "\nthe database has no version table, yet its tables match revision {id} exactly: it was migrated without \
                 one (or created by the app). If that is right, run `migplan stamp {id}` and upgrade again."
            ),
            state::Match::Closest(id, missing) => format!(
                "\nthe database has no version table; its tables are closest to revision {id} (differences: {missing}). \
                 Bring it to that revision by hand and run `migplan stamp {id}`, or start from an empty database."
            ),
            state::Match::None => String::new(),
        }
    }

    /// Record the current text of `REV` as applied (after a deliberate edit).
    pub fn rebless(&mut self, rev: &str) -> Result<String, RunError> {
        let a = self.analysis;
        let r = state::resolve_one(a, rev)?;
        let id = a.map.id(r).to_string();
        let sum = self
            .checksum_of(r)
            .ok_or_else(|| RunError(format!("cannot read the file of revision {id}")))?;
        self.locked(|me| {
            me.ensure_tables()?;
            let st = me.read_state()?;
            if !st.applied.contains(&id) {
                return Err(RunError(format!(
                    "revision {id} is not applied to this database; nothing to rebless"
                )));
            }
            let audit = me.audit();
            let now = audit::now();
            me.db.execute(&audit.insert(&id, "rebless", Some(&sum), &now, Some((&now, 0))))?;
            Ok(sum)
        })
    }
}

/// The version table a project keeps by default: a plain-SQL folder its own tool's (so the
/// team can switch back), an Alembic project (and DAG/Atlas folders) `alembic_version`.
pub fn default_bookkeeping(a: &Analysis) -> &'static dyn crate::bookkeeping::Bookkeeping {
    a.layout
        .and_then(crate::bookkeeping::bookkeeping_by_name)
        .unwrap_or(&crate::bookkeeping::alembic::Alembic)
}

fn first(targets: &[String]) -> &str {
    targets.first().map(String::as_str).unwrap_or("heads")
}
