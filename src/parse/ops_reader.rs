//! Reads the bodies of `upgrade()` / `downgrade()` into typed steps: `op.*` calls (and
//! `batch_op.*` inside `with op.batch_alter_table(...)`), `op.execute` of text and simple
//! Core statements, `sa.Enum(...).create/drop(op.get_bind())`, `if` on the dialect name or
//! offline mode, `with op.get_context().autocommit_block()`. Every other statement becomes
//! an opaque step that keeps its source excerpt.

use ruff_python_ast::{BoolOp, Expr, Stmt, UnaryOp};
use ruff_text_size::Ranged;

use super::py_eval::{
    Args, CoreKind, CoreStatement, Evaluator, Scope, TableVal, Val, as_bool, as_str, as_str_list, as_u32, is_none, truthy,
};
use crate::ops::{
    AlterColumn, Batch, CheckConstraint, Column, Cond, Constraint, ConstraintOpts, ForeignKeyConstraint, IndexElement, IndexOpts, Literal,
    MysqlLength, Op, Opaque, SqlExpr, SqlType, Step, StepKind, TableRef,
};
use crate::source::{LineIndex, Span};

/// Context for reading one function body.
pub struct BodyReader<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub scope: Scope,
    /// Tables created so far in this function (for `batch_alter_table(copy_from=...)`).
    pub table_defs: Vec<(String, Vec<Column>, Vec<Constraint>)>,
    /// How many helper functions deep the reader is (inlined calls).
    pub depth: usize,
    /// Operations that follow the one just read (`sa.Index(...)` arguments of
    /// `op.create_table` become `CREATE INDEX` after the `CREATE TABLE`).
    pub follow_ops: Vec<Op>,
}

fn span_of(r: impl Ranged) -> Span {
    let range = r.range();
    Span::new(range.start().to_usize(), range.end().to_usize())
}

/// The statement blocks inside a compound statement (none for a simple one).
fn nested_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::Try(t) => {
            let mut v = vec![&t.body[..], &t.orelse[..], &t.finalbody[..]];
            for h in &t.handlers {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                v.push(&h.body[..]);
            }
            v
        }
        Stmt::While(w) => vec![&w.body[..], &w.orelse[..]],
        Stmt::For(f) => vec![&f.body[..], &f.orelse[..]],
        Stmt::With(w) => vec![&w.body[..]],
        Stmt::If(i) => std::iter::once(&i.body[..])
            .chain(i.elif_else_clauses.iter().map(|c| &c.body[..]))
            .collect(),
        _ => Vec::new(),
    }
}

/// An `except` block whose last statement raises (`raise`, `raise e`, `raise X(...)`).
fn reraises(h: &ruff_python_ast::ExceptHandler) -> bool {
    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
    matches!(h.body.last(), Some(Stmt::Raise(_)))
}

/// An `except` clause catching only what a body of fully read operations cannot raise in
/// Alembic's offline mode: the DBAPI/SQLAlchemy/oslo.db errors a database raises, and
/// `AttributeError` (an old Alembic without `batch_alter_table`).
fn offline_cannot_raise(e: &Expr) -> bool {
    match e {
        Expr::Tuple(t) => !t.elts.is_empty() && t.elts.iter().all(offline_cannot_raise),
        Expr::Name(n) => raised_only_online(n.id.as_str()),
        Expr::Attribute(a) => raised_only_online(a.attr.as_str()),
        _ => false,
    }
}

/// An exception class a fully read body raises only against a live database (or, for
/// `AttributeError`, only on an Alembic without the operation).
fn raised_only_online(name: &str) -> bool {
    matches!(
        name,
        "OperationalError"
            | "ProgrammingError"
            | "IntegrityError"
            | "DatabaseError"
            | "DBAPIError"
            | "InternalError"
            | "DataError"
            | "NotSupportedError"
            | "InterfaceError"
            | "DBError"
            | "AttributeError"
    )
}

/// Steps migplan read entirely: no opaque step at any depth.
fn all_read(steps: &[Step]) -> bool {
    steps.iter().all(|s| match &s.kind {
        StepKind::Opaque(_) => false,
        StepKind::Op(crate::ops::Op::Batch(b)) => all_read(&b.steps),
        StepKind::Op(crate::ops::Op::AutocommitBlock { steps }) => all_read(steps),
        StepKind::Op(_) => true,
        StepKind::If { then, otherwise, .. } => all_read(then) && all_read(otherwise),
        StepKind::TryUnsupported { body, handler } => all_read(body) && all_read(handler),
    })
}

/// What `batch_op` refers to inside a batch block.
#[derive(Clone)]
struct BatchTarget {
    table: TableRef,
}

impl<'a> BodyReader<'a> {
    fn step(&self, span: Span, kind: StepKind) -> Step {
        let first = self.lines.line_of(span.start as usize) as u32 + 1;
        let last = self.lines.line_of((span.end as usize).saturating_sub(1).max(span.start as usize)) as u32 + 1;
        Step {
            span,
            lines: (first, last),
            kind,
        }
    }

    fn opaque(&self, span: Span, reason: impl Into<String>) -> Step {
        self.opaque_with(span, reason, Vec::new())
    }

    /// An opaque construct whose inner operations (`maybe`) may or may not run.
    fn opaque_with(&self, span: Span, reason: impl Into<String>, maybe: Vec<Step>) -> Step {
        let excerpt = self.text.get(span.range()).unwrap_or("").to_string();
        self.step(
            span,
            StepKind::Opaque(Box::new(Opaque {
                reason: reason.into(),
                excerpt,
                maybe,
                tables: Vec::new(),
                enum_types: Vec::new(),
                offline: Vec::new(),
            })),
        )
    }

    /// An operation call migplan cannot read, with the tables its literal arguments name.
    fn opaque_call(&self, span: Span, reason: impl Into<String>, call: &ruff_python_ast::ExprCall, batch: Option<&BatchTarget>) -> Step {
        let mut s = self.opaque(span, reason);
        if let StepKind::Opaque(o) = &mut s.kind {
            o.tables = self.call_tables(call, batch);
            o.enum_types = self.create_table_enums(call);
        }
        s
    }

    /// The enum types of the readable columns of an `op.create_table(...)` call.
    fn create_table_enums(&self, call: &ruff_python_ast::ExprCall) -> Vec<SqlType> {
        let ev = Evaluator { scope: &self.scope };
        match &*call.func {
            Expr::Attribute(attr) if attr.attr.as_str() == "create_table" && ev.eval(&attr.value) == Val::Op => {}
            _ => return Vec::new(),
        }
        call.arguments
            .args
            .iter()
            .skip(1)
            .filter_map(|a| match ev.eval(a) {
                Val::Column(c) if c.type_.is_enum() => Some(c.type_),
                _ => None,
            })
            .collect()
    }

