//! Graph and target-resolution cases ported from Alembic's own test suite:
//! `tests/test_revision.py` (the `RevisionMap` tests) and the revision-map side of
//! `tests/test_version_traversal.py` (relative targets, branch labels, `depends_on`).
//!
//! Each test names the Alembic test it comes from. The graphs are the same; expected
//! results are Alembic's (checked against Alembic 1.20 with `PYTHONHASHSEED=0`). Where
//! Alembic's answer depends on Python set iteration order, the comparison is by set.
//!
//! `test_version_traversal.py` drives `ScriptDirectory._upgrade_revs` / `_downgrade_revs`;
//! those are `RevisionMap.iterate_revisions(..., inclusive=False, assert_relative_length=True)`
//! with `implicit_base=True` (upgrade, result reversed) or `select_for_downgrade=True`
//! (downgrade), which [`upgrade_revs`] / [`downgrade_revs`] reproduce. Alembic's tests use
//! random ids there; these use the variable names, in generation order.

use std::collections::BTreeSet;

use migplan::Code;
use migplan::Diagnostic;
use migplan::graph::RevisionMap;
use migplan::model::Revision;
use migplan::resolve::{Pos, RevArg, RevisionError};

// ---------------------------------------------------------------------------------------
// helpers

/// `(id, down_revision, depends_on, branch_labels)`, like Alembic's
/// `Revision(id, down, dependencies=..., branch_labels=...)`.
type Spec<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);

const NO: &[&str] = &[];

fn build(spec: &[Spec]) -> (RevisionMap, Vec<Diagnostic>) {
    let revs: Vec<Revision> = spec
        .iter()
        .map(|(id, down, deps, labels)| Revision::synthetic(id, down, deps, labels))
        .collect();
    RevisionMap::build(&revs)
}

/// A map that must build cleanly.
fn map_of(spec: &[Spec]) -> RevisionMap {
    let (map, diags) = build(spec);
    assert!(diags.is_empty(), "unexpected diagnostics: {diags:#?}");
    assert!(map.cycle.is_none(), "unexpected cycle: {:?}", map.cycle);
    map
}

fn ids<'m>(map: &'m RevisionMap, idx: &[usize]) -> Vec<&'m str> {
    idx.iter().map(|&i| map.id(i)).collect()
}

fn idx(map: &RevisionMap, id: &str) -> usize {
    *map.by_id.get(id).unwrap_or_else(|| panic!("no revision {id}"))
}

fn idxs(map: &RevisionMap, list: &[&str]) -> Vec<usize> {
    list.iter().map(|id| idx(map, id)).collect()
}

fn set<S: AsRef<str>>(items: &[S]) -> BTreeSet<String> {
    items.iter().map(|s| s.as_ref().to_string()).collect()
}

/// How Alembic would print a resolved position: a revision id, the `"base"` marker, or `None`.
fn name(map: &RevisionMap, p: Pos) -> Option<String> {
    match p {
        Pos::Rev(i) => Some(map.id(i).to_string()),
        Pos::Base => Some("base".to_string()),
        Pos::Nothing => None,
    }
}

/// Revision identifiers as Alembic's tests pass them: a string, a tuple/list, or `None`.
trait Arg {
    fn arg(self) -> RevArg;
}
impl Arg for &str {
    fn arg(self) -> RevArg {
        RevArg::str(self)
    }
}
impl<const N: usize> Arg for [&str; N] {
    fn arg(self) -> RevArg {
        RevArg::Tuple(self.iter().map(|s| s.to_string()).collect())
    }
}
impl Arg for RevArg {
    fn arg(self) -> RevArg {
        self
    }
}
const NONE: RevArg = RevArg::None;
/// Python's empty tuple `()`.
fn empty() -> RevArg {
    RevArg::Tuple(vec![])
}

/// `map.get_revision(x)` → id (or `None` for base).
fn get(map: &RevisionMap, id: &str) -> Option<String> {
    let p = map
        .get_revision(&RevArg::str(id))
        .unwrap_or_else(|e| panic!("get_revision({id:?}) failed: {}", e.message()));
    name(map, p)
}

fn get_err(map: &RevisionMap, id: &str) -> RevisionError {
    match map.get_revision(&RevArg::str(id)) {
        Ok(p) => panic!("get_revision({id:?}) gave {:?}, expected an error", name(map, p)),
        Err(e) => e,
    }
}

/// `map.get_revisions(x)` → ids.
fn get_all(map: &RevisionMap, a: impl Arg) -> Vec<Option<String>> {
    let a = a.arg();
    map.get_revisions(&a)
        .unwrap_or_else(|e| panic!("get_revisions({a:?}) failed: {}", e.message()))
        .into_iter()
        .map(|p| name(map, p))
        .collect()
}

fn some(list: &[&str]) -> Vec<Option<String>> {
    list.iter().map(|s| Some(s.to_string())).collect()
}

/// Keyword arguments of `iterate_revisions`; [`DOWN_ITERATE`] is the default of Alembic's
/// `DownIterateTest._assert_iteration` (`inclusive=True`).
#[derive(Clone, Copy, Debug)]
struct Opts {
    inclusive: bool,
    implicit_base: bool,
    select_for_downgrade: bool,
    assert_relative_length: bool,
}

const DOWN_ITERATE: Opts = Opts {
    inclusive: true,
    implicit_base: false,
    select_for_downgrade: false,
    assert_relative_length: true,
};

impl Opts {
    fn exclusive(self) -> Self {
        Opts { inclusive: false, ..self }
    }
    fn implicit_base(self) -> Self {
        Opts {
            implicit_base: true,
            ..self
        }
    }
    fn downgrade(self) -> Self {
        Opts {
            select_for_downgrade: true,
            ..self
        }
    }
}

fn iterate(map: &RevisionMap, upper: impl Arg, lower: impl Arg, o: Opts) -> Result<Vec<String>, RevisionError> {
    let out = map.iterate_revisions(
        &upper.arg(),
        &lower.arg(),
        o.implicit_base,
        o.inclusive,
        o.assert_relative_length,
        o.select_for_downgrade,
    )?;
    Ok(ids(map, &out).into_iter().map(str::to_string).collect())
}

/// Alembic's `_assert_iteration`: the exact order, which must also put every revision
/// before its (normalized) down revisions.
#[track_caller]
fn assert_iteration(map: &RevisionMap, upper: impl Arg, lower: impl Arg, expected: &[&str], o: Opts) {
    let (upper, lower) = (upper.arg(), lower.arg());
    let got = iterate(map, upper.clone(), lower.clone(), o)
        .unwrap_or_else(|e| panic!("iterate_revisions({upper:?}, {lower:?}, {o:?}) failed: {}", e.message()));
    assert_conforms(map, &got);
    assert_eq!(got, expected, "iterate_revisions({upper:?}, {lower:?}, {o:?})");
}

/// `sqla_testing_util.conforms_partial_ordering(edges, reversed(result))`.
#[track_caller]
fn assert_conforms(map: &RevisionMap, result: &[String]) {
    let pos = |id: &str| result.iter().position(|r| r == id);
    for (i, child) in result.iter().enumerate() {
        for parent in map.node(idx(map, child)).normalized_down() {
            if let Some(j) = pos(map.id(parent)) {
                assert!(j > i, "{} listed before its child {child} in {result:?}", map.id(parent));
            }
        }
    }
}

#[track_caller]
fn iterate_err(map: &RevisionMap, upper: impl Arg, lower: impl Arg, o: Opts) -> String {
    match iterate(map, upper, lower, o) {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.message(),
    }
}

/// `ScriptDirectory._upgrade_revs(destination, current)`, as revision ids in upgrade order.
fn upgrade_revs(map: &RevisionMap, destination: impl Arg, current: impl Arg) -> Result<Vec<String>, String> {
    let o = Opts {
        inclusive: false,
        implicit_base: true,
        select_for_downgrade: false,
        assert_relative_length: true,
    };
    let mut v = iterate(map, destination, current, o).map_err(|e| e.message())?;
    assert_conforms(map, &v);
    v.reverse();
    Ok(v)
}

/// `ScriptDirectory._downgrade_revs(destination, current)`, in downgrade order.
fn downgrade_revs(map: &RevisionMap, destination: impl Arg, current: impl Arg) -> Result<Vec<String>, String> {
    let o = Opts {
        inclusive: false,
        implicit_base: false,
        select_for_downgrade: true,
        assert_relative_length: true,
    };
    let v = iterate(map, current, destination, o).map_err(|e| e.message())?;
    assert_conforms(map, &v);
    Ok(v)
}

fn ok(list: &[&str]) -> Result<Vec<String>, String> {
    Ok(list.iter().map(|s| s.to_string()).collect())
}

fn err(msg: &str) -> Result<Vec<String>, String> {
    Err(msg.to_string())
}

const NO_SUCH_HINT: &str = "; please ensure at least four characters are present for partial revision identifier matches";

// ---------------------------------------------------------------------------------------
// APITest

fn abc1c2() -> RevisionMap {
    map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c1", &["b"], NO, NO),
        ("c2", &["b"], NO, NO),
    ])
}

// APITest.test_add_revision_one_head (no add_revision: the map is rebuilt with `d`)
#[test]
fn api_add_revision_one_head() {
    let map = map_of(&[("a", NO, NO, NO), ("b", &["a"], NO, NO), ("c", &["b"], NO, NO)]);
    assert_eq!(ids(&map, &map.heads), ["c"]);
    let map = map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c", &["b"], NO, NO),
        ("d", &["c"], NO, NO),
    ]);
    assert_eq!(ids(&map, &map.heads), ["d"]);
}

// APITest.test_add_revision_two_head
#[test]
fn api_add_revision_two_head() {
    let map = abc1c2();
    assert_eq!(ids(&map, &map.heads), ["c1", "c2"]);
    let map = map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c1", &["b"], NO, NO),
        ("c2", &["b"], NO, NO),
        ("d1", &["c1"], NO, NO),
    ]);
    assert_eq!(ids(&map, &map.heads), ["c2", "d1"]);
    assert_eq!(ids(&map, &map.bases), ["a"]);
    assert!(map.node(idx(&map, "b")).is_branch_point());
}

// APITest.test_get_revision_head_single / test_get_revision_base_single
#[test]
fn api_get_revision_head_and_base_single() {
    let map = map_of(&[("a", NO, NO, NO), ("b", &["a"], NO, NO), ("c", &["b"], NO, NO)]);
    assert_eq!(get(&map, "head").as_deref(), Some("c"));
    assert_eq!(map.get_revision(&RevArg::str("head")), Ok(Pos::Rev(idx(&map, "c"))));
    assert_eq!(get(&map, "base"), None);
    assert_eq!(map.get_revision(&RevArg::None), Ok(Pos::Nothing));
}

// APITest.test_get_revision_head_multiple / test_get_revision_heads_multiple
#[test]
fn api_get_revision_head_multiple() {
    let map = abc1c2();
    for arg in ["head", "heads"] {
        match get_err(&map, arg) {
            RevisionError::MultipleHeads { heads, argument } => {
                assert_eq!(heads, ["c1", "c2"]);
                assert_eq!(argument, arg);
            }
            e => panic!("expected MultipleHeads, got {e:?}"),
        }
        let msg = get_err(&map, arg).message();
        assert!(msg.starts_with("Multiple heads are present"), "{msg}");
        assert_eq!(msg, format!("Multiple heads are present for given argument '{arg}'; c1, c2"));
    }
}

