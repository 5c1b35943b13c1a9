//! Merge revisions as text: the file `alembic merge` writes (Alembic's default
//! `script.py.mako` and `file_template`), a project's own `script.py.mako` when it only uses
//! the plain `${...}` substitutions of the default, and a DAG folder's merge migration.
//!
//! Pure: the caller picks the id and the date and writes the files. migplan does not run
//! Mako: a template with control lines (`% if`), blocks (`<% %>`) or other expressions is
//! refused with the line named, never half-rendered.

/// What a merge revision says.
pub struct MergeSpec<'a> {
    pub rev_id: &'a str,
    /// The revisions merged, in Alembic's order (`heads` resolved).
    pub parents: &'a [String],
    /// `-m`; Alembic writes "empty message" in the docstring and an empty slug without one.
    pub message: Option<&'a str>,
    pub branch_label: Option<&'a str>,
    /// `Create Date`, as Python prints a datetime (`2024-01-05 10:30:00.123456`).
    pub create_date: &'a str,
}

/// Alembic's default `script.py.mako` (the `generic` template of Alembic 1.14+).
pub const DEFAULT_TEMPLATE: &str = r#""""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
"#;

/// Python's `repr` of a str.
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `repr` of a tuple of str (`('a',)`, `('a', 'b')`).
fn py_tuple(items: &[String]) -> String {
    match items {
        [one] => format!("({},)", py_repr(one)),
        _ => format!("({})", items.iter().map(|s| py_repr(s)).collect::<Vec<_>>().join(", ")),
    }
}

/// Alembic's slug of a message: its `\w+` runs joined by `_`, lowercased, cut at 40
/// characters on an underscore (`truncate_slug_length`).
pub fn slug(message: Option<&str>) -> String {
    let words: Vec<String> = message
        .unwrap_or("")
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let slug = words.join("_").to_lowercase();
    const MAX: usize = 40;
    if slug.chars().count() > MAX {
        let cut: String = slug.chars().take(MAX).collect();
        let head = cut.rsplit_once('_').map_or(cut.as_str(), |(h, _)| h);
        format!("{head}_")
    } else {
        slug
    }
}

/// The file name Alembic's default `file_template` (`%(rev)s_%(slug)s`) gives.
pub fn file_name(spec: &MergeSpec) -> String {
    format!("{}_{}.py", spec.rev_id, slug(spec.message))
}

/// The value of one `${...}` expression of the default template, if it is one.
fn substitution(expr: &str, spec: &MergeSpec) -> Option<String> {
    let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match compact.as_str() {
        "message" => spec.message.unwrap_or("empty message").to_string(),
        "up_revision" => spec.rev_id.to_string(),
        "down_revision|comma,n" => spec.parents.join(", "),
        "create_date" => spec.create_date.to_string(),
        "repr(up_revision)" => py_repr(spec.rev_id),
        "repr(down_revision)" => match spec.parents {
            [] => "None".to_string(),
            [one] => py_repr(one),
            many => py_tuple(many),
        },
        "repr(branch_labels)" => spec.branch_label.map_or("None".to_string(), |l| py_tuple(&[l.to_string()])),
        "repr(depends_on)" => "None".to_string(),
        "importsifimportselse\"\"" | "importsifimportselse''" => String::new(),
        "upgradesifupgradeselse\"pass\"" | "upgradesifupgradeselse'pass'" => "pass".to_string(),
        "downgradesifdowngradeselse\"pass\"" | "downgradesifdowngradeselse'pass'" => "pass".to_string(),
        _ => return None,
    })
}

/// Render `template` (a `script.py.mako`) for a merge, or say which line migplan cannot
/// render without Mako.
pub fn render_template(template: &str, spec: &MergeSpec) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 256);
    for (n, line) in template.split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        if t.starts_with("##") {
            continue; // a Mako comment line renders as nothing
        }
        if t.starts_with('%') || line.contains("<%") || line.trim_end_matches(['\n', '\r']).ends_with('\\') {
            return Err(format!("line {}: `{}` needs Mako", n + 1, line.trim_end()));
        }
        let mut rest = line;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let Some(end) = rest[at..].find('}') else {
                return Err(format!("line {}: unclosed `${{`", n + 1));
            };
            let expr = &rest[at + 2..at + end];
            match substitution(expr, spec) {
                Some(v) => out.push_str(&v),
                None => return Err(format!("line {}: `${{{expr}}}` needs Mako", n + 1)),
            }
            rest = &rest[at + end + 1..];
        }
        out.push_str(rest);
    }
    Ok(out)
}

/// A DAG folder's merge migration: (folder name, metadata.yaml, up.sql, down.sql).
pub fn dag_merge(spec: &MergeSpec) -> (String, String, String, String) {
    let message = spec.message.unwrap_or("merge");
    let folder = format!("{}_{}", spec.rev_id, slug(Some(message)).trim_end_matches('_'));
    let parents: Vec<String> = spec.parents.iter().map(|p| yaml_scalar(p)).collect();
    let metadata = format!("name: {}\nparents: [{}]\n", yaml_scalar(message), parents.join(", "));
    let note = "-- merge migration: joins the branches, changes nothing\n".to_string();
    (folder, metadata, note.clone(), note)
}

/// A YAML scalar, quoted unless plainly safe.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || " _-.".contains(c)) && !s.starts_with([' ', '-']);
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(parents: &'a [String], message: Option<&'a str>) -> MergeSpec<'a> {
        MergeSpec {
            rev_id: "eee",
            parents,
            message,
            branch_label: None,
            create_date: "2026-01-05 10:30:00.000001",
        }
    }

    #[test]
    fn slugs_are_alembics() {
        assert_eq!(
            slug(Some("merge the two heads, please: now! and a long message to truncate")),
            "merge_the_two_heads_please_now_and_a_"
        );
        assert_eq!(slug(None), "");
        assert_eq!(slug(Some("Merge")), "merge");
    }

    #[test]
    fn default_template_renders_a_merge() {
        let parents = vec!["bbb".to_string(), "ccc".to_string()];
        let text = render_template(DEFAULT_TEMPLATE, &spec(&parents, None)).unwrap();
        assert!(text.starts_with("\"\"\"empty message\n\nRevision ID: eee\nRevises: bbb, ccc\nCreate Date: 2026-01-05"));
        assert!(text.contains("import sqlalchemy as sa\n\n\n# revision identifiers, used by Alembic.\n"));
        assert!(text.contains("down_revision: Union[str, Sequence[str], None] = ('bbb', 'ccc')\n"));
        assert!(text.contains("    \"\"\"Upgrade schema.\"\"\"\n    pass\n"));
        assert_eq!(file_name(&spec(&parents, None)), "eee_.py");
    }

    #[test]
    fn mako_control_lines_are_refused() {
        let parents = vec!["a".to_string()];
        let err = render_template("x\n% if message:\n", &spec(&parents, None)).unwrap_err();
        assert!(err.starts_with("line 2"), "{err}");
        assert!(render_template("${foo()}\n", &spec(&parents, None)).is_err());
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'\"b"), "'a\\'\"b'");
    }
}
