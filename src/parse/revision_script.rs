//! Reads an Alembic revision script without running it.
//!
//! The file is parsed once with `ruff_python_parser` (which recovers from syntax errors, so
//! a broken file still yields what can be read). From the module we take the four revision
//! attributes (plain or annotated assignments, resolved through module-level constants), the
//! docstring and its `Create Date`, and whether `upgrade()` / `downgrade()` exist and do
//! anything.

use ruff_python_ast::PySourceType;
use ruff_python_ast::{Expr, ModModule, Stmt};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::Ranged;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::model::{FunctionInfo, Revision, RevisionSpans};
use crate::ops::{Literal, Step};
use crate::parse::ops_reader::{BodyReader, bind_imports};
use crate::parse::py_eval::{Evaluator, Scope, Val};
use crate::parse::python_const::{ConstEnv, ConstValue, eval, to_string_list};
use crate::source::{LineIndex, SourceFile, Span};

fn const_val(c: &ConstValue) -> Val {
    match c {
        ConstValue::Str(s) => Val::Lit(Literal::Str(s.clone())),
        ConstValue::None => Val::Lit(Literal::None),
        ConstValue::Seq(items) => Val::Seq(items.iter().map(const_val).collect()),
    }
}

/// What one `.py` file in a versions folder turned out to be.
#[derive(Clone, Debug)]
pub struct ScriptRead {
    pub revision: Option<Revision>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Alembic's filter on file names in a versions folder (`_only_source_rev_file`): `.py`
/// files except `__init__*` and editor lock files `.#*`.
pub fn is_candidate_script(file_name: &str) -> bool {
    file_name.ends_with(".py") && !file_name.starts_with("__init__") && !file_name.starts_with(".#")
}

/// Alembic's `_legacy_rev`: a file named only by a hex id.
fn legacy_id(file_name: &str) -> Option<&str> {
    let stem = file_name.strip_suffix(".py")?;
    (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))).then_some(stem)
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn span_of(r: impl Ranged) -> Span {
    let range = r.range();
    Span::new(range.start().to_usize(), range.end().to_usize())
}

/// One of the four attributes, as found at module level.
#[derive(Default)]
struct Found {
    value: Option<Result<ConstValue, ()>>,
    span: Span,
}

impl Found {
    fn assigned(&self) -> bool {
        self.value.is_some()
    }
}

const ATTRS: [&str; 4] = ["revision", "down_revision", "branch_labels", "depends_on"];

/// How much of a script to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Everything: the header and what `upgrade()` / `downgrade()` do, statement by
    /// statement (`check`, plans, schemas).
    Full,
    /// The header only (the four attributes, the docstring, whether the functions exist and
    /// do anything): what graph commands (`heads`, `history`, `show`...) print. The bodies
    /// are not evaluated, so `upgrade_steps` / `downgrade_steps` stay empty; the diagnostics
    /// are the same as [`Depth::Full`]'s, which reports nothing from the bodies.
    Graph,
}

pub fn read_script(file: &SourceFile) -> ScriptRead {
    read_script_to(file, Depth::Full)
}

/// [`read_script`], reading only as deep as `depth`.
pub fn read_script_to(file: &SourceFile, depth: Depth) -> ScriptRead {
    if let Err(e) = super::guard::check(&file.text) {
        return ScriptRead {
            revision: None,
            diagnostics: vec![
                Diagnostic::new(Code::TooComplex, format!("{} has {}; it is not parsed", file.path, e.what))
                    .at(&file.path, e.span)
                    .help("no migration needs this; CPython refuses most such input too (\"too many nested parentheses\")"),
            ],
        };
    }
    let parsed = parse_unchecked_source(&file.text, PySourceType::Python);
    let mut diagnostics = Vec::new();
    if let Some(err) = parsed.errors().first() {
        let span = span_of(err.location);
        let more = parsed.errors().len() - 1;
        let mut d = Diagnostic::new(Code::PythonSyntaxError, format!("invalid Python syntax: {}", err.error)).at(&file.path, span);
        if more > 0 {
            d = d.help(format!(
                "{more} more syntax error(s) follow in this file; Alembic cannot import it until they are fixed"
            ));
        } else {
            d = d.help("Alembic cannot import this file until the error is fixed");
        }
        diagnostics.push(d);
    }
    let module = parsed.syntax();
    let mut read = read_module(file, module, depth, &mut diagnostics);
    if let Some(rev) = read.as_mut() {
        check_functions(file, rev, &mut diagnostics);
    }
    ScriptRead {
        revision: read,
        diagnostics,
    }
}