    /// The tables an `op.*` / `batch_op.*` call names by literal, whatever else it holds.
    fn call_tables(&self, call: &ruff_python_ast::ExprCall, batch: Option<&BatchTarget>) -> Vec<TableRef> {
        let Expr::Attribute(attr) = &*call.func else {
            return Vec::new();
        };
        let ev = Evaluator { scope: &self.scope };
        let base = ev.eval(&attr.value);
        if base == Val::Module("__batch_op__".into()) {
            return batch.map(|b| vec![b.table.clone()]).unwrap_or_default();
        }
        if base != Val::Op {
            return Vec::new();
        }
        // Where each operation takes its table(s): position and keyword.
        let params: &[(usize, &str)] = match attr.attr.as_str() {
            "create_table"
            | "drop_table"
            | "add_column"
            | "drop_column"
            | "alter_column"
            | "create_table_comment"
            | "drop_table_comment" => &[(0, "table_name")],
            "rename_table" => &[(0, "old_table_name"), (1, "new_table_name")],
            "create_index"
            | "drop_index"
            | "create_unique_constraint"
            | "create_check_constraint"
            | "create_primary_key"
            | "drop_constraint"
            | "create_exclude_constraint" => &[(1, "table_name")],
            "create_foreign_key" => &[(1, "source_table"), (2, "referent_table")],
            _ => &[],
        };
        let args = eval_args(&ev, call);
        let schema = as_str(args.kw("schema"));
        params
            .iter()
            .filter_map(|(i, k)| as_str(args.param(*i, k)))
            .map(|name| TableRef {
                name,
                schema: schema.clone(),
            })
            .collect()
    }

    fn push_follow_ops(&mut self, span: Span, out: &mut Vec<Step>) {
        for op in std::mem::take(&mut self.follow_ops) {
            out.push(self.step(span, StepKind::Op(op)));
        }
    }

    pub fn read_body(&mut self, body: &[Stmt]) -> Vec<Step> {
        self.read_stmts(body, None)
    }

    fn read_stmts(&mut self, body: &[Stmt], batch: Option<&BatchTarget>) -> Vec<Step> {
        let mut out = Vec::new();
        for (i, stmt) in body.iter().enumerate() {
            // `if <cond>: return` ends the function for that branch: the statements after it
            // belong to the other branch.
            if let Stmt::If(ifs) = stmt
                && ifs.elif_else_clauses.is_empty()
                && matches!(ifs.body.last(), Some(Stmt::Return(r)) if r.value.is_none())
            {
                let span = span_of(stmt);
                if let Some(cond) = self.condition(&ifs.test) {
                    let then = self.read_stmts(&ifs.body[..ifs.body.len() - 1], batch);
                    let otherwise = self.read_stmts(&body[i + 1..], batch);
                    out.push(self.step(span, StepKind::If { cond, then, otherwise }));
                } else {
                    // Whether the rest of the function runs is unknown: the whole rest is
                    // the opaque step, and what it would touch becomes unknown.
                    let mut maybe = self.read_stmts(&ifs.body[..ifs.body.len() - 1], batch);
                    maybe.extend(self.read_stmts(&body[i + 1..], batch));
                    let end = body.last().map_or(span, span_of).end;
                    out.push(self.opaque_with(
                        Span::new(span.start as usize, end as usize),
                        "an early `return` whose condition needs a database or Python",
                        maybe,
                    ));
                }
                return out;
            }
            // A leading docstring and `pass` / `...` do nothing.
            match stmt {
                Stmt::Pass(_) => continue,
                Stmt::Expr(e) if matches!(&*e.value, Expr::EllipsisLiteral(_)) => continue,
                Stmt::Expr(e) if i == 0 && matches!(&*e.value, Expr::StringLiteral(_)) => continue,
                _ => {}
            }
            self.read_stmt(stmt, batch, &mut out);
        }
        out
    }

