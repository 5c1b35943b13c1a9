//! HTML and SVG views of an analysis: the revision graph (drawn from [`graph_layout`]) and
//! the static PR report. The web page inserts the same SVG, so both show one picture.
//!
//! Everything from a migration is untrusted (a PR from a fork can put anything in a message,
//! an id, a file name or SQL): every piece of text goes through [`escape`], and JSON embedded
//! in the page has `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::analysis::Analysis;
use crate::codes::Severity;
use crate::diagnostic::{Diagnostic, LocatedDiagnostic};
use crate::render::graph_layout::GraphLayout;

/// Drawing constants, shared with www/ (which reads them from the SVG's data attributes).
pub const ROW: usize = 28;
pub const LANE: usize = 18;
const PAD: usize = 14;

/// HTML-escape text for element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside `<script type="application/json">`.
pub fn json_for_html(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The worst severity of the findings about each revision (by file).
pub fn worst_by_revision(a: &Analysis, diags: &[Diagnostic]) -> BTreeMap<String, Severity> {
    let mut by_file: BTreeMap<&str, Severity> = BTreeMap::new();
    for d in diags {
        if let Some(f) = &d.file {
            let e = by_file.entry(f.as_str()).or_insert(d.severity);
            *e = (*e).max(d.severity);
        }
    }
    let mut out = BTreeMap::new();
    for i in 0..a.map.len() {
        let rev = a.revision(i);
        let mut worst = by_file.get(rev.path.as_str()).copied();
        if let Some(src) = &rev.sql
            && let Some(down) = &src.down_path
            && let Some(s) = by_file.get(down.as_str())
        {
            worst = Some(worst.map_or(*s, |w| w.max(*s)));
        }
        if let Some(w) = worst {
            out.insert(a.map.id(i).to_string(), w);
        }
    }
    out
}

/// The revision graph as one SVG: lanes, edges, nodes (classed by worst finding, `new` for
/// revisions a PR adds, `head` / `base`), and a label per row. Nodes carry `data-rev`.
pub fn graph_svg(a: &Analysis, layout: &GraphLayout, worst: &BTreeMap<String, Severity>, new: &[String]) -> String {
    let x = |lane: usize| PAD + lane * LANE;
    let y = |row: usize| PAD + row * ROW;
    let label_x = x(layout.lanes) + 8;
    let width = label_x + 900;
    let height = y(layout.nodes.len()) + PAD;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{width}" height="{height}" viewBox="0 0 {width} {height}" data-row="{ROW}" data-lane="{LANE}" data-pad="{PAD}" role="img" aria-label="revision graph, {} revisions">"#,
        layout.nodes.len()
    );
    s.push_str(r#"<g class="edges">"#);
    for e in &layout.edges {
        let (x1, y1) = (x(e.from_lane), y(e.from_row));
        let (xv, x2, y2) = (x(e.via_lane), x(e.to_lane), y(e.to_row));
        let half = ROW / 2;
        let d = if e.to_row == e.from_row + 1 && xv == x2 {
            format!("M{x1} {y1} C{x1} {} {x2} {} {x2} {y2}", y1 + half, y2.saturating_sub(half))
        } else {
            // An edge can point up (a cycle): no coordinate below 0, and no overflow.
            format!(
                "M{x1} {y1} C{x1} {} {xv} {} {xv} {} L{xv} {} C{xv} {} {x2} {} {x2} {y2}",
                y1 + half,
                y1 + half,
                y1 + ROW,
                y2.saturating_sub(ROW),
                y2.saturating_sub(half),
                y2.saturating_sub(half)
            )
        };
        let _ = write!(
            s,
            r#"<path class="edge lane{}{}" d="{d}"/>"#,
            e.via_lane % 8,
            if e.dependency { " dep" } else { "" }
        );
    }
    s.push_str("</g><g class=\"nodes\">");
    for n in &layout.nodes {
        let idx = a.map.by_id.get(&n.revision).copied();
        let node = idx.map(|i| a.map.node(i));
        let rev = idx.map(|i| a.revision(i));
        let mut class = String::from("node");
        if let Some(w) = worst.get(&n.revision) {
            class.push(' ');
            class.push_str(w.as_str());
        }
        if new.contains(&n.revision) {
            class.push_str(" new");
        }
        if node.is_some_and(|n| n.is_head()) {
            class.push_str(" head");
        }
        if node.is_some_and(|n| n.is_base()) {
            class.push_str(" base");
        }
        if node.is_some_and(|n| n.is_merge_point()) {
            class.push_str(" merge");
        }
        let (cx, cy) = (x(n.lane), y(n.row));
        let id = escape(&n.revision);
        let msg = escape(rev.map_or("", |r| r.message()));
        let _ = write!(
            s,
            r#"<g class="{class}" data-rev="{id}" tabindex="0" role="button" aria-label="revision {id}: {msg}"><rect class="hit" x="0" y="{}" width="{width}" height="{ROW}"/><circle cx="{cx}" cy="{cy}" r="5"/><text x="{label_x}" y="{}"><tspan class="id">{id}</tspan> <tspan class="msg">{msg}</tspan>{}</text></g>"#,
            cy - ROW / 2,
            cy + 4,
            match node {
                Some(n) if n.is_head() => r#" <tspan class="tag">head</tspan>"#,
                Some(n) if n.is_base() => r#" <tspan class="tag">base</tspan>"#,
                _ => "",
            }
        );
    }
    s.push_str("</g></svg>");
    s
}

pub use crate::pr::PrChanges;

/// Inputs of the static report.
pub struct Report<'a> {
    pub title: &'a str,
    pub analysis: &'a Analysis,
    pub diagnostics: Vec<LocatedDiagnostic>,
    pub layout: GraphLayout,
    pub worst: BTreeMap<String, Severity>,
    pub changes: Option<&'a PrChanges>,
    /// The dry-run SQL of the plan shown, with what it covers (`upgrade a -> heads`).
    pub plan: Option<(String, String)>,
    /// Source lines for snippets: file → text.
    pub texts: &'a BTreeMap<String, String>,
    /// Findings about deployed revisions that are only counted, and which those are.
    pub hidden: Vec<crate::deployed::Hidden>,
    pub whose: String,
}

