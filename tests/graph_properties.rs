//! Properties of the revision graph on random DAGs (proptest): the history order respects
//! every edge, heads and bases match a brute-force computation, upgrading from base to the
//! heads and downgrading back leaves an empty version table, and target resolution agrees
//! with a small reference implementation written here.
//!
//! Each random history has 1–24 revisions; revision `i` has 0–3 parents among revisions
//! before it, sometimes a `depends_on` on another earlier revision, sometimes a branch
//! label. Ids are 12 hex digits whose first digits collide on purpose (partial ids).

use std::collections::BTreeSet;

use migplan::graph::RevisionMap;
use migplan::model::Revision;
use migplan::plan::{Plan, VersionChange, plan_downgrade, plan_upgrade};
use migplan::resolve::{Pos, RevArg};
use proptest::prelude::*;

/// Cases per property: the four properties run in a few seconds in a debug build.
const CASES: u32 = 512;

#[derive(Clone, Debug)]
struct Spec {
    id: String,
    parents: Vec<usize>,
    depends: Vec<usize>,
    label: Option<String>,
}

/// A random history: per revision, a 2-hex-digit prefix from a small range (so partial ids
/// are sometimes ambiguous), parents, a dependency and a label.
fn history() -> impl Strategy<Value = Vec<Spec>> {
    (1usize..=24).prop_flat_map(|n| {
        let rev = (
            0u8..6,
            any::<u32>(),
            proptest::collection::vec(any::<prop::sample::Index>(), 0..=3),
            any::<Option<prop::sample::Index>>(),
            0u8..6,
        );
        proptest::collection::vec(rev, n).prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (prefix, rand, parents, dep, label))| {
                    let parents: BTreeSet<usize> = if i == 0 {
                        BTreeSet::new()
                    } else {
                        parents.iter().map(|p| p.index(i)).collect()
                    };
                    // A dependency on an earlier revision that is not already a parent.
                    let depends = match dep {
                        Some(d) if i > 0 && !parents.contains(&d.index(i)) => vec![d.index(i)],
                        _ => Vec::new(),
                    };
                    Spec {
                        // The index keeps ids unique; the prefix makes partial ids collide.
                        id: format!("{prefix:02x}{:02x}{rand:08x}", i),
                        parents: parents.into_iter().collect(),
                        depends,
                        label: (label == 0).then(|| format!("lbl{i}")),
                    }
                })
                .collect()
        })
    })
}

/// `specs` without the shapes whose upgrade Alembic's head maintainer cannot write (it
/// fails with a KeyError; migplan with a plan error, see `unplannable_histories_fail_cleanly`):
/// a parent that is an ancestor of another parent or of a dependency of the same revision,
/// and dependencies on a revision that is also a parent, is depended on twice, or has
/// dependencies itself (the version table loses a row another step then updates).
fn plannable(mut specs: Vec<Spec>) -> Vec<Spec> {
    let named: BTreeSet<usize> = specs.iter().flat_map(|s| s.parents.iter().copied()).collect();
    let depended: Vec<usize> = specs.iter().flat_map(|s| s.depends.iter().copied()).collect();
    let has_deps: Vec<bool> = specs.iter().map(|s| !s.depends.is_empty()).collect();
    for s in &mut specs {
        s.depends
            .retain(|&d| !named.contains(&d) && !has_deps[d] && depended.iter().filter(|&&x| x == d).count() == 1);
    }
    for i in 0..specs.len() {
        let parents = specs[i].parents.clone();
        let edges: Vec<usize> = parents.iter().chain(&specs[i].depends).copied().collect();
        let keep: Vec<usize> = parents
            .iter()
            .copied()
            .filter(|&p| !edges.iter().any(|&q| q != p && ancestors(&specs, q).contains(&p)))
            .collect();
        specs[i].parents = keep;
    }
    specs
}

/// Revisions reachable from `i` through parents and dependencies, `i` included.
fn ancestors(specs: &[Spec], i: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([i]);
    let mut todo = vec![i];
    while let Some(x) = todo.pop() {
        for &p in specs[x].parents.iter().chain(&specs[x].depends) {
            if seen.insert(p) {
                todo.push(p);
            }
        }
    }
    seen
}