    fn read_stmt(&mut self, stmt: &Stmt, batch: Option<&BatchTarget>, out: &mut Vec<Step>) {
        let span = span_of(stmt);
        match stmt {
            Stmt::Expr(e) => match &*e.value {
                // `names.append(x)` / `names.extend([...])` on a local list.
                Expr::Call(call)
                    if let Expr::Attribute(attr) = &*call.func
                        && let Expr::Name(list) = &*attr.value
                        && matches!(attr.attr.as_str(), "append" | "extend")
                        && let Some(Val::Seq(mut items)) = self.scope.get(list.id.as_str()).cloned() =>
                {
                    let arg = match (call.arguments.args.len(), call.arguments.keywords.is_empty()) {
                        (1, true) => Evaluator { scope: &self.scope }.eval(&call.arguments.args[0]),
                        _ => super::py_eval::unknown("a list method call migplan cannot read"),
                    };
                    let v = match (attr.attr.as_str(), arg) {
                        (_, Val::Unknown(w)) => Val::Unknown(w),
                        ("append", v) => {
                            items.push(v);
                            Val::Seq(items)
                        }
                        (_, Val::Seq(more)) => {
                            items.extend(more);
                            Val::Seq(items)
                        }
                        _ => super::py_eval::unknown("extend() of a value that is not a list"),
                    };
                    self.scope.set(list.id.as_str(), v);
                }
                // A helper function of this module: its operations are inlined.
                Expr::Call(call) if self.helper(call).is_some() => {
                    let Some(f) = self.helper(call) else { return };
                    if self.depth >= 8 {
                        out.push(self.opaque(span, "helper functions nested too deeply"));
                        return;
                    }
                    let args = eval_args(&Evaluator { scope: &self.scope }, call);
                    match super::py_eval::bind_call(&self.scope, &f, &args) {
                        Ok(local) => {
                            let saved = std::mem::replace(&mut self.scope, local);
                            self.depth += 1;
                            let body: Vec<Stmt> = f
                                .body
                                .iter()
                                .filter(|s| !matches!(s, Stmt::Return(r) if r.value.is_none()))
                                .cloned()
                                .collect();
                            let steps = self.read_stmts(&body, batch);
                            self.depth -= 1;
                            self.scope = saved;
                            out.extend(steps);
                        }
                        Err(why) => out.push(self.opaque(span, why)),
                    }
                }
                Expr::Call(call) => match self.call_step(call, batch) {
                    Ok(Some((op, _))) => {
                        out.push(self.step(span, StepKind::Op(op)));
                        self.push_follow_ops(span, out);
                    }
                    Ok(None) => {}
                    Err(why) => {
                        // `items.sort(key=...)`, `d.update(...)`: a method migplan cannot run
                        // may change the list or dict it is called on.
                        if let Expr::Attribute(attr) = &*call.func
                            && let Expr::Name(n) = &*attr.value
                            && matches!(self.scope.get(n.id.as_str()), Some(Val::Seq(_) | Val::Dict(_)))
                        {
                            let changed = super::py_eval::unknown(format!("`{}` after `.{}()`", n.id, attr.attr));
                            self.scope.set(n.id.as_str(), changed);
                        }
                        out.push(self.opaque_call(span, why, call, batch))
                    }
                },
                Expr::StringLiteral(_) => {}
                _ => out.push(self.opaque(span, "an expression statement migplan cannot evaluate")),
            },
            // `kwargs["nullable"] = False`: building a dict of arguments.
            Stmt::Assign(a)
                if a.targets.len() == 1
                    && let Expr::Subscript(sub) = &a.targets[0]
                    && let Expr::Name(dict) = &*sub.value
                    && let Some(Val::Dict(_)) = self.scope.get(dict.id.as_str()) =>
            {
                let ev = Evaluator { scope: &self.scope };
                let (key, value) = (ev.eval(&sub.slice), ev.eval(&a.value));
                match (key, self.scope.get(dict.id.as_str()).cloned()) {
                    (Val::Lit(Literal::Str(k)), Some(Val::Dict(mut items))) => {
                        items.retain(|(name, _)| *name != k);
                        items.push((k, value));
                        self.scope.set(dict.id.as_str(), Val::Dict(items));
                    }
                    _ => {
                        self.scope
                            .set(dict.id.as_str(), Val::Unknown("a dict with a key not known statically".into()));
                    }
                }
            }
            // `a, b = 'x', 'y'`: unpacking known values.
            Stmt::Assign(a) if a.targets.len() == 1 && matches!(&a.targets[0], Expr::Tuple(_) | Expr::List(_)) => {
                let v = Evaluator { scope: &self.scope }.eval(&a.value);
                let known = !matches!(v, Val::Unknown(_));
                if let Err(why) = super::py_eval::bind_target(&mut self.scope, &a.targets[0], v) {
                    let mut names = Vec::new();
                    super::py_eval::target_names(&a.targets[0], &mut names);
                    for n in names {
                        self.scope.set(&n, Val::Unknown(why.clone()));
                    }
                }
                if !known && self.assign_has_effect(&a.value) {
                    out.push(self.opaque(span, "a call whose effect is not known statically"));
                }
            }
            Stmt::Assign(a) if a.targets.len() == 1 => {
                let Expr::Name(target) = &a.targets[0] else {
                    out.push(self.opaque(span, "assignment to something other than a plain name"));
                    return;
                };
                if let Expr::Call(call) = &*a.value
                    && self.is_op_call(call, batch)
                    && !is_accessor_call(call)
                {
                    match self.call_step(call, batch) {
                        Ok(Some((op, val))) => {
                            self.scope.set(target.id.as_str(), val);
                            out.push(self.step(span, StepKind::Op(op)));
                            self.push_follow_ops(span, out);
                        }
                        Ok(None) => {}
                        Err(why) => {
                            self.scope.set(target.id.as_str(), Val::Unknown(why.clone()));
                            out.push(self.opaque_call(span, why, call, batch));
                        }
                    }
                    return;
                }
                let v = Evaluator { scope: &self.scope }.eval(&a.value);
                let known = !matches!(v, Val::Unknown(_));
                // Binding a connection or a value we cannot know is fine until it is used.
                self.scope.set(target.id.as_str(), v);
                if !known && self.assign_has_effect(&a.value) {
                    out.push(self.opaque(span, "a call whose effect is not known statically"));
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(target), Some(v)) = (&*a.target, &a.value) {
                    let v = Evaluator { scope: &self.scope }.eval(v);
                    self.scope.set(target.id.as_str(), v);
                }
            }
            Stmt::With(w) if w.items.len() == 1 => {
                let item = &w.items[0];
                let Expr::Call(call) = &item.context_expr else {
                    out.push(self.opaque(span, "a `with` block migplan cannot evaluate"));
                    return;
                };
                let callee = method_chain(&call.func);
                if callee.ends_with("batch_alter_table") && self.base_is_op(&call.func) {
                    let ev = Evaluator { scope: &self.scope };
                    let args = eval_args(&ev, call);
                    let Some(name) = as_str(args.param(0, "table_name")) else {
                        out.push(self.opaque(span, "batch_alter_table() on a table name that is not a literal"));
                        return;
                    };
                    let table = TableRef {
                        name,
                        schema: as_str(args.kw("schema")),
                    };
                    let mut copy_from_opaque = None;
                    let copy_indexes: Vec<(String, Vec<IndexElement>, IndexOpts)> = match args.kw("copy_from") {
                        Some(Val::Table(t)) => t
                            .indexes
                            .iter()
                            .map(|i| (i.name.clone(), i.elements.clone(), i.opts.clone()))
                            .collect(),
                        _ => Vec::new(),
                    };
                    let copy_from = match args.kw("copy_from") {
                        Some(Val::Table(t)) => match &t.full {
                            Some(full) => Some(full.clone()),
                            None => self
                                .table_defs
                                .iter()
                                .find(|(n, _, _)| *n == t.table.name)
                                .map(|(_, c, k)| (c.clone(), k.clone())),
                        },
                        Some(Val::Unknown(w)) => {
                            copy_from_opaque = Some((w.clone(), self.text.get(span.range()).unwrap_or("").to_string()));
                            None
                        }
                        Some(_) => {
                            copy_from_opaque = Some((
                                "copy_from is not a table migplan can read".into(),
                                self.text.get(span.range()).unwrap_or("").to_string(),
                            ));
                            None
                        }
                        None => None,
                    };
                    let recreate = as_str(args.kw("recreate")).unwrap_or_else(|| "auto".into());
                    let saved = match item.optional_vars.as_deref() {
                        Some(Expr::Name(n)) => Some(n.id.as_str().to_string()),
                        _ => None,
                    };
                    if let Some(v) = &saved {
                        self.scope.set(v, Val::Module("__batch_op__".into()));
                    }
                    let target = BatchTarget { table: table.clone() };
                    let steps = self.read_stmts(&w.body, Some(&target));
                    out.push(self.step(
                        span,
                        StepKind::Op(Op::Batch(Box::new(Batch {
                            table,
                            recreate,
                            copy_from,
                            copy_from_opaque,
                            copy_indexes,
                            steps,
                        }))),
                    ));
                    return;
                }
                if callee.ends_with("autocommit_block") {
                    let steps = self.read_stmts(&w.body, batch);
                    out.push(self.step(span, StepKind::Op(Op::AutocommitBlock { steps })));
                    return;
                }
                let maybe = self.read_stmts(&w.body, batch);
                out.push(self.opaque_with(span, "a `with` block migplan cannot evaluate", maybe));
            }
            Stmt::If(ifs) => {
                let Some(cond) = self.condition(&ifs.test) else {
                    let mut maybe = self.read_stmts(&ifs.body, batch);
                    for c in &ifs.elif_else_clauses {
                        maybe.extend(self.read_stmts(&c.body, batch));
                    }
                    out.push(self.opaque_with(span, "an `if` whose condition needs a database or Python", maybe));
                    return;
                };
                let then = self.read_stmts(&ifs.body, batch);
                let mut otherwise = Vec::new();
                // elif chains: nest them as else-if
                let mut rest: Vec<(Option<&Expr>, &[Stmt])> =
                    ifs.elif_else_clauses.iter().map(|c| (c.test.as_ref(), &c.body[..])).collect();
                if !rest.is_empty() {
                    otherwise = self.elif_chain(&mut rest, batch, span);
                }
                out.push(self.step(span, StepKind::If { cond, then, otherwise }));
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                super::ops_reader::bind_imports(stmt, &mut self.scope);
            }
            // `for x in <literal list>:` (also `for a, b in zip(...)` / `d.items()`) is
            // unrolled, one pass per item.
            Stmt::For(f) if f.orelse.is_empty() && !f.is_async => {
                let items = match (Evaluator { scope: &self.scope }).eval(&f.iter) {
                    Val::Seq(items) if items.len() <= 1000 => items,
                    _ => {
                        let maybe = self.read_stmts(&f.body, batch);
                        out.push(self.opaque_with(span, "a `for` loop over values not known statically", maybe));
                        return;
                    }
                };
                let mut names = Vec::new();
                super::py_eval::target_names(&f.target, &mut names);
                let saved: Vec<(String, Option<Val>)> = names.iter().map(|n| (n.clone(), self.scope.get(n).cloned())).collect();
                // Every item must unpack into the target before any pass is read.
                let mut check = Scope::default();
                if let Some(why) = items
                    .iter()
                    .find_map(|item| super::py_eval::bind_target(&mut check, &f.target, item.clone()).err())
                {
                    let maybe = self.read_stmts(&f.body, batch);
                    out.push(self.opaque_with(span, format!("a `for` loop whose target cannot be bound: {why}"), maybe));
                    return;
                }
                for item in items {
                    if super::py_eval::bind_target(&mut self.scope, &f.target, item).is_err() {
                        continue;
                    }
                    let steps = self.read_stmts(&f.body, batch);
                    out.extend(steps);
                }
                for (name, v) in saved {
                    match v {
                        Some(v) => self.scope.set(&name, v),
                        None => {
                            self.scope.names.remove(&name);
                        }
                    }
                }
            }
            Stmt::Return(r) if r.value.is_none() => {}
            // `try: <body> except ...: <cleanup>; raise` `finally: <cleanup>`: every handler
            // re-raises, so a migration that completes ran the body, then the finally block.
            Stmt::Try(t) if t.orelse.is_empty() && !t.handlers.is_empty() && t.handlers.iter().all(reraises) => {
                out.extend(self.read_stmts(&t.body, batch));
                out.extend(self.read_stmts(&t.finalbody, batch));
            }
            // `try: <ops> except NotImplementedError: <handler>` (what Alembic raises where a
            // dialect cannot do an operation, e.g. SQLite constraint ALTERs).
            Stmt::Try(t) if t.orelse.is_empty() && t.finalbody.is_empty() && t.handlers.len() == 1 => {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = &t.handlers[0];
                let catches = match h.type_.as_deref() {
                    None => true,
                    Some(Expr::Name(n)) => matches!(n.id.as_str(), "NotImplementedError" | "Exception" | "BaseException"),
                    _ => false,
                };
                if !catches {
                    let body = self.read_stmts(&t.body, batch);
                    let offline = if h.type_.as_deref().is_some_and(offline_cannot_raise) && all_read(&body) {
                        body.clone()
                    } else {
                        Vec::new()
                    };
                    let mut maybe = body;
                    maybe.extend(self.read_stmts(&h.body, batch));
                    let mut step = self.opaque_with(span, "a `try` whose handler depends on a run-time error", maybe);
                    if let StepKind::Opaque(o) = &mut step.kind {
                        o.offline = offline;
                    }
                    out.push(step);
                    return;
                }
                let body = self.read_stmts(&t.body, batch);
                let handler = self.read_stmts(&h.body, batch);
                out.push(self.step(span, StepKind::TryUnsupported { body, handler }));
            }
            _ => {
                let mut maybe = Vec::new();
                for b in nested_bodies(stmt) {
                    maybe.extend(self.read_stmts(b, batch));
                }
                out.push(self.opaque_with(span, "a Python statement migplan cannot evaluate", maybe));
            }
        }
    }

