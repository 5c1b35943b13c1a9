//! The wasm package's allocator: a free list per size class for small blocks, in front of
//! a general allocator for the rest. Reading thousands of scripts makes millions of small
//! allocations (tokens, names, AST nodes); a general allocator's bins and gap bookkeeping
//! were ~14% of the wasm profile, a size-class free list costs a push or a pop.
//!
//! Single-threaded only (wasm32 without the atomics feature): the state is not locked.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::null_mut;

/// Block sizes are multiples of this, and blocks are aligned to it.
const GRAIN: usize = 8;
/// Blocks up to `GRAIN * CLASSES` bytes come from the size classes.
const CLASSES: usize = 32;
const LARGEST: usize = GRAIN * CLASSES;
/// Fresh blocks are cut from chunks of this size taken from the general allocator.
const CHUNK: usize = 64 * 1024;

pub struct SmallFirst<A> {
    inner: A,
    state: UnsafeCell<State>,
}

struct State {
    /// Head of each class's free list; a free block holds the next pointer.
    free: [*mut u8; CLASSES],
    /// The part of the current chunk not yet cut into blocks.
    next: *mut u8,
    end: *mut u8,
}

// SAFETY: `new` is unsafe and requires a single-threaded program, so the state is never
// touched from two threads.
unsafe impl<A: Sync> Sync for SmallFirst<A> {}

/// The size class of a layout, if it is small.
#[inline(always)]
fn class(layout: Layout) -> Option<usize> {
    // No closures or helpers here: at opt-level z they would stay calls on every allocation.
    if layout.size() <= LARGEST && layout.align() <= GRAIN {
        Some(if layout.size() == 0 { 0 } else { (layout.size() - 1) / GRAIN })
    } else {
        None
    }
}

impl<A: GlobalAlloc> SmallFirst<A> {
    /// # Safety
    /// Only for programs that allocate from one thread (wasm32 without atomics).
    pub const unsafe fn new(inner: A) -> Self {
        SmallFirst {
            inner,
            state: UnsafeCell::new(State {
                free: [null_mut(); CLASSES],
                next: null_mut(),
                end: null_mut(),
            }),
        }
    }

    #[inline(always)]
    unsafe fn small(&self, c: usize) -> *mut u8 {
        // SAFETY: single-threaded (see `new`), and no reference to the state outlives this call.
        let s = unsafe { &mut *self.state.get() };
        let head = s.free[c];
        if !head.is_null() {
            // SAFETY: a free block starts with the pointer to the next free block.
            s.free[c] = unsafe { *(head as *mut *mut u8) };
            return head;
        }
        let size = (c + 1) * GRAIN;
        if (s.end as usize) - (s.next as usize) < size {
            // The rest of the old chunk (less than one block) is left unused.
            // SAFETY: CHUNK and GRAIN make a valid, non-zero layout.
            let chunk = unsafe { self.inner.alloc(Layout::from_size_align_unchecked(CHUNK, GRAIN)) };
            if chunk.is_null() {
                return null_mut();
            }
            s.next = chunk;
            // SAFETY: within the chunk just allocated.
            s.end = unsafe { chunk.add(CHUNK) };
        }
        let block = s.next;
        // SAFETY: at least `size` bytes are left in the chunk (checked above).
        s.next = unsafe { block.add(size) };
        block
    }

    #[inline(always)]
    unsafe fn free_small(&self, ptr: *mut u8, c: usize) {
        // SAFETY: single-threaded (see `new`); `ptr` is a block of class `c` no longer in use,
        // at least GRAIN bytes long and aligned to GRAIN, so it can hold the next pointer.
        unsafe {
            let s = &mut *self.state.get();
            *(ptr as *mut *mut u8) = s.free[c];
            s.free[c] = ptr;
        }
    }
}

