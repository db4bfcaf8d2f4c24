//! `portcullis`: the command-line front end of the Portcullis engine.

mod input;
mod lint;
mod matrix;
mod report;
mod simulate;
mod survey;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use input::read_input;
use portcullis_engine::design::{Design, Preset};
use portcullis_engine::export::script::{Distro, ScriptOptions};
use portcullis_engine::export::{save, Exports};

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
    /// ICMP rules, exposed services…, each with a witness packet; and chains other tools own
    /// (Docker, ufw, fail2ban, firewalld, kube-proxy, libvirt, Cilium) with what exporting
    /// would do to them.
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
        /// Where the admin connects from (repeat for several; both families allowed). For a
        /// design file, the sources its SSH is open to unless given.
        ///
        /// The final rules are checked (`lockout`), and for a script of iptables commands or a
        /// design (its commands export and its apply script) every intermediate state too
        /// (`apply-lockout`): the first step that cuts the running SSH session (error) or
        /// refuses new logins (warning), from an open firewall.
        #[arg(long, value_name = "CIDR", value_parser = lint::parse_network)]
        admin_from: Vec<ipnet::IpNet>,
    },
    /// For each port the rules mention, which sources get which verdict from which rule.
    Matrix {
        /// A dump, a script or a design file (JSON), or `-` for standard input.
        file: PathBuf,
        /// How to print the matrix.
        ///
        /// JSON: an array, one object per family: `{family: "v4"|"v6", chain: "INPUT", rows:
        /// [{protocol, port, interfaces: [class], classes: [{sources, verdict, rule: {table,
        /// chain, index}}]}]}`; with `--forward`, `{family, chain: "FORWARD", rows: [{protocol,
        /// port, interfaces: [{in, out}], classes: [{areas: [{sources, destinations}], verdict,
        /// rule}]}]}`. `index` is null for a policy.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// The matrix of forwarded traffic (filter FORWARD) between interface classes, by
        /// (source, destination) pairs, instead of traffic to the host. As text, a summary: one
        /// line per box of (port, in -> out, source -> destination), first match wins; JSON has
        /// every interface pair and area.
        #[arg(long)]
        forward: bool,
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
    /// Walk a packet through a ruleset and show every rule it meets and the verdict.
    ///
    /// Example: portcullis simulate rules.v4 --packet 'tcp 203.0.113.7:51000 -> 198.51.100.1:22 in eth0 syn new'
    ///
    /// With --packets FILE.jsonl, one JSON packet per line (keys family, path, in, out, src, dst,
    /// proto, sport, dport, flags, `icmp_type`, `icmp_code`, state) gives one JSON result per line.
    Simulate {
        /// The rules: an iptables-save dump, an iptables script, or a design file (JSON); `-` for stdin.
        rules: PathBuf,
        /// One packet in the short text form.
        #[arg(long, conflicts_with = "packets", required_unless_present = "packets")]
        packet: Option<String>,
        /// A JSON-lines file of packets (`-` for stdin, when the rules are not read from it).
        #[arg(long, value_name = "FILE")]
        packets: Option<PathBuf>,
        /// With --packets: leave each packet's trace out of its line and use the trace-free
        /// verdict path (the same verdicts, rules and outcomes; tens of times faster on big batches).
        #[arg(long, requires = "packets")]
        no_trace: bool,
        /// Follow the packet with its replies (TCP handshake, DNS answer, ping reply).
        #[arg(long, requires = "packet")]
        conversation: bool,
        /// How to print a single packet's result (batches are always JSON lines).
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Read what a server runs from the pasted output of `sudo ss -tlnpu` (or `netstat -tlnpu`),
    /// `ip -br addr` and `sudo iptables-save` / `ip6tables-save`, in any order: the listening
    /// services, interfaces, other tools' chains, Docker's published ports, and a design that fits.
    ///
    /// Example: ssh server 'sudo ss -tlnpu; ip -br addr; sudo iptables-save' | portcullis survey - --design-out design.json
    ///
    /// Exit code: 0 when every line was read, 1 when some were not (the rest is still used), 2 on
    /// usage or I/O errors.
    Survey {
        /// The pasted output, or `-` for standard input.
        file: PathBuf,
        /// How to print the survey.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Write the design that fits the server to this file (JSON, as the app saves it).
        #[arg(long, value_name = "FILE")]
        design_out: Option<PathBuf>,
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
        /// With `--format script`: where to make the rules permanent once confirmed.
        #[arg(long, value_enum, value_name = "DISTRO")]
        distro: Option<DistroArg>,
        /// With `--format script`: seconds before the previous rules come back unless confirmed
        /// from a new login (default 120).
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=86_400))]
        rollback: Option<u32>,
        /// With `--format script`: the SSH port named in the hint on how to log in again (default 22).
        #[arg(long, value_name = "PORT")]
        ssh_port: Option<u16>,
    },
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// IPv4 rules in iptables-save format (rules.v4), for iptables-restore.
    SaveV4,
    /// IPv6 rules in ip6tables-save format (rules.v6), for ip6tables-restore.
    SaveV6,
    /// A bash script that applies both beside other tools' rules (in PORTCULLIS-… chains), with a
    /// backup and a rollback unless confirmed from a new login; `--coexist` on the server applies
    /// beside an active ufw, firewalld, Kubernetes or Cilium.
    Script,
    /// The same rules as plain iptables / ip6tables commands, in order.
    Commands,
    /// One nftables file (`nft -f`) holding both families in `table inet portcullis`.
    Nft,
    /// The design file itself, re-serialized.
    Json,
}