fn build(specs: &[Spec]) -> RevisionMap {
    let revs: Vec<Revision> = specs
        .iter()
        .map(|s| {
            let down: Vec<&str> = s.parents.iter().map(|&p| specs[p].id.as_str()).collect();
            let deps: Vec<&str> = s.depends.iter().map(|&d| specs[d].id.as_str()).collect();
            let labels: Vec<&str> = s.label.iter().map(String::as_str).collect();
            Revision::synthetic(&s.id, &down, &deps, &labels)
        })
        .collect();
    let (map, diags) = RevisionMap::build(&revs);
    assert!(map.cycle.is_none(), "a DAG has no cycle");
    assert!(diags.iter().all(|d| d.code == migplan::Code::MultipleHeads), "{diags:?}");
    map
}

fn ids_of(map: &RevisionMap, idx: &[usize]) -> BTreeSet<String> {
    idx.iter().map(|&i| map.id(i).to_string()).collect()
}

/// Brute force: revisions no other revision names as a parent (Alembic's heads: only
/// `down_revision` counts), and revisions with no parent (bases).
fn brute_heads(specs: &[Spec]) -> BTreeSet<String> {
    (0..specs.len())
        .filter(|&i| !specs.iter().any(|s| s.parents.contains(&i)))
        .map(|i| specs[i].id.clone())
        .collect()
}

/// Revisions nothing names, as a parent or in `depends_on` (Alembic's real heads: what
/// `heads` resolves to, and what the version table holds after `upgrade heads`).
fn brute_real_heads(specs: &[Spec]) -> BTreeSet<String> {
    let named: BTreeSet<usize> = specs.iter().flat_map(|s| s.parents.iter().chain(&s.depends).copied()).collect();
    (0..specs.len())
        .filter(|i| !named.contains(i))
        .map(|i| specs[i].id.clone())
        .collect()
}

fn brute_bases(specs: &[Spec]) -> BTreeSet<String> {
    specs.iter().filter(|s| s.parents.is_empty()).map(|s| s.id.clone()).collect()
}

/// The version table after a plan's steps, starting from `start`.
fn replay(plan: &Plan, start: &BTreeSet<String>) -> BTreeSet<String> {
    let mut table = start.clone();
    for step in &plan.steps {
        for c in &step.version_changes {
            match c {
                VersionChange::Insert { version } => assert!(table.insert(version.clone()), "insert of a present {version}"),
                VersionChange::Delete { version } => assert!(table.remove(version), "delete of an absent {version}"),
                VersionChange::Update { from, to } => {
                    assert!(table.remove(from), "update of an absent {from}");
                    assert!(table.insert(to.clone()), "update to a present {to}");
                }
            }
        }
    }
    table
}

/// Reference resolution of one identifier: a full id, a unique prefix (4+ characters) of
/// exactly one id, or a branch label.
fn reference_resolve(specs: &[Spec], s: &str) -> Option<usize> {
    if let Some(i) = specs.iter().position(|x| x.id == s) {
        return Some(i);
    }
    if let Some(i) = specs.iter().position(|x| x.label.as_deref() == Some(s)) {
        return Some(i);
    }
    let matches: Vec<usize> = (0..specs.len()).filter(|&i| specs[i].id.starts_with(s)).collect();
    (matches.len() == 1).then(|| matches[0])
}

/// Children of `i` through `down_revision`.
fn children(specs: &[Spec], i: usize) -> Vec<usize> {
    (0..specs.len()).filter(|&c| specs[c].parents.contains(&i)).collect()
}

/// Revisions reachable from `i` through children, `i` included.
fn descendants(specs: &[Spec], i: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([i]);
    let mut todo = vec![i];
    while let Some(x) = todo.pop() {
        for c in children(specs, x) {
            if seen.insert(c) {
                todo.push(c);
            }
        }
    }
    seen
}

