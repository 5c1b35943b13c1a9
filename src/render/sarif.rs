//! `check --format sarif`: the located diagnostics as a SARIF 2.1.0 log, for code-scanning
//! services (GitHub's upload-sarif and others).
//!
//! One rule per code used (sorted by code), one result per diagnostic. Columns are Unicode
//! code points (`columnKind`), as in every other output. SARIF results need a physical
//! location to be shown: a finding about no file (`multiple-heads`, some config errors) is
//! placed at line 1 of the `anchor` the caller picks (the config file, else the project's
//! first file).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::codes::{Code, Severity};
use crate::diagnostic::LocatedDiagnostic;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path as a URI reference: `/` separators, anything outside RFC 3986's
/// unreserved characters percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(d: &LocatedDiagnostic, anchor: &str) -> Value {
    match (&d.file, d.line, d.column) {
        (Some(file), Some(line), Some(col)) => {
            let end_line = d.end_line.unwrap_or(line).max(line);
            let end_col = d.end_column.unwrap_or(col);
            // SARIF's endColumn is exclusive; an empty span still covers its first column.
            let end_col = if end_line == line { end_col.max(col + 1) } else { end_col.max(1) };
            json!({"physicalLocation": {
                "artifactLocation": {"uri": uri(file)},
                "region": {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col},
            }})
        }
        (file, _, _) => json!({"physicalLocation": {
            "artifactLocation": {"uri": uri(file.as_deref().unwrap_or(anchor))},
            "region": {"startLine": 1},
        }}),
    }
}

/// The SARIF log of `diags`. `anchor`: where findings about no file are placed.
pub fn render(diags: &[LocatedDiagnostic], anchor: &str) -> Value {
    let used: BTreeMap<&str, Code> = diags.iter().filter_map(|d| Code::from_name(d.code).map(|c| (d.code, c))).collect();
    let index: BTreeMap<&str, usize> = used.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let rules: Vec<Value> = used
        .values()
        .map(|c| {
            let mut rule = json!({
                "id": c.name(),
                "shortDescription": {"text": c.summary()},
                "defaultConfiguration": {"level": level(c.default_severity())},
            });
            if let Some(home) = home_page() {
                rule["helpUri"] = json!(format!("{}/blob/main/docs/diagnostics.md", home.trim_end_matches('/')));
            }
            rule
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut r = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": {"text": d.message},
                "locations": [location(d, anchor)],
            });
            if let Some(&i) = index.get(d.code) {
                r["ruleIndex"] = json!(i);
            }
            if let Some(help) = &d.help {
                r["properties"] = json!({"help": help});
            }
            r
        })
        .collect();
    let mut driver = json!({
        "name": "migplan",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(home) = home_page() {
        driver["informationUri"] = json!(home);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// The project's page, when Cargo.toml names one (`repository`, else `homepage`).
fn home_page() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|s| !s.is_empty())
}

/// The findings about deployed revisions that are not results, as the run's properties:
/// the counts per code and the lines people read.
pub fn with_hidden(mut log: Value, hidden: &[crate::deployed::Hidden], lines: &[String]) -> Value {
    if !hidden.is_empty()
        && let Some(run) = log["runs"].get_mut(0)
    {
        run["properties"] = json!({"hidden": hidden, "hiddenSummary": lines.join("\n")});
    }
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(code: &str, sev: Severity, file: Option<&str>, line: Option<usize>) -> LocatedDiagnostic {
        LocatedDiagnostic {
            code: Code::from_name(code).unwrap().name(),
            severity: sev,
            message: "m".into(),
            file: file.map(str::to_string),
            line,
            column: line.map(|_| 5),
            end_line: line,
            end_column: line.map(|_| 5),
            offset_utf16: None,
            end_offset_utf16: None,
            help: Some("h".into()),
            deployed: false,
        }
    }

    #[test]
    fn rules_are_indexed_and_every_result_is_located() {
        let diags = [
            diag("multiple-heads", Severity::Warning, None, None),
            diag("empty-downgrade", Severity::Warning, Some("v/a b.py"), Some(3)),
            diag("empty-upgrade", Severity::Info, Some("v/a b.py"), Some(2)),
        ];
        let log = render(&diags, "alembic.ini");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["empty-downgrade", "empty-upgrade", "multiple-heads"]);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results[0]["ruleIndex"], 2);
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "alembic.ini"
        );
        let region = &results[1]["locations"][0]["physicalLocation"]["region"];
        assert_eq!((region["startColumn"].as_u64(), region["endColumn"].as_u64()), (Some(5), Some(6)));
        assert_eq!(
            results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "v/a%20b.py"
        );
        assert_eq!(results[2]["level"], "note");
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("./db\\mig rations/1_ü.sql"), "db/mig%20rations/1_%C3%BC.sql");
    }
}
