//! The `shipcheck` binary: parse, run, map to an exit code, print the error chain.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = shipcheck::cli::Cli::parse();
    match shipcheck::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: the context chain, outermost first, sanitised (it may quote file names).
            eprintln!(
                "shipcheck: error: {}",
                shipcheck::sanitize::for_terminal(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}
