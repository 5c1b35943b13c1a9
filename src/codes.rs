//! The registry of diagnostic codes: one table, code → name, default severity, summary.
//!
//! `docs/diagnostics.md` is checked against this table by a test, so a new code is one line
//! here plus its documentation line.

use serde::{Serialize, Serializer};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $sev:ident, $summary:literal;)*) => {
        /// A stable diagnostic code; its kebab-case name is what users see and configure.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }

    };
}

codes! {
    // Reading files
    BinaryFile => "binary-file", Error, "A file in a versions folder contains NUL bytes and cannot be a Python revision script.";
    InvalidEncoding => "invalid-encoding", Error, "A file is not valid UTF-8 and declares no Latin-1 coding cookie, so Python cannot import it.";
    TooComplex => "too-complex", Error, "A script nests brackets or blocks, or chains operators, beyond migplan's limits (no real migration does); it is not parsed.";
    PythonSyntaxError => "python-syntax-error", Error, "A revision script does not parse as Python; Alembic fails when it imports the file.";
    NotARevision => "not-a-revision", Warning, "A `.py` file in a versions folder has no `revision` variable and no legacy hex file name; Alembic refuses to load the folder.";
    NonLiteralRevisionAttribute => "non-literal-revision-attribute", Warning, "`revision`, `down_revision`, `branch_labels` or `depends_on` is not a literal that can be read without running Python.";
    MissingRevisionAttribute => "missing-revision-attribute", Error, "A revision script declares `revision` but no `down_revision`; Alembic fails with an AttributeError.";
    MissingUpgrade => "missing-upgrade", Error, "A revision script has no `upgrade()` function.";
    MissingDowngrade => "missing-downgrade", Warning, "A revision script has no `downgrade()` function, so it cannot be undone.";
    EmptyDowngrade => "empty-downgrade", Warning, "`downgrade()` does nothing (`pass`, `...` or only a docstring) in a revision that is not a merge.";
    EmptyUpgrade => "empty-upgrade", Info, "`upgrade()` does nothing in a revision that is not a merge.";
    // The revision graph
    InvalidRevisionId => "invalid-revision-id", Error, "A revision id is empty or contains one of `@ - + :`, which Alembic rejects.";
    DuplicateRevision => "duplicate-revision", Error, "Two files declare the same revision id; Alembic only warns and silently lets the later file win.";
    DuplicateBranchLabel => "duplicate-branch-label", Error, "A branch label is declared by two revisions, or equals a revision id.";
    MissingRevision => "missing-revision", Error, "A `down_revision` or `depends_on` names a revision (or branch label) that does not exist.";
    RevisionCycle => "revision-cycle", Error, "Revisions form a cycle through `down_revision` or `depends_on` (including a revision that names itself).";
    MultipleHeads => "multiple-heads", Warning, "The history has more than one head; `upgrade head` fails until the branches are merged.";
    // Plain-SQL migration folders
    UnknownLayout => "unknown-layout", Error, "A migrations folder matches none of the plain-SQL layouts migplan reads (or none of its files matches the layout forced with --layout).";
    UnrecognizedFile => "unrecognized-file", Warning, "A `.sql` file in a migrations folder does not follow the layout's naming, so the tool that owns the folder never runs it.";
    UnparsableVersion => "unparsable-version", Error, "A migration's version is not a number the tool can order (empty, not numeric, or larger than 2^64-1).";
    DuplicateVersion => "duplicate-version", Error, "Two migrations have the same version (`1_a.up.sql` and `001_b.up.sql` count as the same); the tool refuses the folder.";
    VersionGap => "version-gap", Info, "Sequential integer versions skip a number (off by default: enable with `check --enable version-gap`).";
    OrphanDown => "orphan-down", Warning, "A down migration has no up migration with the same version; it never runs.";
    MissingDown => "missing-down", Warning, "A plain-SQL migration has no down file or section, so it cannot be undone.";
    EmptyDown => "empty-down", Warning, "A plain-SQL migration's down file or section has no statements while its up has some.";
    RepeatableMigration => "repeatable-migration", Info, "A Flyway repeatable migration (`R__*.sql`): re-applied after the versioned ones whenever its checksum changes.";
    AtlasSumMismatch => "atlas-sum-mismatch", Error, "`atlas.sum` does not match the folder: a migration file was changed, added or removed without `atlas migrate hash`.";
    UnresolvedPlaceholder => "unresolved-placeholder", Warning, "A Flyway `${placeholder}` is used; its value is configuration migplan does not guess, so the plan shows it as written.";
    UnknownMetadataKey => "unknown-metadata-key", Warning, "A migration's `metadata.yaml` has a key migplan does not model; it is ignored, and the migration keeps its parents.";
    InvalidMetadata => "invalid-metadata", Error, "A migration's metadata file (`metadata.yaml`, `metadata.toml`) or directive cannot be read.";
    ToolRefusesMigration => "tool-refuses-migration", Error, "The tool that owns the folder refuses to run this migration as written (dbmate: a `DELIMITER` client command inside the one query it sends, or no `-- migrate:down` block).";
    FileTooLarge => "file-too-large", Error, "A migration file is larger than migplan's limit (16 MiB) and is not read.";
    SqlParseError => "sql-parse-error", Warning, "`sqlparser` rejects a statement for the dialect; it is kept verbatim in the plan.";
    UnparsedStatement => "unparsed-statement", Info, "A statement the database accepts but `sqlparser` cannot read (a routine body, a `DO` block...) is classified from its first words; checks on what it may change are skipped (one per file).";
    UnterminatedSql => "unterminated-sql", Error, "A string, quoted identifier, comment, dollar-quoted body or BEGIN … END block is never closed, so the rest of the section is one statement.";
    NonTransactionalStatement => "non-transactional-statement", Error, "A statement that cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`...) is in a migration its tool runs in a transaction.";
    // PR mode (`check --base`)
    ForkedHead => "forked-head", Error, "A revision the change adds and a revision already in the base share a parent: once merged, the history has two heads.";
    EditedAppliedMigration => "edited-applied-migration", Error, "A migration file that exists in the base was edited, renamed or deleted; applied migrations must not change.";
    OutOfOrderVersion => "out-of-order-version", Error, "A new migration of a version-ordered layout sorts below the base's newest version, so databases already past it skip it, refuse it or run it out of order.";
    // Plans
    OpaquePython => "opaque-python", Warning, "A statement in upgrade()/downgrade() needs Python or a database to know its SQL; the plan shows it as a comment.";
    UnsupportedOperation => "unsupported-operation", Error, "An operation cannot be rendered for the chosen dialect (Alembic would fail there too).";
    // The simulated schema and down paths
    UnknownObject => "unknown-object", Error, "A migration operates on a table, column, index, constraint, type, sequence or view that does not exist at that point of the history.";
    DuplicateObject => "duplicate-object", Error, "A migration creates a table, column, index, constraint, type, sequence or view that already exists at that point of the history.";
    DowngradeMismatch => "downgrade-mismatch", Warning, "Upgrading a revision and then downgrading it does not give back the schema it started from.";
    IrreversibleDowngrade => "irreversible-downgrade", Warning, "A downgrade raises NotImplementedError (or is marked `migplan: irreversible`), so the revision cannot be undone.";
    NoDownPath => "no-down-path", Warning, "From a head, `downgrade base` cannot reach every base: a revision on the way cannot be undone.";
    // Lint rules (src/lint/rules/, docs/rules.md)
    AddingNotNullColumn => "adding-not-null-column", Error, "A NOT NULL column without a default is added to an existing table; it fails as soon as the table has rows.";
    IndexWithoutConcurrently => "index-without-concurrently", Warning, "An index is built on an existing table without CONCURRENTLY, blocking writes while it builds.";
    ConcurrentlyInTransaction => "concurrently-in-transaction", Error, "An Alembic operation builds or drops an index CONCURRENTLY inside the migration's transaction, which the database refuses.";
    DropIndexWithoutConcurrently => "drop-index-without-concurrently", Warning, "An index of an existing table is dropped without CONCURRENTLY, locking the table.";
    ConstraintWithoutNotValid => "constraint-without-not-valid", Warning, "A foreign key or check constraint is added to an existing table without NOT VALID, checking every row under a lock.";
    SettingNotNull => "setting-not-null", Warning, "SET NOT NULL on an existing column scans the whole table under an exclusive lock.";
    ChangingColumnType => "changing-column-type", Warning, "A column's type changes on an existing table, rewriting it under an exclusive lock.";
    NarrowingVarchar => "narrowing-varchar", Warning, "A VARCHAR is shortened; it fails on longer stored values.";
    RenamingColumn => "renaming-column", Warning, "A column of an existing table is renamed, breaking the running application.";
    RenamingTable => "renaming-table", Warning, "An existing table is renamed, breaking the running application.";
    DroppingColumn => "dropping-column", Warning, "A column of an existing table is dropped: its data is lost.";
    DroppingTable => "dropping-table", Warning, "An existing table is dropped: its data is lost.";
    VolatileDefault => "volatile-default", Warning, "A column is added to an existing table with a default that forces a rewrite of every row.";
    UniqueConstraintWithoutIndex => "unique-constraint-without-index", Warning, "A unique constraint is added to an existing table without an existing index, building one while blocking writes.";
    PrimaryKeyWithoutIndex => "primary-key-without-index", Warning, "A primary key is added to an existing table without an existing index, building one while blocking writes.";
    EnumValueInTransaction => "enum-value-in-transaction", Warning, "`ALTER TYPE ... ADD VALUE` runs inside a transaction block (refused before PostgreSQL 12).";
    TruncateTable => "truncate-table", Warning, "TRUNCATE deletes every row of an existing table.";
    UpdateWithoutWhere => "update-without-where", Warning, "An UPDATE without WHERE rewrites every row of an existing table.";
    DeleteWithoutWhere => "delete-without-where", Warning, "A DELETE without WHERE removes every row of an existing table.";
    MissingLockTimeout => "missing-lock-timeout", Warning, "Locking DDL on an existing table runs with no lock timeout set, so queries queue behind it.";
    DdlMixedWithDml => "ddl-mixed-with-dml", Warning, "A migration mixes DDL and data changes on a database where DDL commits implicitly, so it is not atomic.";
    SqliteAlterOutsideBatch => "sqlite-alter-outside-batch", Error, "An ALTER that SQLite cannot do is run outside Alembic's batch mode.";
    TooManyTables => "too-many-tables", Warning, "A migration changes more than five existing tables; one migration per feature.";
    DataMigrationWithoutDowngrade => "data-migration-without-downgrade", Warning, "An upgrade changes existing rows but its downgrade changes no data.";
    PreferBigintPrimaryKey => "prefer-bigint-primary-key", Warning, "A table's single-column primary key is a 32-bit integer.";
    PreferTimestamptz => "prefer-timestamptz", Warning, "A column is TIMESTAMP WITHOUT TIME ZONE.";
    TableWithoutPrimaryKey => "table-without-primary-key", Warning, "A table is created without a primary key.";
    RenameColumnUnsupported => "rename-column-unsupported", Error, "RENAME COLUMN is used with a target server version that does not have it (MySQL before 8.0).";
    // A live database (`check --db`, the runner)
    ChecksumMismatch => "checksum-mismatch", Error, "A migration applied to the database was edited afterwards: its file differs from the text that ran.";
    UnknownDatabaseRevision => "unknown-database-revision", Error, "The database records a revision that no migration file defines.";
    MigrationInProgress => "migration-in-progress", Error, "A migration started and never finished (a run died half-way on a server without transactional DDL).";
    PendingMigration => "pending-migration", Info, "Revisions not applied to the database yet.";
    SchemaDrift => "schema-drift", Error, "`check --db`: the live database's schema differs from the schema the migrations build at its current revision (a change made by hand).";
    SchemaDriftUnknown => "schema-drift-unknown", Info, "`check --db`: a table whose simulated schema at the database's revision is not known (opaque steps); it is not compared with the live one.";
    RoundtripFailed => "roundtrip-failed", Error, "`check --roundtrip`: applying or undoing a revision on the scratch database failed.";
    RoundtripMismatch => "roundtrip-mismatch", Warning, "`check --roundtrip`: after a step, the scratch database's tables, columns, indexes or constraints differ from the simulated schema.";
    // Configuration
    ConfigError => "config-error", Error, "alembic.ini / pyproject.toml cannot be used: a missing section, key or path.";
    ScriptsOutsideVersionLocations => "scripts-outside-version-locations", Warning, "A versions folder's sub-folders hold revision scripts that the version locations do not read (env.py may register them in code); they are left out.";
    NonLiteralEnvOption => "non-literal-env-option", Warning, "A `context.configure(...)` option in env.py that matters for plans is not a literal, so it is not used.";
    // The models (`check --models`)
    ModelsDrift => "models-drift", Error, "The SQLAlchemy models and the schema the migrations build at head differ: autogenerate would emit this operation.";
    ModelNotImported => "model-not-imported", Warning, "A model class's module is never imported by env.py's import chain, so autogenerate does not see its table.";
    ModelOtherMetadata => "model-other-metadata", Warning, "A table belongs to a MetaData (or Base) other than env.py's `target_metadata`, so autogenerate does not see it.";
    ModelDuplicateTable => "model-duplicate-table", Error, "Two model classes (or `Table`s) declare the same table on one MetaData; SQLAlchemy refuses to import the second.";
    ModelUnknown => "model-unknown", Info, "A model table migplan cannot read statically (a column built by a function call, a dynamic `__tablename__`); it is left out of the comparison.";
}

