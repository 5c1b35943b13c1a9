//! Run migrations on startup from Rust: the files are embedded in the binary (see
//! `examples/startup.rs`), and `Migrator::upgrade` takes the same lock, transactions and
//! bookkeeping as `migplan upgrade head`. Several replicas may call it at once: one
//! applies, the others wait and then find nothing to do.

use std::collections::BTreeMap;
use std::time::Duration;

use super::url::{DEFAULT_URL, DbUrl};
use super::{Applied, Quiet, Reporter, RunError, Runner, driver};
use crate::analysis::{ProjectOptions, analyze_project};
use crate::plan::Direction;
use crate::render::sql_plan::RenderOptions;
use crate::source::SourceFile;

pub struct Migrator {
    files: Vec<SourceFile>,
    url: String,
    lock_timeout: Duration,
    version_table: Option<String>,
}

impl Migrator {
    /// Migration files as `(path, text)`: an Alembic versions folder (`.py`, plus `env.py`
    /// for its settings) or a plain-SQL folder in any layout migplan reads.
    pub fn new<P: Into<String>, T: Into<String>>(files: impl IntoIterator<Item = (P, T)>) -> Migrator {
        Migrator {
            files: files.into_iter().map(|(p, t)| SourceFile::new(p.into(), t.into())).collect(),
            url: std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_string()),
            lock_timeout: Duration::from_secs(60),
            version_table: None,
        }
    }

    /// The database (default: `DATABASE_URL`, else `sqlite:///migplan.db`).
    pub fn database_url(mut self, url: impl Into<String>) -> Migrator {
        self.url = url.into();
        self
    }

    /// How long to wait for another runner (default 60 s).
    pub fn lock_timeout(mut self, t: Duration) -> Migrator {
        self.lock_timeout = t;
        self
    }

    pub fn version_table(mut self, name: impl Into<String>) -> Migrator {
        self.version_table = Some(name.into());
        self
    }

    /// Upgrade to every head.
    pub fn upgrade(&self) -> Result<Applied, RunError> {
        self.run(Direction::Upgrade, "heads", &mut Quiet)
    }

    /// Upgrade or downgrade to `target` (Alembic's syntax), reporting progress.
    pub fn run(&self, direction: Direction, target: &str, reporter: &mut dyn Reporter) -> Result<Applied, RunError> {
        let url = DbUrl::parse(&self.url).map_err(RunError)?;
        let db = driver::connect(&url).map_err(RunError)?;
        let analysis = analyze_project(
            &self.files,
            &ProjectOptions {
                layout: None,
                dialect: db.dialect(),
                roots: None,
                enable: Vec::new(),
            },
        );
        // Load errors, and a graph read with guesses (ids or parents only Python computes).
        let stop = |d: &&crate::diagnostic::Diagnostic| {
            (d.is_error() && d.code.is_load_problem()) || d.code == crate::codes::Code::NonLiteralRevisionAttribute
        };
        if let Some(d) = analysis.diagnostics.iter().find(stop) {
            return Err(RunError(format!(
                "the migrations cannot be run: {}{}",
                d.message,
                d.file.as_deref().map(|f| format!(" ({f})")).unwrap_or_default()
            )));
        }
        let texts: BTreeMap<String, String> = self.files.iter().map(|f| (f.path.clone(), f.text.to_string())).collect();
        let mut render = RenderOptions {
            bookkeeping: super::default_bookkeeping(&analysis),
            ..RenderOptions::default()
        };
        if let Some(v) = self.version_table.clone().or_else(|| analysis.env.version_table.clone()) {
            render.version_table = v;
        }
        render.version_table_schema = analysis.env.version_table_schema.clone();
        let mut runner = Runner {
            analysis: &analysis,
            texts: &texts,
            db,
            render,
            lock_timeout: self.lock_timeout,
        };
        runner.run(direction, &[target.to_string()], false, reporter)
    }
}
