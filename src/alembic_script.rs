//! New Alembic revision scripts as text, for `merge` and `revision`: Alembic's default
//! `script.py.mako`, a project's own `script.py.mako` when it only uses the plain `${...}`
//! substitutions of the default, and the file name `file_template` gives.
//!
//! Pure: the caller picks the id and the date and writes the file. migplan does not run
//! Mako: a template with control lines (`% if`), blocks (`<% %>`) or other expressions is
//! refused with the line named, never half-rendered.

use crate::parse::revision_script::read_script;
use crate::source::SourceFile;
use crate::timestamp::Timestamp;

/// What a new revision says.
pub struct ScriptSpec<'a> {
    pub rev_id: &'a str,
    /// `down_revision`, in Alembic's order (empty for a new base).
    pub parents: &'a [String],
    /// `-m`; Alembic writes "empty message" in the docstring and an empty slug without one.
    pub message: Option<&'a str>,
    pub branch_label: Option<&'a str>,
    /// `depends_on`, resolved (ids, or branch labels kept as given).
    pub depends_on: &'a [String],
    /// `Create Date`, as Python prints the datetime.
    pub create_date: &'a str,
    /// Autogenerate's `upgrades`, `downgrades` (already indented) and `imports`; `None`:
    /// `pass` and no imports.
    pub bodies: Option<(&'a str, &'a str, &'a str)>,
}

/// Alembic's default `file_template`.
pub const DEFAULT_FILE_TEMPLATE: &str = "%(rev)s_%(slug)s";

/// Alembic's default `truncate_slug_length`.
pub const DEFAULT_TRUNCATE_SLUG_LENGTH: usize = 40;

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

/// Alembic's `tuple_rev_as_scalar` then `repr`: `None`, `'a'`, or the sequence.
fn py_scalar_or(items: &[String], many: impl Fn(&[String]) -> String) -> String {
    match items {
        [] => "None".to_string(),
        [one] => py_repr(one),
        _ => many(items),
    }
}

/// Alembic's slug of a message: its `\w+` runs joined by `_`, lowercased, cut at `max`
/// characters on an underscore (`truncate_slug_length`).
pub fn slug(message: Option<&str>, max: usize) -> String {
    let words: Vec<String> = message
        .unwrap_or("")
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let slug = words.join("_").to_lowercase();
    if slug.chars().count() > max {
        let cut: String = slug.chars().take(max).collect();
        let head = cut.rsplit_once('_').map_or(cut.as_str(), |(h, _)| h);
        format!("{head}_")
    } else {
        slug
    }
}

/// Alembic's `Script.verify_rev_id`: characters that would make an id ambiguous in a
/// target (`a@head`, `a-1`, `a:b`).
pub fn verify_rev_id(id: &str) -> Result<(), String> {
    let mut bad: Vec<char> = ['+', '-', ':', '@'].into_iter().filter(|c| id.contains(*c)).collect();
    bad.sort_unstable();
    if bad.is_empty() {
        return Ok(());
    }
    let bad: Vec<String> = bad.iter().map(char::to_string).collect();
    Err(format!(
        "Character(s) '{}' not allowed in revision identifier '{id}'",
        bad.join(", ")
    ))
}

/// A value for Python's `%` formatting.
enum PyVal {
    Str(String),
    Int(i64),
}

/// The file name (without `.py`) `file_template` gives, as Alembic's `_rev_path` formats it
/// with Python's `%` operator. May contain `/` (date sub-folders).
pub fn file_stem(template: &str, rev_id: &str, slug: &str, date: &Timestamp) -> Result<String, String> {
    let lookup = |key: &str| -> Option<PyVal> {
        Some(match key {
            "rev" => PyVal::Str(rev_id.to_string()),
            "slug" => PyVal::Str(slug.to_string()),
            "epoch" => PyVal::Int(date.epoch),
            "year" => PyVal::Int(date.year),
            "month" => PyVal::Int(date.month.into()),
            "day" => PyVal::Int(date.day.into()),
            "hour" => PyVal::Int(date.hour.into()),
            "minute" => PyVal::Int(date.minute.into()),
            "second" => PyVal::Int(date.second.into()),
            _ => return None,
        })
    };
    percent_format(template, &lookup).map_err(|e| format!("file_template `{template}`: {e}"))
}