fn read_module(file: &SourceFile, module: &ModModule, depth: Depth, diags: &mut Vec<Diagnostic>) -> Option<Revision> {
    // The scope of names the bodies see is only needed to evaluate the bodies.
    let bodies_too = depth == Depth::Full;
    let mut env = ConstEnv::new();
    let mut scope = Scope::default();
    let mut bodies: [Option<&[Stmt]>; 2] = [None, None];
    let mut found: [Found; 4] = Default::default();
    let mut upgrade = FunctionInfo {
        span: Span::empty(0),
        ..Default::default()
    };
    let mut downgrade = FunctionInfo {
        span: Span::empty(0),
        ..Default::default()
    };

    for stmt in &module.body {
        match stmt {
            Stmt::Assign(a) => {
                let value = eval(&a.value, &env);
                for target in &a.targets {
                    bind(target, value.as_ref(), span_of(stmt), &mut env, &mut found);
                    if bodies_too && let Expr::Name(n) = target {
                        let v = match &value {
                            Some(c) => const_val(c),
                            None => Evaluator { scope: &scope }.eval(&a.value),
                        };
                        scope.set(n.id.as_str(), v);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    let value = eval(v, &env);
                    bind(&a.target, value.as_ref(), span_of(stmt), &mut env, &mut found);
                }
            }
            Stmt::FunctionDef(f) => {
                let info = FunctionInfo {
                    present: true,
                    empty: body_is_empty(&f.body),
                    span: span_of(f.name.range()),
                };
                match f.name.as_str() {
                    "upgrade" => {
                        upgrade = info;
                        bodies[0] = Some(&f.body);
                    }
                    "downgrade" => {
                        downgrade = info;
                        bodies[1] = Some(&f.body);
                    }
                    // helpers used by the migration functions
                    _ if bodies_too => scope.set(f.name.as_str(), Val::Func(std::rc::Rc::new(f.clone()))),
                    _ => {}
                }
                env.remove(f.name.as_str());
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) if !bodies_too => mark_nested_assignments(stmt, &mut env, &mut found),
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                bind_imports(stmt, &mut scope);
                mark_nested_assignments(stmt, &mut env, &mut found);
            }
            other => mark_nested_assignments(other, &mut env, &mut found),
        }
    }

    let name = file_name(&file.path);
    let spans = RevisionSpans {
        revision: found[0].span,
        down_revision: found[1].span,
        branch_labels: found[2].span,
        depends_on: found[3].span,
    };

    let id = match &found[0].value {
        None => {
            // Alembic's legacy rule: no `revision` variable, id from a hex-only file name.
            match legacy_id(name) {
                Some(id) if found[1].assigned() => id.to_string(),
                _ => {
                    diags.push(
                        Diagnostic::new(Code::NotARevision, format!("`{name}` has no `revision` variable, so it is not a revision script"))
                            .at(&file.path, Span::empty(0))
                            .help(format!(
                                "Alembic fails to load this versions folder: \"Could not determine revision id from filename {name}\"; move helper modules out of the versions folder"
                            )),
                    );
                    return None;
                }
            }
        }
        Some(Ok(ConstValue::Str(s))) => s.clone(),
        Some(_) => {
            let guess = guess_id(file, module);
            diags.push(
                Diagnostic::new(
                    Code::NonLiteralRevisionAttribute,
                    format!("`revision` is not a string literal; assuming id '{guess}'"),
                )
                .at(&file.path, found[0].span)
                .help("write the id as a plain string, e.g. revision = 'a1b2c3d4e5f6'"),
            );
            guess
        }
    };

    if !found[1].assigned() {
        diags.push(
            Diagnostic::new(
                Code::MissingRevisionAttribute,
                format!("revision {id} declares no `down_revision`; treating it as a base"),
            )
            .at(&file.path, found[0].span)
            .help("add `down_revision = None` for a base revision, or the id of its parent; Alembic fails with AttributeError otherwise"),
        );
    }

    let mut down_revision_unknown = false;
    let mut lists: [Vec<String>; 3] = Default::default();
    for (i, attr) in ATTRS.iter().enumerate().skip(1) {
        let f = &found[i];
        match &f.value {
            None => {}
            Some(Ok(v)) if to_string_list(v).is_some() => lists[i - 1] = to_string_list(v).unwrap_or_default(),
            Some(_) => {
                if i == 1 {
                    down_revision_unknown = true;
                }
                let effect = if i == 1 {
                    "the revision is treated as having no parent"
                } else {
                    "it is treated as empty"
                };
                diags.push(
                    Diagnostic::new(
                        Code::NonLiteralRevisionAttribute,
                        format!("`{attr}` of revision {id} is not a literal that can be read without running Python; {effect}"),
                    )
                    .at(&file.path, f.span)
                    .help(format!("write `{attr}` as a string, a tuple/list of strings, or None")),
                );
            }
        }
    }
    let [down_revisions, branch_labels, depends_on] = lists;

    let doc = docstring(module)
        .map(|d| normalize_newlines(&d).trim().to_string())
        .unwrap_or_default();
    let create_date = doc
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("Create Date:"))
        .map(|d| d.trim().to_string());

    let mut steps: [Vec<Step>; 2] = Default::default();
    let line_index = if bodies_too {
        LineIndex::new(&file.text)
    } else {
        LineIndex::new("")
    };
    for (i, body) in bodies.iter().enumerate().filter(|_| bodies_too) {
        if let Some(body) = body {
            let mut reader = BodyReader {
                text: &file.text,
                lines: &line_index,
                scope: scope.clone(),
                table_defs: Vec::new(),
                depth: 0,
                follow_ops: Vec::new(),
            };
            steps[i] = reader.read_body(body);
            // Kept for the whole run: a step is ~700 bytes, so the growth slack of the vector
            // (a third of the steps on average) is worth a copy.
            steps[i].shrink_to_fit();
        }
    }
    let [upgrade_steps, downgrade_steps] = steps;

    Some(Revision {
        id,
        down_revisions,
        depends_on,
        branch_labels,
        path: file.path.clone(),
        doc,
        create_date,
        upgrade,
        downgrade,
        spans,
        down_revision_unknown,
        upgrade_steps,
        downgrade_steps,
        transactional: true,
        sql: None,
    })
}

