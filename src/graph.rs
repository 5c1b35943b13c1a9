//! The revision DAG, built the way Alembic's `RevisionMap` builds it.
//!
//! Nodes are kept in Alembic's insertion order (sorted file paths; a duplicate id keeps the
//! position of its first file and the content of its last, as an `OrderedDict` does), since
//! that order breaks ties in [`RevisionMap::topological_sort`]. Structure questions that do
//! not depend on order (cycles) go through petgraph; order-sensitive walks are ports of
//! `alembic/script/revision.py`.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::DiGraph;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::model::Revision;
use crate::ops::extras::{Extras, Unset};

pub type RevIdx = usize;

/// One revision in the map, with its edges resolved to indices.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: String,
    /// Index into the revision list given to [`RevisionMap::build`].
    pub rev: usize,
    /// `down_revision` ids as declared (Alembic prints these, resolved or not).
    pub down_ids: Vec<String>,
    /// Resolved `down_revision` (Alembic's `_versioned_down_revisions`).
    pub down: Vec<RevIdx>,
    /// Children through `down_revision` (`nextrev`).
    pub nextrev: Vec<RevIdx>,
    /// Children through `down_revision` or `depends_on` (`_all_nextrev`).
    pub all_nextrev: Vec<RevIdx>,
    /// Dependencies and labels: few revisions have any, so they are allocated only when set.
    pub links: Extras<Links>,
}

/// A node's `depends_on` edges and branch labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Links {
    /// `depends_on` as declared (ids or labels).
    pub dep_names: Vec<String>,
    /// Resolved `depends_on` (`_resolved_dependencies`).
    pub deps: Vec<RevIdx>,
    /// Dependencies not already depended on by an ancestor (`_normalized_resolved_dependencies`).
    pub deps_normalized: Vec<RevIdx>,
    /// Labels declared on this revision.
    pub own_labels: Vec<String>,
    /// Labels in effect: own, inherited from labelled ancestors, and pushed down to
    /// unbranched ancestors, as Alembic's `_add_branches` does.
    pub labels: BTreeSet<String>,
}

static NO_LINKS: Links = Links {
    dep_names: Vec::new(),
    deps: Vec::new(),
    deps_normalized: Vec::new(),
    own_labels: Vec::new(),
    labels: BTreeSet::new(),
};

impl Unset for Links {
    fn unset() -> &'static Self {
        &NO_LINKS
    }
}

impl Node {
    pub fn is_base(&self) -> bool {
        self.down_ids.is_empty()
    }
    pub fn is_real_base(&self) -> bool {
        self.down_ids.is_empty() && self.links.dep_names.is_empty()
    }
    pub fn is_head(&self) -> bool {
        self.nextrev.is_empty()
    }
    pub fn is_real_head(&self) -> bool {
        self.all_nextrev.is_empty()
    }
    pub fn is_branch_point(&self) -> bool {
        self.nextrev.len() > 1
    }
    pub fn is_real_branch_point(&self) -> bool {
        self.all_nextrev.len() > 1
    }
    pub fn is_merge_point(&self) -> bool {
        self.down_ids.len() > 1
    }
    /// `_normalized_down_revisions`: down revisions plus dependencies no ancestor already has.
    pub fn normalized_down(&self) -> Vec<RevIdx> {
        dedupe(self.down.iter().chain(self.links.deps_normalized.iter()).copied())
    }
    /// `_all_down_revisions`.
    pub fn all_down(&self) -> Vec<RevIdx> {
        dedupe(self.down.iter().chain(self.links.deps.iter()).copied())
    }
}

fn dedupe(it: impl Iterator<Item = RevIdx>) -> Vec<RevIdx> {
    let mut out: Vec<RevIdx> = Vec::new();
    for i in it {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// A cycle as Alembic reports it (`CycleDetected` and its subclasses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleError {
    pub message: String,
}

/// Which edges a traversal follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edges {
    /// `_versioned_down_revisions`
    Down,
    /// `_normalized_down_revisions`
    NormalizedDown,
    /// `_all_down_revisions`
    AllDown,
    /// `nextrev`
    Next,
    /// `_all_nextrev`
    AllNext,
}

