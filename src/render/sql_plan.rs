//! A plan as the SQL text Alembic's offline mode (`--sql`) prints, and as data.
//!
//! Layout (`MigrationContext.run_migrations` with `as_sql`): `BEGIN;` / `COMMIT;` only for
//! transactional-DDL dialects (once around the run, or per step with
//! `transaction_per_migration`), `CREATE TABLE alembic_version` before a step that starts
//! from no heads, `-- Running <step>`, the step's statements, then its version-table
//! bookkeeping; every chunk is followed by a blank line.

use serde::Serialize;

use crate::bookkeeping::Bookkeeping;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::dialect::ddl::{format_table, quote};
use crate::dialect::{CompileError, Dialect};
use crate::graph::RevisionMap;
use crate::layout::Repeatable;
use crate::model::Revision;
use crate::ops::{AutoIncrement, Batch, Column, Constraint, ConstraintOpts, Op, SqlType, Step, StepKind, TableRef};
use crate::parallel::Parallel;
use crate::plan::{Direction, Plan, VersionChange};
use crate::schema::shape::{At, Shapes};

/// Options that change the rendered text.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub transaction_per_migration: bool,
    pub version_table: String,
    pub version_table_schema: Option<String>,
    /// `-x key=value` arguments (`context.get_x_argument()`).
    pub x_args: Vec<(String, String)>,
    /// Whose version table the plan maintains (`alembic_version` by default).
    pub bookkeeping: &'static dyn Bookkeeping,
    /// Wrap migrations in transactions even where Alembic's dialect does not (its SQLite
    /// has `transactional_ddl = False`, but SQLite itself rolls DDL back): the runner's.
    pub force_transactions: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            transaction_per_migration: false,
            version_table: "alembic_version".into(),
            version_table_schema: None,
            x_args: Vec::new(),
            bookkeeping: &crate::bookkeeping::alembic::Alembic,
            force_transactions: false,
        }
    }
}

/// One emitted statement with its origin.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PlanStatement {
    /// Index of the plan step (none for the run's `BEGIN;`/`COMMIT;`).
    pub step: Option<usize>,
    pub sql: String,
    /// `migration`, `version-table`, `transaction`, `opaque`, `offline-only` (what a `try`
    /// body runs when nothing fails; the runner refuses it), `comment`.
    pub kind: &'static str,
    pub file: Option<String>,
    pub line: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RenderedPlan {
    pub dialect: &'static str,
    pub statements: Vec<PlanStatement>,
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
    /// Set when a statement cannot be rendered; `statements` holds what came before, as
    /// Alembic prints partial output before failing.
    pub error: Option<String>,
}

impl RenderedPlan {
    fn empty(d: &dyn Dialect) -> Self {
        RenderedPlan {
            dialect: d.name(),
            statements: Vec::new(),
            diagnostics: Vec::new(),
            error: None,
        }
    }

    /// The `--sql` text.
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(self.statements.iter().map(|st| st.sql.len() + 2).sum());
        for st in &self.statements {
            s.push_str(&st.sql);
            s.push_str("\n\n");
        }
        s
    }

    /// The `--sql` text, statement by statement into `out` (no copy of the whole text).
    pub fn write_text(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for st in &self.statements {
            out.write_all(st.sql.as_bytes())?;
            out.write_all(b"\n\n")?;
        }
        Ok(())
    }
}

struct Out<'a> {
    d: &'a dyn Dialect,
    /// BEGIN/COMMIT are emitted (the dialect's transactional DDL, or forced).
    transactions: bool,
    x_args: &'a [(String, String)],
    rendered: RenderedPlan,
    step: Option<usize>,
    /// The tables as the plan has built them so far, kept only when a batch must move and
    /// copy a table without `copy_from=` (it stands in for Alembic's reflection).
    shapes: Option<Shapes>,
}

impl<'a> Out<'a> {
    fn new(d: &'a dyn Dialect, opts: &'a RenderOptions, rendered: RenderedPlan) -> Self {
        Out {
            d,
            transactions: d.transactional_ddl() || opts.force_transactions,
            x_args: &opts.x_args,
            rendered,
            step: None,
            shapes: None,
        }
    }
    fn emit(&mut self, sql: String, kind: &'static str, file: Option<&str>, line: Option<u32>) {
        self.rendered.statements.push(PlanStatement {
            step: self.step,
            sql,
            kind,
            file: file.map(str::to_string),
            line,
        });
    }
    fn begin(&mut self) {
        if self.transactions {
            self.emit("BEGIN;".into(), "transaction", None, None);
        }
    }
    fn commit(&mut self) {
        if self.transactions {
            self.emit("COMMIT;".into(), "transaction", None, None);
        }
    }
}

