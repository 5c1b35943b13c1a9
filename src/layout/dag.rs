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

fn read_metadata(f: &FolderFile) -> Result<Metadata, (String, Span)> {
    let mut m = Metadata::default();
    let mut in_parents = false;
    for (at, line) in super::lines_with_offsets(f.text()) {
        let span = Span::new(at, at + line.len());
        let t = line.trim_end();
        if t.trim().is_empty() || t.trim_start().starts_with('#') || t.trim() == "---" {
            continue;
        }
        if in_parents && t.starts_with([' ', '\t', '-']) && t.trim_start().starts_with('-') {
            m.parents.push(unquote(&t.trim_start()[1..]));
            continue;
        }
        in_parents = false;
        let Some((key, value)) = t.split_once(':') else {
            return Err((format!("expected `key: value`, found `{}`", t.trim()), span));
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
                    return Err(("`parents` must be a list (`[a, b]` or `- a` lines)".into(), span));
                }
            }
            "transaction" => match value {
                "true" => m.transaction = Some(true),
                "false" => m.transaction = Some(false),
                _ => return Err(("`transaction` must be true or false".into(), span)),
            },
            "description" | "author" | "tags" => {}
            other => return Err((format!("unknown key `{other}`"), span)),
        }
    }
    Ok(m)
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
                Some(mf) => match read_metadata(mf) {
                    Ok(m) => m,
                    Err((msg, span)) => {
                        diags.push(
                            Diagnostic::new(Code::InvalidMetadata, format!("{}: {msg}", mf.file.path))
                                .at(&mf.file.path, span)
                                .help("metadata.yaml holds `name: <text>`, `parents: [<id>, ...]` and optionally `transaction: false`"),
                        );
                        Metadata::default()
                    }
                },
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
