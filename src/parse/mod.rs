//! Readers that turn source files into the revision model.

pub mod env_py;
pub mod guard;
pub mod ops_reader;
pub mod py_eval;
pub mod python_const;
pub mod revision_script;

/// What a `\N{NAME}` escape reads as: migplan does not carry Unicode's table of names (a
/// quarter of the wasm package), so patches/unicode_names2 resolves every well-formed name to
/// this noncharacter, which no escape Python evaluates can produce.
pub const UNNAMED_CHAR: char = '\u{FDD0}';

/// A string literal's value, or `None` when it spells a character by name (`\N{BULLET}`):
/// that value is not known statically.
pub fn literal_str(value: &str) -> Option<&str> {
    (!value.contains(UNNAMED_CHAR)).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_string(src: &str) -> String {
        let parsed = ruff_python_parser::parse_module(src).expect("parses");
        match &parsed.syntax().body[0] {
            ruff_python_ast::Stmt::Expr(e) => match &*e.value {
                ruff_python_ast::Expr::StringLiteral(s) => s.value.to_str().to_string(),
                other => panic!("not a string: {other:?}"),
            },
            other => panic!("not an expression: {other:?}"),
        }
    }

    #[test]
    fn a_character_spelled_by_name_is_unknown() {
        // Fails if the root Cargo.toml stops patching unicode_names2: the real crate resolves it.
        assert_eq!(literal_str(&first_string("'a \\N{BULLET} b'")), None);
        assert_eq!(literal_str(&first_string("'a \\N{latin small letter a}'")), None);
        // Raw strings keep the backslash: nothing is spelled by name.
        assert_eq!(literal_str(&first_string("r'a \\N{BULLET}'")), Some("a \\N{BULLET}"));
        assert_eq!(literal_str(&first_string("'plain'")), Some("plain"));
        // A name no character could have is the syntax error Python reports.
        assert!(ruff_python_parser::parse_module("'\\N{}'").is_err());
        assert!(ruff_python_parser::parse_module("'\\N{BULLET!}'").is_err());
    }
}