/// Python's `template % mapping` for the conversions a file name uses (`s`, `r`, `d`, `i`,
/// `u` with flags, width and precision).
fn percent_format(template: &str, lookup: &dyn Fn(&str) -> Option<PyVal>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(r) = rest.strip_prefix('%') {
            out.push('%');
            rest = r;
            continue;
        }
        let Some(r) = rest.strip_prefix('(') else {
            return Err("every `%` needs a key, like `%(rev)s`".to_string());
        };
        let Some(close) = r.find(')') else {
            return Err("unclosed `%(`".to_string());
        };
        let key = &r[..close];
        rest = &r[close + 1..];
        let flags_len = rest.find(|c: char| !"-+ #0".contains(c)).unwrap_or(rest.len());
        let flags = &rest[..flags_len];
        rest = &rest[flags_len..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let width_len = digits(rest);
        let width: usize = rest[..width_len].parse().unwrap_or(0);
        rest = &rest[width_len..];
        let precision = match rest.strip_prefix('.') {
            Some(r) => {
                let n = digits(r);
                rest = &r[n..];
                Some(r[..n].parse::<usize>().unwrap_or(0))
            }
            None => None,
        };
        rest = rest.trim_start_matches(['h', 'l', 'L']);
        let Some(conv) = rest.chars().next() else {
            return Err("incomplete format".to_string());
        };
        rest = &rest[conv.len_utf8()..];
        let value =
            lookup(key).ok_or_else(|| format!("unknown key `{key}` (known: rev, slug, epoch, year, month, day, hour, minute, second)"))?;
        let body = match (conv, &value) {
            ('s', PyVal::Str(s)) => precision.map_or(s.clone(), |p| s.chars().take(p).collect()),
            ('s', PyVal::Int(n)) => n.to_string(),
            ('r', PyVal::Str(s)) => py_repr(s),
            ('r', PyVal::Int(n)) => n.to_string(),
            ('d' | 'i' | 'u', PyVal::Int(n)) => {
                let digits = n.unsigned_abs().to_string();
                let digits = format!("{digits:0>width$}", width = precision.unwrap_or(0));
                let sign = if *n < 0 {
                    "-"
                } else if flags.contains('+') {
                    "+"
                } else if flags.contains(' ') {
                    " "
                } else {
                    ""
                };
                if flags.contains('0') && !flags.contains('-') {
                    let pad = width.saturating_sub(sign.len() + digits.len());
                    format!("{sign}{}{digits}", "0".repeat(pad))
                } else {
                    format!("{sign}{digits}")
                }
            }
            ('d' | 'i' | 'u', PyVal::Str(_)) => return Err(format!("`%({key}){conv}` needs a number, and {key} is text")),
            (other, _) => return Err(format!("the conversion `{other}` is not one migplan formats (s, r, d, i)")),
        };
        let len = body.chars().count();
        if len < width {
            let pad = " ".repeat(width - len);
            if flags.contains('-') {
                out.push_str(&body);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(&body);
            }
        } else {
            out.push_str(&body);
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The value of one `${...}` expression of the default template, if it is one.
fn substitution(expr: &str, spec: &ScriptSpec) -> Option<String> {
    let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match compact.as_str() {
        "message" => spec.message.unwrap_or("empty message").to_string(),
        "up_revision" => spec.rev_id.to_string(),
        "down_revision|comma,n" => spec.parents.join(", "),
        "create_date" => spec.create_date.to_string(),
        "repr(up_revision)" => py_repr(spec.rev_id),
        "repr(down_revision)" => py_scalar_or(spec.parents, py_tuple),
        "repr(branch_labels)" => spec.branch_label.map_or("None".to_string(), |l| py_tuple(&[l.to_string()])),
        // `--depends-on` is a list in Alembic's command line, so several print as one.
        "repr(depends_on)" => py_scalar_or(spec.depends_on, |d| {
            format!("[{}]", d.iter().map(|s| py_repr(s)).collect::<Vec<_>>().join(", "))
        }),
        "importsifimportselse\"\"" | "importsifimportselse''" => spec.bodies.map_or("", |b| b.2).to_string(),
        "upgradesifupgradeselse\"pass\"" | "upgradesifupgradeselse'pass'" => spec.bodies.map_or("pass", |b| b.0).to_string(),
        "downgradesifdowngradeselse\"pass\"" | "downgradesifdowngradeselse'pass'" => spec.bodies.map_or("pass", |b| b.1).to_string(),
        _ => return None,
    })
}

/// Render `template` (a `script.py.mako`), or say which line migplan cannot render without
/// Mako.
pub fn render_template(template: &str, spec: &ScriptSpec) -> Result<String, String> {
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

/// Read the rendered script back as Alembic will, and say what it lost: a project template
/// can leave out an attribute (Alembic then fails after writing the file; migplan refuses
/// before).
pub fn check_read_back(path: &str, text: &str, spec: &ScriptSpec) -> Result<(), String> {
    let read = read_script(&SourceFile::new(path, text));
    let Some(rev) = read.revision else {
        return Err(format!("the rendered {path} is not a revision script Alembic can load"));
    };
    if let Some(label) = spec.branch_label
        && !rev.branch_labels.iter().any(|l| l == label)
    {
        // Alembic's own message for a template without `branch_labels`.
        return Err(format!(
            "Version {} specified branch_labels {label}, however the migration file {path} does not have them; have you upgraded your script.py.mako to include the 'branch_labels' section?",
            spec.rev_id
        ));
    }
    let mut lost = Vec::new();
    if rev.id != spec.rev_id {
        lost.push(format!("revision = {:?}", spec.rev_id));
    }
    if rev.down_revisions != spec.parents {
        lost.push(format!("down_revision = {:?}", spec.parents));
    }
    if rev.depends_on != spec.depends_on {
        lost.push(format!("depends_on = {:?}", spec.depends_on));
    }
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!("the script.py.mako does not write {}", lost.join(", ")))
    }
}

/// The script options Alembic's `ScriptDirectory` reads from the configuration.
pub struct ScriptOptions {
    pub file_template: String,
    pub truncate_slug_length: usize,
    /// `timezone = UTC`: the create date is printed with its offset, as Python prints an
    /// aware datetime.
    pub utc_offset: bool,
}

impl ScriptOptions {
    pub fn read(settings: Option<&crate::config::AlembicSettings>) -> Result<ScriptOptions, String> {
        let Some(s) = settings else {
            return Ok(ScriptOptions {
                file_template: DEFAULT_FILE_TEMPLATE.to_string(),
                truncate_slug_length: DEFAULT_TRUNCATE_SLUG_LENGTH,
                utc_offset: false,
            });
        };
        if let Some(e) = s.script_option_errors.first() {
            return Err(format!("cannot read the configuration's {e}"));
        }
        let truncate_slug_length = match s.truncate_slug_length.as_deref().map(str::trim) {
            None => DEFAULT_TRUNCATE_SLUG_LENGTH,
            Some(v) => match v.parse::<usize>() {
                // Alembic's `int(tsl) or 40`.
                Ok(0) => DEFAULT_TRUNCATE_SLUG_LENGTH,
                Ok(n) => n,
                Err(_) => return Err(format!("truncate_slug_length = {v} is not a number")),
            },
        };
        // Other zones need the tz database; a date in the wrong zone is worse than none.
        let utc_offset = match s.timezone.as_deref().map(str::trim) {
            None => false,
            Some(tz) if ["utc", "etc/utc", "gmt", "etc/gmt", "zulu"].contains(&tz.to_ascii_lowercase().as_str()) => true,
            Some(tz) => {
                return Err(format!(
                    "timezone = {tz}: migplan dates new revisions in UTC only; remove the setting, or write the revision with `alembic revision`"
                ));
            }
        };
        Ok(ScriptOptions {
            file_template: s.file_template.clone().unwrap_or_else(|| DEFAULT_FILE_TEMPLATE.to_string()),
            truncate_slug_length,
            utc_offset,
        })
    }

    /// `Create Date` for `date`.
    pub fn create_date(&self, date: &Timestamp) -> String {
        if self.utc_offset {
            format!("{}+00:00", date.python())
        } else {
            date.python()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(parents: &'a [String], message: Option<&'a str>) -> ScriptSpec<'a> {
        ScriptSpec {
            bodies: None,
            rev_id: "eee",
            parents,
            message,
            branch_label: None,
            depends_on: &[],
            create_date: "2026-01-05 10:30:00.000001",
        }
    }

    #[test]
    fn slugs_are_alembics() {
        assert_eq!(
            slug(Some("merge the two heads, please: now! and a long message to truncate"), 40),
            "merge_the_two_heads_please_now_and_a_"
        );
        assert_eq!(slug(None, 40), "");
        assert_eq!(slug(Some("Merge"), 40), "merge");
        assert_eq!(slug(Some("add a column"), 8), "add_a_");
    }

    #[test]
    fn default_template_renders_a_merge() {
        let parents = vec!["bbb".to_string(), "ccc".to_string()];
        let text = render_template(DEFAULT_TEMPLATE, &spec(&parents, None)).unwrap();
        assert!(text.starts_with("\"\"\"empty message\n\nRevision ID: eee\nRevises: bbb, ccc\nCreate Date: 2026-01-05"));
        assert!(text.contains("import sqlalchemy as sa\n\n\n# revision identifiers, used by Alembic.\n"));
        assert!(text.contains("down_revision: Union[str, Sequence[str], None] = ('bbb', 'ccc')\n"));
        assert!(text.contains("    \"\"\"Upgrade schema.\"\"\"\n    pass\n"));
        assert!(check_read_back("eee_.py", &text, &spec(&parents, None)).is_ok());
    }

    #[test]
    fn depends_on_prints_like_alembics_list() {
        let deps = vec!["a1".to_string(), "feat".to_string()];
        let s = ScriptSpec {
            depends_on: &deps,
            ..spec(&[], Some("x"))
        };
        let text = render_template(DEFAULT_TEMPLATE, &s).unwrap();
        assert!(text.contains("down_revision: Union[str, Sequence[str], None] = None\n"));
        assert!(text.contains("depends_on: Union[str, Sequence[str], None] = ['a1', 'feat']\n"));
        assert!(check_read_back("eee_x.py", &text, &s).is_ok());
    }

    #[test]
    fn a_template_without_branch_labels_is_refused() {
        let template = DEFAULT_TEMPLATE.replace("branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}\n", "");
        let s = ScriptSpec {
            branch_label: Some("feat"),
            ..spec(&[], None)
        };
        let text = render_template(&template, &s).unwrap();
        let err = check_read_back("eee_.py", &text, &s).unwrap_err();
        assert!(err.contains("specified branch_labels feat"), "{err}");
    }

    #[test]
    fn file_templates_format_like_python() {
        let t = Timestamp::from_unix(1_704_450_600, 0);
        assert_eq!(file_stem(DEFAULT_FILE_TEMPLATE, "ab12", "add_x", &t).unwrap(), "ab12_add_x");
        assert_eq!(
            file_stem(
                "%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s",
                "ab12",
                "s",
                &t
            )
            .unwrap(),
            "2024_01_05_1030-ab12_s"
        );
        assert_eq!(
            file_stem("%(year)d/%(month)02d/%(epoch)s_%(rev)5s|%(rev)-5s|", "ab", "s", &t).unwrap(),
            "2024/01/1704450600_   ab|ab   |"
        );
        assert_eq!(file_stem("100%%_%(rev)s", "ab", "s", &t).unwrap(), "100%_ab");
        assert!(file_stem("%(nope)s", "ab", "s", &t).unwrap_err().contains("unknown key `nope`"));
        assert!(file_stem("%(rev)d", "ab", "s", &t).is_err());
        assert!(file_stem("%s", "ab", "s", &t).is_err());
    }

    #[test]
    fn ids_and_mako() {
        assert!(verify_rev_id("ab12_x").is_ok());
        assert_eq!(
            verify_rev_id("a-b@c").unwrap_err(),
            "Character(s) '-, @' not allowed in revision identifier 'a-b@c'"
        );
        let parents = vec!["a".to_string()];
        let err = render_template("x\n% if message:\n", &spec(&parents, None)).unwrap_err();
        assert!(err.starts_with("line 2"), "{err}");
        assert!(render_template("${foo()}\n", &spec(&parents, None)).is_err());
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'\"b"), "'a\\'\"b'");
    }
}
