//! The `aurora-sim` binary: parse, execute, exit. Everything else is in
//! the library.

use std::process::ExitCode;

use clap::Parser;

/// Counts what each run holds, so that one outgrowing its bound stops
/// cleanly instead of failing an allocation.
#[global_allocator]
static ALLOC: aurora_sim::sim::memory::CountingAllocator =
    aurora_sim::sim::memory::CountingAllocator;

fn main() -> ExitCode {
    let cli = aurora_sim::cli::Cli::parse();
    aurora_sim::cli::execute(cli).code()
}