impl Code {
    /// Problems that make the history itself unreliable (unreadable files, broken graph,
    /// bad configuration). Every command reports these; script-quality findings are left to
    /// `check`.
    pub fn is_load_problem(self) -> bool {
        !matches!(
            self,
            Code::MissingUpgrade
                | Code::MissingDowngrade
                | Code::EmptyDowngrade
                | Code::EmptyUpgrade
                | Code::MultipleHeads
                | Code::OpaquePython
                | Code::UnsupportedOperation
                | Code::MissingDown
                | Code::EmptyDown
                | Code::VersionGap
                | Code::RepeatableMigration
                | Code::SqlParseError
                | Code::UnparsedStatement
                | Code::UnresolvedPlaceholder
                | Code::NonTransactionalStatement
                | Code::UnrecognizedFile
                | Code::UnknownMetadataKey
                | Code::ChecksumMismatch
                | Code::UnknownDatabaseRevision
                | Code::MigrationInProgress
                | Code::PendingMigration
                | Code::SchemaDrift
                | Code::SchemaDriftUnknown
                | Code::RoundtripFailed
                | Code::RoundtripMismatch
                | Code::ModelsDrift
                | Code::ModelNotImported
                | Code::ModelOtherMetadata
                | Code::ModelDuplicateTable
                | Code::ModelUnknown
        ) && !self.is_validation()
    }

