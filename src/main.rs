//! The `migplan` command line.

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    migplan::cli::main()
}

// The wasm build compiles binaries too (wasm-bindgen-test); nothing runs there.
#[cfg(target_arch = "wasm32")]
fn main() {}