#[derive(Clone, Debug, Default)]
pub struct RevisionMap {
    pub nodes: Vec<Node>,
    pub by_id: BTreeMap<String, RevIdx>,
    pub by_label: BTreeMap<String, RevIdx>,
    pub heads: Vec<RevIdx>,
    pub real_heads: Vec<RevIdx>,
    pub bases: Vec<RevIdx>,
    pub real_bases: Vec<RevIdx>,
    /// Set when the graph has a cycle: order-dependent commands refuse to run.
    pub cycle: Option<CycleError>,
    /// Longest path from a root along `gen_edges` (valid when acyclic).
    generation: Vec<u32>,
    gen_edges: Option<Edges>,
}

impl RevisionMap {
    /// Build the map from revisions in load order, reporting graph errors as diagnostics.
    pub fn build(revisions: &[Revision]) -> (RevisionMap, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut map = RevisionMap::default();
        // Sized once: grown by doubling, the spare half would be kept with the analysis.
        map.nodes.reserve_exact(revisions.len());

        // 1. Insert in order; later duplicates replace the content, keep the position.
        // The ids are sorted once (stably: a repeated id's files stay in load order) to find
        // each revision's first file and to build `by_id` in one pass: inserting them one
        // by one, a walk of string comparisons each, was a third of building the graph.
        let mut sorted: Vec<(&str, usize)> = revisions.iter().enumerate().map(|(ri, r)| (r.id.as_str(), ri)).collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut first_of = vec![0; revisions.len()];
        for group in sorted.chunk_by(|a, b| a.0 == b.0) {
            for &(_, ri) in group {
                first_of[ri] = group[0].1;
            }
        }
        // The node of each id, by the revision index of its first file.
        let mut node_of = vec![usize::MAX; revisions.len()];
        for (ri, rev) in revisions.iter().enumerate() {
            if let Some(msg) = invalid_id(&rev.id) {
                diags.push(
                    Diagnostic::new(Code::InvalidRevisionId, msg)
                        .at(&rev.path, rev.spans.revision)
                        .help("revision ids may not be empty or contain '@', '-', '+' or ':'; Alembic refuses to load them"),
                );
            }
            let mut down_ids = rev.down_revisions.clone();
            if down_ids.contains(&rev.id) {
                diags.push(
                    Diagnostic::new(Code::RevisionCycle, format!("Self-loop is detected in revisions ({})", rev.id))
                        .at(&rev.path, rev.spans.down_revision)
                        .help("a revision's down_revision must name its parent, not itself"),
                );
                down_ids.retain(|d| *d != rev.id);
            }
            let mut dep_names = rev.depends_on.clone();
            if dep_names.contains(&rev.id) {
                diags.push(
                    Diagnostic::new(
                        Code::RevisionCycle,
                        format!("Dependency self-loop is detected in revisions ({})", rev.id),
                    )
                    .at(&rev.path, rev.spans.depends_on)
                    .help("a revision cannot depend on itself; remove it from depends_on"),
                );
                dep_names.retain(|d| *d != rev.id);
            }
            let node = Node {
                id: rev.id.clone(),
                rev: ri,
                down_ids,
                down: Vec::new(),
                nextrev: Vec::new(),
                all_nextrev: Vec::new(),
                links: Extras::of(Links {
                    dep_names,
                    own_labels: rev.branch_labels.clone(),
                    labels: rev.branch_labels.iter().cloned().collect(),
                    ..Links::default()
                }),
            };
            let first_ri = first_of[ri];
            if first_ri != ri {
                let first = &revisions[first_ri];
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateRevision,
                        format!("revision {} is declared in both {} and {}", rev.id, first.path, rev.path),
                    )
                    .at(&rev.path, rev.spans.revision)
                    .help(format!(
                        "Alembic only warns \"Revision {} is present more than once\" and lets {} shadow {}; give one of them a new id",
                        rev.id, rev.path, first.path
                    )),
                );
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateRevision,
                        format!("revision {} is declared again in {}", rev.id, rev.path),
                    )
                    .at(&first.path, first.spans.revision),
                );
                map.nodes[node_of[first_ri]] = node;
            } else {
                node_of[ri] = map.nodes.len();
                map.nodes.push(node);
            }
        }
        map.by_id = sorted
            .chunk_by(|a, b| a.0 == b.0)
            .map(|g| (g[0].0.to_string(), node_of[g[0].1]))
            .collect();

        // 2. Branch labels share the namespace of revision ids.
        for idx in 0..map.nodes.len() {
            for label in map.nodes[idx].links.own_labels.clone() {
                let clash = map.by_label.get(&label).copied().or_else(|| map.by_id.get(&label).copied());
                match clash {
                    Some(other) => {
                        let rev = &revisions[map.nodes[idx].rev];
                        diags.push(
                            Diagnostic::new(
                                Code::DuplicateBranchLabel,
                                format!(
                                    "Branch name '{}' in revision {} already used by revision {}",
                                    label, map.nodes[idx].id, map.nodes[other].id
                                ),
                            )
                            .at(&rev.path, rev.spans.branch_labels)
                            .help(format!(
                                "branch labels must be unique across the history; rename the label on {}",
                                map.nodes[idx].id
                            )),
                        );
                    }
                    None => {
                        map.by_label.insert(label, idx);
                    }
                }
            }
        }

        // 3. Resolve edges.
        for idx in 0..map.nodes.len() {
            let rev = &revisions[map.nodes[idx].rev];
            let mut deps = Vec::new();
            for name in map.nodes[idx].links.dep_names.clone() {
                match map.by_id.get(&name).or_else(|| map.by_label.get(&name)) {
                    Some(&d) => {
                        if !deps.contains(&d) {
                            deps.push(d)
                        }
                    }
                    None => diags.push(
                        Diagnostic::new(Code::MissingRevision, format!("Can't locate revision identified by '{name}'"))
                            .at(&rev.path, rev.spans.depends_on)
                            .help(format!(
                                "depends_on of {} names no revision id or branch label in this history",
                                rev.id
                            )),
                    ),
                }
            }
            let mut down = Vec::new();
            for name in map.nodes[idx].down_ids.clone() {
                match map.by_id.get(&name) {
                    Some(&d) => {
                        if !down.contains(&d) {
                            down.push(d)
                        }
                    }
                    None => {
                        let mut d = Diagnostic::new(Code::MissingRevision, format!("Can't locate revision identified by '{name}'"))
                            .at(&rev.path, rev.spans.down_revision);
                        d = if map.by_label.contains_key(&name) {
                            d.help(format!("'{name}' is a branch label; down_revision must name a revision id"))
                        } else {
                            d.help(format!(
                                "down_revision of {} names a revision that is not in the versions folder(s): was its file deleted or not committed?",
                                rev.id
                            ))
                        };
                        diags.push(d);
                    }
                }
            }
            map.nodes[idx].down = down;
            if !deps.is_empty() {
                map.nodes[idx].links.deps = deps;
            }
        }
        for idx in 0..map.nodes.len() {
            for d in map.nodes[idx].all_down() {
                push_unique(&mut map.nodes[d].all_nextrev, idx);
                if map.nodes[idx].down.contains(&d) {
                    push_unique(&mut map.nodes[d].nextrev, idx);
                }
            }
        }
        for n in &mut map.nodes {
            n.nextrev.sort_unstable();
            n.all_nextrev.sort_unstable();
        }
        map.heads = (0..map.nodes.len()).filter(|&i| map.nodes[i].is_head()).collect();
        map.real_heads = (0..map.nodes.len()).filter(|&i| map.nodes[i].is_real_head()).collect();
        map.bases = (0..map.nodes.len()).filter(|&i| map.nodes[i].is_base()).collect();
        map.real_bases = (0..map.nodes.len()).filter(|&i| map.nodes[i].is_real_base()).collect();

        // 4. Cycles (petgraph's SCCs name exactly the revisions on each cycle).
        let cycles = map.strongly_connected_cycles();
        if !cycles.is_empty() {
            for cycle in &cycles {
                let ids: Vec<&str> = cycle.iter().map(|&i| map.nodes[i].id.as_str()).collect();
                let through_deps = !map.down_only_cycle(cycle);
                let kind = if through_deps { "Dependency cycle" } else { "Cycle" };
                let first = cycle[0];
                let rev = &revisions[map.nodes[first].rev];
                diags.push(
                    Diagnostic::new(Code::RevisionCycle, format!("{kind} is detected in revisions ({})", ids.join(", ")))
                        .at(
                            &rev.path,
                            if through_deps {
                                rev.spans.depends_on
                            } else {
                                rev.spans.down_revision
                            },
                        )
                        .help(
                            "every revision must come after its down_revision and depends_on; break the cycle by re-pointing one of them",
                        ),
                );
            }
            map.cycle = Some(CycleError {
                message: map.alembic_cycle_message(&cycles),
            });
            for n in &mut map.nodes {
                if !n.links.deps.is_empty() {
                    n.links.deps_normalized = n.links.deps.clone();
                }
            }
            return (map, diags);
        }

        // 5. Acyclic from here on.
        map.generation = map.compute_generations(Edges::Down);
        map.gen_edges = Some(Edges::Down);
        map.normalize_depends_on();
        map.generation = map.compute_generations(Edges::NormalizedDown);
        map.gen_edges = Some(Edges::NormalizedDown);
        map.add_branch_labels();
        (map, diags)
    }

    pub fn node(&self, idx: RevIdx) -> &Node {
        &self.nodes[idx]
    }

    pub fn id(&self, idx: RevIdx) -> &str {
        &self.nodes[idx].id
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn edges(&self, idx: RevIdx, edges: Edges) -> Vec<RevIdx> {
        let n = &self.nodes[idx];
        match edges {
            Edges::Down => n.down.clone(),
            Edges::NormalizedDown => n.normalized_down(),
            Edges::AllDown => n.all_down(),
            Edges::Next => n.nextrev.clone(),
            Edges::AllNext => n.all_nextrev.clone(),
        }
    }

    /// SCCs with more than one node, each sorted by id, ordered by their first id.
    fn strongly_connected_cycles(&self) -> Vec<Vec<RevIdx>> {
        let mut g: DiGraph<RevIdx, ()> = DiGraph::with_capacity(self.nodes.len(), self.nodes.len());
        let ix: Vec<_> = (0..self.nodes.len()).map(|i| g.add_node(i)).collect();
        for (i, n) in self.nodes.iter().enumerate() {
            for d in n.all_down() {
                g.add_edge(ix[i], ix[d], ());
            }
        }
        let mut out: Vec<Vec<RevIdx>> = petgraph::algo::tarjan_scc(&g)
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let mut v: Vec<RevIdx> = c.into_iter().map(|n| g[n]).collect();
                v.sort_by(|a, b| self.nodes[*a].id.cmp(&self.nodes[*b].id));
                v
            })
            .collect();
        out.sort_by(|a, b| self.nodes[a[0]].id.cmp(&self.nodes[b[0]].id));
        out
    }

    /// Whether the cycle closes through `down_revision` edges alone.
    fn down_only_cycle(&self, cycle: &[RevIdx]) -> bool {
        // A cycle of the down-edge subgraph restricted to this SCC exists iff a DFS finds a
        // back edge.
        let inside: BTreeSet<RevIdx> = cycle.iter().copied().collect();
        let mut state: BTreeMap<RevIdx, u8> = BTreeMap::new();
        for &start in cycle {
            if state.contains_key(&start) {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            state.insert(start, 1);
            while let Some(&mut (v, ref mut i)) = stack.last_mut() {
                let down: Vec<RevIdx> = self.nodes[v].down.iter().copied().filter(|d| inside.contains(d)).collect();
                if *i < down.len() {
                    let w = down[*i];
                    *i += 1;
                    match state.get(&w) {
                        Some(1) => return true,
                        Some(_) => {}
                        None => {
                            state.insert(w, 1);
                            stack.push((w, 0));
                        }
                    }
                } else {
                    state.insert(v, 2);
                    stack.pop();
                }
            }
        }
        false
    }

    /// The message Alembic's `_detect_cycles` raises for this map.
    ///
    /// Alembic only finds revisions that are not both below a head and above a base; a cycle
    /// whose revisions all are (one entered from a base through a merge, say) passes its check,
    /// and Alembic then sorts it arbitrarily or hangs. For those, name the revisions on the
    /// cycles (`cycles`, from [`Self::strongly_connected_cycles`]) in Alembic's wording.
    fn alembic_cycle_message(&self, cycles: &[Vec<RevIdx>]) -> String {
        let all_ids = || self.nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
        if self.heads.is_empty() || self.bases.is_empty() {
            return format!("Cycle is detected in revisions ({})", all_ids().join(", "));
        }
        let pass = |heads: &[RevIdx], bases: &[RevIdx], down: Edges, up: Edges| -> Vec<String> {
            let a: BTreeSet<RevIdx> = self.iterate_related(heads, down).into_iter().collect();
            let b: BTreeSet<RevIdx> = self.iterate_related(bases, up).into_iter().collect();
            let mut deleted: Vec<String> = (0..self.nodes.len())
                .filter(|i| !(a.contains(i) && b.contains(i)))
                .map(|i| self.nodes[i].id.clone())
                .collect();
            deleted.sort();
            deleted
        };
        let deleted = pass(&self.heads, &self.bases, Edges::Down, Edges::Next);
        if !deleted.is_empty() {
            return format!("Cycle is detected in revisions ({})", deleted.join(", "));
        }
        if self.real_heads.is_empty() || self.real_bases.is_empty() {
            return format!("Dependency cycle is detected in revisions ({})", all_ids().join(", "));
        }
        let deleted = pass(&self.real_heads, &self.real_bases, Edges::AllDown, Edges::AllNext);
        if !deleted.is_empty() {
            return format!("Dependency cycle is detected in revisions ({})", deleted.join(", "));
        }
        let mut on_cycle: Vec<String> = cycles.iter().flatten().map(|&i| self.nodes[i].id.clone()).collect();
        on_cycle.sort();
        let kind = if cycles.iter().any(|c| self.down_only_cycle(c)) {
            "Cycle"
        } else {
            "Dependency cycle"
        };
        format!("{kind} is detected in revisions ({})", on_cycle.join(", "))
    }

    /// Longest distance from a root along `edges` (down edges); requires acyclic.
    fn compute_generations(&self, edges: Edges) -> Vec<u32> {
        let n = self.nodes.len();
        let mut generation = vec![0u32; n];
        let mut indeg: Vec<usize> = vec![0; n];
        let down: Vec<Vec<RevIdx>> = (0..n).map(|i| self.edges(i, edges)).collect();
        let mut up: Vec<Vec<RevIdx>> = vec![Vec::new(); n];
        for (i, ds) in down.iter().enumerate() {
            indeg[i] = ds.len();
            for &d in ds {
                up[d].push(i);
            }
        }
        let mut queue: Vec<RevIdx> = (0..n).filter(|&i| indeg[i] == 0).collect();
        while let Some(v) = queue.pop() {
            for &c in &up[v] {
                generation[c] = generation[c].max(generation[v] + 1);
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    queue.push(c);
                }
            }
        }
        generation
    }

    /// Alembic's `_normalize_depends_on`: drop a dependency when a versioned ancestor already
    /// depends on it.
    fn normalize_depends_on(&mut self) {
        let mut dependents: BTreeMap<RevIdx, Vec<RevIdx>> = BTreeMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            for &d in &n.links.deps {
                dependents.entry(d).or_default().push(i);
            }
        }
        let mut marks = Marks::new(self.nodes.len());
        for i in 0..self.nodes.len() {
            let deps = self.nodes[i].links.deps.clone();
            let mut keep = Vec::new();
            for d in deps {
                let covered = dependents
                    .get(&d)
                    .map(|ds| {
                        ds.iter()
                            .any(|&a| a != i && self.reaches(i, a, Edges::Down, &mut marks, usize::MAX).unwrap_or(false))
                    })
                    .unwrap_or(false);
                if !covered {
                    keep.push(d);
                }
            }
            if !keep.is_empty() {
                self.nodes[i].links.deps_normalized = keep;
            }
        }
    }

    /// Alembic's `_add_branches`: labels flow to every descendant, and down to ancestors
    /// until a branch point or merge point.
    fn add_branch_labels(&mut self) {
        for idx in 0..self.nodes.len() {
            if self.nodes[idx].links.own_labels.is_empty() {
                continue;
            }
            let labels = self.nodes[idx].links.own_labels.clone();
            let descendants = self.iterate_related(&[idx], Edges::Next);
            for &d in &descendants {
                self.nodes[d].links.labels.extend(labels.iter().cloned());
            }
            let mut parent = descendants.last().copied();
            let mut steps = 0;
            while let Some(p) = parent {
                let n = &self.nodes[p];
                if n.is_real_branch_point() || n.is_merge_point() || steps > self.nodes.len() {
                    break;
                }
                steps += 1;
                let next = n.down.first().copied();
                let has_down = !n.down_ids.is_empty();
                self.nodes[p].links.labels.extend(labels.iter().cloned());
                parent = if has_down { next } else { None };
            }
        }
    }

    /// Alembic's `_iterate_related_revisions` (without `check`): depth-first from each
    /// target in turn, in Alembic's order (a stack; neighbours pushed in edge order).
    pub fn iterate_related(&self, targets: &[RevIdx], edges: Edges) -> Vec<RevIdx> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        let mut todo = Vec::new();
        for &t in targets {
            todo.push(t);
            while let Some(rev) = todo.pop() {
                if seen[rev] {
                    continue;
                }
                seen[rev] = true;
                todo.extend(self.edges(rev, edges));
                out.push(rev);
            }
        }
        out
    }

    /// Like [`Self::iterate_related`] with `check=True`: fails when one target is reached
    /// from another ("Requested revision X overlaps with other requested revisions Y").
    pub fn iterate_related_checked(&self, targets: &[RevIdx], edges: Edges) -> Result<Vec<RevIdx>, String> {
        let mut seen = vec![false; self.nodes.len()];
        let mut out = Vec::new();
        let mut todo = Vec::new();
        for &t in targets {
            todo.push(t);
            let mut per_target: BTreeSet<RevIdx> = BTreeSet::new();
            while let Some(rev) = todo.pop() {
                per_target.insert(rev);
                if seen[rev] {
                    continue;
                }
                seen[rev] = true;
                todo.extend(self.edges(rev, edges));
                out.push(rev);
            }
            // a set in Alembic: a target requested twice is named once
            let overlaps: Vec<&str> = dedupe(targets.iter().copied().filter(|&o| o != t && per_target.contains(&o)))
                .into_iter()
                .map(|o| self.id(o))
                .collect();
            if !overlaps.is_empty() {
                return Err(format!(
                    "Requested revision {} overlaps with other requested revisions {}",
                    self.id(t),
                    overlaps.join(", ")
                ));
            }
        }
        Ok(out)
    }

    /// Ancestors of `targets` including themselves (`_get_ancestor_nodes`).
    pub fn ancestors(&self, targets: &[RevIdx], include_dependencies: bool) -> Vec<RevIdx> {
        self.iterate_related(targets, if include_dependencies { Edges::NormalizedDown } else { Edges::Down })
    }

    /// Descendants of `targets` including themselves (`_get_descendant_nodes`).
    pub fn descendants(&self, targets: &[RevIdx], include_dependencies: bool) -> Vec<RevIdx> {
        self.iterate_related(targets, if include_dependencies { Edges::AllNext } else { Edges::Next })
    }

    /// Is `ancestor` reachable from `from` along `edges` (down edges), `from` itself
    /// included? Pruned by generation; gives up (None) after `budget` visits.
    fn reaches(&self, from: RevIdx, ancestor: RevIdx, edges: Edges, marks: &mut Marks, budget: usize) -> Option<bool> {
        if from == ancestor {
            return Some(true);
        }
        let floor = self.generation.get(ancestor).copied().unwrap_or(0);
        let use_gen = self.gen_edges == Some(edges);
        // An ancestor is strictly older: siblings (a merge of thousands of parents) are
        // answered without a search.
        if use_gen && self.generation[from] <= floor {
            return Some(false);
        }
        marks.next_epoch();
        let mut stack = vec![from];
        marks.mark(from);
        let mut visited = 0usize;
        while let Some(v) = stack.pop() {
            visited += 1;
            if visited > budget {
                return None;
            }
            for d in self.edges(v, edges) {
                if d == ancestor {
                    return Some(true);
                }
                if use_gen && self.generation[d] <= floor {
                    continue;
                }
                if !marks.is_marked(d) {
                    marks.mark(d);
                    stack.push(d);
                }
            }
        }
        Some(false)
    }

    /// Alembic's `RevisionMap._topological_sort`, ported: heads are walked downward in
    /// insertion order, and a branch is left for another head whenever that head still
    /// needs the current candidate. The output lists children before parents.
    ///
    /// Alembic keeps a full ancestor set per pending head; we answer "is the candidate an
    /// ancestor of that head" with a generation-pruned search, and fall back to a cached
    /// ancestor set for heads whose searches get long, so long histories stay linear-ish.
    pub fn topological_sort(&self, revisions: &[RevIdx], heads: &[RevIdx]) -> Vec<RevIdx> {
        let n = self.nodes.len();
        let mut todo = vec![false; n];
        let mut todo_count = 0;
        for &r in revisions {
            if !todo[r] {
                todo[r] = true;
                todo_count += 1;
            }
        }
        let mut current_heads: Vec<RevIdx> = heads
            .iter()
            .copied()
            .filter(|&h| todo[h])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // insertion order == node index order
        let mut caches: Vec<Option<Vec<u64>>> = vec![None; current_heads.len()];
        let mut marks = Marks::new(n);
        let mut output = Vec::with_capacity(todo_count);
        let mut idx = 0usize;
        let mut guard = 0usize;
        while !current_heads.is_empty() {
            guard += 1;
            if guard > 4 * n * (current_heads.len() + 1) + 16 {
                break; // unreachable on an acyclic map; a guard against hanging on bad input
            }
            let candidate = current_heads[idx];
            let mut switched = false;
            for j in 0..current_heads.len() {
                if j == idx {
                    continue;
                }
                let head = current_heads[j];
                let is_anc = match &caches[j] {
                    Some(bits) => bit(bits, candidate),
                    None => match self.reaches(head, candidate, Edges::NormalizedDown, &mut marks, 4096) {
                        Some(b) => b,
                        None => {
                            let bits = self.ancestor_bits(head);
                            let b = bit(&bits, candidate);
                            caches[j] = Some(bits);
                            b
                        }
                    },
                };
                if is_anc {
                    idx = j;
                    switched = true;
                    break;
                }
            }
            if switched {
                continue;
            }
            if todo[candidate] {
                output.push(candidate);
                todo[candidate] = false;
            }
            let node = &self.nodes[candidate];
            let heads_to_add: Vec<RevIdx> = node
                .normalized_down()
                .into_iter()
                .filter(|r| todo[*r] && !current_heads.contains(r))
                .collect();
            if heads_to_add.is_empty() {
                current_heads.remove(idx);
                caches.remove(idx);
                idx = idx.saturating_sub(1);
            } else if node.links.deps_normalized.is_empty() && node.down.len() == 1 && node.down_ids.len() == 1 {
                current_heads[idx] = heads_to_add[0];
                if let Some(bits) = caches[idx].as_mut() {
                    clear_bit(bits, candidate);
                }
            } else {
                current_heads[idx] = heads_to_add[0];
                caches[idx] = None;
                for &h in &heads_to_add[1..] {
                    current_heads.push(h);
                    caches.push(None);
                }
            }
        }
        output
    }

    fn ancestor_bits(&self, head: RevIdx) -> Vec<u64> {
        let mut bits = vec![0u64; self.nodes.len().div_ceil(64)];
        for a in self.ancestors(&[head], true) {
            bits[a / 64] |= 1 << (a % 64);
        }
        bits
    }
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