impl<'a> Report<'a> {
    /// Everything the report shows of `analysis`: findings located in `texts`, the graph
    /// laid out in history order, the worst finding per revision.
    pub fn new(
        title: &'a str,
        analysis: &'a Analysis,
        texts: &'a BTreeMap<String, String>,
        changes: Option<&'a PrChanges>,
        plan: Option<(String, String)>,
    ) -> Self {
        let order = analysis
            .map
            .walk_revisions("base", "heads")
            .unwrap_or_else(|_| (0..analysis.map.len()).collect());
        Report {
            title,
            analysis,
            diagnostics: crate::render::diagnostics::locate_all(&analysis.diagnostics, texts),
            layout: crate::render::graph_layout::layout(&analysis.map, &order),
            worst: worst_by_revision(analysis, &analysis.diagnostics),
            changes,
            plan,
            texts,
            hidden: Vec::new(),
            whose: String::new(),
        }
    }
}

pub const CSS: &str = r#"
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--error:#cf222e;--warning:#9a6700;--info:#0969da;--new:#8250df}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;--error:#ff7b72;--warning:#d29922;--info:#58a6ff;--new:#bc8cff}}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.muted{color:var(--muted)}.counts span{display:inline-block;margin-right:14px}
.error{color:var(--error)}.warning{color:var(--warning)}.info{color:var(--info)}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:8px 0}
.finding .code{font-family:ui-monospace,monospace;font-weight:600}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px;overflow:auto;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace}
code{font-family:ui-monospace,monospace}
.graphbox{overflow:auto;max-height:70vh;border:1px solid var(--line);border-radius:6px}
svg.graph text{font:12px ui-monospace,monospace;fill:var(--fg)}svg.graph .msg{fill:var(--muted);font-family:system-ui,sans-serif}
svg.graph .tag{fill:var(--info);font-size:10px}svg.graph .hit{fill:transparent}
svg.graph .edge{fill:none;stroke-width:2;stroke:var(--muted)}svg.graph .edge.dep{stroke-dasharray:4 3}
svg.graph .lane0{stroke:#0969da}svg.graph .lane1{stroke:#1a7f37}svg.graph .lane2{stroke:#bf8700}svg.graph .lane3{stroke:#8250df}
svg.graph .lane4{stroke:#cf222e}svg.graph .lane5{stroke:#1b7c83}svg.graph .lane6{stroke:#bc4c00}svg.graph .lane7{stroke:#6e7781}
svg.graph circle{fill:var(--bg);stroke:var(--fg);stroke-width:2}
svg.graph .error circle{fill:var(--error);stroke:var(--error)}svg.graph .warning circle{fill:var(--warning);stroke:var(--warning)}
svg.graph .info circle{stroke:var(--info)}svg.graph .new circle{stroke:var(--new);stroke-width:4}
svg.graph .new .id{fill:var(--new);font-weight:700}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
"#;

fn snippet(texts: &BTreeMap<String, String>, d: &LocatedDiagnostic) -> Option<String> {
    let text = texts.get(d.file.as_ref()?)?;
    let line = d.line?;
    let src = text.lines().nth(line.checked_sub(1)?)?;
    Some(format!("{line:>5} | {src}"))
}

/// The self-contained report: inline CSS and SVG, no script, no network request.
pub fn report_html(r: &Report) -> String {
    let a = r.analysis;
    let count = |s: &str| r.diagnostics.iter().filter(|d| d.severity.as_str() == s).count();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>{}</title><style>{CSS}</style></head><body><main>\n",
        escape(r.title)
    );
    let heads: Vec<&str> = a.map.heads.iter().map(|&i| a.map.id(i)).collect();
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"muted\">{} · {} revision(s) · head(s): <code>{}</code></p>\n<p class=\"counts\"><span class=\"error\">{} error(s)</span><span class=\"warning\">{} warning(s)</span><span class=\"info\">{} note(s)</span></p>\n",
        escape(r.title),
        escape(a.layout.unwrap_or("unknown layout")),
        a.map.len(),
        escape(&heads.join(", ")),
        count("error"),
        count("warning"),
        count("info")
    );
    if let Some(c) = r.changes {
        let _ = write!(h, "<h2>What this change adds (against <code>{}</code>)</h2>", escape(&c.base));
        if c.new_revisions.is_empty() {
            h.push_str("<p class=\"muted\">No new revisions.</p>");
        } else {
            h.push_str("<ul>");
            for id in &c.new_revisions {
                let msg = a.map.by_id.get(id).map(|&i| a.revision(i).message()).unwrap_or("");
                let _ = write!(h, "<li><code>{}</code> {}</li>", escape(id), escape(msg));
            }
            h.push_str("</ul>");
        }
        for fork in &c.forks {
            let parent = &fork.parent;
            let kids: Vec<String> = fork.children.iter().map(|k| format!("<code>{}</code>", escape(k))).collect();
            let _ = write!(
                h,
                "<div class=\"card error\"><strong>Fork:</strong> {} all revise <code>{}</code>. After merging, <code>upgrade head</code> fails with multiple heads: add a merge revision (<code>alembic merge heads</code>) or re-point the new revision's <code>down_revision</code> to the base's head.</div>",
                kids.join(" and "),
                escape(parent)
            );
        }
    }
    h.push_str("<h2>Revision graph</h2><div class=\"graphbox\">");
    h.push_str(&graph_svg(
        a,
        &r.layout,
        &r.worst,
        r.changes.map_or(&[][..], |c| &c.new_revisions[..]),
    ));
    h.push_str("</div>\n<h2>Findings</h2>");
    if r.diagnostics.is_empty() {
        h.push_str("<p class=\"muted\">No findings.</p>");
    }
    if !r.hidden.is_empty() {
        let total: usize = r.hidden.iter().map(|x| x.count).sum();
        let per_code: Vec<String> = r
            .hidden
            .iter()
            .map(|x| format!("{} <code>{}</code>", x.count, x.code.name()))
            .collect();
        let _ = write!(
            h,
            "<p class=\"muted\"><strong>Deployed history</strong> ({}): {total} finding(s) not shown: {} (<code>migplan check --all</code> lists them).</p>",
            escape(&r.whose),
            per_code.join(", ")
        );
    }
    for sev in ["error", "warning", "info"] {
        for d in r.diagnostics.iter().filter(|d| d.severity.as_str() == sev) {
            let loc = match (&d.file, d.line) {
                (Some(f), Some(l)) => format!("{}:{l}", escape(f)),
                (Some(f), None) => escape(f),
                _ => String::new(),
            };
            let _ = write!(
                h,
                "<div class=\"card finding\"><span class=\"{sev} code\">{sev}[{}]</span> <span class=\"muted\">{loc}</span><div>{}</div>",
                escape(d.code),
                escape(&d.message)
            );
            if let Some(sn) = snippet(r.texts, d) {
                let _ = write!(h, "<pre>{}</pre>", escape(&sn));
            }
            if let Some(help) = &d.help {
                let _ = write!(h, "<div class=\"muted\">help: {}</div>", escape(help));
            }
            h.push_str("</div>");
        }
    }
    if let Some((what, sql)) = &r.plan {
        let _ = write!(h, "<h2>SQL plan: <code>{}</code></h2>", escape(what));
        for chunk in split_steps(sql) {
            let (title, body) = chunk;
            let _ = write!(
                h,
                "<details open><summary><code>{}</code></summary><pre>{}</pre></details>",
                escape(&title),
                escape(&body)
            );
        }
    }
    let data = serde_json::json!({
        "layout": a.layout,
        "heads": heads,
        "changes": r.changes,
        "diagnostics": r.diagnostics,
    });
    let _ = write!(
        h,
        "\n<script type=\"application/json\" id=\"migplan-data\">{}</script>\n<p class=\"muted\">Generated by migplan {}.</p></main></body></html>\n",
        json_for_html(&data),
        env!("CARGO_PKG_VERSION")
    );
    h
}

/// The plan text cut at its `-- Running …` lines: (title, SQL).
pub fn split_steps(sql: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut title = "start".to_string();
    let mut body = String::new();
    for line in sql.lines() {
        if let Some(t) = line.strip_prefix("-- Running ") {
            if !body.trim().is_empty() {
                out.push((title.clone(), body.trim().to_string()));
            }
            title = t.to_string();
            body.clear();
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    if !body.trim().is_empty() {
        out.push((title, body.trim().to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_json() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)> & \"'"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;&#39;"
        );
        let j = json_for_html(&serde_json::json!({"m": "</script><script>alert(1)</script>"}));
        assert!(!j.contains('<'));
        assert!(j.contains("\\u003c/script"));
    }

    #[test]
    fn plan_text_is_cut_at_running_lines() {
        let steps = split_steps(
            "BEGIN;\n\n-- Running upgrade  -> a\n\nCREATE TABLE a (x int);\n\n-- Running upgrade a -> b\n\nDROP TABLE a;\n\nCOMMIT;\n",
        );
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[1].0, "upgrade  -> a");
        assert!(steps[2].1.contains("COMMIT;"));
    }
}
