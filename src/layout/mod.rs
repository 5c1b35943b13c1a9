//! Plain-SQL migration folders: each tool's layout (one file each) reads its file names and
//! directives into [`Migration`]s; [`load`] turns them into the same [`Revision`]s Alembic
//! scripts become, so the graph, checks, plans and renderers are shared.
//!
//! Pure: the caller lists and reads the files. Paths are matched relative to the folder
//! (`roots`) they were found under; a layout never touches the file system.

pub mod atlas;
pub mod dag;
pub mod dbmate;
pub mod diesel;
pub mod flyway;
pub mod golang_migrate;
pub mod goose;
pub mod sqlx;
mod version;

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::Digest;

use crate::codes::{Code, Severity};
use crate::diagnostic::Diagnostic;
use crate::dialect::Dialect;
use crate::model::{FunctionInfo, Revision, RevisionSpans, SqlSource};
use crate::ops::{Step, StepKind};
use crate::source::{LineIndex, SourceFile, Span};
pub use version::{VersionKey, parse_dotted_version, parse_int_version, timestamp_date};

/// Files a plain-SQL layout reads: migrations, metadata, integrity and script-config files.
pub fn is_folder_file(name: &str) -> bool {
    name == "atlas.sum" || [".sql", ".yaml", ".yml", ".toml", ".conf"].iter().any(|e| name.ends_with(e))
}

/// Config files next to a migrations folder whose connection URL names its database.
pub const DIALECT_HINT_FILES: &[&str] = &[".env", "flyway.conf", "flyway.toml", "dbconfig.yml", "diesel.toml", "atlas.hcl"];

/// Files larger than this are named in a diagnostic and not read.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// One file of a migrations folder.
#[derive(Clone, Copy, Debug)]
pub struct FolderFile<'a> {
    /// The path relative to the folder it was found in, `/`-separated.
    pub rel: &'a str,
    pub file: &'a SourceFile,
    /// Over [`MAX_FILE_BYTES`]: its text is treated as empty.
    pub too_large: bool,
}

impl<'a> FolderFile<'a> {
    pub fn text(&self) -> &'a str {
        if self.too_large { "" } else { &self.file.text }
    }
    /// The file name without its directories.
    pub fn name(&self) -> &'a str {
        self.rel.rsplit('/').next().unwrap_or(self.rel)
    }
    /// The directory part of `rel` (empty at the top level).
    pub fn dir(&self) -> &'a str {
        self.rel.rsplit_once('/').map_or("", |(d, _)| d)
    }
    pub fn whole(&self) -> Span {
        Span::new(0, self.text().len())
    }
}

/// Part of a file holding one direction of a migration.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    pub file: &'a SourceFile,
    /// The whole section (for locating it in diagnostics).
    pub span: Span,
    /// Ranges to split into statements, or (`true`) to keep whole as one statement (goose
    /// `StatementBegin` … `StatementEnd`).
    pub parts: Vec<(Span, bool)>,
}

impl<'a> Section<'a> {
    pub fn whole(f: &FolderFile<'a>) -> Self {
        Section::range(f, f.whole())
    }
    pub fn range(f: &FolderFile<'a>, span: Span) -> Self {
        Section {
            file: f.file,
            span,
            parts: vec![(span, false)],
        }
    }
}

/// What a layout reads for one migration.
#[derive(Clone, Debug)]
pub struct Migration<'a> {
    /// The revision id: the version as the tool writes it.
    pub version: String,
    pub key: VersionKey,
    pub title: String,
    /// The file the migration is named by (the up file, or its directory's up.sql).
    pub file: &'a SourceFile,
    pub up: Option<Section<'a>>,
    pub down: Option<Section<'a>>,
    /// Explicit parents (DAG folders); `None` chains by version order.
    pub parents: Option<Vec<String>>,
    pub transactional: bool,
    /// A Flyway repeatable migration (no version).
    pub repeatable: bool,
    /// The format has no down for it by design (sqlx single files, Atlas, Flyway without
    /// undo files): a missing down is info, not a warning.
    pub forward_only: bool,
}

impl<'a> Migration<'a> {
    /// A migration of a version-ordered layout (chained by version, with a down expected).
    pub fn ordered(
        version: &str,
        key: VersionKey,
        title: &str,
        file: &'a SourceFile,
        up: Option<Section<'a>>,
        down: Option<Section<'a>>,
        transactional: bool,
    ) -> Self {
        Migration {
            version: version.to_string(),
            key,
            title: title.to_string(),
            file,
            up,
            down,
            parents: None,
            transactional: transactional && !no_transaction_marker(&file.text),
            repeatable: false,
            forward_only: false,
        }
    }
}

