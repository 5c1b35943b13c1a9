//! Command-line arguments (clap).

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug, Clone)]
#[command(
    name = "migplan",
    version,
    about = "Check and plan Alembic migration histories without Python or a database"
)]
pub struct Cli {
    /// Alembic config file (default: ./alembic.ini, else [tool.alembic] in ./pyproject.toml,
    /// else the project found up to 5 folders down)
    #[arg(short = 'c', long = "config", global = true, value_name = "FILE")]
    pub config: Option<String>,
    /// Section of the config file to use (multi-database setups)
    #[arg(short = 'n', long = "name", global = true, default_value = "alembic", value_name = "SECTION")]
    pub name: String,
    /// A versions folder to read directly (no config file is read)
    #[arg(short = 'd', long = "dir", global = true, value_name = "DIR")]
    pub dirs: Vec<String>,
    /// With -d: also read sub-folders (Alembic's recursive_version_locations)
    #[arg(long, global = true)]
    pub recursive: bool,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Additional arguments for env.py and migrations (`context.get_x_argument()`), KEY=VALUE
    #[arg(short = 'x', global = true, value_name = "KEY=VALUE")]
    pub x: Vec<String>,
    /// Plain-SQL folder layout for -d (default: detected)
    #[arg(long, global = true, value_name = "NAME", value_parser = ["alembic", "dag", "diesel", "atlas", "flyway", "dbmate", "goose", "golang-migrate", "sqlx"])]
    pub layout: Option<String>,
    /// SQL dialect (default: from sqlalchemy.url in alembic.ini or the folder's config, else postgresql)
    #[arg(long, global = true, value_parser = ["postgresql", "mysql", "mariadb", "sqlite"])]
    pub dialect: Option<String>,
    /// The database for upgrade/downgrade/stamp/current/check/rebless (SQLAlchemy URL form;
    /// default: DATABASE_URL, else sqlalchemy.url in alembic.ini, else sqlite:///migplan.db)
    #[arg(long, global = true, value_name = "URL")]
    pub db: Option<String>,
    /// Seconds to wait for another runner's lock on the database
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60.0)]
    pub lock_timeout: f64,
    /// Print phase timings to stderr
    #[arg(long, global = true, hide = true)]
    pub timings: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0 (`check` only)
    Sarif,
    /// GitHub Actions annotations (`check` only)
    Github,
    /// A PR comment / job summary (`check` only)
    Markdown,
    /// SQL DDL (`schema` only; its text output)
    Sql,
}

impl Format {
    /// The formats only `check` prints.
    pub fn check_only(self) -> bool {
        matches!(self, Format::Sarif | Format::Github | Format::Markdown)
    }
}

/// The lowest severity that makes `check` fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

/// Which lint rules run (`[rules] preset` in migplan.toml).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// High precision: what will likely fail, lose data or lock a busy table for long
    Default,
    /// Also style and hygiene rules (lock timeouts, bigint keys, timestamptz, …)
    Strict,
}

