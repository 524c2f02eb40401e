//! `man`: the man page, as roff.

use super::{bad_output, print_bytes, Cli, ExitStatus};

/// Prints the tool's page, or `command`'s with its flags.
pub(super) fn man(command: Option<&str>) -> ExitStatus {
    let top = <Cli as clap::CommandFactory>::command();
    let cmd = match command {
        None => top,
        Some(name) => match top.find_subcommand(name) {
            Some(sub) => sub.clone().display_name(format!("aurora-sim-{name}")),
            None => {
                let names: Vec<&str> = top.get_subcommands().map(|c| c.get_name()).collect();
                return bad_output(&format!(
                    "no command is named {name:?}; the commands are {}",
                    names.join(", ")
                ));
            }
        },
    };
    let mut page = Vec::new();
    match clap_mangen::Man::new(cmd).render(&mut page) {
        Ok(()) => print_bytes(&page),
        Err(e) => bad_output(&format!("cannot render the man page: {e}")),
    }
}