/// The ordering key of an integer version, or `unparsable-version` for the file.
pub fn int_key(f: &FolderFile, version: &str, diags: &mut Vec<Diagnostic>) -> Option<VersionKey> {
    match parse_int_version(version) {
        Ok(k) => Some(k),
        Err(why) => {
            diags.push(bad_version(f, version, &why));
            None
        }
    }
}

/// A Flyway repeatable migration, listed apart from the versioned history.
#[derive(Clone, Debug, Serialize)]
pub struct Repeatable {
    pub path: String,
    pub title: String,
    /// Flyway's checksum: re-applied when it differs from the recorded one.
    pub checksum: i32,
    #[serde(skip)]
    pub steps: Vec<Step>,
}

/// One migration tool's folder layout. See the module docs.
pub trait Layout: Sync {
    /// The name users pass to `--layout` and see in reports.
    fn name(&self) -> &'static str;
    /// Whether the folder looks like this layout (layouts are tried in [`LAYOUTS`] order).
    fn detect(&self, files: &[FolderFile]) -> bool;
    /// Read the migrations; problems with single files go to `diags`.
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>>;
    /// How to run a migration outside a transaction with this tool.
    fn no_transaction_hint(&self) -> &'static str;
    /// The key the tool orders a version by (as written in [`crate::model::SqlSource`]), or
    /// `None` for layouts whose order is not the version's (DAG folders name their parents).
    fn version_key(&self, version: &str) -> Option<VersionKey> {
        parse_int_version(version).ok()
    }
    /// Whether the tool itself runs a migration whose statements cannot run in a
    /// transaction outside one (Flyway), instead of failing on them: `Some(mixed)`, where
    /// `mixed` says whether it also accepts such statements mixed with others.
    fn detects_non_transactional(&self, _files: &[FolderFile]) -> Option<bool> {
        None
    }
}

/// Every layout, in detection order: the most specific markers first.
pub const LAYOUTS: &[&dyn Layout] = &[
    &dag::Dag,
    &diesel::Diesel,
    &atlas::Atlas,
    &flyway::Flyway,
    &dbmate::Dbmate,
    &goose::Goose,
    &golang_migrate::GolangMigrate,
    &sqlx::Sqlx,
];

pub fn layout_by_name(name: &str) -> Option<&'static dyn Layout> {
    LAYOUTS.iter().copied().find(|l| l.name() == name)
}

pub fn layout_names() -> Vec<&'static str> {
    LAYOUTS.iter().map(|l| l.name()).collect()
}

/// Options for reading a folder.
pub struct LoadOptions<'d> {
    /// `--layout`: skip detection.
    pub layout: Option<&'static dyn Layout>,
    pub dialect: &'d dyn Dialect,
    /// Off-by-default codes that were asked for (`version-gap`).
    pub enable: Vec<Code>,
}

/// A folder read into revisions.
pub struct Loaded {
    pub layout: Option<&'static str>,
    pub revisions: Vec<Revision>,
    pub repeatables: Vec<Repeatable>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The path of `file` relative to the first root it is under.
pub fn relative<'a>(path: &'a str, roots: &[String]) -> &'a str {
    for r in roots {
        let r = r.trim_end_matches('/');
        if r.is_empty() || r == "." {
            return path.strip_prefix("./").unwrap_or(path);
        }
        if let Some(rest) = path.strip_prefix(r).and_then(|p| p.strip_prefix('/')) {
            return rest;
        }
    }
    path
}

/// The layout a folder's files match: what [`load`] reads it as without `--layout`.
pub fn detect(files: &[SourceFile], roots: &[String]) -> Option<&'static str> {
    let view: Vec<FolderFile> = files
        .iter()
        .map(|f| FolderFile {
            rel: relative(&f.path, roots),
            file: f,
            too_large: f.text.len() > MAX_FILE_BYTES,
        })
        .collect();
    LAYOUTS.iter().find(|l| l.detect(&view)).map(|l| l.name())
}

