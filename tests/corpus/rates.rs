//! Each lint rule's firing rate on the corpus: its findings per revision over the projects of
//! the databases it applies to, and on how many of them it fires. The corpus projects are
//! real histories that run fine, so a rule that fires on a large share of their revisions is
//! not high-precision advice: it belongs to the strict preset.
//!
//! Shared by the corpus harness (which prints the table in results.md every run) and
//! tests/rules.rs (which keeps docs/rules.md's table and the rules' tiers in line with it).

use std::collections::BTreeMap;

use migplan::lint::{Tier, all_rules};

/// A default-tier rule must fire on fewer findings than this per revision of its databases.
#[allow(dead_code)] // tests/rules.rs only
pub const DEFAULT_MAX_RATE: f64 = 0.25;

/// What the rates need of one corpus project.
#[derive(Debug, Default)]
pub struct Project {
    pub dialect: String,
    pub revisions: usize,
    pub by_code: BTreeMap<String, usize>,
}

/// One rule's figures.
#[derive(Debug)]
pub struct Rate {
    pub code: &'static str,
    pub tier: Tier,
    /// The databases it applies to, as docs/rules.md says (`all`, `PostgreSQL, MySQL`…).
    pub databases: String,
    pub findings: usize,
    pub revisions: usize,
    pub fired_on: usize,
    pub projects: usize,
}

impl Rate {
    pub fn rate(&self) -> f64 {
        if self.revisions == 0 {
            0.0
        } else {
            self.findings as f64 / self.revisions as f64
        }
    }
}

/// The projects of results.md: its table's rows and its "Findings by code" section.
#[allow(dead_code)] // tests/rules.rs only: the harness has its rows
pub fn parse_results(md: &str) -> BTreeMap<String, Project> {
    let mut out: BTreeMap<String, Project> = BTreeMap::new();
    // The projects' table comes before the first section.
    for l in md.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
        if !l.starts_with("| ") || cells.len() < 5 || cells[0] == "project" || cells[0].starts_with("**") {
            continue;
        }
        // `12` or `12 (want 13)`: the revisions read.
        let Some(revisions) = cells[4].split_whitespace().next().and_then(|n| n.parse().ok()) else {
            continue;
        };
        out.insert(
            cells[0].to_string(),
            Project {
                dialect: cells[2].to_string(),
                revisions,
                by_code: BTreeMap::new(),
            },
        );
    }
    let section = md.split("\n## Findings by code\n").nth(1).unwrap_or("");
    let section = section.split("\n## ").next().unwrap_or("");
    for l in section.lines() {
        let Some((name, codes)) = l.strip_prefix("- ").and_then(|l| l.split_once(": ")) else {
            continue;
        };
        let Some(p) = out.get_mut(name) else { continue };
        for part in codes.split(", ").filter(|c| *c != "none") {
            if let Some((code, n)) = part.rsplit_once(' ')
                && let Ok(n) = n.parse()
            {
                p.by_code.insert(code.to_string(), n);
            }
        }
    }
    out
}

/// The `Databases:` of a rule's section in docs/rules.md, up to the end of its paragraph.
pub fn databases(doc: &str, code: &str) -> String {
    let Some(at) = doc.find(&format!("## `{code}`")) else {
        return String::new();
    };
    let section = &doc[at..];
    let para = section.split("\n\n").nth(1).unwrap_or("");
    let text = para.split_once("Databases:").map_or("", |(_, d)| d);
    let text = text.split(". ").next().unwrap_or("");
    if text.trim_start().starts_with("all") {
        return "all".into();
    }
    let named: Vec<&str> = ["PostgreSQL", "MySQL", "SQLite"].into_iter().filter(|n| text.contains(n)).collect();
    named.join(", ")
}

/// Whether a corpus project's dialect is among the databases docs/rules.md names.
fn applies(databases: &str, dialect: &str) -> bool {
    databases == "all"
        || match dialect {
            "postgresql" => databases.contains("PostgreSQL"),
            "mysql" | "mariadb" => databases.contains("MySQL"),
            "sqlite" => databases.contains("SQLite"),
            _ => false,
        }
}

/// Every lint rule's rate, in documentation order.
pub fn rates(projects: &BTreeMap<String, Project>, doc: &str) -> Vec<Rate> {
    all_rules()
        .iter()
        .map(|r| {
            let code = r.code().name();
            let databases = databases(doc, code);
            let mine: Vec<&Project> = projects.values().filter(|p| applies(&databases, &p.dialect)).collect();
            let count = |p: &Project| p.by_code.get(code).copied().unwrap_or(0);
            Rate {
                code,
                tier: r.tier(),
                findings: mine.iter().map(|p| count(p)).sum(),
                revisions: mine.iter().map(|p| p.revisions).sum(),
                fired_on: mine.iter().filter(|p| count(p) > 0).count(),
                projects: mine.len(),
                databases,
            }
        })
        .collect()
}

/// The markdown table of the rates.
pub fn render(rates: &[Rate]) -> String {
    let mut out =
        String::from("| rule | tier | databases | findings / revisions | rate | projects fired on |\n|---|---|---|--:|--:|--:|\n");
    for r in rates {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} / {} | {:.1}% | {} / {} |\n",
            r.code,
            r.tier.as_str(),
            r.databases,
            r.findings,
            r.revisions,
            r.rate() * 100.0,
            r.fired_on,
            r.projects
        ));
    }
    out
}
