#![forbid(unsafe_code)]

use std::process::ExitCode;

/// mimalloc, not the system allocator: grouping a claim, searching and
/// checking edits make many short-lived small blocks, and glibc's allocator
/// sweeps its free lists whenever a block of a kilobyte or more follows
/// them, which was the largest single cost (and the slow tail) of grouping
/// a claim.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    chartcoder::cli::main()
}
