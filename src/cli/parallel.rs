//! The native CLI's way to run the core's independent jobs: rayon's pool, every core.

use rayon::prelude::*;

use crate::parallel::Parallel;

pub struct Rayon;

impl Parallel for Rayon {
    fn for_each_index(&self, n: usize, job: &(dyn Fn(usize) + Sync)) {
        (0..n).into_par_iter().for_each(job);
    }

    fn join(&self, a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
        rayon::join(a, b);
    }

    fn discard(&self, value: Box<dyn Send>) {
        rayon::spawn(move || drop(value));
    }
}
