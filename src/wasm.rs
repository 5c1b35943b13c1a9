//! The WebAssembly API (`pkg/`): the only module that knows about wasm-bindgen.
//!
//! Every function is a pure function of its arguments. Bad migration files become
//! diagnostics in the result, exactly as `migplan check --format json` reports them; misuse
//! (arguments of the wrong shape, unknown option values, input over the limits) throws a JS
//! `Error` whose message says what was wrong. Nothing may panic: a panic here would be an
//! `unreachable` trap in the caller, so the hook below at least names it on the console.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::Analysis;
use crate::api::{MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, Options};
use crate::dialect::Dialect;
use std::collections::BTreeMap;

use crate::render::diagnostics::CheckJson;
use crate::render::graph_json::GraphJson;
use crate::render::html;
use crate::source::SourceFile;

// Rust's default wasm allocator (dlmalloc) was a large share of the wasm profile, talc
// still ~14% of it: small blocks come from size-class free lists, the rest from talc.
#[cfg(target_feature = "atomics")]
compile_error!("the wasm allocator (src/small_alloc.rs) is single-threaded; a threads build needs a locked one");

#[global_allocator]
// SAFETY: wasm32-unknown-unknown without atomics runs this module on one thread (a threads
// build would need a locked allocator: see the compile_error below).
static ALLOCATOR: crate::small_alloc::SmallFirst<talc::wasm::WasmDynamicTalc> =
    unsafe { crate::small_alloc::SmallFirst::new(talc::wasm::new_wasm_dynamic_allocator()) };

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One migration file: its path as it should appear in diagnostics, and its text. */
export interface MigrationFile { path: string; text: string; }
/** Files as an array of `{ path, text }`, or a `Map` from path to text. */
export type MigrationFiles = MigrationFile[] | Map<string, string>;

export type Dialect = "postgresql" | "mysql" | "mariadb" | "sqlite";
export type Layout = "alembic" | "dag" | "diesel" | "atlas" | "flyway" | "dbmate" | "goose" | "golang-migrate" | "sqlx";
export type Severity = "error" | "warning" | "info";

export interface AnalyzeOptions {
  /** Force a layout; default: Alembic when any `.py` script is given, else detected. */
  layout?: Layout;
  /** Dialect used to split and check plain SQL (default postgresql). */
  dialect?: Dialect;
  /** The folders the paths are relative to (plain-SQL layouts); default: their common folder. */
  roots?: string[];
  /** Off-by-default codes to report (`version-gap`). */
  enable?: string[];
  /** Also return the drawn graph as SVG (`graph.svg`). */
  graphSvg?: boolean;
  /** Title of a rendered report. */
  title?: string;
  /** `analyze` only: also return this plan (`result.plan`), from the same reading of the files. */
  plan?: PlanOptions;
  /** The text of a `migplan.toml`: rule severities (`[rules]`) and server versions (`[check]`). */
  config?: string;
  /** Which lint rules run: "default" (high precision) or "strict" (adds hygiene rules); wins over `[rules] preset`. */
  preset?: "default" | "strict";
  /** Target server versions for the rules that depend on them ("15", "8.0"). */
  pgVersion?: string;
  mysqlVersion?: string;
  /** This revision and its ancestors are deployed: lint what follows as one plan. */
  since?: string;
  /** `schema` only: the revision whose schema to build (default "heads"). */
  revision?: string;
}

export interface Column { name: string; type: string; nullable: boolean; default: string | null; }
export interface Constraint {
  name: string | null;
  kind: "primary_key" | "unique" | "foreign_key" | "check";
  columns?: string[]; ref_table?: string; ref_columns?: string[]; expr?: string;
}
export interface Table { name: string; columns: Column[]; constraints: Record<string, Constraint>; unknown?: boolean; }
export interface Index { name: string; table: string; columns: string[]; unique: boolean; }
/** The simulated schema at a revision. */
export interface SchemaResult {
  revision: string[];
  dialect: Dialect;
  schema: { tables: Record<string, Table>; indexes: Record<string, Index>; types: Record<string, string[]>;
            sequences: string[]; views: string[]; uncertain?: boolean };
  /** The schema as SQL DDL. */
  sql: string;
  /** `unknown-object` / `duplicate-object` met on the way. */
  diagnostics: Diagnostic[];
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  file: string | null;
  /** 1-based line and column (columns count Unicode scalar values). */
  line: number | null;
  column: number | null;
  end_line: number | null;
  end_column: number | null;
  /** The span as UTF-16 offsets into the file's text (JS string indexes). */
  offset_utf16: number | null;
  end_offset_utf16: number | null;
  help: string | null;
  /** About a revision already deployed (`since`); listed because it breaks the project. */
  deployed: boolean;
}

