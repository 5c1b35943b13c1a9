//! Declarative classes and `Table(...)` calls of one module, read into [`ModelTable`]s.
//!
//! Project names are bound in each module's scope as marker paths the evaluator carries
//! through attribute access: `__base__.<id>` (a declarative Base), `__metadata__.<id>` (a
//! `MetaData`), `__class__.<id>` (a mapped class or mixin), `__enum__.<id>` (an
//! `enum.Enum`), `__project__.<dotted>` (a project module). Everything else is evaluated by
//! the migrations' evaluator (`crate::parse::py_eval`).

use std::collections::BTreeMap;

use ruff_python_ast::{Expr, Stmt, StmtClassDef};
use ruff_text_size::Ranged;

use super::modules::ModuleIndex;
use super::{ModelTable, Models, NamingConvention, UnknownTable};
use crate::ops::{Column, Constraint, IndexElement, Literal, SqlType, TableRef};
use crate::parse::ops_reader::{bind_imports, eval_args};
use crate::parse::py_eval::{Args, Evaluator, Scope, Val, as_str, build_column, build_table, type_class};
use crate::source::Span;

const BASE: &str = "__base__.";
const METADATA: &str = "__metadata__.";
const CLASS: &str = "__class__.";
const ENUM: &str = "__enum__.";
const PROJECT: &str = "__project__.";

/// What a class contributes to the classes that inherit from it.
#[derive(Clone, Debug, Default)]
struct ClassInfo {
    /// The declarative Base (metadata id) it descends from.
    base: Option<String>,
    /// Columns of a mixin or abstract class, copied into each mapped subclass.
    columns: Vec<Column>,
    /// A mapped class (its table's name).
    table: Option<String>,
    /// Why subclasses cannot be read (a `declared_attr`, a column from a function).
    unknown: Option<String>,
}

pub struct Reader<'a> {
    index: &'a ModuleIndex<'a>,
    scopes: Vec<Option<Scope>>,
    in_progress: Vec<bool>,
    classes: BTreeMap<String, ClassInfo>,
    enums: BTreeMap<String, Vec<String>>,
    naming: BTreeMap<String, NamingConvention>,
    tables: Vec<ModelTable>,
    unknown: Vec<UnknownTable>,
    /// Flask-SQLAlchemy's `db = SQLAlchemy()`: its id. `db` is bound as the `sqlalchemy`
    /// module (`db.Column`, `db.Integer` are SQLAlchemy's); `db.Model` is its Base.
    flask_db: Option<String>,
    /// What a Base made with `declarative_base(cls=...)` or `class Base(DeclarativeBase,
    /// Mixin)` gives its models (columns, or why they cannot be read).
    base_classes: BTreeMap<String, ClassInfo>,
    /// Every `SQLAlchemy()` the project makes (Flask-Migrate's env.py takes "the" one).
    flask_dbs: std::collections::BTreeSet<String>,
    /// Bases with a `type_annotation_map`: `Mapped[str]` may not be `String` there.
    custom_type_map: Vec<String>,
}

/// What env.py's `target_metadata` names.
pub struct TargetMetadata {
    pub ids: Vec<String>,
    pub problem: Option<String>,
    pub at: Option<Span>,
    pub flask_migrate: bool,
}

/// `context.configure(...)` calls anywhere in env.py's statements.
fn collect_configure_calls<'b>(body: &'b [Stmt], out: &mut Vec<&'b ruff_python_ast::ExprCall>) {
    use ruff_python_ast::visitor::{Visitor, walk_expr};
    struct V<'b, 'o>(&'o mut Vec<&'b ruff_python_ast::ExprCall>);
    impl<'b> Visitor<'b> for V<'b, '_> {
        fn visit_expr(&mut self, e: &'b Expr) {
            if let Expr::Call(c) = e
                && matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "configure")
            {
                self.0.push(c);
            }
            walk_expr(self, e);
        }
    }
    let mut v = V(out);
    for s in body {
        v.visit_stmt(s);
    }
}

fn span_of(r: impl Ranged) -> Span {
    Span::new(r.start().to_usize(), r.end().to_usize())
}

fn path_of(v: &Val) -> Option<&str> {
    match v {
        Val::Module(p) => Some(p),
        _ => None,
    }
}

fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// A SQLAlchemy (or Flask-SQLAlchemy `db.`) callable named `name`.
fn is_sa(path: &str, names: &[&str]) -> bool {
    path.starts_with("sqlalchemy") && names.contains(&last(path))
}

/// Calls in a class body that map no column: relationships and Python-side attributes.
const NOT_COLUMNS: &[&str] = &[
    "relationship",
    "backref",
    "column_property",
    "synonym",
    "association_proxy",
    "composite",
    "query_expression",
    "dynamic_loader",
    "hybrid_property",
    "validates",
];

/// Base classes known to add no column: Python's own, typing's, SQLAlchemy's mapping
/// helpers, and mixins of libraries that only add methods.
fn no_columns(path: &str) -> bool {
    const NAMES: &[&str] = &[
        "object",
        "abc.ABC",
        "typing.Generic",
        "typing.Protocol",
        "sqlalchemy.orm.MappedAsDataclass",
        "sqlalchemy.ext.asyncio.AsyncAttrs",
        "sqlalchemy.ext.asyncio.session.AsyncAttrs",
        "sqlalchemy.orm.DeclarativeBase",
        "flask_login.UserMixin",
        "flask_login.mixins.UserMixin",
        "flask_security.UserMixin",
        "flask_security.RoleMixin",
    ];
    NAMES.contains(&path) || path.starts_with("typing.") || path.starts_with("typing_extensions.")
}