/// A relative target (`rev+1`, `rev-1`) as `upgrade` resolves it.
/// Every revision in `order` comes after its parents in it (and after the revisions it
/// depends on, with `deps`).
fn assert_parents_first(specs: &[Spec], order: &[&str], deps: bool) -> Result<(), TestCaseError> {
    let pos = |id: &str| order.iter().position(|&a| a == id);
    for s in specs {
        let Some(me) = pos(&s.id) else { continue };
        let extra: &[usize] = if deps { &s.depends } else { &[] };
        for &p in s.parents.iter().chain(extra) {
            let parent = pos(&specs[p].id);
            prop_assert!(
                parent.is_some_and(|q| q < me),
                "{} comes before its parent {} in {:?}",
                s.id,
                specs[p].id,
                order
            );
        }
    }
    Ok(())
}

fn relative(map: &RevisionMap, s: &str) -> Result<BTreeSet<String>, String> {
    map.parse_upgrade_target(&RevArg::None, &RevArg::str(s), true)
        .map(|v| v.into_iter().filter_map(Pos::rev).map(|i| map.id(i).to_string()).collect())
        .map_err(|e| e.message())
}

fn resolved(map: &RevisionMap, s: &str) -> Result<BTreeSet<String>, String> {
    map.get_revisions(&RevArg::str(s))
        .map(|v| v.into_iter().filter_map(Pos::rev).map(|i| map.id(i).to_string()).collect())
        .map_err(|e| e.message())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    /// `history` order: newest first, every revision once, every child before its parents
    /// and before the revisions it depends on.
    #[test]
    fn history_order_respects_every_edge(specs in history()) {
        let map = build(&specs);
        let order = map.walk_revisions("base", "heads").expect("walk");
        let pos: Vec<usize> = (0..specs.len())
            .map(|i| order.iter().position(|&r| map.id(r) == specs[i].id).expect("every revision walked"))
            .collect();
        prop_assert_eq!(order.len(), specs.len());
        for (i, s) in specs.iter().enumerate() {
            for &p in s.parents.iter().chain(&s.depends) {
                prop_assert!(pos[i] < pos[p], "{} is walked after its parent {}", s.id, specs[p].id);
            }
        }
    }

    /// Heads, bases, real heads and real bases against brute force.
    #[test]
    fn heads_and_bases_match_brute_force(specs in history()) {
        let map = build(&specs);
        prop_assert_eq!(ids_of(&map, &map.heads), brute_heads(&specs));
        prop_assert_eq!(ids_of(&map, &map.bases), brute_bases(&specs));
        prop_assert_eq!(ids_of(&map, &map.real_heads), brute_real_heads(&specs));
        let real_bases: BTreeSet<String> = specs.iter().filter(|s| s.parents.is_empty() && s.depends.is_empty()).map(|s| s.id.clone()).collect();
        prop_assert_eq!(ids_of(&map, &map.real_bases), real_bases);
    }

    /// `upgrade base:heads` applies every revision once, parents (and dependencies) first,
    /// and leaves the real heads in the version table. Then, for each real head `h` (offline
    /// downgrades start from one revision, as in Alembic), `upgrade base:h` leaves exactly
    /// `h`, and `downgrade h:base` undoes the same revisions, children first, and leaves the
    /// version table empty, as it started.
    #[test]
    fn upgrade_then_downgrade_returns_to_base(specs in history().prop_map(plannable)) {
        let map = build(&specs);
        let up = plan_upgrade(&map, "base:heads").expect("upgrade plan");
        let applied: Vec<&str> = up.steps.iter().filter_map(|s| s.revision_id.as_deref()).collect();
        prop_assert_eq!(applied.len(), specs.len());
        assert_parents_first(&specs, &applied, true)?;
        let after_up = replay(&up, &BTreeSet::new());
        prop_assert_eq!(&after_up, &up.end_heads.iter().cloned().collect::<BTreeSet<_>>());
        // Applying a revision deletes the revisions it depends on from the table, as Alembic's
        // head maintainer does (they are its `_normalized_down_revisions`).
        prop_assert_eq!(&after_up, &brute_real_heads(&specs));

        for head in brute_real_heads(&specs).into_iter().take(4) {
            let up = plan_upgrade(&map, &format!("base:{head}")).expect("upgrade plan");
            let applied: Vec<&str> = up.steps.iter().filter_map(|s| s.revision_id.as_deref()).collect();
            assert_parents_first(&specs, &applied, true)?;
            let table = replay(&up, &BTreeSet::new());
            prop_assert_eq!(&table, &BTreeSet::from([head.clone()]));
            let down = plan_downgrade(&map, &format!("{head}:base")).expect("downgrade plan");
            let mut undone: Vec<&str> = down.steps.iter().filter_map(|s| s.revision_id.as_deref()).collect();
            undone.reverse();
            assert_parents_first(&specs, &undone, false)?;
            let (a, u): (BTreeSet<&str>, BTreeSet<&str>) = (applied.iter().copied().collect(), undone.iter().copied().collect());
            prop_assert_eq!(a, u, "downgrade {}:base undoes what upgrade base:{} applied", head, head);
            prop_assert_eq!(replay(&down, &table), BTreeSet::new());
            prop_assert!(down.end_heads.is_empty());
        }
    }

    /// Any history, plannable or not: plans are made or refused with a message, never a
    /// panic, and a refused upgrade names the version-table change it cannot make.
    #[test]
    fn unplannable_histories_fail_cleanly(specs in history()) {
        let map = build(&specs);
        if let Err(e) = plan_upgrade(&map, "base:heads") {
            prop_assert!(e.0.starts_with("cannot ") && e.0.contains("the version table"), "{}", e.0);
        }
        for head in brute_real_heads(&specs).into_iter().take(2) {
            let _ = plan_downgrade(&map, &format!("{head}:base"));
        }
    }

    /// `rev`, partial ids, `heads` (the real heads), `label@head` (the `down_revision` head
    /// among the label's descendants), `rev+1` and `rev-1` against the reference.
    #[test]
    fn target_resolution_matches_reference(specs in history(), pick in any::<prop::sample::Index>(), len in 4usize..=12) {
        let map = build(&specs);
        let i = pick.index(specs.len());
        let id = specs[i].id.clone();

        prop_assert_eq!(resolved(&map, &id), Ok(BTreeSet::from([id.clone()])));
        let prefix = &id[..len];
        match reference_resolve(&specs, prefix) {
            Some(r) => prop_assert_eq!(resolved(&map, prefix), Ok(BTreeSet::from([specs[r].id.clone()]))),
            None => prop_assert!(resolved(&map, prefix).is_err(), "ambiguous {prefix} resolved"),
        }
        prop_assert_eq!(resolved(&map, "heads"), Ok(brute_real_heads(&specs)));

        if let Some(label) = &specs[i].label {
            let heads: Vec<usize> = descendants(&specs, i).into_iter().filter(|&d| children(&specs, d).is_empty()).collect();
            let got = resolved(&map, &format!("{label}@head"));
            if heads.len() == 1 {
                prop_assert_eq!(got, Ok(BTreeSet::from([specs[heads[0]].id.clone()])));
            } else {
                prop_assert!(got.is_err(), "{label}@head with {} heads resolved: {got:?}", heads.len());
            }
        }

        let kids = children(&specs, i);
        let next = relative(&map, &format!("{id}+1"));
        match kids.len() {
            0 => {}
            1 => prop_assert_eq!(next, Ok(BTreeSet::from([specs[kids[0]].id.clone()]))),
            _ => prop_assert!(next.is_err(), "{id}+1 with {} children resolved: {next:?}", kids.len()),
        }
        let prev = relative(&map, &format!("{id}-1"));
        match specs[i].parents.len() {
            0 => {}
            1 => prop_assert_eq!(prev, Ok(BTreeSet::from([specs[specs[i].parents[0]].id.clone()]))),
            _ => prop_assert!(prev.is_err(), "{id}-1 with {} parents resolved: {prev:?}", specs[i].parents.len()),
        }
    }
}
