//! A small static evaluator for the Python that migrations are written in: literals,
//! module constants, `op.f()`, SQLAlchemy constructors (`sa.Column`, types, constraints,
//! `sa.text`, `sa.func.*`, `sa.table`/`sa.column`) and simple Core expressions. Anything
//! it cannot evaluate is `Val::Unknown` with a reason; callers turn that into an opaque
//! step rather than guessing.

use std::collections::BTreeMap;

use ruff_python_ast::{CmpOp, Expr, Number, Operator, UnaryOp};

use crate::ops::types::{SqlType, TypeNamespace};
use crate::ops::{
    AutoIncrement, CheckConstraint, Column, ColumnForeignKey, Computed, Constraint, ConstraintOpts, ForeignKeyConstraint, Identity,
    Literal, SqlExpr, TableRef,
};

/// What an expression evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Lit(Literal),
    Seq(Vec<Val>),
    Dict(Vec<(String, Val)>),
    /// A module or a name inside one, by dotted path (`sqlalchemy`, `sqlalchemy.dialects.postgresql`).
    Module(String),
    /// A type class not yet called (`sa.Integer`).
    TypeClass(SqlType),
    Type(SqlType),
    /// `some_type.with_variant`, waiting for its call.
    WithVariant(Box<SqlType>),
    Column(Box<Column>),
    Constraint(Constraint),
    ForeignKey(Box<ColumnForeignKey>),
    Identity(Identity),
    Computed(Computed),
    /// SQL text (`sa.text(...)`, rendered Core expressions).
    Sql(SqlExpr),
    /// A table known by name and (possibly) columns: `sa.table(...)`, `op.create_table(...)`.
    Table(Box<TableVal>),
    /// Boxed, as are tables and foreign keys: they were two to three times larger than
    /// every other value (320, 144, 152 bytes), and values are moved and copied all through
    /// evaluation (a `Val` is now 112 bytes, was 320).
    Index(Box<IndexDef>),
    /// `table.c` of a known table.
    TableColumns(Box<TableVal>),
    /// `sa.column('x')` or `table.c.x`.
    ColumnRef {
        table: Option<String>,
        name: String,
    },
    /// A module-level helper function (`def _users(...): ... return sa.Table(...)`).
    Func(std::rc::Rc<ruff_python_ast::StmtFunctionDef>),
    /// The `op` proxy, `op.get_bind()`, `op.get_context()`.
    Op,
    Bind,
    /// `<bind>.engine`: its `.name` is the dialect's name, like `.dialect.name`.
    Engine,
    MigrationContext,
    /// `context` (alembic.context).
    EnvContext,
    /// `<bind>.dialect` and `.dialect.name`.
    DialectObj,
    DialectName,
    /// A Core statement under construction (`t.update()`, `.where()`, `.values()`).
    Statement(Box<CoreStatement>),
    /// A method of a Core statement, about to be called.
    StatementMethod(Box<CoreStatement>, String),
    /// `x.bindparams(...)` pending on a text clause.
    Unknown(String),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableVal {
    pub table: TableRef,
    pub columns: Vec<(String, Option<SqlType>)>,
    /// Full definitions when known (`sa.Table(...)` with Columns, `op.create_table`).
    pub full: Option<(Vec<Column>, Vec<Constraint>)>,
    /// `sa.Index(...)` objects declared in `sa.Table(...)`.
    pub indexes: Vec<IndexDef>,
}

/// An `sa.Index(name, *cols, unique=...)` declared with a table.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexDef {
    pub name: String,
    pub elements: Vec<crate::ops::IndexElement>,
    pub opts: crate::ops::IndexOpts,
}

/// `table.update()/.insert()/.delete()` with `.where(...)` and `.values(...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CoreStatement {
    pub kind: CoreKind,
    pub table: TableVal,
    pub wheres: Vec<String>,
    pub values: Vec<(String, Literal)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreKind {
    Insert,
    Update,
    Delete,
}

/// Booleans inside rendered SQL text depend on the dialect (`true` / `1`); they are kept as
/// markers until the plan is rendered for one.
pub const TRUE_MARK: &str = "\u{1}TRUE\u{1}";
pub const FALSE_MARK: &str = "\u{1}FALSE\u{1}";

pub fn bool_mark(b: bool) -> &'static str {
    if b { TRUE_MARK } else { FALSE_MARK }
}

/// A column name inside rendered SQL text (`sa.func.lower(sa.Column('email'))`): quoted by
/// the dialect's rules when the plan is rendered, bare in the simulated schema.
pub const IDENT_MARK: char = '\u{2}';

pub fn ident_mark(name: &str) -> String {
    format!("{IDENT_MARK}{name}{IDENT_MARK}")
}

/// Leads SQL text that is a function element (`sa.func.lower(...)`), which MySQL's index
/// compiler wraps in parentheses (a functional key part) and `sa.text()` is not.
pub const FUNCTION_MARK: char = '\u{3}';

pub fn unknown(why: impl Into<String>) -> Val {
    Val::Unknown(why.into())
}

/// Names bound in the module and in the function being read.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub names: BTreeMap<String, Val>,
}

const MAX_DEPTH: usize = 48;

impl Scope {
    pub fn get(&self, name: &str) -> Option<&Val> {
        self.names.get(name)
    }
    pub fn set(&mut self, name: &str, v: Val) {
        self.names.insert(name.to_string(), v);
    }
}

/// Keyword and positional arguments of a call, evaluated.
pub struct Args {
    pub pos: Vec<Val>,
    pub kw: Vec<(String, Val)>,
}

impl Args {
    pub fn kw(&self, name: &str) -> Option<&Val> {
        self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
    /// A parameter given by position `i` or by keyword `name`.
    pub fn param(&self, i: usize, name: &str) -> Option<&Val> {
        self.kw(name).or_else(|| self.pos.get(i))
    }
    pub fn first_unknown(&self) -> Option<String> {
        self.pos.iter().chain(self.kw.iter().map(|(_, v)| v)).find_map(|v| match v {
            Val::Unknown(w) => Some(w.clone()),
            _ => None,
        })
    }
}

pub fn as_str(v: Option<&Val>) -> Option<String> {
    match v {
        Some(Val::Lit(Literal::Str(s))) => Some(s.clone()),
        _ => None,
    }
}

pub fn as_bool(v: Option<&Val>) -> Option<bool> {
    match v {
        Some(Val::Lit(Literal::Bool(b))) => Some(*b),
        Some(Val::Lit(Literal::Int(i))) => Some(*i != 0),
        _ => None,
    }
}

pub fn as_int(v: Option<&Val>) -> Option<i128> {
    match v {
        Some(Val::Lit(Literal::Int(i))) => Some(*i),
        _ => None,
    }
}

pub fn as_u32(v: Option<&Val>) -> Option<u32> {
    as_int(v).and_then(|i| u32::try_from(i).ok())
}

pub fn is_none(v: Option<&Val>) -> bool {
    matches!(v, Some(Val::Lit(Literal::None)))
}

/// A list of strings (`['a', 'b']`, or one string).
pub fn as_str_list(v: Option<&Val>) -> Option<Vec<String>> {
    match v {
        Some(Val::Seq(items)) => items
            .iter()
            .map(|i| match i {
                Val::Lit(Literal::Str(s)) => Some(s.clone()),
                Val::ColumnRef { name, .. } => Some(name.clone()),
                Val::Column(c) => Some(c.name.clone()),
                _ => None,
            })
            .collect(),
        Some(Val::Lit(Literal::Str(s))) => Some(vec![s.clone()]),
        _ => None,
    }
}

pub struct Evaluator<'a> {
    pub scope: &'a Scope,
}

