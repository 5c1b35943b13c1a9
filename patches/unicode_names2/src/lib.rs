//! migplan's stand-in for `unicode_names2`: the one function ruff_python_parser calls.
//!
//! `\N{NAME}` in a Python string needs Unicode's table of 40,000 names, which would be a
//! quarter of migplan's wasm package. Migration scripts do not use the escape, so migplan
//! leaves the value unknown instead: a name that Unicode could hold resolves to a
//! noncharacter that no `\N{…}` escape can produce, and the core treats a string holding it
//! as not known statically (`migplan::parse::UNNAMED_CHAR`). A name Unicode cannot hold (empty,
//! or with characters no name uses) stays the syntax error Python reports.

/// What every well-formed name resolves to: the noncharacter U+FDD0, which Python never
/// produces from `\N{…}` (no assigned name maps to a noncharacter).
pub const UNRESOLVED: char = '\u{FDD0}';

/// `Some(UNRESOLVED)` for a name spelled as Unicode names are (letters, digits, spaces and
/// hyphens; Python matches them case-insensitively), `None` otherwise.
pub fn character(name: &str) -> Option<char> {
    let well_formed = !name.trim().is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-');
    well_formed.then_some(UNRESOLVED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_names_are_unresolved_and_malformed_ones_rejected() {
        assert_eq!(character("BULLET"), Some(UNRESOLVED));
        assert_eq!(character("latin small letter a"), Some(UNRESOLVED));
        assert_eq!(character("HANGUL SYLLABLE GA-A"), Some(UNRESOLVED));
        assert_eq!(character(""), None);
        assert_eq!(character("  "), None);
        assert_eq!(character("BULLET}"), None);
        assert_eq!(character("\u{2022}"), None);
    }
}
