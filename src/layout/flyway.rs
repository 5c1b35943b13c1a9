//! Flyway: `V{version}__{description}.sql` versioned migrations (`1.2.3` or `1_2_3`,
//! ordered numerically), `U{version}__…` undo migrations, `R__{description}.sql`
//! repeatables, in any sub-folder of any location. A `{script}.conf` next to a script may
//! set `executeInTransaction=false`. `${placeholders}` are reported, never guessed.

use super::{FolderFile, Layout, Migration, Section, parse_dotted_version, unrecognized};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

pub struct Flyway;

enum Kind {
    Versioned,
    Undo,
    Repeatable,
}

/// (kind, version, description) of a Flyway script name.
fn parse_name(name: &str) -> Option<(Kind, &str, &str)> {
    let stem = name.strip_suffix(".sql")?;
    let (kind, rest) = match stem.as_bytes().first()? {
        b'V' => (Kind::Versioned, &stem[1..]),
        b'U' => (Kind::Undo, &stem[1..]),
        b'R' => (Kind::Repeatable, &stem[1..]),
        _ => return None,
    };
    let (version, desc) = rest.split_once("__")?;
    Some((kind, version, desc))
}

fn report_placeholders(f: &FolderFile, diags: &mut Vec<Diagnostic>) {
    let text = f.text();
    let mut seen: Vec<&str> = Vec::new();
    let mut from = 0;
    while let Some(p) = text[from..].find("${") {
        let at = from + p;
        let Some(len) = text[at..].find('}') else { break };
        let name = &text[at + 2..at + len];
        from = at + len + 1;
        if name.is_empty() || name.contains('\n') || seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let builtin = name.starts_with("flyway:");
        diags.push(
            Diagnostic::new(
                Code::UnresolvedPlaceholder,
                format!("{} uses the placeholder ${{{name}}}; the plan shows it unreplaced", f.file.path),
            )
            .at(&f.file.path, Span::new(at, at + len + 1))
            .help(if builtin {
                "a built-in Flyway placeholder, known only when Flyway runs".to_string()
            } else {
                format!("its value comes from `flyway.placeholders.{name}` in the configuration of each environment")
            }),
        );
    }
}

impl Layout for Flyway {
    fn name(&self) -> &'static str {
        "flyway"
    }
    fn detect(&self, files: &[FolderFile]) -> bool {
        files
            .iter()
            .any(|f| matches!(parse_name(f.name()), Some((Kind::Versioned | Kind::Repeatable, _, _))))
    }
    fn read<'a>(&self, files: &[FolderFile<'a>], diags: &mut Vec<Diagnostic>) -> Vec<Migration<'a>> {
        let mut out: Vec<Migration<'a>> = Vec::new();
        let mut undos = Vec::new();
        let conf = |f: &FolderFile| -> bool {
            let conf_name = format!("{}.conf", f.rel);
            !files.iter().any(|c| {
                c.rel == conf_name
                    && c.text()
                        .lines()
                        .any(|l| l.replace(' ', "").eq_ignore_ascii_case("executeInTransaction=false"))
            })
        };
        for f in files.iter().filter(|f| f.rel.ends_with(".sql")) {
            let Some((kind, version, desc)) = parse_name(f.name()) else {
                diags.push(unrecognized(
                    f,
                    "flyway",
                    "V{version}__{description}.sql, U{version}__{description}.sql or R__{description}.sql",
                ));
                continue;
            };
            report_placeholders(f, diags);
            if let Kind::Repeatable = kind {
                if !version.is_empty() {
                    diags.push(unrecognized(f, "flyway", "R__{description}.sql (repeatables have no version)"));
                    continue;
                }
                out.push(Migration {
                    version: String::new(),
                    key: super::VersionKey::Parts(Vec::new()),
                    title: desc.to_string(),
                    file: f.file,
                    up: Some(Section::whole(f)),
                    down: None,
                    parents: None,
                    transactional: conf(f),
                    repeatable: true,
                    forward_only: true,
                });
                continue;
            }
            let key = match parse_dotted_version(version) {
                Ok(k) => k,
                Err(why) => {
                    diags.push(super::bad_version(f, version, &why));
                    continue;
                }
            };
            let id = version.replace('_', ".");
            match kind {
                Kind::Undo => undos.push((key, *f, id)),
                _ => out.push(Migration {
                    version: id,
                    key,
                    title: desc.to_string(),
                    file: f.file,
                    up: Some(Section::whole(f)),
                    down: None,
                    parents: None,
                    transactional: conf(f),
                    repeatable: false,
                    forward_only: true,
                }),
            }
        }
        let any_undo = !undos.is_empty();
        for (key, f, id) in undos {
            match out.iter_mut().find(|m| !m.repeatable && m.key == key && m.down.is_none()) {
                Some(m) => m.down = Some(Section::whole(&f)),
                None => diags.push(super::orphan_down(&f, &id)),
            }
        }
        if any_undo {
            // A folder that writes undo scripts means every migration should have one.
            for m in out.iter_mut() {
                m.forward_only = false;
            }
        }
        out
    }
    /// Flyway's parser marks statements PostgreSQL cannot run in a transaction and runs
    /// such migrations outside one; `flyway.mixed` / `mixed = true` allows them beside others.
    fn detects_non_transactional(&self, files: &[FolderFile]) -> Option<bool> {
        let mixed = files.iter().filter(|f| matches!(f.name(), "flyway.conf" | "flyway.toml")).any(|f| {
            f.text().lines().any(|l| {
                let l = l.replace(' ', "").to_ascii_lowercase();
                l == "flyway.mixed=true" || l == "mixed=true"
            })
        });
        Some(mixed)
    }
    fn no_transaction_hint(&self) -> &'static str {
        "add a script configuration file `<script>.sql.conf` with `executeInTransaction=false`"
    }
    fn version_key(&self, version: &str) -> Option<super::VersionKey> {
        parse_dotted_version(version).ok()
    }
}