// APITest.test_get_revisions_head_multiple / test_get_revisions_heads_multiple
#[test]
fn api_get_revisions_head_vs_heads() {
    let map = abc1c2();
    let e = map.get_revisions(&RevArg::str("head")).unwrap_err();
    assert!(matches!(e, RevisionError::MultipleHeads { .. }), "{e:?}");
    assert_eq!(e.message(), "Multiple heads are present for given argument 'head'; c1, c2");
    assert_eq!(get_all(&map, "heads"), some(&["c1", "c2"]));
}

// APITest.test_get_revision_base_multiple
#[test]
fn api_get_revision_base_multiple() {
    let map = map_of(&[("a", NO, NO, NO), ("b", &["a"], NO, NO), ("c", NO, NO, NO), ("d", &["c"], NO, NO)]);
    assert_eq!(get(&map, "base"), None);
    assert_eq!(ids(&map, &map.bases), ["a", "c"]);
    assert_eq!(ids(&map, &map.real_bases), ["a", "c"]);
    assert_eq!(get_all(&map, "base"), Vec::<Option<String>>::new());
}

// APITest.test_iterate_tolerates_dupe_targets
#[test]
fn api_iterate_tolerates_dupe_targets() {
    let map = map_of(&[("a", NO, NO, NO), ("b", &["a"], NO, NO), ("c", &["b"], NO, NO)]);
    assert_iteration(&map, ["c", "c"], "a", &["c", "b"], DOWN_ITERATE.exclusive());
}

// APITest (partial ids): prefixes of at least four characters of the full id, and the
// prefix itself may be shorter than four when the id is long (test_version_traversal's
// `self.b.revision[0:3]`).
#[test]
fn api_partial_ids() {
    let map = map_of(&[
        ("e6239818bb3a", NO, NO, NO),
        ("548bbb905360", &["e6239818bb3a"], NO, NO),
        ("548bbc000000", &["548bbb905360"], NO, NO),
    ]);
    assert_eq!(get(&map, "e623").as_deref(), Some("e6239818bb3a"));
    assert_eq!(get(&map, "e6").as_deref(), Some("e6239818bb3a"));
    assert_eq!(get(&map, "548bbb").as_deref(), Some("548bbb905360"));
    assert_eq!(
        get_err(&map, "548").message(),
        "Multiple revisions start with '548': '548bbb905360', '548bbc000000'..."
    );
    assert_eq!(get_err(&map, "ffff").message(), "No such revision or branch 'ffff'");
    assert_eq!(
        get_err(&map, "ff").message(),
        format!("No such revision or branch 'ff'{NO_SUCH_HINT}")
    );
    match get_err(&map, "ffff") {
        RevisionError::Resolution { argument, .. } => assert_eq!(argument, "ffff"),
        e => panic!("expected a resolution error, got {e:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// DiamondTest, EmptyMapTest, LongShortBranchTest

// DiamondTest.test_iterate_simple_diamond
#[test]
fn diamond_iterate() {
    let map = map_of(&[
        ("a", NO, NO, NO),
        ("b1", &["a"], NO, NO),
        ("b2", &["a"], NO, NO),
        ("c", &["b1", "b2"], NO, NO),
        ("d", &["c"], NO, NO),
    ]);
    assert_iteration(&map, "d", "a", &["d", "c", "b1", "b2", "a"], DOWN_ITERATE);
    assert!(map.node(idx(&map, "c")).is_merge_point());
    assert!(map.node(idx(&map, "a")).is_branch_point());
}

// EmptyMapTest.test_iterate (issue #258)
#[test]
fn empty_map_iterate() {
    let map = map_of(&[]);
    assert_iteration(&map, "head", "base", &[], DOWN_ITERATE);
    assert!(map.heads.is_empty() && map.bases.is_empty());
    assert_eq!(get(&map, "head"), None);
}

// LongShortBranchTest.test_iterate_full
#[test]
fn long_short_branch_iterate_full() {
    let map = map_of(&[
        ("a", NO, NO, NO),
        ("b1", &["a"], NO, NO),
        ("b2", &["a"], NO, NO),
        ("c1", &["b1"], NO, NO),
        ("d11", &["c1"], NO, NO),
        ("d12", &["c1"], NO, NO),
    ]);
    assert_iteration(&map, "heads", "base", &["b2", "d11", "d12", "c1", "b1", "a"], DOWN_ITERATE);
}

// ---------------------------------------------------------------------------------------
// LabeledBranchTest

fn labeled() -> RevisionMap {
    map_of(&[
        ("a", NO, NO, &["abranch"]),
        ("b", &["a"], NO, NO),
        ("somelongername", &["b"], NO, NO),
        ("c", &["somelongername"], NO, NO),
        ("d", NO, NO, NO),
        ("e", &["d"], NO, &["ebranch"]),
        ("someothername", &["e"], NO, NO),
        ("f", &["someothername"], NO, NO),
    ])
}

// LabeledBranchTest.test_dupe_branch_collection
#[test]
fn labeled_dupe_branch_collection() {
    let (_, diags) = build(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c", &["b"], NO, &["xy1"]),
        ("d", NO, NO, NO),
        ("e", &["d"], NO, &["xy1"]),
        ("f", &["e"], NO, NO),
    ]);
    let dupes: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == Code::DuplicateBranchLabel).collect();
    assert_eq!(dupes.len(), 1, "{diags:#?}");
    // Alembic's regex: "Branch name 'xy1' in revision (?:e|c) already used by revision (?:e|c)"
    let m = &dupes[0].message;
    assert!(
        m == "Branch name 'xy1' in revision e already used by revision c"
            || m == "Branch name 'xy1' in revision c already used by revision e",
        "{m}"
    );
}

// Branch labels share the namespace of revision ids (`_map_branch_labels` checks `map_`).
#[test]
fn labeled_branch_label_equal_to_revision_id() {
    let (_, diags) = build(&[("a", NO, NO, NO), ("b", &["a"], NO, &["a"])]);
    let msgs: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::DuplicateBranchLabel)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(msgs, ["Branch name 'a' in revision b already used by revision a"]);
}

// LabeledBranchTest.test_filter_for_lineage_labeled_head_across_merge
#[test]
fn labeled_filter_for_lineage_labeled_head_across_merge() {
    let map = map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c1", &["b"], NO, &["c1branch"]),
        ("c2", &["b"], NO, NO),
        ("d", &["c1", "c2"], NO, NO),
    ]);
    let targets = idxs(&map, &["c1", "c2", "d"]);
    let kept = map.filter_for_lineage(&targets, Some("c1branch@head"), false).unwrap();
    assert_eq!(ids(&map, &kept), ["c1", "c2", "d"]);
}

// LabeledBranchTest.test_filter_for_lineage_heads
#[test]
fn labeled_filter_for_lineage_heads() {
    let map = labeled();
    let kept = map.filter_for_lineage(&idxs(&map, &["f"]), Some("heads"), false).unwrap();
    assert_eq!(ids(&map, &kept), ["f"]);
}

// LabeledBranchTest.test_get_base_revisions_labeled / test_get_base_revisions
// (`_get_base_revisions(x)` is `filter_for_lineage(self.bases, x)`)
#[test]
fn labeled_get_base_revisions() {
    let map = labeled();
    let bases = map.bases.clone();
    let kept = map.filter_for_lineage(&bases, Some("somelongername@base"), false).unwrap();
    assert_eq!(ids(&map, &kept), ["a"]);
    let kept = map.filter_for_lineage(&bases, Some("base"), false).unwrap();
    assert_eq!(ids(&map, &kept), ["a", "d"]);
}

// LabeledBranchTest.test_get_current_named_rev / test_branch_at_heads / test_branch_at_syntax
#[test]
fn labeled_branch_at_syntax() {
    let map = labeled();
    assert_eq!(get(&map, "ebranch@head"), get(&map, "f"));
    assert_eq!(get(&map, "abranch@heads").as_deref(), Some("c"));
    assert_eq!(get(&map, "abranch@head").as_deref(), Some("c"));
    assert_eq!(get(&map, "abranch@base"), None);
    assert_eq!(get(&map, "ebranch@head").as_deref(), Some("f"));
    assert_eq!(get(&map, "ebranch@d").as_deref(), Some("d"));
    assert_eq!(get_all(&map, "ebranch@heads"), some(&["f"]));
    // a revision id used as the branch: any revision on its lineage
    assert_eq!(get(&map, "a@head").as_deref(), Some("c"));
    assert_eq!(get(&map, "c@base"), None);
}

// LabeledBranchTest.test_branch_at_self / test_retrieve_branch_revision / test_actually_short_rev_name
#[test]
fn labeled_retrieve_branch_revision() {
    let map = labeled();
    assert_eq!(get(&map, "ebranch@ebranch").as_deref(), Some("e"));
    assert_eq!(get(&map, "abranch").as_deref(), Some("a"));
    assert_eq!(get(&map, "ebranch").as_deref(), Some("e"));
    assert_eq!(get(&map, "e").as_deref(), Some("e"));
}

// Effective labels (`_add_branches`): a label flows to all descendants and down to
// unbranched ancestors.
#[test]
fn labeled_effective_labels() {
    let map = labeled();
    let labels = |id: &str| map.node(idx(&map, id)).links.labels.iter().cloned().collect::<Vec<_>>();
    for id in ["a", "b", "somelongername", "c"] {
        assert_eq!(labels(id), ["abranch"], "{id}");
    }
    for id in ["d", "e", "someothername", "f"] {
        assert_eq!(labels(id), ["ebranch"], "{id}");
    }
}

// LabeledBranchTest.test_iterate_head_to_named_base / test_iterate_named_head_to_base
#[test]
fn labeled_iterate_named_bases_and_heads() {
    let map = labeled();
    let e_side = ["f", "someothername", "e", "d"];
    let a_side = ["c", "somelongername", "b", "a"];
    assert_iteration(&map, "heads", "ebranch@base", &e_side, DOWN_ITERATE);
    assert_iteration(&map, "heads", "abranch@base", &a_side, DOWN_ITERATE);
    assert_iteration(&map, "ebranch@head", "base", &e_side, DOWN_ITERATE);
    assert_iteration(&map, "abranch@head", "base", &a_side, DOWN_ITERATE);
}

// LabeledBranchTest.test_iterate_named_head_to_heads / test_iterate_named_rev_to_heads /
// test_iterate_to_branch_at_rev
#[test]
fn labeled_iterate_named_rev_to_heads() {
    let map = labeled();
    assert_iteration(&map, "heads", "ebranch@head", &["f"], DOWN_ITERATE);
    assert_iteration(&map, "heads", "ebranch@d", &["f", "someothername", "e", "d"], DOWN_ITERATE);
}

// LabeledBranchTest.test_iterate_head_to_version_specific_base
#[test]
fn labeled_iterate_head_to_version_specific_base() {
    let map = labeled();
    assert_iteration(&map, "heads", "e@base", &["f", "someothername", "e", "d"], DOWN_ITERATE);
    assert_iteration(&map, "heads", "c@base", &["c", "somelongername", "b", "a"], DOWN_ITERATE);
}

// LabeledBranchTest.test_branch_w_down_relative / test_branch_w_up_relative
#[test]
fn labeled_branch_relative() {
    let map = labeled();
    assert_iteration(&map, "heads", "ebranch@-2", &["f", "someothername", "e"], DOWN_ITERATE);
    assert_iteration(&map, "ebranch@+2", "base", &["e", "d"], DOWN_ITERATE);
}

// `branch@-N` through get_revisions: walk down from the branch's head.
#[test]
fn labeled_get_revisions_branch_minus_n() {
    let map = labeled();
    assert_eq!(get_all(&map, "ebranch@-1"), some(&["someothername"]));
    assert_eq!(get_all(&map, "abranch@-1"), some(&["somelongername"]));
    assert_eq!(get_all(&map, "ebranch@-2"), some(&["e"]));
    // four steps down from c reach Alembic's "base" marker; five overwalk to None
    assert_eq!(get_all(&map, "abranch@-4"), vec![Some("base".to_string())]);
    assert_eq!(get_all(&map, "abranch@-5"), vec![None]);
    // no label: one walk per head
    assert_eq!(get_all(&map, "-1"), some(&["somelongername", "someothername"]));
}