/// Distributions the script can persist the rules for.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum DistroArg {
    /// Debian and Ubuntu: netfilter-persistent, /etc/iptables/rules.v4 and rules.v6.
    Debian,
    /// RHEL and its rebuilds (Alma, Rocky): /etc/sysconfig/iptables and ip6tables, iptables services.
    Rhel,
    /// Arch: /etc/iptables/iptables.rules and ip6tables.rules.
    Arch,
    /// Alpine: /etc/iptables/rules-save and rules6-save, loaded by rc-update services.
    Alpine,
    /// Do not persist: the rules last until reboot.
    None,
}

impl From<DistroArg> for Distro {
    fn from(distro: DistroArg) -> Self {
        match distro {
            DistroArg::Debian => Distro::Debian,
            DistroArg::Rhel => Distro::Rhel,
            DistroArg::Arch => Distro::Arch,
            DistroArg::Alpine => Distro::Alpine,
            DistroArg::None => Distro::None,
        }
    }
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
            // Without --admin-from, a design's own SSH sources are the admin's.
            let from_design = loaded.design.as_ref().and_then(portcullis_engine::analysis::LintOptions::from_design).filter(|_| admin_from.is_empty());
            let admin_from = from_design.map_or(admin_from, |options| options.admin_from);
            // A design's published container ports are facts its rules do not show.
            let published_ports = loaded.design.as_ref().map(Design::published_ports).unwrap_or_default();
            let options = portcullis_engine::analysis::LintOptions { admin_ssh_port: admin_ssh, admin_from, published_ports };
            let findings = lint::findings(&loaded, &options);
            write_out(&lint::report(&loaded, &findings, format))?;
            let errors = findings.iter().any(|(_, finding)| finding.diagnostic.severity == portcullis_engine::diagnostic::Severity::Error);
            Ok(if errors { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Matrix { file, format, forward } => {
            let loaded = lint::load(&file)?;
            let rulesets: Vec<_> = loaded.rulesets().cloned().collect();
            let report = if forward { matrix::report_forward(&rulesets, format) } else { matrix::report(&matrix::matrices(&rulesets), format) };
            write_out(&report)?;
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
        Command::Simulate { rules, packet, packets, no_trace, conversation, format } => {
            if rules.as_os_str() == "-" && packets.as_ref().is_some_and(|packets| packets.as_os_str() == "-") {
                return Err("the rules and the packets cannot both come from standard input".to_owned());
            }
            let rules = match simulate::Rules::load(&rules)? {
                Ok(rules) => rules,
                Err(message) => {
                    eprintln!("portcullis: error: {message}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            if let Some(packet) = packet {
                let packet = portcullis_engine::simulate::Packet::parse(&packet).map_err(|error| format!("--packet: {error}"))?;
                if conversation {
                    write_out(&rules.conversation(&packet, matches!(format, ReportFormat::Json)))?;
                    return Ok(ExitCode::SUCCESS);
                }
                let simulation = rules.simulate(&packet);
                match format {
                    ReportFormat::Text => write_out(&rules.result_text(&packet, &simulation))?,
                    ReportFormat::Json => write_out(&format!("{:#}\n", rules.result_json(&packet, &simulation)))?,
                }
                return Ok(ExitCode::SUCCESS);
            }
            let (packets_name, packets_text) = read_input(packets.as_deref().unwrap_or(std::path::Path::new("-")))?;
            let mut failed = false;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let batch = rules.batch(!no_trace);
            for packet in simulate::packets_from_lines(&packets_text) {
                match packet {
                    Ok(packet) => writeln!(out, "{}", batch.result_json(&packet)).map_err(|error| format!("cannot write the output: {error}"))?,
                    Err(message) => {
                        eprintln!("portcullis: error: {packets_name}: {message}");
                        failed = true;
                    }
                }
            }
            out.flush().map_err(|error| format!("cannot write the output: {error}"))?;
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Survey { file, format, design_out } => {
            let (name, text) = read_input(&file)?;
            let found = portcullis_engine::survey::survey(&text);
            write_out(&survey::render(&name, &text, &found, format))?;
            if let Some(path) = design_out {
                std::fs::write(&path, found.design().0.to_json()).map_err(|error| format!("cannot write {}: {error}", path.display()))?;
            }
            Ok(if found.diagnostics.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Design { preset } => {
            write_out(&preset.design().to_json())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { design, format, distro, rollback, ssh_port } => {
            let script_only = [(distro.is_some(), "--distro"), (rollback.is_some(), "--rollback"), (ssh_port.is_some(), "--ssh-port")];
            if let Some((_, flag)) = script_only.iter().find(|(given, _)| *given && !matches!(format, Format::Script)) {
                return Err(format!("{flag} only applies to --format script"));
            }
            let text = std::fs::read_to_string(&design)
                .map_err(|error| format!("cannot read {}: {error}", design.display()))?;
            let design = match Design::from_json(&text) {
                Ok(design) => design,
                Err(error) => return Ok(failure(&format!("{}: {error}", design.display()))),
            };
            let defaults = ScriptOptions::default();
            let options = ScriptOptions {
                distro: distro.map_or(defaults.distro, Distro::from),
                rollback_seconds: rollback.unwrap_or(defaults.rollback_seconds),
                ssh_port: ssh_port.unwrap_or(defaults.ssh_port),
            };
            let exports = Exports::of(&design, &options);
            let output = match format {
                Format::SaveV4 => exports.rules_v4,
                Format::SaveV6 => exports.rules_v6,
                Format::Commands => exports.commands,
                Format::Json => exports.design_json,
                Format::Nft => match exports.nft {
                    Ok(export) => {
                        for note in &export.notes {
                            eprintln!("portcullis: note: {note}");
                        }
                        export.text
                    }
                    Err(error) => return Ok(failure(&error.to_string())),
                },
                Format::Script => match exports.script {
                    Ok(text) => text,
                    Err(error) => return Ok(failure(&error.to_string())),
                },
            };
            write_out(&output)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reports an error about the input itself (exit 1, as opposed to usage errors, exit 2).
fn failure(message: &str) -> ExitCode {
    eprintln!("portcullis: error: {message}");
    ExitCode::FAILURE
}
