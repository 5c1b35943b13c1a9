//! Splits SQL text into statements without parsing it: strings, quoted identifiers,
//! comments, PostgreSQL dollar quotes, MySQL `DELIMITER` and `BEGIN … END` routine bodies
//! are skipped over, so a `;` inside them never ends a statement.
//!
//! Splitting is separate from parsing so that a statement `sqlparser` rejects is still one
//! statement, kept verbatim with its exact span.

use crate::source::Span;

/// The lexical rules that differ between databases.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lexing {
    /// `$$ … $$` and `$tag$ … $tag$` (PostgreSQL).
    pub dollar_quotes: bool,
    /// `\'` escapes inside every string (MySQL's default SQL mode).
    pub backslash_escapes: bool,
    /// `` `identifier` `` (MySQL, SQLite).
    pub backticks: bool,
    /// `# comment` to end of line (MySQL).
    pub hash_comments: bool,
    /// `DELIMITER //` client command (the mysql client, Flyway; dbmate sends it to the server, which rejects it).
    pub delimiter_command: bool,
    /// `/* /* */ */` nests (PostgreSQL).
    pub nested_block_comments: bool,
}

/// Something that makes the rest of the text one unterminated statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitProblem {
    /// Where the unterminated construct starts.
    pub at: usize,
    pub what: &'static str,
}

/// One statement: its span without the terminator, and without leading comments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawStatement {
    pub span: Span,
}

/// Split `text[range]` into statements. Spans are offsets into `text`.
pub fn split(text: &str, range: Span, lx: Lexing) -> (Vec<RawStatement>, Vec<SplitProblem>) {
    let mut s = Splitter {
        b: text.as_bytes(),
        end: range.range().end.min(text.len()),
        lx,
        out: Vec::new(),
        problems: Vec::new(),
        start: None,
        last_code: 0,
        words: Vec::new(),
        routine: false,
        depth: 0,
        case_depth: 0,
        delimiter: b";".to_vec(),
    };
    s.run(range.range().start);
    (s.out, s.problems)
}

struct Splitter<'a> {
    b: &'a [u8],
    end: usize,
    lx: Lexing,
    out: Vec<RawStatement>,
    problems: Vec<SplitProblem>,
    /// Offset of the first code byte of the statement being read.
    start: Option<usize>,
    /// End of the last code byte seen (trailing comments are not part of the statement).
    last_code: usize,
    /// The first words of the statement, upper-cased (to spot routine definitions).
    words: Vec<String>,
    /// The statement defines a trigger/procedure/function/event: `BEGIN … END` nests.
    routine: bool,
    depth: u32,
    case_depth: u32,
    delimiter: Vec<u8>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

