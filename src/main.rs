//! The `migplan` command line.

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, so a closed pipe (`migplan history | head`) would make println!
    // panic; the default action ends the process quietly instead.
    #[cfg(unix)]
    // SAFETY: called before any thread starts; SIG_DFL is a valid handler for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // mimalloc asks for transparent huge pages; zeroing 2 MiB pages as it recycles memory
    // was a fifth of `check`'s CPU at 100,000 revisions (perf: clear_page_erms), and
    // without them `check` spends 0.8 s less system time there. Faults take 4 KiB pages.
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag read on page faults; no memory is touched.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    migplan::cli::main()
}

/// The npm package's `migplan` command: the same CLI, run by node:wasi (pkg/bin/migplan.js).
#[cfg(target_os = "wasi")]
fn main() -> std::process::ExitCode {
    migplan::cli::main()
}

// The wasm API build compiles binaries too (wasm-bindgen-test); nothing runs there.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {}
