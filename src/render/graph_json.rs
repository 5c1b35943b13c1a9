//! The revision graph as data for drawing and browsing (the wasm API's `graph`): nodes,
//! the git-graph layout, what each revision does, and its worst finding.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::{Analysis, RevisionJson};
use crate::render::graph_layout::{GraphLayout, layout};
use crate::render::html;

#[derive(Serialize)]
pub struct GraphJson {
    pub nodes: Vec<RevisionJson>,
    /// Rows and lanes for drawing, newest first (the static report draws the same).
    pub layout: GraphLayout,
    /// What each revision's upgrade and downgrade do, one line per operation.
    pub operations: BTreeMap<String, Operations>,
    /// The worst finding per revision id.
    pub worst: BTreeMap<String, &'static str>,
    /// The drawn SVG, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
}

#[derive(Serialize)]
pub struct Operations {
    pub upgrade: Vec<String>,
    pub downgrade: Vec<String>,
}

impl GraphJson {
    pub fn new(a: &Analysis, with_svg: bool) -> Self {
        // History order, newest first; a graph with a cycle keeps load order.
        let order = a.map.walk_revisions("base", "heads").unwrap_or_else(|_| (0..a.map.len()).collect());
        let layout = layout(&a.map, &order);
        let worst = html::worst_by_revision(a, &a.diagnostics);
        let svg = with_svg.then(|| html::graph_svg(a, &layout, &worst, &[]));
        let describe = |steps: &[crate::ops::Step]| steps.iter().flat_map(|s| s.describe()).collect();
        let operations = (0..a.map.len())
            .map(|i| {
                let r = a.revision(i);
                (
                    a.map.id(i).to_string(),
                    Operations {
                        upgrade: describe(&r.upgrade_steps),
                        downgrade: describe(&r.downgrade_steps),
                    },
                )
            })
            .collect();
        GraphJson {
            nodes: (0..a.map.len()).map(|i| a.revision_json(i)).collect(),
            layout,
            operations,
            worst: worst.into_iter().map(|(k, v)| (k, v.as_str())).collect(),
            svg,
        }
    }
}