    /// Findings of the schema simulation and the lint rules (`check` only).
    pub fn is_validation(self) -> bool {
        (Code::UnknownObject..=Code::RenameColumnUnsupported).contains(&self)
    }
}

impl Code {
    /// Findings that break the project now, whichever revision they are about: the tool
    /// (Alembic or the folder's own) refuses to load the history, `upgrade head` fails, or a
    /// migration that already ran has changed. `check` lists these even for deployed
    /// revisions and they count for `--fail-on`; every other finding about a deployed
    /// revision is only counted (docs/diagnostics.md, "Deployed history").
    pub fn breaks_project(self) -> bool {
        matches!(
            self,
            // Files the history cannot be loaded from.
            Code::BinaryFile
                | Code::InvalidEncoding
                | Code::TooComplex
                | Code::PythonSyntaxError
                | Code::NotARevision
                | Code::MissingRevisionAttribute
                | Code::FileTooLarge
                | Code::UnknownLayout
                | Code::UnparsableVersion
                | Code::DuplicateVersion
                | Code::InvalidMetadata
                | Code::AtlasSumMismatch
                | Code::ConfigError
                // A graph that cannot be walked, or has no single head.
                | Code::InvalidRevisionId
                | Code::DuplicateRevision
                | Code::DuplicateBranchLabel
                | Code::MissingRevision
                | Code::RevisionCycle
                | Code::MultipleHeads
                // What a change does to the base, and a database that moved on.
                | Code::ForkedHead
                | Code::EditedAppliedMigration
                | Code::OutOfOrderVersion
                | Code::ChecksumMismatch
                | Code::UnknownDatabaseRevision
                | Code::MigrationInProgress
        )
    }
}

