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
    migplan::cli::disable_transparent_huge_pages();
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
