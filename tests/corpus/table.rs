//! One row per project, rendered as the markdown table of `tests/corpus/results.md`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::manifest::Project;

/// What `check --models` found on a project.
#[derive(Clone, Debug)]
pub enum Models {
    Compared { drift: usize, unknown: usize, other: usize },
    NotCompared(String),
}

#[derive(Debug, Default)]
pub struct Row {
    pub name: String,
    pub source: String,
    pub dialect: String,
    pub layout: String,
    pub load_error: Option<String>,
    pub revisions: usize,
    pub expected_revisions: usize,
    pub heads: usize,
    pub expected_heads: usize,
    /// Findings by severity.
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Error findings that are neither advice (lint rules) nor shown true in the manifest.
    pub false_errors: usize,
    pub by_code: BTreeMap<String, usize>,
    /// Where each false error is (`code file:line`), for the table's second part.
    pub false_list: Vec<String>,
    pub sql_parse_errors: usize,
    /// `upgrade head --sql` rendered (single-head projects only).
    pub plan: Option<bool>,
    /// Revisions whose offline SQL equals Alembic's, of those Alembic renders alone.
    pub alembic_identical: Option<(usize, usize)>,
    /// Revisions whose offline SQL differs from Alembic's, with why.
    pub alembic_differs: Vec<String>,
    /// Applied revisions whose live schema equals the simulated one.
    pub live_agree: Option<(usize, usize)>,
    pub live_note: Option<String>,
    /// `migplan` with no `-c`/`-d` at the package's top found this project (`Err`: what it
    /// found instead).
    pub found_from_top: Option<Result<(), String>>,
    /// Lines `check` prints (text): with nothing deployed, with a baseline at the heads, and
    /// with one at the first head's parent (the last revision new).
    pub check_lines: Option<(usize, usize, usize)>,
    /// Lines of the markdown PR comment before its SQL, for a PR adding the newest revision.
    pub pr_lines: Option<usize>,
    /// `check --models` (Alembic projects).
    pub models: Option<Models>,
    pub millis: u64,
}

/// The codes of lint rules: advice (docs/rules.md), not claims that a history is broken.
fn is_lint(code: &str) -> bool {
    migplan::lint::rules::ALL.iter().any(|r| r.code().name() == code)
}

impl Row {
    pub fn new(p: &Project) -> Self {
        Row {
            name: p.name.clone(),
            source: format!("{} {}=={}", p.registry, p.package, p.version),
            dialect: p.dialect.clone(),
            expected_heads: p.heads,
            expected_revisions: p.revisions,
            ..Default::default()
        }
    }

    /// Reads `check --format json`.
    pub fn read_check(&mut self, json: &Value, p: &Project) {
        self.layout = json["layout"].as_str().unwrap_or("none").to_string();
        self.revisions = json["revisions"].as_u64().unwrap_or(0) as usize;
        self.heads = json["heads"].as_array().map_or(0, Vec::len);
        for d in json["diagnostics"].as_array().into_iter().flatten() {
            let code = d["code"].as_str().unwrap_or("?").to_string();
            let file = d["file"].as_str().unwrap_or("");
            match d["severity"].as_str() {
                Some("error") => {
                    self.errors += 1;
                    let shown_true = p.true_errors.iter().any(|t| t.code == code && file.ends_with(&t.file));
                    if !is_lint(&code) && !shown_true {
                        self.false_errors += 1;
                        let line = d["line"].as_u64().map(|l| format!(":{l}")).unwrap_or_default();
                        let file = file.rsplit('/').next().unwrap_or(file);
                        self.false_list.push(format!("{code} {file}{line}"));
                    }
                }
                Some("warning") => self.warnings += 1,
                _ => self.infos += 1,
            }
            if code == "sql-parse-error" {
                self.sql_parse_errors += 1;
            }
        }
    }

    /// Reads `check --preset strict --format json`: the findings of every code, strict
    /// rules included, so each rule's corpus rate stays measurable.
    pub fn read_codes(&mut self, json: &Value) {
        for d in json["diagnostics"].as_array().into_iter().flatten() {
            let code = d["code"].as_str().unwrap_or("?").to_string();
            *self.by_code.entry(code).or_default() += 1;
        }
    }

    /// What the rule rates need of the row.
    fn rates_project(&self) -> crate::rates::Project {
        crate::rates::Project {
            dialect: self.dialect.clone(),
            revisions: self.revisions,
            by_code: self.by_code.clone(),
        }
    }
}

fn ratio(r: Option<(usize, usize)>) -> String {
    match r {
        Some((a, b)) => format!("{a}/{b}"),
        None => "–".into(),
    }
}

pub const HEADER: &str = "| project | source | dialect | layout | revisions | heads | errors | warnings | infos | false errors | sql-parse-error | plan | Alembic-identical SQL | live schema agrees | ms |";