/// A base class expression as written, for messages.
fn expr_text(e: &Expr) -> String {
    match e {
        Expr::Name(n) => n.id.as_str().to_string(),
        Expr::Attribute(a) => format!("{}.{}", expr_text(&a.value), a.attr.as_str()),
        Expr::Subscript(s) => format!("{}[...]", expr_text(&s.value)),
        Expr::Call(c) => format!("{}(...)", expr_text(&c.func)),
        _ => "an expression".to_string(),
    }
}

/// SQLAlchemy's default Python type → SQL type map for `Mapped[...]`.
fn python_type(path: &str) -> Option<SqlType> {
    let sa = match path {
        "int" => "Integer",
        "str" => "String",
        "float" => "Float",
        "bool" => "Boolean",
        "bytes" => "LargeBinary",
        "datetime.datetime" => "DateTime",
        "datetime.date" => "Date",
        "datetime.time" => "Time",
        "datetime.timedelta" => "Interval",
        "decimal.Decimal" => "Numeric",
        "uuid.UUID" => "Uuid",
        _ => return None,
    };
    type_class(&format!("sqlalchemy.{sa}"))
}

impl<'a> Reader<'a> {
    pub fn new(index: &'a ModuleIndex<'a>) -> Self {
        let n = index.modules.len();
        Reader {
            index,
            scopes: vec![None; n],
            in_progress: vec![false; n],
            classes: BTreeMap::new(),
            enums: BTreeMap::new(),
            naming: BTreeMap::new(),
            tables: Vec::new(),
            unknown: Vec::new(),
            flask_db: None,
            flask_dbs: Default::default(),
            base_classes: BTreeMap::new(),
            custom_type_map: Vec::new(),
        }
    }

