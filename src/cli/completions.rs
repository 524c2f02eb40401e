//! `completions`: a shell completion script for the command line.

use super::{print_bytes, Cli, ExitStatus};

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> ExitStatus {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "aurora-sim", &mut script);
    print_bytes(&script)
}