// LabeledBranchTest.test_partial_id_resolve / test_partial_id_resolve_too_short
#[test]
fn labeled_partial_id_resolve() {
    let map = labeled();
    assert_eq!(get(&map, "ebranch@some").as_deref(), Some("someothername"));
    assert_eq!(get(&map, "abranch@some").as_deref(), Some("somelongername"));
    assert_eq!(get(&map, "somel").as_deref(), Some("somelongername"));
    assert_eq!(
        get_err(&map, "some").message(),
        "Multiple revisions start with 'some': 'somelongername', 'someothername'..."
    );
    assert_eq!(
        get_err(&map, "ebranch@sos").message(),
        format!("No such revision or branch 'sos'{NO_SUCH_HINT}")
    );
}

// LabeledBranchTest.test_rev_not_in_branch
#[test]
fn labeled_rev_not_in_branch() {
    let map = labeled();
    assert_eq!(
        get_err(&map, "ebranch@b").message(),
        "Revision b is not a member of branch 'ebranch'"
    );
    assert_eq!(
        get_err(&map, "abranch@d").message(),
        "Revision d is not a member of branch 'abranch'"
    );
    assert_eq!(get_err(&map, "f@abranch").message(), "Revision a is not a member of branch 'f'");
}

// LabeledBranchTest.test_no_revision_exists
#[test]
fn labeled_no_revision_exists() {
    let map = labeled();
    assert_eq!(get_err(&map, "abranch@qprstuv").message(), "No such revision or branch 'qprstuv'");
    assert_eq!(
        get_err(&map, "abranch@qpr").message(),
        format!("No such revision or branch 'qpr'{NO_SUCH_HINT}")
    );
}

// LabeledBranchTest.test_not_actually_a_branch / _partial_resolution / test_no_such_branch
#[test]
fn labeled_not_actually_a_branch() {
    let map = labeled();
    assert_eq!(get(&map, "e@d").as_deref(), Some("d"));
    assert_eq!(get(&map, "someoth@d").as_deref(), Some("d"));
    let e = get_err(&map, "x@d");
    assert_eq!(e.message(), "No such branch: 'x'");
    assert!(
        matches!(e, RevisionError::Resolution { ref argument, .. } if argument == "x"),
        "{e:?}"
    );
}

// MultipleHeads for a labelled head, and `head` on a map with two labelled lines.
#[test]
fn labeled_multiple_heads_for_label() {
    let map = labeled();
    let e = get_err(&map, "head");
    assert_eq!(e.message(), "Multiple heads are present for given argument 'head'; c, f");
    let map = map_of(&[("a", NO, NO, &["lib"]), ("b1", &["a"], NO, NO), ("b2", &["a"], NO, NO)]);
    let e = get_err(&map, "lib@head");
    assert_eq!(e.message(), "Multiple heads are present for given argument 'lib@head'; b1, b2");
    assert!(matches!(e, RevisionError::MultipleHeads { .. }));
    assert_eq!(get_all(&map, "lib@heads"), some(&["b1", "b2"]));
}

// ---------------------------------------------------------------------------------------
// relative targets (test_version_traversal RevisionPathTest / BranchedPathTest, at the
// RevisionMap level: _walk, _parse_upgrade_target, _parse_downgrade_target)

fn upgrade_target(map: &RevisionMap, target: &str, current: impl Arg) -> Result<Vec<Option<String>>, String> {
    map.parse_upgrade_target(&current.arg(), &RevArg::str(target), true)
        .map(|v| v.into_iter().map(|p| name(map, p)).collect())
        .map_err(|e| e.message())
}

fn downgrade_target(
    map: &RevisionMap,
    target: impl Arg,
    current: impl Arg,
    assert_relative_length: bool,
) -> Result<(Option<String>, Option<String>), String> {
    map.parse_downgrade_target(&current.arg(), &target.arg(), assert_relative_length)
        .map(|(label, p)| (label, name(map, p)))
        .map_err(|e| e.message())
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn relative_parse_upgrade_target() {
    let map = labeled();
    assert_eq!(upgrade_target(&map, "ebranch@+1", NONE), Ok(vec![s("d")]));
    assert_eq!(upgrade_target(&map, "ebranch@+3", NONE), Ok(vec![s("someothername")]));
    assert_eq!(upgrade_target(&map, "abranch@+2", "a"), Ok(vec![s("somelongername")]));
    assert_eq!(upgrade_target(&map, "+1", "d"), Ok(vec![s("e")]));
    assert_eq!(upgrade_target(&map, "+2", "d"), Ok(vec![s("someothername")]));
    // the current revision is not on the branch: start from the branch's tip among its
    // ancestors (none here, so from base)
    assert_eq!(upgrade_target(&map, "ebranch@+1", "b"), Ok(vec![s("d")]));
    assert_eq!(upgrade_target(&map, "ebranch@+1", ["c", "e"]), Ok(vec![s("someothername")]));
    assert_eq!(
        upgrade_target(&map, "+1", ["c", "e"]),
        Err("Ambiguous upgrade from multiple current revisions".into())
    );
    assert_eq!(upgrade_target(&map, "e+1", NONE), Ok(vec![s("someothername")]));
    assert_eq!(upgrade_target(&map, "f+1", NONE), Ok(vec![None]));
    assert_eq!(upgrade_target(&map, "somelongername-2", NONE), Ok(vec![s("a")]));
    assert_eq!(upgrade_target(&map, "abranch@head-2", NONE), Ok(vec![s("b")]));
    assert_eq!(upgrade_target(&map, "abranch@head-9", NONE), Ok(vec![None]));
    assert_eq!(upgrade_target(&map, "base+1", NONE), Err("Ambiguous walk".into()));
    assert_eq!(upgrade_target(&map, "abranch@base+1", NONE), Ok(vec![s("a")]));
    assert_eq!(upgrade_target(&map, "heads", NONE), Ok(vec![s("c"), s("f")]));
}

#[test]
fn relative_parse_downgrade_target() {
    let map = labeled();
    let t = |target: &str, current: RevArg, assert_len: bool| downgrade_target(&map, target, current, assert_len);
    assert_eq!(t("abranch@-2", ["c", "f"].arg(), true), Ok((s("abranch"), s("b"))));
    // `-1` from several heads takes the first current revision as the branch
    assert_eq!(t("-1", ["c", "f"].arg(), true), Ok((s("c"), s("somelongername"))));
    assert_eq!(t("e+1", "f".arg(), true), Ok((None, s("someothername"))));
    assert_eq!(t("abranch@base+2", "f".arg(), true), Ok((s("abranch"), s("b"))));
    assert_eq!(t("base+2", "f".arg(), true), Err("Ambiguous walk".into()));
    assert_eq!(t("e-1", "f".arg(), true), Ok((None, s("d"))));
    assert_eq!(t("e-9", "f".arg(), true), Err("Walked too far".into()));
    assert_eq!(t("e-9", "f".arg(), false), Ok((None, s("base"))));
    assert_eq!(t("e+9", "f".arg(), true), Err("Walked too far".into()));
    assert_eq!(t("e+9", "f".arg(), false), Ok((None, s("f"))));
    assert_eq!(
        t("+1", "f".arg(), true),
        Err("Relative revision +1 didn't produce 1 migrations".into())
    );
    assert_eq!(
        t("abranch@-9", "c".arg(), true),
        Err("Relative revision -9 didn't produce 9 migrations".into())
    );
    assert_eq!(t("abranch@-9", "c".arg(), false), Ok((s("abranch"), s("base"))));
    assert_eq!(downgrade_target(&map, NONE, "f", true), Ok((None, None)));
    // current revisions are matched as ids, partial ids or labels, not as symbols
    assert_eq!(
        t("ebranch@-1", "heads".arg(), true),
        Err("No such revision or branch 'heads'".into())
    );
    assert_eq!(t("ebranch@-1", ["c", "someoth"].arg(), true), Ok((s("ebranch"), s("e"))));
    assert_eq!(t("ebranch@-1", ["c", "ebranch"].arg(), true), Ok((s("ebranch"), s("d"))));
}

// `branch@+N` from the current revisions: Alembic keeps them as strings and resolves only
// the one it walks from, after checking for ambiguity.
#[test]
fn relative_upgrade_from_relative_current() {
    let map = labeled();
    assert_iteration(&map, "ebranch@+1", "ebranch@-1", &["f", "someothername"], DOWN_ITERATE);
    assert_iteration(&map, "ebranch@+1", "ebranch@-2", &["someothername", "e"], DOWN_ITERATE);
    assert_eq!(
        upgrade_target(&map, "+1", ["c", "zzzz"]),
        Err("Ambiguous upgrade from multiple current revisions".into())
    );
    assert_eq!(
        upgrade_target(&map, "ebranch@+1", ["zzzz"]),
        Err("No such revision or branch 'zzzz'".into())
    );
    // x is both base and head of its branch: `xl@-1` walks to Alembic's "base" marker, which
    // filter_for_lineage then fails to look up
    let map = map_of(&[("x", NO, NO, &["xl"]), ("y", NO, NO, NO), ("y2", &["y"], NO, NO)]);
    assert_eq!(
        upgrade_target(&map, "xl@+1", "xl@-1"),
        Err("No such revision or branch 'base'".into())
    );
    assert_eq!(
        iterate_err(&map, "heads", "xl@-1", DOWN_ITERATE),
        "Revision xl@-1 is not an ancestor of revision heads"
    );
}

// `-1` walks down from every head; two heads on one parent name it twice. Alembic's overlap
// check works on sets, so the parent is named once.
#[test]
fn overlap_named_once_for_duplicate_targets() {
    let map = map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c", &["a"], NO, NO),
        ("d", &["a"], NO, NO),
        ("e", &["b"], NO, NO),
    ]);
    assert_eq!(get_all(&map, "-1"), some(&["a", "a", "b"]));
    assert_eq!(
        iterate_err(&map, "e", "-1", DOWN_ITERATE.exclusive().implicit_base()),
        "Requested revision b overlaps with other requested revisions a"
    );
}

// `branch@-N` as the lower bound of a range, when the walk overshoots: Alembic falls back to
// `_parse_downgrade_target` with the upper bound as the current revisions.
#[test]
fn relative_lower_bound_overwalk() {
    let map = labeled();
    let o = Opts {
        assert_relative_length: false,
        ..DOWN_ITERATE
    };
    assert_iteration(&map, "heads", "abranch@-3", &["c", "somelongername", "b", "a"], o);
    assert_eq!(iterate_err(&map, "heads", "abranch@-5", o), "No such revision or branch 'heads'");
    assert_eq!(
        map.walk_revisions("abranch@-5", "heads").unwrap_err(),
        "Can't locate revision identified by 'heads'"
    );
    let down = DOWN_ITERATE.exclusive().downgrade();
    assert_iteration(&map, ["c", "f"], "ebranch@-1", &["f"], down);
    assert_iteration(&map, ["c", "someoth"], "ebranch@-1", &["someothername"], down);
    assert_iteration(&map, ["c", "ebranch"], "ebranch@-1", &["e"], down);
}