/// Bind an assignment target: track constants, and record our four attributes.
fn bind(target: &Expr, value: Option<&ConstValue>, span: Span, env: &mut ConstEnv, found: &mut [Found; 4]) {
    match target {
        Expr::Name(n) => {
            let name = n.id.as_str();
            match value {
                Some(v) => {
                    env.insert(name.to_string(), v.clone());
                }
                None => {
                    env.remove(name);
                }
            }
            if let Some(i) = ATTRS.iter().position(|a| *a == name) {
                found[i] = Found {
                    value: Some(value.cloned().ok_or(())),
                    span,
                };
            }
        }
        Expr::Tuple(t) => {
            for e in &t.elts {
                bind(e, None, span, env, found);
            }
        }
        Expr::List(l) => {
            for e in &l.elts {
                bind(e, None, span, env, found);
            }
        }
        _ => {}
    }
}

/// Assignments inside module-level `if`/`try`/`with`/loops depend on run-time state: the
/// names they bind become unknown.
fn mark_nested_assignments(stmt: &Stmt, env: &mut ConstEnv, found: &mut [Found; 4]) {
    let mut bodies: Vec<&[Stmt]> = Vec::new();
    match stmt {
        Stmt::If(s) => {
            bodies.push(&s.body);
            for c in &s.elif_else_clauses {
                bodies.push(&c.body);
            }
        }
        Stmt::Try(s) => {
            bodies.push(&s.body);
            bodies.push(&s.orelse);
            bodies.push(&s.finalbody);
            for h in &s.handlers {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                bodies.push(&h.body);
            }
        }
        Stmt::With(s) => bodies.push(&s.body),
        Stmt::For(s) => {
            bodies.push(&s.body);
            bodies.push(&s.orelse);
        }
        Stmt::While(s) => {
            bodies.push(&s.body);
            bodies.push(&s.orelse);
        }
        Stmt::Import(_) | Stmt::ImportFrom(_) => {
            // `from x import down_revision` binds a name we cannot see.
            let names: Vec<String> = match stmt {
                Stmt::Import(i) => i
                    .names
                    .iter()
                    .map(|a| {
                        a.asname
                            .as_ref()
                            .unwrap_or(&a.name)
                            .as_str()
                            .split('.')
                            .next()
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect(),
                Stmt::ImportFrom(i) => i
                    .names
                    .iter()
                    .map(|a| a.asname.as_ref().unwrap_or(&a.name).as_str().to_string())
                    .collect(),
                _ => Vec::new(),
            };
            for n in names {
                env.remove(&n);
            }
            return;
        }
        _ => return,
    }
    for body in bodies {
        for inner in body {
            match inner {
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        bind(t, None, span_of(inner), env, found);
                    }
                }
                Stmt::AnnAssign(a) if a.value.is_some() => bind(&a.target, None, span_of(inner), env, found),
                other => mark_nested_assignments(other, env, found),
            }
        }
    }
}