    fn elif_chain(&mut self, rest: &mut Vec<(Option<&Expr>, &[Stmt])>, batch: Option<&BatchTarget>, span: Span) -> Vec<Step> {
        let (test, body) = rest.remove(0);
        match test {
            None => self.read_stmts(body, batch),
            Some(t) => {
                let Some(cond) = self.condition(t) else {
                    return vec![self.opaque(span, "an `elif` whose condition needs a database or Python")];
                };
                let then = self.read_stmts(body, batch);
                let otherwise = if rest.is_empty() {
                    Vec::new()
                } else {
                    self.elif_chain(rest, batch, span)
                };
                vec![self.step(span, StepKind::If { cond, then, otherwise })]
            }
        }
    }

    /// Conditions decidable without a database.
    fn condition(&self, e: &Expr) -> Option<Cond> {
        match e {
            Expr::BoolOp(b) => {
                let parts: Option<Vec<Cond>> = b.values.iter().map(|v| self.condition(v)).collect();
                Some(match b.op {
                    BoolOp::And => Cond::And(parts?),
                    BoolOp::Or => Cond::Or(parts?),
                })
            }
            Expr::UnaryOp(u) if u.op == UnaryOp::Not => Some(Cond::Not(Box::new(self.condition(&u.operand)?))),
            Expr::Compare(c) if c.ops.len() == 1 && matches!(c.ops[0], ruff_python_ast::CmpOp::In | ruff_python_ast::CmpOp::NotIn) => {
                let ev = Evaluator { scope: &self.scope };
                if ev.eval(&c.left) != Val::DialectName {
                    return None;
                }
                let names = as_str_list(Some(&ev.eval(&c.comparators[0])))?;
                let any = Cond::Or(names.into_iter().map(Cond::DialectIs).collect());
                Some(if c.ops[0] == ruff_python_ast::CmpOp::In {
                    any
                } else {
                    Cond::Not(Box::new(any))
                })
            }
            _ => {
                let ev = Evaluator { scope: &self.scope };
                match ev.eval(e) {
                    // Python truthiness of a value known statically (`if not prefix:`).
                    v @ (Val::Lit(_) | Val::Seq(_)) => truthy(&v).map(Cond::Const),
                    Val::Module(p) if p.starts_with("__xarg_is") => {
                        let negate = p.starts_with("__xarg_is_not__.");
                        let rest = p.trim_start_matches("__xarg_is_not__.").trim_start_matches("__xarg_is__.");
                        let (k, v) = rest.split_once('=')?;
                        let c = Cond::XArgIs(k.to_string(), v.to_string());
                        Some(if negate { Cond::Not(Box::new(c)) } else { c })
                    }
                    Val::Module(p) => {
                        if let Some(d) = p.strip_prefix("__dialect_is__.") {
                            Some(Cond::DialectIs(d.to_string()))
                        } else {
                            p.strip_prefix("__dialect_is_not__.")
                                .map(|d| Cond::Not(Box::new(Cond::DialectIs(d.to_string()))))
                        }
                    }
                    _ => None,
                }
            }
        }
    }