// Alembic formats the arguments of RangeNotAncestorError / MultipleHeads with `%s`: a
// falsy one reads `base`, a tuple prints as its repr.
#[test]
fn error_messages_format_arguments_like_python() {
    let map = labeled();
    let o = DOWN_ITERATE.exclusive();
    assert_eq!(iterate_err(&map, empty(), "e", o), "Revision e is not an ancestor of revision base");
    assert_eq!(iterate_err(&map, NONE, "e", o), "Revision e is not an ancestor of revision base");
    assert_eq!(
        iterate_err(&map, "c", ["e", "d"], o),
        "Revision ('e', 'd') is not an ancestor of revision c"
    );
    assert_eq!(iterate_err(&map, ["c"], "e", o), "Revision e is not an ancestor of revision ('c',)");
    assert_eq!(iterate_err(&map, "c", ["e"], o), "Revision ('e',) is not an ancestor of revision c");
    assert_eq!(
        iterate_err(&map, ["c", "b"], "e", o),
        "Requested revision c overlaps with other requested revisions b"
    );
    let map = map_of(&[("a", NO, NO, NO), ("b", &["a"], NO, NO)]);
    assert_eq!(
        map.get_revision(&["a", "b"].arg()).unwrap_err().message(),
        "Multiple heads are present for given argument '('a', 'b')'; a, b"
    );
    assert_eq!(get_all(&map, ["a"]), some(&["a"]));
    assert_eq!(map.get_revision(&["a"].arg()), Ok(Pos::Rev(idx(&map, "a"))));
    assert_eq!(map.get_revision(&empty()), Ok(Pos::Nothing));
}

// RevisionMap._walk
#[test]
fn relative_walk() {
    let map = labeled();
    let at = |id: &str| Pos::Rev(idx(&map, id));
    let w = |start: Pos, steps: i64, label: Option<&str>, no_overwalk: bool| {
        map.walk(start, steps, label, no_overwalk)
            .map(|p| name(&map, p))
            .map_err(|e| e.message())
    };
    assert_eq!(w(at("c"), -2, None, true), Ok(s("b")));
    assert_eq!(w(at("a"), -1, None, true), Ok(s("base")));
    assert_eq!(w(at("a"), -2, None, true), Ok(None));
    assert_eq!(w(at("a"), -2, None, false), Ok(s("base")));
    assert_eq!(w(Pos::Nothing, 1, None, true), Err("Ambiguous walk".into()));
    assert_eq!(w(Pos::Nothing, -1, None, true), Err("Ambiguous walk".into()));
    assert_eq!(w(at("d"), 2, Some("ebranch"), true), Ok(s("someothername")));
    assert_eq!(w(at("b"), 9, None, true), Ok(None));
    assert_eq!(w(at("b"), 9, None, false), Ok(s("c")));
}

fn linear_five() -> RevisionMap {
    map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c", &["b"], NO, NO),
        ("d", &["c"], NO, NO),
        ("e", &["d"], NO, NO),
    ])
}

// test_version_traversal RevisionPathTest.test_upgrade_path / test_relative_upgrade_path
#[test]
fn revision_path_relative_upgrade() {
    let map = linear_five();
    assert_eq!(upgrade_revs(&map, "e", "c"), ok(&["d", "e"]));
    assert_eq!(upgrade_revs(&map, "c", NONE), ok(&["a", "b", "c"]));
    assert_eq!(upgrade_revs(&map, "+2", "a"), ok(&["b", "c"]));
    assert_eq!(upgrade_revs(&map, "+1", "a"), ok(&["b"]));
    assert_eq!(upgrade_revs(&map, "+3", "b"), ok(&["c", "d", "e"]));
    assert_eq!(upgrade_revs(&map, "b+2", "a"), ok(&["b", "c", "d"]));
    assert_eq!(upgrade_revs(&map, "d-2", "a"), ok(&["b"]));
}

// RevisionPathTest.test_invalid_relative_upgrade_path
#[test]
fn revision_path_invalid_relative_upgrade() {
    let map = linear_five();
    assert_eq!(
        upgrade_revs(&map, "-2", "b"),
        err("Relative revision -2 didn't produce 2 migrations")
    );
    assert_eq!(
        upgrade_revs(&map, "+5", "b"),
        err("Relative revision +5 didn't produce 5 migrations")
    );
}

// RevisionPathTest.test_downgrade_path / test_relative_downgrade_path /
// test_downgrade_to_existing(_head) / test_downgrade_base_no_version
#[test]
fn revision_path_relative_downgrade() {
    let map = linear_five();
    assert_eq!(downgrade_revs(&map, "c", "e"), ok(&["e", "d"]));
    assert_eq!(downgrade_revs(&map, NONE, "c"), ok(&["c", "b", "a"]));
    assert_eq!(downgrade_revs(&map, "-1", "c"), ok(&["c"]));
    assert_eq!(downgrade_revs(&map, "-3", "e"), ok(&["e", "d", "c"]));
    assert_eq!(downgrade_revs(&map, "a+2", "d"), ok(&["d"]));
    assert_eq!(downgrade_revs(&map, "c-2", "d"), ok(&["d", "c", "b"]));
    assert_eq!(downgrade_revs(&map, "a", "a"), ok(&[]));
    assert_eq!(downgrade_revs(&map, "e", "e"), ok(&[]));
    assert_eq!(downgrade_revs(&map, "base", empty()), ok(&[]));
}

// RevisionPathTest.test_invalid_relative_downgrade_path / test_invalid_move_rev_to_none /
// test_invalid_move_higher_to_lower (the RevisionMap error; the command layer rewords it as
// "Destination ... is not a valid downgrade target from current head(s)")
#[test]
fn revision_path_invalid_downgrade() {
    let map = linear_five();
    assert_eq!(
        downgrade_revs(&map, "-5", "b"),
        err("Relative revision -5 didn't produce 5 migrations")
    );
    assert_eq!(
        downgrade_revs(&map, "+2", "b"),
        err("Relative revision +2 didn't produce 2 migrations")
    );
    assert_eq!(
        downgrade_revs(&map, "b", NONE),
        err("Revision Nothing to drop is not an ancestor of revision base")
    );
    assert_eq!(
        downgrade_revs(&map, "c", "b"),
        err("Revision Nothing to drop is not an ancestor of revision b")
    );
    let e = iterate(&map, "b", "c", DOWN_ITERATE.exclusive().downgrade()).unwrap_err();
    assert!(matches!(e, RevisionError::RangeNotAncestor { .. }), "{e:?}");
}

fn branched_path() -> RevisionMap {
    map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c1", &["b"], NO, &["c1branch"]),
        ("d1", &["c1"], NO, NO),
        ("c2", &["b"], NO, &["c2branch"]),
        ("d2", &["c2"], NO, NO),
    ])
}

// BranchedPathTest.test_upgrade_single_branch / test_upgrade_multiple_branch /
// test_relative_upgrade / test_upgrade_from_base(_implicit)
#[test]
fn branched_path_upgrade() {
    let map = branched_path();
    assert_eq!(upgrade_revs(&map, "d1", "b"), ok(&["c1", "d1"]));
    assert_eq!(upgrade_revs(&map, ["d1", "d2"], "a"), ok(&["b", "c2", "d2", "c1", "d1"]));
    assert_eq!(upgrade_revs(&map, "c2branch@head-1", "b"), ok(&["c2"]));
    assert_eq!(upgrade_revs(&map, "base+1", empty()), ok(&["a"]));
    assert_eq!(upgrade_revs(&map, "+1", empty()), ok(&["a"]));
}

// BranchedPathTest.test_upgrade_other_branch_from_mergepoint /
// test_upgrade_one_branch_of_heads / test_ambiguous_upgrade
#[test]
fn branched_path_branch_relative_upgrade() {
    let map = branched_path();
    assert_eq!(upgrade_revs(&map, "c2branch@+1", "c1"), ok(&["c2"]));
    assert_eq!(upgrade_revs(&map, "c2branch@+1", ["c1", "c2"]), ok(&["d2"]));
    assert_eq!(
        upgrade_revs(&map, "+1", ["c1", "c2"]),
        err("Ambiguous upgrade from multiple current revisions")
    );
}

// BranchedPathTest.test_downgrade_multiple_branch / test_relative_downgrade_baseplus2 /
// test_relative_downgrade_branchplus2 / test_relative_downgrade_branchplus3
#[test]
fn branched_path_downgrade() {
    let map = branched_path();
    assert_eq!(downgrade_revs(&map, "a", ["d1", "d2"]), ok(&["d1", "c1", "d2", "c2", "b"]));
    assert_eq!(downgrade_revs(&map, "base+2", ["d2", "d1"]), ok(&["d1", "c1", "d2", "c2"]));
    assert_eq!(downgrade_revs(&map, "c2branch@base+2", ["d2", "d1"]), ok(&["d2", "c2"]));
    assert_eq!(downgrade_revs(&map, "c2", ["d2", "d1"]), ok(&["d2"]));
    assert_eq!(downgrade_revs(&map, "c2branch@base+3", ["d2", "d1"]), ok(&["d2"]));
}

// BranchedPathTest.test_downgrade_once_order_{right,left}{,_unbalanced}{,_labelled} /
// test_downgrade_relative_order_{right,left} / test_downgrade_relative_to_branch_head
#[test]
fn branched_path_downgrade_minus_one() {
    let map = branched_path();
    assert_eq!(downgrade_revs(&map, "-1", ["d2", "d1"]), ok(&["d2"]));
    assert_eq!(downgrade_revs(&map, "-1", ["c2", "d1"]), ok(&["c2"]));
    assert_eq!(downgrade_revs(&map, "-1", ["d1", "d2"]), ok(&["d1"]));
    assert_eq!(downgrade_revs(&map, "-1", ["c1", "d2"]), ok(&["c1"]));
    assert_eq!(downgrade_revs(&map, "c1branch@-1", ["d1", "d2"]), ok(&["d1"]));
    assert_eq!(downgrade_revs(&map, "d2-1", ["d2", "c1"]), ok(&["d2"]));
    assert_eq!(downgrade_revs(&map, "d2-1", ["c1", "d2"]), ok(&["d2"]));
    assert_eq!(downgrade_revs(&map, "c1branch@head-1", ["d1", "d2"]), ok(&["d1"]));
}

// BranchedPathTest.test_downgrade_single_branch_{c1branch,c1branch_from_d1_head,c2,d1}
#[test]
fn branched_path_downgrade_single_branch() {
    let map = branched_path();
    assert_eq!(downgrade_revs(&map, "c1branch@b", ["c1", "d2"]), ok(&["c1"]));
    assert_eq!(downgrade_revs(&map, "c2branch@b", ["c1", "d2"]), ok(&["d2", "c2"]));
    assert_eq!(downgrade_revs(&map, "c2@b", ["d1", "d2"]), ok(&["d2", "c2"]));
    assert_eq!(downgrade_revs(&map, "d1@b", ["d1", "d2"]), ok(&["d1", "c1"]));
}

// BranchedPathTest.test_downgrade_minus1_to_base / _from_base / test_downgrade_no_effect_branched
#[test]
fn branched_path_downgrade_edges() {
    let map = branched_path();
    assert_eq!(downgrade_revs(&map, "-1", ["a"]), ok(&["a"]));
    assert_eq!(
        downgrade_revs(&map, "-1", empty()),
        err("Relative revision -1 didn't produce 1 migrations")
    );
    assert_eq!(downgrade_revs(&map, "c2", ["d1", "c2"]), ok(&[]));
    assert_eq!(downgrade_revs(&map, "d1", ["d1", "c2"]), ok(&[]));
}

// ---------------------------------------------------------------------------------------
// MultipleBranchTest

fn multiple_branch() -> RevisionMap {
    map_of(&[
        ("a", NO, NO, NO),
        ("b1", &["a"], NO, NO),
        ("b2", &["a"], NO, NO),
        ("cb1", &["b1"], NO, NO),
        ("cb2", &["b2"], NO, NO),
        ("d1cb1", &["cb1"], NO, NO),
        ("d2cb1", &["cb1"], NO, NO),
        ("d1cb2", &["cb2"], NO, NO),
        ("d2cb2", &["cb2"], NO, NO),
        ("d3cb2", &["cb2"], NO, NO),
        ("d1d2cb2", &["d1cb2", "d2cb2"], NO, NO),
    ])
}

