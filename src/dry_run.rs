//! A dry run: resolve the targets, make the plan, render it for a dialect, and shape the
//! result as data. Shared by the CLI (`upgrade/downgrade/stamp --sql`) and the wasm API, so
//! both print the same plan from the same input.

use serde::Serialize;

use crate::analysis::Analysis;
use crate::bookkeeping::Bookkeeping;
use crate::diagnostic::LocatedDiagnostic;
use crate::dialect::Dialect;
use crate::parallel::{Parallel, Sequential};
use crate::plan::{Direction, Plan, plan_downgrade, plan_stamp, plan_upgrade};
use crate::render::diagnostics::{FileTexts, locate_all};
use crate::render::sql_plan::{PlanStatement, RenderOptions, RenderedPlan, append_repeatables, render_plan};

/// What to plan and how to print it.
pub struct DryRun<'a> {
    pub direction: Direction,
    /// Alembic's argument(s): `head`, `FROM:TO`, `+2`... (several only for stamp).
    pub targets: &'a [String],
    pub dialect: &'static dyn Dialect,
    /// Forced on: otherwise env.py's setting, and always for plain-SQL layouts (their tools
    /// run each migration in its own transaction).
    pub transaction_per_migration: bool,
    pub version_table: Option<String>,
    pub version_table_schema: Option<String>,
    pub x_args: Vec<(String, String)>,
    pub bookkeeping: &'static dyn Bookkeeping,
    /// Where the steps' SQL is rendered (the native CLI passes its thread pool).
    pub parallel: &'a dyn Parallel,
}

/// The plan and its SQL, or the reason there is none (Alembic's `FAILED:` message).
pub struct Outcome {
    pub plan: Plan,
    pub rendered: RenderedPlan,
}

impl DryRun<'_> {
    pub fn options(&self, a: &Analysis) -> RenderOptions {
        let sql_layout = a.layout.is_some_and(|l| l != "alembic");
        RenderOptions {
            transaction_per_migration: self.transaction_per_migration || sql_layout || a.env.transaction_per_migration.unwrap_or(false),
            version_table: self
                .version_table
                .clone()
                .or_else(|| a.env.version_table.clone())
                .unwrap_or_else(|| "alembic_version".into()),
            version_table_schema: self.version_table_schema.clone().or_else(|| a.env.version_table_schema.clone()),
            x_args: self.x_args.clone(),
            bookkeeping: self.bookkeeping,
            force_transactions: false,
        }
    }

    pub fn run(&self, a: &Analysis) -> Result<Outcome, String> {
        let first = self.targets.first().map(String::as_str).unwrap_or("heads");
        let plan = match self.direction {
            Direction::Upgrade => plan_upgrade(&a.map, first),
            Direction::Downgrade => plan_downgrade(&a.map, first),
            Direction::Stamp => plan_stamp(&a.map, self.targets),
        }
        .map_err(|e| e.0)?;
        let opts = self.options(a);
        let mut rendered = render_plan(&plan, &a.map, &a.revisions, self.dialect, &opts, self.parallel);
        // Flyway re-applies repeatables after the versioned migrations of a run to the head.
        let to_heads = a.map.heads.iter().all(|&h| plan.end_heads.iter().any(|e| e == a.map.id(h)));
        if self.direction == Direction::Upgrade && to_heads && rendered.error.is_none() {
            append_repeatables(&mut rendered, &a.repeatables, self.dialect, &opts);
        }
        Ok(Outcome { plan, rendered })
    }
}

