//! `portcullis`: the command-line front end of the Portcullis engine.

mod lint;
mod matrix;
mod report;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use portcullis_engine::design::{Design, Preset};
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
    /// Read an iptables-save dump or an iptables shell script and report every problem.
    ///
    /// Exit code: 0 without errors, 1 with errors, 2 on usage or I/O errors.
    Check {
        /// The file to read, or `-` for standard input.
        file: PathBuf,
        /// How to print the diagnostics.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Find rules that never match, are shadowed or redundant, lockouts, missing conntrack and
    /// ICMP rules, exposed services…, each with a witness packet.
    ///
    /// Exit code: 0 without errors, 1 with errors, 2 on usage or I/O errors.
    Lint {
        /// A dump, a script or a design file (JSON), or `-` for standard input.
        file: PathBuf,
        /// How to print the findings.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// The port the admin's SSH server listens on.
        #[arg(long, value_name = "PORT", default_value_t = 22)]
        admin_ssh: u16,
        /// Where the admin connects from (repeat for several; both families allowed).
        #[arg(long, value_name = "CIDR", value_parser = lint::parse_network)]
        admin_from: Vec<ipnet::IpNet>,
    },
    /// For each port the rules mention, which sources get which verdict from which rule.
    Matrix {
        /// A dump, a script or a design file (JSON), or `-` for standard input.
        file: PathBuf,
        /// How to print the matrix.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Print a dump or script as the canonical iptables-save text (both families if present).
    Fmt {
        /// The file to read, or `-` for standard input.
        file: PathBuf,
    },
    /// Print a design file to start from, for a server role.
    ///
    /// Example: portcullis design --preset web-mail > design.json
    Design {
        /// The server role: web, mail, web-mail, database, bastion or empty.
        #[arg(long, value_name = "ROLE", default_value = "empty")]
        preset: Preset,
    },
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

/// How `check` prints diagnostics.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Code frames for people.
    Text,
    /// A JSON array for programs.
    Json,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("portcullis: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn read_input(file: &std::path::Path) -> Result<(String, String), String> {
    if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|error| format!("cannot read standard input: {error}"))?;
        return Ok(("<stdin>".to_owned(), text));
    }
    let text = std::fs::read_to_string(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    Ok((file.display().to_string(), text))
}

fn write_out(text: &str) -> Result<(), String> {
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|error| format!("cannot write the output: {error}"))
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check { file, format } => {
            let (name, text) = read_input(&file)?;
            let parsed = portcullis_engine::import::import(&text, None);
            let report = match format {
                ReportFormat::Text => report::text(&name, &text, &parsed.diagnostics),
                ReportFormat::Json => report::json(&text, &parsed.diagnostics),
            };
            write_out(&report)?;
            Ok(if parsed.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Lint { file, format, admin_ssh, admin_from } => {
            let loaded = lint::load(&file)?;
            let options = portcullis_engine::analysis::LintOptions { admin_ssh_port: admin_ssh, admin_from };
            let findings = lint::findings(&loaded, &options);
            write_out(&lint::report(&loaded, &findings, format))?;
            let errors = findings.iter().any(|(_, finding)| finding.diagnostic.severity == portcullis_engine::diagnostic::Severity::Error);
            Ok(if errors { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Matrix { file, format } => {
            let loaded = lint::load(&file)?;
            let rulesets: Vec<_> = loaded.rulesets().cloned().collect();
            write_out(&matrix::report(&matrix::matrices(&rulesets), format))?;
            Ok(if loaded.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Fmt { file } => {
            let (name, text) = read_input(&file)?;
            let parsed = portcullis_engine::import::import(&text, None);
            if parsed.has_errors() {
                eprint!("{}", report::text(&name, &text, &parsed.diagnostics));
            }
            for ruleset in &parsed.value.rulesets {
                write_out(&save::render(ruleset))?;
            }
            Ok(if parsed.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Design { preset } => {
            write_out(&preset.design().to_json())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { design, format } => {
            let text = std::fs::read_to_string(&design)
                .map_err(|error| format!("cannot read {}: {error}", design.display()))?;
            let design = Design::from_json(&text).map_err(|error| format!("{}: {error}", design.display()));
            let design = match design {
                Ok(design) => design,
                Err(message) => {
                    eprintln!("portcullis: error: {message}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let family = match format {
                Format::SaveV4 => Family::V4,
                Format::SaveV6 => Family::V6,
            };
            write_out(&save::render(&design.compile(family)))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