fn body_is_empty(body: &[Stmt]) -> bool {
    body.iter().all(|s| match s {
        Stmt::Pass(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)),
        _ => false,
    })
}

/// The module docstring: a string literal as the first statement (Python's `__doc__`).
fn docstring(module: &ModModule) -> Option<String> {
    match module.body.first()? {
        Stmt::Expr(e) => match &*e.value {
            // A character spelled by name shows as U+FFFD: the message is only displayed.
            Expr::StringLiteral(s) => Some(s.value.to_str().replace(super::UNNAMED_CHAR, "\u{FFFD}")),
            _ => None,
        },
        _ => None,
    }
}

/// Python reads source with universal newlines, so docstrings never contain `\r`.
fn normalize_newlines(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// For a non-literal `revision`: the docstring's `Revision ID:`, else the file-name prefix.
fn guess_id(file: &SourceFile, module: &ModModule) -> String {
    if let Some(doc) = docstring(module) {
        for line in doc.lines() {
            if let Some(id) = line.trim().strip_prefix("Revision ID:") {
                let id = id.trim();
                if !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return id.to_string();
                }
            }
        }
    }
    let name = file_name(&file.path);
    let stem = name.strip_suffix(".py").unwrap_or(name);
    stem.split('_').next().filter(|p| !p.is_empty()).unwrap_or(stem).to_string()
}

fn check_functions(file: &SourceFile, rev: &Revision, diags: &mut Vec<Diagnostic>) {
    // Point at `revision = ...`, or at the top of the file when it has none.
    let at = if rev.spans.revision == Span::default() {
        Span::empty(0)
    } else {
        rev.spans.revision
    };
    if !rev.upgrade.present {
        diags.push(
            Diagnostic::new(Code::MissingUpgrade, format!("revision {} has no upgrade() function", rev.id))
                .at(&file.path, at)
                .help("Alembic calls upgrade() for every revision it applies; add `def upgrade() -> None:`"),
        );
    }
    if !rev.downgrade.present {
        diags.push(
            Diagnostic::new(
                Code::MissingDowngrade,
                format!("revision {} has no downgrade() function, so it cannot be undone", rev.id),
            )
            .at(&file.path, at)
            .help("add a downgrade() that reverses upgrade(), or `raise NotImplementedError` to mark it irreversible on purpose"),
        );
    }
    if rev.is_merge() {
        return;
    }
    if rev.downgrade.present && rev.downgrade.empty && !(rev.upgrade.present && rev.upgrade.empty) {
        diags.push(
            Diagnostic::new(Code::EmptyDowngrade, format!("downgrade() of revision {} does nothing", rev.id))
                .at(&file.path, rev.downgrade.span)
                .help("write the statements that reverse upgrade(), or `raise NotImplementedError` to mark it irreversible"),
        );
    }
    if rev.upgrade.present && rev.upgrade.empty {
        diags.push(
            Diagnostic::new(Code::EmptyUpgrade, format!("upgrade() of revision {} does nothing", rev.id))
                .at(&file.path, rev.upgrade.span)
                .help("a placeholder revision; delete it or fill it in before it is applied anywhere"),
        );
    }
}