/// Alembic's `_exec`: tabs become four spaces, the text is stripped, the terminator added.
fn statement(sql: &str) -> String {
    // Built by hand: this runs for every statement of a plan, and format! plus an
    // unconditional replace were 15% of rendering one (callgrind, 5,000 revisions).
    let expanded;
    let text = if sql.contains('\t') {
        expanded = sql.replace('\t', "    ");
        expanded.trim()
    } else {
        sql.trim()
    };
    let mut s = String::with_capacity(text.len() + 1);
    s.push_str(text);
    s.push(';');
    s
}

pub fn version_table_ref(opts: &RenderOptions) -> TableRef {
    TableRef {
        name: opts.version_table.clone(),
        schema: opts.version_table_schema.clone(),
    }
}

/// `CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT <t>_pkc ...)`.
pub fn version_table_create(d: &dyn Dialect, opts: &RenderOptions) -> Result<String, CompileError> {
    let table = version_table_ref(opts);
    let mut t = SqlType::new("String", "string");
    t.length = Some(32);
    let col = Column {
        nullable: Some(false),
        autoincrement: AutoIncrement::False,
        ..Column::new("version_num", t)
    };
    let pk = Constraint::PrimaryKey {
        opts: ConstraintOpts {
            name: Some(format!("{}_pkc", opts.version_table)),
            ..Default::default()
        },
        columns: vec!["version_num".into()],
    };
    let op = Op::CreateTable {
        table,
        columns: vec![col],
        constraints: vec![pk],
        extra: Default::default(),
        if_not_exists: false,
    };
    Ok(d.op_statements(&op)?.join("\n"))
}

pub fn version_change_sql(d: &dyn Dialect, opts: &RenderOptions, c: &VersionChange) -> String {
    let table = version_table_ref(opts);
    let t = format_table(d, &table);
    // Built by hand: one of these per plan step; with format! they were 29% of the
    // instructions a 5,000-step plan took on the thread laying out its frame (callgrind).
    let mut s = String::with_capacity(2 * t.len() + 96);
    let qualified = |s: &mut String| {
        s.push_str(&t);
        s.push('.');
        s.push_str(&quote(d, "version_num"));
    };
    match c {
        VersionChange::Insert { version } => {
            for part in [
                "INSERT INTO ",
                &t,
                " (version_num) VALUES ('",
                version,
                "')",
                &d.version_insert_suffix(&table),
                ";",
            ] {
                s.push_str(part);
            }
        }
        VersionChange::Delete { version } => {
            s.push_str("DELETE FROM ");
            s.push_str(&t);
            s.push_str(" WHERE ");
            qualified(&mut s);
            for part in [" = '", version, "';"] {
                s.push_str(part);
            }
        }
        VersionChange::Update { from, to } => {
            for part in ["UPDATE ", &t, " SET version_num='", to, "' WHERE "] {
                s.push_str(part);
            }
            qualified(&mut s);
            for part in [" = '", from, "';"] {
                s.push_str(part);
            }
        }
    }
    s
}

/// The revision a plan step runs, and which of its bodies.
fn step_body<'r>(step: &crate::plan::PlanStep, map: &RevisionMap, revisions: &'r [Revision]) -> Option<(&'r Revision, &'r [Step])> {
    let rev = &revisions[map.node(step.revision?).rev];
    let steps = if step.direction == Direction::Upgrade {
        &rev.upgrade_steps
    } else {
        &rev.downgrade_steps
    };
    Some((rev, steps))
}