export interface Repeatable { path: string; title: string; checksum: number; }

export interface GraphNode {
  revision: string;
  down_revisions: string[];
  depends_on: string[];
  branch_labels: string[];
  children: string[];
  path: string;
  message: string;
  create_date: string | null;
  is_head: boolean;
  is_real_head: boolean;
  is_base: boolean;
  is_branch_point: boolean;
  is_merge_point: boolean;
}

/** What `migplan check --format json` prints, plus the graph for drawing. */
export interface AnalyzeResult {
  layout: Layout | null;
  revisions: number;
  heads: string[];
  bases: string[];
  diagnostics: Diagnostic[];
  repeatables?: Repeatable[];
  /** Findings about deployed revisions (`since`, or `[check] baseline` in `config`) not listed, per code. */
  hidden: { code: string; severity: Severity; count: number }[];
  graph: {
    nodes: GraphNode[];
    /** Rows (newest first) and lanes; edges leave the child into `via_lane` and bend into the parent's lane. */
    layout: { lanes: number; nodes: { revision: string; row: number; lane: number }[];
              edges: { from_row: number; from_lane: number; to_row: number; to_lane: number; via_lane: number; dependency: boolean }[] };
    operations: Record<string, { upgrade: string[]; downgrade: string[] }>;
    worst: Record<string, Severity>;
    svg?: string;
  };
  /** When `options.plan` was given. */
  plan?: PlanResult;
}

/** Which files of a picked folder make the project. */
export interface ProjectSelection {
  kind: "alembic" | "sql" | "none";
  config: string | null;
  files: string[];
  roots: string[];
  dialect: Dialect | null;
  problem: string | null;
  /** Every project found, when there are several (the selection is one of them). */
  projects: string[];
  /** Findings about the selection itself (scripts the version locations leave out). */
  diagnostics: Diagnostic[];
}

export interface PlanOptions extends AnalyzeOptions {
  direction?: "upgrade" | "downgrade" | "stamp";
  /** Start of the range (`FROM:TO` in Alembic's offline mode). Downgrade default: "heads". */
  from?: string;
  /** Target: "head", "heads", a revision, "label@head", "+2"... Upgrade/stamp default "heads", downgrade "base". */
  to?: string;
  transactionPerMigration?: boolean;
  versionTable?: string;
  versionTableSchema?: string;
  /** Whose version table to maintain: "alembic" (default), "golang-migrate", "dbmate", "sqlx", "diesel", "flyway", "goose". */
  bookkeeping?: string;
  /** `-x key=value` arguments. */
  xArgs?: Record<string, string>;
}

export interface VersionChange { op: "insert" | "delete" | "update"; version?: string; from?: string; to?: string; }
export interface PlanStep {
  direction: "upgrade" | "downgrade" | "stamp";
  revision_id: string | null;
  from: string[];
  to: string[];
  create_version_table: boolean;
  version_changes: VersionChange[];
}
export interface PlanStatement {
  step: number | null;
  sql: string;
  kind: "migration" | "version-table" | "transaction" | "opaque" | "offline-only" | "comment";
  file: string | null;
  line: number | null;
}

/** What `migplan upgrade --sql --format json` prints; `error` alone when no plan can be made. */
export interface PlanResult {
  dialect?: Dialect;
  direction?: "upgrade" | "downgrade" | "stamp";
  start_heads?: string[];
  end_heads?: string[];
  steps?: PlanStep[];
  statements?: PlanStatement[];
  /** The `--sql` text. */
  sql?: string;
  error: string | null;
  diagnostics: Diagnostic[];
}

