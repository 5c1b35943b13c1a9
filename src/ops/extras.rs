//! Fields most values leave unset, kept behind one pointer that is allocated on first write.
//!
//! A history keeps every operation of every revision: a field present in each column or
//! type but set in few of them costs its full size a hundred thousand times. Reads of an
//! unset [`Extras`] see the defaults (a static), and an unset one equals a set one holding
//! the defaults, so code reads `x.extra.field` as if the field were inline.

use serde::Serialize;

/// A type whose defaults live in a static, for [`Extras`] to read through when unset.
pub trait Unset: Default + 'static {
    fn unset() -> &'static Self;
}

#[derive(Clone, Debug, Default)]
pub struct Extras<T>(Option<Box<T>>);

impl<T: Unset> std::ops::Deref for Extras<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_deref().unwrap_or(T::unset())
    }
}

impl<T: Unset> std::ops::DerefMut for Extras<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Default::default)
    }
}

impl<T: Unset + PartialEq> Extras<T> {
    /// `value`, allocated only when it differs from the defaults.
    pub fn of(value: T) -> Self {
        Extras((value != *T::unset()).then(|| Box::new(value)))
    }
}

impl<T: Unset> Extras<T> {
    /// Set an optional field; `None` into unset extras allocates nothing.
    pub fn set<V>(&mut self, field: fn(&mut T) -> &mut Option<V>, value: Option<V>) {
        if value.is_some() || self.0.is_some() {
            *field(self) = value;
        }
    }
}

impl<T: Unset + PartialEq> PartialEq for Extras<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Unset + Eq> Eq for Extras<T> {}

impl<T: Unset + Serialize> Serialize for Extras<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    struct Rare {
        note: Option<String>,
        tags: Vec<String>,
    }

    static NONE: Rare = Rare {
        note: None,
        tags: Vec::new(),
    };

    impl Unset for Rare {
        fn unset() -> &'static Self {
            &NONE
        }
    }

    #[test]
    fn unset_reads_defaults_allocates_on_write_and_equals_defaults() {
        let mut e: Extras<Rare> = Extras::default();
        assert!(e.note.is_none() && e.tags.is_empty());
        e.set(|r| &mut r.note, None);
        assert!(e.0.is_none(), "setting None allocates nothing");
        assert_eq!(e, Extras(Some(Box::default())));
        e.tags.push("a".into());
        assert!(e.0.is_some());
        assert_ne!(e, Extras::default());
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"note":null,"tags":["a"]}"#);
        assert!(Extras::of(Rare::default()).0.is_none());
        assert!(
            Extras::of(Rare {
                note: Some("x".into()),
                tags: vec![]
            })
            .0
            .is_some()
        );
    }
}