unsafe impl<A: GlobalAlloc> GlobalAlloc for SmallFirst<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class(layout) {
            // SAFETY: forwarded from the caller.
            Some(c) => unsafe { self.small(c) },
            None => unsafe { self.inner.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match class(layout) {
            Some(c) => {
                // SAFETY: forwarded from the caller; the block has at least `size` bytes.
                let p = unsafe { self.small(c) };
                if !p.is_null() {
                    unsafe { p.write_bytes(0, layout.size()) };
                }
                p
            }
            // SAFETY: forwarded from the caller.
            None => unsafe { self.inner.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match class(layout) {
            // SAFETY: `ptr` came from `alloc` with this layout, so from the same class.
            Some(c) => unsafe { self.free_small(ptr, c) },
            None => unsafe { self.inner.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (whole body): the caller guarantees `ptr` came from this allocator with
        // `layout`, and that `new_size` with `layout.align()` is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (class(layout), class(new_layout)) {
            (Some(a), Some(b)) if a == b => ptr,
            (None, None) => unsafe { self.inner.realloc(ptr, layout, new_size) },
            _ => unsafe {
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    /// A fresh allocator over the system one.
    fn allocator() -> SmallFirst<System> {
        // SAFETY: every test uses its allocator from its own thread only.
        unsafe { SmallFirst::new(System) }
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).expect("layout")
    }

    #[test]
    fn small_blocks_are_reused_per_class_and_never_overlap() {
        let a = allocator();
        unsafe {
            let l = layout(24, 8);
            let p = a.alloc(l);
            let q = a.alloc(l);
            assert!(!p.is_null() && !q.is_null() && p != q);
            assert_eq!(p as usize % 8, 0);
            assert!((q as usize).abs_diff(p as usize) >= 24, "blocks overlap");
            a.dealloc(p, l);
            // Same class (17..=24 bytes): the freed block comes back first.
            assert_eq!(a.alloc(layout(17, 4)), p);
        }
    }

    #[test]
    fn freed_blocks_come_back_last_in_first_out() {
        let a = allocator();
        unsafe {
            let l = layout(8, 8);
            let blocks: Vec<*mut u8> = (0..3).map(|_| a.alloc(l)).collect();
            for &b in &blocks {
                a.dealloc(b, l);
            }
            let again: Vec<*mut u8> = (0..3).map(|_| a.alloc(l)).collect();
            assert_eq!(again, blocks.iter().rev().copied().collect::<Vec<_>>());
            // The list is empty again: the next block is a fresh one.
            let fresh = a.alloc(l);
            assert!(!blocks.contains(&fresh));
            // A block freed in one class is not handed out by another.
            a.dealloc(again[0], l);
            let other = a.alloc(layout(40, 8));
            assert_ne!(other, again[0]);
            assert_eq!(a.alloc(l), again[0]);
        }
    }

    #[test]
    fn contents_survive_growth_across_classes_and_into_the_inner_allocator() {
        let a = allocator();
        unsafe {
            let mut size = 1;
            let mut p = a.alloc(layout(size, 1));
            p.write(0);
            // A neighbour in the same class, to catch copies past the end of a block.
            let guard = a.alloc(layout(size, 1));
            guard.write(0xEE);
            for new in [3, 8, 9, 16, 100, 256, 257, 5000, 6000, 200, 12, 1] {
                let old = p;
                p = a.realloc(p, layout(size, 1), new);
                assert!(!p.is_null());
                if size.div_ceil(8) == new.div_ceil(8) && new <= 256 {
                    assert_eq!(p, old, "same class {size} -> {new}: the block itself");
                }
                for i in 0..size.min(new) {
                    assert_eq!(p.add(i).read(), i as u8, "byte {i} kept, {size} -> {new}");
                }
                for i in 0..new {
                    p.add(i).write(i as u8);
                }
                size = new;
            }
            assert_eq!(guard.read(), 0xEE, "neighbouring block untouched");
            a.dealloc(p, layout(size, 1));
            // Over-aligned and large layouts go to the inner allocator and work as usual.
            let big = a.alloc_zeroed(layout(100_000, 8));
            assert!((0..100_000).all(|i| big.add(i).read() == 0));
            a.dealloc(big, layout(100_000, 8));
            let aligned = a.alloc(layout(32, 64));
            assert_eq!(aligned as usize % 64, 0);
            a.dealloc(aligned, layout(32, 64));
        }
    }

    #[test]
    fn zeroed_small_blocks_are_zero_even_when_reused() {
        let a = allocator();
        unsafe {
            let l = layout(64, 8);
            let p = a.alloc(l);
            p.write_bytes(0xAB, 64);
            a.dealloc(p, l);
            let z = a.alloc_zeroed(l);
            assert_eq!(z, p);
            assert!((0..64).all(|i| z.add(i).read() == 0));
        }
    }

    #[test]
    fn many_blocks_span_several_chunks() {
        let a = allocator();
        unsafe {
            let l = layout(200, 8);
            let blocks: Vec<*mut u8> = (0..2000)
                .map(|i| {
                    let p = a.alloc(l);
                    p.write_bytes(i as u8, 200);
                    p
                })
                .collect();
            for (i, &p) in blocks.iter().enumerate() {
                assert!((0..200).all(|k| p.add(k).read() == i as u8), "block {i} overwritten");
            }
            for p in blocks {
                a.dealloc(p, l);
            }
        }
    }
}
