//! DAG folders: `{id}_{name}/up.sql`, `down.sql` and `metadata.yaml` with `name:` and
//! `parents: [ids]`: branches and merges are explicit, as large monorepos need. The
//! metadata is a small YAML subset (scalars, flow and block lists), read with positions so
//! every error names its line.

use super::{FolderFile, Layout, Migration, Section, VersionKey, split_name};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub struct Dag;

#[derive(Default)]
struct Metadata {
    name: Option<String>,
    parents: Vec<String>,
    transaction: Option<bool>,
    /// Lines that could not be read (`invalid-metadata`) and keys this layout does not
    /// model (`unknown-metadata-key`): each costs only its own line, never the parents.
    problems: Vec<(Code, String, Span)>,
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    let s = s.split(" #").next().unwrap_or(s).trim();
    if s.len() >= 2 && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\''))) {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

fn yaml_bool(value: &str) -> Option<bool> {
    match unquote(value).as_str() {
        "true" | "True" | "yes" => Some(true),
        "false" | "False" | "no" => Some(false),
        _ => None,
    }
}

fn read_metadata(f: &FolderFile) -> Metadata {
    let mut m = Metadata::default();
    let mut in_parents = false;
    // Inside a block (list or mapping) under a key we do not model: skipped with it.
    let mut in_unknown = false;
    for (at, line) in super::lines_with_offsets(f.text()) {
        let span = Span::new(at, at + line.len());
        let t = line.trim_end();
        if t.trim().is_empty() || t.trim_start().starts_with('#') || t.trim() == "---" {
            continue;
        }
        let indented = t.starts_with([' ', '\t', '-']);
        if in_parents && indented && t.trim_start().starts_with('-') {
            m.parents.push(unquote(&t.trim_start()[1..]));
            continue;
        }
        if in_unknown && indented {
            continue;
        }
        in_parents = false;
        in_unknown = false;
        let Some((key, value)) = t.split_once(':') else {
            m.problems
                .push((Code::InvalidMetadata, format!("expected `key: value`, found `{}`", t.trim()), span));
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "name" => m.name = Some(unquote(value)),
            "parents" => {
                if value.is_empty() {
                    in_parents = true;
                } else if let Some(inner) = value
                    .strip_prefix('[')
                    .and_then(|v| v.split(" #").next().map(str::trim))
                    .and_then(|v| v.strip_suffix(']'))
                {
                    m.parents.extend(inner.split(',').map(unquote).filter(|p| !p.is_empty()));
                } else if value == "null" || value == "~" {
                } else {
                    m.problems.push((
                        Code::InvalidMetadata,
                        "`parents` must be a list (`[a, b]` or `- a` lines)".into(),
                        span,
                    ));
                }
            }
            "transaction" => match yaml_bool(value) {
                Some(b) => m.transaction = Some(b),
                None => m
                    .problems
                    .push((Code::InvalidMetadata, "`transaction` must be true or false".into(), span)),
            },
            // The migration builds its indexes CONCURRENTLY, which cannot run in a
            // transaction: the tool runs it outside one.
            "createIndexConcurrently" => match yaml_bool(value) {
                Some(true) => m.transaction = Some(false),
                Some(false) => {}
                None => m.problems.push((
                    Code::InvalidMetadata,
                    "`createIndexConcurrently` must be true or false".into(),
                    span,
                )),
            },
            // Who may run it, and free text: nothing that changes the plan.
            "description" | "author" | "tags" | "privileged" => in_unknown = value.is_empty(),
            other => {
                in_unknown = value.is_empty();
                m.problems.push((
                    Code::UnknownMetadataKey,
                    format!("key `{other}` is not modelled by migplan; it is ignored"),
                    span,
                ));
            }
        }
    }
    m
}

/// A new migration folder, as migplan writes one (`merge`, `revision`).
pub struct NewFolder {
    /// `{id}_{slug}`, or `{id}` without a slug.
    pub name: String,
    pub metadata: String,
    pub up: String,
    pub down: String,
}

/// The folder of a new migration `id` named `name` following `parents`.
pub fn new_folder(id: &str, name: &str, slug: &str, parents: &[String], up: &str, down: &str) -> NewFolder {
    let parents: Vec<String> = parents.iter().map(|p| yaml_scalar(p)).collect();
    NewFolder {
        name: if slug.is_empty() { id.to_string() } else { format!("{id}_{slug}") },
        metadata: format!("name: {}\nparents: [{}]\n", yaml_scalar(name), parents.join(", ")),
        up: up.to_string(),
        down: down.to_string(),
    }
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

impl Layout for Dag {
    fn name(&self) -> &'static str {
        "dag"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        files.iter().any(|f| f.name() == "metadata.yaml" && f.text().contains("parents"))
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        let mut out = Vec::new();
        for dir in super::diesel::migration_dirs(files) {
            let get = |name: &str| files.iter().find(|f| f.dir() == dir && f.name() == name);
            let Some(up) = get("up.sql") else { continue };
            let (id, title) = split_name(dir);
            let meta = match get("metadata.yaml") {
                None => {
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidMetadata,
                            format!("{dir}/ has no metadata.yaml, so its parents are unknown"),
                        )
                        .at(&up.file.path, Span::empty(0))
                        .help("add metadata.yaml with `parents: []` (a base) or the ids it follows"),
                    );
                    Metadata::default()
                }
                Some(mf) => {
                    let mut m = read_metadata(mf);
                    for (code, msg, span) in std::mem::take(&mut m.problems) {
                        let help = if code == Code::UnknownMetadataKey {
                            "the tool that owns the folder may act on it (e.g. run the migration differently); review what it does by hand"
                        } else {
                            "metadata.yaml holds `name: <text>`, `parents: [<id>, ...]` and optionally `transaction: false`"
                        };
                        diags.push(
                            Diagnostic::new(code, format!("{}: {msg}", mf.file.path))
                                .at(&mf.file.path, span)
                                .help(help),
                        );
                    }
                    m
                }
            };
            out.push(Migration {
                version: id.to_string(),
                key: VersionKey::Parts(Vec::new()),
                title: meta.name.unwrap_or_else(|| title.to_string()),
                file: up.file,
                up: Some(Section::whole(up)),
                down: get("down.sql").map(Section::whole),
                parents: Some(meta.parents),
                transactional: meta.transaction.unwrap_or(true),
                repeatable: false,
                forward_only: false,
            });
        }
        out
    }
    fn no_transaction_hint(&self) -> &'static str {
        "add `transaction: false` to the migration's metadata.yaml"
    }
    fn version_key(&self, _version: &str) -> Option<super::VersionKey> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Severity;
    use crate::source::SourceFile;

    /// Version, parents and whether it runs in a transaction.
    type Read = (String, Option<Vec<String>>, bool);

    fn migrations(files: &[(&str, &str)]) -> (Vec<Read>, Vec<Diagnostic>) {
        let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(p.to_string(), t.to_string())).collect();
        let folder: Vec<FolderFile> = files
            .iter()
            .zip(&sources)
            .map(|((rel, _), file)| FolderFile {
                rel,
                file,
                too_large: false,
            })
            .collect();
        let mut diags = Vec::new();
        let out = Dag
            .read(&folder, &mut diags)
            .into_iter()
            .map(|m| (m.version, m.parents, m.transactional))
            .collect();
        (out, diags)
    }

    #[test]
    fn keys_beyond_name_and_parents_never_cost_the_parents() {
        let (got, diags) = migrations(&[
            ("1_init/up.sql", "CREATE TABLE t (id int);"),
            ("1_init/metadata.yaml", "name: init\nparents: []\n"),
            ("2_idx/up.sql", "CREATE INDEX CONCURRENTLY ix ON t (id);"),
            (
                "2_idx/metadata.yaml",
                "name: idx\nparents:\n  - 1\nprivileged: true\ncreateIndexConcurrently: true\nowner:\n  team: data\n  pager: x\nreviewed: yes\n",
            ),
        ]);
        assert_eq!(
            got,
            vec![
                ("1".to_string(), Some(vec![]), true),
                // CONCURRENTLY index builds run outside a transaction.
                ("2".to_string(), Some(vec!["1".to_string()]), false),
            ]
        );
        let codes: Vec<(&str, Severity)> = diags.iter().map(|d| (d.code.name(), d.severity)).collect();
        assert_eq!(
            codes,
            vec![
                ("unknown-metadata-key", Severity::Warning),
                ("unknown-metadata-key", Severity::Warning)
            ],
            "{diags:?}"
        );
        assert!(diags[0].message.contains("`owner`") && diags[1].message.contains("`reviewed`"));
    }

    #[test]
    fn a_bad_line_is_an_error_on_its_line_only() {
        let (got, diags) = migrations(&[
            ("1_a/up.sql", "SELECT 1;"),
            ("1_a/metadata.yaml", "name: a\nparents: []\n"),
            ("2_b/up.sql", "SELECT 1;"),
            ("2_b/metadata.yaml", "name: b\ntransaction: maybe\nparents: [1]\n"),
        ]);
        assert_eq!(got[1].1, Some(vec!["1".to_string()]));
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].code, diags[0].severity), (Code::InvalidMetadata, Severity::Error));
    }
}
