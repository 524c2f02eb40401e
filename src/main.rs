//! The `aurora-sim` binary: parse, execute, exit. Everything else is in
//! the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = aurora_sim::cli::Cli::parse();
    aurora_sim::cli::execute(cli).code()
}