impl Evaluator<'_> {
    pub fn eval(&self, e: &Expr) -> Val {
        self.eval_d(e, 0)
    }

    fn eval_d(&self, e: &Expr, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return unknown("expression nested too deeply");
        }
        let d = depth + 1;
        match e {
            Expr::StringLiteral(s) => match super::literal_str(s.value.to_str()) {
                Some(v) => Val::Lit(Literal::Str(v.to_string())),
                None => unknown("a string spelling a character by name (\\N{…})"),
            },
            Expr::NoneLiteral(_) => Val::Lit(Literal::None),
            Expr::BooleanLiteral(b) => Val::Lit(Literal::Bool(b.value)),
            Expr::NumberLiteral(n) => match &n.value {
                Number::Int(i) => match i.as_i64() {
                    Some(v) => Val::Lit(Literal::Int(v as i128)),
                    None => unknown("integer too large"),
                },
                Number::Float(_) => {
                    let r = n.range;
                    let _ = r;
                    Val::Lit(Literal::Float(float_text(n)))
                }
                Number::Complex { .. } => unknown("complex number"),
            },
            Expr::UnaryOp(u) if u.op == UnaryOp::USub => match self.eval_d(&u.operand, d) {
                Val::Lit(Literal::Int(i)) => Val::Lit(Literal::Int(-i)),
                Val::Lit(Literal::Float(f)) => Val::Lit(Literal::Float(format!("-{f}"))),
                _ => unknown("negation of a non-number"),
            },
            Expr::Tuple(t) => Val::Seq(t.elts.iter().map(|x| self.eval_d(x, d)).collect()),
            Expr::List(l) => Val::Seq(l.elts.iter().map(|x| self.eval_d(x, d)).collect()),
            Expr::Dict(dict) => {
                let mut out = Vec::new();
                for item in &dict.items {
                    let Some(k) = &item.key else { return unknown("dict unpacking") };
                    match self.eval_d(k, d) {
                        Val::Lit(Literal::Str(s)) => out.push((s, self.eval_d(&item.value, d))),
                        _ => return unknown("non-string dict key"),
                    }
                }
                Val::Dict(out)
            }
            Expr::Name(n) => match self.scope.get(n.id.as_str()) {
                Some(v) => v.clone(),
                None => unknown(format!("`{}` is not known statically", n.id)),
            },
            Expr::BinOp(b) if b.op == Operator::Add => match (self.eval_d(&b.left, d), self.eval_d(&b.right, d)) {
                (Val::Lit(Literal::Str(a)), Val::Lit(Literal::Str(c))) => Val::Lit(Literal::Str(a + &c)),
                (Val::Seq(mut a), Val::Seq(c)) => {
                    a.extend(c);
                    Val::Seq(a)
                }
                (Val::Lit(Literal::Int(a)), Val::Lit(Literal::Int(c))) => Val::Lit(Literal::Int(a + c)),
                _ => unknown("`+` of values that are not constants"),
            },
            Expr::Attribute(a) => self.attribute(self.eval_d(&a.value, d), a.attr.as_str()),
            Expr::Subscript(sub) => subscript(self.eval_d(&sub.value, d), self.eval_d(&sub.slice, d)),
            Expr::Call(c) if let Some(v) = self.builtin_call(c, d) => v,
            Expr::Call(c) => {
                let callee = self.eval_d(&c.func, d);
                let mut pos = Vec::new();
                for a in c.arguments.args.iter() {
                    if let Expr::Starred(st) = a {
                        match self.eval_d(&st.value, d) {
                            Val::Seq(items) => pos.extend(items),
                            Val::Unknown(w) => return Val::Unknown(w),
                            _ => return unknown("*args of something that is not a list"),
                        }
                        continue;
                    }
                    pos.push(self.eval_d(a, d));
                }
                let mut kw = Vec::new();
                for k in c.arguments.keywords.iter() {
                    match &k.arg {
                        Some(name) => kw.push((name.as_str().to_string(), self.eval_d(&k.value, d))),
                        // `**kwargs` of a dict built from literals: its items are keywords.
                        None => match self.eval_d(&k.value, d) {
                            Val::Dict(items) => kw.extend(items),
                            Val::Unknown(w) => return Val::Unknown(w),
                            _ => return unknown("**kwargs of something that is not a dict"),
                        },
                    }
                }
                if let Val::Func(f) = &callee {
                    return self.call_func(f, Args { pos, kw }, d);
                }
                self.call(callee, Args { pos, kw })
            }
            Expr::Compare(cmp) if cmp.ops.len() == 1 => {
                let left = self.eval_d(&cmp.left, d);
                let right = self.eval_d(&cmp.comparators[0], d);
                compare(left, cmp.ops[0], right)
            }
            Expr::FString(f) => self.fstring(f, d),
            Expr::If(ie) => self.if_exp(ie, d),
            Expr::ListComp(lc) => self.list_comp(&lc.elt, &lc.generators, d),
            _ => unknown("expression that needs Python to evaluate"),
        }
    }

    /// `zip(a, b)`, `list(x)`, `tuple(x)`, `enumerate(x)` of known sequences and `d.items()`,
    /// `.keys()`, `.values()` of a known dict; `None` for every other call.
    fn builtin_call(&self, c: &ruff_python_ast::ExprCall, d: usize) -> Option<Val> {
        if !c.arguments.keywords.is_empty() {
            return None;
        }
        let args = &c.arguments.args;
        if args.iter().any(|a| matches!(a, Expr::Starred(_))) {
            return None;
        }
        match &*c.func {
            Expr::Name(n) if self.scope.get(n.id.as_str()).is_none() => {
                let mut vals = Vec::new();
                for a in args.iter() {
                    match self.eval_d(a, d) {
                        Val::Seq(items) => vals.push(items),
                        Val::Dict(items) => vals.push(items.into_iter().map(|(k, _)| Val::Lit(Literal::Str(k))).collect()),
                        Val::Unknown(w) => return Some(Val::Unknown(w)),
                        _ => return Some(unknown(format!("`{}()` of a value that is not a sequence", n.id))),
                    }
                }
                match (n.id.as_str(), vals.len()) {
                    ("zip", k) if k > 0 => {
                        let len = vals.iter().map(Vec::len).min().unwrap_or(0);
                        Some(Val::Seq(
                            (0..len).map(|i| Val::Seq(vals.iter().map(|v| v[i].clone()).collect())).collect(),
                        ))
                    }
                    ("list" | "tuple", 1) => vals.pop().map(Val::Seq),
                    ("enumerate", 1) => vals.pop().map(|v| {
                        Val::Seq(
                            v.into_iter()
                                .enumerate()
                                .map(|(i, x)| Val::Seq(vec![Val::Lit(Literal::Int(i as i128)), x]))
                                .collect(),
                        )
                    }),
                    _ => None,
                }
            }
            Expr::Attribute(a) if args.is_empty() && matches!(a.attr.as_str(), "items" | "keys" | "values") => {
                match self.eval_d(&a.value, d) {
                    Val::Dict(items) => Some(Val::Seq(
                        items
                            .into_iter()
                            .map(|(k, v)| match a.attr.as_str() {
                                "items" => Val::Seq(vec![Val::Lit(Literal::Str(k)), v]),
                                "keys" => Val::Lit(Literal::Str(k)),
                                _ => v,
                            })
                            .collect(),
                    )),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `a if test else b`: a test known statically picks its branch; a test on the dialect
    /// name between two types becomes a type with a variant for that dialect (decided when
    /// the type is compiled). Anything else stays unknown.
    fn if_exp(&self, ie: &ruff_python_ast::ExprIf, d: usize) -> Val {
        let test = self.eval_d(&ie.test, d);
        if let Some(b) = truthy(&test) {
            return self.eval_d(if b { &ie.body } else { &ie.orelse }, d);
        }
        let (dialect, eq) = match &test {
            Val::Module(p) => match (p.strip_prefix("__dialect_is__."), p.strip_prefix("__dialect_is_not__.")) {
                (Some(n), _) => (n.to_string(), true),
                (_, Some(n)) => (n.to_string(), false),
                _ => return unknown("conditional expression whose test needs Python"),
            },
            Val::Unknown(w) => return Val::Unknown(w.clone()),
            _ => return unknown("conditional expression whose test needs Python"),
        };
        let (then, other) = (self.eval_d(&ie.body, d), self.eval_d(&ie.orelse, d));
        let (on_match, base) = if eq { (then, other) } else { (other, then) };
        match (as_type(on_match), as_type(base)) {
            (Ok(a), Ok(b)) => Val::Type(b.with_variant(&a, &dialect)),
            (Err(w), _) | (_, Err(w)) => Val::Unknown(w),
        }
    }

    /// Run a small helper function: parameters bound, then assignments, `list.append` /
    /// `.extend`, `if` on known values and `return`. Anything else makes the call unknown.
    fn call_func(&self, f: &ruff_python_ast::StmtFunctionDef, args: Args, depth: usize) -> Val {
        if depth > MAX_DEPTH / 2 {
            return unknown("helper functions nested too deeply");
        }
        let mut local = match bind_call(self.scope, f, &args) {
            Ok(s) => s,
            Err(w) => return Val::Unknown(w),
        };
        match run_body(&f.body, &mut local, depth + 1) {
            Flow::Return(v) => v,
            Flow::Next => Val::Lit(Literal::None),
            Flow::Unknown(w) => Val::Unknown(format!("helper `{}`: {w}", f.name)),
        }
    }

    /// `[elt for target in <known sequence> if <known test>]`, one `for` clause.
    fn list_comp(&self, elt: &Expr, generators: &[ruff_python_ast::Comprehension], depth: usize) -> Val {
        let [g] = generators else {
            return unknown("a comprehension with several `for` clauses");
        };
        if g.is_async {
            return unknown("an async comprehension");
        }
        let items = match self.eval_d(&g.iter, depth + 1) {
            Val::Seq(items) => items,
            Val::Dict(items) => items.into_iter().map(|(k, _)| Val::Lit(Literal::Str(k))).collect(),
            Val::Unknown(w) => return Val::Unknown(w),
            _ => return unknown("a comprehension over a value that is not a sequence"),
        };
        let mut out = Vec::new();
        for item in items {
            let mut local = self.scope.clone();
            if let Err(w) = bind_target(&mut local, &g.target, item) {
                return Val::Unknown(w);
            }
            let ev = Evaluator { scope: &local };
            let mut keep = true;
            for test in &g.ifs {
                match truthy(&ev.eval_d(test, depth + 1)) {
                    Some(t) => keep &= t,
                    None => return unknown("a comprehension filter not known statically"),
                }
            }
            if keep {
                out.push(ev.eval_d(elt, depth + 1));
            }
        }
        Val::Seq(out)
    }

    /// An f-string whose interpolations are constants (`f"... {name} ..."` with `name` bound
    /// to a literal, no format specs).
    fn fstring(&self, f: &ruff_python_ast::ExprFString, depth: usize) -> Val {
        use ruff_python_ast::{FStringPart, InterpolatedStringElement};
        let mut out = String::new();
        for part in f.value.as_slice() {
            match part {
                FStringPart::Literal(l) => out.push_str(&l.value),
                FStringPart::FString(fs) => {
                    for el in fs.elements.iter() {
                        match el {
                            InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                            InterpolatedStringElement::Interpolation(i) => {
                                if i.format_spec.is_some() || i.debug_text.is_some() {
                                    return unknown("f-string with a format spec");
                                }
                                match self.eval_d(&i.expression, depth + 1) {
                                    Val::Lit(Literal::Str(s)) => out.push_str(&s),
                                    Val::Lit(Literal::Int(n)) => out.push_str(&n.to_string()),
                                    Val::Lit(Literal::Float(x)) => out.push_str(&x),
                                    _ => return unknown("f-string interpolating a value not known statically"),
                                }
                            }
                        }
                    }
                }
            }
        }
        match super::literal_str(&out) {
            Some(_) => Val::Lit(Literal::Str(out)),
            None => unknown("an f-string spelling a character by name (\\N{…})"),
        }
    }

    fn attribute(&self, base: Val, attr: &str) -> Val {
        match base {
            Val::Module(mut full) => {
                // `path.attr` in the path's own buffer: format! here was 4% of reading a
                // whole script (callgrind, 20,000 revisions).
                full.reserve(1 + attr.len());
                full.push('.');
                full.push_str(attr);
                if let Some(t) = type_class(&full) {
                    return Val::TypeClass(t);
                }
                Val::Module(full)
            }
            Val::Op => Val::Module(format!("alembic.op.{attr}")),
            Val::EnvContext => Val::Module(format!("alembic.context.{attr}")),
            Val::Bind | Val::MigrationContext | Val::Engine if attr == "dialect" => Val::DialectObj,
            Val::Bind | Val::MigrationContext if attr == "engine" => Val::Engine,
            // `op.get_context().bind` / `.connection`: the connection (a mock one offline).
            Val::MigrationContext if attr == "bind" || attr == "connection" => Val::Bind,
            Val::DialectObj | Val::Engine if attr == "name" => Val::DialectName,
            Val::Table(t) if attr == "c" || attr == "columns" => Val::TableColumns(t),
            Val::Table(t) => Val::Module(format!("__table__.{}.{attr}", t.table.name)),
            Val::TableColumns(t) => Val::ColumnRef {
                table: Some(t.table.name.clone()),
                name: attr.to_string(),
            },
            Val::ColumnRef { table, name } => Val::Module(format!("__colmethod__.{}.{}.{attr}", table.unwrap_or_default(), name)),
            Val::Sql(SqlExpr::Text(s)) if attr == "bindparams" => Val::Module(format!("__text_bindparams__.{s}")),
            Val::Statement(s) => Val::Module(format!("__stmt__.{}", attr)).with_statement(*s),
            Val::Type(t) if attr == "with_variant" => Val::WithVariant(Box::new(t)),
            // `op.get_context().as_sql`: migplan renders what `--sql` (offline) prints.
            Val::MigrationContext if attr == "as_sql" => Val::Lit(Literal::Bool(true)),
            Val::Unknown(w) => Val::Unknown(w),
            _ => unknown(format!("attribute `.{attr}` of a value that is not known statically")),
        }
    }

    fn call(&self, callee: Val, args: Args) -> Val {
        match callee {
            Val::Module(path) => self.call_path(&path, args),
            Val::TypeClass(t) => build_type(t, &args),
            Val::WithVariant(t) => with_variant(*t, &args),
            Val::StatementMethod(stmt, method) => statement_method(*stmt, &method, &args),
            Val::Unknown(w) => Val::Unknown(w),
            _ => unknown("a call of something that is not known statically"),
        }
    }

    fn call_path(&self, path: &str, args: Args) -> Val {
        if let Some(rest) = path.strip_prefix("__text_bindparams__.") {
            return bind_params(rest, &args);
        }
        if let Some(rest) = path.strip_prefix("__colmethod__.") {
            return column_method(rest, &args);
        }
        // `context.get_x_argument(as_dictionary=True).get(key)`: decided per run.
        if path == "__xargs__.get" {
            return match as_str(args.pos.first()) {
                Some(k) => Val::Module(format!("__xarg__.{k}")),
                None => unknown("get_x_argument().get() of a non-literal key"),
            };
        }
        let last = path.rsplit('.').next().unwrap_or(path);
        let in_sa = path.starts_with("sqlalchemy.");
        let in_op = path.starts_with("alembic.op.") || path.starts_with("__batch_op__.");
        let in_ctx = path.starts_with("alembic.context.");
        match last {
            "f" | "inline_literal" if in_op => match args.pos.first() {
                Some(Val::Lit(l)) => Val::Lit(l.clone()),
                _ => unknown("op.f() of a non-literal"),
            },
            "get_bind" if in_op || in_ctx => Val::Bind,
            "get_context" if in_op || in_ctx => Val::MigrationContext,
            "is_offline_mode" if in_ctx || in_op => Val::Lit(Literal::Bool(true)),
            "get_x_argument" if in_ctx => Val::Module("__xargs__".into()),
            "Column" if in_sa => build_column(&args),
            "text" | "literal_column" if in_sa => match args.pos.first() {
                Some(Val::Lit(Literal::Str(s))) => Val::Sql(SqlExpr::Text(s.clone())),
                _ => unknown("sa.text() of a non-literal"),
            },
            "CreateSchema" | "DropSchema" if in_sa => schema_ddl(last, &args),
            "true" if in_sa => Val::Sql(SqlExpr::Bool(true)),
            "false" if in_sa => Val::Sql(SqlExpr::Bool(false)),
            "null" if in_sa => Val::Sql(SqlExpr::Null),
            "ForeignKey" if in_sa => build_fk(&args),
            "ForeignKeyConstraint" if in_sa => build_fkc(&args),
            "PrimaryKeyConstraint" if in_sa => match (args.first_unknown(), cols_of(&args)) {
                (None, Some(columns)) => Val::Constraint(Constraint::PrimaryKey {
                    opts: opts(&args),
                    columns,
                }),
                (w, _) => unknown(w.unwrap_or_else(|| "PrimaryKeyConstraint columns".into())),
            },
            "UniqueConstraint" if in_sa => match (args.first_unknown(), cols_of(&args)) {
                (None, Some(columns)) => Val::Constraint(Constraint::Unique {
                    opts: opts(&args),
                    columns,
                }),
                (w, _) => unknown(w.unwrap_or_else(|| "UniqueConstraint columns".into())),
            },
            "CheckConstraint" if in_sa => match sql_text(args.param(0, "sqltext")) {
                Some(sqltext) => Val::Constraint(Constraint::Check(CheckConstraint {
                    opts: opts(&args),
                    sqltext,
                })),
                None => unknown("CheckConstraint condition is not static SQL"),
            },
            "Identity" if in_sa => Val::Identity(Identity {
                always: as_bool(args.param(0, "always")).unwrap_or(false),
                start: as_int(args.kw("start")).map(|v| v as i64),
                increment: as_int(args.kw("increment")).map(|v| v as i64),
                minvalue: as_int(args.kw("minvalue")).map(|v| v as i64),
                maxvalue: as_int(args.kw("maxvalue")).map(|v| v as i64),
                nominvalue: as_bool(args.kw("nominvalue")),
                nomaxvalue: as_bool(args.kw("nomaxvalue")),
                cycle: as_bool(args.kw("cycle")),
                cache: as_int(args.kw("cache")).map(|v| v as i64),
            }),
            "Computed" if in_sa => match sql_text(args.param(0, "sqltext")) {
                Some(sqltext) => Val::Computed(Computed {
                    sqltext,
                    persisted: as_bool(args.kw("persisted")),
                }),
                None => unknown("Computed expression is not static SQL"),
            },
            "table" | "Table" if in_sa => build_table(&args, last == "Table"),
            "MetaData" if in_sa => Val::Module("sqlalchemy.MetaData()".into()),
            "Index" if in_sa => {
                let Some(name) = as_str(args.pos.first()) else {
                    return unknown("sa.Index without a literal name");
                };
                let mut elements = Vec::new();
                for a in args.pos.iter().skip(1) {
                    match a {
                        Val::Lit(Literal::Str(c)) => elements.push(crate::ops::IndexElement::Column(c.clone())),
                        Val::ColumnRef { name, .. } => elements.push(crate::ops::IndexElement::Column(name.clone())),
                        Val::Sql(SqlExpr::Text(t)) => elements.push(crate::ops::IndexElement::Expr(t.clone())),
                        _ => return unknown("sa.Index element that is not static"),
                    }
                }
                let opts = match super::ops_reader::index_opts(&args) {
                    Ok(o) => o,
                    Err(w) => return Val::Unknown(w),
                };
                Val::Index(Box::new(IndexDef { name, elements, opts }))
            }
            "column" if in_sa => match (as_str(args.pos.first()), args.pos.get(1)) {
                (Some(name), _) => Val::ColumnRef { table: None, name },
                _ => unknown("sa.column() of a non-literal name"),
            },
            _ if in_sa && path.contains(".func.") => {
                let name = path.split(".func.").nth(1).unwrap_or(last).to_string();
                // Of columns (an index on `lower(email)`): SQL text naming them.
                let columns: Option<Vec<String>> = args
                    .pos
                    .iter()
                    .map(|a| match a {
                        Val::Column(c) => Some(ident_mark(&c.name)),
                        Val::ColumnRef { table: None, name } => Some(ident_mark(name)),
                        _ => None,
                    })
                    .collect();
                if let Some(cols) = columns.filter(|c| !c.is_empty()) {
                    return Val::Sql(SqlExpr::Text(format!("{FUNCTION_MARK}{name}({})", cols.join(", "))));
                }
                let mut lits = Vec::new();
                for a in &args.pos {
                    match a {
                        Val::Lit(l) => lits.push(l.clone()),
                        _ => return unknown("sa.func argument that is not a literal"),
                    }
                }
                Val::Sql(SqlExpr::Func { name, args: lits })
            }
            _ if path.starts_with("datetime.") || path == "datetime" => build_datetime(last, &args),
            _ if path.starts_with("__table__.") => {
                let table = self.find_table(path);
                match (table, last) {
                    (Some(t), "insert") => Val::Statement(Box::new(CoreStatement {
                        kind: CoreKind::Insert,
                        table: t,
                        wheres: vec![],
                        values: vec![],
                    })),
                    (Some(t), "update") => Val::Statement(Box::new(CoreStatement {
                        kind: CoreKind::Update,
                        table: t,
                        wheres: vec![],
                        values: vec![],
                    })),
                    (Some(t), "delete") => Val::Statement(Box::new(CoreStatement {
                        kind: CoreKind::Delete,
                        table: t,
                        wheres: vec![],
                        values: vec![],
                    })),
                    _ => unknown(format!("table method `{last}`")),
                }
            }
            _ => unknown(format!(
                "call of `{}`",
                path.trim_start_matches("alembic.").trim_start_matches("sqlalchemy.")
            )),
        }
    }

    fn find_table(&self, path: &str) -> Option<TableVal> {
        let name = path.strip_prefix("__table__.")?.rsplit_once('.')?.0;
        self.scope.names.values().find_map(|v| match v {
            Val::Table(t) if t.table.name == name => Some((**t).clone()),
            _ => None,
        })
    }
}

impl Val {
    fn with_statement(self, stmt: CoreStatement) -> Val {
        match self {
            Val::Module(p) => Val::StatementMethod(Box::new(stmt), p.trim_start_matches("__stmt__.").to_string()),
            other => other,
        }
    }
}

fn float_text(n: &ruff_python_ast::ExprNumberLiteral) -> String {
    match &n.value {
        Number::Float(f) => {
            let s = format!("{f}");
            if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
                s
            } else {
                format!("{s}.0")
            }
        }
        _ => String::new(),
    }
}

/// A type instance, or a type class used bare (`MEDIUMTEXT` for `MEDIUMTEXT()`).
fn as_type(v: Val) -> Result<SqlType, String> {
    match v {
        Val::Type(t) => Ok(t),
        Val::TypeClass(t) => match build_type(t, &Args { pos: vec![], kw: vec![] }) {
            Val::Type(t) => Ok(t),
            Val::Unknown(w) => Err(w),
            _ => Err("a type that is not known statically".into()),
        },
        Val::Unknown(w) => Err(w),
        _ => Err("a value that is not a type where a type is expected".into()),
    }
}

/// `type_.with_variant(other, "dialect", ...)`.
fn with_variant(t: SqlType, args: &Args) -> Val {
    if !args.kw.is_empty() {
        return unknown("with_variant() with keyword arguments");
    }
    let Some(first) = args.pos.first() else {
        return unknown("with_variant() without a type");
    };
    let v = match as_type(first.clone()) {
        Ok(v) => v,
        Err(w) => return Val::Unknown(w),
    };
    // SQLAlchemy raises ArgumentError for both: left to Alembic, not guessed.
    if !v.extra.variants.is_empty() {
        return unknown("with_variant() of a type that already has variants");
    }
    let mut out = t;
    if args.pos.len() < 2 {
        return unknown("with_variant() without a dialect name");
    }
    for name in &args.pos[1..] {
        match name {
            Val::Lit(Literal::Str(n)) if out.extra.variants.iter().any(|(d, _)| d == n) => {
                return unknown("with_variant() for a dialect that already has a variant");
            }
            Val::Lit(Literal::Str(n)) => out = out.with_variant(&v, n),
            _ => return unknown("with_variant() with a dialect name that is not a literal"),
        }
    }
    Val::Type(out)
}

/// A comparison in a Core expression (`users.c.id > 100`, `sa.column('n') >= 0`).
/// Python's comparison of two constants (strings, integers, booleans, `None`; `in` a
/// sequence of them); `None` when either side is not one.
fn compare_constants(left: &Val, op: CmpOp, right: &Val) -> Option<bool> {
    use std::cmp::Ordering;
    let lit = |v: &Val| match v {
        Val::Lit(l @ (Literal::Str(_) | Literal::Int(_) | Literal::Bool(_) | Literal::None)) => Some(l.clone()),
        _ => None,
    };
    // `True == 1` in Python: booleans compare as integers.
    let num = |l: &Literal| match l {
        Literal::Int(i) => Some(*i),
        Literal::Bool(b) => Some(*b as i128),
        _ => None,
    };
    let eq = |a: &Literal, b: &Literal| match (num(a), num(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    };
    let a = lit(left)?;
    match op {
        CmpOp::In | CmpOp::NotIn => {
            let Val::Seq(items) = right else { return None };
            let items: Option<Vec<Literal>> = items.iter().map(lit).collect();
            let found = items?.iter().any(|b| eq(&a, b));
            Some(found == (op == CmpOp::In))
        }
        CmpOp::Eq => Some(eq(&a, &lit(right)?)),
        CmpOp::NotEq => Some(!eq(&a, &lit(right)?)),
        // Identity is only certain against `None`.
        CmpOp::Is | CmpOp::IsNot => {
            let b = lit(right)?;
            if a != Literal::None && b != Literal::None {
                return None;
            }
            Some((a == b) == (op == CmpOp::Is))
        }
        CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => {
            let b = lit(right)?;
            let ord = match (num(&a), num(&b), &a, &b) {
                (Some(x), Some(y), _, _) => x.cmp(&y),
                (_, _, Literal::Str(x), Literal::Str(y)) => x.cmp(y),
                _ => return None,
            };
            Some(match op {
                CmpOp::Lt => ord == Ordering::Less,
                CmpOp::LtE => ord != Ordering::Greater,
                CmpOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            })
        }
    }
}

fn compare(left: Val, op: CmpOp, right: Val) -> Val {
    if let Some(b) = compare_constants(&left, op, &right) {
        return Val::Lit(Literal::Bool(b));
    }
    let col = match &left {
        Val::ColumnRef { table, name } => match table {
            Some(t) => format!("{t}.{name}"),
            None => name.clone(),
        },
        Val::Module(p) if p.starts_with("__xarg__.") => {
            let key = p.trim_start_matches("__xarg__.");
            return match (op, right) {
                (CmpOp::Eq, Val::Lit(Literal::Str(s))) => Val::Module(format!("__xarg_is__.{key}={s}")),
                (CmpOp::NotEq, Val::Lit(Literal::Str(s))) => Val::Module(format!("__xarg_is_not__.{key}={s}")),
                _ => unknown("comparison of an -x argument"),
            };
        }
        Val::DialectName => {
            return match (op, right) {
                (CmpOp::Eq, Val::Lit(Literal::Str(s))) => Val::Module(format!("__dialect_is__.{s}")),
                (CmpOp::NotEq, Val::Lit(Literal::Str(s))) => Val::Module(format!("__dialect_is_not__.{s}")),
                _ => unknown("comparison of the dialect name"),
            };
        }
        _ => return unknown("comparison that is not `column <op> literal`"),
    };
    let sym = match op {
        CmpOp::Eq => "=",
        CmpOp::NotEq => "!=",
        CmpOp::Lt => "<",
        CmpOp::LtE => "<=",
        CmpOp::Gt => ">",
        CmpOp::GtE => ">=",
        _ => return unknown("comparison operator"),
    };
    let rhs = match right {
        Val::Lit(Literal::Int(i)) => i.to_string(),
        Val::Lit(Literal::Float(f)) => f,
        Val::Lit(Literal::Str(s)) => format!("'{}'", s.replace('\'', "''")),
        Val::Lit(Literal::None) => {
            return Val::Sql(SqlExpr::Text(format!(
                "{col} IS {}NULL",
                if op == CmpOp::NotEq { "NOT " } else { "" }
            )));
        }
        Val::Lit(Literal::Bool(b)) | Val::Sql(SqlExpr::Bool(b)) => bool_mark(b).to_string(),
        Val::Sql(SqlExpr::Null) => {
            return Val::Sql(SqlExpr::Text(format!(
                "{col} IS {}NULL",
                if op == CmpOp::NotEq { "NOT " } else { "" }
            )));
        }
        _ => return unknown("comparison with a non-literal"),
    };
    Val::Sql(SqlExpr::Text(format!("{col} {sym} {rhs}")))
}

/// `col.in_([...])`, `col.not_in(...)`, `col.is_(None)`, `col.is_not(None)`.
fn column_method(rest: &str, args: &Args) -> Val {
    let mut parts = rest.splitn(3, '.');
    let (table, name, method) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let col = if table.is_empty() {
        name.to_string()
    } else {
        format!("{table}.{name}")
    };
    let lit = |v: &Val| -> Option<String> {
        match v {
            Val::Lit(Literal::Str(s)) => Some(format!("'{}'", s.replace('\'', "''"))),
            Val::Lit(Literal::Int(i)) => Some(i.to_string()),
            Val::Lit(Literal::Float(f)) => Some(f.clone()),
            Val::Lit(Literal::Bool(b)) => Some(bool_mark(*b).to_string()),
            _ => None,
        }
    };
    match method {
        "in_" | "not_in" | "notin_" => {
            let Some(Val::Seq(items)) = args.pos.first() else {
                return unknown("in_() of a non-literal list");
            };
            let vals: Option<Vec<String>> = items.iter().map(lit).collect();
            let Some(vals) = vals else {
                return unknown("in_() of non-literal values");
            };
            let not = if method == "in_" { "" } else { "NOT " };
            Val::Sql(SqlExpr::Text(format!("{col} {not}IN ({})", vals.join(", "))))
        }
        "is_" | "is_not" | "isnot" => match args.pos.first() {
            Some(Val::Lit(Literal::None)) | Some(Val::Sql(SqlExpr::Null)) => {
                Val::Sql(SqlExpr::Text(format!("{col} IS {}NULL", if method == "is_" { "" } else { "NOT " })))
            }
            _ => unknown("is_() of something other than None"),
        },
        _ => unknown(format!("column method `.{method}()`")),
    }
}

fn sql_text(v: Option<&Val>) -> Option<String> {
    match v {
        Some(Val::Lit(Literal::Str(s))) => Some(s.clone()),
        Some(Val::Sql(SqlExpr::Text(s))) => Some(s.clone()),
        _ => None,
    }
}

fn opts(args: &Args) -> ConstraintOpts {
    ConstraintOpts {
        name: as_str(args.kw("name")),
        deferrable: as_bool(args.kw("deferrable")),
        initially: as_str(args.kw("initially")),
    }
}

fn cols_of(args: &Args) -> Option<Vec<String>> {
    args.pos
        .iter()
        .map(|v| match v {
            Val::Lit(Literal::Str(s)) => Some(s.clone()),
            Val::ColumnRef { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

fn build_fk(args: &Args) -> Val {
    let target = match args.pos.first() {
        Some(Val::Lit(Literal::Str(s))) => s.clone(),
        Some(Val::ColumnRef { table: Some(t), name }) => format!("{t}.{name}"),
        _ => return unknown("ForeignKey target is not a string"),
    };
    Val::ForeignKey(Box::new(ColumnForeignKey {
        target,
        name: as_str(args.kw("name")),
        ondelete: as_str(args.kw("ondelete")),
        onupdate: as_str(args.kw("onupdate")),
        deferrable: as_bool(args.kw("deferrable")),
        initially: as_str(args.kw("initially")),
        match_: as_str(args.kw("match")),
    }))
}

fn build_fkc(args: &Args) -> Val {
    let (Some(cols), Some(refs)) = (as_str_list(args.param(0, "columns")), as_str_list(args.param(1, "refcolumns"))) else {
        return unknown("ForeignKeyConstraint columns are not literal lists");
    };
    let mut ref_table = TableRef::new("");
    let mut ref_columns = Vec::new();
    for r in &refs {
        let parts: Vec<&str> = r.split('.').collect();
        match parts.len() {
            2 => {
                ref_table = TableRef::new(parts[0]);
                ref_columns.push(parts[1].to_string());
            }
            n if n > 2 => {
                ref_table = TableRef {
                    name: parts[n - 2].into(),
                    schema: Some(parts[..n - 2].join(".")),
                };
                ref_columns.push(parts[n - 1].to_string());
            }
            _ => return unknown("ForeignKeyConstraint reference without a table"),
        }
    }
    Val::Constraint(Constraint::ForeignKey(Box::new(ForeignKeyConstraint {
        opts: opts(args),
        columns: cols,
        ref_table,
        ref_columns,
        ondelete: as_str(args.kw("ondelete")),
        onupdate: as_str(args.kw("onupdate")),
        match_: as_str(args.kw("match")),
        use_alter: as_bool(args.kw("use_alter")).unwrap_or(false),
    })))
}

pub fn build_column(args: &Args) -> Val {
    let Some(name) = as_str(args.pos.first()) else {
        return unknown("sa.Column without a literal name");
    };
    let mut type_: Option<SqlType> = None;
    let mut col = Column {
        ..Column::new(name, SqlType::new("NullType", "null"))
    };
    for a in args.pos.iter().skip(1) {
        match a {
            Val::Type(t) => type_ = Some(t.clone()),
            Val::TypeClass(t) => type_ = Some(t.clone()),
            Val::ForeignKey(fk) => col.extra.foreign_keys.push((**fk).clone()),
            Val::Identity(i) => col.extra.identity = Some(Box::new(i.clone())),
            Val::Computed(c) => col.extra.computed = Some(Box::new(c.clone())),
            Val::Constraint(Constraint::Check(c)) => col.extra.checks.push(c.clone()),
            Val::Unknown(w) => return Val::Unknown(w.clone()),
            _ => return unknown("unsupported positional argument to sa.Column"),
        }
    }
    match args.kw("type_") {
        Some(Val::Type(t)) | Some(Val::TypeClass(t)) => type_ = Some(t.clone()),
        Some(Val::Unknown(w)) => return Val::Unknown(w.clone()),
        _ => {}
    }
    let Some(t) = type_ else {
        // `sa.Column('email')` alone names a column in an expression (an index on
        // `lower(email)`); as a table's column its type would come from elsewhere.
        if args.pos.len() == 1 && args.kw.is_empty() {
            return Val::ColumnRef {
                table: None,
                name: col.name,
            };
        }
        return unknown("sa.Column without a type");
    };
    col.type_ = t;
    for (k, v) in &args.kw {
        if let Val::Unknown(w) = v
            && matches!(
                k.as_str(),
                "nullable" | "primary_key" | "server_default" | "autoincrement" | "comment" | "unique" | "index"
            )
        {
            return Val::Unknown(w.clone());
        }
        match k.as_str() {
            "nullable" => col.nullable = as_bool(Some(v)),
            "primary_key" => col.primary_key = as_bool(Some(v)).unwrap_or(false),
            "autoincrement" => {
                col.autoincrement = match v {
                    Val::Lit(Literal::Bool(true)) => AutoIncrement::True,
                    Val::Lit(Literal::Bool(false)) => AutoIncrement::False,
                    Val::Lit(Literal::Str(s)) if s == "ignore_fk" => AutoIncrement::IgnoreFk,
                    _ => AutoIncrement::Auto,
                }
            }
            "server_default" => {
                col.server_default = match v {
                    Val::Lit(Literal::None) => None,
                    Val::Lit(Literal::Str(s)) => Some(Box::new(SqlExpr::Literal(Literal::Str(s.clone())))),
                    Val::Sql(e) => Some(Box::new(e.clone())),
                    Val::Lit(_) => return unknown("server_default must be a string or SQL expression"),
                    _ => return unknown("server_default that is not static"),
                }
            }
            "comment" => col.extra.set(|e| &mut e.comment, as_str(Some(v))),
            "unique" => col.extra.set(|e| &mut e.unique, as_bool(Some(v))),
            "index" => col.extra.set(|e| &mut e.index, as_bool(Some(v))),
            _ => {}
        }
    }
    Val::Column(Box::new(col))
}

pub fn build_table(args: &Args, full: bool) -> Val {
    let Some(name) = as_str(args.pos.first()) else {
        return unknown("table without a literal name");
    };
    let mut columns = Vec::new();
    let mut full_cols = Vec::new();
    let mut full_cons = Vec::new();
    let mut indexes = Vec::new();
    // sa.Table(name, metadata, *cols); sa.table(name, *cols)
    let skip = if full { 2 } else { 1 };
    for a in args.pos.iter().skip(skip) {
        match a {
            Val::ColumnRef { name, .. } => columns.push((name.clone(), None)),
            Val::Column(c) => {
                columns.push((c.name.clone(), Some(c.type_.clone())));
                full_cols.push((**c).clone());
            }
            Val::Constraint(c) => full_cons.push(c.clone()),
            Val::Index(i) => indexes.push((**i).clone()),
            Val::Unknown(w) => return Val::Unknown(w.clone()),
            _ => return unknown("table column that is not static"),
        }
    }
    let full = (full && !full_cols.is_empty()).then_some((full_cols, full_cons));
    Val::Table(Box::new(TableVal {
        table: TableRef {
            name,
            schema: as_str(args.kw("schema")),
        },
        columns,
        full,
        indexes,
    }))
}

fn build_datetime(func: &str, args: &Args) -> Val {
    let nums: Option<Vec<i128>> = args.pos.iter().map(|v| as_int(Some(v))).collect();
    let Some(n) = nums else {
        return unknown("datetime with non-literal parts");
    };
    let get = |i: usize, default: i128| n.get(i).copied().unwrap_or(default);
    match func {
        "datetime" if n.len() >= 3 => Val::Lit(Literal::DateTime {
            date: (get(0, 1970) as i64, get(1, 1) as u32, get(2, 1) as u32),
            time: Some((get(3, 0) as u32, get(4, 0) as u32, get(5, 0) as u32, get(6, 0) as u32)),
        }),
        "date" if n.len() == 3 => Val::Lit(Literal::DateTime {
            date: (get(0, 1970) as i64, get(1, 1) as u32, get(2, 1) as u32),
            time: None,
        }),
        _ => unknown(format!("datetime.{func}")),
    }
}

/// `sa.text("... :name ...").bindparams(name=value)`: inline the literals (offline mode
/// renders bound values as literals).
fn bind_params(text: &str, args: &Args) -> Val {
    let mut out = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let c = bytes[i];
        if c == b':'
            && i + 1 < text.len()
            && (bytes[i + 1].is_ascii_alphabetic() || bytes[i + 1] == b'_')
            && (i == 0 || bytes[i - 1] != b':')
        {
            let start = i + 1;
            let mut end = start;
            while end < text.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            let name = &text[start..end];
            match args.kw(name) {
                Some(Val::Lit(Literal::Str(s))) => out.push_str(&format!("'{}'", s.replace('\'', "''"))),
                Some(Val::Lit(Literal::Int(v))) => out.push_str(&v.to_string()),
                Some(Val::Lit(Literal::Float(f))) => out.push_str(f),
                Some(Val::Lit(Literal::Bool(b))) => out.push_str(bool_mark(*b)),
                Some(Val::Lit(Literal::None)) => out.push_str("NULL"),
                _ => return unknown(format!("bind parameter :{name} has no literal value")),
            }
            i = end;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    Val::Sql(SqlExpr::Text(out))
}

fn statement_method(mut stmt: CoreStatement, method: &str, args: &Args) -> Val {
    match method {
        "where" | "filter" => {
            for a in &args.pos {
                match a {
                    Val::Sql(SqlExpr::Text(s)) => stmt.wheres.push(s.clone()),
                    _ => return unknown("where() clause that is not a simple comparison"),
                }
            }
            Val::Statement(Box::new(stmt))
        }
        "values" => {
            for (k, v) in &args.kw {
                match v {
                    Val::Lit(l) => stmt.values.push((k.clone(), l.clone())),
                    _ => return unknown("values() with a non-literal value"),
                }
            }
            if let Some(Val::Dict(d)) = args.pos.first() {
                for (k, v) in d {
                    match v {
                        Val::Lit(l) => stmt.values.push((k.clone(), l.clone())),
                        _ => return unknown("values() with a non-literal value"),
                    }
                }
            }
            Val::Statement(Box::new(stmt))
        }
        "inline" => Val::Statement(Box::new(stmt)),
        _ => unknown(format!("Core method `.{method}()`")),
    }
}

/// Known SQLAlchemy type classes by dotted path (module aliases already resolved).
pub fn type_class(path: &str) -> Option<SqlType> {
    let (ns, name) = if let Some(n) = path.strip_prefix("sqlalchemy.dialects.postgresql.") {
        (TypeNamespace::Postgresql, n)
    } else if let Some(n) = path.strip_prefix("sqlalchemy.dialects.mysql.") {
        (TypeNamespace::Mysql, n)
    } else if let Some(n) = path.strip_prefix("sqlalchemy.dialects.sqlite.") {
        (TypeNamespace::Sqlite, n)
    } else if let Some(n) = path.strip_prefix("sqlalchemy.types.") {
        (TypeNamespace::Generic, n)
    } else if let Some(n) = path.strip_prefix("sqlalchemy.") {
        (TypeNamespace::Generic, n)
    } else {
        return None;
    };
    let visit = match name {
        "String" => "string",
        "Unicode" => "unicode",
        "Text" => "text",
        "UnicodeText" => "unicode_text",
        "Integer" => "integer",
        "SmallInteger" => "small_integer",
        "BigInteger" => "big_integer",
        "Boolean" => "boolean",
        "Date" => "date",
        "DateTime" => "datetime",
        "Time" => "time",
        "Interval" => "interval",
        "Float" => "float",
        "Double" => "double",
        "Numeric" => "numeric",
        // Pickled values are stored in its `impl`, LargeBinary by default.
        "LargeBinary" | "PickleType" => "large_binary",
        "Enum" => "enum",
        "Uuid" => "uuid",
        "JSON" => "JSON",
        "INT" | "INTEGER" => "INTEGER",
        "VARCHAR" | "NVARCHAR" | "CHAR" | "NCHAR" | "TEXT" | "CLOB" | "SMALLINT" | "BIGINT" | "BOOLEAN" | "DATE" | "DATETIME" | "TIME"
        | "TIMESTAMP" | "FLOAT" | "DOUBLE" | "DOUBLE_PRECISION" | "REAL" | "NUMERIC" | "DECIMAL" | "BLOB" | "BINARY" | "VARBINARY"
        | "UUID" | "ARRAY" | "JSONB" | "INET" | "CIDR" | "MACADDR" | "MACADDR8" | "MONEY" | "OID" | "TSVECTOR" | "TSQUERY" | "CITEXT"
        | "HSTORE" | "BYTEA" | "INTERVAL" | "BIT" | "TINYINT" | "MEDIUMINT" | "MEDIUMTEXT" | "LONGTEXT" | "TINYTEXT" | "TINYBLOB"
        | "MEDIUMBLOB" | "LONGBLOB" | "YEAR" | "SET" | "INT4RANGE" | "INT8RANGE" | "NUMRANGE" | "DATERANGE" | "TSRANGE" | "TSTZRANGE"
        | "REGCLASS" => name,
        "ENUM" => match ns {
            TypeNamespace::Postgresql | TypeNamespace::Mysql => "ENUM",
            _ => return None,
        },
        _ => return None,
    };
    let mut t = SqlType::new(name, visit);
    t.namespace = ns;
    t.class = match ns {
        TypeNamespace::Generic => name.to_string(),
        TypeNamespace::Postgresql => format!("postgresql.{name}"),
        TypeNamespace::Mysql => format!("mysql.{name}"),
        TypeNamespace::Sqlite => format!("sqlite.{name}"),
    };
    if name == "ENUM" && ns == TypeNamespace::Postgresql {
        t.visit = "enum".into();
    }
    Some(t)
}

/// Call a type class with its constructor arguments.
/// `sa.schema.CreateSchema(name, if_not_exists=)` / `DropSchema(name, cascade=, if_exists=)`
/// as SQLAlchemy compiles them; names that would need quoting are left unknown.
fn schema_ddl(which: &str, args: &Args) -> Val {
    if let Some(w) = args.first_unknown() {
        return Val::Unknown(w);
    }
    let Some(name) = as_str(args.param(0, "name")) else {
        return unknown(format!("{which}() of a name that is not a literal"));
    };
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return unknown(format!("{which}() of a name SQLAlchemy would quote"));
    }
    let flag = |k: &str| as_bool(args.kw(k)).unwrap_or(false);
    let sql = if which == "CreateSchema" {
        format!("CREATE SCHEMA {}{name}", if flag("if_not_exists") { "IF NOT EXISTS " } else { "" })
    } else {
        format!(
            "DROP SCHEMA {}{name}{}",
            if flag("if_exists") { "IF EXISTS " } else { "" },
            if flag("cascade") { " CASCADE" } else { "" }
        )
    };
    Val::Sql(SqlExpr::Text(sql))
}

pub fn build_type(mut t: SqlType, args: &Args) -> Val {
    if let Some(w) = args.first_unknown() {
        return Val::Unknown(w);
    }
    let name = t.class.rsplit('.').next().unwrap_or("").to_string();
    match name.as_str() {
        "PickleType" if args.kw("impl").is_some() => return unknown("PickleType with its own impl type"),
        "String" | "Unicode" | "Text" | "UnicodeText" | "VARCHAR" | "NVARCHAR" | "CHAR" | "NCHAR" | "TEXT" | "CLOB" | "TINYTEXT"
        | "MEDIUMTEXT" | "LONGTEXT" => {
            t.length = as_u32(args.param(0, "length"));
            t.extra.set(
                |e| &mut e.collation,
                as_str(args.param(1, "collation")).or_else(|| as_str(args.kw("collation"))),
            );
            t.extra.set(|e| &mut e.charset, as_str(args.kw("charset")));
            t.national = as_bool(args.kw("national")).unwrap_or(false);
        }
        "Numeric" | "NUMERIC" | "DECIMAL" | "Float" | "FLOAT" | "Double" | "DOUBLE" | "DOUBLE_PRECISION" | "REAL" => {
            t.precision = as_u32(args.param(0, "precision"));
            if matches!(name.as_str(), "Numeric" | "NUMERIC" | "DECIMAL") || t.namespace == TypeNamespace::Mysql {
                t.scale = as_u32(args.param(1, "scale"));
            }
            t.unsigned = as_bool(args.kw("unsigned")).unwrap_or(false);
            t.zerofill = as_bool(args.kw("zerofill")).unwrap_or(false);
        }
        "INTEGER" | "INT" | "BIGINT" | "SMALLINT" | "TINYINT" | "MEDIUMINT" | "YEAR" => {
            t.extra.set(|e| &mut e.display_width, as_u32(args.param(0, "display_width")));
            t.unsigned = as_bool(args.kw("unsigned")).unwrap_or(false);
            t.zerofill = as_bool(args.kw("zerofill")).unwrap_or(false);
        }
        "DateTime" | "DATETIME" | "TIMESTAMP" | "Time" | "TIME" => {
            t.timezone = as_bool(args.param(0, "timezone")).unwrap_or(false);
            t.precision = as_u32(args.param(1, "precision")).filter(|_| t.namespace == TypeNamespace::Postgresql);
            t.extra.set(
                |e| &mut e.fsp,
                as_u32(args.kw("fsp")).or_else(|| as_u32(args.pos.get(1)).filter(|_| t.namespace == TypeNamespace::Mysql)),
            );
        }
        "Interval" => {}
        "INTERVAL" => {
            t.precision = as_u32(args.param(0, "precision"));
            t.extra.set(|e| &mut e.fields, as_str(args.param(1, "fields")));
        }
        "BIT" => {
            t.length = as_u32(args.param(0, "length"));
            t.varying = as_bool(args.param(1, "varying")).unwrap_or(false);
        }
        "LargeBinary" | "BLOB" | "BINARY" | "VARBINARY" => t.length = as_u32(args.param(0, "length")),
        "Boolean" => {
            t.create_constraint = as_bool(args.param(0, "create_constraint")).unwrap_or(false);
            t.extra.set(|e| &mut e.name, as_str(args.param(1, "name")));
        }
        "Enum" | "ENUM" | "SET" => {
            let mut values = Vec::new();
            for v in &args.pos {
                match v {
                    Val::Lit(Literal::Str(s)) => values.push(s.clone()),
                    Val::Seq(items) => {
                        for i in items {
                            match i {
                                Val::Lit(Literal::Str(s)) => values.push(s.clone()),
                                _ => return unknown("Enum values that are not strings"),
                            }
                        }
                    }
                    _ => return unknown("Enum values from a Python enum class"),
                }
            }
            t.extra.enums = values;
            t.extra.set(|e| &mut e.name, as_str(args.kw("name")));
            t.native_enum = as_bool(args.kw("native_enum")).unwrap_or(true);
            t.create_constraint = as_bool(args.kw("create_constraint")).unwrap_or(false);
            t.extra.set(|e| &mut e.enum_length, as_u32(args.kw("length")));
            t.extra.set(|e| &mut e.schema, as_str(args.kw("schema")));
            t.extra.set(|e| &mut e.charset, as_str(args.kw("charset")));
            t.extra.set(|e| &mut e.collation, as_str(args.kw("collation")));
        }
        "Uuid" => {
            t.native_uuid = as_bool(args.kw("native_uuid")).unwrap_or(true);
        }
        "ARRAY" => {
            match args.param(0, "item_type") {
                Some(Val::Type(it)) | Some(Val::TypeClass(it)) => t.extra.item_type = Some(Box::new(it.clone())),
                _ => return unknown("ARRAY item type is not static"),
            }
            t.extra.set(|e| &mut e.dimensions, as_u32(args.kw("dimensions")));
        }
        _ => {}
    }
    Val::Type(t)
}

#[allow(clippy::large_enum_variant)]
enum Flow {
    Next,
    Return(Val),
    Unknown(String),
}

pub fn truthy(v: &Val) -> Option<bool> {
    match v {
        Val::Lit(Literal::Bool(b)) => Some(*b),
        Val::Lit(Literal::None) => Some(false),
        Val::Lit(Literal::Int(i)) => Some(*i != 0),
        Val::Lit(Literal::Str(s)) => Some(!s.is_empty()),
        Val::Seq(items) => Some(!items.is_empty()),
        _ => None,
    }
}

fn run_body(body: &[ruff_python_ast::Stmt], scope: &mut Scope, depth: usize) -> Flow {
    use ruff_python_ast::Stmt;
    for (i, stmt) in body.iter().enumerate() {
        match stmt {
            Stmt::Expr(e) if i == 0 && matches!(&*e.value, Expr::StringLiteral(_)) => {}
            Stmt::Pass(_) => {}
            Stmt::Assign(a) if a.targets.len() == 1 => {
                let Expr::Name(n) = &a.targets[0] else {
                    return Flow::Unknown("assignment to something other than a name".into());
                };
                let v = Evaluator { scope }.eval_d(&a.value, depth);
                scope.set(n.id.as_str(), v);
            }
            Stmt::AnnAssign(a) => {
                let (Expr::Name(n), Some(v)) = (&*a.target, &a.value) else {
                    return Flow::Unknown("annotated assignment".into());
                };
                let v = Evaluator { scope }.eval_d(v, depth);
                scope.set(n.id.as_str(), v);
            }
            Stmt::Expr(e) => {
                let Expr::Call(c) = &*e.value else {
                    return Flow::Unknown("an expression statement".into());
                };
                let Expr::Attribute(attr) = &*c.func else {
                    return Flow::Unknown("a call".into());
                };
                let Expr::Name(target) = &*attr.value else {
                    return Flow::Unknown("a method call".into());
                };
                let method = attr.attr.as_str();
                let arg = c.arguments.args.first().map(|a| Evaluator { scope }.eval_d(a, depth));
                let Some(Val::Seq(mut items)) = scope.get(target.id.as_str()).cloned() else {
                    return Flow::Unknown(format!("`{}.{method}()`", target.id));
                };
                match (method, arg) {
                    ("append", Some(v)) => items.push(v),
                    ("extend", Some(Val::Seq(more))) => items.extend(more),
                    _ => return Flow::Unknown(format!("`{}.{method}()`", target.id)),
                }
                scope.set(target.id.as_str(), Val::Seq(items));
            }
            Stmt::If(ifs) => {
                let mut branch: Option<&[Stmt]> = None;
                match truthy(&Evaluator { scope }.eval_d(&ifs.test, depth)) {
                    Some(true) => branch = Some(&ifs.body),
                    Some(false) => {
                        for clause in &ifs.elif_else_clauses {
                            match &clause.test {
                                None => {
                                    branch = Some(&clause.body);
                                    break;
                                }
                                Some(t) => match truthy(&Evaluator { scope }.eval_d(t, depth)) {
                                    Some(true) => {
                                        branch = Some(&clause.body);
                                        break;
                                    }
                                    Some(false) => {}
                                    None => return Flow::Unknown("an `elif` on a value not known statically".into()),
                                },
                            }
                        }
                    }
                    None => return Flow::Unknown("an `if` on a value not known statically".into()),
                }
                if let Some(b) = branch {
                    match run_body(b, scope, depth + 1) {
                        Flow::Next => {}
                        other => return other,
                    }
                }
            }
            Stmt::Return(r) => {
                return Flow::Return(match &r.value {
                    Some(v) => Evaluator { scope }.eval_d(v, depth),
                    None => Val::Lit(Literal::None),
                });
            }
            _ => return Flow::Unknown("a statement migplan does not evaluate".into()),
        }
    }
    Flow::Next
}

/// A scope for running helper `f`: the module scope plus the call's arguments bound to the
/// parameters (defaults evaluated).
pub fn bind_call(module: &Scope, f: &ruff_python_ast::StmtFunctionDef, args: &Args) -> Result<Scope, String> {
    let mut local = module.clone();
    let params = &f.parameters;
    if params.vararg.is_some() || params.kwarg.is_some() || !params.kwonlyargs.is_empty() {
        return Err(format!("call of `{}` with *args/**kwargs parameters", f.name));
    }
    let all: Vec<&ruff_python_ast::ParameterWithDefault> = params.posonlyargs.iter().chain(params.args.iter()).collect();
    if args.pos.len() > all.len() {
        return Err(format!("call of `{}` with too many arguments", f.name));
    }
    for (i, p) in all.iter().enumerate() {
        let name = p.parameter.name.as_str();
        let v = if let Some(v) = args.pos.get(i) {
            v.clone()
        } else if let Some(v) = args.kw(name) {
            v.clone()
        } else if let Some(def) = &p.default {
            Evaluator { scope: module }.eval(def)
        } else {
            return Err(format!("call of `{}` without argument `{name}`", f.name));
        };
        local.set(name, v);
    }
    Ok(local)
}

/// `seq[i]` (negative counts from the end) and `dict["key"]` of known values.
fn subscript(base: Val, index: Val) -> Val {
    match (base, index) {
        (Val::Seq(items), Val::Lit(Literal::Int(i))) => {
            let len = items.len() as i128;
            let at = if i < 0 { len + i } else { i };
            match usize::try_from(at).ok().and_then(|at| items.get(at)) {
                Some(v) => v.clone(),
                None => unknown("index out of range"),
            }
        }
        (Val::Dict(items), Val::Lit(Literal::Str(k))) => match items.into_iter().find(|(name, _)| *name == k) {
            Some((_, v)) => v,
            None => unknown(format!("key `{k}` not in the dict")),
        },
        (Val::Unknown(w), _) | (_, Val::Unknown(w)) => Val::Unknown(w),
        _ => unknown("a subscript migplan cannot evaluate"),
    }
}

/// Bind an assignment or `for` target (a name, or a tuple/list of targets unpacking a
/// sequence of the same length). An unknown value binds every name to unknown.
pub fn bind_target(scope: &mut Scope, target: &Expr, v: Val) -> Result<(), String> {
    match target {
        Expr::Name(n) => {
            scope.set(n.id.as_str(), v);
            Ok(())
        }
        Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. }) | Expr::List(ruff_python_ast::ExprList { elts, .. }) => {
            if elts.iter().any(|e| matches!(e, Expr::Starred(_))) {
                return Err("starred unpacking".into());
            }
            match v {
                Val::Seq(items) if items.len() == elts.len() => {
                    for (t, item) in elts.iter().zip(items) {
                        bind_target(scope, t, item)?;
                    }
                    Ok(())
                }
                Val::Unknown(w) => {
                    for t in elts.iter() {
                        bind_target(scope, t, Val::Unknown(w.clone()))?;
                    }
                    Ok(())
                }
                Val::Seq(_) => Err("unpacking a sequence of another length".into()),
                _ => Err("unpacking a value that is not a sequence".into()),
            }
        }
        _ => Err("assignment to something other than names".into()),
    }
}

/// The names a target binds (`a`, `(a, (b, c))`).
pub fn target_names(target: &Expr, out: &mut Vec<String>) {
    match target {
        Expr::Name(n) => out.push(n.id.as_str().to_string()),
        Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. }) | Expr::List(ruff_python_ast::ExprList { elts, .. }) => {
            for e in elts.iter() {
                target_names(e, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Val {
        let parsed = ruff_python_parser::parse_expression(src).expect("expression");
        let scope = Scope::default();
        (Evaluator { scope: &scope }).eval(parsed.expr())
    }

    fn s(x: &str) -> Val {
        Val::Lit(Literal::Str(x.into()))
    }

    #[test]
    fn comparisons_of_constants() {
        assert_eq!(eval("'a' != 'b'"), Val::Lit(Literal::Bool(true)));
        assert_eq!(eval("1 == True"), Val::Lit(Literal::Bool(true)));
        assert_eq!(eval("'x' in ('x', 'y')"), Val::Lit(Literal::Bool(true)));
        assert_eq!(eval("3 not in [1, 2]"), Val::Lit(Literal::Bool(true)));
        assert_eq!(eval("None is None"), Val::Lit(Literal::Bool(true)));
        assert_eq!(eval("'a' < 'b'"), Val::Lit(Literal::Bool(true)));
        // Identity of two strings is up to the interpreter.
        assert!(matches!(eval("'a' is 'a'"), Val::Unknown(_)));
        assert!(matches!(eval("'a' < 1"), Val::Unknown(_)));
    }

    #[test]
    fn list_comprehensions() {
        assert_eq!(
            eval("[f'ix_{c}' for c in ('a', 'b', 'c') if c != 'b']"),
            Val::Seq(vec![s("ix_a"), s("ix_c")])
        );
        assert_eq!(
            eval("[{'name': n} for n in ['x']]"),
            Val::Seq(vec![Val::Dict(vec![("name".into(), s("x"))])])
        );
        assert!(matches!(eval("[c for c in unknown_thing]"), Val::Unknown(_)));
        assert!(matches!(eval("[a for a in [1] for b in [2]]"), Val::Unknown(_)));
        assert!(matches!(eval("[a for a in [1, 2] if a > unknown]"), Val::Unknown(_)));
    }

    #[test]
    fn function_of_a_bare_column_marks_it() {
        let scope = {
            let mut sc = Scope::default();
            sc.set("sa", Val::Module("sqlalchemy".into()));
            sc
        };
        let parsed = ruff_python_parser::parse_expression("sa.func.lower(sa.Column('email'))").unwrap();
        let v = (Evaluator { scope: &scope }).eval(parsed.expr());
        let Val::Sql(SqlExpr::Text(t)) = v else { panic!("{v:?}") };
        assert_eq!(t, format!("{FUNCTION_MARK}lower({IDENT_MARK}email{IDENT_MARK})"));
        assert_eq!(crate::dialect::ddl::strip_ident_marks(&t), "lower(email)");
    }
}