/// Read a plain-SQL migrations folder. `roots` are the folders the files were listed from
/// (several for Flyway's multiple locations); `files` are every file under them.
pub fn load(files: &[SourceFile], roots: &[String], opts: &LoadOptions) -> Loaded {
    let mut diags = Vec::new();
    let view: Vec<FolderFile> = files
        .iter()
        .map(|f| {
            let too_large = f.text.len() > MAX_FILE_BYTES;
            if too_large {
                diags.push(
                    Diagnostic::new(
                        Code::FileTooLarge,
                        format!(
                            "{} is {} bytes, over the {} MiB limit; it is not read",
                            f.path,
                            f.text.len(),
                            MAX_FILE_BYTES >> 20
                        ),
                    )
                    .at(&f.path, Span::empty(0))
                    .help("split the migration, or load bulk data outside migrations"),
                );
            }
            FolderFile {
                rel: relative(&f.path, roots),
                file: f,
                too_large,
            }
        })
        .collect();
    let layout = opts.layout.or_else(|| LAYOUTS.iter().copied().find(|l| l.detect(&view)));
    let Some(layout) = layout else {
        let sql_files = view.iter().filter(|f| f.rel.ends_with(".sql")).count();
        diags.push(
            Diagnostic::new(
                Code::UnknownLayout,
                format!(
                    "{} ({} file(s), {} .sql) matches no migration layout migplan reads",
                    roots.join(", "),
                    files.len(),
                    sql_files
                ),
            )
            .help(format!(
                "expected one of: {}; name it with --layout, or point -d at an Alembic versions folder",
                layout_names().join(", ")
            )),
        );
        return Loaded {
            layout: None,
            revisions: Vec::new(),
            repeatables: Vec::new(),
            diagnostics: diags,
        };
    };
    let migrations = layout.read(&view, &mut diags);
    if migrations.is_empty() && !files.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::UnknownLayout,
                format!("no file in {} is a {} migration", roots.join(", "), layout.name()),
            )
            .help(format!("expected one of: {}", layout_names().join(", "))),
        );
    }
    let detects = layout.detects_non_transactional(&view);
    let (revisions, repeatables) = build(layout, migrations, detects, opts, &mut diags);
    Loaded {
        layout: Some(layout.name()),
        revisions,
        repeatables,
        diagnostics: diags,
    }
}