impl Code {
    /// Findings that are only reported when asked for (`check --enable CODE`).
    pub fn off_by_default(self) -> bool {
        matches!(self, Code::VersionGap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &code in Code::ALL {
            let name = code.name();
            assert!(seen.insert(name), "duplicate code name {name}");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{name}");
            assert_eq!(Code::from_name(name), Some(code));
            assert!(code.summary().ends_with('.'));
        }
    }

    #[test]
    fn what_breaks_a_project() {
        let breaking: Vec<&str> = Code::ALL.iter().filter(|c| c.breaks_project()).map(|c| c.name()).collect();
        for name in [
            "python-syntax-error",
            "revision-cycle",
            "missing-revision",
            "multiple-heads",
            "forked-head",
            "edited-applied-migration",
        ] {
            assert!(breaking.contains(&name), "{name}");
        }
        // Findings about how a migration is written are never among them.
        assert!(Code::ALL.iter().filter(|c| c.is_validation()).all(|c| !c.breaks_project()));
        for c in [Code::OpaquePython, Code::MissingDowngrade, Code::NoDownPath, Code::PendingMigration] {
            assert!(!c.breaks_project(), "{}", c.name());
        }
    }

    #[test]
    fn the_docs_name_exactly_the_codes_that_break_a_project() {
        let doc = include_str!("../docs/diagnostics.md");
        let start = doc
            .find("Findings that break the project now")
            .expect("docs/diagnostics.md: Deployed history");
        let end = start + doc[start..].find("The list is").expect("the paragraph ends naming the method");
        let named: std::collections::BTreeSet<&str> = doc[start..end].split('`').skip(1).step_by(2).collect();
        let breaking: std::collections::BTreeSet<&str> = Code::ALL.iter().filter(|c| c.breaks_project()).map(|c| c.name()).collect();
        assert_eq!(named, breaking);
    }

    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../docs/diagnostics.md");
        for &code in Code::ALL {
            assert!(
                doc.contains(&format!("`{}`", code.name())),
                "docs/diagnostics.md lacks {}",
                code.name()
            );
        }
    }
}
