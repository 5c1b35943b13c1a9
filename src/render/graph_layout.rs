//! A git-graph-style layout of the revision DAG: one row per revision (newest first, in
//! `history` order), one lane per line of development, edges that run down their lane and
//! bend into their parent's. Computed here so the web page and the static report draw the
//! same picture from the same numbers.

use serde::Serialize;

use crate::graph::{RevIdx, RevisionMap};

/// Where a revision is drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodePos {
    pub revision: String,
    pub row: usize,
    pub lane: usize,
}

/// A line from a child (drawn above) to one of its parents (below). It leaves the child
/// into `via_lane`, runs down it, and bends into the parent's lane just above the parent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EdgePos {
    pub from_row: usize,
    pub from_lane: usize,
    pub to_row: usize,
    pub to_lane: usize,
    pub via_lane: usize,
    /// A `depends_on` dependency rather than a `down_revision`.
    pub dependency: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GraphLayout {
    pub lanes: usize,
    pub nodes: Vec<NodePos>,
    pub edges: Vec<EdgePos>,
}

/// Lay out `order` (revisions newest first, e.g. `walk_revisions("base", "heads")`).
pub fn layout(map: &RevisionMap, order: &[RevIdx]) -> GraphLayout {
    let row_of: std::collections::BTreeMap<RevIdx, usize> = order.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    // lanes[i] = the revision this lane is waiting for (drawn further down).
    let mut lanes: Vec<Option<RevIdx>> = Vec::new();
    let mut lane_of: Vec<usize> = vec![0; map.len()];
    // (child row, child lane, parent, lane the edge travels in, dependency)
    let mut pending: Vec<(usize, usize, RevIdx, usize, bool)> = Vec::new();
    let mut width = 0;
    for (row, &r) in order.iter().enumerate() {
        // The revision takes the leftmost lane that waits for it; other lanes waiting for it
        // end here (their edges bend in).
        let lane = match lanes.iter().position(|l| *l == Some(r)) {
            Some(l) => l,
            None => free_lane(&mut lanes),
        };
        for l in lanes.iter_mut() {
            if *l == Some(r) {
                *l = None;
            }
        }
        lane_of[r] = lane;
        let node = map.node(r);
        // Computed once: a merge can have thousands of parents.
        let down = node.normalized_down();
        let down_set: std::collections::BTreeSet<RevIdx> = down.iter().copied().collect();
        let parents: Vec<(RevIdx, bool)> = down
            .iter()
            .map(|&p| (p, false))
            .chain(node.all_down().into_iter().filter(|p| !down_set.contains(p)).map(|p| (p, true)))
            .filter(|(p, _)| row_of.contains_key(p))
            .collect();
        for (i, (p, dep)) in parents.into_iter().enumerate() {
            // First parent continues in this lane; others join a lane already waiting for
            // them, or open a new one.
            let via = if i == 0 && !dep {
                match lanes.iter().position(|l| *l == Some(p)) {
                    Some(existing) if existing < lane => existing,
                    _ => {
                        lanes[lane] = Some(p);
                        lane
                    }
                }
            } else {
                match lanes.iter().position(|l| *l == Some(p)) {
                    Some(existing) => existing,
                    None => {
                        let l = free_lane(&mut lanes);
                        lanes[l] = Some(p);
                        l
                    }
                }
            };
            pending.push((row, lane, p, via, dep));
        }
        width = width.max(lanes.len());
        // Trailing free lanes are dropped so the drawing stays narrow.
        while lanes.last() == Some(&None) {
            lanes.pop();
        }
    }
    let nodes = order
        .iter()
        .enumerate()
        .map(|(row, &r)| NodePos {
            revision: map.id(r).to_string(),
            row,
            lane: lane_of[r],
        })
        .collect();
    let edges = pending
        .into_iter()
        .map(|(from_row, from_lane, p, via_lane, dependency)| EdgePos {
            from_row,
            from_lane,
            to_row: row_of[&p],
            to_lane: lane_of[p],
            via_lane,
            dependency,
        })
        .collect();
    GraphLayout {
        lanes: width.max(1),
        nodes,
        edges,
    }
}

fn free_lane(lanes: &mut Vec<Option<RevIdx>>) -> usize {
    match lanes.iter().position(Option::is_none) {
        Some(l) => l,
        None => {
            lanes.push(None);
            lanes.len() - 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Revision;

    fn map(revs: &[(&str, &[&str])]) -> RevisionMap {
        let revs: Vec<Revision> = revs.iter().map(|(id, down)| Revision::synthetic(id, down, &[], &[])).collect();
        RevisionMap::build(&revs).0
    }

    #[test]
    fn a_linear_history_is_one_lane() {
        let m = map(&[("a", &[]), ("b", &["a"]), ("c", &["b"])]);
        let order = m.walk_revisions("base", "heads").unwrap();
        let l = layout(&m, &order);
        assert_eq!(l.lanes, 1);
        assert!(l.nodes.iter().all(|n| n.lane == 0));
        assert_eq!(l.edges.len(), 2);
    }

    #[test]
    fn a_branch_and_merge_use_two_lanes_and_join() {
        let m = map(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("d", &["b", "c"])]);
        let order = m.walk_revisions("base", "heads").unwrap();
        let l = layout(&m, &order);
        assert_eq!(l.lanes, 2);
        let lane = |id: &str| l.nodes.iter().find(|n| n.revision == id).unwrap().lane;
        assert_eq!(lane("d"), 0);
        assert_eq!(lane("a"), 0);
        assert_ne!(lane("b"), lane("c"));
        // Every edge ends at its parent's position.
        for e in &l.edges {
            let parent = &l.nodes[e.to_row];
            assert_eq!(parent.lane, e.to_lane);
            assert!(e.to_row > e.from_row);
        }
    }

    #[test]
    fn many_heads_get_their_own_lanes() {
        let m = map(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("d", &["a"])]);
        let order = m.walk_revisions("base", "heads").unwrap();
        let l = layout(&m, &order);
        // Each later head takes the lane the previous one left: two lanes are enough.
        assert_eq!(l.lanes, 2);
        assert_eq!(l.edges.len(), 3);
    }
}