    pub fn finish(mut self) -> Models {
        // A foreign key column without a type takes its target column's type.
        let types: BTreeMap<(String, String), SqlType> = self
            .tables
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .map(move |c| ((t.table.name.clone(), c.name.clone()), c.type_.clone()))
            })
            .collect();
        for t in self.tables.iter_mut() {
            for c in t.columns.iter_mut().filter(|c| needs_fk_type(c)) {
                if let Some((tt, cc)) = c.extra.foreign_keys[0]
                    .target
                    .rsplit_once('.')
                    .map(|(a, b)| (a.rsplit('.').next().unwrap_or(a), b))
                    && let Some(ty) = types.get(&(tt.to_string(), cc.to_string()))
                {
                    c.type_ = ty.clone();
                }
            }
        }
        Models {
            tables: self.tables,
            unknown: self.unknown,
            naming: self.naming,
            ..Default::default()
        }
    }

    /// Read module `m` (the project modules it imports first).
    pub fn module(&mut self, m: usize) {
        if self.scopes[m].is_some() || self.in_progress[m] {
            return;
        }
        self.in_progress[m] = true;
        let index = self.index;
        let body = &index.modules[m].ast().body;
        let mut scope = Scope::default();
        for stmt in body {
            self.statement(Some(m), stmt, &mut scope);
        }
        self.scopes[m] = Some(scope);
        self.in_progress[m] = false;
    }

    /// env.py's `target_metadata`: the metadata ids it names, why none, where it is set,
    /// and whether it is Flask-Migrate's (`current_app.extensions['migrate'].db`): the app
    /// imports the models, so which modules are reached is not env.py's to say.
    pub fn target_metadata(&mut self, body: &[Stmt], env_text: &str) -> TargetMetadata {
        let mut scope = Scope::default();
        let mut found = None;
        for stmt in body {
            self.env_statement(stmt, &mut scope, &mut found);
        }
        // Set inside `run_migrations_online()` (or passed straight to `configure(...)`).
        if found.is_none() {
            found = self.target_in_functions(body, &scope);
        }
        let flask_migrate = env_text.contains("extensions['migrate']") || env_text.contains("extensions[\"migrate\"]");
        let mutated = ["target_metadata._", "target_metadata.reflect(", "target_metadata.tables["]
            .iter()
            .find(|p| env_text.contains(*p));
        let at = found.as_ref().map(|(_, sp)| *sp);
        let (ids, problem) = match (mutated, flask_migrate) {
            (Some(p), _) => (
                vec![],
                Some(format!(
                    "env.py changes `target_metadata` when it runs (`{}...`), which migplan does not follow",
                    p.trim_end_matches(['(', '['])
                )),
            ),
            (None, true) if found.as_ref().is_none_or(|(v, _)| self.metadata_id(v).is_none()) => match self.flask_dbs.len() {
                1 => (self.flask_dbs.iter().cloned().collect(), None),
                0 => (
                    vec![],
                    Some("env.py takes Flask-Migrate's `db`, and no `SQLAlchemy()` of the project's was found".into()),
                ),
                _ => (
                    vec![],
                    Some("env.py takes Flask-Migrate's `db`, and the project makes more than one `SQLAlchemy()`".into()),
                ),
            },
            _ => self.metadata_ids(found.map(|(v, _)| v)),
        };
        TargetMetadata {
            ids,
            problem,
            at,
            flask_migrate,
        }
    }

    /// One top-level statement of env.py: imports bound, `target_metadata = ...` evaluated,
    /// other names assigned (`target_db = ...`); `if`/`try` blocks read through.
    fn env_statement(&mut self, stmt: &Stmt, scope: &mut Scope, found: &mut Option<(Val, Span)>) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.bind_import(None, stmt, scope),
            Stmt::Assign(a) => {
                let [Expr::Name(n)] = a.targets.as_slice() else { return };
                let v = Evaluator { scope }.eval(&a.value);
                if n.id.as_str() == "target_metadata" {
                    *found = Some((v, span_of(stmt)));
                } else {
                    scope.set(n.id.as_str(), v);
                }
            }
            Stmt::If(i) => {
                for s in i.body.iter().chain(i.elif_else_clauses.iter().flat_map(|c| &c.body)) {
                    self.env_statement(s, scope, found);
                }
            }
            Stmt::Try(t) => {
                for s in t.body.iter().chain(&t.orelse).chain(&t.finalbody) {
                    self.env_statement(s, scope, found);
                }
            }
            _ => {}
        }
    }

    /// `target_metadata = X` inside a function of env.py, else `configure(target_metadata=X)`
    /// with X not the module-level name: X evaluated with the function's imports bound.
    fn target_in_functions(&mut self, body: &[Stmt], scope: &Scope) -> Option<(Val, Span)> {
        for stmt in body {
            let Stmt::FunctionDef(f) = stmt else { continue };
            let mut local = scope.clone();
            let mut found = None;
            for s in &f.body {
                self.env_statement(s, &mut local, &mut found);
            }
            if found.is_some() {
                return found;
            }
        }
        let mut calls = Vec::new();
        collect_configure_calls(body, &mut calls);
        for call in calls {
            if let Some(kw) = call
                .arguments
                .keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "target_metadata"))
                && !matches!(&kw.value, Expr::Name(n) if n.id.as_str() == "target_metadata")
            {
                return Some((Evaluator { scope }.eval(&kw.value), span_of(&kw.value)));
            }
        }
        None
    }

    fn metadata_ids(&mut self, found: Option<Val>) -> (Vec<String>, Option<String>) {
        let found = match found {
            // `target_metadata = get_metadata()` of a module-level helper: not followed.
            Some(Val::Func(_)) => Some(Val::Unknown("a function".into())),
            f => f,
        };
        let Some(v) = found else {
            return (vec![], Some("env.py assigns no `target_metadata` at its top level".into()));
        };
        let items = match v {
            Val::Seq(items) => items,
            other => vec![other],
        };
        let mut ids = Vec::new();
        for it in &items {
            match self.metadata_id(it) {
                Some(id) => ids.push(id),
                None if matches!(it, Val::Lit(Literal::None)) => {
                    return (vec![], Some("env.py's `target_metadata` is None".into()));
                }
                None => {
                    return (
                        vec![],
                        Some("env.py's `target_metadata` is not a MetaData migplan can follow".into()),
                    );
                }
            }
        }
        (ids, None)
    }

    /// The metadata id a value names: `Base.metadata`, a `MetaData` object, `db.metadata`.
    fn metadata_id(&mut self, v: &Val) -> Option<String> {
        let p = self.resolve(path_of(v)?)?;
        if p == "sqlalchemy.metadata" {
            return self.flask_db.clone();
        }
        if let Some(rest) = p.strip_prefix(BASE) {
            return rest.strip_suffix(".metadata").map(str::to_string);
        }
        p.strip_prefix(METADATA).map(str::to_string)
    }

    /// A `__project__.` path resolved through the modules' scopes to the value it names.
    fn resolve(&mut self, path: &str) -> Option<String> {
        let Some(dotted) = path.strip_prefix(PROJECT) else {
            return Some(path.to_string());
        };
        let parts: Vec<&str> = dotted.split('.').collect();
        for k in (1..=parts.len()).rev() {
            let Some(m) = self.index.get(&parts[..k].join(".")) else {
                continue;
            };
            let Some(name) = parts.get(k) else {
                return Some(path.to_string());
            };
            self.module(m);
            let v = self.scopes[m].as_ref()?.get(name)?.clone();
            let mut p = path_of(&v)?.to_string();
            for rest in &parts[k + 1..] {
                p.push('.');
                p.push_str(rest);
            }
            return self.resolve(&p);
        }
        None
    }

    /// Bind an import: project names to what their module binds (read first), others as
    /// the migrations' evaluator binds them.
    fn bind_import(&mut self, m: Option<usize>, stmt: &Stmt, scope: &mut Scope) {
        let index = self.index;
        for dep in index.imported(m, stmt) {
            self.module(dep);
        }
        match stmt {
            Stmt::ImportFrom(i) => {
                let base = index.absolute(m, i.level, i.module.as_ref().map(|x| x.as_str()));
                let in_project = index.by_name.keys().any(|k| *k == base || k.starts_with(&format!("{base}.")));
                if !in_project {
                    bind_imports(stmt, scope);
                    return;
                }
                for a in &i.names {
                    // `from app.models import *`: the module's public names.
                    if a.name.as_str() == "*" {
                        if let Some(src) = index.get(&base).and_then(|mi| self.scopes[mi].clone()) {
                            for (k, v) in src.names.iter().filter(|(k, _)| !k.starts_with('_')) {
                                scope.set(k, v.clone());
                            }
                        }
                        continue;
                    }
                    let bound = a.asname.as_ref().unwrap_or(&a.name).as_str();
                    let full = format!("{PROJECT}{base}.{}", a.name.as_str());
                    let v = self.resolve(&full).unwrap_or(full);
                    scope.set(bound, Val::Module(v));
                }
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    let full = a.name.as_str();
                    let top = full.split('.').next().unwrap_or(full);
                    if index.get(top).is_none() {
                        bind_imports(stmt, scope);
                        continue;
                    }
                    match &a.asname {
                        Some(alias) => scope.set(alias.as_str(), Val::Module(format!("{PROJECT}{full}"))),
                        None => scope.set(top, Val::Module(format!("{PROJECT}{top}"))),
                    }
                }
            }
            _ => {}
        }
    }

    fn statement(&mut self, m: Option<usize>, stmt: &Stmt, scope: &mut Scope) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.bind_import(m, stmt, scope),
            // `try: from sqlalchemy.orm import declarative_base` / `except ImportError: from
            // sqlalchemy.ext.declarative import ...`, `if TYPE_CHECKING:`: the first branch
            // as Python runs it where it can; the others bind only names still unbound.
            Stmt::Try(t) => {
                for s in t.body.iter().chain(&t.orelse).chain(&t.finalbody) {
                    self.statement(m, s, scope);
                }
                for h in &t.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                    self.fallback_branch(m, &h.body, scope);
                }
            }
            Stmt::If(i) => {
                for s in &i.body {
                    self.statement(m, s, scope);
                }
                for c in &i.elif_else_clauses {
                    self.fallback_branch(m, &c.body, scope);
                }
            }
            // `Base: Any = declarative_base()`: as the plain assignment.
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(value)) = (&*a.target, &a.value) {
                    self.assign(m, n.id.as_str(), value, stmt, scope);
                }
            }
            Stmt::ClassDef(c) => {
                if let Some(m) = m {
                    self.class(m, c, scope);
                }
            }
            Stmt::Assign(a) => {
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    self.assign(m, n.id.as_str(), &a.value, stmt, scope);
                }
            }
            Stmt::Expr(e) => {
                // A bare `Table("t", metadata, ...)` registers the table too.
                if let (Some(m), Expr::Call(call)) = (m, &*e.value) {
                    let ev = Evaluator { scope };
                    if path_of(&ev.eval(&call.func)).is_some_and(|p| is_sa(p, &["Table"])) {
                        let args = table_args(&ev, call);
                        self.table_call(m, call, &args, stmt);
                    }
                }
            }
            _ => {}
        }
    }

    /// `name = value` at a module's top (`Base: Any = declarative_base()` too): Bases,
    /// MetaData objects, Flask-SQLAlchemy's `db` and `Table(...)`s are registered.
    fn assign(&mut self, m: Option<usize>, name: &str, value: &Expr, stmt: &Stmt, scope: &mut Scope) {
        let id = format!("{}.{name}", m.map_or("env", |m| self.index.modules[m].name.as_str()));
        if let Expr::Call(call) = value {
            let ev = Evaluator { scope };
            let callee = ev.eval(&call.func);
            let args = eval_args(&ev, call);
            let callee = path_of(&callee).unwrap_or("").to_string();
            if is_sa(&callee, &["declarative_base"]) {
                if let Some(md) = args.kw("metadata").and_then(|v| self.metadata_id(v)) {
                    let naming = self.naming.get(&md).cloned().unwrap_or_default();
                    self.naming.insert(id.clone(), naming);
                }
                // `declarative_base(cls=_Base)`: every model inherits `_Base`'s columns.
                if let Some(cls) = args.kw("cls") {
                    let info = match path_of(cls).and_then(|p| self.resolve(p)) {
                        Some(p) if no_columns(&p) => ClassInfo::default(),
                        Some(p) => match p.strip_prefix(CLASS).and_then(|c| self.classes.get(c)) {
                            Some(parent) => parent.clone(),
                            None => ClassInfo {
                                unknown: Some(format!("its Base is made with `cls={p}`, a class migplan cannot read")),
                                ..Default::default()
                            },
                        },
                        None => ClassInfo {
                            unknown: Some("its Base is made with a `cls=` migplan cannot read".into()),
                            ..Default::default()
                        },
                    };
                    self.base_classes.insert(id.clone(), info);
                }
                scope.set(name, Val::Module(format!("{BASE}{id}")));
                return;
            }
            if callee.starts_with("flask_sqlalchemy") && last(&callee) == "SQLAlchemy" {
                let naming = match args.kw("metadata") {
                    Some(v) => self.metadata_id(v).and_then(|md| self.naming.get(&md).cloned()).unwrap_or_default(),
                    None => Vec::new(),
                };
                self.naming.insert(id.clone(), naming);
                self.flask_dbs.insert(id.clone());
                self.flask_db = Some(id);
                scope.set(name, Val::Module("sqlalchemy".into()));
                return;
            }
            if is_sa(&callee, &["MetaData"]) {
                self.naming.insert(id.clone(), naming_convention(&args));
                scope.set(name, Val::Module(format!("{METADATA}{id}")));
                return;
            }
            if is_sa(&callee, &["Table"]) {
                if let Some(m) = m {
                    let args = table_args(&ev, call);
                    self.table_call(m, call, &args, stmt);
                }
                scope.set(name, Val::Module(id.clone()));
                return;
            }
        }
        let v = Evaluator { scope }.eval(value);
        scope.set(name, v);
    }

    /// An alternative branch (`except`, `else`): its imports and assignments bind the names
    /// the first branch left unbound; classes and tables in it are not read.
    fn fallback_branch(&mut self, m: Option<usize>, body: &[Stmt], scope: &mut Scope) {
        let mut alt = scope.clone();
        for s in body {
            if matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Assign(_)) {
                self.statement(m, s, &mut alt);
            }
        }
        for (k, v) in alt.names {
            if scope.get(&k).is_none() {
                scope.set(&k, v);
            }
        }
    }

    /// `Table("t", metadata, Column(...), ...)`.
    fn table_call(&mut self, m: usize, call: &ruff_python_ast::ExprCall, args: &Args, stmt: &Stmt) {
        let file = self.index.modules[m].file.path.clone();
        let name = as_str(args.pos.first());
        let Some(md) = args.pos.get(1).and_then(|v| self.metadata_id(v)) else {
            return self.unknown.push(UnknownTable {
                name,
                class_name: None,
                file,
                span: span_of(stmt),
                why: "its MetaData is not one migplan can follow".into(),
            });
        };
        match build_table(args, true) {
            Val::Table(t) => {
                let (columns, constraints) = t.full.unwrap_or_default();
                let indexes: Vec<_> = t.indexes.into_iter().map(|i| (i.name, i.elements, i.opts)).collect();
                if has_expression_index(&indexes) {
                    return self.unknown.push(UnknownTable {
                        name: Some(t.table.name),
                        class_name: None,
                        file,
                        span: span_of(stmt),
                        why: "an index on an expression, which migplan does not compare yet".into(),
                    });
                }
                self.tables.push(ModelTable {
                    table: t.table,
                    columns,
                    constraints,
                    indexes,
                    metadata: md,
                    file,
                    span: span_of(call),
                    class_name: None,
                    module: self.index.modules[m].name.clone(),
                    column_spans: Vec::new(),
                    kwargs: Vec::new(),
                });
            }
            Val::Unknown(why) => self.unknown.push(UnknownTable {
                name,
                class_name: None,
                file,
                span: span_of(stmt),
                why,
            }),
            _ => {}
        }
    }

    fn class(&mut self, m: usize, c: &StmtClassDef, scope: &mut Scope) {
        let module = self.index.modules[m].name.clone();
        let id = format!("{module}.{}", c.name.as_str());
        let mut info = ClassInfo::default();
        let mut is_enum = false;
        let mut declarative_root = false;
        let mut inherited_table = None;
        let mut foreign = None;
        for b in c.bases() {
            let v = Evaluator { scope }.eval(b);
            let Some(p) = path_of(&v).and_then(|p| self.resolve(p)) else {
                // `Generic[T]` adds nothing; any other base migplan cannot name may add columns.
                let generic = matches!(b, Expr::Subscript(s) if path_of(&Evaluator { scope }.eval(&s.value)).is_some_and(no_columns))
                    || matches!(b, Expr::Name(n) if n.id.as_str() == "object");
                if !generic {
                    foreign = foreign.or(Some(format!("it inherits from `{}`, which migplan cannot read", expr_text(b))));
                }
                continue;
            };
            if let Some(base) = p.strip_prefix(BASE) {
                info.base = Some(base.to_string());
                if let Some(given) = self.base_classes.get(base) {
                    info.columns.extend(given.columns.clone());
                    info.unknown = info.unknown.clone().or(given.unknown.clone());
                }
            } else if p == "sqlalchemy.Model" && self.flask_db.is_some() {
                info.base = self.flask_db.clone();
            } else if let Some(cid) = p.strip_prefix(CLASS) {
                if let Some(parent) = self.classes.get(cid).cloned() {
                    info.base = info.base.or(parent.base);
                    info.columns.extend(parent.columns);
                    info.unknown = info.unknown.or(parent.unknown);
                    inherited_table = inherited_table.or(parent.table);
                }
            } else if p.starts_with("enum.") {
                is_enum = true;
            } else if is_sa(&p, &["DeclarativeBase", "DeclarativeBaseNoMeta"]) {
                declarative_root = true;
            } else if !no_columns(&p) {
                // A library's mixin (`oslo_db`'s TimestampMixin, fastapi-users' tables) may
                // add columns migplan cannot see.
                foreign = foreign.or(Some(format!("it inherits from `{p}`, a class migplan cannot read")));
            }
        }
        if info.unknown.is_none() {
            info.unknown = foreign;
        }
        if is_enum {
            let names = c
                .body
                .iter()
                .filter_map(|s| match s {
                    Stmt::Assign(a) => match a.targets.as_slice() {
                        [Expr::Name(n)] if !n.id.as_str().starts_with('_') => Some(n.id.as_str().to_string()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            self.enums.insert(id.clone(), names);
            scope.set(c.name.as_str(), Val::Module(format!("{ENUM}{id}")));
            return;
        }
        if declarative_root {
            // `class Base(DeclarativeBase)`, its `metadata = MetaData(...)` if given.
            let mut naming = Vec::new();
            let has_map = c.body.iter().any(|s| match s {
                Stmt::Assign(a) => matches!(a.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() == "type_annotation_map"),
                Stmt::AnnAssign(a) => matches!(&*a.target, Expr::Name(n) if n.id.as_str() == "type_annotation_map"),
                _ => false,
            });
            if has_map {
                self.custom_type_map.push(id.clone());
            }
            for s in &c.body {
                if let Stmt::Assign(a) = s
                    && matches!(a.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() == "metadata")
                    && let Expr::Call(call) = &*a.value
                {
                    naming = naming_convention(&eval_args(&Evaluator { scope }, call));
                }
            }
            self.naming.insert(id.clone(), naming);
            // `class Base(DeclarativeBase, TimestampMixin)`: the mixins' columns go to every model.
            if !info.columns.is_empty() || info.unknown.is_some() {
                self.base_classes.insert(id.clone(), info);
            }
            scope.set(c.name.as_str(), Val::Module(format!("{BASE}{id}")));
            return;
        }
        let mut tablename: Option<Result<String, String>> = None;
        let mut table_args = None;
        let mut abstract_ = false;
        let mut own = Vec::new();
        let mut column_spans = Vec::new();
        for s in &c.body {
            let before = own.last().cloned();
            match s {
                Stmt::Assign(a) => {
                    let [Expr::Name(n)] = a.targets.as_slice() else { continue };
                    self.attribute(
                        n.id.as_str(),
                        None,
                        Some(&a.value),
                        scope,
                        &mut info,
                        &mut own,
                        &mut tablename,
                        &mut table_args,
                        &mut abstract_,
                    );
                }
                Stmt::AnnAssign(a) => {
                    let Expr::Name(n) = &*a.target else { continue };
                    self.attribute(
                        n.id.as_str(),
                        Some(&a.annotation),
                        a.value.as_deref(),
                        scope,
                        &mut info,
                        &mut own,
                        &mut tablename,
                        &mut table_args,
                        &mut abstract_,
                    );
                }
                Stmt::FunctionDef(f) if !f.decorator_list.is_empty() => {
                    let decorated_attr = f.decorator_list.iter().any(|d| {
                        let text = match &d.expression {
                            Expr::Name(n) => n.id.as_str().to_string(),
                            Expr::Attribute(a) => a.attr.as_str().to_string(),
                            _ => String::new(),
                        };
                        text == "declared_attr"
                    });
                    if decorated_attr {
                        let n = f.name.as_str();
                        if n == "__tablename__" {
                            tablename = Some(Err("its `__tablename__` is computed by a declared_attr".into()));
                        } else {
                            info.unknown = Some(format!("`{n}` is a declared_attr migplan does not run"));
                        }
                    }
                }
                _ => {}
            }
            if let Some(col) = own.last()
                && before.as_ref() != Some(col)
            {
                column_spans.push((col.name.clone(), span_of(s)));
            }
        }
        let file = self.index.modules[m].file.path.clone();
        let cname = c.name.as_str().to_string();
        scope.set(&cname, Val::Module(format!("{CLASS}{id}")));
        let mapped = info.base.is_some() && !abstract_;
        let flask = info.base.is_some() && info.base == self.flask_db;
        let tablename = match tablename {
            Some(t) => Some(t),
            // Flask-SQLAlchemy names the table after the class (`UserRole` → `user_role`).
            None if mapped && flask && inherited_table.is_none() => Some(Ok(snake_case(c.name.as_str()))),
            None if mapped && inherited_table.is_none() => Some(Err("it has no `__tablename__` migplan can read".into())),
            None => None,
        };
        // A table-like class no Base of migplan's maps: `@registry.mapped`, a library's base
        // (SQLModel, `table=True`): its table is unknown, never "missing from the models".
        if !mapped && !abstract_ && info.base.is_none() {
            let decorated = !c.decorator_list.is_empty();
            if let Some(Ok(t)) = &tablename
                && (decorated || info.unknown.is_some() || !c.arguments.as_ref().is_none_or(|a| a.keywords.is_empty()))
            {
                let why = if decorated {
                    "it is mapped by a decorator migplan does not follow".to_string()
                } else {
                    info.unknown
                        .clone()
                        .unwrap_or_else(|| "it is mapped by a class migplan cannot read".into())
                };
                return self.class_unknown(id, info, Some(t.clone()), cname, file, c, why);
            }
        }
        if !mapped || tablename.is_none() {
            // A mixin, an abstract class, or single-table inheritance (columns go to the
            // parent's table, which migplan does not merge).
            if mapped && !own.is_empty() {
                self.unknown.push(UnknownTable {
                    name: inherited_table.clone(),
                    class_name: Some(cname),
                    file,
                    span: span_of(&c.name),
                    why: "single-table inheritance adds columns to the parent's table, which migplan does not merge".into(),
                });
            }
            info.columns.extend(own);
            info.table = inherited_table;
            self.classes.insert(id, info);
            return;
        }
        let metadata = info.base.clone().unwrap_or_default();
        let name = match tablename {
            Some(Ok(n)) => n,
            Some(Err(why)) => return self.class_unknown(id, info, None, cname, file, c, why),
            None => return,
        };
        if let Some(why) = info.unknown.clone() {
            return self.class_unknown(id, info, Some(name), cname, file, c, why);
        }
        // SQLAlchemy puts the class's own columns first, then those copied from mixins.
        let mut columns: Vec<Column> = own;
        for col in std::mem::take(&mut info.columns) {
            if !columns.iter().any(|x| x.name == col.name) {
                columns.push(col);
            }
        }
        let mut table = TableRef::new(name.clone());
        let mut constraints = Vec::new();
        let mut indexes = Vec::new();
        let mut kwargs = Vec::new();
        if let Some(v) = table_args {
            let items = match v {
                Val::Seq(items) => items,
                other => vec![other],
            };
            for it in items {
                match it {
                    Val::Constraint(k) => constraints.push(k),
                    Val::Index(i) => indexes.push((i.name, i.elements, i.opts)),
                    Val::Dict(d) => {
                        for (k, v) in d {
                            match (k.as_str(), v) {
                                ("schema", v) => table.schema = as_str(Some(&v)),
                                (k, Val::Lit(l)) if is_dialect_kwarg(k) => kwargs.push((k.to_string(), l.clone())),
                                (k, _) if is_dialect_kwarg(k) || k == "comment" || k == "info" => {
                                    let why = format!("`__table_args__` option `{k}` migplan does not compare");
                                    return self.class_unknown(id, info, Some(name), cname, file, c, why);
                                }
                                // extend_existing, keep_existing...: no schema.
                                _ => {}
                            }
                        }
                    }
                    Val::Unknown(why) => {
                        return self.class_unknown(id, info, Some(name), cname, file, c, format!("`__table_args__`: {why}"));
                    }
                    _ => {
                        return self.class_unknown(
                            id,
                            info,
                            Some(name),
                            cname,
                            file,
                            c,
                            "`__table_args__` holds something migplan cannot read".into(),
                        );
                    }
                }
            }
        }
        if has_expression_index(&indexes) {
            let why = "an index on an expression, which migplan does not compare yet".to_string();
            return self.class_unknown(id, info, Some(name), cname, file, c, why);
        }
        info.table = Some(name);
        self.classes.insert(id, info);
        self.tables.push(ModelTable {
            table,
            columns,
            constraints,
            indexes,
            metadata,
            file,
            span: span_of(&c.name),
            class_name: Some(cname),
            module: self.index.modules[m].name.clone(),
            column_spans,
            kwargs,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn class_unknown(
        &mut self,
        id: String,
        info: ClassInfo,
        name: Option<String>,
        cname: String,
        file: String,
        c: &StmtClassDef,
        why: String,
    ) {
        self.classes.insert(id, info);
        self.unknown.push(UnknownTable {
            name,
            class_name: Some(cname),
            file,
            span: span_of(&c.name),
            why,
        });
    }

    /// One attribute of a class body.
    #[allow(clippy::too_many_arguments)]
    fn attribute(
        &mut self,
        name: &str,
        annotation: Option<&Expr>,
        value: Option<&Expr>,
        scope: &Scope,
        info: &mut ClassInfo,
        own: &mut Vec<Column>,
        tablename: &mut Option<Result<String, String>>,
        table_args: &mut Option<Val>,
        abstract_: &mut bool,
    ) {
        let ev = Evaluator { scope };
        match name {
            "__tablename__" => {
                *tablename = Some(match value.map(|v| ev.eval(v)) {
                    Some(Val::Lit(Literal::Str(s))) => Ok(s),
                    _ => Err("its `__tablename__` is not a literal string".into()),
                });
                return;
            }
            "__table_args__" => {
                *table_args = value.map(|v| ev.eval(v));
                return;
            }
            "__abstract__" => {
                *abstract_ = matches!(value.map(|v| ev.eval(v)), Some(Val::Lit(Literal::Bool(true))));
                return;
            }
            _ if name.starts_with("__") => return,
            _ => {}
        }
        // `Mapped[...]`: the inner annotation.
        let mapped = annotation.and_then(|a| match a {
            Expr::Subscript(s) if path_of(&ev.eval(&s.value)).is_some_and(|p| last(p) == "Mapped") => Some(&*s.slice),
            _ => None,
        });
        let call = match value {
            Some(Expr::Call(c)) => Some(c),
            Some(_) => return,
            None => None,
        };
        let callee = call.map(|c| ev.eval(&c.func));
        let callee_path = callee.as_ref().and_then(path_of).unwrap_or("");
        if NOT_COLUMNS.contains(&last(callee_path)) {
            return;
        }
        let is_column = is_sa(callee_path, &["Column", "mapped_column"]);
        if call.is_some() && !is_column {
            if matches!(callee, Some(Val::Unknown(_))) || callee_path.starts_with(PROJECT) || callee_path.contains('.') {
                info.unknown = Some(format!("attribute `{name}` is built by a call migplan does not run"));
            }
            return;
        }
        if call.is_none() && mapped.is_none() {
            return;
        }
        // The type and nullability a `Mapped[...]` annotation gives.
        let from_annotation = match mapped {
            Some(inner) => match self.annotation_type(inner, scope) {
                Ok(t) => Some(t),
                // `Mapped["Order"]`, `Mapped[list["Order"]]`: a relationship.
                Err(_) if call.is_none() => return,
                Err(why) => {
                    if let Some(c) = call
                        && has_type_arg(&eval_args(&ev, c))
                    {
                        None
                    } else {
                        info.unknown = Some(format!("column `{name}`: {why}"));
                        return;
                    }
                }
            },
            None => None,
        };
        let mut args = match call {
            Some(c) => eval_args(&ev, c),
            None => Args { pos: vec![], kw: vec![] },
        };
        // Enum(PyEnum): its member names, and the class name lower-cased as the type name.
        if let Some(c) = call {
            self.enum_args(c, scope, &mut args);
        }
        if !matches!(args.pos.first(), Some(Val::Lit(Literal::Str(_)))) {
            args.pos.insert(0, Val::Lit(Literal::Str(name.to_string())));
        }
        let has_type = has_type_arg(&args);
        if !has_type && from_annotation.is_some() && info.base.as_ref().is_some_and(|b| self.custom_type_map.contains(b)) {
            info.unknown = Some(format!(
                "column `{name}` takes its type from the Base's type_annotation_map, which migplan does not read"
            ));
            return;
        }
        if !has_type {
            match &from_annotation {
                Some((t, _)) => args.pos.insert(1, Val::Type(t.clone())),
                // A foreign key column takes the referenced column's type (resolved later).
                None => args.pos.insert(1, Val::Type(SqlType::new("NullType", "null"))),
            }
        }
        match build_column(&args) {
            Val::Column(mut col) => {
                if mapped.is_some() && col.nullable.is_none() {
                    let optional = from_annotation.as_ref().is_some_and(|(_, o)| *o) || self.optional(mapped, scope);
                    col.nullable = Some(!col.primary_key && optional);
                }
                own.retain(|c: &Column| c.name != col.name);
                own.push(*col);
            }
            Val::Unknown(why) => info.unknown = Some(format!("column `{name}`: {why}")),
            _ => info.unknown = Some(format!("column `{name}` is not a column migplan can read")),
        }
    }

    fn optional(&self, mapped: Option<&Expr>, scope: &Scope) -> bool {
        mapped.is_some_and(|e| split_optional(e, scope).1)
    }

    /// The SQL type of a `Mapped[...]` inner annotation, and whether it is optional.
    fn annotation_type(&self, inner: &Expr, scope: &Scope) -> Result<(SqlType, bool), String> {
        let (e, optional) = split_optional(inner, scope);
        let v = match e {
            Expr::Name(n) if scope.get(n.id.as_str()).is_none() => Val::Module(n.id.as_str().to_string()),
            Expr::StringLiteral(_) => return Err("a string annotation (a relationship)".into()),
            other => Evaluator { scope }.eval(other),
        };
        let Some(p) = path_of(&v) else {
            return Err("its Mapped[] type is not one migplan can read".into());
        };
        if let Some(eid) = p.strip_prefix(ENUM) {
            let mut t = type_class("sqlalchemy.Enum").expect("Enum is a type");
            t.extra.enums = self.enums.get(eid).cloned().unwrap_or_default();
            t.extra.name = Some(last(eid).to_ascii_lowercase());
            return Ok((t, optional));
        }
        python_type(p)
            .map(|t| (t, optional))
            .ok_or_else(|| format!("`{p}` is not in SQLAlchemy's type map"))
    }

    /// `sa.Enum(PyEnum, ...)` → `sa.Enum('A', 'B', name='pyenum', ...)`.
    fn enum_args(&self, call: &ruff_python_ast::ExprCall, scope: &Scope, args: &mut Args) {
        for (i, a) in call.arguments.args.iter().enumerate() {
            let Expr::Call(inner) = a else { continue };
            let ev = Evaluator { scope };
            let is_enum = matches!(ev.eval(&inner.func), Val::TypeClass(t) if t.is_enum());
            let Some(Expr::Name(n)) = inner.arguments.args.first() else {
                continue;
            };
            let Some(Val::Module(p)) = scope.get(n.id.as_str()) else { continue };
            let Some(eid) = p.strip_prefix(ENUM) else { continue };
            if !is_enum {
                continue;
            }
            let mut iargs = eval_args(&ev, inner);
            let values = self.enums.get(eid).cloned().unwrap_or_default();
            iargs.pos.splice(0..1, values.into_iter().map(|v| Val::Lit(Literal::Str(v))));
            if iargs.kw("name").is_none() {
                iargs
                    .kw
                    .push(("name".into(), Val::Lit(Literal::Str(last(eid).to_ascii_lowercase()))));
            }
            if let (Val::TypeClass(t), Some(slot)) = (ev.eval(&inner.func), args.pos.get_mut(i)) {
                *slot = crate::parse::py_eval::build_type(t, &iargs);
            }
        }
    }
}

/// The arguments of `Table(...)`, its `Column(...)`s read as in a class body: a foreign
/// key column may leave its type to the referenced column.
fn table_args(ev: &Evaluator, call: &ruff_python_ast::ExprCall) -> Args {
    let mut args = eval_args(ev, call);
    for (i, a) in call.arguments.args.iter().enumerate() {
        let Expr::Call(c) = a else { continue };
        if !path_of(&ev.eval(&c.func)).is_some_and(|p| is_sa(p, &["Column"])) {
            continue;
        }
        let mut cargs = eval_args(ev, c);
        if !has_type_arg(&cargs) && cargs.pos.iter().any(|v| matches!(v, Val::ForeignKey(_))) {
            cargs.pos.insert(1, Val::Type(SqlType::new("NullType", "null")));
            if let Some(slot) = args.pos.get_mut(i) {
                *slot = build_column(&cargs);
            }
        }
    }
    args
}

fn has_expression_index(indexes: &[(String, Vec<IndexElement>, crate::ops::IndexOpts)]) -> bool {
    indexes
        .iter()
        .any(|(_, els, _)| els.iter().any(|e| matches!(e, IndexElement::Expr(_))))
}

/// A dialect option (`sqlite_autoincrement`, `mysql_engine`): rendered with the table.
fn is_dialect_kwarg(k: &str) -> bool {
    ["sqlite_", "mysql_", "mariadb_", "postgresql_", "mssql_", "oracle_"]
        .iter()
        .any(|p| k.starts_with(p))
}

/// Flask-SQLAlchemy's `camel_to_snake_case`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && (prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (i > 0 && next.is_some_and(|n| n.is_ascii_lowercase())));
        if boundary {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.trim_start_matches('_').to_string()
}

fn has_type_arg(args: &Args) -> bool {
    args.pos.iter().any(|v| matches!(v, Val::Type(_) | Val::TypeClass(_)))
        || matches!(args.kw("type_"), Some(Val::Type(_) | Val::TypeClass(_)))
}

/// `Optional[X]`, `X | None`, `Union[X, None]` → (`X`, true).
fn split_optional<'e>(e: &'e Expr, scope: &Scope) -> (&'e Expr, bool) {
    match e {
        Expr::Subscript(s) => {
            let callee = match &*s.value {
                Expr::Name(n) => scope
                    .get(n.id.as_str())
                    .and_then(path_of)
                    .map(last)
                    .unwrap_or(n.id.as_str())
                    .to_string(),
                Expr::Attribute(a) => a.attr.as_str().to_string(),
                _ => String::new(),
            };
            match (callee.as_str(), &*s.slice) {
                ("Optional", inner) => (inner, true),
                ("Union", Expr::Tuple(t)) if t.elts.len() == 2 && t.elts.iter().any(|x| x.is_none_literal_expr()) => {
                    (t.elts.iter().find(|x| !x.is_none_literal_expr()).unwrap_or(e), true)
                }
                _ => (e, false),
            }
        }
        Expr::BinOp(b) if b.op == ruff_python_ast::Operator::BitOr => {
            if b.right.is_none_literal_expr() {
                (&b.left, true)
            } else if b.left.is_none_literal_expr() {
                (&b.right, true)
            } else {
                (e, false)
            }
        }
        _ => (e, false),
    }
}

/// `MetaData(naming_convention={...})` with literal templates.
fn naming_convention(args: &Args) -> NamingConvention {
    match args.kw("naming_convention") {
        Some(Val::Dict(d)) => d.iter().filter_map(|(k, v)| as_str(Some(v)).map(|t| (k.clone(), t))).collect(),
        _ => Vec::new(),
    }
}

/// Index elements of a model's `Index(...)`: a column name.
pub fn element_column(e: &IndexElement) -> Option<&str> {
    match e {
        IndexElement::Column(c) => Some(c),
        IndexElement::Expr(_) => None,
    }
}

/// Whether `c` is a foreign key's column whose type SQLAlchemy copies from its target.
pub fn needs_fk_type(c: &Column) -> bool {
    c.type_.visit == "null" && !c.extra.foreign_keys.is_empty()
}

/// A constraint's kind, for messages.
pub fn constraint_kind(c: &Constraint) -> &'static str {
    match c {
        Constraint::PrimaryKey { .. } => "primary key",
        Constraint::Unique { .. } => "unique constraint",
        Constraint::Check(_) => "check constraint",
        Constraint::ForeignKey(_) => "foreign key",
    }
}