/** The options of `autogenerate`, as `migplan revision --autogenerate` takes them. */
export interface AutogenerateOptions {
  /** `-m`: the revision's message. */
  message?: string;
  /** `--rev-id`; default: 12 random hex digits. */
  revId?: string;
  /** `--head` (default "head"). */
  head?: string;
  /** Default: the dialect of the project's `sqlalchemy.url`, else postgresql. */
  dialect?: Dialect;
  /** Compare server defaults (env.py's `compare_server_default=True`). */
  compareServerDefault?: boolean;
  /** `-x key=value` arguments. */
  xArgs?: Record<string, string>;
}
/** A model migplan could not read statically: left out of the comparison. */
export interface UnknownTable {
  name: string | null;
  class_name: string | null;
  file: string;
  /** Byte offsets (UTF-8) into the file's text; the findings carry lines and UTF-16 offsets. */
  span: { start: number; end: number };
  why: string;
}
/** The models (every `.py` file given, as env.py's imports reach them) compared with the
 * schema the migrations build at head. */
export interface AutogenerateResult {
  /** The file `migplan revision --autogenerate` writes (through the project's
   * `script.py.mako`); null when the models and the migrations agree. */
  revision: string | null;
  /** Where it would be written; null with `revision`. */
  path: string | null;
  /** What `migplan check --models` reports: `models-drift`, `model-not-imported`, ... */
  findings: Diagnostic[];
  unknown: UnknownTable[];
}

export interface Limits { maxFiles: number; maxTotalBytes: number; maxFileBytes: number; }
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "MigrationFiles")]
    pub type Files;
    #[wasm_bindgen(typescript_type = "AnalyzeOptions")]
    pub type AnalyzeOptionsJs;
    #[wasm_bindgen(typescript_type = "PlanOptions")]
    pub type PlanOptionsJs;
    #[wasm_bindgen(typescript_type = "AnalyzeResult")]
    pub type AnalyzeResultJs;
    #[wasm_bindgen(typescript_type = "PlanResult")]
    pub type PlanResultJs;
    #[wasm_bindgen(typescript_type = "Limits")]
    pub type LimitsJs;
    #[wasm_bindgen(typescript_type = "SchemaResult")]
    pub type SchemaResultJs;
    #[wasm_bindgen(typescript_type = "ProjectSelection")]
    pub type ProjectSelectionJs;
    #[wasm_bindgen(typescript_type = "AutogenerateOptions")]
    pub type AutogenerateOptionsJs;
    #[wasm_bindgen(typescript_type = "AutogenerateResult")]
    pub type AutogenerateResultJs;
}

fn error(msg: impl AsRef<str>) -> JsValue {
    js_sys::Error::new(msg.as_ref()).into()
}

fn load(files: &[SourceFile], o: &Options) -> Result<Analysis, JsValue> {
    crate::api::load(files, o).map_err(error)
}

fn load_checked(files: &[SourceFile], o: &Options) -> Result<Analysis, JsValue> {
    crate::api::load_checked(files, o).map_err(error)
}

fn dialect(o: &Options) -> Result<&'static dyn Dialect, JsValue> {
    crate::api::dialect(o).map_err(error)
}

fn plan_value(a: &Analysis, o: &Options, texts: &BTreeMap<String, String>) -> Result<serde_json::Value, JsValue> {
    crate::api::plan_value(a, o, texts).map_err(error)
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&format!("migplan: internal error (please report): {info}").into());
        }));
    });
}

/// `[{path, text}]` or `Map<path, text>`, within the limits.
fn read_files(files: &JsValue) -> Result<Vec<SourceFile>, JsValue> {
    let out: Vec<SourceFile> = if let Some(map) = files.dyn_ref::<js_sys::Map>() {
        let mut out = Vec::with_capacity(map.size() as usize);
        let mut bad = None;
        map.for_each(&mut |value, key| match (key.as_string(), value.as_string()) {
            (Some(path), Some(text)) => out.push(SourceFile::new(path, text)),
            _ => bad = Some("files: a Map must map path strings to text strings"),
        });
        if let Some(b) = bad {
            return Err(error(b));
        }
        out
    } else if js_sys::Array::is_array(files) {
        let arr: &js_sys::Array = files.unchecked_ref();
        if arr.length() as usize > MAX_FILES {
            return Err(error(format!("files: {} files given; the limit is {MAX_FILES}", arr.length())));
        }
        serde_wasm_bindgen::from_value(files.clone())
            .map_err(|e| error(format!("files: expected an array of {{ path: string, text: string }}: {e}")))?
    } else {
        return Err(error(
            "files: expected an array of { path, text } objects or a Map from path to text",
        ));
    };
    crate::api::check_files(&out).map_err(error)?;
    Ok(out)
}