/// Render `plan` for dialect `d`. Each step's own text (its `-- Running` line, its
/// statements, its version-table bookkeeping) is rendered on `p` when no step needs the
/// simulated tables (a step then depends only on its revision); the run's frame
/// (transactions, the version table's creation) is laid around them in order.
pub fn render_plan(
    plan: &Plan,
    map: &RevisionMap,
    revisions: &[Revision],
    d: &dyn Dialect,
    opts: &RenderOptions,
    p: &dyn Parallel,
) -> RenderedPlan {
    let mut out = Out::new(d, opts, RenderedPlan::empty(d));
    let needs_shapes = plan
        .steps
        .iter()
        .any(|step| step_body(step, map, revisions).is_some_and(|(_, steps)| reflects(steps, d)));
    let run = StepRun { map, revisions, opts };
    // Rendered ahead, each step as its own fragment (statements, diagnostics, error).
    let mut ahead: Vec<Option<RenderedPlan>> = if needs_shapes {
        out.shapes = Some(Shapes::at(map, revisions, &plan.start_heads, d, &opts.x_args));
        Vec::new()
    } else {
        let indices: Vec<usize> = (0..plan.steps.len()).collect();
        crate::parallel::map(p, &indices, |&i| {
            let mut part = Out::new(d, opts, RenderedPlan::empty(d));
            part.step = Some(i);
            if let Err(e) = run.step(&mut part, &plan.steps[i]) {
                part.rendered.error = Some(e.0);
            }
            Some(part.rendered)
        })
    };
    let tpm = opts.transaction_per_migration;
    if !tpm {
        out.begin();
    }
    for (i, step) in plan.steps.iter().enumerate() {
        out.step = Some(i);
        let outside = run.outside(step);
        if tpm && !outside {
            out.begin();
        }
        if !tpm && outside {
            out.commit();
        }
        if step.create_version_table {
            match opts.bookkeeping.create(d, opts) {
                Ok(sqls) => {
                    for sql in sqls {
                        out.emit(statement(&sql), "version-table", None, None);
                    }
                }
                Err(e) => {
                    out.rendered.error = Some(e.0);
                    return out.rendered;
                }
            }
        }
        let result = match ahead.get_mut(i).and_then(Option::take) {
            Some(part) => {
                out.rendered.statements.extend(part.statements);
                out.rendered.diagnostics.extend(part.diagnostics);
                part.error.map_or(Ok(()), |e| Err(CompileError(e)))
            }
            None => run.step(&mut out, step),
        };
        if let Err(e) = result {
            out.rendered.error = Some(e.0);
            return out.rendered;
        }
        if tpm && !outside {
            out.commit();
        }
        if !tpm && outside {
            out.begin();
        }
    }
    out.step = None;
    if !tpm {
        out.commit();
    }
    out.rendered
}

/// What rendering one plan step needs besides the step.
struct StepRun<'a> {
    map: &'a RevisionMap,
    revisions: &'a [Revision],
    opts: &'a RenderOptions,
}

impl StepRun<'_> {
    /// A migration its tool runs outside a transaction (dbmate `transaction:false`...).
    fn outside(&self, step: &crate::plan::PlanStep) -> bool {
        step_body(step, self.map, self.revisions).is_some_and(|(r, _)| !r.transactional)
    }

    /// One step's own text: `-- Running`, its statements, its version-table bookkeeping.
    fn step(&self, out: &mut Out, step: &crate::plan::PlanStep) -> Result<(), CompileError> {
        let mut running = String::with_capacity(64);
        running.push_str("-- Running ");
        step.write_short_log(&mut running);
        out.emit(running, "comment", None, None);
        if self.outside(step) && out.transactions {
            out.emit(
                "-- migplan: outside a transaction (the tool's setting for this migration, or a no-transaction marker)".into(),
                "comment",
                None,
                None,
            );
        }
        if let Some((rev, steps)) = step_body(step, self.map, self.revisions) {
            if step.direction != Direction::Upgrade
                && let Some(src) = &rev.sql
                && !rev.downgrade.present
            {
                return Err(CompileError(format!(
                    "migration {} ({}) has no down migration, so it cannot be undone",
                    src.version, rev.path
                )));
            }
            render_steps(out, steps, rev)?;
        }
        let lookup = |id: &str| self.map.by_id.get(id).map(|&i| &self.revisions[self.map.node(i).rev]);
        for sql in self.opts.bookkeeping.record(out.d, self.opts, step, &lookup) {
            out.emit(statement(&sql), "version-table", None, None);
        }
        Ok(())
    }
}