// MultipleBranchTest.test_iterate_from_merge_point / test_iterate_multiple_heads /
// test_iterate_single_branch / test_iterate_single_branch_to_base
#[test]
fn multiple_branch_iterate() {
    let map = multiple_branch();
    assert_eq!(ids(&map, &map.heads), ["d1cb1", "d2cb1", "d3cb2", "d1d2cb2"]);
    assert_iteration(&map, "d1d2cb2", "a", &["d1d2cb2", "d1cb2", "d2cb2", "cb2", "b2", "a"], DOWN_ITERATE);
    assert_iteration(&map, ["d2cb2", "d3cb2"], "a", &["d2cb2", "d3cb2", "cb2", "b2", "a"], DOWN_ITERATE);
    assert_iteration(&map, "d3cb2", "a", &["d3cb2", "cb2", "b2", "a"], DOWN_ITERATE);
    assert_iteration(&map, "d3cb2", "base", &["d3cb2", "cb2", "b2", "a"], DOWN_ITERATE);
}

// MultipleBranchTest.test_iterate_multiple_branch_to_base / test_iterate_multiple_heads_single_base
#[test]
fn multiple_branch_iterate_multiple_heads() {
    let map = multiple_branch();
    assert_iteration(
        &map,
        ["d3cb2", "cb1"],
        "base",
        &["cb1", "b1", "d3cb2", "cb2", "b2", "a"],
        DOWN_ITERATE,
    );
    // d1cb1 is omitted: it is not a descendant of b2
    assert_iteration(
        &map,
        ["d1cb1", "d2cb2", "d3cb2"],
        "b2",
        &["d2cb2", "d3cb2", "cb2", "b2"],
        DOWN_ITERATE,
    );
}

// MultipleBranchTest.test_same_branch_wrong_direction / test_distinct_branches /
// test_wrong_direction_to_base_as_none / _as_empty
#[test]
fn multiple_branch_not_ancestor() {
    let map = multiple_branch();
    let o = Opts {
        inclusive: false,
        ..DOWN_ITERATE
    };
    assert_eq!(
        iterate_err(&map, "b1", "d1cb1", o),
        "Revision d1cb1 is not an ancestor of revision b1"
    );
    assert_eq!(
        iterate_err(&map, "d2cb2", "b1", o),
        "Revision b1 is not an ancestor of revision d2cb2"
    );
    assert_eq!(
        iterate_err(&map, NONE, "d1cb1", o),
        "Revision d1cb1 is not an ancestor of revision base"
    );
    assert_eq!(
        iterate_err(&map, empty(), "d1cb1", o),
        "Revision d1cb1 is not an ancestor of revision base"
    );
    let e = iterate(&map, "b1", "d1cb1", o).unwrap_err();
    assert_eq!(
        e,
        RevisionError::RangeNotAncestor {
            lower: Some("d1cb1".into()),
            upper: Some("b1".into())
        }
    );
}

// ScriptDirectory.walk_revisions over the same map: `history` order and the command-layer
// message for an unrelated range.
#[test]
fn multiple_branch_walk_revisions() {
    let map = multiple_branch();
    let all = map.walk_revisions("base", "heads").unwrap();
    assert_eq!(
        ids(&map, &all),
        [
            "d1cb1", "d2cb1", "cb1", "b1", "d3cb2", "d1d2cb2", "d1cb2", "d2cb2", "cb2", "b2", "a"
        ]
    );
    assert_eq!(ids(&map, &map.walk_revisions("a", "d3cb2").unwrap()), ["d3cb2", "cb2", "b2", "a"]);
    assert_eq!(
        map.walk_revisions("b1", "d2cb2").unwrap_err(),
        "Requested range b1:d2cb2 does not refer to ancestor/descendant revisions along the same branch"
    );
}

// ---------------------------------------------------------------------------------------
// MultipleBranchEffectiveHead

fn effective_head() -> RevisionMap {
    map_of(&[
        ("y1", NO, NO, &["y"]),
        ("x1", NO, NO, &["x"]),
        ("y2", &["y1"], &["x1"], NO),
        ("x2", &["x1"], NO, NO),
    ])
}

// MultipleBranchEffectiveHead.test_other_downgrade / test_use_all_current / test_effective_head
#[test]
fn multiple_branch_effective_head() {
    let map = effective_head();
    let o = DOWN_ITERATE.exclusive().downgrade();
    assert_iteration(&map, ["x2", "y2"], "x@-1", &["x2"], o);
    assert_iteration(&map, ["x1", "y2"], "x@-1", &["y2", "x1"], o);
    assert_iteration(&map, "y2", "x@-1", &["y2", "x1"], o);
}

// ---------------------------------------------------------------------------------------
// BranchTravellingTest

fn branch_travelling() -> RevisionMap {
    map_of(&[
        ("a1", NO, NO, NO),
        ("a2", &["a1"], NO, NO),
        ("a3", &["a2"], NO, NO),
        ("b1", &["a3"], NO, NO),
        ("b2", &["a3"], NO, NO),
        ("cb1", &["b1"], NO, NO),
        ("cb2", &["b2"], NO, NO),
        ("db1", &["cb1"], NO, NO),
        ("db2", &["cb2"], NO, NO),
        ("e1b1", &["db1"], NO, NO),
        ("fe1b1", &["e1b1"], NO, NO),
        ("e2b1", &["db1"], NO, NO),
        ("e2b2", &["db2"], NO, NO),
        ("merge", &["e2b1", "e2b2"], NO, NO),
    ])
}

// BranchTravellingTest.test_iterate_one_branch_both_to_merge
#[test]
fn branch_travelling_one_branch_both_to_merge() {
    let map = branch_travelling();
    assert_iteration(
        &map,
        "merge",
        "db1",
        &["merge", "e2b1", "db1", "e2b2", "db2", "cb2", "b2"],
        DOWN_ITERATE.implicit_base(),
    );
}

// BranchTravellingTest.test_three_branches_end_in_single_branch
#[test]
fn branch_travelling_three_branches_end_in_single_branch() {
    let map = branch_travelling();
    assert_iteration(
        &map,
        ["merge", "fe1b1"],
        "a3",
        &[
            "fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3",
        ],
        DOWN_ITERATE,
    );
}

// BranchTravellingTest.test_two_branches_to_root / test_two_branches_end_in_branch /
// test_two_branches_end_behind_branch
#[test]
fn branch_travelling_two_branches() {
    let map = branch_travelling();
    assert_iteration(
        &map,
        "merge",
        "a1",
        &["merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2", "a1"],
        DOWN_ITERATE,
    );
    assert_iteration(&map, "merge", "b1", &["merge", "e2b1", "db1", "cb1", "b1"], DOWN_ITERATE);
    assert_iteration(
        &map,
        "merge",
        "a2",
        &["merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2"],
        DOWN_ITERATE,
    );
}

// BranchTravellingTest.test_three_branches_to_root
#[test]
fn branch_travelling_three_branches_to_root() {
    let map = branch_travelling();
    assert_iteration(
        &map,
        ["merge", "fe1b1"],
        "a1",
        &[
            "fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "b1", "e2b2", "db2", "cb2", "b2", "a3", "a2", "a1",
        ],
        DOWN_ITERATE,
    );
}

// BranchTravellingTest.test_three_branches_end_multiple_bases(_exclusive)
#[test]
fn branch_travelling_three_branches_end_multiple_bases() {
    let map = branch_travelling();
    assert_iteration(
        &map,
        ["merge", "fe1b1"],
        ["cb1", "cb2"],
        &["fe1b1", "e1b1", "merge", "e2b1", "db1", "cb1", "e2b2", "db2", "cb2"],
        DOWN_ITERATE,
    );
    assert_iteration(
        &map,
        ["merge", "fe1b1"],
        ["cb1", "cb2"],
        &["fe1b1", "e1b1", "merge", "e2b1", "db1", "e2b2", "db2"],
        DOWN_ITERATE.exclusive(),
    );
}

// BranchTravellingTest.test_detect_invalid_head_selection
#[test]
fn branch_travelling_detect_invalid_head_selection() {
    let map = branch_travelling();
    let msg = iterate_err(&map, ["db1", "b2", "fe1b1"], empty(), DOWN_ITERATE.exclusive());
    assert!(
        msg.starts_with("Requested revision fe1b1 overlaps with other requested revisions"),
        "{msg}"
    );
    assert_eq!(msg, "Requested revision fe1b1 overlaps with other requested revisions db1");
}

// BranchTravellingTest.test_three_branches_end_multiple_bases_exclusive_blank /
// test_iterate_to_symbolic_base
#[test]
fn branch_travelling_to_blank_and_symbolic_base() {
    let map = branch_travelling();
    assert_iteration(
        &map,
        ["e2b1", "b2", "fe1b1"],
        empty(),
        &["b2", "fe1b1", "e1b1", "e2b1", "db1", "cb1", "b1", "a3", "a2", "a1"],
        DOWN_ITERATE.exclusive(),
    );
    assert_iteration(
        &map,
        ["fe1b1"],
        "base",
        &["fe1b1", "e1b1", "db1", "cb1", "b1", "a3", "a2", "a1"],
        DOWN_ITERATE.exclusive(),
    );
}

// BranchTravellingTest.test_ancestor_nodes
#[test]
fn branch_travelling_ancestor_nodes() {
    let map = branch_travelling();
    let anc = map.ancestors(&[idx(&map, "merge")], true);
    assert_eq!(
        set(&ids(&map, &anc)),
        set(&["a1", "e2b2", "e2b1", "cb2", "merge", "a3", "a2", "b1", "b2", "db1", "db2", "cb1"])
    );
    let checked = map.iterate_related_checked(&[idx(&map, "merge")], migplan::graph::Edges::NormalizedDown);
    assert_eq!(set(&ids(&map, &checked.unwrap())), set(&ids(&map, &anc)));
}

// ---------------------------------------------------------------------------------------
// MultipleBaseTest

fn multiple_base() -> RevisionMap {
    map_of(&[
        ("base1", NO, NO, NO),
        ("base2", NO, NO, NO),
        ("base3", NO, NO, NO),
        ("a1a", &["base1"], NO, NO),
        ("a1b", &["base1"], NO, NO),
        ("a2", &["base2"], NO, NO),
        ("a3", &["base3"], NO, NO),
        ("b1a", &["a1a"], NO, NO),
        ("b1b", &["a1b"], NO, NO),
        ("b2", &["a2"], NO, NO),
        ("b3", &["a3"], NO, NO),
        ("c2", &["b2"], NO, NO),
        ("d2", &["c2"], NO, NO),
        ("mergeb3d2", &["b3", "d2"], NO, NO),
    ])
}

const MULTIPLE_BASE_ALL: &[&str] = &[
    "b1a",
    "a1a",
    "b1b",
    "a1b",
    "base1",
    "mergeb3d2",
    "b3",
    "a3",
    "base3",
    "d2",
    "c2",
    "b2",
    "a2",
    "base2",
];

// MultipleBaseTest.test_heads_to_base / test_heads_to_base_exclusive / test_heads_to_blank
#[test]
fn multiple_base_heads_to_base() {
    let map = multiple_base();
    assert_iteration(&map, "heads", "base", MULTIPLE_BASE_ALL, DOWN_ITERATE);
    assert_iteration(&map, "heads", "base", MULTIPLE_BASE_ALL, DOWN_ITERATE.exclusive());
    assert_iteration(&map, "heads", NONE, MULTIPLE_BASE_ALL, DOWN_ITERATE);
    assert_eq!(ids(&map, &map.walk_revisions("base", "heads").unwrap()), MULTIPLE_BASE_ALL);
}