impl Splitter<'_> {
    fn code(&mut self, from: usize, to: usize) {
        if self.start.is_none() {
            self.start = Some(from);
        }
        self.last_code = to;
    }

    fn finish(&mut self) {
        if let Some(start) = self.start.take() {
            self.out.push(RawStatement {
                span: Span::new(start, self.last_code),
            });
        }
        self.words.clear();
        self.routine = false;
        self.depth = 0;
        self.case_depth = 0;
    }

    fn problem(&mut self, at: usize, what: &'static str) {
        self.problems.push(SplitProblem { at, what });
    }

    fn run(&mut self, mut i: usize) {
        let b = self.b;
        while i < self.end {
            let c = b[i];
            // The custom delimiter ends a statement wherever it appears at top level.
            if self.delimiter != b";" && b[i..self.end].starts_with(&self.delimiter) {
                self.finish();
                i += self.delimiter.len();
                continue;
            }
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c => i += 1,
                b'-' if b.get(i + 1) == Some(&b'-') => i = self.line_end(i),
                b'#' if self.lx.hash_comments => i = self.line_end(i),
                b'/' if b.get(i + 1) == Some(&b'*') => i = self.block_comment(i),
                b'\'' => {
                    let escapes = self.lx.backslash_escapes || self.e_prefix(i);
                    let j = self.quoted(i, b'\'', escapes, "string literal");
                    self.code(i, j);
                    i = j;
                }
                b'"' => {
                    let j = self.quoted(i, b'"', false, "quoted identifier");
                    self.code(i, j);
                    i = j;
                }
                b'`' if self.lx.backticks => {
                    let j = self.quoted(i, b'`', false, "quoted identifier");
                    self.code(i, j);
                    i = j;
                }
                b'$' if self.lx.dollar_quotes && self.dollar_tag(i).is_some() => {
                    let tag = self.dollar_tag(i).unwrap_or(0);
                    let j = self.dollar_body(i, tag);
                    self.code(i, j);
                    i = j;
                }
                b';' if self.delimiter == b";" && self.depth == 0 => {
                    self.finish();
                    i += 1;
                }
                c if is_ident_start(c) => {
                    let mut j = i + 1;
                    while j < self.end && is_ident_char(b[j]) {
                        j += 1;
                    }
                    // `DELIMITER xx` as the first word of a statement is a client command.
                    if self.lx.delimiter_command && self.start.is_none() && b[i..j].eq_ignore_ascii_case(b"DELIMITER") {
                        i = self.delimiter_command(j);
                        continue;
                    }
                    self.code(i, j);
                    self.word(i, j);
                    i = j;
                }
                _ => {
                    let len = utf8_len(c);
                    self.code(i, (i + len).min(self.end));
                    i += len;
                }
            }
        }
        if self.depth > 0
            && let Some(start) = self.start
        {
            self.problem(start, "BEGIN … END block");
        }
        self.finish();
    }

    fn line_end(&self, i: usize) -> usize {
        match self.b[i..self.end].iter().position(|&c| c == b'\n') {
            Some(p) => i + p + 1,
            None => self.end,
        }
    }

    fn block_comment(&mut self, i: usize) -> usize {
        let b = self.b;
        let mut depth = 1;
        let mut j = i + 2;
        while j < self.end {
            if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                depth -= 1;
                j += 2;
                if depth == 0 || !self.lx.nested_block_comments {
                    return j;
                }
            } else if self.lx.nested_block_comments && b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                depth += 1;
                j += 2;
            } else {
                j += 1;
            }
        }
        self.problem(i, "block comment");
        self.end
    }

    /// PostgreSQL `E'…'` strings take backslash escapes.
    fn e_prefix(&self, i: usize) -> bool {
        i >= 1 && matches!(self.b[i - 1], b'e' | b'E') && (i < 2 || !is_ident_char(self.b[i - 2])) && self.start.is_some_and(|s| s < i)
    }

    fn quoted(&mut self, i: usize, q: u8, escapes: bool, what: &'static str) -> usize {
        let b = self.b;
        let mut j = i + 1;
        while j < self.end {
            if escapes && b[j] == b'\\' {
                j += 2;
                continue;
            }
            if b[j] == q {
                if b.get(j + 1) == Some(&q) && j + 1 < self.end {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j += 1;
        }
        self.problem(i, what);
        self.end
    }

    /// The length of a `$tag$` opening at `i`, if there is one.
    fn dollar_tag(&self, i: usize) -> Option<usize> {
        let b = self.b;
        if i > 0 && is_ident_char(b[i - 1]) {
            return None; // `a$b$` is an identifier
        }
        let mut j = i + 1;
        if j < self.end && b[j] == b'$' {
            return Some(2);
        }
        if j >= self.end || !(b[j].is_ascii_alphabetic() || b[j] == b'_' || b[j] >= 0x80) {
            return None; // `$1` is a parameter
        }
        while j < self.end && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
            j += 1;
        }
        (j < self.end && b[j] == b'$').then_some(j + 1 - i)
    }

    fn dollar_body(&mut self, i: usize, tag_len: usize) -> usize {
        let tag = &self.b[i..i + tag_len];
        let body = i + tag_len;
        match find(&self.b[body..self.end], tag) {
            Some(p) => body + p + tag_len,
            None => {
                self.problem(i, "dollar-quoted body");
                self.end
            }
        }
    }

    /// `DELIMITER //` up to the end of the line; returns where reading resumes.
    fn delimiter_command(&mut self, after_word: usize) -> usize {
        let line_end = self.line_end(after_word);
        let arg = std::str::from_utf8(&self.b[after_word..line_end]).unwrap_or("").trim();
        if !arg.is_empty() {
            self.delimiter = arg.as_bytes().to_vec();
        }
        line_end
    }

    fn word(&mut self, i: usize, j: usize) {
        let w = std::str::from_utf8(&self.b[i..j]).unwrap_or("").to_ascii_uppercase();
        if self.words.len() < 8 {
            if self.words.is_empty() && w != "CREATE" {
                self.words.push(w);
                return;
            }
            if matches!(w.as_str(), "TRIGGER" | "PROCEDURE" | "FUNCTION" | "EVENT") && self.words.first().is_some_and(|f| f == "CREATE") {
                self.routine = true;
            }
            self.words.push(w.clone());
        }
        if !self.routine || self.delimiter != b";" {
            return;
        }
        match w.as_str() {
            "BEGIN" => {
                let next = self.next_word(j);
                if !matches!(next.as_str(), "TRANSACTION" | "WORK") {
                    self.depth += 1;
                }
            }
            "CASE" if self.depth > 0 => self.case_depth += 1,
            "END" if self.depth > 0 => {
                let next = self.next_word(j);
                match next.as_str() {
                    "IF" | "LOOP" | "WHILE" | "REPEAT" | "FOR" => {}
                    "CASE" => self.case_depth = self.case_depth.saturating_sub(1),
                    _ if self.case_depth > 0 => self.case_depth -= 1,
                    _ => self.depth -= 1,
                }
            }
            _ => {}
        }
    }

    fn next_word(&self, mut j: usize) -> String {
        let b = self.b;
        while j < self.end && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let s = j;
        while j < self.end && is_ident_char(b[j]) {
            j += 1;
        }
        std::str::from_utf8(&b[s..j]).unwrap_or("").to_ascii_uppercase()
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG: Lexing = Lexing {
        dollar_quotes: true,
        backslash_escapes: false,
        backticks: false,
        hash_comments: false,
        delimiter_command: false,
        nested_block_comments: true,
    };
    const MY: Lexing = Lexing {
        dollar_quotes: false,
        backslash_escapes: true,
        backticks: true,
        hash_comments: true,
        delimiter_command: true,
        nested_block_comments: false,
    };

    fn parts(text: &str, lx: Lexing) -> Vec<&str> {
        let (st, problems) = split(text, Span::new(0, text.len()), lx);
        assert!(problems.is_empty(), "{problems:?}");
        st.iter().map(|s| &text[s.span.range()]).collect()
    }

    #[test]
    fn plain_statements_and_comments() {
        let t = "-- header; not a statement\nCREATE TABLE a (x int); /* ; */ INSERT INTO a VALUES (';'); -- tail\n";
        assert_eq!(parts(t, PG), vec!["CREATE TABLE a (x int)", "INSERT INTO a VALUES (';')"]);
        assert!(parts("-- only a comment\n\n", PG).is_empty());
        assert_eq!(parts("SELECT 1", PG), vec!["SELECT 1"]);
    }

    #[test]
    fn dollar_quotes_and_do_blocks() {
        let t = "CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.x := 1; RETURN NEW; END; $fn$ LANGUAGE plpgsql;\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT $1, a$b$c FROM t;";
        assert_eq!(
            parts(t, PG),
            vec![
                "CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.x := 1; RETURN NEW; END; $fn$ LANGUAGE plpgsql",
                "DO $$ BEGIN PERFORM 1; END $$",
                "SELECT $1, a$b$c FROM t",
            ]
        );
    }

    #[test]
    fn escapes_by_dialect() {
        assert_eq!(parts(r"SELECT 'a\'; b'; SELECT 2", MY), vec![r"SELECT 'a\'; b'", "SELECT 2"]);
        assert_eq!(parts(r"SELECT E'a\'; b'; SELECT 2", PG), vec![r"SELECT E'a\'; b'", "SELECT 2"]);
        assert_eq!(
            parts("SELECT 'it''s;'; SELECT \"a;\"", PG),
            vec!["SELECT 'it''s;'", "SELECT \"a;\""]
        );
    }

    #[test]
    fn mysql_delimiter_blocks() {
        let t = "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //\nDELIMITER ;\nCALL p();\n";
        assert_eq!(parts(t, MY), vec!["CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", "CALL p()"]);
    }

    #[test]
    fn routine_bodies_without_delimiter() {
        let t = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = CASE WHEN n > 0 THEN n ELSE 0 END; INSERT INTO c VALUES (1); END;\nBEGIN;\nCREATE PROCEDURE p() BEGIN IF x THEN SELECT 1; END IF; END;\nCOMMIT;";
        assert_eq!(
            parts(t, MY),
            vec![
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = CASE WHEN n > 0 THEN n ELSE 0 END; INSERT INTO c VALUES (1); END",
                "BEGIN",
                "CREATE PROCEDURE p() BEGIN IF x THEN SELECT 1; END IF; END",
                "COMMIT",
            ]
        );
    }

    #[test]
    fn unterminated_constructs_are_reported_not_dropped() {
        let t = "SELECT 1;\nCREATE FUNCTION f() AS $$ BEGIN; ";
        let (st, problems) = split(t, Span::new(0, t.len()), PG);
        assert_eq!(st.len(), 2);
        assert_eq!(&t[st[1].span.range()], "CREATE FUNCTION f() AS $$ BEGIN; ");
        assert_eq!(
            problems,
            vec![SplitProblem {
                at: 33,
                what: "dollar-quoted body"
            }]
        );
        let (_, p) = split("SELECT 'abc", Span::new(0, 11), PG);
        assert_eq!(p[0].what, "string literal");
    }

    #[test]
    fn sub_ranges_and_multibyte_text() {
        let t = "xx SELECT 'é;'; SELECT 2; yy";
        let (st, _) = split(t, Span::new(3, t.len() - 3), PG);
        assert_eq!(st.len(), 2);
        assert_eq!(&t[st[0].span.range()], "SELECT 'é;'");
    }
}