/// Python's `str.splitlines()` line boundaries.
pub fn python_splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let is_break = matches!(
            c,
            '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
        );
        if is_break {
            out.push(&s[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r'
                && let Some(&(j, '\n')) = iter.peek()
            {
                iter.next();
                next = j + 1;
            }
            start = next;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, text: &str) -> ScriptRead {
        read_script(&SourceFile::new(path, text))
    }

    const TEMPLATE: &str = r#""""add users

Revision ID: a1b2c3d4e5f6
Revises: 0f0f0f0f0f0f
Create Date: 2024-01-01 10:00:00.000000

"""
from typing import Sequence, Union
from alembic import op
import sqlalchemy as sa

revision: str = 'a1b2c3d4e5f6'
down_revision: Union[str, Sequence[str], None] = '0f0f0f0f0f0f'
branch_labels: Union[str, Sequence[str], None] = ('core', 'api')
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table('users')
"#;

    #[test]
    fn annotated_template() {
        let r = read("versions/a1b2_add_users.py", TEMPLATE);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let rev = r.revision.unwrap();
        assert_eq!(rev.id, "a1b2c3d4e5f6");
        assert_eq!(rev.down_revisions, vec!["0f0f0f0f0f0f"]);
        assert_eq!(rev.branch_labels, vec!["core", "api"]);
        assert!(rev.depends_on.is_empty());
        assert_eq!(rev.message(), "add users");
        assert_eq!(rev.create_date.as_deref(), Some("2024-01-01 10:00:00.000000"));
        assert!(rev.upgrade.present && !rev.upgrade.empty);
    }

    #[test]
    fn merges_lists_and_constants() {
        let text = "revision = 'm1'\n_A = 'ab' + 'cd'\ndown_revision = (_A, 'ef')\ndepends_on = ['x']\nbranch_labels = 'lbl'\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n";
        let r = read("m1.py", text);
        let rev = r.revision.unwrap();
        assert_eq!(rev.down_revisions, vec!["abcd", "ef"]);
        assert_eq!(rev.depends_on, vec!["x"]);
        assert_eq!(rev.branch_labels, vec!["lbl"]);
        // merge revisions have empty bodies by design
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    }

    #[test]
    fn non_literal_attributes_are_reported_not_fatal() {
        let text = "from other import PARENT\nrevision = 'b2'\ndown_revision = PARENT\ndepends_on = compute()\ndef upgrade():\n    op.execute('x')\ndef downgrade():\n    op.execute('y')\n";
        let r = read("b2.py", text);
        let rev = r.revision.unwrap();
        assert!(rev.down_revision_unknown);
        let codes: Vec<_> = r.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::NonLiteralRevisionAttribute, Code::NonLiteralRevisionAttribute]);
        assert_eq!(r.diagnostics[0].span.unwrap().start as usize, text.find("down_revision").unwrap());
    }

    #[test]
    fn legacy_and_helper_files() {
        let legacy = read(
            "versions/ee00aa.py",
            "down_revision = None\ndef upgrade(): pass\ndef downgrade(): pass\n",
        );
        assert_eq!(legacy.revision.unwrap().id, "ee00aa");
        let helper = read("versions/helpers.py", "def util():\n    return 1\n");
        assert!(helper.revision.is_none());
        assert_eq!(helper.diagnostics[0].code, Code::NotARevision);
        let empty = read("versions/empty.py", "");
        assert_eq!(empty.diagnostics[0].code, Code::NotARevision);
    }

    #[test]
    fn syntax_errors_still_yield_attributes() {
        let r = read(
            "bad.py",
            "revision = 'c3'\ndown_revision = None\ndef upgrade(:\n    pass\ndef downgrade():\n    pass\n",
        );
        assert_eq!(r.diagnostics[0].code, Code::PythonSyntaxError);
        assert_eq!(r.revision.unwrap().id, "c3");
    }

    #[test]
    fn missing_and_empty_functions() {
        let r = read(
            "d4.py",
            "revision = 'd4'\ndown_revision = 'c3'\ndef upgrade():\n    op.execute('x')\n",
        );
        assert_eq!(
            r.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            vec![Code::MissingDowngrade]
        );
        let r = read(
            "d5.py",
            "revision = 'd5'\ndown_revision = 'c3'\ndef upgrade():\n    op.execute('x')\ndef downgrade():\n    \"\"\"nothing\"\"\"\n    ...\n",
        );
        assert_eq!(r.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::EmptyDowngrade]);
        let r = read(
            "d6.py",
            "revision = 'd6'\ndown_revision = 'c3'\ndef downgrade():\n    op.execute('x')\n",
        );
        assert_eq!(r.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), vec![Code::MissingUpgrade]);
    }

    #[test]
    fn crlf_docstring_is_normalised() {
        let r = read(
            "e.py",
            "\"\"\"msg\r\n\r\nRevision ID: e\r\n\"\"\"\r\nrevision = 'e'\r\ndown_revision = None\r\ndef upgrade():\r\n    op.execute('x')\r\ndef downgrade():\r\n    op.execute('y')\r\n",
        );
        let rev = r.revision.unwrap();
        assert_eq!(rev.doc, "msg\n\nRevision ID: e");
        assert_eq!(rev.message(), "msg");
    }

    #[test]
    fn splitlines_matches_python() {
        assert_eq!(python_splitlines("a\r\nb\rc\n\nd"), vec!["a", "b", "c", "", "d"]);
        assert_eq!(python_splitlines(""), Vec::<&str>::new());
        assert_eq!(python_splitlines("a\n"), vec!["a"]);
    }

    #[test]
    fn a_try_whose_handlers_reraise_runs_its_body_then_finally() {
        let text = "from alembic import op\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    try:\n        op.drop_column('t', 'c')\n    except Exception as e:\n        cleanup()\n        raise e\n    finally:\n        op.execute('SELECT 1')\n    try:\n        op.drop_column('t', 'd')\n    except Exception:\n        log()\ndef downgrade():\n    pass\n";
        let rev = read("a.py", text).revision.unwrap();
        let kinds: Vec<&str> = rev
            .upgrade_steps
            .iter()
            .map(|s| match &s.kind {
                crate::ops::StepKind::Op(crate::ops::Op::DropColumn { .. }) => "drop",
                crate::ops::StepKind::Op(crate::ops::Op::Execute { .. }) => "execute",
                crate::ops::StepKind::TryUnsupported { .. } => "try",
                _ => "other",
            })
            .collect();
        // A handler that swallows the error is still Alembic's NotImplementedError form.
        assert_eq!(kinds, ["drop", "execute", "try"]);
    }

    fn kinds(steps: &[crate::ops::Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match &s.kind {
                crate::ops::StepKind::Op(crate::ops::Op::DropColumn { column, .. }) => format!("drop {column}"),
                crate::ops::StepKind::Opaque(o) if !o.offline.is_empty() => format!("offline {}", kinds(&o.offline).join(",")),
                crate::ops::StepKind::Opaque(o) => format!("opaque: {}", o.reason),
                _ => "other".into(),
            })
            .collect()
    }

    #[test]
    fn a_list_changed_by_an_unknown_method_is_unknown_after_it() {
        let text = "from alembic import op\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    cols = [c for c in ('y', 'x')]\n    for c in cols:\n        op.drop_column('t', c)\n    cols.sort(key=lambda c: c)\n    for c in cols:\n        op.drop_column('u', c)\ndef downgrade():\n    pass\n";
        let rev = read("a.py", text).revision.unwrap();
        let k = kinds(&rev.upgrade_steps);
        assert_eq!(k[..2], ["drop y", "drop x"]);
        assert!(k[2].starts_with("opaque: call of `.sort()`"), "{k:?}");
        // Not the unsorted order: the loop after the sort is over values not known.
        assert_eq!(k[3], "opaque: a `for` loop over values not known statically");
        assert_eq!(k.len(), 4);
    }

    #[test]
    fn a_try_on_database_errors_keeps_its_body_for_offline_sql() {
        let text = "from alembic import op\nimport sqlalchemy as sa\nrevision = 'a'\ndown_revision = None\ndef upgrade():\n    try:\n        op.drop_column('t', 'c')\n    except (sa.exc.OperationalError, ProgrammingError):\n        op.drop_column('t', 'd')\n    try:\n        op.drop_column('t', 'e')\n    except KeyError:\n        pass\n    try:\n        op.drop_column('t', helper())\n    except sa.exc.OperationalError:\n        pass\ndef downgrade():\n    pass\n";
        let rev = read("a.py", text).revision.unwrap();
        let k = kinds(&rev.upgrade_steps);
        assert_eq!(k[0], "offline drop c");
        // A Python error may be raised offline too; a body migplan cannot read has no offline SQL.
        assert_eq!(k[1], "opaque: a `try` whose handler depends on a run-time error");
        assert_eq!(k[2], "opaque: a `try` whose handler depends on a run-time error");
    }
}