// MultipleBaseTest.test_detect_invalid_base_selection
#[test]
fn multiple_base_detect_invalid_base_selection() {
    let map = multiple_base();
    let msg = iterate_err(&map, ["c2"], ["a2", "b2"], DOWN_ITERATE);
    assert!(msg.contains("overlaps with other requested revisions"), "{msg}");
    // the lower targets are walked in order: b2 reaches a2, which was requested too
    assert_eq!(msg, "Requested revision b2 overlaps with other requested revisions a2");
}

// MultipleBaseTest.test_heads_to_revs_plus_implicit_base_exclusive /
// test_heads_to_revs_base_exclusive / test_heads_to_revs_plus_implicit_base_inclusive
#[test]
fn multiple_base_heads_to_revs() {
    let map = multiple_base();
    assert_iteration(
        &map,
        "heads",
        ["c2"],
        &["b1a", "a1a", "b1b", "a1b", "base1", "mergeb3d2", "b3", "a3", "base3", "d2"],
        DOWN_ITERATE.exclusive().implicit_base(),
    );
    assert_iteration(&map, "heads", ["c2"], &["mergeb3d2", "d2"], DOWN_ITERATE.exclusive());
    assert_iteration(
        &map,
        "heads",
        ["c2"],
        &["b1a", "a1a", "b1b", "a1b", "base1", "mergeb3d2", "b3", "a3", "base3", "d2", "c2"],
        DOWN_ITERATE.implicit_base(),
    );
}

// MultipleBaseTest.test_specific_path_one / test_specific_path_two_implicit_base
#[test]
fn multiple_base_specific_paths() {
    let map = multiple_base();
    assert_iteration(&map, "b3", "base3", &["b3", "a3", "base3"], DOWN_ITERATE);
    assert_iteration(
        &map,
        ["b3", "b2"],
        "base3",
        &["b2", "a2", "base2", "b3", "a3"],
        DOWN_ITERATE.exclusive().implicit_base(),
    );
}

// ---------------------------------------------------------------------------------------
// MultipleBaseCrossDependencyTestOne

fn cross_dependency_one() -> RevisionMap {
    map_of(&[
        ("base1", NO, NO, &["b_1"]),
        ("a1a", &["base1"], NO, NO),
        ("a1b", &["base1"], NO, NO),
        ("b1a", &["a1a"], NO, NO),
        ("b1b", &["a1b"], &["a3"], NO),
        ("base2", NO, NO, &["b_2"]),
        ("a2", &["base2"], NO, NO),
        ("b2", &["a2"], NO, NO),
        ("c2", &["b2"], &["a3"], NO),
        ("d2", &["c2"], NO, NO),
        ("base3", NO, NO, &["b_3"]),
        ("a3", &["base3"], NO, NO),
        ("b3", &["a3"], NO, NO),
    ])
}

// MultipleBaseCrossDependencyTestOne.test_what_are_the_heads / test_heads_to_base(_downgrade)
#[test]
fn cross_dependency_one_heads_to_base() {
    let map = cross_dependency_one();
    assert_eq!(ids(&map, &map.heads), ["b1a", "b1b", "d2", "b3"]);
    let all = [
        "b1a", "a1a", "b1b", "a1b", "base1", "d2", "c2", "b2", "a2", "base2", "b3", "a3", "base3",
    ];
    assert_iteration(&map, "heads", "base", &all, DOWN_ITERATE);
    assert_iteration(&map, "heads", "base", &all, DOWN_ITERATE.downgrade());
    // a3 has dependents besides its child, so it is a "real" branch point only
    let a3 = map.node(idx(&map, "a3"));
    assert!(!a3.is_branch_point() && a3.is_real_branch_point());
}

// MultipleBaseCrossDependencyTestOne.test_same_branch_wrong_direction /
// test_different_branch_not_wrong_direction
#[test]
fn cross_dependency_one_wrong_direction() {
    let map = cross_dependency_one();
    assert_eq!(
        iterate_err(&map, "b2", "d2", DOWN_ITERATE),
        "Revision d2 is not an ancestor of revision b2"
    );
    assert_eq!(
        iterate_err(&map, "b3", "d2", DOWN_ITERATE),
        "Revision d2 is not an ancestor of revision b3"
    );
}

// MultipleBaseCrossDependencyTestOne.test_we_need_head{1,2,3}_{upgrade,downgrade}
#[test]
fn cross_dependency_one_we_need_heads() {
    let map = cross_dependency_one();
    let down = DOWN_ITERATE.downgrade();
    assert_iteration(
        &map,
        "b_2@head",
        "base",
        &["d2", "c2", "b2", "a2", "base2", "a3", "base3"],
        DOWN_ITERATE,
    );
    assert_iteration(&map, "b_2@head", "b_2@base", &["d2", "c2", "b2", "a2", "base2"], down);
    assert_iteration(&map, "b_3@head", "base", &["b3", "a3", "base3"], DOWN_ITERATE);
    assert_iteration(&map, "b_3@head", "base", &["b3", "a3", "base3"], down);
    assert_iteration(&map, "b1b@head", "base", &["b1b", "a1b", "base1", "a3", "base3"], DOWN_ITERATE);
    assert_iteration(&map, "b1b@head", "b1b@base", &["b1b", "a1b", "base1"], down);
}

// MultipleBaseCrossDependencyTestOne.test_we_need_base{2,3}_{upgrade,downgrade}
#[test]
fn cross_dependency_one_we_need_bases() {
    let map = cross_dependency_one();
    let down = DOWN_ITERATE.downgrade();
    assert_iteration(
        &map,
        "heads",
        "b_2@base",
        &["d2", "c2", "b2", "a2", "base2", "a3", "base3"],
        DOWN_ITERATE,
    );
    assert_iteration(&map, "heads", "b_2@base", &["d2", "c2", "b2", "a2", "base2"], down);
    assert_iteration(&map, "heads", "b_3@base", &["b3", "a3", "base3"], DOWN_ITERATE);
    assert_iteration(&map, "heads", "b_3@base", &["b1b", "d2", "c2", "b3", "a3", "base3"], down);
}

// ---------------------------------------------------------------------------------------
// MultipleBaseCrossDependencyTestTwo / Three

fn cross_dependency_two() -> RevisionMap {
    map_of(&[
        ("base1", NO, NO, &["b_1"]),
        ("a1", &["base1"], NO, NO),
        ("b1", &["a1"], NO, NO),
        ("c1", &["b1"], NO, NO),
        ("base2", NO, &["b_1"], &["b_2"]),
        ("a2", &["base2"], NO, NO),
        ("b2", &["a2"], NO, NO),
        ("c2", &["b2"], NO, NO),
        ("d2", &["c2"], NO, NO),
        ("base3", NO, NO, &["b_3"]),
        ("a3", &["base3"], NO, NO),
        ("b3", &["a3"], NO, NO),
        ("c3", &["b3"], &["b2"], NO),
        ("d3", &["c3"], NO, NO),
    ])
}

// MultipleBaseCrossDependencyTestTwo.test_what_are_the_heads / test_heads_to_base
#[test]
fn cross_dependency_two_heads_to_base() {
    let map = cross_dependency_two();
    assert_eq!(ids(&map, &map.heads), ["c1", "d2", "d3"]);
    // a dependency by branch label resolves to the labelled revision
    assert_eq!(ids(&map, &map.node(idx(&map, "base2")).links.deps), ["base1"]);
    assert_eq!(ids(&map, &map.bases), ["base1", "base2", "base3"]);
    assert_eq!(ids(&map, &map.real_bases), ["base1", "base3"]);
    assert_iteration(
        &map,
        "heads",
        "base",
        &[
            "c1", "b1", "a1", "d2", "c2", "d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1",
        ],
        DOWN_ITERATE,
    );
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_head{1,2,3}
#[test]
fn cross_dependency_two_we_need_heads() {
    let map = cross_dependency_two();
    assert_iteration(&map, "b_2@head", "base", &["d2", "c2", "b2", "a2", "base2", "base1"], DOWN_ITERATE);
    assert_iteration(
        &map,
        "b_3@head",
        "base",
        &["d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"],
        DOWN_ITERATE,
    );
    assert_iteration(&map, "b_1@head", "base", &["c1", "b1", "a1", "base1"], DOWN_ITERATE);
}

// MultipleBaseCrossDependencyTestTwo.test_we_need_base{1,2,3}
#[test]
fn cross_dependency_two_we_need_bases() {
    let map = cross_dependency_two();
    assert_iteration(&map, "heads", "b_1@base", &["c1", "b1", "a1", "base1"], DOWN_ITERATE);
    assert_iteration(&map, "heads", "b_2@base", &["d2", "c2", "b2", "a2", "base2", "base1"], DOWN_ITERATE);
    assert_iteration(
        &map,
        "heads",
        "b_3@base",
        &["d3", "c3", "b3", "a3", "base3", "b2", "a2", "base2", "base1"],
        DOWN_ITERATE,
    );
}

// MultipleBaseCrossDependencyTestThree.test_traverse_no_parent_but_a_dep
#[test]
fn cross_dependency_three_no_parent_but_a_dep() {
    let map = map_of(&[
        ("base1", NO, NO, NO),
        ("a1", &["base1"], NO, NO),
        ("b1", &["a1"], NO, NO),
        ("c2", NO, &["a1"], NO),
        ("c3", &["c2"], NO, NO),
    ]);
    assert_iteration(&map, "heads", "base", &["b1", "c3", "c2", "a1", "base1"], DOWN_ITERATE);
    assert_eq!(ids(&map, &map.bases), ["base1", "c2"]);
    assert_eq!(ids(&map, &map.real_bases), ["base1"]);
}

// ---------------------------------------------------------------------------------------
// GraphWithLoopTest (LoopDetected / DependencyLoopDetected)

#[track_caller]
fn assert_loop(spec: &[Spec], message: &str) {
    let (_, diags) = build(spec);
    let loops: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::RevisionCycle)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(loops, [message], "{diags:#?}");
}

// GraphWithLoopTest.test_revision_map_{solitary,base,head,branch_point,merge_point}_loop
#[test]
fn loop_detected() {
    assert_loop(&[("a", &["a"], NO, NO)], "Self-loop is detected in revisions (a)");
    assert_loop(
        &[("a", &["a"], NO, NO), ("b", &["a"], NO, NO), ("c", &["b"], NO, NO)],
        "Self-loop is detected in revisions (a)",
    );
    assert_loop(
        &[("a", NO, NO, NO), ("b", &["a"], NO, NO), ("c", &["b", "c"], NO, NO)],
        "Self-loop is detected in revisions (c)",
    );
    assert_loop(
        &[
            ("a", NO, NO, NO),
            ("b", &["a", "b"], NO, NO),
            ("c1", &["b"], NO, NO),
            ("c2", &["b"], NO, NO),
        ],
        "Self-loop is detected in revisions (b)",
    );
    assert_loop(
        &[
            ("a", NO, NO, NO),
            ("b1", &["a"], NO, NO),
            ("b2", &["a"], NO, NO),
            ("c", &["b1", "b2", "c"], NO, NO),
        ],
        "Self-loop is detected in revisions (c)",
    );
}

