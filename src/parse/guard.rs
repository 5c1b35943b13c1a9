//! Limits checked before a script reaches the Python parser: nesting and expression sizes
//! that no real migration has, but that would make a recursive parser (or the drop of its
//! tree) exhaust the stack — a crash natively, a trap in wasm. CPython itself refuses more
//! than 200 nested brackets.

use crate::source::Span;

/// Brackets nested deeper than this are refused (CPython: "too many nested parentheses").
pub const MAX_BRACKET_DEPTH: usize = 200;
/// Indented blocks nested deeper than this are refused (CPython stops at 100).
pub const MAX_INDENT_DEPTH: usize = 100;
/// Operators in one expression (a left-deep `1 + 1 + …` or `a.b.c…` chain is as deep as it
/// is long); commas separate expressions.
pub const MAX_OPERATORS_PER_STATEMENT: usize = 5_000;

/// Why a script is refused, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooComplex {
    pub span: Span,
    pub what: String,
}

/// Check `text` against the limits with a lexical scan (strings and comments skipped).
pub fn check(text: &str) -> Result<(), TooComplex> {
    let b = text.as_bytes();
    // Most files cannot reach a limit: more operators, or 101 ever-deeper indents (at least
    // 1 + 2 + … + 101 bytes of indentation), need more bytes than this, and deeper
    // brackets need more opening brackets. Counting them is far cheaper than the scan.
    if b.len() <= MAX_OPERATORS_PER_STATEMENT && memchr::memchr3_iter(b'(', b'[', b'{', b).nth(MAX_BRACKET_DEPTH).is_none() {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut ops = 0usize;
    let mut indents: Vec<usize> = vec![0];
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if line_start && depth == 0 {
            line_start = false;
            let mut w = 0;
            while i + w < b.len() && (b[i + w] == b' ' || b[i + w] == b'\t') {
                w += 1;
            }
            let blank = i + w >= b.len() || matches!(b[i + w], b'\n' | b'\r' | b'#');
            if !blank {
                while indents.last().is_some_and(|&top| w < top) {
                    indents.pop();
                }
                if indents.last().is_some_and(|&top| w > top) {
                    indents.push(w);
                    if indents.len() > MAX_INDENT_DEPTH + 1 {
                        return Err(TooComplex {
                            span: Span::new(i, i + w),
                            what: format!("blocks nested more than {MAX_INDENT_DEPTH} deep"),
                        });
                    }
                }
            }
            i += w;
            continue;
        }
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                let q = if triple { 3 } else { 1 };
                let mut j = i + q;
                while j < b.len() {
                    if b[j] == b'\\' {
                        j += 2;
                        continue;
                    }
                    if b[j] == c && (!triple || (b.get(j + 1) == Some(&c) && b.get(j + 2) == Some(&c))) {
                        break;
                    }
                    if !triple && b[j] == b'\n' {
                        break;
                    }
                    j += 1;
                }
                i = (j + q).min(b.len());
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Err(TooComplex {
                        span: Span::new(i, i + 1),
                        what: format!("brackets nested more than {MAX_BRACKET_DEPTH} deep"),
                    });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            // Separate expressions (list items, arguments) do not chain.
            b',' => ops = 0,
            b'.' if !b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_') || (i > 0 && b[i - 1].is_ascii_digit()) => {}
            b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'~' | b'<' | b'>' | b'@' | b'.' => {
                ops += 1;
                if ops > MAX_OPERATORS_PER_STATEMENT {
                    return Err(TooComplex {
                        span: Span::new(i, i + 1),
                        what: format!("a statement with more than {MAX_OPERATORS_PER_STATEMENT} operators"),
                    });
                }
            }
            b'\n' if depth == 0 && !(i > 0 && b[i - 1] == b'\\') => {
                ops = 0;
                line_start = true;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_scripts_pass() {
        let src = "def upgrade():\n    op.create_table('a', sa.Column('x', sa.Integer(), nullable=False))\n    if x:\n        pass\n";
        assert_eq!(check(src), Ok(()));
        assert_eq!(check("s = '(((((' + \"\"\"\n((((\n\"\"\"\n"), Ok(()));
    }

    #[test]
    fn hostile_nesting_is_refused() {
        let deep = format!("x = {}1{}\n", "(".repeat(300), ")".repeat(300));
        assert!(check(&deep).unwrap_err().what.contains("brackets"));
        let chain = format!("x = {}1\n", "1 + ".repeat(6000));
        assert!(check(&chain).unwrap_err().what.contains("operators"));
        let mut blocks = String::new();
        for d in 0..150 {
            blocks.push_str(&" ".repeat(d));
            blocks.push_str("if x:\n");
        }
        assert!(check(&blocks).unwrap_err().what.contains("blocks"));
    }
}