/// The offline SQL of `upgrade TARGET` with Alembic's defaults, for reports: (what it
/// covers, the SQL — or a comment saying why there is no plan).
pub fn upgrade_sql(a: &Analysis, target: &str, dialect: &'static dyn Dialect) -> (String, String) {
    let targets = [target.to_string()];
    let run = DryRun {
        direction: Direction::Upgrade,
        targets: &targets,
        dialect,
        transaction_per_migration: false,
        version_table: None,
        version_table_schema: None,
        x_args: Vec::new(),
        bookkeeping: &crate::bookkeeping::alembic::Alembic,
        parallel: &Sequential,
    };
    let text = match run.run(a) {
        Ok(o) => o.rendered.text(),
        Err(e) => format!("-- no plan: {e}\n"),
    };
    (format!("upgrade {target}"), text)
}

/// `upgrade --sql --format json`: the plan as data and as SQL text.
#[derive(Debug, Serialize)]
pub struct PlanJson<'a> {
    pub dialect: &'static str,
    pub direction: Direction,
    pub start_heads: &'a [String],
    pub end_heads: &'a [String],
    pub steps: &'a [crate::plan::PlanStep],
    pub statements: &'a [PlanStatement],
    pub sql: String,
    pub error: Option<&'a str>,
    pub diagnostics: Vec<LocatedDiagnostic>,
}

impl Outcome {
    pub fn json<'a>(&'a self, texts: &(impl FileTexts + ?Sized)) -> PlanJson<'a> {
        PlanJson {
            dialect: self.rendered.dialect,
            direction: self.plan.direction,
            start_heads: &self.plan.start_heads,
            end_heads: &self.plan.end_heads,
            steps: &self.plan.steps,
            statements: &self.rendered.statements,
            sql: self.rendered.text(),
            error: self.rendered.error.as_deref(),
            diagnostics: locate_all(&self.rendered.diagnostics, texts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::sqlite::SQLite;
    use crate::parallel::Backwards;
    use crate::source::SourceFile;

    fn script(rev: &str, down: &str, up: &str) -> SourceFile {
        crate::source::test_script(rev, down, up, "pass")
    }

    fn render(files: &[SourceFile], parallel: &dyn Parallel) -> (Vec<PlanStatement>, Vec<String>, Option<String>) {
        let a = crate::analysis::analyze(files, None);
        let targets = ["heads".to_string()];
        let run = DryRun {
            direction: Direction::Upgrade,
            targets: &targets,
            dialect: &SQLite,
            transaction_per_migration: false,
            version_table: None,
            version_table_schema: None,
            x_args: Vec::new(),
            bookkeeping: &crate::bookkeeping::alembic::Alembic,
            parallel,
        };
        let r = run.run(&a).expect("a plan").rendered;
        (r.statements, r.diagnostics.iter().map(|d| d.message.clone()).collect(), r.error)
    }

    #[test]
    fn steps_rendered_in_any_order_print_the_same_plan() {
        let files = [
            script("a1", "None", "op.create_table('t', sa.Column('id', sa.Integer()))"),
            // An opaque step and a try body: marked statements and findings per step.
            script(
                "b2",
                "'a1'",
                "op.execute(build_sql())\n    try:\n        op.execute('SELECT 1')\n    except Exception:\n        pass",
            ),
            script("c3", "'b2'", "op.add_column('t', sa.Column('x', sa.Integer()))"),
        ];
        let want = render(&files, &crate::parallel::Sequential);
        assert!(want.0.iter().any(|s| s.kind == "opaque"));
        assert!(!want.1.is_empty());
        assert_eq!(render(&files, &Backwards), want);

        // A step SQLite cannot render stops the plan there, whatever rendered after it.
        let mut failing = files.to_vec();
        failing.insert(2, script("b9", "'b2'", "op.create_unique_constraint('uq', 't', ['id'])"));
        failing[3] = script("c3", "'b9'", "op.add_column('t', sa.Column('x', sa.Integer()))");
        let want = render(&failing, &crate::parallel::Sequential);
        assert!(want.2.is_some(), "{want:?}");
        assert!(want.0.iter().all(|s| s.step.is_none_or(|i| i < 3)));
        assert_eq!(render(&failing, &Backwards), want);
    }
}
