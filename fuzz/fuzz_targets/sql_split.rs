//! The SQL statement splitter and classifier, for each dialect's lexical rules. The first
//! byte picks the dialect; every statement span must lie inside the text on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migplan::dialect::dialect_from_name;
use migplan::source::Span;
use migplan::sql::classify::classify;
use migplan::sql::split::split;

const DIALECTS: [&str; 3] = ["postgresql", "mysql", "sqlite"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let Some(dialect) = dialect_from_name(DIALECTS[pick as usize % DIALECTS.len()]) else {
        return;
    };
    let (statements, problems) = split(text, Span::new(0, text.len()), dialect.sql_lexing());
    for s in &statements {
        let r = s.span.range();
        assert!(r.start <= r.end && r.end <= text.len(), "statement span {r:?} outside the text");
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        let _ = classify(&text[r]);
    }
    for p in &problems {
        assert!(p.at <= text.len());
    }
});