// GraphWithLoopTest.test_revision_map_{solitary,base,head,branch_point,merge_point}_dep_loop
#[test]
fn dependency_loop_detected() {
    assert_loop(&[("a", NO, &["a"], NO)], "Dependency self-loop is detected in revisions (a)");
    assert_loop(
        &[("a", NO, &["a"], NO), ("b", &["a"], NO, NO), ("c", &["b"], NO, NO)],
        "Dependency self-loop is detected in revisions (a)",
    );
    assert_loop(
        &[("a", NO, NO, NO), ("b", &["a"], NO, NO), ("c", &["b"], &["c"], NO)],
        "Dependency self-loop is detected in revisions (c)",
    );
    assert_loop(
        &[
            ("a", NO, NO, NO),
            ("b", &["a"], &["b"], NO),
            ("c1", &["b"], NO, NO),
            ("c2", &["b"], NO, NO),
        ],
        "Dependency self-loop is detected in revisions (b)",
    );
    assert_loop(
        &[
            ("a", NO, NO, NO),
            ("b1", &["a"], NO, NO),
            ("b2", &["a"], NO, NO),
            ("c", &["b1", "b2"], &["c"], NO),
        ],
        "Dependency self-loop is detected in revisions (c)",
    );
}

// GraphWithLoopTest.test_revision_dupe_head
#[test]
fn loop_revision_dupe_head() {
    let map = map_of(&[("user_foo", NO, NO, NO), ("user", &["user_foo"], &["user_foo"], NO)]);
    assert_iteration(&map, "heads", NONE, &["user", "user_foo"], DOWN_ITERATE);
    let all = idxs(&map, &["user_foo", "user"]);
    let sorted = map.topological_sort(&all, &idxs(&map, &["user"]));
    assert_eq!(ids(&map, &sorted), ["user", "user_foo"]);
}

// GraphWithLoopTest.test_revision_map_no_loop_w_overlapping_substrings(_dependencies)
#[test]
fn loop_none_with_overlapping_substrings() {
    let map = map_of(&[("user_foo", NO, NO, NO), ("user", &["user_foo"], NO, NO)]);
    assert_iteration(&map, "heads", NONE, &["user", "user_foo"], DOWN_ITERATE);
    let map = map_of(&[("user_foo", NO, NO, NO), ("user", NO, &["user_foo"], NO)]);
    assert_iteration(&map, "heads", NONE, &["user", "user_foo"], DOWN_ITERATE);
}

// ---------------------------------------------------------------------------------------
// GraphWithCycleTest (CycleDetected / DependencyCycleDetected)

/// The map-level error Alembic raises, and that every order-dependent call refuses to run.
#[track_caller]
fn assert_cycle(spec: &[Spec], message: &str) {
    let (map, diags) = build(spec);
    let cycle = map.cycle.as_ref().expect("a cycle");
    assert_eq!(cycle.message, message);
    assert!(diags.iter().any(|d| d.code == Code::RevisionCycle), "{diags:#?}");
    assert_eq!(iterate_err(&map, "heads", "base", DOWN_ITERATE), message);
}

// GraphWithCycleTest.test_revision_map_{simple,extra_simple,lower_simple,upper_simple}_cycle
#[test]
fn cycle_detected() {
    assert_cycle(
        &[("a", &["c"], NO, NO), ("b", &["a"], NO, NO), ("c", &["b"], NO, NO)],
        "Cycle is detected in revisions (a, b, c)",
    );
    assert_cycle(
        &[
            ("a", &["c"], NO, NO),
            ("b", &["a"], NO, NO),
            ("c", &["b"], NO, NO),
            ("d", NO, NO, NO),
            ("e", &["d"], NO, NO),
        ],
        "Cycle is detected in revisions (a, b, c)",
    );
    assert_cycle(
        &[
            ("a", &["c"], NO, NO),
            ("b", &["a"], NO, NO),
            ("c", &["b"], NO, NO),
            ("d", &["c"], NO, NO),
            ("e", &["d"], NO, NO),
        ],
        "Cycle is detected in revisions (a, b, c, d, e)",
    );
    assert_cycle(
        &[
            ("a", NO, NO, NO),
            ("b", &["a"], NO, NO),
            ("c", &["b", "e"], NO, NO),
            ("d", &["c"], NO, NO),
            ("e", &["d"], NO, NO),
        ],
        "Cycle is detected in revisions (a, b, c, d, e)",
    );
}

// GraphWithCycleTest.test_revision_map_{simple,extra_simple,lower_simple,upper_simple}_dep_cycle
#[test]
fn dependency_cycle_detected() {
    assert_cycle(
        &[("a", NO, &["c"], NO), ("b", &["a"], NO, NO), ("c", &["b"], NO, NO)],
        "Dependency cycle is detected in revisions (a, b, c)",
    );
    assert_cycle(
        &[
            ("a", NO, &["c"], NO),
            ("b", &["a"], NO, NO),
            ("c", &["b"], NO, NO),
            ("d", NO, NO, NO),
            ("e", &["d"], NO, NO),
        ],
        "Dependency cycle is detected in revisions (a, b, c)",
    );
    assert_cycle(
        &[
            ("a", NO, &["c"], NO),
            ("b", &["a"], NO, NO),
            ("c", &["b"], NO, NO),
            ("d", &["c"], NO, NO),
            ("e", &["d"], NO, NO),
        ],
        "Dependency cycle is detected in revisions (a, b, c, d, e)",
    );
    assert_cycle(
        &[
            ("a", NO, NO, NO),
            ("b", &["a"], NO, NO),
            ("c", &["b"], &["e"], NO),
            ("d", &["c"], NO, NO),
            ("e", &["d"], NO, NO),
        ],
        "Dependency cycle is detected in revisions (a, b, c, d, e)",
    );
}

// DIVERGENCE: Alembic's `_detect_cycles` misses a cycle whose revisions are all below a head
// and above a base (here r3 -> r0 -> r4 -> r3, entered from base r1 through r3's second
// down revision). Alembic 1.20 loads this map (heads ('r2',), bases ('r1',)) and its
// `_topological_sort` then orders the cycle arbitrarily or never returns. migplan refuses it
// with a message in Alembic's wording naming the revisions on the cycle.
#[test]
fn cycle_missed_by_alembic_is_still_refused() {
    let (map, diags) = build(&[
        ("r3", &["r1", "r0"], NO, NO),
        ("r5", &["r0"], NO, NO),
        ("r2", &["r5"], NO, NO),
        ("r1", NO, NO, NO),
        ("r0", &["r4"], NO, NO),
        ("r4", &["r3"], NO, NO),
    ]);
    assert_eq!(ids(&map, &map.heads), ["r2"]);
    assert_eq!(ids(&map, &map.bases), ["r1"]);
    let msg = "Cycle is detected in revisions (r0, r3, r4)";
    assert_eq!(map.cycle.as_ref().map(|c| c.message.as_str()), Some(msg));
    let msgs: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::RevisionCycle)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(msgs, [msg]);
    assert_eq!(iterate_err(&map, "heads", "base", DOWN_ITERATE), msg);
}

// The per-cycle diagnostics name only the revisions on the cycle.
#[test]
fn cycle_diagnostics_name_the_cycle() {
    let (_, diags) = build(&[
        ("a", &["c"], NO, NO),
        ("b", &["a"], NO, NO),
        ("c", &["b"], NO, NO),
        ("d", &["c"], NO, NO),
        ("e", &["d"], NO, NO),
    ]);
    let msgs: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::RevisionCycle)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(msgs, ["Cycle is detected in revisions (a, b, c)"]);
}

// ---------------------------------------------------------------------------------------
// NormalizedDownRevTest

fn normalized_down_rev() -> RevisionMap {
    map_of(&[
        ("a1", NO, NO, NO),
        ("a2", &["a1"], NO, NO),
        ("a3", &["a2"], NO, NO),
        ("b1", NO, NO, NO),
        ("b2", &["b1"], &["a3"], NO),
        ("b3", &["b2"], NO, NO),
        ("b4", &["b3"], &["a3"], NO),
        ("b5", &["b4"], &["b4"], NO),
    ])
}

// NormalizedDownRevTest.test_normalized_down_revisions / test_dupe_dependency
#[test]
fn normalized_down_revisions() {
    let map = normalized_down_rev();
    let b4 = map.node(idx(&map, "b4"));
    assert_eq!(ids(&map, &b4.all_down()), ["b3", "a3"]);
    // a3 is dropped: ancestor b2 already depends on it
    assert_eq!(ids(&map, &b4.normalized_down()), ["b3"]);
    let b5 = map.node(idx(&map, "b5"));
    assert_eq!(ids(&map, &b5.all_down()), ["b4"]);
    assert_eq!(ids(&map, &b5.normalized_down()), ["b4"]);
    let b2 = map.node(idx(&map, "b2"));
    assert_eq!(ids(&map, &b2.normalized_down()), ["b1", "a3"]);
}

// NormalizedDownRevTest.test_branch_traversal / test_all_traversal / test_partial_traversal
#[test]
fn normalized_down_rev_traversals() {
    let map = normalized_down_rev();
    let down = DOWN_ITERATE.downgrade();
    assert_iteration(&map, "b4", "b1@base", &["b4", "b3", "b2", "b1"], down);
    assert_iteration(&map, "heads", "base", &["b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1"], down);
    assert_iteration(&map, "heads", "a2", &["b5", "b4", "b3", "b2", "a3", "a2"], down);
}

// NormalizedDownRevTest.test_partial_traversal_implicit_base_{one,two}
#[test]
fn normalized_down_rev_implicit_base() {
    let map = normalized_down_rev();
    assert_iteration(
        &map,
        "heads",
        "a2",
        &["b5", "b4", "b3", "b2", "b1", "a3", "a2"],
        DOWN_ITERATE.downgrade().implicit_base(),
    );
    assert_iteration(
        &map,
        "b5",
        ["b1"],
        &["b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1"],
        DOWN_ITERATE.implicit_base(),
    );
}

// NormalizedDownRevTest.test_partial_traversal_implicit_base_three
#[test]
fn normalized_down_rev_implicit_base_three() {
    let map = map_of(&[
        ("c1", NO, NO, NO),
        ("a1", NO, NO, NO),
        ("a2", &["a1"], &["c1"], NO),
        ("a3", &["a2"], &["c1"], NO),
        ("b1", NO, NO, NO),
        ("b2", &["b1"], &["a3"], NO),
        ("b3", &["b2"], NO, NO),
        ("b4", &["b3"], &["a3"], NO),
        ("b5", &["b4"], NO, NO),
    ]);
    assert_iteration(
        &map,
        "b5",
        ["b1"],
        &["b5", "b4", "b3", "b2", "b1", "a3", "a2", "a1", "c1"],
        DOWN_ITERATE.implicit_base(),
    );
    assert_eq!(ids(&map, &map.node(idx(&map, "a3")).normalized_down()), ["a2"]);
}

// ---------------------------------------------------------------------------------------
// test_version_traversal: mergepoints and depends_on between branches

// BranchFromMergepointTest.test_mergepoint_to_only_one_side_{upgrade,downgrade}
#[test]
fn branch_from_mergepoint() {
    let map = map_of(&[
        ("a1", NO, NO, NO),
        ("b1", &["a1"], NO, NO),
        ("c1", &["b1"], NO, NO),
        ("a2", NO, NO, NO),
        ("b2", &["a2"], NO, NO),
        ("c2", &["b2"], NO, NO),
        ("d1", &["c1", "c2"], NO, NO),
        ("d2", &["c2"], NO, NO),
    ]);
    assert_eq!(upgrade_revs(&map, "d1", ["d2", "b1"]), ok(&["c1", "d1"]));
    assert_eq!(downgrade_revs(&map, "b1", ["d2", "d1"]), ok(&["d1", "c1"]));
}