impl Preset {
    pub fn tier(self) -> crate::lint::Tier {
        match self {
            Preset::Default => crate::lint::Tier::Default,
            Preset::Strict => crate::lint::Tier::Strict,
        }
    }
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Show current available heads in the script directory
    Heads {
        /// Use more verbose output
        #[arg(short, long)]
        verbose: bool,
        /// Treat dependency versions as down revisions
        #[arg(long)]
        resolve_dependencies: bool,
    },
    /// Show current branch points
    Branches {
        #[arg(short, long)]
        verbose: bool,
    },
    /// List changeset scripts in chronological order (newest first)
    History {
        /// Specify a revision range; format is [start]:[end]
        #[arg(short = 'r', long = "rev-range", value_name = "RANGE", allow_hyphen_values = true)]
        rev_range: Option<String>,
        #[arg(short, long)]
        verbose: bool,
        /// Mark the database's current revision(s) (reads the database: --db)
        #[arg(short = 'i', long)]
        indicate_current: bool,
    },
    /// Show the revision(s) denoted by the given symbol
    Show {
        #[arg(allow_hyphen_values = true)]
        rev: String,
    },
    /// Serve the web page for the project at PATH on 127.0.0.1 and print its URL
    Serve {
        /// The project folder (alembic.ini, pyproject.toml or a migrations folder; else the
        /// one project found below it)
        #[arg(default_value = ".")]
        path: String,
        #[arg(long, default_value_t = 8765)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// The migplan checkout holding www/ and pkg/ (default: the one this binary was built from)
        #[arg(long, value_name = "DIR")]
        assets: Option<String>,
    },
    /// Write the static PR preview: one self-contained index.html and report.md
    Report {
        /// Output folder
        #[arg(long, value_name = "DIR")]
        out: String,
        /// Compare with this git revision (new revisions, forks)
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        /// Compare with the base's migrations folder instead of a git revision
        #[arg(long, value_name = "DIR", conflicts_with = "base")]
        base_dir: Option<String>,
        /// Start of the SQL plan shown (default: the base's head when there is one, else base)
        #[arg(long, value_name = "REV", allow_hyphen_values = true)]
        from: Option<String>,
        /// End of the SQL plan shown
        #[arg(long, value_name = "TARGET", default_value = "heads", allow_hyphen_values = true)]
        to: String,
        /// Report title (default: the project folder's name)
        #[arg(long)]
        title: Option<String>,
        /// Lint rules to run (default: migplan.toml's [rules] preset, else default)
        #[arg(long, value_enum)]
        preset: Option<Preset>,
    },
    /// List the files migplan reads for this project (with --format json: also the folders
    /// and dialect, what the wasm API needs to read the same project)
    Files,
    /// Show the revision(s) the database is at (--db URL)
    Current {
        #[arg(short, long)]
        verbose: bool,
    },
    /// Accept the current text of an applied migration as the applied one (after a
    /// deliberate edit that `check --db` reports as checksum-mismatch)
    Rebless {
        #[arg(allow_hyphen_values = true)]
        rev: String,
    },
    /// Report every finding: unreadable files, graph errors, missing or empty downgrades
    Check {
        /// Also report an off-by-default finding (version-gap)
        #[arg(long, value_name = "CODE")]
        enable: Vec<String>,
        /// Target PostgreSQL version for rules that depend on it (e.g. 11, 15)
        #[arg(long, value_name = "VERSION")]
        pg_version: Option<String>,
        /// Target MySQL version for rules that depend on it (e.g. 5.7, 8.0)
        #[arg(long, value_name = "VERSION")]
        mysql_version: Option<String>,
        /// REV and its ancestors are already deployed: lint the revisions after it as one
        /// plan (tables they create are new and exempt from locking rules)
        #[arg(long, value_name = "REV", allow_hyphen_values = true)]
        since: Option<String>,
        /// PR mode: compare with this git revision (new revisions, forks, edited migrations)
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        /// PR mode against the base's migrations folder instead of a git revision
        #[arg(long, value_name = "DIR", conflicts_with = "base")]
        base_dir: Option<String>,
        /// Exit 1 when a listed finding of this severity or worse exists (deployed revisions'
        /// counted findings never fail; default: migplan.toml's [check] fail-on, else error)
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Lint rules to run (default: migplan.toml's [rules] preset, else default)
        #[arg(long, value_enum)]
        preset: Option<Preset>,
        /// Apply the history to a scratch database (SQLite; with --db, a new database on that
        /// PostgreSQL or MySQL server, dropped afterwards): upgrade one revision at a time,
        /// compare the live tables, columns, indexes and constraints with the simulated
        /// schema, downgrade to base, upgrade again
        #[arg(long)]
        roundtrip: bool,
        /// List every finding: also those about deployed revisions (the PR's base, --since,
        /// migplan.toml's baseline), and every finding of a code that has more than 10
        #[arg(long)]
        all: bool,
        /// Compare the SQLAlchemy models (read statically through env.py's target_metadata)
        /// with the schema at head: `models-drift`, `model-not-imported`, ... (`alembic check`
        /// without a database)
        #[arg(long)]
        models: bool,
    },
    /// Record the deployed history in migplan.toml (`[check] baseline`): REV and its
    /// ancestors are deployed, and `check` then lists only what they break and what is new
    Baseline {
        /// Revisions (default: the current heads)
        #[arg(allow_hyphen_values = true)]
        revisions: Vec<String>,
    },
    /// Print the schema the migrations build up to REV (default: heads), simulated
    /// without a database: SQL DDL, or the schema as data with --format json
    Schema {
        #[arg(default_value = "heads", allow_hyphen_values = true)]
        rev: String,
    },
    /// Write a merge revision of the given revisions (`heads`: every head), as `alembic merge`
    Merge {
        /// Revisions to merge: `heads`, or two or more revisions
        #[arg(required = true)]
        revisions: Vec<String>,
        /// The merge revision's message
        #[arg(short = 'm', long = "message")]
        message: Option<String>,
        /// The new revision's id (default: 12 random hex digits)
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
        /// A branch label for the new revision
        #[arg(long, value_name = "LABEL")]
        branch_label: Option<String>,
    },
    /// Upgrade to a later version (with --sql: print the plan, as Alembic's offline mode)
    Upgrade {
        /// Target: head, heads, a revision, label@head, +N, or FROM:TO with --sql
        #[arg(allow_hyphen_values = true)]
        revision: String,
        #[command(flatten)]
        plan: PlanArgs,
    },
    /// Revert to a previous version (with --sql: FROM:TO)
    Downgrade {
        #[arg(allow_hyphen_values = true)]
        revision: String,
        #[command(flatten)]
        plan: PlanArgs,
    },
    /// Set the version table to a revision without running migrations
    Stamp {
        #[arg(required = true)]
        revisions: Vec<String>,
        #[command(flatten)]
        plan: PlanArgs,
        /// Delete every row of the version table first
        #[arg(long)]
        purge: bool,
    },
    /// Write a new, empty revision on the head, as `alembic revision -m MSG` (for plain-SQL
    /// folders, the files the folder's tool would create, with the next version)
    Revision {
        /// The revision's message (names the file)
        #[arg(short = 'm', long = "message")]
        message: Option<String>,
        /// The revision to base it on: head, base, label@head, or an id
        #[arg(long, value_name = "REV", default_value = "head", allow_hyphen_values = true)]
        head: String,
        /// Allow --head to name a revision that is not a head (a new branch)
        #[arg(long)]
        splice: bool,
        /// A branch label for the new revision
        #[arg(long, value_name = "LABEL")]
        branch_label: Option<String>,
        /// A revision the new one depends on (repeatable)
        #[arg(long, value_name = "REV")]
        depends_on: Vec<String>,
        /// The new revision's id (default: 12 random hex digits; the next version for SQL folders)
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
        /// The versions folder to write into, when there are several
        #[arg(long, value_name = "DIR")]
        version_path: Option<String>,
        /// Write the operations that bring the migrations in line with the SQLAlchemy
        /// models (read statically; nothing is imported or connected to)
        #[arg(long)]
        autogenerate: bool,
    },
}

/// Options shared by the plan commands.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanArgs {
    /// Print the SQL instead of running it (Alembic's offline mode)
    #[arg(long)]
    pub sql: bool,
    /// Whose version table to maintain (plain-SQL folders): alembic (default), or the tool's own
    #[arg(long, value_name = "TOOL", value_parser = ["alembic", "golang-migrate", "dbmate", "sqlx", "diesel", "flyway", "goose"])]
    pub bookkeeping: Option<String>,
    /// One transaction per migration (default: env.py's setting, else one for the run)
    #[arg(long)]
    pub transaction_per_migration: bool,
    /// Version table name (default: env.py's version_table, else alembic_version)
    #[arg(long)]
    pub version_table: Option<String>,
    /// Schema of the version table
    #[arg(long)]
    pub version_table_schema: Option<String>,
}