    /// The module-level helper function a call names, if any.
    fn helper(&self, call: &ruff_python_ast::ExprCall) -> Option<std::rc::Rc<ruff_python_ast::StmtFunctionDef>> {
        match &*call.func {
            Expr::Name(n) => match self.scope.get(n.id.as_str()) {
                Some(Val::Func(f)) => Some(f.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn base_is_op(&self, func: &Expr) -> bool {
        if let Expr::Attribute(a) = func {
            let ev = Evaluator { scope: &self.scope };
            return matches!(ev.eval(&a.value), Val::Op);
        }
        false
    }

    fn is_op_call(&self, call: &ruff_python_ast::ExprCall, batch: Option<&BatchTarget>) -> bool {
        if let Expr::Attribute(a) = &*call.func {
            let ev = Evaluator { scope: &self.scope };
            let base = ev.eval(&a.value);
            return matches!(base, Val::Op) || (batch.is_some() && base == Val::Module("__batch_op__".into()));
        }
        false
    }

    /// An unknown assignment matters only when it calls something (a query, a helper).
    fn assign_has_effect(&self, e: &Expr) -> bool {
        matches!(e, Expr::Call(_) | Expr::Await(_))
    }

    /// One call statement: an operation (with the value it returns), nothing, or a reason
    /// it cannot be read.
    fn call_step(&mut self, call: &ruff_python_ast::ExprCall, batch: Option<&BatchTarget>) -> Result<Option<(Op, Val)>, String> {
        let Expr::Attribute(attr) = &*call.func else {
            return Err("a call of a function migplan cannot see into".into());
        };

        let method = attr.attr.as_str();
        let ev = Evaluator { scope: &self.scope };
        let base = ev.eval(&attr.value);
        let args = eval_args(&ev, call);
        match base {
            Val::Op => self.op_call(method, &args, None),
            // `t.append_column(...)` on a table built for `copy_from=`: update the variable.
            Val::Table(mut t) if matches!(method, "append_column" | "append_constraint") => {
                let Expr::Name(var) = &*attr.value else {
                    return Err("append on an expression".into());
                };
                let full = t.full.get_or_insert_with(|| (Vec::new(), Vec::new()));
                match args.pos.first() {
                    Some(Val::Column(c)) if method == "append_column" => {
                        t.columns.push((c.name.clone(), Some(c.type_.clone())));
                        full.0.push((**c).clone());
                    }
                    Some(Val::Constraint(c)) if method == "append_constraint" => full.1.push(c.clone()),
                    Some(Val::Unknown(w)) => return Err(w.clone()),
                    _ => return Err(format!("{method}() of something migplan cannot read")),
                }
                self.scope.set(var.id.as_str(), Val::Table(t));
                Ok(None)
            }
            Val::Module(m) if m == "__batch_op__" => match batch {
                Some(b) => self.op_call(method, &args, Some(&b.table)),
                None => Err("batch_op used outside its block".into()),
            },
            // sa.Enum(...).create(op.get_bind()) / .drop(...)
            Val::Type(t) if method == "create" || method == "drop" => {
                if !t.is_enum() {
                    return Err(format!("`.{method}()` of a {} type", t.class));
                }
                let Some(name) = t.extra.name.clone() else {
                    return Err("Enum type without a name".into());
                };
                let op = if method == "create" {
                    Op::CreateEnumType {
                        name,
                        schema: t.extra.schema.clone(),
                        values: t.extra.enums.clone(),
                    }
                } else {
                    Op::DropEnumType {
                        name,
                        schema: t.extra.schema.clone(),
                    }
                };
                Ok(Some((op, Val::Lit(Literal::None))))
            }
            // Offline, a connection's execute() only prints its statement (as Alembic does).
            Val::Bind if method == "execute" => match args.pos.first() {
                Some(Val::Lit(Literal::Str(s))) | Some(Val::Sql(SqlExpr::Text(s))) => {
                    Ok(Some((Op::Execute { sql: s.clone() }, Val::Lit(Literal::None))))
                }
                Some(Val::Statement(stmt)) => Ok(Some((
                    Op::Execute {
                        sql: core_statement_sql(stmt)?,
                    },
                    Val::Lit(Literal::None),
                ))),
                Some(Val::Unknown(w)) => Err(w.clone()),
                _ => Err("execute() on the connection with SQL migplan cannot read".into()),
            },
            Val::Unknown(w) => Err(w),
            _ => Err(format!("call of `.{method}()` on something migplan cannot evaluate")),
        }
    }

    fn op_call(&mut self, method: &str, a: &Args, batch: Option<&TableRef>) -> Result<Option<(Op, Val)>, String> {
        // In a batch block the table argument is implicit: shift positions by one.
        let shift = |i: usize| if batch.is_some() && i > 0 { i - 1 } else { i };
        let table_at = |a: &Args, i: usize, kw: &str| -> Result<TableRef, String> {
            if let Some(t) = batch {
                return Ok(t.clone());
            }
            match as_str(a.param(i, kw)) {
                Some(name) => Ok(TableRef {
                    name,
                    schema: as_str(a.kw("schema")),
                }),
                None => Err(format!("op.{method}() on a table name that is not a literal")),
            }
        };
        let none = || Val::Lit(Literal::None);
        let op = match method {
            "create_table" => {
                if let Some(w) = a.first_unknown() {
                    return Err(w);
                }
                let table = table_at(a, 0, "table_name")?;
                let mut columns = Vec::new();
                let mut constraints = Vec::new();
                let mut indexes = Vec::new();
                for v in a.pos.iter().skip(1) {
                    match v {
                        Val::Column(c) => columns.push((**c).clone()),
                        Val::Constraint(c) => constraints.push(c.clone()),
                        Val::Index(i) => indexes.push((**i).clone()),
                        _ => return Err("create_table() argument that is not a Column or constraint".into()),
                    }
                }
                let kwargs: Vec<(String, Literal)> =
                    a.kw.iter()
                        .filter(|(k, _)| {
                            k.contains('_')
                                && k.split('_')
                                    .next()
                                    .is_some_and(|p| matches!(p, "mysql" | "mariadb" | "postgresql" | "sqlite"))
                        })
                        .filter_map(|(k, v)| match v {
                            Val::Lit(l) => Some((k.clone(), l.clone())),
                            _ => None,
                        })
                        .collect();
                let tv = TableVal {
                    table: table.clone(),
                    columns: columns.iter().map(|c| (c.name.clone(), Some(c.type_.clone()))).collect(),
                    full: Some((columns.clone(), constraints.clone())),
                    indexes: indexes.clone(),
                };
                // Alembic creates the table's `sa.Index` objects right after the table.
                self.follow_ops = indexes
                    .into_iter()
                    .map(|i| Op::CreateIndex {
                        name: Some(i.name),
                        table: table.clone(),
                        elements: i.elements,
                        opts: crate::ops::extras::Extras::of(i.opts),
                    })
                    .collect();
                self.table_defs.push((table.name.clone(), columns.clone(), constraints.clone()));
                let op = Op::CreateTable {
                    table,
                    columns,
                    constraints,
                    extra: crate::ops::extras::Extras::of(crate::ops::TableExtras {
                        comment: as_str(a.kw("comment")),
                        kwargs,
                    }),
                    if_not_exists: as_bool(a.kw("if_not_exists")).unwrap_or(false),
                };
                return Ok(Some((op, Val::Table(Box::new(tv)))));
            }
            "drop_table" => Op::DropTable {
                table: table_at(a, 0, "table_name")?,
                if_exists: as_bool(a.kw("if_exists")).unwrap_or(false),
            },
            "rename_table" => Op::RenameTable {
                table: table_at(a, 0, "old_table_name")?,
                new_name: as_str(a.param(1, "new_table_name")).ok_or("rename_table() new name is not a literal")?,
            },
            "add_column" => {
                let column = match a.param(shift(1), "column") {
                    Some(Val::Column(c)) => (**c).clone(),
                    Some(Val::Unknown(w)) => return Err(w.clone()),
                    _ => return Err("add_column() of something that is not a Column".into()),
                };
                Op::AddColumn {
                    table: table_at(a, 0, "table_name")?,
                    column: Box::new(column),
                    if_not_exists: as_bool(a.kw("if_not_exists")).unwrap_or(false),
                    insert_before: as_str(a.kw("insert_before")),
                    insert_after: as_str(a.kw("insert_after")),
                }
            }
            "drop_column" => Op::DropColumn {
                table: table_at(a, 0, "table_name")?,
                column: as_str(a.param(shift(1), "column_name")).ok_or("drop_column() column is not a literal")?,
                if_exists: as_bool(a.kw("if_exists")).unwrap_or(false),
            },
            "alter_column" => Op::AlterColumn(Box::new(alter_column(a, table_at(a, 0, "table_name")?, shift(1))?)),
            "create_index" => {
                let name = match a.param(0, "index_name") {
                    Some(Val::Lit(Literal::Str(s))) => Some(s.clone()),
                    Some(Val::Lit(Literal::None)) => None,
                    _ => return Err("create_index() name is not a literal".into()),
                };
                let table = table_at(a, 1, "table_name")?;
                let cols = a.param(shift(2), "columns");
                let elements = index_elements(cols).ok_or("create_index() columns are not literals")?;
                Op::CreateIndex {
                    name,
                    table,
                    elements,
                    opts: crate::ops::extras::Extras::of(index_opts(a)?),
                }
            }
            "drop_index" => Op::DropIndex {
                name: as_str(a.param(0, "index_name")).ok_or("drop_index() name is not a literal")?,
                table: match batch {
                    Some(t) => Some(t.clone()),
                    None => as_str(a.param(1, "table_name")).map(|name| TableRef {
                        name,
                        schema: as_str(a.kw("schema")),
                    }),
                },
                if_exists: as_bool(a.kw("if_exists")).unwrap_or(false),
                postgresql_concurrently: as_bool(a.kw("postgresql_concurrently")).unwrap_or(false),
            },
            "create_unique_constraint" | "create_primary_key" => {
                let name = constraint_name(a.param(0, "constraint_name"))?;
                let table = table_at(a, 1, "table_name")?;
                let columns = as_str_list(a.param(shift(2), "columns")).ok_or("constraint columns are not literals")?;
                let opts = ConstraintOpts {
                    name,
                    deferrable: as_bool(a.kw("deferrable")),
                    initially: as_str(a.kw("initially")),
                };
                let constraint = if method == "create_unique_constraint" {
                    Constraint::Unique { opts, columns }
                } else {
                    Constraint::PrimaryKey { opts, columns }
                };
                Op::AddConstraint {
                    table,
                    constraint: Box::new(constraint),
                }
            }
            "create_foreign_key" => {
                let name = constraint_name(a.param(0, "constraint_name"))?;
                let table = table_at(a, 1, "source_table")?;
                let referent = as_str(a.param(shift(2), "referent_table")).ok_or("create_foreign_key() referent is not a literal")?;
                let columns = as_str_list(a.param(shift(3), "local_cols")).ok_or("create_foreign_key() columns are not literals")?;
                let ref_columns = as_str_list(a.param(shift(4), "remote_cols")).ok_or("create_foreign_key() columns are not literals")?;
                let fk = ForeignKeyConstraint {
                    opts: ConstraintOpts {
                        name,
                        deferrable: as_bool(a.kw("deferrable")),
                        initially: as_str(a.kw("initially")),
                    },
                    columns,
                    ref_table: TableRef {
                        name: referent,
                        schema: as_str(a.kw("referent_schema")),
                    },
                    ref_columns,
                    ondelete: as_str(a.kw("ondelete")),
                    onupdate: as_str(a.kw("onupdate")),
                    match_: as_str(a.kw("match")),
                    use_alter: false,
                };
                let mut table = table;
                if batch.is_none() {
                    table.schema = as_str(a.kw("source_schema"));
                }
                Op::AddConstraint {
                    table,
                    constraint: Box::new(Constraint::ForeignKey(Box::new(fk))),
                }
            }
            "create_check_constraint" => {
                let name = constraint_name(a.param(0, "constraint_name"))?;
                let table = table_at(a, 1, "table_name")?;
                let sqltext = match a.param(shift(2), "condition") {
                    Some(Val::Lit(Literal::Str(s))) => s.clone(),
                    Some(Val::Sql(SqlExpr::Text(s))) => s.clone(),
                    Some(Val::Unknown(w)) => return Err(w.clone()),
                    _ => return Err("create_check_constraint() condition is not static SQL".into()),
                };
                let opts = ConstraintOpts {
                    name,
                    deferrable: as_bool(a.kw("deferrable")),
                    initially: as_str(a.kw("initially")),
                };
                Op::AddConstraint {
                    table,
                    constraint: Box::new(Constraint::Check(CheckConstraint { opts, sqltext })),
                }
            }
            "drop_constraint" => Op::DropConstraint {
                name: as_str(a.param(0, "constraint_name")).ok_or("drop_constraint() name is not a literal")?,
                table: table_at(a, 1, "table_name")?,
                type_: as_str(a.kw("type_")),
                if_exists: as_bool(a.kw("if_exists")).unwrap_or(false),
            },
            "create_table_comment" => Op::CreateTableComment {
                table: table_at(a, 0, "table_name")?,
                comment: as_str(a.param(shift(1), "comment")).ok_or("create_table_comment() comment is not a literal")?,
            },
            "drop_table_comment" => Op::DropTableComment {
                table: table_at(a, 0, "table_name")?,
            },
            "execute" => {
                let sql = match a.param(0, "sqltext") {
                    Some(Val::Lit(Literal::Str(s))) => s.clone(),
                    Some(Val::Sql(SqlExpr::Text(s))) => s.clone(),
                    Some(Val::Statement(stmt)) => core_statement_sql(stmt)?,
                    Some(Val::Unknown(w)) => return Err(w.clone()),
                    _ => return Err("op.execute() of something that is not static SQL".into()),
                };
                Op::Execute { sql }
            }
            "bulk_insert" => {
                let table = match a.param(0, "table") {
                    Some(Val::Table(t)) => (**t).clone(),
                    Some(Val::Unknown(w)) => return Err(w.clone()),
                    _ => return Err("bulk_insert() into a table migplan cannot see".into()),
                };
                let rows = match a.param(1, "rows") {
                    Some(Val::Seq(rows)) => rows,
                    Some(Val::Unknown(w)) => return Err(w.clone()),
                    _ => return Err("bulk_insert() rows are not a literal list".into()),
                };
                let mut out_rows = Vec::new();
                for r in rows {
                    let Val::Dict(items) = r else {
                        return Err("bulk_insert() row that is not a literal dict".into());
                    };
                    let mut row = Vec::new();
                    for (k, v) in items {
                        match v {
                            Val::Lit(l) => row.push((k.clone(), l.clone())),
                            _ => return Err(format!("bulk_insert() value for '{k}' is not a literal")),
                        }
                    }
                    out_rows.push(row);
                }
                Op::BulkInsert {
                    table: table.table,
                    columns: table.columns,
                    rows: out_rows,
                }
            }
            "f" | "inline_literal" | "get_bind" | "get_context" => return Ok(None),
            other => return Err(format!("op.{other}() is not read statically yet")),
        };
        Ok(Some((op, none())))
    }
}

fn constraint_name(v: Option<&Val>) -> Result<Option<String>, String> {
    match v {
        Some(Val::Lit(Literal::Str(s))) => Ok(Some(s.clone())),
        Some(Val::Lit(Literal::None)) | None => Ok(None),
        _ => Err("constraint name is not a literal".into()),
    }
}

fn index_elements(v: Option<&Val>) -> Option<Vec<IndexElement>> {
    let items = match v? {
        Val::Seq(items) => items.clone(),
        single => vec![single.clone()],
    };
    items
        .iter()
        .map(|i| match i {
            Val::Lit(Literal::Str(s)) => Some(IndexElement::Column(s.clone())),
            Val::Sql(SqlExpr::Text(s)) => Some(IndexElement::Expr(s.clone())),
            Val::ColumnRef { name, .. } => Some(IndexElement::Column(name.clone())),
            _ => None,
        })
        .collect()
}

pub(crate) fn index_opts(a: &Args) -> Result<IndexOpts, String> {
    let text = |k: &str| -> Result<Option<String>, String> {
        match a.kw(k) {
            None | Some(Val::Lit(Literal::None)) => Ok(None),
            Some(Val::Lit(Literal::Str(s))) => Ok(Some(s.clone())),
            Some(Val::Sql(SqlExpr::Text(s))) => Ok(Some(s.clone())),
            Some(Val::Unknown(w)) => Err(w.clone()),
            Some(_) => Err(format!("{k} is not static SQL")),
        }
    };
    let length = |k: &str| -> Result<Option<MysqlLength>, String> {
        Ok(match a.kw(k) {
            None => None,
            Some(Val::Lit(Literal::Int(n))) => Some(MysqlLength::All(*n as u32)),
            Some(Val::Dict(d)) => Some(MysqlLength::PerColumn(
                d.iter().filter_map(|(k, v)| as_u32(Some(v)).map(|n| (k.clone(), n))).collect(),
            )),
            _ => return Err(format!("{k} is not a literal")),
        })
    };
    let postgresql_ops = match a.kw("postgresql_ops") {
        None => Vec::new(),
        Some(Val::Dict(d)) => d.iter().filter_map(|(k, v)| as_str(Some(v)).map(|o| (k.clone(), o))).collect(),
        _ => return Err("postgresql_ops is not a literal dict".into()),
    };
    Ok(IndexOpts {
        postgresql_ops,
        unique: as_bool(a.kw("unique")).unwrap_or(false),
        if_not_exists: as_bool(a.kw("if_not_exists")).unwrap_or(false),
        postgresql_where: text("postgresql_where")?,
        postgresql_using: text("postgresql_using")?,
        postgresql_concurrently: as_bool(a.kw("postgresql_concurrently")).unwrap_or(false),
        postgresql_include: as_str_list(a.kw("postgresql_include")).unwrap_or_default(),
        postgresql_nulls_not_distinct: as_bool(a.kw("postgresql_nulls_not_distinct")),
        mysql_length: length("mysql_length")?,
        mysql_prefix: text("mysql_prefix")?,
        mysql_using: text("mysql_using")?,
        mariadb_length: length("mariadb_length")?,
        mariadb_prefix: text("mariadb_prefix")?,
        mariadb_using: text("mariadb_using")?,
        sqlite_where: text("sqlite_where")?,
    })
}

fn type_arg(v: Option<&Val>) -> Result<Option<SqlType>, String> {
    match v {
        None | Some(Val::Lit(Literal::None)) => Ok(None),
        Some(Val::Type(t)) | Some(Val::TypeClass(t)) => Ok(Some(t.clone())),
        Some(Val::Unknown(w)) => Err(w.clone()),
        _ => Err("type that is not a SQLAlchemy type".into()),
    }
}

fn default_arg(v: &Val) -> Result<Option<SqlExpr>, String> {
    match v {
        Val::Lit(Literal::None) => Ok(None),
        Val::Lit(Literal::Str(s)) => Ok(Some(SqlExpr::Literal(Literal::Str(s.clone())))),
        Val::Sql(e) => Ok(Some(e.clone())),
        Val::Unknown(w) => Err(w.clone()),
        _ => Err("server_default that is not static".into()),
    }
}

fn alter_column(a: &Args, table: TableRef, col_pos: usize) -> Result<AlterColumn, String> {
    let column = as_str(a.param(col_pos, "column_name")).ok_or("alter_column() column is not a literal")?;
    let mut out = AlterColumn {
        table,
        column,
        ..Default::default()
    };
    for (k, v) in &a.kw {
        match k.as_str() {
            "nullable" => out.nullable = as_bool(Some(v)),
            "server_default" if *v == Val::Lit(Literal::Bool(false)) => {}
            "server_default" => out.server_default = Some(default_arg(v)?),
            "new_column_name" => out.new_column_name = as_str(Some(v)),
            "type_" => out.type_ = type_arg(Some(v))?,
            "comment" => {
                out.comment = Some(if is_none(Some(v)) {
                    None
                } else {
                    Some(as_str(Some(v)).ok_or("comment is not a literal")?)
                })
            }
            "autoincrement" => out.autoincrement = as_bool(Some(v)),
            "existing_type" => out.existing_type = type_arg(Some(v))?,
            // `False` is Alembic's default: not given.
            "existing_server_default" if *v == Val::Lit(Literal::Bool(false)) => {}
            "existing_server_default" => out.existing_server_default = default_arg(v)?,
            "existing_nullable" => out.existing_nullable = as_bool(Some(v)),
            "existing_comment" => out.existing_comment = as_str(Some(v)),
            "existing_autoincrement" => out.existing_autoincrement = as_bool(Some(v)),
            "postgresql_using" => {
                out.postgresql_using = match v {
                    Val::Lit(Literal::Str(s)) => Some(s.clone()),
                    Val::Sql(SqlExpr::Text(s)) => Some(s.clone()),
                    _ => return Err("postgresql_using is not static SQL".into()),
                }
            }
            "schema" | "table_name" | "column_name" => {}
            other => {
                if let Val::Unknown(w) = v {
                    return Err(format!("{other}: {w}"));
                }
            }
        }
    }
    Ok(out)
}

/// `table.update().where(...).values(...)` and friends, as SQLAlchemy compiles them.
fn core_statement_sql(s: &CoreStatement) -> Result<String, String> {
    let lit = |l: &Literal| -> String {
        match l {
            Literal::Str(v) => format!("'{}'", v.replace('\'', "''")),
            Literal::Int(i) => i.to_string(),
            Literal::Float(f) => f.clone(),
            Literal::Bool(b) => super::py_eval::bool_mark(*b).to_string(),
            Literal::None => "NULL".into(),
            Literal::DateTime { .. } => "NULL".into(),
        }
    };
    let table = &s.table.table.name;
    let where_sql = if s.wheres.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", s.wheres.join(" AND "))
    };
    Ok(match s.kind {
        CoreKind::Update => {
            if s.values.is_empty() {
                return Err("update() without values()".into());
            }
            let sets: Vec<String> = s.values.iter().map(|(k, v)| format!("{k}={}", lit(v))).collect();
            format!("UPDATE {table} SET {}{}", sets.join(", "), where_sql)
        }
        CoreKind::Delete => format!("DELETE FROM {table}{where_sql}"),
        CoreKind::Insert => {
            let cols: Vec<&str> = s.values.iter().map(|(k, _)| k.as_str()).collect();
            let vals: Vec<String> = s.values.iter().map(|(_, v)| lit(v)).collect();
            format!("INSERT INTO {table} ({}) VALUES ({})", cols.join(", "), vals.join(", "))
        }
    })
}

pub fn eval_args(ev: &Evaluator, call: &ruff_python_ast::ExprCall) -> Args {
    let mut pos = Vec::new();
    for a in call.arguments.args.iter() {
        pos.push(ev.eval(a));
    }
    let mut kw = Vec::new();
    for k in call.arguments.keywords.iter() {
        match &k.arg {
            Some(name) => kw.push((name.as_str().to_string(), ev.eval(&k.value))),
            // `**kwargs`: a dict built from literals gives its items; anything else is an
            // unknown keyword the operation readers refuse, never silently dropped.
            None => match ev.eval(&k.value) {
                Val::Dict(items) => kw.extend(items),
                Val::Unknown(w) => kw.push(("**".into(), Val::Unknown(w))),
                _ => kw.push(("**".into(), Val::Unknown("**kwargs of something that is not a dict".into()))),
            },
        }
    }
    Args { pos, kw }
}

/// `op.f(...)`, `op.get_bind()`, `op.get_context()`: calls that return a value, not an
/// operation.
fn is_accessor_call(call: &ruff_python_ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Attribute(a) if matches!(a.attr.as_str(), "f" | "inline_literal" | "get_bind" | "get_context"))
}

/// `a.b.c(...)` → "a.b.c" (names only).
fn method_chain(e: &Expr) -> String {
    match e {
        Expr::Attribute(a) => format!("{}.{}", method_chain(&a.value), a.attr.as_str()),
        Expr::Name(n) => n.id.as_str().to_string(),
        Expr::Call(c) => method_chain(&c.func),
        _ => String::new(),
    }
}

/// Bind the names an import statement introduces.
pub fn bind_imports(stmt: &Stmt, scope: &mut Scope) {
    let module_val = |path: &str| -> Val {
        if let Some(t) = super::py_eval::type_class(path) {
            return Val::TypeClass(t);
        }
        match path {
            "alembic.op" => Val::Op,
            "alembic.context" => Val::EnvContext,
            _ => Val::Module(path.to_string()),
        }
    };
    match stmt {
        Stmt::Import(i) => {
            for a in &i.names {
                let full = a.name.as_str();
                match &a.asname {
                    Some(alias) => scope.set(alias.as_str(), module_val(full)),
                    None => {
                        let top = full.split('.').next().unwrap_or(full);
                        scope.set(top, Val::Module(top.to_string()));
                    }
                }
            }
        }
        Stmt::ImportFrom(i) => {
            let module = i.module.as_ref().map(|m| m.as_str()).unwrap_or("");
            for a in &i.names {
                let name = a.name.as_str();
                let full = if module.is_empty() {
                    name.to_string()
                } else {
                    format!("{module}.{name}")
                };
                let bound = a.asname.as_ref().map(|x| x.as_str()).unwrap_or(name);
                scope.set(bound, module_val(&full));
            }
        }
        _ => {}
    }
}
