//! Diagnostics as data: code, severity, message, file, span, help.
//!
//! Every output (terminal, JSON, later SARIF and the web page) renders these same values.

use serde::Serialize;

use crate::codes::{Code, Severity};
use crate::source::{LineIndex, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Path of the file the finding is about, as given in [`crate::SourceFile::path`].
    pub file: Option<String>,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            file: None,
            span: None,
            help: None,
        }
    }

    pub fn at(mut self, file: impl Into<String>, span: Span) -> Self {
        self.file = Some(file.into());
        self.span = Some(span);
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A diagnostic with positions resolved against its file's text: the shape of
/// `check --format json`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LocatedDiagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    /// The span as UTF-16 code-unit offsets into the file (JavaScript string indexes, LSP).
    pub offset_utf16: Option<usize>,
    pub end_offset_utf16: Option<usize>,
    pub help: Option<String>,
    /// The finding is about a revision already deployed (PR base, `--since`, baseline);
    /// see [`crate::deployed`].
    pub deployed: bool,
}

impl LocatedDiagnostic {
    /// Resolve `d` using the text of its file (`None` when the file is unknown).
    pub fn new(d: &Diagnostic, text: Option<&str>) -> Self {
        let idx = text.filter(|_| d.span.is_some()).map(LineIndex::new);
        Self::with_index(d, text.zip(idx.as_ref()))
    }

    /// Like [`LocatedDiagnostic::new`] with the file's line index built by the caller, who
    /// can share it between the findings of one file.
    pub fn with_index(d: &Diagnostic, text: Option<(&str, &LineIndex)>) -> Self {
        let (mut line, mut column, mut end_line, mut end_column) = (None, None, None, None);
        let (mut offset_utf16, mut end_offset_utf16) = (None, None);
        if let (Some(span), Some((text, idx))) = (d.span, text) {
            let utf16 = |at: usize| -> usize {
                let at = crate::source::floor_char_boundary(text, at.min(text.len()));
                let prefix = &text[..at];
                // ASCII (nearly every migration): one UTF-16 unit per byte.
                if prefix.is_ascii() { at } else { prefix.encode_utf16().count() }
            };
            offset_utf16 = Some(utf16(span.start as usize));
            end_offset_utf16 = Some(utf16(span.end as usize));
            let s = idx.position(text, span.start as usize);
            let e = idx.position(text, span.end as usize);
            line = Some(s.line);
            column = Some(s.column);
            end_line = Some(e.line);
            end_column = Some(e.column);
        } else if d.file.is_some() && text.is_some() {
            line = Some(1);
            column = Some(1);
            end_line = Some(1);
            end_column = Some(1);
            offset_utf16 = Some(0);
            end_offset_utf16 = Some(0);
        }
        LocatedDiagnostic {
            code: d.code.name(),
            severity: d.severity,
            message: d.message.clone(),
            file: d.file.clone(),
            line,
            column,
            end_line,
            end_column,
            offset_utf16,
            end_offset_utf16,
            help: d.help.clone(),
            deployed: false,
        }
    }
}

/// Stable order for output: by file, position, then code.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.file.is_none(), &a.file, a.span.map(|s| s.start), a.code, &a.message).cmp(&(
            b.file.is_none(),
            &b.file,
            b.span.map(|s| s.start),
            b.code,
            &b.message,
        ))
    });
}
