//! Static evaluation of the few Python expressions revision attributes are written with:
//! string literals, `None`, tuples and lists, `+` on strings and sequences, and names bound
//! earlier in the module to such values. Anything else is "not a literal".

use std::collections::BTreeMap;

use ruff_python_ast::{Expr, Operator};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstValue {
    Str(String),
    None,
    Seq(Vec<ConstValue>),
}

/// Module-level names bound to constant values so far.
pub type ConstEnv = BTreeMap<String, ConstValue>;

/// Guards against pathological nesting in untrusted input.
const MAX_DEPTH: usize = 64;

pub fn eval(expr: &Expr, env: &ConstEnv) -> Option<ConstValue> {
    eval_depth(expr, env, 0)
}

fn eval_depth(expr: &Expr, env: &ConstEnv, depth: usize) -> Option<ConstValue> {
    if depth > MAX_DEPTH {
        return None;
    }
    match expr {
        Expr::StringLiteral(s) => Some(ConstValue::Str(super::literal_str(s.value.to_str())?.to_string())),
        Expr::NoneLiteral(_) => Some(ConstValue::None),
        Expr::Tuple(t) => t
            .elts
            .iter()
            .map(|e| eval_depth(e, env, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(ConstValue::Seq),
        Expr::List(l) => l
            .elts
            .iter()
            .map(|e| eval_depth(e, env, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(ConstValue::Seq),
        Expr::Name(n) => env.get(n.id.as_str()).cloned(),
        Expr::BinOp(b) if b.op == Operator::Add => match (eval_depth(&b.left, env, depth + 1)?, eval_depth(&b.right, env, depth + 1)?) {
            (ConstValue::Str(a), ConstValue::Str(c)) => Some(ConstValue::Str(a + &c)),
            (ConstValue::Seq(mut a), ConstValue::Seq(c)) => {
                a.extend(c);
                Some(ConstValue::Seq(a))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Alembic's `util.to_tuple` on a revision attribute: `None` → empty, a string → one item,
/// a sequence of strings → its items. `None` for shapes Alembic would not accept.
pub fn to_string_list(v: &ConstValue) -> Option<Vec<String>> {
    match v {
        ConstValue::None => Some(Vec::new()),
        ConstValue::Str(s) => Some(vec![s.clone()]),
        ConstValue::Seq(items) => items
            .iter()
            .map(|i| match i {
                ConstValue::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
    }
}