// BranchFrom3WayMergepointTest
#[test]
fn branch_from_3way_mergepoint() {
    let map = map_of(&[
        ("a1", NO, NO, NO),
        ("b1", &["a1"], NO, NO),
        ("c1", &["b1"], NO, NO),
        ("a2", NO, NO, NO),
        ("b2", &["a2"], NO, NO),
        ("c2", &["b2"], NO, NO),
        ("a3", NO, NO, NO),
        ("b3", &["a3"], NO, NO),
        ("c3", &["b3"], NO, NO),
        ("d1", &["c1", "c2", "c3"], NO, NO),
        ("d2", &["c2"], NO, NO),
        ("d3", &["c3"], NO, NO),
    ]);
    assert_eq!(upgrade_revs(&map, "d1", ["d3", "d2", "b1"]), ok(&["c1", "d1"]));
    assert_eq!(downgrade_revs(&map, "b1", ["d3", "d2", "d1"]), ok(&["d1", "c1"]));
    assert_eq!(upgrade_revs(&map, "d1", ["d3", "b2", "b1"]), ok(&["c2", "c1", "d1"]));
    assert_eq!(upgrade_revs(&map, "d2", ["d3", "d1"]), ok(&["d2"]));
}

// DependsOnBranchTestOne (graph): c2 depends on c1 of the labelled lib1 line
#[test]
fn depends_on_branch_one() {
    let map = map_of(&[
        ("a1", NO, NO, &["lib1"]),
        ("b1", &["a1"], NO, NO),
        ("c1", &["b1"], NO, NO),
        ("a2", NO, NO, NO),
        ("b2", &["a2"], NO, NO),
        ("c2", &["b2"], &["c1"], NO),
        ("d1", &["c1"], NO, NO),
        ("e1", &["d1"], NO, NO),
        ("f1", &["e1"], NO, NO),
    ]);
    assert_eq!(ids(&map, &map.heads), ["c2", "f1"]);
    assert_eq!(ids(&map, &map.real_heads), ["c2", "f1"]);
    // c1 has one versioned child but two dependents: a real branch point only, so the
    // lib1 label stops there on its way down and does not reach c2
    assert!(map.node(idx(&map, "c1")).is_real_branch_point());
    assert!(map.node(idx(&map, "f1")).links.labels.contains("lib1"));
    assert!(!map.node(idx(&map, "c2")).links.labels.contains("lib1"));
    // test_downgrade_to_dependency / test_stamp_across_dependency (revision sets only)
    assert_eq!(downgrade_revs(&map, "c1", ["c2", "d1"]), ok(&["d1"]));
    assert_eq!(downgrade_revs(&map, "b1", ["e1", "c2"]), ok(&["c2", "e1", "d1", "c1"]));
}

fn depends_on_branch_two() -> RevisionMap {
    map_of(&[
        ("a1", NO, NO, NO),
        ("a2", NO, NO, NO),
        ("a3", NO, NO, NO),
        ("amerge", &["a1", "a2", "a3"], NO, NO),
        ("b1", NO, NO, NO),
        ("b2", NO, NO, NO),
        ("bmerge", &["b1", "b2"], NO, NO),
        ("c1", NO, NO, NO),
        ("c2", NO, NO, NO),
        ("c3", NO, NO, NO),
        ("cmerge", &["c1", "c2", "c3"], NO, NO),
        ("d1", NO, &["a3", "b2", "c1"], NO),
    ])
}

// DependsOnBranchTestTwo.test_kaboom
#[test]
fn depends_on_branch_two_kaboom() {
    let map = depends_on_branch_two();
    assert_eq!(ids(&map, &map.heads), ["amerge", "bmerge", "cmerge", "d1"]);
    assert_eq!(ids(&map, &map.real_heads), ["amerge", "bmerge", "cmerge", "d1"]);
    assert_eq!(ids(&map, &map.real_bases), ["a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3"]);
    assert_eq!(downgrade_revs(&map, "b2", ["amerge", "bmerge", "cmerge", "d1"]), ok(&["bmerge"]));
    assert_eq!(downgrade_revs(&map, "d1@base", ["amerge", "d1", "b1", "cmerge"]), ok(&["d1"]));
    assert_eq!(
        downgrade_revs(&map, "base", ["amerge", "b1", "b2", "cmerge"]),
        ok(&["amerge", "a1", "b1", "b2", "cmerge", "c1", "a2", "a3", "c2", "c3"])
    );
}

// DependsOnBranchTestTwo graph, whole history
#[test]
fn depends_on_branch_two_heads_to_base() {
    let map = depends_on_branch_two();
    assert_iteration(
        &map,
        "heads",
        "base",
        &["amerge", "a1", "bmerge", "b1", "cmerge", "d1", "c1", "a2", "a3", "b2", "c2", "c3"],
        DOWN_ITERATE,
    );
}

// DependsOnBranchTestThree.test_downgrade_over_crisscross (issue #377)
#[test]
fn depends_on_branch_three_crisscross() {
    let map = map_of(&[
        ("a1", NO, NO, NO),
        ("a2", &["a1"], NO, NO),
        ("b1", NO, NO, NO),
        ("b2", &["b1"], &["a2"], NO),
        ("b3", &["b2"], NO, NO),
        ("a3", &["a2"], &["b1"], NO),
    ]);
    assert_eq!(downgrade_revs(&map, "b1", ["a3", "b2"]), ok(&["b2"]));
    assert_iteration(&map, "heads", "base", &["b3", "b2", "a3", "b1", "a2", "a1"], DOWN_ITERATE);
}

// DependsOnOwnDownrevTest.test_traverse / test_traverse_down (issue #843)
#[test]
fn depends_on_own_downrev() {
    let map = map_of(&[("a1", NO, NO, NO), ("a2", &["a1"], &["a1"], NO)]);
    let a2 = map.node(idx(&map, "a2"));
    assert_eq!(ids(&map, &a2.all_down()), ["a1"]);
    assert_eq!(ids(&map, &a2.normalized_down()), ["a1"]);
    assert_eq!(upgrade_revs(&map, "a2", NONE), ok(&["a1", "a2"]));
    assert_eq!(downgrade_revs(&map, "a1", "a2"), ok(&["a2"]));
}

// DependsOnBranchTestFour.test_dependencies_are_normalized (issue #789)
#[test]
fn depends_on_branch_four_normalized() {
    let map = map_of(&[
        ("a1", NO, NO, NO),
        ("a2", &["a1"], NO, NO),
        ("a3", &["a2"], NO, NO),
        ("b1", NO, NO, NO),
        ("b2", &["b1"], &["a3"], NO),
        ("b3", &["b2"], NO, NO),
        ("b4", &["b3"], &["a3"], NO),
    ]);
    assert_eq!(downgrade_revs(&map, "b3", ["b4"]), ok(&["b4"]));
    assert_eq!(ids(&map, &map.node(idx(&map, "b4")).normalized_down()), ["b3"]);
}

// DependsOnBranchLabelTest.test_upgrade_path
#[test]
fn depends_on_branch_label() {
    let map = map_of(&[
        ("a1", NO, NO, &["lib1"]),
        ("b1", &["a1"], NO, NO),
        ("c1", &["b1"], NO, &["c1lib"]),
        ("a2", NO, NO, NO),
        ("b2", &["a2"], NO, NO),
        ("c2", &["b2"], &["c1lib"], NO),
        ("d1", &["c1"], NO, NO),
        ("e1", &["d1"], NO, NO),
        ("f1", &["e1"], NO, NO),
    ]);
    assert_eq!(ids(&map, &map.node(idx(&map, "c2")).links.deps), ["c1"]);
    assert_eq!(upgrade_revs(&map, "c2", "a2"), ok(&["a1", "b1", "c1", "b2", "c2"]));
}

// ForestTest.test_base_to_heads
#[test]
fn forest_base_to_heads() {
    let map = map_of(&[
        ("a1", NO, NO, NO),
        ("b1", &["a1"], NO, NO),
        ("a2", NO, NO, NO),
        ("b2", &["a2"], NO, NO),
    ]);
    assert_eq!(upgrade_revs(&map, "heads", "base"), ok(&["a2", "b2", "a1", "b1"]));
}

fn merged_path() -> RevisionMap {
    map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c1", &["b"], NO, NO),
        ("d1", &["c1"], NO, NO),
        ("c2", &["b"], NO, &["c2branch"]),
        ("d2", &["c2"], NO, NO),
        ("e", &["d1", "d2"], NO, NO),
        ("f", &["e"], NO, NO),
    ])
}

// MergedPathTest.test_upgrade_across_merge_point / test_downgrade_across_merge_point
#[test]
fn merged_path_across_merge_point() {
    let map = merged_path();
    assert_eq!(upgrade_revs(&map, "f", "b"), ok(&["c2", "d2", "c1", "d1", "e", "f"]));
    assert_eq!(downgrade_revs(&map, "b", "f"), ok(&["f", "e", "d1", "c1", "d2", "c2"]));
}

// MergedPathTest.test_stamp_labled_head_across_merge_from_multiple_branch: filter_for_lineage
// keeps d1 for "c2branch@head", whose head f is reached through the merge
#[test]
fn merged_path_labeled_head_across_merge() {
    let map = merged_path();
    assert_eq!(get(&map, "c2branch@head").as_deref(), Some("f"));
    let kept = map
        .filter_for_lineage(&idxs(&map, &["d1", "c2"]), Some("c2branch@head"), false)
        .unwrap();
    assert_eq!(ids(&map, &kept), ["d1", "c2"]);
    // the label stops at the merge point on its way down... but flows up through it
    assert!(map.node(idx(&map, "f")).links.labels.contains("c2branch"));
    assert!(!map.node(idx(&map, "d1")).links.labels.contains("c2branch"));
    assert!(!map.node(idx(&map, "b")).links.labels.contains("c2branch"));
}

// BranchedPathTestCrossDependencies.test_downgrade_independent_branch /
// test_downgrade_branch_dependency (the latter only checks a partial order)
#[test]
fn branched_path_cross_dependencies() {
    let map = map_of(&[
        ("a", NO, NO, NO),
        ("b", &["a"], NO, NO),
        ("c1", &["b"], NO, &["c1branch"]),
        ("d1", &["c1"], NO, NO),
        ("c2", &["b"], NO, &["c2branch"]),
        ("d2", &["c2"], &["c1"], NO),
    ]);
    assert_eq!(downgrade_revs(&map, "c2branch@b", ["d1", "d2"]), ok(&["d2", "c2"]));
    let revs = downgrade_revs(&map, "c1branch@b", ["d1", "d2"]).unwrap();
    assert_eq!(set(&revs), set(&["c1", "d1", "d2"]));
    let pos = |id: &str| revs.iter().position(|r| r == id).unwrap();
    assert!(pos("d1") < pos("c1") && pos("d2") < pos("c1"), "{revs:?}");
    assert_eq!(revs, ["d1", "d2", "c1"]);
}

// ---------------------------------------------------------------------------------------
// Missing references and invalid ids (the map still builds, with diagnostics)

#[test]
fn missing_down_revision_and_dependency() {
    let (map, diags) = build(&[("a", NO, NO, NO), ("b", &["zzz"], &["yyy"], NO)]);
    let msgs: BTreeSet<&str> = diags
        .iter()
        .filter(|d| d.code == Code::MissingRevision)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        msgs,
        BTreeSet::from([
            "Can't locate revision identified by 'zzz'",
            "Can't locate revision identified by 'yyy'"
        ])
    );
    assert!(map.cycle.is_none());
}

#[test]
fn invalid_revision_id() {
    let (_, diags) = build(&[("a-b", NO, NO, NO), ("c@d:e", NO, NO, NO)]);
    let msgs: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == Code::InvalidRevisionId)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        msgs,
        [
            "Character(s) '-' not allowed in revision identifier 'a-b'",
            "Character(s) ':, @' not allowed in revision identifier 'c@d:e'"
        ]
    );
}