fn render_steps(out: &mut Out, steps: &[Step], rev: &Revision) -> Result<(), CompileError> {
    for s in steps {
        match &s.kind {
            StepKind::Op(Op::AutocommitBlock { steps }) => {
                out.commit();
                render_steps(out, steps, rev)?;
                out.begin();
            }
            StepKind::Op(Op::Batch(b)) => {
                let recreate = batch_recreates(b, out.d);
                if !recreate {
                    render_steps(out, &b.steps, rev)?;
                    continue;
                }
                // Without copy_from=, the table as the plan built it stands in for the
                // table Alembic would reflect from a live database.
                let simulated = match (&b.copy_from, &b.copy_from_opaque, &out.shapes) {
                    (None, None, Some(shapes)) => Some(shapes.lookup(&b.table).map(|t| Batch {
                        copy_from: Some((t.columns.clone(), t.constraints.clone())),
                        copy_indexes: t.indexes.clone(),
                        ..(**b).clone()
                    })),
                    _ => None,
                };
                let def = match &simulated {
                    Some(Ok(sb)) => sb,
                    _ => b,
                };
                match (&def.copy_from, &def.copy_from_opaque) {
                    (Some(cf), _) => {
                        let sqls = crate::dialect::batch::recreate(out.d, def, cf)
                            .map_err(|e| CompileError(format!("{}\n  at revision {} ({} line {})", e.0, rev.id, rev.path, s.lines.0)))?;
                        for sql in sqls {
                            out.emit(statement(&sql), "migration", Some(&rev.path), Some(s.lines.0));
                        }
                    }
                    (None, Some((why, excerpt))) => opaque(
                        out,
                        s,
                        rev,
                        &format!(
                            "batch_alter_table('{}') must recreate the table on {}, and its copy_from= needs Python: {}",
                            b.table.name,
                            out.d.name(),
                            why
                        ),
                        excerpt,
                    ),
                    // The table is not known in full: the rest of the plan still renders, with
                    // this step as a marked hole (Alembic's --sql stops here; its online run
                    // reflects the table).
                    (None, None) if let Some(Err(why)) = &simulated => opaque(
                        out,
                        s,
                        rev,
                        &format!(
                            "batch_alter_table('{}') must move and copy the table on {}, and the table is not known in full here: {}; Alembic reflects it from a live database (its --sql mode stops here), or pass copy_from=sa.Table(...)",
                            b.table.name,
                            out.d.name(),
                            why
                        ),
                        "",
                    ),
                    // No simulated tables to stand in for reflection: Alembic's own failure.
                    (None, None) => {
                        return Err(CompileError(format!(
                            "This operation cannot proceed in --sql mode; batch mode with dialect {} requires a live database connection with which to reflect the table \"{}\". To generate a batch SQL migration script using table \"move and copy\", a complete Table object should be passed to the \"copy_from\" argument of the batch_alter_table() method so that table reflection can be skipped.",
                            out.d.name(),
                            b.table.name,
                        )));
                    }
                }
                let (d, x_args) = (out.d, out.x_args);
                if let Some(shapes) = out.shapes.as_mut() {
                    shapes.batch(b, &At { rev, line: s.lines.0 }, d, x_args);
                }
            }
            StepKind::Op(Op::Sql(st)) => {
                out.emit(
                    format!("{};", st.sql.replace("\r\n", "\n")),
                    "migration",
                    Some(&rev.path),
                    Some(s.lines.0),
                );
                track(out, s, rev);
            }
            StepKind::Op(op) => {
                let sqls = match out.d.op_statements(op) {
                    Ok(sqls) => sqls,
                    Err(e) => {
                        out.rendered.diagnostics.push(
                            Diagnostic::new(Code::UnsupportedOperation, format!("revision {}: {}", rev.id, e.0))
                                .at(&rev.path, s.span)
                                .help("Alembic fails on this operation for this dialect too; guard it with a dialect check, or use batch_alter_table on SQLite"),
                        );
                        return Err(CompileError(format!(
                            "{}\n  at revision {} ({} line {})",
                            e.0, rev.id, rev.path, s.lines.0
                        )));
                    }
                };
                for sql in sqls {
                    out.emit(statement(&sql), "migration", Some(&rev.path), Some(s.lines.0));
                }
                track(out, s, rev);
            }
            StepKind::If { cond, then, otherwise } => {
                let branch = if cond.eval(out.d.name(), out.x_args) { then } else { otherwise };
                render_steps(out, branch, rev)?;
            }
            // Alembic's `--sql` prints the body (nothing fails offline); online the handler
            // may run instead, so the statements are marked and the runner refuses them.
            StepKind::Opaque(o) if !o.offline.is_empty() => {
                let mark = out.rendered.statements.len();
                render_steps(out, &o.offline, rev)?;
                for st in &mut out.rendered.statements[mark..] {
                    if st.kind == "migration" {
                        st.kind = "offline-only";
                    }
                }
                out.rendered.diagnostics.push(
                    Diagnostic::new(
                        Code::OpaquePython,
                        format!(
                            "revision {}: {} — the plan shows the `try` body, which is what runs when no statement fails",
                            rev.id, o.reason
                        ),
                    )
                    .at(&rev.path, s.span)
                    .help("Alembic's --sql prints the same; online the `except` block may run instead, so the runner leaves this revision to Alembic"),
                );
                // What the handler may touch stays unknown in the simulated tables.
                track(out, s, rev);
            }
            StepKind::Opaque(o) => {
                opaque(out, s, rev, &o.reason, &o.excerpt);
                track(out, s, rev);
            }
            StepKind::TryUnsupported { body, handler } => {
                let mark = out.rendered.statements.len();
                let diags = out.rendered.diagnostics.len();
                let shapes = out.shapes.clone();
                if render_steps(out, body, rev).is_err() {
                    out.rendered.statements.truncate(mark);
                    out.rendered.diagnostics.truncate(diags);
                    out.shapes = shapes;
                    render_steps(out, handler, rev)?;
                }
            }
        }
    }
    Ok(())
}

