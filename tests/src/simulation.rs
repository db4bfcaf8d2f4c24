//! The simulation corpus (`tests/corpus/simulate/*.sim`): a ruleset in `iptables-save` format,
//! then `%packets` and one packet per line with the expected verdict and deciding filter rule:
//!
//! ```text
//! tcp 203.0.113.7:40000 -> 192.0.2.1:22 in eth0 syn new => ACCEPT ADMIN 1
//! tcp 198.51.100.9:40000 -> 192.0.2.1:25 in eth0 syn new => DROP INPUT policy
//! icmp 198.51.100.25 -> 192.0.2.1 in eth0 type 8/0 new => MAYBE
//! ```
//!
//! The same file is checked against the engine's simulator and against the kernel oracle.

use std::path::{Path, PathBuf};

use portcullis_engine::model::{ConnState, Family, Protocol};
use portcullis_engine::simulate::{Packet, Verdict};

use crate::packet::{Probe, TcpFlags, Transport};

/// What a corpus line expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A certain verdict, decided in the filter table by `chain` at `position` (`None`: policy).
    Decided {
        /// The verdict.
        verdict: Verdict,
        /// The deciding chain.
        chain: String,
        /// Its 1-based rule position, or `None` for the policy.
        position: Option<usize>,
    },
    /// The engine cannot decide; the kernel's verdict must be one of its outcomes.
    Maybe,
}

/// One packet line.
#[derive(Debug, Clone)]
pub struct Case {
    /// 1-based line number in the file.
    pub line: usize,
    /// The packet as written.
    pub text: String,
    /// The packet.
    pub packet: Packet,
    /// What should happen.
    pub expected: Expected,
}

/// One corpus file.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Where it was read.
    pub path: PathBuf,
    /// The ruleset text.
    pub rules: String,
    /// The packets.
    pub cases: Vec<Case>,
}

fn verdict(text: &str) -> Result<Verdict, String> {
    match text {
        "ACCEPT" => Ok(Verdict::Accept),
        "DROP" => Ok(Verdict::Drop),
        "REJECT" => Ok(Verdict::Reject),
        other => Err(format!("`{other}` is not ACCEPT, DROP, REJECT or MAYBE")),
    }
}

fn expected(text: &str) -> Result<Expected, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["MAYBE"] => Ok(Expected::Maybe),
        [kind, chain, "policy"] => Ok(Expected::Decided { verdict: verdict(kind)?, chain: (*chain).to_owned(), position: None }),
        [kind, chain, position] => Ok(Expected::Decided {
            verdict: verdict(kind)?,
            chain: (*chain).to_owned(),
            position: Some(position.parse().map_err(|_| format!("`{position}` is not a rule position"))?),
        }),
        _ => Err(format!("expected `VERDICT CHAIN POSITION|policy` or `MAYBE`, found `{text}`")),
    }
}

/// Reads one corpus file.
///
/// # Errors
/// A malformed file, with the line.
pub fn read(path: &Path) -> Result<CorpusFile, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let (rules, packets) = text.split_once("%packets\n").ok_or_else(|| format!("{}: no `%packets` line", path.display()))?;
    let first_line = rules.lines().count() + 2;
    let mut cases = Vec::new();
    for (offset, line) in packets.lines().enumerate() {
        let line_number = first_line + offset;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let where_ = || format!("{}:{line_number}", path.display());
        let (packet_text, expectation) = line.split_once("=>").ok_or_else(|| format!("{}: no `=>`", where_()))?;
        let packet = Packet::parse(packet_text.trim()).map_err(|error| format!("{}: {error}", where_()))?;
        let expected = expected(expectation.trim()).map_err(|error| format!("{}: {error}", where_()))?;
        cases.push(Case { line: line_number, text: packet_text.trim().to_owned(), packet, expected });
    }
    Ok(CorpusFile { path: path.to_owned(), rules: rules.to_owned(), cases })
}

/// Every `.sim` file of the corpus, sorted.
///
/// # Panics
/// When the corpus folder is missing or a file is malformed.
pub fn corpus() -> Vec<CorpusFile> {
    let folder = crate::workspace_root().join("tests/corpus/simulate");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "sim"))
        .collect();
    paths.sort();
    paths.iter().map(|path| read(path).unwrap_or_else(|error| panic!("{error}"))).collect()
}

/// The probe that sends `packet` to the kernel oracle's server, when the oracle can send it
/// (incoming on `ethN`, TCP/UDP/ICMP, a state the kernel gives a fresh packet).
pub fn probe(packet: &Packet) -> Option<Probe> {
    let link = packet.in_interface.as_deref()?.strip_prefix("eth")?.parse().ok()?;
    let fresh = matches!(packet.state, ConnState::New | ConnState::Invalid);
    if packet.mark != 0 || packet.fragment || !fresh {
        return None;
    }
    let transport = match packet.protocol {
        Protocol::TCP => Transport::Tcp { sport: packet.source_port, dport: packet.destination_port, flags: TcpFlags::from_bits(packet.tcp_flags.bits()) },
        Protocol::UDP => Transport::Udp { sport: packet.source_port, dport: packet.destination_port },
        Protocol::ICMP | Protocol::ICMPV6 => Transport::Icmp { icmp_type: packet.icmp_type, code: packet.icmp_code },
        _ => return None,
    };
    Some(Probe { link, source: packet.source, destination: Some(packet.destination), transport, ttl: packet.ttl })
}

/// The family of a packet's ruleset.
pub fn family(packet: &Packet) -> Family {
    packet.family
}
