//! `check --format github`: one GitHub Actions workflow command per finding, which the
//! runner turns into an annotation on the PR's diff (`::error file=…,line=…::message`).
//!
//! Escaping follows the runner's: `%`, CR and LF in the message; also `:` and `,` in
//! property values. The help goes on the annotation's second line.

use std::fmt::Write as _;

use crate::codes::Severity;
use crate::diagnostic::LocatedDiagnostic;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One line per diagnostic.
pub fn render(diags: &[LocatedDiagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let mut props: Vec<String> = Vec::new();
        if let Some(f) = &d.file {
            props.push(format!("file={}", escape_property(f)));
        }
        let fields = [
            ("line", d.line),
            ("col", d.column),
            ("endLine", d.end_line),
            ("endColumn", d.end_column),
        ];
        for (k, v) in fields {
            if let (Some(v), Some(_)) = (v, &d.file) {
                props.push(format!("{k}={v}"));
            }
        }
        props.push(format!("title={}", escape_property(d.code)));
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        let _ = writeln!(out, "::{} {}::{}", command(d.severity), props.join(","), escape_data(&message));
    }
    out
}

/// One notice annotation with `lines` (nothing when there are none).
pub fn notice(title: &str, lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    format!("::notice title={}::{}\n", escape_property(title), escape_data(&lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped() {
        let d = LocatedDiagnostic {
            code: "forked-head",
            severity: Severity::Error,
            message: "100% bad\r\nreally".into(),
            file: Some("db/a,b:c.py".into()),
            line: Some(3),
            column: Some(1),
            end_line: Some(3),
            end_column: Some(9),
            offset_utf16: None,
            end_offset_utf16: None,
            help: Some("fix it".into()),
            deployed: false,
        };
        assert_eq!(
            render(&[d]),
            "::error file=db/a%2Cb%3Ac.py,line=3,col=1,endLine=3,endColumn=9,title=forked-head::100%25 bad%0D%0Areally%0Ahelp: fix it\n"
        );
        let bare = LocatedDiagnostic {
            code: "multiple-heads",
            severity: Severity::Info,
            message: "m".into(),
            file: None,
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            offset_utf16: None,
            end_offset_utf16: None,
            help: None,
            deployed: false,
        };
        assert_eq!(render(&[bare]), "::notice title=multiple-heads::m\n");
    }
}