/// The table; `rules_doc` is docs/rules.md (the databases each rule applies to).
pub fn render(rows: &[Row], rules_doc: &str) -> String {
    let mut out = String::new();
    out.push_str("# Corpus results\n\n");
    out.push_str("Written by `scripts/corpus --bless` from `tests/corpus/manifest.toml`; review changes by eye.\n");
    out.push_str("`false errors`: error findings that are neither lint advice (docs/rules.md) nor shown true in the manifest.\n");
    out.push_str("`Alembic-identical SQL`: revisions whose `upgrade --sql` equals the real Alembic's, of those Alembic renders alone.\n");
    out.push_str("`live schema agrees`: revisions after which the live database equals the simulated schema, of those applied.\n");
    out.push_str("`ms`: wall time of `check` (release build when run by scripts/corpus); not compared.\n");
    out.push_str("The severity columns count what `check` reports (the default preset); findings by code and the rule rates come from `check --preset strict`, so every rule is measured.\n\n");
    out.push_str(HEADER);
    out.push('\n');
    out.push_str("|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|\n");
    let mut total = Row {
        name: "**total**".into(),
        ..Default::default()
    };
    let (mut ai, mut at, mut li, mut lt, mut plans, mut planned) = (0, 0, 0, 0, 0, 0);
    for r in rows {
        let revisions = if r.revisions == r.expected_revisions {
            r.revisions.to_string()
        } else {
            format!("{} (want {})", r.revisions, r.expected_revisions)
        };
        let heads = if r.heads == r.expected_heads {
            r.heads.to_string()
        } else {
            format!("{} (want {})", r.heads, r.expected_heads)
        };
        let plan = match (r.load_error.as_ref(), r.plan) {
            (Some(_), _) => "load failed".to_string(),
            (None, Some(true)) => "yes".into(),
            (None, Some(false)) => "**no**".into(),
            (None, None) => "–".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.name,
            r.source,
            r.dialect,
            r.layout,
            revisions,
            heads,
            r.errors,
            r.warnings,
            r.infos,
            r.false_errors,
            r.sql_parse_errors,
            plan,
            ratio(r.alembic_identical),
            ratio(r.live_agree),
            r.millis
        ));
        total.revisions += r.revisions;
        total.errors += r.errors;
        total.warnings += r.warnings;
        total.infos += r.infos;
        total.false_errors += r.false_errors;
        total.sql_parse_errors += r.sql_parse_errors;
        total.millis += r.millis;
        if let Some((a, b)) = r.alembic_identical {
            ai += a;
            at += b;
        }
        if let Some((a, b)) = r.live_agree {
            li += a;
            lt += b;
        }
        if let Some(p) = r.plan {
            planned += 1;
            plans += usize::from(p);
        }
    }
    out.push_str(&format!(
        "| {} | {} projects | | | {} | | {} | {} | {} | {} | {} | {plans}/{planned} | {ai}/{at} | {li}/{lt} | {} |\n",
        total.name,
        rows.len(),
        total.revisions,
        total.errors,
        total.warnings,
        total.infos,
        total.false_errors,
        total.sql_parse_errors,
        total.millis
    ));
    let failed: Vec<&Row> = rows.iter().filter(|r| r.load_error.is_some()).collect();
    if !failed.is_empty() {
        out.push_str("\n## Not loaded\n\n");
        for r in failed {
            out.push_str(&format!("- {}: {}\n", r.name, r.load_error.as_deref().unwrap_or("")));
        }
    }
    let tops: Vec<&Row> = rows.iter().filter(|r| r.found_from_top.is_some()).collect();
    let found = tops.iter().filter(|r| matches!(r.found_from_top, Some(Ok(())))).count();
    out.push_str(&format!(
        "\n## Found from the package's top\n\n`migplan heads` with no `-c`/`-d` at the top of the unpacked package finds the project: {found}/{}\n",
        tops.len()
    ));
    for r in &tops {
        if let Some(Err(why)) = &r.found_from_top {
            out.push_str(&format!("- {}: {why}\n", r.name));
        }
    }
    let lines: Vec<(&Row, (usize, usize, usize))> = rows.iter().filter_map(|r| r.check_lines.map(|l| (r, l))).collect();
    if !lines.is_empty() {
        let max = |f: fn(&(usize, usize, usize)) -> usize| lines.iter().map(|(_, l)| f(l)).max().unwrap_or(0);
        out.push_str(&format!(
            "\n## Lines of `check`\n\nText output of `check` (stderr lines): nothing deployed / baseline at the heads (`--since heads`) / baseline before the last revision. Most: {} / {} / {}.\n\n",
            max(|l| l.0),
            max(|l| l.1),
            max(|l| l.2)
        ));
        let pr: Vec<usize> = rows.iter().filter_map(|r| r.pr_lines).collect();
        out.push_str(&format!(
            "The markdown PR comment of a PR adding the newest revision (`check --format markdown --base-dir` a copy without it), lines before its SQL `<details>`: at most {} (goal: 40), measured on {}/{} projects.\n\n",
            pr.iter().max().copied().unwrap_or(0),
            pr.len(),
            rows.len()
        ));
        for (r, (none, at_head, before_last)) in &lines {
            let pr = r.pr_lines.map_or("–".to_string(), |n| n.to_string());
            out.push_str(&format!("- {}: {none} / {at_head} / {before_last}; PR comment {pr}\n", r.name));
        }
    }
    let modelled: Vec<(&Row, &Models)> = rows.iter().filter_map(|r| r.models.as_ref().map(|m| (r, m))).collect();
    if !modelled.is_empty() {
        let compared: Vec<(usize, usize, usize)> = modelled
            .iter()
            .filter_map(|(_, m)| match m {
                Models::Compared { drift, unknown, other } => Some((*drift, *unknown, *other)),
                Models::NotCompared(_) => None,
            })
            .collect();
        out.push_str(&format!(
            "\n## Models (`check --models`)\n\nThe models each Alembic project ships, compared statically with its migrations (autogenerate without Python): {} of {} compared, {} `models-drift` findings in all, {} tables or models left out as unknown. A released package's models and migrations should agree: every drift is a migplan gap or recorded here with evidence.\n\n",
            compared.len(),
            modelled.len(),
            compared.iter().map(|c| c.0).sum::<usize>(),
            compared.iter().map(|c| c.1).sum::<usize>()
        ));
        for (r, m) in &modelled {
            let text = match m {
                Models::Compared { drift, unknown, other } => {
                    format!("compared: {drift} drift, {unknown} unknown, {other} other model findings")
                }
                Models::NotCompared(why) => format!("not compared: {why}"),
            };
            out.push_str(&format!("- {}: {text}\n", r.name));
        }
    }
    out.push_str("\n## Findings by code\n\n");
    for r in rows {
        let codes: Vec<String> = r.by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
        out.push_str(&format!(
            "- {}: {}\n",
            r.name,
            if codes.is_empty() { "none".into() } else { codes.join(", ") }
        ));
    }
    // docs/rules.md's table of tiers is checked against this one (tests/rules.rs).
    out.push_str("\n## Lint rules by rate\n\n");
    out.push_str("Findings per revision over the projects of each rule's databases (docs/rules.md, Presets).\n\n");
    let projects = rows.iter().map(|r| (r.name.clone(), r.rates_project())).collect();
    out.push_str(&crate::rates::render(&crate::rates::rates(&projects, rules_doc)));
    let falses: Vec<&Row> = rows.iter().filter(|r| !r.false_list.is_empty()).collect();
    if !falses.is_empty() {
        out.push_str("\n## False errors\n\n");
        for r in falses {
            out.push_str(&format!("- {}: {}\n", r.name, r.false_list.join("; ")));
        }
    }
    let differs: Vec<&Row> = rows.iter().filter(|r| !r.alembic_differs.is_empty()).collect();
    if !differs.is_empty() {
        out.push_str("\n## Offline SQL that differs from Alembic\n\n");
        out.push_str("Each revision rendered alone; see tests/oracle/DIVERGENCES.md for the classes.\n\n");
        for r in differs {
            for d in &r.alembic_differs {
                out.push_str(&format!("- {}: {d}\n", r.name));
            }
        }
    }
    let notes: Vec<&Row> = rows.iter().filter(|r| r.live_note.is_some()).collect();
    if !notes.is_empty() {
        out.push_str("\n## Live schema notes\n\n");
        for r in notes {
            out.push_str(&format!("- {}: {}\n", r.name, r.live_note.as_deref().unwrap_or("")));
        }
    }
    out
}

/// The table with its last column (times) blanked, for comparing runs. Only the first
/// table has times; the sections after it are kept as they are.
pub fn without_times(text: &str) -> String {
    let mut in_main = true;
    text.lines()
        .map(|l| {
            in_main &= !l.starts_with("## ");
            if in_main && l.starts_with("| ") && l.ends_with(" |") && !l.starts_with(HEADER) {
                match l.trim_end_matches(" |").rsplit_once(" | ") {
                    Some((head, _)) => format!("{head} | |"),
                    None => l.to_string(),
                }
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lines only in `want` (-) and only in `got` (+).
pub fn diff(want: &str, got: &str) -> Vec<String> {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let mut out: Vec<String> = w.iter().filter(|l| !g.contains(l)).map(|l| format!("- {l}")).collect();
    out.extend(g.iter().filter(|l| !w.contains(l)).map(|l| format!("+ {l}")));
    out
}