/// Migrations → revisions: order, duplicate versions, chaining, statements, and the
/// per-migration checks.
fn build(
    layout: &dyn Layout,
    mut migs: Vec<Migration>,
    detects: Option<bool>,
    opts: &LoadOptions,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Revision>, Vec<Repeatable>) {
    let d = opts.dialect;
    let mut line_indexes: BTreeMap<String, LineIndex> = BTreeMap::new();
    let mut statements = |section: &Section, diags: &mut Vec<Diagnostic>| -> Vec<Step> {
        let lines = line_indexes
            .entry(section.file.path.clone())
            .or_insert_with(|| LineIndex::new(&section.file.text));
        let mut steps = Vec::new();
        for &(span, whole) in &section.parts {
            if whole {
                steps.extend(crate::sql::read_block(section.file, span, d, lines, diags));
            } else {
                steps.extend(crate::sql::read_statements(section.file, span, d, lines, diags));
            }
        }
        steps
    };

    let (repeat, mut migs): (Vec<Migration>, Vec<Migration>) = std::mem::take(&mut migs).into_iter().partition(|m| m.repeatable);
    migs.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.file.path.cmp(&b.file.path)));

    let mut revisions: Vec<Revision> = Vec::new();
    // Linear layouts collide on the version's value, DAG folders on the id.
    let mut seen: BTreeMap<(VersionKey, String), String> = BTreeMap::new();
    let mut prev_key: Option<VersionKey> = None;
    for m in migs {
        let identity = match m.parents {
            Some(_) => (VersionKey::Parts(Vec::new()), m.version.clone()),
            None => (m.key.clone(), String::new()),
        };
        if let Some(first) = seen.get(&identity) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateVersion,
                    format!("version {} of {} is already used by {}", m.version, m.file.path, first),
                )
                .at(&m.file.path, Span::empty(0))
                .help("give one of them the next free version; this one is left out of the history"),
            );
            continue;
        }
        seen.insert(identity, m.file.path.clone());
        if opts.enable.contains(&Code::VersionGap)
            && m.parents.is_none()
            && let (Some(p), Some(cur)) = (prev_key.as_ref().and_then(VersionKey::small_int), m.key.small_int())
            && cur > p + 1
        {
            diags.push(
                Diagnostic::new(Code::VersionGap, format!("versions jump from {p} to {cur} at {}", m.file.path))
                    .at(&m.file.path, Span::empty(0))
                    .help("a missing number often means a migration was deleted or is still on another branch"),
            );
        }
        prev_key = Some(m.key.clone());

        let upgrade_steps = m.up.as_ref().map(|s| statements(s, diags)).unwrap_or_default();
        let downgrade_steps = m.down.as_ref().map(|s| statements(s, diags)).unwrap_or_default();
        let mut m = m;
        let mixed_refused = match detects {
            Some(mixed) => detect_transaction(layout, &mut m, &upgrade_steps, mixed, d, diags),
            None => false,
        };
        if !mixed_refused {
            check_transactions(layout, &m, m.up.as_ref(), &upgrade_steps, d, diags);
        }
        check_transactions(layout, &m, m.down.as_ref(), &downgrade_steps, d, diags);
        check_down(layout, &m, &upgrade_steps, &downgrade_steps, diags);

        let down_revisions = match &m.parents {
            Some(p) => p.clone(),
            None => revisions.last().map(|r| vec![r.id.clone()]).unwrap_or_default(),
        };
        // The up section's text (the whole file for one-file-per-direction layouts).
        let up_text = m.up.as_ref().map_or("", |s| &s.file.text[s.span.range()]);
        revisions.push(Revision {
            id: m.version.clone(),
            down_revisions,
            depends_on: Vec::new(),
            branch_labels: Vec::new(),
            path: m.file.path.clone(),
            doc: m.title.replace('_', " "),
            create_date: version::timestamp_date(&m.version),
            upgrade: FunctionInfo {
                present: m.up.is_some(),
                empty: upgrade_steps.is_empty(),
                span: m.up.as_ref().map(|s| s.span).unwrap_or_default(),
            },
            downgrade: FunctionInfo {
                present: m.down.is_some(),
                empty: downgrade_steps.is_empty(),
                span: m.down.as_ref().map(|s| s.span).unwrap_or_default(),
            },
            spans: RevisionSpans::default(),
            down_revision_unknown: false,
            upgrade_steps,
            downgrade_steps,
            transactional: m.transactional,
            sql: Some(Box::new(SqlSource {
                layout: layout.name(),
                version: m.version.clone(),
                title: m.title.clone(),
                up_path: m.up.as_ref().map(|s| s.file.path.clone()),
                down_path: m.down.as_ref().map(|s| s.file.path.clone()),
                crc32: flyway_checksum(up_text),
                sha384: hex(&sha2::Sha384::digest(up_text.as_bytes())),
            })),
        });
    }
    // Migrations with explicit parents keep their id order; the graph orders them.
    let repeatables = repeat
        .into_iter()
        .map(|m| {
            let steps = m.up.as_ref().map(|s| statements(s, diags)).unwrap_or_default();
            let checksum = flyway_checksum(&m.file.text);
            diags.push(
                Diagnostic::new(
                    Code::RepeatableMigration,
                    format!(
                        "{} is a repeatable migration (checksum {}): it is re-applied after the versioned migrations whenever its checksum changes",
                        m.file.path, checksum
                    ),
                )
                .at(&m.file.path, Span::empty(0))
                .help("keep it idempotent (CREATE OR REPLACE); it is listed apart from the versioned history"),
            );
            Repeatable {
                path: m.file.path.clone(),
                title: m.title.replace('_', " "),
                checksum,
                steps,
            }
        })
        .collect();
    (revisions, repeatables)
}

/// `-- migplan: no-transaction` on a line of its own: run this migration outside a
/// transaction whatever its tool's default (for `CREATE INDEX CONCURRENTLY` and friends).
pub fn no_transaction_marker(text: &str) -> bool {
    text.lines().any(|l| l.trim().eq_ignore_ascii_case("-- migplan: no-transaction"))
}

/// A tool that detects statements which cannot run in a transaction (Flyway) runs a
/// migration made only of them, or any migration holding one when `mixed` is set, outside a
/// transaction; without `mixed` it refuses a migration that mixes them with others. Returns
/// whether it refuses (reported here).
fn detect_transaction(
    layout: &dyn Layout,
    m: &mut Migration,
    steps: &[Step],
    mixed: bool,
    d: &dyn Dialect,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if !m.transactional || !d.transactional_ddl() {
        return false;
    }
    let no_tx = |s: &Step| matches!(&s.kind, StepKind::Op(crate::ops::Op::Sql(st)) if st.class.no_transaction);
    let Some(first) = steps.iter().find(|s| no_tx(s)) else {
        return false;
    };
    if mixed || steps.iter().all(no_tx) {
        m.transactional = false;
        return false;
    }
    let path = m.up.as_ref().map_or(&m.file.path, |s| &s.file.path);
    let statement = match &first.kind {
        StepKind::Op(crate::ops::Op::Sql(st)) => st.sql.lines().next().unwrap_or("").trim().to_string(),
        _ => String::new(),
    };
    diags.push(
        Diagnostic::new(
            Code::NonTransactionalStatement,
            format!(
                "{} refuses migration {}: `{statement}` (line {}) cannot run inside a transaction and the migration mixes it with statements that can",
                layout.name(),
                m.version,
                first.lines.0
            ),
        )
        .at(path, first.span)
        .help("move the statement into a migration of its own, or set `mixed = true` in the tool's configuration"),
    );
    true
}

