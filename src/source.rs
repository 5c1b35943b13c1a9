//! Input files and byte-offset → line/column conversion.
//!
//! The core only sees text that the caller already read: the CLI reads the disk, the wasm
//! binding receives JS strings. Spans inside the core are byte offsets; lines and columns
//! are computed at the edges, with [`LineIndex`].

use serde::{Deserialize, Serialize};

/// One input file: its path (as the user should see it) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// Why raw bytes could not become a [`SourceFile`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// NUL bytes: not a text file at all.
    Binary { offset: usize },
    /// Invalid UTF-8 and no PEP 263 coding cookie that says otherwise.
    InvalidUtf8 { offset: usize },
}

/// A revision script for unit tests, `v/<rev>.py`: `down` is Python (`None`, `'a1'`), and
/// each body's first line is indented here (its other lines carry their own indentation).
#[cfg(test)]
pub(crate) fn test_script(rev: &str, down: &str, up: &str, downgrade: &str) -> SourceFile {
    SourceFile::new(
        format!("v/{rev}.py"),
        format!(
            "from alembic import op\nimport sqlalchemy as sa\nrevision = '{rev}'\ndown_revision = {down}\ndef upgrade():\n    {up}\ndef downgrade():\n    {downgrade}\n"
        ),
    )
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Decode file bytes as Python does: UTF-8 (a BOM is dropped), or Latin-1 when a
    /// `coding:` cookie in the first two lines names a Latin-1 family encoding.
    pub fn from_bytes(path: impl Into<String>, bytes: &[u8]) -> Result<Self, DecodeError> {
        if let Some(offset) = memchr_nul(bytes) {
            return Err(DecodeError::Binary { offset });
        }
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(body) {
            Ok(text) => Ok(SourceFile::new(path, text)),
            Err(e) => {
                if declares_latin1(body) {
                    Ok(SourceFile::new(path, body.iter().map(|&b| b as char).collect::<String>()))
                } else {
                    Err(DecodeError::InvalidUtf8 {
                        offset: e.valid_up_to() + (bytes.len() - body.len()),
                    })
                }
            }
        }
    }

    /// [`SourceFile::from_bytes`] for bytes the caller owns: valid UTF-8 without a BOM (the
    /// usual case) becomes the text without a copy.
    pub fn from_vec(path: impl Into<String>, bytes: Vec<u8>) -> Result<Self, DecodeError> {
        if memchr_nul(&bytes).is_some() {
            return Self::from_bytes(path, &bytes);
        }
        match String::from_utf8(bytes) {
            Ok(text) if !text.starts_with('\u{FEFF}') => Ok(SourceFile::new(path, text)),
            Ok(text) => Self::from_bytes(path, text.as_bytes()),
            Err(e) => Self::from_bytes(path, e.as_bytes()),
        }
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

/// PEP 263: `# -*- coding: latin-1 -*-` on line 1 or 2.
fn declares_latin1(bytes: &[u8]) -> bool {
    let head: Vec<&[u8]> = bytes.split(|&b| b == b'\n').take(2).collect();
    head.iter().any(|line| {
        let line = String::from_utf8_lossy(line).to_ascii_lowercase();
        let Some(pos) = line.find("coding") else { return false };
        if !line.trim_start().starts_with('#') {
            return false;
        }
        let rest = line[pos + 6..].trim_start_matches([':', '=']).trim_start();
        let enc: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        matches!(
            enc.as_str(),
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "iso-latin-1" | "l1" | "cp1252" | "windows-1252"
        )
    })
}

/// A half-open byte range `[start, end)` into one file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: clamp_u32(start),
            end: clamp_u32(end.max(start)),
        }
    }
    pub fn empty(at: usize) -> Self {
        Span::new(at, at)
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// 1-based line and column (columns count Unicode scalar values) plus the UTF-16 column for
/// editors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub utf16_column: usize,
}

/// Line starts of one text. `\n`, `\r\n` and a lone `\r` all end a line.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        if memchr::memchr(b'\r', bytes).is_none() {
            // Only `\n` ends lines (nearly every file): found a word at a time.
            starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
            return LineIndex { starts };
        }
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or_else(|| *self.starts.last().unwrap_or(&0))
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let prefix = &text[start..offset];
        Position {
            line: line + 1,
            column: prefix.chars().count() + 1,
            utf16_column: prefix.encode_utf16().count() + 1,
        }
    }

    /// The text of a 0-based line without its terminator.
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let start = self.line_start(line).min(text.len());
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len()).min(text.len());
        text[start..end].trim_end_matches(['\n', '\r'])
    }
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_handle_crlf_and_unicode() {
        let text = "a\r\nñb\nc";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.position(text, 0),
            Position {
                line: 1,
                column: 1,
                utf16_column: 1
            }
        );
        let b = text.find('b').unwrap();
        assert_eq!(
            idx.position(text, b),
            Position {
                line: 2,
                column: 2,
                utf16_column: 2
            }
        );
        assert_eq!(idx.line_text(text, 0), "a");
        assert_eq!(idx.line_text(text, 1), "ñb");
        assert_eq!(idx.position(text, text.len()).line, 3);
    }

    #[test]
    fn bom_is_dropped_and_binary_rejected() {
        let f = SourceFile::from_bytes("a.py", b"\xEF\xBB\xBFx = 1").unwrap();
        assert_eq!(f.text, "x = 1");
        assert_eq!(SourceFile::from_bytes("b.py", b"ab\0c"), Err(DecodeError::Binary { offset: 2 }));
        assert!(matches!(
            SourceFile::from_bytes("c.py", b"x = '\xff'"),
            Err(DecodeError::InvalidUtf8 { offset: 5 })
        ));
        let latin = SourceFile::from_bytes("d.py", b"# -*- coding: latin-1 -*-\nx = '\xe9'").unwrap();
        assert!(latin.text.ends_with("'é'"));
    }
}