fn clear_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] &= !(1 << (i % 64));
}

fn push_unique(v: &mut Vec<RevIdx>, i: RevIdx) {
    if !v.contains(&i) {
        v.push(i);
    }
}

/// Alembic's `verify_rev_id`, plus the empty id.
fn invalid_id(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("revision id is empty".to_string());
    }
    let mut illegal: Vec<char> = id.chars().filter(|c| matches!(c, '@' | '-' | '+' | ':')).collect();
    illegal.sort_unstable();
    illegal.dedup();
    if illegal.is_empty() {
        return None;
    }
    let chars: Vec<String> = illegal.iter().map(|c| c.to_string()).collect();
    Some(format!(
        "Character(s) '{}' not allowed in revision identifier '{}'",
        chars.join(", "),
        id
    ))
}

/// Visited marks that reset in O(1) per search.
struct Marks {
    epoch: u32,
    stamp: Vec<u32>,
}

impl Marks {
    fn new(n: usize) -> Self {
        Marks {
            epoch: 0,
            stamp: vec![0; n],
        }
    }
    fn next_epoch(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
    }
    fn mark(&mut self, i: usize) {
        self.stamp[i] = self.epoch;
    }
    fn is_marked(&self, i: usize) -> bool {
        self.stamp[i] == self.epoch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(id: &str, down: &[&str], path: &str) -> Revision {
        let mut r = Revision::synthetic(id, down, &[], &[]);
        r.path = path.into();
        r
    }

    #[test]
    fn a_repeated_id_keeps_its_first_position_and_names_its_first_file() {
        let revisions = [
            rev("b", &["a"], "0_b.py"),
            rev("a", &[], "1_a.py"),
            rev("a", &[], "2_a.py"),
            rev("c", &["b"], "3_c.py"),
            rev("a", &[], "4_a.py"),
        ];
        let (map, diags) = RevisionMap::build(&revisions);
        assert_eq!(map.len(), 3);
        assert_eq!(
            map.by_id.iter().map(|(k, &v)| (k.as_str(), v)).collect::<Vec<_>>(),
            [("a", 1), ("b", 0), ("c", 2)]
        );
        // The last file wins the content, the first keeps the position.
        assert_eq!(map.node(1).rev, 4);
        let said: Vec<&str> = diags
            .iter()
            .filter(|d| d.code == Code::DuplicateRevision)
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            said,
            [
                "revision a is declared in both 1_a.py and 2_a.py",
                "revision a is declared again in 2_a.py",
                "revision a is declared in both 1_a.py and 4_a.py",
                "revision a is declared again in 4_a.py",
            ]
        );
        assert_eq!(map.node(0).down, [1]);
    }
}