/// `section` is where `steps` were read from: the up or the down file (Flyway's `U…` undo
/// file and golang-migrate's `.down.sql` are other files than the migration's).
fn check_transactions(
    layout: &dyn Layout,
    m: &Migration,
    section: Option<&Section>,
    steps: &[Step],
    d: &dyn Dialect,
    diags: &mut Vec<Diagnostic>,
) {
    if !m.transactional || !d.transactional_ddl() {
        return;
    }
    let path = section.map_or(&m.file.path, |s| &s.file.path);
    for s in steps {
        if let StepKind::Op(crate::ops::Op::Sql(st)) = &s.kind
            && st.class.no_transaction
        {
            let first_line = st.sql.lines().next().unwrap_or("");
            diags.push(
                Diagnostic::new(
                    Code::NonTransactionalStatement,
                    format!(
                        "`{}` (line {}) cannot run inside a transaction block, and {} runs migration {} in one",
                        first_line.trim(),
                        s.lines.0,
                        layout.name(),
                        m.version
                    ),
                )
                .at(path, s.span)
                .help(layout.no_transaction_hint()),
            );
        }
    }
}

fn check_down(layout: &dyn Layout, m: &Migration, up: &[Step], down: &[Step], diags: &mut Vec<Diagnostic>) {
    match &m.down {
        None => {
            let mut diag = Diagnostic::new(
                Code::MissingDown,
                format!(
                    "migration {} ({}) has no down migration, so it cannot be undone",
                    m.version, m.file.path
                ),
            )
            .at(&m.file.path, Span::empty(0));
            if m.forward_only {
                diag = diag.severity(Severity::Info).help(format!(
                    "{} migrations are forward-only here; write the reverse as a new migration when one is needed",
                    layout.name()
                ));
            } else {
                diag = diag.help("add the down migration that reverses the up (drop what it creates, restore what it drops)");
            }
            diags.push(diag);
        }
        Some(section) if down.is_empty() && !up.is_empty() => diags.push(
            Diagnostic::new(
                Code::EmptyDown,
                format!("the down migration of {} has no statements, but its up has {}", m.version, up.len()),
            )
            .at(&section.file.path, section.span)
            .help("write the statements that reverse the up, or mark the migration as irreversible in review"),
        ),
        _ => {}
    }
}

/// Flyway's checksum: CRC32 over the UTF-8 bytes of each line without its line break.
pub fn flyway_checksum(text: &str) -> i32 {
    let mut crc = !0u32;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for line in text.split('\n') {
        crc = crc32_update(crc, line.strip_suffix('\r').unwrap_or(line).as_bytes());
    }
    !crc as i32
}

/// CRC-32 (IEEE 802.3, zlib's and `java.util.zip.CRC32`'s) a byte at a time: a 1 KB table,
/// where crc32fast's slice-by-16 tables were 16 KB of the wasm package (incompressible).
const CRC32_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

fn crc32_update(mut crc: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        crc = CRC32_TABLE[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `{version}_{title}` → (version, title); the title may be empty (`0001.up.sql`).
pub fn split_name(stem: &str) -> (&str, &str) {
    match stem.split_once('_') {
        Some((v, t)) => (v, t),
        None => (stem, ""),
    }
}

/// `unrecognized-file` for a `.sql` file the layout does not run.
pub fn unrecognized(f: &FolderFile, layout: &str, expected: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnrecognizedFile,
        format!("{} is not a {layout} migration file name, so {layout} never runs it", f.file.path),
    )
    .at(&f.file.path, Span::empty(0))
    .help(format!("{layout} migrations are named {expected}"))
}

/// `unparsable-version` for a file whose version cannot be ordered.
pub fn bad_version(f: &FolderFile, version: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnparsableVersion,
        format!("{}: version `{version}` {why}; the migration is left out", f.file.path),
    )
    .at(&f.file.path, Span::empty(0))
    .help("versions are unsigned integers (or timestamps) that fit in 64 bits")
}

/// The line starting at `at` ends here (after its line break).
pub fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |p| at + p + 1)
}

/// Lines of `text` as (start offset, line without break).
pub fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = pos;
        pos += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

