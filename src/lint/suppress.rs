//! Inline suppression comments, in Python or SQL comment syntax:
//!
//! - `# migplan: ignore[dropping-column, renaming-table]` / `-- migplan: ignore dropping-column`
//!   on the finding's statement (any of its lines) or the line just above it;
//!   `migplan: ignore` alone silences every code there.
//! - `migplan: ignore-file[code]` / `migplan: ignore-file` anywhere in the file.

use crate::diagnostic::Diagnostic;
use crate::render::diagnostics::FileTexts;
use crate::source::LineIndex;

const MARK: &str = "migplan: ignore";

/// What one marker silences: every code, or the listed ones.
#[derive(Debug, PartialEq, Eq)]
enum Silences {
    All,
    Codes(Vec<String>),
}

impl Silences {
    fn covers(&self, code: &str) -> bool {
        match self {
            Silences::All => true,
            Silences::Codes(c) => c.iter().any(|x| x == code),
        }
    }
}

/// The marker on one line, if any: (file-wide, what it silences).
fn markers(line: &str) -> Vec<(bool, Silences)> {
    let Some(at) = line.find(MARK) else {
        return Vec::new();
    };
    let after = &line[at + MARK.len()..];
    let (file_wide, after) = match after.strip_prefix("-file") {
        Some(a) => (true, a),
        None => (false, after),
    };
    let list = match after.strip_prefix('[') {
        Some(inner) => inner.split(']').next().unwrap_or(""),
        // `-- migplan: ignore code1, code2` runs to the end of the line.
        None => after,
    };
    let codes: Vec<String> = list
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'))
        .map(str::to_string)
        .collect();
    vec![(file_wide, if codes.is_empty() { Silences::All } else { Silences::Codes(codes) })]
}

/// One marker: file-wide, its 0-based line, whether the comment is alone on its line,
/// what it silences.
type Marker = (bool, usize, bool, Silences);

/// A file's markers and its line index.
type FileMarkers = (Vec<Marker>, LineIndex);

/// Whether a line holds only a comment (so it may speak for the statement below it).
fn comment_only(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("--") || t.starts_with('#') || t.starts_with("/*")
}

/// A file's markers and line index (`None`: unknown file or no marker in it).
fn file_markers(texts: &(impl FileTexts + ?Sized), file: &str) -> Option<FileMarkers> {
    let text = texts.text(file)?;
    memchr::memmem::find(text.as_bytes(), MARK.as_bytes())?;
    let found: Vec<Marker> = text
        .lines()
        .enumerate()
        .flat_map(|(i, l)| markers(l).into_iter().map(move |(fw, s)| (fw, i, comment_only(l), s)))
        .collect();
    Some((found, LineIndex::new(text)))
}

/// Drop the findings an inline marker silences.
pub fn apply(diags: Vec<Diagnostic>, texts: &(impl FileTexts + ?Sized)) -> Vec<Diagnostic> {
    let mut cache: std::collections::BTreeMap<String, Option<FileMarkers>> = Default::default();
    diags
        .into_iter()
        .filter(|d| {
            let Some(file) = &d.file else { return true };
            // Looked up before inserting: a key copy per finding shows at 100,000 findings.
            if !cache.contains_key(file.as_str()) {
                cache.insert(file.clone(), file_markers(texts, file));
            }
            let entry = &cache[file.as_str()];
            let Some((found, idx)) = entry else { return true };
            let code = d.code.name();
            if found.iter().any(|(fw, _, _, s)| *fw && s.covers(code)) {
                return false;
            }
            let Some(span) = d.span else { return true };
            let first = idx.line_of(span.start as usize);
            let last = idx.line_of((span.end as usize).max(span.start as usize));
            // On the statement's lines, or alone on the line just above it (a comment
            // trailing the previous statement speaks for that one only).
            !found
                .iter()
                .any(|(fw, line, alone, s)| !fw && s.covers(code) && ((*line >= first && *line <= last) || (*alone && *line + 1 == first)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_comment_styles() {
        assert_eq!(
            markers("x  # migplan: ignore[dropping-column]"),
            vec![(false, Silences::Codes(vec!["dropping-column".into()]))]
        );
        assert_eq!(
            markers("-- migplan: ignore dropping-column, renaming-table"),
            vec![(false, Silences::Codes(vec!["dropping-column".into(), "renaming-table".into()]))]
        );
        assert_eq!(markers("# migplan: ignore"), vec![(false, Silences::All)]);
        assert_eq!(markers("-- migplan: ignore-file"), vec![(true, Silences::All)]);
        assert_eq!(
            markers("# migplan: ignore-file[truncate-table]"),
            vec![(true, Silences::Codes(vec!["truncate-table".into()]))]
        );
        assert!(markers("# nothing here").is_empty());
    }

    #[test]
    fn a_trailing_marker_speaks_for_its_own_statement() {
        assert!(comment_only("  -- migplan: ignore dropping-column"));
        assert!(comment_only("    # migplan: ignore[renaming-column]"));
        assert!(!comment_only("ALTER TABLE t DROP COLUMN a; -- migplan: ignore dropping-column"));
    }
}
