//! Work the core may spread over cores without knowing how: it describes independent jobs,
//! the caller decides whether they run on one thread (the default, and the only choice in
//! wasm) or on a pool (the native CLI passes its thread pool, see `cli::parallel`).

use std::sync::OnceLock;

/// Runs independent jobs.
pub trait Parallel: Sync {
    /// Calls `job(i)` exactly once for every `i` in `0..n`, in any order, possibly on
    /// several threads at once.
    fn for_each_index(&self, n: usize, job: &(dyn Fn(usize) + Sync));

    /// Runs `a` and `b`, at once where a second thread is free; returns when both have
    /// run. The default runs them in turn.
    fn join(&self, a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
        a();
        b();
    }

    /// Frees a large value the caller is done with, where it costs the caller least: the
    /// default drops it here; a pool may drop it on another thread while the caller goes on.
    fn discard(&self, value: Box<dyn Send>) {
        drop(value);
    }
}

/// Every job on the calling thread, in order.
pub struct Sequential;

impl Parallel for Sequential {
    fn for_each_index(&self, n: usize, job: &(dyn Fn(usize) + Sync)) {
        (0..n).for_each(job);
    }
}

/// `items.iter().map(f).collect()`, with the calls spread as `p` decides; the results keep
/// the items' order.
pub fn map<T: Sync, R: Send + Sync>(p: &dyn Parallel, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let slots: Vec<OnceLock<R>> = items.iter().map(|_| OnceLock::new()).collect();
    p.for_each_index(items.len(), &|i| {
        let _ = slots[i].set(f(&items[i]));
    });
    slots
        .into_iter()
        .zip(items)
        // A `Parallel` that skipped an index broke its contract; compute the gap here
        // rather than fail.
        .map(|(slot, item)| slot.into_inner().unwrap_or_else(|| f(item)))
        .collect()
}

/// Runs the jobs backwards: for tests that show a result does not depend on the order a
/// pool runs jobs in.
#[cfg(test)]
pub(crate) struct Backwards;

#[cfg(test)]
impl Parallel for Backwards {
    fn for_each_index(&self, n: usize, job: &(dyn Fn(usize) + Sync)) {
        (0..n).rev().for_each(job);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forgets every other job.
    struct Sloppy;
    impl Parallel for Sloppy {
        fn for_each_index(&self, n: usize, job: &(dyn Fn(usize) + Sync)) {
            (0..n).step_by(2).for_each(job);
        }
    }

    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<u32> = (0..100).collect();
        let want: Vec<u32> = items.iter().map(|x| x * 3).collect();
        assert_eq!(map(&Sequential, &items, |x| x * 3), want);
        assert_eq!(map(&Backwards, &items, |x| x * 3), want);
        assert_eq!(map(&Sloppy, &items, |x| x * 3), want);
        assert!(map(&Sequential, &[] as &[u32], |x| *x).is_empty());
    }
}
