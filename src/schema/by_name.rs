//! The schema's tables and indexes by name: a persistent map whose keys compare as a hash
//! first.
//!
//! A replay looks tables up several times per change in a map of every table; with names
//! as keys each lookup was a walk of string comparisons, and each copy-on-write copy of a
//! tree node after a branch point cloned every name in it. Here a key is a 64-bit hash of
//! the lower-cased name beside a shared copy of the name: comparisons are integer ones
//! (the name only breaks a tie between equal hashes, so the map is exact), and copying a
//! key is a reference count. Iteration is in name order, as before; [`ByName::unordered`]
//! skips the sort where order cannot matter.

use std::cmp::Ordering;
use std::hash::Hasher;
use std::sync::Arc;

use equivalent::{Comparable, Equivalent};
use imbl::OrdMap;
use imbl::ordmap::DiffItem;
use serde::Serialize;

/// A lower-cased name and its hash.
#[derive(Clone, Debug)]
pub struct NameKey {
    hash: u64,
    name: Arc<str>,
}

impl NameKey {
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

/// A name to look up, lower-cased and hashed once, borrowing its text.
#[derive(Clone, Copy)]
struct Lookup<'a> {
    hash: u64,
    name: &'a str,
}

/// The key's hash: FxHash's mixing over the lower-cased bytes, fixed (no random seed) so
/// runs are reproducible.
fn hash(lower: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(lower.as_bytes());
    h.finish()
}

fn lower(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

impl NameKey {
    pub fn new(name: &str) -> NameKey {
        let l = lower(name);
        NameKey {
            hash: hash(&l),
            name: Arc::from(&*l),
        }
    }
}

impl PartialEq for NameKey {
    fn eq(&self, o: &Self) -> bool {
        self.hash == o.hash && self.name == o.name
    }
}
impl Eq for NameKey {}
impl PartialOrd for NameKey {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for NameKey {
    fn cmp(&self, o: &Self) -> Ordering {
        self.hash.cmp(&o.hash).then_with(|| self.name.cmp(&o.name))
    }
}

impl Equivalent<NameKey> for Lookup<'_> {
    fn equivalent(&self, k: &NameKey) -> bool {
        self.hash == k.hash && *self.name == *k.name
    }
}
impl Comparable<NameKey> for Lookup<'_> {
    fn compare(&self, k: &NameKey) -> Ordering {
        self.hash.cmp(&k.hash).then_with(|| self.name.cmp(&k.name))
    }
}

/// Objects by case-insensitive name, in a persistent map (copies share structure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByName<V: Clone> {
    map: OrdMap<NameKey, V>,
}

impl<V: Clone> Default for ByName<V> {
    fn default() -> Self {
        ByName { map: OrdMap::new() }
    }
}

impl<V: Clone> ByName<V> {
    fn with<R>(name: &str, f: impl FnOnce(Lookup) -> R) -> R {
        let l = lower(name);
        f(Lookup { hash: hash(&l), name: &l })
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        Self::with(name, |k| self.map.get(&k))
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        Self::with(name, |k| self.map.get_mut(&k))
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn insert(&mut self, name: &str, v: V) -> Option<V> {
        self.map.insert(NameKey::new(name), v)
    }

    pub fn remove(&mut self, name: &str) -> Option<V> {
        Self::with(name, |k| self.map.remove(&k))
    }

    /// The value, inserted first when missing.
    pub fn get_or_insert_with(&mut self, name: &str, f: impl FnOnce() -> V) -> &mut V {
        if !self.contains_key(name) {
            self.insert(name, f());
        }
        self.get_mut(name).expect("just inserted")
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Entries in name order (as the output always listed them, and "the first that
    /// matches" always meant).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        let mut v: Vec<(&str, &V)> = self.unordered().collect();
        v.sort_unstable_by(|a, b| a.0.cmp(b.0));
        v.into_iter()
    }

    /// Values in name order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.iter().map(|(_, v)| v)
    }

    /// Entries in hash order, without sorting: for questions whose answer does not
    /// depend on order.
    pub fn unordered(&self) -> impl Iterator<Item = (&str, &V)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Entries `other` has and this map lacks, and entries both have with different
    /// values (`(name, mine, theirs)`); subtrees both still share are skipped, so the cost
    /// is what changed since they were one map.
    pub fn diff<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = Diff<'a, V>>
    where
        V: PartialEq,
    {
        self.map.diff(&other.map).filter_map(|d| match d {
            DiffItem::Add(k, v) => Some(Diff::Added(k.as_str(), v)),
            DiffItem::Update {
                old: (k, mine),
                new: (_, theirs),
            } => Some(Diff::Changed(k.as_str(), mine, theirs)),
            DiffItem::Remove(..) => None,
        })
    }
}

/// One difference found by [`ByName::diff`].
pub enum Diff<'a, V> {
    Added(&'a str, &'a V),
    Changed(&'a str, &'a V, &'a V),
}

/// Serialized as a map in name order, as the output always showed it.
impl<V: Clone + Serialize> Serialize for ByName<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case_and_output_is_in_name_order() {
        let mut m: ByName<u32> = ByName::default();
        for (i, n) in ["users", "Orders", "a_b", "zeta", "Zeta2"].iter().enumerate() {
            m.insert(n, i as u32);
        }
        assert_eq!(m.get("USERS"), Some(&0));
        assert_eq!(m.get("orders"), Some(&1));
        assert!(m.contains_key("zeta2") && !m.contains_key("zeta3"));
        assert_eq!(m.insert("ZETA", 9), Some(3), "same name in another case replaces");
        assert_eq!(m.len(), 5);
        let names: Vec<&str> = m.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["a_b", "orders", "users", "zeta", "zeta2"]);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"a_b":2,"orders":1,"users":0,"zeta":9,"zeta2":4}"#
        );
        assert_eq!(m.remove("Users"), Some(0));
        assert_eq!(m.get("users"), None);
        *m.get_or_insert_with("new", || 7) += 1;
        assert_eq!(m.get("NEW"), Some(&8));
    }

    #[test]
    fn equal_hashes_are_told_apart_by_name() {
        // Keys with one hash: the map stays exact however the hash falls.
        let a = NameKey {
            hash: 1,
            name: Arc::from("a"),
        };
        let b = NameKey {
            hash: 1,
            name: Arc::from("b"),
        };
        let mut map: OrdMap<NameKey, u8> = OrdMap::new();
        map.insert(a, 1);
        map.insert(b, 2);
        assert_eq!(map.get(&Lookup { hash: 1, name: "a" }), Some(&1));
        assert_eq!(map.get(&Lookup { hash: 1, name: "b" }), Some(&2));
        assert_eq!(map.get(&Lookup { hash: 1, name: "c" }), None);
    }

    #[test]
    fn diff_reports_what_changed_since_a_copy() {
        let mut base: ByName<u32> = ByName::default();
        for i in 0..500 {
            base.insert(&format!("t{i}"), i);
        }
        let mut other = base.clone();
        other.insert("t7", 70);
        other.insert("extra", 1);
        other.remove("t8");
        let mut seen: Vec<String> = base
            .diff(&other)
            .map(|d| match d {
                Diff::Added(k, v) => format!("+{k}={v}"),
                Diff::Changed(k, a, b) => format!("~{k}={a}->{b}"),
            })
            .collect();
        seen.sort();
        assert_eq!(seen, ["+extra=1", "~t7=7->70"]);
    }
}
