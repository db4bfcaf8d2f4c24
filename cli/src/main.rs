//! `portcullis`: the command-line front end of the Portcullis engine.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use portcullis_engine::design::Design;
use portcullis_engine::export::save;
use portcullis_engine::model::Family;

/// Design iptables firewalls that cannot lock you out.
#[derive(Debug, Parser)]
#[command(name = "portcullis", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the rules a design file asks for.
    ///
    /// Example: portcullis export --design server.json --format save-v4 > /etc/iptables/rules.v4
    Export {
        /// The design file (JSON, as saved by the Portcullis app).
        #[arg(long, value_name = "FILE")]
        design: PathBuf,
        /// What to print.
        #[arg(long, value_enum)]
        format: Format,
    },
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// IPv4 rules in iptables-save format (rules.v4), for iptables-restore.
    SaveV4,
    /// IPv6 rules in ip6tables-save format (rules.v6), for ip6tables-restore.
    SaveV6,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portcullis: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Export { design, format } => {
            let text = std::fs::read_to_string(&design)
                .map_err(|error| format!("cannot read {}: {error}", design.display()))?;
            let design = Design::from_json(&text).map_err(|error| format!("{}: {error}", design.display()))?;
            let family = match format {
                Format::SaveV4 => Family::V4,
                Format::SaveV6 => Family::V6,
            };
            let output = save::render(&design.compile(family));
            std::io::stdout()
                .lock()
                .write_all(output.as_bytes())
                .map_err(|error| format!("cannot write the output: {error}"))
        }
    }
}