/// `recreate="auto"` asks the dialect.
fn batch_recreates(b: &Batch, d: &dyn Dialect) -> bool {
    match b.recreate.as_str() {
        "always" => true,
        "never" => false,
        _ => d.batch_requires_recreate(&b.steps),
    }
}

/// Whether `steps` hold a batch that must move and copy a table Alembic would reflect.
fn reflects(steps: &[Step], d: &dyn Dialect) -> bool {
    steps.iter().any(|s| match &s.kind {
        StepKind::Op(Op::Batch(b)) => b.copy_from.is_none() && b.copy_from_opaque.is_none() && batch_recreates(b, d),
        StepKind::Op(Op::AutocommitBlock { steps }) => reflects(steps, d),
        StepKind::If { then, otherwise, .. } => reflects(then, d) || reflects(otherwise, d),
        StepKind::TryUnsupported { body, handler } => reflects(body, d) || reflects(handler, d),
        StepKind::Op(_) | StepKind::Opaque(_) => false,
    })
}

/// Follow a rendered step in the simulated tables (when they are kept).
fn track(out: &mut Out, s: &Step, rev: &Revision) {
    let (d, x_args) = (out.d, out.x_args);
    if let Some(shapes) = out.shapes.as_mut() {
        shapes.apply_steps(std::slice::from_ref(s), rev, d, x_args);
    }
}

/// An opaque step: a comment block naming the file, lines and source, plus a warning.
fn opaque(out: &mut Out, s: &Step, rev: &Revision, reason: &str, excerpt: &str) {
    let mut text = format!(
        "-- migplan: opaque Python step not rendered: {} ({}, lines {}-{})",
        reason, rev.path, s.lines.0, s.lines.1
    );
    for line in excerpt.lines() {
        text.push_str("\n-- | ");
        text.push_str(line.trim_end());
    }
    out.emit(text, "opaque", Some(&rev.path), Some(s.lines.0));
    out.rendered.diagnostics.push(
        Diagnostic::new(
            Code::OpaquePython,
            format!("revision {}: {} — shown as a comment in the plan, not as SQL", rev.id, reason),
        )
        .at(&rev.path, s.span)
        .help("the SQL this step runs can only be known by running Python; review it by hand, or rewrite it with op.* calls / literal SQL"),
    );
}

/// Flyway's repeatable migrations after a run to the head: each in its own transaction,
/// with its checksum (Flyway re-applies it when that differs from the recorded one).
pub fn append_repeatables(rendered: &mut RenderedPlan, repeatables: &[Repeatable], d: &dyn Dialect, opts: &RenderOptions) {
    let mut out = Out::new(d, opts, std::mem::replace(rendered, RenderedPlan::empty(d)));
    for r in repeatables {
        out.begin();
        out.emit(
            format!(
                "-- Running repeatable {} (checksum {}, re-applied when it changes)",
                r.path, r.checksum
            ),
            "comment",
            Some(&r.path),
            None,
        );
        for s in &r.steps {
            if let StepKind::Op(Op::Sql(st)) = &s.kind {
                out.emit(
                    format!("{};", st.sql.replace("\r\n", "\n")),
                    "migration",
                    Some(&r.path),
                    Some(s.lines.0),
                );
            }
        }
        for sql in opts.bookkeeping.record_repeatable(d, opts, r) {
            out.emit(statement(&sql), "version-table", None, None);
        }
        out.commit();
    }
    *rendered = out.rendered;
}