/// `{version}_{title}.up.sql` / `.down.sql` pairs at the top of the folder (golang-migrate,
/// sqlx). `single` also takes `{version}_{title}.sql` files as up-only migrations.
pub fn read_pairs<'a>(
    files: &[FolderFile<'a>],
    layout: &str,
    single: bool,
    transactional: impl Fn(&FolderFile) -> bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Migration<'a>> {
    let mut by_version: Vec<(VersionKey, Migration<'a>)> = Vec::new();
    let mut downs: Vec<(VersionKey, FolderFile<'a>, String)> = Vec::new();
    for f in files {
        if !f.dir().is_empty() || !f.rel.ends_with(".sql") {
            continue;
        }
        let name = f.name();
        let (stem, dir) = if let Some(s) = name.strip_suffix(".up.sql") {
            (s, Some(true))
        } else if let Some(s) = name.strip_suffix(".down.sql") {
            (s, Some(false))
        } else if single {
            (name.strip_suffix(".sql").unwrap_or(name), None)
        } else {
            diags.push(unrecognized(f, layout, "{version}_{title}.up.sql and {version}_{title}.down.sql"));
            continue;
        };
        let (version, title) = split_name(stem);
        if !version.bytes().all(|b| b.is_ascii_digit()) || version.is_empty() {
            diags.push(unrecognized(
                f,
                layout,
                "{version}_{title}.up.sql and .down.sql, the version an integer",
            ));
            continue;
        }
        let key = match parse_int_version(version) {
            Ok(k) => k,
            Err(why) => {
                diags.push(bad_version(f, version, &why));
                continue;
            }
        };
        if dir == Some(false) {
            downs.push((key, *f, version.to_string()));
            continue;
        }
        // Two up files with one version: both kept, the duplicate is reported later.
        by_version.push((
            key.clone(),
            Migration {
                version: version.to_string(),
                key,
                title: title.to_string(),
                file: f.file,
                up: Some(Section::whole(f)),
                down: None,
                parents: None,
                transactional: transactional(f) && !no_transaction_marker(&f.file.text),
                repeatable: false,
                forward_only: dir.is_none(),
            },
        ));
    }
    for (key, f, version) in downs {
        match by_version.iter_mut().find(|(k, m)| *k == key && m.down.is_none()) {
            Some((_, m)) => m.down = Some(Section::whole(&f)),
            None => diags.push(orphan_down(&f, &version)),
        }
    }
    by_version.into_iter().map(|(_, m)| m).collect()
}

pub fn orphan_down(f: &FolderFile, version: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OrphanDown,
        format!(
            "{} is a down migration for version {version}, which has no up migration",
            f.file.path
        ),
    )
    .at(&f.file.path, Span::empty(0))
    .help("rename it to match its up migration, or delete it")
}

/// The database named by the first connection URL in a config text (`DATABASE_URL=postgres://…`,
/// `flyway.url=jdbc:mysql://…`).
pub fn dialect_from_text(text: &str) -> Option<&'static dyn Dialect> {
    const SCHEMES: &[(&str, &str)] = &[
        ("postgres://", "postgresql"),
        ("postgresql://", "postgresql"),
        ("jdbc:postgresql:", "postgresql"),
        ("mysql://", "mysql"),
        ("jdbc:mysql:", "mysql"),
        ("mariadb://", "mariadb"),
        ("jdbc:mariadb:", "mariadb"),
        ("sqlite:", "sqlite"),
        ("sqlite3:", "sqlite"),
        ("jdbc:sqlite:", "sqlite"),
    ];
    let lower = text.to_ascii_lowercase();
    SCHEMES
        .iter()
        .filter_map(|(s, d)| lower.find(s).map(|p| (p, *d)))
        .min_by_key(|(p, _)| *p)
        .and_then(|(_, d)| crate::dialect::dialect_from_name(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_sql_folder;
    use crate::dialect::postgresql::PostgreSQL;

    fn files(list: &[(&str, &str)]) -> Vec<SourceFile> {
        list.iter().map(|(p, t)| SourceFile::new(format!("m/{p}"), *t)).collect()
    }

    fn opts(layout: Option<&str>) -> LoadOptions<'static> {
        LoadOptions {
            layout: layout.and_then(layout_by_name),
            dialect: &PostgreSQL,
            enable: vec![Code::VersionGap],
        }
    }

    fn detected(list: &[(&str, &str)]) -> Option<&'static str> {
        load(&files(list), &["m".into()], &opts(None)).layout
    }

    #[test]
    fn each_layout_is_detected_from_its_files() {
        assert_eq!(
            detected(&[("1_a.up.sql", "SELECT 1;"), ("1_a.down.sql", "")]),
            Some("golang-migrate")
        );
        assert_eq!(
            detected(&[("1_a.sql", "SELECT 1;"), ("2_b.up.sql", ""), ("2_b.down.sql", "")]),
            Some("sqlx")
        );
        assert_eq!(
            detected(&[("1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n")]),
            Some("dbmate")
        );
        assert_eq!(detected(&[("1_a.sql", "-- +goose Up\nSELECT 1;\n")]), Some("goose"));
        assert_eq!(detected(&[("1_a.sql", "SELECT 1;"), ("atlas.sum", "h1:x\n")]), Some("atlas"));
        assert_eq!(detected(&[("V1__a.sql", "SELECT 1;")]), Some("flyway"));
        assert_eq!(detected(&[("2024-01-01-000000_a/up.sql", "SELECT 1;")]), Some("diesel"));
        assert_eq!(
            detected(&[("a1_x/up.sql", ""), ("a1_x/metadata.yaml", "parents: []\n")]),
            Some("dag")
        );
        assert_eq!(detected(&[("notes.txt.sql", "SELECT 1;")]), None);
    }

    #[test]
    fn dbmate_refusals_are_errors_once_per_file() {
        let list = [
            (
                "1_proc.sql",
                "-- migrate:up\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\ndelimiter ;\n-- migrate:down\nDROP PROCEDURE p;\n",
            ),
            ("2_fill.sql", "-- migrate:up\nUPDATE t SET x = 1;\n"),
            (
                "3_ok.sql",
                "-- migrate:up\nCREATE TABLE u (x int);\n-- migrate:down\n-- DELIMITER in a comment is fine\n",
            ),
        ];
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(None));
        let refused: Vec<&str> = a
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::ToolRefusesMigration)
            .map(|d| d.file.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(refused, ["m/1_proc.sql", "m/2_fill.sql"]);
    }

    #[test]
    fn a_dag_folder_merges_four_parents() {
        // Ids are the prefix before the first `_`: `b_1` and `b_2` are both `b`.
        let list = [
            ("a_base/up.sql", "CREATE TABLE t (x int);"),
            ("a_base/metadata.yaml", "parents: []\n"),
            ("b_1/up.sql", ""),
            ("b_1/metadata.yaml", "parents: [a]\n"),
            ("b_2/up.sql", ""),
            ("b_2/metadata.yaml", "parents: [a]\n"),
        ];
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(None));
        assert_eq!(a.layout, Some("dag"));
        assert!(a.diagnostics.iter().any(|d| d.code == Code::DuplicateVersion));

        let list = [
            ("a/up.sql", "CREATE TABLE t (x int);"),
            ("a/metadata.yaml", "parents: []\n"),
            ("b1/up.sql", ""),
            ("b1/metadata.yaml", "parents: [a]\n"),
            ("b2/up.sql", ""),
            ("b2/metadata.yaml", "parents: [a]\n"),
            ("b3/up.sql", ""),
            ("b3/metadata.yaml", "parents: [a]\n"),
            ("b4/up.sql", ""),
            ("b4/metadata.yaml", "parents: [a]\n"),
            ("c/up.sql", ""),
            ("c/metadata.yaml", "parents: [b1, b2, 'b3', \"b4\"]\n"),
        ];
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(None));
        let c = a.map.by_id["c"];
        assert_eq!(a.map.node(c).down_ids.len(), 4);
        assert_eq!(a.map.heads.len(), 1);
        assert!(a.map.node(a.map.by_id["a"]).is_branch_point());
    }

    #[test]
    fn no_transaction_marker_takes_a_migration_out_of_its_transaction() {
        let list = [
            ("1_a.up.sql", "-- migplan: no-transaction\nCREATE INDEX CONCURRENTLY ix ON t (x);"),
            ("1_a.down.sql", "DROP INDEX ix;"),
            ("2_b.up.sql", "CREATE INDEX CONCURRENTLY iy ON t (y);"),
            ("2_b.down.sql", "DROP INDEX iy;"),
        ];
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(Some("sqlx")));
        let rev = |id: &str| &a.revisions[a.map.node(a.map.by_id[id]).rev];
        assert!(!rev("1").transactional);
        assert!(rev("2").transactional);
        let flagged: Vec<&str> = a
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::NonTransactionalStatement)
            .filter_map(|d| d.file.as_deref())
            .collect();
        assert_eq!(flagged, ["m/2_b.up.sql"]);
    }

    #[test]
    fn flyway_runs_what_cannot_run_in_a_transaction_outside_one() {
        let list = [
            ("V1__t.sql", "CREATE TABLE t (x int, y int);"),
            ("V2__ix.sql", "CREATE INDEX CONCURRENTLY ix ON t (x);"),
            (
                "V3__mixed.sql",
                "ALTER TABLE t ADD COLUMN z int;\nCREATE INDEX CONCURRENTLY iy ON t (y);",
            ),
        ];
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(Some("flyway")));
        let rev = |id: &str| &a.revisions[a.map.node(a.map.by_id[id]).rev];
        assert!(rev("1").transactional);
        // Only statements that cannot run in a transaction: Flyway runs it outside one.
        assert!(!rev("2").transactional);
        // Mixed without `mixed = true`: Flyway refuses the migration.
        let refused: Vec<&Diagnostic> = a.diagnostics.iter().filter(|d| d.code == Code::NonTransactionalStatement).collect();
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(refused[0].message.contains("flyway refuses migration 3"), "{}", refused[0].message);

        // `mixed = true` in the folder's flyway.toml: run outside a transaction, no finding.
        let mut list = list.to_vec();
        list.push(("flyway.toml", "[flyway]\nmixed = true\n"));
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(Some("flyway")));
        assert!(!a.diagnostics.iter().any(|d| d.code == Code::NonTransactionalStatement));
        assert!(!a.revisions[a.map.node(a.map.by_id["3"]).rev].transactional);
    }

    #[test]
    fn forced_layout_and_version_rules() {
        // golang-migrate names read as sqlx when forced: transactional, so CONCURRENTLY is flagged.
        let list = [
            ("1_a.up.sql", "CREATE INDEX CONCURRENTLY ix ON t (x);"),
            ("1_a.down.sql", "DROP INDEX ix;"),
            ("3_c.up.sql", "SELECT 1;"),
            ("3_c.down.sql", "SELECT 1;"),
        ];
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(Some("sqlx")));
        assert_eq!(a.layout, Some("sqlx"));
        let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::NonTransactionalStatement), "{codes:?}");
        assert!(codes.contains(&Code::VersionGap), "{codes:?}");
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(None));
        assert!(!a.diagnostics.iter().any(|d| d.code == Code::NonTransactionalStatement));
        // Forcing a layout no file matches says so.
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(Some("flyway")));
        assert!(a.diagnostics.iter().any(|d| d.code == Code::UnknownLayout));
    }

    #[test]
    fn flyway_orders_versions_numerically_and_lists_repeatables() {
        let list = [
            ("V1.10__c.sql", "SELECT 3;"),
            ("V1_2__b.sql", "SELECT 2;"),
            ("V1__a.sql", "SELECT ${who};"),
            ("R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;"),
        ];
        let a = analyze_sql_folder(&files(&list), &["m".into()], &opts(None));
        let order: Vec<&str> = a.revisions.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(order, ["1", "1.2", "1.10"]);
        assert_eq!(a.revisions[2].down_revisions, ["1.2"]);
        assert_eq!(a.repeatables.len(), 1);
        assert_eq!(a.map.len(), 3);
        assert!(a.diagnostics.iter().any(|d| d.code == Code::UnresolvedPlaceholder));
    }

    #[test]
    fn dialect_hints_from_config_text() {
        assert_eq!(
            dialect_from_text("DATABASE_URL=postgres://u@h/db").map(|d| d.name()),
            Some("postgresql")
        );
        assert_eq!(dialect_from_text("flyway.url=jdbc:mysql://h/db").map(|d| d.name()), Some("mysql"));
        assert_eq!(
            dialect_from_text("flyway.url=jdbc:mariadb://h/db").map(|d| d.name()),
            Some("mariadb")
        );
        assert_eq!(
            dialect_from_text("DATABASE_URL=mariadb://u@h/db").map(|d| d.name()),
            Some("mariadb")
        );
        assert_eq!(dialect_from_text("DATABASE_URL=sqlite:./app.db").map(|d| d.name()), Some("sqlite"));
        assert!(dialect_from_text("nothing here").is_none());
    }

    #[test]
    fn crc32_is_ieee() {
        // The standard check value, and Flyway's checksum of a one-line file is its CRC32.
        assert_eq!(!crc32_update(!0, b"123456789"), 0xCBF4_3926);
        assert_eq!(flyway_checksum("123456789"), 0xCBF4_3926_u32 as i32);
        assert_eq!(flyway_checksum(""), 0);
    }

    #[test]
    fn flyway_checksum_ignores_line_endings() {
        assert_eq!(flyway_checksum("a\nb\n"), flyway_checksum("a\r\nb\r\n"));
        assert_ne!(flyway_checksum("a\nb\n"), flyway_checksum("a\nc\n"));
    }
}