fn read_options(options: &JsValue) -> Result<Options, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(Options::default());
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Err(error("options: expected an object"));
    }
    let object: &js_sys::Object = options.unchecked_ref();
    let keys: Vec<String> = js_sys::Object::keys(object)
        .iter()
        .map(|k| k.as_string().unwrap_or_default())
        .collect();
    crate::api::check_option_keys(keys.iter().map(String::as_str)).map_err(error)?;
    serde_wasm_bindgen::from_value(options.clone()).map_err(|e| error(format!("options: {e}")))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    // One JSON string parsed by the engine builds large results several times faster than
    // creating each object through the JS boundary, and gives exactly the CLI's JSON values.
    let text = serde_json::to_string(value).map_err(|e| error(format!("internal: cannot build the result: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| error("internal: cannot build the result"))
}

#[derive(Serialize)]
struct AnalyzeOut<'a> {
    #[serde(flatten)]
    check: CheckJson<'a>,
    graph: GraphJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<serde_json::Value>,
}

/// Analyse migration files: the same data `migplan check --format json` prints, plus the
/// revision graph.
#[wasm_bindgen(js_name = analyze)]
pub fn analyze_js(files: &Files, options: Option<AnalyzeOptionsJs>) -> Result<AnalyzeResultJs, JsValue> {
    install_panic_hook();
    let files = read_files(files)?;
    let o = read_options(options.as_ref().map_or(&JsValue::UNDEFINED, |v| v.as_ref()))?;
    let (a, split) = crate::api::load_split(&files, &o).map_err(error)?;
    let texts: std::collections::BTreeMap<String, String> = files.into_iter().map(|f| (f.path, f.text)).collect();
    let out = AnalyzeOut {
        // As `check`: findings about deployed revisions (`since`, `[check] baseline`) that
        // do not break the project are counted in `hidden`, not listed.
        check: CheckJson {
            hidden: &split.hidden,
            ..CheckJson::located(&a, split.located(&texts))
        },
        graph: GraphJson::new(&a, o.graph_svg.unwrap_or(false)),
        plan: match &o.plan {
            Some(p) => Some(plan_value(&a, p, &texts)?),
            None => None,
        },
    };
    Ok(to_js(&out)?.unchecked_into())
}

/// A dry-run plan: the plan as data and its SQL text, identical to
/// `migplan upgrade|downgrade|stamp … --sql --format json`.
#[wasm_bindgen(js_name = plan)]
pub fn plan_js(files: &Files, options: Option<PlanOptionsJs>) -> Result<PlanResultJs, JsValue> {
    install_panic_hook();
    let files = read_files(files)?;
    let o = read_options(options.as_ref().map_or(&JsValue::UNDEFINED, |v| v.as_ref()))?;
    let a = load(&files, &o)?;
    let texts: BTreeMap<String, String> = files.into_iter().map(|f| (f.path, f.text)).collect();
    Ok(to_js(&plan_value(&a, &o, &texts)?)?.unchecked_into())
}

/// The schema the migrations build up to `options.revision` (default: every head),
/// simulated without a database: `{ revision, dialect, schema, sql, diagnostics }`, what
/// `migplan schema REV --format json` prints plus its SQL text.
#[wasm_bindgen(js_name = schema)]
pub fn schema_js(files: &Files, options: Option<AnalyzeOptionsJs>) -> Result<SchemaResultJs, JsValue> {
    install_panic_hook();
    let files = read_files(files)?;
    let o = read_options(options.as_ref().map_or(&JsValue::UNDEFINED, |v| v.as_ref()))?;
    let a = load(&files, &o)?;
    let d = dialect(&o)?;
    if let Some(c) = &a.map.cycle {
        return Err(error(format!("the history has no order: {}", c.message)));
    }
    let rev = o.revision.clone().unwrap_or_else(|| "heads".into());
    let targets: Vec<usize> = if rev == "base" {
        Vec::new()
    } else {
        a.map
            .get_revisions(&crate::resolve::RevArg::str(&rev))
            .map_err(|e| error(format!("options.revision: {}", e.message())))?
            .into_iter()
            .filter_map(crate::resolve::Pos::rev)
            .collect()
    };
    let (schema, problems) = crate::validate::schema_at(&a, &targets, d, &crate::parallel::Sequential);
    let texts: BTreeMap<String, String> = files.into_iter().map(|f| (f.path, f.text)).collect();
    let out = serde_json::json!({
        "revision": targets.iter().map(|&t| a.map.id(t)).collect::<Vec<_>>(),
        "dialect": d.name(),
        "schema": schema,
        "sql": crate::schema::render::schema_sql(&schema),
        "diagnostics": crate::render::diagnostics::locate_all(&problems, &texts),
    });
    Ok(to_js(&out)?.unchecked_into())
}

/// Which of a picked folder's files make the project (alembic.ini, pyproject.toml, a SQL
/// folder), decided as the CLI decides it: `{ kind, config, files, roots, dialect, problem }`.
#[wasm_bindgen(js_name = selectProject)]
pub fn select_project_js(files: &Files) -> Result<ProjectSelectionJs, JsValue> {
    install_panic_hook();
    let files = read_files(files)?;
    Ok(to_js(&crate::project::select(&files))?.unchecked_into())
}

/// Autogenerate without Python or a database: the revision `migplan revision
/// --autogenerate` would write and the findings of `migplan check --models`, from the
/// project's files (models, alembic.ini, env.py, script.py.mako, the migrations).
#[wasm_bindgen(js_name = autogenerate)]
pub fn autogenerate_js(files: &Files, options: Option<AutogenerateOptionsJs>) -> Result<AutogenerateResultJs, JsValue> {
    install_panic_hook();
    let files = read_files(files)?;
    let o: crate::api::AutogenOptions = match options.as_ref().map(|v| -> &JsValue { v.as_ref() }) {
        None => Default::default(),
        Some(v) if v.is_undefined() || v.is_null() => Default::default(),
        Some(v) if !v.is_object() || js_sys::Array::is_array(v) => return Err(error("options: expected an object")),
        Some(v) => {
            // A misspelt option would silently do nothing: refuse any key that is not one.
            let object: &js_sys::Object = v.unchecked_ref();
            for key in js_sys::Object::keys(object).iter().filter_map(|k| k.as_string()) {
                if !crate::api::AUTOGEN_OPTION_NAMES.contains(&key.as_str()) {
                    return Err(error(format!(
                        "options: unknown field `{key}` (known: {})",
                        crate::api::AUTOGEN_OPTION_NAMES.join(", ")
                    )));
                }
            }
            serde_wasm_bindgen::from_value(v.clone()).map_err(|e| error(format!("options: {e}")))?
        }
    };
    // Like Alembic's `uuid4().hex[-12:]`; the core has no randomness or clock of its own.
    let rev_id = o.rev_id.clone().unwrap_or_else(|| {
        (0..12)
            .map(|_| char::from_digit((js_sys::Math::random() * 16.0) as u32 % 16, 16).unwrap_or('0'))
            .collect()
    });
    let ms = js_sys::Date::now();
    let date = crate::timestamp::Timestamp::from_unix((ms / 1000.0).floor() as i64, ((ms % 1000.0) * 1000.0) as u32);
    let out = crate::api::autogenerate(&files, &o, &rev_id, &date).map_err(error)?;
    Ok(to_js(&out)?.unchecked_into())
}

/// The static report (the HTML `migplan report` writes, without a base) for the files.
#[wasm_bindgen(js_name = renderReport)]
pub fn render_report_js(files: &Files, options: Option<PlanOptionsJs>) -> Result<String, JsValue> {
    install_panic_hook();
    let files = read_files(files)?;
    let o = read_options(options.as_ref().map_or(&JsValue::UNDEFINED, |v| v.as_ref()))?;
    let a = load_checked(&files, &o)?;
    let texts: BTreeMap<String, String> = files.into_iter().map(|f| (f.path, f.text)).collect();
    let target = o.to.clone().unwrap_or_else(|| "heads".into());
    let plan = crate::dry_run::upgrade_sql(&a, &target, dialect(&o)?);
    let title = o.title.clone().unwrap_or_else(|| "migrations".into());
    Ok(html::report_html(&html::Report::new(&title, &a, &texts, None, Some(plan))))
}

/// The CSS of the graph and report (the page uses it so both look the same).
#[wasm_bindgen]
pub fn styles() -> String {
    html::CSS.to_string()
}

/// The migplan version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The input limits `analyze` and `plan` enforce.
#[wasm_bindgen]
pub fn limits() -> LimitsJs {
    let v = serde_json::json!({ "maxFiles": MAX_FILES, "maxTotalBytes": MAX_TOTAL_BYTES, "maxFileBytes": MAX_FILE_BYTES });
    to_js(&v).unwrap_or(JsValue::NULL).unchecked_into()
}
